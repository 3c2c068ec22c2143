#!/usr/bin/env bash
# The web manager end to end in headless Chromium (tests/web/basic.mjs):
# log in with the token, see the VM, start it, read VIREO-GUEST-READY in
# the embedded console, see it shut off live when the CLI shuts it down;
# a wrong token is refused. Screenshots go to BUILD/web-artifacts/.
source "$(dirname "$0")/lib.sh"
need_images
[ -x /usr/bin/chromium ] || fail "chromium missing (scripts/install-deps installs it)"
[ -f "$VIREO_SRC/web/dist/index.html" ] || fail "the web UI is not built (make web)"
[ -d "$VIREO_SRC/web/node_modules/playwright-core" ] || fail "playwright-core missing (make web runs npm ci)"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DAEMON_OPTS="--no-default-network --web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist"
start_daemon

TOKEN=$("$VIREO" web-token)
expect_match "vireo web-token prints the token" "$TOKEN" '^[0-9a-f]{64}$'
expect_eq "the token file is 0600" "$(stat -c %a "$ROOT/run/vireo/web-token")" 600
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/domains")
expect_eq "no token: 401 on TCP" "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/web/token")
expect_eq "the token is never given on TCP" "$code" 403

tiny_xml webvm >"$ROOT/webvm.xml"
"$VIREO" define "$ROOT/webvm.xml" >/dev/null

VIREO_WEB_URL="http://127.0.0.1:$PORT/" VIREO_WEB_TOKEN=$TOKEN VIREO_WEB_DOMAIN=webvm \
VIREO_CLI=$VIREO VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" \
    timeout 240 node "$VIREO_SRC/tests/web/basic.mjs" || fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "browser test"
