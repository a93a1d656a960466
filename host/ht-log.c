// SPDX-License-Identifier: GPL-2.0
/*
 * Events as QEMU's log backend prints its guest_hypertrace event:
 *	PID@SEC.USEC:guest_hypertrace cpu=N client=N arg1=V arg2=0x%016x ...
 * Formatted by hand into a 64 KB buffer written in one write(): fprintf per
 * field costs more than the rest of the collector together, and the
 * collector must keep up with millions of events a second.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ht.h"

void ht_log_init(struct ht_log *l, int fd, unsigned long pid, uint32_t num_args)
{
	char *p;

	l->fd = fd;
	l->err = 0;
	l->len = 0;
	l->num_args = num_args;
	l->nsec = false;
	p = l->pid + sizeof(l->pid);
	*--p = '@';
	do
		*--p = '0' + pid % 10;
	while (pid /= 10);
	l->pid_len = l->pid + sizeof(l->pid) - p;
	memmove(l->pid, p, l->pid_len);
}

/* Decimal digits of @v at @p; returns the end. */
static char *put_dec(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do
		tmp[n++] = '0' + v % 10;
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* @v in @digits decimal digits, zero-padded. */
static char *put_dec_fixed(char *p, uint64_t v, int digits)
{
	int i;

	for (i = digits - 1; i >= 0; i--, v /= 10)
		p[i] = '0' + v % 10;
	return p + digits;
}

static char *put_hex16(char *p, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	*p++ = '0';
	*p++ = 'x';
	for (i = 15; i >= 0; i--, v >>= 4)
		p[i] = hex[v & 15];
	return p + 16;
}

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define S(p, lit) put_str(p, lit, sizeof(lit) - 1)

/* The longest line: 24 + 20 + 7 + 22 + 3 * 10 + 26 + 16 * 25 bytes; 600 is more. */
#define MAX_LINE 600

void ht_log_event(struct ht_log *l, const struct ht_event *ev, uint64_t ts)
{
	char *p;
	uint32_t i;

	if (sizeof(l->buf) - l->len < MAX_LINE)
		ht_log_flush(l);
	p = l->buf + l->len;
	p = put_str(p, l->pid, l->pid_len);
	p = put_dec(p, ts / 1000000000);
	*p++ = '.';
	if (l->nsec)
		p = put_dec_fixed(p, ts % 1000000000, 9);
	else
		p = put_dec_fixed(p, ts / 1000 % 1000000, 6);
	p = S(p, ":guest_hypertrace cpu=");
	p = put_dec(p, ev->client);
	p = S(p, " client=");
	p = put_dec(p, ev->client);
	p = S(p, " arg1=");
	p = put_dec(p, ev->args[0]);
	for (i = 1; i < l->num_args; i++) {
		p = S(p, " arg");
		p = put_dec(p, i + 1);
		*p++ = '=';
		p = put_hex16(p, ev->args[i]);
	}
	*p++ = '\n';
	l->len = p - l->buf;
}

int ht_log_flush(struct ht_log *l)
{
	size_t done = 0;
	ssize_t n;

	while (done < l->len && !l->err) {
		n = write(l->fd, l->buf + done, l->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			l->err = n < 0 ? errno : EIO;
		else
			done += n;
	}
	l->len = 0;	/* after an error the lines are lost: reported at exit */
	return l->err ? -1 : 0;
}
