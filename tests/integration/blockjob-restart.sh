#!/usr/bin/env bash
# Block jobs across a daemon restart (issue 18): a blockcopy in its ready
# phase and an active blockcommit are running when vireod stops; the
# restarted daemon re-adopts them (their records in the run directory,
# QMP query-jobs), so blockjob --info shows them, --pivot switches the
# disk (live and persistent definition) and --abort leaves it; Debian's
# virsh sees the re-adopted job over libvirt-sock.
. "$(dirname "$0")/lib.sh"
open_test --asan --virsh

$V vol-create-as default rj.qcow2 16M --format qcow2 >/dev/null
base=$($V vol-path rj.qcow2 --pool default)
disk="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$base'/><target dev='vda' bus='virtio'/></disk>"
boot_tiny rj "$disk <interface type='user'><model type='virtio'/></interface>"
run=$ROOT/run/vireo/qemu/rj
restart() { stop_daemon; start_daemon "$ASAN_VIREOD"; }

# ---- a copy, ready when the daemon restarts; then --pivot ----
copy=$ROOT/rj-copy.qcow2
expect_eq "blockcopy without --wait starts the job" "$($V blockcopy rj vda "$copy")" "Block Copy started"
ready() { [ "$($V blockjob rj vda --info)" = "$1: [100 %]" ]; }
wait_for 60 "the copy reaches its ready phase" ready "Block Copy"
[ -s "$run/blockjob-vda.json" ] || fail "no record of the job in $run"
ok "the job has its record in the run directory"
restart
expect_eq "after the restart blockjob --info shows the copy" "$($V blockjob rj vda --info)" "Block Copy: [100 %]"
expect_match "... and so does Debian's virsh over libvirt-sock" "$($LV blockjob rj vda --info 2>&1)" "Block Copy: \[100 %\]"
expect_fail "a second job on the disk is refused: the re-adopted one holds it" "has a block job already" \
    $V blockcopy rj vda "$ROOT/other.qcow2"
out=$($V blockjob rj vda --pivot 2>&1) || fail "blockjob --pivot of the re-adopted copy: $out"
expect_match "blockjob --pivot of the re-adopted copy: the disk runs on the copy" "$($V domblklist rj)" \
    "^ vda +$copy$"
expect_match "... in the persistent definition too" "$($V dumpxml rj --inactive)" "file=[\"']$copy[\"']"
expect_match "... no job left" "$($V blockjob rj vda --info)" "No current block job for vda"
[ ! -e "$run/blockjob-vda.json" ] || fail "the record outlived the job"
ok "... and its record is gone"
expect_match "QEMU dropped the old image's nodes" "$($V qemu-monitor-command rj --hmp 'info block')" "$copy"

# ---- an active commit across a restart; then --abort, then again with --pivot ----
$V snapshot-create-as rj s1 --disk-only >/dev/null
ov=$ROOT/rj-copy.s1
expect_match "a disk-only snapshot put an overlay on the copy" "$($V domblklist rj)" "^ vda +$ov$"
expect_eq "blockcommit --active without --wait" "$($V blockcommit rj vda --active)" "Block Commit started"
wait_for 60 "the commit reaches its ready phase" ready "Block Commit"
restart
expect_eq "after the restart blockjob --info shows the commit" "$($V blockjob rj vda --info)" "Block Commit: [100 %]"
$V blockjob rj vda --abort >/dev/null || fail "blockjob --abort of the re-adopted commit failed"
expect_match "blockjob --abort of the re-adopted commit: the disk stays on the overlay" "$($V domblklist rj)" \
    "^ vda +$ov$"
expect_match "... no job left" "$($V blockjob rj vda --info)" "No current block job for vda"
$V blockcommit rj vda --active >/dev/null
wait_for 60 "a new commit reaches its ready phase" ready "Block Commit"
restart
$LV blockjob rj vda --pivot >/dev/null || fail "virsh blockjob --pivot of the re-adopted commit failed"
expect_match "virsh blockjob --pivot of the re-adopted commit: the disk runs on the copy again" \
    "$($V domblklist rj)" "^ vda +$copy$"
expect_match "... in the persistent definition too" "$($V dumpxml rj --inactive)" "file=[\"']$copy[\"']"

$V destroy rj >/dev/null
no_sanitizer_report
echo "$CHECKS checks passed"
