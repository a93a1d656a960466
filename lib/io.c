// SPDX-License-Identifier: GPL-2.0
/* I/O helpers shared by the agent and the host; see io.h. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

int vt_write_all_wait(int fd, const void *buf, size_t len, int (*wait)(void *ctx), void *ctx)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= n;
		} else if (n == 0) {
			errno = EIO;
			return -1;
		} else if (errno == EAGAIN) {
			if (wait(ctx))
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

/* vt_write_all_wait()'s wait for a plain fd: poll for room, @ctx the fd and timeout. */
struct poll_out {
	int fd;
	int timeout_ms;
};

static int wait_writable(void *ctx)
{
	struct poll_out *po = ctx;
	struct pollfd pfd = { .fd = po->fd, .events = POLLOUT };
	int ret;

	do {
		ret = poll(&pfd, 1, po->timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret == 0)
		errno = ETIMEDOUT;
	return ret > 0 ? 0 : -1;
}

int vt_write_all_timeout(int fd, const void *buf, size_t len, int timeout_ms)
{
	struct poll_out po = { .fd = fd, .timeout_ms = timeout_ms };

	return vt_write_all_wait(fd, buf, len, wait_writable, &po);
}

int vt_write_all(int fd, const void *buf, size_t len)
{
	return vt_write_all_timeout(fd, buf, len, -1);
}

size_t vt_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, p + done, len - done, off + done);
		if (n > 0) {
			done += n;
		} else if (n == 0) {
			errno = EIO;
			break;
		} else if (errno != EINTR) {
			break;
		}
	}
	return done;
}

/* copy_file_range(2) refusing this pair of files, rather than failing. */
static bool copy_refused(ssize_t n)
{
	return n == 0 || errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
	       errno == EOPNOTSUPP;
}

/*
 * By hand: read at *@in_off (or the position), write at *@out_off (or the
 * position). A read of nothing before @len bytes is the end of @in.
 */
static int copy_by_hand(int in, off_t *in_off, int out, off_t *out_off, uint64_t len)
{
	char buf[1 << 16];
	size_t want;
	ssize_t n;

	while (len) {
		want = len < sizeof(buf) ? len : sizeof(buf);
		n = in_off ? pread(in, buf, want, *in_off) : read(in, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		if (out_off ? vt_pwrite_all(out, buf, n, *out_off) != (size_t)n :
			      vt_write_all(out, buf, n) < 0)
			return -1;
		if (in_off)
			*in_off += n;
		if (out_off)
			*out_off += n;
		len -= n;
	}
	return 0;
}

int vt_copy_range(int in, off_t *in_off, int out, off_t *out_off, uint64_t len)
{
	loff_t from = in_off ? *in_off : 0, to = out_off ? *out_off : 0;
	ssize_t n = 0;

	while (len) {
		n = copy_file_range(in, in_off ? &from : NULL, out, out_off ? &to : NULL, len, 0);
		if (n > 0)
			len -= n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	if (in_off)
		*in_off = from;
	if (out_off)
		*out_off = to;
	if (!len)
		return 0;
	if (!copy_refused(n))
		return -1;
	return copy_by_hand(in, in_off, out, out_off, len);
}

long long vt_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int vt_signalfd(const int *signals)
{
	sigset_t set;
	int err;

	sigemptyset(&set);
	for (; *signals; signals++)
		sigaddset(&set, *signals);
	err = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (err) {
		errno = err;
		return -1;
	}
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}
