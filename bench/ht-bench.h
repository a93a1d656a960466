/* SPDX-License-Identifier: GPL-2.0 */
/* What bench/hypertrace.c and its LTTng-UST peer share: the clock, the median. */
#ifndef VT_HT_BENCH_H
#define VT_HT_BENCH_H

#include <stdlib.h>
#include <time.h>

/* Timed bursts, and the rounds of them each figure is the median of. */
#define ROUNDS 41

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @n figures (sorts them in place). */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

#endif
