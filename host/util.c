// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vtrace.h"

const char *vt_cmd = "vtrace";

static void say(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s%s%s\n", prefix ? prefix : "", prefix ? ": " : "", line);
}

void vt_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(vt_cmd, fmt, ap);
	va_end(ap);
}

void vt_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(NULL, fmt, ap);
	va_end(ap);
}

/* A FIFO, and not a symlink to one: anything else is refused. */
int vt_check_fifo(const char *path, bool quiet)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (!quiet)
			vt_err("%s: %s; create the channels with 'vtrace setup'", path,
			       strerror(errno));
		return -1;
	}
	if (!S_ISFIFO(st.st_mode)) {
		if (!quiet)
			vt_err("%s is a %s, not a FIFO; remove it and run 'vtrace setup'", path,
			       S_ISLNK(st.st_mode) ? "symlink" : S_ISREG(st.st_mode) ?
			       "regular file" : "special file");
		return -1;
	}
	return 0;
}

/* How many DIR/trace-path-cpuN.out FIFOs there are, N from 0 up. */
int vt_count_cpu_fifos(const char *dir)
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
