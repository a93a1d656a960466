// SPDX-License-Identifier: GPL-2.0
/*
 * A CPU's stream as it arrives: whole sub-buffers, each header checked
 * (lib/page.c) before it is kept, and its events walked and counted with
 * every length bounds-checked. What the guest sends is hostile: a bad sub-buffer is dropped and
 * counted, never trusted and never fatal to the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "page.h"
#include "stream.h"
#include "vtrace.h"

#define SUBBUFS_PER_READ 256

uint64_t stream_get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

static void add(uint64_t *counter, uint64_t v)
{
	__atomic_store_n(counter, *counter + v, __ATOMIC_RELAXED);
}

int stream_open(struct stream *s, const char *dir, int cpu)
{
	char path[PATH_MAX];

	s->cpu = cpu;
	s->fd = s->hold_fd = -1;
	s->cut_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->cut_fd < 0) {
		cli_err("eventfd: %s", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" DATA_NAME_FMT ".out", dir, cpu);
	if (cli_check_fifo(path, false))
		return -1;
	s->fd = cli_open_fifo(path, O_RDONLY | O_NONBLOCK);
	if (s->fd >= 0)
		s->hold_fd = cli_open_fifo(path, O_WRONLY | O_NONBLOCK);
	if (s->fd < 0 || s->hold_fd < 0) {
		cli_err("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* Fewer, larger reads; the guest's side may then run further ahead. */
	fcntl(s->fd, F_SETPIPE_SZ, 1 << 20);
	s->cap = SUBBUFS_PER_READ * s->subbuf;
	s->buf = malloc(s->cap);
	if (!s->buf) {
		cli_err("out of memory");
		return -1;
	}
	return 0;
}

/* Whatever an earlier session left in the FIFO is not ours to record. */
void stream_drain_stale(struct stream *s)
{
	ssize_t n;
	size_t total = 0;

	while ((n = read(s->fd, s->buf, s->cap)) > 0)
		total += n;
	if (total)
		cli_info("cpu%d: discarded %zu stale bytes from an earlier session", s->cpu, total);
}

static void keep(struct stream *s, const char *p, size_t len)
{
	size_t done;

	if (!len || s->err)
		return;
	if (s->kept + len > s->limit) {
		s->err = EFBIG;
		return;
	}
	done = vt_pwrite_all(s->out_fd, p, len, s->base + s->kept);
	add(&s->kept, done); /* all that fitted, on a full disk */
	if (done < len)
		s->err = errno;
}

static void take_subbufs(struct stream *s)
{
	struct vt_page_info info;
	size_t off = 0, run = 0;
	long events;

	for (; off + s->subbuf <= s->fill; off += s->subbuf) {
		char *page = s->buf + off;

		add(&s->subbufs, 1);
		if (vt_page_parse(page, s->subbuf, s->long_size, s->big_endian, &info) ||
		    (events = vt_page_count_events(page, &info, s->big_endian)) < 0) {
			add(&s->bad, 1);
			keep(s, s->buf + off - run, run); /* the good ones before it */
			run = 0;
			continue;
		}
		if (info.missed)
			add(&s->missed_subbufs, 1);
		if (info.missed_count_known)
			add(&s->missed_events, info.missed_count);
		add(&s->events, events);
		run += s->subbuf;
	}
	keep(s, s->buf + off - run, run);
	memmove(s->buf, s->buf + off, s->fill - off);
	s->fill -= off;
}

/* Read what is there; returns bytes read (0: nothing now). */
static ssize_t read_some(struct stream *s)
{
	ssize_t n;

	do {
		n = read(s->fd, s->buf + s->fill, s->cap - s->fill);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	s->fill += n;
	add(&s->received, n);
	take_subbufs(s);
	return n;
}

/*
 * The sender (the agent) restarted: everything the old one sent is in the
 * FIFO by now. Take it, then drop the incomplete sub-buffer it ended with,
 * saying where: the new agent's first sub-buffer starts a new stream.
 */
static void cut(struct stream *s)
{
	uint64_t v;

	if (read(s->cut_fd, &v, sizeof(v)) < 0)
		return;
	while (read_some(s) > 0)
		;
	if (s->fill)
		cli_info("cpu%d: the stream broke at byte %llu of this agent's stream (after %llu "
			 "whole sub-buffers): %zu bytes of an incomplete sub-buffer dropped",
			 s->cpu, (unsigned long long)(s->received - s->epoch - s->fill),
			 (unsigned long long)((s->received - s->epoch - s->fill) / s->subbuf),
			 s->fill);
	else
		cli_info("cpu%d: the stream ended at byte %llu, on a sub-buffer boundary: nothing "
			 "lost",
			 s->cpu, (unsigned long long)(s->received - s->epoch));
	s->dropped += s->fill;
	s->fill = 0;
	__atomic_store_n(&s->epoch, s->received, __ATOMIC_RELAXED);
	__atomic_store_n(&s->cuts_done, __atomic_load_n(&s->cuts_asked, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}

static void *stream_main(void *arg)
{
	struct stream *s = arg;
	struct pollfd pfd[3] = {
		{ .fd = s->fd, .events = POLLIN },
		{ .fd = s->stop_fd, .events = POLLIN },
		{ .fd = s->cut_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			read_some(s);
		if (pfd[2].revents & POLLIN)
			cut(s);
		if (pfd[1].revents & POLLIN) {
			while (read_some(s) > 0)
				;
			break;
		}
	}
	return NULL;
}

/* Ask the reader to end the old sender's stream; wait until it has. */
int stream_cut(struct stream *s, int timeout_ms)
{
	uint64_t one = 1, want = __atomic_add_fetch(&s->cuts_asked, 1, __ATOMIC_ACQ_REL);

	if (write(s->cut_fd, &one, sizeof(one)) < 0)
		return -1;
	while (__atomic_load_n(&s->cuts_done, __ATOMIC_ACQUIRE) < want && timeout_ms-- > 0)
		usleep(1000);
	return __atomic_load_n(&s->cuts_done, __ATOMIC_ACQUIRE) < want ? -1 : 0;
}

int stream_start(struct stream *s)
{
	int err = pthread_create(&s->thread, NULL, stream_main, s);

	if (err) {
		cli_err("cannot start a reader: %s", strerror(err));
		return -1;
	}
	s->running = true;
	return 0;
}

void stream_join(struct stream *s)
{
	if (s->running)
		pthread_join(s->thread, NULL);
	s->running = false;
}

void stream_close(struct stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->hold_fd >= 0)
		close(s->hold_fd);
	if (s->cut_fd >= 0)
		close(s->cut_fd);
	free(s->buf);
	s->fd = s->hold_fd = s->cut_fd = -1;
	s->buf = NULL;
}
