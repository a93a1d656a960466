/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring-buffer sub-buffer ("page") headers, as the kernel lays them out in
 * per_cpu/cpuN/trace_pipe_raw (described by events/header_page):
 *
 *	u64	timestamp;
 *	local_t	commit;		long-sized: data length, plus loss flags
 *	char	data[];
 *
 * The agent never looks inside pages (it splices them); the host and the
 * tests use this to validate what came over a port before trusting it.
 * libtraceevent's kbuffer walks the events; this only bounds-checks the
 * header, which kbuffer does not do against a caller's buffer size.
 */
#ifndef VT_PAGE_H
#define VT_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags the kernel keeps in the top bits of the commit word. */
#define VT_PAGE_MISSED_EVENTS (1ULL << 31) /* events were lost before this page */
#define VT_PAGE_MISSED_STORED (1ULL << 30) /* their count follows the data */
#define VT_PAGE_COMMIT_MASK ((1ULL << 27) - 1)

struct vt_page_info {
	uint64_t timestamp;
	size_t data_offset; /* where events start: 8 + long size */
	size_t data_len;    /* bytes of events */
	bool missed;	    /* events were lost before this page */
	bool missed_count_known;
	uint64_t missed_count; /* when missed_count_known */
};

/*
 * Parse the header of the sub-buffer at @page, @subbuf_size bytes long,
 * written by a kernel with @long_size-byte longs (4 or 8) in @big_endian
 * order. Returns 0, or -1 when the header claims more data than fits.
 */
int vt_page_parse(const void *page, size_t subbuf_size, int long_size, bool big_endian,
		  struct vt_page_info *info);

/*
 * Count the events of a sub-buffer whose header @info came from
 * vt_page_parse(), walking the event headers (type_len/time_delta words) with
 * every length bounds-checked. Much cheaper than decoding them with kbuffer,
 * which the recorder would otherwise do for every event just to count it.
 * Returns the count, or -1 when an event runs past the data: a lying page.
 */
long vt_page_count_events(const void *page, const struct vt_page_info *info, bool big_endian);

#endif
