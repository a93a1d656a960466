/* SPDX-License-Identifier: GPL-2.0 */
/* hypertrace.ko's parts: the bound region, the emitter, the bridge, debugfs. */
#ifndef HTK_KMOD_H
#define HTK_KMOD_H

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "ht-region.h"

/* One CPU's producer: its client in the region, and what it has done. */
struct htk_cpu {
	struct ht_client *cl; /* NULL: this CPU has no client */
	unsigned char *ring;
	u32 tail; /* the consumer's tail, as last read */
	u32 client;
	u64 emitted, full, refused;
};

/* The region of a bound ivshmem device, as checked at probe time. */
struct htk_dev {
	struct pci_dev *pdev;
	void *map;
	size_t len;
	struct ht_layout l;
	u32 mask; /* ring_entries - 1 */
	bool tsc; /* timestamps by rdtsc (HT_CLOCK_TSC) */
	u32 first_client, nr_clients;
	struct htk_cpu __percpu *cpu;
};

/* The bound device, read under rcu_read_lock_sched (or irqs off). */
extern struct htk_dev __rcu *htk_active;
DECLARE_PER_CPU(u64, htk_nmi_refused);

int htk_pci_init(void);
void htk_pci_exit(void);

int htk_bridge_parse(void);
int htk_bridge_init(void);
void htk_bridge_exit(void);
void htk_bridge_stats(struct seq_file *m);

void htk_debugfs_init(void);
void htk_debugfs_exit(void);

#endif
