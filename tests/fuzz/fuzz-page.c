// SPDX-License-Identifier: GPL-2.0
/*
 * A sub-buffer as it comes over a port (lib/page.c): the header parsed and
 * the events counted, as host/stream.c does for each one before keeping it.
 * The first input byte sets the long size (bit 0: 4, else 8) and the byte
 * order (bit 1: big); the rest is the sub-buffer, whatever its size, copied
 * to a buffer of exactly that size so that any read past it is caught.
 */
#include <string.h>

#include "fuzz.h"
#include "page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_page_info info;
	int long_size;
	bool big;
	unsigned char *page;
	long events;

	if (!size)
		return 0;
	long_size = data[0] & 1 ? 4 : 8;
	big = data[0] & 2;
	size--;
	page = malloc(size ? size : 1);
	FUZZ_CHECK(page);
	memcpy(page, data + 1, size);
	if (!vt_page_parse(page, size, long_size, big, &info)) {
		FUZZ_CHECK(info.data_offset == 8 + (size_t)long_size);
		FUZZ_CHECK(info.data_offset + info.data_len <= size);
		if (info.missed_count_known)
			FUZZ_CHECK(info.data_offset + info.data_len + long_size <= size);
		events = vt_page_count_events(page, &info, big);
		FUZZ_CHECK(events >= -1);
		FUZZ_CHECK(events <= (long)(info.data_len / 8)); /* 8 bytes at least each */
	}
	free(page);
	return 0;
}
