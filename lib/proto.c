// SPDX-License-Identifier: GPL-2.0
/* Reply framing of the control protocol; see proto.h. */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static void put16(unsigned char *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static uint16_t get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

void vt_reply_header(unsigned char *hdr, enum vt_reply_type type, uint32_t length,
		     uint32_t tag)
{
	memcpy(hdr, VT_REPLY_MAGIC, 4);
	put16(hdr + 4, VT_PROTO_VERSION);
	put16(hdr + 6, type);
	put32(hdr + 8, length);
	put32(hdr + 12, tag);
}

int vt_reply_parse_header(const unsigned char *hdr, struct vt_reply *r, char *err,
			  size_t errsz)
{
	if (memcmp(hdr, VT_REPLY_MAGIC, 4)) {
		snprintf(err, errsz, "not a vtrace reply (bad magic)");
		return -1;
	}
	r->version = get16(hdr + 4);
	r->type = get16(hdr + 6);
	r->length = get32(hdr + 8);
	r->tag = get32(hdr + 12);
	if (r->version != VT_PROTO_VERSION) {
		snprintf(err, errsz, "protocol version %u, this vtrace speaks %d", r->version,
			 VT_PROTO_VERSION);
		return -1;
	}
	if (r->type < VT_REPLY_OK || r->type > VT_REPLY_HELLO) {
		snprintf(err, errsz, "unknown reply type %u", r->type);
		return -1;
	}
	if (r->length > VT_REPLY_MAX) {
		snprintf(err, errsz, "reply of %u bytes is over the %u-byte limit", r->length,
			 VT_REPLY_MAX);
		return -1;
	}
	return 0;
}

int vt_buf_add(struct vt_buf *b, const void *data, size_t len)
{
	unsigned char *n;
	size_t cap;

	if (b->len + len > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len)
			cap *= 2;
		n = realloc(b->data, cap);
		if (!n)
			return -1;
		b->data = n;
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int vt_meta_add(struct vt_buf *b, enum vt_meta_tag tag, const void *a, size_t alen,
		const void *b2, size_t blen)
{
	unsigned char hdr[VT_META_REC_HDR_SIZE];

	put16(hdr, tag);
	put16(hdr + 2, 0);
	put32(hdr + 4, alen + blen);
	if (vt_buf_add(b, hdr, sizeof(hdr)) || vt_buf_add(b, a, alen) || vt_buf_add(b, b2, blen))
		return -1;
	return 0;
}

void vt_buf_free(struct vt_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int vt_meta_next(const unsigned char *payload, size_t len, size_t *off, struct vt_meta_rec *rec)
{
	size_t left;

	if (*off >= len)
		return 0;
	left = len - *off;
	if (left < VT_META_REC_HDR_SIZE)
		return -1;
	rec->tag = get16(payload + *off);
	rec->len = get32(payload + *off + 4);
	if (rec->len > left - VT_META_REC_HDR_SIZE)
		return -1;
	rec->data = payload + *off + VT_META_REC_HDR_SIZE;
	*off += VT_META_REC_HDR_SIZE + rec->len;
	return 1;
}

int vt_kv_get(const char *text, size_t len, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key), i = 0, n;

	while (i < len) {
		const char *line = text + i;
		const char *end = memchr(line, '\n', len - i);
		size_t llen = end ? (size_t)(end - line) : len - i;

		if (llen > klen && !memcmp(line, key, klen) && line[klen] == '=') {
			n = llen - klen - 1;
			if (n >= outsz)
				n = outsz - 1;
			memcpy(out, line + klen + 1, n);
			out[n] = '\0';
			return 0;
		}
		i += llen + 1;
	}
	return -1;
}
