/* SPDX-License-Identifier: GPL-2.0 */
/* kmod/compat: see stdint.h. */
#include <linux/types.h>
