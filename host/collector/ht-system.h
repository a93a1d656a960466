/* SPDX-License-Identifier: GPL-2.0 */
/* hypertrace in system mode: the region as an ivshmem-plain device (ht-system.c). */
#ifndef VT_HT_SYSTEM_H
#define VT_HT_SYSTEM_H

#include <stdint.h>
#include <stdio.h>

#define HTC_SYSTEM_ID "vtrace-ht" /* the memory backend's QEMU id */

/* The size of a region that holds @need bytes and that QEMU's ivshmem takes: a power of two. */
uint64_t htc_system_size(uint64_t need);

/*
 * Check that @path can back QEMU's ivshmem: a regular file, a power of two
 * in size, a hypertrace region. 0 with *size, or -1 (said).
 */
int htc_system_check(const char *path, uint64_t *size);

/* QEMU's -object and -device values for the region (malloc'ed); 0 or -1. */
int htc_system_qemu_args(const char *path, uint64_t size, char **object, char **device);

/* Print them for a user's own QEMU command line or libvirt domain (@format). */
int htc_system_print_options(FILE *f, const char *path, uint64_t size, const char *format);

#endif
