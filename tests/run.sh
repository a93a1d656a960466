#!/bin/bash
# Runs every test: the cmocka unit tests, then the integration scripts.
# Prints one line per test and, last, "N passed, N failed[, N skipped]".
# Usage: tests/run.sh [PATTERN]   (runs the tests whose name contains PATTERN)
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
passed=0 failed=0 skipped=0 failures=""
logdir=build/test-logs
mkdir -p "$logdir"

run() {	# name command...
	local name=$1 rc
	shift
	[[ -n "$pattern" && "$name" != *"$pattern"* ]] && return
	local log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	local t0=$SECONDS
	# a hung test fails on its own instead of stalling the whole run
	timeout -k 10 "${VTRACE_TEST_TIMEOUT:-300}" "$@" >"$log" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "(timed out)" >>"$log"
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS  $name ($((SECONDS - t0)) s)"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures="$failures $name"
		echo "FAIL  $name (exit $rc), log $log:"; tail -n 30 "$log" | sed 's/^/    /'
	fi
}

for t in build/tests/test-*; do
	[ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
for t in tests/integration/t-*.sh; do
	run "integration/$(basename "$t" .sh)" bash "$t"
done
for t in tests/e2e/t-*.sh; do
	run "e2e/$(basename "$t" .sh)" bash "$t"
done

[ -n "$failures" ] && echo "failed:$failures"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
