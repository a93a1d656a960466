/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TRACE_AGENT_H
#define TRACE_AGENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tracefs_instance;
struct vt_buf;
struct tracefs_cpu;

#define AGENT_NAME "trace-agent"
#define DEFAULT_PORTS_DIR "/dev/virtio-ports"
#define CTL_PORT_NAME "agent-ctl-path"
#define DATA_PORT_FMT "trace-path-cpu%d"
#define PIPE_SIZE_MIN (64 * 1024)
#define PIPE_SIZE_MAX (1024 * 1024)
#define PIPE_SIZE_DEFAULT PIPE_SIZE_MAX

struct agent_opts {
	const char *tracing_dir; /* -t: NULL to discover */
	const char *instance;	 /* -i: NULL for the top-level buffer */
	const char *ports_dir;	 /* -p */
	const char *ctl_path;	 /* -c: NULL for ports_dir/agent-ctl-path */
	const char *cpu_list;	 /* --cpus: NULL for every online CPU */
	const char *reply_path;	 /* -r: replies here, not on the control port */
	size_t pipe_size;	 /* -s */
	long buffer_kb;		 /* -b: 0 to expand a boot-size buffer only */
	bool to_stdout;		 /* -o */
	int verbose;		 /* -v */
};

/* The counters of per_cpu/cpuN/stats that tell of lost events. */
struct cpu_stats {
	uint64_t entries;
	uint64_t overrun;
	uint64_t dropped;
};

struct mover {
	struct agent *agent;
	int cpu;
	int trace_fd;		  /* per_cpu/cpuN/trace_pipe_raw, non-blocking */
	struct tracefs_cpu *tcpu; /* wraps trace_fd to read partial sub-buffers */
	int out_fd;
	bool out_nonblock;
	int pipe_r, pipe_w; /* the splice pipe between ring buffer and port */
	size_t pipe_size;
	size_t pipe_fill; /* bytes spliced in and not yet out */
	int wake_fd;	  /* eventfd: the controller wants attention */
	char *subbuf;	  /* one sub-buffer, for partial reads */
	pthread_t thread;
	bool started;
	unsigned int stop_seen; /* agent.stop_gen last flushed for */
	bool abandoned;		/* quitting, and the port took nothing for a while */
	struct cpu_stats stats_at_start;
	uint64_t bytes; /* moved since the last start order */
	uint64_t subbufs;
	uint64_t lost; /* events lost in the last run */
};

enum agent_state {
	AGENT_STOPPED,
	AGENT_RUNNING,
	AGENT_QUIT,
};

struct agent {
	struct agent_opts opts;
	char *tracing_dir;
	struct tracefs_instance *instance;
	size_t subbuf_size;
	size_t buffer_kb; /* per CPU, after any resizing */
	int nr_movers;
	struct mover *movers;
	pthread_mutex_t lock; /* guards state and stop_gen */
	pthread_cond_t cond;
	enum agent_state state;
	unsigned int stop_gen;	     /* bumped by every stop order */
	int sig_fd;		     /* signalfd: SIGINT, SIGTERM, SIGQUIT */
	pthread_mutex_t stdout_lock; /* -o: one chunk at a time */
	int reply_fd;		     /* -1: replies off */
	pthread_mutex_t reply_lock;  /* one reply at a time */
	long long stalled_until;     /* a reply was dropped: no waiting until then (ms) */
	unsigned long replies_dropped;
	bool stop_reply_wanted; /* a "stop" word waits for the flushes */
	uint32_t stop_tag;	/* ... and its tag, for STOPPED */
	uint32_t order_tag;	/* the word order being run (controller only) */
	int flushes_done;	/* movers flushed since the last stop */
	/* what a run changed in tracefs, put back by "end" or at exit (controller only) */
	bool tracing_paused;		      /* tracing_on turned off by "stop pause" */
	bool cmdlines_raised;		      /* saved_cmdlines_size raised by "start" ... */
	long long cmdlines_old, cmdlines_set; /* ... from this, to this */
};

/* options.c */
int agent_parse_options(int argc, char **argv, struct agent_opts *opts);
int parse_cpu_list(const char *list, int **cpus, int *nr);
int parse_size(const char *s, size_t *out);

/* tracing.c */
int tracing_setup(struct agent *a);
int tracing_size_buffer(struct agent *a);
void tracing_cleanup(struct agent *a);
int tracing_open_cpu(struct agent *a, int cpu);
int tracing_read_stats(struct agent *a, int cpu, struct cpu_stats *st);
int tracing_online_cpus(int **cpus, int *nr);
void tracing_pause(struct agent *a);
void tracing_unpause(struct agent *a);
void tracing_raise_cmdlines(struct agent *a);
void tracing_restore_cmdlines(struct agent *a);

/* mover.c */
int mover_init(struct agent *a, struct mover *m, int cpu);
void mover_free(struct mover *m);
int mover_spawn(struct mover *m);
void mover_wake(struct mover *m);

/* control.c */
int control_run(struct agent *a);
void agent_set_state(struct agent *a, enum agent_state state);

/* reply.c */
int reply_open(struct agent *a, int ctl_fd, bool ctl_is_fifo);
void reply_send(struct agent *a, int type, uint32_t tag, const void *payload, size_t len);
void reply_hello(struct agent *a);
/* A text reply to the word order being run (a->order_tag). */
void reply_text(struct agent *a, int type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void reply_flushed(struct agent *a, struct mover *m, uint64_t lost);

/* words.c */
void words_run(struct agent *a, const char *tagged);

/* meta.c */
int meta_build(struct agent *a, bool kallsyms, struct vt_buf *out);
int meta_build_end(struct agent *a, struct vt_buf *out);

/* log.c */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void agent_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int agent_verbose;
bool agent_log_budget(void);
#define agent_dbg(...)                                                                             \
	do {                                                                                       \
		if (agent_verbose)                                                                 \
			agent_log(__VA_ARGS__);                                                    \
	} while (0)

#endif
