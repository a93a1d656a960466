// SPDX-License-Identifier: GPL-2.0
/*
 * The controller: waits on the control port and on signals (epoll, no
 * timer) and turns orders into state changes that wake the movers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "../lib/io.h"
#include "../lib/order.h"

void agent_set_state(struct agent *a, enum agent_state state)
{
	int i;

	pthread_mutex_lock(&a->lock);
	if (state != AGENT_RUNNING && a->state == AGENT_RUNNING) {
		a->stop_gen++;
		a->flushes_done = 0;
	}
	a->state = state;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	for (i = 0; i < a->nr_movers; i++)
		mover_wake(&a->movers[i]);
}

static void on_order(void *ctx, enum vt_order_kind kind, const char *text)
{
	struct agent *a = ctx;
	char shown[96];
	enum agent_state now;

	pthread_mutex_lock(&a->lock);
	now = a->state;
	pthread_mutex_unlock(&a->lock);

	switch (kind) {
	case VT_ORDER_START:
		if (now == AGENT_RUNNING) {
			agent_dbg("start order: already streaming");
			return;
		}
		agent_dbg("start order");
		tracing_unpause(a); /* a "stop pause" whose "end" never came */
		agent_set_state(a, AGENT_RUNNING);
		break;
	case VT_ORDER_STOP:
		if (now != AGENT_RUNNING) {
			agent_dbg("stop order: not streaming");
			return;
		}
		agent_dbg("stop order");
		agent_set_state(a, AGENT_STOPPED);
		break;
	case VT_ORDER_WORD:
		words_run(a, text);
		break;
	case VT_ORDER_TOO_LONG:
		if (agent_log_budget())
			agent_log("order of more than %d bytes ignored (it began '%s')",
				  VT_ORDER_MAX,
				  vt_escape(text, strlen(text), shown, sizeof(shown)));
		break;
	}
}

static int open_control(struct agent *a, char *path, size_t size, bool *is_fifo)
{
	struct stat st;
	int fd;

	if (a->opts.ctl_path)
		snprintf(path, size, "%s", a->opts.ctl_path);
	else
		snprintf(path, size, "%s/" CTL_PORT_NAME, a->opts.ports_dir);
	if (stat(path, &st) < 0) {
		agent_err("control port %s: %s; add a virtserialport named " CTL_PORT_NAME
			  " to the guest (see vtrace setup), or give its path with -c",
			  path, strerror(errno));
		return -1;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		agent_err("control port %s is not a virtio port or FIFO; give its path with -c",
			  path);
		return -1;
	}
	/*
	 * Read-write: on a FIFO we are then a writer too, so the host closing
	 * its end is no end-of-file to spin on.
	 */
	*is_fifo = S_ISFIFO(st.st_mode);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		agent_err("cannot open the control port %s: %s%s", path, strerror(errno),
			  errno == EACCES ? "; run the agent as root" : "");
	return fd;
}

/*
 * A host writes each order whole, in one write. Bytes of an unfinished line
 * left alone for IDLE_ORDER_MS are a writer that died or one trickling bytes
 * (slow-loris): drop them, so they cannot glue themselves to the front of
 * the next real order. (vtrace also starts each order with a newline.)
 */
#define IDLE_ORDER_MS 500

static void drop_idle_partial(struct agent *a, struct vt_order_parser *parser, long long idle)
{
	char shown[96];

	if (!parser->len && !parser->dropped)
		return;
	if (parser->dropped) { /* still say it was too long */
		vt_order_feed(parser, "\n", 1, on_order, a);
		return;
	}
	parser->line[parser->len] = '\0';
	if (agent_log_budget())
		agent_log("an unfinished order ('%s') idle for %lld ms dropped",
			  vt_escape(parser->line, parser->len, shown, sizeof(shown)), idle);
	vt_order_init(parser);
}

/* Reads all that is there (the port is edge-triggered). Returns 0 or -1. */
static int read_orders(struct agent *a, int fd, struct vt_order_parser *parser)
{
	static long long last;
	long long now;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			now = vt_mono_ms();
			if (now - last > IDLE_ORDER_MS)
				drop_idle_partial(a, parser, now - last);
			last = now;
			vt_order_feed(parser, buf, n, on_order, a);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* EOF: a virtio port whose host side is closed; wait for it. */
		if (n == 0 || errno == EAGAIN)
			return 0;
		agent_err("reading the control port: %s", strerror(errno));
		return -1;
	}
}

static int wait_loop(struct agent *a, int ctl_fd, int sig_fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct vt_order_parser parser;
	struct signalfd_siginfo si;
	int ep, n, i, ret = -1;

	vt_order_init(&parser);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -1;
	ev.data.fd = ctl_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ctl_fd, &ev) < 0)
		goto out;
	ev.events = EPOLLIN;
	ev.data.fd = sig_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sig_fd, &ev) < 0)
		goto out;
	if (read_orders(a, ctl_fd, &parser))
		goto out;
	for (;;) {
		struct epoll_event evs[2];

		n = epoll_wait(ep, evs, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == sig_fd) {
				if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
					agent_log("%s: flushing and exiting",
						  strsignal(si.ssi_signo));
				ret = 0;
				goto out;
			}
			if (read_orders(a, ctl_fd, &parser))
				goto out;
		}
	}
out:
	if (ret)
		agent_err("control loop: %s", strerror(errno));
	close(ep);
	return ret;
}

int control_run(struct agent *a)
{
	char path[4096];
	int ctl_fd, ret;
	bool is_fifo;

	ctl_fd = open_control(a, path, sizeof(path), &is_fifo);
	if (ctl_fd < 0)
		return -1;
	if (reply_open(a, ctl_fd, is_fifo)) {
		close(ctl_fd);
		return -1;
	}
	agent_log("%d CPU%s, %zu-byte sub-buffers, %zu KB ring buffer per CPU; waiting for "
		  "orders on %s",
		  a->nr_movers, a->nr_movers == 1 ? "" : "s", a->subbuf_size, a->buffer_kb, path);
	reply_hello(a);
	ret = wait_loop(a, ctl_fd, a->sig_fd);
	agent_set_state(a, AGENT_QUIT);
	if (a->reply_fd >= 0 && a->reply_fd != ctl_fd)
		close(a->reply_fd);
	close(ctl_fd);
	return ret;
}
