#!/bin/bash
# Runs each libFuzzer harness for SECONDS from its committed corpus
# (tests/fuzz/corpus/NAME, plus tests/fuzz/regress/NAME); what it finds
# goes to DIR/work/NAME, this run's crash inputs to DIR/crashes/NAME/. Prints one line
# per harness (executions, coverage, crashes), last "N passed, N failed".
# Usage: tests/fuzz/run.sh DIR SECONDS NAME...   (make fuzz)
# A crash input becomes a regression test: copy it to tests/fuzz/regress/NAME/
# (make check replays it with build/tests/test-fuzz-NAME), then fix the bug.
set -u
cd "$(dirname "$0")/../.."
dir=$1 secs=$2
shift 2
passed=0 failed=0
for name in "$@"; do
	work=$dir/work/$name crashes=$dir/crashes/$name log=$dir/fuzz-$name.log
	rm -rf "$crashes"	# this run's only: kept ones belong in tests/fuzz/regress
	mkdir -p "$work" "$crashes"
	corpora=("$work" "tests/fuzz/corpus/$name")
	[ -d "tests/fuzz/regress/$name" ] && corpora+=("tests/fuzz/regress/$name")
	rc=0
	# -timeout: an input taking 10 s is a hang; -rss_limit_mb: a blow-up
	"$dir/fuzz-$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "${corpora[@]}" >"$log" 2>&1 ||
		rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	done=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done")
	found=$(find "$crashes" -type f | wc -l)
	if [ $rc -eq 0 ] && [ "$found" -eq 0 ]; then
		passed=$((passed + 1))
		echo "PASS  fuzz-$name: ${execs:-?} executions in $secs s, cov ${cov:-?} ft ${ft:-?}," \
		     "corpus ${corp:-?}, 0 crashes"
	else
		failed=$((failed + 1))
		echo "FAIL  fuzz-$name (exit $rc): ${execs:-?} executions, cov ${cov:-?} ft ${ft:-?}," \
		     "$found crash inputs in $crashes, log $log:"
		grep -E 'ERROR|runtime error|invariant failed|SUMMARY|Test unit written' "$log" |
			head -10 | sed 's/^/    /'
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
