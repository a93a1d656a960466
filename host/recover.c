// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace recover: turn the temporary file of a recorder that was killed
 * (FILE.XXXXXX, see docs/vtrace-record.md) into a packed trace.dat.
 *
 * That file is a complete v6 header whose offsets table gives each CPU's
 * region (record writes it at the start and refreshes the sizes twice a
 * second). Sub-buffers written after the last refresh sit past those sizes:
 * each is validated (lib/page.c) and kept up to the first that is missing,
 * zero (a hole) or malformed: only the one being written at the kill is lost.
 *
 * The header walk is ours: libtracecmd opens only finished files and does
 * not expose where the offsets table is.
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

#include "page.h"
#include "vtrace.h"

static const char usage[] =
"Usage: vtrace recover [-o OUTPUT] FILE\n"
"Repair the trace.dat that a killed 'vtrace record' left under its temporary\n"
"name (e.g. trace.dat.Ab12Cd): keep every complete, valid sub-buffer, drop\n"
"the one being written at the kill, and write a packed trace.dat.\n"
"  -o, --output FILE   default: FILE without its .XXXXXX suffix\n"
"The output must not exist yet; FILE is left as it is.\n";

struct hdr {
	int fd;
	uint64_t size, pos;	/* of the file; where the walk is */
	bool swap;
	int long_size;
	uint32_t subbuf;
	uint32_t nr_cpus;
	uint64_t table_off;
	const char *path;
	const char *bad;	/* what was wrong, for the error */
};

static int get(struct hdr *h, void *buf, size_t len)
{
	if (h->bad)
		return -1;
	if (h->pos + len > h->size || pread(h->fd, buf, len, h->pos) != (ssize_t)len) {
		h->bad = "the header is cut short";
		return -1;
	}
	h->pos += len;
	return 0;
}

static uint64_t num(struct hdr *h, int size)
{
	unsigned char b[8] = { 0 };
	uint64_t v = 0;
	int i;

	if (get(h, b, size))
		return 0;
	for (i = 0; i < size; i++)
		v |= (uint64_t)b[h->swap ? size - 1 - i : i] << (8 * i);
	return v;
}

static void skip(struct hdr *h, uint64_t len)
{
	if (!h->bad && (len > h->size || h->pos + len > h->size))
		h->bad = "a section runs past the end of the file";
	else
		h->pos += len;
}

static void expect(struct hdr *h, const char *s, size_t len, const char *what)
{
	char buf[16];

	if (!get(h, buf, len) && memcmp(buf, s, len))
		h->bad = what;
}

static void skip_string(struct hdr *h)
{
	char c = 1;
	int n = 0;

	while (!h->bad && c && n++ < 256)
		get(h, &c, 1);
	if (c && !h->bad)
		h->bad = "a system name is not terminated";
}

/* Walk a v6 header (trace-cmd.dat.v6(5)) to the offsets table. */
static int walk(struct hdr *h)
{
	static const unsigned char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n',
					       'g', '6', 0 };
	unsigned char head[12];
	uint64_t n, i, j, events;

	if (get(h, head, sizeof(head)) || memcmp(head, magic, sizeof(head))) {
		h->bad = "not a trace.dat version 6 (as vtrace record writes it)";
		return -1;
	}
	h->swap = num(h, 1) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	h->long_size = num(h, 1);
	h->subbuf = num(h, 4);
	if (!h->bad && ((h->long_size != 4 && h->long_size != 8) || h->subbuf < 4096 ||
			h->subbuf > (1 << 20) || (h->subbuf & (h->subbuf - 1))))
		h->bad = "impossible long or page size";
	expect(h, "header_page", 12, "no header_page");
	skip(h, num(h, 8));
	expect(h, "header_event", 13, "no header_event");
	skip(h, num(h, 8));
	for (n = num(h, 4), i = 0; i < n && !h->bad; i++)	/* ftrace formats */
		skip(h, num(h, 8));
	for (n = num(h, 4), i = 0; i < n && !h->bad; i++) {	/* systems */
		skip_string(h);
		for (events = num(h, 4), j = 0; j < events && !h->bad; j++)
			skip(h, num(h, 8));
	}
	skip(h, num(h, 4));	/* kallsyms */
	skip(h, num(h, 4));	/* printk formats */
	skip(h, num(h, 8));	/* saved cmdlines */
	h->nr_cpus = num(h, 4);
	if (!h->bad && (h->nr_cpus < 1 || h->nr_cpus > MAX_CPUS))
		h->bad = "impossible CPU count";
	expect(h, "options  ", 10, "no options section");
	while (!h->bad && (n = num(h, 2)) != 0)
		skip(h, num(h, 4));
	expect(h, "flyrecord", 10, "no flyrecord section");
	h->table_off = h->pos;
	skip(h, 16ULL * h->nr_cpus);
	return h->bad ? -1 : 0;
}

static bool all_zero(const char *p, size_t len)
{
	return !p[0] && !memcmp(p, p + 1, len - 1);
}

/*
 * Extend CPU's size past what the table says: every following sub-buffer
 * that is there and valid, up to @end. Returns the new size.
 */
static uint64_t extend(struct hdr *h, uint64_t off, uint64_t size, uint64_t end, char *page)
{
	struct vt_page_info info;
	bool big = (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) != h->swap;

	while (off + size + h->subbuf <= end &&
	       pread(h->fd, page, h->subbuf, off + size) == (ssize_t)h->subbuf &&
	       !all_zero(page, h->subbuf) &&
	       !vt_page_parse(page, h->subbuf, h->long_size, big, &info) &&
	       vt_page_count_events(page, &info, big) >= 0)
		size += h->subbuf;
	return size;
}

static void put64(unsigned char *p, uint64_t v, bool swap)
{
	int i;

	for (i = 0; i < 8; i++)
		p[swap ? 7 - i : i] = v >> (8 * i);
}

static int copy(int in, loff_t from, int out, loff_t to, uint64_t len)
{
	ssize_t n;

	while (len) {
		n = copy_file_range(in, &from, out, &to, len, 0);
		if (n <= 0)
			return -1;
		len -= n;
	}
	return 0;
}

/* The header as it is, then each CPU's sub-buffers packed, then the table. */
static int write_packed(struct hdr *h, const uint64_t *offs, const uint64_t *sizes, int out)
{
	uint64_t data_off = h->table_off + 16ULL * h->nr_cpus, off;
	unsigned char *table = calloc(h->nr_cpus, 16);
	uint32_t cpu;
	int ret = -1;

	data_off = (data_off + h->subbuf - 1) / h->subbuf * h->subbuf;
	if (!table || copy(h->fd, 0, out, 0, h->table_off))
		goto out;
	for (off = data_off, cpu = 0; cpu < h->nr_cpus; cpu++) {
		if (copy(h->fd, offs[cpu], out, off, sizes[cpu]))
			goto out;
		put64(table + 16 * cpu, off, h->swap);
		put64(table + 16 * cpu + 8, sizes[cpu], h->swap);
		off += sizes[cpu];
	}
	if (pwrite(out, table, 16ULL * h->nr_cpus, h->table_off) != 16LL * h->nr_cpus ||
	    ftruncate(out, off))
		goto out;
	ret = 0;
out:
	free(table);
	return ret;
}

static uint64_t data_start(const struct hdr *h)
{
	return h->table_off + 16ULL * h->nr_cpus;
}

/* @p strictly inside [@off, @off + @size): an empty CPU placed in another's data */
static bool inside(uint64_t p, uint64_t off, uint64_t size)
{
	return off < p && p < off + size;
}

static bool regions_overlap(uint64_t o1, uint64_t s1, uint64_t o2, uint64_t s2)
{
	if (s1 && s2)
		return o1 < o2 + s2 && o2 < o1 + s1;
	return (!s1 && inside(o1, o2, s2)) || (!s2 && inside(o2, o1, s1));
}

/*
 * An entry is whole sub-buffers inside the file, past the header, and
 * overlapping no other CPU's, nor starting inside another's when it is
 * empty (it would be extended over that data): a table that says otherwise
 * would make the packed file repeat bytes, so it is refused rather than
 * guessed at.
 */
static bool entry_possible(const struct hdr *h, const uint64_t *offs, const uint64_t *sizes,
			   uint32_t cpu)
{
	uint32_t other;

	if (offs[cpu] > h->size || sizes[cpu] > h->size - offs[cpu] ||
	    offs[cpu] % h->subbuf || sizes[cpu] % h->subbuf)
		return false;
	if (sizes[cpu] && offs[cpu] < data_start(h))
		return false;
	/* the CPUs before this one are checked already: each pair once */
	for (other = 0; other < cpu; other++)
		if (regions_overlap(offs[other], sizes[other], offs[cpu], sizes[cpu]))
			return false;
	return true;
}

/*
 * Each CPU's data: the offsets table's entry, checked, then extended over
 * every valid sub-buffer written after the table's last update. Returns the
 * bytes in all, or -1 (an impossible table: said).
 */
static int64_t plan(struct hdr *h, uint64_t *offs, uint64_t *sizes)
{
	uint64_t end, was, total = 0;
	uint32_t cpu, other;
	char *page;

	page = malloc(h->subbuf);
	if (!page)
		return -1;
	for (cpu = 0; cpu < h->nr_cpus; cpu++) {
		h->pos = h->table_off + 16ULL * cpu;
		offs[cpu] = num(h, 8);
		sizes[cpu] = num(h, 8);
	}
	for (cpu = 0; cpu < h->nr_cpus; cpu++) {
		if (!entry_possible(h, offs, sizes, cpu)) {
			vt_err("%s: CPU %u's entry in the offsets table is impossible; not a file of "
			       "vtrace record", h->path, cpu);
			free(page);
			return -1;
		}
	}
	for (cpu = 0; cpu < h->nr_cpus; cpu++) {
		/*
		 * A region ends where the next one in the file begins; one that
		 * shares its start (an empty CPU in a packed file) ends it too, so
		 * no sub-buffer is claimed by two CPUs.
		 */
		for (end = h->size, other = 0; other < h->nr_cpus; other++)
			if (other != cpu && offs[other] >= offs[cpu] && offs[other] < end)
				end = offs[other];
		was = sizes[cpu];
		if (offs[cpu] >= data_start(h))
			sizes[cpu] = extend(h, offs[cpu], sizes[cpu], end, page);
		vt_info("cpu%u: %llu sub-buffers (%llu after the last table update)", cpu,
			(unsigned long long)(sizes[cpu] / h->subbuf),
			(unsigned long long)((sizes[cpu] - was) / h->subbuf));
		total += sizes[cpu];
	}
	free(page);
	return total;
}

static int recover(struct hdr *h, const char *output)
{
	uint64_t offs[MAX_CPUS], sizes[MAX_CPUS];
	char tmp[PATH_MAX + 8];
	int64_t total;
	mode_t mask;
	int out, ret;

	total = plan(h, offs, sizes);
	if (total < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", output);
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0) {
		vt_err("cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	mask = umask(0);
	umask(mask);
	ret = write_packed(h, offs, sizes, out);
	if (!ret)
		ret = fchmod(out, 0666 & ~mask);
	if (close(out) || ret || rename(tmp, output)) {
		vt_err("cannot write %s: %s", output, strerror(errno));
		unlink(tmp);
		return -1;
	}
	vt_info("wrote %s: %.1f MiB of sub-buffers from %u CPU%s; you may remove %s", output,
		total / 1048576.0, h->nr_cpus, h->nr_cpus == 1 ? "" : "s", h->path);
	return 0;
}

/* trace.dat.Ab12Cd -> trace.dat */
static int default_output(const char *in, char *out, size_t size)
{
	size_t len = strlen(in);
	const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;

	if (strlen(base) < 8 || in[len - 7] != '.' || len >= size) {
		vt_err("%s is not named FILE.XXXXXX as record's temporary files are; give the "
		       "output with -o", in);
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
	struct hdr h = { .fd = -1 };
	char output[PATH_MAX];
	const char *out = NULL;
	struct stat st;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		vt_err("give one FILE to recover; try 'vtrace recover --help'");
		return 2;
	}
	h.path = argv[optind];
	if (out)
		snprintf(output, sizeof(output), "%s", out);
	else if (default_output(h.path, output, sizeof(output)))
		return 2;
	if (!access(output, F_OK) || errno != ENOENT) {
		vt_err("%s exists; give another output with -o", output);
		return 1;
	}
	h.fd = open(h.path, O_RDONLY | O_CLOEXEC);
	if (h.fd < 0 || fstat(h.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vt_err("cannot read %s: %s", h.path, h.fd < 0 ? strerror(errno) : "not a file");
		if (h.fd >= 0)
			close(h.fd);
		return 1;
	}
	h.size = st.st_size;
	if (walk(&h)) {
		vt_err("%s: %s; nothing to recover", h.path, h.bad);
		close(h.fd);
		return 1;
	}
	ret = recover(&h, output);
	close(h.fd);
	return ret ? 1 : 0;
}
