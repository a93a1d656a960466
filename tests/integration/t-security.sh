#!/bin/bash
# Every file vtrace makes in a shared place is new (exclusive), mode 0600,
# never reached through a symlink; a planted symlink or another user's file
# is refused with a clear error and its target is left untouched.
# vtrace setup's FIFOs and directory, record's output and temporary file,
# run-guest's console, the hypertrace region.
source "$(dirname "$0")/lib.sh"
setup_tracefs
OTHER=nobody
id "$OTHER" >/dev/null 2>&1 || skip "no user $OTHER to plant files as"
VICTIM=$WORK/victim
echo "precious" >"$VICTIM"
untouched() { [ "$(cat "$VICTIM")" = precious ] || fail "the symlink's target was written"; }

expect() {	# code pattern command...
	local code=$1 pattern=$2 rc=0
	shift 2
	timeout 60 "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ $rc -eq "$code" ] || fail "$*: exit $rc, want $code: $(cat "$WORK/err")"
	grep -q -- "$pattern" "$WORK/err" || fail "$*: said '$(cat "$WORK/err")', want '$pattern'"
	say "refused: $(grep -m1 -- "$pattern" "$WORK/err")"
}

# vtrace setup
S=$WORK/s
"$VTRACE" setup --dir "$S" --cpus 1 >/dev/null || fail "setup"
[ "$(stat -c %a "$S")" = 700 ] || fail "setup's directory has mode $(stat -c %a "$S")"
for f in "$S"/*; do [ "$(stat -c %a "$f")" = 600 ] || fail "$f: mode $(stat -c %a "$f")"; done
say "setup: directory 700, $(ls "$S" | wc -l) FIFOs 600"
ln -s "$VICTIM" "$WORK/linkdir"
expect 1 "is not a directory (a symlink?)" "$VTRACE" setup --dir "$WORK/linkdir" --cpus 1
mkdir "$WORK/theirs" && chown "$OTHER" "$WORK/theirs"
expect 1 "belongs to another user" "$VTRACE" setup --dir "$WORK/theirs" --cpus 1
mkdir -m 777 "$WORK/open"
expect 1 "is writable by other users (mode 777)" "$VTRACE" setup --dir "$WORK/open" --cpus 1
mkdir -m 700 "$WORK/p"
ln -s "$VICTIM" "$WORK/p/trace-path-cpu0.out"
expect 1 "trace-path-cpu0.out is a symlink, not a FIFO" "$VTRACE" setup --dir "$WORK/p" --cpus 1
untouched
rm "$WORK/p/trace-path-cpu0.out"; echo x >"$WORK/p/trace-path-cpu0.out"
expect 1 "trace-path-cpu0.out is a regular file, not a FIFO" "$VTRACE" setup --dir "$WORK/p" --cpus 1
rm "$WORK/p/trace-path-cpu0.out"; mkfifo "$WORK/p/trace-path-cpu0.out"
chown "$OTHER" "$WORK/p/trace-path-cpu0.out"
expect 1 "trace-path-cpu0.out is a FIFO of another user" "$VTRACE" setup --dir "$WORK/p" --cpus 1
rm "$WORK/p/trace-path-cpu0.out"; mkfifo -m 666 "$WORK/p/trace-path-cpu0.out"
"$VTRACE" setup --dir "$WORK/p" --cpus 1 >/dev/null 2>"$WORK/err" || fail "setup: $(cat "$WORK/err")"
[ "$(stat -c %a "$WORK/p/trace-path-cpu0.out")" = 600 ] || fail "a 666 FIFO was kept as it was"
say "a seed-style FIFO of ours: $(cat "$WORK/err")"

# vtrace record: the output and its temporary file
setup_channels
start_guest_agent
ln -s "$VICTIM" "$WORK/link.dat"
expect 1 "link.dat is a symlink; refusing to replace it" \
	"$VTRACE" record -q --dir "$CH" -o "$WORK/link.dat" -D 1
untouched
[ -L "$WORK/link.dat" ] || fail "the symlink was replaced"
touch "$WORK/theirs.dat" && chown "$OTHER" "$WORK/theirs.dat"
expect 1 "theirs.dat belongs to another user" \
	"$VTRACE" record -q --dir "$CH" -o "$WORK/theirs.dat" -D 1
ls "$WORK" | grep -q '\.dat\.' && fail "a temporary file was left behind"
"$VTRACE" record -q --dir "$CH" -o "$WORK/ok.dat" -D 3 2>"$WORK/rec.err" &
rec=$!
for ((i = 0; i < 100; i++)); do
	tmp=$(ls "$WORK"/ok.dat.?????? 2>/dev/null | head -1 || true)
	[ -n "$tmp" ] && break
	sleep 0.05
done
[ -n "$tmp" ] || fail "no temporary file seen"
[ "$(stat -c %a "$tmp")" = 600 ] || fail "the temporary file has mode $(stat -c %a "$tmp")"
wait $rec || fail "record: $(cat "$WORK/rec.err")"
say "record: temporary file $(basename "$tmp") mode 600 while recording"
end_agent

# vtrace run-guest: the console (refused before QEMU starts)
G=$WORK/guest
mkdir "$G" && touch "$G/initramfs.cpio.gz" "$G/vmlinuz"
ln -s "$VICTIM" "$WORK/console.log"
expect 1 "console.log is a symlink; refusing to replace it" \
	"$VTRACE" run-guest --dir "$WORK/rg" --guest "$G" --accel tcg --console "$WORK/console.log"
untouched
mkdir -m 700 "$WORK/rg2"; touch "$WORK/rg2/console.log"; chown "$OTHER" "$WORK/rg2/console.log"
expect 1 "console.log belongs to another user" \
	"$VTRACE" run-guest --dir "$WORK/rg2" --guest "$G" --accel tcg

# vtrace hypertrace: the region in /dev/shm
R=/dev/shm/vtrace-sec-$$
trap 'rc=$?; rm -f "$R"; (exit $rc); cleanup' EXIT
ln -s "$VICTIM" "$R"
expect 1 "cannot create $R: File exists; something is there already" \
	"$VTRACE" hypertrace --path "$R"
untouched
rm "$R"; touch "$R"
expect 1 "cannot create $R: File exists" "$VTRACE" hypertrace --path "$R"
rm "$R"
"$VTRACE" hypertrace --path "$R" -c 1 -e 16 >/dev/null 2>"$WORK/ht.err" &
ht=$!
for ((i = 0; i < 100; i++)); do [ -e "$R" ] && break; sleep 0.05; done
mode=$(stat -c %a "$R" 2>/dev/null || true)
kill -INT $ht; wait $ht || true
[ "$mode" = 600 ] || fail "the hypertrace region has mode '$mode'"
[ -e "$R" ] && fail "the region was left behind"
say "hypertrace: region mode 600, removed at exit"
ln -s "$VICTIM" "$WORK/ht-out"
expect 1 "cannot write $WORK/ht-out: a symbolic link (refused" \
	"$VTRACE" hypertrace --path "$R" -o "$WORK/ht-out"
untouched
[ -e "$R" ] && fail "a refused collector left its region behind"
say "hypertrace: a symlink as -o is refused"
say "every planted symlink's target is untouched"
