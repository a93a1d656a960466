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

#include "ht-emit.h"
#include "hypertrace.h"
#include "ht-pci.h"
#include "ht-region.h"

/*
 * A producer's view of its client, in memory of its own: where things are,
 * precomputed so an event costs no lookups, and what it last saw of the
 * consumer's tail (reading the shared tail on every event would pull the
 * consumer's cache line over each time). One cache line each, so producers
 * of different clients share none.
 */
struct htl_producer {
	struct ht_client *cl;
	unsigned char *ring;
	uint64_t *data; /* the seed's data slot */
	uint32_t tail;	/* the consumer's tail, as last read */
	uint32_t entries;
	uint32_t mask;
	uint32_t record_size;
	uint32_t num_args;
	uint32_t clock; /* HT_CLOCK_TSC or HT_CLOCK_MONO */
	uint32_t fast;	/* 4 arguments and the TSC: emit_fast() applies */
} __attribute__((aligned(HT_CACHE_LINE)));

struct hypertrace {
	struct htl_producer *prod; /* per client */
	uint32_t max_clients;
	unsigned char *map;
	size_t len;
	struct ht_layout l;
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
	char path[4096]; /* system mode: the device's BAR (pci.c) */
	struct stat st;
	int fd;

	if (htl_pci_resolve(base, path, sizeof(path)))
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

static void init_producer(struct htl_producer *p, struct hypertrace *ht, uint32_t c)
{
	unsigned char *area = ht_client_area(ht->map, &ht->l, c);

	p->cl = (struct ht_client *)area;
	p->ring = area + ht_ring_offset(ht->l.num_args);
	p->data = (uint64_t *)(area + ht_data_offset());
	p->tail = le32toh(__atomic_load_n(&p->cl->tail, __ATOMIC_ACQUIRE));
	p->entries = ht->l.ring_entries;
	p->mask = ht->l.ring_entries - 1;
	p->record_size = ht->l.record_size;
	p->num_args = ht->l.num_args;
	p->clock = use_tsc(ht->map) ? HT_CLOCK_TSC : HT_CLOCK_MONO;
	p->fast = p->num_args == 4 && p->clock == HT_CLOCK_TSC;
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
	ht->max_clients = ht->l.max_clients;
	for (c = 0; c < ht->l.max_clients; c++)
		init_producer(&ht->prod[c], ht, c);
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
	return client < ht->max_clients ? ht->prod[client].data : NULL;
}

static uint64_t timestamp(uint32_t clock)
{
	struct timespec ts;

#if defined(__x86_64__) || defined(__i386__)
	if (clock == HT_CLOCK_TSC)
		return __rdtsc();
#endif
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Any event: arg1, then @n of @rest (arg2...), zeros after them. The ring
 * may look full: then ask the consumer how far it really is, and count a
 * drop if it is full indeed.
 */
static int emit(struct htl_producer *p, uint64_t arg1, const uint64_t *rest, uint32_t n)
{
	struct ht_client *cl = p->cl;
	uint32_t head = le32toh(cl->head); /* ours alone: we are its only producer */
	struct ht_record *r;
	uint32_t i;

	if (head - p->tail >= p->entries) {
		p->tail = le32toh(__atomic_load_n(&cl->tail, __ATOMIC_ACQUIRE));
		if (head - p->tail >= p->entries) {
			__atomic_store_n(&cl->drops, htole32(le32toh(cl->drops) + 1),
					 __ATOMIC_RELAXED);
			errno = ENOSPC;
			return -1;
		}
	}
	r = (struct ht_record *)(p->ring + (head & p->mask) * p->record_size);
	r->clock = htole32(p->clock);
	r->ts = htole64(timestamp(p->clock));
	r->args[0] = htole64(arg1);
	for (i = 1; i < p->num_args; i++)
		r->args[i] = htole64(i - 1 < n ? rest[i - 1] : 0);
	r->seq = htole32(head + 1);
	__atomic_store_n(&cl->head, htole32(head + 1), __ATOMIC_RELEASE);
	return 0;
}

/*
 * The common event, inlined into the entry points: 4 arguments, the TSC,
 * room in the ring as last seen; anything else goes to emit(). Free of
 * calls, so it saves no registers. Returns 1 when it did not apply.
 */
static inline __attribute__((always_inline)) int emit_fast(struct htl_producer *p, uint64_t a1,
							   uint64_t a2, uint64_t a3, uint64_t a4)
{
#if defined(__x86_64__) || defined(__i386__)
	struct ht_client *cl = p->cl;
	uint32_t head = le32toh(cl->head);
	struct ht_record *r;

	if (__builtin_expect(!p->fast || head - p->tail >= p->entries, 0))
		return 1;
	r = (struct ht_record *)(p->ring + (head & p->mask) * ht_record_size(4));
	r->clock = htole32(HT_CLOCK_TSC);
	r->ts = htole64(__rdtsc());
	r->args[0] = htole64(a1);
	r->args[1] = htole64(a2);
	r->args[2] = htole64(a3);
	r->args[3] = htole64(a4);
	r->seq = htole32(head + 1);
	__atomic_store_n(&cl->head, htole32(head + 1), __ATOMIC_RELEASE);
	return 0;
#else
	return 1;
#endif
}

int hypertrace_emit(struct hypertrace *ht, uint32_t client, const uint64_t *args, uint32_t nargs)
{
	struct htl_producer *p;

	if (__builtin_expect(client >= ht->max_clients, 0)) {
		errno = EINVAL;
		return -1;
	}
	p = &ht->prod[client];
	if (__builtin_expect(nargs == 4, 1) && !emit_fast(p, args[0], args[1], args[2], args[3]))
		return 0;
	return emit(p, nargs ? args[0] : 0, nargs ? args + 1 : NULL, nargs ? nargs - 1 : 0);
}

int htl_emit_data(struct hypertrace *ht, uint32_t client, uint64_t arg1)
{
	struct htl_producer *p;
	const uint64_t *d;

	if (__builtin_expect(client >= ht->max_clients, 0)) {
		errno = EINVAL;
		return -1;
	}
	p = &ht->prod[client];
	d = p->data;
	if (p->fast && !emit_fast(p, arg1, d[0], d[1], d[2]))
		return 0;
	return emit(p, arg1, d, p->num_args - 1);
}

int hypertrace_emit_data(struct hypertrace *ht, uint32_t client, uint64_t arg1)
{
	return htl_emit_data(ht, client, arg1);
}

uint64_t hypertrace_drops(const struct hypertrace *ht, uint32_t client)
{
	if (client >= ht->max_clients)
		return 0;
	return le32toh(__atomic_load_n(&ht->prod[client].cl->drops, __ATOMIC_RELAXED));
}
