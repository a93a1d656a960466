#!/bin/bash
# The USDT probe vtrace:guest_hypertrace is in build/vtrace with its 12
# arguments (readelf -n), and fires for every event with $arg1 = the event's
# arg1, $arg2 = client, then arg2...arg11: checked at run time with a kernel
# uprobe placed where the SDT note says, fetching the arguments the way
# SystemTap and bpftrace do (from the note's operands), read in a tracefs
# instance.
source "$(dirname "$0")/lib.sh"
command -v readelf >/dev/null || skip "no readelf (binutils)"

readelf -n "$VTRACE" >"/tmp/vtrace-usdt-$$" || fail "readelf -n failed"
note=$(grep -A3 'Provider: vtrace' "/tmp/vtrace-usdt-$$" | grep -A2 'Name: guest_hypertrace' || true)
rm -f "/tmp/vtrace-usdt-$$"
[ -n "$note" ] || fail "no stapsdt note vtrace:guest_hypertrace in $VTRACE"
loc=$(echo "$note" | grep -o 'Location: 0x[0-9a-f]*' | cut -d' ' -f2)
read -ra sdt_args <<<"$(echo "$note" | sed -n 's/.*Arguments: //p')"
[ ${#sdt_args[@]} -eq 12 ] || fail "want 12 probe arguments: ${sdt_args[*]}"
[[ ${sdt_args[0]} == 8@* && ${sdt_args[1]} == 4@* ]] || fail "arg1 is not u64 or client not u32: ${sdt_args[*]}"
say "vtrace:guest_hypertrace at $loc: ${sdt_args[*]}"

# The run-time check: a uprobe with the same operands.
setup_tracefs
[ -w "$T/uprobe_events" ] || skip "no uprobe_events in $T"
reg() {
	case ${1#%} in
	rax | eax | ax | al) echo %ax ;; rbx | ebx | bx | bl) echo %bx ;;
	rcx | ecx | cx | cl) echo %cx ;; rdx | edx | dx | dl) echo %dx ;;
	rsi | esi | si | sil) echo %si ;; rdi | edi | di | dil) echo %di ;;
	rbp | ebp | bp) echo %bp ;; rsp | esp | sp) echo %sp ;;
	r[0-9]*) local r=${1#%}; echo "%${r%%[dwb]}" ;;
	*) return 1 ;;
	esac
}
fetch() {	# an SDT operand (8@40(%rbx), -4@%eax, 8@$5) as a uprobe fetcharg
	local size=${1%%@*} op=${1#*@} t off r
	case $size in 8) t=u64 ;; 4) t=u32 ;; 2) t=u16 ;; 1) t=u8 ;; -8) t=s64 ;; -4) t=s32 ;;
	-2) t=s16 ;; -1) t=s8 ;; *) return 1 ;; esac
	if [[ $op == \$* ]]; then
		echo "\\${op#\$}:$t"
	elif [[ $op =~ ^(-?[0-9]*)\((%[a-z0-9]+)\)$ ]]; then
		off=${BASH_REMATCH[1]}
		r=$(reg "${BASH_REMATCH[2]}") || return 1
		echo "+${off:-0}($r):$t"
	else
		r=$(reg "$op") || return 1
		echo "$r:$t"
	fi
}
names=(arg1 client arg2 arg3 arg4 arg5 arg6 arg7 arg8 arg9 arg10 arg11)
spec=""
for i in "${!sdt_args[@]}"; do
	f=$(fetch "${sdt_args[$i]}") || skip "operand ${sdt_args[$i]} not expressible as a uprobe fetcharg"
	spec="$spec ${names[$i]}=$f"
done
# the file offset of the probe's address, from the program headers
off=""
while read -r _ o v _ fs _; do
	o=$((o)) v=$((v)) fs=$((fs))
	if [ $((loc)) -ge $v ] && [ $((loc)) -lt $((v + fs)) ]; then off=$((loc - v + o)); break; fi
done < <(readelf -lW "$VTRACE" | grep '^ *LOAD')
[ -n "$off" ] || fail "no LOAD segment holds $loc"
GRP=vtht$$
P=/dev/shm/vtrace-test-htusdt-$$
remove_probe() {
	echo 0 >"$T/instances/$INST/events/$GRP/guest_hypertrace/enable" 2>/dev/null || true
	echo "-:$GRP/guest_hypertrace" >>"$T/uprobe_events" 2>/dev/null || true
}
trap 'rc=$?; rm -f "$P"; remove_probe; (exit $rc); cleanup' EXIT
tracefs_write "p:$GRP/guest_hypertrace $VTRACE:$(printf '0x%x' $off)$spec" "$T/uprobe_events" ">>"
tracefs_write 1 "$T/instances/$INST/events/$GRP/guest_hypertrace/enable"

"$VTRACE" hypertrace --path "$P" --clients 2 --args 6 -o /dev/null 2>"$WORK/err" &
col=$!
READER_PIDS+=($col)
for ((i = 0; i < 100; i++)); do [ -e "$P" ] && break; sleep 0.05; done
"$B/tests/vt-htemit" -p "$P" -t 2 -n 3 >/dev/null
sleep 0.3
kill -INT $col
wait $col || fail "collector: $(cat "$WORK/err")"
echo 0 >"$T/instances/$INST/events/$GRP/guest_hypertrace/enable"
grep -o 'arg1=.*' "$T/instances/$INST/trace" | sort >"$WORK/got"
for c in 0 1; do
	for i in 1 2 3; do
		printf 'arg1=%d client=%d' $i $c
		for k in 2 3 4 5 6; do printf ' arg%d=%d' $k $(((c << 32) | (i << 8) | k)); done
		printf ' arg7=0 arg8=0 arg9=0 arg10=0 arg11=0\n'
	done
done | sort >"$WORK/want"
cmp -s "$WORK/want" "$WORK/got" || fail "probe arguments: $(diff "$WORK/want" "$WORK/got" | head -6)"
say "the probe fired 6 times: $(head -1 "$WORK/got")"
