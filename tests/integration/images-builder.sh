#!/usr/bin/env bash
# vireo builder's whole job (issue 20; make check-images, not make check):
# Debian 12 from Debian's packages (mmdebstrap) made into a bootable disk
# by libguestfs, imported with vireo install --import, booted under TCG
# to a login prompt that shows the hostname asked; the root password
# works on the serial console and the injected SSH key over the default
# network. A second build is served from the cache; both times are in
# the log.
#
# Two daemons: the builder's runs in the host's namespace (mmdebstrap
# and the appliance need Debian's mirror; it makes no network object),
# the one that boots the image in a namespace of the test's own with the
# default NAT network (as network.sh).
source "$(dirname "$0")/lib.sh"
need_images
HOSTNS=vrt-img-$$
test_cleanup() {
    [ -n "${BUILDER_PID:-}" ] && kill "$BUILDER_PID" 2>/dev/null
    ip netns del "$HOSTNS" 2>/dev/null
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
T0=$SECONDS

# ---- the builder's daemon (host namespace, no networks)
BROOT=$ROOT/builder
mkdir -p "$BROOT"
"$VIREOD" --root "$BROOT" --socket "$BROOT/vireod.sock" --no-default-network >>"$ROOT/builder.log" 2>&1 &
BUILDER_PID=$!
BURI="vireo:///system?socket=$BROOT/vireod.sock"
for _ in $(seq 1 200); do "$VIREO" -c "$BURI" uri >/dev/null 2>&1 && break; sleep 0.05; done
bv() { "$VIREO" -c "$BURI" "$@"; }

list=$(bv builder --list 2>/dev/null)
expect_match "builder --list: debian-12 can be built here" "$list" "debian-12 .* yes"
echo "$list"

OUT=$ROOT/d12.qcow2
t=$SECONDS
bv builder debian-12 --output "$OUT" --size 4G --hostname mimaquina --root-password password:asdasd \
    --ssh-inject "root:file:$IMAGES/id_ed25519.pub" --firstboot-command 'echo firstboot-ran >/root/firstboot.txt' \
    >"$ROOT/build1.out" 2>&1 || { cat "$ROOT/build1.out"; fail "vireo builder debian-12"; }
FIRST=$((SECONDS - t))
cat "$ROOT/build1.out"
ok "vireo builder debian-12: first build in ${FIRST} s"
expect_eq "the image is qcow2, 4 GiB" "$(qemu-img info --output=json "$OUT" | jq -r '"\(.format) \(."virtual-size")"')" "qcow2 4294967296"

t=$SECONDS
bv builder debian-12 --output "$ROOT/second.qcow2" --hostname otra >"$ROOT/build2.out" 2>&1 ||
    { cat "$ROOT/build2.out"; fail "second build"; }
SECOND=$((SECONDS - t))
cat "$ROOT/build2.out"
expect_match "the second build is served from the cache" "$(cat "$ROOT/build2.out")" "from the cache"
expect_match "a random root password is printed" "$(cat "$ROOT/build2.out")" "Root password: [A-Za-z0-9]{16}"
[ "$SECOND" -lt "$FIRST" ] || fail "second build ($SECOND s) not faster than the first ($FIRST s)"
ok "build times: first ${FIRST} s, second (cached) ${SECOND} s"
expect_fail "an existing output is refused" "exists.*--force" bv builder debian-12 --output "$OUT"
expect_fail "an OS it cannot make" "cannot make 'debian-99'" bv builder debian-99 --output "$ROOT/x.qcow2"
kill "$BUILDER_PID"; wait "$BUILDER_PID" 2>/dev/null || true; BUILDER_PID=

# ---- boot it in a namespace of our own, on the default network
ip netns add "$HOSTNS"
ip -n "$HOSTNS" link set lo up
DAEMON_WRAP="ip netns exec $HOSTNS" DAEMON_OPTS=" " start_daemon
inhost() { ip netns exec "$HOSTNS" "$@"; }
POOL=$ROOT/var/lib/vireo/images
wait_for 30 "the daemon's default pool is there" "$VIREO" pool-info default
mv "$OUT" "$POOL/d12.qcow2"
"$VIREO" install --name d12 --os-variant debian12 --import --disk vol=default/d12.qcow2 --memory 768 \
    --network network=default --graphics none --noautoconsole >"$ROOT/install.out" 2>&1 ||
    { cat "$ROOT/install.out"; fail "vireo install --import"; }
ok "vireo install --import of the built image"
SERIAL=$ROOT/var/log/vireo/qemu/d12-serial0.log
t=$SECONDS
wait_for 600 "the guest boots to a login prompt (GRUB, kernel, systemd under TCG)" file_has "$SERIAL" "mimaquina login:"
echo "boot to the login prompt: $((SECONDS - t)) s"
expect_match "the prompt shows the hostname asked" "$(tr -d '\r' <"$SERIAL")" "^mimaquina login:"

# Log in on the serial console with the root password.
out=$( { sleep 1; printf 'root\r'; sleep 3; printf 'asdasd\r'; sleep 5; printf 'echo CONSOLE-$(hostname)-$(id -u)\r'; sleep 3; } |
    timeout 20 "$VIREO" console d12 2>/dev/null | tr -d '\r' || true)
expect_match "root's password works on the console" "$out" "CONSOLE-mimaquina-0"

guest_ip() { "$VIREO" domifaddr d12 --json | jq -r '.[0].addresses[0] // empty' | cut -d/ -f1; }
has_ip() { [ -n "$(guest_ip)" ]; }
wait_for 180 "the guest got a DHCP lease on default" has_ip
IP=$(guest_ip)
SSH_OPTS=(-i "$IMAGES/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR)
# sshd starts once the first boot made its host keys (ssh-keygen -A:
# a minute or more under TCG).
for _ in $(seq 1 150); do inhost ssh "${SSH_OPTS[@]}" "root@$IP" true 2>/dev/null && break; sleep 2; done
expect_eq "the injected SSH key works over the default network" \
    "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" hostname)" "mimaquina"
expect_eq "SSH host keys were made at first boot" \
    "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'ls /etc/ssh/ssh_host_ed25519_key')" "/etc/ssh/ssh_host_ed25519_key"
expect_eq "the first-boot command ran" "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'cat /root/firstboot.txt')" "firstboot-ran"
expect_eq "machine-id was made at first boot" "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'wc -c </etc/machine-id')" "33"
expect_match "the root filesystem fills the 4 GiB disk" "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'df -B1M --output=size /' | tail -1)" "^ *3[6-9][0-9][0-9]$"
echo "images-builder: $CHECKS checks in $((SECONDS - T0)) s (first build ${FIRST} s, cached build ${SECOND} s)"
