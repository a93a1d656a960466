/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The hypertrace region: shared memory between guest code (libhypertrace,
 * hypertrace.ko) and the host collector (vtrace hypertrace). Defined once,
 * here, with fixed-width types, and included by all three, so they cannot
 * drift apart. See docs/hypertrace.md.
 *
 *	offset 0		struct ht_header (HT_HEADER_SIZE bytes)
 *	client_offset + i * client_stride	client i's area:
 *		struct ht_client	producer and consumer counters, each on
 *					its own cache line
 *		u64 data[num_args - 1]	the seed's data slot (arg2...)
 *		ring_entries records of record_size bytes (struct ht_record):
 *			u32 seq		the event's number + 1 (mod 2^32), written last
 *			u32 clock	what ts counts (HT_CLOCK_*)
 *			u64 ts		when it was emitted
 *			u64 args[num_args]	arg1, then arg2...
 *
 * One producer per client (a thread, or a CPU in the kernel), one consumer
 * (the collector). The producer fills record head % ring_entries, then
 * publishes it by a release store of head + 1 (and seq = head + 1 inside the
 * record); a full ring (head - tail == ring_entries) is never waited on: the
 * event is counted in drops. The consumer copies a record, then checks its
 * seq: the region is shared with the guest, so nothing in it is trusted.
 *
 * Every number is little-endian, whatever the machines (as in virtio): a
 * big-endian guest swaps, a little-endian one pays nothing. The counters
 * that are published (head, tail, seq, drops) are 32 bits and free-running
 * (they wrap), so a 32-bit guest publishes with one plain store.
 */
#ifndef HYPERTRACE_ABI_H
#define HYPERTRACE_ABI_H

#include <stdint.h>

#define HT_MAGIC 0x4543415254485456ULL /* "VTHTRACE" in memory */
#define HT_VERSION 1
#define HT_HEADER_SIZE 4096
#define HT_CACHE_LINE 64
#define HT_MAX_CLIENTS 4096
#define HT_MAX_ARGS 16
#define HT_MAX_RING_ENTRIES (1u << 20)

/* What a record's ts counts. */
#define HT_CLOCK_MONO 0 /* CLOCK_MONOTONIC ns of the emitter's kernel */
#define HT_CLOCK_TSC 1	/* the x86 time-stamp counter of the emitter's CPU */

/* ht_header.flags */
#define HT_FLAG_TSC_OK 0x1 /* the host's TSC is invariant: producers may use it */
#define HT_FLAG_SYSTEM 0x2 /* made for a system-mode guest (ivshmem) */

struct ht_header {
	uint64_t magic;	       /* HT_MAGIC */
	uint32_t version;      /* HT_VERSION */
	uint32_t header_size;  /* HT_HEADER_SIZE */
	uint8_t little_endian; /* always 1 */
	uint8_t word_size;     /* 8: the width of ts and the arguments */
	uint16_t flags;	       /* HT_FLAG_* */
	uint32_t max_clients;
	uint32_t num_args;     /* per event, arg1 included: 1..HT_MAX_ARGS */
	uint32_t ring_entries; /* per client, a power of two */
	uint32_t record_size;  /* 16 + 8 * num_args */
	uint32_t reserved1;
	uint64_t client_offset; /* client 0's area */
	uint64_t client_stride; /* bytes between client areas */
	uint64_t region_size;	/* bytes the host made */
	uint64_t collector_pid; /* the host process that made the region */
};

struct ht_client {
	uint32_t head;	/* producer: events published, mod 2^32 */
	uint32_t drops; /* producer: events lost to a full ring, mod 2^32 */
	uint8_t pad0[HT_CACHE_LINE - 8];
	uint32_t tail; /* consumer: events taken, mod 2^32 */
	uint8_t pad1[HT_CACHE_LINE - 4];
};

struct ht_record {
	uint32_t seq;	/* head + 1 when it was written: valid when == tail + 1 */
	uint32_t clock; /* HT_CLOCK_* */
	uint64_t ts;
	uint64_t args[]; /* num_args of them */
};

#define HT_CLIENT_HDR_SIZE ((uint64_t)sizeof(struct ht_client))

static inline uint64_t ht_record_size(uint32_t num_args)
{
	return 16 + 8 * (uint64_t)num_args;
}

/* Where client @i's data slot and ring start, from its area. */
static inline uint64_t ht_data_offset(void)
{
	return HT_CLIENT_HDR_SIZE;
}

static inline uint64_t ht_ring_offset(uint32_t num_args)
{
	uint64_t end = HT_CLIENT_HDR_SIZE + 8 * (uint64_t)(num_args ? num_args - 1 : 0);

	return (end + HT_CACHE_LINE - 1) / HT_CACHE_LINE * HT_CACHE_LINE;
}

static inline uint64_t ht_client_stride(uint32_t num_args, uint32_t ring_entries)
{
	uint64_t end = ht_ring_offset(num_args) + ring_entries * ht_record_size(num_args);

	return (end + HT_CACHE_LINE - 1) / HT_CACHE_LINE * HT_CACHE_LINE;
}

#endif
