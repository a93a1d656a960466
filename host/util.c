// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vtrace.h"

const char *cli_cmd = "vtrace";

static void say(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s%s%s\n", prefix ? prefix : "", prefix ? ": " : "", line);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(cli_cmd, fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(NULL, fmt, ap);
	va_end(ap);
}

/* A FIFO, and not a symlink to one: anything else is refused. */
int cli_check_fifo(const char *path, bool quiet)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (!quiet)
			cli_err("%s: %s; create the channels with 'vtrace setup'", path,
				strerror(errno));
		return -1;
	}
	if (!S_ISFIFO(st.st_mode)) {
		if (!quiet)
			cli_err("%s is a %s, not a FIFO; remove it and run 'vtrace setup'", path,
				S_ISLNK(st.st_mode) ? "symlink" :
				S_ISREG(st.st_mode) ? "regular file" :
						      "special file");
		return -1;
	}
	return 0;
}

/*
 * Open a FIFO the way cli_check_fifo() checked it: no symlink followed
 * (O_NOFOLLOW), and a FIFO still when open (fstat), so a file swapped in
 * between the check and the open is refused too. Returns the fd, or -1 with
 * errno set (ELOOP for a symlink, ENXIO for a FIFO nobody reads).
 */
int cli_open_fifo(const char *path, int flags)
{
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * An output file vtrace will replace (record's -o, run-guest's console):
 * absent, or a regular file of ours. A symlink or another user's file, as
 * planted in /tmp, is refused: replacing it would hand that user our data
 * or let them aim us at a file of their choice.
 */
int cli_check_output(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (cli_err("%s: %s", path, strerror(errno)), -1);
	if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
		cli_err("%s is a %s; refusing to replace it: remove it or choose another name",
			path, S_ISLNK(st.st_mode) ? "symlink" : "special file");
		return -1;
	}
	if (st.st_uid != geteuid()) {
		cli_err("%s belongs to another user (uid %u); refusing to replace it: remove it "
			"or choose another name",
			path, (unsigned)st.st_uid);
		return -1;
	}
	return 0;
}

/* How many DIR/trace-path-cpuN.out FIFOs there are, N from 0 up. */
int cli_count_cpu_fifos(const char *dir)
{
	char path[4096];
	struct stat st;
	int n;

	for (n = 0; n < MAX_CPUS; n++) {
		snprintf(path, sizeof(path), "%s/" DATA_NAME_FMT ".out", dir, n);
		if (lstat(path, &st) < 0)
			break;
	}
	return n;
}
