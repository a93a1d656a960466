/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The seed's hypertrace guest API (QEMU's docs/hypertrace.txt), on vtrace's
 * shared region: programs written for it compile unchanged against
 * libhypertrace.
 */
#ifndef QEMU_HYPERTRACE_H
#define QEMU_HYPERTRACE_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Open the channel. @base is the region's path (user mode: the path given
 * to the collector), or in a system-mode guest the device's PCI address or
 * sysfs directory; NULL takes the VTRACE_HYPERTRACE environment variable,
 * and without it finds the hypertrace PCI device (ivshmem). Returns 0, or
 * -1 with errno set (ENODEV: no device; EACCES: not root).
 */
int qemu_hypertrace_init(const char *base);
void qemu_hypertrace_fini(void);

uint64_t qemu_hypertrace_max_clients(void);
uint64_t qemu_hypertrace_num_args(void);

/* Arguments 2... of @client's next event. */
uint64_t *qemu_hypertrace_data(uint64_t client);

/* Emit an event of @client with @arg1 and the data slot's arguments. */
void qemu_hypertrace(uint64_t client, uint64_t arg1);

#ifdef __cplusplus
}
#endif
#endif
