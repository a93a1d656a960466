// SPDX-License-Identifier: GPL-2.0
/*
 * The trace.dat reader (lib/tracedat-read.c) on what the writer
 * (lib/tracedat.c) writes: the header walked to the same offsets table, in
 * either byte order; the sub-buffers written after the table's last update
 * found, up to a hole or a lying one; impossible tables and cut headers
 * refused with the reason. The data are the real guest's (cpu0.raw: 6
 * sub-buffers).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"

#include "io.h"
#include "tracedat.h"
#include "tracedat-read.h"

#define FIX "tests/fixtures/guest-6.1-x86_64/"
#define SUBBUF 4096

/* A file with @nr_cpus CPUs: the header, empty table; *@data_off where data may go. */
struct dat {
	int fd;
	struct vt_dat_meta m;
	struct vt_format format;
	uint64_t table_off, data_off;
};

static void dat_start(struct dat *d, int nr_cpus, bool big_endian)
{
	char path[] = "/tmp/vt-test-datr.XXXXXX";

	memset(d, 0, sizeof(*d));
	d->m.big_endian = big_endian;
	d->m.long_size = 8;
	d->m.subbuf_size = SUBBUF;
	d->m.nr_cpus = nr_cpus;
	d->m.header_page = fixture_blob(FIX "events/header_page");
	d->m.header_event = fixture_blob(FIX "events/header_event");
	d->m.saved_cmdlines = fixture_blob(FIX "saved_cmdlines");
	d->format.system = "ftrace";
	d->format.text = fixture_blob(FIX "events/ftrace/print/format");
	d->m.formats = &d->format;
	d->m.nr_formats = 1;
	d->fd = mkstemp(path);
	assert_true(d->fd >= 0);
	unlink(path);
	assert_int_equal(vt_dat_write_header(d->fd, &d->m, &d->table_off, &d->data_off), 0);
}

static void dat_end(struct dat *d)
{
	free((char *)d->m.header_page.data);
	free((char *)d->m.header_event.data);
	free((char *)d->m.saved_cmdlines.data);
	free((char *)d->format.text.data);
	close(d->fd);
}

static void put_data(struct dat *d, const void *p, size_t len, uint64_t off)
{
	assert_int_equal(vt_pwrite_all(d->fd, p, len, off), len);
}

static void open_dat(struct dat *d, struct vt_dat_file *f)
{
	assert_int_equal(vt_dat_read_header(f, d->fd, lseek(d->fd, 0, SEEK_END)), 0);
	assert_null(f->bad);
}

/* The walk ends where the writer put the table, with the sizes it wrote. */
static void reads_what_the_writer_wrote(void **state)
{
	uint64_t offs[2], sizes[2], want_offs[2], want_sizes[2] = { 6 * SUBBUF, SUBBUF };
	struct vt_dat_file f;
	struct vt_blob cpu0 = fixture_blob(FIX "cpu0.raw"), cpu1 = fixture_blob(FIX "cpu1.raw");
	struct dat d;

	dat_start(&d, 2, false);
	want_offs[0] = d.data_off;
	want_offs[1] = d.data_off + cpu0.len;
	put_data(&d, cpu0.data, cpu0.len, want_offs[0]);
	put_data(&d, cpu1.data, cpu1.len, want_offs[1]);
	assert_int_equal(vt_dat_write_offsets(d.fd, &d.m, d.table_off, want_offs, want_sizes), 0);
	open_dat(&d, &f);
	assert_int_equal(f.table_off, d.table_off);
	/* after the table, the clock: its length, then the writer's trace_clock */
	assert_int_equal(f.clock_len, strlen("[local]"));
	assert_int_equal(vt_dat_data_start(&f), d.table_off + 32 + 8 + f.clock_len);
	assert_true(vt_dat_data_start(&f) <= d.data_off);
	assert_int_equal(f.nr_cpus, 2);
	assert_int_equal(f.subbuf, SUBBUF);
	assert_int_equal(f.long_size, 8);
	assert_false(f.big_endian);
	assert_int_equal(vt_dat_read_table(&f, offs, sizes), 0);
	assert_memory_equal(offs, want_offs, sizeof(offs));
	assert_memory_equal(sizes, want_sizes, sizeof(sizes));
	assert_int_equal(vt_dat_extend_sizes(&f, offs, sizes), 0);
	assert_memory_equal(sizes, want_sizes, sizeof(sizes)); /* nothing after them */
	dat_end(&d);
	free((char *)cpu0.data);
	free((char *)cpu1.data);
}

/* A big-endian file: the numbers read as the writer meant them. */
static void big_endian_file(void **state)
{
	uint64_t offs[3], sizes[3], want_offs[3], want_sizes[3] = { 2 * SUBBUF, 0, SUBBUF };
	char page[SUBBUF] = { 1 };
	struct vt_dat_file f;
	struct dat d;

	dat_start(&d, 3, true);
	want_offs[0] = d.data_off;
	want_offs[1] = want_offs[2] = d.data_off + 2 * SUBBUF;
	put_data(&d, page, SUBBUF, want_offs[2]);
	assert_int_equal(vt_dat_write_offsets(d.fd, &d.m, d.table_off, want_offs, want_sizes), 0);
	open_dat(&d, &f);
	assert_true(f.big_endian);
	assert_int_equal(f.nr_cpus, 3);
	assert_int_equal(f.subbuf, SUBBUF);
	assert_int_equal(vt_dat_read_table(&f, offs, sizes), 0);
	assert_memory_equal(offs, want_offs, sizeof(offs));
	assert_memory_equal(sizes, want_sizes, sizeof(sizes));
	dat_end(&d);
}

/*
 * A killed recorder: the table lists 1 of CPU 0's sub-buffers; 5 follow.
 * All are taken; then up to a hole (zeros); then up to a lying one.
 */
static void finds_what_came_after_the_table(void **state)
{
	uint64_t offs[2], sizes[2], listed[2] = { SUBBUF, 0 };
	struct vt_blob cpu0 = fixture_blob(FIX "cpu0.raw");
	char zeros[SUBBUF] = { 0 }, lie[SUBBUF];
	struct vt_dat_file f;
	struct dat d;

	dat_start(&d, 2, false);
	offs[0] = d.data_off;
	offs[1] = d.data_off + (1 << 20); /* far apart, as record places them */
	put_data(&d, cpu0.data, cpu0.len, offs[0]);
	put_data(&d, zeros, 1, offs[1] + SUBBUF - 1); /* the file goes on past CPU 0 */
	assert_int_equal(vt_dat_write_offsets(d.fd, &d.m, d.table_off, offs, listed), 0);

	open_dat(&d, &f);
	assert_int_equal(vt_dat_read_table(&f, offs, sizes), 0);
	assert_int_equal(vt_dat_extend_sizes(&f, offs, sizes), 0);
	assert_int_equal(sizes[0], 6 * SUBBUF);
	assert_int_equal(sizes[1], 0); /* zeros are a hole, not data */

	put_data(&d, zeros, SUBBUF, offs[0] + 3 * SUBBUF);
	memcpy(sizes, listed, sizeof(sizes));
	assert_int_equal(vt_dat_extend_sizes(&f, offs, sizes), 0);
	assert_int_equal(sizes[0], 3 * SUBBUF);

	memcpy(lie, cpu0.data + 3 * SUBBUF, SUBBUF);
	vt_put_le64((unsigned char *)lie + 8, SUBBUF); /* commit: more than fits */
	put_data(&d, lie, SUBBUF, offs[0] + 3 * SUBBUF);
	memcpy(sizes, listed, sizeof(sizes));
	assert_int_equal(vt_dat_extend_sizes(&f, offs, sizes), 0);
	assert_int_equal(sizes[0], 3 * SUBBUF);
	dat_end(&d);
	free((char *)cpu0.data);
}

/* Each impossible table is refused, naming the CPU whose entry it is. */
static void refuses_impossible_tables(void **state)
{
	static const struct {
		uint64_t off[2]; /* in sub-buffers from data_off; ~0: in the header */
		uint64_t size[2];
		int bad_cpu;
	} cases[] = {
		{ { 0, 1 }, { 2 * SUBBUF, SUBBUF }, 1 },  /* overlapping */
		{ { ~0ULL, 1 }, { SUBBUF, SUBBUF }, 0 },  /* data in the header */
		{ { 0, 3 }, { SUBBUF, 100 }, 1 },	  /* not whole sub-buffers */
		{ { 0, 3 }, { SUBBUF, 64 * SUBBUF }, 1 }, /* past the end */
		{ { 0, 1 }, { 4 * SUBBUF, 0 }, 1 },	  /* empty inside another */
		{ { 0, 0 }, { 0, 0 }, -1 },		  /* fine: empty, same place */
	};
	uint64_t offs[2], sizes[2], want_offs[2];
	char page[SUBBUF] = { 0 };
	struct vt_dat_file f;
	unsigned int i, c;
	struct dat d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dat_start(&d, 2, false);
		put_data(&d, page, SUBBUF, d.data_off + 7 * SUBBUF);
		for (c = 0; c < 2; c++)
			want_offs[c] = cases[i].off[c] == ~0ULL ?
					       0 :
					       d.data_off + cases[i].off[c] * SUBBUF;
		assert_int_equal(
			vt_dat_write_offsets(d.fd, &d.m, d.table_off, want_offs, cases[i].size), 0);
		open_dat(&d, &f);
		assert_int_equal(vt_dat_read_table(&f, offs, sizes), cases[i].bad_cpu < 0 ? 0 : -1);
		assert_int_equal(f.bad_cpu, cases[i].bad_cpu);
		if (cases[i].bad_cpu >= 0)
			assert_non_null(f.bad);
		dat_end(&d);
	}
}

/* Cut anywhere in the header, or not a trace.dat: refused, with the reason. */
static void refuses_cut_headers(void **state)
{
	struct vt_dat_file f;
	uint64_t len;
	struct dat d;

	dat_start(&d, 2, false);
	for (len = 0; len < d.table_off + 2 * 16 + 8 + strlen("[local]"); len++) {
		assert_int_equal(vt_dat_read_header(&f, d.fd, len), -1);
		assert_non_null(f.bad);
	}
	assert_int_equal(vt_dat_read_header(&f, d.fd, len), 0);
	put_data(&d, "\x17\x08\x44tracing7", 11, 0);
	assert_int_equal(vt_dat_read_header(&f, d.fd, len), -1);
	assert_string_equal(f.bad, "not a trace.dat version 6 (as vtrace record writes it)");
	dat_end(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_the_writer_wrote),
		cmocka_unit_test(big_endian_file),
		cmocka_unit_test(finds_what_came_after_the_table),
		cmocka_unit_test(refuses_impossible_tables),
		cmocka_unit_test(refuses_cut_headers),
	};

	return cmocka_run_group_tests_name("trace.dat reader", tests, NULL, NULL);
}
