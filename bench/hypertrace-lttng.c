// SPDX-License-Identifier: GPL-2.0
/*
 * The LTTng-UST peer of bench/hypertrace: ns per tracepoint with 4 uint64
 * arguments, with the session bench/hypertrace.sh made active, measured as
 * bench/hypertrace.c measures hypertrace_emit(): bursts of 32768 events,
 * a pause between them for the consumer daemon, the median of 41 rounds.
 * Refuses to measure a tracepoint that no session enabled (it would cost a
 * branch, not an event).
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "hypertrace-lttng-tp.h"

#include <stdio.h>
#include <unistd.h>

#include "ht-bench.h"

#define BURST 32768

int main(void)
{
	double ns[ROUNDS], t0;
	int i, j;

	/* the session daemon tells a new process what is enabled: wait for it */
	for (i = 0; i < 500 && !lttng_ust_tracepoint_enabled(vtrace_bench, event); i++)
		usleep(10000);
	if (!lttng_ust_tracepoint_enabled(vtrace_bench, event)) {
		fprintf(stderr, "bench/hypertrace-lttng: vtrace_bench:event is not enabled "
				"(no active LTTng session)\n");
		return 1;
	}
	for (i = 0; i < ROUNDS; i++) {
		t0 = now();
		for (j = 0; j < BURST; j++)
			lttng_ust_tracepoint(vtrace_bench, event, j, 2, 3, 4);
		ns[i] = (now() - t0) / BURST * 1e9;
		usleep(20000);
	}
	printf("lttng %.2f\n", median(ns, ROUNDS));
	printf("events %d\n", ROUNDS * BURST);
	return 0;
}
