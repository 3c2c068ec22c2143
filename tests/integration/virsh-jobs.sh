#!/usr/bin/env bash
# Block jobs on a running tiny guest's disk, as virsh runs them (issue
# 18, third slice): blockcopy (left running and pivoted with blockjob
# --pivot; --finish; --shallow --pivot on an external snapshot),
# blockcommit of an inner layer (--top/--base) and of the active layer
# without --pivot (ready, then blockjob --pivot), --wait --verbose
# progress on a terminal, and detach-disk and blockresize after the
# chain changed. Each step checks the guest still reads what it wrote
# before, and the definitions name the disk's new image. Then
# update-device (a CD-ROM's medium, an interface's link state) and
# domif-setlink/-getlink, seen from the guest; vcpupin/emulatorpin
# --config, seen on QEMU's threads after a restart; desc/metadata
# --edit; save --xml, save-image-dumpxml/-define/-edit, restore --xml,
# and a line typed on the console right after the restore.
. "$(dirname "$0")/lib.sh"
open_test --asan --virsh

$V vol-create-as default jobs.qcow2 32M --format qcow2 >/dev/null
base=$($V vol-path jobs.qcow2 --pool default)
# Two CD media: raw files whose first sector names them.
for m in A B; do { printf 'VIREO-MEDIUM-%s' $m; head -c 1048560 /dev/zero; } >"$ROOT/medium-$m.iso"; done
disk="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$base'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='$ROOT/medium-A.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>"
tiny_xml jobs qemu "$disk <interface type='user'><model type='virtio'/></interface>" >"$ROOT/jobs.xml"
$V define "$ROOT/jobs.xml" >/dev/null
$V start jobs >/dev/null
wait_for 60 "the guest boots" file_has "$(serial jobs)" VIREO-GUEST-READY

# mark N TEXT: the guest writes TEXT at MiB 4+N of vda (each mark in a
# qcow2 cluster of its own), read back before it says so; seen N TEXT:
# the guest reads it there.
mark() {
    guest_until jobs "printf '$2' | dd of=/dev/vda bs=512 seek=$((8192 + $1 * 2048)) conv=fsync 2>/dev/null; dd if=/dev/vda bs=512 skip=$((8192 + $1 * 2048)) count=1 2>/dev/null | grep -q '$2' && echo WROTE-\$((40+$1))" "WROTE-$((40 + $1))" >/dev/null
}
seen() {
    guest_until jobs "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 skip=$((8192 + $1 * 2048)) count=1 2>/dev/null | grep -q '$2' && echo SEEN-\$((50+$1))" "SEEN-$((50 + $1))"
}
# in_image FILE FORMAT TEXT: the image holds TEXT (its data, not its header)
in_image() { qemu-img convert -U -f "$2" -O raw "$1" "$ROOT/check.raw" && grep -c "$3" "$ROOT/check.raw"; }
m1=VIREO-ONE-$RANDOM m2=VIREO-TWO-$RANDOM m3=VIREO-THREE-$RANDOM
mark 1 "$m1"

# ---- blockcopy left running, then blockjob --pivot ----
copy1=$ROOT/copy1.qcow2
expect_eq "blockcopy without --wait starts the job" "$($V blockcopy jobs vda "$copy1")" "Block Copy started"
expect_match "blockjob --info shows the copy and its progress" "$($V blockjob jobs vda --info)" \
    '^Block Copy: \[ *[0-9]+ %\]$'
expect_fail "a second job on the same disk" "has a block job already" $V blockcopy jobs vda "$ROOT/other.qcow2"
[ ! -e "$ROOT/other.qcow2" ] || fail "the refused copy left its destination behind"
ok "... and leaves no destination file"
ready() { [ "$($V blockjob jobs vda --info)" = "Block Copy: [100 %]" ]; }
wait_for 60 "the copy reaches its ready phase (100 %)" ready
out=$($V blockjob jobs vda --pivot 2>&1) || fail "blockjob --pivot: $out"
expect_eq "blockjob --pivot" "$out" ""
expect_match "... the disk runs on the copy" "$($V domblklist jobs)" "^ vda +$copy1$"
expect_match "... in the persistent definition too" "$($V dumpxml jobs --inactive)" "file=[\"']$copy1[\"']"
expect_match "blockjob --info after the pivot: no job" "$($V blockjob jobs vda --info)" "No current block job for vda"
expect_match "the guest reads what it wrote before the copy" "$(seen 1 "$m1")" "SEEN-51"
mark 2 "$m2"
expect_eq "... and its new writes land in the copy" "$(in_image "$copy1" qcow2 "$m2")" 1
expect_eq "... not in the image it left" "$(in_image "$base" qcow2 "$m2")" 0

# ---- blockcopy --finish: a complete copy, the disk stays ----
out=$($V blockcopy jobs vda "$ROOT/copy2.raw" --format raw --finish --verbose 2>"$ROOT/verbose.err")
expect_eq "blockcopy --format raw --finish" "$out" "Successfully copied"
expect_match "... the disk stays on its image" "$($V domblklist jobs)" "^ vda +$copy1$"
expect_eq "... the raw copy holds both marks" "$(in_image "$ROOT/copy2.raw" raw "$m1")$(in_image "$ROOT/copy2.raw" raw "$m2")" 11
[ ! -s "$ROOT/verbose.err" ] || fail "--verbose drew on a stderr that is no terminal: $(cat "$ROOT/verbose.err")"
ok "--verbose draws nothing when stderr is no terminal"

# ---- errors: one line, nothing made, the disk unchanged ----
expect_fail "blockcopy to a file that exists" "exists already.*--reuse-external" $V blockcopy jobs vda "$copy1"
expect_fail "blockcopy --reuse-external of a missing file" "does not exist" \
    $V blockcopy jobs vda "$ROOT/none.qcow2" --reuse-external
expect_fail "blockcopy of a disk that is not there" "has no disk 'vdz'" $V blockcopy jobs vdz "$ROOT/z.qcow2"
expect_fail "blockcopy --format vmdk" "is not one of raw, qcow2" $V blockcopy jobs vda "$ROOT/z.vmdk" --format vmdk
expect_fail "blockcopy --blockdev of a file" "is not a block device" $V blockcopy jobs vda "$copy1" --blockdev
out=$($V blockcopy jobs vda "$ROOT/z.qcow2" --pivot --finish 2>&1) && fail "--pivot --finish succeeded"
expect_match "blockcopy --pivot --finish is a usage error" "$out" "exclude each other"
expect_fail "blockjob --pivot without a job" "has no block job to pivot" $V blockjob jobs vda --pivot
expect_fail "blockcommit of a disk without a chain" "has no backing image" $V blockcommit jobs vda --active --wait
expect_match "after the errors the disk is unchanged" "$($V domblklist jobs)" "^ vda +$copy1$"
ls "$ROOT"/z.* >/dev/null 2>&1 && fail "a refused copy left a file: $(ls "$ROOT"/z.*)"
ok "... and no refused copy left a file"

# ---- blockcopy --shallow --pivot of an overlay: the copy keeps its backing ----
$V snapshot-create-as jobs s1 --disk-only >/dev/null
ov1=$ROOT/copy1.s1
expect_match "a disk-only snapshot put an overlay on the copy" "$($V domblklist jobs)" "^ vda +$ov1$"
mark 3 "$m3"
shallow=$ROOT/shallow.qcow2
# On a terminal (script(1) gives one), --verbose draws the progress bar.
script -qec "$V blockcopy jobs vda $shallow --shallow --pivot --verbose" /dev/null >"$ROOT/tty.out"
expect_match "blockcopy --shallow --pivot --verbose on a terminal" "$(tr -d '\r' <"$ROOT/tty.out")" "Successfully pivoted"
expect_match "... drew the progress bar to 100 %" "$(tr '\r' '\n' <"$ROOT/tty.out")" "^Block Copy +\[#+\] 100.0%"
expect_match "... the disk runs on the shallow copy" "$($V domblklist jobs)" "^ vda +$shallow$"
expect_match "... whose backing file is the copy under the overlay" "$(qemu-img info -U "$shallow")" \
    "backing file: $copy1"
grep -aq "$m3" "$shallow" && ! grep -aq "$m1" "$shallow" || fail "the shallow copy's own clusters are not the top layer's"
ok "... and its own clusters hold only the top layer's data"
for n in 1 2 3; do
    v=m$n
    expect_match "the guest reads mark $n after the shallow copy" "$(seen $n "${!v}")" "SEEN-5$n"
done

# ---- blockcommit of an inner layer: --top, --base ----
$V snapshot-create-as jobs s2 --disk-only >/dev/null
ov2=$ROOT/shallow.s2
expect_match "a second overlay: chain s2 -> shallow -> copy1" "$(qemu-img info -U --backing-chain "$ov2" | grep -c '^image:')" "^3$"
expect_fail "blockcommit of the active layer without --active" "needs --active" \
    $V blockcommit jobs vda --top "$ov2" --wait
expect_fail "blockcommit --top of a file not in the chain" "is not in the backing chain" \
    $V blockcommit jobs vda --top "$ROOT/copy2.raw" --wait
expect_eq "blockcommit --top shallow --base copy1 --wait" \
    "$($V blockcommit jobs vda --top "$shallow" --base "$copy1" --wait)" "Commit complete"
expect_match "... the disk stays on its top overlay" "$($V domblklist jobs)" "^ vda +$ov2$"
expect_match "... which now backs straight onto copy1" "$(qemu-img info -U "$ov2")" "backing file: $copy1"
expect_eq "... and copy1 holds the committed layer's data" "$(in_image "$copy1" qcow2 "$m3")" 1
expect_match "the guest reads mark 3 after the commit" "$(seen 3 "$m3")" "SEEN-53"

# ---- blockcommit --active without --pivot: ready, then blockjob --pivot ----
expect_eq "blockcommit --active --wait waits in the ready phase" \
    "$($V blockcommit jobs vda --active --shallow --wait)" "Now in synchronized phase"
expect_eq "blockjob --info: the commit at 100 %" "$($V blockjob jobs vda --info)" "Block Commit: [100 %]"
expect_match "... the disk still on the overlay" "$($V domblklist jobs)" "^ vda +$ov2$"
out=$($V blockjob jobs vda --pivot 2>&1) || fail "blockjob --pivot of the commit: $out"
expect_match "blockjob --pivot: the disk runs on copy1" "$($V domblklist jobs)" "^ vda +$copy1$"
expect_match "... in the persistent definition too" "$($V dumpxml jobs --inactive)" "file=[\"']$copy1[\"']"
for n in 1 2 3; do
    v=m$n
    expect_match "the guest reads mark $n after the active commit" "$(seen $n "${!v}")" "SEEN-5$n"
done
expect_match "blockcommit --active, blockjob --abort: the disk stays" \
    "$($V snapshot-create-as jobs s3 --disk-only >/dev/null; $V blockcommit jobs vda --active --wait; $V blockjob jobs vda --abort; $V domblklist jobs)" \
    " vda +$ROOT/copy1.s3$"
expect_match "... and blockjob --info shows no job" "$($V blockjob jobs vda --info)" "No current block job"

# ---- after the chain changed: blockresize and detach-disk use its nodes ----
$V blockresize jobs vda 48M >/dev/null
expect_match "blockresize of the overlay: the guest sees 48 MiB" \
    "$(guest_until jobs 'echo SIZE-$(cat /sys/block/vda/size)' 'SIZE-98304')" "SIZE-98304"
$V vol-create-as default extra.qcow2 16M --format qcow2 >/dev/null
$V attach-disk jobs "$($V vol-path extra.qcow2 --pool default)" vdb --subdriver qcow2 --live >/dev/null
$V snapshot-create-as jobs s4 --disk-only >/dev/null
expect_match "vdb got an overlay too" "$($V domblklist jobs)" "^ vdb +.*extra\.s4$"
expect_match "detach-disk vdb after its snapshot" "$($V detach-disk jobs vdb --live)" "Disk detached successfully"
nodes=$($V qemu-monitor-command jobs '{"execute":"query-named-block-nodes","arguments":{"flat":true}}')
expect_eq "... QEMU holds no node of vdb any more" "$(grep -o '"node-name": *"[^"]*vdb"' <<<"$nodes" | wc -l)" 0
out=$(guest_until jobs 'ls /sys/block | tr "\n" " "; echo LS-$((1+1))' 'LS-2')
! grep -q vdb <<<"$out" || fail "the guest still has vdb: $out"
ok "... and the guest has no vdb"
$V attach-disk jobs "$($V vol-path extra.qcow2 --pool default)" vdb --subdriver qcow2 --live >/dev/null
expect_match "attaching vdb again works (its node names are free)" \
    "$(guest_until jobs 'ls /sys/block | tr "\n" " "; echo LS-$((1+1))' 'vdb.*LS-2')" "vdb"

# ---- update-device: a CD-ROM's medium, an interface's link ----
cd_reads() { guest_until jobs "dd if=/dev/sr0 bs=2048 count=1 2>/dev/null | grep -ao 'VIREO-MEDIUM-[AB]'; echo CD-\$((6*7))" "$1"; }
expect_match "the guest reads CD medium A" "$(cd_reads VIREO-MEDIUM-A)" "VIREO-MEDIUM-A"
cat >"$ROOT/cd-b.xml" <<XML
<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='$ROOT/medium-B.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
XML
expect_eq "update-device swaps the CD-ROM's medium" "$($V update-device jobs "$ROOT/cd-b.xml")" \
    "Device updated successfully"
expect_match "... the live XML names medium B" "$($V dumpxml jobs)" "medium-B.iso"
expect_match "... and the guest reads medium B" "$(cd_reads VIREO-MEDIUM-B)" "VIREO-MEDIUM-B"
sed 's|<source[^>]*/>||' "$ROOT/cd-b.xml" >"$ROOT/cd-none.xml"
$V update-device jobs "$ROOT/cd-none.xml" --live >/dev/null
! $V dumpxml jobs | grep -q "medium-B.iso" || fail "update-device without a <source> left the medium in"
ok "update-device without a <source> ejects it"
# The same call over the libvirt protocol (virDomainUpdateDeviceFlags):
# Debian's virsh change-media, as virt-manager changes a CD.
expect_match "virsh change-media --insert over libvirt-sock" \
    "$($LV change-media jobs hdc "$ROOT/medium-A.iso" --insert --live 2>&1)" "Successfully inserted media"
expect_match "... and the guest reads medium A again" "$(cd_reads VIREO-MEDIUM-A)" "VIREO-MEDIUM-A"
mac=$($V domiflist jobs | awk '$2 == "user" {print $5}')
carrier() { guest_until jobs 'echo CARRIER-$(cat /sys/class/net/eth0/carrier)' "CARRIER-$1"; }
expect_match "the guest's NIC has a carrier" "$(carrier 1)" "CARRIER-1"
cat >"$ROOT/nic-down.xml" <<XML
<interface type='user'><mac address='$mac'/><model type='virtio'/><link state='down'/></interface>
XML
expect_eq "update-device <link state='down'/>" "$($V update-device jobs "$ROOT/nic-down.xml")" \
    "Device updated successfully"
expect_match "... the guest sees carrier 0" "$(carrier 0)" "CARRIER-0"
expect_eq "domif-getlink says down" "$($V domif-getlink jobs "$mac")" "$mac down"
expect_match "... the live XML has the link down" "$($V dumpxml jobs)" "<link state=.down./>"
expect_eq "domif-setlink up" "$($V domif-setlink jobs "$mac" up)" "Device updated successfully"
expect_match "... the guest sees carrier 1 again" "$(carrier 1)" "CARRIER-1"
expect_eq "domif-getlink says up" "$($V domif-getlink jobs "$mac")" "$mac up"
sed 's|virtio|e1000|' "$ROOT/nic-down.xml" >"$ROOT/nic-e1000.xml"
expect_fail "update-device changing the model live" "cannot change <model> of this interface" \
    $V update-device jobs "$ROOT/nic-e1000.xml"
sed "s|<link state='down'/>|<bandwidth><inbound average='100'/></bandwidth>|" "$ROOT/nic-down.xml" >"$ROOT/nic-bw.xml"
expect_fail "update-device with <bandwidth> on a type user interface (Vireo shapes its own taps)" \
    "<bandwidth> on a type='user' interface" $V update-device jobs "$ROOT/nic-bw.xml"
echo "<disk type='file' device='disk'><source file='$copy1'/><target dev='vda' bus='virtio'/></disk>" >"$ROOT/vda.xml"
expect_fail "update-device of a disk that is no CD-ROM" "no CD-ROM" $V update-device jobs "$ROOT/vda.xml"
expect_fail "domif-setlink of an interface that is not there" "has no interface 52:54:00:00:00:99" \
    $V domif-setlink jobs 52:54:00:00:00:99 down
expect_match "after the errors the link is still up" "$($V domif-getlink jobs "$mac")" "up$"
expect_eq "domif-setlink --config down" "$($V domif-setlink jobs "$mac" down --config)" "Device updated successfully"
expect_eq "... the definition has it down" "$($V domif-getlink jobs "$mac" --config)" "$mac down"
expect_eq "... the running guest does not" "$($V domif-getlink jobs "$mac")" "$mac up"

# ---- vcpupin/emulatorpin --config: <cputune>, applied at the next start ----
last=$(($(nproc) - 1))
expect_eq "vcpupin --config" "$($V vcpupin jobs 0 "$last" --config)" ""
expect_eq "emulatorpin --config" "$($V emulatorpin jobs "$last" --config)" ""
expect_match "... the definition has <cputune>" "$($V dumpxml jobs --inactive | tr -d '\n ')" \
    "<cputune><vcpupinvcpu=.0.cpuset=.$last./><emulatorpincpuset=.$last./></cputune>"
! $V dumpxml jobs | grep -q "<cputune>" || fail "--config alone changed the live definition"
ok "... the live one does not"
expect_fail "vcpupin --config of a vCPU the domain lacks" "<vcpupin vcpu='7'>: the domain has vCPUs 0 to 0" \
    $V vcpupin jobs 7 0 --config
expect_fail "emulatorpin --config with a bad CPU list" "is not a CPU list" $V emulatorpin jobs 0-x --config

$V destroy jobs >/dev/null
$V start jobs >/dev/null
wait_for 60 "the guest boots again" state_is jobs "running (booted)"
expect_match "a start with <link state='down'/>: the guest sees no carrier" "$(carrier 0)" "CARRIER-0"
tid=$($V vcpuinfo jobs --json | jq -r '.vcpus[0].thread')
expect_match "the started domain's vCPU thread is pinned as <cputune> says" "$(taskset -pc "$tid")" "list: $last$"
expect_match "... and QEMU's main thread too" "$(taskset -pc "$(cat "$ROOT/run/vireo/qemu/jobs/qemu.pid")")" \
    "list: $last$"
# ---- desc and metadata --edit ($EDITOR, as vireo edit runs it) ----
$V desc jobs --live --config --new-desc "web server" >/dev/null
expect_eq "desc --edit" "$(EDITOR="sed -i s/web/db/" $V desc jobs --edit --live --config)" \
    "Domain description updated successfully"
expect_eq "... the description is the edited one" "$($V desc jobs)" "db server"
expect_eq "... in the definition too" "$($V desc jobs --config)" "db server"
expect_eq "desc --edit left as it was" "$(EDITOR=true $V desc jobs --edit)" "Domain description not changed"
expect_fail "desc --edit when the editor fails" "the editor failed" env EDITOR=false $V desc jobs --edit
expect_eq "... the description unchanged" "$($V desc jobs)" "db server"
NS=https://example.org/app
$V metadata jobs $NS --key app --set '<app><owner>ana</owner></app>' --live >/dev/null
expect_eq "metadata --edit" "$(EDITOR="sed -i s/ana/eva/" $V metadata jobs $NS --key app --edit --live)" \
    "Metadata modified"
expect_match "... the element is the edited one" "$($V metadata jobs $NS)" "<app:owner>eva</app:owner>"
expect_fail "metadata --edit into malformed XML" "not one well-formed XML element" \
    env EDITOR="sed -i 's/eva/eva><x/'" $V metadata jobs $NS --key app --edit --live
expect_match "... leaves it as it was" "$($V metadata jobs $NS)" "<app:owner>eva</app:owner>"
expect_eq "metadata --edit emptied removes it" "$(EDITOR="truncate -s 0" $V metadata jobs $NS --key app --edit --live)" \
    "Metadata removed"

# ---- save --xml, save-image-*, restore --xml ----
$V dumpxml jobs --security-info | sed "s|<description>db server</description>|<description>saved one</description>|" \
    >"$ROOT/saved.xml"
expect_match "save --xml" "$($V save jobs "$ROOT/jobs.save" --xml "$ROOT/saved.xml")" "saved to $ROOT/jobs.save"
expect_match "save-image-dumpxml shows the XML given" "$($V save-image-dumpxml "$ROOT/jobs.save")" \
    "<description>saved one</description>"
sed "s|saved one|defined one|" "$ROOT/saved.xml" >"$ROOT/defined.xml"
expect_eq "save-image-define" "$($V save-image-define "$ROOT/jobs.save" "$ROOT/defined.xml")" \
    "State file $ROOT/jobs.save updated."
expect_match "... the image holds it" "$($V save-image-dumpxml "$ROOT/jobs.save")" "<description>defined one</description>"
expect_match "save-image-edit" "$(EDITOR="sed -i s/defined/edited/" $V save-image-edit "$ROOT/jobs.save")" \
    "State file '$ROOT/jobs.save' XML configuration edited."
expect_match "... the image holds the edit" "$($V save-image-dumpxml "$ROOT/jobs.save")" \
    "<description>edited one</description>"
sed "s|<memory unit=.KiB.>[0-9]*</memory>|<memory unit='KiB'>524288</memory>|; s|<currentMemory[^<]*</currentMemory>||" \
    "$ROOT/saved.xml" >"$ROOT/bigger.xml"
expect_fail "save-image-define with more memory" "changes its vCPUs or memory" \
    $V save-image-define "$ROOT/jobs.save" "$ROOT/bigger.xml"
expect_fail "restore --xml with more memory" "changes its vCPUs or memory" \
    $V restore "$ROOT/jobs.save" --xml "$ROOT/bigger.xml"
expect_fail "save-image-dumpxml of a file that is no image" "is not a Vireo save image" \
    $V save-image-dumpxml "$ROOT/saved.xml"
sed "s|saved one|restored one|" "$ROOT/saved.xml" >"$ROOT/restored.xml"
expect_eq "restore --xml" "$($V restore "$ROOT/jobs.save" --xml "$ROOT/restored.xml")" \
    "Domain restored from $ROOT/jobs.save"
expect_eq "... the domain runs the XML given" "$($V desc jobs)" "restored one"
# The console right after a restore: one line typed once, read back whole
# (the guest's tty echo) with its answer.
out=$(guest jobs 'echo RESTORED-$((40+2))')
expect_match "a line typed on the console right after restore arrives whole" "$out" 'echo RESTORED-\$\(\(40\+2\)\)'
expect_match "... and runs" "$out" "^RESTORED-42"

$V destroy jobs >/dev/null
no_sanitizer_report
echo "virsh-jobs: $CHECKS checks"
