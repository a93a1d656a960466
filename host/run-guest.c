// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace run-guest: boot the demo guest (make guest) under QEMU with the
 * seed's virtio-serial ports on vtrace setup's FIFOs. KVM when /dev/kvm
 * works and a test boot under it finishes in time (nested KVM can hang at
 * boot); TCG otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector/ht-system.h"
#include "vtrace.h"

#define KVM_PROBE_SECONDS 30
#define MAX_ARGS 256

static const char usage[] =
	"Usage: vtrace run-guest [OPTION]... [-- QEMU_ARG...]\n"
	"Boot the demo guest (built by 'make guest') with trace-agent inside, its ports\n"
	"on the FIFOs of DIR, and wait until it powers off.\n"
	"  -d, --dir DIR        the channels (" DEFAULT_DIR "), made as by vtrace setup\n"
	"  -c, --cpus N         guest CPUs (default 2)\n"
	"  -m, --mem MB         guest memory (default 512)\n"
	"  -g, --guest DIR      where vmlinuz and initramfs.cpio.gz are (build/guest)\n"
	"  -w, --workload NAME  the guest's workload (default demo)\n"
	"  -s, --seconds S      how long the demo workload runs (default 10)\n"
	"      --console FILE   the guest's console (default DIR/console.log)\n"
	"      --append TEXT    more of the guest kernel's command line\n"
	"      --accel tcg|kvm  skip the KVM probe\n"
	"      --hypertrace BASE  give the guest the hypertrace region BASE as an\n"
	"                       ivshmem-plain PCI device (made by vtrace hypertrace\n"
	"                       --system --path BASE, which must run first)\n";

struct guest {
	const char *dir, *guest_dir, *workload, *console, *accel, *append;
	const char *hypertrace;	     /* the region's path, or NULL */
	char *ht_object, *ht_device; /* QEMU's options for the hypertrace region */
	int cpus, mem, seconds;
	char **extra;
	int nr_extra;
};

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int add(char **argv, int *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add(char **argv, int *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_ARGS - 1)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&argv[(*n)++], fmt, ap) < 0)
		argv[--(*n)] = NULL;
	va_end(ap);
	return 0;
}

/* The QEMU command line: machine, kernel, console, and the seed's ports. */
static char **qemu_argv(const struct guest *g, const char *accel, const char *workload,
			const char *console, bool ports)
{
	char **argv = calloc(MAX_ARGS, sizeof(char *));
	int n = 0, i;

	if (!argv)
		return NULL;
	add(argv, &n, "qemu-system-x86_64");
	add(argv, &n, "-accel");
	add(argv, &n, "%s", accel);
	add(argv, &n, "-smp");
	add(argv, &n, "%d", g->cpus);
	add(argv, &n, "-m");
	add(argv, &n, "%d", g->mem);
	add(argv, &n, "-kernel");
	add(argv, &n, "%s/vmlinuz", g->guest_dir);
	add(argv, &n, "-initrd");
	add(argv, &n, "%s/initramfs.cpio.gz", g->guest_dir);
	add(argv, &n, "-append");
	add(argv, &n, "console=ttyS0 quiet panic=-1 vtrace.workload=%s vtrace.seconds=%d %s",
	    workload, g->seconds, g->append ? g->append : "");
	add(argv, &n, "-display");
	add(argv, &n, "none");
	add(argv, &n, "-serial");
	add(argv, &n, "file:%s", console);
	add(argv, &n, "-no-reboot");
	if (ports) {
		add(argv, &n, "-device");
		add(argv, &n, "virtio-serial-pci,id=virtio-serial0");
		add(argv, &n, "-chardev");
		add(argv, &n, "pipe,id=charchannel0,path=%s/" CTL_NAME, g->dir);
		add(argv, &n, "-device");
		add(argv, &n,
		    "virtserialport,bus=virtio-serial0.0,nr=1,chardev=charchannel0,"
		    "id=channel0,name=" CTL_NAME);
		for (i = 0; i < g->cpus; i++) {
			add(argv, &n, "-chardev");
			add(argv, &n, "pipe,id=charchannel%d,path=%s/" DATA_NAME_FMT, i + 1, g->dir,
			    i);
			add(argv, &n, "-device");
			add(argv, &n,
			    "virtserialport,bus=virtio-serial0.0,nr=%d,chardev=charchannel%d,"
			    "id=channel%d,name=" DATA_NAME_FMT,
			    i + 2, i + 1, i + 1, i);
		}
	}
	if (g->ht_object) {
		add(argv, &n, "-object");
		add(argv, &n, "%s", g->ht_object);
		add(argv, &n, "-device");
		add(argv, &n, "%s", g->ht_device);
	}
	for (i = 0; i < g->nr_extra; i++)
		add(argv, &n, "%s", g->extra[i]);
	return argv;
}

static void free_argv(char **argv)
{
	int i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* Runs QEMU; returns its exit status, or -1. With @timeout, kills it then. */
static int run_qemu(char **argv, int timeout)
{
	time_t end = time(NULL) + timeout;
	pid_t pid, parent = getpid();
	int status;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* QEMU goes with us, even when we are killed outright: no orphan guest */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "vtrace run-guest: cannot run %s: %s; install qemu-system-x86\n",
			argv[0], strerror(errno));
		_exit(127);
	}
	child = pid;
	for (;;) {
		pid_t r = waitpid(pid, &status, timeout ? WNOHANG : 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (timeout && time(NULL) >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			child = 0;
			return -1;
		}
		if (timeout)
			usleep(100000);
	}
	child = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool console_says(const char *path, const char *what)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return found;
}

/*
 * QEMU opens -serial file: with O_CREAT|O_TRUNC and follows symlinks: make
 * the file ourselves first, new (O_EXCL|O_NOFOLLOW), mode 0600, after
 * removing an old one of ours. A symlink or another user's file is refused.
 */
static int make_console(const char *path)
{
	int fd;

	if (cli_check_output(path))
		return -1;
	if (unlink(path) < 0 && errno != ENOENT) {
		cli_err("cannot remove the old %s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		cli_err("cannot create %s: %s%s", path, strerror(errno),
			errno == EEXIST ?
				" (someone made it just now: check who can write to its directory)" :
				"");
		return -1;
	}
	close(fd);
	return 0;
}

/* KVM only if it is there and a test boot under it completes in time. */
static const char *choose_accel(const struct guest *g)
{
	char console[4096];
	char **argv;
	int fd, ok;

	if (g->accel)
		return g->accel;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return "tcg";
	close(fd);
	snprintf(console, sizeof(console), "%s/kvm-probe.log", g->dir);
	if (make_console(console))
		return "tcg";
	argv = qemu_argv(g, "kvm", "boot", console, false);
	ok = argv && run_qemu(argv, KVM_PROBE_SECONDS) == 0 && console_says(console, "booted");
	free_argv(argv);
	cli_info("KVM %s", ok ? "works: using it" : "did not boot the guest in time: using TCG");
	return ok ? "kvm" : "tcg";
}

/* Returns 0, 1 for --help, or -1 after an error (exit 2). */
static int parse_guest_options(struct guest *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "guest", required_argument, NULL, 'g' },
		{ "workload", required_argument, NULL, 'w' },
		{ "seconds", required_argument, NULL, 's' },
		{ "console", required_argument, NULL, 'C' },
		{ "accel", required_argument, NULL, 'A' },
		{ "append", required_argument, NULL, 'a' },
		{ "hypertrace", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:c:m:g:w:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			g->dir = optarg;
			break;
		case 'c':
			g->cpus = atoi(optarg);
			break;
		case 'm':
			g->mem = atoi(optarg);
			break;
		case 'g':
			g->guest_dir = optarg;
			break;
		case 'w':
			g->workload = optarg;
			break;
		case 's':
			g->seconds = atoi(optarg);
			break;
		case 'C':
			g->console = optarg;
			break;
		case 'A':
			g->accel = optarg;
			break;
		case 'a':
			g->append = optarg;
			break;
		case 'H':
			g->hypertrace = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (g->cpus < 1 || g->cpus > 64 || g->mem < 128 || g->seconds < 1 ||
	    strspn(g->workload, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(g->workload) ||
	    (g->accel && strcmp(g->accel, "tcg") && strcmp(g->accel, "kvm"))) {
		cli_err("invalid option: CPUs 1..64, memory >= 128 MB, seconds >= 1, a workload "
			"name of [a-z0-9_-], accel tcg or kvm");
		return -1;
	}
	g->extra = argv + optind;
	g->nr_extra = argc - optind;
	return 0;
}

/*
 * What the guest needs before it boots: its image, the hypertrace region's
 * QEMU options, the channels and the console (@console). 0, or -1 (said).
 */
static int prepare_guest(struct guest *g, char *console, size_t size)
{
	char image[4096];
	uint64_t ht_size;

	snprintf(image, sizeof(image), "%s/initramfs.cpio.gz", g->guest_dir);
	if (access(image, R_OK)) {
		cli_err("no guest image in %s; build it with 'make guest'", g->guest_dir);
		return -1;
	}
	if (g->hypertrace &&
	    (htc_system_check(g->hypertrace, &ht_size) ||
	     htc_system_qemu_args(g->hypertrace, ht_size, &g->ht_object, &g->ht_device)))
		return -1;
	if (setup_channels(g->dir, g->cpus))
		return -1;
	if (g->console)
		snprintf(console, size, "%s", g->console);
	else
		snprintf(console, size, "%s/console.log", g->dir);
	return make_console(console);
}

/* Boot the guest and wait until it powers off: 0, or -1 (said). */
static int boot_guest(const struct guest *g, const char *console)
{
	struct sigaction sa = { .sa_handler = forward };
	const char *accel = choose_accel(g);
	char **qargv;
	int ret;

	qargv = qemu_argv(g, accel, g->workload, console, true);
	if (!qargv) {
		cli_err("out of memory");
		return -1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cli_info("booting the guest (%s, %d CPUs, workload %s); console in %s", accel, g->cpus,
		 g->workload, console);
	ret = run_qemu(qargv, 0);
	free_argv(qargv);
	if (ret)
		cli_err("QEMU exited %d; see %s", ret, console);
	return ret ? -1 : 0;
}

int cmd_run_guest(int argc, char **argv)
{
	struct guest g = { .dir = DEFAULT_DIR,
			   .guest_dir = "build/guest",
			   .workload = "demo",
			   .cpus = 2,
			   .mem = 512,
			   .seconds = 10 };
	char console[4096];
	int ret;

	switch (parse_guest_options(&g, argc, argv)) {
	case 1:
		return 0;
	case -1:
		return 2;
	}
	ret = prepare_guest(&g, console, sizeof(console)) || boot_guest(&g, console) ? 1 : 0;
	free(g.ht_object);
	free(g.ht_device);
	return ret;
}
