// SPDX-License-Identifier: GPL-2.0
/*
 * In a system-mode guest: ns per hypertrace event from user space (the
 * ivshmem device, found by libhypertrace) against a trace_marker write,
 * the usual way to mark guest code, in the same run. The host collector
 * drains the ring meanwhile; EVENTS should fit its ring so that no event
 * takes the (cheaper) drop path.
 *
 *   ht-guest-bench [EVENTS]      (root in the guest; run by bench/hypertrace-guest.sh)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hypertrace.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 50000, nm = n / 10, i;
	uint64_t args[4] = { 1, 2, 3, 4 };
	struct hypertrace *ht;
	double t0, ht_ns, mk_ns;
	char buf[64];
	int fd, len;

	ht = hypertrace_open(NULL);
	if (!ht) {
		fprintf(stderr, "ht-guest-bench: no hypertrace device: %s\n", strerror(errno));
		return 1;
	}
	fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ht-guest-bench: trace_marker: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < 1000; i++) /* warm up: TCG translates the loop first */
		hypertrace_emit(ht, 1, args, 4);
	t0 = now();
	for (i = 0; i < n; i++) {
		args[0] = i;
		hypertrace_emit(ht, 0, args, 4);
	}
	ht_ns = (now() - t0) * 1e9 / n;
	len = snprintf(buf, sizeof(buf), "ht-guest-bench 0123456789");
	for (i = 0; i < 100; i++)
		(void)!write(fd, buf, len);
	t0 = now();
	for (i = 0; i < nm; i++)
		(void)!write(fd, buf, len);
	mk_ns = (now() - t0) * 1e9 / nm;
	printf("vtrace-bench: hypertrace %ld events %.0f ns/event (drops %llu); trace_marker "
	       "%ld writes %.0f ns/write; ratio %.3f\n",
	       n, ht_ns, (unsigned long long)hypertrace_drops(ht, 0), nm, mk_ns, ht_ns / mk_ns);
	close(fd);
	hypertrace_close(ht);
	return 0;
}
