// SPDX-License-Identifier: GPL-2.0
/*
 * vt-htemit: emit hypertrace events with known arguments, for the
 * collector's tests and its throughput figure.
 *
 *   vt-htemit -p REGION [-t THREADS] [-n EVENTS] [-s USEC] [-r RATE] [-m] [-v V]
 *
 * Thread t is client t and emits EVENTS events: arg1 = the event's number
 * i (from 1; -v V sends V instead), argK = t << 32 | i << 8 | K for K >= 2;
 * with -m, arg2 is the host's CLOCK_MONOTONIC in ns read right before the
 * emit (the collector's timestamp minus it is the timestamp's error).
 * -s sleeps between events; -r paces each thread to RATE events/s. Prints "emitted N dropped D seconds S" on
 * stdout.
 *
 *   vt-htemit -p REGION -B
 *
 * writes four raw records into client 0 (as a broken or hostile guest could,
 * with HT_CLOCK_MONO stamps): ts 5 s, 4 s (backwards), 2^60 ns (a jump too far
 * for a time extend), 2^60 + 1; arg1 = 1..4.
 *
 *   vt-htemit -p REGION -X SECONDS
 *
 * scribbles random bytes over the whole region, header included, for
 * SECONDS (a hostile guest); prints how many 8-byte words it wrote.
 *
 *   vt-htemit -C < 'trace-cmd report -t' output
 *
 * reads events of a -m run and prints the distribution of ts - arg2:
 * "n N min NS median NS p99 NS max NS".
 */
#include <endian.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hypertrace-abi.h"
#include "hypertrace.h"

static struct hypertrace *ht;
static long events = 1000, sleep_us;
static double rate;
static int mono;
static int fixed;
static unsigned long long value;
static unsigned long long total_drops;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *emit(void *arg)
{
	uint32_t t = (uintptr_t)arg, n = hypertrace_num_args(ht), k;
	uint64_t args[16], t0 = now_ns();
	long i;

	for (i = 1; i <= events; i++) {
		/* paced in steps of 256 events: a clock read per event would be the cost */
		if (rate && !(i & 255))
			while (now_ns() - t0 < i / rate * 1e9)
				;
		args[0] = fixed ? value : (uint64_t)i;
		for (k = 2; k <= n; k++)
			args[k - 1] = (uint64_t)t << 32 | (uint64_t)i << 8 | k;
		if (mono && n > 1)
			args[1] = now_ns();
		hypertrace_emit(ht, t, args, n);
		if (sleep_us)
			usleep(sleep_us);
	}
	__atomic_add_fetch(&total_drops, hypertrace_drops(ht, t), __ATOMIC_RELAXED);
	return NULL;
}

/* Records made by hand, for what libhypertrace would never write. */
static int raw(const char *path)
{
	static const uint64_t stamps[] = { 5000000000ULL, 4000000000ULL, 1ULL << 60,
					   (1ULL << 60) + 1 };
	struct ht_header h;
	struct stat st;
	unsigned char *map, *area, *rec;
	uint32_t i, k, n;
	int fd = open(path, O_RDWR);

	if (fd < 0 || fstat(fd, &st) ||
	    (map = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
		    MAP_FAILED) {
		perror("vt-htemit: region");
		return 1;
	}
	memcpy(&h, map, sizeof(h));
	n = le32toh(h.num_args);
	area = map + le64toh(h.client_offset);
	for (i = 0; i < 4; i++) {
		rec = area + ht_ring_offset(n) + i * ht_record_size(n);
		*(uint32_t *)(rec + 4) = htole32(HT_CLOCK_MONO);
		*(uint64_t *)(rec + 8) = htole64(stamps[i]);
		for (k = 0; k < n; k++)
			*(uint64_t *)(rec + 16 + 8 * k) = htole64(k ? k + 1 : i + 1);
		__atomic_store_n((uint32_t *)rec, htole32(i + 1), __ATOMIC_RELEASE);
		__atomic_store_n((uint32_t *)area, htole32(i + 1), __ATOMIC_RELEASE);
	}
	printf("emitted 4 dropped 0 seconds 0\n");
	return 0;
}

static int scribble(const char *path, double secs)
{
	struct stat st;
	uint64_t *map, words, n = 0, x = 88172645463325252ULL, end;
	int fd = open(path, O_RDWR);

	if (fd < 0 || fstat(fd, &st) ||
	    (map = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) ==
		    MAP_FAILED) {
		perror("vt-htemit: region");
		return 1;
	}
	words = st.st_size / 8;
	end = now_ns() + secs * 1e9;
	while (now_ns() < end) {
		int i;

		for (i = 0; i < 4096; i++, n++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			/* counters (the first words of a client area) more often than the rest */
			map[(i & 1 ? x >> 20 : (x >> 40) * 8) % words] = x;
		}
	}
	printf("scribbled %llu words\n", (unsigned long long)n);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The lines of trace-cmd report -t: "... SEC.NSEC: guest_hypertrace: ... arg2=0xHEX ..." */
static int check(void)
{
	char line[4096];
	long long *d = NULL;
	size_t n = 0, cap = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *colon = strstr(line, ": guest_hypertrace:"), *p, *a2;
		unsigned long long sec, nsec, arg2;

		if (!colon || !(a2 = strstr(colon, " arg2=0x")))
			continue;
		for (p = colon; p > line && p[-1] != ' '; p--)
			;
		if (sscanf(p, "%llu.%9llu", &sec, &nsec) != 2 || sscanf(a2 + 8, "%llx", &arg2) != 1)
			continue;
		if (n == cap && !(d = realloc(d, (cap = cap ? 2 * cap : 1024) * sizeof(*d))))
			return 1;
		d[n++] = (long long)(sec * 1000000000ULL + nsec - arg2);
	}
	if (!n) {
		fprintf(stderr, "vt-htemit: no events with arg2 in the input\n");
		return 1;
	}
	qsort(d, n, sizeof(*d), cmp);
	printf("n %zu min %lld median %lld p99 %lld max %lld\n", n, d[0], d[n / 2], d[n * 99 / 100],
	       d[n - 1]);
	free(d);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	long threads = 1, t;
	pthread_t tid[256];
	uint64_t t0;
	double scribble_secs = 0;
	int c, b = 0;

	while ((c = getopt(argc, argv, "p:t:n:s:r:mv:CBX:")) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 't':
			threads = atol(optarg);
			break;
		case 'n':
			events = atol(optarg);
			break;
		case 's':
			sleep_us = atol(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'm':
			mono = 1;
			break;
		case 'v':
			fixed = 1;
			value = strtoull(optarg, NULL, 0);
			break;
		case 'C':
			return check();
		case 'B':
			b = 1;
			break;
		case 'X':
			scribble_secs = atof(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!path || threads < 1 || threads > 256) {
		fprintf(stderr,
			"usage: vt-htemit -p REGION [-t 1..256] [-n N] [-s US] [-m] [-v V]\n");
		return 2;
	}
	if (b)
		return raw(path);
	if (scribble_secs)
		return scribble(path, scribble_secs);
	ht = hypertrace_open(path);
	if (!ht) {
		perror("vt-htemit: hypertrace_open");
		return 1;
	}
	if ((uint32_t)threads > hypertrace_max_clients(ht)) {
		fprintf(stderr, "vt-htemit: the region has %u clients\n",
			hypertrace_max_clients(ht));
		return 1;
	}
	t0 = now_ns();
	for (t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, emit, (void *)(uintptr_t)t);
	for (t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	printf("emitted %lld dropped %llu seconds %.3f\n", (long long)events * threads, total_drops,
	       (now_ns() - t0) / 1e9);
	hypertrace_close(ht);
	return 0;
}
