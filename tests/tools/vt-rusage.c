// SPDX-License-Identifier: GPL-2.0
/*
 * vt-rusage: run a command and print the CPU time it and its waited-for
 * children used, for the benchmarks.
 *
 *   vt-rusage OUTFILE COMMAND [ARG]...
 *
 * SIGINT and SIGTERM are passed on to the command. OUTFILE gets
 * "user SECONDS\nsys SECONDS\n". Exits with the command's status.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = forward };
	struct rusage ru;
	int status;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: vt-rusage OUTFILE COMMAND [ARG]...\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	child = fork();
	if (child == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		;
	getrusage(RUSAGE_CHILDREN, &ru);
	out = fopen(argv[1], "w");
	if (out) {
		fprintf(out, "user %ld.%06ld\nsys %ld.%06ld\n", ru.ru_utime.tv_sec,
			ru.ru_utime.tv_usec, ru.ru_stime.tv_sec, ru.ru_stime.tv_usec);
		fclose(out);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
