// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/hypertrace: for tests, benchmarks and the curious.
 *	emit	write "ARG1 [ARG2...]": one event from the writer's CPU
 *	bench	write N: emit N events in a loop; read: what the last run took
 *	stats	read: per CPU its client and counts; the bridge's counts
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hypertrace.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "ht-kmod.h"

#define HTK_BENCH_MAX 10000000

static struct dentry *htk_dir;
static DEFINE_MUTEX(bench_lock);
static u64 bench_n, bench_ok, bench_ns;

static ssize_t emit_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	u64 args[HT_MAX_ARGS];
	char buf[HT_MAX_ARGS * 21 + 1], *s, *tok;
	unsigned int n = 0;
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	s = strim(buf);
	while ((tok = strsep(&s, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (n == HT_MAX_ARGS || kstrtou64(tok, 0, &args[n]))
			return -EINVAL;
		n++;
	}
	if (!n)
		return -EINVAL;
	err = hypertrace_emit(args, n);
	return err ? err : len;
}

static ssize_t bench_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	u64 n, i, ok = 0, t0, args[4] = { HYPERTRACE_EV(0x100), 0, 0, 0 };
	int err;

	err = kstrtou64_from_user(ubuf, len, 0, &n);
	if (err || !n || n > HTK_BENCH_MAX)
		return -EINVAL;
	mutex_lock(&bench_lock);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		args[1] = i;
		ok += hypertrace_emit(args, 4) == 0;
		if (!(i & 0xffff))
			cond_resched(); /* 10M events take seconds under TCG */
	}
	bench_ns = ktime_get_ns() - t0;
	bench_n = n;
	bench_ok = ok;
	mutex_unlock(&bench_lock);
	return len;
}

static int bench_show(struct seq_file *m, void *v)
{
	mutex_lock(&bench_lock);
	if (bench_n)
		seq_printf(m, "events=%llu emitted=%llu ns=%llu ns_per_event=%llu.%02llu\n",
			   bench_n, bench_ok, bench_ns, bench_ns / bench_n,
			   bench_ns * 100 / bench_n % 100);
	mutex_unlock(&bench_lock);
	return 0;
}

static int bench_open(struct inode *inode, struct file *f)
{
	return single_open(f, bench_show, NULL);
}

static int stats_show(struct seq_file *m, void *v)
{
	struct htk_dev *d;
	int cpu;

	rcu_read_lock_sched();
	d = rcu_dereference_sched(htk_active);
	if (d) {
		seq_printf(m, "device %s clients %u args %u entries %u clock %s\n",
			   pci_name(d->pdev), d->l.max_clients, d->l.num_args, d->l.ring_entries,
			   d->tsc ? "tsc" : "mono");
		for_each_possible_cpu(cpu)
		{
			struct htk_cpu *p = per_cpu_ptr(d->cpu, cpu);

			/* another CPU's counts, read racily: good enough for a look */
			seq_printf(
				m,
				"cpu %d client %d emitted %llu full %llu refused %llu nmi %llu\n",
				cpu, p->cl ? (int)p->client : -1, READ_ONCE(p->emitted),
				READ_ONCE(p->full), READ_ONCE(p->refused),
				per_cpu(htk_nmi_refused, cpu));
		}
	}
	rcu_read_unlock_sched();
	htk_bridge_stats(m);
	return 0;
}

static int stats_open(struct inode *inode, struct file *f)
{
	return single_open(f, stats_show, NULL);
}

static const struct file_operations emit_fops = {
	.owner = THIS_MODULE,
	.write = emit_write,
};

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = bench_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = bench_write,
};

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

void htk_debugfs_init(void)
{
	htk_dir = debugfs_create_dir("hypertrace", NULL);
	debugfs_create_file("emit", 0200, htk_dir, NULL, &emit_fops);
	debugfs_create_file("bench", 0600, htk_dir, NULL, &bench_fops);
	debugfs_create_file("stats", 0400, htk_dir, NULL, &stats_fops);
}

void htk_debugfs_exit(void)
{
	debugfs_remove_recursive(htk_dir);
}
