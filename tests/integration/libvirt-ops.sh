#!/usr/bin/env bash
# libvirt's clients drive issue 18's operations over libvirt's protocol
# (issue 21, third slice): Debian's virsh on libvirt-sock against a
# running tiny guest with its guest agent. Each answer is checked in the
# guest or against what vireod's own CLI reads: qemu-agent-command and
# domtime/domhostname through the agent, qemu-monitor-command (the QEMU
# program), a screenshot streamed as a PNG, send-key reaching the guest's
# keyboard, domblkstat counting a write, dommemstat, vcpupin shown by
# vcpuinfo, save/restore and managedsave keeping a value in the guest's
# tmpfs, blockpull and blockcommit --active --pivot on a disk-only
# snapshot chain, desc and metadata, domrename. Bad input gets libvirt's
# one-line errors. The daemon is the ASan build; the guest's NIC is
# user-mode, so no network objects are made.
. "$(dirname "$0")/lib.sh"
virsh_daemon # the ASan build; URI is its libvirt-sock, virsh() quiet virsh on it
serial() { echo "$ROOT/var/log/vireo/qemu/$1-serial0.log"; }

# The tiny guest with its agent's channel, a VGA card and a qcow2 disk.
"$VIREO" vol-create-as default ops.qcow2 32M --format qcow2 >/dev/null
base=$("$VIREO" vol-path --pool default ops.qcow2)
# A read-only vfat disk the guest mounts, for domfsinfo.
truncate -s 8M "$ROOT/fs.img"
mkfs.vfat -n OPSFS "$ROOT/fs.img" >/dev/null
devs="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$base'/><target dev='vda' bus='virtio'/></disk>
 <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$ROOT/fs.img'/><target dev='vdc' bus='virtio'/><readonly/></disk>
 <interface type='user'><model type='virtio'/></interface> <video><model type='vga'/></video>
 <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
tiny_xml ops qemu "$devs" >"$ROOT/ops.xml"
virsh define "$ROOT/ops.xml" >/dev/null
virsh start ops >/dev/null
wait_for 60 "the guest boots" file_has "$(serial ops)" VIREO-GUEST-READY

# ---- the guest agent, through the QEMU program and the remote one ----
out=""
for _ in $(seq 1 60); do
    out=$(virsh qemu-agent-command ops '{"execute":"guest-ping"}' 2>&1) && break
    sleep 0.5
done
expect_eq "qemu-agent-command guest-ping (QEMU program, procedure 3)" "$out" '{"return":{}}'
expect_match "qemu-agent-command guest-info: the agent's version" \
    "$(virsh qemu-agent-command ops '{"execute":"guest-info"}')" '^\{"return":\{"version":"7\.2'
t=$(virsh domtime ops | sed -n 's/^Time: *//p')
now=$(date +%s)
[ -n "$t" ] && [ "$t" -gt $((now - 86400)) ] && [ "$t" -lt $((now + 86400)) ] ||
    fail "domtime: '$t' is not today's time ($now)"
ok "domtime reads the guest's clock ($t)"
virsh domtime ops --time 1700000000 >/dev/null
t=$(virsh domtime ops | sed -n 's/^Time: *//p')
[ "$t" -ge 1700000000 ] && [ "$t" -lt 1700000600 ] || fail "domtime --time: the guest reads $t"
ok "domtime --time sets the guest's clock ($t)"
virsh domtime ops --now >/dev/null
ok "domtime --now"
gh=$(guest_until ops 'echo HOST=$(hostname)' 'HOST=[a-z]')
expect_eq "domhostname: the agent's name is the guest's" "$(virsh domhostname ops)" \
    "$(grep -Eo 'HOST=[a-z][^ ]*' <<<"$gh" | head -1 | cut -d= -f2)"
expect_match "domifaddr --source agent: eth0 and its address from the guest" \
    "$(virsh domifaddr ops --source agent)" 'eth0 +52:54:00:[0-9a-f:]+ +ipv4 +10\.0\.2\.15/24'
# The guest names its second virtio disk vdb; libvirt's answer names the
# domain's target, vdc (by the device's PCI address).
guest_until ops 'modprobe vfat; mkdir -p /mnt/d; mount -o ro /dev/vdb /mnt/d && echo mounted-ok' '^mounted-ok' >/dev/null
fs=$(virsh domfsinfo ops)
expect_match "domfsinfo: the filesystem the guest mounted (its vdb, the domain's vdc)" "$fs" '^ */mnt/d +vdb +vfat +vdc$'
expect_eq "... the same mountpoints, names and types vireo domfsinfo lists" \
    "$(virsh domfsinfo ops | awk '{print $1, $2, $3}' | sort)" "$("$VIREO" domfsinfo ops | tail -n +3 | awk '{print $1, $2, $3}' | sort)"
# guestinfo (virDomainGetGuestInfo): the agent's answers as libvirt's
# typed parameters, each checked against the guest itself.
gi=$(virsh guestinfo ops)
expect_match "guestinfo: hostname, the agent's" "$gi" "^hostname +: $(virsh domhostname ops)$"
krel=$(guest_until ops 'echo KREL=$(uname -r)' 'KREL=[0-9]' | grep -Eo 'KREL=[0-9][^ ]*' | head -1 | cut -d= -f2)
expect_match "guestinfo: os.kernel-release, the guest's uname -r ($krel)" "$gi" "^os\.kernel-release +: ${krel//./\\.}$"
expect_match "guestinfo: the filesystem the guest mounted" "$gi" '^fs\.[0-9]+\.mountpoint +: /mnt/d$'
expect_match "... its disk named by the domain's target (vdc)" "$gi" '^fs\.[0-9]+\.disk\.0\.alias +: vdc$'
expect_match "guestinfo: the guest's disks (guest-get-disks)" "$gi" '^disk\.[0-9]+\.name +: /dev/vd[ab]$'
expect_match "guestinfo: eth0's address" "$gi" '^if\.[0-9]+\.addr\.0\.addr +: 10\.0\.2\.15$'
expect_match "guestinfo --hostname: that kind only" "$(virsh guestinfo ops --hostname | cut -d' ' -f1 | sort -u | tr '\n' ' ')" '^hostname $'
# vireo guestinfo: the daemon's one call (GET .../guestinfo), the same
# keys, types and lines as virsh's (used-bytes may move between calls).
nobytes() { grep -v '\.used-bytes ' <<<"$1"; }
vgi=$("$VIREO" guestinfo ops)
expect_eq "vireo guestinfo: virsh guestinfo's lines, one for one ($(wc -l <<<"$vgi") lines)" \
    "$(nobytes "$vgi")" "$(nobytes "$(virsh guestinfo ops)")"
expect_eq "vireo guestinfo --hostname: virsh's line" "$("$VIREO" guestinfo ops --hostname)" "$(virsh guestinfo ops --hostname)"
expect_eq "vireo guestinfo --os --interface: virsh's lines" "$("$VIREO" guestinfo ops --os --interface)" \
    "$(virsh guestinfo ops --os --interface)"
gj=$("$VIREO" guestinfo ops --json)
expect_eq "vireo guestinfo --json: typed values (count a number, partition a bool, hostname a string)" \
    "$(jq -r '[(."if.count"|type), (."disk.0.partition"|type), (.hostname|type)] | join(" ")' <<<"$gj")" \
    "number boolean string"
expect_eq "... the same keys as the text" "$(jq -r 'keys_unsorted[]' <<<"$gj")" "$(sed -E 's/ *: .*//' <<<"$vgi")"
expect_fail "vireo guestinfo of an unknown domain: one line" "nosuch" "$VIREO" guestinfo nosuch
py=$(/usr/bin/python3 - "$URI" <<'PY'
import sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("ops")
info = d.guestInfo()
print("fs.count", info["fs.count"], "if.count", info["if.count"], "tz", "timezone.offset" in info)
print("os-only", sorted({k.split(".")[0] for k in d.guestInfo(libvirt.VIR_DOMAIN_GUEST_INFO_OS)}))
try:
    d.guestInfo(1 << 20)
except libvirt.libvirtError as e:
    print("error", e.get_error_code(), e)
PY
)
expect_match "python3-libvirt guestInfo(): counts and the time zone" "$py" '^fs\.count [1-9][0-9]* if\.count [1-9][0-9]* tz True$'
expect_match "python3-libvirt guestInfo(OS): only os.*" "$py" "^os-only \['os'\]$"
expect_match "python3-libvirt guestInfo(unknown type): libvirt's invalid-argument error" "$py" \
    '^error 8 invalid argument: guest info types 0x100000 are not known'
verr "qemu-agent-command with text that is no command" "not \{\"execute\"" qemu-agent-command ops 'hello'

# ---- one read-only rule (core/access.h), libvirt's: asking the guest's
# agent is read-write only, on libvirt-sock-ro and on vireod-ro.sock alike.
# virsh connects without -r, so the refusal is the daemon's, not the
# client library's own check.
RO_URI="qemu:///system?socket=$ROOT/libvirt-sock-ro"
for call in "guestinfo ops --hostname:virDomainGetGuestInfo" "domhostname ops:virDomainGetHostname" \
    "domtime ops:virDomainGetTime" "domfsinfo ops:virDomainGetFSInfo" \
    "domifaddr ops --source agent:virDomainInterfaceAddresses"; do
    out=$(command virsh -q -c "$RO_URI" ${call%%:*} 2>&1) && fail "libvirt-sock-ro answered ${call%%:*}: $out"
    expect_match "libvirt-sock-ro refuses ${call%%:*}" "$out" "read only access prevents ${call##*:}"
done
expect_match "... but reads what the daemon knows: dominfo" "$(command virsh -q -c "$RO_URI" dominfo ops)" "State: +running"
expect_fail "vireod-ro.sock refuses guestinfo, in one line" \
    "read-only connection cannot read the guest's own data through GET /v1/domains/ops/guestinfo" \
    "$VIREO" -r guestinfo ops
expect_fail "vireod-ro.sock refuses domhostname" "cannot read the guest's own data" "$VIREO" -r domhostname ops
expect_match "... and the read-write socket answers guestinfo" "$("$VIREO" guestinfo ops --hostname)" "hostname"
expect_match "vireo -r dominfo still reads" "$("$VIREO" -r dominfo ops)" "State: +running"

# ---- qemu-monitor-command (QEMU program, procedure 1) ----
expect_match "qemu-monitor-command: QMP's answer" "$(virsh qemu-monitor-command ops '{"execute":"query-status"}')" \
    '"status":"running"'
expect_match "qemu-monitor-command --hmp" "$(virsh qemu-monitor-command ops --hmp info status)" 'VM status: running'
verr "qemu-monitor-command on the read-only socket" "read only access prevents virDomainQemuMonitorCommand" \
    -r qemu-monitor-command ops '{"execute":"query-status"}'

# ---- screenshot: a stream of QEMU's PNG ----
out=$(command virsh -c "$URI" screenshot ops "$ROOT/shot.png")
expect_match "screenshot says where and what" "$out" "Screenshot saved to $ROOT/shot.png, with type of image/png"
expect_eq "... a PNG" "$(head -c 8 "$ROOT/shot.png" | od -An -tx1 | tr -d ' \n')" "89504e470d0a1a0a"
w=$(od -An -tu1 -j16 -N8 "$ROOT/shot.png" | awk '{print $3*256+$4 "x" $7*256+$8}')
expect_match "... of the VGA screen's size ($w)" "$w" '^(6[0-9][0-9]|7[0-9][0-9]|[0-9]{4})x[0-9]{3,4}$'
verr "screenshot of a screen the guest lacks" "has no screen 3" screenshot ops "$ROOT/s3.png" --screen 3

# ---- send-key: the AT keyboard's events, read in the guest ----
ev=$(guest_until ops 'for d in /sys/class/input/event*; do grep -q "AT Translated" $d/device/name 2>/dev/null && echo KBD=${d##*/}; done' 'KBD=event[0-9]+')
kbd=$(grep -Eo 'KBD=event[0-9]+' <<<"$ev" | head -1 | cut -d= -f2)
guest ops "cat /dev/input/$kbd > /tmp/keys & echo started" >/dev/null
sleep 0.5
virsh send-key ops KEY_A --holdtime 50 >/dev/null
hx='hexdump -v -e "8/1 \"%02x \" \"\n\"" /tmp/keys'
out=$(guest_until ops "echo KEYS \$($hx | grep -c '^01 00 1e 00 01 00 00 00')" 'KEYS [1-9]')
expect_match "send-key KEY_A reaches the guest as Linux key 30" "$out" 'KEYS [1-9]'
virsh send-key ops --codeset usb 5 >/dev/null     # B as a USB HID usage (virDomainSendKey codeset 7)
virsh send-key ops --codeset win32 VK_C >/dev/null  # C: virsh sends VK_C's number, codeset 8
out=$(guest_until ops "echo KEYS \$(for k in 30 2e; do $hx | grep -c \"^01 00 \$k 00 01 00 00 00\"; done)" 'KEYS [1-9][0-9]* [1-9]')
expect_match "send-key --codeset usb 5 and --codeset win32 VK_C reach the guest as KEY_B and KEY_C" "$out" 'KEYS [1-9][0-9]* [1-9]'
verr "send-key of a code the codeset lacks" "key '12288' is not a key of codeset usb" send-key ops --codeset usb 0x3000

# ---- counters: domblkstat, dommemstat ----
wr() { virsh domblkstat ops vda | awk '$2 == "wr_bytes" {print $3}'; }
w0=$(wr)
guest ops 'dd if=/dev/urandom of=/dev/vda bs=64k count=16 conv=fsync 2>/dev/null; echo WROTE' >/dev/null
w1=$(wr)
[ -n "$w0" ] && [ -n "$w1" ] && [ "$w1" -ge $((w0 + 1048576)) ] || fail "domblkstat: wr_bytes $w0 -> $w1 after 1 MiB"
ok "domblkstat vda: wr_bytes grows by the guest's write ($w0 -> $w1)"
expect_match "domblkstat --human" "$(virsh domblkstat ops vda --human)" 'number of write operations: +[1-9]'
verr "domblkstat of a disk the domain lacks" "invalid path vdz" domblkstat ops vdz
# domblkinfo (virDomainGetBlockInfo): the sizes vireo's own domblkinfo shows.
cap=$("$VIREO" domblkinfo ops vda --json | jq -r .capacity)
expect_match "domblkinfo vda over libvirt-sock: the capacity vireo shows ($cap)" "$(virsh domblkinfo ops vda)" "^Capacity: +$cap$"
expect_match "domblkinfo --human" "$(virsh domblkinfo ops vda --human)" '^Physical: +[0-9.]+ [KMG]iB$'
verr "domblkinfo of a disk the domain lacks" "invalid path vdz" domblkinfo ops vdz
expect_match "dommemstat: the balloon's size" "$(virsh dommemstat ops)" '^actual 262144$'
expect_match "dommemstat: QEMU's resident set" "$(virsh dommemstat ops)" '^rss [1-9][0-9]+$'
verr "domifstat of an interface the domain lacks" "not a known interface" domifstat ops vnet99

# ---- vCPU threads ----
expect_match "vcpuinfo: the vCPU runs" "$(virsh vcpuinfo ops)" 'State: +running'
virsh vcpupin ops 0 0 --live >/dev/null
expect_match "vcpupin 0 0 shows in vcpuinfo's affinity" "$(virsh vcpuinfo ops)" 'CPU Affinity: +y-*$'
expect_match "... and in vcpupin's table" "$(virsh vcpupin ops)" '^ *0 +0$'
virsh emulatorpin ops 0 --live >/dev/null
expect_match "emulatorpin 0 shows in emulatorpin's answer" "$(virsh emulatorpin ops)" '^ *(\*: +)?0$'
verr "vcpupin --config" "not supported yet" vcpupin ops 0 0 --config

# ---- save and restore: what the guest holds in RAM comes back ----
guest ops 'echo saved-$((6*7)) > /tmp/mark; echo MARKED' >/dev/null
command virsh -c "$URI" save ops "$ROOT/ops.save" >/dev/null
expect_eq "save: the domain is shut off" "$(virsh domstate ops)" "shut off"
[ -s "$ROOT/ops.save" ] || fail "save wrote no file"
ok "save wrote $ROOT/ops.save"
verr "restore of a relative path the client cannot absolutize away" "No such file|not an absolute|cannot" \
    restore "$ROOT/nope.save"
command virsh -c "$URI" restore "$ROOT/ops.save" >/dev/null
expect_eq "restore: running again" "$(virsh domstate ops)" "running"
expect_match "restore: the guest's tmpfs kept its value" "$(guest_until ops 'cat /tmp/mark' 'saved-42')" 'saved-42'
expect_match "domjobinfo: no job now" "$(virsh domjobinfo ops)" 'Job type: +None'

virsh managedsave ops >/dev/null
expect_eq "managedsave: shut off" "$(virsh domstate ops)" "shut off"
expect_match "dominfo: Managed save: yes" "$(virsh dominfo ops)" 'Managed save: +yes'
expect_match "list --managed-save: saved" "$(virsh list --all --managed-save)" 'ops +saved'
virsh start ops >/dev/null
expect_match "start after managedsave: the value is still there" "$(guest_until ops 'cat /tmp/mark' 'saved-42')" 'saved-42'
expect_match "... and the image is gone" "$(virsh dominfo ops)" 'Managed save: +no'

# ---- block jobs on a disk-only snapshot chain ----
"$VIREO" snapshot-create-as ops s1 --disk-only >/dev/null
expect_match "the disk is on its overlay" "$(virsh domblklist ops)" 'vda +.*ops\.s1$'
guest ops 'echo pulled | dd of=/dev/vda bs=512 seek=100 conv=fsync 2>/dev/null; echo DONE' >/dev/null
command virsh -c "$URI" blockpull ops vda --wait >/dev/null
ok "blockpull --wait: the chain pulled into the overlay"
expect_match "blockjob --info: no job left" "$(command virsh -c "$URI" blockjob ops vda --info 2>&1)" 'No current block job'
"$VIREO" snapshot-create-as ops s2 --disk-only >/dev/null
guest ops 'echo committed | dd of=/dev/vda bs=512 seek=200 conv=fsync 2>/dev/null; echo DONE' >/dev/null
command virsh -c "$URI" blockcommit ops vda --active --pivot >/dev/null
ok "blockcommit --active --pivot"
expect_match "... the disk is back on an image below the top" "$(virsh domblklist ops)" 'vda +.*ops\.s1$'
expect_match "... and the guest reads what it wrote on top" \
    "$(guest_until ops 'dd if=/dev/vda bs=512 skip=200 count=1 2>/dev/null | head -c 9; echo' '^committed')" '^committed'
verr "blockcommit without --active" "only the active layer's commit" blockcommit ops vda --wait

# ---- reset, description, metadata ----
pid=$(cat "$ROOT/run/vireo/qemu/ops/qemu.pid")
: >"$(serial ops)"
virsh reset ops >/dev/null
wait_for 60 "reset: the guest boots again" file_has "$(serial ops)" VIREO-GUEST-READY
expect_eq "... in the same QEMU" "$(cat "$ROOT/run/vireo/qemu/ops/qemu.pid")" "$pid"
virsh desc ops --title --live --config "the ops guest" >/dev/null
expect_eq "desc --title" "$(virsh desc ops --title)" "the ops guest"
virsh metadata ops http://example.org/ops --key ops --set '<note>kept</note>' --live --config >/dev/null
expect_match "metadata reads back" "$(virsh metadata ops http://example.org/ops)" '<([a-z]+:)?note[^>]*>kept</([a-z]+:)?note>'
verr "metadata of a namespace never set" "not present" metadata ops http://example.org/none

# A guest without ACPI PCI hot-unplug (its kernel's acpiphp disabled),
# booting meanwhile for the device-removal-failed check below.
tiny_xml noacpi qemu | sed "s|cryptomgr.notests=1|cryptomgr.notests=1 acpiphp.disable=1|" >"$ROOT/noacpi.xml"
virsh define "$ROOT/noacpi.xml" >/dev/null
virsh start noacpi >/dev/null

# ---- events: python3-libvirt and virsh registered, vireo's CLI causes them ----
/usr/bin/python3 "$VIREO_SRC/tests/integration/libvirt-events.py" "$URI" >"$ROOT/py-events" 2>&1 &
PY=$!
command virsh -c "$URI" event --all --loop >"$ROOT/virsh-events" 2>&1 &
VE=$!
command virsh -c "$URI" pool-event --event lifecycle --loop >"$ROOT/virsh-pool-events" 2>&1 &
VP=$!
command virsh -c "$URI" pool-event --event refresh --loop >"$ROOT/virsh-refresh-events" 2>&1 &
VR=$!
command virsh -c "$URI" net-event --event lifecycle --loop >"$ROOT/virsh-net-events" 2>&1 &
VN=$!
# vireo event over the HTTP feed: every event under its own kind; one
# --event by kind; the JSON lines with their type.
"$VIREO" event --loop >"$ROOT/vireo-events" 2>&1 &
OE=$!
"$VIREO" event --loop --json >"$ROOT/vireo-events.json" 2>&1 &
OJ=$!
"$VIREO" event --event tunable --timeout 600 >"$ROOT/vireo-tunable" 2>&1 &
OT=$!
test_cleanup() { kill "$PY" "$VE" "$VP" "$VR" "$VN" "$OE" "$OJ" "$OT" 2>/dev/null || true; }
wait_for 20 "python3-libvirt registered every event kind" grep -q '^registered$' "$ROOT/py-events"
sleep 1 # virsh's registrations (no line says they are done)
: >"$(serial ops)"
"$VIREO" reset ops >/dev/null
wait_for 60 "the guest is up again after the reset" file_has "$(serial ops)" VIREO-GUEST-READY
wait_for 60 "the agent is back after the reset" grep -q '^domain ops agent 1 2$' "$ROOT/py-events"
"$VIREO" vcpupin ops 0 0 --live >/dev/null
"$VIREO" emulatorpin ops 0 --live >/dev/null
# The guest sets its hardware clock an hour ahead: QEMU's RTC_CHANGE,
# libvirt's rtc-change event with the offset in seconds.
ahead=$(date -u -d @$(($(date +%s) + 3600)) '+%Y-%m-%d %H:%M:%S')
guest_until ops "date -u -s '$ahead' >/dev/null && hwclock -w -u && echo rtc-set-ok" '^rtc-set-ok' >/dev/null
# schedinfo: libvirt sends TUNABLE for a live setschedparams (not for
# --config); the values go into the run's cgroup (made now).
out=$(virsh schedinfo ops --live --set cpu_shares=512 --set vcpu_quota=50000 2>&1) || fail "virsh schedinfo --set: $out"
virsh schedinfo ops --config --set vcpu_period=50000 >/dev/null
"$VIREO" desc ops --title "evented title" >/dev/null
"$VIREO" metadata ops http://example.org/ev --key ev --set '<ev/>' >/dev/null
"$VIREO" snapshot-create-as ops s3 --disk-only >/dev/null
# virsh blockpull --wait now waits on the block job events (it registered
# both): it ends only if they come.
timeout 120 virsh -q -c "$URI" blockpull ops vda --wait >/dev/null || fail "virsh blockpull --wait failed or did not end in 120 s"
ok "virsh blockpull --wait ended on the block job event"
# A copy left running reaches its ready phase (an event), then the pivot
# completes it (another).
"$VIREO" blockcopy ops vda "$ROOT/evcopy.qcow2" >/dev/null
wait_for 60 "python: block job 2: vda, copy (2), ready (3)" grep -q '^domain ops block-job-2 vda 2 3$' "$ROOT/py-events"
"$VIREO" blockjob ops vda --pivot >/dev/null
"$VIREO" vol-create-as default hot.qcow2 8M --format qcow2 >/dev/null
"$VIREO" attach-disk ops "$("$VIREO" vol-path --pool default hot.qcow2)" vdb --subdriver qcow2 --live >/dev/null
"$VIREO" detach-disk ops vdb --live >/dev/null
# A guest that does not let a disk go (paused: it cannot answer the
# ACPI unplug): the detach fails after its wait with the
# device-removal-failed event, and the disk stays in the live XML; once
# the guest runs again it lets go (device-removed).
"$VIREO" vol-create-as default hot2.qcow2 8M --format qcow2 >/dev/null
"$VIREO" attach-disk ops "$("$VIREO" vol-path --pool default hot2.qcow2)" vdd --subdriver qcow2 --live >/dev/null
guest_until ops 'ls /sys/block' 'vdc' >/dev/null
"$VIREO" suspend ops >/dev/null
out=$(command virsh -q -c "$URI" detach-disk ops vdd --live 2>&1) && fail "detach of a disk the guest cannot release succeeded: $out"
expect_match "virsh detach-disk of a disk the paused guest cannot release: fails after the wait" "$out" \
    "has not released vdd within 10 s"
expect_match "... vdd stays in the live XML" "$(virsh dumpxml ops)" "<target dev=.vdd."
wait_for 20 "python: device-removal-failed vdd" grep -q '^domain ops device-removal-failed vdd$' "$ROOT/py-events"
"$VIREO" resume ops >/dev/null
no_vdd() { ! virsh dumpxml ops | grep -q "<target dev=.vdd."; }
wait_for 60 "... resumed, the guest lets vdd go and the live XML drops it" no_vdd
wait_for 20 "python: then device-removed vdd" grep -q '^domain ops device-removed vdd$' "$ROOT/py-events"
# virsh detach-device-alias (procedure 392): a disk hot-plugged with a
# user alias into both definitions, detached from the running guest by
# it (the guest lets go: device-removed), then from the persistent
# definition by the same alias; live, also by the id the device events
# name a disk by (its target); an alias nobody has is libvirt's error.
"$VIREO" vol-create-as default hot4.qcow2 8M --format qcow2 >/dev/null
hot4=$("$VIREO" vol-path --pool default hot4.qcow2)
"$VIREO" attach-disk ops "$hot4" vde --subdriver qcow2 --alias ua-hot4 --persistent >/dev/null
expect_eq "virsh detach-device-alias --live by the user alias (libvirt-sock)" \
    "$(command virsh -c "$URI" detach-device-alias ops ua-hot4 --live)" "Device detach request sent successfully"
wait_for 20 "python: device-removed vde" grep -q '^domain ops device-removed vde$' "$ROOT/py-events"
virsh dumpxml ops | grep -q "<target dev=.vde." && fail "vde is still in the live XML after detach-device-alias"
ok "... vde left the live XML"
expect_match "... and stays in the persistent definition with its alias" "$(virsh dumpxml ops --inactive | tr -d '\n ')" \
    "<targetdev=.vde.bus=.virtio./><aliasname=.ua-hot4./>"
expect_eq "virsh detach-device-alias --config" \
    "$(command virsh -c "$URI" detach-device-alias ops ua-hot4 --config)" "Device detach request sent successfully"
virsh dumpxml ops --inactive | grep -q "<target dev=.vde." && fail "vde is still in the persistent definition"
ok "... vde left the persistent definition"
"$VIREO" attach-disk ops "$hot4" vde --subdriver qcow2 --live >/dev/null
expect_eq "virsh detach-device-alias --live by the disk's id as the events name it (vde)" \
    "$(command virsh -c "$URI" detach-device-alias ops vde --live)" "Device detach request sent successfully"
virsh dumpxml ops | grep -q "<target dev=.vde." && fail "vde is still in the live XML"
ok "... vde left the live XML"
# libvirt's automatic aliases in the live XML (qemu_alias.c's names),
# none in the persistent one; Debian's virsh detaches by them.
"$VIREO" attach-disk ops "$hot4" vde --subdriver qcow2 --live >/dev/null
live=$(virsh dumpxml ops | tr -d '\n ')
expect_match "virsh dumpxml: the hot-plugged vde is virtio-disk4, as libvirt names it" "$live" \
    "<targetdev=.vde.bus=.virtio./><aliasname=.virtio-disk4./><address"
expect_match "... the first NIC net0, the serial port and its console serial0, the balloon balloon0" "$live" \
    "<aliasname=.net0./>.*<aliasname=.serial0./></serial>.*<aliasname=.serial0./></console>.*<aliasname=.balloon0./>"
virsh dumpxml ops --inactive | grep -q "virtio-disk\|balloon0" && fail "an automatic alias in the persistent definition"
ok "... and none in the persistent definition (dumpxml --inactive)"
expect_eq "virsh detach-device-alias --live by libvirt's automatic alias (virtio-disk4)" \
    "$(command virsh -c "$URI" detach-device-alias ops virtio-disk4 --live)" "Device detach request sent successfully"
gone_vde() { ! virsh dumpxml ops | grep -q "<target dev=.vde."; }
wait_for 30 "... vde left the live XML" gone_vde
out=$(command virsh -q -c "$URI" detach-device-alias ops ua-none 2>&1) && fail "detach-device-alias of an alias nobody has succeeded"
expect_match "virsh detach-device-alias of an alias nobody has: libvirt's error, one line" "$out" \
    "device not found: domain 'ops' has no device with alias 'ua-none'"
# The guest without ACPI hot-unplug never lets a disk go: the event, and
# the disk stays in its live XML.
wait_for 90 "the guest without acpiphp boots" file_has "$(serial noacpi)" VIREO-GUEST-READY
"$VIREO" vol-create-as default hot3.qcow2 8M --format qcow2 >/dev/null
virsh attach-disk noacpi "$("$VIREO" vol-path --pool default hot3.qcow2)" vdb --subdriver qcow2 --live >/dev/null
out=$(command virsh -q -c "$URI" detach-disk noacpi vdb --live 2>&1) && fail "the guest without acpiphp let vdb go: $out"
expect_match "detach from a guest without ACPI hot-unplug: fails after the wait" "$out" "has not released vdb within 10 s"
wait_for 20 "python: device-removal-failed vdb of noacpi" grep -q '^domain noacpi device-removal-failed vdb$' "$ROOT/py-events"
expect_match "... vdb stays in its live XML" "$(virsh dumpxml noacpi)" "<target dev=.vdb."
virsh destroy noacpi >/dev/null
mkdir -p "$ROOT/evpool"
"$VIREO" pool-define-as evpool dir --target "$ROOT/evpool" >/dev/null
"$VIREO" pool-start evpool >/dev/null
"$VIREO" pool-refresh evpool >/dev/null
"$VIREO" pool-destroy evpool >/dev/null
"$VIREO" pool-undefine evpool >/dev/null
cat >"$ROOT/evnet.xml" <<XML
<network><name>evnet</name><bridge name='vrevnet0'/><ip address='192.168.251.1' netmask='255.255.255.0'/></network>
XML
"$VIREO" net-define "$ROOT/evnet.xml" >/dev/null
"$VIREO" net-undefine evnet >/dev/null
wait_for 20 "python3-libvirt: the last event arrived" grep -q '^network evnet lifecycle 1 0$' "$ROOT/py-events"
py=$(cat "$ROOT/py-events")
expect_match "python: domain reboot (reset)" "$py" '^domain ops reboot$'
expect_match "python: device-added vdb (attach-disk --live)" "$py" '^domain ops device-added vdb$'
expect_match "python: device-removed vdb (detach-disk --live)" "$py" '^domain ops device-removed vdb$'
expect_match "python: agent disconnected (state 2, reason channel) by the reset" "$py" '^domain ops agent 2 2$'
expect_match "python: agent connected again (state 1)" "$py" '^domain ops agent 1 2$'
expect_match "python: tunable cputune.vcpupin0 (vcpupin)" "$py" '^domain ops tunable cputune\.vcpupin0 0$'
expect_match "python: tunable cputune.emulatorpin (emulatorpin)" "$py" '^domain ops tunable cputune\.emulatorpin 0$'
rtc=$(sed -n 's/^domain ops rtc-change //p' <<<"$py" | head -1)
[ -n "$rtc" ] && [ "$rtc" -ge 3500 ] && [ "$rtc" -le 3700 ] || fail "python: rtc-change offset '$rtc', not about 3600"
ok "python: rtc-change, the guest's clock an hour ahead ($rtc s)"
expect_match "virsh event --all: rtc-change" "$(cat "$ROOT/virsh-events")" "^event 'rtc-change' for domain 'ops': $rtc$"
expect_match "vireo event: rtc-change, as virsh" "$(cat "$ROOT/vireo-events")" "^event 'rtc-change' for domain 'ops': $rtc$"
expect_match "python: tunable cputune.cpu_shares (schedinfo --live)" "$py" '^domain ops tunable cputune\.cpu_shares 512$'
expect_match "python: ... and cputune.vcpu_quota in the same event" "$py" '^domain ops tunable cputune\.vcpu_quota 50000$'
[ "$(grep -c 'tunable cputune.vcpu_period' <<<"$py")" = 0 ] || fail "schedinfo --config sent a tunable event"
ok "python: no tunable event for schedinfo --config (as libvirt)"
expect_match "python: metadata change, title (1)" "$py" '^domain ops metadata 1 None$'
expect_match "python: metadata change, element (2) of its namespace" "$py" '^domain ops metadata 2 http://example\.org/ev$'
expect_match "python: block job 2: vda, pull (1), completed (0)" "$py" '^domain ops block-job-2 vda 1 0$'
expect_match "python: block job: the disk's source path, pull, completed" "$py" '^domain ops block-job /.*ops\.s3 1 0$'
expect_match "python: block job 2: the copy completed by the pivot (2 0)" "$py" '^domain ops block-job-2 vda 2 0$'
expect_match "python: block job: the copy's path after the pivot" "$py" '^domain ops block-job /.*evcopy\.qcow2 2 0$'
expect_match "python: pool defined (lifecycle 0)" "$py" '^pool evpool lifecycle 0 0$'
expect_match "python: pool started (2)" "$py" '^pool evpool lifecycle 2 0$'
expect_match "python: pool refresh" "$py" '^pool evpool refresh$'
expect_match "python: pool stopped (3)" "$py" '^pool evpool lifecycle 3 0$'
expect_match "python: pool undefined (1)" "$py" '^pool evpool lifecycle 1 0$'
expect_match "python: network defined (0)" "$py" '^network evnet lifecycle 0 0$'
wait_for 10 "virsh event --all: the reboot" grep -q "event 'reboot' for domain 'ops'" "$ROOT/virsh-events"
ev=$(cat "$ROOT/virsh-events")
expect_match "virsh event --all: agent-lifecycle" "$ev" "event 'agent-lifecycle' for domain 'ops': state: 'connected' reason: 'channel event'"
expect_match "virsh event --all: tunable" "$ev" "cputune\.vcpupin0: 0"
expect_match "virsh event --all: metadata-change" "$ev" "event 'metadata-change' for domain 'ops'"
expect_match "virsh event --all: block-job-2" "$ev" "event 'block-job-2' for domain 'ops': Block Pull for vda completed"
expect_match "virsh event --all: device-added" "$(cat "$ROOT/virsh-events")" "event 'device-added' for domain 'ops': vdb"
expect_match "virsh event --all: device-removed" "$(cat "$ROOT/virsh-events")" "event 'device-removed' for domain 'ops': vdb"
expect_match "virsh event --all: tunable cputune.cpu_shares" "$ev" "cputune\.cpu_shares: 512"
sched=$(virsh schedinfo ops)
expect_match "virsh schedinfo: posix" "$sched" "^Scheduler +: posix$"
expect_match "virsh schedinfo: cpu_shares as set live" "$sched" "^cpu_shares +: 512$"
expect_match "virsh schedinfo: vcpu_quota as set live" "$sched" "^vcpu_quota +: 50000$"
expect_match "virsh schedinfo --config: vcpu_period in the definition" "$(virsh schedinfo ops --config)" \
    "^vcpu_period +: 50000$"
expect_match "... <period> in the persistent XML" "$(virsh dumpxml ops --inactive)" "<period>50000</period>"
pid=$(cat "$ROOT/run/vireo/qemu/ops/qemu.pid")
expect_match "QEMU runs in the run's own cgroup" "$(cat /proc/"$pid"/cgroup)" "vireo-ops"
cgdir=$(find /sys/fs/cgroup -maxdepth 4 -type d -name vireo-ops | head -1)
if [ -f "$cgdir/cpu.shares" ]; then
    expect_eq "... cgroup v1: cpu.shares" "$(cat "$cgdir/cpu.shares")" 512
    expect_eq "... cpu.cfs_quota_us" "$(cat "$cgdir/cpu.cfs_quota_us")" 50000
else
    expect_eq "... cgroup v2: cpu.weight for 512 shares" "$(cat "$cgdir/cpu.weight")" 20
    expect_match "... cpu.max" "$(cat "$cgdir/cpu.max")" "^50000 100000$"
fi
verr "schedinfo with a parameter Vireo does not offer (virsh's own check)" "invalid scheduler option: global_quota" \
    schedinfo ops --live --set global_quota=5000
verr "schedinfo cpu_shares out of range" "cpu_shares 1: expected 2 to 262144" schedinfo ops --live --set cpu_shares=1
# vireo schedinfo: the same values and lines as virsh's, and a change
# through the HTTP API reaches the cgroup too.
expect_eq "vireo schedinfo prints what virsh schedinfo prints" "$("$VIREO" schedinfo ops)" "$(virsh schedinfo ops)"
"$VIREO" schedinfo ops --set cpu_shares=256 >/dev/null
expect_match "vireo schedinfo --set cpu_shares=256 (live: it runs): virsh reads it" "$(virsh schedinfo ops)" \
    "^cpu_shares +: 256$"
if [ -f "$cgdir/cpu.shares" ]; then
    expect_eq "... in the cgroup" "$(cat "$cgdir/cpu.shares")" 256
fi
expect_fail "vireo schedinfo with an unknown parameter: one line" "is not cpu_shares=N" \
    "$VIREO" schedinfo ops global_quota=5
expect_fail "vireo -r schedinfo --set: refused" "read-only connection cannot PUT" \
    "$VIREO" -r schedinfo ops cpu_shares=300
expect_match "virsh event --all: device-removal-failed" "$(cat "$ROOT/virsh-events")" \
    "event 'device-removal-failed' for domain 'ops': vdd"
# vireo event: each event's own kind, the lines virsh prints for them.
wait_for 20 "vireo event: the last event arrived" grep -q "event 'lifecycle' for network 'evnet': undefined" \
    "$ROOT/vireo-events"
for line in "event 'reboot' for domain 'ops'" "event 'device-added' for domain 'ops': vdb" \
    "event 'device-removed' for domain 'ops': vdb" "event 'device-removal-failed' for domain 'ops': vdd" \
    "event 'device-removal-failed' for domain 'noacpi': vdb" \
    "event 'agent-lifecycle' for domain 'ops': state: 'connected' reason: 'channel event'" \
    "event 'agent-lifecycle' for domain 'ops': state: 'disconnected' reason: 'channel event'" \
    "event 'metadata-change' for domain 'ops': type title, uri <null>" \
    "event 'metadata-change' for domain 'ops': type element, uri http://example.org/ev" \
    "event 'tunable' for domain 'ops':"; do
    grep -qxF "$line" "$ROOT/virsh-events" || fail "virsh event --all printed no line '$line'"
    grep -qxF "$line" "$ROOT/vireo-events" || fail "vireo event printed no line '$line': $(cat "$ROOT/vireo-events")"
done
ok "vireo event prints reboot, device-added/-removed/-removal-failed, agent-lifecycle, metadata-change and tunable as virsh event --all does"
expect_match "vireo event: the tunable's parameter on its own line, as virsh" "$(cat "$ROOT/vireo-events")" \
    "$(printf '\tcputune.vcpupin0: 0')"
expect_match "vireo event: a block job, virsh's words, by its target" "$(cat "$ROOT/vireo-events")" \
    "^event 'block-job' for domain 'ops': Block Pull for vda completed$"
expect_match "vireo event: a copy ready" "$(cat "$ROOT/vireo-events")" \
    "^event 'block-job' for domain 'ops': Block Copy for vda ready$"
expect_match "vireo event: lifecycle lines as before" "$(cat "$ROOT/vireo-events")" \
    "^event 'lifecycle' for domain 'ops': suspended \(paused\)$"
expect_eq "vireo event --event tunable: the first tunable event alone" "$(cat "$ROOT/vireo-tunable")" \
    "$(printf "event 'tunable' for domain 'ops':\n\tcputune.vcpupin0: 0\nevents received: 1")"
expect_eq "vireo event --json: each line's type" \
    "$(jq -r 'select(.name == "ops" and (.event == "tunable" or .event == "device-removal-failed" or .event == "agent" or .event == "rebooted" or .event == "suspended")) | .type' "$ROOT/vireo-events.json" | sort -u | tr '\n' ' ')" \
    "agent-lifecycle device-removal-failed lifecycle reboot tunable "
expect_match "virsh pool-event --event lifecycle" "$(cat "$ROOT/virsh-pool-events")" "event 'lifecycle' for storage pool evpool: Started"
expect_match "virsh pool-event --event refresh" "$(cat "$ROOT/virsh-refresh-events")" "event 'refresh' for storage pool evpool"
expect_match "virsh net-event --event lifecycle" "$(cat "$ROOT/virsh-net-events")" "event 'lifecycle' for network evnet: Defined"
test_cleanup

# ---- rename a shut-off domain ----
virsh destroy ops >/dev/null
expect_fail "vireo guestinfo of a shut-off domain (no agent to ask): one line" "not running|agent" \
    "$VIREO" guestinfo ops
virsh domrename ops ops2 >/dev/null
expect_match "domrename" "$(virsh list --all --name)" '^ops2$'
verr "domrename to a name taken" "ops2|exists|already" domrename ops2 ops2
virsh domrename ops2 ops >/dev/null
expect_match "domrename back" "$(virsh list --all --name)" '^ops$'

# virDomainGetMessages (virsh dominfo's "Messages:"): none for a type
# 'qemu' domain; a type 'kvm' one run under TCG (this host's KVM is not
# usable) has its notice as libvirt's "tainted: ..." line, as vireo
# dominfo's Notice lines; with KVM usable, none either.
expect_eq "virsh dominfo: no Messages for a type 'qemu' domain" "$(virsh dominfo ops | grep -c '^Messages:')" 0
tiny_xml tk kvm "" >"$ROOT/tk.xml"
virsh define "$ROOT/tk.xml" >/dev/null
virsh start tk >/dev/null
notices=$("$VIREO" dominfo tk | sed -n 's/^Notice: *//p')
msgs=$(virsh dominfo tk | sed -n 's/^Messages: *//p; s/^  \{16\}//p' | grep . || true)
expect_eq "virsh dominfo: the TCG-for-kvm notices as tainted: messages ($(wc -l <<<"$notices") of them)" \
    "$msgs" "$(sed '/./s/^/tainted: /' <<<"$notices")"
py=$(/usr/bin/python3 - "$URI" <<'PY'
import sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("tk")
print("deprecation", d.messages(libvirt.VIR_DOMAIN_MESSAGE_DEPRECATION))
print("tainting", len(d.messages(libvirt.VIR_DOMAIN_MESSAGE_TAINTING)))
try:
    d.messages(1 << 5)
except libvirt.libvirtError as e:
    print("error", e.get_error_code())
PY
)
expect_match "python3-libvirt messages(DEPRECATION): none kept" "$py" '^deprecation \[\]$'
expect_match "python3-libvirt messages(TAINTING): the notices" "$py" "^tainting $(grep -c . <<<"$notices")\$"
expect_match "python3-libvirt messages(unknown flag): libvirt's invalid-argument error" "$py" '^error 8$'
virsh destroy tk >/dev/null
virsh undefine tk >/dev/null
expect_eq "vireod logged no virDomainGetMessages (426) as unserved" "$(grep -c 'procedure 426' "$ROOT/vireod.log")" 0

no_sanitizer_report
echo "$CHECKS checks passed"
