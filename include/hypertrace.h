/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libhypertrace: emit events from guest code to the host through a shared
 * region, in nanoseconds: no system call, no lock, no trap. See
 * docs/hypertrace.md; the seed's API is in <qemu-hypertrace.h>.
 *
 * A client is a producer: one thread uses it at a time. Different clients
 * may be used from different threads without any synchronization.
 */
#ifndef HYPERTRACE_H
#define HYPERTRACE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hypertrace;

/*
 * Map the region at @path: in user mode, the file the collector made
 * (/dev/shm/...); in a system-mode guest, NULL finds the hypertrace
 * ivshmem device, and a PCI address (0000:00:04.0) or its sysfs directory
 * names one (root is needed to map a device). NULL with errno set: ENOENT
 * no such file, ENODEV no hypertrace device, EINVAL not a hypertrace
 * region, EACCES not permitted, EBUSY a driver claimed the device's memory.
 */
struct hypertrace *hypertrace_open(const char *path);
void hypertrace_close(struct hypertrace *ht);

uint32_t hypertrace_max_clients(const struct hypertrace *ht);
uint32_t hypertrace_num_args(const struct hypertrace *ht);

/*
 * Emit one event of client @client: @args[0] is arg1, up to
 * hypertrace_num_args() of them (missing ones are 0). Returns 0, or -1 with
 * errno EINVAL (no such client) or ENOSPC (the ring was full: the event is
 * counted as dropped, nothing waits).
 */
int hypertrace_emit(struct hypertrace *ht, uint32_t client, const uint64_t *args, uint32_t nargs);

/*
 * The seed's event: @arg1, then the other arguments from @client's data
 * slot (hypertrace_data()). Returns as hypertrace_emit() does.
 */
int hypertrace_emit_data(struct hypertrace *ht, uint32_t client, uint64_t arg1);

/* Events of @client lost to a full ring so far. */
uint64_t hypertrace_drops(const struct hypertrace *ht, uint32_t client);

/* The seed's data slot of @client: arg2... of its next qemu_hypertrace(). */
uint64_t *hypertrace_data(struct hypertrace *ht, uint32_t client);

#ifdef __cplusplus
}
#endif
#endif
