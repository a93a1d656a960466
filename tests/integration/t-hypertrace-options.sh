#!/bin/bash
# vtrace hypertrace's options: --help lists every one (and the man page
# names them); each bad value is one error line naming it, exit 2, and
# nothing made.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
P=/dev/shm/vtrace-test-htopt-$$
trap 'rc=$?; rm -f "$P"; (exit $rc); cleanup' EXIT

"$VTRACE" hypertrace --help >"$WORK/help" || fail "--help exit"
opts="--path --clients --args --entries --format --output --keep --on --exec --trace-event --qmp"
for o in $opts; do
	grep -q -- "$o" "$WORK/help" || fail "--help does not list $o"
	grep -q -- "${o//-/\\\\-}" "$ROOT/docs/man/vtrace.1" || fail "vtrace.1 does not name $o"
done
grep -q 'guest_hypertrace' "$WORK/help" || fail "--help does not name the USDT probe"

bad() {	# pattern args...
	local pat=$1 rc=0
	shift
	"$VTRACE" hypertrace "$@" >/dev/null 2>"$WORK/err" || rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q -- "$pat" "$WORK/err" ||
		fail "$*: exit $rc: $(cat "$WORK/err")"
	[ -e "$P" ] && fail "$*: region made"
	true
}
bad 'give the region' --clients 2
bad "invalid --clients '0'" --path "$P" --clients 0
bad "invalid --clients '4097'" --path "$P" --clients 4097
bad "invalid --clients '2x'" --path "$P" --clients 2x
bad "invalid --args '17'" --path "$P" --args 17
bad "invalid --args ''" --path "$P" --args ''
bad "invalid --entries '1000': give a power of 2" --path "$P" --entries 1000
bad "invalid --entries '2097152'" --path "$P" --entries 2097152
bad "invalid --format 'xml': give log or dat" --path "$P" --format xml
bad "unexpected argument 'extra'" --path "$P" extra
bad "try 'vtrace hypertrace --help'" --path "$P" --no-such-option
true
