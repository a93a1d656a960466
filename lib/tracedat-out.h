/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the trace.dat writer (lib/tracedat.c, lib/tracedat-v7.c): where
 * the bytes go and the pieces both versions are made of. Not for users of
 * the writer: they have tracedat.h.
 */
#ifndef VT_TRACEDAT_OUT_H
#define VT_TRACEDAT_OUT_H

#include "tracedat.h"

/* Option ids of trace-cmd.dat(5). */
enum {
	OPT_DONE = 0,
	OPT_CPUSTAT = 2,
	OPT_TRACECLOCK = 4,
	OPT_UNAME = 5,
	OPT_CPUCOUNT = 8,
};

struct out {
	int fd;
	struct vt_buf *mem; /* when set, bytes go here instead (a v7 section) */
	bool count_only;    /* neither: only pos moves (a size is wanted) */
	bool swap;	    /* file endianness differs from ours */
	uint64_t pos;
	int err;
};

bool dat_file_swaps(const struct vt_dat_meta *m);
void dat_put(struct out *o, const void *p, size_t len);
/* @v as @size bytes in the file's byte order, into @b / to @o */
void dat_encode_num(unsigned char *b, uint64_t v, int size, bool swap);
void dat_put_num(struct out *o, uint64_t v, int size);
void dat_put_blob(struct out *o, const struct vt_blob *b, int size_bytes);
void dat_put_ftrace_formats(struct out *o, const struct vt_dat_meta *m);
void dat_put_event_systems(struct out *o, const struct vt_dat_meta *m);
void dat_put_option(struct out *o, int id, const void *data, size_t len);
void dat_put_option_num(struct out *o, int id, uint64_t v, int size);
/* the guest's clock, release and buffer statistics as options */
void dat_put_guest_options(struct out *o, const struct vt_dat_meta *m);
/* the clock in use: the bracketed word of the trace_clock file, else "local" */
struct vt_blob dat_clock_name(const struct vt_dat_meta *m);

#endif
