// SPDX-License-Identifier: GPL-2.0
/*
 * hypertrace in system mode on stock QEMU: the region is the memory of an
 * ivshmem-plain device (BAR 2 in the guest), backed by the collector's file
 * through a shared memory-backend-file.
 *
 * QEMU 7.2 takes the device's size from the backend and asserts (aborts,
 * with no message) when it is not a power of two, so the collector sizes
 * every region to one, and vtrace checks any file it hands to QEMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ht-region.h"
#include "ht-system.h"
#include "vtrace.h"

uint64_t htc_system_size(uint64_t need)
{
	uint64_t size = HT_HEADER_SIZE;

	while (size < need && size < (1ULL << 62))
		size <<= 1;
	return size;
}

static bool power_of_two(uint64_t n)
{
	return n && !(n & (n - 1));
}

int htc_system_check(const char *path, uint64_t *size)
{
	struct ht_layout l;
	const char *why = "";
	struct stat st;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		cli_err("cannot open the hypertrace region %s: %s; make it first with 'vtrace "
			"hypertrace --system --path %s'",
			path, strerror(errno), path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cli_err("%s is not a regular file; make the region with 'vtrace hypertrace "
			"--system --path %s'",
			path, path);
		close(fd);
		return -1;
	}
	if (!power_of_two(st.st_size) || st.st_size < HT_HEADER_SIZE) {
		cli_err("%s is %lld bytes, not a power of two: QEMU's ivshmem needs one (7.2 "
			"aborts otherwise); make the region with 'vtrace hypertrace --system'",
			path, (long long)st.st_size);
		close(fd);
		return -1;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		cli_err("cannot map %s: %s", path, strerror(errno));
		return -1;
	}
	if (ht_region_check(map, st.st_size, &l, &why)) {
		cli_err("%s: %s; make the region with 'vtrace hypertrace --system --path %s'", path,
			why, path);
		munmap(map, st.st_size);
		return -1;
	}
	munmap(map, st.st_size);
	*size = st.st_size;
	return 0;
}

/* A QEMU option value: commas are doubled (QEMU's escape). */
static void qemu_escape(char *out, size_t outsz, const char *in)
{
	size_t n = 0;

	for (; *in && n + 2 < outsz; in++) {
		out[n++] = *in;
		if (*in == ',')
			out[n++] = ',';
	}
	out[n] = '\0';
}

int htc_system_qemu_args(const char *path, uint64_t size, char **object, char **device)
{
	char esc[8192];

	qemu_escape(esc, sizeof(esc), path);
	if (asprintf(object,
		     "memory-backend-file,id=" HTC_SYSTEM_ID ",share=on,mem-path=%s,"
		     "size=%llu",
		     esc, (unsigned long long)size) < 0)
		return -1;
	if (asprintf(device, "ivshmem-plain,memdev=" HTC_SYSTEM_ID) < 0) {
		free(*object);
		return -1;
	}
	return 0;
}

int htc_system_print_options(FILE *f, const char *path, uint64_t size, const char *format)
{
	char *object, *device;
	const char *name;

	if (!strcmp(format, "libvirt")) {
		/* libvirt's <shmem> is always /dev/shm/NAME */
		name = strncmp(path, "/dev/shm/", 9) ? NULL : path + 9;
		if (!name || !*name || strchr(name, '/')) {
			cli_err("libvirt's <shmem> maps /dev/shm/NAME only: give --path "
				"/dev/shm/NAME");
			return -1;
		}
		fprintf(f,
			"<!-- in <devices>; libvirt's QEMU user must be able to read and write "
			"%s -->\n<shmem name='%s'>\n  <model type='ivshmem-plain'/>\n"
			"  <size unit='KiB'>%llu</size>\n</shmem>\n",
			path, name, (unsigned long long)size / 1024);
		return 0;
	}
	if (strcmp(format, "qemu")) {
		cli_err("unknown format '%s': give qemu or libvirt", format);
		return -1;
	}
	if (htc_system_qemu_args(path, size, &object, &device))
		return -1;
	fprintf(f, "-object %s \\\n-device %s\n", object, device);
	free(object);
	free(device);
	return 0;
}
