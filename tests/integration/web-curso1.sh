#!/usr/bin/env bash
# The web manager in Spanish through curso1's units 3-7 in one run (issue
# 23; tests/web/curso1.mjs in headless Chromium against a real vireod,
# each step clicked and checked with the CLI: see that file): VMs from the
# wizard (an ISO, an imported disk), a template made of a shut-off VM
# (sysprep under libguestfs: about a minute under TCG) and a VM from it,
# details and hardware, pools of every kind the daemon serves (a disk
# pool on a loop device whose old table is replaced only after the page
# asks, an fs pool on another, an iSCSI target of tgtd with a CHAP secret
# made from the page), networks with IPv6 and DNS, a linked clone and a
# snapshot reverted. The daemon, tgtd and the browser run in a network
# namespace the test makes; loop devices are detached at the end even on
# failure. Screenshots go to BUILD/web-artifacts/curso1-*.png.
source "$(dirname "$0")/lib.sh"
need_images
need_browser
[ -e /dev/loop-control ] || fail "no loop devices here (modprobe loop)"
command -v tgtd >/dev/null || fail "tgtd missing (scripts/install-deps installs tgt)"

HOSTNS=vrt-cur1-$$
TGTD=
test_cleanup() {
    local m f l
    [ -z "$TGTD" ] || { kill -9 "$TGTD" 2>/dev/null; wait "$TGTD" 2>/dev/null; } || true
    grep -o " $ROOT/[^ ]*" /proc/mounts 2>/dev/null | while read -r m; do umount "$m" 2>/dev/null || true; done
    for f in "$ROOT"/disk*.img; do
        for l in $(losetup -n -O NAME -j "$f" 2>/dev/null); do losetup -d "$l" 2>/dev/null || true; done
    done
    netns_remove
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
loop() {
    truncate -s "$2" "$ROOT/$1.img"
    losetup -P -f --show "$ROOT/$1.img"
}
DISK=$(loop disk1 64M)
FSDEV=$(loop disk2 64M)
# An old dos table on the disk: the page must ask before replacing it.
echo 'label: dos' | sfdisk -q "$DISK" >/dev/null
ok "loop devices $DISK (with an old dos table) and $FSDEV"

netns_make "$HOSTNS"
inns() { ip netns exec "$HOSTNS" "$@"; }
# The iSCSI target: tgtd on 10.78.0.1 in the namespace, a 32 MiB LUN, CHAP.
inns ip link add v0 type veth peer name v1
inns ip addr add 10.78.0.1/24 dev v0
inns ip link set v0 up
inns ip link set v1 up
CTL=$((7000 + $$ % 2000))
IQN=iqn.2026-12.curso.vireo:almacen
inns tgtd -f -C "$CTL" --iscsi portal=10.78.0.1:3260 >"$ROOT/tgtd.log" 2>&1 &
TGTD=$!
tgt() { tgtadm -C "$CTL" --lld iscsi "$@"; }
wait_for 10 "tgtd answers" tgt --mode target --op show
truncate -s 32M "$ROOT/lun1.img"
tgt --mode target --op new --tid 1 --targetname "$IQN"
tgt --mode logicalunit --op new --tid 1 --lun 1 --backing-store "$ROOT/lun1.img"
tgt --mode target --op bind --tid 1 --initiator-address ALL
tgt --mode account --op new --user alumno --password 'Chap-Curso-2026'
tgt --mode account --op bind --tid 1 --user alumno
ok "tgtd serves $IQN with CHAP user alumno"

PORT=8480
DAEMON_WRAP="ip netns exec $HOSTNS" DAEMON_OPTS="--web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist" start_daemon
TOKEN=$("$VIREO" web-token)

# curso-base: a shut-off VM (the tiny kernel) with a small GPT disk whose
# ext4 partition has a Debian-like /etc, for the page to make a template
# of (sysprep edits files: the appliance needs no bootable system).
tree=$ROOT/tree
mkdir -p "$tree"/{etc/ssh,root,var/log,var/lib,bin,usr/sbin,tmp}
echo viejo >"$tree/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tviejo\n' >"$tree/etc/hosts"
echo 0123456789abcdef0123456789abcdef >"$tree/etc/machine-id"
printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n' >"$tree/etc/os-release"
echo 12.8 >"$tree/etc/debian_version"
echo '/dev/sda1 / ext4 defaults 0 1' >"$tree/etc/fstab"
echo 'root:*:19000:0:99999:7:::' >"$tree/etc/shadow"
: >"$tree/usr/sbin/sshd"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tree/etc/passwd"
echo 'private key' >"$tree/etc/ssh/ssh_host_ed25519_key"
mkfs.ext4 -q -F -d "$tree" -L root "$ROOT/part.img" 22M
truncate -s 24M "$ROOT/base.raw"
echo 'start=2048, size=45056, type=L' | sfdisk -q --label gpt "$ROOT/base.raw"
dd if="$ROOT/part.img" of="$ROOT/base.raw" bs=512 seek=2048 conv=notrunc status=none
BASE=$ROOT/var/lib/vireo/images/curso-base.qcow2
qemu-img convert -f raw -O qcow2 "$ROOT/base.raw" "$BASE"
rm -f "$ROOT/base.raw" "$ROOT/part.img"
tiny_xml curso-base | sed "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$BASE'/><target dev='vda' bus='virtio'/></disk>|" >"$ROOT/base.xml"
"$VIREO" define "$ROOT/base.xml" >/dev/null
ok "curso-base defined on a 24 MiB GPT disk with an ext4 /etc"
# A disk to import: the tiny ISO is a hybrid image that boots as a disk
# (as qcow2: a raw copy would be listed as an ISO).
qemu-img convert -f raw -O qcow2 "$IMAGES/tiny.iso" "$ROOT/var/lib/vireo/images/importado.qcow2"
# curso-uefi: UEFI firmware (OVMF by descriptor), for the details tab;
# started once, so that its definition names the loader and its NVRAM.
tiny_xml curso-uefi | sed "s|<os>|<os firmware='efi'>|" >"$ROOT/uefi.xml"
"$VIREO" define "$ROOT/uefi.xml" >/dev/null
"$VIREO" start curso-uefi >/dev/null
"$VIREO" destroy curso-uefi >/dev/null
expect_match "curso-uefi: its definition names OVMF after a start" "$("$VIREO" dumpxml curso-uefi --inactive)" "<loader .*OVMF"

start=$SECONDS
rm -f "$VIREO_BUILD"/web-artifacts/curso1-*.png
VIREO_WEB_URL="http://127.0.0.1:$PORT/" VIREO_WEB_TOKEN=$TOKEN VIREO_CLI=$VIREO \
VIREO_DEFAULT_URI=$VIREO_DEFAULT_URI VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" \
VIREO_DISK_DEV=$DISK VIREO_FS_DEV=$FSDEV VIREO_FS_MOUNT=$ROOT/datos VIREO_ISCSI_IQN=$IQN \
VIREO_ISCSI_PORTAL=10.78.0.1 VIREO_SCRATCH=$ROOT VIREO_DAEMON_PID=$DAEMON_PID VIREO_IMAGES_DIR=$ROOT/var/lib/vireo/images VIREO_TINY_ISO=$IMAGES/tiny.iso \
    inns timeout 240 node "$VIREO_SRC/tests/web/curso1.mjs" ||
    fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "curso1 in the browser, in Spanish ($((SECONDS - start)) s)"
