/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host timestamps for hypertrace events. A producer stamps a record with
 * the cheapest clock it has (HT_CLOCK_TSC: one rdtsc, ~10 ns; a syscall-free
 * clock_gettime is 25 ns or more); the collector turns that into host
 * CLOCK_MONOTONIC ns with a linear map it keeps fitted against the host's
 * own clock_gettime. User mode and native guests run on the host's CPUs, so
 * their TSC is the host's.
 */
#ifndef VT_HT_CLOCK_H
#define VT_HT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct ht_clock {
	bool tsc_ok;		/* the host's TSC is invariant (constant_tsc, nonstop_tsc) */
	uint64_t tsc0, ns0;	/* the first calibration point */
	uint64_t tsc1, ns1;	/* the latest one */
	double ns_per_tick;	/* slope from the first to the latest */
	double max_err_ns;	/* worst |predicted - measured| seen at recalibration */
	double bracket_ns;	/* half the clock_gettime window of the latest point */
	uint64_t last_ns;	/* when the latest point was taken */
	uint64_t mult;		/* ns_per_tick * 2^32, for ht_clock_to_mono's integer path */
};

/* Whether this host's TSC can be shared with producers (HT_FLAG_TSC_OK). */
bool ht_clock_tsc_invariant(void);

/* Take the first calibration points (about 10 ms). */
void ht_clock_init(struct ht_clock *ck);

/* Take a new point if the last is older than 1 s; measure the error on the way. */
void ht_clock_update(struct ht_clock *ck);

/* A record's ts in host CLOCK_MONOTONIC ns. */
uint64_t ht_clock_to_mono(const struct ht_clock *ck, uint32_t clock, uint64_t ts);

#endif
