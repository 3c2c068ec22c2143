#!/usr/bin/env bash
# The serial log under load (issue 16): a guest printing thousands of
# numbered lines on its serial console, a console client attached, the
# host's CPUs busy and the daemon held still for two seconds mid-flow (a
# daemon that reads late: QEMU's socket to it fills). Every line is in
# the domain's serial log exactly once, in order, character for
# character, and the console client got the same lines.
#
# Across daemon restarts (issue 17): the serial logger (one per daemon,
# vireo-serial-logger, for all its running domains) holds the port, so a guest printing a
# numbered line every 0.2 s while vireod is stopped (SIGTERM) for 3 s,
# then killed (-9) for 2 s, has every line in its log once; the logger
# is re-adopted, `vireo console` (and its --history; virsh console too)
# works after each restart, and the logger is gone after `vireo destroy`
# of its last domain; a second domain shares the same logger, its log and
# console apart; a logger killed under a running QEMU leaves the guest
# running and a console request refused in one line.
. "$(dirname "$0")/lib.sh"
need_images
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then need_asan_daemon; BIN=$ASAN_VIREOD; else BIN=$VIREOD; fi
start_daemon "$BIN"
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

# ---- the serial logger across daemon restarts (issue 17) ----
RUN=$ROOT/run/vireo/qemu/chatty
QLOG=$ROOT/var/log/vireo/qemu/chatty.log
grep -q -- '-chardev socket,id=serial0,fd=[0-9]*' "$QLOG" ||
    fail "QEMU's serial port is not the logger's socket: $(grep -o 'id=serial0[^ ]*' "$QLOG")"
grep 'starting:' "$QLOG" | grep -q -- ' -S ' && fail "QEMU was started under -S (the logger needs no cont)"
ok "QEMU's serial port is the logger's socket (fd=N), and QEMU started without -S"
head -1 "$LOG" | grep -aq '^\[ *0\.000000\] Linux version' ||
    fail "the serial log does not begin with the guest's first line: $(head -c 120 "$LOG")"
ok "  the guest's first line is the log's first line"
LPID=$ROOT/run/vireo/serial-logger.pid
LOGGER=$(cat "$LPID")
tr '\0' ' ' <"/proc/$LOGGER/cmdline" | grep -q "vireo-serial-logger --control $ROOT/run/vireo/serial-logger.sock" ||
    fail "pid $LOGGER (serial-logger.pid) is not the daemon's serial logger: $(tr '\0' ' ' <"/proc/$LOGGER/cmdline")"
[ "$(stat -c %a "$LOG")" = 600 ] || fail "the serial log's mode is $(stat -c %a "$LOG"), not 600"
[ "$(stat -c %a "$RUN/serial0-log.sock")" = 600 ] || fail "the console socket is not 0600"
[ "$(stat -c %a "$ROOT/run/vireo/serial-logger.sock")" = 600 ] || fail "the logger's control socket is not 0600"
expect_eq "  one serial logger runs" "$(pgrep -c -f "vireo-serial-logger --control $ROOT/")" 1
ok "the serial logger (pid $LOGGER) holds chatty's port; the log and its sockets are 0600"

T=100
ticks() { tr -d '\r' <"$LOG" | grep -aoE 'VRTICK-[0-9]+' | sed 's/VRTICK-//' || true; }
last_tick() { ticks | tail -1; }
ticks_above() { [ "$(last_tick)" -ge "$1" ] 2>/dev/null; }
# A numbered line every 0.2 s from a background job of the guest's
# shell (its echo prints VRTICK-$i literally, never a number).
guest chatty "(i=0; while [ \$i -lt $T ]; do echo VRTICK-\$i; i=\$((i+1)); sleep 0.2; done; echo VR\"\"TICKS-DONE) &" >/dev/null
wait_for 30 "the guest prints a numbered line every 0.2 s" ticks_above 5

# away HOW SECONDS: vireod gone (SIGTERM, or kill -9) for SECONDS while
# the guest prints: the log goes on (at 5 lines a second, at least 3 are
# asked); then a daemon starts again and re-adopts the same logger.
ADOPTED=0
away() {
    if [ "$1" = SIGTERM ]; then
        stop_daemon
    else
        kill -9 "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID=
    fi
    local before
    before=$(last_tick)
    sleep "$2"
    during=$(last_tick)
    [ "$during" -ge $((before + 3 * $2)) ] ||
        fail "the log grew from line $before to only $during in the $2 s without a daemon ($1)"
    ok "with vireod ended by $1 the log went on: lines $before..$during written in $2 s without a daemon"
    start_daemon "$BIN"
    ADOPTED=$((ADOPTED + 1))
    [ "$(grep -c "chatty: serial logger (pid $LOGGER) re-adopted" "$ROOT/vireod.log")" = "$ADOPTED" ] ||
        fail "the daemon started after $1 did not re-adopt the serial logger (pid $LOGGER)"
    ok "  the restarted daemon re-adopted the same serial logger"
}

away SIGTERM 3
hist=$(timeout 3 "$VIREO" console --history chatty </dev/null 2>/dev/null | tr -d '\r' || true)
grep -q "^VRTICK-$((during - 1))\$" <<<"$hist" ||
    fail "console --history after the restart lacks line $((during - 1)), printed while no daemon ran"
ok "  console --history after the restart replays what the guest printed while no daemon ran"
expect_match "  vireo console after the restart reaches the guest" "$(guest chatty 'echo VRALIVE-$((6*7))')" 'VRALIVE-42'
away 'kill -9' 2
expect_match "  vireo console after the restart reaches the guest" "$(guest chatty 'echo VRALIVE-$((7*8))')" 'VRALIVE-56'
# libvirt's clients join the same console (virsh console needs a terminal).
command -v virsh >/dev/null || fail "virsh missing (make deps: libvirt-clients)"
con=$( (sleep 1; printf 'echo VRVIRSH-$((8*9))\n'; sleep 2; printf '\035') |
    timeout 20 script -qfec "virsh -c 'qemu:///system?socket=$ROOT/libvirt-sock' console chatty" /dev/null |
    tr -d '\r' || true)
expect_match "  and so does virsh console (libvirt's protocol)" "$con" 'VRVIRSH-72'

wait_for 60 "the guest printed all $T numbered lines" grep -aq '^VRTICKS-DONE' "$LOG"
expect_eq "the serial log has each numbered line once, in order: none missing, none doubled" \
    "$(ticks | tr '\n' ' ')" "$(seq 0 $((T - 1)) | tr '\n' ' ')"

# A second domain: the same logger takes its port; logs and consoles apart.
tiny_xml quiet >"$ROOT/quiet.xml"
"$VIREO" define "$ROOT/quiet.xml" >/dev/null
start_booted quiet "a second guest, quiet, boots"
QUIET_LOG=$ROOT/var/log/vireo/qemu/quiet-serial0.log
grep -aq 'Linux version' "$QUIET_LOG" || fail "quiet's kernel lines are not in its own serial log"
expect_eq "  the same serial logger holds both ports" "$(cat "$LPID") $(pgrep -c -f "vireo-serial-logger --control $ROOT/")" "$LOGGER 1"
grep -aq 'VRTICK' "$QUIET_LOG" && fail "chatty's lines are in quiet's serial log"
ok "  quiet's log has none of chatty's lines"
"$VIREO" destroy chatty >/dev/null
expect_match "  with chatty destroyed the logger goes on for quiet" \
    "$(guest quiet 'echo VRQUIET-$((5*5))')" 'VRQUIET-25'
kill -0 "$LOGGER" 2>/dev/null || fail "the serial logger ended with quiet still running"
"$VIREO" destroy quiet >/dev/null
logger_gone() { ! kill -0 "$LOGGER" 2>/dev/null; }
wait_for 5 "after vireo destroy of its last domain the serial logger (pid $LOGGER) is gone" logger_gone

# A logger that dies under a running QEMU (kill -9): the guest runs on,
# and a console asked for is refused in one line rather than left hanging.
"$VIREO" start chatty >/dev/null
LOGGER=$(cat "$LPID")
closes() { grep -c 'chatty: its serial console closed' "$ROOT/vireod.log" || true; }
closed_before=$(closes)
kill -9 "$LOGGER"
closed_more() { [ "$(closes)" -gt "$closed_before" ]; }
wait_for 10 "the daemon saw the serial logger end" closed_more
expect_eq "  the domain runs on" "$("$VIREO" domstate chatty)" running
expect_fail "  vireo console is refused in one line" "has no serial console" timeout 10 "$VIREO" console chatty
"$VIREO" destroy chatty >/dev/null
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
    # The logger is the ASan build's too; its stderr is its own log.
    LLOG=$ROOT/var/log/vireo/serial-logger.log
    if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$LLOG"; then
        grep -E -A20 'AddressSanitizer|LeakSanitizer|runtime error' "$LLOG" | head -40 >&2
        fail "sanitizer report from the serial logger in $LLOG"
    fi
    ok "no sanitizer report from the serial logger"
    no_sanitizer_report
fi
echo "serial-log: $CHECKS checks passed"
