// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The seed's API (qemu-hypertrace.h) over one process-wide region. */
#include <errno.h>
#include <stdlib.h>

#include "hypertrace.h"
#include "ht-emit.h"
#include "qemu-hypertrace.h"

static struct hypertrace *channel;

int qemu_hypertrace_init(const char *base)
{
	if (!base)
		base = getenv("VTRACE_HYPERTRACE"); /* else NULL: find the PCI device */
	if (base && !*base)
		base = NULL;
	if (channel)
		qemu_hypertrace_fini();
	channel = hypertrace_open(base);
	return channel ? 0 : -1;
}

void qemu_hypertrace_fini(void)
{
	hypertrace_close(channel);
	channel = NULL;
}

uint64_t qemu_hypertrace_max_clients(void)
{
	return channel ? hypertrace_max_clients(channel) : 0;
}

uint64_t qemu_hypertrace_num_args(void)
{
	return channel ? hypertrace_num_args(channel) : 0;
}

uint64_t *qemu_hypertrace_data(uint64_t client)
{
	return channel && client < UINT32_MAX ? hypertrace_data(channel, client) : NULL;
}

void qemu_hypertrace(uint64_t client, uint64_t arg1)
{
	if (channel && client <= UINT32_MAX)
		htl_emit_data(channel, client, arg1);
}
