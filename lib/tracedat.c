// SPDX-License-Identifier: GPL-2.0
/*
 * trace.dat writer, versions 6 and 7. Hand-written because libtracecmd only
 * reads; the layouts follow trace-cmd.dat.v6(5) and trace-cmd.dat.v7(5), in
 * the order trace-cmd itself writes them, so that trace-cmd's own rewrite of
 * a file (trace-cmd convert) gives the same bytes back
 * (tests/integration/t-dat-compat.sh). Here: version 6 and the pieces both
 * versions are made of; version 7 in lib/tracedat-v7.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "tracedat-out.h"
#include "io.h"

bool dat_file_swaps(const struct vt_dat_meta *m)
{
	return m->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
}

void dat_put(struct out *o, const void *p, size_t len)
{
	if (o->count_only) {
		o->pos += len;
		return;
	}
	if (o->mem) {
		if (vt_buf_add(o->mem, p, len))
			o->err = ENOMEM;
		o->pos += len;
		return;
	}
	if (o->err)
		return;
	if (vt_write_all(o->fd, p, len))
		o->err = errno ? errno : EIO;
	else
		o->pos += len;
}

/* @v as @size bytes in the file's byte order. */
void dat_encode_num(unsigned char *b, uint64_t v, int size, bool swap)
{
	bool big = (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) != swap;
	int i;

	for (i = 0; i < size; i++)
		b[big ? size - 1 - i : i] = v >> (8 * i);
}

void dat_put_num(struct out *o, uint64_t v, int size)
{
	unsigned char b[8];

	dat_encode_num(b, v, size, o->swap);
	dat_put(o, b, size);
}

void dat_put_blob(struct out *o, const struct vt_blob *b, int size_bytes)
{
	dat_put_num(o, b->len, size_bytes);
	dat_put(o, b->data, b->len);
}

static int count_ftrace_formats(const struct vt_dat_meta *m)
{
	int i, n = 0;

	for (i = 0; i < m->nr_formats; i++)
		n += !strcmp(m->formats[i].system, "ftrace");
	return n;
}

void dat_put_ftrace_formats(struct out *o, const struct vt_dat_meta *m)
{
	int i;

	dat_put_num(o, count_ftrace_formats(m), 4);
	for (i = 0; i < m->nr_formats; i++)
		if (!strcmp(m->formats[i].system, "ftrace"))
			dat_put_blob(o, &m->formats[i].text, 8);
}

/* The index of @i's system's first format: @i itself for a system's first. */
static int first_of_system(const struct vt_dat_meta *m, int i)
{
	int j;

	for (j = 0; j < i && strcmp(m->formats[j].system, m->formats[i].system); j++)
		;
	return j;
}

/* Every other system in order of first appearance, each with its events. */
void dat_put_event_systems(struct out *o, const struct vt_dat_meta *m)
{
	int i, j, n = 0;

	for (i = 0; i < m->nr_formats; i++)
		n += first_of_system(m, i) == i && strcmp(m->formats[i].system, "ftrace");
	dat_put_num(o, n, 4);
	for (i = 0; i < m->nr_formats; i++) {
		const char *sys = m->formats[i].system;
		int count = 0;

		if (first_of_system(m, i) != i || !strcmp(sys, "ftrace"))
			continue;
		for (j = i; j < m->nr_formats; j++)
			count += !strcmp(m->formats[j].system, sys);
		dat_put(o, sys, strlen(sys) + 1);
		dat_put_num(o, count, 4);
		for (j = i; j < m->nr_formats; j++)
			if (!strcmp(m->formats[j].system, sys))
				dat_put_blob(o, &m->formats[j].text, 8);
	}
}

void dat_put_option(struct out *o, int id, const void *data, size_t len)
{
	dat_put_num(o, id, 2);
	dat_put_num(o, len, 4);
	dat_put(o, data, len);
}

void dat_put_option_num(struct out *o, int id, uint64_t v, int size)
{
	dat_put_num(o, id, 2);
	dat_put_num(o, size, 4);
	dat_put_num(o, v, size);
}

/* A string option: libtracecmd strdup()s its data, so it must end in a NUL. */
static void put_option_str(struct out *o, int id, const struct vt_blob *b)
{
	dat_put_num(o, id, 2);
	dat_put_num(o, b->len + 1, 4);
	dat_put(o, b->data, b->len);
	dat_put(o, "", 1);
}

/* What the guest said of itself: its clock, release and buffer statistics. */
void dat_put_guest_options(struct out *o, const struct vt_dat_meta *m)
{
	int i;

	if (m->trace_clock.len)
		dat_put_option(o, OPT_TRACECLOCK, m->trace_clock.data, m->trace_clock.len);
	if (m->uname.len)
		put_option_str(o, OPT_UNAME, &m->uname);
	for (i = 0; m->cpu_stats && i < m->nr_cpus; i++)
		if (m->cpu_stats[i].len)
			dat_put_option(o, OPT_CPUSTAT, m->cpu_stats[i].data, m->cpu_stats[i].len);
}

static void put_options(struct out *o, const struct vt_dat_meta *m)
{
	dat_put(o, "options  ", 10);
	dat_put_option_num(o, OPT_CPUCOUNT, m->nr_cpus, 4);
	dat_put_guest_options(o, m);
	dat_put_num(o, OPT_DONE, 2);
}

/*
 * The clock in use: the bracketed word of the trace_clock file, as
 * trace-cmd names it ("local" where the guest did not say).
 */
struct vt_blob dat_clock_name(const struct vt_dat_meta *m)
{
	const struct vt_blob *clock = &m->trace_clock;
	const char *open = clock->len ? memchr(clock->data, '[', clock->len) : NULL;
	const char *close = open ? memchr(open, ']', clock->len - (open - clock->data)) : NULL;
	struct vt_blob name = { "local", 5 };

	if (open && close && close - open < 64) {
		name.data = open + 1;
		name.len = close - open - 1;
	}
	return name;
}

/*
 * After the offsets table, version 6 has the clock in use, "[name]" with
 * its length: outside the table's accounting, so CPU data starts after it.
 */
static void put_flyrecord_clock(struct out *o, const struct vt_dat_meta *m)
{
	struct vt_blob name = dat_clock_name(m);

	dat_put_num(o, name.len + 2, 8);
	dat_put(o, "[", 1);
	dat_put(o, name.data, name.len);
	dat_put(o, "]", 1);
}

/*
 * In the kernel when it can (copy_file_range: no trip through user space,
 * a reflink on filesystems that share extents), else read and write.
 */
static void copy_cpu(struct out *o, int from, uint64_t size)
{
	off_t off = 0;

	if (o->err)
		return;
	if (vt_copy_range(from, &off, o->fd, NULL, size))
		o->err = errno ? errno : EIO;
	else
		o->pos += size;
}

static void put_header(struct out *o, const struct vt_dat_meta *m, uint64_t *table_off,
		       uint64_t *data_off)
{
	unsigned char head[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0 };
	int cpu;

	dat_put(o, head, sizeof(head));
	dat_put_num(o, m->big_endian, 1);
	dat_put_num(o, m->long_size, 1);
	dat_put_num(o, m->subbuf_size, 4);
	dat_put(o, "header_page", 12);
	dat_put_blob(o, &m->header_page, 8);
	dat_put(o, "header_event", 13);
	dat_put_blob(o, &m->header_event, 8);
	dat_put_ftrace_formats(o, m);
	dat_put_event_systems(o, m);
	dat_put_blob(o, &m->kallsyms, 4);
	dat_put_blob(o, &m->printk_formats, 4);
	dat_put_blob(o, &m->saved_cmdlines, 8);
	dat_put_num(o, m->nr_cpus, 4);
	put_options(o, m);
	dat_put(o, "flyrecord", 10);
	*table_off = o->pos;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		dat_put_num(o, 0, 8);
		dat_put_num(o, 0, 8);
	}
	put_flyrecord_clock(o, m);
	*data_off = (o->pos + m->subbuf_size - 1) / m->subbuf_size * m->subbuf_size;
}

int vt_dat_write_header(int fd, const struct vt_dat_meta *m, uint64_t *table_off,
			uint64_t *data_off)
{
	struct out o = { .fd = fd, .swap = dat_file_swaps(m) };
	off_t start = lseek(fd, 0, SEEK_CUR);

	o.pos = start < 0 ? 0 : start;
	put_header(&o, m, table_off, data_off);
	if (o.err) {
		errno = o.err;
		return -1;
	}
	return 0;
}

void vt_dat_header_size(const struct vt_dat_meta *m, uint64_t *table_off, uint64_t *data_off)
{
	struct out o = { .fd = -1, .count_only = true };

	put_header(&o, m, table_off, data_off);
}

int vt_dat_write_offsets(int fd, const struct vt_dat_meta *m, uint64_t table_off,
			 const uint64_t *offsets, const uint64_t *sizes)
{
	struct out o = { .fd = fd, .swap = dat_file_swaps(m) };
	int cpu;

	if (lseek(fd, table_off, SEEK_SET) < 0)
		return -1;
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		dat_put_num(&o, offsets[cpu], 8);
		dat_put_num(&o, sizes[cpu], 8);
	}
	if (o.err) {
		errno = o.err;
		return -1;
	}
	return 0;
}

int vt_dat_write_v6(int fd, const struct vt_dat_meta *m, const int *cpu_fds, const uint64_t *sizes)
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
