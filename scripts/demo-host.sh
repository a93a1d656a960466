#!/bin/bash
# The demo, until the guest image exists: trace-agent on this machine's own
# tracefs (in an instance of its own, removed afterwards), FIFOs standing in
# for the virtio ports, sched events and markers for a few seconds, then what
# arrived, decoded.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build
T=/sys/kernel/tracing
NCPU=$(nproc)
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root for tracefs; run: sudo make demo" >&2; exit 1; }
[ -d "$T/instances" ] || mount -t tracefs nodev "$T"
INST=vtrace-demo-$$
OUT=${VTRACE_DEMO_DIR:-$ROOT/build/demo}
rm -rf "$OUT"; mkdir -p "$OUT/ports"
mkdir "$T/instances/$INST"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rmdir "$T/instances/$INST" 2>/dev/null || true
}
trap cleanup EXIT

echo 1 >"$T/instances/$INST/events/sched/enable"
for ((c = 0; c < NCPU; c++)); do
	mkfifo "$OUT/ports/trace-path-cpu$c"
	cat "$OUT/ports/trace-path-cpu$c" >"$OUT/cpu$c.raw" & pids+=($!)
done
mkfifo "$OUT/ports/agent-ctl-path"
"$B/trace-agent" -i "$INST" -p "$OUT/ports" -v 2>"$OUT/agent.log" & agent=$!; pids+=($agent)
until grep -q 'waiting for orders' "$OUT/agent.log"; do sleep 0.05; done
sed 's/^/  /' "$OUT/agent.log"

echo "host: echo 1 > agent-ctl-path (start)"
echo 1 >"$OUT/ports/agent-ctl-path"
for ((c = 0; c < NCPU; c++)); do
	"$B/tests/vt-mark" -c $c -n 1000 -p demo-marker "$T/instances/$INST/trace_marker" 2>/dev/null
done
for i in 1 2 3; do sleep 0.5; ls -R /usr >/dev/null; done
echo "host: echo 0 > agent-ctl-path (stop)"
echo 0 >"$OUT/ports/agent-ctl-path"
until [ "$(grep -c ': sent ' "$OUT/agent.log")" -ge "$NCPU" ]; do sleep 0.05; done
kill -TERM $agent; wait $agent
grep -E 'sent|lost' "$OUT/agent.log" | sed 's/^/  /'
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

echo
echo "What arrived (decoded with the instance's event formats):"
for ((c = 0; c < NCPU; c++)); do
	"$B/tests/vt-decode" -f "$T/instances/$INST/events" -c $c "$OUT/cpu$c.raw" \
		>"$OUT/cpu$c.txt" 2>"$OUT/cpu$c.sum"
	printf '  cpu%d: %s, %d markers\n' $c "$(cat "$OUT/cpu$c.sum")" \
		"$(grep -c 'demo-marker' "$OUT/cpu$c.txt" || true)"
done
echo "Top events:"
cat "$OUT"/cpu*.txt | awk '{ sub(":", "", $3); n[$3]++ } END { for (e in n) print n[e], e }' |
	sort -rn | sed -n '1,5s/^/  /p'
echo "First lines:"
sort -k2,2n "$OUT"/cpu*.txt | grep -v demo-marker | sed -n '1,5s/^/  /p'
echo
echo "Raw streams: $OUT/cpuN.raw (whole sub-buffers); decoded: $OUT/cpuN.txt"
