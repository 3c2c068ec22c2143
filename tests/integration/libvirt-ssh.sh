#!/usr/bin/env bash
# libvirt's qemu+ssh transport reaching vireod (issue 21): Debian's virsh
# and virt-install (--cdrom, --cloud-init, --install kernel=,initrd=)
# connects through a private sshd that this test runs as its own process
# (its own host key, authorized_keys and port on 127.0.0.1; the host's
# sshd and its configuration are never touched). With ?socket=PATH the
# far side runs `nc -U PATH`; with proxy=native it runs virt-ssh-helper,
# which knows only libvirt's standard sockets: vireod --libvirt-paths
# serves them in a private mount namespace where that sshd runs too, and
# virt-install (a remote connection to it) uploads a cloud-init ISO and
# an install kernel through streams into its boot-scratch pool.
. "$(dirname "$0")/lib.sh"
need_images
for tool in virsh nc /usr/sbin/sshd ssh-keygen virt-ssh-helper; do
    command -v "$tool" >/dev/null || fail "$tool missing (make deps: libvirt-clients, openssh-server, netcat-openbsd)"
done
start_daemon
S=$ROOT/ssh
mkdir -p "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$S/client"
cp "$S/client.pub" "$S/authorized_keys"
# sshd_config PORT: the private server's configuration.
sshd_config() {
    cat <<CONF
Port $1
ListenAddress 127.0.0.1
HostKey $S/hostkey
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd-$1.pid
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
CONF
}
# A free port on the loopback, above the usual ones.
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
test_cleanup() {
    # the private sshds, and the QEMUs of the namespace's daemon
    for p in "$S"/sshd-*.pid "$ROOT"/lp/run/vireo/qemu/*/qemu.pid; do [ -r "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
    true
}
PORT=$(free_port)
sshd_config "$PORT" >"$S/sshd_config"
/usr/sbin/sshd -f "$S/sshd_config" -E "$S/sshd.log" || fail "the private sshd did not start: $(cat "$S/sshd.log")"
wait_for 10 "the private sshd listens on 127.0.0.1:$PORT" test -s "$S/sshd-$PORT.pid"

KEYS="no_verify=1&keyfile=$S/client"
URI="qemu+ssh://root@127.0.0.1:$PORT/system?socket=$ROOT/libvirt-sock&$KEYS"
virsh() { command virsh -q -c "$URI" "$@"; }

tiny_xml sshvm >"$ROOT/sshvm.xml"
expect_match "virsh define over qemu+ssh (nc -U on the far side)" "$(command virsh -c "$URI" define "$ROOT/sshvm.xml")" "Domain 'sshvm' defined"
expect_match "vireo sees what virsh defined over ssh" "$("$VIREO" list --all)" 'sshvm +shut off'
expect_match "list --all over qemu+ssh" "$(virsh list --all)" 'sshvm +shut off'
expect_match "pool-list over qemu+ssh" "$(virsh pool-list --all)" 'default +active'
expect_eq "domuuid over qemu+ssh is vireo's" "$(virsh domuuid sshvm)" "$("$VIREO" domuuid sshvm)"
expect_match "uri names the ssh connection" "$(virsh uri)" "^qemu\+ssh://root@127.0.0.1:$PORT/system"
virsh undefine sshvm >/dev/null
expect_match "undefine over qemu+ssh" "$("$VIREO" list --all --name)" '^$'
out=$(command virsh -q -c "qemu+ssh://root@127.0.0.1:$PORT/system?socket=$ROOT/nope-sock&$KEYS" list 2>&1) &&
    fail "a missing socket connected"
expect_match "a socket that is not there: the client says so" "$out" "nope-sock|No such file"

# ---- virt-install --cdrom over qemu+ssh: the installer ISO boots ----
timeout 120 virt-install --connect "$URI" --name cd1 --memory 256 --vcpus 1 --osinfo linux2022 --network none \
    --cdrom "$IMAGES/tiny.iso" --disk none --graphics none --noautoconsole >"$ROOT/cd1.log" 2>&1 ||
    fail "virt-install --cdrom: $(cat "$ROOT/cd1.log")"
expect_match "virt-install --cdrom: the ISO is the domain's CD-ROM" "$(virsh domblklist cd1)" "tiny\.iso"
wait_for 90 "... and its installer (isolinux, then the kernel) reaches the serial console" \
    file_has "$ROOT/var/log/vireo/qemu/cd1-serial0.log" VIREO-GUEST-READY
virsh destroy cd1 >/dev/null

# ---- proxy=native: virt-ssh-helper, libvirt's standard socket; and
# virt-install over it, uploading what it made into a boot-scratch pool ----
command -v virt-install >/dev/null || fail "virt-install missing (make deps: virtinst)"
out=$(unshare -m bash -s "$VIREOD" "$ROOT/lp" "$S" "$IMAGES" <<'SH'
vireod=$1 root=$2 S=$3 images=$4
# /run and libvirt's /var/lib/libvirt (virt-install's scratch directory,
# which vireod --libvirt-paths makes) are this namespace's own.
lib=/var/lib/libvirt; [ -d $lib ] || lib=/var/lib
mount --make-rprivate / && mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs $lib &&
    mkdir -p /run/libvirt /run/sshd "$root" || exit 1
"$vireod" --root "$root" --socket "$root/vireod.sock" --no-default-network --libvirt-paths >"$root/log" 2>&1 &
vpid=$!
for _ in $(seq 1 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^Port .*/Port $port/; s|^PidFile .*|PidFile $S/sshd-$port.pid|" "$S/sshd_config" >"$S/sshd_config.ns"
/usr/sbin/sshd -f "$S/sshd_config.ns" -E "$S/sshd-ns.log"
for _ in $(seq 1 50); do [ -s "$S/sshd-$port.pid" ] && break; sleep 0.1; done
echo "native $(virsh -c "qemu+ssh://root@127.0.0.1:$port/system?proxy=native&no_verify=1&keyfile=$S/client" hostname 2>&1)"
echo "type $(virsh -c "qemu+ssh://root@127.0.0.1:$port/system?proxy=native&no_verify=1&keyfile=$S/client" pool-list --all --name 2>&1 | head -1)"
echo "scratch $(stat -c %a /var/lib/libvirt/boot)"
U="qemu+ssh://root@127.0.0.1:$port/system?proxy=native&no_verify=1&keyfile=$S/client"
qemu-img create -f qcow2 "$root/ci.qcow2" 64M >/dev/null
vi() { timeout 120 virt-install --connect "$U" --memory 256 --vcpus 1 --osinfo linux2022 --network none \
    --graphics none --noautoconsole "$@" >"$root/vi.log" 2>&1 || cat "$root/vi.log"; }
vi --name ci1 --import --disk "path=$root/ci.qcow2" --cloud-init root-password-generate=on,disable=on
echo "pool $(virsh -c "$U" pool-dumpxml boot-scratch | grep -o '<path>[^<]*</path>')"
iso=$(virsh -c "$U" dumpxml ci1 | grep -A2 'device="cdrom"' | grep -o '/var/lib/libvirt/boot/[^"]*')
echo "cdrom $iso"
echo "label $(dd if="$iso" bs=1 skip=32808 count=6 2>/dev/null)"
vi --name k1 --disk none --install "kernel=$images/tiny-vmlinuz,initrd=$images/tiny-initrd.img,kernel_args=console=ttyS0"
echo "kernel $(virsh -c "$U" dumpxml k1 | grep -o '<kernel>[^<]*</kernel>')"
for _ in $(seq 1 600); do grep -q VIREO-GUEST-READY "$root/var/log/vireo/qemu/k1-serial0.log" 2>/dev/null && break; sleep 0.1; done
echo "booted $(grep -c VIREO-GUEST-READY "$root/var/log/vireo/qemu/k1-serial0.log" 2>/dev/null)"
virsh -c "$U" destroy k1 >/dev/null 2>&1
virsh -c "$U" destroy ci1 >/dev/null 2>&1
kill "$(cat "$S/sshd-$port.pid")"
kill $vpid; wait $vpid
SH
)
expect_match "proxy=native: virt-ssh-helper reaches vireod --libvirt-paths" "$out" "^native $(hostname)$"
expect_match "... and it answers calls" "$out" '^type default *$'
expect_match "--libvirt-paths makes virt-install's scratch directory, as libvirt's packages do" "$out" '^scratch 711$'
expect_match "virt-install --cloud-init: its boot-scratch pool on /var/lib/libvirt/boot" "$out" \
    '^pool <path>/var/lib/libvirt/boot</path>$'
expect_match "... the cloud-init ISO uploaded there (a stream) is the domain's CD-ROM" "$out" \
    '^cdrom /var/lib/libvirt/boot/virtinst-[^ ]*cloudinit\.iso(-[0-9]+)?$'
expect_match "... a NoCloud ISO (volume id cidata)" "$out" '^label (cidata|CIDATA)$'
expect_match "virt-install --install kernel=,initrd=: both uploaded to boot-scratch" "$out" \
    '^kernel <kernel>/var/lib/libvirt/boot/virtinst-[^<]*tiny-vmlinuz[^<]*</kernel>$'
expect_match "... and the install kernel boots the guest" "$out" '^booted [1-9]'
echo "$CHECKS checks passed"
