// SPDX-License-Identifier: GPL-2.0
/*
 * vt-htscribble: a hostile guest. Maps a hypertrace region and, for SECONDS,
 * writes over it in rounds, each one of:
 *   - random bytes over the whole region, header included;
 *   - random bytes over the client areas;
 *   - forged events: records with the seq the collector expects and random
 *     clock, ts and arguments, published by a matching head;
 *   - impossible counters: a head more than a ring ahead of the tail, or
 *     behind it.
 * The layout comes from the header as it was at the start (the scribbling
 * changes it); the header is put back after all but the first kind of round,
 * so that producers can open the region and emit among the scribbles.
 * Prints "N rounds: ..." on stdout. Written for the tests: the
 * collector must survive all of it.
 *
 *   vt-htscribble -p REGION [-s SECONDS] [-S SEED]
 */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hypertrace-abi.h"

struct target {
	unsigned char *map;
	size_t len;
	struct ht_header h;		      /* as it was at the start, host order */
	unsigned char header[HT_HEADER_SIZE]; /* the same, as it was in the region */
};

static uint64_t rnd64(void)
{
	return (uint64_t)random() << 40 ^ (uint64_t)random() << 20 ^ random();
}

static void fill_random(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v = rnd64();

		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = random();
}

static struct ht_client *client(struct target *t, uint32_t c)
{
	return (struct ht_client *)(t->map + t->h.client_offset + c * t->h.client_stride);
}

/* A ts a producer could never write, now and then; otherwise anything. */
static uint64_t forged_ts(void)
{
	static const uint64_t odd[] = { 0, 1, UINT64_MAX, UINT64_MAX / 2, 1ULL << 63 };

	return random() % 4 ? rnd64() : odd[random() % 5];
}

static void forge(struct target *t, uint32_t c)
{
	struct ht_client *cl = client(t, c);
	unsigned char *ring = (unsigned char *)cl + ht_ring_offset(t->h.num_args);
	uint32_t tail = le32toh(cl->tail), k, n = random() % (t->h.ring_entries + 1), i;

	for (k = 0; k < n; k++) {
		struct ht_record *r = (struct ht_record *)(ring + ((tail + k) % t->h.ring_entries) *
									  t->h.record_size);

		r->seq = htole32(tail + k + 1);
		r->clock = htole32(random() % 3 ? random() % 2 : (uint32_t)random());
		r->ts = htole64(forged_ts());
		for (i = 0; i < t->h.num_args; i++)
			r->args[i] = htole64(rnd64());
	}
	cl->drops = htole32(random());
	__atomic_store_n(&cl->head, htole32(tail + n), __ATOMIC_RELEASE);
}

static void impossible(struct target *t, uint32_t c)
{
	struct ht_client *cl = client(t, c);
	uint32_t tail = le32toh(cl->tail);

	if (random() % 2)
		cl->head = htole32(tail + t->h.ring_entries + 1 + random() % 1000);
	else
		cl->head = htole32(tail - 1 - random() % 1000);
}

static int open_target(struct target *t, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < HT_HEADER_SIZE) {
		fprintf(stderr, "vt-htscribble: %s: cannot open a region there\n", path);
		return -1;
	}
	t->len = st.st_size;
	t->map = mmap(NULL, t->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (t->map == MAP_FAILED)
		return -1;
	memcpy(t->header, t->map, HT_HEADER_SIZE);
	memcpy(&t->h, t->map, sizeof(t->h));
	t->h.max_clients = le32toh(t->h.max_clients);
	t->h.num_args = le32toh(t->h.num_args);
	t->h.ring_entries = le32toh(t->h.ring_entries);
	t->h.record_size = le32toh(t->h.record_size);
	t->h.client_offset = le64toh(t->h.client_offset);
	t->h.client_stride = le64toh(t->h.client_stride);
	if (le64toh(t->h.magic) != HT_MAGIC || !t->h.ring_entries || !t->h.max_clients ||
	    t->h.client_offset + t->h.max_clients * t->h.client_stride > t->len) {
		fprintf(stderr, "vt-htscribble: %s: not a sound region to start from\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	struct timespec pause = { 0, 0 }, now, end;
	unsigned long rounds = 0, kind[4] = { 0 };
	unsigned seed = 1;
	struct target t;
	double seconds = 1;
	uint32_t c;
	int opt;

	while ((opt = getopt(argc, argv, "p:s:S:")) != -1) {
		switch (opt) {
		case 'p':
			path = optarg;
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'S':
			seed = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!path || optind != argc) {
		fprintf(stderr, "usage: vt-htscribble -p REGION [-s SECONDS] [-S SEED]\n");
		return 2;
	}
	if (open_target(&t, path))
		return 1;
	srandom(seed);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	end.tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	do {
		int k = random() % 4;

		kind[k]++;
		if (k == 0)
			fill_random(t.map, t.len);
		else if (k == 1)
			fill_random(t.map + t.h.client_offset, t.len - t.h.client_offset);
		for (c = 0; k >= 2 && c < t.h.max_clients; c++)
			(k == 2 ? forge : impossible)(&t, c);
		if (k) /* a sound header again, so that producers open it */
			memcpy(t.map, t.header, HT_HEADER_SIZE);
		rounds++;
		pause.tv_nsec = 50000 + random() % 200000; /* let the collector look */
		nanosleep(&pause, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	printf("%lu rounds: %lu whole region, %lu client areas, %lu forged events, "
	       "%lu impossible counters\n",
	       rounds, kind[0], kind[1], kind[2], kind[3]);
	munmap(t.map, t.len);
	return 0;
}
