# vtrace — trace data out of virtual machines.
# `make` builds everything into build/, `make check` runs every test.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

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
# Sanitizer flags for `make check-asan` (empty otherwise): compile and link.
SAN     ?=
CFLAGS  += $(SAN)

LIB_SRC   := $(wildcard lib/*.c)
AGENT_SRC := $(wildcard agent/*.c)
HOST_SRC  := $(wildcard host/*.c host/collector/*.c)
HT_SRC    := $(wildcard hypertrace/*.c) lib/ht-region.c
HT_OBJ    := $(HT_SRC:%.c=$(B)/obj/pic/%.o)
HOST_OBJ  := $(HOST_SRC:%.c=$(B)/obj/%.o)
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
AGENT_OBJ := $(AGENT_SRC:%.c=$(B)/obj/%.o)

UNIT_SRC  := $(wildcard tests/unit/test-*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/%)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(B)/tests/test-fuzz-%)

# Header dependencies: every compile writes its target's beside it (X.d for
# X.o, T.d for a test T built from one source), read back at the end of this
# file. A target without its .d (built before they existed) is rebuilt once:
# $(NODEP) in its prerequisites, and FORCE filtered out of $^ where used.
DEPFLAGS = -MMD -MP
NODEP    = $$(if $$(wildcard $$(basename $$@).d),,FORCE)
.SECONDEXPANSION:

all: $(B)/trace-agent $(B)/static/trace-agent $(B)/vtrace $(B)/libhypertrace.a \
	$(B)/libhypertrace.so

TRACECMD_CFLAGS := $(shell pkg-config --cflags libtracecmd 2>/dev/null)
TRACECMD_LIBS   := $(shell pkg-config --libs libtracecmd 2>/dev/null)

# host/collector/ (vtrace hypertrace) includes host/'s vtrace.h.
$(B)/obj/host/%.o: CPPFLAGS += -Ihost $(TRACECMD_CFLAGS)
$(B)/obj/%.o: %.c $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

# libhypertrace: the guest library, self-contained (no libtracefs).
HT_LIBVERSION := 1.0.0
# hypertrace.pc names its directories from ${prefix} when they are under it.
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
$(B)/obj/pic/%.o: %.c $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude -Ilib $(CFLAGS) $(DEPFLAGS) -fPIC -c -o $@ $<

$(B)/libhypertrace.a: $(HT_OBJ)
	$(AR) rcs $@ $^

# Only the public API is exported (hypertrace_*, qemu_hypertrace*), not lib/'s ht_*.
$(B)/libhypertrace.so: $(HT_OBJ) hypertrace/libhypertrace.map
	$(CC) $(SAN) -shared -Wl,-soname,libhypertrace.so.1 \
		-Wl,--version-script,hypertrace/libhypertrace.map -o $@ $(HT_OBJ)

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

$(B)/tests/test-%: tests/unit/test-%.c $(B)/libvtrace.a $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(TRACECMD_CFLAGS) $(CFLAGS) $(DEPFLAGS) -o $@ $(filter-out FORCE,$^) \
		-lcmocka $(TRACECMD_LIBS) $(LDLIBS)

$(B)/tests/%: tests/tools/%.c $(B)/libvtrace.a $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -o $@ $(filter-out FORCE,$^) $(LDLIBS)

# recover's also packs what it read: host/recover.c's recover_write_packed().
$(B)/tests/test-fuzz-recover: $(B)/obj/host/recover.o

# A fuzz harness replaying its committed corpus and regression inputs (a test):
# the harness's object (a harness may #include a source to reach its static
# functions), and replay.c built for its FUZZ_NAME.
$(B)/obj/tests/fuzz/%.o: CPPFLAGS += -Ihost
$(B)/tests/test-fuzz-%: $(B)/obj/tests/fuzz/fuzz-%.o tests/fuzz/replay.c \
		$(B)/obj/host/meta.o $(B)/obj/host/util.o $(B)/libvtrace.a $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -DFUZZ_NAME='"$*"' -o $@ \
		$(filter %.c %.o,$^) $(filter %.a,$^) $(LDLIBS)
.SECONDARY: $(FUZZ_NAMES:%=$(B)/obj/tests/fuzz/fuzz-%.o)

# The seed's hypertrace example, built as its documentation says.
$(B)/tests/seed-hypertrace-example: tests/fixtures/seed-hypertrace-example.c $(B)/libhypertrace.a \
		$(NODEP)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(DEPFLAGS) -o $@ $< $(B)/libhypertrace.a -Iinclude -lpthread

$(B)/tests/test-hypertrace: $(B)/libhypertrace.a | $(B)/tests/seed-hypertrace-example
$(B)/tests/test-ht-open: $(B)/libhypertrace.a

# An emitter with known arguments for the collector's tests (libhypertrace, not libvtrace).
$(B)/tests/vt-htemit: tests/tools/vt-htemit.c $(B)/libhypertrace.a $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(DEPFLAGS) -o $@ $< $(B)/libhypertrace.a -pthread

# Many threads emitting through <hypertrace.h> (tests/integration/t-ht-threads.sh).
$(B)/tests/vt-htthreads: tests/tools/vt-htthreads.c $(B)/libhypertrace.a $(NODEP)
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(CFLAGS) $(DEPFLAGS) -o $@ $< $(B)/libhypertrace.a -pthread

# libhypertrace, the seed's example and vt-htthreads for other architectures
# (static: they run under qemu-user, tests/integration/t-ht-cross.sh): a
# 64-bit little-endian target and a 32-bit big-endian one.
CROSS_ARCHS := aarch64 mips
define cross_rules
$(B)/cross/$(1)/obj/%.o: %.c $$(NODEP)
	@mkdir -p $$(dir $$@)
	$(1)-linux-gnu-gcc -Iinclude -Ilib $(CFLAGS) $(DEPFLAGS) -c -o $$@ $$<
$(B)/cross/$(1)/libhypertrace.a: $(HT_SRC:%.c=$(B)/cross/$(1)/obj/%.o)
	$(1)-linux-gnu-ar rcs $$@ $$^
$(B)/cross/$(1)/seed-hypertrace-example: tests/fixtures/seed-hypertrace-example.c \
		$(B)/cross/$(1)/libhypertrace.a $$(NODEP)
	$(1)-linux-gnu-gcc $(DEPFLAGS) -static -o $$@ $$< $(B)/cross/$(1)/libhypertrace.a \
		-Iinclude -lpthread
$(B)/cross/$(1)/vt-htthreads: tests/tools/vt-htthreads.c $(B)/cross/$(1)/libhypertrace.a $$(NODEP)
	$(1)-linux-gnu-gcc -Iinclude $(CFLAGS) $(DEPFLAGS) -static -o $$@ $$< \
		$(B)/cross/$(1)/libhypertrace.a -pthread
endef
$(foreach a,$(CROSS_ARCHS),$(eval $(call cross_rules,$(a))))
CROSS_BIN := $(foreach a,$(CROSS_ARCHS),$(B)/cross/$(a)/seed-hypertrace-example \
	     $(B)/cross/$(a)/vt-htthreads)

tests: all $(UNIT_BIN) $(TOOL_BIN) $(CROSS_BIN) $(FUZZ_REPLAY)

# What runs on the host in the tests: everything but the guest's static binaries.
HOST_BINS := $(B)/trace-agent $(B)/vtrace $(B)/libhypertrace.a $(B)/libhypertrace.so \
	     $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_REPLAY)
host-tests: $(HOST_BINS)
# Built normally (the guest's, or for qemu-user), linked into build/asan by check-asan.
NORMAL_DIRS := guest kmod cross

deps:
	@scripts/deps.sh

# VTRACE_SKIP_DEPS=1 skips the package check (e.g. offline, all installed).
check:
	@[ -n "$(VTRACE_SKIP_DEPS)" ] || scripts/deps.sh
	@$(MAKE) --no-print-directory tests guest
	@tests/run.sh

# The whole suite with the host's binaries built by clang with AddressSanitizer
# (leak checking on) and UndefinedBehaviorSanitizer, in build/asan. The guest
# (build/static, build/guest, build/kmod) and the qemu-user binaries
# (build/cross) stay normal builds: they run inside QEMU.
# tests/run.sh fails a test that leaves a sanitizer report (VTRACE_SAN).
ASAN_B   := $(B)/asan
ASAN_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
check-asan:
	@[ -n "$(VTRACE_SKIP_DEPS)" ] || scripts/deps.sh
	@$(MAKE) --no-print-directory tests guest
	@$(MAKE) --no-print-directory B=$(ASAN_B) CC=clang SAN="$(ASAN_SAN)" host-tests
	@for d in $(NORMAL_DIRS); do ln -sfn ../$$d $(ASAN_B)/$$d; done
	@VTRACE_BUILD=$(CURDIR)/$(ASAN_B) VTRACE_SAN=1 tests/run.sh

# libFuzzer harnesses (tests/fuzz/), each run FUZZ_SECONDS from its committed
# corpus (tests/fuzz/corpus/NAME) by tests/fuzz/run.sh; a crash fails.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC_order     := lib/order.c
FUZZ_SRC_reply     := lib/proto.c lib/order.c lib/tracedat.c lib/tracedat-v7.c lib/io.c host/meta.c
FUZZ_SRC_page      := lib/page.c
FUZZ_SRC_ht-region := lib/ht-region.c lib/ht-clock.c
FUZZ_SRC_recover   := lib/tracedat-read.c lib/page.c lib/io.c host/recover.c host/util.c
FUZZ_BIN := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz-%)
# Each source an object of its own in build/fuzz/obj, so its .d is its own.
FUZZ_OBJ := $(B)/fuzz/obj
fuzz_objs = $(patsubst %.c,$(FUZZ_OBJ)/%.o,tests/fuzz/fuzz-$(1).c $(FUZZ_SRC_$(1)))
$(FUZZ_OBJ)/%.o: %.c $(NODEP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib -Ihost $(FUZZ_FLAGS) $(DEPFLAGS) \
		-c -o $@ $<
$(B)/fuzz/fuzz-%: $$(call fuzz_objs,$$*)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ -lzstd
.SECONDARY: $(foreach n,$(FUZZ_NAMES),$(call fuzz_objs,$(n)))

fuzz-build: $(FUZZ_BIN)
fuzz: fuzz-build
	@tests/fuzz/run.sh $(B)/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

# A marker writer for guest workloads (no shared libraries in the guest).
$(B)/static/vt-mark: tests/tools/vt-mark.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $<

# hypertrace in the guest (system mode): the seed's example, unchanged, and
# the guest's side of the tests and benchmark, static like everything there.
GUEST_HT := $(B)/static/seed-hypertrace-example $(B)/static/ht-timeline $(B)/static/ht-emit \
	    $(B)/static/ht-guest-bench
$(B)/static/seed-hypertrace-example: tests/fixtures/seed-hypertrace-example.c $(B)/libhypertrace.a
	@mkdir -p $(dir $@)
	$(CC) -static -o $@ $< $(B)/libhypertrace.a -Iinclude -lpthread

$(B)/static/ht-timeline: guest/src/ht-timeline.c $(B)/libhypertrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iinclude -static -o $@ $< $(B)/libhypertrace.a

$(B)/static/ht-emit: guest/src/ht-emit.c $(B)/libhypertrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iinclude -static -o $@ $< $(B)/libhypertrace.a

$(B)/static/ht-guest-bench: bench/ht-guest-bench.c $(B)/libhypertrace.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iinclude -static -o $@ $< $(B)/libhypertrace.a

# The demo guest (Debian kernel + busybox + static agent), cached in build/guest.
GUEST_INPUTS := guest/build.sh guest/init $(wildcard guest/workloads/*) $(B)/static/trace-agent \
		$(B)/static/vt-mark $(GUEST_HT)
$(B)/guest/initramfs.cpio.gz: $(GUEST_INPUTS) $(B)/kmod/hypertrace.ko
	guest/build.sh

guest: $(B)/guest/initramfs.cpio.gz

# hypertrace.ko for the demo guest's kernel, built by Kbuild against its
# Debian headers (kmod/headers.sh fetches them) in build/kmod/src, where the
# sources are linked (Kbuild writes its objects next to them).
KMOD_SRC := kmod/Kbuild $(wildcard kmod/*.c kmod/*.h kmod/compat/*.h) kmod/headers.sh \
	    include/hypertrace-abi.h include/linux/hypertrace.h lib/ht-region.c lib/ht-region.h
$(B)/kmod/hypertrace.ko: $(KMOD_SRC)
	@mkdir -p $(B)/kmod/src
	@for f in kmod/Kbuild kmod/*.c kmod/*.h lib/ht-region.c; do \
		ln -sf $(CURDIR)/$$f $(B)/kmod/src/; done
	@for d in kmod/compat include lib; do ln -sfn $(CURDIR)/$$d $(B)/kmod/src/$$(basename $$d); done
	kdir=$$(kmod/headers.sh) && $(MAKE) -C $$kdir M=$(CURDIR)/$(B)/kmod/src modules
	cp $(B)/kmod/src/hypertrace.ko $@

kmod: $(B)/kmod/hypertrace.ko

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
	bench/hypertrace-collector.sh
	bench/hypertrace-guest.sh
	bench/ht-kmod.sh

bench-hypertrace:
	@[ -n "$(VTRACE_SKIP_DEPS)" ] || scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all bench-ht-bins
	bench/hypertrace.sh

bench-ht-bins: $(HT_BENCH)

.PHONY: bench-all bench-hypertrace bench-ht-bins

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/trace-agent $(DESTDIR)$(BINDIR)/trace-agent
	install -m 755 $(B)/vtrace $(DESTDIR)$(BINDIR)/vtrace
	install -m 644 docs/man/trace-agent.1 docs/man/vtrace.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(B)/libhypertrace.a $(DESTDIR)$(LIBDIR)/libhypertrace.a
	install -m 755 $(B)/libhypertrace.so $(DESTDIR)$(LIBDIR)/libhypertrace.so.$(HT_LIBVERSION)
	ln -sf libhypertrace.so.$(HT_LIBVERSION) $(DESTDIR)$(LIBDIR)/libhypertrace.so.1
	ln -sf libhypertrace.so.1 $(DESTDIR)$(LIBDIR)/libhypertrace.so
	install -m 644 include/hypertrace.h include/qemu-hypertrace.h include/hypertrace-abi.h \
		$(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(PC_LIBDIR)|; s|@INCLUDEDIR@|$(PC_INCDIR)|' \
		-e 's|@VERSION@|$(HT_LIBVERSION)|' hypertrace/hypertrace.pc.in \
		>$(DESTDIR)$(PKGCONFIGDIR)/hypertrace.pc

# Every C source and header of ours in .clang-format's style; CI fails on a
# difference (format-check), so the tree stays formatted.
FORMAT_SRC = $(shell find agent host lib hypertrace kmod include tests bench guest \
		-name '*.[ch]' -not -path 'kmod/compat/*' | sort)
format:
	@clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRC) 2>&1 | head -40; \
	if clang-format --dry-run -Werror $(FORMAT_SRC) >/dev/null 2>&1; then \
		echo "format-check: $(words $(FORMAT_SRC)) files as .clang-format says"; \
	else echo "format-check: run 'make format'" >&2; exit 1; fi

clean:
	rm -rf $(B)

.PHONY: all tests host-tests deps check check-asan fuzz fuzz-build demo demo-host guest kmod \
	bench install format format-check clean FORCE
.DELETE_ON_ERROR:

# What each target includes (DEPFLAGS), not build/asan's (its own make reads
# those), the kernel module's (Kbuild's) or the guest's.
-include $(shell find $(B) \( -path $(ASAN_B) -o -path $(B)/kmod -o -path $(B)/guest \) -prune \
	-o -name '*.d' -type f -print 2>/dev/null)
