# vtrace — trace data out of virtual machines.
# `make` builds everything into build/, `make check` runs every test.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

CC      ?= gcc
B       := build
PKGS    := libtracefs libtraceevent
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	   -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -fno-strict-aliasing -pthread
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -Iinclude -Ilib $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lzstd -pthread

LIB_SRC   := $(wildcard lib/*.c)
AGENT_SRC := $(wildcard agent/*.c)
HOST_SRC  := $(wildcard host/*.c)
HT_SRC    := $(wildcard hypertrace/*.c) lib/ht-region.c
HT_OBJ    := $(HT_SRC:%.c=$(B)/obj/pic/%.o)
HOST_OBJ  := $(HOST_SRC:%.c=$(B)/obj/%.o)
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
AGENT_OBJ := $(AGENT_SRC:%.c=$(B)/obj/%.o)

UNIT_SRC  := $(wildcard tests/unit/test-*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/%)

all: $(B)/trace-agent $(B)/static/trace-agent $(B)/vtrace $(B)/libhypertrace.a \
	$(B)/libhypertrace.so

TRACECMD_CFLAGS := $(shell pkg-config --cflags libtracecmd 2>/dev/null)
TRACECMD_LIBS   := $(shell pkg-config --libs libtracecmd 2>/dev/null)

$(B)/obj/host/%.o: CPPFLAGS += $(TRACECMD_CFLAGS)
$(B)/obj/%.o: %.c $(wildcard lib/*.h agent/*.h host/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# libhypertrace: the guest library, self-contained (no libtracefs).
$(B)/obj/pic/%.o: %.c $(wildcard lib/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude -Ilib $(CFLAGS) -fPIC -c -o $@ $<

$(B)/libhypertrace.a: $(HT_OBJ)
	$(AR) rcs $@ $^

$(B)/libhypertrace.so: $(HT_OBJ)
	$(CC) -shared -Wl,-soname,libhypertrace.so.1 -o $@ $^

$(B)/libvtrace.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(B)/trace-agent: $(AGENT_OBJ) $(B)/libvtrace.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vtrace: $(HOST_OBJ) $(B)/libvtrace.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TRACECMD_LIBS) $(LDLIBS)

# For minimal guests (busybox, no shared libraries): Debian ships the .a files.
$(B)/static/trace-agent: $(AGENT_OBJ) $(B)/libvtrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $^ \
		$(shell pkg-config --static --libs $(PKGS) 2>/dev/null) -pthread

$(B)/tests/test-%: tests/unit/test-%.c $(B)/libvtrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(TRACECMD_CFLAGS) $(CFLAGS) -o $@ $^ -lcmocka $(TRACECMD_LIBS) $(LDLIBS)

$(B)/tests/%: tests/tools/%.c $(B)/libvtrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The seed's hypertrace example, built as its documentation says.
$(B)/tests/seed-hypertrace-example: tests/fixtures/seed-hypertrace-example.c $(B)/libhypertrace.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $< $(B)/libhypertrace.a -Iinclude -lpthread

$(B)/tests/test-hypertrace: $(B)/libhypertrace.a | $(B)/tests/seed-hypertrace-example

tests: all $(UNIT_BIN) $(TOOL_BIN)

deps:
	@scripts/deps.sh

# VTRACE_SKIP_DEPS=1 skips the package check (e.g. offline, all installed).
check:
	@[ -n "$(VTRACE_SKIP_DEPS)" ] || scripts/deps.sh
	@$(MAKE) --no-print-directory tests guest
	@tests/run.sh

# A marker writer for guest workloads (no shared libraries in the guest).
$(B)/static/vt-mark: tests/tools/vt-mark.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $<

# The demo guest (Debian kernel + busybox + static agent), cached in build/guest.
GUEST_INPUTS := guest/build.sh guest/init $(wildcard guest/workloads/*) $(B)/static/trace-agent \
		$(B)/static/vt-mark
$(B)/guest/initramfs.cpio.gz: $(GUEST_INPUTS)
	guest/build.sh

guest: $(B)/guest/initramfs.cpio.gz

# The main job: boot the demo guest, record it from the host, report.
demo:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory tests guest
	@scripts/demo-guest.sh

# The same with this machine playing the guest (no QEMU).
demo-host:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory tests
	@scripts/demo-host.sh

# bench/hypertrace.sh's programs: the emitter, and its LTTng-UST peer when
# liblttng-ust-dev is installed (scripts/deps.sh --bench; skipped without it).
$(B)/bench/hypertrace: bench/hypertrace.c bench/ht-bench.h $(B)/libhypertrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(B)/libhypertrace.a -pthread

$(B)/bench/hypertrace-lttng: bench/hypertrace-lttng.c bench/hypertrace-lttng-tp.h bench/ht-bench.h
	@mkdir -p $(dir $@)
	$(CC) -Ibench $(CFLAGS) -o $@ $< -llttng-ust -ldl

HT_BENCH := $(B)/bench/hypertrace \
	    $(if $(shell pkg-config --exists lttng-ust 2>/dev/null && echo y),$(B)/bench/hypertrace-lttng)

# The bench-only packages first; then a new make, which sees what they brought.
bench:
	@[ -n "$(VTRACE_SKIP_DEPS)" ] || scripts/deps.sh --bench
	@$(MAKE) --no-print-directory bench-all

bench-all: all $(TOOL_BIN) guest $(HT_BENCH)
	bench/agent-flood.sh
	bench/record-throughput.sh
	bench/guest.sh
	bench/hypertrace.sh

bench-hypertrace:
	@[ -n "$(VTRACE_SKIP_DEPS)" ] || scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all bench-ht-bins
	bench/hypertrace.sh

bench-ht-bins: $(HT_BENCH)

.PHONY: bench-all bench-hypertrace bench-ht-bins

# libhypertrace's private headers.
$(HT_OBJ): $(wildcard hypertrace/*.h)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/trace-agent $(DESTDIR)$(BINDIR)/trace-agent
	install -m 755 $(B)/vtrace $(DESTDIR)$(BINDIR)/vtrace
	install -m 644 docs/man/trace-agent.1 docs/man/vtrace.1 $(DESTDIR)$(MANDIR)/man1/

format:
	clang-format -i $(LIB_SRC) $(AGENT_SRC) $(HOST_SRC) lib/*.h agent/*.h host/*.h

clean:
	rm -rf $(B)

.PHONY: all tests deps check demo demo-host guest bench install format clean
.DELETE_ON_ERROR:
