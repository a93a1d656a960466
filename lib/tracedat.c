// SPDX-License-Identifier: GPL-2.0
/*
 * trace.dat version 6 writer. Hand-written because libtracecmd only reads;
 * the layout follows trace-cmd.dat.v6(5).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

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
	bool swap;	/* file endianness differs from ours */
	uint64_t pos;
	int err;
};

static void put(struct out *o, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;

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
		put_option(o, OPT_UNAME, m->uname.data, m->uname.len);
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
