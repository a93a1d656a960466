// SPDX-License-Identifier: GPL-2.0
/*
 * The ivshmem device (PCI 1af4:1110) whose BAR2 holds a hypertrace region:
 * bind the first one found, check its header as untrusted (the host wrote
 * it) with lib/ht-region.c, give each CPU its client.
 *
 * Clients: CPU n emits on client first_client + n. By default the kernel
 * takes the last clients of the region, one per possible CPU, so that user
 * space (the seed's API numbers its clients from 0) keeps the first ones.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>

#include "ht-kmod.h"

static int first_client = -1;
module_param(first_client, int, 0444);
MODULE_PARM_DESC(first_client,
		 "the client of CPU 0 (CPU n uses first_client + n); -1 (default): the last "
		 "clients of the region, one per possible CPU");

static DEFINE_MUTEX(htk_lock); /* htk_bound, across probes of several devices */
static struct htk_dev *htk_bound;

static int htk_assign_clients(struct htk_dev *d)
{
	u32 ncpu = nr_cpu_ids, c;
	unsigned int cpu;

	if (first_client >= 0)
		d->first_client = first_client;
	else
		d->first_client = d->l.max_clients > ncpu ? d->l.max_clients - ncpu : 0;
	if (d->first_client >= d->l.max_clients) {
		dev_err(&d->pdev->dev,
			"hypertrace: first_client=%d, but the region has %u clients\n",
			first_client, d->l.max_clients);
		return -EINVAL;
	}
	d->nr_clients = min(ncpu, d->l.max_clients - d->first_client);
	for_each_possible_cpu(cpu)
	{
		struct htk_cpu *p = per_cpu_ptr(d->cpu, cpu);
		unsigned char *area;

		c = d->first_client + cpu;
		if (cpu >= d->nr_clients)
			continue; /* emits there are refused, counted */
		area = ht_client_area(d->map, &d->l, c);
		p->cl = (struct ht_client *)area;
		p->ring = area + ht_ring_offset(d->l.num_args);
		p->tail = le32_to_cpu(READ_ONCE(p->cl->tail));
		p->client = c;
	}
	return 0;
}

/* Map BAR2 and check the region in it; 0 or -errno, said in dmesg. */
static int htk_map(struct htk_dev *d)
{
	struct pci_dev *pdev = d->pdev;
	const struct ht_header *h;
	const char *why = NULL;
	resource_size_t start;
	u16 flags;

	if (!(pci_resource_flags(pdev, 2) & IORESOURCE_MEM) || pci_resource_len(pdev, 2) == 0) {
		dev_err(&pdev->dev,
			"hypertrace: BAR2 is not memory: not an ivshmem-plain device\n");
		return -ENODEV;
	}
	start = pci_resource_start(pdev, 2);
	d->len = pci_resource_len(pdev, 2);
	/* Shared RAM on the host, not registers: mapped cacheable, as user space maps it. */
	d->map = memremap(start, d->len, MEMREMAP_WB);
	if (!d->map) {
		dev_err(&pdev->dev, "hypertrace: cannot map BAR2 (%zu bytes)\n", d->len);
		return -ENOMEM;
	}
	if (ht_region_check(d->map, d->len, &d->l, &why)) {
		dev_err(&pdev->dev, "hypertrace: BAR2 (%zu bytes) holds no usable region: %s\n",
			d->len, why);
		return -ENODEV;
	}
	d->mask = d->l.ring_entries - 1;
	h = d->map;
	flags = le16_to_cpu(READ_ONCE(h->flags));
	d->tsc = (flags & HT_FLAG_TSC_OK) && boot_cpu_has(X86_FEATURE_TSC);
	return 0;
}

static void htk_free(struct htk_dev *d)
{
	if (d->map)
		memunmap(d->map);
	free_percpu(d->cpu);
	kfree(d);
}

static int htk_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct htk_dev *d;
	int err;

	mutex_lock(&htk_lock);
	if (htk_bound) {
		dev_info(&pdev->dev, "hypertrace: already using %s; this device is left alone\n",
			 pci_name(htk_bound->pdev));
		err = -EBUSY;
		goto unlock;
	}
	err = -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto unlock;
	d->pdev = pdev;
	d->cpu = alloc_percpu(struct htk_cpu);
	if (!d->cpu)
		goto free;
	err = pci_enable_device_mem(pdev);
	if (err) {
		dev_err(&pdev->dev, "hypertrace: cannot enable the device (%d)\n", err);
		goto free;
	}
	/*
	 * BAR 2 is mapped but not claimed (no pci_request_region): a claimed
	 * BAR cannot be mapped from user space under CONFIG_IO_STRICT_DEVMEM
	 * (Debian's kernels), and user space in this guest shares the region
	 * with the kernel, on other clients.
	 */
	err = htk_map(d);
	if (!err)
		err = htk_assign_clients(d);
	if (err)
		goto disable;
	dev_info(&pdev->dev,
		 "hypertrace: region of %zu bytes, %u clients, %u args, %u entries; CPUs 0..%u "
		 "emit on clients %u..%u; timestamps %s\n",
		 d->len, d->l.max_clients, d->l.num_args, d->l.ring_entries, d->nr_clients - 1,
		 d->first_client, d->first_client + d->nr_clients - 1,
		 d->tsc ? "TSC" : "guest monotonic");
	pci_set_drvdata(pdev, d);
	htk_bound = d;
	rcu_assign_pointer(htk_active, d);
	mutex_unlock(&htk_lock);
	return 0;
disable:
	pci_disable_device(pdev);
free:
	htk_free(d);
unlock:
	mutex_unlock(&htk_lock);
	return err;
}

static void htk_remove(struct pci_dev *pdev)
{
	struct htk_dev *d = pci_get_drvdata(pdev);

	mutex_lock(&htk_lock);
	RCU_INIT_POINTER(htk_active, NULL);
	htk_bound = NULL;
	mutex_unlock(&htk_lock);
	synchronize_rcu(); /* emits run with irqs off: all of them are done now */
	pci_disable_device(pdev);
	htk_free(d);
}

static const struct pci_device_id htk_ids[] = { { PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET,
							     0x1110) }, /* ivshmem */
						{ 0 } };
MODULE_DEVICE_TABLE(pci, htk_ids);

static struct pci_driver htk_driver = {
	.name = "hypertrace",
	.id_table = htk_ids,
	.probe = htk_probe,
	.remove = htk_remove,
};

int htk_pci_init(void)
{
	bool bound;
	int err;

	err = pci_register_driver(&htk_driver);
	if (err) {
		pr_err("hypertrace: cannot register the PCI driver (%d)%s\n", err,
		       err == -EBUSY ? ": another hypertrace driver is loaded" : "");
		return err;
	}
	mutex_lock(&htk_lock);
	bound = htk_bound != NULL;
	mutex_unlock(&htk_lock);
	if (!bound) {
		pci_unregister_driver(&htk_driver);
		pr_err("hypertrace: no ivshmem device (PCI 1af4:1110) with a hypertrace region; "
		       "start the guest with 'vtrace run-guest --hypertrace BASE' (or QEMU with "
		       "-device ivshmem-plain on the collector's region)\n");
		return -ENODEV;
	}
	return 0;
}

void htk_pci_exit(void)
{
	pci_unregister_driver(&htk_driver);
}
