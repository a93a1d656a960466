// SPDX-License-Identifier: GPL-2.0
/*
 * libhypertrace and the region: emit and consume through a real shared file
 * in /dev/shm, a full ring, two producers racing a consumer, the seed's API
 * and its example program (compiled unchanged), init errors, and a region
 * scribbled over by a hostile guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ht-region.h"
#include "hypertrace.h"
#include "qemu-hypertrace.h"

struct region {
	char path[64];
	void *map;
	size_t len;
	struct ht_layout l;
	struct ht_cursor cur[8];
};

static void make_region(struct region *r, uint32_t clients, uint32_t args, uint32_t entries)
{
	int fd;

	snprintf(r->path, sizeof(r->path), "/dev/shm/vt-test-ht-%d", getpid());
	unlink(r->path);
	r->len = ht_region_size(clients, args, entries);
	assert_true(r->len > 0);
	fd = open(r->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, r->len), 0);
	r->map = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(r->map != MAP_FAILED);
	close(fd);
	ht_region_init(r->map, clients, args, entries, r->len, getpid(), HT_FLAG_TSC_OK);
	memset(r->cur, 0, sizeof(r->cur));
	assert_int_equal(ht_region_check(r->map, r->len, &r->l, NULL), 0);
}

static void drop_region(struct region *r)
{
	munmap(r->map, r->len);
	unlink(r->path);
}

struct got {
	uint64_t n, next_seq[8], last_ts, args[4][3];
	int bad_order;
};

static void collect(const struct ht_event *ev, void *ctx)
{
	struct got *g = ctx;

	if (ev->seq != g->next_seq[ev->client] || ev->ts < g->last_ts)
		g->bad_order++;
	g->next_seq[ev->client] = ev->seq + 1;
	g->last_ts = ev->ts;
	if (g->n < 4)
		memcpy(g->args[g->n], ev->args, sizeof(g->args[0]));
	g->n++;
}

static void emit_and_consume(void **state)
{
	struct region r;
	struct hypertrace *ht;
	struct got g = { 0 };
	uint64_t args[3];
	int i;

	make_region(&r, 4, 3, 1024);
	ht = hypertrace_open(r.path);
	assert_non_null(ht);
	assert_int_equal(hypertrace_max_clients(ht), 4);
	assert_int_equal(hypertrace_num_args(ht), 3);
	for (i = 0; i < 1000; i++) {
		args[0] = i;
		args[1] = 2 * i;
		args[2] = 3 * i;
		assert_int_equal(hypertrace_emit(ht, 2, args, 3), 0);
	}
	assert_int_equal(ht_consume(r.map, &r.l, 2, &r.cur[2], 5000, collect, &g), 1000);
	assert_int_equal(g.n, 1000);
	assert_int_equal(g.bad_order, 0);
	assert_int_equal(g.args[3][0], 3);
	assert_int_equal(g.args[3][2], 9);
	assert_int_equal(hypertrace_emit(ht, 4, args, 3), -1); /* no such client */
	assert_int_equal(errno, EINVAL);
	hypertrace_close(ht);
	drop_region(&r);
}

static void full_ring_drops(void **state)
{
	struct region r;
	struct hypertrace *ht;
	struct got g = { 0 };
	uint64_t a = 7;
	int i, fails = 0;

	make_region(&r, 1, 1, 8);
	ht = hypertrace_open(r.path);
	for (i = 0; i < 10; i++)
		fails += hypertrace_emit(ht, 0, &a, 1) != 0;
	assert_int_equal(fails, 2); /* never waits: counts */
	assert_int_equal(hypertrace_drops(ht, 0), 2);
	assert_int_equal(ht_consume(r.map, &r.l, 0, &r.cur[0], 100, collect, &g), 8);
	assert_int_equal(hypertrace_emit(ht, 0, &a, 1), 0); /* room again */
	hypertrace_close(ht);
	drop_region(&r);
}

struct got4 {
	int n;
	uint32_t clock[16];
	uint64_t args[16][4];
};

static void collect4(const struct ht_event *ev, void *ctx)
{
	struct got4 *g = ctx;

	if (g->n < 16) {
		g->clock[g->n] = ev->clock;
		memcpy(g->args[g->n], ev->args, sizeof(g->args[0]));
	}
	g->n++;
}

/* 4 arguments, the usual case: the fast path, its drops and the data slot. */
static void four_args(void **state)
{
	uint64_t a[4] = { 1, 2, 3, 4 }, *data;
	struct got4 g = { 0 };
	struct hypertrace *ht;
	struct region r;
	int i, fails = 0;

	make_region(&r, 2, 4, 8);
	ht = hypertrace_open(r.path);
	assert_non_null(ht);
	for (i = 0; i < 6; i++)
		assert_int_equal(hypertrace_emit(ht, 0, a, 4), 0);
	assert_int_equal(hypertrace_emit(ht, 0, a, 2), 0); /* arg3, arg4 are 0 */
	data = hypertrace_data(ht, 0);
	data[0] = 0xcafe;
	data[1] = 0xdead;
	data[2] = 0xbeef;
	assert_int_equal(hypertrace_emit_data(ht, 0, 9), 0);
	for (i = 0; i < 3; i++)
		fails += hypertrace_emit(ht, 0, a, 4) != 0;
	assert_int_equal(fails, 3);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(hypertrace_drops(ht, 0), 3);
	assert_int_equal(hypertrace_emit_data(ht, 2, 9), -1); /* no such client */
	assert_int_equal(ht_consume(r.map, &r.l, 0, &r.cur[0], 100, collect4, &g), 8);
	assert_memory_equal(g.args[0], a, sizeof(a));
	assert_int_equal(g.args[6][1], 2);
	assert_int_equal(g.args[6][2], 0);
	assert_int_equal(g.args[6][3], 0);
	assert_int_equal(g.args[7][0], 9);
	assert_int_equal(g.args[7][3], 0xbeef);
#if defined(__x86_64__) || defined(__i386__)
	assert_int_equal(g.clock[0], HT_CLOCK_TSC);
#endif
	assert_int_equal(hypertrace_emit(ht, 0, a, 4), 0); /* room again */
	hypertrace_close(ht);
	drop_region(&r);
}

struct producer {
	struct hypertrace *ht;
	uint32_t client;
	uint64_t sent, dropped;
};

#define PER_THREAD 200000

static void *produce(void *arg)
{
	struct producer *p = arg;
	uint64_t i;

	for (i = 0; i < PER_THREAD; i++) {
		uint64_t a[2] = { p->client, i };

		if (hypertrace_emit(p->ht, p->client, a, 2) == 0)
			p->sent++;
		else
			p->dropped++;
	}
	return NULL;
}

struct seen2 {
	uint64_t n[2], expect[2];
	int wrong;
};

static void check_two(const struct ht_event *ev, void *ctx)
{
	struct seen2 *s = ctx;

	/* published in order, each record whole: arg1 is its client */
	if (ev->args[0] != ev->client || ev->args[1] < s->expect[ev->client])
		s->wrong++;
	s->expect[ev->client] = ev->args[1] + 1;
	s->n[ev->client]++;
}

/* Two producers and a consumer at once: every event not dropped arrives whole. */
static void concurrent(void **state)
{
	struct producer p[2] = { { 0 }, { 0 } };
	struct seen2 s = { { 0 }, { 0 }, 0 };
	pthread_t t[2];
	struct region r;
	int i, running = 2;

	make_region(&r, 2, 2, 4096);
	for (i = 0; i < 2; i++) {
		p[i].ht = hypertrace_open(r.path);
		p[i].client = i;
		pthread_create(&t[i], NULL, produce, &p[i]);
	}
	while (running) {
		for (i = 0; i < 2; i++)
			ht_consume(r.map, &r.l, i, &r.cur[i], 1 << 20, check_two, &s);
		running = 0;
		for (i = 0; i < 2; i++)
			running += (p[i].sent + p[i].dropped) < PER_THREAD;
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		ht_consume(r.map, &r.l, i, &r.cur[i], 1 << 20, check_two, &s);
		assert_int_equal(s.n[i], p[i].sent);
		assert_int_equal(p[i].sent + p[i].dropped, PER_THREAD);
		assert_int_equal(hypertrace_drops(p[i].ht, i), p[i].dropped);
		hypertrace_close(p[i].ht);
	}
	assert_int_equal(s.wrong, 0);
	drop_region(&r);
}

static void init_errors(void **state)
{
	char path[] = "/dev/shm/vt-test-notht-XXXXXX";
	int fd;

	assert_int_equal(qemu_hypertrace_init("/dev/shm/vt-test-no-such-region"), -1);
	assert_int_equal(errno, ENOENT);
	fd = mkstemp(path);
	assert_int_equal(write(fd, "not a region, just text", 23), 23);
	close(fd);
	assert_int_equal(qemu_hypertrace_init(path), -1);
	assert_int_equal(errno, EINVAL);
	unlink(path);
	unsetenv("VTRACE_HYPERTRACE");
	/* no base: the PCI scan (pci.c) finds no ivshmem device on this host */
	assert_int_equal(qemu_hypertrace_init(NULL), -1);
	assert_int_equal(errno, ENODEV);
	/* a PCI address: none there, or a device that is not ivshmem (left alone) */
	assert_int_equal(qemu_hypertrace_init("0000:ff:1f.7"), -1);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(qemu_hypertrace_init("00:00.0"), -1);
	assert_int_equal(errno, ENODEV);
	qemu_hypertrace(0, 1); /* uninitialized: harmless */
	assert_null(qemu_hypertrace_data(0));
}

/* The seed's example, compiled unchanged against our header and library. */
static void seed_example(void **state)
{
	struct region r;
	struct got g = { 0 };
	const char *build = getenv("VTRACE_BUILD"); /* as tests/run.sh has it */
	char cmd[4352];

	make_region(&r, 2, 4, 64);
	snprintf(cmd, sizeof(cmd), "%s/tests/seed-hypertrace-example %s >/dev/null",
		 build ? build : "build", r.path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ht_consume(r.map, &r.l, 0, &r.cur[0], 10, collect, &g), 2);
	assert_int_equal(g.args[0][0], 1); /* arg1: start */
	assert_int_equal(g.args[0][1], 0xcafe);
	assert_int_equal(g.args[0][2], 0xdead);
	assert_int_equal(g.args[1][0], 0); /* arg1: stop */
	assert_int_equal(g.args[1][2], 0xdead);
	drop_region(&r);
}

static void ignore(const struct ht_event *ev, void *ctx)
{
	(*(uint64_t *)ctx)++;
}

/* A guest that scribbles over the whole region cannot crash the consumer. */
static void hostile_scribbles(void **state)
{
	struct region r;
	struct ht_layout l;
	uint64_t seen = 0;
	unsigned char *p;
	int round, c, forged = 0;
	size_t i;

	make_region(&r, 4, 3, 64);
	srand(42);
	for (round = 0; round < 2000; round++) {
		p = (unsigned char *)r.map + HT_HEADER_SIZE;
		for (i = 0; i < r.len - HT_HEADER_SIZE; i++)
			p[i] = rand();
		if (round % 10 == 0) { /* now and then the header too */
			for (i = 8; i < 64; i++)
				((unsigned char *)r.map)[i] = rand();
		}
		if (ht_region_check(r.map, r.len, &l, NULL)) {
			forged++;
			ht_region_init(r.map, 4, 3, 64, r.len, getpid(), 0);
			continue;
		}
		for (c = 0; c < (int)l.max_clients; c++)
			ht_consume(r.map, &l, c, &r.cur[c], 1 << 20, ignore, &seen);
	}
	assert_true(forged > 0); /* bad headers were refused */
	drop_region(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(emit_and_consume),  cmocka_unit_test(full_ring_drops),
		cmocka_unit_test(four_args),	     cmocka_unit_test(concurrent),
		cmocka_unit_test(init_errors),	     cmocka_unit_test(seed_example),
		cmocka_unit_test(hostile_scribbles),
	};

	return cmocka_run_group_tests_name("hypertrace", tests, NULL, NULL);
}
