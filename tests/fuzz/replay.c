// SPDX-License-Identifier: GPL-2.0
/*
 * Runs a fuzz harness without libFuzzer, over files: with no arguments, over
 * tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME (crashes found by
 * fuzzing, kept as regression tests), from the repository's top directory
 * as tests/run.sh runs it. Built as build/tests/test-fuzz-NAME.
 * Usage: test-fuzz-NAME [FILE|DIR]...
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	rewind(f);
	buf = malloc(n ? n : 1); /* exactly the input: ASan sees reads past it */
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 1;
}

static int replay(const char *path, int must_exist)
{
	struct dirent *de;
	struct stat st;
	char file[4096];
	DIR *d;
	int n = 0;

	if (stat(path, &st)) {
		if (must_exist) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			exit(1);
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		n += replay_file(file);
	}
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int i, corpus, regress;

	if (argc > 1) {
		for (i = 1, corpus = 0; i < argc; i++)
			corpus += replay(argv[i], 1);
		printf("%s: %d inputs replayed, no crash\n", FUZZ_NAME, corpus);
		return 0;
	}
	corpus = replay("tests/fuzz/corpus/" FUZZ_NAME, 1);
	regress = replay("tests/fuzz/regress/" FUZZ_NAME, 0);
	printf("%s: %d corpus and %d regression inputs replayed, no crash\n", FUZZ_NAME, corpus,
	       regress);
	return 0;
}
