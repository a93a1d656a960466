// SPDX-License-Identifier: GPL-2.0
/*
 * The control channel as the host sees it: orders go into
 * agent-ctl-path.in (QEMU, or an agent run with -c, reads it), replies come
 * out of agent-ctl-path.out. Replies are hostile input: parsed by
 * lib/proto.c, bounded in size and in time.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "order.h"
#include "vtrace.h"

int channel_open(struct channel *ch, const char *dir, bool replies)
{
	ch->in_fd = ch->out_fd = -1;
	ch->tag = 0;
	ch->untagged = false;
	ch->skipped = 0;
	snprintf(ch->in_path, sizeof(ch->in_path), "%s/" CTL_NAME ".in", dir);
	snprintf(ch->out_path, sizeof(ch->out_path), "%s/" CTL_NAME ".out", dir);
	if (cli_check_fifo(ch->in_path, false) || (replies && cli_check_fifo(ch->out_path, false)))
		return -1;
	/* Non-blocking: a FIFO nobody reads fails now instead of hanging. */
	ch->in_fd = cli_open_fifo(ch->in_path, O_WRONLY | O_NONBLOCK);
	if (ch->in_fd < 0) {
		cli_err("%s: %s", ch->in_path,
			errno == ENXIO ?
				"nobody reads it; start the guest (QEMU opens it) or the agent" :
				strerror(errno));
		return -1;
	}
	if (replies) {
		ch->out_fd = cli_open_fifo(ch->out_path, O_RDONLY | O_NONBLOCK);
		if (ch->out_fd < 0) {
			cli_err("%s: %s", ch->out_path, strerror(errno));
			close(ch->in_fd);
			return -1;
		}
		channel_drain(ch->out_fd); /* replies nobody read before */
	}
	return 0;
}

void channel_close(struct channel *ch)
{
	if (ch->in_fd >= 0)
		close(ch->in_fd);
	if (ch->out_fd >= 0)
		close(ch->out_fd);
	ch->in_fd = ch->out_fd = -1;
}

void channel_drain(int fd)
{
	char buf[65536];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/*
 * The newline first ends whatever another writer left unfinished in the
 * FIFO (a dead or trickling writer), so it cannot glue itself to the front
 * of this order; the agent ignores empty lines.
 */
int channel_send(struct channel *ch, const char *order)
{
	char line[512];
	int len = snprintf(line, sizeof(line), "\n%s\n", order);

	/* Under PIPE_BUF bytes: one write, never split or mixed with another. */
	if (!vt_write_all_timeout(ch->in_fd, line, len, 5000))
		return 0;
	if (errno == ETIMEDOUT)
		cli_err("%s is full: the guest does not take orders", ch->in_path);
	else
		cli_err("cannot send '%s' to %s: %s", order, ch->in_path, strerror(errno));
	return -1;
}

/* With no writer for this long, nobody will answer: the agent is gone. */
#define NO_WRITER_MS 1500

/*
 * Read exactly @len bytes by @deadline (ms, monotonic). Returns 0, -1 on an
 * error, -2 at the deadline, -3 when nothing has held the FIFO open for
 * NO_WRITER_MS (QEMU keeps it open; an agent run on FIFOs holds it itself).
 */
static int read_full(int fd, char *buf, size_t len, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long left, eof_since = 0;
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		left = deadline - vt_mono_ms();
		if (left <= 0)
			return -2;
		if (n < 0) {
			eof_since = 0;
			if (poll(&pfd, 1, left) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		/* End of file: no writer at the moment. Wait a little for one. */
		if (!eof_since)
			eof_since = vt_mono_ms();
		else if (vt_mono_ms() - eof_since > NO_WRITER_MS)
			return -3;
		usleep(20000);
	}
	return 0;
}

static int read_reply_until(struct channel *ch, long long deadline, int timeout_ms,
			    struct vt_reply *r, char **payload)
{
	unsigned char hdr[VT_REPLY_HDR_SIZE];
	char err[256];
	int ret;

	*payload = NULL;
	ret = read_full(ch->out_fd, (char *)hdr, sizeof(hdr), deadline);
	if (ret == -2) {
		cli_err("no reply from the agent on %s in %d s; is a vtrace trace-agent running "
			"in the guest?",
			ch->out_path, timeout_ms / 1000);
		return -1;
	}
	if (ret == -3) {
		cli_err("nothing writes to %s: the guest (QEMU) or the agent is gone",
			ch->out_path);
		return -1;
	}
	if (ret || vt_reply_parse_header(hdr, r, err, sizeof(err))) {
		cli_err("malformed reply on %s: %s", ch->out_path, ret ? strerror(errno) : err);
		return -1;
	}
	*payload = malloc(r->length + 1);
	if (!*payload) {
		cli_err("out of memory for a %u-byte reply", r->length);
		return -1;
	}
	ret = read_full(ch->out_fd, *payload, r->length, deadline);
	if (ret) {
		cli_err("reply on %s cut short (%u bytes announced)", ch->out_path, r->length);
		free(*payload);
		*payload = NULL;
		return -1;
	}
	(*payload)[r->length] = '\0';
	return 0;
}

int channel_read_reply(struct channel *ch, int timeout_ms, struct vt_reply *r, char **payload)
{
	return read_reply_until(ch, vt_mono_ms() + timeout_ms, timeout_ms, r, payload);
}

/*
 * Tags start where an earlier vtrace's are unlikely to be, so a late reply
 * to one of its orders is not taken for ours; 0 means untagged.
 */
static uint32_t next_tag(struct channel *ch)
{
	struct timespec ts;

	if (!ch->tag) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ch->tag = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 12);
	}
	if (!++ch->tag)
		ch->tag = 1;
	return ch->tag;
}

/*
 * An agent from before tags answers "#N order" with ERR "unknown order
 * '#N order'", untagged: only ours can begin with our tag.
 */
static bool agent_predates_tags(const struct vt_reply *r, const char *payload, uint32_t tag)
{
	char start[32];

	snprintf(start, sizeof(start), "unknown order '#%u ", tag);
	return r->type == VT_REPLY_ERR && !r->tag && !strncmp(payload, start, strlen(start));
}

#define MAX_HELLOS 4 /* announcements while one order waits: the agent crash-loops */

int channel_ask(struct channel *ch, const char *order, int timeout_ms, struct vt_reply *r,
		char **payload)
{
	long long deadline = vt_mono_ms() + timeout_ms;
	uint32_t tag = ch->untagged ? 0 : next_tag(ch);
	char line[VT_ORDER_MAX + 16];
	int hellos = 0;

	*payload = NULL;	   /* callers free it whatever happened */
	channel_drain(ch->out_fd); /* nothing that came before is the answer */
	if (tag)
		snprintf(line, sizeof(line), "#%u %s", tag, order);
	else
		snprintf(line, sizeof(line), "%s", order);
	if (channel_send(ch, line))
		return -1;
	for (;;) {
		if (read_reply_until(ch, deadline, timeout_ms, r, payload))
			return -1;
		if (r->type != VT_REPLY_HELLO && r->tag == tag)
			return 0;
		if (tag && agent_predates_tags(r, *payload, tag)) {
			cli_info("the agent predates tagged orders; sending them untagged");
			ch->untagged = true;
			tag = 0;
			if (channel_send(ch, order))
				break;
		} else if (r->type == VT_REPLY_HELLO && ++hellos == MAX_HELLOS) {
			cli_err("the agent keeps restarting (%d announcements for one order)",
				hellos);
			break;
		} else if (r->type != VT_REPLY_HELLO) {
			ch->skipped++;
		}
		free(*payload);
		*payload = NULL;
	}
	free(*payload);
	*payload = NULL;
	return -1;
}

/*
 * Between orders: has the agent announced a (re)start? Reads every reply
 * waiting (nobody asked for them: a flood's ERR replies, say) so the agent
 * never finds the FIFO full. Returns 1 with the last HELLO payload
 * (malloc'ed), 0 when none came, -1 on garbage (the channel drained).
 * *@skipped counts the other replies; *@gone tells whether nothing holds
 * the reply FIFO open for writing (an agent on FIFOs, or QEMU).
 */
int channel_poll_hello(struct channel *ch, char **payload, bool *gone, int *skipped)
{
	struct pollfd pfd = { .fd = ch->out_fd, .events = POLLIN };
	struct vt_reply rep;
	char *p;
	int ret = 0;

	*payload = NULL;
	*gone = false;
	while (poll(&pfd, 1, 0) > 0) {
		if (!(pfd.revents & POLLIN)) {
			*gone = pfd.revents & POLLHUP;
			break;
		}
		if (channel_read_reply(ch, 2000, &rep, &p)) {
			channel_drain(ch->out_fd);
			return ret ? ret : -1;
		}
		if (rep.type == VT_REPLY_HELLO) {
			free(*payload);
			*payload = p;
			ret = 1;
		} else {
			free(p);
			(*skipped)++;
		}
	}
	return ret;
}
