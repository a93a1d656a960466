// SPDX-License-Identifier: GPL-2.0
/*
 * vt-qmp: send one QMP command to QEMU and print its reply line, for the
 * tests (no socat or python needed).
 *
 *   vt-qmp SOCKET '{"execute": "query-trace-events", "arguments": {"name": "x"}}'
 *
 * Connects, leaves capabilities negotiation, sends the command, prints the
 * first reply that is not an asynchronous event. Exits 1 on any failure.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t len;

/* The next line that is not an event, into @line; 5 s at most. */
static int next_reply(int fd, char *line, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		while ((nl = memchr(buf, '\n', len))) {
			size_t l = nl - buf;

			snprintf(line, size, "%.*s", (int)l, buf);
			memmove(buf, nl + 1, len - l - 1);
			len -= l + 1;
			if (!strstr(line, "\"event\""))
				return 0;
		}
		if (len == sizeof(buf) || poll(&pfd, 1, 5000) <= 0)
			return -1;
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n <= 0)
			return -1;
		len += n;
	}
}

int main(int argc, char **argv)
{
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
	static char line[1 << 20];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: vt-qmp SOCKET JSON-COMMAND\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("vt-qmp: connect");
		return 1;
	}
	if (next_reply(fd, line, sizeof(line)) || write(fd, caps, strlen(caps)) < 0 ||
	    next_reply(fd, line, sizeof(line)) || dprintf(fd, "%s\n", argv[2]) < 0 ||
	    next_reply(fd, line, sizeof(line))) {
		fprintf(stderr, "vt-qmp: no reply from %s\n", argv[1]);
		return 1;
	}
	puts(line);
	return 0;
}
