/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host timestamps for hypertrace events. A producer stamps a record with
 * the cheapest clock it has (HT_CLOCK_TSC: one rdtsc, ~10 ns; a syscall-free
 * clock_gettime is 25 ns or more); the collector turns that into host
 * CLOCK_MONOTONIC ns with a linear map it keeps fitted against the host's
 * own clock_gettime. User mode and native guests run on the host's CPUs, so
 * their TSC is the host's.
 *
 * A system-mode guest's clocks are its own: its TSC is the host's plus an
 * offset (TCG: host ticks less those of the time the VM was not running;
 * KVM: the offset it programs), its CLOCK_MONOTONIC counts from its boot.
 * The collector brackets each event: published after the previous poll
 * began, and before it was seen. Each bracket bounds the offset on both
 * sides; the intersection over all events is the offset, known within its
 * width (docs/hypertrace.md, "Time in system mode").
 */
#ifndef VT_HT_CLOCK_H
#define VT_HT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct ht_clock {
	bool tsc_ok;	    /* the host's TSC is invariant (constant_tsc, nonstop_tsc) */
	uint64_t tsc0, ns0; /* the first calibration point */
	uint64_t tsc1, ns1; /* the latest one */
	double ns_per_tick; /* slope from the first to the latest */
	double max_err_ns;  /* worst |predicted - measured| seen at recalibration */
	double bracket_ns;  /* half the clock_gettime window of the latest point */
	uint64_t last_ns;   /* when the latest point was taken */
	uint64_t mult;	    /* ns_per_tick * 2^32, for ht_clock_to_mono's integer path */

	/* system mode: guest clocks, indexed by HT_CLOCK_MONO, HT_CLOCK_TSC */
	bool system;
	uint64_t round_ns; /* when the current poll began */
	uint64_t after_ns; /* when the previous one began: events new now came later */
	struct ht_guest_clock {
		bool valid;
		uint64_t ref;	    /* the first guest ts seen: offsets are from it */
		int64_t lo, hi;	    /* host ns - guest ns since ref lies in [lo, hi] */
		uint64_t events;    /* seen since the last reset */
		uint64_t resets;    /* brackets that contradicted the offset (a pause?) */
		double max_half_ns; /* worst half-width an event was converted with */
	} guest[2];
};

/* Whether this host's TSC can be shared with producers (HT_FLAG_TSC_OK). */
bool ht_clock_tsc_invariant(void);

/* Take the first calibration points (about 10 ms). */
void ht_clock_init(struct ht_clock *ck);

/* Take a new point if the last is older than 1 s; measure the error on the way. */
void ht_clock_update(struct ht_clock *ck);

/* Treat records' ts as a system-mode guest's clocks (from now on). */
void ht_clock_system(struct ht_clock *ck);

/* System mode: a poll of the rings begins. */
void ht_clock_round(struct ht_clock *ck);

/* System mode: a record just taken in this poll narrows its clock's offset. */
void ht_clock_observe(struct ht_clock *ck, uint32_t clock, uint64_t ts);

/* System mode: print how well each guest clock's offset is known. */
void ht_clock_report(const struct ht_clock *ck);

/* A record's ts in host CLOCK_MONOTONIC ns (system mode: after ht_clock_observe). */
uint64_t ht_clock_to_mono(const struct ht_clock *ck, uint32_t clock, uint64_t ts);

#endif
