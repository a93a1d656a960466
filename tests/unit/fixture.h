/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the unit tests (after <cmocka.h>): a fixture file of
 * tests/fixtures/ read whole, NUL-terminated. The tests run from the top of
 * the tree (tests/run.sh).
 */
#ifndef VT_TEST_FIXTURE_H
#define VT_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "tracedat.h"

static inline char *fixture_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return buf;
}

static inline struct vt_blob fixture_blob(const char *path)
{
	struct vt_blob b;

	b.data = fixture_read(path, &b.len);
	return b;
}

#endif
