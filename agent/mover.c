// SPDX-License-Identifier: GPL-2.0
/*
 * One mover per CPU, bound to it: ring buffer -> splice pipe -> port.
 *
 * The splice loop is ours rather than libtracefs's tracefs_cpu_write():
 * that one splices the pipe to the output with SPLICE_F_NONBLOCK and keeps
 * no count of what the output did not take, so bytes left in its pipe are
 * lost at stop; and its pipe size cannot be chosen. We keep pipe_fill, wait
 * for the port with poll(), and drain the pipe completely before a stop
 * returns. libtracefs still reads the last, partial sub-buffer
 * (tracefs_cpu_flush()).
 *
 * The thread sleeps in poll() on the trace fd (the kernel wakes it when
 * buffer_percent of the ring is full) and on an eventfd the controller
 * writes on stop or quit: no timer, no lost wake-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>

#include <tracefs.h>

#include "agent.h"
#include "../lib/frame.h"
#include "../lib/io.h"

/* When quitting, give up on a port that takes nothing for this long. */
#define QUIT_GRACE_MS 3000

static bool stop_wanted(struct mover *m)
{
	struct agent *a = m->agent;
	bool stop;

	pthread_mutex_lock(&a->lock);
	stop = a->state != AGENT_RUNNING || a->stop_gen != m->stop_seen;
	pthread_mutex_unlock(&a->lock);
	return stop;
}

static bool quitting(struct mover *m)
{
	struct agent *a = m->agent;
	bool quit;

	pthread_mutex_lock(&a->lock);
	quit = a->state == AGENT_QUIT;
	pthread_mutex_unlock(&a->lock);
	return quit;
}

static void clear_wake(struct mover *m)
{
	uint64_t v;

	if (read(m->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		agent_err("cpu%d: eventfd: %s", m->cpu, strerror(errno));
}

/*
 * Wait until the port can take more. Returns 0, or -1 when quitting and the
 * port took nothing for QUIT_GRACE_MS: the host is gone, do not hang.
 */
static int wait_port(struct mover *m)
{
	struct pollfd pfd[2] = {
		{ .fd = m->out_fd, .events = POLLOUT },
		{ .fd = m->wake_fd, .events = POLLIN },
	};
	int timeout = quitting(m) ? QUIT_GRACE_MS : -1;
	int ret;

	ret = poll(pfd, 2, timeout);
	if (ret < 0 && errno != EINTR)
		return -1;
	if (ret == 0) {
		m->abandoned = true;
		return -1;
	}
	if (pfd[1].revents & POLLIN)
		clear_wake(m);
	return 0;
}

/*
 * After a write or splice to the port returned @n <= 0: 0 to try again
 * (interrupted, or the port had room again), -1 to give up (said why).
 */
static int retry_port(struct mover *m, ssize_t n)
{
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0 && errno == EAGAIN && m->out_nonblock)
		return wait_port(m);
	if (!m->abandoned)
		agent_err("cpu%d: writing to the port: %s", m->cpu,
			  n ? strerror(errno) : "port closed");
	return -1;
}

/* vt_write_all_wait()'s wait: only a non-blocking port is worth waiting for. */
static int port_has_room(void *ctx)
{
	struct mover *m = ctx;

	return m->out_nonblock ? wait_port(m) : -1;
}

static int write_port(struct mover *m, const void *buf, size_t len)
{
	if (!vt_write_all_wait(m->out_fd, buf, len, port_has_room, m))
		return 0;
	if (!m->abandoned)
		agent_err("cpu%d: writing to the port: %s", m->cpu, strerror(errno));
	return -1;
}

static int write_frame_header(struct mover *m, size_t len)
{
	struct vt_frame f;

	memcpy(f.magic, VT_FRAME_MAGIC, 4);
	f.cpu = htole32(m->cpu);
	f.len = htole32(len);
	f.subbuf_size = htole32(m->agent->subbuf_size);
	return write_port(m, &f, sizeof(f));
}

/* Move everything in the splice pipe to the port, waiting as needed. */
static int drain_pipe(struct mover *m)
{
	unsigned int flags = SPLICE_F_MOVE | (m->out_nonblock ? SPLICE_F_NONBLOCK : 0);
	ssize_t n;

	while (m->pipe_fill) {
		n = splice(m->pipe_r, NULL, m->out_fd, NULL, m->pipe_fill, flags);
		if (n > 0)
			m->pipe_fill -= n;
		else if (retry_port(m, n))
			return -1;
	}
	return 0;
}

static int emit_pipe(struct mover *m)
{
	int ret;

	if (!m->agent->opts.to_stdout)
		return drain_pipe(m);
	pthread_mutex_lock(&m->agent->stdout_lock);
	ret = write_frame_header(m, m->pipe_fill);
	if (!ret)
		ret = drain_pipe(m);
	pthread_mutex_unlock(&m->agent->stdout_lock);
	return ret;
}

/*
 * Splice whatever whole sub-buffers the ring buffer has into the pipe and
 * on to the port. Returns bytes moved, 0 when there was no whole sub-buffer,
 * -1 on error.
 */
static ssize_t move_whole_subbufs(struct mover *m)
{
	ssize_t n;

	do {
		n = splice(m->trace_fd, NULL, m->pipe_w, NULL, m->pipe_size,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0) {
		agent_err("cpu%d: splice from the ring buffer: %s", m->cpu, strerror(errno));
		return -1;
	}
	m->pipe_fill += n;
	if (emit_pipe(m))
		return -1;
	m->bytes += n;
	m->subbufs += n / m->agent->subbuf_size;
	return n;
}

/*
 * Read sub-buffers with read(): unlike splice, it returns a partially
 * filled one, so the events recorded just before a stop are not left behind.
 * Every sub-buffer sent is whole (zero-padded) so the stream stays parsable.
 * Returns bytes moved or -1.
 */
static ssize_t move_partial_subbufs(struct mover *m, int max)
{
	size_t size = m->agent->subbuf_size;
	ssize_t total = 0;
	int n, ret;

	while (max-- > 0) {
		n = tracefs_cpu_flush(m->tcpu, m->subbuf);
		if (n <= 0)
			return n < 0 && errno != EAGAIN ? -1 : total;
		if ((size_t)n < size)
			memset(m->subbuf + n, 0, size - n);
		if (m->agent->opts.to_stdout) {
			pthread_mutex_lock(&m->agent->stdout_lock);
			ret = write_frame_header(m, size);
			if (!ret)
				ret = write_port(m, m->subbuf, size);
			pthread_mutex_unlock(&m->agent->stdout_lock);
		} else {
			ret = write_port(m, m->subbuf, size);
		}
		if (ret)
			return -1;
		total += size;
		m->bytes += size;
		m->subbufs++;
	}
	return total;
}

/*
 * Everything recorded before the stop: the whole sub-buffers first, then the
 * partial one. Bounded to one ring's worth of sub-buffers, so a CPU that keeps
 * tracing cannot keep the flush going forever; later events wait for the
 * next start.
 */
static int flush(struct mover *m)
{
	struct agent *a = m->agent;
	int max = a->buffer_kb * 1024 / a->subbuf_size + 2;
	ssize_t n;

	if (m->abandoned)
		return -1;
	while ((n = move_whole_subbufs(m)) > 0)
		;
	if (n < 0)
		return -1;
	return move_partial_subbufs(m, max) < 0 ? -1 : 0;
}

static void report(struct mover *m)
{
	struct agent *a = m->agent;
	struct cpu_stats now;
	uint64_t lost;

	if (tracing_read_stats(a, m->cpu, &now)) {
		agent_log("cpu%d: sent %llu bytes (%llu sub-buffers)", m->cpu,
			  (unsigned long long)m->bytes, (unsigned long long)m->subbufs);
		reply_flushed(a, m, 0);
		return;
	}
	lost = (now.overrun - m->stats_at_start.overrun) +
	       (now.dropped - m->stats_at_start.dropped);
	agent_log("cpu%d: sent %llu bytes (%llu sub-buffers); lost %llu events%s", m->cpu,
		  (unsigned long long)m->bytes, (unsigned long long)m->subbufs,
		  (unsigned long long)lost,
		  lost ? " (the ring buffer overwrote them while the host was not reading; "
			 "a larger -b helps)" :
			 "");
	reply_flushed(a, m, lost);
}

/* Stream until a stop or quit order; returns 0, or -1 on an I/O error. */
static int stream(struct mover *m)
{
	struct pollfd pfd[2] = {
		{ .fd = m->trace_fd, .events = POLLIN },
		{ .fd = m->wake_fd, .events = POLLIN },
	};
	ssize_t n;

	while (!stop_wanted(m)) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			agent_err("cpu%d: poll: %s", m->cpu, strerror(errno));
			return -1;
		}
		if (pfd[1].revents & POLLIN)
			clear_wake(m);
		if (!(pfd[0].revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		n = move_whole_subbufs(m);
		/*
		 * Readable with no whole sub-buffer: this kernel's poll does not
		 * wait for buffer_percent (or it is 0). Take the partial one so
		 * poll() blocks again instead of spinning.
		 */
		if (n == 0)
			n = move_partial_subbufs(m, 1);
		if (n < 0)
			return -1;
	}
	return 0;
}

/*
 * Until a start. A start and its stop that both came while this mover slept
 * (orders back to back) still owe that stop a flush: the stop's reply waits
 * for every mover's, and the seed's stop means all up to here arrives.
 */
static enum agent_state wait_for_start(struct mover *m)
{
	struct agent *a = m->agent;
	enum agent_state st;

	pthread_mutex_lock(&a->lock);
	while (a->state == AGENT_STOPPED && a->stop_gen == m->stop_seen)
		pthread_cond_wait(&a->cond, &a->lock);
	st = a->stop_gen != m->stop_seen ? AGENT_RUNNING : a->state;
	pthread_mutex_unlock(&a->lock);
	return st;
}

static void mark_stop_seen(struct mover *m)
{
	pthread_mutex_lock(&m->agent->lock);
	m->stop_seen = m->agent->stop_gen;
	pthread_mutex_unlock(&m->agent->lock);
}

static void bind_to_cpu(struct mover *m)
{
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(m->cpu, &set);
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (err)
		agent_log("cpu%d: cannot bind the thread to its CPU (%s); streaming anyway", m->cpu,
			  strerror(err));
}

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	int err = 0;

	bind_to_cpu(m);
	while (!err && wait_for_start(m) == AGENT_RUNNING) {
		m->bytes = m->subbufs = 0;
		tracing_read_stats(m->agent, m->cpu, &m->stats_at_start);
		agent_dbg("cpu%d: streaming", m->cpu);
		/* Mark first: a stop arriving while we flush gets a flush of its own. */
		err = stream(m);
		mark_stop_seen(m);
		if (!err)
			err = flush(m);
		report(m);
	}
	if (m->abandoned)
		agent_err("cpu%d: the host took nothing for %d s; %zu bytes not delivered", m->cpu,
			  QUIT_GRACE_MS / 1000, m->pipe_fill);
	return NULL;
}

static int open_port(struct mover *m, const char *dir)
{
	char path[4096];
	struct stat st;
	int fd, flags;

	if (m->agent->opts.to_stdout) {
		m->out_fd = STDOUT_FILENO;
		m->out_nonblock = false;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/" DATA_PORT_FMT, dir, m->cpu);
	if (stat(path, &st) < 0) {
		agent_err("%s: %s; add a virtserialport named " DATA_PORT_FMT " to the guest "
			  "(see vtrace setup), or give another directory with -p",
			  path, strerror(errno), m->cpu);
		return -1;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISREG(st.st_mode)) {
		agent_err("%s is not a virtio port, FIFO or file; point -p at the ports directory",
			  path);
		return -1;
	}
	/*
	 * A FIFO is opened read-write so opening never waits for the host's
	 * reader. A regular file (recording inside the guest) starts empty.
	 */
	if (S_ISFIFO(st.st_mode))
		flags = O_RDWR;
	else if (S_ISREG(st.st_mode))
		flags = O_WRONLY | O_TRUNC;
	else
		flags = O_WRONLY;
	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		agent_err("cannot open %s: %s%s", path, strerror(errno),
			  errno == EACCES ? "; run the agent as root" : "");
		return -1;
	}
	m->out_fd = fd;
	m->out_nonblock = true;
	return 0;
}

static int make_pipe(struct mover *m)
{
	int fds[2];
	int size;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		agent_err("pipe: %s", strerror(errno));
		return -1;
	}
	m->pipe_r = fds[0];
	m->pipe_w = fds[1];
	size = fcntl(m->pipe_w, F_SETPIPE_SZ, (int)m->agent->opts.pipe_size);
	if (size < 0) {
		size = fcntl(m->pipe_w, F_GETPIPE_SZ);
		agent_log("cannot set the pipe size to %zu (%s); using %d",
			  m->agent->opts.pipe_size, strerror(errno), size);
	}
	if (size < (int)m->agent->subbuf_size) {
		agent_err("pipe of %d bytes cannot hold a %zu-byte sub-buffer; raise -s", size,
			  m->agent->subbuf_size);
		return -1;
	}
	/* Splice whole sub-buffers only, so the pipe never holds half of one. */
	m->pipe_size = size - size % m->agent->subbuf_size;
	return 0;
}

int mover_init(struct agent *a, struct mover *m, int cpu)
{
	memset(m, 0, sizeof(*m));
	m->agent = a;
	m->cpu = cpu;
	m->trace_fd = m->out_fd = m->pipe_r = m->pipe_w = m->wake_fd = -1;

	m->trace_fd = tracing_open_cpu(a, cpu);
	if (m->trace_fd < 0)
		return -1;
	m->tcpu = tracefs_cpu_alloc_fd(m->trace_fd, a->subbuf_size, true);
	m->subbuf = malloc(a->subbuf_size);
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!m->tcpu || !m->subbuf || m->wake_fd < 0) {
		agent_err("cpu%d: out of resources: %s", cpu, strerror(errno));
		return -1;
	}
	if (open_port(m, a->opts.ports_dir))
		return -1;
	return make_pipe(m);
}

int mover_spawn(struct mover *m)
{
	int err = pthread_create(&m->thread, NULL, mover_main, m);

	if (err) {
		agent_err("cpu%d: cannot create its thread: %s", m->cpu, strerror(err));
		return -1;
	}
	m->started = true;
	return 0;
}

void mover_wake(struct mover *m)
{
	uint64_t one = 1;

	if (m->wake_fd < 0)
		return;
	if (write(m->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		agent_err("cpu%d: eventfd: %s", m->cpu, strerror(errno));
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

void mover_free(struct mover *m)
{
	if (m->started)
		pthread_join(m->thread, NULL);
	if (m->tcpu)
		tracefs_cpu_free_fd(m->tcpu);
	close_fd(m->trace_fd);
	if (m->out_fd != STDOUT_FILENO)
		close_fd(m->out_fd);
	close_fd(m->pipe_r);
	close_fd(m->pipe_w);
	close_fd(m->wake_fd);
	free(m->subbuf);
}
