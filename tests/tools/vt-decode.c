// SPDX-License-Identifier: GPL-2.0
/*
 * vt-decode: print the events of a stream of ring-buffer sub-buffers, as
 * trace-agent sends them, decoded with libtraceevent against the event
 * formats of a tracefs (or a copy of its events/ directory).
 *
 *   vt-decode -f EVENTS_DIR [-c CPU] [-F] FILE...
 *
 * -F reads `trace-agent -o` framed output. Prints one line per event:
 *   CPU TIMESTAMP NAME: INFO
 * and, on stderr, a summary line: sub-buffers, events, sub-buffers flagged
 * as following a loss, lost events counted in them, bad sub-buffers, bytes of event data. Exit 1 when a sub-buffer header is malformed.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <trace-seq.h>

#include "page.h"
#include "frame.h"

struct totals {
	unsigned long long subbufs, events, missed_subbufs, missed, bad, data;
};

static char *slurp(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	*len = n;
	return buf;
}

static int load_formats(struct tep_handle *tep, const char *dir)
{
	char path[4096];
	struct dirent *sys, *ev;
	DIR *d, *sd;
	size_t len;
	char *buf;
	int n = 0;

	snprintf(path, sizeof(path), "%s/header_page", dir);
	buf = slurp(path, &len);
	if (!buf || tep_parse_header_page(tep, buf, len, 8)) {
		fprintf(stderr, "vt-decode: cannot parse %s\n", path);
		return -1;
	}
	free(buf);
	d = opendir(dir);
	while (d && (sys = readdir(d))) {
		if (sys->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, sys->d_name);
		sd = opendir(path);
		while (sd && (ev = readdir(sd))) {
			if (ev->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s/format", dir, sys->d_name,
				 ev->d_name);
			buf = slurp(path, &len);
			if (buf && tep_parse_event(tep, buf, len, sys->d_name) == 0)
				n++;
			free(buf);
		}
		if (sd)
			closedir(sd);
	}
	if (d)
		closedir(d);
	return n ? 0 : -1;
}

static void print_subbuf(struct tep_handle *tep, struct kbuffer *kbuf, void *page, size_t size,
			 int cpu, struct totals *t)
{
	struct vt_page_info info;
	struct tep_record rec;
	struct trace_seq seq;
	unsigned long long ts;
	void *data;

	t->subbufs++;
	if (vt_page_parse(page, size, 8, false, &info)) {
		t->bad++;
		return;
	}
	/* A full sub-buffer has no room for the count: only the flag says it. */
	if (info.missed)
		t->missed_subbufs++;
	if (info.missed_count_known)
		t->missed += info.missed_count;
	t->data += info.data_len;
	if (!info.data_len || kbuffer_load_subbuffer(kbuf, page))
		return;
	trace_seq_init(&seq);
	for (data = kbuffer_read_event(kbuf, &ts); data; data = kbuffer_next_event(kbuf, &ts)) {
		memset(&rec, 0, sizeof(rec));
		rec.ts = ts;
		rec.cpu = cpu;
		rec.data = data;
		rec.size = kbuffer_event_size(kbuf);
		trace_seq_reset(&seq);
		tep_print_event(tep, &seq, &rec, "%s: %s", TEP_PRINT_NAME, TEP_PRINT_INFO);
		while (seq.len && seq.buffer[seq.len - 1] == '\n')
			seq.len--;
		trace_seq_terminate(&seq);
		/* Rounded to the microsecond, as the kernel prints it. */
		printf("%d %llu.%06llu %s\n", cpu, (ts + 500) / 1000000000,
		       (ts + 500) / 1000 % 1000000, seq.buffer);
		t->events++;
	}
	trace_seq_destroy(&seq);
}

static int decode(struct tep_handle *tep, struct kbuffer *kbuf, const char *buf, size_t len,
		  size_t subbuf, int cpu, int framed, struct totals *t)
{
	struct vt_frame f;
	size_t off = 0, i;

	while (off < len) {
		size_t chunk = subbuf;
		int c = cpu;

		if (framed) {
			if (len - off < sizeof(f))
				return -1;
			memcpy(&f, buf + off, sizeof(f));
			if (memcmp(f.magic, VT_FRAME_MAGIC, 4) || le32toh(f.subbuf_size) != subbuf)
				return -1;
			off += sizeof(f);
			chunk = le32toh(f.len);
			c = le32toh(f.cpu);
		}
		if (chunk > len - off || chunk % subbuf)
			return -1;
		for (i = 0; i < chunk; i += subbuf)
			print_subbuf(tep, kbuf, (char *)buf + off + i, subbuf, c, t);
		off += chunk;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *formats = NULL;
	struct totals t = { 0 };
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	size_t subbuf = 4096, len;
	int framed = 0, cpu = 0, c, ret = 0;
	char *buf;

	while ((c = getopt(argc, argv, "f:c:s:F")) != -1) {
		switch (c) {
		case 'f':
			formats = optarg;
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 's':
			subbuf = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			framed = 1;
			break;
		default:
			return 2;
		}
	}
	if (!formats || optind >= argc) {
		fprintf(stderr,
			"usage: vt-decode -f EVENTS_DIR [-c CPU] [-s SUBBUF] [-F] FILE...\n");
		return 2;
	}
	tep = tep_alloc();
	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	if (load_formats(tep, formats))
		return 2;
	kbuf = kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE);
	for (; optind < argc; optind++) {
		buf = slurp(argv[optind], &len);
		if (!buf) {
			fprintf(stderr, "vt-decode: %s: %s\n", argv[optind], strerror(errno));
			return 2;
		}
		if (decode(tep, kbuf, buf, len, subbuf, cpu, framed, &t)) {
			fprintf(stderr, "vt-decode: %s: not a whole number of sub-buffers\n",
				argv[optind]);
			ret = 1;
		}
		free(buf);
	}
	fprintf(stderr,
		"subbufs=%llu events=%llu missed_subbufs=%llu missed=%llu bad=%llu data=%llu\n",
		t.subbufs, t.events, t.missed_subbufs, t.missed, t.bad, t.data);
	kbuffer_free(kbuf);
	tep_free(tep);
	return ret || t.bad;
}
