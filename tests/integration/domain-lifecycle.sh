#!/usr/bin/env bash
# A domain's whole life through the CLI, against a real vireod and a real
# QEMU booting the tiny guest under TCG: define, start, console, suspend,
# resume, ACPI shutdown, start again, destroy, undefine; then the daemon
# killed and restarted under a running domain, and QEMU killed under it.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon

tiny_xml tiny > "$ROOT/tiny.xml"
out=$("$VIREO" define "$ROOT/tiny.xml")
expect_eq "define" "$out" "Domain 'tiny' defined from $ROOT/tiny.xml"
expect_eq "state after define" "$("$VIREO" domstate --reason tiny)" "shut off (unknown)"
expect_match "list --all shows it" "$("$VIREO" list --all)" ' -  +tiny +shut off'
expect_eq "list (running only) is empty" "$("$VIREO" list --name)" ""
uuid=$("$VIREO" domuuid tiny)
expect_match "generated uuid" "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
expect_match "dumpxml carries the uuid" "$("$VIREO" dumpxml tiny)" "<uuid>$uuid</uuid>"
expect_match "dumpxml carries a generated MAC" "$("$VIREO" dumpxml tiny)" "<mac address=.52:54:00:"

# Events: one watcher for the whole run.
"$VIREO" event --loop --domain tiny > "$ROOT/events1.txt" &
EVENTS=$!
sleep 0.3

expect_eq "start" "$("$VIREO" start tiny)" "Domain 'tiny' started"
expect_eq "state running" "$("$VIREO" domstate --reason tiny)" "running (booted)"
expect_match "id assigned" "$("$VIREO" domid tiny)" '^[0-9]+$'
"$VIREO" console tiny --history > "$ROOT/console.txt" 2>&1 &
CONSOLE=$!
wait_for 60 "console shows VIREO-GUEST-READY" file_has "$ROOT/console.txt" VIREO-GUEST-READY

# The console is interactive: a command typed in reaches the guest's shell.
printf 'echo CONSOLE-$((6*7))\n' > "$ROOT/in.txt"
"$VIREO" console tiny < "$ROOT/in.txt" > "$ROOT/console2.txt" 2>&1 &
CONSOLE2=$!
wait_for 30 "typed command runs in the guest" file_has "$ROOT/console.txt" CONSOLE-42
kill $CONSOLE2 2>/dev/null || true

expect_eq "suspend" "$("$VIREO" suspend tiny)" "Domain 'tiny' suspended"
expect_eq "paused" "$("$VIREO" domstate --reason tiny)" "paused (user)"
expect_fail "suspend twice" "already paused" "$VIREO" suspend tiny
expect_eq "resume" "$("$VIREO" resume tiny)" "Domain 'tiny' resumed"
expect_eq "running again" "$("$VIREO" domstate tiny)" "running"

stats=$("$VIREO" domstats tiny --json)
expect_match "domstats cpu time" "$(jq -r '.cpu_time_ns' <<<"$stats")" '^[1-9][0-9]*$'
expect_match "domstats memory" "$(jq -r '.memory_max_kib' <<<"$stats")" '^262144$'
expect_match "dominfo" "$("$VIREO" dominfo tiny)" 'State: +running'

out=$("$VIREO" shutdown tiny --wait --timeout 60)
expect_match "graceful shutdown" "$out" "Domain 'tiny' is shut off"
expect_eq "shut off by the guest" "$("$VIREO" domstate --reason tiny)" "shut off (shutdown)"
wait "$CONSOLE" 2>/dev/null || true
ok "console ended with the domain"

"$VIREO" start tiny >/dev/null
expect_eq "started again" "$("$VIREO" domstate tiny)" "running"
expect_eq "destroy" "$("$VIREO" destroy tiny)" "Domain 'tiny' destroyed"
expect_eq "destroyed" "$("$VIREO" domstate --reason tiny)" "shut off (destroyed)"

# The daemon dies under a running domain, and comes back to it.
"$VIREO" start tiny >/dev/null
qemu_pid=$(cat "$ROOT/run/vireo/qemu/tiny/qemu.pid")
kill -9 "$EVENTS" 2>/dev/null || true
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
kill -0 "$qemu_pid" || fail "QEMU died with the daemon"
ok "QEMU outlives a killed daemon"
start_daemon
expect_eq "re-adopted as running" "$("$VIREO" domstate tiny)" "running"
expect_eq "id kept" "$(jq -r '.[0].id != null' <<<"$("$VIREO" list --json)")" "true"
"$VIREO" console tiny --history > "$ROOT/console3.txt" 2>&1 &
wait_for 60 "console works after re-adoption" file_has "$ROOT/console3.txt" VIREO-GUEST-READY
"$VIREO" event --loop --domain tiny > "$ROOT/events.txt" &
EVENTS=$!
sleep 0.3
out=$("$VIREO" shutdown tiny --wait --timeout 60)
expect_match "re-adopted domain shuts down" "$out" "is shut off"

# QEMU dies under the daemon: shut off (crashed), with an event.
"$VIREO" start tiny >/dev/null
qemu_pid=$(cat "$ROOT/run/vireo/qemu/tiny/qemu.pid")
kill -9 "$qemu_pid"
wait_for 10 "crash noticed" state_is tiny "shut off (crashed)"
wait_for 5 "crashed event" file_has "$ROOT/events.txt" "crashed (crashed)"
[ -e "$ROOT/run/vireo/qemu/tiny" ] && fail "run directory left after the crash"
ok "run directory cleaned after the crash"

expect_eq "undefine" "$("$VIREO" undefine tiny)" "Domain 'tiny' has been undefined"
expect_eq "gone" "$("$VIREO" list --all --name)" ""
kill "$EVENTS" 2>/dev/null || true
for e in "started (booted)" "suspended (paused)" "resumed (unpaused)" "shutdown (guest)" \
         "stopped (shutdown)" "stopped (destroyed)"; do
    grep -qF "$e" "$ROOT/events1.txt" || fail "event '$e' missing: $(cat "$ROOT/events1.txt")"
done
grep -qF "undefined (removed)" "$ROOT/events.txt" || fail "undefined event missing"
ok "lifecycle events streamed"
