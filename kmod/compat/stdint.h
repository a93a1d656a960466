/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmod/compat: the few C library headers lib/ht-region.c and
 * include/hypertrace-abi.h include, mapped onto the kernel's, so the module
 * checks a region with the very code the host and libhypertrace use.
 */
#include <linux/types.h>
