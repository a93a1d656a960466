#!/bin/bash
# hypertrace against a hostile guest: while the real collector runs, a
# scribbler (vt-htscribble) writes over the whole region for 3 s, header
# included: random bytes, forged records with the expected seq and absurd
# timestamps, impossible head counters. Legitimate producers (vt-htthreads, the
# seed example) keep emitting into the same region meanwhile. The collector
# must survive, print clear lines about the impossible counters, and exit 0
# at SIGINT; the producers must not crash (a region whose header was
# scribbled over is refused with a message; the scribbler puts the header
# back after most rounds, so they also emit into rings it is scribbling on). The events before the
# scribbling arrive intact. Also run by make check-asan under ASan.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"
SCRIBBLE=$B/tests/vt-htscribble
[ -x "$SCRIBBLE" ] && [ -x "$EMIT" ] || fail "$SCRIBBLE or $EMIT missing: make tests"

ht_start --clients 4 --args 4 --entries 64
"$SEED" "$HT_P" >/dev/null || fail "the seed example failed before any scribbling"
sleep 0.2
cp "$WORK/events" "$WORK/before"
"$SCRIBBLE" -p "$HT_P" -s 3 -S $$ >"$WORK/scribble" &
scribbler=$!
READER_PIDS+=($scribbler)
crashes=0 runs=0
while kill -0 $scribbler 2>/dev/null; do
	for prog in "$SEED $HT_P" "$EMIT -p $HT_P -t 2 -c 4 -n 20000"; do
		# (the braces keep bash's "Aborted" notices out of the log)
		rc=$({ $prog >/dev/null 2>>"$WORK/producers.err"; echo $?; } 2>/dev/null)
		runs=$((runs + 1))
		# 0, 1 (vt-htthreads refused the region) or 134 (the seed aborts when
		# qemu_hypertrace_init fails, as written); a signal otherwise
		case $rc in 0 | 1 | 134) ;; *) crashes=$((crashes + 1)); say "$prog: exit $rc" ;; esac
	done
done
wait $scribbler || fail "the scribbler failed"
kill -0 $HT_COL 2>/dev/null || fail "the collector died: $(tail -3 "$WORK/col.err")"
ht_stop
[ $crashes -eq 0 ] || fail "$crashes of $runs producer runs crashed"
n=$(grep -c 'client [0-3]: impossible' "$WORK/col.err" || true)
[ "$n" -gt 0 ] || fail "no line about impossible counters: $(head -5 "$WORK/col.err")"
grep -q '^[0-9]* events$' "$WORK/col.err" || fail "no final count: $(tail -3 "$WORK/col.err")"
head -2 "$WORK/events" | cmp -s - "$WORK/before" || fail "the events before the scribbling changed"
refused=$(grep -c 'Invalid argument' "$WORK/producers.err" || true)
say "$(cat "$WORK/scribble")"
say "collector: exit 0, $n lines about impossible counters, $(tail -1 "$WORK/col.err");" \
	"producers: $runs runs, $refused refused the scribbled region, none crashed"
