#!/usr/bin/env bash
# libvirt's clients over libvirt's protocol (issues 20 and 21):
# checkpoints and push backups, and virConnectGetSysinfo. Debian's virsh
# on libvirt-sock against a running tiny guest with a qcow2 data disk:
# checkpoint-create-as, -list, -dumpxml, -parent, checkpoint-create
# --redefine (checked against the running disk's bitmaps), a full backup-begin to a
# file (qemu-img reads the disk's size in it), an incremental one since a
# checkpoint after 1 MiB written (much smaller), a pull backup through
# python3-libvirt (jobStats: libvirt's backup operation and the scratch
# file's use, growing with what the guest rewrites), checkpoint-delete, and
# python3-libvirt's listAllCheckpoints; flags not done are refused with
# libvirt's error. virsh sysinfo answers the document vireo sysinfo reads
# over HTTP, built from this host's /sys/class/dmi/id (absent on some
# clouds and in containers: then only the processors of /proc/cpuinfo).
# The daemon is the ASan build.
. "$(dirname "$0")/lib.sh"
virsh_daemon # the ASan build; URI is its libvirt-sock, virsh() quiet virsh on it
W=$ROOT/w
mkdir -p "$W"

# ---- checkpoints and backups (procedures 411-417, 421, 422) ----
# A 64 MiB data disk with 32 MiB of data, so that a full copy has weight.
head -c 32M /dev/urandom >"$W/data.raw"
truncate -s 64M "$W/data.raw"
qemu-img convert -O qcow2 "$W/data.raw" "$W/data.qcow2"
rm "$W/data.raw"
tiny_xml bk qemu "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$W/data.qcow2'/><target dev='vda' bus='virtio'/></disk>" >"$W/bk.xml"
virsh define "$W/bk.xml" >/dev/null
virsh start bk >/dev/null
wait_for 60 "the guest boots" file_has "$ROOT/var/log/vireo/qemu/bk-serial0.log" VIREO-GUEST-READY
expect_match "checkpoint-create-as" "$(command virsh -c "$URI" checkpoint-create-as bk c1 --description first)" "checkpoint c1 created"
expect_match "checkpoint-list shows it" "$(virsh checkpoint-list bk)" "^ *c1 +[0-9]{4}-"
expect_match "checkpoint-dumpxml: its name and the disk's bitmap" "$(virsh checkpoint-dumpxml bk c1 | tr -d '\n')" \
    "<name>c1</name>.*<description>first</description>.*<disk name=.vda. checkpoint=.bitmap."
virsh checkpoint-create-as bk c2 >/dev/null
expect_eq "checkpoint-parent: c2's is c1" "$(virsh checkpoint-parent bk c2)" "c1"
expect_eq "checkpoint-list --roots" "$(virsh checkpoint-list bk --roots --name)" "c1"
expect_eq "checkpoint-list --leaves" "$(virsh checkpoint-list bk --leaves --name)" "c2"
verr "checkpoint-parent of the first: none" "checkpoint .c1. has no parent" checkpoint-parent bk c1
verr "checkpoint-dumpxml of an unknown one" "no domain checkpoint with matching name 'nope'" checkpoint-dumpxml bk nope
verr "checkpoint-create-as --quiesce without a guest agent channel" "has no guest agent channel" \
    checkpoint-create-as bk c3 --quiesce
command virsh -q -c "$URI" checkpoint-dumpxml bk c2 >"$W/c2.xml"
virsh checkpoint-delete bk c2 --metadata >/dev/null
expect_match "checkpoint-create --redefine (REDEFINE): metadata only" \
    "$(command virsh -c "$URI" checkpoint-create bk "$W/c2.xml" --redefine)" "checkpoint c2 (created|redefined)"
expect_eq "the redefined checkpoint keeps its parent" "$(virsh checkpoint-parent bk c2)" "c1"
sed 's/c2/ghost/g' "$W/c2.xml" >"$W/ghost.xml"
verr "REDEFINE of a bitmap the running disk lacks (QEMU's query-block says)" "holds no bitmap 'ghost'" \
    checkpoint-create bk "$W/ghost.xml" --redefine
expect_eq "python3-libvirt listAllCheckpoints" "$(/usr/bin/python3 -c '
import sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("bk")
print(" ".join(c.getName() for c in d.listAllCheckpoints()), d.checkpointLookupByName("c2").getParent().getName(),
      [c.getName() for c in d.checkpointLookupByName("c1").listAllChildren()])' "$URI")" "c1 c2 c1 ['c2']"

backup() { # NAME XML: backup-begin, then wait until domjobinfo shows no job
    expect_match "backup-begin ($1)" "$(command virsh -c "$URI" backup-begin bk "$2")" "Backup started"
    wait_for 120 "the $1 backup completes (domjobinfo: no job)" sh -c \
        "command virsh -q -c '$URI' domjobinfo bk | grep -q 'Job type: *None'"
}
cat >"$W/full.xml" <<XML
<domainbackup mode='push'>
  <disks><disk name='vda' backup='yes' type='file'><target file='$W/full.qcow2'/><driver type='qcow2'/></disk></disks>
</domainbackup>
XML
backup full "$W/full.xml"
vsize() { qemu-img info -U --output=json "$1" | jq -r '."virtual-size"'; }
asize() { qemu-img info -U --output=json "$1" | jq -r '."actual-size"'; }
expect_eq "qemu-img info of the target: the disk's virtual size" "$(vsize "$W/full.qcow2")" "$(vsize "$W/data.qcow2")"
guest_until bk 'dd if=/dev/urandom of=/dev/vda bs=1024k count=1 seek=40 2>/dev/null; sync; echo WROTE-$((40+2))' \
    WROTE-42 >/dev/null
cat >"$W/inc.xml" <<XML
<domainbackup mode='push'><incremental>c2</incremental>
  <disks><disk name='vda' type='file'><target file='$W/inc.qcow2'/><driver type='qcow2'/></disk></disks>
</domainbackup>
XML
backup "incremental since c2" "$W/inc.xml"
full=$(asize "$W/full.qcow2") inc=$(asize "$W/inc.qcow2")
echo "# sizes: full $full bytes, incremental $inc bytes"
[ "$inc" -lt $((full / 4)) ] || fail "the incremental ($inc) is not much smaller than the full ($full)"
ok "the incremental backup ($inc bytes) is much smaller than the full one ($full bytes)"
verr "backup-dumpxml with no backup running" "has no backup running" backup-dumpxml bk
# A pull backup through python3-libvirt: jobStats() has libvirt's backup
# operation and a pull's fields (the scratch file's use, of the disk's size).
cat >"$W/pull.xml" <<XML
<domainbackup mode='pull'><server transport='unix' socket='$W/pull.sock'/>
  <disks><disk name='vda' type='file'><scratch file='$W/vda.scratch'/></disk></disks>
</domainbackup>
XML
out=$(/usr/bin/python3 - "$URI" "$W/pull.xml" <<'PY'
import sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("bk")
d.backupBegin(open(sys.argv[2]).read(), None)
s = d.jobStats()
print(s.get("operation") == libvirt.VIR_DOMAIN_JOB_OPERATION_BACKUP, s.get("disk_temp_total"), "disk_total" in s)
PY
)
expect_eq "python3-libvirt backupBegin (pull), jobStats(): operation backup, disk_temp_total, no disk_total" \
    "$out" "True 67108864 False"
guest_until bk 'dd if=/dev/urandom of=/dev/vda bs=1024k count=1 seek=8 conv=fsync 2>/dev/null; echo WROTE-$((40+2))' \
    WROTE-42 >/dev/null
temp_used() { /usr/bin/python3 -c 'import sys, libvirt
u = libvirt.open(sys.argv[1]).lookupByName("bk").jobStats().get("disk_temp_used", 0)
print(u); sys.exit(0 if u >= 1048576 else 1)' "$URI"; }
wait_for 10 "jobStats(): disk_temp_used counts the 1 MiB the guest rewrote ($(temp_used || true) bytes)" temp_used
virsh domjobabort bk >/dev/null
wait_for 60 "domjobabort ends the pull" sh -c "command virsh -q -c '$URI' domjobinfo bk | grep -q 'Job type: *None'"
[ ! -e "$W/vda.scratch" ] || fail "the pull's scratch file outlived it"
ok "... and removes its scratch file"
virsh checkpoint-delete bk c2 >/dev/null
expect_eq "checkpoint-delete: c1 is left" "$(virsh checkpoint-list bk --name)" "c1"
virsh destroy bk >/dev/null

# ---- virsh sysinfo (virConnectGetSysinfo, 203) ----
rpc=$(virsh sysinfo)
http=$("$VIREO" sysinfo)
expect_match "virsh sysinfo: libvirt's smbios document" "$rpc" "^<sysinfo type=[\"']smbios[\"']>"
expect_eq "virsh sysinfo over libvirt-sock equals vireo sysinfo" "$rpc" "$http"
if [ -s /sys/class/dmi/id/sys_vendor ]; then
    vendor=$(sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' /sys/class/dmi/id/sys_vendor)
    expect_match "... it names this host's manufacturer ($vendor)" "$rpc" \
        "<system>[^§]*<entry name=\"manufacturer\">$(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$vendor")</entry>"
else
    grep -q "<bios>" <<<"$rpc" && fail "sysinfo: a <bios> on a host without /sys/class/dmi/id"
    ok "... this host has no /sys/class/dmi/id: no bios, system or chassis section"
fi
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
expect_match "... its processor is /proc/cpuinfo's ($model)" "$rpc" \
    "<entry name=\"version\">$(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$model")</entry>"
sockets=$(grep '^physical id' /proc/cpuinfo | sort -u | wc -l)
[ "$sockets" -gt 0 ] || sockets=1
expect_eq "... one processor per socket" "$(grep -c '<processor>' <<<"$rpc")" "$sockets"
out=$(/usr/bin/python3 - "$URI" <<'PY'
import sys, libvirt
c = libvirt.open(sys.argv[1])
print(c.getSysinfo(0), end="")
try:
    c.getSysinfo(1)
    print("FLAG-ACCEPTED")
except libvirt.libvirtError as e:
    print("ERR:", e.get_error_code(), e)
PY
)
expect_eq "python3-libvirt getSysinfo() is the same document" "$(sed '/^ERR:/d' <<<"$out")" "$rpc"
expect_match "... an unknown flag is refused with libvirt's unsupported-flags error" "$out" \
    "^ERR: 8 .*unsupported flags \(0x1\) in function virConnectGetSysinfo"
expect_eq "GET /v1/host/sysinfo on the read-only socket" \
    "$(curl -sf --unix-socket "$ROOT/vireod-ro.sock" http://x/v1/host/sysinfo)" "$rpc"

no_sanitizer_report
echo "$CHECKS checks passed"
