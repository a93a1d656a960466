/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypertrace.ko's API for other kernel code: emit events to the host through
 * the hypertrace region of an ivshmem device, with no trap and no lock. See
 * docs/hypertrace-kmod.md.
 *
 * Each CPU has its own client (ring) in the region; an event goes to the
 * client of the CPU it is emitted on. Emitting is safe wherever a tracepoint
 * probe may run (process, softirq and hard irq context, preemption and
 * interrupts on or off): it disables interrupts for the few stores it makes,
 * never sleeps, and never waits for the host (a full ring drops the event,
 * counted). In NMI context it refuses (-EBUSY, counted): an NMI could land
 * in the middle of the same CPU's emit.
 */
#ifndef _LINUX_HYPERTRACE_H
#define _LINUX_HYPERTRACE_H

#include <linux/types.h>

/*
 * arg1 of the events hypertrace.ko makes itself: "kern" in the high 32 bits,
 * the event's id in the low ones. Other kernel code chooses its own arg1.
 */
#define HYPERTRACE_KERNEL_TAG 0x6b65726e00000000ULL
#define HYPERTRACE_EV(id) (HYPERTRACE_KERNEL_TAG | (id))
#define HYPERTRACE_EV_SCHED_SWITCH HYPERTRACE_EV(1)
#define HYPERTRACE_EV_SCHED_WAKEUP HYPERTRACE_EV(2)
#define HYPERTRACE_EV_IRQ_HANDLER_ENTRY HYPERTRACE_EV(3)

/*
 * Emit one event from this CPU: @args[0] is arg1, then arg2...; up to
 * hypertrace_num_args() are sent, missing ones as 0, extra ones ignored.
 * Returns 0; -ENODEV no region bound; -ERANGE this CPU has no client;
 * -ENOSPC the ring was full (a drop); -EBUSY called in NMI context.
 */
int hypertrace_emit(const u64 *args, unsigned int nargs);

/* Arguments per event (arg1 included) of the bound region; 0 when none. */
unsigned int hypertrace_num_args(void);

#endif
