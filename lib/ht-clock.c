// SPDX-License-Identifier: GPL-2.0
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

/*
 * In integers (a 32.32 fixed-point slope, 2^-32 ns per tick: under a ns
 * over minutes between points): per event, the double conversions cost as
 * much as the rest of the collector's work on it.
 */
uint64_t ht_clock_to_mono(const struct ht_clock *ck, uint32_t clock, uint64_t ts)
{
	__int128 ns;

	if (clock != HT_CLOCK_TSC || !ck->tsc_ok)
		return ts;
	/* from the latest point: events are read within milliseconds of it */
	ns = (__int128)ck->ns1 + (((__int128)(int64_t)(ts - ck->tsc1) * ck->mult) >> 32);
	if (ns < 0)
		return 0;
	return ns > (__int128)UINT64_MAX ? UINT64_MAX : (uint64_t)ns;	/* a forged ts */
}
