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
# Room for 4 vCPUs, 1 online (the course's setvcpus below).
tiny_xml debian12 qemu "$disk <interface type='user'><model type='virtio'/></interface>" |
    sed "s|<vcpu>1</vcpu>|<vcpu current='1'>4</vcpu>|" >"$ROOT/debian12.xml"
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

# virsh attach-disk debian12 /srv/images/disco1.qcow2 vdb --driver=qemu --type disk --subdriver qcow2 --persistent
$V vol-create-as default disco1.qcow2 1G --format qcow2 >/dev/null
disco1=$($V vol-path disco1.qcow2 --pool default)
expect_eq "attach-disk ... --persistent" \
    "$($V attach-disk debian12 "$disco1" vdb --driver=qemu --type disk --subdriver qcow2 --persistent)" \
    "Disk attached successfully"
expect_match "the live definition has vdb" "$($V domblklist debian12)" "^ vdb +$disco1$"
expect_match "so has the persistent one" "$($V domblklist debian12 --inactive)" "^ vdb +$disco1$"
expect_match "the guest sees vdb: 1 GiB in sectors" "$(guest_until debian12 'cat /sys/block/vdb/size' '^2097152$')" "^2097152$"
# Bad input: each refused in one line, nothing changed.
expect_fail "attach-disk to a target that is taken" "vda" \
    $V attach-disk debian12 "$disco1" vda --subdriver qcow2 --live
expect_fail "attach-disk on a bus that cannot hot-plug" "bus sata, which takes no disk while the domain runs" \
    $V attach-disk debian12 "$ROOT/debian12.xml" sdb --targetbus sata --live
expect_fail "attach-disk of a missing file" "does not exist" $V attach-disk debian12 /nonexistent.img vdc --live
tiny_xml other >"$ROOT/other.xml"
$V define "$ROOT/other.xml" >/dev/null
$V start other >/dev/null
expect_fail "attach-disk of a file another running domain uses" "in use by running domain 'debian12'" \
    $V attach-disk other "$disco1" vdb --subdriver qcow2 --live
$V destroy other >/dev/null
expect_fail "detach-disk of a disk that is not there" "domain 'debian12' has no disk vdz" $V detach-disk debian12 vdz
expect_eq "the live disks are unchanged" "$($V domblklist debian12 | grep -c '^ vd')" 2

# virsh blockresize debian12 /srv/images/disco1.qcow2 3G
expect_eq "blockresize PATH 3G" "$($V blockresize debian12 "$disco1" 3G)" "Block device '$disco1' is resized"
expect_match "the guest sees 3 GiB" "$(guest_until debian12 'cat /sys/block/vdb/size' '^6291456$')" "^6291456$"
expect_match "vol-info shows the new capacity" "$($V vol-info disco1.qcow2 default)" "Capacity: +3.00 GiB"
expect_fail "blockresize refuses to shrink" "only grows a disk" $V blockresize debian12 vdb 1G
expect_fail "blockresize of a shut-off domain" "is not running" $V blockresize other vda 1G

# A guest that cannot answer (paused) does not let a disk go: a clear
# error after the wait, and the disk leaves once it runs again.
$V suspend debian12 >/dev/null
expect_fail "detach-disk while the guest cannot answer" "has not released vdb within 10 s" \
    $V detach-disk debian12 vdb --live
expect_match "... vdb is still there meanwhile" "$($V domblklist debian12)" "^ vdb "
$V resume debian12 >/dev/null
no_vdb() { ! $V domblklist debian12 | grep -q '^ vdb '; }
wait_for 30 "... and leaves once the guest runs and lets go" no_vdb
expect_match "the persistent definition kept vdb (the live detach alone was asked)" \
    "$($V domblklist debian12 --inactive)" "^ vdb +$disco1$"
# virsh detach-disk debian12 vdb --persistent (the live disk is gone: --config)
expect_eq "detach-disk vdb --config" "$($V detach-disk debian12 vdb --config)" "Disk detached successfully"
no_vdb_config() { ! $V domblklist debian12 --inactive | grep -q '^ vdb '; }
no_vdb_config || fail "vdb is still in the persistent definition"
ok "vdb left the persistent definition"
expect_match "the guest has no vdb" "$(guest_until debian12 'ls /sys/block' '^vda *$')" "^vda *$"
# And the course's own line, on a disk attached again.
$V attach-disk debian12 "$disco1" vdb --subdriver qcow2 --persistent >/dev/null
guest_until debian12 'ls /sys/block' 'vdb' >/dev/null
expect_eq "detach-disk debian12 vdb --persistent" "$($V detach-disk debian12 vdb --persistent)" \
    "Disk detached successfully"
expect_match "gone from both definitions" "$($V domblklist debian12; $V domblklist debian12 --inactive)" "^ vda"
$V domblklist debian12 --inactive | grep -q '^ vdb ' && fail "vdb is still defined"
ok "vdb gone from the guest's definitions"

# virsh snapshot-create-as otra-debian12 --name instantánea1 --description "..." --atomic
out=$($V snapshot-create-as debian12 --name instantánea1 --description "Creada carpeta importante" --atomic)
expect_eq "snapshot-create-as --name --description --atomic" "$out" "Domain snapshot instantánea1 created"
expect_match "the snapshot's description" "$($V snapshot-info debian12 instantánea1)" "Creada carpeta importante"

# virsh domrename debian12 maquina_linux: refused while running, then done.
expect_fail "domrename of a running domain" "domain 'debian12' is running; shut it down before renaming it" \
    $V domrename debian12 maquina_linux
$V autostart debian12 >/dev/null
$V destroy debian12 >/dev/null
expect_fail "domrename to a name in use" "domain 'other' already exists" $V domrename debian12 other
expect_fail "domrename to an invalid name" "^vireo: error: domain name .bad/name. is refused: ./. is not allowed in a name$" $V domrename debian12 "bad/name"
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

# virsh setvcpus maquina_linux 2 --live --config ; virsh setvcpus maquina_linux 4 --config ; virsh vcpucount maquina_linux
expect_eq "setvcpus 2 --live --config (prints nothing, as virsh)" "$($V setvcpus maquina_linux 2 --live --config)" ""
expect_eq "setvcpus 4 --config" "$($V setvcpus maquina_linux 4 --config)" ""
expect_eq "vcpucount" "$($V vcpucount maquina_linux)" "maximum      config         4
maximum      live           4
current      config         4
current      live           2"
# The tiny guest has no udev: its new CPU is onlined by hand.
out=$(guest_until maquina_linux 'echo 1 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/system/cpu/online' '^0-1$')
expect_match "the guest has its second CPU online" "$out" "^0-1$"
expect_fail "setvcpus beyond the maximum" "more than the maximum of 4 vCPUs" $V setvcpus maquina_linux 5 --live
expect_fail "setvcpus --maximum of a running domain" "maximum vCPUs of a running domain cannot change" \
    $V setvcpus maquina_linux 3 --maximum --live --config
expect_match "dominfo shows the live count" "$($V dominfo maquina_linux)" "CPU\(s\): +2"
$V destroy maquina_linux >/dev/null
