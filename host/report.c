// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace report: the events of a trace.dat, read by libtracecmd and
 * printed by libtraceevent, in time order across CPUs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "vtrace.h"

static const char usage[] =
	"Usage: vtrace report [OPTION]... FILE\n"
	"Print the events of a trace.dat (from vtrace record or trace-cmd record).\n"
	"  -c, --cpu N          only CPU N\n"
	"  -e, --events LIST    only these events: NAME or SYSTEM:NAME, comma-separated\n"
	"  -s, --stats          counts per CPU and per event, and missed events, not events\n";

struct report {
	int cpu; /* -1: all */
	char **events;
	int nr_events;
	bool stats;
	struct trace_seq seq;
	unsigned long long per_cpu[MAX_CPUS], missed[MAX_CPUS], total;
	struct {
		char name[128];
		unsigned long long n;
	} * names;
	int nr_names;
};

static bool wanted(struct report *rp, struct tep_event *ev)
{
	char full[300];
	int i;

	if (!rp->nr_events)
		return true;
	snprintf(full, sizeof(full), "%s:%s", ev->system, ev->name);
	for (i = 0; i < rp->nr_events; i++)
		if (!strcmp(rp->events[i], ev->name) || !strcmp(rp->events[i], full))
			return true;
	return false;
}

static void count_name(struct report *rp, struct tep_event *ev)
{
	int i;

	for (i = 0; i < rp->nr_names; i++)
		if (!strcmp(rp->names[i].name, ev->name)) {
			rp->names[i].n++;
			return;
		}
	rp->names = realloc(rp->names, (rp->nr_names + 1) * sizeof(*rp->names));
	snprintf(rp->names[rp->nr_names].name, sizeof(rp->names[0].name), "%s", ev->name);
	rp->names[rp->nr_names++].n = 1;
}

static int show(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct report *rp = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *ev = tep_find_event_by_record(tep, rec);

	if (!ev || (rp->cpu >= 0 && cpu != rp->cpu) || !wanted(rp, ev))
		return 0;
	if (cpu >= 0 && cpu < MAX_CPUS) {
		rp->per_cpu[cpu]++;
		if (rec->missed_events > 0)
			rp->missed[cpu] += rec->missed_events;
	}
	rp->total++;
	if (rp->stats) {
		count_name(rp, ev);
		return 0;
	}
	trace_seq_reset(&rp->seq);
	tep_print_event(tep, &rp->seq, rec, "%16s-%-7d [%03d] %6.1000d: %s: %s", TEP_PRINT_COMM,
			TEP_PRINT_PID, TEP_PRINT_CPU, TEP_PRINT_TIME, TEP_PRINT_NAME,
			TEP_PRINT_INFO);
	while (rp->seq.len && rp->seq.buffer[rp->seq.len - 1] == '\n')
		rp->seq.len--;
	trace_seq_terminate(&rp->seq);
	if (rec->missed_events)
		printf("CPU:%d [%lld EVENTS DROPPED]\n", cpu, rec->missed_events);
	puts(rp->seq.buffer);
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const unsigned long long x = *(const unsigned long long *)((const char *)a + 128);
	const unsigned long long y = *(const unsigned long long *)((const char *)b + 128);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void print_stats(struct report *rp)
{
	int i;

	printf("events: %llu\n", rp->total);
	for (i = 0; i < MAX_CPUS; i++)
		if (rp->per_cpu[i] || rp->missed[i])
			printf("cpu%d: %llu events, %llu missed\n", i, rp->per_cpu[i],
			       rp->missed[i]);
	qsort(rp->names, rp->nr_names, sizeof(*rp->names), by_count);
	for (i = 0; i < rp->nr_names; i++)
		printf("%10llu %s\n", rp->names[i].n, rp->names[i].name);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "events", required_argument, NULL, 'e' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report rp = { .cpu = -1 };
	struct tracecmd_input *h;
	char *list = NULL, *tok, *save, *end;
	int c;

	while ((c = getopt_long(argc, argv, "c:e:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			rp.cpu = strtol(optarg, &end, 10);
			if (*end || rp.cpu < 0 || rp.cpu >= MAX_CPUS) {
				cli_err("invalid CPU '%s'", optarg);
				return 2;
			}
			break;
		case 'e':
			list = optarg;
			break;
		case 's':
			rp.stats = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		cli_err("give one trace.dat file; try 'vtrace report --help'");
		return 2;
	}
	for (tok = list ? strtok_r(list, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		rp.events = realloc(rp.events, (rp.nr_events + 1) * sizeof(char *));
		rp.events[rp.nr_events++] = tok;
	}
	h = tracecmd_open(argv[optind], 0);
	if (!h) {
		cli_err("cannot read %s: not a trace.dat file, or damaged", argv[optind]);
		return 1;
	}
	trace_seq_init(&rp.seq);
	tracecmd_iterate_events(h, NULL, 0, show, &rp);
	if (rp.stats)
		print_stats(&rp);
	trace_seq_destroy(&rp.seq);
	tracecmd_close(h);
	free(rp.events);
	free(rp.names);
	return 0;
}
