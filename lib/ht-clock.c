// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "ht-clock.h"
#include "ht-region.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool ht_clock_tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
	char line[4096];
	bool constant = false, nonstop = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		constant = strstr(line, " constant_tsc") != NULL;
		nonstop = strstr(line, " nonstop_tsc") != NULL;
		break;
	}
	fclose(f);
	return constant && nonstop;
#else
	return false;
#endif
}

/*
 * One calibration point: the TSC read between two clock_gettime calls, the
 * tightest of a few tries (an interrupt in between widens the window).
 */
static void point(uint64_t *tsc, uint64_t *ns, double *half_window)
{
#if defined(__x86_64__) || defined(__i386__)
	uint64_t a, b, t, best = UINT64_MAX;
	int i;

	for (i = 0; i < 16; i++) {
		a = mono_ns();
		t = __rdtsc();
		b = mono_ns();
		if (b - a < best) {
			best = b - a;
			*tsc = t;
			*ns = a + (b - a) / 2;
		}
	}
	*half_window = best / 2.0;
#else
	*tsc = 0;
	*ns = mono_ns();
	*half_window = 0;
#endif
}

void ht_clock_init(struct ht_clock *ck)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	memset(ck, 0, sizeof(*ck));
	ck->tsc_ok = ht_clock_tsc_invariant();
	if (!ck->tsc_ok)
		return;
	point(&ck->tsc0, &ck->ns0, &ck->bracket_ns);
	nanosleep(&pause, NULL);
	point(&ck->tsc1, &ck->ns1, &ck->bracket_ns);
	ck->ns_per_tick = (double)(ck->ns1 - ck->ns0) / (double)(ck->tsc1 - ck->tsc0);
	ck->mult = ck->ns_per_tick * 4294967296.0;
	ck->last_ns = ck->ns1;
}

void ht_clock_update(struct ht_clock *ck)
{
	uint64_t tsc, ns;
	double predicted, err, half;

	if (!ck->tsc_ok || mono_ns() - ck->last_ns < 1000000000ULL)
		return;
	point(&tsc, &ns, &half);
	/* how far the map in use was off, before it learns from this point */
	predicted = ck->ns1 + ((double)tsc - (double)ck->tsc1) * ck->ns_per_tick;
	err = predicted > ns ? predicted - ns : ns - predicted;
	if (err > ck->max_err_ns)
		ck->max_err_ns = err;
	ck->tsc1 = tsc;
	ck->ns1 = ns;
	ck->bracket_ns = half;
	ck->ns_per_tick = (double)(ns - ck->ns0) / (double)(tsc - ck->tsc0);
	ck->mult = ck->ns_per_tick * 4294967296.0;
	ck->last_ns = ns;
}

void ht_clock_system(struct ht_clock *ck)
{
	ck->system = true;
	ck->round_ns = mono_ns(); /* nothing was published before the region was made */
	ck->after_ns = ck->round_ns;
}

void ht_clock_round(struct ht_clock *ck)
{
	ck->after_ns = ck->round_ns;
	ck->round_ns = mono_ns();
}

/* A guest ts in ns since its clock's first one seen (the host's TSC rate: see ht-clock.h). */
static int64_t guest_rel_ns(const struct ht_clock *ck, const struct ht_guest_clock *g,
			    uint32_t clock, uint64_t ts)
{
	__int128 d = (int64_t)(ts - g->ref);
	const __int128 lim = (__int128)1 << 61; /* a forged ts: keep sums in range */

	if (clock == HT_CLOCK_TSC && ck->tsc_ok)
		d = (d * ck->mult) >> 32; /* ht_clock_to_mono's fixed-point slope */
	return (int64_t)(d > lim ? lim : d < -lim ? -lim : d);
}

/*
 * Published after the previous poll began, seen in this one: the event
 * happened in (after_ns, now], so host - guest lies in (after - rel, now - rel].
 * A bracket that misses the interval so far means the offset moved (the VM
 * was paused, or the guest wrote its TSC): start again from it.
 */
void ht_clock_observe(struct ht_clock *ck, uint32_t clock, uint64_t ts)
{
	struct ht_guest_clock *g = &ck->guest[clock == HT_CLOCK_TSC];
	int64_t rel, lo, hi;
	double half;

	if (!ck->system)
		return;
	if (!g->valid) {
		g->valid = true;
		g->ref = ts;
		g->lo = INT64_MIN;
		g->hi = INT64_MAX;
	}
	rel = guest_rel_ns(ck, g, clock, ts);
	lo = (int64_t)ck->after_ns - rel;
	hi = (int64_t)mono_ns() - rel;
	if (lo > g->hi || hi < g->lo) {
		g->resets++;
		g->events = 0;
		g->lo = lo;
		g->hi = hi;
	}
	if (lo > g->lo)
		g->lo = lo;
	if (hi < g->hi)
		g->hi = hi;
	g->events++;
	half = (double)(g->hi - g->lo) / 2;
	if (half > g->max_half_ns)
		g->max_half_ns = half;
}

void ht_clock_report(const struct ht_clock *ck)
{
	static const char *const name[] = { "CLOCK_MONOTONIC", "TSC" };
	int i;

	for (i = 0; ck->system && i < 2; i++) {
		const struct ht_guest_clock *g = &ck->guest[i];

		if (!g->valid)
			continue;
		fprintf(stderr,
			"guest %s -> host CLOCK_MONOTONIC: offset known within +-%.1f us "
			"from %llu events; every event within +-%.1f us%s",
			name[i], (g->hi - g->lo) / 2e3, (unsigned long long)g->events,
			g->max_half_ns / 1e3, g->resets ? "" : "\n");
		if (g->resets)
			fprintf(stderr,
				" (the offset moved %llu times: the VM paused, or the "
				"guest set its clock)\n",
				(unsigned long long)g->resets);
	}
}

/* A system-mode guest's ts: the middle of its offset's interval. */
static uint64_t guest_to_mono(const struct ht_clock *ck, uint32_t clock, uint64_t ts)
{
	const struct ht_guest_clock *g = &ck->guest[clock == HT_CLOCK_TSC];
	int64_t ns;

	if (!g->valid)
		return 0;
	ns = guest_rel_ns(ck, g, clock, ts) + g->lo + (g->hi - g->lo) / 2;
	return ns < 0 ? 0 : (uint64_t)ns;
}

/*
 * In integers (a 32.32 fixed-point slope, 2^-32 ns per tick: under a ns
 * over minutes between points): per event, the double conversions cost as
 * much as the rest of the collector's work on it.
 */
uint64_t ht_clock_to_mono(const struct ht_clock *ck, uint32_t clock, uint64_t ts)
{
	__int128 ns;

	if (ck->system)
		return guest_to_mono(ck, clock, ts);
	if (clock != HT_CLOCK_TSC || !ck->tsc_ok)
		return ts;
	/* from the latest point: events are read within milliseconds of it */
	ns = (__int128)ck->ns1 + (((__int128)(int64_t)(ts - ck->tsc1) * ck->mult) >> 32);
	if (ns < 0)
		return 0;
	return ns > (__int128)UINT64_MAX ? UINT64_MAX : (uint64_t)ns; /* a forged ts */
}
