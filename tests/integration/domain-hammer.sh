#!/usr/bin/env bash
# 20 clients hammer list and dominfo while domains start and stop, on the
# ASan/UBSan build of the daemon: no client error, no crash, no leak.
. "$(dirname "$0")/lib.sh"
need_images
need_asan_daemon
start_daemon "$ASAN_VIREOD"

for n in 1 2 3; do
    tiny_xml "h$n" > "$ROOT/h$n.xml"
    "$VIREO" define "$ROOT/h$n.xml" >/dev/null
done

hammer() {
    local i errors=0
    for i in $(seq 1 40); do
        "$VIREO" list --all >/dev/null || errors=$((errors + 1))
        "$VIREO" dominfo "h$((i % 3 + 1))" >/dev/null || errors=$((errors + 1))
    done
    echo "$errors" > "$ROOT/hammer.$1"
}
HAMMERS=()
for c in $(seq 1 20); do
    hammer "$c" &
    HAMMERS+=($!)
done

# Meanwhile: domains start and stop.
for round in 1 2; do
    for n in 1 2 3; do "$VIREO" start "h$n" >/dev/null || fail "start h$n (round $round)"; done
    for n in 1 2 3; do "$VIREO" destroy "h$n" >/dev/null || fail "destroy h$n (round $round)"; done
done
for p in "${HAMMERS[@]}"; do wait "$p"; done
total=0
for c in $(seq 1 20); do total=$((total + $(cat "$ROOT/hammer.$c"))); done
expect_eq "client errors under load" "$total" 0

kill -0 "$DAEMON_PID" || fail "daemon died under load"
ok "daemon alive"
no_sanitizer_report
