/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Inside libhypertrace: the seed's qemu_hypertrace() reaches the emit path
 * through this hidden name, a direct call in the shared library too (an
 * exported name would be called through the PLT, since it may be
 * interposed).
 */
#ifndef HTL_EMIT_H
#define HTL_EMIT_H

#include <stdint.h>

struct hypertrace;

__attribute__((visibility("hidden"))) int htl_emit_data(struct hypertrace *ht, uint32_t client,
							uint64_t arg1);

#endif
