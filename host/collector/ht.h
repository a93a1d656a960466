/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtrace hypertrace, the collector: its parts, one concern per file.
 *	hypertrace.c	options, the region, the main loop
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
struct ht_log {
	int fd;
	int err;		/* errno of a failed write */
	size_t len;
	char pid[24];		/* "PID@", as QEMU's log backend starts its lines */
	size_t pid_len;
	uint32_t num_args;
	bool nsec;		/* SEC.NSEC (a guest's own clock, --guest-clock), not SEC.USEC */
	char buf[1 << 16];
};

void ht_log_init(struct ht_log *l, int fd, unsigned long pid, uint32_t num_args);
void ht_log_event(struct ht_log *l, const struct ht_event *ev, uint64_t ts);
int ht_log_flush(struct ht_log *l);

/* ht-dat.c: events streamed into a spool file, the trace.dat written at the end */
struct ht_dat;

struct ht_dat_stats {
	uint64_t events;
	uint64_t clamped;	/* events stamped before their client's previous one */
	uint64_t max_back_ns;	/* by how much, at most */
	int cpus;		/* clients that emitted */
};

struct ht_dat *ht_dat_open(const char *output, uint32_t max_clients, uint32_t num_args,
			   unsigned long pid);
void ht_dat_event(struct ht_dat *d, const struct ht_event *ev, uint64_t ts);
/* System mode, --guest-clock: the timestamps are the guest's @clock (x86-tsc, mono). */
void ht_dat_clock(struct ht_dat *d, const char *clock);
/* Write the trace.dat (under a temporary name, then renamed) and free @d. */
int ht_dat_finish(struct ht_dat *d, struct ht_dat_stats *st);
/* Drop everything (an error path): nothing is left on disk. */
void ht_dat_abort(struct ht_dat *d);

/* ht-actions.c: --on argN=V, then its --exec and --trace-event actions */
struct ht_actions;

struct ht_actions *ht_actions_new(void);
/* Each returns 0, or -1 after one error line (a bad value: exit 2). */
int ht_actions_on(struct ht_actions *a, const char *spec);
int ht_actions_exec(struct ht_actions *a, const char *cmd);
int ht_actions_trace_event(struct ht_actions *a, const char *spec);
int ht_actions_qmp(struct ht_actions *a, const char *socket);
/* Check the rules are complete (exit 2 if not), then connect to QMP (exit 1). */
int ht_actions_check(struct ht_actions *a, uint32_t num_args);
int ht_actions_start(struct ht_actions *a);
/*
 * System mode: QEMU starts after the collector (it maps the region the
 * collector makes), so connect to QMP at the first --trace-event instead.
 */
void ht_actions_connect_later(struct ht_actions *a);
bool ht_actions_any(const struct ht_actions *a);
/* Called for each event: queues the actions of every rule that matches. */
void ht_actions_match(struct ht_actions *a, const struct ht_event *ev);
/* Run what was queued, in order; reap finished commands. */
void ht_actions_run(struct ht_actions *a);
/* Run what is left, reap, report; frees @a. */
void ht_actions_end(struct ht_actions *a);
/* Close and free @a, silently (an error before the run). */
void ht_actions_free(struct ht_actions *a);

/* qmp.c: QEMU's machine protocol on a unix socket, just what the actions need */
struct qmp {
	int fd;
	const char *path;
	size_t len;
	char buf[16384];
};

/* Connect and leave capabilities negotiation mode; -1 with @err set. */
int qmp_connect(struct qmp *q, const char *path, char *err, size_t errsz);
/* trace-event-set-state; -1 with @err set to QEMU's reason or the I/O error. */
int qmp_trace_event(struct qmp *q, const char *name, bool enable, char *err, size_t errsz);
void qmp_close(struct qmp *q);

/*
 * ht-guard.c: a SIGBUS in [@map, @map + @len) (the guest shrank the file @fd)
 * restores the size and goes on; ht_guard_restored() counts the times.
 */
int ht_guard_region(int fd, void *map, size_t len);
unsigned int ht_guard_restored(void);
void ht_guard_end(void);

#endif
