// SPDX-License-Identifier: GPL-2.0
/*
 * trace.dat version 7 (trace-cmd.dat.v7(5)), laid out as trace-cmd writes
 * it; the pieces it shares with version 6 are in lib/tracedat.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "proto.h"
#include "tracedat-out.h"

/*
 * Version 6's metadata in sections, each compressed with zstd and named in
 * a strings section at the end; options sections chained from the file's
 * header point at them. In trace-cmd's order: metadata sections, the
 * guest's options, the section pointers, the CPU data (each CPU's
 * sub-buffers compressed in chunks of ten), the BUFFER option that
 * describes it, the strings.
 */
enum {
	SEC_OPTIONS = 0,
	SEC_FLYRECORD = 3, /* the BUFFER option's section */
	SEC_STRINGS = 15,
	SEC_HEADER_INFO = 16,
	SEC_FTRACE_EVENTS = 17,
	SEC_EVENT_FORMATS = 18,
	SEC_KALLSYMS = 19,
	SEC_PRINTK = 20,
	SEC_CMDLINES = 21,
	OPT_BUFFER = 3,
	SEC_FL_COMPRESS = 1,
	PAGES_PER_CHUNK = 10,
};

/* Fill in a number left for later (a forward reference) in @o's file. */
static void patch_num(struct out *o, uint64_t at, uint64_t v, int size)
{
	unsigned char b[8];

	dat_encode_num(b, v, size, o->swap);
	if (!o->err && pwrite(o->fd, b, size, at) != size)
		o->err = errno ? errno : EIO;
}

struct v7 {
	struct out o;
	const struct vt_dat_meta *m;
	ZSTD_CCtx *zstd;
	struct vt_buf strings;		/* section names, NUL-separated */
	uint64_t sec[SEC_CMDLINES + 1]; /* where each metadata section is */
};

static uint32_t add_string(struct v7 *w, const char *s)
{
	uint32_t at = w->strings.len;

	if (vt_buf_add(&w->strings, s, strlen(s) + 1))
		w->o.err = ENOMEM;
	return at;
}

static void put_section_header(struct v7 *w, int id, int flags, const char *name, uint64_t size)
{
	dat_put_num(&w->o, id, 2);
	dat_put_num(&w->o, flags, 2);
	dat_put_num(&w->o, add_string(w, name), 4);
	dat_put_num(&w->o, size, 8);
}

/*
 * One zstd frame to @o: u32 compressed size, u32 size, the frame. Without
 * the content size in the frame, as trace-cmd compresses.
 */
static void put_compressed(struct v7 *w, struct out *o, const void *data, size_t len)
{
	size_t bound = ZSTD_compressBound(len);
	void *frame = malloc(bound ? bound : 1);
	size_t n;

	if (!frame) {
		o->err = ENOMEM;
		return;
	}
	n = ZSTD_compress2(w->zstd, frame, bound, data, len);
	if (ZSTD_isError(n)) {
		o->err = EIO;
	} else {
		dat_put_num(o, n, 4);
		dat_put_num(o, len, 4);
		dat_put(o, frame, n);
	}
	free(frame);
}

typedef void (*section_body)(struct out *o, const struct vt_dat_meta *m);

/* A compressed metadata section, its payload written by @body. */
static void put_section(struct v7 *w, int id, const char *name, section_body body)
{
	struct vt_buf raw = { 0 }, packed = { 0 };
	struct out ro = { .mem = &raw, .swap = w->o.swap };
	struct out po = { .mem = &packed, .swap = w->o.swap };

	body(&ro, w->m);
	put_compressed(w, &po, raw.data, raw.len);
	if (ro.err || po.err)
		w->o.err = ro.err ? ro.err : po.err;
	if (id <= SEC_CMDLINES)
		w->sec[id] = w->o.pos;
	put_section_header(w, id, SEC_FL_COMPRESS, name, packed.len);
	dat_put(&w->o, packed.data, packed.len);
	vt_buf_free(&raw);
	vt_buf_free(&packed);
}

static void body_headers(struct out *o, const struct vt_dat_meta *m)
{
	dat_put(o, "header_page", 12);
	dat_put_blob(o, &m->header_page, 8);
	dat_put(o, "header_event", 13);
	dat_put_blob(o, &m->header_event, 8);
}

static void body_kallsyms(struct out *o, const struct vt_dat_meta *m)
{
	dat_put_blob(o, &m->kallsyms, 4);
}

static void body_printk(struct out *o, const struct vt_dat_meta *m)
{
	dat_put_blob(o, &m->printk_formats, 4);
}

static void body_cmdlines(struct out *o, const struct vt_dat_meta *m)
{
	dat_put_blob(o, &m->saved_cmdlines, 8);
}

static void put_metadata_sections(struct v7 *w)
{
	put_section(w, SEC_HEADER_INFO, "headers", body_headers);
	put_section(w, SEC_FTRACE_EVENTS, "ftrace events", dat_put_ftrace_formats);
	put_section(w, SEC_EVENT_FORMATS, "events format", dat_put_event_systems);
	put_section(w, SEC_KALLSYMS, "kallsyms", body_kallsyms);
	put_section(w, SEC_PRINTK, "printk", body_printk);
	put_section(w, SEC_CMDLINES, "command lines", body_cmdlines);
}

/*
 * An options section holding @opts, ended by a DONE option whose number is
 * where the next options section is (0: none). Returns where that number
 * is, for when the next section's place is known only later.
 */
static uint64_t put_options_section(struct v7 *w, const struct vt_buf *opts, uint64_t next)
{
	uint64_t next_at;

	put_section_header(w, SEC_OPTIONS, 0, "options", opts->len + 2 + 4 + 8);
	dat_put(&w->o, opts->data, opts->len);
	dat_put_num(&w->o, OPT_DONE, 2);
	dat_put_num(&w->o, 8, 4);
	next_at = w->o.pos;
	dat_put_num(&w->o, next, 8);
	return next_at;
}

/* The guest's options, then one pointing at each metadata section. */
static uint64_t put_meta_options(struct v7 *w)
{
	struct vt_buf guest = { 0 }, ptrs = { 0 };
	struct out go = { .mem = &guest, .swap = w->o.swap };
	struct out po = { .mem = &ptrs, .swap = w->o.swap };
	uint64_t next_at;
	int id;

	dat_put_guest_options(&go, w->m);
	for (id = SEC_HEADER_INFO; id <= SEC_CMDLINES; id++)
		dat_put_option_num(&po, id, w->sec[id], 8);
	dat_put_option_num(&po, OPT_CPUCOUNT, w->m->nr_cpus, 4);
	if (go.err || po.err)
		w->o.err = ENOMEM;
	/* the next section follows this one directly */
	put_options_section(w, &guest, w->o.pos + 16 + guest.len + 14);
	next_at = put_options_section(w, &ptrs, 0);
	vt_buf_free(&guest);
	vt_buf_free(&ptrs);
	return next_at;
}

static void put_padding(struct out *o, uint32_t align)
{
	static const char zeros[4096];
	uint64_t pad = (align - o->pos % align) % align;

	while (pad) {
		size_t n = pad < sizeof(zeros) ? pad : sizeof(zeros);

		dat_put(o, zeros, n);
		pad -= n;
	}
}

/* One CPU's sub-buffers as u32 chunk count, then compressed chunks. */
static void put_cpu_chunks(struct v7 *w, int src, uint64_t src_off, uint64_t size)
{
	size_t chunk = (size_t)PAGES_PER_CHUNK * w->m->subbuf_size;
	char *buf = malloc(chunk);
	uint64_t done;
	ssize_t n;

	if (!buf) {
		w->o.err = ENOMEM;
		return;
	}
	dat_put_num(&w->o, (size + chunk - 1) / chunk, 4);
	for (done = 0; done < size && !w->o.err; done += n) {
		size_t want = size - done < chunk ? size - done : chunk;

		n = pread(src, buf, want, src_off + done);
		if (n != (ssize_t)want) {
			w->o.err = n < 0 ? errno : EIO;
			break;
		}
		put_compressed(w, &w->o, buf, n);
	}
	free(buf);
}

/* The CPU data, each CPU page-aligned; @cpu_off and @cpu_len get where. */
static uint64_t put_flyrecord(struct v7 *w, const int *src_fds, const uint64_t *src_offs,
			      const uint64_t *sizes, uint64_t *cpu_off, uint64_t *cpu_len)
{
	uint64_t at = w->o.pos, start;
	int cpu;

	put_section_header(w, SEC_FLYRECORD, SEC_FL_COMPRESS, "buffer flyrecord ", 0);
	start = w->o.pos;
	for (cpu = 0; cpu < w->m->nr_cpus; cpu++) {
		cpu_off[cpu] = cpu_len[cpu] = 0;
		if (!sizes[cpu])
			continue; /* no padding for it either: trace-cmd seeks, writes none */
		put_padding(&w->o, w->m->subbuf_size);
		cpu_off[cpu] = w->o.pos;
		put_cpu_chunks(w, src_fds[cpu], src_offs[cpu], sizes[cpu]);
		/* as trace-cmd counts it: the chunks, not the count before them */
		cpu_len[cpu] = w->o.pos - cpu_off[cpu] - 4;
	}
	patch_num(&w->o, at + 8, w->o.pos - start, 8);
	return at;
}

/* The BUFFER option: where the CPU data is, its clock and page size. */
static void put_buffer_options(struct v7 *w, uint64_t fly_at, const uint64_t *sizes,
			       const uint64_t *cpu_off, const uint64_t *cpu_len)
{
	struct vt_buf opt = { 0 }, opts = { 0 };
	struct out bo = { .mem = &opt, .swap = w->o.swap };
	struct out oo = { .mem = &opts, .swap = w->o.swap };
	struct vt_blob clock = dat_clock_name(w->m);
	int cpu, n = 0;

	dat_put_num(&bo, fly_at, 8);
	dat_put(&bo, "", 1); /* the top buffer's name */
	dat_put(&bo, clock.data, clock.len);
	dat_put(&bo, "", 1);
	dat_put_num(&bo, w->m->subbuf_size, 4);
	for (cpu = 0; cpu < w->m->nr_cpus; cpu++)
		n += sizes[cpu] != 0;
	dat_put_num(&bo, n, 4);
	for (cpu = 0; cpu < w->m->nr_cpus; cpu++) {
		if (!sizes[cpu])
			continue;
		dat_put_num(&bo, cpu, 4);
		dat_put_num(&bo, cpu_off[cpu], 8);
		dat_put_num(&bo, cpu_len[cpu], 8);
	}
	dat_put_option(&oo, OPT_BUFFER, opt.data, opt.len);
	if (bo.err || oo.err)
		w->o.err = ENOMEM;
	put_options_section(w, &opts, 0);
	vt_buf_free(&opt);
	vt_buf_free(&opts);
}

static void put_strings(struct v7 *w)
{
	struct vt_buf packed = { 0 };
	struct out po = { .mem = &packed, .swap = w->o.swap };
	uint32_t name = add_string(w, "strings");

	put_compressed(w, &po, w->strings.data, w->strings.len);
	if (po.err)
		w->o.err = po.err;
	dat_put_num(&w->o, SEC_STRINGS, 2);
	dat_put_num(&w->o, SEC_FL_COMPRESS, 2);
	dat_put_num(&w->o, name, 4);
	dat_put_num(&w->o, packed.len, 8);
	dat_put(&w->o, packed.data, packed.len);
	vt_buf_free(&packed);
}

/* Magic, version, sizes, the compression; returns where the options offset goes. */
static uint64_t put_v7_head(struct v7 *w)
{
	unsigned char head[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '7', 0 };
	const char *zv = ZSTD_versionString();
	uint64_t at;

	dat_put(&w->o, head, sizeof(head));
	dat_put_num(&w->o, w->m->big_endian, 1);
	dat_put_num(&w->o, w->m->long_size, 1);
	dat_put_num(&w->o, w->m->subbuf_size, 4);
	dat_put(&w->o, "zstd", 5);
	dat_put(&w->o, zv, strlen(zv) + 1);
	at = w->o.pos;
	dat_put_num(&w->o, 0, 8);
	return at;
}

int vt_dat_write_v7(int fd, const struct vt_dat_meta *m, const int *src_fds,
		    const uint64_t *src_offs, const uint64_t *sizes)
{
	struct v7 w = { .o = { .fd = fd, .swap = dat_file_swaps(m) }, .m = m };
	uint64_t cpu_off[m->nr_cpus], cpu_len[m->nr_cpus], opts_field, next_field, fly_at;

	w.zstd = ZSTD_createCCtx();
	if (!w.zstd || ZSTD_isError(ZSTD_CCtx_setParameter(w.zstd, ZSTD_c_contentSizeFlag, 0))) {
		ZSTD_freeCCtx(w.zstd);
		errno = ENOMEM;
		return -1;
	}
	opts_field = put_v7_head(&w);
	put_metadata_sections(&w);
	patch_num(&w.o, opts_field, w.o.pos, 8);
	next_field = put_meta_options(&w);
	fly_at = put_flyrecord(&w, src_fds, src_offs, sizes, cpu_off, cpu_len);
	patch_num(&w.o, next_field, w.o.pos, 8);
	put_buffer_options(&w, fly_at, sizes, cpu_off, cpu_len);
	put_strings(&w);
	ZSTD_freeCCtx(w.zstd);
	vt_buf_free(&w.strings);
	if (w.o.err) {
		errno = w.o.err;
		return -1;
	}
	return 0;
}
