// SPDX-License-Identifier: GPL-2.0
/*
 * Sub-buffer header parsing, on real kernel output (tests/fixtures: raw
 * sub-buffers of a Debian 6.1 guest holding 500 markers) and on crafted
 * headers that lie.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"

#include <event-parse.h>
#include <kbuffer.h>

#include "page.h"

#define FIXTURE "tests/fixtures/guest-6.1-x86_64/"
#define SUBBUF 4096

static void put64(unsigned char *p, uint64_t v, int size, int big);

static void real_pages_parse(void **state)
{
	const char *files[] = { FIXTURE "cpu0.raw", FIXTURE "cpu1.raw" };
	struct vt_page_info info;
	size_t len, off, i;
	uint64_t last_ts;
	char *buf;

	for (i = 0; i < 2; i++) {
		buf = fixture_read(files[i], &len);
		assert_int_equal(len % SUBBUF, 0);
		last_ts = 0;
		for (off = 0; off < len; off += SUBBUF) {
			assert_int_equal(vt_page_parse(buf + off, SUBBUF, 8, false, &info), 0);
			assert_int_equal(info.data_offset, 16);
			assert_true(info.data_len > 0);
			assert_false(info.missed);
			assert_true(info.timestamp >= last_ts);
			last_ts = info.timestamp;
		}
		/* the capture ends with a partially filled sub-buffer */
		assert_true(info.data_len < SUBBUF - 16);
		free(buf);
	}
}

static struct tep_handle *fixture_tep(void)
{
	struct tep_handle *tep = tep_alloc();
	size_t len;
	char *buf;

	buf = fixture_read(FIXTURE "events/header_page", &len);
	assert_int_equal(tep_parse_header_page(tep, buf, len, 8), 0);
	free(buf);
	buf = fixture_read(FIXTURE "events/ftrace/print/format", &len);
	assert_int_equal(tep_parse_event(tep, buf, len, "ftrace"), 0);
	free(buf);
	return tep;
}

/* Every marker the guest wrote is in the pages, each exactly once. */
static void real_pages_hold_every_marker(void **state)
{
	struct tep_handle *tep = fixture_tep();
	struct tep_event *print = tep_find_event_by_name(tep, "ftrace", "print");
	struct tep_format_field *field = tep_find_field(print, "buf");
	struct kbuffer *kbuf = kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE);
	const char *files[] = { FIXTURE "cpu0.raw", FIXTURE "cpu1.raw" };
	int seen[501] = { 0 };
	unsigned long long ts;
	int events = 0, marks = 0, n, i;
	size_t len, off;
	void *data;
	char *buf;

	assert_non_null(field);
	for (i = 0; i < 2; i++) {
		buf = fixture_read(files[i], &len);
		for (off = 0; off < len; off += SUBBUF) {
			assert_int_equal(kbuffer_load_subbuffer(kbuf, buf + off), 0);
			for (data = kbuffer_read_event(kbuf, &ts); data;
			     data = kbuffer_next_event(kbuf, &ts)) {
				struct tep_record rec = { .data = data };

				events++;
				if (tep_data_type(tep, &rec) != print->id)
					continue;
				if (sscanf((char *)data + field->offset, "vtrace-mark %d", &n) ==
					    1 &&
				    n >= 1 && n <= 500) {
					seen[n]++;
					marks++;
				}
			}
		}
		free(buf);
	}
	assert_int_equal(events, 634); /* "entries-written: 634" in trace.txt */
	assert_int_equal(marks, 500);
	for (n = 1; n <= 500; n++)
		assert_int_equal(seen[n], 1);
	kbuffer_free(kbuf);
	tep_free(tep);
}

/* The cheap count agrees with kbuffer on every real sub-buffer. */
static void count_matches_kbuffer(void **state)
{
	const char *files[] = { FIXTURE "cpu0.raw", FIXTURE "cpu1.raw" };
	struct kbuffer *kbuf = kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE);
	struct vt_page_info info;
	unsigned long long ts;
	long total = 0, want;
	size_t len, off;
	void *data;
	char *buf;
	int i;

	for (i = 0; i < 2; i++) {
		buf = fixture_read(files[i], &len);
		for (off = 0; off < len; off += SUBBUF) {
			assert_int_equal(vt_page_parse(buf + off, SUBBUF, 8, false, &info), 0);
			kbuffer_load_subbuffer(kbuf, buf + off);
			for (want = 0, data = kbuffer_read_event(kbuf, &ts); data;
			     data = kbuffer_next_event(kbuf, &ts))
				want++;
			assert_int_equal(vt_page_count_events(buf + off, &info, false), want);
			total += want;
		}
		free(buf);
	}
	assert_int_equal(total, 634);
	kbuffer_free(kbuf);
}

/* Events that claim more than the page holds make the page a liar. */
static void count_rejects_overruns(void **state)
{
	unsigned char page[SUBBUF] = { 0 };
	struct vt_page_info info;

	put64(page + 8, 48, 8, 0);
	put64(page + 16, 3, 4, 0);    /* type_len 3: 16 bytes */
	put64(page + 32, 0, 4, 0);    /* type_len 0: length follows */
	put64(page + 36, 1000, 4, 0); /* ...past the 48 bytes of data */
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), 0);
	assert_int_equal(vt_page_count_events(page, &info, false), -1);
	put64(page + 36, 20, 4, 0); /* 24 bytes: fits, then 24 more */
	put64(page + 56, 2, 4, 0);  /* type_len 2: 12 bytes, past 48 */
	assert_int_equal(vt_page_count_events(page, &info, false), -1);
	put64(page + 56, 1, 4, 0); /* type_len 1: 8 bytes: exactly */
	assert_int_equal(vt_page_count_events(page, &info, false), 3);
	put64(page + 36, 0, 4, 0); /* a length that counts nothing */
	assert_int_equal(vt_page_count_events(page, &info, false), -1);
}

static void put64(unsigned char *p, uint64_t v, int size, int big)
{
	int i;

	for (i = 0; i < size; i++)
		p[big ? size - 1 - i : i] = v >> (8 * i);
}

static void lying_headers(void **state)
{
	unsigned char page[SUBBUF] = { 0 };
	struct vt_page_info info;

	put64(page + 8, SUBBUF - 16, 8, 0); /* exactly full: fine */
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), 0);
	put64(page + 8, SUBBUF - 15, 8, 0); /* one byte too many */
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), -1);
	put64(page + 8, ~0ULL, 8, 0); /* all ones */
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), -1);
	assert_int_equal(vt_page_parse(page, 15, 8, false, &info), -1);	    /* no room */
	assert_int_equal(vt_page_parse(page, SUBBUF, 3, false, &info), -1); /* long size */
}

static void missed_events(void **state)
{
	unsigned char page[SUBBUF] = { 0 };
	struct vt_page_info info;

	/* missed, count stored after 100 bytes of data */
	put64(page + 8, 100 | VT_PAGE_MISSED_EVENTS | VT_PAGE_MISSED_STORED, 8, 0);
	put64(page + 16 + 100, 12345, 8, 0);
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), 0);
	assert_true(info.missed);
	assert_true(info.missed_count_known);
	assert_int_equal(info.missed_count, 12345);
	assert_int_equal(info.data_len, 100);

	/* missed, count not stored: the page was full */
	put64(page + 8, (SUBBUF - 16) | VT_PAGE_MISSED_EVENTS, 8, 0);
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), 0);
	assert_true(info.missed);
	assert_false(info.missed_count_known);

	/* a stored count that would lie outside the page is not read */
	put64(page + 8, (SUBBUF - 16) | VT_PAGE_MISSED_EVENTS | VT_PAGE_MISSED_STORED, 8, 0);
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, false, &info), 0);
	assert_false(info.missed_count_known);
}

static void other_abis(void **state)
{
	unsigned char page[SUBBUF] = { 0 };
	struct vt_page_info info;

	/* 32-bit guest: commit is 4 bytes, data at 12 */
	put64(page, 777, 8, 0);
	put64(page + 8, 40, 4, 0);
	assert_int_equal(vt_page_parse(page, SUBBUF, 4, false, &info), 0);
	assert_int_equal(info.data_offset, 12);
	assert_int_equal(info.data_len, 40);
	assert_int_equal(info.timestamp, 777);

	/* big-endian 64-bit guest */
	memset(page, 0, sizeof(page));
	put64(page, 0x0102030405060708ULL, 8, 1);
	put64(page + 8, 64, 8, 1);
	assert_int_equal(vt_page_parse(page, SUBBUF, 8, true, &info), 0);
	assert_int_equal(info.timestamp, 0x0102030405060708ULL);
	assert_int_equal(info.data_len, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_pages_parse),
		cmocka_unit_test(real_pages_hold_every_marker),
		cmocka_unit_test(lying_headers),
		cmocka_unit_test(missed_events),
		cmocka_unit_test(other_abis),
		cmocka_unit_test(count_matches_kbuffer),
		cmocka_unit_test(count_rejects_overruns),
	};

	return cmocka_run_group_tests_name("sub-buffer pages", tests, NULL, NULL);
}
