// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's order parser (lib/order.c) on what the control port may carry:
 * any bytes, split over reads anywhere. The first input byte picks how the
 * rest is cut into feeds. Every order dispatched is checked, and each text
 * goes through vt_escape() as the agent logs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "order.h"

static void check_escape(const char *in, size_t len, size_t outsz)
{
	char out[1100];
	size_t n, i;

	memset(out, 'X', sizeof(out));
	vt_escape(in, len, out, outsz);
	if (!outsz) {
		FUZZ_CHECK(out[0] == 'X'); /* nothing written */
		return;
	}
	n = strnlen(out, outsz);
	FUZZ_CHECK(n < outsz);
	FUZZ_CHECK(out[outsz] == 'X'); /* nothing past the buffer */
	for (i = 0; i < n; i++)
		FUZZ_CHECK(out[i] >= 0x20 && out[i] < 0x7f);
}

/* The agent takes the tag off every word order before it runs it. */
static void check_untag(const char *text, size_t len)
{
	const char *rest;
	uint32_t tag;

	rest = vt_order_untag(text, &tag);
	FUZZ_CHECK(rest >= text && rest < text + len && *rest);
	if (!tag) {
		FUZZ_CHECK(rest == text);
		return;
	}
	FUZZ_CHECK(text[0] == '#' && rest > text + 2);
	FUZZ_CHECK(rest[-1] == ' ' || rest[-1] == '\t');
	FUZZ_CHECK(*rest != ' ' && *rest != '\t');
	FUZZ_CHECK(strtoul(text + 1, NULL, 10) == tag);
}

static void on_order(void *ctx, enum vt_order_kind kind, const char *text)
{
	size_t len, i;

	(*(int *)ctx)++;
	switch (kind) {
	case VT_ORDER_START:
	case VT_ORDER_STOP:
		FUZZ_CHECK(!text);
		return;
	case VT_ORDER_WORD:
		len = strlen(text);
		FUZZ_CHECK(len > 0 && len <= VT_ORDER_MAX);
		FUZZ_CHECK(text[0] != ' ' && text[0] != '\t');
		FUZZ_CHECK(text[len - 1] != ' ' && text[len - 1] != '\t');
		for (i = 0; i < len; i++)
			FUZZ_CHECK(text[i] != '\n' && text[i] != '\r' && text[i] != ';');
		check_untag(text, len);
		break;
	case VT_ORDER_TOO_LONG:
		len = strlen(text);
		FUZZ_CHECK(len == VT_ORDER_MAX);
		break;
	default:
		FUZZ_CHECK(!"unknown order kind");
	}
	check_escape(text, len, 96); /* as the agent shows an order */
	check_escape(text, len, len % 97);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_order_parser p;
	size_t off, n, cut;
	int orders = 0;

	if (!size)
		return 0;
	cut = data[0]; /* 0: one feed; else feeds of 1..cut bytes */
	data++;
	size--;
	vt_order_init(&p);
	for (off = 0; off < size; off += n) {
		n = cut ? 1 + (data[off] % cut) : size;
		if (n > size - off)
			n = size - off;
		vt_order_feed(&p, (const char *)data + off, n, on_order, &orders);
		FUZZ_CHECK(p.len <= VT_ORDER_MAX);
	}
	FUZZ_CHECK((size_t)orders <= size);
	check_escape((const char *)data, size, size % 1024);
	return 0;
}
