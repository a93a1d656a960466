// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <string.h>

#include "page.h"

static uint64_t load(const unsigned char *p, int size, bool big_endian)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < size; i++) {
		int shift = big_endian ? 8 * (size - 1 - i) : 8 * i;

		v |= (uint64_t)p[i] << shift;
	}
	return v;
}

int vt_page_parse(const void *page, size_t subbuf_size, int long_size, bool big_endian,
		  struct vt_page_info *info)
{
	const unsigned char *p = page;
	uint64_t commit;
	size_t room;

	if (long_size != 4 && long_size != 8)
		return -1;
	memset(info, 0, sizeof(*info));
	info->data_offset = 8 + long_size;
	if (subbuf_size < info->data_offset)
		return -1;
	room = subbuf_size - info->data_offset;

	info->timestamp = load(p, 8, big_endian);
	commit = load(p + 8, long_size, big_endian);
	info->data_len = commit & VT_PAGE_COMMIT_MASK;
	info->missed = commit & VT_PAGE_MISSED_EVENTS;
	if (info->data_len > room)
		return -1;
	if (info->missed && (commit & VT_PAGE_MISSED_STORED) &&
	    info->data_len + long_size <= room) {
		info->missed_count_known = true;
		info->missed_count =
			load(p + info->data_offset + info->data_len, long_size, big_endian);
	}
	return 0;
}

static inline uint32_t load32(const unsigned char *p, bool big_endian)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return big_endian ? be32toh(v) : le32toh(v);
}

/* The kernel's ring_buffer_event type_len values (kernel/trace/ring_buffer.c). */
#define TYPE_DATA_MAX 28 /* 1..28: data, 4 * type_len bytes; 0: length follows */
#define TYPE_PADDING 29
#define TYPE_TIME_EXTEND 30
#define TYPE_TIME_STAMP 31

long vt_page_count_events(const void *page, const struct vt_page_info *info, bool big_endian)
{
	const unsigned char *data = (const unsigned char *)page + info->data_offset;
	size_t off = 0, len, end = info->data_len;
	unsigned int type_len;
	uint32_t word;
	long count = 0;

	while (off + 4 <= end) {
		word = load32(data + off, big_endian);
		/* a 5-bit field first in memory order: low bits on little-endian */
		type_len = big_endian ? word >> 27 : word & 0x1f;
		if (type_len == TYPE_TIME_EXTEND || type_len == TYPE_TIME_STAMP) {
			len = 8;
		} else if (type_len == TYPE_PADDING) {
			if (!(big_endian ? word & 0x7ffffff : word >> 5))
				break; /* a null event: the rest is padding */
			/* a discarded event, or padding to the end of the page */
			if (off + 8 > end)
				break;
			len = 4 + (size_t)load32(data + off + 4, big_endian);
			if (len > end - off)
				break;
		} else if (type_len) {
			len = 4 + 4 * type_len;
			count++;
		} else {
			/* the length word counts itself: under 4 is a lie */
			if (off + 8 > end || load32(data + off + 4, big_endian) < 4)
				return -1;
			len = 4 + (size_t)load32(data + off + 4, big_endian);
			count++;
		}
		if (len > end - off)
			return -1;
		off += len;
	}
	return count;
}
