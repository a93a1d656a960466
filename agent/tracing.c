// SPDX-License-Identifier: GPL-2.0
/*
 * Everything the agent asks of tracefs: where it is, which buffer to read,
 * how big its sub-buffers are, and the kernel's own loss counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>

#include "agent.h"

/* Returns 0 when @dir is a tracefs, else an errno (EACCES: not permitted). */
static int check_tracefs(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/per_cpu", dir);
	if (stat(path, &st) < 0)
		return errno == EACCES ? EACCES : ENOENT;
	return S_ISDIR(st.st_mode) ? 0 : ENOENT;
}

/* The seed's defaults, newest first; mount tracefs when we may and must. */
static char *find_tracing_dir(const char *given)
{
	static const char *const candidates[] = {
		"/sys/kernel/tracing",
		"/sys/kernel/debug/tracing",
	};
	size_t i;
	int err;

	if (given) {
		err = check_tracefs(given);
		if (!err)
			return strdup(given);
		if (err == EACCES)
			agent_err("cannot read %s: permission denied; run the agent as root",
				  given);
		else
			agent_err("%s is not a tracefs directory (no per_cpu/ in it); give the "
				  "tracefs mount point with -t",
				  given);
		return NULL;
	}
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		err = check_tracefs(candidates[i]);
		if (!err)
			return strdup(candidates[i]);
		if (err == EACCES) {
			agent_err("cannot read %s: permission denied; run the agent as root",
				  candidates[i]);
			return NULL;
		}
	}
	if (geteuid() == 0 && mount("nodev", candidates[0], "tracefs", 0, NULL) == 0) {
		agent_log("mounted tracefs at %s", candidates[0]);
		return strdup(candidates[0]);
	}
	agent_err("no tracefs found at %s or %s; mount it (mount -t tracefs nodev %s) and "
		  "run as root",
		  candidates[0], candidates[1], candidates[0]);
	return NULL;
}

static int read_number(struct agent *a, const char *file, long long *val)
{
	return tracefs_instance_file_read_number(a->instance, file, val);
}

/*
 * Honour buffer_subbuf_size_kb (Linux 6.8 and later); before it, a
 * sub-buffer is one page. libtracefs's tracefs_cpu_open() reads the size
 * from the top-level header_page, which is wrong for an instance whose
 * sub-buffer size differs, so we ask the instance itself.
 */
static size_t subbuf_size(struct agent *a)
{
	long long kb;

	if (read_number(a, "buffer_subbuf_size_kb", &kb) == 0 && kb > 0)
		return kb * 1024;
	return sysconf(_SC_PAGESIZE);
}

/* A refused tracefs write: the file's path and the errno, one line. */
static void write_failed(struct agent *a, const char *file, const char *hint)
{
	int err = errno;
	char *path = tracefs_instance_get_file(a->instance, file);

	agent_err("cannot write %s: %s%s", path ? path : file, strerror(err), hint);
	tracefs_put_tracing_file(path);
}

/*
 * A kernel that never had an event enabled keeps a one-page ring buffer per
 * CPU and shows "7 (expanded: 1408)"; streaming from it loses most events.
 */
static int size_ring_buffer(struct agent *a)
{
	const char *expanded_tag = "(expanded: ";
	char *text, *exp;
	long long kb;
	char num[32];

	if (a->opts.buffer_kb) {
		if (tracefs_instance_set_buffer_size(a->instance, a->opts.buffer_kb, -1) < 0) {
			write_failed(a, "buffer_size_kb", "; try a smaller -b");
			return -1;
		}
		a->buffer_kb = a->opts.buffer_kb;
		return 0;
	}
	text = tracefs_instance_file_read(a->instance, "buffer_size_kb", NULL);
	if (!text) {
		agent_err("cannot read buffer_size_kb in %s: %s", a->tracing_dir, strerror(errno));
		return -1;
	}
	kb = atoll(text);
	exp = strstr(text, expanded_tag);
	if (exp) {
		long long boot_kb = kb;

		kb = atoll(exp + strlen(expanded_tag));
		snprintf(num, sizeof(num), "%lld", kb);
		if (tracefs_instance_file_write(a->instance, "buffer_size_kb", num) < 0) {
			write_failed(a, "buffer_size_kb", " (growing the ring buffer)");
			free(text);
			return -1;
		}
		agent_log("ring buffer was at its boot size (%lld KB per CPU); grew it to %lld KB "
			  "per CPU (choose with -b)",
			  boot_kb, kb);
	}
	free(text);
	a->buffer_kb = kb;
	return 0;
}

static int check_instance(const char *tracing_dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/instances/%s", tracing_dir, name);
	if (!strchr(name, '/') && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	agent_err("no tracefs instance '%s' in %s; create it (mkdir %s) or drop -i", name,
		  tracing_dir, path);
	return -1;
}

int tracing_setup(struct agent *a)
{
	a->tracing_dir = find_tracing_dir(a->opts.tracing_dir);
	if (!a->tracing_dir)
		return -1;
	if (a->opts.instance && check_instance(a->tracing_dir, a->opts.instance))
		return -1;
	a->instance = tracefs_instance_alloc(a->tracing_dir, a->opts.instance);
	if (!a->instance) {
		agent_err("cannot use tracefs at %s: %s", a->tracing_dir, strerror(errno));
		return -1;
	}
	a->subbuf_size = subbuf_size(a);
	return 0;
}

/* Called once every port is open, so a start-up that fails changes nothing. */
int tracing_size_buffer(struct agent *a)
{
	return size_ring_buffer(a);
}

/*
 * "stop pause": the ring buffer stops recording before the flush, so the
 * flush leaves it empty and the statistics taken after it say so, as
 * trace-cmd stops tracing before its last read. Only a buffer that was on
 * is turned off, and only that one is turned on again.
 */
void tracing_pause(struct agent *a)
{
	long long on;

	if (a->tracing_paused || read_number(a, "tracing_on", &on) || !on)
		return;
	if (tracefs_instance_file_write(a->instance, "tracing_on", "0") < 0) {
		agent_log("warning: cannot write 0 to tracing_on in %s: %s; the statistics taken "
			  "after the flush will count later events",
			  a->tracing_dir, strerror(errno));
		return;
	}
	a->tracing_paused = true;
}

void tracing_unpause(struct agent *a)
{
	if (!a->tracing_paused)
		return;
	a->tracing_paused = false;
	if (tracefs_instance_file_write(a->instance, "tracing_on", "1") < 0)
		agent_err("cannot write 1 to tracing_on in %s again: %s; turn it on by hand",
			  a->tracing_dir, strerror(errno));
}

/*
 * The kernel keeps the names of the last saved_cmdlines_size tasks only
 * (128 by default): too few for a run, and the host would show "<...>" for
 * the others. It is a top-level file, also for an instance.
 */
#define CMDLINES_WANTED 32768 /* the kernel's limit, PID_MAX_DEFAULT */

static int top_number(struct agent *a, const char *file, long long *val)
{
	struct tracefs_instance *top = tracefs_instance_alloc(a->tracing_dir, NULL);
	int ret = top ? tracefs_instance_file_read_number(top, file, val) : -1;

	tracefs_instance_free(top);
	return ret;
}

static int top_write(struct agent *a, const char *file, long long val)
{
	struct tracefs_instance *top = tracefs_instance_alloc(a->tracing_dir, NULL);
	char num[32];
	int ret = -1;

	snprintf(num, sizeof(num), "%lld", val);
	if (top)
		ret = tracefs_instance_file_write(top, file, num) < 0 ? -1 : 0;
	tracefs_instance_free(top);
	return ret;
}

/* Not fatal: a kernel that refuses costs task names, not events. */
void tracing_raise_cmdlines(struct agent *a)
{
	long long old, now;

	if (a->cmdlines_raised || top_number(a, "saved_cmdlines_size", &old) ||
	    old >= CMDLINES_WANTED)
		return;
	if (top_write(a, "saved_cmdlines_size", CMDLINES_WANTED)) {
		agent_log("warning: cannot write %d to %s/saved_cmdlines_size: %s; the host may "
			  "miss the names of some tasks",
			  CMDLINES_WANTED, a->tracing_dir, strerror(errno));
		return;
	}
	if (top_number(a, "saved_cmdlines_size", &now))
		now = CMDLINES_WANTED;
	agent_dbg("saved_cmdlines_size %lld -> %lld for the run", old, now);
	a->cmdlines_raised = true;
	a->cmdlines_old = old;
	a->cmdlines_set = now; /* as the kernel rounded it */
}

/* Put back the size from before the run, unless someone changed it since. */
void tracing_restore_cmdlines(struct agent *a)
{
	long long now;

	if (!a->cmdlines_raised)
		return;
	a->cmdlines_raised = false;
	if (top_number(a, "saved_cmdlines_size", &now) || now != a->cmdlines_set)
		return;
	if (top_write(a, "saved_cmdlines_size", a->cmdlines_old))
		agent_log("warning: cannot write %lld to %s/saved_cmdlines_size again: %s",
			  a->cmdlines_old, a->tracing_dir, strerror(errno));
}

void tracing_cleanup(struct agent *a)
{
	tracing_unpause(a);
	tracing_restore_cmdlines(a);
	tracefs_instance_free(a->instance);
	a->instance = NULL;
	free(a->tracing_dir);
	a->tracing_dir = NULL;
}

int tracing_online_cpus(int **cpus, int *nr)
{
	char buf[1024];
	ssize_t n;
	int fd;

	fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (parse_cpu_list(buf, cpus, nr) == 0)
				return 0;
		}
	}
	snprintf(buf, sizeof(buf), "0-%ld", sysconf(_SC_NPROCESSORS_ONLN) - 1);
	return parse_cpu_list(buf, cpus, nr);
}

/* Opens per_cpu/cpuN/trace_pipe_raw; returns the fd or -1 with a message. */
int tracing_open_cpu(struct agent *a, int cpu)
{
	char file[64];
	char *path;
	int fd;

	snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw", cpu);
	fd = tracefs_instance_file_open(a->instance, file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	path = tracefs_instance_get_file(a->instance, file);
	agent_err("cannot open %s: %s%s", path ? path : file, strerror(errno),
		  errno == EACCES || errno == EPERM ? "; run the agent as root" :
		  errno == ENOENT		    ? "; is that CPU online? (see --cpus)" :
						      "");
	tracefs_put_tracing_file(path);
	return -1;
}

static uint64_t stat_field(const char *text, const char *name)
{
	const char *p = text;
	size_t len = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ':')
			return strtoull(p + len + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

int tracing_read_stats(struct agent *a, int cpu, struct cpu_stats *st)
{
	char file[64];
	char *text;

	snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
	text = tracefs_instance_file_read(a->instance, file, NULL);
	if (!text)
		return -1;
	st->entries = stat_field(text, "entries");
	st->overrun = stat_field(text, "overrun");
	st->dropped = stat_field(text, "dropped events");
	free(text);
	return 0;
}
