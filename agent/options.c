// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static const char usage[] =
	"Usage: " AGENT_NAME " [OPTION]...\n"
	"Stream the kernel's per-CPU ftrace ring buffers to the host over virtio-serial\n"
	"ports, without copying them in user space. Waits for orders on the control port:\n"
	"'1' starts streaming, '0' stops it (every event recorded before the stop is sent).\n"
	"\n"
	"  -o, --stdout         write to standard output instead of the ports; each chunk\n"
	"                       is framed with its CPU (see trace-agent(1))\n"
	"  -s, --pipe-size=SIZE splice pipe size, 64K..1M (K and M suffixes; default 1M)\n"
	"  -b, --buffer-kb=KB   ring buffer size per CPU in KB (default: keep it, but grow\n"
	"                       a buffer still at its boot size to the kernel's usual size)\n"
	"  -t, --tracefs=DIR    tracefs directory (default: /sys/kernel/tracing, then\n"
	"                       /sys/kernel/debug/tracing; mounted when absent and root)\n"
	"  -i, --instance=NAME  stream this tracefs instance instead of the top buffer\n"
	"  -p, --ports=DIR      directory of the virtio ports (default /dev/virtio-ports)\n"
	"  -c, --control=PATH   control port (default DIR/agent-ctl-path)\n"
	"  -r, --reply=PATH     send replies to word orders here, not on the control\n"
	"                       port (needed when the control port is a FIFO)\n"
	"      --cpus=LIST      CPUs to stream, e.g. 0,2-3 (default: all online CPUs)\n"
	"  -v, --verbose        say more\n"
	"  -h, --help           show this help\n"
	"\n"
	"Data of CPU N goes to DIR/trace-path-cpuN. Stop with SIGINT or SIGTERM: the\n"
	"agent flushes what the ring buffers hold, then exits 0.\n";

enum { OPT_CPUS = 0x100 };

static const struct option long_opts[] = {
	{ "stdout", no_argument, NULL, 'o' },
	{ "pipe-size", required_argument, NULL, 's' },
	{ "buffer-kb", required_argument, NULL, 'b' },
	{ "tracefs", required_argument, NULL, 't' },
	{ "instance", required_argument, NULL, 'i' },
	{ "ports", required_argument, NULL, 'p' },
	{ "control", required_argument, NULL, 'c' },
	{ "reply", required_argument, NULL, 'r' },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "64K", "1M", "65536": bytes. Returns 0 or -1 on anything else. */
int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k') {
		v <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v <<= 20;
		end++;
	}
	if (*end || v > SIZE_MAX / 2)
		return -1;
	*out = v;
	return 0;
}

/* -b: "4096" and "4096K" are KB, "4M" is 4096 KB. */
static int parse_kb(const char *s, long *kb)
{
	size_t v;
	size_t n = strlen(s);

	if (n && (s[n - 1] == 'M' || s[n - 1] == 'm')) {
		if (parse_size(s, &v))
			return -1;
		v >>= 10;
	} else if (parse_size(s, &v)) {
		return -1;
	} else if (n && (s[n - 1] == 'K' || s[n - 1] == 'k')) {
		v >>= 10;
	}
	if (v < 4 || v > (1UL << 30))
		return -1;
	*kb = v;
	return 0;
}

static int add_cpu(int **cpus, int *nr, long cpu)
{
	int *n;
	int i;

	for (i = 0; i < *nr; i++)
		if ((*cpus)[i] == cpu)
			return 0;
	n = realloc(*cpus, (*nr + 1) * sizeof(**cpus));
	if (!n)
		return -1;
	n[(*nr)++] = cpu;
	*cpus = n;
	return 0;
}

/* "0,2-3" as in /sys/devices/system/cpu/online. Returns 0 or -1. */
int parse_cpu_list(const char *list, int **cpus, int *nr)
{
	const char *p = list;
	long lo, hi;
	char *end;

	*cpus = NULL;
	*nr = 0;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		lo = strtol(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				goto bad;
			hi = strtol(end + 1, &end, 10);
		}
		if (lo > hi || hi >= 4096)
			goto bad;
		for (; lo <= hi; lo++)
			if (add_cpu(cpus, nr, lo))
				goto bad;
		if (*end == ',')
			end++;
		else if (*end && *end != '\n')
			goto bad;
		else if (*end == '\n')
			end++;
		p = end;
	}
	if (*nr)
		return 0;
bad:
	free(*cpus);
	*cpus = NULL;
	*nr = 0;
	return -1;
}

static int bad_option(const char *what, const char *value, const char *fix)
{
	agent_err("invalid %s '%s': %s", what, value, fix);
	return -1;
}

int agent_parse_options(int argc, char **argv, struct agent_opts *opts)
{
	int *cpus;
	int nr;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->ports_dir = DEFAULT_PORTS_DIR;
	opts->pipe_size = PIPE_SIZE_DEFAULT;

	while ((c = getopt_long(argc, argv, "os:b:t:i:p:c:r:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opts->to_stdout = true;
			break;
		case 's':
			if (parse_size(optarg, &opts->pipe_size) ||
			    opts->pipe_size < PIPE_SIZE_MIN || opts->pipe_size > PIPE_SIZE_MAX)
				return bad_option("pipe size", optarg,
						  "give 64K to 1M, e.g. -s 256K");
			break;
		case 'b':
			if (parse_kb(optarg, &opts->buffer_kb))
				return bad_option("buffer size", optarg,
						  "give KB per CPU, e.g. -b 4096 or -b 4M");
			break;
		case 't':
			opts->tracing_dir = optarg;
			break;
		case 'i':
			opts->instance = optarg;
			break;
		case 'p':
			opts->ports_dir = optarg;
			break;
		case 'c':
			opts->ctl_path = optarg;
			break;
		case 'r':
			opts->reply_path = optarg;
			break;
		case OPT_CPUS:
			if (parse_cpu_list(optarg, &cpus, &nr))
				return bad_option("CPU list", optarg, "give e.g. --cpus 0,2-3");
			free(cpus);
			opts->cpu_list = optarg;
			break;
		case 'v':
			opts->verbose++;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fprintf(stderr, "Try '" AGENT_NAME " --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		agent_err("unexpected argument '%s'; try '" AGENT_NAME " --help'", argv[optind]);
		return -1;
	}
	return 0;
}
