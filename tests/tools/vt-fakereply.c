// SPDX-License-Identifier: GPL-2.0
/*
 * vt-fakereply: write protocol replies, for tests that play a guest.
 *
 *   vt-fakereply meta DIR         META from a copy of a guest's tracefs files
 *                                 (header_page, formats, printk_formats...)
 *   vt-fakereply end DIR          the end-of-run META: CPU 0 and 1's buffer
 *                                 statistics, DIR's saved_cmdlines
 *   vt-fakereply TYPE TEXT        a reply of TYPE (ok, err, stopped, status)
 *   vt-fakereply raw TYPE LEN     only a header claiming LEN bytes
 *
 * The reply carries the tag in $VT_TAG (the order's "#N"), 0 without it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	*len = fread(buf, 1, n, f);
	fclose(f);
	return buf;
}

static void add_file(struct vt_buf *b, int tag, const char *dir, const char *name)
{
	char path[4096];
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path, &len);
	if (text)
		vt_meta_add(b, tag, text, len, NULL, 0);
	free(text);
}

static void add_formats(struct vt_buf *b, const char *dir)
{
	char path[4096];
	struct dirent *s, *e;
	DIR *d, *sd;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/events", dir);
	d = opendir(path);
	while (d && (s = readdir(d))) {
		if (s->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", dir, s->d_name);
		sd = opendir(path);
		while (sd && (e = readdir(sd))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, s->d_name,
				 e->d_name);
			text = slurp(path, &len);
			if (text)
				vt_meta_add(b, VT_META_EVENT_FORMAT, s->d_name,
					    strlen(s->d_name) + 1, text, len);
			free(text);
		}
		if (sd)
			closedir(sd);
	}
	if (d)
		closedir(d);
}

static uint32_t tag(void)
{
	const char *t = getenv("VT_TAG");

	return t ? strtoul(t, NULL, 10) : 0;
}

static void emit(int type, const void *data, size_t len)
{
	unsigned char hdr[VT_REPLY_HDR_SIZE];

	vt_reply_header(hdr, type, len, tag());
	fwrite(hdr, 1, sizeof(hdr), stdout);
	fwrite(data, 1, len, stdout);
}

int main(int argc, char **argv)
{
	static const char info[] = "subbuf_size=4096\npage_size=4096\nlong_size=8\n"
				   "endian=little\nnr_cpus=2\ncpus=0,1\n";
	struct vt_buf b = { 0 };
	unsigned char hdr[VT_REPLY_HDR_SIZE];

	if (argc == 3 && !strcmp(argv[1], "meta")) {
		vt_meta_add(&b, VT_META_INFO, info, strlen(info), NULL, 0);
		add_file(&b, VT_META_HEADER_PAGE, argv[2], "events/header_page");
		add_file(&b, VT_META_HEADER_EVENT, argv[2], "events/header_event");
		add_formats(&b, argv[2]);
		add_file(&b, VT_META_PRINTK_FORMATS, argv[2], "printk_formats");
		add_file(&b, VT_META_SAVED_CMDLINES, argv[2], "saved_cmdlines");
		add_file(&b, VT_META_TRACE_CLOCK, argv[2], "trace_clock");
		add_file(&b, VT_META_UNAME, argv[2], "kernel_release");
		emit(VT_REPLY_META, b.data, b.len);
		vt_buf_free(&b);
	} else if (argc == 3 && !strcmp(argv[1], "end")) {
		static const char stats[] = "entries: 0\noverrun: 0\ncommit overrun: 0\n"
					    "bytes: 0\noldest event ts:  1054.484698\n"
					    "now ts:  1054.519878\ndropped events: 0\n"
					    "read events: 2397\n";

		vt_meta_add(&b, VT_META_CPU_STATS, "cpu=0\n", 6, stats, strlen(stats));
		vt_meta_add(&b, VT_META_CPU_STATS, "cpu=1\n", 6, stats, strlen(stats));
		add_file(&b, VT_META_SAVED_CMDLINES, argv[2], "saved_cmdlines");
		emit(VT_REPLY_META, b.data, b.len);
		vt_buf_free(&b);
	} else if (argc == 4 && !strcmp(argv[1], "raw")) {
		vt_reply_header(hdr, atoi(argv[2]), strtoul(argv[3], NULL, 0), tag());
		fwrite(hdr, 1, sizeof(hdr), stdout);
	} else if (argc == 3) {
		int type = !strcmp(argv[1], "ok")      ? VT_REPLY_OK :
			   !strcmp(argv[1], "err")     ? VT_REPLY_ERR :
			   !strcmp(argv[1], "stopped") ? VT_REPLY_STOPPED :
							 VT_REPLY_STATUS;

		emit(type, argv[2], strlen(argv[2]));
	} else {
		return 2;
	}
	return 0;
}
