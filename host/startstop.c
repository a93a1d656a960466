// SPDX-License-Identifier: GPL-2.0
/* vtrace start|stop: the seed's orders, '1' and '0'. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vtrace.h"

static int send_seed_order(int argc, char **argv, const char *order, const char *what)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = DEFAULT_DIR;
	struct channel ch;
	int c, ret;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			printf("Usage: %s [--dir DIR]\nOrder the guest's trace-agent to %s, by "
			       "writing '%s' to DIR/" CTL_NAME ".in (default dir " DEFAULT_DIR
			       ").\n",
			       cli_cmd, what, order);
			return 0;
		default:
			return 2;
		}
	}
	if (channel_open(&ch, dir, false))
		return 1;
	ret = channel_send(&ch, order);
	channel_close(&ch);
	return ret ? 1 : 0;
}

int cmd_start(int argc, char **argv)
{
	return send_seed_order(argc, argv, "1", "start streaming");
}

int cmd_stop(int argc, char **argv)
{
	return send_seed_order(argc, argv, "0", "stop streaming (it flushes every CPU)");
}
