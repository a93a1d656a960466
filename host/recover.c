// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace recover: turn the temporary file of a recorder that was killed
 * (FILE.XXXXXX, see docs/vtrace-record.md) into a packed trace.dat.
 *
 * That file is a complete v6 header whose offsets table gives each CPU's
 * region (record writes it at the start and refreshes the sizes twice a
 * second). Sub-buffers written after the last refresh sit past those sizes:
 * each is validated and kept up to the first that is missing, zero (a hole)
 * or malformed: only the one being written at the kill is lost. Reading the
 * file (the header walk, the table's check, the scan) is
 * lib/tracedat-read.c's; here are the command and the packed copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "tracedat-read.h"
#include "vtrace.h"

_Static_assert(VT_DAT_MAX_CPUS <= MAX_CPUS, "a file's CPUs fit recover's tables");

static const char usage[] =
	"Usage: vtrace recover [-o OUTPUT] FILE\n"
	"Repair the trace.dat that a killed 'vtrace record' left under its temporary\n"
	"name (e.g. trace.dat.Ab12Cd): keep every complete, valid sub-buffer, drop\n"
	"the one being written at the kill, and write a packed trace.dat.\n"
	"  -o, --output FILE   default: FILE without its .XXXXXX suffix\n"
	"The output must not exist yet; FILE is left as it is.\n";

/* In the file's byte order. */
static void put64(const struct vt_dat_file *f, unsigned char *p, uint64_t v)
{
	if (f->big_endian)
		vt_put_be64(p, v);
	else
		vt_put_le64(p, v);
}

static int copy(int in, off_t from, int out, off_t to, uint64_t len)
{
	return vt_copy_range(in, &from, out, &to, len);
}

/* The header as it is, then each CPU's sub-buffers packed, then the table. */
int recover_write_packed(const struct vt_dat_file *f, const uint64_t *offs, const uint64_t *sizes,
			 int out)
{
	uint64_t data_off = vt_dat_data_start(f), off;
	size_t table_len = 16ULL * f->nr_cpus;
	unsigned char *table = calloc(f->nr_cpus, 16);
	uint32_t cpu;
	int ret = -1;

	data_off = (data_off + f->subbuf - 1) / f->subbuf * f->subbuf;
	/* the header through the clock; the table in it is rewritten below */
	if (!table || copy(f->fd, 0, out, 0, vt_dat_data_start(f)))
		goto out;
	for (off = data_off, cpu = 0; cpu < f->nr_cpus; cpu++) {
		if (copy(f->fd, offs[cpu], out, off, sizes[cpu]))
			goto out;
		put64(f, table + 16 * cpu, off);
		put64(f, table + 16 * cpu + 8, sizes[cpu]);
		off += sizes[cpu];
	}
	if (vt_pwrite_all(out, table, table_len, f->table_off) != table_len || ftruncate(out, off))
		goto out;
	ret = 0;
out:
	free(table);
	return ret;
}

/*
 * Each CPU's data: the offsets table's entry, checked, then extended over
 * every valid sub-buffer written after the table's last update. Returns the
 * bytes in all, or -1 (said).
 */
static int64_t plan(struct vt_dat_file *f, const char *path, uint64_t *offs, uint64_t *sizes)
{
	uint64_t listed[MAX_CPUS], total = 0;
	uint32_t cpu;

	if (vt_dat_read_table(f, offs, sizes)) {
		if (f->bad_cpu >= 0)
			cli_err("%s: CPU %d's entry in the offsets table is impossible; not a "
				"file of vtrace record",
				path, f->bad_cpu);
		else
			cli_err("%s: %s; nothing to recover", path, f->bad);
		return -1;
	}
	memcpy(listed, sizes, f->nr_cpus * sizeof(*sizes));
	if (vt_dat_extend_sizes(f, offs, sizes)) {
		cli_err("out of memory");
		return -1;
	}
	for (cpu = 0; cpu < f->nr_cpus; cpu++) {
		cli_info("cpu%u: %llu sub-buffers (%llu after the last table update)", cpu,
			 (unsigned long long)(sizes[cpu] / f->subbuf),
			 (unsigned long long)((sizes[cpu] - listed[cpu]) / f->subbuf));
		total += sizes[cpu];
	}
	return total;
}

static int recover(struct vt_dat_file *f, const char *path, const char *output)
{
	uint64_t offs[MAX_CPUS], sizes[MAX_CPUS];
	char tmp[PATH_MAX + 8];
	int64_t total;
	mode_t mask;
	int out, ret;

	total = plan(f, path, offs, sizes);
	if (total < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", output);
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		cli_err("cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	mask = umask(0);
	umask(mask);
	ret = recover_write_packed(f, offs, sizes, out);
	if (!ret)
		ret = fchmod(out, 0666 & ~mask);
	if (close(out) || ret || rename(tmp, output)) {
		cli_err("cannot write %s: %s", output, strerror(errno));
		unlink(tmp);
		return -1;
	}
	cli_info("wrote %s: %.1f MiB of sub-buffers from %u CPU%s; you may remove %s", output,
		 total / 1048576.0, f->nr_cpus, f->nr_cpus == 1 ? "" : "s", path);
	return 0;
}

/* trace.dat.Ab12Cd -> trace.dat */
static int default_output(const char *in, char *out, size_t size)
{
	size_t len = strlen(in);
	const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;

	if (strlen(base) < 8 || in[len - 7] != '.' || len >= size) {
		cli_err("%s is not named FILE.XXXXXX as record's temporary files are; give the "
			"output with -o",
			in);
		return -1;
	}
	memcpy(out, in, len - 7);
	out[len - 7] = '\0';
	return 0;
}

int cmd_recover(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vt_dat_file f;
	char output[PATH_MAX];
	const char *path, *out = NULL;
	struct stat st;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
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
		cli_err("give one FILE to recover; try 'vtrace recover --help'");
		return 2;
	}
	path = argv[optind];
	if (out)
		snprintf(output, sizeof(output), "%s", out);
	else if (default_output(path, output, sizeof(output)))
		return 2;
	if (!access(output, F_OK) || errno != ENOENT) {
		cli_err("%s exists; give another output with -o", output);
		return 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cli_err("cannot read %s: %s", path, fd < 0 ? strerror(errno) : "not a file");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (vt_dat_read_header(&f, fd, st.st_size)) {
		cli_err("%s: %s; nothing to recover", path, f.bad);
		close(fd);
		return 1;
	}
	ret = recover(&f, path, output);
	close(fd);
	return ret ? 1 : 0;
}
