// SPDX-License-Identifier: GPL-2.0
/*
 * vt-htthreads: emit hypertrace events from many threads through <hypertrace.h>.
 *
 *   vt-htthreads -p REGION [-t THREADS] [-c CLIENTS] [-n EVENTS] [-r RATE]
 *   vt-htthreads --now
 *
 * Thread t owns the clients c with c % THREADS == t and emits EVENTS events,
 * round-robin over them, at most RATE per second (0: as fast as it can).
 * Client c's k-th attempt carries arg1 = k, arg2 = 0x0123456789ab0000 | c,
 * arg3 = t, arg4 = ~k: full 64-bit values, so a wrong byte or word order, a
 * torn record or a record of another client shows (vt-htcheck checks them).
 * Prints "threads T clients C events N", then "client C emitted E dropped D"
 * per client (D: attempts refused on a full ring, checked against
 * hypertrace_drops()). --now prints CLOCK_MONOTONIC as SEC.USEC, the
 * collector's clock and format, for tests to bracket its timestamps.
 * Built natively and for the cross targets (build/cross/ARCH/).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hypertrace.h>

#define ARG2_BASE 0x0123456789ab0000ULL

struct client_stat {
	uint64_t emitted, dropped;
};

struct worker {
	pthread_t tid;
	struct hypertrace *ht;
	uint32_t thread, threads, clients;
	long events, rate;
	struct client_stat *stats; /* all clients; this thread writes its own */
	int err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Sleep until event @i is due at @rate per second from @t0. */
static void pace(uint64_t t0, long i, long rate)
{
	uint64_t due = t0 + (uint64_t)i * 1000000000ULL / rate, now = now_ns();
	struct timespec ts;

	if (due <= now)
		return;
	ts.tv_sec = (due - now) / 1000000000ULL;
	ts.tv_nsec = (due - now) % 1000000000ULL;
	nanosleep(&ts, NULL);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint32_t owned = (w->clients - w->thread + w->threads - 1) / w->threads;
	uint64_t t0 = now_ns();
	long i;

	for (i = 0; i < w->events; i++) {
		uint32_t c = w->thread + (uint32_t)(i % owned) * w->threads;
		struct client_stat *s = &w->stats[c];
		uint64_t a[4] = { s->emitted, ARG2_BASE | c, w->thread, ~s->emitted };

		if (w->rate && i % 16 == 0)
			pace(t0, i, w->rate);
		if (hypertrace_emit(w->ht, c, a, 4) == 0) {
			s->emitted++;
			continue;
		}
		if (errno != ENOSPC) {
			w->err = errno;
			return NULL;
		}
		s->emitted++;
		s->dropped++;
	}
	return NULL;
}

static int print_now(void)
{
	uint64_t ns = now_ns();

	printf("%llu.%06llu\n", (unsigned long long)(ns / 1000000000ULL),
	       (unsigned long long)(ns / 1000 % 1000000));
	return 0;
}

static const char usage[] =
	"usage: vt-htthreads -p REGION [-t THREADS] [-c CLIENTS] [-n EVENTS] [-r RATE]\n"
	"       vt-htthreads --now\n"
	"Emit EVENTS events per thread (default 1000) from THREADS threads (default 1)\n"
	"over CLIENTS clients (default THREADS), at most RATE per second per thread.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "clients", required_argument, NULL, 'c' },
		{ "events", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "now", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long threads = 1, clients = 0, events = 1000, rate = 0;
	const char *path = NULL;
	struct client_stat *stats;
	struct hypertrace *ht;
	struct worker *w;
	int c, rc = 0;
	long i;

	while ((c = getopt_long(argc, argv, "p:t:c:n:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 't':
			threads = atol(optarg);
			break;
		case 'c':
			clients = atol(optarg);
			break;
		case 'n':
			events = atol(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 'N':
			return print_now();
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!clients)
		clients = threads;
	if (!path || optind != argc || threads < 1 || clients < threads || events < 0 || rate < 0) {
		fputs(usage, stderr);
		return 2;
	}
	ht = hypertrace_open(path);
	if (!ht) {
		fprintf(stderr, "vt-htthreads: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((unsigned long)clients > hypertrace_max_clients(ht) || hypertrace_num_args(ht) < 4) {
		fprintf(stderr,
			"vt-htthreads: %s has %u clients and %u arguments; %ld clients and 4 "
			"arguments needed\n",
			path, hypertrace_max_clients(ht), hypertrace_num_args(ht), clients);
		return 1;
	}
	stats = calloc(clients, sizeof(*stats));
	w = calloc(threads, sizeof(*w));
	if (!stats || !w) {
		fprintf(stderr, "vt-htthreads: out of memory\n");
		return 1;
	}
	for (i = 0; i < threads; i++) {
		w[i] = (struct worker){ .ht = ht,
					.thread = i,
					.threads = threads,
					.clients = clients,
					.events = events,
					.rate = rate,
					.stats = stats };
		if (pthread_create(&w[i].tid, NULL, work, &w[i])) {
			fprintf(stderr, "vt-htthreads: cannot start thread %ld\n", i);
			return 1;
		}
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].err) {
			fprintf(stderr, "vt-htthreads: thread %ld: %s\n", i, strerror(w[i].err));
			rc = 1;
		}
	}
	printf("threads %ld clients %ld events %ld\n", threads, clients, events);
	for (i = 0; i < clients; i++) {
		printf("client %ld emitted %llu dropped %llu\n", i,
		       (unsigned long long)stats[i].emitted, (unsigned long long)stats[i].dropped);
		if (hypertrace_drops(ht, i) != stats[i].dropped) {
			fprintf(stderr,
				"vt-htthreads: client %ld: the region counts %llu drops, "
				"we saw %llu\n",
				i, (unsigned long long)hypertrace_drops(ht, i),
				(unsigned long long)stats[i].dropped);
			rc = 1;
		}
	}
	hypertrace_close(ht);
	free(stats);
	free(w);
	return rc;
}
