// SPDX-License-Identifier: GPL-2.0
/*
 * vt-htcheck: check what `vtrace hypertrace` printed against what vt-htthreads
 * says it emitted.
 *
 *   vt-htcheck -r REPORT [-s SEC.USEC] [-e SEC.USEC] EVENTS
 *
 * REPORT is vt-htthreads's output; EVENTS the collector's. Every event must be
 * one vt-htthreads made (arg2, arg3 and arg4 agree with arg1 and the client), its
 * arg1 must be larger than the client's previous one (each event once, in
 * order), each client must have exactly emitted - dropped events, its
 * timestamps must never go back, and all of them must lie in [-s, -e] when
 * given. Prints one line of figures, or one line saying what is wrong and
 * exits 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARG2_BASE 0x0123456789ab0000ULL

struct client {
	uint64_t emitted, dropped, got, next, last_us;
};

static struct client *read_report(const char *path, unsigned *threads, unsigned *clients)
{
	struct client *cl;
	unsigned long long e, d;
	unsigned c, i;
	long n;
	FILE *f = fopen(path, "r");

	if (!f || fscanf(f, "threads %u clients %u events %ld\n", threads, clients, &n) != 3 ||
	    !*threads || !*clients) {
		fprintf(stderr, "vt-htcheck: %s: not a vt-htthreads report\n", path);
		exit(2);
	}
	cl = calloc(*clients, sizeof(*cl));
	for (i = 0; i < *clients; i++) {
		if (fscanf(f, "client %u emitted %llu dropped %llu\n", &c, &e, &d) != 3 || c != i) {
			fprintf(stderr, "vt-htcheck: %s: client %u's line is missing\n", path, i);
			exit(2);
		}
		cl[i].emitted = e;
		cl[i].dropped = d;
	}
	fclose(f);
	return cl;
}

static uint64_t parse_us(const char *s)
{
	unsigned long long sec = 0, usec = 0;

	sscanf(s, "%llu.%llu", &sec, &usec);
	return sec * 1000000 + usec;
}

int main(int argc, char **argv)
{
	unsigned long long sec, usec, a1, a2, a3, a4;
	uint64_t lo = 0, hi = UINT64_MAX, us, first = UINT64_MAX, last = 0, total = 0;
	const char *report = NULL;
	unsigned threads, clients, cpu, c;
	unsigned long pid;
	static struct client *cl; /* held to the end, on every path: not a leak */
	char line[512];
	long lineno = 0;
	FILE *f;
	int opt;

	while ((opt = getopt(argc, argv, "r:s:e:")) != -1) {
		switch (opt) {
		case 'r':
			report = optarg;
			break;
		case 's':
			lo = parse_us(optarg);
			break;
		case 'e':
			hi = parse_us(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!report || optind != argc - 1) {
		fprintf(stderr, "usage: vt-htcheck -r REPORT [-s SEC.USEC] [-e SEC.USEC] EVENTS\n");
		return 2;
	}
	cl = read_report(report, &threads, &clients);
	f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (sscanf(line,
			   "%lu@%llu.%6llu:guest_hypertrace cpu=%u client=%u arg1=%llu "
			   "arg2=0x%llx arg3=0x%llx arg4=0x%llx",
			   &pid, &sec, &usec, &cpu, &c, &a1, &a2, &a3, &a4) != 9) {
			printf("line %ld: not an event: %s", lineno, line);
			return 1;
		}
		us = sec * 1000000 + usec;
		if (c >= clients || a2 != (ARG2_BASE | c) || a3 != c % threads || a4 != ~a1) {
			printf("line %ld: not an event vt-htthreads made: %s", lineno, line);
			return 1;
		}
		if (a1 < cl[c].next || a1 >= cl[c].emitted) {
			printf("line %ld: client %u: event %llu after event %llu: %s", lineno, c,
			       a1, (unsigned long long)cl[c].next - 1, line);
			return 1;
		}
		if (us < cl[c].last_us || us < lo || us > hi) {
			printf("line %ld: client %u: time %llu.%06llu is %s: %s", lineno, c, sec,
			       usec,
			       us < cl[c].last_us ? "before its previous event's" :
						    "outside the run",
			       line);
			return 1;
		}
		cl[c].next = a1 + 1;
		cl[c].last_us = us;
		cl[c].got++;
		first = us < first ? us : first;
		last = us > last ? us : last;
		total++;
	}
	for (c = 0; c < clients; c++) {
		if (cl[c].got != cl[c].emitted - cl[c].dropped) {
			printf("client %u: %llu events arrived, %llu emitted and %llu dropped\n", c,
			       (unsigned long long)cl[c].got, (unsigned long long)cl[c].emitted,
			       (unsigned long long)cl[c].dropped);
			return 1;
		}
	}
	printf("%llu events of %u clients: each once, in order, args right; times in order "
	       "over %llu us\n",
	       (unsigned long long)total, clients,
	       total ? (unsigned long long)(last - first) : 0ULL);
	return 0;
}
