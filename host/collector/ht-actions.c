// SPDX-License-Identifier: GPL-2.0
/*
 * Actions: the seed's region-of-interest use case without SystemTap.
 * `--on argN=V` starts a rule; the --exec and --trace-event options after it
 * are its actions, run in order each time an event's argN equals V.
 *
 * Everything an action does comes from the host's command line: --exec runs
 * the host user's own command with /bin/sh -c, and no guest data (not even
 * the event's arguments) reaches its argv or environment. A guest decides
 * only *when* an action runs, so it is bounded: at most MAX_RUNNING commands
 * at once and MAX_QUEUED actions per collection round; the rest are counted
 * and reported.
 *
 * Matching is done per event in the collector's hot loop and costs a
 * compare per rule; the actions themselves run after the round (a QMP round
 * trip or a fork would stall the draining otherwise), in the order the
 * events came.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ht.h"
#include "vtrace.h"

#define MAX_RULES 64
#define MAX_ACTIONS 16 /* per rule */
#define MAX_QUEUED 4096
#define MAX_RUNNING 64

extern char **environ;

enum { ACT_EXEC, ACT_TRACE };

struct action {
	int kind;
	const char *cmd; /* ACT_EXEC */
	char name[128];	 /* ACT_TRACE */
	bool enable;
};

struct rule {
	uint32_t arg; /* 0 for arg1 */
	uint64_t value;
	const char *spec;
	struct action acts[MAX_ACTIONS];
	int nr_acts;
	uint64_t fired;
};

struct htc_actions {
	struct rule rules[MAX_RULES];
	int nr_rules;
	const char *qmp_path;
	bool qmp_later; /* connect at the first action (system mode) */
	struct htc_qmp qmp;
	uint16_t queue[MAX_QUEUED]; /* rules matched this round, in event order */
	int nr_queued;
	uint64_t overflow;     /* matches beyond MAX_QUEUED in a round */
	uint64_t skipped_exec; /* commands not started: MAX_RUNNING were running */
	uint64_t failed;
	int running;
};

struct htc_actions *htc_actions_new(void)
{
	struct htc_actions *a = calloc(1, sizeof(*a));

	if (a)
		a->qmp.fd = -1;
	return a;
}

int htc_actions_on(struct htc_actions *a, const char *spec)
{
	struct rule *r = &a->rules[a->nr_rules];
	const char *val;
	char *end;
	unsigned long n;

	if (a->nr_rules == MAX_RULES) {
		cli_err("at most %d --on rules", MAX_RULES);
		return -1;
	}
	if (strncmp(spec, "arg", 3))
		goto bad;
	n = strtoul(spec + 3, &end, 10);
	if (end == spec + 3 || *end != '=' || n < 1 || n > HT_MAX_ARGS)
		goto bad;
	val = end + 1;
	errno = 0;
	r->value = strtoull(val, &end, 0);
	if (!*val || *val == '-' || *val == '+' || errno || *end)
		goto bad;
	r->arg = n - 1;
	r->spec = spec;
	a->nr_rules++;
	return 0;
bad:
	cli_err("invalid --on '%s': give argN=VALUE, e.g. --on arg1=1 (N from 1 to %d, VALUE "
		"decimal or 0x hex)",
		spec, HT_MAX_ARGS);
	return -1;
}

static struct action *new_action(struct htc_actions *a, const char *opt)
{
	struct rule *r;

	if (!a->nr_rules) {
		cli_err("%s must follow the --on rule it belongs to, e.g. --on arg1=1 %s ...", opt,
			opt);
		return NULL;
	}
	r = &a->rules[a->nr_rules - 1];
	if (r->nr_acts == MAX_ACTIONS) {
		cli_err("at most %d actions per --on rule", MAX_ACTIONS);
		return NULL;
	}
	return &r->acts[r->nr_acts++];
}

int htc_actions_exec(struct htc_actions *a, const char *cmd)
{
	struct action *act = new_action(a, "--exec");

	if (!act)
		return -1;
	if (!*cmd) {
		cli_err("--exec needs a command, e.g. --exec 'echo start >>/tmp/roi'");
		return -1;
	}
	act->kind = ACT_EXEC;
	act->cmd = cmd;
	return 0;
}

int htc_actions_trace_event(struct htc_actions *a, const char *spec)
{
	const char *eq = strrchr(spec, '=');
	struct action *act;
	size_t len;

	len = eq ? (size_t)(eq - spec) : 0;
	if (!len || len >= sizeof(act->name) ||
	    strspn(spec, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_*-") != len ||
	    (strcmp(eq, "=on") && strcmp(eq, "=off"))) {
		cli_err("invalid --trace-event '%s': give NAME=on or NAME=off, NAME a QEMU trace "
			"event or pattern (letters, digits, _ * -)",
			spec);
		return -1;
	}
	act = new_action(a, "--trace-event");
	if (!act)
		return -1;
	act->kind = ACT_TRACE;
	memcpy(act->name, spec, len);
	act->name[len] = '\0';
	act->enable = !strcmp(eq, "=on");
	return 0;
}

int htc_actions_qmp(struct htc_actions *a, const char *socket)
{
	if (a->qmp_path) {
		cli_err("only one --qmp socket");
		return -1;
	}
	a->qmp_path = socket;
	return 0;
}

int htc_actions_check(struct htc_actions *a, uint32_t num_args)
{
	int i, j;

	for (i = 0; i < a->nr_rules; i++) {
		if (a->rules[i].arg >= num_args) {
			cli_err("--on %s: events have %u arguments (--args)", a->rules[i].spec,
				num_args);
			return -1;
		}
		if (!a->rules[i].nr_acts) {
			cli_err("--on %s has no action: follow it with --exec CMD or --trace-event "
				"NAME=on|off",
				a->rules[i].spec);
			return -1;
		}
		for (j = 0; j < a->rules[i].nr_acts; j++)
			if (a->rules[i].acts[j].kind == ACT_TRACE && !a->qmp_path) {
				cli_err("--trace-event needs QEMU's QMP socket: add --qmp SOCKET");
				return -1;
			}
	}
	return 0;
}

int htc_actions_start(struct htc_actions *a)
{
	char err[512];

	if (a->qmp_path && !a->qmp_later &&
	    htc_qmp_connect(&a->qmp, a->qmp_path, err, sizeof(err))) {
		cli_err("%s", err);
		return -1;
	}
	return 0;
}

void htc_actions_connect_later(struct htc_actions *a)
{
	a->qmp_later = true;
}

bool htc_actions_any(const struct htc_actions *a)
{
	return a && a->nr_rules;
}

void htc_actions_match(struct htc_actions *a, const struct ht_event *ev)
{
	int i;

	for (i = 0; i < a->nr_rules; i++) {
		if (ev->args[a->rules[i].arg] != a->rules[i].value)
			continue;
		if (a->nr_queued == MAX_QUEUED)
			a->overflow++;
		else
			a->queue[a->nr_queued++] = i;
	}
}

static void reap(struct htc_actions *a)
{
	int status;

	while (a->running && waitpid(-1, &status, WNOHANG) > 0)
		a->running--;
}

/* The host user's command, asynchronously, with the signals we block unblocked. */
static void run_exec(struct htc_actions *a, const char *cmd)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int err;

	if (a->running >= MAX_RUNNING) {
		a->skipped_exec++;
		return;
	}
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	err = posix_spawn(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (err) {
		a->failed++;
		cli_err("--exec '%s': cannot start /bin/sh: %s", cmd, strerror(err));
		return;
	}
	a->running++;
}

void htc_actions_run(struct htc_actions *a)
{
	char err[512];
	int i, j;

	for (i = 0; i < a->nr_queued; i++) {
		struct rule *r = &a->rules[a->queue[i]];

		r->fired++;
		for (j = 0; j < r->nr_acts; j++) {
			struct action *act = &r->acts[j];

			if (act->kind == ACT_EXEC) {
				run_exec(a, act->cmd);
			} else if ((a->qmp.fd < 0 && a->qmp_later &&
				    htc_qmp_connect(&a->qmp, a->qmp_path, err, sizeof(err))) ||
				   htc_qmp_trace_event(&a->qmp, act->name, act->enable, err,
						       sizeof(err))) {
				a->failed++;
				cli_err("%s", err);
			}
		}
	}
	a->nr_queued = 0;
	reap(a);
}

void htc_actions_end(struct htc_actions *a)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int i;

	if (!a)
		return;
	htc_actions_run(a);
	/* give commands a second to end; those still running are left to init */
	for (i = 0; a->running && i < 100; i++) {
		nanosleep(&pause, NULL);
		reap(a);
	}
	for (i = 0; i < a->nr_rules; i++)
		cli_info("--on %s: matched %" PRIu64 " events", a->rules[i].spec,
			 a->rules[i].fired);
	if (a->running)
		cli_info("%d --exec commands still running at exit, not waited for", a->running);
	if (a->overflow || a->skipped_exec)
		cli_info("actions not run: %" PRIu64 " matches beyond %d in one round, %" PRIu64
			 " commands while %d were running",
			 a->overflow, MAX_QUEUED, a->skipped_exec, MAX_RUNNING);
	if (a->failed)
		cli_info("%" PRIu64 " actions failed (see above)", a->failed);
	htc_actions_free(a);
}

void htc_actions_free(struct htc_actions *a)
{
	if (!a)
		return;
	htc_qmp_close(&a->qmp);
	free(a);
}
