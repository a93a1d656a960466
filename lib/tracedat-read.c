// SPDX-License-Identifier: GPL-2.0
/* trace.dat version 6 reading for vtrace recover; see tracedat-read.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "page.h"
#include "tracedat-read.h"

static int get(struct vt_dat_file *f, void *buf, size_t len)
{
	if (f->bad)
		return -1;
	if (f->pos + len > f->size || pread(f->fd, buf, len, f->pos) != (ssize_t)len) {
		f->bad = "the header is cut short";
		return -1;
	}
	f->pos += len;
	return 0;
}

/* A @size-byte number in the file's byte order; 0 once something was bad. */
static uint64_t num(struct vt_dat_file *f, int size)
{
	unsigned char b[8] = { 0 };
	uint64_t v = 0;
	int i;

	if (get(f, b, size))
		return 0;
	for (i = 0; i < size; i++)
		v |= (uint64_t)b[f->big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

static void skip(struct vt_dat_file *f, uint64_t len)
{
	if (!f->bad && (len > f->size || f->pos + len > f->size))
		f->bad = "a section runs past the end of the file";
	else
		f->pos += len;
}

static void expect(struct vt_dat_file *f, const char *s, size_t len, const char *what)
{
	char buf[16];

	if (!get(f, buf, len) && memcmp(buf, s, len))
		f->bad = what;
}

static void skip_string(struct vt_dat_file *f)
{
	char c = 1;
	int n = 0;

	while (!f->bad && c && n++ < 256)
		get(f, &c, 1);
	if (c && !f->bad)
		f->bad = "a system name is not terminated";
}

/* The file's byte order, long and page size, after the magic. */
static void read_sizes(struct vt_dat_file *f)
{
	f->big_endian = num(f, 1) != 0;
	f->long_size = num(f, 1);
	f->subbuf = num(f, 4);
	if (!f->bad && ((f->long_size != 4 && f->long_size != 8) || f->subbuf < 4096 ||
			f->subbuf > (1 << 20) || (f->subbuf & (f->subbuf - 1))))
		f->bad = "impossible long or page size";
}

/* The sections between the page size and the CPU count, skipped over. */
static void skip_metadata(struct vt_dat_file *f)
{
	uint64_t n, i, j, events;

	expect(f, "header_page", 12, "no header_page");
	skip(f, num(f, 8));
	expect(f, "header_event", 13, "no header_event");
	skip(f, num(f, 8));
	for (n = num(f, 4), i = 0; i < n && !f->bad; i++) /* ftrace formats */
		skip(f, num(f, 8));
	for (n = num(f, 4), i = 0; i < n && !f->bad; i++) { /* systems */
		skip_string(f);
		for (events = num(f, 4), j = 0; j < events && !f->bad; j++)
			skip(f, num(f, 8));
	}
	skip(f, num(f, 4)); /* kallsyms */
	skip(f, num(f, 4)); /* printk formats */
	skip(f, num(f, 8)); /* saved cmdlines */
}

int vt_dat_read_header(struct vt_dat_file *f, int fd, uint64_t size)
{
	static const unsigned char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a',
					       'c',  'i',  'n',	 'g', '6', 0 };
	unsigned char head[12];

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->size = size;
	f->bad_cpu = -1;
	if (get(f, head, sizeof(head)) || memcmp(head, magic, sizeof(head))) {
		f->bad = "not a trace.dat version 6 (as vtrace record writes it)";
		return -1;
	}
	read_sizes(f);
	skip_metadata(f);
	f->nr_cpus = num(f, 4);
	if (!f->bad && (f->nr_cpus < 1 || f->nr_cpus > VT_DAT_MAX_CPUS))
		f->bad = "impossible CPU count";
	expect(f, "options  ", 10, "no options section");
	while (!f->bad && num(f, 2) != 0)
		skip(f, num(f, 4));
	expect(f, "flyrecord", 10, "no flyrecord section");
	f->table_off = f->pos;
	skip(f, 16ULL * f->nr_cpus);
	/* the trace clock in use ("[x86-tsc]"), its length first: part of the header */
	f->clock_len = num(f, 8);
	if (!f->bad && f->clock_len > VT_DAT_MAX_CLOCK)
		f->bad = "impossible trace clock length after the offsets table";
	skip(f, f->clock_len);
	return f->bad ? -1 : 0;
}

uint64_t vt_dat_data_start(const struct vt_dat_file *f)
{
	return f->table_off + 16ULL * f->nr_cpus + 8 + f->clock_len;
}

/* @p strictly inside [@off, @off + @size): an empty CPU placed in another's data */
static bool inside(uint64_t p, uint64_t off, uint64_t size)
{
	return off < p && p < off + size;
}

static bool regions_overlap(uint64_t o1, uint64_t s1, uint64_t o2, uint64_t s2)
{
	if (s1 && s2)
		return o1 < o2 + s2 && o2 < o1 + s1;
	return (!s1 && inside(o1, o2, s2)) || (!s2 && inside(o2, o1, s1));
}

static bool entry_possible(const struct vt_dat_file *f, const uint64_t *offs, const uint64_t *sizes,
			   uint32_t cpu)
{
	uint32_t other;

	if (offs[cpu] > f->size || sizes[cpu] > f->size - offs[cpu] || offs[cpu] % f->subbuf ||
	    sizes[cpu] % f->subbuf)
		return false;
	if (sizes[cpu] && offs[cpu] < vt_dat_data_start(f))
		return false;
	/* the CPUs before this one are checked already: each pair once */
	for (other = 0; other < cpu; other++)
		if (regions_overlap(offs[other], sizes[other], offs[cpu], sizes[cpu]))
			return false;
	return true;
}

int vt_dat_read_table(struct vt_dat_file *f, uint64_t *offs, uint64_t *sizes)
{
	uint32_t cpu;

	f->pos = f->table_off;
	for (cpu = 0; cpu < f->nr_cpus; cpu++) {
		offs[cpu] = num(f, 8);
		sizes[cpu] = num(f, 8);
	}
	if (f->bad)
		return -1;
	for (cpu = 0; cpu < f->nr_cpus; cpu++) {
		if (!entry_possible(f, offs, sizes, cpu)) {
			f->bad = "an entry in the offsets table is impossible";
			f->bad_cpu = cpu;
			return -1;
		}
	}
	return 0;
}

static bool all_zero(const char *p, size_t len)
{
	return !p[0] && !memcmp(p, p + 1, len - 1);
}

/* @size extended over every valid sub-buffer after it, up to @end. */
static uint64_t extend(const struct vt_dat_file *f, uint64_t off, uint64_t size, uint64_t end,
		       char *page)
{
	struct vt_page_info info;

	while (off + size + f->subbuf <= end &&
	       pread(f->fd, page, f->subbuf, off + size) == (ssize_t)f->subbuf &&
	       !all_zero(page, f->subbuf) &&
	       !vt_page_parse(page, f->subbuf, f->long_size, f->big_endian, &info) &&
	       vt_page_count_events(page, &info, f->big_endian) >= 0)
		size += f->subbuf;
	return size;
}

int vt_dat_extend_sizes(struct vt_dat_file *f, const uint64_t *offs, uint64_t *sizes)
{
	uint32_t cpu, other;
	uint64_t end;
	char *page;

	page = malloc(f->subbuf);
	if (!page)
		return -1;
	for (cpu = 0; cpu < f->nr_cpus; cpu++) {
		/*
		 * A region ends where the next one in the file begins; one that
		 * shares its start (an empty CPU in a packed file) ends it too, so
		 * no sub-buffer is claimed by two CPUs.
		 */
		for (end = f->size, other = 0; other < f->nr_cpus; other++)
			if (other != cpu && offs[other] >= offs[cpu] && offs[other] < end)
				end = offs[other];
		if (offs[cpu] >= vt_dat_data_start(f))
			sizes[cpu] = extend(f, offs[cpu], sizes[cpu], end, page);
	}
	free(page);
	return 0;
}
