// SPDX-License-Identifier: GPL-2.0
/*
 * ns per hypertrace event (native user mode, a consumer thread draining the
 * ring every 100 us as the collector would) against a write() to a tracefs instance's
 * trace_marker, the usual way to mark guest code, in the same run.
 *
 *   build/bench/hypertrace-emit [EVENTS]     (root, for the trace_marker peer)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ht-region.h"
#include "hypertrace.h"

static volatile int done;
static void *map;
static struct ht_layout layout;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void count(const struct ht_event *ev, void *ctx)
{
	(*(uint64_t *)ctx)++;
}

static void *consume(void *arg)
{
	uint64_t *got = arg;
	struct ht_cursor cur = { 0 };

	/* as a collector would: take what is there, every 100 us */
	while (!done) {
		ht_consume(map, &layout, 0, &cur, 1 << 20, count, got);
		usleep(100);
	}
	ht_consume(map, &layout, 0, &cur, 1 << 20, count, got);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000000, i, nm = n / 20;
	char path[64], inst[128], file[160];
	uint64_t got = 0, args[4] = { 1, 2, 3, 4 };
	struct hypertrace *ht;
	double t0, ht_ns, mk_ns = 0;
	pthread_t t;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/vt-bench-ht-%d", getpid());
	len = ht_region_size(1, 4, 1 << 16);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, len))
		return 1;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ht_region_init(map, 1, 4, 1 << 16, len, getpid(), HT_FLAG_TSC_OK);
	ht_region_check(map, len, &layout, NULL);
	ht = hypertrace_open(path);
	pthread_create(&t, NULL, consume, &got);
	t0 = now();
	for (i = 0; i < n; i++)
		hypertrace_emit(ht, 0, args, 4);
	ht_ns = (now() - t0) / n * 1e9;
	done = 1;
	pthread_join(t, NULL);

	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/vt-bench-%d", getpid());
	if (mkdir(inst, 0700) == 0) {
		snprintf(file, sizeof(file), "%s/trace_marker", inst);
		int m = open(file, O_WRONLY);

		t0 = now();
		for (i = 0; m >= 0 && i < nm; i++)
			if (write(m, "vtrace-bench marker 1234", 24) < 0)
				break;
		mk_ns = (now() - t0) / nm * 1e9;
		if (m >= 0)
			close(m);
		rmdir(inst);
	}
	printf("hypertrace: %ld events with 4 arguments: %.1f ns each; consumed %llu, dropped %llu\n",
	       n, ht_ns, (unsigned long long)got, (unsigned long long)hypertrace_drops(ht, 0));
	if (mk_ns > 0)
		printf("trace_marker write (same run): %.1f ns each; ratio %.3f\n", mk_ns,
		       ht_ns / mk_ns);
	hypertrace_close(ht);
	munmap(map, len);
	unlink(path);
	return 0;
}
