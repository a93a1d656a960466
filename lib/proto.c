// SPDX-License-Identifier: GPL-2.0
/* Reply framing of the control protocol; see proto.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "proto.h"

void vt_reply_header(unsigned char *hdr, enum vt_reply_type type, uint32_t length, uint32_t tag)
{
	memcpy(hdr, VT_REPLY_MAGIC, 4);
	vt_put_le16(hdr + 4, VT_PROTO_VERSION);
	vt_put_le16(hdr + 6, type);
	vt_put_le32(hdr + 8, length);
	vt_put_le32(hdr + 12, tag);
}

int vt_reply_parse_header(const unsigned char *hdr, struct vt_reply *r, char *err, size_t errsz)
{
	if (memcmp(hdr, VT_REPLY_MAGIC, 4)) {
		snprintf(err, errsz, "not a vtrace reply (bad magic)");
		return -1;
	}
	r->version = vt_get_le16(hdr + 4);
	r->type = vt_get_le16(hdr + 6);
	r->length = vt_get_le32(hdr + 8);
	r->tag = vt_get_le32(hdr + 12);
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

int vt_meta_add(struct vt_buf *b, enum vt_meta_tag tag, const void *a, size_t alen, const void *b2,
		size_t blen)
{
	unsigned char hdr[VT_META_REC_HDR_SIZE];

	vt_put_le16(hdr, tag);
	vt_put_le16(hdr + 2, 0);
	vt_put_le32(hdr + 4, alen + blen);
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
	rec->tag = vt_get_le16(payload + *off);
	rec->len = vt_get_le32(payload + *off + 4);
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
