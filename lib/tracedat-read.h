/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.dat reading, beside the writer (tracedat.h): a version 6 file as
 * vtrace record writes it, possibly left by a killed recorder, whose offsets
 * table is then behind the sub-buffers written after it (vtrace recover).
 * libtracecmd opens only finished files and does not say where the offsets
 * table is, so this walk is ours. The file is untrusted: every length in it
 * is checked against the file before it is used.
 */
#ifndef VT_TRACEDAT_READ_H
#define VT_TRACEDAT_READ_H

#include <stdbool.h>
#include <stdint.h>

#define VT_DAT_MAX_CPUS 1024
#define VT_DAT_MAX_CLOCK 4096 /* a trace_clock line is far shorter */

struct vt_dat_file {
	int fd;
	uint64_t size;	    /* of the file */
	bool big_endian;    /* the file's byte order */
	int long_size;	    /* 4 or 8 */
	uint32_t subbuf;    /* the page size: a power of two, 4 KiB to 1 MiB */
	uint32_t nr_cpus;   /* 1 to VT_DAT_MAX_CPUS */
	uint64_t table_off; /* the offsets table: nr_cpus (offset, size) u64 pairs */
	uint64_t clock_len; /* the clock string after the table (its u64 length first) */
	const char *bad;    /* what was wrong, after a call failed */
	int bad_cpu;	    /* the CPU whose table entry was impossible, or -1 */
	uint64_t pos;	    /* where the walk is */
};

/*
 * Walk the header of the @size-byte file on @fd (trace-cmd.dat.v6(5)) to
 * its offsets table and the trace clock after it, filling @f. Returns 0, or -1 with f->bad saying what
 * was wrong.
 */
int vt_dat_read_header(struct vt_dat_file *f, int fd, uint64_t size);

/* Where the data may begin: right after the offsets table and the clock. */
uint64_t vt_dat_data_start(const struct vt_dat_file *f);

/*
 * Read the offsets table into @offs and @sizes (f->nr_cpus entries each)
 * and check every entry: whole sub-buffers inside the file, past the header
 * when not empty, overlapping no other CPU's, nor starting inside another's
 * when empty (it would be extended over that data). A table that says
 * otherwise would make a packed copy repeat bytes: it is refused, not
 * guessed at. Returns 0, or -1 with f->bad, and f->bad_cpu when an entry
 * is impossible.
 */
int vt_dat_read_table(struct vt_dat_file *f, uint64_t *offs, uint64_t *sizes);

/*
 * Extend each CPU's @sizes (from a checked table) over the sub-buffers
 * written after the table's last update: every one that follows, up to
 * where the next CPU's region begins, as long as it is there, not all
 * zeros (a hole) and valid (lib/page.c). Returns 0, or -1 when out of
 * memory.
 */
int vt_dat_extend_sizes(struct vt_dat_file *f, const uint64_t *offs, uint64_t *sizes);

#endif
