#!/usr/bin/env bash
# The web manager end to end in headless Chromium (tests/web/basic.mjs):
# log in (wrong token, keyboard), create a VM in the wizard (a refused
# attempt first), edit its memory, start it, use its serial console,
# watch its performance, see it shut off live when the CLI shuts it down,
# take and revert a snapshot (checked by the guest reading its disk),
# delete it with its storage from another tab, survive a daemon restart,
# an expired session, a one-time login link, and HTTPS from a second
# daemon. Screenshots go to BUILD/web-artifacts/.
source "$(dirname "$0")/lib.sh"
need_images
need_browser

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
TLS_ROOT=

# vireod under a parent that starts it again when it ends, so the
# browser test can restart the daemon under an open page.
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
cat >"$ROOT/respawn" <<'SH'
#!/usr/bin/env bash
while :; do
    "$@"
    [ -e "${RESPAWN_STOP:?}" ] && exit 0
    sleep 0.3
done
SH
chmod +x "$ROOT/respawn"
export RESPAWN_STOP=$ROOT/no-respawn
test_cleanup() {
    touch "$RESPAWN_STOP"
    pkill -f "vireod --root $ROOT " 2>/dev/null || true
    if [ -n "$TLS_ROOT" ]; then
        pkill -f "vireod --root $TLS_ROOT " 2>/dev/null || true
        rm -rf "$TLS_ROOT"
    fi
}
DAEMON_WRAP=$ROOT/respawn
DAEMON_OPTS="--no-default-network --web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist"
start_daemon

TOKEN=$("$VIREO" web-token)
expect_match "vireo web-token prints the token" "$TOKEN" '^[0-9a-f]{64}$'
expect_eq "the token file is 0600" "$(stat -c %a "$ROOT/run/vireo/web-token")" 600
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/domains")
expect_eq "no token: 401 on TCP" "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/web/token")
expect_eq "the token is never given on TCP" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "Origin: http://evil.example" \
    "http://127.0.0.1:$PORT/v1/domains")
expect_eq "another site's page may not call the API" "$code" 403

# A second daemon serving HTTPS with a self-signed certificate, on the
# same address as the first: cookies ignore ports, so each daemon names
# its session cookie after its port and the browser keeps both.
TLS_ROOT=$(mktemp -d /tmp/vireo-test-tls.XXXXXX)
chmod 755 "$TLS_ROOT"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
    -keyout "$TLS_ROOT/key.pem" -out "$TLS_ROOT/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
TLS_PORT=$(free_port)
"$VIREOD" --root "$TLS_ROOT" --socket "$TLS_ROOT/s.sock" --no-default-network --web "127.0.0.1:$TLS_PORT" \
    --web-root "$VIREO_SRC/web/dist" --web-cert "$TLS_ROOT/cert.pem" --web-key "$TLS_ROOT/key.pem" \
    >>"$TLS_ROOT/vireod.log" 2>&1 &
wait_for 10 "the HTTPS daemon" curl -skf "https://127.0.0.1:$TLS_PORT/"
TLS_TOKEN=$(VIREO_DEFAULT_URI="vireo:///system?socket=$TLS_ROOT/s.sock" "$VIREO" web-token)
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TLS_TOKEN" "https://127.0.0.1:$TLS_PORT/v1/domains")
expect_eq "HTTPS: the API answers with the token" "$code" 200
expect_fail "HTTPS: a plain-HTTP request gets nothing" "" curl -sf "http://127.0.0.1:$TLS_PORT/"
expect_fail "--web-cert without --web-key is refused" "both --web-cert and --web-key" \
    "$VIREOD" --root "$TLS_ROOT/x" --socket "$TLS_ROOT/x.sock" --no-default-network --web 127.0.0.1:1 \
    --web-cert "$TLS_ROOT/cert.pem"

# 'after' also has a VNC display, for the graphical console in noVNC.
tiny_xml after qemu "<interface type='user'><model type='virtio'/></interface>
    <graphics type='vnc'/><video><model type='vga'/></video>" >"$ROOT/after.xml"
VIREO_WEB_URL="http://127.0.0.1:$PORT/" VIREO_WEB_TOKEN=$TOKEN VIREO_IMAGES=$IMAGES \
VIREO_CLI=$VIREO VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" VIREO_DAEMON_PARENT=$DAEMON_PID \
VIREO_WEB_XML="$ROOT/after.xml" VIREO_WEB_TLS_URL="https://127.0.0.1:$TLS_PORT/" VIREO_WEB_TLS_TOKEN=$TLS_TOKEN \
    timeout 600 node "$VIREO_SRC/tests/web/basic.mjs" || fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "browser test"
