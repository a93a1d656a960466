// SPDX-License-Identifier: GPL-2.0
/*
 * trace-agent: the guest half of virtio-trace.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "../lib/io.h"

static const int quit_signals[] = { SIGINT, SIGTERM, SIGQUIT, 0 };

static int start_movers(struct agent *a)
{
	int *cpus;
	int nr, i;

	if (a->opts.cpu_list)
		parse_cpu_list(a->opts.cpu_list, &cpus, &nr);
	else if (tracing_online_cpus(&cpus, &nr)) {
		agent_err("cannot tell which CPUs are online; give them with --cpus");
		return -1;
	}
	a->movers = calloc(nr, sizeof(*a->movers));
	if (!a->movers) {
		free(cpus);
		return -1;
	}
	for (i = 0; i < nr; i++) {
		a->nr_movers = i + 1;
		if (mover_init(a, &a->movers[i], cpus[i]))
			goto fail;
	}
	if (tracing_size_buffer(a))
		goto fail;
	for (i = 0; i < nr; i++)
		if (mover_spawn(&a->movers[i]))
			goto fail;
	free(cpus);
	return 0;
fail:
	free(cpus);
	return -1;
}

/* Wakes any mover still waiting, joins it and frees everything. */
static void stop_movers(struct agent *a)
{
	int i;

	pthread_mutex_lock(&a->lock);
	a->state = AGENT_QUIT;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	for (i = 0; i < a->nr_movers; i++)
		mover_wake(&a->movers[i]);
	for (i = 0; i < a->nr_movers; i++)
		mover_free(&a->movers[i]);
	free(a->movers);
}

int main(int argc, char **argv)
{
	struct agent a;
	int ret = 1;

	memset(&a, 0, sizeof(a));
	if (agent_parse_options(argc, argv, &a.opts))
		return 2;
	agent_verbose = a.opts.verbose;
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	pthread_mutex_init(&a.stdout_lock, NULL);
	pthread_mutex_init(&a.reply_lock, NULL);
	a.reply_fd = -1;

	/* Signals go to the controller's signalfd, never into a mover's syscall. */
	a.sig_fd = vt_signalfd(quit_signals);
	if (a.sig_fd < 0) {
		agent_err("signalfd: %s", strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	if (tracing_setup(&a))
		goto out;
	if (start_movers(&a))
		goto out;
	ret = control_run(&a) ? 1 : 0;
out:
	stop_movers(&a);
	tracing_cleanup(&a);
	close(a.sig_fd);
	return ret;
}
