#!/usr/bin/env bash
# The course's virsh lines (curso_kvm_ow, part 2, units 3-5), run with
# `vireo` in place of `virsh` and otherwise unchanged, against a running
# tiny guest: volumes named with their pool as a positional argument,
# the block device commands, an atomic snapshot with a description, a
# rename. Each result is checked on the CLI and, where the guest can see
# it, in the guest.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon
V=$VIREO
serial() { echo "$ROOT/var/log/vireo/qemu/$1-serial0.log"; }

# A guest with a qcow2 disk from the default pool, as the course's debian12.
$V vol-create-as default debian12.qcow2 64M --format qcow2 >/dev/null
disk="<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='debian12.qcow2'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml debian12 qemu "$disk <interface type='user'><model type='virtio'/></interface>" >"$ROOT/debian12.xml"
$V define "$ROOT/debian12.xml" >/dev/null

# virsh vol-info debian12.qcow2 default / vol-dumpxml VOL default
info=$($V vol-info debian12.qcow2 default)
expect_match "vol-info VOL POOL" "$info" "Capacity: +64.00 MiB"
expect_match "vol-dumpxml VOL POOL" "$($V vol-dumpxml debian12.qcow2 default)" "<name>debian12.qcow2</name>"

# virsh domblklist / domblkinfo, on the shut-off domain and the running one.
path=$($V vol-path debian12.qcow2 --pool default)
expect_match "domblklist" "$($V domblklist debian12)" "^ vda +$path$"
expect_match "domblklist --details" "$($V domblklist debian12 --details)" "^ volume +disk +vda +$path$"
expect_match "domblkinfo vda" "$($V domblkinfo debian12 vda)" "Capacity: +67108864"
$V start debian12 >/dev/null
wait_for 60 "debian12 boots" file_has "$(serial debian12)" VIREO-GUEST-READY
out=$($V domblkinfo debian12 vda --human)
expect_match "domblkinfo --human while running (the course: domblkinfo plantilla-debian12 vda --human)" \
    "$out" "Capacity: +64.00 MiB"
expect_match "... with its allocation" "$out" "Allocation: +[0-9.]+ [KM]iB"
expect_match "domblkinfo by source path" "$($V domblkinfo debian12 "$path" --json | jq -r .target)" "^vda$"
expect_match "domblkinfo --all" "$($V domblkinfo debian12 --all)" "^ vda +67108864 +[0-9]+ +[0-9]+$"
expect_fail "domblkinfo of a disk that is not there" "domain 'debian12' has no disk 'vdz'" $V domblkinfo debian12 vdz
# The guest sees the disk it is told about.
for _ in $(seq 1 50); do
    printf 'cat /sys/block/vda/size\n' | timeout 5 $V console debian12 >"$ROOT/con.txt" 2>/dev/null || true
    grep -q '^131072' "$ROOT/con.txt" && break
    sleep 0.2
done
expect_match "the guest's /sys/block/vda/size: 64 MiB in sectors" "$(tr -d '\r' <"$ROOT/con.txt")" "^131072$"

# virsh snapshot-create-as otra-debian12 --name instantánea1 --description "..." --atomic
out=$($V snapshot-create-as debian12 --name instantánea1 --description "Creada carpeta importante" --atomic)
expect_eq "snapshot-create-as --name --description --atomic" "$out" "Domain snapshot instantánea1 created"
expect_match "the snapshot's description" "$($V snapshot-info debian12 instantánea1)" "Creada carpeta importante"

# virsh domrename debian12 maquina_linux: refused while running, then done.
expect_fail "domrename of a running domain" "domain 'debian12' is running; shut it down before renaming it" \
    $V domrename debian12 maquina_linux
$V autostart debian12 >/dev/null
$V destroy debian12 >/dev/null
tiny_xml other >"$ROOT/other.xml"
$V define "$ROOT/other.xml" >/dev/null
expect_fail "domrename to a name in use" "domain 'other' already exists" $V domrename debian12 other
expect_fail "domrename to an invalid name" "name" $V domrename debian12 "bad/name"
expect_eq "domrename" "$($V domrename debian12 maquina_linux)" "Domain successfully renamed"
expect_match "the new name is listed" "$($V list --all --name)" "^maquina_linux$"
expect_match "autostart kept" "$($V dominfo maquina_linux)" "Autostart: +enable"
expect_fail "the old name is gone" "domain 'debian12' not found" $V dominfo debian12
expect_match "the snapshot followed" "$($V snapshot-list maquina_linux --name)" "^instantánea1$"
[ -e "$ROOT/etc/vireo/qemu/debian12.xml" ] && fail "the old definition file is still there"
ok "the old definition file is gone"
expect_match "the definition has the new name" "$(cat "$ROOT/etc/vireo/qemu/maquina_linux.xml")" "<name>maquina_linux</name>"
# It survives a daemon restart and boots under its new name.
stop_daemon
start_daemon
running_as() { $V list --name | grep -qx "$1"; }
wait_for 30 "after a restart: maquina_linux autostarted under its new name" running_as maquina_linux
wait_for 60 "maquina_linux boots" file_has "$(serial maquina_linux)" VIREO-GUEST-READY
expect_match "its disk is the same volume" "$($V domblklist maquina_linux)" "^ vda +$path$"
$V destroy maquina_linux >/dev/null
