#!/usr/bin/env bash
# `make install` puts everything a user runs in place: the daemon, the
# CLI and the web UI where the installed vireod looks for it by default.
. "$(dirname "$0")/lib.sh"
[ -f "$VIREO_SRC/web/dist/index.html" ] || fail "the web UI is not built (make web)"
DEST=$(mktemp -d /tmp/vireo-install.XXXXXX)
test_cleanup() { rm -rf "$DEST"; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
out=$(DESTDIR="$DEST" meson install -C "$VIREO_BUILD" --no-rebuild 2>&1) || fail "meson install: $out"
prefix=$(meson introspect "$VIREO_BUILD" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
[ -x "$DEST$prefix/sbin/vireod" ] && [ -x "$DEST$prefix/bin/vireo" ] || fail "vireod or vireo not installed"
ok "vireod and vireo installed"
libexec=$(meson introspect "$VIREO_BUILD" --buildoptions | jq -r '.[] | select(.name == "libexecdir") | .value')
for helper in vireo-image-helper vireo-serial-logger; do
    [ -x "$DEST$prefix/$libexec/vireo/$helper" ] || fail "$helper not in $prefix/$libexec/vireo"
done
ok "the image tools' helper and the serial logger installed where vireod looks for them"
cmp -s "$VIREO_SRC/web/dist/index.html" "$DEST$prefix/share/vireo/web/index.html" || fail "index.html differs"
ok "the web UI installed as built"
# The installed daemon serves the installed UI without being told where.
port=$((20000 + $$ % 20000))
VIREOD="$DEST$prefix/sbin/vireod" DAEMON_OPTS="--no-default-network --web 127.0.0.1:$port" start_daemon
expect_match "the installed vireod serves its installed UI" "$(cat "$ROOT/vireod.log")" \
    "web UI on http://127.0.0.1:$port/ \\(files from $DEST$prefix/share/vireo/web\\)"
page=$(curl -s "http://127.0.0.1:$port/")
expect_eq "GET / is the built index.html" "$page" "$(cat "$VIREO_SRC/web/dist/index.html")"
