// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
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
		    uint64_t region_size, uint64_t pid, uint16_t flags)
{
	struct ht_header h = {
		.version = htole32(HT_VERSION),
		.header_size = htole32(HT_HEADER_SIZE),
		.little_endian = 1,
		.word_size = 8,
		.flags = htole16(flags),
		.max_clients = htole32(clients),
		.num_args = htole32(num_args),
		.ring_entries = htole32(ring_entries),
		.record_size = htole32(ht_record_size(num_args)),
		.client_offset = htole64(HT_HEADER_SIZE),
		.client_stride = htole64(ht_client_stride(num_args, ring_entries)),
		.region_size = htole64(region_size),
		.collector_pid = htole64(pid),
	};

	uint64_t magic = htole64(HT_MAGIC);

	memcpy(map, &h, sizeof(h));
	/*
	 * The magic last: a reader that sees it sees a whole header. A fence
	 * and a plain store rather than a 64-bit atomic store, which 32-bit
	 * targets (mips) only have from libatomic: this file is linked into
	 * libhypertrace too. A torn magic reads as no region, never as one.
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(map, &magic, sizeof(magic));
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
	uint64_t stride, offset;
	uint32_t clients, args, entries;

	if (len < HT_HEADER_SIZE)
		return bad(why, "too small for a hypertrace header");
	memcpy(&h, map, sizeof(h)); /* once: the guest may change it as we look */
	if (le64toh(h.magic) != HT_MAGIC)
		return bad(why, "not a hypertrace region (bad magic)");
	if (le32toh(h.version) != HT_VERSION || le32toh(h.header_size) != HT_HEADER_SIZE)
		return bad(why, "hypertrace region of another version");
	if (h.little_endian != 1 || h.word_size != 8)
		return bad(why, "hypertrace region of another byte order or word size");
	clients = le32toh(h.max_clients);
	args = le32toh(h.num_args);
	entries = le32toh(h.ring_entries);
	stride = le64toh(h.client_stride);
	offset = le64toh(h.client_offset);
	if (!ht_region_size(clients, args, entries) ||
	    le32toh(h.record_size) != ht_record_size(args) || offset < HT_HEADER_SIZE ||
	    offset % HT_CACHE_LINE || stride != ht_client_stride(args, entries))
		return bad(why, "hypertrace header out of range");
	if (offset > len || (len - offset) / stride < clients)
		return bad(why, "hypertrace clients do not fit in the region");
	l->max_clients = clients;
	l->num_args = args;
	l->ring_entries = entries;
	l->record_size = ht_record_size(args);
	l->client_offset = offset;
	l->client_stride = stride;
	l->region_size = len;
	return 0;
}

int ht_consume(void *map, const struct ht_layout *l, uint32_t c, struct ht_cursor *cur, int max,
	       void (*fn)(const struct ht_event *ev, void *ctx), void *ctx)
{
	unsigned char *area = ht_client_area(map, l, c);
	struct ht_client *cl = (struct ht_client *)area;
	unsigned char *ring = area + ht_ring_offset(l->num_args);
	uint64_t rec[2 + HT_MAX_ARGS];
	uint32_t head, avail, i, seq, clock;
	struct ht_event ev;
	int n = 0;

	head = le32toh(__atomic_load_n(&cl->head, __ATOMIC_ACQUIRE));
	avail = head - (uint32_t)cur->taken;
	if (avail > l->ring_entries) {
		/* a head no producer could make: skip what it claims, report */
		cur->taken += avail;
		cur->bad_counters++;
		__atomic_store_n(&cl->tail, htole32((uint32_t)cur->taken), __ATOMIC_RELEASE);
		return -1;
	}
	ev.client = c;
	ev.num_args = l->num_args;
	memset(ev.args, 0, sizeof(ev.args));
	for (; avail && n < max; avail--, cur->taken++) {
		memcpy(rec, ring + (cur->taken & (l->ring_entries - 1)) * l->record_size,
		       l->record_size);
		memcpy(&seq, rec, 4);
		if (le32toh(seq) != (uint32_t)(cur->taken + 1)) {
			cur->skipped++; /* torn or forged: not an event */
			continue;
		}
		memcpy(&clock, (unsigned char *)rec + 4, 4);
		ev.clock = le32toh(clock);
		ev.seq = cur->taken;
		ev.raw_ts = ev.ts = le64toh(rec[1]);
		for (i = 0; i < l->num_args; i++)
			ev.args[i] = le64toh(rec[2 + i]);
		fn(&ev, ctx);
		n++;
	}
	__atomic_store_n(&cl->tail, htole32((uint32_t)cur->taken), __ATOMIC_RELEASE);
	return n;
}

uint64_t ht_update_drops(const void *map, const struct ht_layout *l, uint32_t c,
			 struct ht_cursor *cur)
{
	const struct ht_client *cl = (const void *)ht_client_area((void *)map, l, c);
	uint32_t raw = le32toh(__atomic_load_n(&cl->drops, __ATOMIC_RELAXED));

	cur->drops += (uint32_t)(raw - cur->drops_raw);
	cur->drops_raw = raw;
	return cur->drops;
}
