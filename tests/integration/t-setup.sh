#!/bin/bash
# vtrace setup: FIFOs with mode 0600; symlinks and other files refused;
# the QEMU options start a real QEMU with the three ports; libvirt XML.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/vtrace-test.XXXXXX)
D=$WORK/vt
"$VTRACE" setup --dir "$D" --cpus 2 >"$WORK/opts" || fail "setup failed"
for f in agent-ctl-path trace-path-cpu0 trace-path-cpu1; do
	for s in in out; do
		[ -p "$D/$f.$s" ] || fail "$f.$s is not a FIFO"
		[ "$(stat -c %a "$D/$f.$s")" = 600 ] || fail "$f.$s mode $(stat -c %a "$D/$f.$s")"
	done
done
"$VTRACE" setup --dir "$D" --cpus 2 >/dev/null || fail "setup is not idempotent"

# each data port on its own chardev (the seed's typo)
grep -q 'chardev=charchannel1,id=channel1,name=trace-path-cpu0' "$WORK/opts" || fail "cpu0 chardev"
grep -q 'chardev=charchannel2,id=channel2,name=trace-path-cpu1' "$WORK/opts" || fail "cpu1 chardev"

if command -v qemu-system-x86_64 >/dev/null; then
	eval "set -- $(tr -d '\\\n' <"$WORK/opts")"
	printf '%s\n' '{"execute":"qmp_capabilities"}' \
		'{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}' \
		'{"execute":"quit"}' |
		timeout 20 qemu-system-x86_64 -machine pc -accel tcg -nodefaults -display none -S \
			-qmp stdio "$@" >"$WORK/qmp" 2>&1 || fail "QEMU refused the options: $(cat "$WORK/qmp")"
	for p in channel0 channel1 channel2; do
		grep -q "\"name\": \"$p\", \"type\": \"child<virtserialport>\"" "$WORK/qmp" ||
			fail "QEMU has no $p: $(cat "$WORK/qmp")"
	done
	say "QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}') took the options: 3 virtserialports"
else
	say "no qemu-system-x86_64: options not started"
fi

"$VTRACE" setup --dir "$D" --cpus 2 --format libvirt >"$WORK/xml"
[ "$(grep -c "<channel type='pipe'>" "$WORK/xml")" -eq 3 ] || fail "libvirt XML"
grep -q "<target type='virtio' name='trace-path-cpu1'/>" "$WORK/xml" || fail "libvirt target"
libvirt_validate "$WORK/xml"
say "libvirt $(virt-xml-validate --version 2>/dev/null | awk '{ print $NF }')'s schema: the channels validate"

# refused: a planted symlink, a regular file, a symlinked dir, bad counts
expect_setup() {	# code pattern args...
	local code=$1 pattern=$2 rc=0
	shift 2
	"$VTRACE" setup "$@" >/dev/null 2>"$WORK/err" || rc=$?
	[ $rc -eq "$code" ] && grep -q -- "$pattern" "$WORK/err" ||
		fail "setup $*: exit $rc: $(cat "$WORK/err")"
	say "exit $rc: $(cat "$WORK/err")"
}
mkdir "$WORK/s"
ln -s /etc/passwd "$WORK/s/agent-ctl-path.in"
expect_setup 1 "agent-ctl-path.in is a symlink, not a FIFO" --dir "$WORK/s" --cpus 1
[ "$(cat /etc/passwd | head -c 4)" = "root" ] || fail "/etc/passwd touched"
rm "$WORK/s/agent-ctl-path.in"; touch "$WORK/s/trace-path-cpu0.out"
expect_setup 1 "trace-path-cpu0.out is a regular file, not a FIFO" --dir "$WORK/s" --cpus 1
ln -s "$WORK/s" "$WORK/link"
expect_setup 1 "is not a directory (a symlink?)" --dir "$WORK/link" --cpus 1
expect_setup 2 "invalid CPU count '0'" --dir "$WORK/s" --cpus 0
expect_setup 2 "--cpus N is needed" --dir "$WORK/s"
expect_setup 2 "unknown format 'xml'" --dir "$WORK/s" --cpus 1 --format xml
"$VTRACE" --help | grep -q '^Usage: vtrace COMMAND' || fail "vtrace --help"
for c in setup start stop record report; do
	"$VTRACE" $c --help | grep -q "^Usage: vtrace $c" || fail "vtrace $c --help"
done
