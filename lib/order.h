/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control-port order parser, shared by trace-agent (which reads orders) and
 * vtrace (which sends them), so both agree on what an order is.
 *
 * The seed protocol is a single character: '1' starts streaming, '0' stops
 * it, with or without a newline. Longer orders are words on a line. A line
 * ends at '\n', '\r', ';' or NUL. Orders may arrive split over several reads
 * or joined in one, so the parser keeps the unfinished line between feeds.
 */
#ifndef VT_ORDER_H
#define VT_ORDER_H

#include <stddef.h>
#include <stdint.h>

/* Longest order line kept; longer lines are discarded and reported. */
#define VT_ORDER_MAX 256

enum vt_order_kind {
	VT_ORDER_START,	   /* '1' */
	VT_ORDER_STOP,	   /* '0' */
	VT_ORDER_WORD,	   /* any other non-empty line: text is the trimmed line */
	VT_ORDER_TOO_LONG, /* a line over VT_ORDER_MAX bytes: text is its first bytes */
};

typedef void (*vt_order_fn)(void *ctx, enum vt_order_kind kind, const char *text);

struct vt_order_parser {
	char line[VT_ORDER_MAX + 1];
	size_t len;
	size_t dropped; /* bytes of the current line beyond VT_ORDER_MAX */
};

void vt_order_init(struct vt_order_parser *p);

/*
 * Feed bytes as they were read. Complete lines are dispatched to @fn. At the
 * end of the feed a pending line made only of '0'/'1' is dispatched too, as
 * the seed's `printf 1 > agent-ctl-path.in` sends no newline.
 */
void vt_order_feed(struct vt_order_parser *p, const char *data, size_t len, vt_order_fn fn,
		   void *ctx);

/*
 * A word order may begin with a tag, "#N " (N decimal, 1 to 4294967295),
 * that its reply carries back (struct vt_reply.tag), so a host tells its
 * answer from replies to orders someone else wrote into the port.
 * Returns the order after the tag and sets *@tag, or returns @line with
 * *@tag 0 when it has none (a malformed tag is part of the order: the order
 * is then unknown and answered untagged).
 */
const char *vt_order_untag(const char *line, uint32_t *tag);

/*
 * Write @len bytes of untrusted @in to @out as one printable line: bytes
 * outside 0x20..0x7e become \xNN and the result is cut with "..." to fit
 * @outsz. @out is always NUL-terminated. Returns @out.
 */
char *vt_escape(const char *in, size_t len, char *out, size_t outsz);

#endif
