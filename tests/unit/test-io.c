// SPDX-License-Identifier: GPL-2.0
/*
 * lib/io.c: writing everything (short writes, EINTR, a full non-blocking
 * pipe), copying ranges in the kernel and by hand where it refuses (a pipe,
 * and refusals injected through a copy_file_range() of our own that the
 * library's calls reach), the monotonic clock, the signalfd and the byte
 * order helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "io.h"

/*
 * The library's copy_file_range(): the real one (at most @cfr_chunk bytes a
 * call when set), or after @cfr_good calls a refusal: -1 with @cfr_errno,
 * or 0 when that is 0.
 */
static bool cfr_inject;
static int cfr_errno, cfr_good, cfr_calls;
static size_t cfr_chunk;

ssize_t copy_file_range(int in, loff_t *in_off, int out, loff_t *out_off, size_t len,
			unsigned int flags)
{
	if (cfr_inject && cfr_calls++ >= cfr_good) {
		errno = cfr_errno;
		return cfr_errno ? -1 : 0;
	}
	if (cfr_chunk && len > cfr_chunk)
		len = cfr_chunk;
	return syscall(SYS_copy_file_range, in, in_off, out, out_off, len, flags);
}

static void inject(int err, int good, size_t chunk)
{
	cfr_inject = true;
	cfr_errno = err;
	cfr_good = good;
	cfr_calls = 0;
	cfr_chunk = chunk;
}

static int reset(void **state)
{
	cfr_inject = false;
	cfr_chunk = 0;
	return 0;
}

static int tmp_file(void)
{
	char path[] = "/tmp/vt-test-io.XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static unsigned char *pattern(size_t len, unsigned int seed)
{
	unsigned char *p = malloc(len);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (i * 131 + seed) ^ (i >> 9);
	return p;
}

static void assert_file_holds(int fd, off_t off, const unsigned char *want, size_t len)
{
	unsigned char *got = malloc(len);

	assert_non_null(got);
	assert_int_equal(pread(fd, got, len, off), len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* A reader that starts late and reads slowly, so the writer meets a full pipe. */
struct reader {
	int fd;
	size_t want, got;
	unsigned char *buf;
	int delay_us;
	pthread_t kick; /* signalled once before reading, when set */
	int kick_sig;
};

static void *read_slowly(void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	usleep(r->delay_us);
	if (r->kick_sig) {
		pthread_kill(r->kick, r->kick_sig);
		usleep(r->delay_us);
	}
	while (r->got < r->want) {
		n = read(r->fd, r->buf + r->got, r->want - r->got < 4096 ? r->want - r->got : 4096);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			usleep(100);
			continue;
		}
		if (n <= 0)
			break;
		r->got += n;
	}
	return NULL;
}

/* 1 MiB through a 64 KiB non-blocking pipe: many short writes and waits for room. */
static void write_all_fills_a_nonblocking_pipe(void **state)
{
	size_t len = 1 << 20;
	unsigned char *data = pattern(len, 1);
	struct reader r = { .want = len, .delay_us = 20000 };
	pthread_t t;
	int fds[2];

	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	r.fd = fds[0];
	r.buf = malloc(len);
	assert_int_equal(pthread_create(&t, NULL, read_slowly, &r), 0);
	assert_int_equal(vt_write_all(fds[1], data, len), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.got, len);
	assert_memory_equal(r.buf, data, len);
	close(fds[0]);
	close(fds[1]);
	free(r.buf);
	free(data);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

/* A blocking write to a full pipe interrupted by a signal (EINTR) goes on. */
static void write_all_retries_eintr(void **state)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	size_t len = 1 << 18;
	unsigned char *data = pattern(len, 2), fill[4096] = { 0 };
	struct reader r = { .delay_us = 50000, .kick = pthread_self(), .kick_sig = SIGUSR1 };
	pthread_t t;
	int fds[2];

	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	while (write(fds[1], fill, sizeof(fill)) > 0)
		r.want += sizeof(fill);
	assert_int_equal(fcntl(fds[1], F_SETFL, 0), 0); /* blocking from here */
	r.want += len;
	r.fd = fds[0];
	r.buf = malloc(r.want);
	interrupted = 0;
	assert_int_equal(pthread_create(&t, NULL, read_slowly, &r), 0);
	assert_int_equal(vt_write_all(fds[1], data, len), 0);
	pthread_join(t, NULL);
	assert_true(interrupted);
	assert_int_equal(r.got, r.want);
	assert_memory_equal(r.buf + r.want - len, data, len);
	signal(SIGUSR1, SIG_DFL);
	close(fds[0]);
	close(fds[1]);
	free(r.buf);
	free(data);
}

/* Nobody reads: the timeout says so instead of waiting for ever. */
static void write_all_timeout_on_a_full_pipe(void **state)
{
	unsigned char fill[4096] = { 0 };
	long long t0;
	int fds[2];

	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	while (write(fds[1], fill, sizeof(fill)) > 0)
		;
	t0 = vt_mono_ms();
	assert_int_equal(vt_write_all_timeout(fds[1], fill, sizeof(fill), 50), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(vt_mono_ms() - t0 >= 50);
	assert_true(vt_mono_ms() - t0 < 5000);
	close(fds[0]);
	close(fds[1]);
}

static int waits;

static int give_up(void *ctx)
{
	waits++;
	errno = *(int *)ctx;
	return -1;
}

/* The caller's wait decides; its errno is what the caller sees. */
static void write_all_wait_gives_up(void **state)
{
	unsigned char fill[4096] = { 0 };
	int fds[2], err = ECANCELED;

	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	while (write(fds[1], fill, sizeof(fill)) > 0)
		;
	waits = 0;
	assert_int_equal(vt_write_all_wait(fds[1], fill, sizeof(fill), give_up, &err), -1);
	assert_int_equal(errno, ECANCELED);
	assert_int_equal(waits, 1);
	close(fds[0]);
	/* no reader: an error, not a wait */
	assert_int_equal(signal(SIGPIPE, SIG_IGN) != SIG_ERR, 1);
	assert_int_equal(vt_write_all_wait(fds[1], fill, 1, give_up, &err), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(waits, 1);
	close(fds[1]);
}

static void pwrite_all_at_an_offset(void **state)
{
	unsigned char *data = pattern(300000, 3);
	int fd = tmp_file();

	assert_int_equal(vt_pwrite_all(fd, data, 300000, 12345), 300000);
	assert_file_holds(fd, 12345, data, 300000);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0); /* the position is not moved */
	close(fd);
	free(data);
}

/* A file size limit stands in for a full disk: what fitted is said and written. */
static void pwrite_all_says_what_fitted(void **state)
{
	unsigned char *data = pattern(300000, 9);
	struct rlimit was, small;
	int fd = tmp_file();

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small = was;
	small.rlim_cur = 100000;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	errno = 0;
	assert_int_equal(vt_pwrite_all(fd, data, 300000, 1000), 99000);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_file_holds(fd, 1000, data, 99000);
	close(fd);
	free(data);
}

/* A source file with @len bytes of pattern @seed at @off. */
static int source(off_t off, size_t len, unsigned int seed, unsigned char **data)
{
	int fd = tmp_file();

	*data = pattern(len, seed);
	assert_int_equal(vt_pwrite_all(fd, *data, len, off), len);
	return fd;
}

static void copy_range_in_the_kernel(void **state)
{
	size_t len = 200000;
	unsigned char *data;
	int in = source(4096, len, 4, &data), out = tmp_file();
	off_t from = 4096, to = 100;

	assert_int_equal(vt_copy_range(in, &from, out, &to, len), 0);
	assert_int_equal(from, 4096 + len);
	assert_int_equal(to, 100 + len);
	assert_file_holds(out, 100, data, len);
	close(in);
	close(out);
	free(data);
}

/*
 * Each refusal (after a first chunk went through the kernel, and from the
 * start) ends in a copy by hand that takes over where the kernel stopped.
 */
static void copy_range_falls_back(void **state)
{
	static const int refusals[] = { EXDEV, EINVAL, ENOSYS, EOPNOTSUPP, 0 };
	size_t len = 300000;
	unsigned char *data;
	int in = source(0, len + 50, 5, &data);
	unsigned int i, good;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		for (good = 0; good < 2; good++) {
			int out = tmp_file();
			off_t from = 50, to = 7;

			inject(refusals[i], good, 8192);
			assert_int_equal(vt_copy_range(in, &from, out, &to, len), 0);
			assert_int_equal(cfr_calls, good + 1);
			assert_int_equal(from, 50 + len);
			assert_int_equal(to, 7 + len);
			assert_file_holds(out, 7, data + 50, len);
			close(out);
		}
	}
	close(in);
	free(data);
}

/* A real refusal: the kernel copies between regular files only. */
static void copy_range_from_a_pipe(void **state)
{
	size_t len = 40000;
	unsigned char *data = pattern(len, 6);
	int fds[2], out = tmp_file();
	off_t to = 3;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[1], F_SETPIPE_SZ, 1 << 16) >= (int)len, 1);
	assert_int_equal(vt_write_all(fds[1], data, len), 0);
	assert_int_equal(vt_copy_range(fds[0], NULL, out, &to, len), 0);
	assert_int_equal(to, 3 + len);
	assert_file_holds(out, 3, data, len);
	close(fds[0]);
	close(fds[1]);
	close(out);
	free(data);
}

/* At the file positions (NULL offsets), by hand too. */
static void copy_range_at_the_positions(void **state)
{
	size_t len = 100000;
	unsigned char *data;
	int in = source(0, len, 7, &data), out = tmp_file();

	assert_int_equal(lseek(in, 1000, SEEK_SET), 1000);
	assert_int_equal(lseek(out, 10, SEEK_SET), 10);
	inject(EXDEV, 1, 4096);
	assert_int_equal(vt_copy_range(in, NULL, out, NULL, len - 1000), 0);
	assert_int_equal(lseek(in, 0, SEEK_CUR), len);
	assert_int_equal(lseek(out, 0, SEEK_CUR), 10 + len - 1000);
	assert_file_holds(out, 10, data + 1000, len - 1000);
	close(in);
	close(out);
	free(data);
}

/* A real error is one: no copy by hand. A source too short is EIO. */
static void copy_range_errors(void **state)
{
	unsigned char *data;
	int in = source(0, 10000, 8, &data), out = tmp_file();
	off_t from = 0, to = 0;

	inject(EBADF, 0, 0);
	assert_int_equal(vt_copy_range(in, &from, out, &to, 10000), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(lseek(out, 0, SEEK_END), 0);
	reset(NULL);
	from = to = 0;
	assert_int_equal(vt_copy_range(in, &from, out, &to, 20000), -1);
	assert_int_equal(errno, EIO);
	assert_file_holds(out, 0, data, 10000); /* what there was is copied */
	close(in);
	close(out);
	free(data);
}

static void mono_ms_moves_forward(void **state)
{
	long long t0 = vt_mono_ms(), t1;

	assert_true(t0 >= 0);
	usleep(20000);
	t1 = vt_mono_ms();
	assert_true(t1 - t0 >= 20);
	assert_true(t1 - t0 < 5000);
}

static void signalfd_blocks_and_reads(void **state)
{
	static const int sigs[] = { SIGUSR2, SIGWINCH, 0 };
	struct signalfd_siginfo si;
	sigset_t mask;
	int fd = vt_signalfd(sigs);

	assert_true(fd >= 0);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &mask), 0);
	assert_true(sigismember(&mask, SIGUSR2) && sigismember(&mask, SIGWINCH));
	assert_false(sigismember(&mask, SIGTERM));
	assert_int_equal(read(fd, &si, sizeof(si)), -1); /* non-blocking, nothing yet */
	assert_int_equal(errno, EAGAIN);
	raise(SIGUSR2);
	assert_int_equal(read(fd, &si, sizeof(si)), sizeof(si));
	assert_int_equal(si.ssi_signo, SIGUSR2);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
}

static void byte_order(void **state)
{
	unsigned char b[8];

	vt_put_le16(b, 0x0102);
	assert_memory_equal(b, "\x02\x01", 2);
	vt_put_le32(b, 0x01020304);
	assert_memory_equal(b, "\x04\x03\x02\x01", 4);
	vt_put_le64(b, 0x0102030405060708ULL);
	assert_memory_equal(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	assert_int_equal(vt_get_le64(b), 0x0102030405060708ULL);
	assert_int_equal(vt_get_le32(b), 0x05060708);
	assert_int_equal(vt_get_le16(b), 0x0708);
	vt_put_be16(b, 0x0102);
	assert_memory_equal(b, "\x01\x02", 2);
	vt_put_be32(b, 0x01020304);
	assert_memory_equal(b, "\x01\x02\x03\x04", 4);
	vt_put_be64(b, 0x0102030405060708ULL);
	assert_memory_equal(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	vt_put_le64(b, 0xfedcba9876543210ULL); /* high bits survive the shifts */
	assert_int_equal(vt_get_le64(b), 0xfedcba9876543210ULL);
	assert_int_equal(vt_get_le32(b + 4), 0xfedcba98);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_all_fills_a_nonblocking_pipe),
		cmocka_unit_test(write_all_retries_eintr),
		cmocka_unit_test(write_all_timeout_on_a_full_pipe),
		cmocka_unit_test(write_all_wait_gives_up),
		cmocka_unit_test(pwrite_all_at_an_offset),
		cmocka_unit_test(pwrite_all_says_what_fitted),
		cmocka_unit_test_teardown(copy_range_in_the_kernel, reset),
		cmocka_unit_test_teardown(copy_range_falls_back, reset),
		cmocka_unit_test_teardown(copy_range_from_a_pipe, reset),
		cmocka_unit_test_teardown(copy_range_at_the_positions, reset),
		cmocka_unit_test_teardown(copy_range_errors, reset),
		cmocka_unit_test(mono_ms_moves_forward),
		cmocka_unit_test(signalfd_blocks_and_reads),
		cmocka_unit_test(byte_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
