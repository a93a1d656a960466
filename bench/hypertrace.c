// SPDX-License-Identifier: GPL-2.0
/*
 * The emitting side of bench/hypertrace.sh, against a region the real
 * collector (`vtrace hypertrace`) made and drains. Not a test: it measures
 * and prints; the script compares and judges.
 *
 *   hypertrace emit REGION       ns per event: the floor, hypertrace_emit(),
 *                                qemu_hypertrace(), in interleaved rounds
 *   hypertrace marker            ns per write() to a tracefs trace_marker
 *   hypertrace aggregate REGION THREADS   events/s, one client per CPU
 *   hypertrace sustain REGION RATE SECONDS   a rate-limited emitter
 *
 * Every timed burst is at most half a ring, and the next waits until the
 * collector has taken it: the figure is the cost of an emitted event with
 * the collector draining, not of a drop. Each figure is the median of its
 * rounds, so a round preempted by another process does not move it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "ht-bench.h"
#include "ht-region.h"
#include "hypertrace.h"
#include "qemu-hypertrace.h"

static void die(const char *what)
{
	fprintf(stderr, "bench/hypertrace: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to a CPU");
}

/* The bench's own read-only view of the region: to see the collector's tail. */
struct view {
	void *map;
	size_t len;
	struct ht_layout l;
};

static void view_open(struct view *v, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		die(path);
	v->len = st.st_size;
	v->map = mmap(NULL, v->len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (v->map == MAP_FAILED || ht_region_check(v->map, v->len, &v->l, NULL))
		die("not a hypertrace region");
}

/* Wait until the collector has taken every event of @client (10 s at most). */
static void drain(const struct view *v, uint32_t client)
{
	struct ht_client *cl = (void *)ht_client_area(v->map, &v->l, client);
	double t0 = now();

	while (__atomic_load_n(&cl->tail, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&cl->head, __ATOMIC_ACQUIRE)) {
		if (now() - t0 > 10) {
			fprintf(stderr, "bench/hypertrace: the collector takes nothing (is it "
					"running?)\n");
			exit(1);
		}
		usleep(200);
	}
}

static inline uint64_t stamp(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
#endif
}

/*
 * The floor: what an event cannot go below, four plain stores of the
 * arguments, an rdtsc (its value stored too) and a release store of the
 * head, into a ring of the same records in a shared mapping.
 */
struct floor {
	uint32_t *head;
	unsigned char *ring;
	uint32_t mask;
};

static void floor_open(struct floor *f, uint32_t entries)
{
	char path[64];
	size_t len = HT_CACHE_LINE + entries * ht_record_size(4);
	unsigned char *m;
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/vt-bench-floor-%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, len))
		die(path);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	unlink(path);
	if (m == MAP_FAILED)
		die("mmap");
	f->head = (uint32_t *)m;
	f->ring = m + HT_CACHE_LINE;
	f->mask = entries - 1;
}

static double floor_burst(struct floor *f, long n)
{
	double t0 = now();
	uint32_t h;
	long i;

	for (i = 0; i < n; i++) {
		h = *f->head;
		struct ht_record *r = (void *)(f->ring + (h & f->mask) * ht_record_size(4));

		r->args[0] = i;
		r->args[1] = 2;
		r->args[2] = 3;
		r->args[3] = 4;
		r->ts = stamp();
		__atomic_store_n(f->head, h + 1, __ATOMIC_RELEASE);
	}
	return (now() - t0) / n * 1e9;
}

static double emit_burst(struct hypertrace *ht, uint32_t client, long n)
{
	uint64_t args[4] = { 0, 2, 3, 4 };
	double t0 = now();
	long i;

	for (i = 0; i < n; i++) {
		args[0] = i;
		hypertrace_emit(ht, client, args, 4);
	}
	return (now() - t0) / n * 1e9;
}

static double seed_burst(uint32_t client, long n)
{
	uint64_t *data = qemu_hypertrace_data(client);
	double t0;
	long i;

	data[0] = 2;
	data[1] = 3;
	data[2] = 4;
	t0 = now();
	for (i = 0; i < n; i++)
		qemu_hypertrace(client, i);
	return (now() - t0) / n * 1e9;
}

static int cmd_emit(const char *path)
{
	double fl[ROUNDS], em[ROUNDS], sd[ROUNDS];
	struct hypertrace *ht;
	struct floor f;
	struct view v;
	long burst;
	int i;

	view_open(&v, path);
	ht = hypertrace_open(path);
	if (!ht || qemu_hypertrace_init(path))
		die(path);
	if (hypertrace_num_args(ht) != 4 || hypertrace_max_clients(ht) < 2) {
		fprintf(stderr, "bench/hypertrace: the region needs 4 arguments, 2 clients\n");
		return 1;
	}
	burst = v.l.ring_entries / 2;
	floor_open(&f, v.l.ring_entries);
	floor_burst(&f, burst); /* warm up: fault the pages in */
	for (i = 0; i < ROUNDS; i++) {
		fl[i] = floor_burst(&f, burst);
		em[i] = emit_burst(ht, 0, burst);
		drain(&v, 0);
		sd[i] = seed_burst(1, burst);
		drain(&v, 1);
	}
	printf("floor %.2f\n", median(fl, ROUNDS));
	printf("emit %.2f\n", median(em, ROUNDS));
	printf("seed %.2f\n", median(sd, ROUNDS));
	printf("events %ld\n", 2 * (ROUNDS + 0L) * burst);
	printf("drops %llu\n",
	       (unsigned long long)(hypertrace_drops(ht, 0) + hypertrace_drops(ht, 1)));
	qemu_hypertrace_fini();
	hypertrace_close(ht);
	return 0;
}

static int cmd_marker(void)
{
	static const char msg[] = "vtrace-bench marker 1234";
	char inst[128], file[160];
	double ns[ROUNDS];
	int fd, i, j;

	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/vt-bench-ht-%d", getpid());
	if (mkdir(inst, 0700))
		die(inst);
	snprintf(file, sizeof(file), "%s/trace_marker", inst);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < ROUNDS; i++) {
		double t0 = now();

		for (j = 0; j < 2000; j++)
			if (write(fd, msg, sizeof(msg) - 1) < 0)
				die(file);
		ns[i] = (now() - t0) / 2000 * 1e9;
	}
	if (fd >= 0)
		close(fd);
	rmdir(inst);
	if (fd < 0)
		die(file);
	printf("marker %.2f\n", median(ns, ROUNDS));
	return 0;
}

/*
 * aggregate: one thread per CPU, client = CPU, bursts started together.
 * Each thread times its own burst; a round's rate is the sum of the
 * threads' rates, and the figure the median round.
 */
struct agg {
	struct hypertrace *ht;
	const struct view *v;
	pthread_barrier_t *bar;
	int cpu;
	long burst;
	double ns[ROUNDS];
};

static void *agg_thread(void *arg)
{
	struct agg *a = arg;
	int r;

	pin(a->cpu);
	for (r = 0; r < ROUNDS; r++) {
		drain(a->v, a->cpu);
		pthread_barrier_wait(a->bar);
		a->ns[r] = emit_burst(a->ht, a->cpu, a->burst);
	}
	return NULL;
}

static int cmd_aggregate(const char *path, int n)
{
	static struct agg a[64];
	double rate[ROUNDS];
	pthread_barrier_t bar;
	pthread_t t[64];
	uint64_t drops = 0;
	struct view v;
	int i, r;

	view_open(&v, path);
	if (n < 1 || n > 64 || (uint32_t)n > v.l.max_clients) {
		fprintf(stderr, "bench/hypertrace: 1..64 threads, no more than the clients\n");
		return 1;
	}
	pthread_barrier_init(&bar, NULL, n);
	for (i = 0; i < n; i++) {
		a[i] = (struct agg){ .ht = hypertrace_open(path),
				     .v = &v,
				     .bar = &bar,
				     .cpu = i,
				     .burst = v.l.ring_entries / 2 };
		if (!a[i].ht)
			die(path);
		pthread_create(&t[i], NULL, agg_thread, &a[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		drops += hypertrace_drops(a[i].ht, i);
		hypertrace_close(a[i].ht);
	}
	for (r = 0; r < ROUNDS; r++)
		for (rate[r] = 0, i = 0; i < n; i++)
			rate[r] += 1e9 / a[i].ns[r];
	for (i = 0; i < n; i++)
		printf("cpu%d %.2f\n", i, median(a[i].ns, ROUNDS));
	printf("aggregate %.0f\n", median(rate, ROUNDS));
	printf("events %ld\n", n * a[0].burst * (long)ROUNDS);
	printf("drops %llu\n", (unsigned long long)drops);
	return 0;
}

/*
 * sustain: @rate events/s for @secs seconds from one thread, client 0:
 * each look at the clock emits what is due by then (a few events at 5M/s).
 */
static int cmd_sustain(const char *path, double rate, double secs)
{
	uint64_t args[4] = { 0, 2, 3, 4 };
	struct hypertrace *ht = hypertrace_open(path);
	long sent = 0, due, fails = 0;
	double t0, t;

	if (!ht)
		die(path);
	t0 = now();
	while ((t = now() - t0) < secs) {
		due = (long)(t * rate);
		while (sent < due) {
			args[0] = sent++;
			fails += hypertrace_emit(ht, 0, args, 4) != 0;
		}
	}
	t = now() - t0;
	printf("emitted %ld\n", sent);
	printf("seconds %.3f\n", t);
	printf("rate %.0f\n", sent / t);
	printf("drops %llu\n", (unsigned long long)hypertrace_drops(ht, 0));
	printf("failed %ld\n", fails);
	hypertrace_close(ht);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "emit") && argc == 3)
		return cmd_emit(argv[2]);
	if (!strcmp(cmd, "marker") && argc == 2)
		return cmd_marker();
	if (!strcmp(cmd, "aggregate") && argc == 4)
		return cmd_aggregate(argv[2], atoi(argv[3]));
	if (!strcmp(cmd, "sustain") && argc == 5)
		return cmd_sustain(argv[2], atof(argv[3]), atof(argv[4]));
	fprintf(stderr,
		"usage: %s emit REGION | marker | aggregate REGION THREADS |\n"
		"       sustain REGION RATE SECONDS   (run by bench/hypertrace.sh)\n",
		argv[0]);
	return 2;
}
