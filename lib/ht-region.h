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

/*
 * Fill a header for a fresh, zeroed region of at least ht_region_size()
 * bytes (@region_size), with HT_FLAG_* @flags.
 */
void ht_region_init(void *map, uint32_t clients, uint32_t num_args, uint32_t ring_entries,
		    uint64_t region_size, uint64_t pid, uint16_t flags);

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
	uint32_t clock;	 /* HT_CLOCK_*, as the producer said */
	uint64_t seq;	 /* the event's number in its client, from 0 */
	uint64_t raw_ts; /* ts as the producer wrote it */
	uint64_t ts;	 /* host CLOCK_MONOTONIC ns, when the caller converts */
	uint32_t num_args;
	uint64_t args[HT_MAX_ARGS];
};

/*
 * The consumer's own view of one client, kept in its memory: what it has
 * taken, and what it has seen of the drops. The shared tail is written for
 * the producer's sake and never read back, since the guest may change it.
 */
struct ht_cursor {
	uint64_t taken;	       /* events taken (or skipped) so far */
	uint64_t skipped;      /* records that were not events (forged, torn) */
	uint64_t drops;	       /* the producer's drop count, unwrapped */
	uint32_t drops_raw;    /* the last 32-bit value read */
	uint32_t bad_counters; /* times head was impossible */
};

/*
 * Take up to @max events of client @c, oldest first, calling @fn for each
 * (ev->ts == ev->raw_ts; the caller converts); records are copied before
 * they are checked. Returns the count taken, or -1 when the client's head
 * is impossible (a hostile guest): then its ring is skipped up to the head.
 */
int ht_consume(void *map, const struct ht_layout *l, uint32_t c, struct ht_cursor *cur, int max,
	       void (*fn)(const struct ht_event *ev, void *ctx), void *ctx);

/* Read client @c's drop counter into @cur (unwrapping it); returns cur->drops. */
uint64_t ht_update_drops(const void *map, const struct ht_layout *l, uint32_t c,
			 struct ht_cursor *cur);

#endif
