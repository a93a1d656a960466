/* SPDX-License-Identifier: GPL-2.0 */
/* kmod/compat: see stdint.h. glibc's names for the kernel's byte-order helpers. */
#include <asm/byteorder.h>
#define htole16(x) cpu_to_le16(x)
#define htole32(x) cpu_to_le32(x)
#define htole64(x) cpu_to_le64(x)
#define le16toh(x) le16_to_cpu(x)
#define le32toh(x) le32_to_cpu(x)
#define le64toh(x) le64_to_cpu(x)
