// SPDX-License-Identifier: GPL-2.0
/*
 * ht-emit ARG1 [ARG2...]: emit one hypertrace event (client 0) through the
 * device libhypertrace finds, from a guest shell script.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hypertrace.h>

int main(int argc, char **argv)
{
	uint64_t args[16] = { 0 };
	struct hypertrace *ht;
	int i;

	if (argc < 2 || argc > 17) {
		fprintf(stderr, "usage: ht-emit ARG1 [ARG2...] (up to 16 numbers)\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		args[i - 1] = strtoull(argv[i], NULL, 0);
	ht = hypertrace_open(NULL);
	if (!ht) {
		fprintf(stderr, "ht-emit: no hypertrace device: %s\n", strerror(errno));
		return 1;
	}
	if (hypertrace_emit(ht, 0, args, argc - 1)) {
		fprintf(stderr, "ht-emit: %s\n", strerror(errno));
		return 1;
	}
	hypertrace_close(ht);
	return 0;
}
