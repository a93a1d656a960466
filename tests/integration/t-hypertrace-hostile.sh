#!/bin/bash
# A hostile guest: random bytes over the whole region (header, counters,
# records) for 2 s while a real emitter runs. The collector, in each format,
# survives, ends normally, reports what it skipped once per client, and its
# trace.dat still reads.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-hthost-$$
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT

for fmt in log dat; do
	"$VTRACE" hypertrace --path "$P" --clients 4 --entries 1024 --format $fmt \
		-o "$WORK/out.$fmt" --on arg1=1 --exec true 2>"$WORK/err" &
	col=$!
	for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
	"$B/tests/vt-htemit" -p "$P" -t 2 -n 200000 -r 200000 >/dev/null 2>&1 &
	emit=$!
	sleep 0.2
	"$B/tests/vt-htemit" -p "$P" -X 2 >"$WORK/scribble"
	wait $emit || true
	kill -INT $col
	rc=0; wait $col || rc=$?
	[ $rc -eq 0 ] || fail "$fmt: collector exit $rc: $(tail -5 "$WORK/err")"
	n=$(grep -c 'impossible ring counters' "$WORK/err" || true)
	[ "$n" -le 4 ] || fail "$fmt: $n lines about impossible counters: once per client"
	if [ $fmt = dat ]; then
		command -v trace-cmd >/dev/null || continue
		trace-cmd report -i "$WORK/out.dat" >"$WORK/report" 2>&1 ||
			fail "the trace.dat of a hostile run does not read: $(tail -3 "$WORK/report")"
	fi
	say "$fmt: $(cat "$WORK/scribble"); $(grep -c . "$WORK/out.$fmt" || true) lines/bytes out;" \
		"$(grep -h 'malformed' "$WORK/err" | head -2 | tr '\n' ' ')"
done
