/* SPDX-License-Identifier: GPL-2.0 */
/* One reader per guest CPU: FIFO -> validated sub-buffers -> temp file. */
#ifndef VTRACE_STREAM_H
#define VTRACE_STREAM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct stream {
	int cpu;
	int fd;		      /* DIR/trace-path-cpuN.out, read end */
	int hold_fd;	      /* our own write end: no EOF while the guest restarts */
	int out_fd;	      /* the trace.dat being written (shared, pwrite only) */
	uint64_t base, limit; /* this CPU's region in it: [base, base + limit) */
	int stop_fd;	      /* eventfd shared by all streams: time to finish */
	int cut_fd;	      /* eventfd: the sender restarted, end its stream here */
	uint64_t cuts_asked, cuts_done;
	uint64_t epoch; /* received at the last cut: where this sender began */
	size_t subbuf;
	int long_size;
	bool big_endian;
	char *buf;
	size_t cap, fill;
	pthread_t thread;
	bool running;
	/* counters, read by other threads with __atomic loads */
	uint64_t received; /* bytes read from the FIFO */
	uint64_t kept;	   /* bytes of valid sub-buffers written at base */
	uint64_t subbufs, events, bad, missed_subbufs, missed_events;
	uint64_t dropped; /* bytes of incomplete sub-buffers dropped at restarts */
	int restarts;
	int err;	/* errno of a failed write */
	uint64_t shown; /* received, at the last progress line */
};

int stream_open(struct stream *s, const char *dir, int cpu);
void stream_drain_stale(struct stream *s);
int stream_start(struct stream *s);
void stream_join(struct stream *s);
void stream_close(struct stream *s);
int stream_cut(struct stream *s, int timeout_ms);
uint64_t stream_get(const uint64_t *counter);

#endif
