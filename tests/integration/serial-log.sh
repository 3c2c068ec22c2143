#!/usr/bin/env bash
# The serial log under load (issue 16): a guest printing thousands of
# numbered lines on its serial console, a console client attached, the
# host's CPUs busy and the daemon held still for two seconds mid-flow (a
# daemon that reads late: QEMU's socket to it fills). Every line is in
# the domain's serial log exactly once, in order, character for
# character, and the console client got the same lines.
. "$(dirname "$0")/lib.sh"
need_images
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then need_asan_daemon; start_daemon "$ASAN_VIREOD"; else start_daemon; fi
LOG=$ROOT/var/log/vireo/qemu/chatty-serial0.log
tiny_xml chatty >"$ROOT/chatty.xml"
"$VIREO" define "$ROOT/chatty.xml" >/dev/null
start_booted chatty "the tiny guest boots"

N=3000
line() { echo "VRLINE-$1-abcdefghijklmnopqrstuvwxyz-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ"; }
want=$ROOT/want
for i in $(seq 0 $((N - 1))); do line "$i"; done >"$want"
# One client types the loop and stays attached, reading everything. The
# command's echo prints VRLINE-$i and VR""DONE literally, never a number.
cmd="i=0; while [ \$i -lt $N ]; do echo VRLINE-\$i-abcdefghijklmnopqrstuvwxyz-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ; i=\$((i+1)); done; echo VR\"\"DONE"
# (It types, then keeps the console open until the test ends: a stop file,
# or the root gone; its stderr away from the test's.)
{ printf '%s\n' "$cmd"; while [ -d "$ROOT" ] && [ ! -e "$ROOT/client-stop" ]; do sleep 0.2; done; } 2>/dev/null |
    "$VIREO" console chatty >"$ROOT/client.out" 2>&1 &
CLIENT=$!
# Both CPUs busy while it prints.
busy=()
for _ in 1 2; do (end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do :; done) & busy+=($!); done
wait_for 60 "the guest is printing its lines" grep -aq 'VRLINE-100-' "$LOG"
kill -STOP "$DAEMON_PID"
sleep 2
kill -CONT "$DAEMON_PID"
ok "the daemon held still for 2 s mid-flow (QEMU's socket to it fills)"
wait_for 240 "the guest printed all $N lines" grep -aq '^VRDONE' "$LOG"
kill "${busy[@]}" 2>/dev/null || true
wait "${busy[@]}" 2>/dev/null || true
got=$ROOT/got
tr -d '\r' <"$LOG" | grep -a '^VRLINE-[0-9]' >"$got" || true
expect_eq "the serial log has each of the $N lines once" "$(wc -l <"$got")" "$N"
diff -q "$want" "$got" >/dev/null || fail "the serial log's lines differ from the guest's: $(diff "$want" "$got" | head -5)"
ok "  in order, character for character (no doubled characters)"
wait_for 30 "the console client got the end too" grep -aq '^VRDONE' "$ROOT/client.out"
tr -d '\r' <"$ROOT/client.out" | grep -a '^VRLINE-[0-9]' | cmp -s - "$want" ||
    fail "the console client's lines differ from the guest's: $(tr -d '\r' <"$ROOT/client.out" | grep -a '^VRLINE-[0-9]' | diff "$want" - | head -5)"
ok "  and the console client's lines are the same"
touch "$ROOT/client-stop"
kill "$CLIENT" 2>/dev/null || true
wait "$CLIENT" 2>/dev/null || true
"$VIREO" destroy chatty >/dev/null
[ -n "${VIREO_ASAN_BUILD:-}" ] && no_sanitizer_report
echo "serial-log: $CHECKS checks passed"
