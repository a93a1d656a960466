#!/bin/bash
# Rebuilds the committed seed corpora, tests/fuzz/corpus/NAME/, from the
# real fixtures (tests/fixtures/guest-6.1-x86_64: a Debian 6.1 guest's
# formats and ring-buffer pages) and small hand-made inputs. Needs `make
# tests` (vt-fakereply). Run from anywhere; rewrites the corpora.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${VTRACE_BUILD:-$ROOT/build}
FIX=$ROOT/tests/fixtures/guest-6.1-x86_64
C=$ROOT/tests/fuzz/corpus
W=$(mktemp -d /tmp/vtrace-seeds.XXXXXX)
trap 'rm -rf "$W"' EXIT
rm -rf "$C"
mkdir -p "$C"/{order,reply,page,ht-region,recover}

# order: byte 0 (octal here) is how the harness cuts the rest into reads (0: one read)
o() { { printf "\\$2"; printf -- "$3"; } >"$C/order/$1"; }
o seed-start 000 '1'
o seed-stop 000 '0\n'
o seed-split 003 '1\n0\n10'
o words 000 'start\nmeta kallsyms\nstatus\nstop\n'
o words-split 002 'enable sched:sched_switch\r\ndisable  sched \n;bufsize 4096;'
o blanks 001 '  \t\n\n;\r\0 1 \n'
o escape 000 '\001\377\\bad order\177\n'
o tagged 000 '#17 stop\n#4294967296 meta\n#3\tenable sched:sched_switch;#0 x\n'
{ printf '\0'; head -c 300 /dev/zero | tr '\0' a; printf '\nstop\n'; } >"$C/order/too-long"

# reply: whole replies as the agent sends them (header + payload)
FAKE=$B/tests/vt-fakereply
"$FAKE" ok streaming >"$C/reply/ok"
"$FAKE" err "unknown order 'x'" >"$C/reply/err"
"$FAKE" stopped $'cpu=0 bytes=8192 lost=0\ncpu=1 bytes=4096 lost=12\n' >"$C/reply/stopped"
"$FAKE" status $'state=streaming\nsubbuf_size=4096\nbuffer_kb=1408\ncpu0=bytes:0,lost:0\n' \
	>"$C/reply/status"
# META from a few of the fixture's formats (the whole set is 300 KB: too slow to fuzz)
M=$W/meta
mkdir -p "$M/events/sched" "$M/events/ftrace"
cp "$FIX/events/header_page" "$FIX/events/header_event" "$M/events/"
cp -r "$FIX/events/ftrace/print" "$M/events/ftrace/"
cp -r "$FIX/events/sched/sched_switch" "$FIX/events/sched/sched_wakeup" "$M/events/sched/"
head -c 600 "$FIX/printk_formats" >"$M/printk_formats"
head -c 200 "$FIX/saved_cmdlines" >"$M/saved_cmdlines"
cp "$FIX/trace_clock" "$FIX/kernel_release" "$M/"
"$FAKE" meta "$M" >"$C/reply/meta"
{ "$FAKE" ok streaming; cat "$C/reply/meta"; "$FAKE" stopped 'cpu=0 bytes=0 lost=0'; } \
	>"$C/reply/ok-meta-stopped"
"$FAKE" end "$M" >"$C/reply/end"
# a recording's replies: meta, start, stop, then the end-of-run META
{ cat "$C/reply/ok-meta-stopped"; cat "$C/reply/end"; } >"$C/reply/ok-meta-stopped-end"
"$FAKE" raw 3 100 >"$C/reply/cut-short"

# page: byte 0 says long size 8 (bit 0 clear), little-endian (bit 1 clear)
for n in 0 1 5; do
	{ printf '\0'; dd if="$FIX/cpu0.raw" bs=4096 skip=$n count=1 status=none; } >"$C/page/cpu0-$n"
done
{ printf '\0'; dd if="$FIX/cpu1.raw" bs=4096 count=1 status=none; } >"$C/page/cpu1-0"
{ printf '\0'; head -c 100 "$FIX/cpu0.raw"; } >"$C/page/short"

# ht-region: regions as ht_region_init makes them, with events in the rings
cc -std=gnu11 -I"$ROOT/include" -I"$ROOT/lib" -o "$W/seed-ht" "$ROOT/tests/fuzz/seed-ht.c" \
	"$ROOT/lib/ht-region.c"
"$W/seed-ht" 1 1 4 "$C/ht-region/c1-a1-e4"
"$W/seed-ht" 2 4 8 "$C/ht-region/c2-a4-e8"
"$W/seed-ht" 3 2 4 "$C/ht-region/c3-a2-e4"
# recover: a small trace.dat v6 (the hypertrace collector's, from the seed's
# example; the same writer as record's), whole, with its offsets table
# blanked (recover then finds the sub-buffers itself), and cut mid-page
R=/dev/shm/vtrace-seeds-$$
"$B/vtrace" hypertrace --path "$R" --clients 2 --format dat -o "$W/ht.dat" 2>/dev/null &
col=$!
for ((i = 0; i < 100; i++)); do [ -e "$R" ] && break; sleep 0.05; done
"$B/tests/seed-hypertrace-example" "$R" >/dev/null
sleep 0.2
kill -INT $col
wait $col
cp "$W/ht.dat" "$C/recover/ht"
t=$(grep -abo flyrecord "$W/ht.dat" | cut -d: -f1)
{ head -c $((t + 10)) "$W/ht.dat"; head -c 32 /dev/zero; tail -c +$((t + 43)) "$W/ht.dat"; } \
	>"$C/recover/ht-no-table"
head -c $(($(stat -c %s "$W/ht.dat") - 2000)) "$W/ht.dat" >"$C/recover/ht-cut"
du -sh "$C"/*
