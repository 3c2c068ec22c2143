#!/usr/bin/env bash
# vireo builder's whole job (issue 20; make check-images, not make check):
# Debian 12 from Debian's packages (mmdebstrap) made into a bootable disk
# by libguestfs, imported with vireo install --import, booted under TCG
# to a login prompt that shows the hostname asked; the root password
# works on the serial console and the injected SSH key over the default
# network. A second build is served from the cache; both times are in
# the log. The first build installs a package through mmdebstrap's
# include list (--install) and runs a command in the image (--run-command),
# both seen in the guest; a build onto a full disk leaves nothing. Then
# what the other tools do to a real guest's image: sparsify --in-place
# gives back what the guest deleted, sparsify --format raw makes a raw
# copy that boots under UEFI with Secure Boot on (vireo install --boot
# uefi picks OVMF with Microsoft's keys: the image's shim and signed GRUB
# pass it); resize --expand grows xfs and btrfs partitions; and Debian 13
# is built and booted under Secure Boot too when the mirror serves trixie
# (builder --list says why not otherwise).
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
    umount "$ROOT/full" 2>/dev/null
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
expect_match "builder --list says of every OS whether it can, and why not" \
    "$(grep -E '^ *(debian|ubuntu)-' <<<"$list" | grep -Evc ' yes$| no: .+')" "^0$"
echo "$list"
D13=no
grep -Eq "debian-13 .* yes" <<<"$list" && D13=yes

# Debian 13 builds beside Debian 12's (its packages download while the
# other's appliance works).
if [ "$D13" = yes ]; then
    T13=$SECONDS
    bv builder debian-13 --output "$ROOT/d13.qcow2" --size 3G --hostname trixie --root-password password:asdasd \
        >"$ROOT/build13.out" 2>&1 &
    B13=$!
fi

OUT=$ROOT/d12.qcow2
t=$SECONDS
bv builder debian-12 --output "$OUT" --size 4G --hostname mimaquina --root-password password:asdasd \
    --ssh-inject "root:file:$IMAGES/id_ed25519.pub" --firstboot-command 'echo firstboot-ran >/root/firstboot.txt' \
    --install tree --run-command 'echo run-command-ran >/root/run.txt' \
    >"$ROOT/build1.out" 2>&1 || { cat "$ROOT/build1.out"; fail "vireo builder debian-12"; }
FIRST=$((SECONDS - t))
cat "$ROOT/build1.out"
ok "vireo builder debian-12: first build in ${FIRST} s"
expect_eq "the image is qcow2, 4 GiB" "$(qemu-img info --output=json "$OUT" | jq -r '"\(.format) \(."virtual-size")"')" "qcow2 4294967296"

t=$SECONDS
bv builder debian-12 --output "$ROOT/second.qcow2" --hostname otra --install tree >"$ROOT/build2.out" 2>&1 ||
    { cat "$ROOT/build2.out"; fail "second build"; }
SECOND=$((SECONDS - t))
cat "$ROOT/build2.out"
expect_match "the second build is served from the cache" "$(cat "$ROOT/build2.out")" "from the cache"
expect_match "a random root password is printed" "$(cat "$ROOT/build2.out")" "Root password: [A-Za-z0-9]{16}"
[ "$SECOND" -lt "$FIRST" ] || fail "second build ($SECOND s) not faster than the first ($FIRST s)"
ok "build times: first ${FIRST} s, second (cached) ${SECOND} s"
expect_fail "an existing output is refused" "exists.*--force" bv builder debian-12 --output "$OUT"
expect_fail "an OS it cannot make" "cannot make 'debian-99'" bv builder debian-99 --output "$ROOT/x.qcow2"
# A full disk during a build: the output on a 64 MiB tmpfs made here (the
# base holds about 800 MB); the half-made image is removed.
FULL=$ROOT/full
mkdir -p "$FULL"
mount -t tmpfs -o size=64m vireo-full "$FULL"
expect_job_fail "a build onto a full disk" "No space left on device" bv builder debian-12 --install tree --output "$FULL/d12.qcow2"
expect_eq "the half-made image is removed" "$(ls -A "$FULL")" ""
umount "$FULL"
rm -f "$ROOT/second.qcow2"

if [ "$D13" = yes ]; then
    wait "$B13" || { cat "$ROOT/build13.out"; fail "vireo builder debian-13"; }
    ok "vireo builder debian-13: built in $((SECONDS - T13)) s (beside the Debian 12 builds)"
else
    ok "debian-13 is not built: $(grep -E 'debian-13' <<<"$list" | sed 's/  */ /g')"
fi
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

# console_login DOMAIN COMMAND MARK: log in as root (password asdasd) on
# the serial console and run COMMAND, until its output shows MARK (three
# tries: a password typed before a loaded guest prints "Password:" is
# flushed, and login says "Login incorrect").
console_login() {
    local out try
    for try in 1 2 3; do
        out=$( { sleep 2; printf 'root\r'; sleep $((4 * try)); printf 'asdasd\r'; sleep $((4 * try)); printf '%s\r' "$2"; sleep 4; } |
            timeout $((14 + 8 * try)) "$VIREO" console "$1" 2>/dev/null | tr -d '\r' || true)
        grep -q -- "$3" <<<"$out" && break
    done
    echo "$out"
}
# Log in on the serial console with the root password.
out=$(console_login d12 'echo CONSOLE-$(hostname)-$(id -u)' CONSOLE-mimaquina-0)
expect_match "root's password works on the console" "$out" "CONSOLE-mimaquina-0"

guest_ip() { "$VIREO" domifaddr d12 --json | jq -r '.[0].addresses[0].ip // empty'; }
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
expect_eq "--install: the package is installed (mmdebstrap's include list)" \
    "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'dpkg-query -W -f "\${Status}" tree; tree --version >/dev/null && echo " runs"')" \
    "install ok installed runs"
expect_match "--run-command ran in the image at build time" \
    "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'cat /root/run.txt')" "^run-command-ran"
# The ESP as Debian's cloud images: Microsoft-signed shim as the removable
# fallback and in EFI/debian, Debian's signed GRUB beside each.
expect_eq "the ESP has shim and the signed GRUB (EFI/BOOT and EFI/debian)" \
    "$(inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'cd /boot/efi/EFI && s=/usr/lib/shim/shimx64.efi.signed &&
        g=/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed && cmp BOOT/BOOTX64.EFI $s && cmp BOOT/grubx64.efi $g &&
        cmp debian/shimx64.efi $s && cmp debian/grubx64.efi $g && grep -q "configfile" debian/grub.cfg && echo ESP-OK')" "ESP-OK"

# ---- sparsify --in-place: 256 MiB the guest wrote and deleted go back
inhost ssh "${SSH_OPTS[@]}" "root@$IP" 'dd if=/dev/urandom of=/root/junk bs=1M count=256 2>/dev/null; sync; rm /root/junk; sync'
"$VIREO" shutdown d12 --wait >/dev/null 2>&1 || "$VIREO" destroy d12 >/dev/null
allocated() { qemu-img info -U --output=json "$1" | jq '."actual-size"'; }
before=$(allocated "$POOL/d12.qcow2")
t=$SECONDS
"$VIREO" sparsify --in-place "$POOL/d12.qcow2" >"$ROOT/out" 2>&1 || { cat "$ROOT/out"; fail "vireo sparsify --in-place"; }
after=$(allocated "$POOL/d12.qcow2")
[ "$after" -lt $((before - 200 * 1024 * 1024)) ] || fail "sparsify --in-place: $before -> $after bytes allocated"
ok "vireo sparsify --in-place: $before -> $after bytes allocated ($((SECONDS - t)) s)"
qemu-img check -q "$POOL/d12.qcow2" || fail "the image sparsified in place does not check"
ok "the image sparsified in place checks (qemu-img check)"

# ---- sparsify --format raw: a raw copy, sparse, that boots under UEFI
t=$SECONDS
"$VIREO" sparsify --format raw "$POOL/d12.qcow2" "$POOL/d12u.raw" >"$ROOT/out" 2>&1 ||
    { cat "$ROOT/out"; fail "vireo sparsify --format raw"; }
expect_eq "sparsify --format raw makes a raw image ($((SECONDS - t)) s)" \
    "$(qemu-img info --output=json "$POOL/d12u.raw" | jq -r '"\(.format) \(."virtual-size")"')" "raw 4294967296"
[ "$(allocated "$POOL/d12u.raw")" -lt $((2 * 1024 * 1024 * 1024)) ] || fail "the raw copy is not sparse"
ok "the raw copy is sparse ($(allocated "$POOL/d12u.raw") bytes of 4 GiB allocated)"
# --boot uefi picks OVMF by its descriptors, as libvirt: here the Secure
# Boot one with Microsoft's keys first; shim (signed by Microsoft) loads
# Debian's signed GRUB, which loads the signed cloud kernel.
"$VIREO" install --name d12u --os-variant debian12 --import --disk "path=$POOL/d12u.raw,format=raw" --boot uefi \
    --memory 768 --network network=default --graphics none --noautoconsole >"$ROOT/install.out" 2>&1 ||
    { cat "$ROOT/install.out"; fail "vireo install --import --boot uefi"; }
expect_match "the UEFI domain runs OVMF with Secure Boot and Microsoft's keys" "$("$VIREO" dumpxml d12u)" \
    "<loader[^>]*secure=.yes.[^>]*>[^<]*OVMF_CODE_4M.ms.fd<"
if [ "$D13" = yes ]; then
    mv "$ROOT/d13.qcow2" "$POOL/d13.qcow2"
    "$VIREO" install --name d13 --os-variant debian12 --import --disk vol=default/d13.qcow2 --memory 768 --boot uefi \
        --network network=default --graphics none --noautoconsole >"$ROOT/install13.out" 2>&1 ||
        { cat "$ROOT/install13.out"; fail "vireo install --import of the Debian 13 image"; }
fi

# ---- resize --expand of xfs and btrfs (while the guests boot): GPT, one
# partition, the filesystem made here; grown to 1 GiB and checked.
partition_of() {
    local img=$1 out=$2 start size
    qemu-img convert -U -O raw "$img" "$out.raw"
    start=$(sfdisk --json "$out.raw" | jq '.partitiontable.partitions[0].start')
    size=$(sfdisk --json "$out.raw" | jq '.partitiontable.partitions[0].size')
    dd if="$out.raw" of="$out" bs=512 skip="$start" count="$size" status=none
    rm -f "$out.raw"
}
fs_disk() {
    local fs=$1 mb=$2
    truncate -s "${mb}M" "$ROOT/$fs.part"
    "mkfs.$fs" -q "$ROOT/$fs.part" >/dev/null
    truncate -s "$((mb + 2))M" "$ROOT/$fs.raw"
    echo "start=2048, size=$((mb * 2048)), type=L" | sfdisk -q --label gpt "$ROOT/$fs.raw"
    dd if="$ROOT/$fs.part" of="$ROOT/$fs.raw" bs=1M seek=1 conv=notrunc,sparse status=none
    qemu-img convert -O qcow2 "$ROOT/$fs.raw" "$ROOT/$fs.qcow2"
    rm -f "$ROOT/$fs.part" "$ROOT/$fs.raw"
}
fs_size() {
    case $1 in
    xfs) xfs_db -r -c 'sb 0' -c 'p dblocks' -c 'p blocksize' "$2" | awk '{v[NR]=$3} END {print v[1] * v[2]}' ;;
    btrfs) btrfs inspect-internal dump-super "$2" | awk '$1 == "total_bytes" {print $2}' ;;
    esac
}
for fs in xfs btrfs; do
    command -v "mkfs.$fs" >/dev/null || { ok "no mkfs.$fs here: $fs resize not tried"; continue; }
    fs_disk "$fs" 320
    t=$SECONDS
    "$VIREO" resize --expand /dev/sda1 --size 1G "$ROOT/$fs.qcow2" "$ROOT/$fs-big.qcow2" >"$ROOT/out" 2>&1 ||
        { cat "$ROOT/out"; fail "vireo resize --expand of $fs"; }
    partition_of "$ROOT/$fs-big.qcow2" "$ROOT/$fs.p"
    size=$(fs_size "$fs" "$ROOT/$fs.p")
    [ "$size" -gt $((900 * 1024 * 1024)) ] || fail "$fs after resize: $size bytes"
    ok "vireo resize --expand grew $fs from 320 MiB to $size bytes ($((SECONDS - t)) s)"
    case $fs in
    xfs) xfs_repair -n "$ROOT/$fs.p" >"$ROOT/fsck.out" 2>&1 ;;
    btrfs) btrfs check "$ROOT/$fs.p" >"$ROOT/fsck.out" 2>&1 ;;
    esac || { cat "$ROOT/fsck.out"; fail "the grown $fs does not check clean"; }
    ok "the grown $fs checks clean"
    rm -f "$ROOT/$fs.p" "$ROOT/$fs.qcow2" "$ROOT/$fs-big.qcow2"
done

# ---- the UEFI boot, and Debian 13's
# mokutil --sb-state reads the firmware's SecureBoot variable: "SecureBoot enabled".
SB_CHECK='test -d /sys/firmware/efi && echo FIRMWARE-EFI-$((40+2)); mokutil --sb-state'
wait_for 900 "the raw copy boots under UEFI with Secure Boot to a login prompt" file_has "$ROOT/var/log/vireo/qemu/d12u-serial0.log" "mimaquina login:"
out=$(console_login d12u "$SB_CHECK" "SecureBoot enabled")
expect_match "the guest booted through UEFI (/sys/firmware/efi)" "$out" "FIRMWARE-EFI-42"
expect_match "the guest says Secure Boot is on (mokutil --sb-state)" "$out" "SecureBoot enabled"
"$VIREO" destroy d12u >/dev/null
if [ "$D13" = yes ]; then
    wait_for 900 "Debian 13 boots under UEFI with Secure Boot to a login prompt" file_has "$ROOT/var/log/vireo/qemu/d13-serial0.log" "trixie login:"
    out=$(console_login d13 "echo VERSION-\$(cut -d. -f1 /etc/debian_version); $SB_CHECK" "SecureBoot enabled")
    expect_match "Debian 13 runs (/etc/debian_version) and its root password works" "$out" "VERSION-13"
    expect_match "Debian 13 says Secure Boot is on (mokutil --sb-state)" "$out" "SecureBoot enabled"
    "$VIREO" destroy d13 >/dev/null
fi
echo "images-builder: $CHECKS checks in $((SECONDS - T0)) s (first build ${FIRST} s, cached build ${SECOND} s)"
