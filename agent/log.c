// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

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
