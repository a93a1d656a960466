// SPDX-License-Identifier: GPL-2.0
/*
 * vt-mark: write numbered markers to a trace_marker file from one CPU.
 *
 *   vt-mark -c CPU -n COUNT [-p PREFIX] [-s START] TRACE_MARKER
 *
 * Writes "PREFIX CPU N" for N = START .. START+COUNT-1, one write() each,
 * pinned to CPU. Prints "COUNT markers in SECONDS s" on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *prefix = "vtmark";
	long count = 1000, start = 1, i;
	struct timespec t0, t1;
	int cpu = 0, c, fd, len;
	cpu_set_t set;
	char buf[128];

	while ((c = getopt(argc, argv, "c:n:p:s:")) != -1) {
		switch (c) {
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'p':
			prefix = optarg;
			break;
		case 's':
			start = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: vt-mark -c CPU -n COUNT [-p PREFIX] [-s START] FILE\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "vt-mark: cpu %d: %s\n", cpu, strerror(errno));
		return 1;
	}
	fd = open(argv[optind], O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "vt-mark: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = start; i < start + count; i++) {
		len = snprintf(buf, sizeof(buf), "%s %d %ld", prefix, cpu, i);
		if (write(fd, buf, len) != len) {
			fprintf(stderr, "vt-mark: write: %s\n", strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "%ld markers in %.3f s\n", count,
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	close(fd);
	return 0;
}
