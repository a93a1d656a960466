// SPDX-License-Identifier: GPL-2.0
/*
 * The finished trace.dat, from the temporary file vtrace record writes in
 * place (host/record.c): a header, room for it to grow, then each CPU's
 * sub-buffers in a region of its own, far apart in a sparse file. For
 * version 6 the header is written again with the end-of-run metadata and
 * the regions are packed after it without a second copy of the data where
 * the filesystem allows; version 7 is compressed into a fresh file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtrace.h"
#include "io.h"

static uint64_t region_of(const struct pack *p, int cpu)
{
	return p->base + cpu * p->region;
}

/* A fresh file beside the output, for a copy; -1 with errno set. */
static int fresh_file(const struct pack *p, char *path)
{
	snprintf(path, PATH_MAX, "%s.XXXXXX", p->output);
	return mkostemp(path, O_CLOEXEC);
}

/* The copy at @path, complete, takes the temporary file's place. */
static void replace_file(struct pack *p, int fd, const char *path)
{
	close(p->fd);
	unlink(p->path);
	p->fd = fd;
	snprintf(p->path, PATH_MAX, "%s", path);
}

/* Copy each CPU's region into a fresh file: for filesystems that cannot collapse. */
static int rewrite_packed(struct pack *p, const uint64_t *sizes, uint64_t *offsets)
{
	char path[PATH_MAX];
	uint64_t table, off;
	int fd, cpu;

	fd = fresh_file(p, path);
	if (fd < 0)
		return -1;
	if (vt_dat_write_header(fd, p->meta, &table, &off))
		goto fail;
	for (cpu = 0; cpu < p->meta->nr_cpus; cpu++) {
		off_t from = region_of(p, cpu), to = off;

		offsets[cpu] = off;
		if (vt_copy_range(p->fd, &from, fd, &to, sizes[cpu]))
			goto fail;
		off += sizes[cpu];
	}
	if (vt_dat_write_offsets(fd, p->meta, table, offsets, sizes))
		goto fail;
	replace_file(p, fd, path);
	return 0;
fail:
	close(fd);
	unlink(path);
	return -1;
}

/*
 * Move each CPU's sub-buffers down to its packed place inside the file, a
 * chunk at a time, punching the source chunk out before writing it again:
 * for a full disk (the copy needs as much room again), it needs no free
 * space beyond what it frees.
 */
static int pack_in_place(struct pack *p, uint64_t table, uint64_t data_off, const uint64_t *sizes,
			 uint64_t *offsets)
{
	const size_t chunk = 1 << 20;
	uint64_t off = data_off, src, done, n;
	char *buf = malloc(chunk);
	int cpu;

	if (!buf)
		return -1;
	for (cpu = 0; cpu < p->meta->nr_cpus; off += sizes[cpu], cpu++) {
		offsets[cpu] = off;
		src = region_of(p, cpu);
		for (done = 0; src != off && done < sizes[cpu]; done += n) {
			n = sizes[cpu] - done < chunk ? sizes[cpu] - done : chunk;
			if (pread(p->fd, buf, n, src + done) != (ssize_t)n)
				goto fail;
			/* dest < src: the write lands only on what was read already */
			fallocate(p->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, src + done, n);
			if (pwrite(p->fd, buf, n, off + done) != (ssize_t)n)
				goto fail;
		}
	}
	free(buf);
	if (ftruncate(p->fd, off))
		return -1;
	return vt_dat_write_offsets(p->fd, p->meta, table, offsets, sizes);
fail:
	free(buf);
	return -1;
}

/*
 * Collapse [@at, @at + @len): FALLOC_FL_COLLAPSE_RANGE moves extents, not
 * data (ext4, xfs). Returns 0, or -1 where the filesystem cannot.
 */
static int collapse(struct pack *p, uint64_t at, uint64_t len)
{
	return len ? fallocate(p->fd, FALLOC_FL_COLLAPSE_RANGE, at, len) : 0;
}

/*
 * Close the gaps between the CPU regions, highest first so lower offsets
 * stay put, then the room left between the header and the first region.
 * Where the filesystem cannot collapse, the regions are copied into a
 * fresh file, or moved within this one when the disk has no room for that.
 */
static int pack_regions(struct pack *p, uint64_t table, uint64_t data_off, const uint64_t *sizes,
			uint64_t *offsets)
{
	int nr = p->meta->nr_cpus, last = -1, cpu;
	uint64_t end, off = data_off;
	bool failed = false;

	for (cpu = 0; cpu < nr; cpu++) {
		offsets[cpu] = off;
		off += sizes[cpu];
		if (sizes[cpu])
			last = cpu;
	}
	end = last < 0 ? data_off : region_of(p, last) + sizes[last];
	if (ftruncate(p->fd, end))
		return -1;
	if (last < 0) /* no data: nothing to move (a collapse may not reach the end) */
		return vt_dat_write_offsets(p->fd, p->meta, table, offsets, sizes);
	for (cpu = last - 1; cpu >= 0 && !failed; cpu--)
		failed = collapse(p, region_of(p, cpu) + sizes[cpu], p->region - sizes[cpu]);
	if (!failed)
		failed = collapse(p, data_off, p->base - data_off);
	if (!failed)
		return vt_dat_write_offsets(p->fd, p->meta, table, offsets, sizes);
	if (!rewrite_packed(p, sizes, offsets))
		return 0;
	if (errno != ENOSPC && errno != EDQUOT)
		return -1;
	cli_info("no room for a packed copy of %s: packing it in place", p->output);
	return pack_in_place(p, table, data_off, sizes, offsets);
}

/*
 * The header again, with what the guest said at the end of the run, in the
 * room before the first region; its table pointing at the regions as they
 * are, so the file stays readable (and recoverable) until it is packed.
 */
static int rewrite_header(struct pack *p, const uint64_t *sizes, uint64_t *table,
			  uint64_t *data_off)
{
	static const char zeros[1 << 16];
	uint64_t offsets[p->meta->nr_cpus], end;
	int cpu;

	for (cpu = 0; cpu < p->meta->nr_cpus; cpu++)
		offsets[cpu] = region_of(p, cpu);
	if (lseek(p->fd, 0, SEEK_SET) < 0 || vt_dat_write_header(p->fd, p->meta, table, data_off))
		return -1;
	/* what is left of the old header up to the data: zeros, as in trace-cmd's files */
	end = lseek(p->fd, 0, SEEK_CUR);
	while (end < *data_off) {
		size_t n = *data_off - end < sizeof(zeros) ? *data_off - end : sizeof(zeros);

		if (pwrite(p->fd, zeros, n, end) != (ssize_t)n)
			return -1;
		end += n;
	}
	return vt_dat_write_offsets(p->fd, p->meta, *table, offsets, sizes);
}

int pack_v6(struct pack *p, const uint64_t *sizes)
{
	uint64_t offsets[p->meta->nr_cpus], table, data_off;

	vt_dat_header_size(p->meta, &table, &data_off);
	if (data_off > p->base) /* the header outgrew its room: a copy */
		return rewrite_packed(p, sizes, offsets);
	if (rewrite_header(p, sizes, &table, &data_off))
		return -1;
	return pack_regions(p, table, data_off, sizes, offsets);
}

int pack_v7(struct pack *p, const uint64_t *sizes)
{
	int nr = p->meta->nr_cpus, fds[nr], cpu, fd;
	char path[PATH_MAX];
	uint64_t offs[nr];

	for (cpu = 0; cpu < nr; cpu++) {
		fds[cpu] = p->fd;
		offs[cpu] = region_of(p, cpu);
	}
	fd = fresh_file(p, path);
	if (fd < 0)
		return -1;
	if (vt_dat_write_v7(fd, p->meta, fds, offs, sizes)) {
		close(fd);
		unlink(path);
		return -1;
	}
	replace_file(p, fd, path);
	return 0;
}
