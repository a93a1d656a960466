// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace setup: the seed's FIFOs, made safely, and the QEMU options or
 * libvirt XML that use them (each data port on its own chardev: the seed's
 * example has a typo there).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vtrace.h"

static const char usage[] =
	"Usage: vtrace setup [--dir DIR] --cpus N [--format qemu|libvirt]\n"
	"Create DIR/trace-path-cpu{0..N-1}.{in,out} and DIR/agent-ctl-path.{in,out}\n"
	"(FIFOs, mode 0600) and print the matching QEMU options or libvirt XML.\n"
	"  -d, --dir DIR      default " DEFAULT_DIR "\n"
	"  -c, --cpus N       the guest's CPU count\n"
	"  -f, --format FMT   qemu (default) or libvirt\n"
	"Existing FIFOs are kept; a symlink or any other file in their place is refused.\n";

/*
 * mkfifo (which never follows a symlink), or accept the FIFO that is there
 * if it is ours; a FIFO other users may open (the seed's plain mkfifo makes
 * them 0644) is narrowed to 0600. Anything else is refused.
 */
static int make_fifo(const char *path)
{
	struct stat st;

	if (mkfifo(path, 0600) == 0)
		return 0;
	if (errno != EEXIST) {
		cli_err("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (cli_check_fifo(path, false) || lstat(path, &st) < 0)
		return -1;
	if (st.st_uid != geteuid()) {
		cli_err("%s is a FIFO of another user (uid %u); remove it and run 'vtrace setup' "
			"again",
			path, (unsigned)st.st_uid);
		return -1;
	}
	if ((st.st_mode & 077) && chmod(path, 0600) == 0)
		cli_info("%s: mode %03o narrowed to 600 (other users could open it)", path,
			 (unsigned)(st.st_mode & 0777));
	return 0;
}

static int make_pair(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.in", dir, name);
	if (make_fifo(path))
		return -1;
	snprintf(path, sizeof(path), "%s/%s.out", dir, name);
	return make_fifo(path);
}

static int make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		cli_err("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cli_err("%s is not a directory (a symlink?); choose another with --dir", dir);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		cli_err("%s belongs to another user; choose another with --dir", dir);
		return -1;
	}
	/* Others could plant or swap files in it. */
	if (st.st_mode & 022) {
		cli_err("%s is writable by other users (mode %03o); chmod go-w it or choose another "
			"with --dir",
			dir, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* The FIFOs of vtrace setup; also used by run-guest. Returns 0 or -1 (said). */
int setup_channels(const char *dir, int cpus)
{
	char name[64];
	int i;

	if (make_dir(dir) || make_pair(dir, CTL_NAME))
		return -1;
	for (i = 0; i < cpus; i++) {
		snprintf(name, sizeof(name), DATA_NAME_FMT, i);
		if (make_pair(dir, name))
			return -1;
	}
	return 0;
}

static void print_qemu(const char *dir, int cpus)
{
	int i;

	printf("-device virtio-serial-pci,id=virtio-serial0 \\\n"
	       "-chardev pipe,id=charchannel0,path=%s/" CTL_NAME " \\\n"
	       "-device virtserialport,bus=virtio-serial0.0,nr=1,chardev=charchannel0,"
	       "id=channel0,name=" CTL_NAME,
	       dir);
	for (i = 0; i < cpus; i++)
		printf(" \\\n-chardev pipe,id=charchannel%d,path=%s/" DATA_NAME_FMT " \\\n"
		       "-device virtserialport,bus=virtio-serial0.0,nr=%d,chardev=charchannel%d,"
		       "id=channel%d,name=" DATA_NAME_FMT,
		       i + 1, dir, i, i + 2, i + 1, i + 1, i);
	printf("\n");
}

static void print_libvirt(const char *dir, int cpus)
{
	int i;

	printf("<channel type='pipe'>\n  <source path='%s/" CTL_NAME "'/>\n"
	       "  <target type='virtio' name='" CTL_NAME "'/>\n</channel>\n",
	       dir);
	for (i = 0; i < cpus; i++)
		printf("<channel type='pipe'>\n  <source path='%s/" DATA_NAME_FMT "'/>\n"
		       "  <target type='virtio' name='" DATA_NAME_FMT "'/>\n</channel>\n",
		       dir, i, i);
}

int cmd_setup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = DEFAULT_DIR, *format = "qemu";
	char *end;
	long cpus = 0;
	int c;

	while ((c = getopt_long(argc, argv, "d:c:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			cpus = strtol(optarg, &end, 10);
			if (*end || cpus < 1 || cpus > MAX_CPUS) {
				cli_err("invalid CPU count '%s': give 1 to %d", optarg, MAX_CPUS);
				return 2;
			}
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!cpus) {
		cli_err("--cpus N is needed: the guest's CPU count");
		return 2;
	}
	if (strcmp(format, "qemu") && strcmp(format, "libvirt")) {
		cli_err("unknown format '%s': give qemu or libvirt", format);
		return 2;
	}
	if (setup_channels(dir, cpus))
		return 1;
	if (!strcmp(format, "qemu"))
		print_qemu(dir, cpus);
	else
		print_libvirt(dir, cpus);
	return 0;
}
