// SPDX-License-Identifier: GPL-2.0
/*
 * trace.dat version 6 writer. Hand-written because libtracecmd only reads;
 * the layout follows trace-cmd.dat.v6(5).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "proto.h"
#include "tracedat.h"

/* Option ids of trace-cmd.dat(5). */
enum {
	OPT_DONE = 0,
	OPT_CPUSTAT = 2,
	OPT_TRACECLOCK = 4,
	OPT_UNAME = 5,
	OPT_CPUCOUNT = 8,
};

struct out {
	int fd;
	struct vt_buf *mem;	/* when set, bytes go here instead (a v7 section) */
	bool swap;	/* file endianness differs from ours */
	uint64_t pos;
	int err;
};

static void put(struct out *o, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;

	if (o->mem) {
		if (vt_buf_add(o->mem, p, len))
			o->err = ENOMEM;
		o->pos += len;
		return;
	}
	while (!o->err && len) {
		n = write(o->fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->err = n < 0 ? errno : EIO;
			return;
		}
		c += n;
		len -= n;
		o->pos += n;
	}
}

static void put_num(struct out *o, uint64_t v, int size)
{
	unsigned char b[8];
	int i;
	bool big = (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) != o->swap;

	for (i = 0; i < size; i++)
		b[big ? size - 1 - i : i] = v >> (8 * i);
	put(o, b, size);
}

static void put_blob(struct out *o, const struct vt_blob *b, int size_bytes)
{
	put_num(o, b->len, size_bytes);
	put(o, b->data, b->len);
}

static void put_formats(struct out *o, const struct vt_dat_meta *m)
{
	int i, j, n;

	for (n = 0, i = 0; i < m->nr_formats; i++)
		n += !strcmp(m->formats[i].system, "ftrace");
	put_num(o, n, 4);
	for (i = 0; i < m->nr_formats; i++)
		if (!strcmp(m->formats[i].system, "ftrace"))
			put_blob(o, &m->formats[i].text, 8);

	/* Systems in order of first appearance, each with its events. */
	for (n = 0, i = 0; i < m->nr_formats; i++) {
		const char *sys = m->formats[i].system;

		for (j = 0; j < i && strcmp(m->formats[j].system, sys); j++)
			;
		n += j == i && strcmp(sys, "ftrace");
	}
	put_num(o, n, 4);
	for (i = 0; i < m->nr_formats; i++) {
		const char *sys = m->formats[i].system;
		int count = 0;

		for (j = 0; j < i && strcmp(m->formats[j].system, sys); j++)
			;
		if (j < i || !strcmp(sys, "ftrace"))
			continue;
		for (j = i; j < m->nr_formats; j++)
			count += !strcmp(m->formats[j].system, sys);
		put(o, sys, strlen(sys) + 1);
		put_num(o, count, 4);
		for (j = i; j < m->nr_formats; j++)
			if (!strcmp(m->formats[j].system, sys))
				put_blob(o, &m->formats[j].text, 8);
	}
}

static void put_option(struct out *o, int id, const void *data, size_t len)
{
	put_num(o, id, 2);
	put_num(o, len, 4);
	put(o, data, len);
}

/* A string option: libtracecmd strdup()s its data, so it must end in a NUL. */
static void put_option_str(struct out *o, int id, const struct vt_blob *b)
{
	put_num(o, id, 2);
	put_num(o, b->len + 1, 4);
	put(o, b->data, b->len);
	put(o, "", 1);
}

static void put_options(struct out *o, const struct vt_dat_meta *m)
{
	unsigned char count[4];
	uint32_t n = m->nr_cpus;
	int i;

	put(o, "options  ", 10);
	for (i = 0; i < 4; i++)
		count[((__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) != o->swap) ? 3 - i : i] = n >> (8 * i);
	put_option(o, OPT_CPUCOUNT, count, 4);
	if (m->trace_clock.len)
		put_option(o, OPT_TRACECLOCK, m->trace_clock.data, m->trace_clock.len);
	if (m->uname.len)
		put_option_str(o, OPT_UNAME, &m->uname);
	for (i = 0; m->cpu_stats && i < m->nr_cpus; i++)
		if (m->cpu_stats[i].len)
			put_option(o, OPT_CPUSTAT, m->cpu_stats[i].data, m->cpu_stats[i].len);
	put_num(o, OPT_DONE, 2);
}

/*
 * In the kernel when it can (copy_file_range: no trip through user space,
 * a reflink on filesystems that share extents), else read and write.
 */
static void copy_cpu(struct out *o, int from, uint64_t size)
{
	char buf[1 << 16];
	off_t off = 0;
	ssize_t n;

	while (!o->err && size) {
		n = copy_file_range(from, &off, o->fd, NULL, size, 0);
		if (n <= 0)
			break;
		size -= n;
		o->pos += n;
	}
	while (!o->err && size) {
		n = pread(from, buf, size < sizeof(buf) ? size : sizeof(buf), off);
		if (n <= 0) {
			o->err = n < 0 ? errno : EIO;
			return;
		}
		put(o, buf, n);
		off += n;
		size -= n;
	}
}

int vt_dat_write_header(int fd, const struct vt_dat_meta *m, uint64_t *table_off,
			uint64_t *data_off)
{
	struct out o = { .fd = fd, .swap = m->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) };
	unsigned char head[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0 };
	off_t start = lseek(fd, 0, SEEK_CUR);
	int cpu;

	o.pos = start < 0 ? 0 : start;
	put(&o, head, sizeof(head));
	put_num(&o, m->big_endian, 1);
	put_num(&o, m->long_size, 1);
	put_num(&o, m->subbuf_size, 4);
	put(&o, "header_page", 12);
	put_blob(&o, &m->header_page, 8);
	put(&o, "header_event", 13);
	put_blob(&o, &m->header_event, 8);
	put_formats(&o, m);
	put_blob(&o, &m->kallsyms, 4);
	put_blob(&o, &m->printk_formats, 4);
	put_blob(&o, &m->saved_cmdlines, 8);
	put_num(&o, m->nr_cpus, 4);
	put_options(&o, m);
	put(&o, "flyrecord", 10);
	*table_off = o.pos;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		put_num(&o, 0, 8);
		put_num(&o, 0, 8);
	}
	*data_off = (o.pos + m->subbuf_size - 1) / m->subbuf_size * m->subbuf_size;
	if (o.err) {
		errno = o.err;
		return -1;
	}
	return 0;
}

int vt_dat_write_offsets(int fd, const struct vt_dat_meta *m, uint64_t table_off,
			 const uint64_t *offsets, const uint64_t *sizes)
{
	struct out o = { .fd = fd, .swap = m->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) };
	int cpu;

	if (lseek(fd, table_off, SEEK_SET) < 0)
		return -1;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		put_num(&o, offsets[cpu], 8);
		put_num(&o, sizes[cpu], 8);
	}
	if (o.err) {
		errno = o.err;
		return -1;
	}
	return 0;
}

int vt_dat_write_v6(int fd, const struct vt_dat_meta *m, const int *cpu_fds,
		    const uint64_t *sizes)
{
	struct out o = { .fd = fd };
	uint64_t table, off, offsets[m->nr_cpus];
	int cpu;

	if (vt_dat_write_header(fd, m, &table, &off))
		return -1;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		offsets[cpu] = off;
		if (!sizes[cpu])
			continue;
		if (lseek(fd, off, SEEK_SET) < 0)
			return -1;
		o.pos = off;
		copy_cpu(&o, cpu_fds[cpu], sizes[cpu]);
		off += sizes[cpu];
	}
	if (o.err) {
		errno = o.err;
		return -1;
	}
	return vt_dat_write_offsets(fd, m, table, offsets, sizes);
}

/*
 * Version 7 (trace-cmd.dat.v7(5)): the same metadata in sections, each
 * compressed with zstd, found through options that point at their headers;
 * each CPU's sub-buffers compressed in chunks of ten.
 */
enum {
	SEC_OPTIONS = 0,
	SEC_FLYRECORD = 3,	/* the BUFFER option's section */
	SEC_HEADER_INFO = 16,
	SEC_FTRACE_EVENTS = 17,
	SEC_EVENT_FORMATS = 18,
	SEC_KALLSYMS = 19,
	SEC_PRINTK = 20,
	SEC_CMDLINES = 21,
	OPT_BUFFER = 3,
	SEC_FL_COMPRESS = 1,
	NO_STRING = 0xffffffff,	/* section descriptions are optional */
	PAGES_PER_CHUNK = 10,
};

static void put_section_header(struct out *o, int id, int flags, uint64_t size)
{
	put_num(o, id, 2);
	put_num(o, flags, 2);
	put_num(o, NO_STRING, 4);
	put_num(o, size, 8);
}

/* One zstd frame: u32 compressed size, u32 size, the frame. */
static void put_compressed(struct out *o, const void *data, size_t len)
{
	size_t bound = ZSTD_compressBound(len);
	void *frame = malloc(bound ? bound : 1);
	size_t n;

	if (!frame) {
		o->err = ENOMEM;
		return;
	}
	n = ZSTD_compress(frame, bound, data, len, ZSTD_CLEVEL_DEFAULT);
	if (ZSTD_isError(n)) {
		o->err = EIO;
	} else {
		put_num(o, n, 4);
		put_num(o, len, 4);
		put(o, frame, n);
	}
	free(frame);
}

/* A compressed metadata section from @payload; returns where its header is. */
static uint64_t put_section(struct out *o, int id, const struct vt_buf *payload)
{
	uint64_t at = o->pos;
	struct vt_buf sec = { 0 };
	struct out so = { .mem = &sec, .swap = o->swap };

	put_compressed(&so, payload->data, payload->len);
	put_section_header(o, id, SEC_FL_COMPRESS, sec.len);
	put(o, sec.data, sec.len);
	if (so.err)
		o->err = so.err;
	vt_buf_free(&sec);
	return at;
}

/* Builds a section's payload with the v6 writers, into memory. */
#define SECTION(o, id, at, body)                                            \
	do {                                                                \
		struct vt_buf __b = { 0 };                                  \
		struct out __m = { .mem = &__b, .swap = (o)->swap };        \
		struct out *mo = &__m;                                      \
		body;                                                       \
		if (__m.err)                                                \
			(o)->err = __m.err;                                 \
		(at) = put_section((o), (id), &__b);                        \
		vt_buf_free(&__b);                                          \
	} while (0)

static void put_padding(struct out *o, uint32_t align)
{
	static const char zeros[4096];
	uint64_t pad = (align - o->pos % align) % align;

	while (pad) {
		size_t n = pad < sizeof(zeros) ? pad : sizeof(zeros);

		put(o, zeros, n);
		pad -= n;
	}
}

/* One CPU's sub-buffers as u32 chunk count, then compressed chunks. */
static void put_cpu_chunks(struct out *o, int src, uint64_t src_off, uint64_t size,
			   uint32_t subbuf)
{
	size_t chunk = (size_t)PAGES_PER_CHUNK * subbuf;
	char *buf = malloc(chunk);
	uint64_t done;
	ssize_t n;

	if (!buf) {
		o->err = ENOMEM;
		return;
	}
	put_num(o, (size + chunk - 1) / chunk, 4);
	for (done = 0; done < size && !o->err; done += n) {
		size_t want = size - done < chunk ? size - done : chunk;

		n = pread(src, buf, want, src_off + done);
		if (n != (ssize_t)want) {
			o->err = n < 0 ? errno : EIO;
			break;
		}
		put_compressed(o, buf, n);
	}
	free(buf);
}

/* The clock in use: the bracketed word of the trace_clock file. */
static void put_clock_name(struct out *o, const struct vt_blob *clock)
{
	const char *open = clock->len ? memchr(clock->data, '[', clock->len) : NULL;
	const char *close = open ? memchr(open, ']', clock->len - (open - clock->data)) : NULL;

	if (open && close && close - open < 64)
		put(o, open + 1, close - open - 1);
	else
		put(o, "local", 5);
	put(o, "", 1);
}

int vt_dat_write_v7(int fd, const struct vt_dat_meta *m, const int *src_fds,
		    const uint64_t *src_offs, const uint64_t *sizes)
{
	struct out o = { .fd = fd, .swap = m->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) };
	unsigned char head[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '7', 0 };
	uint64_t sec[22] = { 0 }, opt_at_field, fly_at, fly_start, opts_at;
	uint64_t cpu_off[m->nr_cpus], cpu_len[m->nr_cpus];
	const char *zv = ZSTD_versionString();
	int cpu, n, id;

	put(&o, head, sizeof(head));
	put_num(&o, m->big_endian, 1);
	put_num(&o, m->long_size, 1);
	put_num(&o, m->subbuf_size, 4);
	put(&o, "zstd", 5);
	put(&o, zv, strlen(zv) + 1);
	opt_at_field = o.pos;
	put_num(&o, 0, 8);	/* patched below */

	SECTION(&o, SEC_HEADER_INFO, sec[16], {
		put(mo, "header_page", 12);
		put_blob(mo, &m->header_page, 8);
		put(mo, "header_event", 13);
		put_blob(mo, &m->header_event, 8);
	});
	/* put_formats writes v6's ftrace part then the other systems': split it */
	{
		struct vt_buf all = { 0 };
		struct out ao = { .mem = &all, .swap = o.swap };
		struct vt_buf part = { 0 };
		size_t split;
		int i;

		put_formats(&ao, m);
		split = 4;
		for (i = 0; i < m->nr_formats; i++)
			if (!strcmp(m->formats[i].system, "ftrace"))
				split += 8 + m->formats[i].text.len;
		if (ao.err || split > all.len) {
			o.err = ao.err ? ao.err : EIO;
		} else {
			vt_buf_add(&part, all.data, split);
			sec[17] = put_section(&o, SEC_FTRACE_EVENTS, &part);
			part.len = 0;
			vt_buf_add(&part, all.data + split, all.len - split);
			sec[18] = put_section(&o, SEC_EVENT_FORMATS, &part);
		}
		vt_buf_free(&part);
		vt_buf_free(&all);
	}
	SECTION(&o, SEC_KALLSYMS, sec[19], put_blob(mo, &m->kallsyms, 4));
	SECTION(&o, SEC_PRINTK, sec[20], put_blob(mo, &m->printk_formats, 4));
	SECTION(&o, SEC_CMDLINES, sec[21], put_blob(mo, &m->saved_cmdlines, 8));

	/* The CPU data: one section, each CPU page-aligned within it. */
	fly_at = o.pos;
	put_section_header(&o, SEC_FLYRECORD, SEC_FL_COMPRESS, 0);	/* size patched */
	fly_start = o.pos;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		put_padding(&o, m->subbuf_size);
		cpu_off[cpu] = o.pos;
		if (sizes[cpu])
			put_cpu_chunks(&o, src_fds[cpu], src_offs[cpu], sizes[cpu], m->subbuf_size);
		cpu_len[cpu] = o.pos - cpu_off[cpu];
	}

	/* One options section: where everything is, and what the file is. */
	opts_at = o.pos;
	{
		struct vt_buf ob = { 0 };
		struct out oo = { .mem = &ob, .swap = o.swap };
		struct vt_buf bo = { 0 };
		struct out bw = { .mem = &bo, .swap = o.swap };
		unsigned char num[8];
		int i;

		for (id = SEC_HEADER_INFO; id <= SEC_CMDLINES; id++) {
			for (i = 0; i < 8; i++)
				num[((__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) != o.swap) ? 7 - i : i] =
					sec[id] >> (8 * i);
			put_option(&oo, id, num, 8);
		}
		if (m->trace_clock.len)
			put_option(&oo, OPT_TRACECLOCK, m->trace_clock.data, m->trace_clock.len);
		if (m->uname.len)
			put_option_str(&oo, OPT_UNAME, &m->uname);
		for (i = 0; m->cpu_stats && i < m->nr_cpus; i++)
			if (m->cpu_stats[i].len)
				put_option(&oo, OPT_CPUSTAT, m->cpu_stats[i].data,
					   m->cpu_stats[i].len);
		put_num(&bw, fly_at, 8);
		put(&bw, "", 1);
		put_clock_name(&bw, &m->trace_clock);
		put_num(&bw, m->subbuf_size, 4);
		for (n = 0, cpu = 0; cpu < m->nr_cpus; cpu++)
			n += sizes[cpu] != 0;
		put_num(&bw, n, 4);
		for (cpu = 0; cpu < m->nr_cpus; cpu++) {
			if (!sizes[cpu])
				continue;
			put_num(&bw, cpu, 4);
			put_num(&bw, cpu_off[cpu], 8);
			put_num(&bw, cpu_len[cpu], 8);
		}
		put_option(&oo, OPT_BUFFER, bo.data, bo.len);
		put_num(&oo, OPT_CPUCOUNT, 2);
		put_num(&oo, 4, 4);
		put_num(&oo, m->nr_cpus, 4);
		put_num(&oo, OPT_DONE, 2);	/* the last: no next options section */
		put_num(&oo, 8, 4);
		put_num(&oo, 0, 8);
		if (oo.err || bw.err)
			o.err = ENOMEM;
		put_section_header(&o, SEC_OPTIONS, 0, ob.len);
		put(&o, ob.data, ob.len);
		vt_buf_free(&ob);
		vt_buf_free(&bo);
	}
	if (o.err) {
		errno = o.err;
		return -1;
	}
	/* Patch the two forward references. */
	{
		struct out p = { .fd = fd, .swap = o.swap };

		if (lseek(fd, opt_at_field, SEEK_SET) < 0)
			return -1;
		put_num(&p, opts_at, 8);
		if (lseek(fd, fly_at + 8, SEEK_SET) < 0)
			return -1;
		put_num(&p, opts_at - fly_start, 8);
		if (p.err) {
			errno = p.err;
			return -1;
		}
	}
	return 0;
}
