/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* libhypertrace in a system-mode guest: finding the ivshmem device (pci.c). */
#ifndef HTL_PCI_H
#define HTL_PCI_H

#include <stddef.h>

#define HTL_PCI_SYSFS "/sys/bus/pci/devices"
#define HTL_PCI_VENDOR 0x1af4 /* Red Hat, Inc. (QEMU's virtual devices) */
#define HTL_PCI_DEVICE 0x1110 /* Inter-VM shared memory (ivshmem) */

/*
 * The file to map for @base: NULL finds the first ivshmem device that holds
 * a hypertrace region; a PCI address (0000:00:04.0, or 00:04.0) or a sysfs
 * device directory names one; any other path is the region itself (user
 * mode). A device is enabled first, and its BAR 2 (resource2) is the file.
 * Returns 0 with @out set, or -1 with errno: ENODEV no such device (or none
 * with a hypertrace region), EACCES not permitted (root is needed), EBUSY
 * a driver claimed the device's memory (hypertrace.ko does not).
 */
int htl_pci_resolve(const char *base, char *out, size_t outsz);

#endif
