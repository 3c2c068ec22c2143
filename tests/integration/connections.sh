#!/usr/bin/env bash
# The three ways to reach the hypervisor, as the course names them:
# an ordinary user's own session (auto-started, user networking, leaves
# when idle), the system daemon with its read-only socket for everyone
# else, and a remote daemon over SSH between two network namespaces.
. "$(dirname "$0")/lib.sh"
need_images
U=vrtu$$
SRVNS=vrt-srv-$$
CLINS=vrt-cli-$$
test_cleanup() {
    pkill -u "$U" 2>/dev/null
    sleep 0.2
    pkill -9 -u "$U" 2>/dev/null
    userdel -r "$U" 2>/dev/null
    [ -n "${MADE_GROUP:-}" ] && groupdel vireo 2>/dev/null
    [ -r "$ROOT/sshd.pid" ] && kill "$(cat "$ROOT/sshd.pid")" 2>/dev/null
    ip netns del "$SRVNS" 2>/dev/null
    ip netns del "$CLINS" 2>/dev/null
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
chmod 755 "$ROOT"
trap cleanup EXIT
useradd -m -s /bin/bash "$U"
# The guest's kernel and initrd where the user can read them.
mkdir -p "$ROOT/img"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/img/"
chmod -R a+rX "$ROOT/img"
as_user() { su -s /bin/bash "$U" -c "export VIREO_DAEMON=$VIREOD VIREO_SESSION_TIMEOUT=3 NO_COLOR=1; $*"; }

# --- session: the user's own daemon, started on first use
out=$(as_user "$VIREO -c vireo:///session uri")
expect_eq "session URI" "$out" "vireo:///session"
pgrep -u "$U" -x vireod >/dev/null || fail "no session daemon running as $U"
ok "session daemon auto-started, running as $U"
expect_eq "qemu:///session is an alias" "$(as_user "$VIREO -c qemu:///session uri")" "vireo:///session"
IMAGES=$ROOT/img tiny_xml sess > "$ROOT/sess.xml"
chmod 644 "$ROOT/sess.xml"
as_user "$VIREO -c vireo:///session define $ROOT/sess.xml" >/dev/null
as_user "$VIREO -c vireo:///session start sess" >/dev/null
as_user "$VIREO -c vireo:///session console sess --history" > "$ROOT/sess-console.txt" 2>&1 &
wait_for 90 "session guest boots (user networking, as $U)" file_has "$ROOT/sess-console.txt" VIREO-GUEST-READY
qpid=$(pgrep -u "$U" -f "guest=sess" | head -1)
[ -n "$qpid" ] || fail "the session guest's QEMU does not run as $U"
ok "the session guest's QEMU runs as $U"
cat > "$ROOT/n.xml" <<XML
<network><name>nat</name><forward mode='nat'/><ip address='10.44.0.1' prefix='24'/></network>
XML
chmod 644 "$ROOT/n.xml"
as_user "$VIREO -c vireo:///session net-define $ROOT/n.xml" >/dev/null
expect_fail "NAT network refused in a session" "use vireo:///system" su -s /bin/bash "$U" -c "NO_COLOR=1 $VIREO -c vireo:///session net-start nat"
expect_eq "root's session is not the system daemon" "$(VIREO_DAEMON=$VIREOD XDG_RUNTIME_DIR=$ROOT/rootrun "$VIREO" -c vireo:///session uri)" "vireo:///session"
[ -S "$ROOT/rootrun/vireo/vireod.sock" ] || fail "root's session socket is not under its XDG_RUNTIME_DIR"
ok "root's session has its own socket"
pkill -f "vireod --session" -U 0 2>/dev/null || true
as_user "$VIREO -c vireo:///session destroy sess" >/dev/null
gone() { ! pgrep -u "$U" -x vireod >/dev/null; }
wait_for 20 "the idle session daemon leaves by itself" gone

# --- system: root and group vireo read-write, everyone else read-only
DAEMON_OPTS="--no-default-network" 
"$VIREOD" --root "$ROOT/sys" --no-default-network >>"$ROOT/vireod.log" 2>&1 &
DAEMON_PID=$!
SYS="vireo:///system?socket=$ROOT/sys/run/vireo/vireod.sock"
wait_for 10 "system daemon up" "$VIREO" -c "$SYS" uri
chmod 755 "$ROOT/sys" "$ROOT/sys/run" 
IMAGES=$ROOT/img tiny_xml sysdom > "$ROOT/sys.xml"
"$VIREO" -c "$SYS" define "$ROOT/sys.xml" >/dev/null
expect_match "another user lists through the read-only socket" "$(as_user "$VIREO -c '$SYS' list --all")" ' sysdom +shut off'
expect_fail "another user is refused start" "read-only connection cannot POST .* root or group vireo" \
    su -s /bin/bash "$U" -c "NO_COLOR=1 $VIREO -c '$SYS' start sysdom"
expect_fail "the read-only socket refuses consoles" "cannot attach to" \
    su -s /bin/bash "$U" -c "NO_COLOR=1 $VIREO -r -c '$SYS' console sysdom"
expect_eq "root still manages" "$("$VIREO" -c "$SYS" domstate sysdom)" "shut off"
if ! getent group vireo >/dev/null; then groupadd vireo; MADE_GROUP=1; fi
usermod -aG vireo "$U"
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
"$VIREOD" --root "$ROOT/sys" --no-default-network >>"$ROOT/vireod.log" 2>&1 &
DAEMON_PID=$!
wait_for 10 "system daemon back" "$VIREO" -c "$SYS" uri
expect_match "a member of group vireo may start" "$(as_user "$VIREO -c '$SYS' start sysdom")" "started"
"$VIREO" -c "$SYS" destroy sysdom >/dev/null
kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=

# --- remote: two namespaces as two hosts, sshd and vireod on one
ip netns add "$SRVNS"
ip netns add "$CLINS"
ip -n "$SRVNS" link add eth0 type veth peer name eth0 netns "$CLINS"
ip -n "$SRVNS" addr add 10.98.0.1/24 dev eth0
ip -n "$CLINS" addr add 10.98.0.2/24 dev eth0
for ns in "$SRVNS" "$CLINS"; do ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up; done
sshd_conf 10.98.0.1 "$ROOT"
ssh-keygen -q -t ed25519 -N '' -f "$ROOT/userkey"
ssh-keygen -q -t ed25519 -N '' -f "$ROOT/wrongkey"
cp "$ROOT/userkey.pub" "$ROOT/authorized_keys"
ip netns exec "$SRVNS" /usr/sbin/sshd -f "$ROOT/sshd_config" -E "$ROOT/sshd.log"
ROOT_SRV=$ROOT/srv
ip netns exec "$SRVNS" "$VIREOD" --root "$ROOT_SRV" --no-default-network >>"$ROOT/vireod.log" 2>&1 &
DAEMON_PID=$!
wait_for 10 "remote daemon up" "$VIREO" -c "vireo:///system?socket=$ROOT_SRV/run/vireo/vireod.sock" uri
REMOTE="vireo+ssh://root@10.98.0.1/system?keyfile=$ROOT/userkey&no_verify=1&socket=$ROOT_SRV/run/vireo/vireod.sock"
incli() { ip netns exec "$CLINS" "$@"; }
expect_eq "remote uri" "$(incli "$VIREO" -c "$REMOTE" uri)" "vireo+ssh://root@10.98.0.1/system"
IMAGES=$ROOT/img tiny_xml far > "$ROOT/far.xml"
incli "$VIREO" -c "$REMOTE" define "$ROOT/far.xml" >/dev/null
expect_match "remote list" "$(incli "$VIREO" -c "$REMOTE" list --all)" ' far +shut off'
expect_eq "remote start" "$(incli "$VIREO" -c "$REMOTE" start far)" "Domain 'far' started"
incli "$VIREO" -c "$REMOTE" console far --history > "$ROOT/far-console.txt" 2>&1 &
wait_for 90 "remote console shows VIREO-GUEST-READY" file_has "$ROOT/far-console.txt" VIREO-GUEST-READY
head -c 300000 /dev/urandom > "$ROOT/upload.bin"
incli "$VIREO" -c "$REMOTE" vol-create-as default up.raw 1M >/dev/null
incli "$VIREO" -c "$REMOTE" vol-upload up.raw "$ROOT/upload.bin" --pool default >/dev/null
cmp <(head -c 300000 "$ROOT_SRV/var/lib/vireo/images/up.raw") "$ROOT/upload.bin" || fail "uploaded volume differs"
ok "vol-upload over SSH"
# vireo install to a remote daemon: an ISO only on this machine goes into
# its default pool first (with the upload's progress), and the domain
# boots it from there; the daemon planned the rest.
head -c 1048576 /dev/zero > "$ROOT/local.iso"
out=$(incli "$VIREO" -c "$REMOTE" install --name farinst --os-variant generic --memory 64 --cdrom "$ROOT/local.iso" \
    --disk none --network none --graphics none --noautoconsole 2>&1) || fail "remote install: $out"
expect_match "install over SSH uploads a local ISO" "$out" "Writing the install ISO 'local.iso' .* to pool 'default'"
expect_match "  and boots it from the remote pool" "$(incli "$VIREO" -c "$REMOTE" dumpxml farinst)" "local.iso"
incli "$VIREO" -c "$REMOTE" destroy farinst >/dev/null
incli "$VIREO" -c "$REMOTE" undefine farinst >/dev/null
# --disk copy_from= of an image only on this machine: uploaded as the new
# volume of the remote pool (the copy goes over the connection).
qemu-img create -q -f qcow2 "$ROOT/local.qcow2" 64M
qemu-io -f qcow2 -c "write -P 0x42 1M 1M" "$ROOT/local.qcow2" >/dev/null
out=$(incli "$VIREO" -c "$REMOTE" install --name farcopy --os-variant generic --memory 64 --import \
    --disk copy_from="$ROOT/local.qcow2" --network none --graphics none --noautoconsole 2>&1) || fail "remote copy install: $out"
expect_match "install over SSH uploads a local image for copy_from=" "$out" \
    "Writing the disk image 'farcopy.qcow2' .* to pool 'default'"
expect_match "  and the domain's disk is that volume" "$(incli "$VIREO" -c "$REMOTE" domblklist farcopy)" "farcopy\.qcow2"
expect_match "  with the image's data" \
    "$(qemu-io -U -r -f qcow2 -c 'read -P 0x42 1M 1M' "$ROOT_SRV/var/lib/vireo/images/farcopy.qcow2")" "read 1048576/1048576"
incli "$VIREO" -c "$REMOTE" destroy farcopy >/dev/null
incli "$VIREO" -c "$REMOTE" undefine farcopy --remove-all-storage >/dev/null
expect_fail "wrong key" "cannot connect to 10.98.0.1 over SSH: .*Permission denied" \
    incli "$VIREO" -c "vireo+ssh://root@10.98.0.1/system?keyfile=$ROOT/wrongkey&no_verify=1" list
incli "$VIREO" -c "$REMOTE" destroy far >/dev/null
ls /tmp/vireo-ssh.* >/dev/null 2>&1 && fail "SSH tunnel directories left in /tmp"
ok "no tunnel left behind"
