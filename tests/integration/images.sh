#!/usr/bin/env bash
# Guest images through the daemon (issue 20): vireo sparsify, resize,
# template (sysprep of a domain's disk) and linked clones made from the
# template, on a small GPT disk with one ext4 partition the test makes
# itself (mkfs.ext4 -d, no appliance). What the tools wrote is read back
# from the image's bytes (debugfs, dumpe2fs, sfdisk, qemu-img info). Each
# tool starts the libguestfs appliance under TCG: about a minute apiece on
# a busy 2-core host. The full builder run is tests/integration/images-builder.sh
# (make check-images).
source "$(dirname "$0")/lib.sh"
need_images
start_daemon
W=$ROOT/work
mkdir -p "$W"
T0=$SECONDS

# ---- a disk: GPT, partition 1 (1 MiB .. 48 MiB) ext4 with a Debian-like /etc
tree=$W/tree
mkdir -p "$tree"/{etc/ssh,root,var/log,var/lib/dhcp,bin,usr/sbin,tmp}
echo old-host >"$tree/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\told-host\n' >"$tree/etc/hosts"
echo 0123456789abcdef0123456789abcdef >"$tree/etc/machine-id"
printf 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n' >"$tree/etc/os-release"
echo 12.8 >"$tree/etc/debian_version"
echo '/dev/sda1 / ext4 defaults 0 1' >"$tree/etc/fstab"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tree/etc/passwd"
echo 'root:*:19000:0:99999:7:::' >"$tree/etc/shadow"
echo 'private key' >"$tree/etc/ssh/ssh_host_ed25519_key"
: >"$tree/usr/sbin/sshd"
echo 'ls -la' >"$tree/root/.bash_history"
echo 'lease 10.0.0.9' >"$tree/var/lib/dhcp/dhclient.eth0.leases"
echo 'log line' >"$tree/var/log/syslog"
# 24 MiB of data the guest then deletes: blocks freed in the filesystem,
# still allocated in the image.
mkdir -p "$tree/usr/share/zoneinfo/Europe"
cp /usr/share/zoneinfo/Europe/Madrid "$tree/usr/share/zoneinfo/Europe/Madrid"
head -c 24M /dev/urandom >"$tree/big"
part=$W/part.img
mkfs.ext4 -q -F -d "$tree" -L root "$part" 47M
debugfs -w -R "rm /big" "$part" >/dev/null 2>&1
raw=$W/disk.raw
truncate -s 64M "$raw"
echo 'start=2048, size=96256, type=L' | sfdisk -q --label gpt "$raw"
dd if="$part" of="$raw" bs=512 seek=2048 conv=notrunc status=none
SEED=$W/seed.qcow2
qemu-img convert -f raw -O qcow2 "$raw" "$SEED"
rm -f "$raw" "$part"
ok "a 64 MiB GPT disk with an ext4 partition made ($(qemu-img info --output=json "$SEED" | jq '."actual-size"') bytes allocated)"

# read FILE PATH: a file of partition 1 of a qcow2 image, from its bytes.
partition_of() {
    local img=$1 out=$2
    qemu-img convert -U -O raw "$img" "$out.raw"
    local start size
    start=$(sfdisk --json "$out.raw" | jq '.partitiontable.partitions[0].start')
    size=$(sfdisk --json "$out.raw" | jq '.partitiontable.partitions[0].size')
    dd if="$out.raw" of="$out" bs=512 skip="$start" count="$size" status=none
    rm -f "$out.raw"
}
read_file() { debugfs -R "cat $2" "$1" 2>/dev/null; }
has_file() { debugfs -R "stat $2" "$1" 2>&1 | grep -q '^Inode:'; }
allocated() { qemu-img info -U --output=json "$1" | jq '."actual-size"'; }

# ---- sparsify: the freed 24 MiB leave the copy
t=$SECONDS
"$VIREO" sparsify --compress "$SEED" "$W/sparse.qcow2" >"$W/out" 2>&1 || { cat "$W/out"; fail "vireo sparsify"; }
before=$(allocated "$SEED") after=$(allocated "$W/sparse.qcow2")
[ "$after" -lt $((before - 16 * 1024 * 1024)) ] || fail "sparsify: $before -> $after bytes allocated"
ok "vireo sparsify --compress: $before -> $after bytes allocated ($((SECONDS - t)) s)"
partition_of "$W/sparse.qcow2" "$W/p"
expect_eq "the sparse copy keeps the files" "$(read_file "$W/p" /etc/hostname)" "old-host"
e2fsck -fn "$W/p" >/dev/null 2>&1 || fail "the sparse copy's ext4 is not clean"
ok "the sparse copy's ext4 checks clean (e2fsck -fn)"
expect_fail "sparsify refuses an existing output" "exists.*--force" "$VIREO" sparsify "$SEED" "$W/sparse.qcow2"
expect_fail "sparsify refuses IN = OUT" "output is the input" "$VIREO" sparsify "$SEED" "$SEED"
# A cancelled job leaves nothing: no output, no temporary, no appliance.
"$VIREO" sparsify "$SEED" "$W/cancelled.qcow2" >/dev/null 2>&1 &
SP=$!
running_job() { "$VIREO" job-list --json | jq -e '[.[] | select(.kind == "sparsify" and .state == "running")] | length > 0'; }
wait_for 30 "a sparsify job runs" running_job
sleep 3
id=$("$VIREO" job-list --json | jq -r '[.[] | select(.kind == "sparsify" and .state == "running")][0].id')
"$VIREO" job-cancel "$id" >/dev/null
rc=0; wait "$SP" || rc=$?
[ "$rc" -ne 0 ] || fail "the cancelled sparsify reported success"
expect_eq "the job says cancelled" "$("$VIREO" job-list --json | jq -r ".[] | select(.id == $id) | .state")" "cancelled"
[ ! -e "$W/cancelled.qcow2" ] && ! ls -A "$W" | grep -q '^\.vireo-tmp-' || fail "the cancelled sparsify left files: $(ls -A "$W")"
ok "the cancelled sparsify left no file behind"
sleep 1
pgrep -f "vireo-image-helper $ROOT" >/dev/null && fail "the image helper outlived its cancel"
ok "the helper and its appliance are gone"

# ---- customize --add: root password, SSH key, time zone (done with
# libguestfs's file calls: this image has no shell)
t=$SECONDS
"$VIREO" customize --add "$W/sparse.qcow2" --root-password password:s3cret --timezone Europe/Madrid \
    --ssh-inject "root:file:$IMAGES/id_ed25519.pub" >"$W/out" 2>&1 || { cat "$W/out"; fail "vireo customize"; }
ok "vireo customize --add ($((SECONDS - t)) s)"
partition_of "$W/sparse.qcow2" "$W/p"
hash=$(read_file "$W/p" /etc/shadow | awk -F: '$1 == "root" {print $2}')
expect_match "root's password is a yescrypt hash" "$hash" '^\$y\$'
expect_eq "and it is s3cret's" "$(/usr/bin/python3 -c 'import crypt,sys; print(crypt.crypt("s3cret", sys.argv[1]) == sys.argv[1])' "$hash" 2>/dev/null)" "True"
expect_eq "the rest of root's shadow line is kept" "$(read_file "$W/p" /etc/shadow | cut -d: -f1,3-)" "root:19000:0:99999:7:::"
expect_eq "the SSH key is in root's authorized_keys" "$(read_file "$W/p" /root/.ssh/authorized_keys)" "$(cat "$IMAGES/id_ed25519.pub")"
expect_match "/etc/localtime points at the zone" "$(debugfs -R "stat /etc/localtime" "$W/p" 2>/dev/null)" "Europe/Madrid"
expect_eq "/etc/timezone names it" "$(read_file "$W/p" /etc/timezone)" "Europe/Madrid"

# ---- resize: partition 1 and its ext4 grow into a 160 MiB disk
t=$SECONDS
"$VIREO" resize --expand /dev/sda1 --size 160M "$W/sparse.qcow2" "$W/big.qcow2" >"$W/out" 2>&1 ||
    { cat "$W/out"; fail "vireo resize"; }
ok "vireo resize --expand /dev/sda1 --size 160M ($((SECONDS - t)) s): $(tail -1 "$W/out")"
expect_eq "the new disk is 160 MiB" "$(qemu-img info --output=json "$W/big.qcow2" | jq '."virtual-size"')" $((160 * 1024 * 1024))
partition_of "$W/big.qcow2" "$W/p"
psize=$(stat -c %s "$W/p")
[ "$psize" -gt $((150 * 1024 * 1024)) ] || fail "partition 1 is $psize bytes"
ok "partition 1 grew to $psize bytes (was 47 MiB)"
blocks=$(dumpe2fs -h "$W/p" 2>/dev/null | awk -F: '/^Block count/ {gsub(/ /, "", $2); print $2}')
bsize=$(dumpe2fs -h "$W/p" 2>/dev/null | awk -F: '/^Block size/ {gsub(/ /, "", $2); print $2}')
[ $((blocks * bsize)) -gt $((150 * 1024 * 1024)) ] || fail "ext4 is $((blocks * bsize)) bytes"
ok "its ext4 grew to $((blocks * bsize)) bytes"
e2fsck -fn "$W/p" >/dev/null 2>&1 || fail "the grown ext4 is not clean"
ok "the grown ext4 checks clean"
expect_eq "the input is unchanged" "$(qemu-img info --output=json "$W/sparse.qcow2" | jq '."virtual-size"')" $((64 * 1024 * 1024))
expect_fail "resize refuses a smaller size" "not bigger" "$VIREO" resize --expand /dev/sda1 --size 32M "$W/sparse.qcow2" "$W/small.qcow2"
[ ! -e "$W/small.qcow2" ] && ! ls "$W"/.vireo-tmp-* >/dev/null 2>&1 || fail "a failed resize left files behind"
ok "the failed resize left nothing behind"
# A partition that is not there: named, with the ones there are; the copy
# made before the appliance looked is removed.
expect_job_fail "resize of a partition that is not there" "--expand /dev/sda9: the image has no such partition \(it has /dev/sda1\)" \
    "$VIREO" resize --expand /dev/sda9 --size 160M "$W/sparse.qcow2" "$W/nopart.qcow2"
[ ! -e "$W/nopart.qcow2" ] && ! ls "$W"/.vireo-tmp-* >/dev/null 2>&1 || fail "the refused resize left files: $(ls -A "$W")"
ok "the refused resize left nothing behind"
# A full disk: the output on a 4 MiB tmpfs made here (the copy needs
# about 26 MiB); the half-made image is removed. The builder's own full
# disk is in images-builder.sh (it needs a built base).
FULL=$W/full
mkdir -p "$FULL"
mount -t tmpfs -o size=4m vireo-full "$FULL"
test_cleanup() { umount "$FULL" 2>/dev/null; return 0; }
expect_job_fail "resize onto a full disk" "No space left on device" \
    "$VIREO" resize --expand /dev/sda1 --size 160M "$SEED" "$FULL/big.qcow2"
expect_eq "the half-made image is removed from the full disk" "$(ls -A "$FULL")" ""
umount "$FULL"

# ---- template: a domain sealed with sysprep; it refuses to start
TPL_DISK=$ROOT/var/lib/vireo/images/tpl.qcow2
mv "$W/big.qcow2" "$TPL_DISK"
tiny_xml tpl | sed "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$TPL_DISK'/><target dev='vda' bus='virtio'/></disk>|" >"$W/tpl.xml"
"$VIREO" define "$W/tpl.xml" >/dev/null
t=$SECONDS
"$VIREO" template tpl --hostname plantilla --firstboot-command 'echo hello' >"$W/out" 2>&1 ||
    { cat "$W/out"; fail "vireo template"; }
ok "vireo template tpl --hostname plantilla ($((SECONDS - t)) s)"
partition_of "$TPL_DISK" "$W/p"
expect_eq "sysprep set the hostname" "$(read_file "$W/p" /etc/hostname)" "plantilla"
expect_match "and /etc/hosts' 127.0.1.1 line" "$(read_file "$W/p" /etc/hosts)" "127\.0\.1\.1.plantilla"
expect_eq "machine-id emptied" "$(read_file "$W/p" /etc/machine-id | wc -c)" "0"
has_file "$W/p" /etc/ssh/ssh_host_ed25519_key && fail "SSH host key still there"
ok "SSH host keys removed"
expect_match "regenerated at first boot" "$(read_file "$W/p" /usr/lib/vireo-firstboot/scripts/0000-ssh-hostkeys)" "ssh-keygen -A"
expect_match "the first-boot command is installed" "$(read_file "$W/p" /usr/lib/vireo-firstboot/scripts/0010-command)" "echo hello"
for f in /root/.bash_history /var/lib/dhcp/dhclient.eth0.leases /var/log/syslog; do
    has_file "$W/p" "$f" && fail "sysprep left $f"
done
ok "bash history, DHCP leases and logs removed"
expect_eq "user accounts untouched" "$(read_file "$W/p" /etc/passwd)" "root:x:0:0:root:/root:/bin/sh"
expect_match "dumpxml shows the template mark" "$("$VIREO" dumpxml tpl)" "vireo:template"
expect_eq "the template's disk is read-only" "$(stat -c %a "$TPL_DISK")" "444"
expect_fail "a template refuses to start" "is a template.*clone --from-template" "$VIREO" start tpl
expect_fail "a template is not sealed twice" "already a template" "$VIREO" template tpl

# ---- two linked clones from the template, side by side
for c in c1 c2; do
    "$VIREO" clone --from-template tpl --name "$c" >/dev/null
    disk=$ROOT/var/lib/vireo/images/$c.qcow2
    info=$(qemu-img info -U --output=json "$disk")
    expect_eq "$c's disk is backed by the template's" "$(jq -r '."backing-filename"' <<<"$info")" "$TPL_DISK"
    expect_eq "$c's backing format is qcow2" "$(jq -r '."backing-filename-format"' <<<"$info")" "qcow2"
    [ "$(allocated "$disk")" -lt $((2 * 1024 * 1024)) ] || fail "$c's overlay is not small"
    ok "$c is a linked overlay ($(allocated "$disk") bytes)"
    "$VIREO" dumpxml "$c" | grep -q "vireo:template" && fail "$c carries the template mark"
done
"$VIREO" start c1 >/dev/null
"$VIREO" start c2 >/dev/null
wait_for 60 "c1 boots" file_has "$ROOT/var/log/vireo/qemu/c1-serial0.log" "Run /init"
wait_for 60 "c2 boots" file_has "$ROOT/var/log/vireo/qemu/c2-serial0.log" "Run /init"
expect_eq "both clones run side by side" "$("$VIREO" domstate c1) $("$VIREO" domstate c2)" "running running"

# ---- refused: running disks, disks other images are built on, bad names
expect_fail "sysprep of a running domain" "not shut off" "$VIREO" sysprep c1
expect_fail "resize of a running domain's disk" "running domain 'c1'" \
    "$VIREO" resize --expand /dev/sda1 --size 200M "$ROOT/var/lib/vireo/images/c1.qcow2" "$W/x.qcow2"
expect_fail "customize of a disk linked clones are built on" "c1|backing|overlay" "$VIREO" customize --add "$TPL_DISK"
expect_fail "clone --from-template of a non-template" "not a template" "$VIREO" clone --from-template c1 --name c3
expect_fail "the builder refuses an OS it cannot make" "cannot make 'plan9'" "$VIREO" builder plan9 --output "$W/p9.qcow2"
expect_fail "the builder refuses an existing output" "exists.*--force" "$VIREO" builder debian-12 --output "$SEED"
expect_fail "sysprep of an unknown operation" "unknown operation 'nope'" "$VIREO" sysprep --add "$SEED" --operations nope

# ---- backup and restore of a shut-off domain (a running one's: backup-live.sh)
"$VIREO" destroy c2 >/dev/null
expect_fail "an incremental backup of a shut-off domain" "shut off; --incremental" "$VIREO" backup c2 "$W/bk" --incremental "$W/none"
"$VIREO" backup c2 "$W/bk" >/dev/null
expect_eq "the backup holds the definition, the disk and its manifest" "$(ls "$W/bk" | tr '\n' ' ')" "backup.json c2.qcow2 c2.xml "
expect_eq "the disk copy stands alone (the overlay flattened)" "$(qemu-img info --output=json "$W/bk/c2.qcow2" | jq -r '."backing-filename" // "none"')" "none"
expect_fail "a second backup into the same directory" "already holds a backup" "$VIREO" backup c2 "$W/bk"
"$VIREO" undefine c2 --remove-all-storage >/dev/null
[ ! -e "$ROOT/var/lib/vireo/images/c2.qcow2" ] || fail "undefine kept c2's disk"
"$VIREO" backup-restore "$W/bk" >/dev/null
expect_eq "restore defined c2 again" "$("$VIREO" domstate c2)" "shut off"
partition_of "$ROOT/var/lib/vireo/images/c2.qcow2" "$W/p"
expect_eq "its disk is back, with the template's content" "$(read_file "$W/p" /etc/hostname)" "plantilla"
"$VIREO" start c2 >/dev/null
wait_for 60 "the restored c2 boots" state_is c2 "running (booted)"
expect_fail "restore over an existing domain" "exists" "$VIREO" backup-restore "$W/bk"
echo "images: $CHECKS checks in $((SECONDS - T0)) s"
