// SPDX-License-Identifier: GPL-2.0
/*
 * hypertrace_emit(): one event into this CPU's ring, as libhypertrace's
 * hypertrace_emit() does in user space (include/hypertrace-abi.h).
 *
 * A CPU's client has one producer at a time because interrupts are off
 * while it writes: a tracepoint probe in an interrupt handler cannot land in
 * the middle of a process-context emit on the same CPU. NMIs can, so an
 * emit in NMI context is refused and counted rather than risk a torn record
 * (a per-NMI client would cost a client per CPU more, for events that are
 * rarely wanted through this channel).
 */
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/hypertrace.h>
#include <linux/module.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>

#include "ht-kmod.h"

struct htk_dev __rcu *htk_active;
DEFINE_PER_CPU(u64, htk_nmi_refused);

static __always_inline u64 timestamp(const struct htk_dev *d, u32 *clock)
{
	if (d->tsc) {
		*clock = HT_CLOCK_TSC;
		return rdtsc();
	}
	*clock = HT_CLOCK_MONO; /* the guest's monotonic clock; safe in any context */
	return ktime_get_mono_fast_ns();
}

int hypertrace_emit(const u64 *args, unsigned int nargs)
{
	struct ht_record *r;
	unsigned long flags;
	struct htk_dev *d;
	struct htk_cpu *p;
	u32 head, clock, i;
	int ret = 0;

	if (unlikely(in_nmi())) {
		this_cpu_inc(htk_nmi_refused);
		return -EBUSY;
	}
	local_irq_save(flags);
	d = rcu_dereference_sched(htk_active);
	if (unlikely(!d)) {
		ret = -ENODEV;
		goto out;
	}
	p = this_cpu_ptr(d->cpu);
	if (unlikely(!p->cl)) {
		p->refused++;
		ret = -ERANGE;
		goto out;
	}
	head = le32_to_cpu(READ_ONCE(p->cl->head)); /* ours alone: we are its producer */
	if (unlikely(head - p->tail >= d->l.ring_entries)) {
		/* looks full: ask the consumer how far it really is */
		p->tail = le32_to_cpu(smp_load_acquire(&p->cl->tail));
		if (head - p->tail >= d->l.ring_entries) {
			WRITE_ONCE(p->cl->drops,
				   cpu_to_le32(le32_to_cpu(READ_ONCE(p->cl->drops)) + 1));
			p->full++;
			ret = -ENOSPC;
			goto out;
		}
	}
	r = (struct ht_record *)(p->ring + (head & d->mask) * d->l.record_size);
	r->ts = cpu_to_le64(timestamp(d, &clock));
	r->clock = cpu_to_le32(clock);
	for (i = 0; i < d->l.num_args; i++)
		r->args[i] = cpu_to_le64(i < nargs ? args[i] : 0);
	WRITE_ONCE(r->seq, cpu_to_le32(head + 1));
	smp_store_release(&p->cl->head, cpu_to_le32(head + 1));
	p->emitted++;
out:
	local_irq_restore(flags);
	return ret;
}
EXPORT_SYMBOL_GPL(hypertrace_emit);

unsigned int hypertrace_num_args(void)
{
	struct htk_dev *d;
	unsigned int n;

	rcu_read_lock_sched();
	d = rcu_dereference_sched(htk_active);
	n = d ? d->l.num_args : 0;
	rcu_read_unlock_sched();
	return n;
}
EXPORT_SYMBOL_GPL(hypertrace_num_args);
