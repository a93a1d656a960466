// SPDX-License-Identifier: GPL-2.0
/*
 * In user mode the guest holds the region's file open for writing, so it can
 * shrink it: the collector's next read of a page past the new end faults
 * with SIGBUS. The guard catches that fault, gives the file its size back
 * (ftruncate is async-signal-safe; the pages come back as zeros, which the
 * consumer reads as empty rings) and lets the read run again. Anything else
 * that faults is a real bug and still kills the process.
 */
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "ht.h"

static int guard_fd = -1;
static char *guard_start;
static size_t guard_len;
static volatile sig_atomic_t guard_restored;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	char *addr = si->si_addr;
	static const char msg[] = "vtrace: cannot restore the hypertrace region's size\n";

	if (guard_fd >= 0 && addr >= guard_start && addr < guard_start + guard_len) {
		if (ftruncate(guard_fd, guard_len) == 0) {
			guard_restored++;
			return; /* the faulting read runs again, on zeros */
		}
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(1);
		_exit(1);
	}
	signal(SIGBUS, SIG_DFL); /* not ours: die as we would have */
	raise(SIGBUS);
}

int htc_guard_region(int fd, void *map, size_t len)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	guard_fd = fd;
	guard_start = map;
	guard_len = len;
	return sigaction(SIGBUS, &sa, NULL);
}

unsigned int htc_guard_restored(void)
{
	return guard_restored;
}

void htc_guard_end(void)
{
	signal(SIGBUS, SIG_DFL);
	guard_fd = -1;
}
