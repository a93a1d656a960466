// SPDX-License-Identifier: GPL-2.0
/*
 * Word orders from the host (docs/protocol.md). Each gets one reply; an
 * unknown or malformed word gets ERR and changes nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tracefs.h>

#include "agent.h"
#include "../lib/order.h"
#include "../lib/proto.h"

/* system or system:event, each [A-Za-z0-9_]+: nothing else reaches a path. */
static bool valid_event_spec(const char *spec, char *sys, char *event, size_t size)
{
	const char *colon = strchr(spec, ':');
	size_t slen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *p;

	if (!slen || slen >= size || (colon && (!colon[1] || strlen(colon + 1) >= size)))
		return false;
	for (p = spec; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && p != colon)
			return false;
	memcpy(sys, spec, slen);
	sys[slen] = '\0';
	snprintf(event, size, "%s", colon ? colon + 1 : "");
	return true;
}

static void set_event(struct agent *a, const char *arg, bool on)
{
	char sys[128], event[128], file[300], shown[96];

	if (!arg || !valid_event_spec(arg, sys, event, sizeof(sys))) {
		reply_text(a, VT_REPLY_ERR, "bad event '%s': give SYSTEM or SYSTEM:EVENT",
			   arg ? vt_escape(arg, strlen(arg), shown, sizeof(shown)) : "");
		return;
	}
	if (*event)
		snprintf(file, sizeof(file), "events/%s/%s/enable", sys, event);
	else
		snprintf(file, sizeof(file), "events/%s/enable", sys);
	if (tracefs_instance_file_write(a->instance, file, on ? "1" : "0") < 0) {
		if (errno == ENOENT)
			reply_text(a, VT_REPLY_ERR, "no event %s in the guest", arg);
		else
			reply_text(a, VT_REPLY_ERR, "the guest refuses writing %s: %s", file,
				   errno ? strerror(errno) : "unknown error");
		return;
	}
	agent_log("%s %s", on ? "enabled" : "disabled", arg);
	reply_text(a, VT_REPLY_OK, "%s %s", on ? "enabled" : "disabled", arg);
}

static void set_bufsize(struct agent *a, const char *arg)
{
	char *end;
	long kb = arg ? strtol(arg, &end, 10) : 0;

	if (!arg || *end || kb < 4 || kb > (1L << 30)) {
		reply_text(a, VT_REPLY_ERR, "bad buffer size: give KB per CPU, e.g. bufsize 4096");
		return;
	}
	if (tracefs_instance_set_buffer_size(a->instance, kb, -1) < 0) {
		reply_text(a, VT_REPLY_ERR, "cannot write %ld to buffer_size_kb: %s", kb,
			   strerror(errno));
		return;
	}
	a->buffer_kb = kb;
	reply_text(a, VT_REPLY_OK, "ring buffer %ld KB per CPU", kb);
}

static void send_meta(struct agent *a, const char *arg)
{
	struct vt_buf meta = { 0 };

	if (meta_build(a, arg && !strcmp(arg, "kallsyms"), &meta) || meta.len > VT_REPLY_MAX) {
		reply_text(a, VT_REPLY_ERR, "cannot gather the metadata");
	} else {
		reply_send(a, VT_REPLY_META, a->order_tag, meta.data, meta.len);
	}
	vt_buf_free(&meta);
}

/*
 * The end of a run: the end-of-run metadata, then what the run changed in
 * tracefs goes back as it was (tracing_on after "stop pause", the size of
 * saved_cmdlines raised by "start").
 */
static void end_run(struct agent *a)
{
	struct vt_buf meta = { 0 };

	if (meta_build_end(a, &meta) || meta.len > VT_REPLY_MAX)
		reply_text(a, VT_REPLY_ERR, "cannot gather the end-of-run metadata");
	else
		reply_send(a, VT_REPLY_META, a->order_tag, meta.data, meta.len);
	vt_buf_free(&meta);
	tracing_unpause(a);
	tracing_restore_cmdlines(a);
}

static void send_status(struct agent *a)
{
	struct vt_buf text = { 0 };
	char line[256];
	int i, n;

	pthread_mutex_lock(&a->lock);
	n = snprintf(line, sizeof(line), "state=%s\nsubbuf_size=%zu\nbuffer_kb=%zu\n",
		     a->state == AGENT_RUNNING ? "streaming" : "stopped", a->subbuf_size,
		     a->buffer_kb);
	pthread_mutex_unlock(&a->lock);
	vt_buf_add(&text, line, n);
	for (i = 0; i < a->nr_movers; i++) {
		n = snprintf(line, sizeof(line), "cpu%d=bytes:%llu,lost:%llu\n", a->movers[i].cpu,
			     (unsigned long long)a->movers[i].bytes,
			     (unsigned long long)a->movers[i].lost);
		vt_buf_add(&text, line, n);
	}
	reply_send(a, VT_REPLY_STATUS, a->order_tag, text.data, text.len);
	vt_buf_free(&text);
}

/*
 * A flood of garbage is a flood of unknown orders: an ERR for each would
 * fill the reply port faster than a host reads it, and a real reply behind
 * them (STOPPED) would find it full. Untagged unknown orders get at most
 * ERR_BURST replies a second; a tagged one, which a host waits for, always.
 */
#define ERR_BURST 100

static bool err_reply_budget(uint32_t tag)
{
	static time_t second;
	static unsigned int in_second;
	time_t now = time(NULL);

	if (tag)
		return true;
	if (now != second) {
		second = now;
		in_second = 0;
	}
	return ++in_second <= ERR_BURST;
}

/* "stop pause": the ring buffer stops recording first, so the flush empties it. */
static void stop_with_reply(struct agent *a, const char *arg)
{
	bool running;

	pthread_mutex_lock(&a->lock);
	running = a->state == AGENT_RUNNING;
	pthread_mutex_unlock(&a->lock);
	if (!running) { /* only the controller changes the state: still so */
		reply_text(a, VT_REPLY_STOPPED, "%s", "");
		return;
	}
	if (arg && !strcmp(arg, "pause"))
		tracing_pause(a);
	pthread_mutex_lock(&a->lock);
	a->stop_reply_wanted = true;
	a->stop_tag = a->order_tag;
	pthread_mutex_unlock(&a->lock);
	agent_set_state(a, AGENT_STOPPED);
}

void words_run(struct agent *a, const char *tagged)
{
	char word[VT_ORDER_MAX + 1], shown[96];
	const char *line = vt_order_untag(tagged, &a->order_tag);
	char *arg;

	snprintf(word, sizeof(word), "%s", line);
	arg = strpbrk(word, " \t");
	if (arg) {
		*arg++ = '\0';
		arg += strspn(arg, " \t");
		if (!*arg)
			arg = NULL;
	}
	if (!strcmp(word, "start")) {
		agent_dbg("start order");
		tracing_unpause(a);
		tracing_raise_cmdlines(a);
		agent_set_state(a, AGENT_RUNNING);
		reply_text(a, VT_REPLY_OK, "streaming");
	} else if (!strcmp(word, "stop")) {
		agent_dbg("stop order");
		stop_with_reply(a, arg);
	} else if (!strcmp(word, "meta")) {
		send_meta(a, arg);
	} else if (!strcmp(word, "end")) {
		end_run(a);
	} else if (!strcmp(word, "status")) {
		send_status(a);
	} else if (!strcmp(word, "enable") || !strcmp(word, "disable")) {
		set_event(a, arg, word[0] == 'e');
	} else if (!strcmp(word, "bufsize")) {
		set_bufsize(a, arg);
	} else {
		vt_escape(line, strlen(line), shown, sizeof(shown));
		if (agent_log_budget())
			agent_log(
				"unknown order '%s' ignored; orders are 1 (start) and 0 (stop), or "
				"words (see docs/protocol.md)",
				shown);
		if (err_reply_budget(a->order_tag))
			reply_text(a, VT_REPLY_ERR, "unknown order '%s'", shown);
	}
}
