// SPDX-License-Identifier: GPL-2.0
/*
 * vt-datcpu: print the raw sub-buffers of one CPU of a version 6 trace.dat
 * (the flyrecord section), so a test can compare them byte for byte with
 * what the agent sent.
 *
 *   vt-datcpu FILE NR_CPUS CPU > cpuN.raw
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	uint64_t off, size;
	int nr, cpu;
	char *buf, *fly;
	long len;
	FILE *f;

	if (argc != 4)
		return 2;
	nr = atoi(argv[2]);
	cpu = atoi(argv[3]);
	f = fopen(argv[1], "rb");
	if (!f || cpu < 0 || cpu >= nr)
		return 2;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len);
	if (!buf || fread(buf, 1, len, f) != (size_t)len)
		return 1;
	fly = memmem(buf, len, "flyrecord", 10);
	if (!fly || fly + 10 + 16 * nr > buf + len)
		return 1;
	memcpy(&off, fly + 10 + 16 * cpu, 8); /* little-endian file on a little-endian host */
	memcpy(&size, fly + 18 + 16 * cpu, 8);
	if (off > (uint64_t)len || size > (uint64_t)len - off)
		return 1;
	fwrite(buf + off, 1, size, stdout);
	free(buf);
	fclose(f);
	return 0;
}
