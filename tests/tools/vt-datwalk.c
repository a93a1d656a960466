// SPDX-License-Identifier: GPL-2.0
/*
 * vt-datwalk: every byte of a trace.dat version 7 accounted for, one line
 * each part, so that two files can be compared with diff where their
 * layouts are the same but a part moved: numbers that are places in the
 * file print as the section they point at ("-> section 3"), CPU data as its
 * size and checksum. It checks that sections follow each other without a
 * gap, that padding is zeros and that nothing follows the last section.
 *
 *   vt-datwalk FILE     (exit 1 with a message on what does not fit)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#define MAX_SECTIONS 256

struct file {
	const unsigned char *d;
	size_t len;
	uint64_t at[MAX_SECTIONS]; /* where each section's header is */
	int nr;
	char *strings; /* the strings section, uncompressed */
	size_t strings_len;
	uint32_t page;
};

static void die(const char *what, uint64_t at)
{
	fprintf(stderr, "vt-datwalk: %s (at byte %llu)\n", what, (unsigned long long)at);
	exit(1);
}

static uint64_t num(const struct file *f, uint64_t at, int size)
{
	uint64_t v = 0;
	int i;

	if (at + size > f->len)
		die("a number runs past the end", at);
	for (i = size - 1; i >= 0; i--)
		v = v << 8 | f->d[at + i]; /* little-endian files only */
	return v;
}

static void checksum(const unsigned char *p, size_t len, char *out)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	sprintf(out, "%016llx", (unsigned long long)h);
}

static void print_place(const struct file *f, uint64_t off)
{
	int i;

	for (i = 0; i < f->nr; i++)
		if (f->at[i] == off) {
			printf("-> section %d", i);
			return;
		}
	printf("-> byte %llu (no section starts there)", (unsigned long long)off);
}

static const char *name_of(const struct file *f, uint32_t off)
{
	if (off == 0xffffffff)
		return "(none)";
	if (!f->strings || off >= f->strings_len)
		return "(not in the strings)";
	return f->strings + off;
}

static void find_sections(struct file *f, uint64_t pos)
{
	while (pos < f->len) {
		uint16_t id = num(f, pos, 2);
		uint64_t size = num(f, pos + 8, 8);

		if (f->nr == MAX_SECTIONS || size > f->len - pos - 16)
			die("a section runs past the end", pos);
		f->at[f->nr++] = pos;
		if (id == 15) { /* strings: u32 compressed size, u32 size, frame */
			uint64_t csize = num(f, pos + 16, 4), usize = num(f, pos + 20, 4);

			f->strings = calloc(1, usize + 1);
			if (csize + 8 > size || !f->strings ||
			    ZSTD_decompress(f->strings, usize, f->d + pos + 24, csize) != usize)
				die("the strings section does not decompress", pos);
			f->strings_len = usize;
		}
		pos += 16 + size;
	}
}

/* Where a CPU's data ends: u32 chunk count, then u32 size, u32 raw size, bytes each. */
static uint64_t chunks_end(const struct file *f, uint64_t off, uint64_t limit)
{
	uint64_t n = num(f, off, 4), p = off + 4;

	while (n--) {
		p += 8 + num(f, p, 4);
		if (p > limit)
			die("CPU data runs past its section", off);
	}
	return p;
}

/* The BUFFER option: its CPU data as sizes and checksums, padding checked. */
static void print_buffer(const struct file *f, uint64_t p, uint64_t end, int fly)
{
	uint64_t fly_end = f->at[fly] + 16 + num(f, f->at[fly] + 8, 8), covered, off, size, i;
	uint64_t extent;
	const char *name = (const char *)f->d + p + 8, *clock = name + strlen(name) + 1;
	uint32_t cpus, c, cpu;
	char sum[20];

	printf("  buffer ");
	print_place(f, num(f, p, 8));
	p = (const unsigned char *)clock - f->d + strlen(clock) + 1;
	cpus = num(f, p + 4, 4);
	printf(", name \"%s\", clock \"%s\", page %llu, %u cpus\n", name, clock,
	       (unsigned long long)num(f, p, 4), cpus);
	covered = f->at[fly] + 16;
	for (p += 8, c = 0; c < cpus && p + 20 <= end; c++, p += 20) {
		cpu = num(f, p, 4);
		off = num(f, p + 4, 8);
		size = num(f, p + 12, 8);
		if (off < covered || off % f->page)
			die("CPU data out of place", p);
		for (i = covered; i < off; i++)
			if (f->d[i])
				die("padding that is not zeros", i);
		extent = chunks_end(f, off, fly_end);
		checksum(f->d + off, extent - off, sum);
		printf("  cpu %u: %llu bytes said, %llu in chunks, page-aligned, %s\n", cpu,
		       (unsigned long long)size, (unsigned long long)(extent - off), sum);
		covered = extent;
	}
	if (covered != fly_end)
		die("bytes after the last CPU's data", covered);
}

static void print_options(const struct file *f, uint64_t p, uint64_t end)
{
	char sum[20];

	while (p + 6 <= end) {
		uint16_t id = num(f, p, 2);
		uint32_t size = num(f, p + 2, 4);
		int i;

		if (p + 6 + size > end)
			die("an option runs past its section", p);
		if (id == 0 || (id >= 16 && id <= 21)) {
			printf("  option %u ", id);
			if (id || num(f, p + 6, 8))
				print_place(f, num(f, p + 6, 8));
			else
				printf("end");
			printf("\n");
		} else if (id == 3) {
			for (i = 0; i < f->nr && f->at[i] != num(f, p + 6, 8); i++)
				;
			if (i == f->nr)
				die("a BUFFER option pointing at no section", p);
			print_buffer(f, p + 6, p + 6 + size, i);
		} else {
			checksum(f->d + p + 6, size, sum);
			printf("  option %u, %u bytes, %s\n", id, size, sum);
		}
		p += 6 + size;
		if (!id)
			break;
	}
	if (p != end)
		die("bytes after an options section's DONE", p);
}

int main(int argc, char **argv)
{
	struct file f = { 0 };
	char sum[20];
	unsigned char *buf;
	uint64_t p;
	long len;
	FILE *in;
	int i;

	in = argc == 2 ? fopen(argv[1], "rb") : NULL;
	if (!in)
		return 2;
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	rewind(in);
	buf = malloc(len + 1);
	if (!buf || fread(buf, 1, len, in) != (size_t)len)
		return 1;
	f.d = buf;
	f.len = len;
	if (len < 20 || memcmp(buf + 3, "tracing7", 9))
		die("not a trace.dat version 7", 0);
	f.page = num(&f, 14, 4);
	p = 18 + strlen((char *)buf + 18) + 1; /* compression name */
	p += strlen((char *)buf + p) + 1;      /* its version */
	find_sections(&f, p + 8);
	printf("head: version 7, %s-endian, long %u, page %u, %s %s, options ",
	       buf[12] ? "big" : "little", buf[13], f.page, buf + 18,
	       buf + 18 + strlen((char *)buf + 18) + 1);
	print_place(&f, num(&f, p, 8));
	printf("\n");
	for (i = 0; i < f.nr; i++) {
		uint64_t at = f.at[i], size = num(&f, at + 8, 8);
		uint16_t id = num(&f, at, 2);

		printf("section %d: id %u, flags %llu, \"%s\"", i, id,
		       (unsigned long long)num(&f, at + 2, 2), name_of(&f, num(&f, at + 4, 4)));
		if (id == 0) {
			printf("\n");
			print_options(&f, at + 16, at + 16 + size);
		} else if (id == 3) {
			printf(", CPU data under its BUFFER option\n");
		} else {
			checksum(f.d + at + 16, size, sum);
			printf(", %llu bytes, %s\n", (unsigned long long)size, sum);
		}
	}
	free(f.strings);
	free(buf);
	fclose(in);
	return 0;
}
