// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace hypertrace's command line: its options, checked one by one and
 * together, into struct htc_options; the --on actions go to ht-actions.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ht.h"
#include "vtrace.h"

static const char usage[] =
	"Usage: vtrace hypertrace --path BASE [OPTION]...\n"
	"Make the hypertrace region BASE (a new file, mode 0600, e.g. in /dev/shm) and\n"
	"collect every event guest code emits into it until Ctrl-C; then report drops\n"
	"and remove the region.\n"
	"  -p, --path BASE        the region to make (refused if anything is there)\n"
	"  -c, --clients N        clients (threads or CPUs emitting), default 16\n"
	"  -a, --args N           arguments per event, arg1 included, 1..16, default 4\n"
	"  -e, --entries N        ring entries per client, a power of 2, default 65536\n"
	"  -f, --format FMT       log: QEMU log-style lines (default); dat: a trace.dat\n"
	"                         for trace-cmd report, clock mono, one CPU per client\n"
	"  -o, --output FILE      where the events go (log: default standard output;\n"
	"                         dat: default trace.dat, written at exit)\n"
	"  -k, --keep             leave the region in place at exit\n"
	"System mode (a full guest on stock QEMU, docs/hypertrace.md):\n"
	"  -S, --system           the region is for QEMU's ivshmem-plain: print the QEMU\n"
	"                         options to add; the guest's clocks are mapped to the\n"
	"                         host's from the events themselves; --qmp connects at\n"
	"                         the first action (QEMU starts later)\n"
	"      --print-options[=qemu|libvirt]\n"
	"                         with --system: only print the QEMU options (default)\n"
	"                         or libvirt XML for such a region, and exit (start the\n"
	"                         collector before QEMU: it makes the file)\n"
	"  -G, --guest-clock      with --system: keep the guest's own timestamps (its\n"
	"                         TSC: log SEC.NSEC, dat clock x86-tsc), to merge exactly\n"
	"                         with a guest trace.dat of trace_clock x86-tsc\n"
	"Actions (the host's own commands; no guest data reaches them):\n"
	"      --on argN=V        a rule: when an event's argN is V, run the actions that\n"
	"                         follow it (V decimal or 0x hex)\n"
	"      --exec CMD         an action: run /bin/sh -c CMD, not waited for\n"
	"      --trace-event NAME=on|off\n"
	"                         an action: QMP trace-event-set-state in QEMU\n"
	"      --qmp SOCKET       QEMU's QMP unix socket, for --trace-event\n"
	"Every event also fires the USDT probe vtrace:guest_hypertrace(arg1, client,\n"
	"arg2, ..., arg11) for SystemTap and bpftrace. See vtrace(1).\n";

static int number(const char *opt, const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || end == s || *end || *v < 1 || *v > max) {
		cli_err("invalid %s '%s': give a number from 1 to %ld", opt, s, max);
		return -1;
	}
	return 0;
}

static int parse_entries(const char *s, long *entries)
{
	if (number("--entries", s, HT_MAX_RING_ENTRIES, entries))
		return -1;
	if (*entries & (*entries - 1)) {
		cli_err("invalid --entries '%s': give a power of 2 up to %u", s,
			HT_MAX_RING_ENTRIES);
		return -1;
	}
	return 0;
}

static int parse_format(const char *s, bool *dat)
{
	if (strcmp(s, "log") && strcmp(s, "dat")) {
		cli_err("invalid --format '%s': give log or dat", s);
		return -1;
	}
	*dat = !strcmp(s, "dat");
	return 0;
}

enum { OPT_ON = 256, OPT_EXEC, OPT_TRACE, OPT_QMP, OPT_PRINT };

/* One option's value (getopt's @c and @arg): 0, or -1 after an error line. */
static int set_option(struct htc_options *o, struct htc_actions *act, int c, const char *arg)
{
	switch (c) {
	case 'p':
		o->path = arg;
		return 0;
	case 'c':
		return number("--clients", arg, HT_MAX_CLIENTS, &o->clients);
	case 'a':
		return number("--args", arg, HT_MAX_ARGS, &o->args);
	case 'e':
		return parse_entries(arg, &o->entries);
	case 'f':
		return parse_format(arg, &o->dat);
	case 'o':
		o->output = arg;
		return 0;
	case 'k':
		o->keep = true;
		return 0;
	case 'S':
		o->system = true;
		return 0;
	case 'G':
		o->guest_clock = true;
		return 0;
	case OPT_PRINT:
		o->print_options = arg ? arg : "qemu";
		return 0;
	case OPT_ON:
		return htc_actions_on(act, arg);
	case OPT_EXEC:
		return htc_actions_exec(act, arg);
	case OPT_TRACE:
		return htc_actions_trace_event(act, arg);
	case OPT_QMP:
		return htc_actions_qmp(act, arg);
	}
	return -1;
}

/* What no single option can tell: 0, or -1 after an error line. */
static int check_options(const struct htc_options *o, struct htc_actions *act)
{
	if (!o->path) {
		cli_err("give the region's path with --path, e.g. --path /dev/shm/hypertrace");
		return -1;
	}
	if ((o->guest_clock || o->print_options) && !o->system) {
		cli_err("--%s is for --system: a region for a system-mode guest",
			o->guest_clock ? "guest-clock" : "print-options");
		return -1;
	}
	return htc_actions_check(act, o->args);
}

int htc_parse_options(struct htc_options *o, struct htc_actions *act, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "args", required_argument, NULL, 'a' },
		{ "entries", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'k' },
		{ "on", required_argument, NULL, OPT_ON },
		{ "exec", required_argument, NULL, OPT_EXEC },
		{ "trace-event", required_argument, NULL, OPT_TRACE },
		{ "qmp", required_argument, NULL, OPT_QMP },
		{ "system", no_argument, NULL, 'S' },
		{ "print-options", optional_argument, NULL, OPT_PRINT },
		{ "guest-clock", no_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0; /* one error line, ours */
	while ((c = getopt_long(argc, argv, "p:c:a:e:f:o:kSGh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_err("unknown option, or one without its value: '%s'; try 'vtrace "
				"hypertrace --help'",
				argv[optind - 1]);
			return -1;
		}
		if (set_option(o, act, c, optarg))
			return -1;
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s'; try 'vtrace hypertrace --help'", argv[optind]);
		return -1;
	}
	return check_options(o, act);
}
