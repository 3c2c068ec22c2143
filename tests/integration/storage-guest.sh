#!/usr/bin/env bash
# Storage with a real guest: a qcow2 volume of the default pool attached
# as <disk type='volume'>, formatted and written by the tiny guest, read
# back after a restart; a volume in use refused; a snapshot of the
# running domain, a change, a revert that undoes it; offline snapshots;
# a clone (own uuid and MAC, a copy of the data) booting while the
# original runs; a linked clone; qemu-img check clean on every image.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon
POOLDIR=$ROOT/var/lib/vireo/images

# with_disk NAME VOLUME [FORMAT]: the tiny guest with the volume as vda.
with_disk() {
    local fmt=${3:-qcow2}
    tiny_xml "$1" qemu "<interface type='user'><model type='virtio'/></interface>" | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='$fmt'/><source pool='default' volume='$2'/><target dev='vda' bus='virtio'/></disk>|"
}

# guest NAME LOG COMMAND: type COMMAND on the serial console and wait
# until it has run (a marker with its exit status appears in LOG).
N=0
guest() {
    local name=$1 log=$2 cmd=$3
    N=$((N + 1))
    printf '%s; echo "MARK%d-$?-END"\n' "$cmd" "$N" > "$ROOT/in.txt"
    "$VIREO" console "$name" < "$ROOT/in.txt" > /dev/null 2>&1 &
    local typer=$!
    local end=$((SECONDS + 60))
    until grep -q "MARK$N-[0-9]*-END" "$log" 2>/dev/null; do
        [ $SECONDS -lt $end ] || { kill $typer 2>/dev/null; fail "guest $name: '$cmd' did not finish"; }
        sleep 0.1
    done
    kill $typer 2>/dev/null || true
    wait $typer 2>/dev/null || true
    grep -q "MARK$N-0-END" "$log" || fail "guest $name: '$cmd' failed: $(tail -5 "$log")"
}

boot() { # boot NAME LOG
    "$VIREO" start "$1" >/dev/null
    "$VIREO" console "$1" --history > "$2" 2>&1 &
    wait_for 60 "$1 booted" file_has "$2" VIREO-GUEST-READY
}

expect_eq "default pool is there" "$("$VIREO" pool-list --json | jq -r '.[0].name + " " + .[0].state')" "default running"
expect_eq "vol-create-as qcow2" "$("$VIREO" vol-create-as default data.qcow2 64M --format qcow2)" "Vol data.qcow2 created"
with_disk tiny data.qcow2 > "$ROOT/tiny.xml"
"$VIREO" define "$ROOT/tiny.xml" >/dev/null
boot tiny "$ROOT/c1.txt"
expect_eq "volume shows its user" "$("$VIREO" vol-info data.qcow2 --pool default --json | jq -r .used_by)" "tiny"
guest tiny "$ROOT/c1.txt" "mke2fs -q /dev/vda && mount /dev/vda /mnt && echo vireo-data-42 > /mnt/hello && sync && umount /mnt"
ok "guest made a file system and wrote a file"
expect_fail "vol-delete of a volume in use" "in use by running domain 'tiny'" "$VIREO" vol-delete data.qcow2 --pool default
expect_fail "vol-resize of a volume in use" "in use by running domain 'tiny'" "$VIREO" vol-resize data.qcow2 32M --pool default --shrink
expect_fail "vol-upload into a volume in use" "in use by running domain 'tiny'" "$VIREO" vol-upload data.qcow2 "$ROOT/tiny.xml" --pool default

"$VIREO" shutdown tiny --wait --timeout 60 >/dev/null
boot tiny "$ROOT/c2.txt"
guest tiny "$ROOT/c2.txt" "mount /dev/vda /mnt && cat /mnt/hello && umount /mnt"
grep -q '^vireo-data-42' "$ROOT/c2.txt" || fail "the file did not survive the restart"
ok "data read back after a restart"

# A snapshot of the running domain, a change, a revert: the change is gone.
expect_eq "snapshot-create-as (running)" "$("$VIREO" snapshot-create-as tiny before --description 'before the change')" \
    "Domain snapshot before created"
guest tiny "$ROOT/c2.txt" "mount /dev/vda /mnt && rm /mnt/hello && echo changed > /mnt/other && sync && umount /mnt"
expect_eq "revert" "$("$VIREO" snapshot-revert tiny before)" "Domain 'tiny' reverted to snapshot before"
expect_eq "running after revert" "$("$VIREO" domstate tiny)" "running"
guest tiny "$ROOT/c2.txt" "mount /dev/vda /mnt && ls /mnt && test -f /mnt/hello && ! test -e /mnt/other && umount /mnt"
ok "revert undid the change"
expect_eq "snapshot-current" "$("$VIREO" snapshot-current tiny --name)" "before"
expect_eq "snapshot state" "$("$VIREO" snapshot-list tiny --json | jq -r '.[0].state')" "running"
expect_fail "duplicate snapshot" "already has a snapshot 'before'" "$VIREO" snapshot-create-as tiny before
expect_fail "snapshot name with a slash" "refused" "$VIREO" snapshot-create-as tiny a/b
expect_fail "snapshot of an unknown domain" "not found" "$VIREO" snapshot-create-as ghost s

# Clone while paused; the clone boots with its own identity while the
# original runs.
expect_fail "clone of a running domain" "is running; shut it down, or pause it" \
    "$VIREO" clone --original tiny --name tiny2 --auto-clone
"$VIREO" suspend tiny >/dev/null
expect_fail "clone without --file or --auto-clone" "needs a --file" "$VIREO" clone --original tiny --name tiny2
expect_eq "clone (paused original)" "$("$VIREO" clone --original tiny --name tiny2 --auto-clone)" "Clone 'tiny2' created successfully."
"$VIREO" resume tiny >/dev/null
expect_eq "clone's volume" "$("$VIREO" vol-list default --json | jq -r '.[].name' | tr '\n' ' ')" "data.qcow2 tiny2.qcow2 "
u1=$("$VIREO" domuuid tiny); u2=$("$VIREO" domuuid tiny2)
[ "$u1" != "$u2" ] || fail "clone kept the uuid"
ok "clone has its own uuid"
mac1=$("$VIREO" dumpxml tiny | grep -o "mac address='[^']*'\|mac address=\"[^\"]*\"" | grep -o '52:54:00:[0-9a-f:]*')
mac2=$("$VIREO" dumpxml tiny2 | grep -o "mac address='[^']*'\|mac address=\"[^\"]*\"" | grep -o '52:54:00:[0-9a-f:]*')
[ -n "$mac2" ] && [ "$mac1" != "$mac2" ] || fail "clone kept the MAC ($mac1 / $mac2)"
ok "clone has its own MAC"
expect_match "clone's disk is its own volume" "$("$VIREO" dumpxml tiny2)" "volume=.tiny2.qcow2."
boot tiny2 "$ROOT/c3.txt"
expect_eq "both run" "$("$VIREO" list --name | tr '\n' ' ')" "tiny tiny2 "
guest tiny2 "$ROOT/c3.txt" "cat /sys/class/net/eth0/address && mount /dev/vda /mnt && cat /mnt/hello && umount /mnt"
grep -q "^$mac2" "$ROOT/c3.txt" || fail "the clone's guest does not see its MAC $mac2"
ok "the clone's guest has the new MAC"
grep -q '^vireo-data-42' "$ROOT/c3.txt" || fail "the clone's disk lacks the data"
ok "the clone's disk holds the copied data"

"$VIREO" destroy tiny2 >/dev/null
"$VIREO" destroy tiny >/dev/null

# Offline snapshots, and a linked clone.
expect_eq "snapshot of a shut off domain" "$("$VIREO" snapshot-create-as tiny off1)" "Domain snapshot off1 created"
expect_eq "offline state" "$("$VIREO" snapshot-info tiny off1 --json | jq -r '.state + " " + .parent')" "shutoff before"
expect_eq "offline revert" "$("$VIREO" snapshot-revert tiny off1)" "Domain 'tiny' reverted to snapshot off1"
expect_eq "delete a snapshot" "$("$VIREO" snapshot-delete tiny off1)" "Domain snapshot off1 deleted"
expect_eq "current moves to the parent" "$("$VIREO" snapshot-current tiny --name)" "before"
qemu-img snapshot -l "$POOLDIR/data.qcow2" | grep -qw before || fail "the image lacks snapshot 'before'"
qemu-img snapshot -l "$POOLDIR/data.qcow2" | grep -qw off1 && fail "off1 still in the image"
ok "snapshots live in the image"
expect_eq "linked clone" "$("$VIREO" clone --original tiny --name tiny3 --auto-clone --linked)" "Clone 'tiny3' created successfully."
expect_eq "linked clone is an overlay" "$("$VIREO" vol-info tiny3.qcow2 --pool default --json | jq -r .backing.path)" "$POOLDIR/data.qcow2"
expect_fail "backing volume cannot be deleted" "backing file of volume 'tiny3.qcow2'" "$VIREO" vol-delete data.qcow2 --pool default

# A raw disk cannot hold a snapshot.
"$VIREO" vol-create-as default raw.img 16M >/dev/null
with_disk rawdom raw.img raw > "$ROOT/raw.xml"
"$VIREO" define "$ROOT/raw.xml" >/dev/null
expect_fail "snapshot of a raw disk" "disk vda .* is raw" "$VIREO" snapshot-create-as rawdom s1

"$VIREO" snapshot-delete tiny before >/dev/null
for img in "$POOLDIR"/*.qcow2; do
    qemu-img check -q "$img" || fail "qemu-img check of $img"
done
ok "qemu-img check is clean on every image"
