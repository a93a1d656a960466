// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace record: open every stream before the guest starts (so it never
 * blocks on an unread port), fetch the guest's metadata, enable events,
 * start, read all CPUs concurrently, stop with the guest's flush, and write
 * a trace.dat that trace-cmd and KernelShark open.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "io.h"

#define TICK_MS 500 /* progress line and offsets table refresh */
/*
 * What the header may grow by at the end of the run: the guest's saved
 * command lines (32768 or more of at most 24 bytes: kernels round the size
 * up) and buffer statistics. Sparse until used; a header that outgrows it
 * is written into a copy instead (host/pack.c).
 */
#define HEADER_ROOM(cpus) ((2ULL << 20) + 1024ULL * (cpus))

static const char usage[] =
	"Usage: vtrace record [OPTION]...\n"
	"Record the guest's ftrace streams into a trace.dat (trace-cmd's format).\n"
	"  -d, --dir DIR          the channels, as made by vtrace setup (" DEFAULT_DIR ")\n"
	"  -o, --output FILE      default trace.dat\n"
	"  -e, --event SYS[:EV]   enable this guest event while recording (repeatable)\n"
	"  -D, --duration S       stop after S seconds (default: at Ctrl-C)\n"
	"      --no-kallsyms      leave the guest's /proc/kallsyms out (recorded by\n"
	"                         default, so that addresses show as function names)\n"
	"      --file-version V   the trace.dat version: 6 (default), or 7, compressed\n"
	"                         with zstd\n"
	"  -q, --quiet            no progress line\n"
	"The guest must run a vtrace trace-agent. On a TTY a progress line shows each\n"
	"CPU's bytes, sub-buffers and missed events.\n";

static int parse_options(struct record *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "event", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'D' },
		{ "kallsyms", no_argument, NULL, 'k' }, /* the default now; for scripts */
		{ "no-kallsyms", no_argument, NULL, 'K' },
		{ "file-version", required_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	r->dir = DEFAULT_DIR;
	r->output = "trace.dat";
	r->version = 6;
	while ((c = getopt_long(argc, argv, "d:o:e:D:kqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			r->dir = optarg;
			break;
		case 'o':
			r->output = optarg;
			break;
		case 'e':
			if (r->nr_events == 64) {
				cli_err("at most 64 -e options");
				return -1;
			}
			r->events[r->nr_events++] = optarg;
			break;
		case 'D':
			r->duration = strtod(optarg, &end);
			if (*end || r->duration <= 0) {
				cli_err("invalid duration '%s': give seconds, e.g. -D 5", optarg);
				return -1;
			}
			break;
		case 'k':
			r->no_kallsyms = false;
			break;
		case 'K':
			r->no_kallsyms = true;
			break;
		case 'V':
			if (strcmp(optarg, "6") && strcmp(optarg, "7")) {
				cli_err("invalid trace.dat version '%s': give 6, or 7 (zstd-compressed)",
					optarg);
				return -1;
			}
			r->version = optarg[0] - '0';
			break;
		case 'q':
			r->quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s'; try 'vtrace record --help'", argv[optind]);
		return -1;
	}
	return 0;
}

/*
 * Point the offsets table at each CPU's region with the whole sub-buffers
 * kept so far: the temporary file is then a trace.dat trace-cmd reads at
 * any moment, and what a killed recorder leaves is recoverable (vtrace
 * recover extends each region past the sizes written here).
 */
static int update_table(struct record *r)
{
	int nr = r->gm.dat.nr_cpus, i;
	uint64_t sizes[nr], offsets[nr];

	for (i = 0; i < nr; i++) {
		offsets[i] = r->data_off + i * r->region;
		sizes[i] = 0;
	}
	for (i = 0; r->streams && i < r->gm.nr_streamed; i++)
		sizes[r->streams[i].cpu] = stream_get(&r->streams[i].kept) / r->streams[i].subbuf *
					   r->streams[i].subbuf;
	return vt_dat_write_offsets(r->out_fd, &r->gm.dat, r->table_off, offsets, sizes);
}

/*
 * The trace.dat is written in place: its header now, then each CPU's
 * sub-buffers straight into a region of its own, far apart in a sparse
 * file; finish_dat() writes the header again with the end-of-run metadata
 * and closes the gaps (host/pack.c). No second copy of the data.
 */
static int create_dat(struct record *r)
{
	uint64_t per_cpu = (8ULL << 40) / r->gm.dat.nr_cpus; /* ext4 allows 16 TiB */
	uint64_t header_end;

	if (cli_check_output(r->output))
		return -1;
	/* mkostemp: a new file (O_EXCL, so never through a symlink), mode 0600 */
	snprintf(r->tmp_path, sizeof(r->tmp_path), "%s.XXXXXX", r->output);
	r->out_fd = mkostemp(r->tmp_path, O_CLOEXEC);
	if (r->out_fd < 0) {
		cli_err("cannot create %s: %s", r->tmp_path, strerror(errno));
		r->tmp_path[0] = '\0';
		return -1;
	}
	if (vt_dat_write_header(r->out_fd, &r->gm.dat, &r->table_off, &header_end)) {
		cli_err("cannot write %s: %s", r->tmp_path, strerror(errno));
		return -1;
	}
	/* room for the header to grow by the end of the run (sparse: free) */
	r->data_off = header_end + HEADER_ROOM(r->gm.dat.nr_cpus);
	r->data_off -= r->data_off % r->gm.dat.subbuf_size;
	r->region = per_cpu < (64ULL << 30) ? per_cpu : (64ULL << 30);
	r->region -= r->region % r->gm.dat.subbuf_size;
	return update_table(r);
}

static int open_streams(struct record *r)
{
	int i, cpu;

	r->stop_fd = eventfd(0, EFD_CLOEXEC);
	r->streams = calloc(r->gm.nr_streamed, sizeof(*r->streams));
	if (r->stop_fd < 0 || !r->streams)
		return -1;
	for (i = 0; i < r->gm.nr_streamed; i++) {
		struct stream *s = &r->streams[i];

		cpu = r->gm.cpus[i];
		s->subbuf = r->gm.dat.subbuf_size;
		s->long_size = r->gm.dat.long_size;
		s->big_endian = r->gm.dat.big_endian;
		s->stop_fd = r->stop_fd;
		s->out_fd = r->out_fd;
		s->base = r->data_off + cpu * r->region;
		s->limit = r->region;
		if (stream_open(s, r->dir, cpu))
			return -1;
		stream_drain_stale(s);
	}
	for (i = 0; i < r->gm.nr_streamed; i++)
		if (stream_start(&r->streams[i]))
			return -1;
	return 0;
}

/* One line, redrawn: per CPU MiB, sub-buffers, missed events, MiB/s since the last one. */
static void show_progress(struct record *r, double secs, bool last)
{
	static double last_secs;
	char line[4096];
	int i, n;

	n = snprintf(line, sizeof(line), "\r%5.1fs", secs);
	for (i = 0; i < r->gm.nr_streamed && n < (int)sizeof(line) - 100; i++) {
		struct stream *s = &r->streams[i];
		uint64_t got = stream_get(&s->received);
		double rate =
			secs > last_secs ? (got - s->shown) / 1048576.0 / (secs - last_secs) : 0;

		n += snprintf(line + n, sizeof(line) - n,
			      " | cpu%d %.1f MiB %llu sb %llu missed %.1f MiB/s", s->cpu,
			      got / 1048576.0, (unsigned long long)stream_get(&s->subbufs),
			      (unsigned long long)stream_get(&s->missed_events), rate);
		s->shown = got;
	}
	last_secs = secs;
	fprintf(stderr, "%s\033[K%s", line, last ? "\n" : "");
	fflush(stderr);
}

/* A CPU could not write (a full disk): nothing more can be kept, stop now. */
static bool write_failed(struct record *r)
{
	int i;

	for (i = 0; i < r->gm.nr_streamed; i++)
		if (__atomic_load_n(&r->streams[i].err, __ATOMIC_RELAXED)) {
			cli_err("cpu%d: writing %s: %s; stopping the recording", r->streams[i].cpu,
				r->output, strerror(r->streams[i].err));
			return true;
		}
	return false;
}

/* Until Ctrl-C, SIGTERM or the duration; a progress line on a TTY. */
static void wait_for_end(struct record *r)
{
	bool tty = !r->quiet && isatty(STDERR_FILENO);
	struct pollfd pfd = { .fd = r->sig_fd, .events = POLLIN };
	struct timespec t0;
	int timeout;
	double left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		left = r->duration ? r->duration - elapsed(&t0) : -1;
		if (r->duration && left <= 0)
			break;
		timeout = TICK_MS;
		if (left > 0 && left * 1000 < timeout)
			timeout = left * 1000 + 1;
		if (poll(&pfd, 1, timeout) > 0)
			break;
		update_table(r);
		if (write_failed(r) || watch_agent(r))
			break;
		if (tty)
			show_progress(r, elapsed(&t0), false);
	}
	if (tty)
		show_progress(r, elapsed(&t0), true);
}

static int finish_dat(struct record *r)
{
	struct pack p = { .fd = r->out_fd,
			  .path = r->tmp_path,
			  .output = r->output,
			  .meta = &r->gm.dat,
			  .base = r->data_off,
			  .region = r->region };
	int nr = r->gm.dat.nr_cpus, i, ret;
	uint64_t sizes[nr];
	mode_t mask;

	memset(sizes, 0, sizeof(sizes));
	for (i = 0; i < r->gm.nr_streamed; i++)
		/* a failed write may have kept part of a sub-buffer: not that part */
		sizes[r->streams[i].cpu] =
			r->streams[i].kept / r->streams[i].subbuf * r->streams[i].subbuf;
	mask = umask(0);
	umask(mask);
	ret = r->version == 7 ? pack_v7(&p, sizes) : pack_v6(&p, sizes);
	r->out_fd = p.fd;
	if (!ret)
		ret = fchmod(r->out_fd, 0666 & ~mask);
	if (close(r->out_fd) || ret || rename(r->tmp_path, r->output)) {
		cli_err("cannot write %s: %s", r->output, strerror(errno));
		ret = -1;
	}
	r->out_fd = -1;
	if (ret)
		unlink(r->tmp_path);
	r->tmp_path[0] = '\0';
	return ret;
}

static void summary(struct record *r)
{
	unsigned long long events = 0, kept = 0;
	int i;

	for (i = 0; i < r->gm.nr_streamed; i++) {
		struct stream *s = &r->streams[i];

		cli_info("cpu%d: %llu events in %llu sub-buffers; %llu missed events%s%s", s->cpu,
			 (unsigned long long)s->events, (unsigned long long)(s->kept / s->subbuf),
			 (unsigned long long)s->missed_events,
			 s->missed_subbufs ? " (the guest flagged losses)" : "",
			 s->bad ? "; malformed sub-buffers dropped" : "");
		if (s->bad)
			cli_info("cpu%d: %llu malformed sub-buffers dropped", s->cpu,
				 (unsigned long long)s->bad);
		if (s->fill)
			cli_info("cpu%d: %zu bytes of an incomplete sub-buffer dropped (the stream "
				 "ended there, at byte %llu)",
				 s->cpu, s->fill,
				 (unsigned long long)(s->received - s->epoch - s->fill));
		if (r->restarts)
			cli_info("cpu%d: %llu bytes of incomplete sub-buffers dropped at %d agent "
				 "restart%s",
				 s->cpu, (unsigned long long)s->dropped, r->restarts,
				 r->restarts == 1 ? "" : "s");
		events += s->events;
		kept += s->kept;
	}
	cli_info(
		"wrote %s (trace.dat v%d): %llu events, %.1f MiB of sub-buffers. Read it with 'trace-cmd report "
		"-i %s', 'kernelshark %s' or 'vtrace report %s'.",
		r->output, r->version, events, kept / 1048576.0, r->output, r->output, r->output);
}

static int make_sigfd(void)
{
	static const int signals[] = { SIGINT, SIGTERM, 0 };

	return vt_signalfd(signals);
}

int cmd_record(int argc, char **argv)
{
	struct record r = { .stop_fd = -1, .sig_fd = -1, .out_fd = -1 };
	uint64_t one = 1;
	char *reply;
	int i, ret = 1;
	bool started = false;

	if (parse_options(&r, argc, argv))
		return 2;
	r.sig_fd = make_sigfd();
	r.nr_streams = cli_count_cpu_fifos(r.dir);
	if (!r.nr_streams) {
		cli_err("no %s/trace-path-cpu0.out; create the channels with 'vtrace setup --dir %s "
			"--cpus N'",
			r.dir, r.dir);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (channel_open(&r.ch, r.dir, true))
		return 1;
	if (enable_events(&r) || fetch_meta(&r) || create_dat(&r) || open_streams(&r))
		goto out;
	reply = ask(&r, "start", VT_REPLY_OK, NULL);
	if (!reply)
		goto out;
	free(reply);
	started = true;
	if (!r.quiet)
		cli_info("recording %d CPU%s of the guest (Linux %.*s); Ctrl-C to stop",
			 r.gm.nr_streamed, r.gm.nr_streamed == 1 ? "" : "s",
			 (int)(r.gm.dat.uname.len < 64 ? r.gm.dat.uname.len : 64),
			 r.gm.dat.uname.data ? r.gm.dat.uname.data : "?");
	wait_for_end(&r);
	if (stop_and_collect(&r))
		fetch_end_meta(&r);
	ret = 0;
out:
	if (r.stop_fd >= 0 && write(r.stop_fd, &one, sizeof(one)) < 0)
		ret = 1;
	for (i = 0; r.streams && i < r.gm.nr_streamed; i++)
		stream_join(&r.streams[i]);
	disable_events(&r);
	if (started) {
		for (i = 0; i < r.gm.nr_streamed; i++)
			if (r.streams[i].err) {
				cli_err("cpu%d: writing %s: %s; what was written before is kept",
					r.streams[i].cpu, r.output, strerror(r.streams[i].err));
				ret = 1;
			}
		if (finish_dat(&r))
			ret = 1;
		else
			summary(&r);
	}
	if (r.out_fd >= 0)
		close(r.out_fd);
	if (r.tmp_path[0])
		unlink(r.tmp_path);
	for (i = 0; r.streams && i < r.gm.nr_streamed; i++)
		stream_close(&r.streams[i]);
	free(r.streams);
	meta_free(&r.gm);
	channel_close(&r.ch);
	if (r.stop_fd >= 0)
		close(r.stop_fd);
	if (r.sig_fd >= 0)
		close(r.sig_fd);
	return ret;
}
