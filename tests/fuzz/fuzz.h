/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the fuzz harnesses (tests/fuzz/fuzz-*.c). Each defines
 * LLVMFuzzerTestOneInput(); built with libFuzzer by `make fuzz`, and with
 * replay.c into build/tests/test-fuzz-NAME, which `make check` runs over the
 * committed corpus and regression inputs.
 */
#ifndef VT_FUZZ_H
#define VT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: its failure is a crash, as ASan's are. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
