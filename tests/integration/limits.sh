#!/usr/bin/env bash
# No client can stall vireod's listeners (issue 22): an unprivileged user
# holding connections open on the read-only socket is capped and refused
# past the cap while root is served, under the common 1024-descriptor
# limit and on the ASan build; idle, half-sent and garbage connections
# end on their deadlines while the event stream lives on; the web port
# serves a logged-in client through 5,000 unauthenticated connections;
# wrong tokens slow down and are logged once a lockout; logout and
# `vireo web-token --rotate` end sessions for good.
source "$(dirname "$0")/lib.sh"
need_images
ASAN_VIREOD=${VIREO_ASAN_BUILD:-}/src/daemon/vireod
[ -x "$ASAN_VIREOD" ] || fail "no ASan daemon at $ASAN_VIREOD (make asan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
FLOOD="/usr/bin/python3 $VIREO_SRC/tests/integration/flood.py"
FLOOD_PID=
test_cleanup() { [ -z "$FLOOD_PID" ] || kill "$FLOOD_PID" 2>/dev/null || true; }

ms() { date +%s%3N; }
log_lines() { wc -l <"$ROOT/vireod.log"; }
# flood_start READY ARGS...: hold connections (flood.py) in the background
# until stop_flood; READY gets "open=N refused=M busy=B".
flood_start() {
    local ready=$1
    shift
    rm -f "$ready"
    "$@" &
    FLOOD_PID=$!
    for _ in $(seq 1 300); do
        [ -s "$ready" ] && return 0
        kill -0 "$FLOOD_PID" 2>/dev/null || fail "flood.py ended early"
        sleep 0.1
    done
    fail "flood.py did not report within 30 s"
}
stop_flood() { kill "$FLOOD_PID" 2>/dev/null || true; wait "$FLOOD_PID" 2>/dev/null || true; FLOOD_PID=; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2"; }

# ---- the unix sockets: the ASan daemon with 1024 descriptors ----
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
DAEMON_WRAP="prlimit --nofile=1024:1024 --"
DAEMON_OPTS="--no-default-network --header-timeout 2 --idle-timeout 3"
start_daemon "$ASAN_VIREOD"
RO_SOCK=$ROOT/vireod-ro.sock
expect_match "the budget comes from the 1024-descriptor limit" "$(grep 'connections:' "$ROOT/vireod.log")" \
    '1024 file descriptors.* on the read-only socket \(32 per uid\)'

# vireo event --loop subscribes now and must outlive the idle timeout.
"$VIREO" event --loop --timeout 90 >"$ROOT/events.txt" 2>&1 &
EVENT_PID=$!

sleep 1 # its subscription made before the flood and the descriptor count
fds=$(ls /proc/"$DAEMON_PID"/fd | wc -l)
before=$(log_lines)
chmod 755 "$ROOT/run" "$ROOT/run/vireo"
mkdir -m 1777 "$ROOT/nobody"
REPORT=$ROOT/nobody/flood-ro
flood_start "$REPORT" setpriv --reuid=nobody --regid=nogroup --clear-groups \
    $FLOOD unix "$RO_SOCK" 1055 "$REPORT"
expect_eq "nobody holds its cap of 32 connections on the read-only socket" "$(field open "$REPORT")" 32
busy=$(field busy "$REPORT")
[ "$busy" -ge 1000 ] || fail "the extra connections were not refused with 503 busy: $(cat "$REPORT")"
ok "the other $busy connections were refused at once with a 503 'busy'"
t0=$(ms)
out=$("$VIREO" list --all --name) || fail "root's vireo list failed during the flood"
t=$(($(ms) - t0))
[ "$t" -lt 1000 ] || fail "root's vireo list took $t ms during the flood"
ok "root's vireo list is answered in $t ms while nobody floods"
t0=$(ms)
"$VIREO" -c "vireo:///system?socket=$RO_SOCK" list --all >/dev/null || fail "root on the read-only socket refused"
ok "root is served on the read-only socket too ($(($(ms) - t0)) ms): the cap is nobody's alone"
lines=$(($(log_lines) - before))
[ "$lines" -le 20 ] || { tail -30 "$ROOT/vireod.log" >&2; fail "the flood wrote $lines log lines"; }
ok "the flood of 1055 connections wrote $lines log lines"
# The held ones end on their header deadline (half of them sent half a
# request, the others nothing): the daemon is back to its descriptors.
daemon_fds_at_most() { [ "$(ls /proc/"$DAEMON_PID"/fd | wc -l)" -le "$1" ]; }
wait_for 10 "the 32 held connections end on the header deadline" daemon_fds_at_most "$((fds + 2))"
stop_flood

# probe KIND: what a single connection to the read-only socket gets, and
# after how many ms: "CLOSED|408|200-then-closed ms".
probe() {
    /usr/bin/python3 - "$RO_SOCK" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); kind = sys.argv[2]
def first():
    d = s.recv(4096)
    return d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1 ") else "closed"
if kind == "keepalive":
    s.sendall(b"GET /v1/domains HTTP/1.1\r\nHost: x\r\n\r\n"); got = first()
    t = time.time(); rest = s.recv(4096)
    print(got + "-then-" + ("closed" if not rest else "data"), int((time.time() - t) * 1000))
    sys.exit()
t = time.time()
if kind == "garbage":
    s.sendall(b"GARBAGE\r\n\r\n")
elif kind == "binary":
    s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
elif kind == "slowloris":
    s.setblocking(False)
    got = None
    for c in b"GET /v1/domains HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000:
        try:
            s.send(bytes([c]))
        except OSError:
            break
        time.sleep(0.25)
        try:
            got = s.recv(4096)
            break
        except BlockingIOError:
            pass
    print(("closed" if not got else got.split(b" ")[1].decode()), int((time.time() - t) * 1000))
    sys.exit()
print(first(), int((time.time() - t) * 1000))
PY
}
read -r what t <<<"$(probe keepalive)"
expect_eq "a kept-alive connection is answered, then closed when idle" "$what" 200-then-closed
[ "$t" -ge 2000 ] && [ "$t" -le 8000 ] || fail "idle close after $t ms, want about the 3 s idle timeout"
ok "the idle connection lasted $t ms (idle timeout 3 s)"
read -r what t <<<"$(probe silent)"
expect_eq "a connection that sends nothing gets 408" "$what" 408
[ "$t" -le 5000 ] || fail "the silent connection lasted $t ms (header timeout 2 s)"
ok "... after $t ms (header timeout 2 s)"
read -r what t <<<"$(probe slowloris)"
expect_eq "headers sent a byte at a time get 408 though bytes keep coming" "$what" 408
[ "$t" -le 5000 ] || fail "the slowloris lasted $t ms (header timeout 2 s)"
ok "... after $t ms"
read -r what t <<<"$(probe garbage)"
[ "$what" = closed ] || [ "$what" = 400 ] || fail "garbage request line got '$what'"
[ "$t" -le 1000 ] || fail "garbage request line held for $t ms"
ok "a garbage request line is refused at once ($what, $t ms)"
read -r what t <<<"$(probe binary)"
expect_eq "binary garbage gets 408" "$what" 408
[ "$t" -le 5000 ] || fail "binary garbage held for $t ms"
ok "... after $t ms"

# The event stream opened before the flood outlived every deadline.
tiny_xml streamed >"$ROOT/streamed.xml"
"$VIREO" define "$ROOT/streamed.xml" >/dev/null
wait_for 10 "the event stream, idle past the timeouts, still delivers" grep -q "streamed" "$ROOT/events.txt"
kill "$EVENT_PID" 2>/dev/null || true
wait "$EVENT_PID" 2>/dev/null || true
no_sanitizer_report

# ---- the web port ----
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
DAEMON_WRAP=
DAEMON_OPTS="--no-default-network --web 127.0.0.1:$PORT --header-timeout 5"
start_daemon
ulimit -n 12000
TOKEN=$("$VIREO" web-token)
LINK=$("$VIREO" web-token --url)
login() { curl -s -o /dev/null -w '%{http_code}' -c "$1" -H 'Content-Type: application/json' \
    -d "{\"token\":\"$2\"}" "$URL/v1/login"; }
get() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect_eq "a client logs in" "$(login "$ROOT/jar1" "$TOKEN")" 200

before=$(log_lines)
flood_start "$ROOT/flood-web" $FLOOD tcp 127.0.0.1 "$PORT" 5000 20 "$ROOT/flood-web"
ok "5000 unauthenticated connections from 20 addresses: $(cat "$ROOT/flood-web")"
t0=$(ms)
expect_eq "the logged-in client is served through the flood" "$(get -b "$ROOT/jar1" "$URL/v1/domains")" 200
t=$(($(ms) - t0))
[ "$t" -lt 1000 ] || fail "the logged-in request took $t ms"
ok "... in $t ms"
expect_eq "a new login goes through the flood" "$(login "$ROOT/jar2" "$TOKEN")" 200
lines=$(($(log_lines) - before))
[ "$lines" -le 30 ] || { tail -30 "$ROOT/vireod.log" >&2; fail "the web flood wrote $lines log lines"; }
ok "the web flood wrote $lines log lines"
stop_flood

# Wrong tokens: three are free, then each locks the address out twice as
# long as the one before; one log line a lockout.
before=$(grep -c 'wrong tokens from' "$ROOT/vireod.log" || true)
for i in 1 2 3 4; do
    expect_eq "wrong token $i: 401" "$(login "$ROOT/jarx" "$(printf '%064d' "$i")")" 401
done
code=$(curl -s -D "$ROOT/headers" -o "$ROOT/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"token\":\"$TOKEN\"}" "$URL/v1/login")
expect_eq "the next try waits, even with the right token: 429" "$code" 429
expect_match "... saying when to retry" "$(cat "$ROOT/headers")" '^Retry-After: [0-9]+'
expect_match "... in a one-line JSON error" "$(cat "$ROOT/body")" '"too_many".*retry in [0-9]+ s'
expect_eq "bearer guesses wait too" "$(get -H "Authorization: Bearer $(printf '%064d' 9)" "$URL/v1/domains")" 429
expect_eq "the lockout is logged once" "$(($(grep -c 'wrong tokens from 127.0.0.1' "$ROOT/vireod.log") - before))" 1
sleep 1.2
expect_eq "after the wait the right token logs in" "$(login "$ROOT/jar3" "$TOKEN")" 200

# Logout ends the session on the server: the cookie is dead everywhere.
cookie=$(awk '$6 ~ /^vireo_session_/ {print $6 "=" $7}' "$ROOT/jar3")
expect_eq "the session works" "$(get -H "Cookie: $cookie" "$URL/v1/domains")" 200
expect_eq "logout" "$(get -X POST -H "Cookie: $cookie" "$URL/v1/logout")" 200
expect_eq "after logout the old cookie gets 401" "$(get -H "Cookie: $cookie" "$URL/v1/domains")" 401
expect_eq "other sessions live on" "$(get -b "$ROOT/jar2" "$URL/v1/domains")" 200

# Rotation: a new token; the old token, sessions and login links end.
NEW=$("$VIREO" web-token --rotate)
expect_match "web-token --rotate prints a new token" "$NEW" '^[0-9a-f]{64}$'
[ "$NEW" != "$TOKEN" ] || fail "--rotate printed the old token"
expect_eq "web-token prints the new one" "$("$VIREO" web-token)" "$NEW"
expect_eq "the token file holds it" "$(cat "$ROOT/run/vireo/web-token")" "$NEW"
expect_eq "the old token is refused" "$(get -H "Authorization: Bearer $TOKEN" "$URL/v1/domains")" 401
expect_eq "the old sessions are refused" "$(get -b "$ROOT/jar2" "$URL/v1/domains")" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"code\":\"${LINK##*#login=}\"}" "$URL/v1/login")
expect_eq "the old login link is refused" "$code" 401
expect_eq "the new token works" "$(get -H "Authorization: Bearer $NEW" "$URL/v1/domains")" 200
expect_fail "rotation is refused on the read-only socket" "read-only connection cannot POST" \
    "$VIREO" -r web-token --rotate

echo "limits: $CHECKS checks passed"
