// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace hypertrace: make a hypertrace region and collect its events,
 * printed as QEMU's log backend prints its guest_hypertrace event.
 *
 * The guest never traps, so nothing can wake the collector: it takes what
 * the rings hold every 100 us while events come, backing off to 2 ms when
 * idle. A ring holds ring_entries events per client; a full ring drops,
 * counted, never waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ht-clock.h"
#include "ht-region.h"
#include "vtrace.h"

static const char usage[] =
"Usage: vtrace hypertrace --path BASE [OPTION]...\n"
"Make the hypertrace region BASE (a new file, mode 0600, e.g. in /dev/shm) and\n"
"print every event guest code emits into it, in QEMU's log format, until\n"
"Ctrl-C; then report drops and remove the region.\n"
"  -p, --path BASE      the region to make (refused if anything is there)\n"
"  -c, --clients N      clients (threads or CPUs emitting), default 16\n"
"  -a, --args N         arguments per event, arg1 included, default 4\n"
"  -e, --entries N      ring entries per client, a power of 2, default 65536\n"
"  -o, --output FILE    write the events there instead of standard output\n"
"  -k, --keep           leave the region in place at exit\n";

struct collector {
	FILE *out;
	unsigned long pid;
	uint32_t num_args;
	unsigned long long events;
	struct ht_clock clock;
	struct ht_cursor *cursors;	/* per client */
};

static void print_event(const struct ht_event *ev, void *ctx)
{
	struct collector *c = ctx;
	uint64_t ts = ht_clock_to_mono(&c->clock, ev->clock, ev->raw_ts);
	uint32_t i;

	fprintf(c->out, "%lu@%llu.%06llu:guest_hypertrace cpu=%u client=%u arg1=%llu", c->pid,
		(unsigned long long)(ts / 1000000000), (unsigned long long)(ts / 1000 % 1000000),
		ev->client, ev->client, (unsigned long long)ev->args[0]);
	for (i = 1; i < c->num_args; i++)
		fprintf(c->out, " arg%u=0x%016llx", i + 1, (unsigned long long)ev->args[i]);
	fputc('\n', c->out);
	c->events++;
}

/* Make the region: a new file only, no symlink followed, mode 0600. */
static void *make_region(const char *path, uint32_t clients, uint32_t args, uint32_t entries,
			 uint16_t flags, size_t *len)
{
	void *map;
	int fd;

	*len = ht_region_size(clients, args, entries);
	if (!*len) {
		vt_err("invalid region: 1..%d clients, 1..%d arguments, a power of 2 up to %u "
		       "entries", HT_MAX_CLIENTS, HT_MAX_ARGS, HT_MAX_RING_ENTRIES);
		return NULL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		vt_err("cannot create %s: %s%s", path, strerror(errno),
		       errno == EEXIST ? "; something is there already (remove it, or choose "
					 "another --path)" : "");
		return NULL;
	}
	if (ftruncate(fd, *len) < 0) {
		vt_err("cannot size %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	map = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		vt_err("cannot map %s: %s", path, strerror(errno));
		unlink(path);
		return NULL;
	}
	ht_region_init(map, clients, args, entries, *len, getpid(), flags);
	return map;
}

static int collect_all(void *map, const struct ht_layout *l, struct collector *c)
{
	int c_i, n, total = 0;

	for (c_i = 0; c_i < (int)l->max_clients; c_i++) {
		n = ht_consume(map, l, c_i, &c->cursors[c_i], l->ring_entries, print_event, c);
		if (n < 0)
			vt_err("client %d: impossible ring counters (a hostile or broken guest); "
			       "skipped", c_i);
		else
			total += n;
	}
	return total;
}

static int sig_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int cmd_hypertrace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "args", required_argument, NULL, 'a' },
		{ "entries", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *output = NULL;
	long clients = 16, args = 4, entries = 65536;
	struct collector col = { .out = stdout, .pid = getpid() };
	struct ht_layout l;
	struct signalfd_siginfo si;
	bool keep = false;
	long idle_us = 100;
	size_t len;
	void *map;
	int c, sfd;
	uint32_t i;

	while ((c = getopt_long(argc, argv, "p:c:a:e:o:kh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'c': clients = atol(optarg); break;
		case 'a': args = atol(optarg); break;
		case 'e': entries = atol(optarg); break;
		case 'o': output = optarg; break;
		case 'k': keep = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!path || optind < argc) {
		vt_err("give the region's path with --path, e.g. --path /dev/shm/hypertrace");
		return 2;
	}
	if (clients < 1 || args < 1 || entries < 1 || clients > HT_MAX_CLIENTS ||
	    args > HT_MAX_ARGS || entries > HT_MAX_RING_ENTRIES) {
		vt_err("invalid region: 1..%d clients, 1..%d arguments, a power of 2 up to %u "
		       "entries", HT_MAX_CLIENTS, HT_MAX_ARGS, HT_MAX_RING_ENTRIES);
		return 2;
	}
	if (output && !(col.out = fopen(output, "w"))) {
		vt_err("cannot write %s: %s", output, strerror(errno));
		return 1;
	}
	ht_clock_init(&col.clock);
	col.cursors = calloc(clients, sizeof(*col.cursors));
	if (!col.cursors) {
		vt_err("out of memory");
		return 1;
	}
	sfd = sig_fd();
	map = make_region(path, clients, args, entries, col.clock.tsc_ok ? HT_FLAG_TSC_OK : 0,
			  &len);
	if (!map)
		return 1;
	ht_region_check(map, len, &l, NULL);	/* ours, just made: read once, here */
	col.num_args = l.num_args;
	vt_info("hypertrace region %s: %u clients, %u arguments, %u entries each; Ctrl-C to end",
		path, l.max_clients, l.num_args, l.ring_entries);
	while (read(sfd, &si, sizeof(si)) != sizeof(si)) {
		struct timespec ts;

		ht_clock_update(&col.clock);
		if (collect_all(map, &l, &col)) {
			fflush(col.out);
			idle_us = 100;
		} else if (idle_us < 2000) {
			idle_us *= 2;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = idle_us * 1000;
		nanosleep(&ts, NULL);
	}
	collect_all(map, &l, &col);
	fflush(col.out);
	for (i = 0; i < l.max_clients; i++) {
		uint64_t drops = ht_update_drops(map, &l, i, &col.cursors[i]);

		if (drops)
			vt_info("client %u: %llu events dropped (its ring was full; more --entries "
				"helps)", i, (unsigned long long)drops);
	}
	vt_info("%llu events", col.events);
	free(col.cursors);
	munmap(map, len);
	if (!keep)
		unlink(path);
	if (output)
		fclose(col.out);
	close(sfd);
	return 0;
}
