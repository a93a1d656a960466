// SPDX-License-Identifier: GPL-2.0
/*
 * The metadata a host needs to decode the streams (lib/proto.h, META):
 * ring-buffer headers, the formats of every ftrace event and of every
 * enabled event, printk formats, saved cmdlines, clock, sizes, release.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <tracefs.h>

#include "agent.h"
#include "../lib/proto.h"

/* A file of the instance, else of the top level (printk_formats...). */
static char *read_file(struct agent *a, const char *file, int *len)
{
	char *text = tracefs_instance_file_read(a->instance, file, len);

	if (!text && a->opts.instance) {
		struct tracefs_instance *top = tracefs_instance_alloc(a->tracing_dir, NULL);

		text = tracefs_instance_file_read(top, file, len);
		tracefs_instance_free(top);
	}
	return text;
}

static int add_file(struct agent *a, struct vt_buf *out, enum vt_meta_tag tag, const char *file)
{
	int len = 0;
	char *text = read_file(a, file, &len);
	int ret;

	if (!text)
		return 0; /* optional: the host says what it misses */
	ret = vt_meta_add(out, tag, text, len, NULL, 0);
	free(text);
	return ret;
}

static int add_format(struct agent *a, struct vt_buf *out, const char *sys, const char *event)
{
	char file[512];
	char *text;
	int len = 0, ret;

	snprintf(file, sizeof(file), "events/%s/%s/format", sys, event);
	text = read_file(a, file, &len);
	if (!text)
		return 0;
	ret = vt_meta_add(out, VT_META_EVENT_FORMAT, sys, strlen(sys) + 1, text, len);
	free(text);
	return ret;
}

/* Every ftrace event (print, bprint, function...) and every enabled one. */
static int add_formats(struct agent *a, struct vt_buf *out)
{
	char **ftrace = tracefs_system_events(a->tracing_dir, "ftrace");
	char *set, *line, *save = NULL, *colon;
	int i, ret = 0;

	for (i = 0; ftrace && ftrace[i] && !ret; i++)
		ret = add_format(a, out, "ftrace", ftrace[i]);
	tracefs_list_free(ftrace);
	set = read_file(a, "set_event", NULL);
	for (line = set ? strtok_r(set, "\n", &save) : NULL; line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (!colon || !strcmp(line, "ftrace"))
			continue;
		*colon = '\0';
		if (strcmp(line, "ftrace"))
			ret = add_format(a, out, line, colon + 1);
	}
	free(set);
	return ret;
}

static int add_info(struct agent *a, struct vt_buf *out)
{
	char text[4096];
	int n, i, max_cpu = 0;

	n = snprintf(text, sizeof(text),
		     "subbuf_size=%zu\npage_size=%ld\nlong_size=%zu\nendian=%s\n", a->subbuf_size,
		     sysconf(_SC_PAGESIZE), sizeof(long),
		     __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "little" : "big");
	for (i = 0; i < a->nr_movers; i++)
		if (a->movers[i].cpu > max_cpu)
			max_cpu = a->movers[i].cpu;
	n += snprintf(text + n, sizeof(text) - n, "nr_cpus=%d\ncpus=", max_cpu + 1);
	for (i = 0; i < a->nr_movers && n < (int)sizeof(text) - 16; i++)
		n += snprintf(text + n, sizeof(text) - n, "%s%d", i ? "," : "", a->movers[i].cpu);
	n += snprintf(text + n, sizeof(text) - n, "\n");
	return vt_meta_add(out, VT_META_INFO, text, n, NULL, 0);
}

static int add_cpu_stats(struct agent *a, struct vt_buf *out)
{
	char file[64], head[32];
	int i, len, ret = 0;
	char *text;

	for (i = 0; i < a->nr_movers && !ret; i++) {
		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", a->movers[i].cpu);
		text = tracefs_instance_file_read(a->instance, file, &len);
		if (!text)
			continue;
		snprintf(head, sizeof(head), "cpu=%d\n", a->movers[i].cpu);
		ret = vt_meta_add(out, VT_META_CPU_STATS, head, strlen(head), text, len);
		free(text);
	}
	return ret;
}

/* /proc/kallsyms: procfs gives no size, so it is read to the end first. */
static int add_kallsyms(struct vt_buf *out)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	struct vt_buf ks = { 0 };
	char buf[65536];
	int ret = 0;
	size_t n;

	if (!f)
		return 0; /* optional, like the files */
	while (!ret && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ret = vt_buf_add(&ks, buf, n);
	fclose(f);
	if (!ret && ks.len)
		ret = vt_meta_add(out, VT_META_KALLSYMS, ks.data, ks.len, NULL, 0);
	vt_buf_free(&ks);
	return ret;
}

/* After the last flush: the buffer statistics and the tasks that ran ("end"). */
int meta_build_end(struct agent *a, struct vt_buf *out)
{
	int ret = add_cpu_stats(a, out);

	return ret ?: add_file(a, out, VT_META_SAVED_CMDLINES, "saved_cmdlines");
}

int meta_build(struct agent *a, bool kallsyms, struct vt_buf *out)
{
	struct utsname u;
	int ret;

	ret = add_info(a, out);
	ret = ret ?: add_file(a, out, VT_META_HEADER_PAGE, "events/header_page");
	ret = ret ?: add_file(a, out, VT_META_HEADER_EVENT, "events/header_event");
	ret = ret ?: add_formats(a, out);
	ret = ret ?: add_file(a, out, VT_META_PRINTK_FORMATS, "printk_formats");
	ret = ret ?: add_file(a, out, VT_META_SAVED_CMDLINES, "saved_cmdlines");
	ret = ret ?: add_file(a, out, VT_META_TRACE_CLOCK, "trace_clock");
	ret = ret ?: add_cpu_stats(a, out);
	if (!ret && uname(&u) == 0)
		ret = vt_meta_add(out, VT_META_UNAME, u.release, strlen(u.release), NULL, 0);
	if (!ret && kallsyms)
		ret = add_kallsyms(out);
	return ret;
}
