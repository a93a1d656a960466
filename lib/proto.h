/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between vtrace (host) and trace-agent (guest),
 * defined once here for both. Documented in docs/protocol.md.
 *
 * Host -> guest: text orders, one per line (lib/order.h). The seed's '1' and
 * '0' are silent; word orders get exactly one reply each.
 * Guest -> host: replies, each a 16-byte header then a payload:
 *
 *	char	magic[4];	"VTRP"
 *	u16	version;	VT_PROTO_VERSION
 *	u16	type;		enum vt_reply_type
 *	u32	length;		payload bytes, at most VT_REPLY_MAX
 *	u32	tag;		the order's tag ("#N order"), 0 for an untagged order
 *
 * all little-endian. A META payload is a sequence of records, each
 *
 *	u16 tag; u16 reserved; u32 length; then length bytes
 *
 * Hand-written: no library speaks this protocol; it is ours.
 */
#ifndef VT_PROTO_H
#define VT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define VT_REPLY_MAGIC "VTRP"
#define VT_PROTO_VERSION 1
#define VT_REPLY_HDR_SIZE 16
#define VT_REPLY_MAX (64u << 20) /* kallsyms of a big kernel fits */
#define VT_META_REC_HDR_SIZE 8

enum vt_reply_type {
	VT_REPLY_OK = 1,      /* text: what was done */
	VT_REPLY_ERR = 2,     /* text: what was wrong */
	VT_REPLY_META = 3,    /* records, below */
	VT_REPLY_STATUS = 4,  /* text: key=value lines */
	VT_REPLY_STOPPED = 5, /* text: "cpu=N bytes=B lost=L" per CPU, after the flush */
	VT_REPLY_HELLO = 6,   /* unsolicited, once at the agent's start: "key=value" lines */
};

enum vt_meta_tag {
	VT_META_INFO = 1,	  /* text: key=value lines (below) */
	VT_META_HEADER_PAGE = 2,  /* events/header_page */
	VT_META_HEADER_EVENT = 3, /* events/header_event */
	VT_META_EVENT_FORMAT = 4, /* "system\0" then events/system/name/format */
	VT_META_PRINTK_FORMATS = 5,
	VT_META_SAVED_CMDLINES = 6,
	VT_META_KALLSYMS = 7,
	VT_META_TRACE_CLOCK = 8,
	VT_META_UNAME = 9,	/* kernel release */
	VT_META_CPU_STATS = 10, /* "cpu=N\n" then per_cpu/cpuN/stats */
};

/*
 * VT_META_INFO keys: subbuf_size, page_size, long_size, endian (little|big),
 * nr_cpus, cpus (a list such as 0-3: the CPUs the agent streams).
 */

struct vt_reply {
	uint16_t version;
	uint16_t type;
	uint32_t length;
	uint32_t tag; /* the order's tag, or 0 (untagged, HELLO) */
};

/*
 * Fill the 16-byte header for a reply of @type with @length bytes of payload
 * to the order tagged @tag (0: untagged).
 */
void vt_reply_header(unsigned char *hdr, enum vt_reply_type type, uint32_t length, uint32_t tag);

/*
 * Parse a reply header from untrusted bytes. Returns 0, or -1 with a
 * message in @err (bad magic, unknown version or type, oversized).
 */
int vt_reply_parse_header(const unsigned char *hdr, struct vt_reply *r, char *err, size_t errsz);

/* Append one META record to a growing buffer. Returns 0 or -1 (no memory). */
struct vt_buf {
	unsigned char *data;
	size_t len, cap;
};
int vt_buf_add(struct vt_buf *b, const void *data, size_t len);
int vt_meta_add(struct vt_buf *b, enum vt_meta_tag tag, const void *a, size_t alen, const void *b2,
		size_t blen);
void vt_buf_free(struct vt_buf *b);

struct vt_meta_rec {
	uint16_t tag;
	const unsigned char *data;
	uint32_t len;
};

/*
 * Walk the records of an untrusted META payload: call with *@off 0 and keep
 * calling while it returns 1. Returns 0 at the end, -1 when a record runs
 * past the payload.
 */
int vt_meta_next(const unsigned char *payload, size_t len, size_t *off, struct vt_meta_rec *rec);

/*
 * Find "key=value" in untrusted text of @len bytes; copies the value
 * (NUL-terminated, cut to @outsz) and returns 0, or -1 when absent.
 */
int vt_kv_get(const char *text, size_t len, const char *key, char *out, size_t outsz);

#endif
