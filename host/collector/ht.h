/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtrace hypertrace, the collector: its parts, one concern per file.
 *	hypertrace.c	the region, the main loop, the end-of-run report
 *	ht-options.c	the command line
 *	ht-log.c	QEMU log-style lines
 *	ht-dat.c	a trace.dat (trace-cmd's format)
 *	ht-actions.c	--on rules: --exec, --trace-event
 *	qmp.c		a QMP client for --trace-event
 *	ht-guard.c	survives a guest that shrinks the region's file
 *	ht-system.c	system mode: the region as QEMU's ivshmem-plain (ht-system.h)
 */
#ifndef VT_HT_H
#define VT_HT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ht-region.h"

/* ht-log.c: lines formatted by hand into a buffer, written in big writes */
struct htc_log {
	int fd;
	int err; /* errno of a failed write */
	size_t len;
	char pid[24]; /* "PID@", as QEMU's log backend starts its lines */
	size_t pid_len;
	uint32_t num_args;
	bool nsec; /* SEC.NSEC (a guest's own clock, --guest-clock), not SEC.USEC */
	char buf[1 << 16];
};

void htc_log_init(struct htc_log *l, int fd, unsigned long pid, uint32_t num_args);
void htc_log_event(struct htc_log *l, const struct ht_event *ev, uint64_t ts);
int htc_log_flush(struct htc_log *l);

/* ht-dat.c: events streamed into a spool file, the trace.dat written at the end */
struct htc_dat;

struct htc_dat_stats {
	uint64_t events;
	uint64_t clamped;     /* events stamped before their client's previous one */
	uint64_t max_back_ns; /* by how much, at most */
	int cpus;	      /* clients that emitted */
};

struct htc_dat *htc_dat_open(const char *output, uint32_t max_clients, uint32_t num_args,
			     unsigned long pid);
void htc_dat_event(struct htc_dat *d, const struct ht_event *ev, uint64_t ts);
/* System mode, --guest-clock: the timestamps are the guest's @clock (x86-tsc, mono). */
void htc_dat_clock(struct htc_dat *d, const char *clock);
/* Write the trace.dat (under a temporary name, then renamed) and free @d. */
int htc_dat_finish(struct htc_dat *d, struct htc_dat_stats *st);
/* Drop everything (an error path): nothing is left on disk. */
void htc_dat_abort(struct htc_dat *d);

/* ht-actions.c: --on argN=V, then its --exec and --trace-event actions */
struct htc_actions;

struct htc_actions *htc_actions_new(void);
/* Each returns 0, or -1 after one error line (a bad value: exit 2). */
int htc_actions_on(struct htc_actions *a, const char *spec);
int htc_actions_exec(struct htc_actions *a, const char *cmd);
int htc_actions_trace_event(struct htc_actions *a, const char *spec);
int htc_actions_qmp(struct htc_actions *a, const char *socket);
/* Check the rules are complete (exit 2 if not), then connect to QMP (exit 1). */
int htc_actions_check(struct htc_actions *a, uint32_t num_args);
int htc_actions_start(struct htc_actions *a);
/*
 * System mode: QEMU starts after the collector (it maps the region the
 * collector makes), so connect to QMP at the first --trace-event instead.
 */
void htc_actions_connect_later(struct htc_actions *a);
bool htc_actions_any(const struct htc_actions *a);
/* Called for each event: queues the actions of every rule that matches. */
void htc_actions_match(struct htc_actions *a, const struct ht_event *ev);
/* Run what was queued, in order; reap finished commands. */
void htc_actions_run(struct htc_actions *a);
/* Run what is left, reap, report; frees @a. */
void htc_actions_end(struct htc_actions *a);
/* Close and free @a, silently (an error before the run). */
void htc_actions_free(struct htc_actions *a);

/* qmp.c: QEMU's machine protocol on a unix socket, just what the actions need */
struct htc_qmp {
	int fd;
	const char *path;
	size_t len;
	char buf[16384];
};

/* Connect and leave capabilities negotiation mode; -1 with @err set. */
int htc_qmp_connect(struct htc_qmp *q, const char *path, char *err, size_t errsz);
/* trace-event-set-state; -1 with @err set to QEMU's reason or the I/O error. */
int htc_qmp_trace_event(struct htc_qmp *q, const char *name, bool enable, char *err, size_t errsz);
void htc_qmp_close(struct htc_qmp *q);

/*
 * ht-guard.c: a SIGBUS in [@map, @map + @len) (the guest shrank the file @fd)
 * restores the size and goes on; htc_guard_restored() counts the times.
 */
int htc_guard_region(int fd, void *map, size_t len);
unsigned int htc_guard_restored(void);
void htc_guard_end(void);

/* ht-options.c: vtrace hypertrace's command line */
struct htc_options {
	const char *path, *output;
	long clients, args, entries;
	bool keep, dat;
	bool system, guest_clock;
	const char *print_options; /* qemu or libvirt, or NULL */
};

/* Returns 0, 1 for --help, or -1 after an error line. */
int htc_parse_options(struct htc_options *o, struct htc_actions *act, int argc, char **argv);

#endif
