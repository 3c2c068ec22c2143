#!/usr/bin/env bash
# A user's own daemon serves the web manager (vireod --session --web):
# an ordinary user (made for the test, removed after) starts it on a port
# of 127.0.0.1, reads the one-time login link with `vireo -c
# vireo:///session web-token --url`, and the browser (tests/web/session.mjs)
# logs in with it and sees that user's VMs (a VM defined and started
# from the page's list by clicking, running as that user). The token is
# the user's alone (0600 in the user's runtime directory; another user
# cannot read it or reach the socket); a browser with its event feed open
# keeps a session daemon started with --timeout alive, and once it has
# gone the daemon leaves by itself.
source "$(dirname "$0")/lib.sh"
need_images
need_browser
U=vrtw$$
O=vrto$$
SESS_PID=
test_cleanup() {
    [ -z "$SESS_PID" ] || kill "$SESS_PID" 2>/dev/null || true
    for u in "$U" "$O"; do
        # QEMUs the user's daemon started outlive it, as designed.
        for p in $(pgrep -u "$u" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        userdel -r "$u" 2>/dev/null || true
    done
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
chmod 755 "$ROOT"
trap cleanup EXIT
useradd -m -s /bin/bash "$U"
useradd -m -s /bin/bash "$O"
mkdir -p "$ROOT/img"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/img/"
chmod -R a+rX "$ROOT/img"
RUNDIR=$ROOT/run-$U
mkdir -m 700 "$RUNDIR"
chown "$U:" "$RUNDIR"
as_user() { su -s /bin/bash "$U" -c "export XDG_RUNTIME_DIR=$RUNDIR NO_COLOR=1; $*"; }
PORT=$((20000 + $$ % 20000))

su -s /bin/bash "$U" -c "export XDG_RUNTIME_DIR=$RUNDIR; exec $VIREOD --session --timeout 3 \
    --web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist" >"$ROOT/session.log" 2>&1 &
SESS_PID=$!
# The socket first: a client finding none would start a daemon of its own.
wait_for 30 "the session daemon's socket" test -S "$RUNDIR/vireo/vireod.sock"
as_user "$VIREO -c vireo:///session hostname" >/dev/null || { cat "$ROOT/session.log" >&2; fail "the session daemon does not answer"; }
DPID=$(pgrep -u "$U" -x vireod)
[ -n "$DPID" ] || fail "no vireod runs as $U"
ok "vireod --session --web runs as $U (pid $DPID)"

tiny_xml sesionvm | sed "s|$IMAGES|$ROOT/img|g" >"$ROOT/sesionvm.xml"
chmod a+r "$ROOT/sesionvm.xml"
as_user "$VIREO -c vireo:///session define $ROOT/sesionvm.xml" >/dev/null
LINK=$(as_user "$VIREO -c vireo:///session web-token --url")
expect_match "web-token --url gives a one-time link to this port" "$LINK" "^http://127\.0\.0\.1:$PORT/#login=[0-9a-f]+$"
TOKFILE=$RUNDIR/vireo/web-token
expect_eq "the token file is the user's alone" "$(stat -c '%U %a' "$TOKFILE")" "$U 600"
su -s /bin/bash "$O" -c "cat $TOKFILE" >/dev/null 2>&1 && fail "another user reads the token"
su -s /bin/bash "$O" -c "NO_COLOR=1 $VIREO -c 'vireo:///session?socket=$RUNDIR/vireo/vireod.sock' list" >/dev/null 2>&1 &&
    fail "another user reaches the session socket"
ok "another user can neither read the token nor reach the socket"

# A client that holds the daemon until the browser is in (the browser
# test ends it): starting Chromium takes longer than the idle timeout.
su -s /bin/bash "$U" -c "export XDG_RUNTIME_DIR=$RUNDIR; exec $VIREO -c vireo:///session event --loop" >/dev/null 2>&1 &
HOLD_PID=$!
wait_for 10 "a client holds the session daemon" pgrep -u "$U" -f "vireo -c vireo:///session event --loop"
start=$SECONDS
VIREO_HOLDER_PID=$(pgrep -u "$U" -f "vireo -c vireo:///session event --loop") \
VIREO_LOGIN_LINK=$LINK VIREO_SESSION_PID=$DPID VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" \
    timeout 120 node "$VIREO_SRC/tests/web/session.mjs" ||
    fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "the session's web manager in the browser ($((SECONDS - start)) s)"
wait "$HOLD_PID" 2>/dev/null || true
expect_eq "the VM started from the page runs as $U" "$(ps -o user= -p "$(pgrep -u "$U" -f 'qemu-system.*sesionvm' | head -1)")" "$U"
as_user "$VIREO -c vireo:///session destroy sesionvm" >/dev/null
# With no browser, no client and no running VM, it leaves (--timeout 3).
for _ in $(seq 1 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$DPID" 2>/dev/null && fail "the session daemon did not leave once idle"
ok "once the browser and the VM are gone, the session daemon leaves by itself"
SESS_PID=
