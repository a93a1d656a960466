# Shared by the integration tests: a real tracefs instance of this machine,
# FIFOs standing in for the virtio ports, a reader process on each.
# Everything made here is undone by cleanup (trap EXIT).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# VTRACE_BUILD: the build directory to test (make check-asan: build/asan)
B=${VTRACE_BUILD:-$ROOT/build}
[[ $B == /* ]] || B=$ROOT/$B
AGENT=$B/trace-agent
DECODE=$B/tests/vt-decode
MARK=$B/tests/vt-mark
NCPU=$(nproc)
T=/sys/kernel/tracing
WORK=""
INST=""
AGENT_PID=""
READER_PIDS=()
MOUNTED_TRACEFS=""
CMDLINES_SIZE=""	# saved_cmdlines_size before the test, put back by cleanup

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*" >&2; [ -n "$WORK" ] && [ -f "$WORK/agent.log" ] && sed 's/^/  agent: /' "$WORK/agent.log" >&2; exit 1; }
say() { echo "# $*"; }

cleanup() {
	local rc=$?
	[ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
	for p in "${READER_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	# whatever a failed test left running in the background (a fake guest
	# blocked on a FIFO, say) would hold the wait below until the timeout
	for p in $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "$INST" ] && [ -d "$T/instances/$INST" ] && rmdir "$T/instances/$INST"
	# an agent killed outright cannot put back the size it raised (a global file)
	if [ -n "$CMDLINES_SIZE" ] && [ "$(cat "$T/saved_cmdlines_size")" != "$CMDLINES_SIZE" ]; then
		echo "$CMDLINES_SIZE" >"$T/saved_cmdlines_size" 2>/dev/null || true
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	[ -n "$MOUNTED_TRACEFS" ] && umount "$T" 2>/dev/null || true
	exit $rc
}
trap cleanup EXIT

# Once the guest is gone, the readers of its FIFOs take what is left there and
# end at EOF: wait for that (10 s at most), then stop any still running.
drain_readers() {
	local p i alive
	for ((i = 0; i < 100; i++)); do
		alive=0
		for p in "${READER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${READER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}

setup_tracefs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for tracefs"
	if [ ! -d "$T/instances" ]; then
		mount -t tracefs nodev "$T" 2>/dev/null || skip "cannot mount tracefs at $T"
		MOUNTED_TRACEFS=1
	fi
	CMDLINES_SIZE=$(cat "$T/saved_cmdlines_size" 2>/dev/null || true)
	INST=vtrace-test-$$
	mkdir "$T/instances/$INST" 2>/dev/null || { INST=""; skip "the kernel refuses a tracefs instance (mkdir $T/instances)"; }
	WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
	mkdir "$WORK/ports"
}

# Kernels differ in what they let root write in tracefs (a locked-down or
# older kernel refuses buffer_subbuf_size_kb, the function tracer's files,
# options): a test whose set-up the kernel refuses skips, with the reason.
tracefs_write() {	# value file [how: > or >>]
	local err
	if [ "${3:->}" = ">>" ]; then
		err=$( { printf '%s\n' "$1" >>"$2"; } 2>&1) && return 0
	else
		err=$( { printf '%s\n' "$1" >"$2"; } 2>&1) && return 0
	fi
	skip "the kernel refuses '$1' in ${2#$T/}: ${err##*: }"
}

# libvirt_validate XML...: the <devices> snippets vtrace prints, in a minimal
# domain, checked against libvirt's own schema (virt-xml-validate).
libvirt_validate() {
	local dom=$WORK/domain.xml
	{
		echo "<domain type='qemu'><name>vtrace-check</name>"
		echo "<memory unit='MiB'>256</memory><os><type arch='x86_64'>hvm</type></os>"
		echo "<devices>"
		cat "$@"
		echo "</devices></domain>"
	} >"$dom"
	virt-xml-validate "$dom" domain >"$WORK/validate.log" 2>&1 ||
		fail "libvirt's schema refuses the XML: $(cat "$WORK/validate.log") in $(cat "$dom")"
}

make_ports() {	# one FIFO per CPU and the control FIFO
	local c
	for ((c = 0; c < NCPU; c++)); do mkfifo "$WORK/ports/trace-path-cpu$c"; done
	mkfifo "$WORK/ports/agent-ctl-path"
}

start_readers() {
	local c
	for ((c = 0; c < NCPU; c++)); do
		cat "$WORK/ports/trace-path-cpu$c" >"$WORK/out$c" &
		READER_PIDS+=($!)
	done
}

start_agent() {	# extra agent options...
	"$AGENT" -i "$INST" -p "$WORK/ports" -v "$@" 2>"$WORK/agent.log" &
	AGENT_PID=$!
	wait_log "waiting for orders" 1
}

order() { printf '%s' "$1" >"$WORK/ports/agent-ctl-path"; }

# Wait until the agent's log has COUNT lines matching PATTERN (default 1).
wait_log() {
	local pattern=$1 count=${2:-1} i
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c -- "$pattern" "$WORK/agent.log" 2>/dev/null || true)" -ge "$count" ] && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || fail "agent died waiting for '$pattern'"
		sleep 0.05
	done
	fail "timed out waiting for $count x '$pattern' in the agent's log"
}

stop_and_flush() {	# order a stop and wait for every CPU's report
	local before
	before=$(grep -c ': sent ' "$WORK/agent.log" || true)
	order 0
	wait_log ': sent ' $((before + NCPU))
}

# Ends the agent with SIGNAL (default TERM), checks it exits 0, waits for
# the readers.
end_agent() {
	local sig=${1:-TERM} rc=0
	kill -"$sig" "$AGENT_PID"
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=""
	[ $rc -eq 0 ] || fail "agent exited $rc on SIG$sig"
	for p in "${READER_PIDS[@]}"; do wait "$p" || true; done
	READER_PIDS=()
}

decode() {	# cpu [file]: the events of one CPU's stream
	"$DECODE" -f "$T/instances/$INST/events" -c "$1" "${2:-$WORK/out$1}"
}

# The numbers of PREFIX's markers of CPU in a decoded stream, in stream order.
marker_numbers() {	# prefix cpu < decoded
	grep -o -- "$1 $2 [0-9]*\$" | awk '{ print $3 }'
}

# Markers FIRST..LAST of CPU must each appear exactly once, in order.
expect_markers() {	# prefix cpu first last decoded-file
	local got want
	got=$(marker_numbers "$1" "$2" <"$5" | md5sum)
	want=$(seq "$3" "$4" | md5sum)
	if [ "$got" != "$want" ]; then
		local n
		n=$(marker_numbers "$1" "$2" <"$5" | wc -l)
		fail "cpu$2: expected markers $3..$4 of '$1' once each in order; found $n"
	fi
}

mark() {	# cpu count [prefix] [start]
	"$MARK" -c "$1" -n "$2" -p "${3:-vtmark}" -s "${4:-1}" "$T/instances/$INST/trace_marker" 2>/dev/null
}

VTRACE=$B/vtrace
CH=""	# the host's channel directory (vtrace setup)

# vtrace setup in $WORK/ch, and an agent on this machine playing the guest:
# its ports are the .out FIFOs (through tee, so the test keeps a copy of
# every byte sent: $WORK/sentN), orders from .in, replies to .out.
setup_channels() {
	local c
	CH=$WORK/ch
	"$VTRACE" setup --dir "$CH" --cpus "$NCPU" >"$WORK/qemu-options"
	mkdir -p "$WORK/gports"
	for ((c = 0; c < NCPU; c++)); do
		mkfifo "$WORK/gports/trace-path-cpu$c"
		tee "$WORK/sent$c" <"$WORK/gports/trace-path-cpu$c" >"$CH/trace-path-cpu$c.out" &
		READER_PIDS+=($!)
	done
}

start_guest_agent() {	# extra agent options...
	"$AGENT" -i "$INST" -p "$WORK/gports" -c "$CH/agent-ctl-path.in" \
		-r "$CH/agent-ctl-path.out" -v "$@" 2>"$WORK/agent.log" &
	AGENT_PID=$!
	wait_log "waiting for orders" 1
}

# e2e: boot the demo guest with run-guest on channels DIR and wait until its
# agent waits for orders. Sets GUEST; cleanup ends it.
boot_guest() {	# dir run-guest-options...
	local dir=$1 i
	shift
	[ -f "$B/guest/initramfs.cpio.gz" ] || skip "no guest image: make guest"
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	"$VTRACE" run-guest --dir "$dir" --guest "$B/guest" "$@" >"$WORK/run.log" 2>&1 &
	GUEST=$!
	READER_PIDS+=($GUEST)
	for ((i = 0; i < 600; i++)); do
		grep -q 'waiting for orders' "$dir/console.log" 2>/dev/null && return 0
		kill -0 $GUEST 2>/dev/null || fail "the guest stopped: $(cat "$WORK/run.log")"
		sleep 0.2
	done
	fail "the guest's agent never got ready: $(tail -5 "$dir/console.log")"
}
