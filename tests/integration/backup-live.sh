#!/bin/bash
# Live backups (issue 20): checkpoints (persistent dirty bitmaps in the
# qcow2 images) and push backups through QEMU's blockdev-backup while the
# guest writes to its disk. The copy is checked on the host: qemu-img
# check, e2fsck (the journal replayed as a boot would, then a clean
# forced check), and every file the guest had listed with its checksum
# read back with debugfs and compared. A push backup outlives a daemon
# restart: domjobinfo (vireo's, virsh's) shows it after, domjobabort ends
# it and removes its target and checkpoint, or it completes whole.
source "$(dirname "$0")/lib.sh"
# The ASan/UBSan daemon: checkpoints and backups are new daemon code.
open_test --asan

# The guest's ext4 is made here (busybox's mke2fs makes ext2 only), with
# 64 MiB of data already in it, so that a full copy has weight.
mkdir -p "$W/tree"
head -c 64M /dev/urandom >"$W/tree/base"
truncate -s 256M "$W/fs.raw"
mkfs.ext4 -q -F -d "$W/tree" "$W/fs.raw"
rm -r "$W/tree"
qemu-img convert -O qcow2 "$W/fs.raw" "$W/live.qcow2"
rm "$W/fs.raw"
qemu-img create -q -f raw "$W/raw.img" 16M
disk="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$W/live.qcow2'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml live qemu "$disk <interface type='user'><model type='virtio'/></interface>" >"$W/live.xml"
rawdisk="<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$W/raw.img'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml rawdom qemu "$rawdisk <interface type='user'><model type='virtio'/></interface>" >"$W/raw.xml"
$V define "$W/live.xml" >/dev/null
$V define "$W/raw.xml" >/dev/null

# ---- checkpoints of a shut-off domain: qemu-img bitmap ----
expect_fail "a checkpoint on a raw disk is refused by name" "disk 'vda' of domain 'rawdom' is raw" \
    $V checkpoint-create-as rawdom c0
expect_eq "checkpoint-create-as on a shut-off domain" "$($V checkpoint-create-as live off1 --description 'cold')" \
    "Domain checkpoint off1 created"
bitmaps() { qemu-img info -U --output=json "$1" | /usr/bin/python3 -c 'import json,sys; print(" ".join(b["name"] for b in json.load(sys.stdin).get("format-specific",{}).get("data",{}).get("bitmaps",[])))'; }
expect_eq "the image holds the checkpoint's persistent bitmap" "$(bitmaps "$W/live.qcow2")" "off1"
expect_fail "a second checkpoint of the same name" "already has a checkpoint 'off1'" $V checkpoint-create-as live off1

$V start live >/dev/null
wait_for 60 "the guest boots" file_has "$(serial live)" VIREO-GUEST-READY

# ---- checkpoints of a running domain: QMP transaction ----
expect_eq "checkpoint-create-as on a running domain" "$($V checkpoint-create-as live run1)" "Domain checkpoint run1 created"
expect_eq "checkpoint-parent" "$($V checkpoint-parent live run1)" "off1"
expect_eq "checkpoint-list --name, oldest first" "$($V checkpoint-list live --name | tr '\n' ' ')" "off1 run1 "
expect_match "checkpoint-list --tree" "$($V checkpoint-list live --tree)" "^off1"$'\n'"  \\+- run1"
xml=$($V checkpoint-dumpxml live run1)
expect_match "checkpoint-dumpxml: libvirt's form" "$xml" "<disk name=\"vda\" checkpoint=\"bitmap\" bitmap=\"run1\"/>"
expect_match "checkpoint-dumpxml names the parent" "$xml" "<parent>"
expect_match "checkpoint-info" "$($V checkpoint-info live off1)" "Children: +1"
expect_eq "checkpoint-delete" "$($V checkpoint-delete live run1)" "Domain checkpoint run1 deleted"
expect_eq "checkpoint-list no longer shows it" "$($V checkpoint-list live --name | tr '\n' ' ')" "off1 "
$V checkpoint-create-as live run2 >/dev/null
$V checkpoint-create-as live run3 >/dev/null
expect_eq "checkpoint-delete --children" "$($V checkpoint-delete live run2 --children)" \
    "Domain checkpoint run2 deleted (and its children)"
expect_eq "only the root checkpoint is left" "$($V checkpoint-list live --name | tr '\n' ' ')" "off1 "
$V checkpoint-delete live off1 >/dev/null
expect_fail "checkpoint-dumpxml of a deleted checkpoint" "checkpoint 'off1' of domain 'live' not found" \
    $V checkpoint-dumpxml live off1

# ---- a guest writing all the time: files with their checksums. Each
# file is fsynced before its line goes into /data/sums, so a consistent
# copy of any instant holds every listed file whole. ----
out=$(guest_until live 'mkdir -p /data && mount -t ext4 /dev/vda /data && echo MOUNTED-$((40+2))' MOUNTED-42)
grep -q MOUNTED-42 <<<"$out" || fail "the guest cannot make its file system: $out"
guest live 'i=0; while [ ! -e /data/stop ]; do dd if=/dev/urandom of=/data/b$i bs=16k count=1 conv=fsync 2>/dev/null; md5sum /data/b$i >> /data/sums; sync; i=$((i+1)); done > /dev/null 2>&1 & echo WRITER-$((40+2))' >/dev/null
sleep 2 # let the writer get going: the copy must be taken while it writes
n0=$(guest_until live 'wc -l < /data/sums' '^[0-9]+' | grep -Eo '^[0-9]+' | tail -1)

cat >"$W/full.xml" <<XML
<domainbackup mode='push'>
  <disks><disk name='vda' backup='yes' type='file'><target file='$W/full.qcow2'/><driver type='qcow2'/></disk></disks>
</domainbackup>
XML
cat >"$W/cp1.xml" <<XML
<domaincheckpoint><name>bk1</name><description>with the full backup</description></domaincheckpoint>
XML
$V event --domain live --event backup --timeout 120 >"$W/events" 2>&1 &
EVENTS=$!
sleep 0.5 # the event stream is open before the backup begins
expect_eq "backup-begin (full, with a checkpoint)" "$($V backup-begin live "$W/full.xml" "$W/cp1.xml")" "Backup started"
wait_for 120 "the backup completes (domjobinfo: no job)" sh -c "$V domjobinfo live | grep -q 'Job type: *None'"
n1=$(guest_until live 'wc -l < /data/sums' '^[0-9]+' | grep -Eo '^[0-9]+' | tail -1)
[ "$n1" -gt "$n0" ] || fail "the guest did not write during the backup ($n0 -> $n1)"
ok "the guest kept writing during the backup ($n0 -> $n1 files)"
guest live 'touch /data/stop' >/dev/null # the writer ends: what follows is a small change
wait "$EVENTS" || true
expect_match "the completion event" "$(cat "$W/events")" "backup.*completed"
expect_match "the checkpoint made with the backup" "$($V checkpoint-list live --name)" "^bk1$"
# Checkpoints outlive the daemon: a new one re-adopts the running guest,
# and the incremental below starts from bk1 through its monitor.
stop_daemon
start_daemon "$ASAN_VIREOD"
expect_match "after a daemon restart checkpoint-list still shows it" "$($V checkpoint-list live --name)" "^bk1$"

# The copy, checked on the host.
check_copy() {
    local img=$1 what=$2
    qemu-img check -q "$img" || fail "$what: qemu-img check"
    qemu-img convert -O raw "$img" "$W/check.raw"
    local rc=0
    e2fsck -fy "$W/check.raw" >"$W/fsck1.log" 2>&1 || rc=$?
    [ "$rc" -le 1 ] || { cat "$W/fsck1.log" >&2; fail "$what: e2fsck found damage (rc $rc)"; }
    e2fsck -fn "$W/check.raw" >"$W/fsck2.log" 2>&1 || { cat "$W/fsck2.log" >&2; fail "$what: not clean after journal replay"; }
    ok "$what: the file system checks clean (e2fsck -f)"
    rm -f "$W/sums"
    debugfs -R "dump /sums $W/sums" "$W/check.raw" 2>/dev/null
    [ -s "$W/sums" ] || fail "$what: no /sums in the copy: $(debugfs -R 'ls -l /' "$W/check.raw" 2>&1 | tail -5)"
    local good=0 line sum file
    while read -r sum file; do
        [ -n "$file" ] || continue
        debugfs -R "dump $file $W/blk" "$W/check.raw" </dev/null 2>/dev/null
        [ "$(md5sum <"$W/blk" | cut -d' ' -f1)" = "$sum" ] || fail "$what: $file does not match its checksum"
        good=$((good + 1))
    done < <(grep -aE '^[0-9a-f]{32}  /data/b[0-9]+$' "$W/sums" | sed 's#/data##')
    [ "$good" -ge "$n0" ] || fail "$what: only $good files listed, the guest had written $n0 before it began"
    ok "$what: all $good files the guest listed match their checksums"
}
check_copy "$W/full.qcow2" "the full backup"

# ---- incremental: 1 MiB written, then the changes since bk1 ----
guest_until live 'dd if=/dev/urandom of=/data/mib bs=1024k count=1 2>/dev/null; sync; echo SYNCED-$((40+2))' SYNCED-42 >/dev/null
cat >"$W/inc.xml" <<XML
<domainbackup mode='push'><incremental>bk1</incremental>
  <disks><disk name='vda' type='file'><target file='$W/inc.qcow2'/></disk></disks>
</domainbackup>
XML
expect_eq "backup-begin --incremental since bk1" "$($V backup-begin live --backupxml "$W/inc.xml")" "Backup started"
wait_for 120 "the incremental backup completes" sh -c "$V domjobinfo live | grep -q 'Job type: *None'"
size() { qemu-img info --output=json "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["actual-size"])'; }
full=$(size "$W/full.qcow2") inc=$(size "$W/inc.qcow2")
echo "# sizes: full $full bytes, incremental $inc bytes"
[ "$inc" -lt $((full / 4)) ] || fail "the incremental ($inc) is not much smaller than the full ($full)"
ok "the incremental backup ($inc bytes) is much smaller than the full one ($full bytes)"
# The increment on the full copy is the disk as of the second backup.
qemu-img rebase -q -u -b "$W/full.qcow2" -F qcow2 "$W/inc.qcow2"
n0=0
check_copy "$W/inc.qcow2" "the full backup with the increment on it"
debugfs -R "stat /mib" "$W/check.raw" 2>/dev/null | grep -q "Size: 1048576" || fail "the 1 MiB file is not in the increment"
ok "the 1 MiB written after the full backup is in the increment"

# ---- vireo backup DIR of the running domain: full, incremental, restore ----
$V backup live "$W/b1" >/dev/null
cp1=$(jq -r .checkpoint "$W/b1/backup.json")
expect_match "a running domain's bundle names the checkpoint taken with it" "$cp1" "^backup-[0-9]+"
expect_match "the checkpoint is the domain's" "$($V checkpoint-list live --name)" "^$cp1$"
guest_until live 'dd if=/dev/urandom of=/data/second bs=1024k count=1 2>/dev/null; md5sum /data/second > /data/second.md5; sync; echo SYNCED-$((40+2))' SYNCED-42 >/dev/null
$V backup live "$W/b2" --incremental "$W/b1" >/dev/null
expect_eq "the increment's copy goes on the full one" \
    "$(qemu-img info --output=json "$W/b2/live.qcow2" | jq -r '."backing-filename"')" "$W/b1/live.qcow2"
full=$(size "$W/b1/live.qcow2") inc=$(size "$W/b2/live.qcow2")
echo "# bundle sizes: full $full bytes, incremental $inc bytes"
[ "$inc" -lt $((full / 4)) ] || fail "the incremental bundle ($inc) is not much smaller than the full one ($full)"
ok "the incremental bundle ($inc bytes) is much smaller than the full one ($full bytes)"
expect_fail "an incremental backup of a shut-off domain" "shut off; --incremental" \
    $V backup rawdom "$W/b3" --incremental "$W/b1"
$V destroy live >/dev/null
$V undefine live >/dev/null
mv "$W/live.qcow2" "$W/live.orig.qcow2"
$V backup-restore "$W/b2" >/dev/null
expect_eq "backup-restore of the incremental bundle defines the domain" "$($V domstate live)" "shut off"
expect_eq "the restored disk stands alone (the chain applied)" \
    "$(qemu-img info --output=json "$W/live.qcow2" | jq -r '."backing-filename" // "none"')" "none"
expect_eq "a restored domain starts with no checkpoint" "$($V checkpoint-list live --name)" ""
check_copy "$W/live.qcow2" "the restored disk"
$V start live >/dev/null
wait_for 60 "the restored domain boots" file_has "$(serial live)" VIREO-GUEST-READY
out=$(guest_until live 'mkdir -p /data && mount -t ext4 /dev/vda /data && cd /data && md5sum -c second.md5 && echo RESTORED-$((40+2))' RESTORED-42)
grep -q RESTORED-42 <<<"$out" || fail "the restored guest cannot read what it wrote before the incremental: $out"
ok "the restored guest mounts its ext4 and the file written before the incremental matches"

# ---- refusals and domjobabort ----
$V start rawdom >/dev/null
wait_for 60 "the raw-disk guest boots" file_has "$(serial rawdom)" VIREO-GUEST-READY
expect_fail "an incremental of another domain's bundle" "is a backup of domain 'live', not 'rawdom'" \
    $V backup rawdom "$W/b3" --incremental "$W/b1"
expect_fail "backup-begin with a checkpoint on a raw disk" "disk 'vda' of domain 'rawdom' is raw" \
    $V backup-begin rawdom --checkpointxml "$W/cp1.xml"
$V define <(sed "s/<name>live</<name>idle</; s#$W/live.qcow2#$W/idle.qcow2#" "$W/live.xml") >/dev/null
expect_fail "backup-begin of a shut-off domain" "domain .idle. is not running" $V backup-begin idle

guest live 'dd if=/dev/urandom of=/data/big bs=1024k count=160 2>/dev/null; sync; echo BIG' >/dev/null
guest_until live 'sync; echo SYNCED-$((40+2))' SYNCED-42 >/dev/null
before=$(ls "$W")
$V backup-begin live >/dev/null
expect_match "backup-dumpxml while it runs: the default target beside the disk" "$($V backup-dumpxml live)" \
    "<target file=\"$W/live.qcow2.[0-9]+\"/>"
expect_match "domjobinfo follows the running backup" "$($V domjobinfo live)" "Operation: +Backup"
expect_fail "a second backup while one runs" "has a job running|has a backup job running" $V backup-begin live
expect_eq "domjobabort ends the backup" "$($V domjobabort live 2>&1; echo rc=$?)" "rc=0"
wait_for 60 "the aborted backup has ended" sh -c "$V domjobinfo live | grep -q 'Job type: *None'"
expect_eq "domjobabort left no file behind" "$(ls "$W")" "$before"
expect_fail "backup-dumpxml with no backup running" "no backup running" $V backup-dumpxml live
expect_fail "pull mode: a unix server needs its socket" "socket='/PATH'" $V backup-begin live <(echo "<domainbackup mode='pull'><server transport='unix'/></domainbackup>")

# ---- a push backup outlives the daemon: a second disk of 1 GiB of
# random data is hot-plugged, so that its copy runs long enough for the
# job's speed to be set in QEMU (block-job-set-speed) and the backup runs
# across a restart. The first is aborted after it (its targets and the
# checkpoint made with it go), the second completes after it and its copy
# of vda checks clean. ----
LV="command virsh -q -c qemu:///system?socket=$ROOT/libvirt-sock"
throttle() { local o; o=$($V qemu-monitor-command live "{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":\"backup-vdb\",\"speed\":$1}}" 2>&1) ||
    fail "block-job-set-speed $1 of the backup's job: $o"; }
qbitmaps() { $V qemu-monitor-command live '{"execute":"query-block"}' |
    jq -r '[.return[] | select((.qdev // "") | test("/vda/")) | .inserted["dirty-bitmaps"][]?.name] | join(" ")'; }
restart() { stop_daemon; start_daemon "$ASAN_VIREOD"; }
head -c 1G /dev/urandom >"$W/big.raw"
$V attach-disk live "$W/big.raw" vdb --persistent >/dev/null
for n in r1 r2; do
    cat >"$W/$n.xml" <<XML
<domainbackup mode='push'><disks>
  <disk name='vda' type='file'><target file='$W/$n.qcow2'/></disk>
  <disk name='vdb' type='file'><target file='$W/$n-vdb.qcow2'/></disk>
</disks></domainbackup>
XML
done
echo "<domaincheckpoint><name>rcp</name><disks><disk name='vdb' checkpoint='no'/></disks></domaincheckpoint>" >"$W/rcp.xml"
$V backup-begin live "$W/r1.xml" "$W/rcp.xml" >/dev/null
throttle 1048576
[ -s "$ROOT/run/vireo/qemu/live/backup.json" ] || fail "no record of the push backup in the run directory"
expect_match "the checkpoint is made with the backup" "$($V checkpoint-list live --name)" "^rcp$"
restart
expect_match "after a daemon restart domjobinfo shows the push backup" "$($V domjobinfo live)" "Operation: +Backup"
# its numbers come with the first query-jobs of the new daemon
wait_for 10 "... with QEMU's numbers" sh -c "$V domjobinfo live | tr '\n' ' ' | grep -Eq 'Data processed: +[1-9].*Data total: +1.25 GiB'"
expect_match "... and Debian's virsh over libvirt-sock, as libvirt reports a backup (File ...)" \
    "$($LV domjobinfo live | tr '\n' ' ')" "Operation: +Backup .*File processed: .*File total: +1.250 GiB"
expect_match "backup-dumpxml of the re-adopted backup" "$($V backup-dumpxml live | tr -d '\n')" \
    "<target file=\"$W/r1.qcow2\"/>.*<target file=\"$W/r1-vdb.qcow2\"/>"
$V domjobabort live >/dev/null || fail "domjobabort of the re-adopted push backup"
wait_for 60 "the re-adopted backup has ended" sh -c "$V domjobinfo live | grep -q 'Job type: *None'"
[ ! -e "$W/r1.qcow2" ] && [ ! -e "$W/r1-vdb.qcow2" ] || fail "domjobabort of the re-adopted backup left its targets"
ok "domjobabort of the re-adopted backup removed its targets"
wait_for 30 "... and the checkpoint made with it" sh -c "[ -z \"\$($V checkpoint-list live --name)\" ]"
expect_eq "... and its bitmap in QEMU" "$(qbitmaps)" ""
[ ! -e "$ROOT/run/vireo/qemu/live/backup.json" ] || fail "the record outlived the backup"
ok "... and its record"
$V backup-begin live "$W/r2.xml" >/dev/null
throttle 1048576
restart
expect_match "the second backup runs on after a restart" "$($V domjobinfo live)" "Operation: +Backup"
throttle 0 # full speed: it completes under the new daemon
wait_for 120 "the re-adopted backup completes" sh -c "$V domjobinfo live | grep -q 'Job type: *None'"
n0=0
check_copy "$W/r2.qcow2" "the push backup completed by the restarted daemon"
expect_eq "... and its copy of the 1 GiB disk is whole" "$(qemu-img compare -q "$W/big.raw" "$W/r2-vdb.qcow2"; echo $?)" 0
rm -f "$W/r2-vdb.qcow2"

# A bundle (vireo backup DIR) across a restart, once with SIGTERM and once
# with kill -9: its push backup is re-adopted, the new daemon finishes the
# bundle (the definition, backup.json) from the plan kept in the backup's
# record, as a job of its own; the client that waited on the first
# daemon's job follows that one and is told the end.
bundle_across() {
    local how=$1 dir=$2 rc=0
    $V backup live "$dir" >"$W/bundle.out" 2>"$W/bundle.err" &
    BUNDLE=$!
    wait_for 30 "the bundle's backup runs (throttled)" sh -c \
        "$V qemu-monitor-command live '{\"execute\":\"block-job-set-speed\",\"arguments\":{\"device\":\"backup-vdb\",\"speed\":1048576}}' >/dev/null 2>&1"
    cp=$($V checkpoint-list live --name | tail -1)
    expect_match "the bundle's checkpoint" "$cp" "^backup-[0-9-]+$"
    sleep 1 # the client polls its job at least once
    if [ "$how" = "kill -9" ]; then
        kill -9 "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID=
    else
        stop_daemon
    fi
    [ ! -e "$dir/backup.json" ] || fail "the bundle was finished before the restart"
    start_daemon "$ASAN_VIREOD"
    expect_match "after a restart ($how) domjobinfo shows the bundle's push backup" "$($V domjobinfo live)" \
        "Operation: +Backup"
    expect_eq "... and the new daemon has the bundle as a running job" \
        "$($V job-list --json | jq -r '.[] | select(.kind == "backup" and .state == "running") | .target')" "live"
    kill -0 "$BUNDLE" 2>/dev/null || fail "the waiting client gave up at the restart: $(cat "$W/bundle.err")"
    ok "the waiting client waits on"
    throttle 0
    wait "$BUNDLE" || rc=$?
    expect_eq "the waiting client is told the bundle completed ($how)" "rc=$rc $(cat "$W/bundle.out")" \
        "rc=0 Domain 'live' backed up to $dir"
    expect_match "... by the restarted daemon" "$(cat "$W/bundle.err")" "vireod restarted; it finishes the backup as its job [0-9]+"
    expect_eq "the bundle is whole: definition, disks, backup.json" "$(ls "$dir" | tr '\n' ' ')" \
        "backup.json big.raw live.qcow2 live.xml "
    expect_eq "backup.json names the checkpoint taken with it" "$(jq -r .checkpoint "$dir/backup.json")" "$cp"
    expect_match "... which the domain keeps" "$($V checkpoint-list live --name)" "^$cp$"
    expect_match "the job says completed, finished after the restart" \
        "$($V job-list --json | jq -c '[.[] | select(.kind == "backup")][-1] | [.state, (.result | fromjson? // . | .resumed)]')" \
        '\["completed",true\]'
}
bundle_across SIGTERM "$W/b9"
n0=0
check_copy "$W/b9/live.qcow2" "the bundle finished after a SIGTERM restart"
bundle_across "kill -9" "$W/b10"

# The second one restores to a domain that boots and reads its files.
$V destroy live >/dev/null
$V undefine live >/dev/null
mv "$W/live.qcow2" "$W/live.before-b10.qcow2"
mv "$W/big.raw" "$W/big.orig.raw"
$V backup-restore "$W/b10" >/dev/null
expect_eq "backup-restore of the bundle finished after a kill -9" "$($V domstate live)" "shut off"
check_copy "$W/live.qcow2" "the restored disk of the bundle finished after a kill -9"
expect_eq "... and its 1 GiB disk is whole" "$(qemu-img compare -q "$W/big.orig.raw" "$W/big.raw"; echo $?)" 0
rm -f "$W/big.orig.raw" "$W/b9/big.raw" "$W/b10/big.raw"
$V start live >/dev/null
wait_for 60 "the restored domain boots" file_has "$(serial live)" VIREO-GUEST-READY
out=$(guest_until live 'mkdir -p /data && mount -t ext4 /dev/vda /data && cd /data && md5sum -c second.md5 && echo RESTORED-$((40+2))' RESTORED-42)
grep -q RESTORED-42 <<<"$out" || fail "the restored guest cannot read its files: $out"
ok "the restored guest mounts its ext4 (checked clean) and its files match"

$V destroy live >/dev/null
$V destroy rawdom >/dev/null
no_sanitizer_report
echo "backup-live: $CHECKS checks in $SECONDS s"
