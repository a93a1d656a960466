// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libhypertrace, user mode and native: the region is a file both sides map.
 * Emitting is plain stores, a time-stamp counter read (or the vDSO's
 * clock where there is none) and one release store.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "hypertrace.h"
#include "ht-pci.h"
#include "ht-region.h"

/*
 * A producer's view of its client, in memory of its own: where things are,
 * and what it last saw of the consumer's tail (reading the shared tail on
 * every event would pull the consumer's cache line over each time). One
 * cache line each, so producers of different clients share none.
 */
struct ht_producer {
	struct ht_client *cl;
	unsigned char *ring;
	uint32_t tail;
	uint8_t pad[HT_CACHE_LINE - 2 * sizeof(void *) - 4];
};

struct hypertrace {
	unsigned char *map;
	size_t len;
	struct ht_layout l;
	uint32_t mask;
	int use_tsc;
	struct ht_producer *prod;	/* per client */
};

static int open_fail(struct hypertrace *ht, int fd, int err)
{
	if (ht && ht->map && ht->map != MAP_FAILED)
		munmap(ht->map, ht->len);
	free(ht);
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

static int map_region(struct hypertrace *ht, const char *base)
{
	char path[4096];	/* system mode: the device's BAR (pci.c) */
	struct stat st;
	int fd;

	if (ht_pci_resolve(base, path, sizeof(path)))
		return open_fail(ht, -1, errno);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return open_fail(ht, -1, errno);
	if (fstat(fd, &st) < 0)
		return open_fail(ht, fd, errno);
	if (!S_ISREG(st.st_mode) || st.st_size < HT_HEADER_SIZE)
		return open_fail(ht, fd, EINVAL);
	ht->len = st.st_size;
	ht->map = mmap(NULL, ht->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ht->map == MAP_FAILED)
		return open_fail(ht, fd, errno);
	close(fd);
	return 0;
}

static int use_tsc(const void *map)
{
#if defined(__x86_64__) || defined(__i386__)
	const struct ht_header *h = map;

	return !!(le16toh(h->flags) & HT_FLAG_TSC_OK);
#else
	return 0;
#endif
}

struct hypertrace *hypertrace_open(const char *path)
{
	struct hypertrace *ht;
	uint32_t c;

	ht = calloc(1, sizeof(*ht));
	if (!ht) {
		errno = ENOMEM;
		return NULL;
	}
	if (map_region(ht, path))
		return NULL;
	if (ht_region_check(ht->map, ht->len, &ht->l, NULL)) {
		open_fail(ht, -1, EINVAL);
		return NULL;
	}
	if (posix_memalign((void **)&ht->prod, HT_CACHE_LINE,
			   ht->l.max_clients * sizeof(*ht->prod))) {
		open_fail(ht, -1, ENOMEM);
		return NULL;
	}
	ht->mask = ht->l.ring_entries - 1;
	ht->use_tsc = use_tsc(ht->map);
	for (c = 0; c < ht->l.max_clients; c++) {
		unsigned char *area = ht_client_area(ht->map, &ht->l, c);

		ht->prod[c].cl = (struct ht_client *)area;
		ht->prod[c].ring = area + ht_ring_offset(ht->l.num_args);
		ht->prod[c].tail = le32toh(__atomic_load_n(&ht->prod[c].cl->tail,
							   __ATOMIC_ACQUIRE));
	}
	return ht;
}

void hypertrace_close(struct hypertrace *ht)
{
	if (!ht)
		return;
	munmap(ht->map, ht->len);
	free(ht->prod);
	free(ht);
}

uint32_t hypertrace_max_clients(const struct hypertrace *ht)
{
	return ht->l.max_clients;
}

uint32_t hypertrace_num_args(const struct hypertrace *ht)
{
	return ht->l.num_args;
}

uint64_t *hypertrace_data(struct hypertrace *ht, uint32_t client)
{
	if (client >= ht->l.max_clients)
		return NULL;
	return (uint64_t *)(ht_client_area(ht->map, &ht->l, client) + ht_data_offset());
}

static inline uint64_t timestamp(const struct hypertrace *ht, uint32_t *clock)
{
	struct timespec ts;

#if defined(__x86_64__) || defined(__i386__)
	if (ht->use_tsc) {
		*clock = HT_CLOCK_TSC;
		return __rdtsc();
	}
#endif
	*clock = HT_CLOCK_MONO;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int hypertrace_emit(struct hypertrace *ht, uint32_t client, const uint64_t *args,
		    uint32_t nargs)
{
	struct ht_producer *p;
	struct ht_record *r;
	uint32_t head, clock, i;

	if (client >= ht->l.max_clients) {
		errno = EINVAL;
		return -1;
	}
	p = &ht->prod[client];
	head = le32toh(p->cl->head);	/* ours alone: we are its only producer */
	if (head - p->tail >= ht->l.ring_entries) {
		/* looks full: ask the consumer how far it really is */
		p->tail = le32toh(__atomic_load_n(&p->cl->tail, __ATOMIC_ACQUIRE));
		if (head - p->tail >= ht->l.ring_entries) {
			__atomic_store_n(&p->cl->drops, htole32(le32toh(p->cl->drops) + 1),
					 __ATOMIC_RELAXED);
			errno = ENOSPC;
			return -1;
		}
	}
	r = (struct ht_record *)(p->ring + (head & ht->mask) * ht->l.record_size);
	r->ts = htole64(timestamp(ht, &clock));
	r->clock = htole32(clock);
	for (i = 0; i < ht->l.num_args; i++)
		r->args[i] = htole64(i < nargs ? args[i] : 0);
	r->seq = htole32(head + 1);
	__atomic_store_n(&p->cl->head, htole32(head + 1), __ATOMIC_RELEASE);
	return 0;
}

uint64_t hypertrace_drops(const struct hypertrace *ht, uint32_t client)
{
	if (client >= ht->l.max_clients)
		return 0;
	return le32toh(__atomic_load_n(&ht->prod[client].cl->drops, __ATOMIC_RELAXED));
}
