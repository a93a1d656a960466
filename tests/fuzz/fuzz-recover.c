// SPDX-License-Identifier: GPL-2.0
/*
 * vtrace recover's reading of a trace.dat (host/recover.c): the v6 header
 * walked to the offsets table, the table checked, each CPU's data extended
 * over the valid sub-buffers after it, and the packed file written, all on
 * in-memory files. The input is the whole file a killed recorder left. The
 * source is included to reach its static functions.
 */
#include <sys/mman.h>

#include "fuzz.h"
#include "../../host/recover.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t offs[MAX_CPUS], sizes[MAX_CPUS];
	struct hdr h = { .path = "fuzz" };
	int64_t total;
	struct stat st;
	int out;

	h.fd = memfd_create("fuzz-in", MFD_CLOEXEC);
	FUZZ_CHECK(h.fd >= 0);
	FUZZ_CHECK(write(h.fd, data, size) == (ssize_t)size);
	h.size = size;
	if (walk(&h)) {
		FUZZ_CHECK(h.bad);
		close(h.fd);
		return 0;
	}
	FUZZ_CHECK(h.nr_cpus >= 1 && h.nr_cpus <= MAX_CPUS);
	FUZZ_CHECK(h.table_off + 16ULL * h.nr_cpus <= size);
	total = plan(&h, offs, sizes);
	if (total >= 0) {
		/* no byte is claimed twice: the data fit in what follows the table */
		FUZZ_CHECK((uint64_t)total <= size - h.table_off - 16ULL * h.nr_cpus);
		out = memfd_create("fuzz-out", MFD_CLOEXEC);
		FUZZ_CHECK(out >= 0);
		if (!write_packed(&h, offs, sizes, out)) {
			FUZZ_CHECK(!fstat(out, &st));
			FUZZ_CHECK((uint64_t)st.st_size >= h.table_off + (uint64_t)total);
		}
		close(out);
	}
	close(h.fd);
	return 0;
}
