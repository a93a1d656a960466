// SPDX-License-Identifier: GPL-2.0
/*
 * hypertrace.ko: guest kernel code emits events to the host through the
 * hypertrace region of an ivshmem device (see docs/hypertrace-kmod.md).
 * Loading binds the device or fails; unloading detaches the bridge's probes
 * and waits for every emit in flight before the region is unmapped.
 */
#include <linux/module.h>

#include "ht-kmod.h"

static int __init htk_init(void)
{
	int err;

	err = htk_bridge_parse();
	if (err)
		return err;
	err = htk_pci_init();
	if (err)
		return err;
	err = htk_bridge_init();
	if (err) {
		htk_pci_exit();
		return err;
	}
	htk_debugfs_init();
	return 0;
}

static void __exit htk_exit(void)
{
	htk_debugfs_exit();
	htk_bridge_exit();
	htk_pci_exit();
}

module_init(htk_init);
module_exit(htk_exit);
MODULE_DESCRIPTION("hypertrace: emit guest events to the host through ivshmem shared memory");
MODULE_LICENSE("GPL");
