#!/usr/bin/env bash
# Pool kinds beyond directories on loop devices (losetup -P on files in
# the test's root, detached at the end even on failure): the course's
# disk-pool lines (curso_kvm_ow unit 4 class 7) with `vireo` for `virsh`,
# a partition made by sfdisk behind Vireo's back, an fs pool mounted at
# its target; one tiny guest with a partition volume and an fs-pool volume
# writes markers that are read back after a restart; bad input (labels
# without --overwrite, a mounted device, a device a running domain uses,
# overlapping targets, a volume larger than the free space) refused in
# one line with nothing defined half-way. Secrets (values 0600, never in
# XML or logs, not for read-only connections). iscsi-direct against tgtd
# in a namespace of the test's own: the LUN listed with its size, CHAP
# with a wrong secret refused, unreachable portals failing in seconds
# (beside the event loop: `vireo list` answers meanwhile, for pool-start
# and find-storage-pool-sources, from vireo and virsh), a guest on the
# LUN through QEMU's iSCSI client (vol-delete of its LUN refused), a
# second LUN hot-plugged into it, written, detached and attached again,
# and a <disk type='network'> of protocol iscsi hot-plugged, detached by
# its alias, updated --config as libvirt does (the element's own alias
# or none), detached by detach-device-alias --config, started with and
# detached again (no node or secret left). A LUN in use by a running
# domain (as a network disk or a volume) refused to another one, hot-plug
# and start, unless both mark it <shareable/>.
. "$(dirname "$0")/lib.sh"
need_images
[ -e /dev/loop-control ] || fail "no loop devices here (modprobe loop)"

TGTD=
test_cleanup() {
    local m f l
    [ -z "$TGTD" ] || { kill -9 "$TGTD" 2>/dev/null; wait "$TGTD" 2>/dev/null; } || true
    netns_remove
    # The test's own mount and the fs pool's, should the test stop early.
    grep -o " $ROOT/[^ ]*" /proc/mounts 2>/dev/null | while read -r m; do umount "$m" 2>/dev/null || true; done
    for f in "$ROOT"/disk*.img; do
        for l in $(losetup -n -O NAME -j "$f" 2>/dev/null); do losetup -d "$l" 2>/dev/null || true; done
    done
}
# loop NAME SIZE: a loop device with partition scanning on a new file in
# the root (found again by its file at cleanup: this runs in a subshell).
loop() {
    truncate -s "$2" "$ROOT/$1.img"
    losetup -P -f --show "$ROOT/$1.img"
}

need_asan_daemon
start_daemon "$ASAN_VIREOD"
# libfdisk, libblkid, libiscsi (and libnftables) are opened at first use:
# a daemon whose pools are directories has none of them.
daemon_lazy_unloaded "before a disk, fs or iscsi-direct pool (or a network) needed it" \
    libfdisk libblkid libiscsi libnftables
D1=$(loop disk1 64M)   # the disk pool
D2=$(loop disk2 64M)   # the fs pool
D3=$(loop disk3 16M)   # a file system the test mounts itself
D4=$(loop disk4 8M)    # left blank: find-storage-pool-sources offers it
N1=${D1#/dev/}

caps=$("$VIREO" pool-capabilities | tr -d '\n ')
expect_match "pool-capabilities: disk served with gpt and dos" "$caps" \
    '<pooltype="disk"supported="yes"><poolOptions><defaultFormattype="dos"/><enumname="sourceFormatType"><value>dos</value><value>gpt</value></enum>'
expect_match "pool-capabilities: rbd served, raw volumes" "$caps" \
    '<pooltype="rbd"supported="yes"><volOptions><defaultFormattype="raw"/><enumname="targetFormatType"><value>raw</value></enum>'

# ---- the course's lines ----
expect_eq "pool-define-as disk" \
    "$("$VIREO" pool-define-as pool-disk disk --source-dev "$D1" --source-format gpt --target /dev)" \
    "Pool 'pool-disk' defined"
expect_eq "pool-build writes the label" "$("$VIREO" pool-build pool-disk)" "Pool 'pool-disk' built"
expect_eq "sfdisk sees a gpt label" "$(sfdisk -d "$D1" | sed -n 's/^label: //p')" "gpt"
expect_eq "pool-start" "$("$VIREO" pool-start pool-disk)" "Pool 'pool-disk' started"
daemon_maps libblkid libfdisk || fail "pool-build and pool-start of a disk pool did not load libblkid and libfdisk"
ok "pool-build loaded libblkid (its probe), pool-start libfdisk"
daemon_lazy_unloaded "for a disk pool" libiscsi libnftables
expect_eq "vol-create-as a partition" "$("$VIREO" vol-create-as pool-disk "${N1}p1" 10M)" "Vol ${N1}p1 created"
expect_match "vol-list shows the partition" "$("$VIREO" vol-list pool-disk)" "^ ${N1}p1 +/dev/${N1}p1\$"
[ -b "/dev/${N1}p1" ] || fail "/dev/${N1}p1 did not appear"
ok "the partition's /dev node appeared"
expect_eq "partition 1 MiB aligned, 10 MiB" "$(sfdisk -d "$D1" | grep "^/dev/${N1}p1" | grep -o 'start= *[0-9]*, size= *[0-9]*' | tr -s ' ')" \
    "start= 2048, size= 20480"
expect_eq "vol-info: block, raw, 10 MiB" \
    "$("$VIREO" vol-info "${N1}p1" --pool pool-disk --json | jq -r '[.type, .format, .capacity] | join(" ")')" \
    "block raw 10485760"
expect_match "pool-dumpxml: source device and format" "$("$VIREO" pool-dumpxml pool-disk | tr -d '\n ')" \
    "<pooltype=\"disk\">.*<source><devicepath=\"$D1\"/><formattype=\"gpt\"/></source><target><path>/dev</path>"

# A partition made behind Vireo's back appears after pool-refresh, with its node.
echo ',8M' | sfdisk -q -a "$D1" >/dev/null 2>&1 || true
"$VIREO" pool-refresh pool-disk >/dev/null
expect_match "pool-refresh: sfdisk's partition listed" "$("$VIREO" vol-list pool-disk --details)" "^ ${N1}p2 +/dev/${N1}p2 +block +raw +8.00 MiB"
[ -b "/dev/${N1}p2" ] || fail "/dev/${N1}p2 did not appear after pool-refresh"
ok "pool-refresh made the /dev node of sfdisk's partition"
expect_eq "vol-delete removes the partition" "$("$VIREO" vol-delete "${N1}p2" --pool pool-disk)" "Vol ${N1}p2 deleted"
[ ! -e "/dev/${N1}p2" ] && ! sfdisk -d "$D1" | grep -q "^/dev/${N1}p2" || fail "${N1}p2 still there"
ok "the partition and its node are gone"

# vol-upload writes a partition in place, vol-download reads all of it.
head -c 3000000 /dev/urandom > "$ROOT/up.bin"
"$VIREO" vol-upload "${N1}p1" "$ROOT/up.bin" --pool pool-disk >/dev/null
"$VIREO" vol-download "${N1}p1" "$ROOT/down.bin" --pool pool-disk >/dev/null
expect_eq "vol-download: the whole partition" "$(stat -c %s "$ROOT/down.bin")" "10485760"
cmp -s -n 3000000 "$ROOT/up.bin" "$ROOT/down.bin" || fail "the partition does not hold the uploaded bytes"
ok "vol-upload wrote the partition, vol-download read it back"
head -c 11000000 /dev/zero > "$ROOT/big.bin"
expect_fail "vol-upload larger than the partition" "11000000 bytes do not fit in volume '${N1}p1'" \
    "$VIREO" vol-upload "${N1}p1" "$ROOT/big.bin" --pool pool-disk
expect_eq "vol-wipe of a partition" "$("$VIREO" vol-wipe "${N1}p1" --pool pool-disk)" "Vol ${N1}p1 wiped"
cmp -s -n 10485760 "/dev/${N1}p1" /dev/zero || fail "the wiped partition is not all zeros"
ok "the wiped partition reads as zeros"
expect_fail "vol-wipe with another algorithm" "wipe algorithm 'nnsa' is not supported by Vireo \(zero is\)" \
    "$VIREO" vol-wipe "${N1}p1" --pool pool-disk --algorithm nnsa
expect_fail "vol-clone in a disk pool" "is a disk pool: its volumes are not files" \
    "$VIREO" vol-clone "${N1}p1" copy --pool pool-disk

# find-storage-pool-sources: the blank disk is offered, the labelled one is not.
out=$("$VIREO" find-storage-pool-sources disk)
expect_match "find-storage-pool-sources disk offers the blank disk" "$(tr -d '\n ' <<<"$out")" "<source><devicepath=\"$D4\"/></source>"
grep -q "\"$D1\"" <<<"$out" && fail "find-storage-pool-sources offered $D1, which has a partition table"
ok "...and not the disk with a label"
expect_fail "find-storage-pool-sources of a dir pool" "finds sources of disk, iscsi-direct and rbd pools, not 'dir'" \
    "$VIREO" find-storage-pool-sources dir

# Bad input on the disk pool.
expect_fail "volume larger than the free space" "do not fit in pool 'pool-disk' \(the largest free space" \
    "$VIREO" vol-create-as pool-disk "${N1}p2" 1G
expect_fail "a name the kernel would not give" "the next one on $D1 is '${N1}p2'" \
    "$VIREO" vol-create-as pool-disk data 1M
expect_fail "qcow2 on a partition" "raw partitions" "$VIREO" vol-create-as pool-disk "${N1}p2" 1M --format qcow2
# A partition as a copy's target: made at the source's size, written in
# place by qemu-img (a qcow2 source becomes raw on the partition).
"$VIREO" vol-create-as default src.qcow2 4M --format qcow2 >/dev/null
qemu-io -c "write -P 0x5a 1M 64k" "$("$VIREO" vol-path src.qcow2 --pool default)" >/dev/null
printf "<volume><name>${N1}p2</name><capacity unit='M'>4</capacity><target><format type='raw'/></target></volume>" > "$ROOT/topart.xml"
"$VIREO" vol-create-from pool-disk "$ROOT/topart.xml" src.qcow2 --inputpool default >/dev/null \
    || fail "vol-create-from a qcow2 volume into a new partition failed"
expect_match "the copy made partition ${N1}p2" "$("$VIREO" vol-list pool-disk)" "^ ${N1}p2 +/dev/${N1}p2\$"
expect_eq "...holding the source's bytes, raw" "$(dd if="/dev/${N1}p2" bs=64k skip=16 count=1 2>/dev/null | tr -d 'Z' | wc -c)" "0"
"$VIREO" vol-delete "${N1}p2" --pool pool-disk >/dev/null
"$VIREO" vol-delete src.qcow2 --pool default >/dev/null
expect_fail "resize of a partition" "does not resize partitions" "$VIREO" vol-resize "${N1}p1" 20M --pool pool-disk
expect_fail "pool-build while active" "is active; pool-destroy it before building it" "$VIREO" pool-build pool-disk
"$VIREO" pool-destroy pool-disk >/dev/null
expect_fail "pool-build over a label without --overwrite" \
    "already holds a partition table of type gpt; 'vireo pool-build pool-disk --overwrite'" "$VIREO" pool-build pool-disk
expect_eq "the label was kept" "$(sfdisk -d "$D1" | grep -c "^/dev/${N1}p1")" "1"
expect_fail "a second pool on the same device" "clashes with pool 'pool-disk' by its device" \
    "$VIREO" pool-define-as other disk --source-dev "$D1"
expect_fail "a disk pool's target is /dev" "target is /dev" "$VIREO" pool-define-as other disk --source-dev "$D3" --target /mnt
expect_fail "source options of later kinds are refused by name" "a disk pool takes no --source-host" \
    "$VIREO" pool-define-as other disk --source-dev "$D3" --source-host h1
expect_fail "unknown label format" "not a format of disk pools \(one of dos\|gpt\)" \
    "$VIREO" pool-define-as other disk --source-dev "$D3" --source-format bsd
expect_eq "nothing defined half-way" "$("$VIREO" pool-list --all --name | sort | tr '\n' ' ')" "default pool-disk "
"$VIREO" pool-start pool-disk >/dev/null

# ---- an fs pool ----
MNT=$ROOT/fs-pool
expect_eq "pool-define-as fs" \
    "$("$VIREO" pool-define-as pool-fs fs --source-dev "$D2" --source-format ext4 --target "$MNT")" "Pool 'pool-fs' defined"
expect_fail "start before build" "run 'vireo pool-build pool-fs'" "$VIREO" pool-start pool-fs
expect_eq "pool-build makes ext4 on the empty device" "$("$VIREO" pool-build pool-fs)" "Pool 'pool-fs' built"
expect_eq "blkid sees ext4" "$(blkid -o value -s TYPE "$D2")" "ext4"
expect_eq "pool-start mounts it" "$("$VIREO" pool-start pool-fs)" "Pool 'pool-fs' started"
expect_eq "mounted at the target" "$(findmnt -n -o SOURCE --target "$MNT")" "$D2"
expect_eq "vol-create-as in the fs pool" "$("$VIREO" vol-create-as pool-fs data.img 16M)" "Vol data.img created"
printf 'old-content' | dd of="$MNT/data.img" conv=notrunc 2>/dev/null
expect_eq "vol-wipe of a file in the fs pool" "$("$VIREO" vol-wipe data.img --pool pool-fs)" "Vol data.img wiped"
expect_eq "...reads as zeros, size kept" "$(tr -d '\0' < "$MNT/data.img" | wc -c) $(stat -c %s "$MNT/data.img")" "0 16777216"
expect_eq "the volume is a file on the device's file system" "$(stat -c %d "$MNT/data.img")" "$(stat -c %d "$MNT")"
expect_fail "a dir pool inside the fs pool's target" "clashes with pool 'pool-fs' by its directory" \
    "$VIREO" pool-define-as inner dir --target "$MNT/inner"
expect_fail "pool-build --overwrite while active" "is active" "$VIREO" pool-build pool-fs --overwrite

# A device the test mounted itself: neither kind takes it.
mkfs.ext4 -q "$D3"
mkdir -p "$ROOT/m3"
mount "$D3" "$ROOT/m3"
"$VIREO" pool-define-as taken fs --source-dev "$D3" --target "$ROOT/t3" >/dev/null
expect_fail "pool-build on a mounted device" "device $D3 is in use \(mounted" "$VIREO" pool-build taken --overwrite
mkdir -p "$ROOT/t3"
expect_fail "pool-start on a mounted device" "device $D3 is in use \(mounted" "$VIREO" pool-start taken
umount "$ROOT/m3"
# The kernel lets go of the device a moment after umount returns (and
# other programs' probes, e.g. udev's blkid, hold it for moments too):
# the answer that counts is the first one that is not "in use".
released() { ! { "$VIREO" pool-build taken > "$ROOT/taken.out" 2>&1 || true; } || ! grep -q "is in use" "$ROOT/taken.out"; }
wait_for 10 "$D3 released after umount" released
expect_match "pool-build without --overwrite over a file system" "$(cat "$ROOT/taken.out")" \
    "already holds a file system of type ext4"
"$VIREO" pool-undefine taken >/dev/null

# ---- a guest with a partition (vda) and an fs-pool file (vdb) ----
tiny_xml tiny | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='pool-disk' volume='${N1}p1'/><target dev='vda' bus='virtio'/></disk><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='pool-fs' volume='data.img'/><target dev='vdb' bus='virtio'/></disk>|" > "$ROOT/tiny.xml"
"$VIREO" define "$ROOT/tiny.xml" >/dev/null
start_booted tiny
out=$(guest_until tiny "printf vireo-disk-pool-17 > /dev/vda && printf vireo-fs-pool-23 > /dev/vdb && sync && echo W-\$((6*7))" "W-42")
expect_match "the guest wrote markers on both volumes" "$out" "^W-42"
expect_eq "the partition shows its user" "$("$VIREO" vol-info "${N1}p1" --pool pool-disk --json | jq -r .used_by)" "tiny"
expect_fail "vol-delete of a partition in use" "in use by running domain 'tiny'" "$VIREO" vol-delete "${N1}p1" --pool pool-disk
expect_fail "vol-wipe of a partition in use" "in use by running domain 'tiny'" "$VIREO" vol-wipe "${N1}p1" --pool pool-disk
expect_fail "pool-destroy of an fs pool with a file in use" "is busy" "$VIREO" pool-destroy pool-fs
"$VIREO" pool-destroy pool-disk >/dev/null
expect_fail "pool-build --overwrite of a disk a running domain uses" "device /dev/${N1}p1 is in use by running domain 'tiny'" \
    "$VIREO" pool-build pool-disk --overwrite
"$VIREO" pool-start pool-disk >/dev/null
"$VIREO" destroy tiny >/dev/null
start_booted tiny
out=$(guest_until tiny "echo R-\$(head -c 18 /dev/vda)-\$(head -c 16 /dev/vdb)" "R-vireo")
expect_match "both markers read back after a restart" "$out" "R-vireo-disk-pool-17-vireo-fs-pool-23"
"$VIREO" destroy tiny >/dev/null

# ---- secrets ----
cat > "$ROOT/secret.xml" <<XML
<secret ephemeral='no' private='no'>
  <description>CHAP of the lab target</description>
  <usage type='iscsi'><target>lab-chap</target></usage>
</secret>
XML
out=$("$VIREO" secret-define "$ROOT/secret.xml")
expect_match "secret-define" "$out" '^Secret [0-9a-f-]{36} created$'
SEC=$(awk '{print $2}' <<<"$out")
expect_match "secret-list: uuid and usage" "$("$VIREO" secret-list)" "^ $SEC +iscsi lab-chap\$"
expect_eq "secret-set-value --base64" "$("$VIREO" secret-set-value "$SEC" --base64 "$(printf 'pw-Sekr1t-77' | base64)")" "Secret value set"
expect_eq "secret-list --json: the API's secret object (src/wire's table; never the value)" \
    "$("$VIREO" secret-list --json | jq -c --arg u "$SEC" '.[] | select(.uuid == $u) | del(.uuid)')" \
    '{"usage_type":"iscsi","usage_id":"lab-chap","description":"CHAP of the lab target","ephemeral":false,"private":false,"has_value":true}'
expect_rows_form /v1/secrets secrets
expect_eq "secret-get-value gives it back (base64)" "$("$VIREO" secret-get-value "$SEC" | base64 -d)" "pw-Sekr1t-77"
expect_eq "the value file is 0600 in a 0700 directory" \
    "$(stat -c %a "$ROOT/etc/vireo/secrets/$SEC.value") $(stat -c %a "$ROOT/etc/vireo/secrets")" "600 700"
expect_eq "secret-set-value --interactive (a line on stdin)" \
    "$(printf 'typed-Pa55\n' | "$VIREO" secret-set-value "$SEC" --interactive)" "Secret value set"
printf 'file-Pa55' > "$ROOT/pw.txt"
"$VIREO" secret-set-value "$SEC" --file "$ROOT/pw.txt" --plain >/dev/null
expect_eq "secret-set-value --file --plain" "$("$VIREO" secret-get-value "$SEC" | base64 -d)" "file-Pa55"
expect_fail "secret-get-value on the read-only connection" "the read-only connection cannot GET /v1/secrets/" \
    "$VIREO" -r secret-get-value "$SEC"
expect_fail "a value that is not base64" "must be base64" "$VIREO" secret-set-value "$SEC" --base64 '!!!'
expect_fail "a second secret for the same usage" "already has usage iscsi 'lab-chap'" "$VIREO" secret-define "$ROOT/secret.xml"
expect_fail "unknown secret" "secret 'nope' not found" "$VIREO" secret-get-value nope
sed "s/private='no'/private='yes'/; s/lab-chap/other/" "$ROOT/secret.xml" > "$ROOT/private.xml"
PRIV=$("$VIREO" secret-define "$ROOT/private.xml" | awk '{print $2}')
"$VIREO" secret-set-value "$PRIV" --base64 "$(printf 'hidden-99' | base64)" >/dev/null
expect_fail "a private secret's value is not given back" "is private" "$VIREO" secret-get-value "$PRIV"
! "$VIREO" secret-dumpxml "$SEC" | grep -q 'Pa55' || fail "the value is in secret-dumpxml"
! grep -Eq 'Pa55|Sekr1t|hidden-99' "$ROOT/vireod.log" || fail "a secret value is in the daemon's log"
ok "values are in neither the XML nor the log"
# The store survives a daemon restart.
stop_daemon
start_daemon "$ASAN_VIREOD"
expect_eq "the value after a daemon restart" "$("$VIREO" secret-get-value "$SEC" | base64 -d)" "file-Pa55"
expect_eq "secret-undefine" "$("$VIREO" secret-undefine "$PRIV")" "Secret $PRIV deleted"
[ ! -e "$ROOT/etc/vireo/secrets/$PRIV.value" ] || fail "the undefined secret's value file is still there"
ok "secret-undefine removes the value file"

# ---- teardown through Vireo ----
expect_eq "pool-destroy unmounts the fs pool" "$("$VIREO" pool-destroy pool-fs)" "Pool 'pool-fs' destroyed"
findmnt -n --target "$MNT" -o TARGET | grep -qx "$MNT" && fail "$MNT still mounted"
ok "nothing mounted at the target any more"
"$VIREO" pool-destroy pool-disk >/dev/null
expect_fail "pool-delete of a disk pool" "Vireo leaves that to you \(wipefs -a $D1\)" "$VIREO" pool-delete pool-disk

# ---- iscsi-direct against tgtd in a namespace of the test's own ----
# tgtd listens on 10.77.0.1 inside the namespace; vireod runs there too
# (and QEMU with it). tgtd's control socket gets a port of its own.
NS=vireo-iscsi-$$
CTL=$((7000 + $$ % 2000))
IQN=iqn.2026-12.test.vireo:store
INIT=iqn.2026-12.test.vireo:host1
netns_make "$NS"
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" addr add 10.77.0.1/24 dev v0
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip netns exec "$NS" tgtd -f -C "$CTL" --iscsi portal=10.77.0.1:3260 > "$ROOT/tgtd.log" 2>&1 &
TGTD=$!
tgt() { tgtadm -C "$CTL" --lld iscsi "$@"; }
wait_for 10 "tgtd answers" tgt --mode target --op show
truncate -s 32M "$ROOT/lun1.img"
tgt --mode target --op new --tid 1 --targetname "$IQN"
# A marker 1 MiB in, for the guest to read through QEMU's iSCSI client.
printf 'host-side-mark-8' | dd of="$ROOT/lun1.img" bs=1M seek=1 conv=notrunc 2>/dev/null
# ... and a pattern in its first 4 KiB, for vol-upload's partial block.
printf 'ABCDEFG\n%.0s' $(seq 512) > "$ROOT/pattern4k"
dd if="$ROOT/pattern4k" of="$ROOT/lun1.img" conv=notrunc 2>/dev/null
tgt --mode logicalunit --op new --tid 1 --lun 1 --backing-store "$ROOT/lun1.img"
tgt --mode target --op bind --tid 1 --initiator-address ALL
tgt --mode account --op new --user labuser --password 'Chap-Pa55word'
tgt --mode account --op bind --tid 1 --user labuser
stop_daemon
DAEMON_WRAP="ip netns exec $NS" start_daemon "$ASAN_VIREOD"

"$VIREO" secret-set-value "$SEC" --base64 "$(printf 'not-the-password' | base64)" >/dev/null
daemon_lazy_unloaded "before an iscsi-direct pool's first login" libiscsi
expect_eq "pool-define-as iscsi-direct with CHAP" "$("$VIREO" pool-define-as lab iscsi-direct --source-host 10.77.0.1 \
    --source-dev "$IQN" --source-initiator "$INIT" --auth-type chap --auth-username labuser --secret-uuid "$SEC")" \
    "Pool 'lab' defined"
expect_fail "CHAP with a wrong secret is refused" \
    "pool 'lab': login to $IQN at 10.77.0.1:3260 refused: .*Authentication failure.*check the CHAP user and the value of its secret" \
    "$VIREO" pool-start lab
"$VIREO" secret-set-value "$SEC" --file <(printf 'Chap-Pa55word') --plain >/dev/null
expect_eq "pool-start with the right secret" "$("$VIREO" pool-start lab)" "Pool 'lab' started"
daemon_maps libiscsi || fail "the iscsi-direct pool's login did not load libiscsi"
ok "the first login loaded libiscsi"
expect_match "vol-list shows the LUN with its size" "$("$VIREO" vol-list lab --details)" \
    "^ unit:0:0:1 +iscsi://10.77.0.1:3260/$IQN/1 +block +raw +32.00 MiB"
expect_match "pool-dumpxml: host, target, initiator, auth" "$("$VIREO" pool-dumpxml lab | tr -d '\n ')" \
    "<pooltype=\"iscsi-direct\">.*<source><hostname=\"10.77.0.1\"port=\"3260\"/><devicepath=\"$IQN\"/><initiator><iqnname=\"$INIT\"/></initiator><authtype=\"chap\"username=\"labuser\"><secretuuid=\"$SEC\"/></auth></source></pool>"
! "$VIREO" pool-dumpxml lab | grep -q 'Chap-Pa55word' || fail "the CHAP password is in pool-dumpxml"
ok "the CHAP password is not in the pool's XML"
expect_fail "LUNs are made on the target" "LUNs are made on the target" "$VIREO" vol-create-as lab x 1M
expect_fail "vol-wipe of a LUN" "wiping it is not supported" "$VIREO" vol-wipe unit:0:0:1 --pool lab
# vol-upload and vol-download of a LUN through libiscsi (READ/WRITE(16),
# CHAP): 3000 bytes end inside the sixth block, whose rest keeps the
# LUN's own bytes.
head -c 3000 /dev/urandom > "$ROOT/up3000.bin"
"$VIREO" vol-upload unit:0:0:1 "$ROOT/up3000.bin" --pool lab >/dev/null || fail "vol-upload of a LUN failed"
"$VIREO" vol-download unit:0:0:1 "$ROOT/lun.out" --pool lab >/dev/null || fail "vol-download of a LUN failed"
expect_eq "vol-download of a LUN: its whole size" "$(stat -c %s "$ROOT/lun.out")" "$((32 << 20))"
cmp -s -n 3000 "$ROOT/up3000.bin" "$ROOT/lun.out" || fail "the LUN does not hold the 3000 bytes uploaded"
ok "vol-upload wrote the 3000 bytes (read back with vol-download)"
expect_eq "...and the rest of the last block kept the LUN's bytes" \
    "$(cmp -s <(dd if="$ROOT/lun.out" bs=1 skip=3000 count=1096 2>/dev/null) <(tail -c +3001 "$ROOT/pattern4k") && echo same)" "same"
expect_eq "...and the marker 1 MiB in is still there" "$(dd if="$ROOT/lun.out" bs=1M skip=1 count=1 2>/dev/null | head -c 16)" "host-side-mark-8"
cmp -s "$ROOT/lun.out" "$ROOT/lun1.img" || fail "vol-download differs from the target's backing file"
ok "vol-download equals the target's backing file"
# A LUN as a copy's source: qemu-img reads it through QEMU's own iSCSI
# client with the CHAP password as a secret object; the copy holds the
# host-side marker.
printf "<volume><name>lun-copy.raw</name><capacity unit='M'>32</capacity><target><format type='raw'/></target></volume>" > "$ROOT/luncopy.xml"
"$VIREO" vol-create-from default "$ROOT/luncopy.xml" unit:0:0:1 --inputpool lab >/dev/null \
    || fail "vol-create-from a LUN into the default pool failed"
copy=$("$VIREO" vol-path lun-copy.raw --pool default)
expect_eq "the LUN's copy holds the host-side marker" "$(dd if="$copy" bs=1M skip=1 count=1 2>/dev/null | head -c 16)" "host-side-mark-8"
expect_eq "...and has the LUN's size" "$(stat -c %s "$copy")" "$((32 << 20))"
"$VIREO" vol-delete lun-copy.raw --pool default >/dev/null
"$VIREO" pool-define-as far iscsi-direct --source-host 10.77.0.9 --source-dev "$IQN" --source-initiator "$INIT" >/dev/null
start=$SECONDS
expect_fail "an unreachable portal fails in one line" "cannot reach the iSCSI portal 10.77.0.9:3260: Connection timed out \(after 3 s\)" \
    "$VIREO" pool-start far
[ $((SECONDS - start)) -le 6 ] || fail "the unreachable portal took $((SECONDS - start)) s to fail (bound: a few seconds)"
ok "...within a few seconds"
# A portal that takes the connection and never answers (a listener that
# never reads): the login waits out libiscsi's 5 s beside the event loop,
# and other clients are served meanwhile.
ip netns exec "$NS" /usr/bin/python3 -c 'import socket, time
s = socket.socket(); s.bind(("10.77.0.1", 3262)); s.listen(8); time.sleep(120)' &
MUTE=$!
"$VIREO" pool-define-as mute iscsi-direct --source-host 10.77.0.1:3262 --source-dev "$IQN" --source-initiator "$INIT" >/dev/null
mute_listens() { ss -N "$NS" -ltnH "sport = :3262" | grep -q .; }
wait_for 5 "the mute portal listens" mute_listens
beside_start "pool-start (a portal that never answers)" "pool mute: pool-start's check runs beside the event loop" \
    "$VIREO" pool-start mute
expect_fail "a second pool-start meanwhile" "pool 'mute' is already being started" "$VIREO" pool-start mute
beside_wait
[ "$BESIDE_RC" -ne 0 ] || fail "pool-start of the mute portal succeeded"
expect_match "...and that pool-start fails in one line" "$(cat "$ROOT/beside.out")" "^vireo: error: pool 'mute': login to $IQN at 10.77.0.1:3262 refused: "
# The same through libvirt's protocol: Debian's virsh on libvirt-sock.
beside_loop "virsh pool-start (libvirt-sock)" "pool mute: pool-start's check runs beside the event loop" \
    virsh -c "qemu:///system?socket=$ROOT/libvirt-sock" pool-start mute
[ "$BESIDE_RC" -ne 0 ] || fail "virsh pool-start of the mute portal succeeded"
expect_match "...and virsh prints the one-line error" "$(cat "$ROOT/beside.out")" "pool 'mute': login to $IQN at 10.77.0.1:3262 refused: "
# find-storage-pool-sources against the same portal: the discovery waits
# beside the loop too, over HTTP and over libvirt's protocol.
beside_loop "find-storage-pool-sources-as iscsi-direct (a portal that never answers)" \
    "find-storage-pool-sources iscsi-direct: the discovery at 10.77.0.1 runs beside" \
    "$VIREO" find-storage-pool-sources-as iscsi-direct --host 10.77.0.1 --port 3262
[ "$BESIDE_RC" -ne 0 ] || fail "find-storage-pool-sources of the mute portal succeeded"
expect_match "...and it fails in one line" "$(cat "$ROOT/beside.out")" "^vireo: error: .*10.77.0.1:3262"
beside_loop "virsh find-storage-pool-sources-as (libvirt-sock)" \
    "find-storage-pool-sources iscsi-direct: the discovery at 10.77.0.1 runs beside" \
    virsh -c "qemu:///system?socket=$ROOT/libvirt-sock" find-storage-pool-sources-as iscsi-direct --host 10.77.0.1 --port 3262
[ "$BESIDE_RC" -ne 0 ] || fail "virsh find-storage-pool-sources of the mute portal succeeded"
kill "$MUTE" 2>/dev/null; wait "$MUTE" 2>/dev/null || true
"$VIREO" pool-define-as closed iscsi-direct --source-host 10.77.0.1:3261 --source-dev "$IQN" --source-initiator "$INIT" >/dev/null
expect_fail "a portal nobody listens on" "cannot reach the iSCSI portal 10.77.0.1:3261: Connection refused" "$VIREO" pool-start closed
"$VIREO" pool-define-as ghost iscsi-direct --source-host 10.77.0.1 --source-dev "$IQN-ghost" --source-initiator "$INIT" >/dev/null
expect_fail "an unknown target" "Target not found" "$VIREO" pool-start ghost
expect_fail "a second pool on the same target" "clashes with pool 'lab' by its target" \
    "$VIREO" pool-define-as lab2 iscsi-direct --source-host 10.77.0.1 --source-dev "$IQN" --source-initiator "$INIT"
expect_match "find-storage-pool-sources-as iscsi-direct lists the portal's target" \
    "$("$VIREO" find-storage-pool-sources-as iscsi-direct 10.77.0.1 3260 | tr -d '\n ')" \
    "^<sources><source><hostname=\"10.77.0.1\"port=\"3260\"/><devicepath=\"$IQN\"/></source></sources>\$"
expect_fail "an iscsi-direct pool needs its initiator" "needs its portal .* and the initiator's IQN" \
    "$VIREO" pool-define-as lab3 iscsi-direct --source-host 10.77.0.1 --source-dev "$IQN"

# A guest with its disk on the LUN (QEMU's own iSCSI client, CHAP).
tiny_xml ig | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='lab' volume='unit:0:0:1'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/ig.xml"
"$VIREO" define "$ROOT/ig.xml" >/dev/null
start_booted ig
cmdline=$(tr '\0' ' ' < /proc/"$(cat "$ROOT/run/vireo/qemu/ig/qemu.pid")"/cmdline)
expect_match "QEMU's own iSCSI client, the password in a secret object's file" "$cmdline" \
    "-object secret,id=sec-vda,file=[^ ]*/lab.chap,format=raw -blockdev driver=iscsi,transport=tcp,portal=10.77.0.1:3260,target=$IQN,lun=1,initiator-name=$INIT,user=labuser,password-secret=sec-vda"
grep -q 'Chap-Pa55word' <<<"$cmdline" && fail "the CHAP password is on QEMU's command line"
ok "the CHAP password is not on QEMU's command line"
out=$(guest_until ig "printf vireo-iscsi-lun-31 > /dev/vda && sync && echo W-\$((5*7))" "^W-35")
expect_match "the guest wrote a marker on the LUN" "$out" "^W-35"
expect_eq "the marker is in the target's backing file" "$(head -c 18 "$ROOT/lun1.img")" "vireo-iscsi-lun-31"
out=$(guest_until ig "echo R-\$(dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | head -c 17)" "R-[a-z]")
expect_match "the guest reads the marker the host put on the LUN" "$out" "R-host-side-mark-8"
expect_fail "vol-delete of a LUN a running domain uses" "volume 'unit:0:0:1' of pool 'lab' is in use by running domain 'ig'" \
    "$VIREO" vol-delete unit:0:0:1 --pool lab
# LUN hot-plug: a second LUN on the target, attached to the running guest
# (blockdev-add of QEMU's iSCSI node after the object-add of the CHAP
# password's secret) and detached (the secret object goes with it: a
# second attach under the same target would otherwise clash with it).
truncate -s 16M "$ROOT/lun2.img"
tgt --mode logicalunit --op new --tid 1 --lun 2 --backing-store "$ROOT/lun2.img"
"$VIREO" pool-refresh lab >/dev/null
expect_eq "attach-disk --source-pool of a LUN, live" \
    "$("$VIREO" attach-disk ig unit:0:0:2 vdb --source-pool lab --alias ua-lun2 --live)" "Disk attached successfully"
out=$(guest_until ig "echo S-\$(cat /sys/block/vdb/size 2>/dev/null)" "^S-[0-9]")
expect_match "the guest sees the 16 MiB LUN as vdb" "$out" "^S-32768"
out=$(guest_until ig "printf vireo-hotplug-lun-2 > /dev/vdb && sync && echo W-\$((6*7))" "^W-42")
expect_match "the guest wrote a marker on the hot-plugged LUN" "$out" "^W-42"
expect_eq "...which is in the target's backing file" "$(head -c 19 "$ROOT/lun2.img")" "vireo-hotplug-lun-2"
expect_match "dumpxml: the volume disk with its user alias" "$("$VIREO" dumpxml ig | tr -d '\n ')" \
    "<disktype=\"volume\"device=\"disk\">.*<sourcepool=\"lab\"volume=\"unit:0:0:2\"/><targetdev=\"vdb\"bus=\"virtio\"/><aliasname=\"ua-lun2\"/>"
expect_fail "vol-delete of the hot-plugged LUN" "volume 'unit:0:0:2' of pool 'lab' is in use by running domain 'ig'" \
    "$VIREO" vol-delete unit:0:0:2 --pool lab
expect_eq "detach-disk of the LUN, live" "$("$VIREO" detach-disk ig vdb --live)" "Disk detached successfully"
out=$(guest_until ig "echo G-\$(ls /sys/block | grep -c vdb)" "^G-0")
expect_match "the guest no longer has vdb" "$out" "^G-0"
printf "<disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='lab' volume='unit:0:0:2'/><target dev='vdb' bus='virtio'/></disk>" > "$ROOT/lun2.xml"
expect_eq "attach-device of the same LUN again, live (its secret object went with the detach)" \
    "$("$VIREO" attach-device ig "$ROOT/lun2.xml" --live)" "Device attached successfully"
out=$(guest_until ig "echo R-\$(head -c 19 /dev/vdb)" "^R-vireo")
expect_match "...and the guest reads its marker back" "$out" "^R-vireo-hotplug-lun-2"
expect_eq "detach-device, live" "$("$VIREO" detach-device ig "$ROOT/lun2.xml" --live)" "Device detached successfully"
# <disk type='network'> of protocol iscsi, as libvirt writes it (issue
# 16): hot-plugged (object-add of the CHAP password's secret from the
# secret store, QEMU's iscsi node, the format node, device_add), read by
# the guest, detached by its user alias with its nodes and secret object
# gone from QEMU; then in the definition: started with, read, detached
# live the same.
truncate -s 8M "$ROOT/lun3.img"
printf 'vireo-net-iscsi-lun-3' | dd of="$ROOT/lun3.img" conv=notrunc 2>/dev/null
tgt --mode logicalunit --op new --tid 1 --lun 3 --backing-store "$ROOT/lun3.img"
net3="<disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='iscsi' name='$IQN/3'><host name='10.77.0.1' port='3260'/><auth username='labuser'><secret type='iscsi' uuid='$SEC'/></auth><initiator><iqn name='$INIT'/></initiator></source><target dev='vdc' bus='virtio'/><alias name='ua-net3'/></disk>"
printf '%s' "$net3" > "$ROOT/net3.xml"
expect_eq "attach-device of a <disk type='network'> protocol iscsi, live" \
    "$("$VIREO" attach-device ig "$ROOT/net3.xml" --live)" "Device attached successfully"
# (the guest's kernel names the disk vdb: the lowest free name)
out=$(guest_until ig "echo R-\$(head -c 21 /dev/vdb 2>/dev/null)" "^R-vireo")
expect_match "the guest reads the LUN's pattern through the hot-plugged network disk" "$out" "^R-vireo-net-iscsi-lun-3"
expect_match "QEMU has its iscsi and format nodes" "$(qemu_nodes ig)" "drive-vdc .*file-vdc"
expect_match "...and the CHAP password's secret object" "$(qemu_objects ig)" "sec-vdc"
[ "$(stat -c %a "$ROOT/run/vireo/qemu/ig/vdc.chap")" = 600 ] || fail "the hot-plugged disk's CHAP file is not 0600"
ok "the CHAP password in a 0600 file of the run"
expect_match "dumpxml: the network disk as written, with its user alias" "$("$VIREO" dumpxml ig | tr -d '\n ')" \
    "<disktype=\"network\"device=\"disk\"><drivername=\"qemu\"type=\"raw\"/><sourceprotocol=\"iscsi\"name=\"$IQN/3\"><hostname=\"10.77.0.1\"port=\"3260\"/>.*<targetdev=\"vdc\"bus=\"virtio\"/><aliasname=\"ua-net3\"/>"
printf "<disk type='network' device='disk'><alias name='ua-net3'/></disk>" > "$ROOT/net3-alias.xml"
expect_eq "detach-device by the user alias alone, live" \
    "$("$VIREO" detach-device ig "$ROOT/net3-alias.xml" --live)" "Device detached successfully"
out=$(guest_until ig "echo G-\$(ls /sys/block | grep -c vdb)" "^G-0")
expect_match "the guest no longer has the disk (its kernel named it vdb, the lowest free name)" "$out" "^G-0"
vdc_gone() { ! grep -q -- '-vdc ' <<<"$(qemu_nodes ig) $(qemu_objects ig) "; }
wait_for 10 "QEMU dropped vdc's nodes and secret object" vdc_gone
[ ! -e "$ROOT/run/vireo/qemu/ig/vdc.chap" ] || fail "the detached disk's CHAP file is still in the run"
ok "...and its CHAP file left the run with it"
expect_fail "detach-device by an alias the domain lacks" "domain 'ig' has no disk with alias 'ua-net3'" \
    "$VIREO" detach-device ig "$ROOT/net3-alias.xml" --live
"$VIREO" destroy ig >/dev/null
expect_eq "attach-device --config of the network disk to the shut-off domain" \
    "$("$VIREO" attach-device ig "$ROOT/net3.xml" --config)" "Device attached successfully"
# update-device --config, as libvirt's (qemu_driver.c,
# qemuDomainUpdateDeviceConfig): the definition takes the element whole,
# its user alias too: none when it leaves <alias> out, another when it
# names another (only a running device's alias cannot change).
printf '%s' "$net3" | sed "s|<alias name='ua-net3'/>||; s|type='raw'/>|type='raw' cache='none'/>|" > "$ROOT/net3-noalias.xml"
expect_eq "update-device --config of the network disk, its alias left out" \
    "$("$VIREO" update-device ig "$ROOT/net3-noalias.xml" --config)" "Device updated successfully"
inactive=$("$VIREO" dumpxml ig --inactive | tr -d '\n ')
expect_match "...takes the change" "$inactive" "cache=\"none\"/><sourceprotocol=\"iscsi\".*<targetdev=\"vdc\"bus=\"virtio\"/>"
grep -q 'ua-net3' <<<"$inactive" && fail "update-device --config kept the alias the element left out (libvirt drops it)"
ok "...and, as libvirt, keeps no alias the element leaves out"
printf '%s' "$net3" | sed "s|ua-net3|ua-other|" > "$ROOT/net3-other.xml"
expect_eq "update-device --config naming another alias" \
    "$("$VIREO" update-device ig "$ROOT/net3-other.xml" --config)" "Device updated successfully"
expect_match "...the definition has the new alias" "$("$VIREO" dumpxml ig --inactive | tr -d '\n ')" \
    "<targetdev=\"vdc\"bus=\"virtio\"/><aliasname=\"ua-other\"/>"
# detach-device-alias --config (virsh's line), then an alias nobody has.
expect_eq "detach-device-alias --config by the user alias" \
    "$("$VIREO" detach-device-alias ig ua-other --config)" "Device detach request sent successfully"
grep -q "dev=\"vdc\"" <<<"$("$VIREO" dumpxml ig --inactive)" && fail "detach-device-alias --config left vdc"
ok "...vdc left the definition"
expect_fail "detach-device-alias of an alias the definition lacks" \
    "the persistent definition of domain 'ig' has no device with alias 'ua-other'" \
    "$VIREO" detach-device-alias ig ua-other --config
# Back, shareable: another running domain may then take the LUN too.
printf '%s' "$net3" | sed "s|</source>|</source><shareable/>|" > "$ROOT/net3-shared.xml"
expect_eq "attach-device --config of the network disk again, <shareable/>" \
    "$("$VIREO" attach-device ig "$ROOT/net3-shared.xml" --config)" "Device attached successfully"
start_booted ig
cmdline=$(tr '\0' ' ' < /proc/"$(cat "$ROOT/run/vireo/qemu/ig/qemu.pid")"/cmdline)
expect_match "the start gives QEMU the iscsi node of the network disk after its secret object" "$cmdline" \
    "-object secret,id=sec-vdc,file=[^ ]*/vdc.chap,format=raw -blockdev driver=iscsi,transport=tcp,portal=10.77.0.1:3260,target=$IQN,lun=3,initiator-name=$INIT,user=labuser,password-secret=sec-vdc,node-name=file-vdc"
# (the guest's kernel names the disk vdb: the lowest free name)
out=$(guest_until ig "echo R-\$(head -c 21 /dev/vdb 2>/dev/null)" "^R-vireo")
expect_match "the guest started with the network disk reads the LUN's pattern" "$out" "^R-vireo-net-iscsi-lun-3"
# Network storage in use (issue 19): another running domain may not take
# a LUN a running domain uses, as a <disk type='network'> or as a volume
# of the pool, unless both mark it <shareable/>; nor start with one.
tiny_xml ig2 > "$ROOT/ig2.xml"
"$VIREO" define "$ROOT/ig2.xml" >/dev/null
"$VIREO" start ig2 >/dev/null
expect_fail "attach of a LUN another running domain uses, as <disk type='network'>" \
    "iSCSI LUN $IQN/3 is in use by running domain 'ig' \\(disk vdc\\); both must mark it shareable" \
    "$VIREO" attach-device ig2 "$ROOT/net3.xml" --live
expect_fail "attach of a LUN another running domain uses, as a volume of the pool" \
    "iSCSI LUN $IQN/1 is in use by running domain 'ig' \\(disk vda\\)" \
    "$VIREO" attach-disk ig2 unit:0:0:1 vdb --source-pool lab --live
[ -z "$(qemu_nodes ig2 | grep -- '-vd[bc]')" ] || fail "a refused attach left nodes in ig2's QEMU"
ok "...and the refused attaches left nothing in QEMU"
expect_eq "the same LUN, both <shareable/>: attached" \
    "$("$VIREO" attach-device ig2 "$ROOT/net3-shared.xml" --live)" "Device attached successfully"
expect_match "...the running definition has it, <shareable/>" "$("$VIREO" dumpxml ig2 | tr -d '\n ')" \
    "<targetdev=\"vdc\"bus=\"virtio\"/><shareable/>.*<aliasname=\"ua-net3\"/>"
"$VIREO" destroy ig2 >/dev/null
tiny_xml ig3 | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='lab' volume='unit:0:0:1'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/ig3.xml"
"$VIREO" define "$ROOT/ig3.xml" >/dev/null
expect_fail "start of a domain on a LUN another running domain uses" \
    "iSCSI LUN $IQN/1 is in use by running domain 'ig' \\(disk vda\\)" "$VIREO" start ig3
expect_match "...it stays shut off" "$("$VIREO" domstate ig3)" "^shut off"
"$VIREO" undefine ig3 >/dev/null
"$VIREO" undefine ig2 >/dev/null
# Detached by Debian's virsh over libvirt-sock: it sends the disk's
# element as dumpxml writes it (network source, auth, initiator, alias).
expect_match "virsh detach-disk of the network disk the start gave, live (libvirt-sock)" \
    "$(virsh -c "qemu:///system?socket=$ROOT/libvirt-sock" detach-disk ig vdc --live 2>&1)" "^Disk detached successfully"
wait_for 10 "QEMU dropped the started disk's nodes and secret object" vdc_gone
"$VIREO" destroy ig >/dev/null
expect_eq "pool-destroy" "$("$VIREO" pool-destroy lab)" "Pool 'lab' destroyed"
[ ! -e "$ROOT/run/vireo/storage/lab.chap" ] || fail "the CHAP file outlived the pool"
ok "pool-destroy removed the CHAP file"
no_sanitizer_report
echo "storage-kinds: $CHECKS checks passed"
