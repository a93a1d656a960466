// SPDX-License-Identifier: GPL-2.0
/*
 * libhypertrace refuses what is not a sound region, with errno set and no
 * crash: a missing file, a text file, an empty file, wrong magic, another
 * version, another byte order, a header out of range, a region truncated
 * below its clients, a directory, a symlink, a FIFO, a character device.
 * Through both APIs (hypertrace_open, qemu_hypertrace_init), then a sound
 * region still opens and the seed's API works after all the refusals.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ht-region.h"
#include "hypertrace.h"
#include "qemu-hypertrace.h"

static char dir[64];

static const char *path_of(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* A file NAME holding a sound region, then @edit applied to its bytes. */
static const char *region_file(const char *name, void (*edit)(unsigned char *buf, size_t *len))
{
	size_t len = ht_region_size(4, 4, 64);
	unsigned char *buf = calloc(1, len);
	const char *p = path_of(name);
	int fd;

	ht_region_init(buf, 4, 4, 64, len, getpid(), 0);
	if (edit)
		edit(buf, &len);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
	return p;
}

/* Both APIs refuse @p with errno @err. */
static void refused(const char *p, int err)
{
	errno = 0;
	assert_null(hypertrace_open(p));
	assert_int_equal(errno, err);
	errno = 0;
	assert_int_equal(qemu_hypertrace_init(p), -1);
	assert_int_equal(errno, err);
	qemu_hypertrace(0, 1); /* nothing open: harmless */
	assert_null(qemu_hypertrace_data(0));
	assert_int_equal(qemu_hypertrace_max_clients(), 0);
}

static void bad_magic(unsigned char *b, size_t *len)
{
	memcpy(b, "VTHTRACF", 8);
}

static void bad_version(unsigned char *b, size_t *len)
{
	struct ht_header *h = (void *)b;

	h->version = htole32(HT_VERSION + 1);
}

static void big_endian(unsigned char *b, size_t *len)
{
	struct ht_header *h = (void *)b;

	h->little_endian = 0;
}

static void too_many_args(unsigned char *b, size_t *len)
{
	struct ht_header *h = (void *)b;

	h->num_args = htole32(HT_MAX_ARGS + 1);
}

static void odd_ring(unsigned char *b, size_t *len)
{
	struct ht_header *h = (void *)b;

	h->ring_entries = htole32(63);
}

static void huge_stride(unsigned char *b, size_t *len)
{
	struct ht_header *h = (void *)b;

	h->client_stride = htole64(UINT64_MAX / 2);
}

static void truncated(unsigned char *b, size_t *len)
{
	*len -= 64; /* the last client's ring does not fit */
}

static void header_only(unsigned char *b, size_t *len)
{
	*len = HT_HEADER_SIZE;
}

static void malformed_files(void **state)
{
	refused(path_of("missing"), ENOENT);
	refused(region_file("bad-magic", bad_magic), EINVAL);
	refused(region_file("bad-version", bad_version), EINVAL);
	refused(region_file("big-endian", big_endian), EINVAL);
	refused(region_file("too-many-args", too_many_args), EINVAL);
	refused(region_file("odd-ring", odd_ring), EINVAL);
	refused(region_file("huge-stride", huge_stride), EINVAL);
	refused(region_file("truncated", truncated), EINVAL);
	refused(region_file("header-only", header_only), EINVAL);
}

static void not_regions(void **state)
{
	const char *p;
	int fd;

	p = path_of("text");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(write(fd, "not a region, just text\n", 24), 24);
	close(fd);
	refused(p, EINVAL);
	p = path_of("empty");
	close(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	refused(p, EINVAL);
	p = path_of("subdir");
	assert_int_equal(mkdir(p, 0700), 0);
	refused(p, ENODEV); /* a directory is taken as a PCI device in sysfs */
	p = path_of("fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	refused(p, EINVAL);
	refused("/dev/null", EINVAL);
}

/* A symlink is not followed, even to a sound region (the collector makes none). */
static void symlink_refused(void **state)
{
	const char *target = region_file("sound", NULL);
	char link[128];

	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(target, link), 0);
	refused(link, ELOOP);
}

/* After all of that, a sound region opens and the seed's API emits into it. */
static void sound_after_refusals(void **state)
{
	struct hypertrace *ht = hypertrace_open(region_file("sound2", NULL));

	assert_non_null(ht);
	assert_int_equal(hypertrace_max_clients(ht), 4);
	hypertrace_close(ht);
	assert_int_equal(qemu_hypertrace_init(path_of("sound2")), 0);
	assert_int_equal(qemu_hypertrace_num_args(), 4);
	assert_non_null(qemu_hypertrace_data(3));
	assert_null(qemu_hypertrace_data(4));
	qemu_hypertrace(0, 1);
	qemu_hypertrace(4, 1); /* no such client: ignored */
	qemu_hypertrace_fini();
	qemu_hypertrace_fini(); /* twice: harmless */
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vt-test-ht-open-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_files),
		cmocka_unit_test(not_regions),
		cmocka_unit_test(symlink_refused),
		cmocka_unit_test(sound_after_refusals),
	};

	return cmocka_run_group_tests_name("hypertrace open", tests, setup, teardown);
}
