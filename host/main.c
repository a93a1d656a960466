// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace: the host half of virtio-trace and hypertrace. One file per subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "vtrace.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} cmds[] = {
	{ "setup", cmd_setup, "create the FIFOs and print the QEMU or libvirt options" },
	{ "start", cmd_start, "order the guest agent to start streaming" },
	{ "stop", cmd_stop, "order the guest agent to stop (it flushes everything)" },
	{ "record", cmd_record, "record the guest's streams into a trace.dat" },
	{ "recover", cmd_recover, "repair the trace.dat of a recorder that was killed" },
	{ "report", cmd_report, "print the events of a trace.dat" },
	{ "run-guest", cmd_run_guest,
	  "boot the demo guest with its ports on the FIFOs\n"
	  "             (--hypertrace: and a hypertrace device)" },
	{ "hypertrace", cmd_hypertrace,
	  "make a hypertrace region and collect its events\n"
	  "             (log lines or a trace.dat; actions)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: vtrace COMMAND [OPTION]...\n"
		   "Trace data out of virtual machines (virtio-trace, hypertrace).\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].what);
	fprintf(f, "\n'vtrace COMMAND --help' tells more. See vtrace(1).\n");
}

int main(int argc, char **argv)
{
	static char name[64];
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		snprintf(name, sizeof(name), "vtrace %s", cmds[i].name);
		cli_cmd = name;
		return cmds[i].run(argc - 1, argv + 1);
	}
	cli_err("unknown command '%s'; try 'vtrace --help'", argv[1]);
	return 2;
}
