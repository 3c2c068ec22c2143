#!/usr/bin/env bash
# Several hosts, one page (issue 23): the web manager of one vireod
# manages a second vireod over SSH, in headless Chromium
# (tests/web/hosts.mjs), in Spanish. Two network namespaces are two
# hosts: "local" runs the first daemon and the browser, "lab1" runs sshd
# and the second daemon. The page shows the daemon's public key, which
# goes into lab1's authorized_keys as a user would put it; the host is
# added by its vireo+ssh:// address; its state and accelerator show; a
# VM of lab1 is started from the page (lab1's CLI agrees); lab1 becomes
# unreachable when its sshd goes away, says why, and recovers when it
# comes back. lab1 has an unprivileged user, vlab, in group vireo (in a
# passwd and group of the test's own, bind-mounted over /etc's for lab1's
# sshd and daemon only): added as vireo+ssh://vlab@…, lab1 is managed as
# that user (its VMs listed, sshd's log says vlab). The local daemon is the ASan/UBSan build (the forwarding
# and tunnels are new C): no sanitizer report at its exit. The machine's
# own namespace is never touched. vlab also runs a session daemon of its
# own on lab1 (its HOME's XDG socket): added as vireo+ssh://vlab@…/session,
# the page finds that socket over ssh and lists its VM (sesion1, not the
# system daemon's lejana), and vireo -c vireo+ssh://vlab@…/session agrees;
# vauto, whose session daemon is not up, gets one started on demand by
# lab1's vireo, as vireo:///session does locally.
source "$(dirname "$0")/lib.sh"
need_images
need_browser
need_asan_daemon

LOCALNS=vrt-webh-l-$$
REMNS=vrt-webh-r-$$
# lab1's daemon has a root of its own: its guests are stopped here (the
# common cleanup knows only $ROOT's).
test_cleanup() {
    "$ROOT/sshd-ctl" stop
    for pid in ${REMPID:-} ${SESPID:-}; do kill "$pid" 2>/dev/null || true; done
    for pidfile in "$ROOT"/lab1/run/vireo/qemu/*/qemu.pid; do
        [ -r "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    netns_remove
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
netns_make "$LOCALNS" "$REMNS"
veth "$LOCALNS" eth0 10.97.0.2 "$REMNS" eth0 10.97.0.1
ok "two namespaces as two hosts, 10.97.0.2 (local) and 10.97.0.1 (lab1)"

# lab1's users: /etc's passwd, group and shadow copied and given group
# vireo and the user vlab in it by useradd --prefix (a private root); its
# password field '*' (no password, not locked: sshd takes its key).
# inlab1 CMD runs CMD in lab1's namespace with a copy of /etc holding
# those files over /etc, in a mount namespace of its own: the machine's
# /etc is never touched. (A directory, not the four files: a file bind
# mount is lost from view when the machine's file is replaced by rename,
# as useradd on the machine does meanwhile, and lab1 then forgets vlab.)
mkdir -p "$ROOT/users/etc" "$ROOT/vlab"
cp -p /etc/passwd /etc/group /etc/shadow /etc/gshadow "$ROOT/users/etc/"
groupadd --prefix "$ROOT/users" vireo
useradd --prefix "$ROOT/users" -U -G vireo -d "$ROOT/vlab" -M -s /bin/sh vlab
usermod --prefix "$ROOT/users" -p '*' vlab
# vnone: a user of lab1 outside group vireo, whom the daemon's socket refuses.
useradd --prefix "$ROOT/users" -U -d "$ROOT/vlab" -M -s /bin/sh vnone
usermod --prefix "$ROOT/users" -p '*' vnone
# vauto: a user whose session daemon is not up: vireo+ssh://vauto@…/session
# starts it through lab1's vireo (on PATH in lab1's /usr/local/bin, a
# directory of the test's own bind-mounted there).
useradd --prefix "$ROOT/users" -U -d "$ROOT/vauto" -M -s /bin/sh vauto
usermod --prefix "$ROOT/users" -p '*' vauto
mkdir -p "$ROOT/vauto" "$ROOT/localbin"
ln -s "$VIREO" "$ROOT/localbin/vireo"
cp -a /etc "$ROOT/lab1etc"
cp -p "$ROOT/users/etc/passwd" "$ROOT/users/etc/group" "$ROOT/users/etc/shadow" "$ROOT/users/etc/gshadow" "$ROOT/lab1etc/"
cat > "$ROOT/inlab1" <<SH
#!/usr/bin/env bash
exec ip netns exec $REMNS unshare --mount --propagation private bash -c '
    mount --bind $ROOT/lab1etc /etc || exit 1
    mount --bind $ROOT/localbin /usr/local/bin || exit 1
    exec "\$@"' inlab1 "\$@"
SH
chmod +x "$ROOT/inlab1"
chmod 755 "$ROOT"
chown "$("$ROOT/inlab1" id -u vlab):$("$ROOT/inlab1" id -g vlab)" "$ROOT/vlab"
chown "$("$ROOT/inlab1" id -u vauto):$("$ROOT/inlab1" id -g vauto)" "$ROOT/vauto"
expect_match "lab1 knows vlab, in group vireo" "$("$ROOT/inlab1" id vlab)" 'groups=.*\(vireo\)'
expect_eq "the machine's own /etc has no vlab" "$(getent passwd vlab || echo none)" none

# lab1: sshd (stopped and started again by the browser test through
# sshd-ctl, which ends the sshd processes it started, by pid) and vireod.
sshd_conf 10.97.0.1 "$ROOT"
cat > "$ROOT/sshd-ctl" <<SH
#!/usr/bin/env bash
# start: sshd in lab1's namespace; stop: it and its sessions, by pid.
if [ "\$1" = start ]; then
    $ROOT/inlab1 /usr/sbin/sshd -f $ROOT/sshd_config -E $ROOT/sshd.log
else
    pid=\$(cat $ROOT/sshd.pid 2>/dev/null) || exit 0
    for child in \$(pgrep -P "\$pid"); do kill "\$child"; done
    kill "\$pid" 2>/dev/null
    rm -f $ROOT/sshd.pid
fi
exit 0
SH
chmod +x "$ROOT/sshd-ctl"
"$ROOT/sshd-ctl" start
REMROOT=$ROOT/lab1
# In lab1's /etc view: its socket goes to group vireo (0660), and vlab may manage.
"$ROOT/inlab1" "$VIREOD" --root "$REMROOT" --no-default-network >>"$ROOT/lab1-vireod.log" 2>&1 &
REMPID=$!
REMSOCK=$REMROOT/run/vireo/vireod.sock
LAB1="vireo:///system?socket=$REMSOCK"
wait_for 10 "lab1's vireod answers" "$VIREO" -c "$LAB1" uri
tiny_xml lejana >"$ROOT/lejana.xml"
"$VIREO" -c "$LAB1" define "$ROOT/lejana.xml" >/dev/null

# vlab's session daemon on lab1, as a login over ssh finds it: no
# XDG_RUNTIME_DIR (sshd without PAM), so ~/.cache/vireo/run/vireod.sock.
asvlab() { "$ROOT/inlab1" setpriv --reuid vlab --regid vlab --init-groups env -i HOME="$ROOT/vlab" PATH=/usr/bin:/bin "$@"; }
SESSOCK=$ROOT/vlab/.cache/vireo/run/vireod.sock
# Not through asvlab: a function in the background is a subshell, and $!
# would be its pid, not the daemon's (inlab1 and setpriv exec it).
"$ROOT/inlab1" setpriv --reuid vlab --regid vlab --init-groups env -i HOME="$ROOT/vlab" PATH=/usr/bin:/bin \
    "$VIREOD" --session >>"$ROOT/lab1-session.log" 2>&1 &
SESPID=$!
wait_for 10 "vlab's session vireod answers" asvlab "$VIREO" -c "vireo:///session?socket=$SESSOCK" uri
tiny_xml sesion1 >"$ROOT/sesion1.xml"
asvlab "$VIREO" -c "vireo:///session?socket=$SESSOCK" define "$ROOT/sesion1.xml" >/dev/null
expect_match "vlab's session daemon holds sesion1" \
    "$(asvlab "$VIREO" -c "vireo:///session?socket=$SESSOCK" list --all)" ' sesion1 '

# The local daemon, with a VM of its own that lab1's pages must not show.
PORT=8480
DAEMON_WRAP="ip netns exec $LOCALNS" DAEMON_OPTS="--no-default-network --web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist" \
    start_daemon "$ASAN_VIREOD"
tiny_xml cercana >"$ROOT/cercana.xml"
"$VIREO" define "$ROOT/cercana.xml" >/dev/null

start=$SECONDS
rc=0
VIREO_WEB_URL="http://127.0.0.1:$PORT/" VIREO_WEB_TOKEN=$("$VIREO" web-token) VIREO_CLI=$VIREO \
VIREO_LAB1_URI="$LAB1" VIREO_REMOTE="vireo+ssh://root@10.97.0.1/system?socket=$REMSOCK" \
VIREO_REMOTE_USER="vireo+ssh://vlab@10.97.0.1/system?socket=$REMSOCK" \
VIREO_REMOTE_SESSION="vireo+ssh://vlab@10.97.0.1/session" \
VIREO_REMOTE_NOGROUP="vireo+ssh://vnone@10.97.0.1/system?socket=$REMSOCK" \
VIREO_AUTHORIZED_KEYS=$ROOT/authorized_keys VIREO_SSHD_CTL=$ROOT/sshd-ctl \
VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" \
    ip netns exec "$LOCALNS" timeout 240 node "$VIREO_SRC/tests/web/hosts.mjs" || rc=$?
[ "$rc" -eq 0 ] || fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
expect_match "lab1's sshd let vlab in with the daemon's key" "$(cat "$ROOT/sshd.log")" 'Accepted publickey for vlab '
expect_match "vlab's own vireo on lab1 lists lejana (group vireo)" \
    "$("$ROOT/inlab1" setpriv --reuid vlab --regid vlab --init-groups "$VIREO" -c "$LAB1" list --all)" ' lejana '
# vnone from the CLI, with the daemon's key (in lab1's authorized_keys now):
# the same one line as on the page.
out=$(ip netns exec "$LOCALNS" "$VIREO" -c \
    "vireo+ssh://vnone@10.97.0.1/system?socket=$REMSOCK&keyfile=$ROOT/etc/vireo/hosts/id_ed25519&no_verify=1" list 2>&1) &&
    fail "vnone (not in group vireo) listed lab1's VMs: $out"
expect_match "vnone's CLI says why and what to do" "$out" \
    "ssh reached 10.97.0.1 as vnone, but sshd could not open .*vireod.sock for vnone: on 10.97.0.1, vnone must be root or in group vireo"
# vlab's session daemon from the CLI: the socket found over ssh, its VM
# listed (and not the system daemon's), as the page showed.
out=$(ip netns exec "$LOCALNS" "$VIREO" -c \
    "vireo+ssh://vlab@10.97.0.1/session?keyfile=$ROOT/etc/vireo/hosts/id_ed25519&no_verify=1" list --all 2>&1) ||
    fail "vireo -c vireo+ssh://vlab@10.97.0.1/session list: $out"
expect_match "the CLI over ssh lists vlab's session VM sesion1" "$out" ' sesion1 '
grep -q lejana <<<"$out" && fail "the CLI over ssh to vlab's session lists the system's lejana: $out"
ok "the CLI over ssh to vlab's session does not list the system's lejana"
# vnone has no session daemon: one line that says so and what to do.
out=$(ip netns exec "$LOCALNS" "$VIREO" -c \
    "vireo+ssh://vnone@10.97.0.1/session?keyfile=$ROOT/etc/vireo/hosts/id_ed25519&no_verify=1" list 2>&1) &&
    fail "vnone's session (none runs) listed: $out"
expect_match "no session daemon for vnone: the CLI says what to do" "$out" \
    "vnone's session daemon does not answer on .*/.cache/vireo/run/vireod.sock: start it there"
kill "$SESPID"; wait "$SESPID" 2>/dev/null || true
# vauto has no session daemon yet: the connection starts one on lab1 (as
# vireo:///session does locally), owned by vauto, and lists its no VMs.
AUTOSOCK=$ROOT/vauto/.cache/vireo/run/vireod.sock
out=$(ip netns exec "$LOCALNS" "$VIREO" -c \
    "vireo+ssh://vauto@10.97.0.1/session?keyfile=$ROOT/etc/vireo/hosts/id_ed25519&no_verify=1" list --all 2>&1) ||
    fail "vireo -c vireo+ssh://vauto@10.97.0.1/session list (its daemon to be started): $out"
[ -S "$AUTOSOCK" ] || fail "no session socket $AUTOSOCK after the remote connection"
autopid=$(ip netns exec "$REMNS" ss -xlpn | grep -F "$AUTOSOCK" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$autopid" ] || fail "nothing listens on $AUTOSOCK in lab1"
expect_eq "vauto's session daemon, started over ssh, runs as vauto" \
    "$(stat -c %u /proc/"$autopid")" "$("$ROOT/inlab1" id -u vauto)"
ok "vauto's session daemon started on demand over ssh (pid $autopid), its list: $(tr '\n' ' ' <<<"$out")"
kill "$autopid"
"$VIREO" -c "$LAB1" destroy lejana >/dev/null 2>&1 || true
kill "$REMPID"; wait "$REMPID" 2>/dev/null || true
[ "$rc" -eq 0 ] || fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "two hosts from one page ($((SECONDS - start)) s)"
expect_eq "no host left in hosts.json" "$(tr -d ' \n' <"$ROOT/etc/vireo/hosts.json")" "[]"
# A stream may write (an upload, a console): the read-only socket forwards none.
expect_match "the read-only socket forwards no stream to another host" \
    "$(curl -s --unix-socket "$ROOT/vireod-ro.sock" -H 'Connection: Upgrade' -H 'Upgrade: vireo-stream' \
        -w ' %{http_code}' http://vireod/v1/hosts/lab1/api/v1/domains/lejana/console | tr -d '\n')" \
    "not forwarded on the read-only socket.* 403$"
no_sanitizer_report
