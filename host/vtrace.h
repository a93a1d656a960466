/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VTRACE_H
#define VTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "tracedat.h"

#define DEFAULT_DIR "/tmp/virtio-trace"
#define CTL_NAME "agent-ctl-path"
#define DATA_NAME_FMT "trace-path-cpu%d"
#define MAX_CPUS 1024

/* util.c: the vtrace command's messages and checks of its files (cli_) */
extern const char *cli_cmd; /* "vtrace record", for messages */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_check_fifo(const char *path, bool quiet);
int cli_open_fifo(const char *path, int flags);
int cli_check_output(const char *path);
int cli_count_cpu_fifos(const char *dir);

/* channel.c: the control port pair DIR/agent-ctl-path.{in,out} */
struct channel {
	int in_fd;  /* orders to the guest */
	int out_fd; /* replies from the guest, -1 when not needed */
	char in_path[4096], out_path[4096];
	uint32_t tag;  /* of the last word order sent ("#N order") */
	bool untagged; /* the agent predates tags: orders go without */
	int skipped;   /* replies that answered no order of ours */
};
int channel_open(struct channel *ch, const char *dir, bool replies);
void channel_close(struct channel *ch);
int channel_send(struct channel *ch, const char *order);
/*
 * Send a word order, tagged, and wait for the reply that carries its tag
 * (others are skipped and counted in ch->skipped); *payload is malloc'ed.
 */
int channel_ask(struct channel *ch, const char *order, int timeout_ms, struct vt_reply *r,
		char **payload);
int channel_read_reply(struct channel *ch, int timeout_ms, struct vt_reply *r, char **payload);
void channel_drain(int fd);
int channel_poll_hello(struct channel *ch, char **payload, bool *gone, int *skipped);

/* meta.c: the guest's META reply, parsed as hostile input */
struct guest_meta {
	struct vt_dat_meta dat;
	int cpus[MAX_CPUS]; /* the CPUs the agent streams */
	int nr_streamed;
	char *payload; /* owns everything dat points into */
	size_t payload_len;
	char *end_payload; /* owns the end-of-run records (meta_parse_end) */
	size_t end_payload_len;
};
int meta_parse(struct guest_meta *gm, char *payload, size_t len, char *err, size_t errsz);
/*
 * The end-of-run metadata (the reply to "end", or a whole META from an
 * agent without it): its CPU_STATS and SAVED_CMDLINES records replace those
 * of gm, which takes @payload. Returns 0, or -1 with a message in @err.
 */
int meta_parse_end(struct guest_meta *gm, char *payload, size_t len, char *err, size_t errsz);
void meta_free(struct guest_meta *gm);

/* pack.c: the finished trace.dat from vtrace record's temporary file */
struct pack {
	int fd;				/* the temporary file; a copy may take its place */
	char *path;			/* its name, PATH_MAX bytes: updated with fd */
	const char *output;		/* the final name: copies are made beside it */
	const struct vt_dat_meta *meta; /* what the file is to say */
	uint64_t base, region;		/* CPU n's sub-buffers are at base + n * region */
};
/* Version 6: the header written again from meta, the regions packed after it. */
int pack_v6(struct pack *p, const uint64_t *sizes);
/* Version 7: everything compressed into a fresh file. */
int pack_v7(struct pack *p, const uint64_t *sizes);

/* setup.c */
int setup_channels(const char *dir, int cpus);

/* recover.c: @f packed into @out, CPU i's @sizes[i] bytes from @offs[i] (also fuzzed) */
struct vt_dat_file;
int recover_write_packed(const struct vt_dat_file *f, const uint64_t *offs, const uint64_t *sizes,
			 int out);

/* subcommands */
int cmd_setup(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run_guest(int argc, char **argv);
int cmd_hypertrace(int argc, char **argv);
int cmd_recover(int argc, char **argv);

#endif
