// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace record's conversation with the agent (docs/protocol.md): events
 * on and off, the metadata at the start and at the end of the run, the
 * stop and its byte counts, and an agent that restarts in the middle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "order.h"
#include "record.h"

/* Ask, and accept only @want; ERR replies are shown as the guest said them. */
char *ask(struct record *r, const char *order, int want, uint32_t *len)
{
	struct vt_reply rep;
	char *payload, shown[256];

	if (channel_ask(&r->ch, order, REPLY_TIMEOUT_MS, &rep, &payload))
		return NULL;
	if (rep.type != want) {
		vt_escape(payload, rep.length, shown, sizeof(shown));
		cli_err("'%s': the guest answered: %s", order,
			rep.type == VT_REPLY_ERR ? shown : "an unexpected reply");
		free(payload);
		return NULL;
	}
	if (len)
		*len = rep.length;
	return payload;
}

int enable_events(struct record *r)
{
	char order[300];
	char *reply;

	for (r->enabled = 0; r->enabled < r->nr_events; r->enabled++) {
		snprintf(order, sizeof(order), "enable %s", r->events[r->enabled]);
		reply = ask(r, order, VT_REPLY_OK, NULL);
		if (!reply)
			return -1;
		free(reply);
	}
	return 0;
}

/* Leave the guest's events as they were. */
void disable_events(struct record *r)
{
	char order[300];
	int i;

	for (i = 0; i < r->enabled; i++) {
		snprintf(order, sizeof(order), "disable %s", r->events[i]);
		free(ask(r, order, VT_REPLY_OK, NULL));
	}
	r->enabled = 0;
}

int fetch_meta(struct record *r)
{
	char err[256];
	uint32_t len;
	char *payload = ask(r, r->no_kallsyms ? "meta" : "meta kallsyms", VT_REPLY_META, &len);
	int i;

	if (!payload)
		return -1;
	if (meta_parse(&r->gm, payload, len, err, sizeof(err))) {
		cli_err("malformed metadata from the guest: %s", err);
		return -1;
	}
	for (i = 0; i < r->gm.nr_streamed; i++) {
		if (r->gm.cpus[i] >= r->nr_streams) {
			cli_err("the agent streams CPU %d but %s has no " DATA_NAME_FMT ".out; run "
				"'vtrace setup --cpus %d'",
				r->gm.cpus[i], r->dir, r->gm.cpus[i], r->gm.dat.nr_cpus);
			return -1;
		}
	}
	return 0;
}

double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A new agent announced itself (HELLO): it was restarted, or the guest
 * rebooted. End each CPU's old stream where it broke, check the new agent
 * streams the same way (else the file could not hold both), enable the
 * events again and start it. Returns 0, or -1 to end the recording.
 */
static int resume(struct record *r, const char *hello)
{
	static struct guest_meta gm;
	char err[256], shown[256];
	uint32_t len;
	char *payload;
	int i, bad = 0;

	vt_escape(hello, strlen(hello), shown, sizeof(shown));
	for (i = 0; shown[i]; i++) /* its key=value lines on one line */
		if (!strncmp(shown + i, "\\x0a", 4))
			memcpy(shown + i, "    ", 4);
	cli_info("a new agent announced itself (%s): the old one is gone; resuming", shown);
	r->restarts++;
	for (i = 0; i < r->gm.nr_streamed; i++)
		if (stream_cut(&r->streams[i], 5000))
			cli_err("cpu%d: the reader did not end the old stream in time",
				r->streams[i].cpu);
	payload = ask(r, "meta", VT_REPLY_META, &len); /* to compare: no kallsyms needed */
	if (!payload)
		return -1;
	memset(&gm, 0, sizeof(gm));
	if (meta_parse(&gm, payload, len, err, sizeof(err))) {
		cli_err("malformed metadata from the new agent: %s", err);
		return -1;
	}
	if (gm.dat.subbuf_size != r->gm.dat.subbuf_size ||
	    gm.dat.long_size != r->gm.dat.long_size || gm.dat.big_endian != r->gm.dat.big_endian ||
	    gm.dat.nr_cpus != r->gm.dat.nr_cpus || gm.nr_streamed != r->gm.nr_streamed)
		bad = 1;
	for (i = 0; !bad && i < gm.nr_streamed; i++)
		bad = gm.cpus[i] != r->gm.cpus[i];
	meta_free(&gm);
	if (bad) {
		cli_err("the new agent streams differently (sub-buffer size, CPUs or word size "
			"changed): ending the recording with what came before");
		return -1;
	}
	r->enabled = 0;
	if (enable_events(r))
		return -1;
	payload = ask(r, "start", VT_REPLY_OK, NULL);
	free(payload);
	return payload ? 0 : -1;
}

/* Between orders: notice an agent that is gone, and one that is back. */
int watch_agent(struct record *r)
{
	char *hello;
	bool gone;
	int i, ret = channel_poll_hello(&r->ch, &hello, &gone, &r->unasked);

	if (gone && !r->agent_gone) {
		cli_info("nothing holds %s: the agent is gone. Recording goes on; an agent that "
			 "starts again is picked up",
			 r->ch.out_path);
		for (i = 0; i < r->gm.nr_streamed; i++)
			cli_info("cpu%d: %llu bytes received so far", r->streams[i].cpu,
				 (unsigned long long)stream_get(&r->streams[i].received));
	}
	r->agent_gone = gone;
	if (ret != 1)
		return 0;
	ret = resume(r, hello);
	free(hello);
	return ret;
}

/*
 * Stop, and wait until every byte each CPU sent (the agent says how many
 * after its flush) has arrived. Without that word (an agent that died) keep
 * what came. "pause": the guest's ring buffer stops recording before the
 * flush, so the flush leaves it empty (an agent before it ignores the word).
 * Returns whether the agent confirmed the stop.
 */
bool stop_and_collect(struct record *r)
{
	char *payload, *line, *save = NULL;
	struct vt_reply rep;
	unsigned long long bytes, lost;
	struct timespec t0;
	int cpu, i, ret, skipped = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = channel_ask(&r->ch, "stop pause", STOP_TIMEOUT_MS, &rep, &payload);
	/*
	 * Replies to orders someone else sent (a flood) may come first: an
	 * agent without tags leaves them to be skipped here.
	 */
	while (!ret && rep.type != VT_REPLY_STOPPED && elapsed(&t0) * 1000 < STOP_TIMEOUT_MS) {
		free(payload);
		skipped++;
		ret = channel_read_reply(&r->ch, STOP_TIMEOUT_MS - elapsed(&t0) * 1000, &rep,
					 &payload);
	}
	skipped += r->unasked + r->ch.skipped;
	if (skipped)
		cli_info("%d replies to orders vtrace did not send were skipped (someone else "
			 "writes to %s)",
			 skipped, r->ch.in_path);
	if (ret || rep.type != VT_REPLY_STOPPED) {
		cli_err("the agent did not confirm the stop; keeping the sub-buffers received");
		if (!ret)
			free(payload);
		usleep(500000);
		return false;
	}
	for (line = strtok_r(payload, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "cpu=%d bytes=%llu lost=%llu", &cpu, &bytes, &lost) != 3)
			continue;
		for (i = 0; i < r->gm.nr_streamed; i++) {
			struct stream *s = &r->streams[i];

			if (s->cpu != cpu)
				continue;
			/* bytes counts from this agent's start: from the last cut */
			while (stream_get(&s->received) - stream_get(&s->epoch) < bytes &&
			       elapsed(&t0) * 1000 < STOP_TIMEOUT_MS)
				usleep(2000);
			if (stream_get(&s->received) - stream_get(&s->epoch) < bytes)
				cli_err("cpu%d: %llu of the %llu bytes sent never arrived", cpu,
					(unsigned long long)(stream_get(&s->received) -
							     stream_get(&s->epoch)),
					bytes);
			if (lost)
				cli_info(
					"cpu%d: the guest's ring buffer overwrote %llu events (the "
					"host read too slowly; a larger buffer helps)",
					cpu, lost);
		}
	}
	free(payload);
	return true;
}

/*
 * What the guest says once the run is over, as trace-cmd takes it: the
 * buffer statistics after the last flush and the names of the tasks that
 * ran. "end" also has the agent put back what it changed for the run; an
 * agent before it answers ERR, and its whole "meta" carries the same.
 */
void fetch_end_meta(struct record *r)
{
	char err[256], *payload;
	struct vt_reply rep;
	int ret;

	ret = channel_ask(&r->ch, "end", REPLY_TIMEOUT_MS, &rep, &payload);
	if (!ret && rep.type == VT_REPLY_ERR) {
		free(payload);
		ret = channel_ask(&r->ch, "meta", REPLY_TIMEOUT_MS, &rep, &payload);
	}
	if (!ret && rep.type != VT_REPLY_META) {
		free(payload);
		ret = -1;
	}
	if (ret) {
		cli_err("no end-of-run metadata from the guest: the file has the buffer statistics "
			"and task names of the start");
		return;
	}
	if (meta_parse_end(&r->gm, payload, rep.length, err, sizeof(err)))
		cli_err("malformed end-of-run metadata from the guest (%s): the file has the "
			"buffer statistics and task names of the start",
			err);
}
