// SPDX-License-Identifier: GPL-2.0
/*
 * A QMP client (QEMU's machine protocol, JSON lines on a unix socket), just
 * what --trace-event needs: the greeting, qmp_capabilities, and
 * trace-event-set-state with its reply. Hand-written rather than with a
 * JSON library: we send two fixed commands (the event name is checked to
 * be [A-Za-z0-9_*-] by the caller, so it needs no escaping) and only need
 * to tell a "return" reply from an "error" one and keep its "desc".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ht.h"
#include "io.h"

#define QMP_TIMEOUT_MS 5000

static int send_all(struct htc_qmp *q, const char *s, char *err, size_t errsz)
{
	size_t len = strlen(s), done = 0;
	ssize_t n;

	while (done < len) {
		n = send(q->fd, s + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsz, "cannot send to %s: %s", q->path,
				 n < 0 ? strerror(errno) : "closed");
			return -1;
		}
		done += n;
	}
	return 0;
}

/* The next line QEMU sends that is not an asynchronous event; NUL-terminated in @line. */
static int read_reply(struct htc_qmp *q, char *line, size_t size, char *err, size_t errsz)
{
	long long deadline = vt_mono_ms() + QMP_TIMEOUT_MS;
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(q->buf, '\n', q->len))) {
			size_t l = nl - q->buf;

			snprintf(line, size, "%.*s", (int)l, q->buf);
			memmove(q->buf, nl + 1, q->len - l - 1);
			q->len -= l + 1;
			if (!strstr(line, "\"event\""))
				return 0;
		}
		if (q->len == sizeof(q->buf)) {
			snprintf(err, errsz, "%s: a reply longer than %zu bytes", q->path,
				 sizeof(q->buf));
			return -1;
		}
		if (poll(&pfd, 1, deadline - vt_mono_ms() > 0 ? deadline - vt_mono_ms() : 0) <= 0) {
			snprintf(err, errsz, "%s: no reply from QEMU in %d s", q->path,
				 QMP_TIMEOUT_MS / 1000);
			return -1;
		}
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsz, "%s: QEMU closed the connection%s%s", q->path,
				 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return -1;
		}
		q->len += n;
	}
}

/* A JSON string's text at @s (after its opening quote), unescaped simply, into @out. */
static void json_string(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && *s != '"' && n + 1 < size; s++) {
		if (*s == '\\' && s[1])
			s++;
		out[n++] = *s;
	}
	out[n] = '\0';
}

/* "return" is success; "error" gives its "desc" in @err. */
static int check_reply(struct htc_qmp *q, const char *what, char *err, size_t errsz)
{
	char line[sizeof(q->buf) + 1], desc[256], *d;

	if (read_reply(q, line, sizeof(line), err, errsz))
		return -1;
	if (!strncmp(line, "{\"return\"", 9))
		return 0;
	d = strstr(line, "\"desc\": \"");
	if (d) {
		json_string(d + 9, desc, sizeof(desc));
		snprintf(err, errsz, "%s: %s: QEMU says: %s", q->path, what, desc);
	} else {
		snprintf(err, errsz, "%s: %s: unexpected reply: %.200s", q->path, what, line);
	}
	return -1;
}

int htc_qmp_connect(struct htc_qmp *q, const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[sizeof(q->buf) + 1];

	q->path = path;
	q->len = 0;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "QMP socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errsz,
			 "cannot connect to the QMP socket %s: %s (is QEMU running "
			 "with -qmp unix:%s,server=on,wait=off?)",
			 path, strerror(errno), path);
		htc_qmp_close(q);
		return -1;
	}
	if (read_reply(q, line, sizeof(line), err, errsz))
		goto fail;
	if (strncmp(line, "{\"QMP\"", 6)) {
		snprintf(err, errsz, "%s is not a QMP socket (its greeting: %.80s)", path, line);
		goto fail;
	}
	if (send_all(q, "{\"execute\": \"qmp_capabilities\"}\n", err, errsz) ||
	    check_reply(q, "qmp_capabilities", err, errsz))
		goto fail;
	return 0;
fail:
	htc_qmp_close(q);
	return -1;
}

int htc_qmp_trace_event(struct htc_qmp *q, const char *name, bool enable, char *err, size_t errsz)
{
	char cmd[512], what[300];

	if (q->fd < 0) {
		snprintf(err, errsz, "%s: not connected", q->path);
		return -1;
	}
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"trace-event-set-state\", \"arguments\": {\"name\": \"%s\", "
		 "\"enable\": %s}}\n",
		 name, enable ? "true" : "false");
	snprintf(what, sizeof(what), "trace-event-set-state %s %s", name, enable ? "on" : "off");
	if (send_all(q, cmd, err, errsz))
		return -1;
	return check_reply(q, what, err, errsz);
}

void htc_qmp_close(struct htc_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
