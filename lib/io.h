/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small I/O helpers shared by the agent and the host: writing everything,
 * copying file ranges, a monotonic clock in milliseconds, a signalfd, and
 * little- and big-endian integers in byte buffers. libc only: the agent is
 * also linked statically for minimal guests.
 */
#ifndef VT_IO_H
#define VT_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Write all @len bytes of @buf to @fd, continuing short writes and retrying
 * EINTR. On a non-blocking fd that is full, waits (poll) until it has room.
 * Returns 0, or -1 with errno set (EIO for a write that took nothing).
 */
int vt_write_all(int fd, const void *buf, size_t len);

/*
 * The same, waiting at most @timeout_ms (-1: for ever) each time the fd is
 * full; -1 with errno ETIMEDOUT when it stayed full that long.
 */
int vt_write_all_timeout(int fd, const void *buf, size_t len, int timeout_ms);

/*
 * The same, calling @wait(@ctx) each time the fd is full (EAGAIN): it
 * returns 0 when the fd may take more, or -1 to give up; this returns -1
 * then, with errno as @wait left it.
 */
int vt_write_all_wait(int fd, const void *buf, size_t len, int (*wait)(void *ctx), void *ctx);

/*
 * Write all @len bytes at offset @off. Returns @len, or less with errno set
 * when a write failed: that many bytes were written (all that fitted on a
 * full disk, say).
 */
size_t vt_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/*
 * Copy @len bytes from @in to @out, at *@in_off and *@out_off (advanced),
 * or at the file position when NULL, as copy_file_range(2) does. In the
 * kernel when it can (no trip through user space; a reflink where the
 * filesystem shares extents); by read and write where the kernel or the
 * filesystem refuses (across filesystems, pipes, old kernels). Not for
 * overlapping ranges of one file. Returns 0, or -1 with errno set (EIO when
 * @in ends before @len bytes).
 */
int vt_copy_range(int in, off_t *in_off, int out, off_t *out_off, uint64_t len);

/* CLOCK_MONOTONIC in milliseconds. */
long long vt_mono_ms(void);

/*
 * Block @signals (a list ending with 0) in the calling thread and return a
 * signalfd (close-on-exec, non-blocking) that reads them, or -1 with errno
 * set. Call it before making threads: they inherit the mask, so the
 * signals never interrupt them.
 */
int vt_signalfd(const int *signals);

static inline void vt_put_le16(unsigned char *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void vt_put_le32(unsigned char *p, uint32_t v)
{
	vt_put_le16(p, v);
	vt_put_le16(p + 2, v >> 16);
}

static inline void vt_put_le64(unsigned char *p, uint64_t v)
{
	vt_put_le32(p, v);
	vt_put_le32(p + 4, v >> 32);
}

static inline void vt_put_be16(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void vt_put_be32(unsigned char *p, uint32_t v)
{
	vt_put_be16(p, v >> 16);
	vt_put_be16(p + 2, v);
}

static inline void vt_put_be64(unsigned char *p, uint64_t v)
{
	vt_put_be32(p, v >> 32);
	vt_put_be32(p + 4, v);
}

static inline uint16_t vt_get_le16(const unsigned char *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static inline uint32_t vt_get_le32(const unsigned char *p)
{
	return vt_get_le16(p) | (uint32_t)vt_get_le16(p + 2) << 16;
}

static inline uint64_t vt_get_le64(const unsigned char *p)
{
	return vt_get_le32(p) | (uint64_t)vt_get_le32(p + 4) << 32;
}

#endif
