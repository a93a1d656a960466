// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "ht-region.h"

uint64_t ht_region_size(uint32_t clients, uint32_t num_args, uint32_t ring_entries)
{
	if (!clients || clients > HT_MAX_CLIENTS || !num_args || num_args > HT_MAX_ARGS ||
	    !ring_entries || ring_entries > HT_MAX_RING_ENTRIES ||
	    (ring_entries & (ring_entries - 1)))
		return 0;
	return HT_HEADER_SIZE + clients * ht_client_stride(num_args, ring_entries);
}

void ht_region_init(void *map, uint32_t clients, uint32_t num_args, uint32_t ring_entries,
		    uint64_t region_size, uint64_t pid)
{
	struct ht_header h = {
		.version = HT_VERSION,
		.header_size = HT_HEADER_SIZE,
		.little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
		.word_size = 8,
		.max_clients = clients,
		.num_args = num_args,
		.ring_entries = ring_entries,
		.record_size = ht_record_size(num_args),
		.client_offset = HT_HEADER_SIZE,
		.client_stride = ht_client_stride(num_args, ring_entries),
		.region_size = region_size,
		.collector_pid = pid,
	};

	memcpy(map, &h, sizeof(h));
	/* The magic last: a reader that sees it sees a whole header. */
	__atomic_store_n((uint64_t *)map, HT_MAGIC, __ATOMIC_RELEASE);
}

static int bad(const char **why, const char *what)
{
	if (why)
		*why = what;
	return -1;
}

int ht_region_check(const void *map, size_t len, struct ht_layout *l, const char **why)
{
	struct ht_header h;

	if (len < sizeof(h))
		return bad(why, "too small for a hypertrace header");
	memcpy(&h, map, sizeof(h));
	if (h.magic != HT_MAGIC)
		return bad(why, "not a hypertrace region (bad magic)");
	if (h.version != HT_VERSION)
		return bad(why, "hypertrace region of another version");
	if (h.little_endian != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) || h.word_size != 8)
		return bad(why, "hypertrace region of another byte order or word size");
	if (!ht_region_size(h.max_clients, h.num_args, h.ring_entries) ||
	    h.record_size != ht_record_size(h.num_args) || h.client_offset < HT_HEADER_SIZE ||
	    h.client_stride != ht_client_stride(h.num_args, h.ring_entries))
		return bad(why, "hypertrace header out of range");
	if (h.client_offset > len ||
	    (len - h.client_offset) / h.client_stride < h.max_clients)
		return bad(why, "hypertrace clients do not fit in the region");
	l->max_clients = h.max_clients;
	l->num_args = h.num_args;
	l->ring_entries = h.ring_entries;
	l->record_size = h.record_size;
	l->client_offset = h.client_offset;
	l->client_stride = h.client_stride;
	l->region_size = len;
	return 0;
}

int ht_consume(void *map, const struct ht_layout *l, uint32_t c, int max,
	       void (*fn)(const struct ht_event *ev, void *ctx), void *ctx)
{
	unsigned char *area = ht_client_area(map, l, c);
	struct ht_client *cl = (struct ht_client *)area;
	unsigned char *ring = area + ht_ring_offset(l->num_args);
	uint64_t head, tail, rec[2 + HT_MAX_ARGS];
	struct ht_event ev;
	int n = 0;

	head = __atomic_load_n(&cl->head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&cl->tail, __ATOMIC_RELAXED);
	if (head - tail > l->ring_entries) {
		/* counters no producer could make: skip all, report */
		__atomic_store_n(&cl->tail, head, __ATOMIC_RELEASE);
		return -1;
	}
	for (; tail != head && n < max; tail++, n++) {
		memcpy(rec, ring + (tail & (l->ring_entries - 1)) * l->record_size,
		       l->record_size);
		if (rec[0] != tail + 1)
			continue;	/* overwritten or forged: not an event */
		ev.client = c;
		ev.seq = tail;
		ev.ts = rec[1];
		memset(ev.args, 0, sizeof(ev.args));
		memcpy(ev.args, rec + 2, 8 * l->num_args);
		fn(&ev, ctx);
	}
	__atomic_store_n(&cl->tail, tail, __ATOMIC_RELEASE);
	return n;
}
