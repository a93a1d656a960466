// SPDX-License-Identifier: GPL-2.0
/*
 * The bridge, the seed's "emit all events through the hypertrace channel":
 * probes on the guest tracepoints named by the events= parameter forward
 * a few of their fields to the host. arg1 is HYPERTRACE_EV_<NAME>
 * (<linux/hypertrace.h>); then, in 32-bit halves (low | high << 32):
 *
 *	sched_switch		arg2 prev pid | prev prio, arg3 next pid | next prio,
 *				arg4 prev_state | preempt
 *	sched_wakeup		arg2 pid | prio, arg3 target CPU
 *	irq_handler_entry	arg2 irq
 *
 * A region with fewer arguments gets the first ones. Probes run where the
 * tracepoint fires (irqs off in sched_switch, hard irq for irq_handler_entry):
 * hypertrace_emit() is safe there.
 */
#include <linux/hypertrace.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "ht-kmod.h"

static char *events = "";
module_param(events, charp, 0444);
MODULE_PARM_DESC(events, "guest tracepoints to forward, comma-separated: sched_switch, "
			 "sched_wakeup, irq_handler_entry");

#define LOHI(lo, hi) ((u64)(u32)(lo) | (u64)(u32)(hi) << 32)

enum { BR_SWITCH, BR_WAKEUP, BR_IRQ, NR_BRIDGES };

struct htk_bridge {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool on;       /* asked for by events= */
	bool attached; /* its probe is registered */
};

/* Per CPU and bridge: events forwarded, and events the channel refused. */
static DEFINE_PER_CPU(u64[NR_BRIDGES], htk_sent);
static DEFINE_PER_CPU(u64[NR_BRIDGES], htk_lost);

static void forward(int b, const u64 *args)
{
	if (hypertrace_emit(args, 4) == 0)
		this_cpu_inc(htk_sent[b]);
	else
		this_cpu_inc(htk_lost[b]);
}

static void probe_sched_switch(void *data, bool preempt, struct task_struct *prev,
			       struct task_struct *next, unsigned int prev_state)
{
	u64 a[4] = { HYPERTRACE_EV_SCHED_SWITCH, LOHI(prev->pid, prev->prio),
		     LOHI(next->pid, next->prio), LOHI(prev_state, preempt) };

	forward(BR_SWITCH, a);
}

static void probe_sched_wakeup(void *data, struct task_struct *p)
{
	u64 a[4] = { HYPERTRACE_EV_SCHED_WAKEUP, LOHI(p->pid, p->prio), task_cpu(p), 0 };

	forward(BR_WAKEUP, a);
}

static void probe_irq_handler_entry(void *data, int irq, struct irqaction *action)
{
	u64 a[4] = { HYPERTRACE_EV_IRQ_HANDLER_ENTRY, (u32)irq, 0, 0 };

	forward(BR_IRQ, a);
}

static struct htk_bridge bridges[NR_BRIDGES] = {
	[BR_SWITCH] = { "sched_switch", probe_sched_switch },
	[BR_WAKEUP] = { "sched_wakeup", probe_sched_wakeup },
	[BR_IRQ] = { "irq_handler_entry", probe_irq_handler_entry },
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	int b;

	for (b = 0; b < NR_BRIDGES; b++)
		if (!strcmp(tp->name, bridges[b].name))
			bridges[b].tp = tp;
}

/* Parse events= into bridges[].on; 0 or -EINVAL, said. */
static int choose(const char *list)
{
	char *copy, *s, *name;
	int b, err = 0;

	copy = s = kstrdup(list, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	while (!err && (name = strsep(&s, ",")) != NULL) {
		name = strim(name);
		if (!*name)
			continue;
		for (b = 0; b < NR_BRIDGES && strcmp(name, bridges[b].name); b++)
			;
		if (b == NR_BRIDGES) {
			pr_err("hypertrace: events=%s: no bridge for '%s'; there are sched_switch, "
			       "sched_wakeup, irq_handler_entry\n",
			       list, name);
			err = -EINVAL;
		} else {
			bridges[b].on = true;
		}
	}
	kfree(copy);
	return err;
}

/* Before the device is bound: a bad events= fails the load with nothing done. */
int htk_bridge_parse(void)
{
	return choose(events);
}

int htk_bridge_init(void)
{
	int b, err;

	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (b = 0; b < NR_BRIDGES; b++) {
		if (!bridges[b].on)
			continue;
		err = bridges[b].tp ?
			      tracepoint_probe_register(bridges[b].tp, bridges[b].probe, NULL) :
			      -ENOENT;
		if (err) {
			pr_err("hypertrace: cannot attach to the tracepoint %s (%d)\n",
			       bridges[b].name, err);
			htk_bridge_exit();
			return err;
		}
		bridges[b].attached = true;
	}
	return 0;
}

static u64 total(u64 (*v)[NR_BRIDGES], int b)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) sum += (*per_cpu_ptr(v, cpu))[b];
	return sum;
}

/* Detach every probe, wait until none runs, and say what each forwarded. */
void htk_bridge_exit(void)
{
	bool any = false;
	int b;

	for (b = 0; b < NR_BRIDGES; b++) {
		if (!bridges[b].attached)
			continue;
		tracepoint_probe_unregister(bridges[b].tp, bridges[b].probe, NULL);
		any = true;
	}
	if (!any)
		return;
	tracepoint_synchronize_unregister();
	for (b = 0; b < NR_BRIDGES; b++) {
		if (!bridges[b].attached)
			continue;
		bridges[b].attached = false;
		pr_info("hypertrace: bridge %s: %llu events forwarded, %llu lost\n",
			bridges[b].name, total(&htk_sent, b), total(&htk_lost, b));
	}
}

void htk_bridge_stats(struct seq_file *m)
{
	int b;

	for (b = 0; b < NR_BRIDGES; b++)
		if (bridges[b].attached)
			seq_printf(m, "bridge %s forwarded=%llu lost=%llu\n", bridges[b].name,
				   total(&htk_sent, b), total(&htk_lost, b));
}
