// SPDX-License-Identifier: GPL-2.0
/*
 * Replies to the host's word orders (lib/proto.h). In a guest they go back
 * on the control port itself; where the control port is a FIFO (tests, a
 * host without QEMU) they need a path of their own (-r), or the agent would
 * read its own replies as orders.
 *
 * A host that never reads replies (the seed's `echo 1 >` procedure) must not
 * stall the controller: a reply the port will not take within REPLY_WAIT_MS
 * is dropped, with a log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "../lib/io.h"
#include "../lib/proto.h"

#define REPLY_WAIT_MS 2000

int reply_open(struct agent *a, int ctl_fd, bool ctl_is_fifo)
{
	struct stat st;
	int fd;

	a->reply_fd = -1;
	if (!a->opts.reply_path) {
		if (!ctl_is_fifo)
			a->reply_fd = ctl_fd;
		else
			agent_dbg("control port is a FIFO: no replies (give -r PATH for them)");
		return 0;
	}
	if (stat(a->opts.reply_path, &st) < 0 || (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))) {
		agent_err("reply path %s: %s; give a FIFO or port with -r", a->opts.reply_path,
			  errno ? strerror(errno) : "not a FIFO or port");
		return -1;
	}
	fd = open(a->opts.reply_path,
		  (S_ISFIFO(st.st_mode) ? O_RDWR : O_WRONLY) | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		agent_err("cannot open the reply path %s: %s", a->opts.reply_path, strerror(errno));
		return -1;
	}
	a->reply_fd = fd;
	return 0;
}

/*
 * A reply up to PIPE_BUF goes in one write: on a FIFO that is all or
 * nothing, so a dropped reply never leaves half of one for the host to
 * misread. After a reply was dropped (the host is not reading, or a flood of
 * orders makes more replies than it reads) small replies are tried without
 * waiting for STALL_MS, so a flood cannot hold the controller REPLY_WAIT_MS
 * per order and a real stop behind it is seen at once. STOPPED, which a
 * host waits for, still waits for room (it comes from a mover thread, once
 * per stop).
 */
#define STALL_MS 10000

void reply_send(struct agent *a, int type, uint32_t tag, const void *payload, size_t len)
{
	unsigned char small[PIPE_BUF];
	unsigned char hdr[VT_REPLY_HDR_SIZE];
	bool stalled;
	ssize_t n;

	if (a->reply_fd < 0)
		return;
	pthread_mutex_lock(&a->reply_lock);
	stalled = vt_mono_ms() < a->stalled_until && type != VT_REPLY_STOPPED;
	if (len <= sizeof(small) - VT_REPLY_HDR_SIZE) {
		vt_reply_header(small, type, len, tag);
		memcpy(small + VT_REPLY_HDR_SIZE, payload, len);
		n = vt_write_all_timeout(a->reply_fd, small, VT_REPLY_HDR_SIZE + len,
					 stalled ? 0 : REPLY_WAIT_MS);
	} else {
		vt_reply_header(hdr, type, len, tag);
		n = vt_write_all_timeout(a->reply_fd, hdr, sizeof(hdr), REPLY_WAIT_MS) ||
				    vt_write_all_timeout(a->reply_fd, payload, len, REPLY_WAIT_MS) ?
			    -1 :
			    0;
	}
	if (n < 0) {
		if (!a->replies_dropped++)
			agent_log("the host is not reading replies; dropping them without waiting "
				  "for %d s",
				  STALL_MS / 1000);
		a->stalled_until = vt_mono_ms() + STALL_MS;
	} else if (a->replies_dropped && !stalled) {
		agent_log("the host reads replies again; %lu were dropped", a->replies_dropped);
		a->replies_dropped = 0;
	}
	pthread_mutex_unlock(&a->reply_lock);
}

void reply_hello(struct agent *a)
{
	unsigned char msg[VT_REPLY_HDR_SIZE + 256];
	int i, n;

	if (a->reply_fd < 0)
		return;
	n = snprintf((char *)msg + VT_REPLY_HDR_SIZE, 200,
		     "agent=trace-agent\npid=%d\n"
		     "subbuf_size=%zu\ncpus=",
		     (int)getpid(), a->subbuf_size);
	for (i = 0; i < a->nr_movers && n < 240; i++)
		n += snprintf((char *)msg + VT_REPLY_HDR_SIZE + n, 256 - n, "%s%d", i ? "," : "",
			      a->movers[i].cpu);
	if (n >= 240)
		n = 240;
	msg[VT_REPLY_HDR_SIZE + n++] = '\n';
	vt_reply_header(msg, VT_REPLY_HELLO, n, 0);
	pthread_mutex_lock(&a->reply_lock);
	if (write(a->reply_fd, msg, VT_REPLY_HDR_SIZE + n) != VT_REPLY_HDR_SIZE + n)
		agent_dbg("nobody took the start announcement (HELLO); fine");
	pthread_mutex_unlock(&a->reply_lock);
}

void reply_text(struct agent *a, int type, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(text))
		n = sizeof(text) - 1;
	reply_send(a, type, a->order_tag, text, n);
}

/*
 * Called by each mover after its flush. The last one of a "stop" word
 * sends STOPPED with every CPU's byte count, so the host knows exactly how
 * much to wait for.
 */
void reply_flushed(struct agent *a, struct mover *m, uint64_t lost)
{
	struct vt_buf text = { 0 };
	char line[128];
	uint32_t tag = 0;
	bool last;
	int i, n;

	pthread_mutex_lock(&a->lock);
	m->lost = lost;
	last = ++a->flushes_done == a->nr_movers && a->stop_reply_wanted;
	if (last) {
		a->stop_reply_wanted = false;
		tag = a->stop_tag;
	}
	pthread_mutex_unlock(&a->lock);
	if (!last)
		return;
	for (i = 0; i < a->nr_movers; i++) {
		n = snprintf(line, sizeof(line), "cpu=%d bytes=%llu lost=%llu\n", a->movers[i].cpu,
			     (unsigned long long)a->movers[i].bytes,
			     (unsigned long long)a->movers[i].lost);
		vt_buf_add(&text, line, n);
	}
	reply_send(a, VT_REPLY_STOPPED, tag, text.data, text.len);
	vt_buf_free(&text);
}
