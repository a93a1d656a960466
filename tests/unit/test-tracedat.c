// SPDX-License-Identifier: GPL-2.0
/*
 * The trace.dat writer, proven by the reader: a file written from the real
 * 6.1 guest fixtures is opened with libtracecmd, which must find every
 * event (634) and every marker (500, each once) with its CPU.
 */
#include <dirent.h>
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

#include <event-parse.h>
#include <trace-cmd.h>

#include "tracedat.h"

#define FIX "tests/fixtures/guest-6.1-x86_64/"

struct counts {
	int events, marks[2], seen[501];
};

static int count_event(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *ev = tep_find_event_by_record(tep, rec);
	struct counts *c = data;
	unsigned long long len;
	const char *buf;
	int n;

	assert_non_null(ev);
	c->events++;
	if (strcmp(ev->name, "print"))
		return 0;
	buf = tep_get_field_raw(NULL, ev, "buf", rec, (int *)&len, 0);
	if (buf && sscanf(buf, "vtrace-mark %d", &n) == 1 && n >= 1 && n <= 500) {
		c->seen[n]++;
		c->marks[cpu]++;
	}
	return 0;
}

static struct vt_format formats[64];

static void fixture_meta(struct vt_dat_meta *m)
{
	struct dirent *de;
	char file[512];
	DIR *dir;
	int nf = 0;

	memset(m, 0, sizeof(*m));
	m->long_size = 8;
	m->subbuf_size = 4096;
	m->nr_cpus = 2;
	m->header_page = fixture_blob(FIX "events/header_page");
	m->header_event = fixture_blob(FIX "events/header_event");
	m->printk_formats = fixture_blob(FIX "printk_formats");
	m->saved_cmdlines = fixture_blob(FIX "saved_cmdlines");
	m->trace_clock = fixture_blob(FIX "trace_clock");
	m->uname = fixture_blob(FIX "kernel_release"); /* no NUL: the writer adds it */
	formats[nf].system = "ftrace";
	formats[nf++].text = fixture_blob(FIX "events/ftrace/print/format");
	dir = opendir(FIX "events/sched");
	assert_non_null(dir);
	while ((de = readdir(dir)) && nf < 64) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), FIX "events/sched/%s/format", de->d_name);
		formats[nf].system = "sched";
		formats[nf++].text = fixture_blob(file);
	}
	closedir(dir);
	m->formats = formats;
	m->nr_formats = nf;
}

static void fixture_free(struct vt_dat_meta *m)
{
	int i;

	free((char *)m->header_page.data);
	free((char *)m->header_event.data);
	free((char *)m->printk_formats.data);
	free((char *)m->saved_cmdlines.data);
	free((char *)m->trace_clock.data);
	free((char *)m->uname.data);
	for (i = 0; i < m->nr_formats; i++)
		free((char *)m->formats[i].text.data);
}

/* Reads @path with libtracecmd: every event and marker, each once, on CPU 0. */
static void check_file(const char *path)
{
	struct tracecmd_input *h;
	struct counts c = { 0 };
	int i;

	h = tracecmd_open(path, 0);
	assert_non_null(h);
	tracecmd_iterate_events(h, NULL, 0, count_event, &c);
	tracecmd_close(h);
	assert_int_equal(c.events, 634);
	assert_int_equal(c.marks[0] + c.marks[1], 500);
	assert_int_equal(c.marks[0], 500); /* the guest wrote them all on CPU 0 */
	for (i = 1; i <= 500; i++)
		assert_int_equal(c.seen[i], 1);
}

static void fixture_cpus(int *fds, uint64_t *sizes)
{
	fds[0] = open(FIX "cpu0.raw", O_RDONLY);
	fds[1] = open(FIX "cpu1.raw", O_RDONLY);
	assert_true(fds[0] >= 0 && fds[1] >= 0);
	sizes[0] = lseek(fds[0], 0, SEEK_END);
	sizes[1] = lseek(fds[1], 0, SEEK_END);
}

/* After v6's offsets table: the clock in use, bracketed, with its length. */
static void check_v6_clock(const char *path, const char *want)
{
	struct vt_blob b = fixture_blob(path);
	const char *fly = memmem(b.data, b.len, "flyrecord", 10);
	uint64_t len;

	assert_non_null(fly);
	memcpy(&len, fly + 10 + 2 * 16, 8); /* two CPUs; a little-endian file here */
	assert_int_equal(len, strlen(want));
	assert_memory_equal(fly + 10 + 2 * 16 + 8, want, len);
	free((char *)b.data);
}

static void write_then_read(void **state)
{
	char path[] = "/tmp/vt-test-dat.XXXXXX";
	struct vt_dat_meta m;
	uint64_t sizes[2];
	int fds[2], fd;

	fixture_meta(&m);
	fixture_cpus(fds, sizes);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(vt_dat_write_v6(fd, &m, fds, sizes), 0);
	close(fd);
	check_file(path);
	check_v6_clock(path, "[global]"); /* the fixture's trace_clock selects global */
	unlink(path);
	close(fds[0]);
	close(fds[1]);
	fixture_free(&m);
}

/* Version 7, zstd: the same events come back, and the file is smaller. */
static void write_then_read_v7(void **state)
{
	char path[] = "/tmp/vt-test-dat7.XXXXXX";
	struct vt_dat_meta m;
	uint64_t sizes[2], offs[2] = { 0, 0 };
	int fds[2], fd;

	fixture_meta(&m);
	fixture_cpus(fds, sizes);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(vt_dat_write_v7(fd, &m, fds, offs, sizes), 0);
	assert_true(lseek(fd, 0, SEEK_END) < (off_t)(sizes[0] + sizes[1]));
	close(fd);
	check_file(path);
	unlink(path);
	close(fds[0]);
	close(fds[1]);
	fixture_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_then_read),
		cmocka_unit_test(write_then_read_v7),
	};

	return cmocka_run_group_tests_name("trace.dat writer", tests, NULL, NULL);
}
