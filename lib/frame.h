/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Framing for `trace-agent -o`. All CPUs share standard output, and a
 * sub-buffer does not say which CPU it came from, so each chunk of whole
 * sub-buffers is preceded by this header (all fields little-endian).
 * Ports need no framing: one port per CPU says it.
 */
#ifndef VT_FRAME_H
#define VT_FRAME_H

#include <stdint.h>

#define VT_FRAME_MAGIC "VTSB"

struct vt_frame {
	char magic[4];	      /* "VTSB" */
	uint32_t cpu;	      /* CPU whose ring buffer the chunk came from */
	uint32_t len;	      /* bytes that follow: a multiple of subbuf_size */
	uint32_t subbuf_size; /* bytes per sub-buffer */
};

#endif
