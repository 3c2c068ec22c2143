#!/usr/bin/env bash
# Connection exhaustion:
#  1. user nobody (setpriv) opens as many idle connections as it can to
#     the read-only socket and holds them; root's `vireo list` must still
#     be answered within 1 s;
#  2. many unauthenticated idle TCP connections to the web listener; a
#     client with the web token must still be served within 1 s.
. "$(dirname "$0")/lib.sh"
campaign_setup exhaust
PORT=18480
start_vireod --web "127.0.0.1:$PORT" || { echo "exhaust: vireod did not start" >&2; exit 1; }
failed=0

# hold KIND TARGET N: open up to N idle connections, print how many, hold.
HOLD='
import socket, sys, time, resource
kind, target, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for _ in range(n):
    try:
        if kind == "unix":
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(2)  # a full backlog blocks connect() on a unix socket
            s.connect(target)
        else:
            host, port = target.rsplit(":", 1)
            s = socket.create_connection((host, int(port)), timeout=2)
        held.append(s)
    except OSError:
        break
print(len(held), flush=True)
time.sleep(3600)
'

# timed_ok CMD...: milliseconds CMD took, or "none" if it failed/took over 1 s
timed_ok() {
    local t0
    t0=$(date +%s%N)
    timeout 1 "$@" >/dev/null 2>&1 && ms_since "$t0" || echo none
}

setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c "$HOLD" unix "$RO_SOCK" 20000 >"$ROOT/ro.count" &
HOLDER=$!
for _ in $(seq 1 1200); do [ -s "$ROOT/ro.count" ] && break; sleep 0.1; done
sleep 1
n=$(cat "$ROOT/ro.count" 2>/dev/null)
ms=$(timed_ok "$VIREO" list --all)
v=PASS
[ "$ms" = none ] && v=FAIL
[ "${n:-0}" -gt 0 ] || { v=FAIL; ms="$ms (the read-only socket took no connection: is RO_SOCK right?)"; }
[ $v = FAIL ] && failed=$((failed + 1))
result exhaust_readonly "$v: nobody held ${n:-0} idle connections to the read-only socket; root's vireo list: ${ms} ms"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

TOKEN=$("$VIREO" web-token 2>/dev/null)
innet /usr/bin/python3 -c "$HOLD" tcp "127.0.0.1:$PORT" 20000 >"$ROOT/web.count" &
HOLDER=$!
for _ in $(seq 1 1200); do [ -s "$ROOT/web.count" ] && break; sleep 0.1; done
sleep 1
n=$(cat "$ROOT/web.count" 2>/dev/null)
# (timeout runs programs, not the innet function)
ms=$(timed_ok ip netns exec "$NS" curl -sf -m 1 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/domains")
v=PASS
[ "$ms" = none ] && v=FAIL && failed=$((failed + 1))
[ -n "$TOKEN" ] || { v=FAIL; ms="no web token"; }
result exhaust_web "$v: ${n:-0} unauthenticated idle connections to the web listener; a client with the token: ${ms} ms"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
kill -0 "$DAEMON_PID" 2>/dev/null || { failed=$((failed + 1)); result exhaust_daemon "FAIL: vireod died"; }
result exhaust_failed "$failed"
[ "$failed" -eq 0 ]
