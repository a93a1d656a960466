#!/bin/bash
# A user-mode guest holds the region's file open for writing, so it can
# shrink it under the collector: the collector's reads past the new end would
# fault (SIGBUS). It must give the file its size back, say so at exit, and go
# on collecting: events emitted after the cut all arrive.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"
ht_start --clients 2 --args 4
size=$(stat -c %s "$HT_P")
"$SEED" "$HT_P" >/dev/null || fail "the seed's example failed before the cut"
sleep 0.2
truncate -s 4096 "$HT_P"
for ((i = 0; i < 100; i++)); do
	[ "$(stat -c %s "$HT_P")" = "$size" ] && break
	kill -0 $HT_COL 2>/dev/null || fail "the collector died: $(tail -3 "$WORK/col.err")"
	sleep 0.05
done
[ "$(stat -c %s "$HT_P")" = "$size" ] || fail "the region was not given its size back"
"$SEED" "$HT_P" >/dev/null || fail "the seed's example failed after the cut"
ht_stop
grep -q 'the guest shrank the region.s file [1-9][0-9]* times' "$WORK/col.err" ||
	fail "no word of the cut: $(cat "$WORK/col.err")"
n=$(grep -c 'arg1=1 arg2=0x000000000000cafe' "$WORK/events" || true)
[ "$n" -ge 2 ] || fail "want the first event of both runs, got $n: $(cat "$WORK/events")"
say "$(grep shrank "$WORK/col.err")"
say "events: $(wc -l <"$WORK/events"), both runs' first event there"
