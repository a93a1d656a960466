/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.dat writer, versions 6 and 7 (trace-cmd.dat.v6(5), .v7(5)).
 * libtracecmd reads these files but has no public writer, so this one is
 * ours; its proof is that trace-cmd report and libtracecmd read what it
 * writes, and that trace-cmd's own rewrite of a file (trace-cmd convert)
 * gives the same bytes back.
 */
#ifndef VT_TRACEDAT_H
#define VT_TRACEDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vt_blob {
	const char *data;
	size_t len;
};

struct vt_format {
	const char *system; /* "ftrace" for the ftrace events */
	struct vt_blob text;
};

struct vt_dat_meta {
	bool big_endian;
	int long_size;
	uint32_t subbuf_size; /* written as the file's page size */
	struct vt_blob header_page, header_event;
	struct vt_format *formats;
	int nr_formats;
	struct vt_blob kallsyms, printk_formats, saved_cmdlines;
	struct vt_blob trace_clock; /* the trace_clock file, "[local] global ...": the
					 * bracketed one is written as the clock in use */
	struct vt_blob uname;
	struct vt_blob *cpu_stats; /* per CPU, may be empty */
	int nr_cpus;
};

/*
 * Write the metadata and an empty CPU offsets table to @fd (at its current
 * position, normally 0). *@table_off gets where the table is, *@data_off
 * the first offset where CPU data may go (aligned to the sub-buffer size).
 */
int vt_dat_write_header(int fd, const struct vt_dat_meta *m, uint64_t *table_off,
			uint64_t *data_off);

/*
 * What vt_dat_write_header() would give for @m, without writing: where the
 * table and the CPU data would be in a file that starts with it.
 */
void vt_dat_header_size(const struct vt_dat_meta *m, uint64_t *table_off, uint64_t *data_off);

/* Fill the offsets table: CPU i's data is @sizes[i] bytes at @offsets[i]. */
int vt_dat_write_offsets(int fd, const struct vt_dat_meta *m, uint64_t table_off,
			 const uint64_t *offsets, const uint64_t *sizes);

/*
 * Write a whole trace.dat to @fd: the metadata, then for each CPU i the
 * @sizes[i] bytes of sub-buffers read from @cpu_fds[i] (from offset 0; -1
 * for a CPU with no data). Returns 0, or -1 with errno set.
 */
int vt_dat_write_v6(int fd, const struct vt_dat_meta *m, const int *cpu_fds, const uint64_t *sizes);

/*
 * Write a whole trace.dat version 7 to @fd, every section and each CPU's
 * sub-buffers compressed with zstd: CPU i's @sizes[i] bytes are read from
 * @src_fds[i] at @src_offs[i]. Returns 0, or -1 with errno set.
 */
int vt_dat_write_v7(int fd, const struct vt_dat_meta *m, const int *src_fds,
		    const uint64_t *src_offs, const uint64_t *sizes);

#endif
