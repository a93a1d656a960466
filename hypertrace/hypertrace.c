// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libhypertrace, user mode and native: the region is a file both sides map.
 * Emitting is plain stores, a clock read (the vDSO: no system call) and one
 * release store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hypertrace.h"
#include "ht-region.h"

/*
 * What a producer last saw of its consumer's tail, in memory of its own:
 * reading the shared tail on every event would pull the consumer's cache
 * line over each time. Padded so producers on different clients do not
 * share a line either.
 */
struct tail_cache {
	uint64_t tail;
	uint8_t pad[HT_CACHE_LINE - 8];
};

struct hypertrace {
	unsigned char *map;
	size_t len;
	struct ht_layout l;
	struct tail_cache *seen;	/* per client */
};

struct hypertrace *hypertrace_open(const char *path)
{
	struct hypertrace *ht;
	struct stat st;
	const char *why;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	ht = calloc(1, sizeof(*ht));
	if (!ht || fstat(fd, &st) < 0)
		goto fail;
	ht->len = st.st_size;
	ht->map = ht->len ? mmap(NULL, ht->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) :
			    MAP_FAILED;
	if (ht->map == MAP_FAILED) {
		errno = ht->len ? errno : EINVAL;
		goto fail;
	}
	close(fd);
	if (ht_region_check(ht->map, ht->len, &ht->l, &why)) {
		munmap(ht->map, ht->len);
		free(ht);
		errno = EINVAL;
		return NULL;
	}
	if (posix_memalign((void **)&ht->seen, HT_CACHE_LINE,
			   ht->l.max_clients * sizeof(*ht->seen))) {
		munmap(ht->map, ht->len);
		free(ht);
		errno = ENOMEM;
		return NULL;
	}
	memset(ht->seen, 0, ht->l.max_clients * sizeof(*ht->seen));
	return ht;
fail:
	free(ht);
	close(fd);
	return NULL;
}

void hypertrace_close(struct hypertrace *ht)
{
	if (!ht)
		return;
	munmap(ht->map, ht->len);
	free(ht->seen);
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

int hypertrace_emit(struct hypertrace *ht, uint32_t client, const uint64_t *args,
		    uint32_t nargs)
{
	unsigned char *area;
	struct ht_client *cl;
	uint64_t head, *rec;
	struct timespec ts;
	uint32_t i;

	if (client >= ht->l.max_clients) {
		errno = EINVAL;
		return -1;
	}
	area = ht_client_area(ht->map, &ht->l, client);
	cl = (struct ht_client *)area;
	head = cl->head;	/* ours alone: we are its only producer */
	if (head - ht->seen[client].tail >= ht->l.ring_entries) {
		/* looks full: ask the consumer how far it really is */
		ht->seen[client].tail = __atomic_load_n(&cl->tail, __ATOMIC_ACQUIRE);
		if (head - ht->seen[client].tail >= ht->l.ring_entries) {
			__atomic_store_n(&cl->drops, cl->drops + 1, __ATOMIC_RELAXED);
			errno = ENOSPC;
			return -1;
		}
	}
	rec = (uint64_t *)(area + ht_ring_offset(ht->l.num_args) +
			   (head & (ht->l.ring_entries - 1)) * ht->l.record_size);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	rec[1] = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	for (i = 0; i < ht->l.num_args; i++)
		rec[2 + i] = i < nargs ? args[i] : 0;
	rec[0] = head + 1;
	__atomic_store_n(&cl->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

uint64_t hypertrace_drops(const struct hypertrace *ht, uint32_t client)
{
	const struct ht_client *cl;

	if (client >= ht->l.max_clients)
		return 0;
	cl = (const struct ht_client *)ht_client_area(ht->map, &ht->l, client);
	return __atomic_load_n(&cl->drops, __ATOMIC_RELAXED);
}
