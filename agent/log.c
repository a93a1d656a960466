// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "agent.h"

int agent_verbose;

static void vlog(const char *fmt, va_list ap)
{
	char line[1024];

	/* One write per line, so lines of concurrent threads do not mix. */
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, AGENT_NAME ": %s\n", line);
}

void agent_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void agent_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/*
 * A flood of garbage orders must not turn into a flood of log lines: at most
 * LOG_BURST lines about bad orders per second, then one line with the count.
 * Called by the controller thread only.
 */
#define LOG_BURST 10

bool agent_log_budget(void)
{
	static time_t second;
	static unsigned long in_second, hidden;
	time_t now = time(NULL);

	if (now != second) {
		if (hidden)
			agent_log("%lu more bad orders ignored without a log line", hidden);
		second = now;
		in_second = hidden = 0;
	}
	if (++in_second <= LOG_BURST)
		return true;
	hidden++;
	return false;
}
