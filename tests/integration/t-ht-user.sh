#!/bin/bash
# hypertrace in user mode: the seed's example program, unchanged, run under
# Debian's qemu-x86_64 (qemu-user, TCG) emits into the collector's region; the
# collector prints its two events with the right arguments and host
# CLOCK_MONOTONIC times in order, inside the run: the records say they were
# stamped with the TSC (on a host whose TSC is invariant), and the emulated
# rdtsc is the host's, so the collector's TSC map applies. Then many threads under qemu-x86_64: every event once, in order.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ht-lib.sh"
command -v qemu-x86_64 >/dev/null || skip "no qemu-x86_64: install qemu-user (scripts/deps.sh)"
SEED=$QEMU_USER_SEED EMIT=$QEMU_USER_EMIT
[ -x "$SEED" ] && [ -x "$EMIT" ] || fail "$SEED or $EMIT missing: make tests"

ht_run_seed "seed example under qemu-x86_64" "$(ht_x86_clock)" qemu-x86_64 "$SEED"

ht_start --clients 8 --args 4 --entries 4096
t0=$(ht_now)
qemu-x86_64 "$EMIT" -p "$HT_P" -t 4 -c 8 -n 5000 >"$WORK/report" || fail "vt-htthreads under qemu"
t1=$(ht_now)
ht_stop
out=$("$HTCHECK" -r "$WORK/report" -s "$t0" -e "$t1" "$WORK/events") || fail "$out"
say "4 threads under qemu-x86_64: $out"
