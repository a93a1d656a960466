// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libhypertrace in a system-mode guest: the region is BAR 2 of QEMU's
 * ivshmem-plain device, mapped through sysfs (resourceN files map a BAR
 * into user space; no driver is needed). A guest may have other ivshmem
 * devices, so the scan keeps the first whose memory holds a hypertrace
 * header. Hand-written: libpci would add a dependency to every guest
 * program for a directory walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ht-pci.h"
#include "ht-region.h"

static long read_hex(const char *dir, const char *name)
{
	char path[512], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 0);
}

/* Memory decoding on (PCI_COMMAND_MEMORY), as a driver's probe would do. */
static int enable(const char *dir)
{
	char path[512];
	int fd, ok;

	if (read_hex(dir, "enable") > 0)
		return 0;
	snprintf(path, sizeof(path), "%s/enable", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, "1", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A BAR that a driver claimed (pci_request_region) cannot be mapped from
 * user space when the kernel has CONFIG_IO_STRICT_DEVMEM (Debian's has):
 * mmap says EINVAL. Say EBUSY, which is what it means.
 */
static void *map_bar(int fd, size_t len)
{
	void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	if (map == MAP_FAILED && errno == EINVAL)
		errno = EBUSY;
	return map;
}

/* Whether @file (a BAR) holds a hypertrace region; errno says why not. */
static int holds_region(const char *file)
{
	struct ht_layout l;
	struct stat st;
	void *map;
	int fd, ret;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size < HT_HEADER_SIZE) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	map = map_bar(fd, st.st_size);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	ret = ht_region_check(map, st.st_size, &l, NULL);
	munmap(map, st.st_size);
	if (ret)
		errno = ENODEV;
	return ret;
}

/* An ivshmem device's BAR 2, enabled; anything else is not ours to touch. */
static int device_file(const char *dir, char *out, size_t outsz)
{
	if (read_hex(dir, "vendor") != HTL_PCI_VENDOR ||
	    read_hex(dir, "device") != HTL_PCI_DEVICE) {
		errno = ENODEV;
		return -1;
	}
	if ((size_t)snprintf(out, outsz, "%s/resource2", dir) >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (access(out, F_OK)) {
		errno = ENODEV; /* no BAR 2: not ivshmem-plain's memory */
		return -1;
	}
	return enable(dir);
}

/* An explicit device: EBUSY now rather than EINVAL from the caller's mmap. */
static int mappable(const char *file)
{
	void *map;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	map = map_bar(fd, HT_HEADER_SIZE);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	munmap(map, HT_HEADER_SIZE);
	return 0;
}

static int scan(char *out, size_t outsz)
{
	char dir[512];
	struct dirent *d;
	int err = ENODEV;
	DIR *dp;

	dp = opendir(HTL_PCI_SYSFS);
	if (!dp) {
		errno = ENODEV; /* no PCI at all */
		return -1;
	}
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), HTL_PCI_SYSFS "/%s", d->d_name);
		if (device_file(dir, out, outsz) == 0 && holds_region(out) == 0) {
			closedir(dp);
			return 0;
		}
		if (errno == EACCES || errno == EPERM)
			err = EACCES; /* tell that rather than "no device" */
		else if (errno == EBUSY && err == ENODEV)
			err = EBUSY;
	}
	closedir(dp);
	errno = err;
	return -1;
}

/* 0000:00:04.0 or 00:04.0: hex digits, ':' and '.', nothing that walks paths. */
static bool pci_address(const char *s)
{
	size_t n = strlen(s);

	return (n == 7 || n == 12) && strspn(s, "0123456789abcdefABCDEF:.") == n &&
	       s[n - 2] == '.' && s[n - 5] == ':';
}

int htl_pci_resolve(const char *base, char *out, size_t outsz)
{
	char dir[512];
	struct stat st;

	if (!base)
		return scan(out, outsz);
	if (pci_address(base)) {
		snprintf(dir, sizeof(dir), HTL_PCI_SYSFS "/%s%s", strlen(base) == 7 ? "0000:" : "",
			 base);
		if (stat(dir, &st) < 0) {
			errno = ENODEV;
			return -1;
		}
		if (device_file(dir, out, outsz))
			return -1;
		return mappable(out);
	}
	if (stat(base, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (device_file(base, out, outsz))
			return -1;
		return mappable(out);
	}
	if (strlen(base) >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(out, base);
	return 0;
}
