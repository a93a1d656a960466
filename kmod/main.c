// SPDX-License-Identifier: GPL-2.0
/*
 * hypertrace.ko: guest kernel code emits events to the host through the
 * hypertrace region of an ivshmem device (see docs/hypertrace-kmod.md).
 * Loading binds the device or fails; unloading detaches the bridge's probes
 * and waits for every emit in flight before the region is unmapped.
 */
#include <linux/module.h>

#include "ht-kmod.h"

static int __init ht_init(void)
{
	int err;

	err = ht_bridge_parse();
	if (err)
		return err;
	err = ht_pci_init();
	if (err)
		return err;
	err = ht_bridge_init();
	if (err) {
		ht_pci_exit();
		return err;
	}
	ht_debugfs_init();
	return 0;
}

static void __exit ht_exit(void)
{
	ht_debugfs_exit();
	ht_bridge_exit();
	ht_pci_exit();
}

module_init(ht_init);
module_exit(ht_exit);
MODULE_DESCRIPTION("hypertrace: emit guest events to the host through ivshmem shared memory");
MODULE_LICENSE("GPL");
