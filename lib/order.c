// SPDX-License-Identifier: GPL-2.0
/*
 * Control-port order parser. Hand-written: the protocol is ours (the seed's
 * '1'/'0' plus words), and no library parses it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "order.h"

void vt_order_init(struct vt_order_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static bool is_line_end(char c)
{
	return c == '\n' || c == '\r' || c == ';' || c == '\0';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A line of only '0' and '1' is a run of seed orders: "10" is start then stop. */
static bool only_seed_orders(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] != '0' && s[i] != '1')
			return false;
	return true;
}

static void dispatch_line(struct vt_order_parser *p, vt_order_fn fn, void *ctx)
{
	char *s = p->line;
	size_t len = p->len;
	size_t i;

	if (p->dropped) {
		p->line[p->len] = '\0';
		fn(ctx, VT_ORDER_TOO_LONG, p->line);
		goto out;
	}
	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	s[len] = '\0';
	if (!len)
		goto out;
	if (only_seed_orders(s, len)) {
		for (i = 0; i < len; i++)
			fn(ctx, s[i] == '1' ? VT_ORDER_START : VT_ORDER_STOP, NULL);
		goto out;
	}
	fn(ctx, VT_ORDER_WORD, s);
out:
	p->len = 0;
	p->dropped = 0;
}

void vt_order_feed(struct vt_order_parser *p, const char *data, size_t len, vt_order_fn fn,
		   void *ctx)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (is_line_end(data[i])) {
			if (p->len || p->dropped)
				dispatch_line(p, fn, ctx);
			continue;
		}
		if (p->len < VT_ORDER_MAX)
			p->line[p->len++] = data[i];
		else
			p->dropped++;
	}
	if (!p->dropped && only_seed_orders(p->line, p->len))
		dispatch_line(p, fn, ctx);
}

const char *vt_order_untag(const char *line, uint32_t *tag)
{
	const char *p = line + 1;
	uint64_t n = 0;

	*tag = 0;
	if (line[0] != '#' || p[0] < '1' || p[0] > '9')
		return line;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > UINT32_MAX)
			return line;
	}
	if (*p != ' ' && *p != '\t')
		return line;
	p += strspn(p, " \t");
	if (!*p)
		return line;
	*tag = n;
	return p;
}

char *vt_escape(const char *in, size_t len, char *out, size_t outsz)
{
	static const char more[] = "...";
	size_t o = 0, i;

	if (!outsz)
		return out;
	for (i = 0; i < len; i++) {
		unsigned char c = in[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		if (o + need + sizeof(more) > outsz) {
			if (o + sizeof(more) <= outsz) {
				memcpy(out + o, more, sizeof(more));
				return out;
			}
			break;
		}
		if (need == 1)
			out[o++] = c;
		else
			o += snprintf(out + o, outsz - o, "\\x%02x", c);
	}
	out[o < outsz ? o : outsz - 1] = '\0';
	return out;
}
