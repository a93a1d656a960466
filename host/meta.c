// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's metadata (META reply), parsed as hostile input: every record
 * bounds-checked by lib/proto.c, every value range-checked here. The blobs
 * point into the payload, which gm owns.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtrace.h"

static int fail(char *err, size_t errsz, const char *what)
{
	snprintf(err, errsz, "%s", what);
	return -1;
}

static bool valid_name(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 128)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int parse_info(struct guest_meta *gm, const char *text, size_t len, char *err, size_t errsz)
{
	char v[4096], *p, *end;
	long n;

	if (vt_kv_get(text, len, "subbuf_size", v, sizeof(v)))
		return fail(err, errsz, "no subbuf_size in the metadata");
	n = strtol(v, &end, 10);
	if (*end || n < 4096 || n > (1 << 20) || (n & (n - 1)))
		return fail(err, errsz, "sub-buffer size out of range (4 KB..1 MB, a power of 2)");
	gm->dat.subbuf_size = n;
	if (vt_kv_get(text, len, "long_size", v, sizeof(v)) || (strcmp(v, "4") && strcmp(v, "8")))
		return fail(err, errsz, "long size missing or not 4 or 8");
	gm->dat.long_size = v[0] - '0';
	if (vt_kv_get(text, len, "endian", v, sizeof(v)) ||
	    (strcmp(v, "little") && strcmp(v, "big")))
		return fail(err, errsz, "endianness missing or not little or big");
	gm->dat.big_endian = !strcmp(v, "big");
	if (vt_kv_get(text, len, "nr_cpus", v, sizeof(v)))
		return fail(err, errsz, "no nr_cpus in the metadata");
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > MAX_CPUS)
		return fail(err, errsz, "CPU count out of range");
	gm->dat.nr_cpus = n;
	if (vt_kv_get(text, len, "cpus", v, sizeof(v)))
		return fail(err, errsz, "no cpus list in the metadata");
	for (p = v; *p; p = *end ? end + 1 : end) {
		n = strtol(p, &end, 10);
		if (end == p || n < 0 || n >= gm->dat.nr_cpus || (*end && *end != ',') ||
		    gm->nr_streamed >= MAX_CPUS)
			return fail(err, errsz, "bad cpus list in the metadata");
		gm->cpus[gm->nr_streamed++] = n;
	}
	if (!gm->nr_streamed)
		return fail(err, errsz, "the agent streams no CPU");
	return 0;
}

static int add_format(struct guest_meta *gm, const struct vt_meta_rec *rec, char *err, size_t errsz)
{
	const char *sys = (const char *)rec->data;
	const char *nul = memchr(sys, '\0', rec->len);

	if (!nul || !valid_name(sys, nul - sys))
		return fail(err, errsz, "event format with a bad system name");
	gm->dat.formats[gm->dat.nr_formats].system = sys;
	gm->dat.formats[gm->dat.nr_formats].text.data = nul + 1;
	gm->dat.formats[gm->dat.nr_formats].text.len = rec->len - (nul + 1 - sys);
	gm->dat.nr_formats++;
	return 0;
}

static void add_cpu_stats(struct guest_meta *gm, const struct vt_meta_rec *rec)
{
	const char *text = (const char *)rec->data;
	const char *nl = memchr(text, '\n', rec->len);
	int cpu;

	if (!nl || sscanf(text, "cpu=%d", &cpu) != 1 || cpu < 0 || cpu >= gm->dat.nr_cpus)
		return;
	gm->dat.cpu_stats[cpu].data = nl + 1;
	gm->dat.cpu_stats[cpu].len = rec->len - (nl + 1 - text);
}

static struct vt_blob blob(const struct vt_meta_rec *rec)
{
	struct vt_blob b = { (const char *)rec->data, rec->len };

	return b;
}

int meta_parse(struct guest_meta *gm, char *payload, size_t len, char *err, size_t errsz)
{
	const unsigned char *p = (const unsigned char *)payload;
	struct vt_meta_rec rec;
	size_t off = 0;
	int nformats = 0, ret;

	memset(gm, 0, sizeof(*gm));
	gm->payload = payload;
	gm->payload_len = len;
	/* Pass 1: INFO (sizes everything else) and the number of formats. */
	while ((ret = vt_meta_next(p, len, &off, &rec)) == 1) {
		if (rec.tag == VT_META_INFO &&
		    parse_info(gm, (const char *)rec.data, rec.len, err, errsz))
			return -1;
		nformats += rec.tag == VT_META_EVENT_FORMAT;
	}
	if (ret < 0)
		return fail(err, errsz, "a metadata record runs past the end of the reply");
	if (!gm->dat.subbuf_size)
		return fail(err, errsz, "no INFO record in the metadata");
	gm->dat.formats = calloc(nformats + 1, sizeof(*gm->dat.formats));
	gm->dat.cpu_stats = calloc(gm->dat.nr_cpus, sizeof(*gm->dat.cpu_stats));
	if (!gm->dat.formats || !gm->dat.cpu_stats)
		return fail(err, errsz, "out of memory");
	for (off = 0; vt_meta_next(p, len, &off, &rec) == 1;) {
		switch (rec.tag) {
		case VT_META_HEADER_PAGE:
			gm->dat.header_page = blob(&rec);
			break;
		case VT_META_HEADER_EVENT:
			gm->dat.header_event = blob(&rec);
			break;
		case VT_META_PRINTK_FORMATS:
			gm->dat.printk_formats = blob(&rec);
			break;
		case VT_META_SAVED_CMDLINES:
			gm->dat.saved_cmdlines = blob(&rec);
			break;
		case VT_META_KALLSYMS:
			gm->dat.kallsyms = blob(&rec);
			break;
		case VT_META_TRACE_CLOCK:
			gm->dat.trace_clock = blob(&rec);
			break;
		case VT_META_UNAME:
			gm->dat.uname = blob(&rec);
			break;
		case VT_META_CPU_STATS:
			add_cpu_stats(gm, &rec);
			break;
		case VT_META_EVENT_FORMAT:
			if (add_format(gm, &rec, err, errsz))
				return -1;
			break;
		default:
			break; /* newer agents may send more: skip */
		}
	}
	if (!gm->dat.header_page.len || !gm->dat.header_event.len)
		return fail(err, errsz, "no ring-buffer headers (header_page, header_event)");
	return 0;
}

int meta_parse_end(struct guest_meta *gm, char *payload, size_t len, char *err, size_t errsz)
{
	const unsigned char *p = (const unsigned char *)payload;
	struct vt_meta_rec rec;
	size_t off = 0;
	int ret;

	while ((ret = vt_meta_next(p, len, &off, &rec)) == 1)
		;
	if (ret < 0) {
		free(payload);
		return fail(err, errsz, "a metadata record runs past the end of the reply");
	}
	/* all checked: now the records replace the start's (or an earlier end's) */
	memset(gm->dat.cpu_stats, 0, gm->dat.nr_cpus * sizeof(*gm->dat.cpu_stats));
	if (gm->end_payload && gm->dat.saved_cmdlines.data >= gm->end_payload &&
	    gm->dat.saved_cmdlines.data < gm->end_payload + gm->end_payload_len)
		memset(&gm->dat.saved_cmdlines, 0, sizeof(gm->dat.saved_cmdlines));
	for (off = 0; vt_meta_next(p, len, &off, &rec) == 1;) {
		if (rec.tag == VT_META_SAVED_CMDLINES)
			gm->dat.saved_cmdlines = blob(&rec);
		else if (rec.tag == VT_META_CPU_STATS)
			add_cpu_stats(gm, &rec);
	}
	free(gm->end_payload);
	gm->end_payload = payload;
	gm->end_payload_len = len;
	return 0;
}

void meta_free(struct guest_meta *gm)
{
	free(gm->dat.formats);
	free(gm->dat.cpu_stats);
	free(gm->payload);
	free(gm->end_payload);
	memset(gm, 0, sizeof(*gm));
}
