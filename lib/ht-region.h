/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypertrace region (include/hypertrace-abi.h): its layout, checked as
 * untrusted memory, and the host's side of it (create, consume). Written by
 * hand: the layout is ours. Shared by libhypertrace and vtrace.
 */
#ifndef VT_HT_REGION_H
#define VT_HT_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypertrace-abi.h"

/* The layout, as copied out of a header and checked. */
struct ht_layout {
	uint32_t max_clients, num_args, ring_entries;
	uint64_t record_size, client_offset, client_stride, region_size;
};

/* Size of a region for these parameters; 0 when out of range. */
uint64_t ht_region_size(uint32_t clients, uint32_t num_args, uint32_t ring_entries);

/* Fill a header for a fresh, zeroed region of ht_region_size() bytes. */
void ht_region_init(void *map, uint32_t clients, uint32_t num_args, uint32_t ring_entries,
		    uint64_t region_size, uint64_t pid);

/*
 * Copy the header at @map (@len bytes mapped) and check it: magic, version,
 * byte order, ranges, and that every client area lies inside @len.
 * Returns 0, or -1 with @why saying what was wrong.
 */
int ht_region_check(const void *map, size_t len, struct ht_layout *l, const char **why);

static inline unsigned char *ht_client_area(void *map, const struct ht_layout *l, uint32_t c)
{
	return (unsigned char *)map + l->client_offset + c * l->client_stride;
}

struct ht_event {
	uint32_t client;
	uint64_t seq;		/* the event's number in its client, from 0 */
	uint64_t ts;
	uint64_t args[HT_MAX_ARGS];
};

/*
 * Take up to @max events of client @c, oldest first, calling @fn for each;
 * records are copied before they are checked. Returns the count taken, or
 * -1 when the client's counters are impossible (a hostile guest): then
 * @c is skipped up to its head.
 */
int ht_consume(void *map, const struct ht_layout *l, uint32_t c, int max,
	       void (*fn)(const struct ht_event *ev, void *ctx), void *ctx);

#endif
