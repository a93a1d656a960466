/* SPDX-License-Identifier: GPL-2.0 */
/* vtrace record's state, shared by record.c and record-ctl.c only. */
#ifndef VT_RECORD_H
#define VT_RECORD_H

#include <limits.h>
#include <time.h>

#include "stream.h"
#include "vtrace.h"

#define REPLY_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 30000

struct record {
	const char *dir, *output;
	char *events[64];
	int nr_events, enabled;
	double duration;
	bool no_kallsyms, quiet;
	int version; /* of the trace.dat: 6, or 7 (zstd) */
	struct channel ch;
	struct guest_meta gm;
	struct stream *streams;
	int nr_streams;
	int stop_fd;
	int sig_fd;
	int out_fd; /* the trace.dat, under a temporary name until done */
	char tmp_path[PATH_MAX];
	uint64_t table_off;	   /* of the header written at the start */
	uint64_t data_off, region; /* CPU n's sub-buffers at data_off + n * region */
	bool agent_gone;	   /* nothing holds the reply FIFO: said once */
	int unasked;		   /* replies to orders vtrace did not send */
	int restarts;
};

/* record-ctl.c: the orders vtrace record sends the agent, and their replies */
char *ask(struct record *r, const char *order, int want, uint32_t *len);
int enable_events(struct record *r);
void disable_events(struct record *r); /* leaves the guest's events as they were */
int fetch_meta(struct record *r);
int watch_agent(struct record *r); /* between orders: an agent gone, or back */
bool stop_and_collect(struct record *r);
void fetch_end_meta(struct record *r);
double elapsed(const struct timespec *t0);

#endif
