// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace hypertrace: make a hypertrace region and collect its events, as
 * QEMU log-style lines (ht-log.c) or a trace.dat (ht-dat.c), firing the
 * USDT probe guest_hypertrace and the --on actions (ht-actions.c) for each.
 *
 * The guest never traps, so nothing can wake the collector: it takes what
 * the rings hold every 100 us while events come (at once again after a round
 * of BUSY_EVENTS or more), backing off to 2 ms when idle. A ring holds
 * ring_entries events per client; a full ring drops, counted, never waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sdt.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ht-clock.h"
#include "ht-system.h"
#include "ht.h"
#include "vtrace.h"
#include "io.h"

/* A round that took this many events does not sleep after it. */
#define BUSY_EVENTS 4096

/* The region, as the collector holds it. */
struct region {
	void *map;
	size_t len;
	int fd; /* kept: the guard gives the file its size back if a guest shrinks it */
	struct ht_layout l;
};

struct collector {
	uint32_t num_args;
	bool guest_clock;	      /* keep the guest's own timestamps */
	uint64_t events, by_clock[3]; /* HT_CLOCK_MONO, HT_CLOCK_TSC, other */
	struct ht_clock clock;
	struct ht_cursor *cursors;     /* per client */
	uint64_t *last_ts;	       /* per client: the time given its last event */
	uint64_t clamped, max_back_ns; /* events stamped before their client's previous one */
	struct htc_log *log;
	struct htc_dat *dat;
	struct htc_actions *actions;
};

static void on_event(const struct ht_event *ev, void *ctx)
{
	struct collector *c = ctx;
	const uint64_t *a = ev->args; /* those past num_args are 0 */
	uint64_t ts;

	ht_clock_observe(&c->clock, ev->clock, ev->raw_ts); /* system mode only */
	ts = c->guest_clock ? ev->raw_ts : ht_clock_to_mono(&c->clock, ev->clock, ev->raw_ts);
	/*
	 * A client's events are in order, so their times must be: the TSC map
	 * moves a little at a recalibration (system mode: as the offset
	 * narrows), and a hostile guest may write anything.
	 */
	if (ts < c->last_ts[ev->client]) {
		if (c->last_ts[ev->client] - ts > c->max_back_ns)
			c->max_back_ns = c->last_ts[ev->client] - ts;
		c->clamped++;
		ts = c->last_ts[ev->client];
	}
	c->last_ts[ev->client] = ts;

	/* $arg1 is arg1, as the seed's SystemTap script wants; SDT allows 12 */
	STAP_PROBE12(vtrace, guest_hypertrace, a[0], ev->client, a[1], a[2], a[3], a[4], a[5], a[6],
		     a[7], a[8], a[9], a[10]);
	if (c->dat)
		htc_dat_event(c->dat, ev, ts);
	else
		htc_log_event(c->log, ev, ts);
	if (c->actions)
		htc_actions_match(c->actions, ev);
	c->by_clock[ev->clock < 2 ? ev->clock : 2]++;
	c->events++;
}

/*
 * The region's size, for make_region and --print-options alike: a power of
 * two in every mode, the size QEMU's ivshmem needs, so that a region made
 * without --system cannot crash QEMU either. The file is sparse: pages past
 * the rings are never touched, so the rounding costs no memory.
 */
static uint64_t region_size(const struct htc_options *o)
{
	return htc_system_size(ht_region_size(o->clients, o->args, o->entries));
}

/* Make the region: a new file only, no symlink followed, mode 0600. */
static int make_region(struct region *r, const struct htc_options *o, uint16_t flags)
{
	r->len = region_size(o);
	r->fd = open(o->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->fd < 0) {
		cli_err("cannot create %s: %s%s", o->path, strerror(errno),
			errno == EEXIST ? "; something is there already (remove it, or choose "
					  "another --path)" :
					  "");
		return -1;
	}
	if (ftruncate(r->fd, r->len) < 0) {
		cli_err("cannot size %s: %s", o->path, strerror(errno));
		goto fail;
	}
	r->map = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		cli_err("cannot map %s: %s", o->path, strerror(errno));
		goto fail;
	}
	ht_region_init(r->map, o->clients, o->args, o->entries, r->len, getpid(), flags);
	ht_region_check(r->map, r->len, &r->l, NULL); /* ours, just made: read once, here */
	return 0;
fail:
	close(r->fd);
	unlink(o->path);
	return -1;
}

static int collect_all(void *map, const struct ht_layout *l, struct collector *c)
{
	int c_i, n, total = 0;

	ht_clock_round(&c->clock);
	for (c_i = 0; c_i < (int)l->max_clients; c_i++) {
		n = ht_consume(map, l, c_i, &c->cursors[c_i], l->ring_entries, on_event, c);
		if (n >= 0)
			total += n;
		else if (c->cursors[c_i].bad_counters == 1) /* once; counted at exit */
			cli_err("client %d: impossible ring counters (a hostile or broken guest); "
				"what they claim is skipped",
				c_i);
	}
	return total;
}

static int sig_fd(void)
{
	static const int signals[] = { SIGINT, SIGTERM, 0 };

	return vt_signalfd(signals);
}

/* How the timestamps were made, and how far off they may be. */
static void report_clock(const struct collector *c)
{
	const struct ht_clock *ck = &c->clock;

	if (ck->system) { /* the guest's clocks: how well their offsets are known */
		ht_clock_report(ck);
		return;
	}
	if (c->by_clock[HT_CLOCK_TSC])
		cli_info("timestamps: %" PRIu64 " events stamped with the TSC, mapped to host "
			 "CLOCK_MONOTONIC by a line fitted to clock_gettime (%.6f ns/tick over "
			 "%.1f s); its largest error at a recalibration: %.0f ns (each point "
			 "read within +-%.0f ns)",
			 c->by_clock[HT_CLOCK_TSC], ck->ns_per_tick, (ck->ns1 - ck->ns0) / 1e9,
			 ck->max_err_ns, ck->bracket_ns);
	if (c->by_clock[HT_CLOCK_MONO])
		cli_info("timestamps: %" PRIu64 " events stamped with the emitter's "
			 "CLOCK_MONOTONIC (the host's, in user mode), used as they are",
			 c->by_clock[HT_CLOCK_MONO]);
	if (c->by_clock[2])
		cli_info("timestamps: %" PRIu64 " events with an unknown clock, used as they "
			 "are",
			 c->by_clock[2]);
	if (!ck->tsc_ok)
		cli_info("timestamps: this host's TSC is not invariant: emitters use "
			 "CLOCK_MONOTONIC");
}

/* Open where the events go: a log (stdout or a file) or a trace.dat. */
static int open_output(struct collector *c, const struct htc_options *o)
{
	int fd = STDOUT_FILENO;

	if (o->dat) {
		c->dat = htc_dat_open(o->output ? o->output : "trace.dat", o->clients, o->args,
				      getpid());
		return c->dat ? 0 : -1;
	}
	if (o->output) {
		/* never through a symlink: -o may name a shared place such as /tmp */
		fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			cli_err("cannot write %s: %s", o->output,
				errno == ELOOP ?
					"a symbolic link (refused: give the file's real path, or leave out "
					"-o for standard output)" :
					strerror(errno));
			return -1;
		}
	}
	htc_log_init(c->log, fd, getpid(), o->args);
	c->log->nsec = o->guest_clock;
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run(const struct region *r, struct collector *c, int sfd)
{
	double t0 = mono_seconds(), cpu0 = cpu_seconds(), cpu;
	struct signalfd_siginfo si;
	long idle_us = 100;

	while (read(sfd, &si, sizeof(si)) != sizeof(si)) {
		struct timespec ts;
		int n;

		ht_clock_update(&c->clock);
		n = collect_all(r->map, &r->l, c);
		if (n) {
			if (c->log && htc_log_flush(c->log))
				break; /* a closed pipe, a full disk: reported at exit */
			idle_us = 100;
		} else if (idle_us < 2000) {
			idle_us *= 2;
		}
		if (c->actions)
			htc_actions_run(c->actions);
		if (n >= BUSY_EVENTS)
			continue; /* a flood: no sleep while it lasts */
		ts.tv_sec = 0;
		ts.tv_nsec = idle_us * 1000;
		nanosleep(&ts, NULL);
	}
	collect_all(r->map, &r->l, c);
	if (c->actions)
		htc_actions_run(c->actions);
	/* the collection's own cost, before a trace.dat is written out */
	cpu = cpu_seconds() - cpu0;
	cli_info("collected %" PRIu64 " events in %.1f s, using %.2f s of CPU (%.0f ns an event)",
		 c->events, mono_seconds() - t0, cpu, c->events ? cpu * 1e9 / c->events : 0.0);
}

/* Each client's drops and malformed records. */
static void report_clients(const struct region *r, struct collector *c)
{
	uint32_t i;

	for (i = 0; i < r->l.max_clients; i++) {
		uint64_t drops = ht_update_drops(r->map, &r->l, i, &c->cursors[i]);

		if (drops)
			cli_info("client %u: %" PRIu64 " events dropped (its ring was full; more "
				 "--entries helps)",
				 i, drops);
		if (c->cursors[i].skipped || c->cursors[i].bad_counters)
			cli_info("client %u: %" PRIu64 " malformed records skipped, impossible "
				 "counters %u times",
				 i, c->cursors[i].skipped, c->cursors[i].bad_counters);
	}
}

/* Drops, events, clock, guard; returns 0, or 1 when the output could not be written. */
static int finish(const struct region *r, struct collector *c, const struct htc_options *o)
{
	struct htc_dat_stats st;
	int ret = 0;

	report_clients(r, c);
	if (c->log) {
		if (htc_log_flush(c->log)) {
			cli_err("cannot write %s: %s", o->output ? o->output : "standard output",
				strerror(c->log->err));
			ret = 1;
		}
		if (o->output)
			close(c->log->fd);
		cli_info("%" PRIu64 " events", c->events);
	} else {
		if (htc_dat_finish(c->dat, &st))
			ret = 1;
		else
			cli_info("wrote %s (trace.dat v6, clock %s): %" PRIu64 " events of %d "
				 "client%s; read it with 'trace-cmd report -i %s'",
				 o->output ? o->output : "trace.dat",
				 o->guest_clock ? "the guest's" : "mono", st.events, st.cpus,
				 st.cpus == 1 ? "" : "s", o->output ? o->output : "trace.dat");
	}
	if (c->clamped)
		cli_info("%" PRIu64
			 " events were stamped before their client's previous one, by up "
			 "to %" PRIu64 " ns (%s): given that one's time",
			 c->clamped, c->max_back_ns,
			 c->max_back_ns < 1000 ?
				 "the TSC map's recalibration" :
			 c->clock.system ?
				 "the guest clock's offset estimate narrowing, or a broken "
				 "or hostile clock" :
				 "a broken or hostile clock");
	report_clock(c);
	if (htc_guard_restored())
		cli_info("the guest shrank the region's file %u times; its size was given back "
			 "each time (what the cut pages held is lost)",
			 htc_guard_restored());
	return ret;
}

/* Everything but the region: actions, output, clocks. 0, or -1 (said). */
static int setup_collector(struct collector *c, const struct htc_options *o)
{
	c->guest_clock = o->guest_clock;
	if (o->system)
		htc_actions_connect_later(c->actions);
	if (!htc_actions_any(c->actions)) {
		htc_actions_free(c->actions);
		c->actions = NULL;
	}
	c->log = o->dat ? NULL : malloc(sizeof(*c->log));
	c->cursors = calloc(o->clients, sizeof(*c->cursors));
	c->last_ts = calloc(o->clients, sizeof(*c->last_ts));
	if ((!o->dat && !c->log) || !c->cursors || !c->last_ts) {
		cli_err("out of memory");
		return -1;
	}
	if ((c->actions && htc_actions_start(c->actions)) || open_output(c, o))
		return -1;
	ht_clock_init(&c->clock);
	if (o->system)
		ht_clock_system(&c->clock);
	if (c->dat && o->guest_clock)
		htc_dat_clock(c->dat, c->clock.tsc_ok ? "x86-tsc" : "mono");
	return 0;
}

/* Make the region and guard it; system mode: say how to give it to QEMU. */
static int open_region(struct region *r, const struct htc_options *o, const struct collector *c)
{
	uint16_t flags = (c->clock.tsc_ok ? HT_FLAG_TSC_OK : 0) | (o->system ? HT_FLAG_SYSTEM : 0);

	if (make_region(r, o, flags))
		return -1;
	htc_guard_region(r->fd, r->map, r->len);
	if (o->system) {
		cli_info("add to QEMU (libvirt: --print-options=libvirt):");
		htc_system_print_options(stderr, o->path, r->len, "qemu");
	}
	cli_info("hypertrace region %s: %u clients, %u arguments, %u entries each; Ctrl-C to end",
		 o->path, r->l.max_clients, r->l.num_args, r->l.ring_entries);
	return 0;
}

static void close_region(struct region *r, const struct htc_options *o)
{
	htc_guard_end();
	munmap(r->map, r->len);
	close(r->fd);
	if (!o->keep)
		unlink(o->path);
}

/* Make the region, collect until SIGINT or SIGTERM, report: the exit status. */
static int collect(struct collector *c, const struct htc_options *o)
{
	struct region r;
	int sfd, ret;

	sfd = sig_fd();
	signal(SIGPIPE, SIG_IGN); /* a reader that goes away is an error, reported */
	if (open_region(&r, o, c)) {
		htc_dat_abort(c->dat);
		close(sfd);
		return 1;
	}
	c->num_args = r.l.num_args;
	run(&r, c, sfd);
	ret = finish(&r, c, o);
	htc_actions_end(c->actions);
	c->actions = NULL;
	close_region(&r, o);
	close(sfd);
	return ret;
}

static void free_collector(struct collector *c)
{
	htc_actions_free(c->actions);
	free(c->cursors);
	free(c->last_ts);
	free(c->log);
}

int cmd_hypertrace(int argc, char **argv)
{
	struct htc_options o = { .clients = 16, .args = 4, .entries = 65536 };
	struct collector col = { 0 };
	int ret;

	col.actions = htc_actions_new();
	if (!col.actions) {
		cli_err("out of memory");
		return 1;
	}
	ret = htc_parse_options(&o, col.actions, argc, argv);
	if (ret)
		ret = ret == 1 ? 0 : 2; /* --help, or a bad option */
	else if (o.print_options)
		ret = htc_system_print_options(stdout, o.path, region_size(&o), o.print_options) ?
			      2 :
			      0;
	else
		ret = setup_collector(&col, &o) ? 1 : collect(&col, &o);
	free_collector(&col);
	return ret;
}
