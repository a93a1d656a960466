// SPDX-License-Identifier: GPL-2.0
/*
 * Hypertrace events as a trace.dat (v6, lib/tracedat.c's writer) that
 * trace-cmd report and KernelShark read: one event format, system
 * "hypertrace", event "guest_hypertrace"; one "CPU" per client that emitted;
 * timestamps in host CLOCK_MONOTONIC ns (trace clock "mono"), so the file
 * merges with a host `trace-cmd record -C mono`.
 *
 * Each client's events are packed into ftrace ring-buffer sub-buffers as
 * they come (the kernel's layout, synthesized here for a 64-bit
 * little-endian reader), kept in a small per-client batch, and appended in
 * batches to one spool file beside the output, so memory stays bounded
 * however long the run. At the end each client's batches are copied in
 * order into the trace.dat, written under a temporary name and renamed.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ht.h"
#include "vtrace.h"
#include "io.h"

#define SUBBUF 4096
#define PAGE_HDR 16 /* u64 timestamp, u64 commit */
#define PAGE_DATA (SUBBUF - PAGE_HDR)
#define BATCH 8 /* sub-buffers a client keeps before a write */
#define EVENT_ID 1
#define MAX_SMALL 112 /* the largest payload whose length fits type_len */
#define TYPE_EXTEND 30
#define DELTA_BITS 27

/* The kernel's own header files of a 64-bit machine (tests/fixtures/guest-6.1-x86_64). */
static const char header_page[] = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
				  "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
				  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
				  "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n";
static const char header_event[] = "# compressed entry header\n"
				   "\ttype_len    :    5 bits\n"
				   "\ttime_delta  :   27 bits\n"
				   "\tarray       :   32 bits\n"
				   "\n"
				   "\tpadding     : type == 29\n"
				   "\ttime_extend : type == 30\n"
				   "\ttime_stamp : type == 31\n"
				   "\tdata max type_len  == 28\n";
static const char trace_clock[] = "local global counter uptime perf [mono] mono_raw boot\n";

struct chunk {
	uint64_t off, len; /* in the spool */
};

struct dat_client {
	unsigned char *buf; /* BATCH sub-buffers, allocated at the first event */
	uint32_t page;	    /* the sub-buffer being filled */
	uint32_t fill;	    /* its data bytes; 0: none started */
	uint64_t last_ts;
	uint64_t events, clamped, max_back;
	struct chunk *chunks;
	size_t nr_chunks, cap;
};

struct htc_dat {
	const char *output;
	char tmp_path[PATH_MAX];
	int out_fd, spool_fd;
	uint64_t spool_end;
	uint32_t max_clients, num_args, payload, ev_size;
	unsigned long pid;
	int err;
	const char *clock; /* the trace_clock file: which clock the timestamps count */
	struct dat_client *cl;
};

/* The spool: an unnamed file beside the output (the data goes there in the end anyway). */
static int open_spool(const char *output)
{
	char dir[PATH_MAX], path[PATH_MAX];
	const char *slash = strrchr(output, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == output ? 1 : slash - output),
			 output);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	snprintf(path, sizeof(path), "%.4000s/.vtrace-spool.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

struct htc_dat *htc_dat_open(const char *output, uint32_t max_clients, uint32_t num_args,
			     unsigned long pid)
{
	struct htc_dat *d = calloc(1, sizeof(*d));

	if (!d || !(d->cl = calloc(max_clients, sizeof(*d->cl)))) {
		cli_err("out of memory");
		free(d);
		return NULL;
	}
	d->output = output;
	d->max_clients = max_clients;
	d->num_args = num_args;
	d->payload = 24 + 8 * num_args;
	d->ev_size = d->payload <= MAX_SMALL ? 4 + d->payload : 8 + d->payload;
	d->pid = pid;
	d->spool_fd = -1;
	d->clock = trace_clock;
	/* both files now, so that a directory we cannot write fails before the run */
	snprintf(d->tmp_path, sizeof(d->tmp_path), "%s.XXXXXX", output);
	d->out_fd = mkostemp(d->tmp_path, O_CLOEXEC);
	if (d->out_fd < 0 || (d->spool_fd = open_spool(output)) < 0) {
		cli_err("cannot write %s: %s", output, strerror(errno));
		if (d->out_fd < 0)
			d->tmp_path[0] = '\0';
		htc_dat_abort(d);
		return NULL;
	}
	return d;
}

void htc_dat_clock(struct htc_dat *d, const char *clock)
{
	d->clock = strcmp(clock, "x86-tsc") ?
			   "local global counter uptime perf [mono] mono_raw boot x86-tsc\n" :
			   "local global counter uptime perf mono mono_raw boot [x86-tsc]\n";
}

/* Append the client's finished sub-buffers to the spool. */
static void flush_client(struct htc_dat *d, struct dat_client *c)
{
	size_t len = (size_t)c->page * SUBBUF, done = 0;
	ssize_t n;

	while (done < len && !d->err) {
		n = pwrite(d->spool_fd, c->buf + done, len - done, d->spool_end + done);
		if (n <= 0)
			d->err = n < 0 ? errno : EIO;
		else
			done += n;
	}
	if (d->err)
		return;
	if (c->nr_chunks &&
	    c->chunks[c->nr_chunks - 1].off + c->chunks[c->nr_chunks - 1].len == d->spool_end) {
		c->chunks[c->nr_chunks - 1].len += len; /* one client at a time: contiguous */
	} else {
		if (c->nr_chunks == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 16;
			struct chunk *m = realloc(c->chunks, cap * sizeof(*m));

			if (!m) {
				d->err = ENOMEM;
				return;
			}
			c->chunks = m;
			c->cap = cap;
		}
		c->chunks[c->nr_chunks++] = (struct chunk){ d->spool_end, len };
	}
	d->spool_end += len;
	c->page = 0;
}

static void end_page(struct htc_dat *d, struct dat_client *c)
{
	vt_put_le64(c->buf + (size_t)c->page * SUBBUF + 8, c->fill); /* commit */
	c->fill = 0;
	if (++c->page == BATCH)
		flush_client(d, c);
}

static void start_page(struct dat_client *c, uint64_t ts)
{
	unsigned char *page = c->buf + (size_t)c->page * SUBBUF;

	memset(page, 0, SUBBUF);
	vt_put_le64(page, ts);
}

void htc_dat_event(struct htc_dat *d, const struct ht_event *ev, uint64_t ts)
{
	struct dat_client *c = &d->cl[ev->client];
	uint64_t delta;
	uint32_t need, i;
	unsigned char *p;

	if (d->err || (!c->buf && !(c->buf = malloc((size_t)BATCH * SUBBUF)))) {
		d->err = d->err ? d->err : ENOMEM;
		return;
	}
	if (ts < c->last_ts) {
		/* a page's events must go forward: a hostile clock, or a TSC map's recalibration */
		if (c->last_ts - ts > c->max_back)
			c->max_back = c->last_ts - ts;
		ts = c->last_ts;
		c->clamped++;
	}
	delta = ts - c->last_ts;
	need = d->ev_size + (delta >> DELTA_BITS ? 8 : 0);
	if (!c->fill || c->fill + need > PAGE_DATA || delta >> (DELTA_BITS + 32)) {
		if (c->fill)
			end_page(d, c);
		if (d->err)
			return;
		start_page(c, ts);
		delta = 0;
		need = d->ev_size;
	}
	p = c->buf + (size_t)c->page * SUBBUF + PAGE_HDR + c->fill;
	c->fill += need;
	if (delta >> DELTA_BITS) {
		vt_put_le32(p, TYPE_EXTEND | (uint32_t)(delta & ((1u << DELTA_BITS) - 1)) << 5);
		vt_put_le32(p + 4, delta >> DELTA_BITS);
		p += 8;
		delta = 0;
	}
	if (d->payload <= MAX_SMALL) {
		vt_put_le32(p, d->payload / 4 | (uint32_t)delta << 5);
		p += 4;
	} else {
		vt_put_le32(p, (uint32_t)delta << 5); /* type_len 0: the length follows */
		vt_put_le32(p + 4, d->payload + 4);
		p += 8;
	}
	/* common_type, common_flags, common_preempt_count, common_pid */
	vt_put_le32(p, EVENT_ID);
	vt_put_le32(p + 4, d->pid);
	vt_put_le32(p + 8, ev->client);
	vt_put_le32(p + 12, 0);
	vt_put_le64(p + 16, ev->seq);
	for (i = 0; i < d->num_args; i++)
		vt_put_le64(p + 24 + 8 * i, ev->args[i]);
	c->last_ts = ts;
	c->events++;
}

/* The event's format file, as the kernel would write it. */
static int format_text(const struct htc_dat *d, char *buf, size_t size)
{
	size_t n;
	uint32_t i;

	n = snprintf(buf, size,
		     "name: guest_hypertrace\nID: %d\nformat:\n"
		     "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		     "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		     "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		     "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
		     "\tfield:u32 client;\toffset:8;\tsize:4;\tsigned:0;\n"
		     "\tfield:u64 seq;\toffset:16;\tsize:8;\tsigned:0;\n",
		     EVENT_ID);
	for (i = 0; i < d->num_args && n < size; i++)
		n += snprintf(buf + n, size - n,
			      "\tfield:u64 arg%u;\toffset:%u;\tsize:8;\tsigned:0;\n", i + 1,
			      24 + 8 * i);
	/* each field once: the "CPU" a client's events are on is trace-cmd's own column */
	if (n < size)
		n += snprintf(buf + n, size - n, "\nprint fmt: \"client=%%u seq=%%llu arg1=%%llu");
	for (i = 1; i < d->num_args && n < size; i++)
		n += snprintf(buf + n, size - n, " arg%u=0x%%016llx", i + 1);
	if (n < size)
		n += snprintf(buf + n, size - n, "\", REC->client, REC->seq");
	for (i = 0; i < d->num_args && n < size; i++)
		n += snprintf(buf + n, size - n, ", REC->arg%u", i + 1);
	if (n < size)
		n += snprintf(buf + n, size - n, "\n");
	return n < size ? (int)n : -1;
}

/* Copy a client's chunks from the spool to the output at @off. */
static int copy_chunks(struct htc_dat *d, const struct dat_client *c, uint64_t off)
{
	size_t i;

	for (i = 0; i < c->nr_chunks; i++) {
		off_t from = c->chunks[i].off, to = off;

		if (vt_copy_range(d->spool_fd, &from, d->out_fd, &to, c->chunks[i].len))
			return -1;
		off += c->chunks[i].len;
	}
	return 0;
}

static int write_file(struct htc_dat *d, int nr_cpus, const uint32_t *client_of)
{
	char fmt[4096], cmdline[64];
	struct vt_format format = { "hypertrace", { fmt, 0 } };
	struct vt_dat_meta m = {
		.long_size = 8,
		.subbuf_size = SUBBUF,
		.header_page = { header_page, sizeof(header_page) - 1 },
		.header_event = { header_event, sizeof(header_event) - 1 },
		.formats = &format,
		.nr_formats = 1,
		.trace_clock = { d->clock, strlen(d->clock) },
		.nr_cpus = nr_cpus,
	};
	uint64_t table, off, offsets[nr_cpus], sizes[nr_cpus];
	struct utsname u;
	char uts[5 * 65 + 8];
	int i, n;

	n = format_text(d, fmt, sizeof(fmt));
	if (n < 0)
		return -1;
	format.text.len = n;
	n = snprintf(cmdline, sizeof(cmdline), "%lu hypertrace\n", d->pid);
	m.saved_cmdlines = (struct vt_blob){ cmdline, n };
	if (!uname(&u)) {
		n = snprintf(uts, sizeof(uts), "%s %s %s %s %s", u.sysname, u.nodename, u.release,
			     u.version, u.machine);
		m.uname = (struct vt_blob){ uts, n };
	}
	if (vt_dat_write_header(d->out_fd, &m, &table, &off))
		return -1;
	for (i = 0; i < nr_cpus; i++) {
		const struct dat_client *c =
			client_of[i] < d->max_clients ? &d->cl[client_of[i]] : NULL;

		offsets[i] = off;
		sizes[i] = 0;
		if (!c)
			continue;
		if (copy_chunks(d, c, off))
			return -1;
		for (size_t k = 0; k < c->nr_chunks; k++)
			sizes[i] += c->chunks[k].len;
		off += sizes[i];
	}
	return vt_dat_write_offsets(d->out_fd, &m, table, offsets, sizes);
}

int htc_dat_finish(struct htc_dat *d, struct htc_dat_stats *st)
{
	uint32_t *client_of = calloc(d->max_clients + 1, sizeof(*client_of));
	int nr = 0, ret = -1;
	mode_t mask;
	uint32_t i;

	memset(st, 0, sizeof(*st));
	if (!client_of)
		d->err = ENOMEM;
	for (i = 0; i < d->max_clients && !d->err; i++) {
		struct dat_client *c = &d->cl[i];

		if (!c->events)
			continue;
		if (c->fill)
			end_page(d, c);
		if (c->page)
			flush_client(d, c);
		client_of[nr++] = i;
		st->events += c->events;
		st->clamped += c->clamped;
		if (c->max_back > st->max_back_ns)
			st->max_back_ns = c->max_back;
	}
	if (!nr && client_of)
		client_of[nr++] = UINT32_MAX; /* no events: one empty CPU, still a valid file */
	st->cpus = nr;
	mask = umask(0);
	umask(mask);
	if (d->err)
		errno = d->err;
	else if (!write_file(d, nr, client_of) && !fchmod(d->out_fd, 0666 & ~mask) &&
		 !close(d->out_fd)) {
		d->out_fd = -1;
		if (!rename(d->tmp_path, d->output)) {
			d->tmp_path[0] = '\0';
			ret = 0;
		}
	}
	if (ret)
		cli_err("cannot write %s: %s", d->output, strerror(errno));
	free(client_of);
	htc_dat_abort(d);
	return ret;
}

void htc_dat_abort(struct htc_dat *d)
{
	uint32_t i;

	if (!d)
		return;
	if (d->out_fd >= 0)
		close(d->out_fd);
	if (d->tmp_path[0])
		unlink(d->tmp_path);
	if (d->spool_fd >= 0)
		close(d->spool_fd);
	for (i = 0; i < d->max_clients; i++) {
		free(d->cl[i].buf);
		free(d->cl[i].chunks);
	}
	free(d->cl);
	free(d);
}
