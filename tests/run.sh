#!/bin/bash
# Runs every test: the cmocka unit tests, then the integration scripts.
# Prints one line per test and, last, "N passed, N failed[, N skipped]".
# Usage: tests/run.sh [PATTERN]   (runs the tests whose name contains PATTERN)
# VTRACE_BUILD: the build directory to test (default build; make check-asan
# gives build/asan). VTRACE_SAN=1: the binaries have ASan/UBSan; every
# sanitizer report (any process of the test, whatever its exit) fails it.
set -u
cd "$(dirname "$0")/.."
pattern=${1:-}
passed=0 failed=0 skipped=0 failures=""
build=${VTRACE_BUILD:-build}
logdir=$build/test-logs
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)

run() {	# name command...
	local name=$1 rc
	shift
	[[ -n "$pattern" && "$name" != *"$pattern"* ]] && return
	local log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	local t0=$SECONDS san=""
	if [ -n "${VTRACE_SAN:-}" ]; then
		san="$logdir/san/$(basename "$log" .log)"
		rm -rf "$san"; mkdir -p "$san"
		# one log_path for all three: the runtimes share it
		export ASAN_OPTIONS="detect_leaks=1:exitcode=23:log_path=$san/report"
		export UBSAN_OPTIONS="halt_on_error=1:exitcode=23:print_stacktrace=1:log_path=$san/report"
		export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
	fi
	# a hung test fails on its own instead of stalling the whole run
	timeout -k 10 "${VTRACE_TEST_TIMEOUT:-300}" "$@" >"$log" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "(timed out)" >>"$log"
	if [ -n "$san" ] && [ -n "$(ls -A "$san")" ]; then
		sanitizer_reports=$((sanitizer_reports + $(ls "$san" | wc -l)))
		{ echo "sanitizer reports in $san:"; cat "$san"/*; } >>"$log"
		rc=1
		{	# last, for the tail that run() shows
			echo "sanitizer reports ($(ls "$san" | wc -l)):"
			grep -h -m 3 'ERROR\|runtime error\|SUMMARY' "$san"/*
		} >>"$log"
	fi
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS  $name ($((SECONDS - t0)) s)"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures="$failures $name"
		echo "FAIL  $name (exit $rc), log $log:"; tail -n 30 "$log" | sed 's/^/    /'
	fi
}

sanitizer_reports=0
for t in "$build"/tests/test-*; do
	[ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
for t in tests/integration/t-*.sh; do
	run "integration/$(basename "$t" .sh)" bash "$t"
done
for t in tests/e2e/t-*.sh; do
	run "e2e/$(basename "$t" .sh)" bash "$t"
done

[ -n "$failures" ] && echo "failed:$failures"
[ -n "${VTRACE_SAN:-}" ] && echo "sanitizer reports: $sanitizer_reports"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
