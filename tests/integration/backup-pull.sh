#!/bin/bash
# Pull backups (issue 20): backup-begin with <domainbackup mode='pull'>
# exports each disk over QEMU's NBD server while the guest writes on; a
# client (qemu-img here) reads the disk as of the instant the backup
# began, then domjobabort ends it. A full pull over TCP: the copy read
# with qemu-img convert nbd://, e2fsck clean, the file written before
# the backup in it, the one written after not, and a new domain boots
# on the copy and reads the file. An incremental pull over a unix socket
# exports the checkpoint's dirty bitmap: qemu-img map with x-dirty-bitmap
# shows the 1 MiB written since as dirty, and little else. virsh
# backup-begin on libvirt-sock runs a pull backup too. Last, domrename
# moves the domain's checkpoints and snapshots with it, and
# checkpoint-list --json prints the wire schema's objects. Between them,
# checkpoint-create --redefine (metadata only, refused without the
# bitmap in the image) and --quiesce (the guest agent's fsfreeze; a clear
# error without an agent channel; a guest agent that refuses to thaw fails
# the checkpoint and leaves no bitmap in either image and no metadata).
# domjobinfo of a pull backup (vireo's and virsh's) shows what the scratch
# files hold of the most they may ("Temporary disk space"); an incremental
# pull survives a daemon restart: the export still reads, domjobabort ends
# it and removes the scratch file, the export and the temporary bitmap;
# a pull whose QEMU is killed while no daemon runs is cleaned up by the
# next daemon (its scratch file and new checkpoint).
source "$(dirname "$0")/lib.sh"
open_test --asan
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
no_job() { $V domjobinfo "$1" | grep -q 'Job type: *None'; }
# qbitmaps NAME TARGET: the dirty bitmaps QEMU holds on the running disk's top node, sorted.
qbitmaps() { $V qemu-monitor-command "$1" '{"execute":"query-block"}' |
    jq -r --arg d "$2" '[.return[] | select((.qdev // "") | test("/" + $d + "/")) | .inserted["dirty-bitmaps"][]?.name] | sort | join(" ")'; }
# ibitmaps IMAGE: the bitmaps stored in a qcow2 image, sorted.
ibitmaps() { qemu-img info -U --output=json "$1" | jq -r '[."format-specific".data.bitmaps[]?.name] | sort | join(" ")'; }
# boot_on NAME IMAGE [DEVICES]: a tiny guest with IMAGE as its vda, defined, started, booted.
boot_on() {
    boot_tiny "$1" "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$2'/><target dev='vda' bus='virtio'/></disk>${3:-}"
}
# in_guest NAME SH WHAT: SH must succeed on the guest's console, else fail with WHAT.
in_guest() {
    local out
    out=$(guest_until "$1" "$2 && echo DONE-\$((40+2))" DONE-42)
    grep -q DONE-42 <<<"$out" || fail "$3: $out"
}

mkdir -p "$W/tree"
head -c 16M /dev/urandom >"$W/tree/base"
truncate -s 128M "$W/fs.raw"
mkfs.ext4 -q -F -d "$W/tree" "$W/fs.raw"
rm -r "$W/tree"
qemu-img convert -O qcow2 "$W/fs.raw" "$W/pull.qcow2"
rm "$W/fs.raw"
boot_on pull "$W/pull.qcow2"
in_guest pull 'mkdir -p /data && mount -t ext4 /dev/vda /data && dd if=/dev/urandom of=/data/before bs=64k count=4 2>/dev/null && md5sum /data/before > /data/before.md5 && sync' \
    "the guest cannot write its file system"
expect_eq "a checkpoint for the incremental later" "$($V checkpoint-create-as pull cp1)" "Domain checkpoint cp1 created"

# ---- full pull over TCP ----
port=$(free_port)
cat >"$W/full.xml" <<XML
<domainbackup mode='pull'>
  <server transport='tcp' name='127.0.0.1' port='$port'/>
  <disks><disk name='vda' backup='yes' type='file'><scratch file='$W/vda.scratch'/></disk></disks>
</domainbackup>
XML
expect_eq "backup-begin (pull, TCP)" "$($V backup-begin pull "$W/full.xml")" "Backup started"
expect_match "backup-dumpxml: the server and the export" "$($V backup-dumpxml pull | tr -d '\n')" \
    "mode=\"pull\".*<server transport=\"tcp\" name=\"127.0.0.1\" port=\"$port\"/>.*exportname=\"vda\".*<scratch file=\"$W/vda.scratch\"/>"
expect_match "domjobinfo: the pull backup is the domain's job" "$($V domjobinfo pull)" "Operation: +Backup"
expect_fail "a second backup while the pull runs" "has a job running|has a backup job running" $V backup-begin pull
# Written after the backup began: not in the export (QEMU keeps the old
# clusters in the scratch file).
in_guest pull 'dd if=/dev/urandom of=/data/after bs=64k count=16 2>/dev/null; dd if=/dev/urandom of=/data/base bs=64k count=64 conv=notrunc 2>/dev/null; sync' \
    "the guest did not write after the backup began"
# Progress: QEMU's sync=none job counts what copy-before-write put in the
# scratch file (the 4 MiB of /data/base rewritten, at least) of the disk's size.
job=$($V domjobinfo pull --json)
expect_eq "domjobinfo --json: a pull backup's numbers are its scratch files'" \
    "$(jq -c '[.operation, .mode, .disk_temp_total, .data_processed]' <<<"$job")" '["backup","pull",134217728,null]'
used=$(jq .disk_temp_used <<<"$job")
echo "# scratch use after the guest rewrote 4 MiB: $used bytes"
[ "$used" -ge $((4 * 1024 * 1024)) ] && [ "$used" -lt 134217728 ] ||
    fail "domjobinfo: disk_temp_used $used is not the 4 MiB or more the guest rewrote"
ok "domjobinfo: the scratch file holds the $used bytes the guest rewrote since backup-begin"
expect_match "domjobinfo prints them as virsh does" "$($V domjobinfo pull | tr '\n' ' ')" \
    "Temporary disk space use: +[0-9.]+ MiB +Temporary disk space total: +128.00 MiB"
qemu-img convert -O raw "nbd://127.0.0.1:$port/vda" "$W/full.raw" || fail "qemu-img cannot read the NBD export"
ok "qemu-img convert nbd://127.0.0.1:$port/vda reads the export"
rc=0
e2fsck -fy "$W/full.raw" >"$W/fsck1.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || { cat "$W/fsck1.log" >&2; fail "the pulled copy: e2fsck found damage (rc $rc)"; }
e2fsck -fn "$W/full.raw" >"$W/fsck2.log" 2>&1 || { cat "$W/fsck2.log" >&2; fail "the pulled copy is not clean after journal replay"; }
ok "the pulled copy: e2fsck -f clean"
debugfs -R "dump /before $W/before" "$W/full.raw" 2>/dev/null
debugfs -R "dump /before.md5 $W/before.md5" "$W/full.raw" 2>/dev/null
expect_eq "the file written before the backup is in the copy, whole" "$(md5sum <"$W/before" | cut -d' ' -f1)" \
    "$(cut -d' ' -f1 "$W/before.md5")"
debugfs -R "stat /after" "$W/full.raw" 2>&1 | grep -q "File not found" || fail "the file written after the backup began is in the copy"
ok "the file written after the backup began is not in the copy (the instant of backup-begin)"
[ -s "$W/vda.scratch" ] || fail "no scratch file while the pull runs"
expect_eq "domjobabort ends the pull backup" "$($V domjobabort pull 2>&1; echo rc=$?)" "rc=0"
wait_for 60 "the pull backup has ended (domjobinfo: no job)" no_job pull
[ ! -e "$W/vda.scratch" ] || fail "the scratch file stays after the end"
ok "the scratch file is removed at the end"
expect_fail "the export is gone" "." qemu-img info "nbd://127.0.0.1:$port/vda"
expect_match "the domain runs on" "$($V domstate pull)" "running"

# The copy boots: a new domain on it reads the file.
qemu-img convert -O qcow2 "$W/full.raw" "$W/copy.qcow2"
# It has a guest agent: a checkpoint with --quiesce freezes its file systems.
qemu-img create -q -f qcow2 "$W/copy2.qcow2" 16M # a second image: a checkpoint's bitmaps go on both
boot_on copy "$W/copy.qcow2" "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$W/copy2.qcow2'/><target dev='vdb' bus='virtio'/></disk><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
in_guest copy 'mkdir -p /data && mount -t ext4 /dev/vda /data && cd /data && md5sum -c before.md5' \
    "the domain on the copy cannot read the file"
ok "the domain on the pulled copy mounts it and the file checks"
wait_for 60 "the copy's guest agent answers" sh -c "$V qemu-agent-command copy '{\"execute\":\"guest-ping\"}'"
expect_eq "checkpoint-create-as --quiesce through the guest agent" "$($V checkpoint-create-as copy q1 --quiesce)" \
    "Domain checkpoint q1 created"
expect_match "the agent froze the guest's file systems around the bitmaps" "$(cat "$ROOT/vireod.log")" \
    "checkpoint q1 of copy: [1-9][0-9]* file system\(s\) frozen"
in_guest copy 'echo thawed > /data/thawed && sync' "the guest's file system is still frozen after --quiesce"
ok "the guest writes again after the quiesced checkpoint (thawed)"
expect_eq "the quiesced checkpoint's bitmaps are on both disks" "$(qbitmaps copy vda) / $(qbitmaps copy vdb)" "q1 / q1"

# A quiesced checkpoint that fails late: the guest's agent restarted with
# guest-fsfreeze-thaw blocked (its -b, block-rpcs) freezes, the bitmaps are
# made, the thaw is refused. The checkpoint fails, its bitmaps go again.
in_guest copy '[ -e /run/ga-blocked ] || { kill $(cat /run/qemu-ga.pid); sleep 1; qemu-ga -d -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -f /run/qemu-ga.pid -b guest-fsfreeze-thaw && touch /run/ga-blocked; }' \
    "the guest agent cannot be restarted refusing thaw"
wait_for 60 "the restarted guest agent answers" sh -c "$V qemu-agent-command copy '{\"execute\":\"guest-ping\"}'"
expect_fail "checkpoint-create-as --quiesce when the agent refuses to thaw" \
    "could not thaw its file systems .*the checkpoint is not made, its bitmaps are removed" \
    $V checkpoint-create-as copy q2 --quiesce
expect_eq "no metadata of the failed checkpoint" "$($V checkpoint-list copy --name)" "q1"
[ ! -e "$ROOT/etc/vireo/qemu/checkpoint/copy/q2.xml" ] || fail "q2.xml was written"
expect_eq "no bitmap of it on either disk in QEMU" "$(qbitmaps copy vda) / $(qbitmaps copy vdb)" "q1 / q1"
# Frozen still, as the error says: an agent that thaws again (restarted
# without -b), then its guest-fsfreeze-thaw.
in_guest copy '[ ! -e /run/ga-blocked ] || { kill -9 $(cat /run/qemu-ga.pid); sleep 1; rm -f /run/qemu-ga.pid; qemu-ga -d -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -f /run/qemu-ga.pid && rm /run/ga-blocked; }' \
    "the guest agent cannot be restarted"
wait_for 60 "the guest agent answers again" sh -c "$V qemu-agent-command copy '{\"execute\":\"guest-ping\"}'"
$V qemu-agent-command copy '{"execute":"guest-fsfreeze-thaw"}' >/dev/null ||
    fail "guest-fsfreeze-thaw after the failed quiesced checkpoint"
in_guest copy 'echo thawed2 > /data/thawed2 && sync' "the guest stays frozen after guest-fsfreeze-thaw"
ok "the guest agent's thaw, as the error says, thaws the guest the failed checkpoint left frozen"
$V destroy copy >/dev/null
expect_eq "the images hold q1's bitmap and no other" "$(ibitmaps "$W/copy.qcow2") / $(ibitmaps "$W/copy2.qcow2")" \
    "q1 / q1"
expect_fail "--quiesce of a shut-off domain" "not running: --quiesce" $V checkpoint-create-as copy q2 --quiesce

# ---- incremental pull over a unix socket: the dirty bitmap ----
in_guest pull 'dd if=/dev/urandom of=/data/mib bs=1024k count=1 2>/dev/null; sync' "the guest did not write the 1 MiB"
cat >"$W/inc.xml" <<XML
<domainbackup mode='pull'>
  <incremental>cp1</incremental>
  <server transport='unix' socket='$W/nbd.sock'/>
</domainbackup>
XML
expect_eq "backup-begin (pull, incremental, unix socket)" "$($V backup-begin pull "$W/inc.xml")" "Backup started"
dumped=$($V backup-dumpxml pull | tr -d '\n')
expect_match "backup-dumpxml: the exported bitmap's name" "$dumped" "exportbitmap=\"backup-vda\""
expect_match "backup-dumpxml: the default scratch beside the disk" "$dumped" "<scratch file=\"$W/pull.qcow2.[0-9]+.scratch\"/>"
opts="driver=nbd,server.type=unix,server.path=$W/nbd.sock,export=vda"
qemu-img map --output=json --image-opts "$opts,x-dirty-bitmap=qemu:dirty-bitmap:backup-vda" >"$W/map.json" ||
    fail "qemu-img map of the dirty bitmap"
# x-dirty-bitmap reports dirty extents as "data": false.
dirty=$(jq '[.[] | select(.data == false) | .length] | add // 0' "$W/map.json")
total=$(jq '[.[] | .length] | add' "$W/map.json")
echo "# dirty since cp1: $dirty of $total bytes"
[ "$dirty" -ge $((1024 * 1024)) ] || fail "the exported bitmap shows $dirty dirty bytes, under the 1 MiB written"
[ "$dirty" -lt $((total / 4)) ] || fail "the exported bitmap shows $dirty of $total bytes dirty: not an increment"
ok "the exported dirty bitmap shows the 1 MiB written since cp1 ($dirty of $total bytes)"
qemu-img convert -O raw --image-opts "$opts" "$W/inc.raw" || fail "qemu-img cannot read the incremental export"
debugfs -R "stat /mib" "$W/inc.raw" 2>/dev/null | grep -q "Size: 1048576" || fail "the 1 MiB file is not in the export"
ok "the incremental export reads the whole disk, the 1 MiB file in it"
# The pull outlives the daemon: re-adopted from its record in the run
# directory, it still exports, and domjobabort ends it as before.
scratch=$(ls "$W"/pull.qcow2.*.scratch)
[ -s "$ROOT/run/vireo/qemu/pull/backup.json" ] || fail "no record of the backup in the run directory"
stop_daemon
start_daemon "$ASAN_VIREOD"
expect_match "after a daemon restart domjobinfo shows the pull backup" "$($V domjobinfo pull | tr '\n' ' ')" \
    "Operation: +Backup.*Temporary disk space total: +128.00 MiB"
expect_match "... and backup-dumpxml its XML" "$($V backup-dumpxml pull | tr -d '\n')" "exportbitmap=\"backup-vda\""
qemu-img map --output=json --image-opts "$opts,x-dirty-bitmap=qemu:dirty-bitmap:backup-vda" >"$W/map2.json" ||
    fail "qemu-img map of the export after the restart"
expect_eq "the export reads the same dirty extents after the restart" "$(md5sum <"$W/map2.json")" "$(md5sum <"$W/map.json")"
expect_fail "a backup-begin while the re-adopted one runs" "has a job running|has a backup job running" \
    $V backup-begin pull
$V domjobabort pull >/dev/null
wait_for 60 "the re-adopted incremental pull has ended" no_job pull
[ ! -e "$scratch" ] || fail "the scratch file $scratch outlived the re-adopted pull"
ok "domjobabort of the re-adopted pull removed its scratch file"
expect_fail "the export is gone" "." qemu-img info --image-opts "$opts"
expect_eq "the exported bitmap copy is gone from QEMU" "$(qbitmaps pull vda)" "cp1"
[ ! -e "$ROOT/run/vireo/qemu/pull/backup.json" ] || fail "the backup's record outlived it"
ok "... and so is the backup's record"
expect_eq "the checkpoint is untouched by the pull" "$($V checkpoint-list pull --name)" "cp1"

# ---- refusals ----
expect_fail "pull: a push <target> is refused by name" "mode='pull' takes <scratch" $V backup-begin pull \
    <(echo "<domainbackup mode='pull'><disks><disk name='vda'><target file='/x'/></disk></disks></domainbackup>")
expect_fail "pull: a unix server needs its socket" "socket='/PATH'" $V backup-begin pull \
    <(echo "<domainbackup mode='pull'><server transport='unix'/></domainbackup>")
touch "$W/taken"
expect_fail "pull: an existing scratch file is not overwritten" "never overwrites" $V backup-begin pull \
    <(echo "<domainbackup mode='pull'><disks><disk name='vda'><scratch file='$W/taken'/></disk></disks></domainbackup>")
# A taken port: QEMU's error, the backup never starts, nothing left.
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(30)' "$port" &
HOLD=$!
sleep 0.5
expect_fail "pull: a port in use" "backup of domain 'pull' failed" $V backup-begin pull "$W/full.xml"
kill "$HOLD"; wait "$HOLD" 2>/dev/null || true
[ ! -e "$W/vda.scratch" ] || fail "a failed pull left its scratch file"
expect_match "after the failed start no job runs" "$($V domjobinfo pull)" "Job type: *None"

# ---- virsh on libvirt-sock ----
if command -v virsh >/dev/null; then
    URI="qemu:///system?socket=$ROOT/libvirt-sock"
    port=$(free_port)
    sed "s/port='[0-9]*'/port='$port'/" "$W/full.xml" >"$W/virsh.xml"
    expect_match "virsh backup-begin (pull)" "$(command virsh -c "$URI" backup-begin pull "$W/virsh.xml")" "Backup started"
    expect_match "virsh backup-dumpxml" "$(command virsh -q -c "$URI" backup-dumpxml pull | tr -d '\n')" "mode=\"pull\""
    expect_match "qemu-img reads the export virsh began" "$(qemu-img info --output=json "nbd://127.0.0.1:$port/vda")" \
        "\"virtual-size\": 134217728"
    expect_match "virsh domjobinfo: a pull backup's scratch space, as libvirt reports it" \
        "$(command virsh -c "$URI" domjobinfo pull | tr '\n' ' ')" \
        "Operation: +Backup.*Temporary disk space use: +[0-9.]+ [KMG]?i?B.*Temporary disk space total: +128.000 MiB"
    command virsh -q -c "$URI" domjobabort pull >/dev/null
    wait_for 60 "virsh domjobabort ends it" no_job pull
fi

$V destroy pull >/dev/null

# ---- checkpoint-create --redefine: metadata only, of a bitmap the image holds ----
expect_fail "--quiesce without a guest agent channel" "has no guest agent channel" \
    $V checkpoint-create-as pull q1 --quiesce
$V checkpoint-dumpxml pull cp1 >"$W/cp1.xml"
$V checkpoint-delete pull cp1 --metadata >/dev/null
expect_eq "checkpoint-delete --metadata leaves no checkpoint" "$($V checkpoint-list pull --name)" ""
expect_eq "checkpoint-create --redefine" "$($V checkpoint-create pull "$W/cp1.xml" --redefine)" \
    "Domain checkpoint cp1 redefined"
expect_eq "the redefined checkpoint is the one dumped (creationTime kept)" "$($V checkpoint-dumpxml pull cp1)" \
    "$(cat "$W/cp1.xml")"
expect_fail "--redefine of a checkpoint that exists" "already has a checkpoint 'cp1'" \
    $V checkpoint-create pull "$W/cp1.xml" --redefine
sed 's/cp1/ghost/g' "$W/cp1.xml" >"$W/ghost.xml"
expect_fail "--redefine when the image lacks the bitmap" "holds no bitmap 'ghost'" \
    $V checkpoint-create pull "$W/ghost.xml" --redefine
expect_eq "the refused redefinition left nothing" "$($V checkpoint-list pull --name)" "cp1"

# ---- domrename takes the checkpoints and snapshots along ----
$V snapshot-create-as pull s1 >/dev/null
$V domrename pull pulled >/dev/null
expect_eq "after domrename the checkpoint is the new name's" "$($V checkpoint-list pulled --name)" "cp1"
expect_match "checkpoint-dumpxml under the new name" "$($V checkpoint-dumpxml pulled cp1)" "<name>cp1</name>"
expect_match "after domrename the snapshot is the new name's" "$($V snapshot-list pulled --name)" "^s1$"
[ ! -e "$ROOT/etc/vireo/qemu/checkpoint/pull" ] && [ -d "$ROOT/etc/vireo/qemu/checkpoint/pulled" ] ||
    fail "the checkpoint directory did not move: $(ls "$ROOT/etc/vireo/qemu/checkpoint")"
ok "the checkpoint metadata moved to the new name's directory"
$V start pulled >/dev/null
wait_for 60 "the renamed domain boots" file_has "$(serial pulled)" VIREO-GUEST-READY
expect_eq "a checkpoint of the renamed, running domain follows cp1" \
    "$($V checkpoint-create-as pulled cp2 >/dev/null; $V checkpoint-parent pulled cp2)" "cp1"
expect_eq "checkpoint-list --json: the wire schema's objects" \
    "$($V checkpoint-list pulled --json | jq -c '[.[] | [.name, .parent, .disks, (.creation_time > 0)]]')" \
    '[["cp1",null,["vda"],true],["cp2","cp1",["vda"],true]]'
expect_match "checkpoint-info counts the children from the same list" "$($V checkpoint-info pulled cp1)" "Children: +1"

# ---- a backup whose QEMU ends while no daemon runs: it failed, and the
# next daemon cleans up after it (the scratch file, the new checkpoint) ----
cat >"$W/lost.xml" <<XML
<domainbackup mode='pull'><server transport='unix' socket='$W/lost.sock'/>
  <disks><disk name='vda' type='file'><scratch file='$W/lost.scratch'/></disk></disks>
</domainbackup>
XML
echo "<domaincheckpoint><name>cp3</name></domaincheckpoint>" >"$W/cp3.xml"
$V backup-begin pulled "$W/lost.xml" "$W/cp3.xml" >/dev/null
expect_match "a pull backup with a new checkpoint" "$($V checkpoint-list pulled --name)" "^cp3$"
stop_daemon
qpid=$(cat "$ROOT/run/vireo/qemu/pulled/qemu.pid")
kill -9 "$qpid"
wait_for 30 "QEMU is gone" sh -c "! kill -0 $qpid 2>/dev/null"
start_daemon "$ASAN_VIREOD"
expect_eq "the domain is shut off after the restart" "$($V domstate pulled)" "shut off"
wait_for 30 "the next daemon removed the backup's scratch file" sh -c "[ ! -e '$W/lost.scratch' ]"
wait_for 30 "... and forgot the checkpoint made with it" sh -c "! $V checkpoint-list pulled --name | grep -qx cp3"
no_sanitizer_report
echo "backup-pull: $CHECKS checks in $SECONDS s"
