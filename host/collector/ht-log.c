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

static void init_tables(void);

void htc_log_init(struct htc_log *l, int fd, unsigned long pid, uint32_t num_args)
{
	char *p;

	init_tables();
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

/* "00" to "99" and "00" to "ff": two characters a step, half the work of one */
static char dec2[200], hex2[512];

static void init_tables(void)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 100; i++) {
		dec2[2 * i] = '0' + i / 10;
		dec2[2 * i + 1] = '0' + i % 10;
	}
	for (i = 0; i < 256; i++) {
		hex2[2 * i] = hex[i >> 4];
		hex2[2 * i + 1] = hex[i & 15];
	}
}

/* Decimal digits of @v at @p; returns the end. */
static char *put_dec(char *p, uint64_t v)
{
	char tmp[20];
	int n = 20;

	while (v >= 100) {
		n -= 2;
		memcpy(tmp + n, dec2 + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		n -= 2;
		memcpy(tmp + n, dec2 + 2 * v, 2);
	} else {
		tmp[--n] = '0' + v;
	}
	memcpy(p, tmp + n, 20 - n);
	return p + 20 - n;
}

/* @v (< 10^6) in 6 digits, zero-padded. */
static char *put_dec6(char *p, uint32_t v)
{
	memcpy(p, dec2 + 2 * (v / 10000), 2);
	memcpy(p + 2, dec2 + 2 * (v / 100 % 100), 2);
	memcpy(p + 4, dec2 + 2 * (v % 100), 2);
	return p + 6;
}

static char *put_hex16(char *p, uint64_t v)
{
	int i;

	*p++ = '0';
	*p++ = 'x';
	for (i = 14; i >= 0; i -= 2, v >>= 8)
		memcpy(p + i, hex2 + 2 * (v & 0xff), 2);
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

void htc_log_event(struct htc_log *l, const struct ht_event *ev, uint64_t ts)
{
	char *p;
	uint32_t i;

	if (sizeof(l->buf) - l->len < MAX_LINE)
		htc_log_flush(l);
	p = l->buf + l->len;
	p = put_str(p, l->pid, l->pid_len);
	p = put_dec(p, ts / 1000000000);
	*p++ = '.';
	if (l->nsec) { /* --guest-clock: SEC.NSEC */
		uint32_t ns = ts % 1000000000, ms = ns / 1000000;

		*p++ = '0' + ms / 100;
		memcpy(p, dec2 + 2 * (ms % 100), 2);
		p = put_dec6(p + 2, ns % 1000000);
	} else {
		p = put_dec6(p, ts / 1000 % 1000000);
	}
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

int htc_log_flush(struct htc_log *l)
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
	l->len = 0; /* after an error the lines are lost: reported at exit */
	return l->err ? -1 : 0;
}
