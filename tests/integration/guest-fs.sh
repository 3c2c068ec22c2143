#!/bin/bash
# The guest's filesystems through its agent (issue 18): domfsinfo,
# domfsfreeze, domfsthaw and domfstrim, vireo's (HTTP routes through the
# core) and Debian's virsh on libvirt-sock (virDomainGetFSInfo 349,
# FSFreeze 335, FSThaw 336, FSTrim 294) and python3-libvirt, on a tiny
# guest with qemu-ga and an ext4 disk it mounts at /data. A freeze holds
# a write in the guest until the thaw (guest-fsfreeze-status: frozen);
# domfsinfo names the disk by the domain's target (vdc), not the guest's
# name for it (vda), in virsh's table byte for byte; a trim gives the
# blocks of a removed file back to the image (discard='unmap'). Bad
# input and a guest without an agent get one-line errors, and nothing is
# left frozen.
source "$(dirname "$0")/lib.sh"
open_test --asan --virsh
URI="qemu:///system?socket=$ROOT/libvirt-sock" # verr's
virsh_full() { command virsh -c "$URI" "$@"; }
# in_guest NAME SH WHAT: SH must succeed on the guest's console, else fail with WHAT.
in_guest() {
    local out
    out=$(guest_until "$1" "$2 && echo DONE-\$((40+2))" DONE-42)
    grep -q DONE-42 <<<"$out" || fail "$3: $out"
}
status() { $V qemu-agent-command fs '{"execute":"guest-fsfreeze-status"}'; }

truncate -s 64M "$W/fs.raw"
mkfs.ext4 -q -F "$W/fs.raw"
boot_tiny fs "<disk type='file' device='disk'><driver name='qemu' type='raw' discard='unmap'/><source file='$W/fs.raw'/><target dev='vdc' bus='virtio'/></disk><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
in_guest fs 'mkdir -p /data && mount -t ext4 /dev/vda /data' "the guest cannot mount its disk"
wait_for 60 "the guest agent answers" sh -c "$V qemu-agent-command fs '{\"execute\":\"guest-ping\"}' >/dev/null"

# ---- domfsinfo ----
out=$($V domfsinfo fs)
expect_match "domfsinfo: /data on the guest's vda, the domain's vdc" "$out" '^ /data +vda +ext4 +vdc$'
expect_eq "domfsinfo: virsh's table byte for byte" "$out" "$(virsh_full domfsinfo fs)"
expect_eq "domfsinfo --json: the filesystem and its targets" \
    "$($V domfsinfo fs --json | jq -c '.[] | select(.mountpoint == "/data")')" \
    '{"mountpoint":"/data","name":"vda","type":"ext4","targets":["vdc"]}'
verr "virsh -r domfsinfo: refused read-only, as libvirt refuses it" "read only|read-only" -r domfsinfo fs

# ---- domfsfreeze / domfsthaw: a write waits for the thaw ----
expect_eq "domfsfreeze: virsh's line" "$($V domfsfreeze fs)" "Froze 1 filesystem(s)"
expect_eq "the agent says frozen" "$(status)" '{"return":"frozen"}'
in_guest fs 'rm -f /tmp/wrote; (echo late > /data/late && touch /tmp/wrote) & sleep 2; [ ! -e /tmp/wrote ]' \
    "a write to the frozen /data went through"
ok "a write to the frozen filesystem waits"
expect_eq "domfsthaw: virsh's line" "$($V domfsthaw fs)" "Thawed 1 filesystem(s)"
expect_eq "the agent says thawed" "$(status)" '{"return":"thawed"}'
in_guest fs 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /tmp/wrote ] && break; sleep 0.5; done; [ "$(cat /data/late)" = late ]' \
    "the write held by the freeze did not complete after the thaw"
ok "the held write completes after the thaw"
expect_eq "domfsfreeze --mountpoint /data" "$($V domfsfreeze fs --mountpoint /data)" "Froze 1 filesystem(s)"
expect_eq "... frozen" "$(status)" '{"return":"frozen"}'
expect_eq "domfsthaw after it" "$($V domfsthaw fs)" "Thawed 1 filesystem(s)"

# ---- bad input: one line each, nothing frozen ----
expect_fail "domfsfreeze of a mountpoint the guest has not" \
    "^vireo: error: '/nope' is not a filesystem mounted in the guest \(the guest agent lists: .*/data.*\); nothing was frozen$" \
    $V domfsfreeze fs --mountpoint /data --mountpoint /nope
expect_eq "... nothing was frozen" "$(status)" '{"return":"thawed"}'
expect_fail "domfsfreeze of a relative mountpoint" "mountpoint 'data' is not an absolute path" $V domfsfreeze fs data
expect_fail "domfsthaw --mountpoint: the agent thaws all at once" "leave the mountpoints out" \
    $V domfsthaw fs --mountpoint /data
expect_fail "domfstrim --mountpoint: the agent trims all" "leave the mountpoint out" $V domfstrim fs --mountpoint /data
# A usage error: its line, then the usage (exit 2), as every command's.
out=$($V domfstrim fs --minimum lots 2>&1; echo "rc=$?")
expect_eq "domfstrim --minimum that is not a number: a usage error" "$(head -1 <<<"$out") $(tail -1 <<<"$out")" \
    "vireo domfstrim: --minimum takes a number of bytes, not 'lots' rc=2"
expect_fail "domfsinfo of an unknown domain" "nope" $V domfsinfo nope

# ---- domfstrim: a removed file's blocks go back to the image ----
in_guest fs 'dd if=/dev/urandom of=/data/big bs=1024k count=24 2>/dev/null && sync' "the guest cannot write 24 MiB"
before=$(du -k "$W/fs.raw" | cut -f1)
in_guest fs 'rm /data/big && sync' "the guest cannot remove the file"
expect_eq "domfstrim: silent, as virsh" "$($V domfstrim fs --minimum 4096 2>&1; echo rc=$?)" "rc=0"
after=$(du -k "$W/fs.raw" | cut -f1)
[ "$after" -lt $((before - 16384)) ] || fail "domfstrim: the image holds ${after} KiB, ${before} KiB before"
ok "domfstrim gave the removed file's blocks back to the image (${before} KiB -> ${after} KiB)"

# ---- Debian's virsh on libvirt-sock ----
expect_eq "virsh domfsfreeze" "$(virsh_full domfsfreeze fs)" "Froze 1 filesystem(s)"
expect_eq "... frozen" "$(status)" '{"return":"frozen"}'
verr "virsh domfsthaw --mountpoint: refused" "leave the mountpoints out" domfsthaw fs --mountpoint /data
expect_eq "virsh domfsthaw" "$(virsh_full domfsthaw fs)" "Thawed 1 filesystem(s)"
expect_eq "virsh domfsfreeze --mountpoint /data" "$(virsh_full domfsfreeze fs --mountpoint /data)" "Froze 1 filesystem(s)"
expect_eq "virsh domfsthaw after it" "$(virsh_full domfsthaw fs)" "Thawed 1 filesystem(s)"
verr "virsh domfsfreeze of a mountpoint the guest has not" "'/nope' is not a filesystem mounted in the guest" \
    domfsfreeze fs /nope
expect_eq "... nothing was frozen" "$(status)" '{"return":"thawed"}'
expect_eq "virsh domfstrim --minimum" "$($LV domfstrim fs --minimum 65536 2>&1; echo rc=$?)" "rc=0"
verr "virsh domfstrim --mountpoint: refused" "leave the mountpoint out" domfstrim fs --mountpoint /data
# python3-libvirt: the same four calls, answers typed as libvirt's.
expect_eq "python3-libvirt fsInfo, fsFreeze, fsThaw, fSTrim" "$(/usr/bin/python3 -c '
import sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("fs")
print([f for f in d.fsInfo() if f[0] == "/data"], d.fsFreeze(["/data"]), d.fsThaw(), d.fSTrim(None, 0))' "$URI")" \
    "[('/data', 'vda', 'ext4', ['vdc'])] 1 1 0"

# ---- a restarted daemon knows the agent is there ----
# It saw none of the run's port events, so it asks QEMU which ports the
# guest holds open (query-chardev): the web page shows the guest's
# filesystems only while agent_connected says so.
expect_eq "the agent is connected (dominfo --json)" "$($V dominfo fs --json | jq -r .agent_connected)" true
stop_daemon
start_daemon "$ASAN_VIREOD"
agent_seen() { [ "$($V dominfo fs --json | jq -r .agent_connected)" = true ]; }
wait_for 10 "  and still after a daemon restart (its answer to query-chardev)" agent_seen
expect_match "  the agent answers the restarted daemon" "$($V domfsinfo fs)" "/data"

# ---- a guest without an agent ----
boot_tiny plain ""
expect_fail "domfsfreeze without an agent channel" "domain 'plain' has no guest agent channel" $V domfsfreeze plain
expect_fail "domfsinfo without an agent channel" "domain 'plain' has no guest agent channel" $V domfsinfo plain
verr "virsh domfsinfo without an agent channel" "has no guest agent channel" domfsinfo plain
$V destroy plain >/dev/null
expect_fail "domfsthaw of a shut-off domain" "not running" $V domfsthaw plain
$V destroy fs >/dev/null
no_sanitizer_report
echo "guest-fs: $CHECKS checks passed"
