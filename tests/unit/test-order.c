// SPDX-License-Identifier: GPL-2.0
/* The control-port order parser: split, joined, garbage and huge input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "order.h"

struct seen {
	char log[4096]; /* "S" start, "P" stop, "W(word)", "L(prefix)" too long */
};

static void record(void *ctx, enum vt_order_kind kind, const char *text)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);

	switch (kind) {
	case VT_ORDER_START:
		snprintf(s->log + n, sizeof(s->log) - n, "S");
		break;
	case VT_ORDER_STOP:
		snprintf(s->log + n, sizeof(s->log) - n, "P");
		break;
	case VT_ORDER_WORD:
		snprintf(s->log + n, sizeof(s->log) - n, "W(%s)", text);
		break;
	case VT_ORDER_TOO_LONG:
		snprintf(s->log + n, sizeof(s->log) - n, "L(%zu)", strlen(text));
		break;
	}
}

static const char *feed_all(const char *const *chunks)
{
	static struct seen s;
	struct vt_order_parser p;

	memset(&s, 0, sizeof(s));
	vt_order_init(&p);
	for (; *chunks; chunks++)
		vt_order_feed(&p, *chunks, strlen(*chunks), record, &s);
	return s.log;
}

#define FEED(...) feed_all((const char *const[]){ __VA_ARGS__, NULL })

static void seed_orders(void **state)
{
	assert_string_equal(FEED("1\n"), "S");
	assert_string_equal(FEED("0\n"), "P");
	assert_string_equal(FEED("1"), "S"); /* printf 1 > ... */
	assert_string_equal(FEED("0"), "P");
	assert_string_equal(FEED("1\r\n"), "S");
}

static void joined_orders(void **state)
{
	assert_string_equal(FEED("1\n0\n"), "SP");
	assert_string_equal(FEED("10"), "SP"); /* two printfs, one read */
	assert_string_equal(FEED("1\n0\n1\n"), "SPS");
	assert_string_equal(FEED("1;0"), "SP");
}

static void split_orders(void **state)
{
	assert_string_equal(FEED("1", "\n"), "S"); /* no double start */
	assert_string_equal(FEED("1", "\n", "0", "\n"), "SP");
	assert_string_equal(FEED("sta", "tus\n"), "W(status)");
	assert_string_equal(FEED("enable sch", "ed\n", "1\n"), "W(enable sched)S");
}

static void empty_and_blank(void **state)
{
	assert_string_equal(FEED(""), "");
	assert_string_equal(FEED("\n\n\n"), "");
	assert_string_equal(FEED("  1  \n"), "S");
	assert_string_equal(FEED(" \t \n"), "");
	assert_string_equal(FEED(";;\r"), "");
}

static void garbage(void **state)
{
	assert_string_equal(FEED("2\n"), "W(2)");
	assert_string_equal(FEED("start\n"), "W(start)");
	assert_string_equal(FEED("12\n1\n"), "W(12)S");
}

/* A line ends at NUL too, so binary garbage cannot hide an order after it. */
static void nul_ends_line(void **state)
{
	static const char bytes[] = { 'x', 0x7f, 0, '1' };
	struct vt_order_parser p;
	struct seen s;

	memset(&s, 0, sizeof(s));
	vt_order_init(&p);
	vt_order_feed(&p, bytes, sizeof(bytes), record, &s);
	assert_string_equal(s.log, "W(x\x7f)S");
}

static void huge_line(void **state)
{
	struct vt_order_parser p;
	struct seen s;
	char *big = malloc(1 << 20);

	memset(&s, 0, sizeof(s));
	memset(big, 'A', 1 << 20);
	vt_order_init(&p);
	vt_order_feed(&p, big, 1 << 20, record, &s);
	assert_string_equal(s.log, ""); /* nothing until the line ends */
	vt_order_feed(&p, "\n1\n", 3, record, &s);
	assert_string_equal(s.log, "L(256)S"); /* reported, then orders work */
	free(big);
}

static void escape(void **state)
{
	char out[16];

	assert_string_equal(vt_escape("ab", 2, out, sizeof(out)), "ab");
	assert_string_equal(vt_escape("a\nb", 3, out, sizeof(out)), "a\\x0ab");
	assert_string_equal(vt_escape("\\", 1, out, sizeof(out)), "\\x5c");
	assert_string_equal(vt_escape("0123456789abcdefghij", 20, out, sizeof(out)),
			    "0123456789ab...");
	assert_int_equal(strlen(vt_escape("\x01\x02\x03\x04\x05", 5, out, sizeof(out))) < 16, 1);
	vt_escape("x", 1, out, 1);
	assert_string_equal(out, "");
}

/* "#N order": the tag comes off; anything that is not one stays in the order. */
static void tags(void **state)
{
	uint32_t tag;

	assert_string_equal(vt_order_untag("#17 stop", &tag), "stop");
	assert_int_equal(tag, 17);
	assert_string_equal(vt_order_untag("#4294967295 \t enable sched", &tag), "enable sched");
	assert_int_equal(tag, 4294967295u);
	assert_string_equal(vt_order_untag("stop", &tag), "stop");
	assert_int_equal(tag, 0);
	assert_string_equal(vt_order_untag("#4294967296 stop", &tag), "#4294967296 stop");
	assert_int_equal(tag, 0);
	assert_string_equal(vt_order_untag("#0 stop", &tag), "#0 stop");
	assert_string_equal(vt_order_untag("#07 stop", &tag), "#07 stop");
	assert_string_equal(vt_order_untag("#12stop", &tag), "#12stop");
	assert_string_equal(vt_order_untag("#12 ", &tag), "#12 ");
	assert_string_equal(vt_order_untag("#x stop", &tag), "#x stop");
	assert_string_equal(vt_order_untag("#", &tag), "#");
	assert_int_equal(tag, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed_orders),	cmocka_unit_test(joined_orders),
		cmocka_unit_test(split_orders), cmocka_unit_test(empty_and_blank),
		cmocka_unit_test(garbage),	cmocka_unit_test(nul_ends_line),
		cmocka_unit_test(huge_line),	cmocka_unit_test(escape),
		cmocka_unit_test(tags),
	};

	return cmocka_run_group_tests_name("order parser", tests, NULL, NULL);
}
