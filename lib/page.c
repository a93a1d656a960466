// SPDX-License-Identifier: GPL-2.0
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
		info->missed_count = load(p + info->data_offset + info->data_len, long_size,
					  big_endian);
	}
	return 0;
}
