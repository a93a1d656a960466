// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace recover's reading of a trace.dat (lib/tracedat-read.c): the v6
 * header walked to the offsets table, the table checked, each CPU's data
 * extended over the valid sub-buffers after it; then the packed file
 * written (host/recover.c) and read back, all on in-memory files. The input
 * is the whole file a killed recorder left.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "tracedat-read.h"
#include "vtrace.h"

/* Every CPU's data: whole sub-buffers, past the table, inside the file. */
static uint64_t check_plan(const struct vt_dat_file *f, const uint64_t *offs, const uint64_t *sizes)
{
	uint64_t total = 0;
	uint32_t cpu;

	for (cpu = 0; cpu < f->nr_cpus; cpu++) {
		FUZZ_CHECK(sizes[cpu] % f->subbuf == 0);
		FUZZ_CHECK(!sizes[cpu] || offs[cpu] >= vt_dat_data_start(f));
		FUZZ_CHECK(offs[cpu] <= f->size && sizes[cpu] <= f->size - offs[cpu]);
		total += sizes[cpu];
	}
	/* no byte is claimed twice: the data fit in what follows the table */
	FUZZ_CHECK(total <= f->size - vt_dat_data_start(f));
	return total;
}

/*
 * The packed file reads back with the same header and a table of the same
 * sizes, which nothing extends: the CPUs' data lie end to end.
 */
static void check_packed(int out, const struct vt_dat_file *f, const uint64_t *sizes,
			 uint64_t total)
{
	static uint64_t offs[VT_DAT_MAX_CPUS], got[VT_DAT_MAX_CPUS];
	struct vt_dat_file p;
	struct stat st;
	uint32_t cpu;

	FUZZ_CHECK(!fstat(out, &st));
	FUZZ_CHECK((uint64_t)st.st_size >= f->table_off + total);
	FUZZ_CHECK(!vt_dat_read_header(&p, out, st.st_size));
	FUZZ_CHECK(p.table_off == f->table_off && p.nr_cpus == f->nr_cpus);
	FUZZ_CHECK(!vt_dat_read_table(&p, offs, got));
	for (cpu = 0; cpu < f->nr_cpus; cpu++)
		FUZZ_CHECK(got[cpu] == sizes[cpu]);
	FUZZ_CHECK(!vt_dat_extend_sizes(&p, offs, got));
	for (cpu = 0; cpu < f->nr_cpus; cpu++)
		FUZZ_CHECK(got[cpu] == sizes[cpu]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t offs[VT_DAT_MAX_CPUS], sizes[VT_DAT_MAX_CPUS];
	struct vt_dat_file f;
	uint64_t total;
	int in, out;

	in = memfd_create("fuzz-in", MFD_CLOEXEC);
	FUZZ_CHECK(in >= 0);
	FUZZ_CHECK(write(in, data, size) == (ssize_t)size);
	if (vt_dat_read_header(&f, in, size)) {
		FUZZ_CHECK(f.bad);
		close(in);
		return 0;
	}
	FUZZ_CHECK(f.nr_cpus >= 1 && f.nr_cpus <= VT_DAT_MAX_CPUS);
	FUZZ_CHECK(vt_dat_data_start(&f) <= size);
	if (vt_dat_read_table(&f, offs, sizes)) {
		FUZZ_CHECK(f.bad && f.bad_cpu >= 0 && (uint32_t)f.bad_cpu < f.nr_cpus);
		close(in);
		return 0;
	}
	check_plan(&f, offs, sizes);
	FUZZ_CHECK(!vt_dat_extend_sizes(&f, offs, sizes));
	total = check_plan(&f, offs, sizes);
	out = memfd_create("fuzz-out", MFD_CLOEXEC);
	FUZZ_CHECK(out >= 0);
	if (!recover_write_packed(&f, offs, sizes, out))
		check_packed(out, &f, sizes, total);
	close(out);
	close(in);
	return 0;
}
