// SPDX-License-Identifier: GPL-2.0
/*
 * ht-timeline [STEPS]: in a system-mode guest, alternate a trace_marker
 * write ("ht-timeline K", K odd) and a hypertrace event (arg1 = K, K even)
 * for K = 1..STEPS, so the host can check that the guest's trace.dat and
 * the hypertrace events merge into the order they were made. Both must be
 * stamped with one clock: the workload sets the guest's trace_clock to
 * x86-tsc, the clock libhypertrace stamps with (docs/hypertrace.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hypertrace.h>

int main(int argc, char **argv)
{
	long steps = argc > 1 ? atol(argv[1]) : 20, k;
	struct hypertrace *ht;
	char buf[64];
	int fd, n;

	ht = hypertrace_open(NULL);
	if (!ht) {
		fprintf(stderr, "ht-timeline: no hypertrace device: %s\n", strerror(errno));
		return 1;
	}
	fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ht-timeline: trace_marker: %s\n", strerror(errno));
		return 1;
	}
	for (k = 1; k <= steps; k++) {
		if (k & 1) {
			n = snprintf(buf, sizeof(buf), "ht-timeline %ld", k);
			if (write(fd, buf, n) != n)
				return 1;
		} else {
			uint64_t args[1] = { (uint64_t)k };

			if (hypertrace_emit(ht, 0, args, 1))
				return 1;
		}
	}
	printf("vtrace-guest: ht-timeline made %ld steps\n", steps);
	close(fd);
	hypertrace_close(ht);
	return 0;
}
