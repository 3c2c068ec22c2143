#!/usr/bin/env bash
# The rest of the course's virsh commands (issue 18, second slice) against
# a running tiny guest: send-key reaching the guest's keyboard, screenshot
# as a valid PNG, reset, the guest-agent helpers refusing clearly without
# an agent, qemu-monitor-command; save/restore and managedsave keeping
# what the guest holds in RAM; domblkstat and domifstat. Bad input gets
# one-line errors and leaves the domain as it was.
. "$(dirname "$0")/lib.sh"
# The ASan/UBSan daemon: most of what this test drives is new daemon code
# (save, restore, block jobs, the agent client); leaks are checked at exit.
open_test --asan
# expect_usage WHAT REGEX COMMAND...: exit 2, the error line matching
# REGEX, then the usage line.
expect_usage() {
    local what=$1 re=$2 out rc=0
    shift 2
    out=$("$@" 2>&1 >/dev/null) || rc=$?
    [ "$rc" -eq 2 ] || fail "$what: exit $rc, want 2 (usage): $out"
    grep -Eq -- "$re" <<<"$(head -1 <<<"$out")" || fail "$what: '$out' does not match /$re/"
    ok "$what"
}

# The tiny guest with a VGA card (for screenshots) and a qcow2 disk.
$V vol-create-as default more.qcow2 32M --format qcow2 >/dev/null
disk="<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='more.qcow2'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml more qemu "$disk <interface type='user'><model type='virtio'/></interface> <video><model type='vga'/></video>" \
    >"$ROOT/more.xml"
$V define "$ROOT/more.xml" >/dev/null
$V start more >/dev/null
wait_for 60 "the guest boots" file_has "$(serial more)" VIREO-GUEST-READY

# ---- send-key: the AT keyboard's events, read in the guest (evdev) ----
ev=$(guest_until more 'for d in /sys/class/input/event*; do grep -q "AT Translated" $d/device/name 2>/dev/null && echo KBD=${d##*/}; done' 'KBD=event[0-9]+')
kbd=$(grep -Eo 'KBD=event[0-9]+' <<<"$ev" | head -1 | cut -d= -f2)
[ -n "$kbd" ] || fail "the guest has no AT keyboard event device: $ev"
guest more "cat /dev/input/$kbd > /tmp/keys & echo started" >/dev/null
sleep 0.5
$V send-key more KEY_A --holdtime 50
$V send-key more --codeset qnum 0x30   # B's scan code
$V send-key more --codeset atset1 0xe048   # the up arrow, an extended AT set 1 code
# Every other codeset of virsh's (libvirt's keycodemapdb tables), a letter each:
$V send-key more --codeset usb 0x06        # C (USB HID usage 6)
$V send-key more --codeset win32 VK_D      # D, by its Windows name
$V send-key more --codeset os_x ANSI_E     # E, by its macOS name
$V send-key more --codeset atset2 0x2b     # F (AT set 2)
$V send-key more --codeset atset3 0x34     # G (AT set 3)
$V send-key more --codeset xt_kbd 0x23     # H
$V send-key more --codeset xt 0x24         # J
# struct input_event: 16 bytes of time, then type (EV_KEY=1), code, value.
# Linux key codes: A=30 (0x1e), B=48 (0x30), UP=103 (0x67), C=46 (0x2e),
# D=32 (0x20), E=18 (0x12), F=33 (0x21), G=34 (0x22), H=35 (0x23), J=36 (0x24); pressed (value 1).
hx='hexdump -v -e "8/1 \"%02x \" \"\n\"" /tmp/keys'
codes="1e 30 67 2e 20 12 21 22 23 24"
out=$(guest_until more "echo KEYS \$(for k in $codes; do $hx | grep -c \"^01 00 \$k 00 01 00 00 00\"; done)" \
    'KEYS [1-9][0-9]*( [1-9][0-9]*){9}')
expect_match "send-key KEY_A reaches the guest as Linux key 30, --codeset qnum 0x30 as key 48 (B)" "$out" 'KEYS [1-9][0-9]* [1-9]'
expect_match "send-key --codeset atset1 0xe048 reaches it as KEY_UP (103)" "$out" 'KEYS [1-9][0-9]* [1-9][0-9]* [1-9]'
expect_match "send-key --codeset usb, win32 (VK_D), os_x (ANSI_E), atset2, atset3, xt_kbd, xt: keys C D E F G H J" \
    "$out" 'KEYS [1-9][0-9]*( [1-9][0-9]*){9}'
expect_fail "send-key with an unknown key name" "key 'KEY_NOPE' is not a key name of codeset linux" $V send-key more KEY_NOPE
expect_fail "send-key --codeset usb with a name (usb has none)" "codeset usb has no key names" \
    $V send-key more --codeset usb KEY_A
expect_fail "send-key --codeset usb with a code it lacks" "key '0x3000' is not a key of codeset usb" \
    $V send-key more --codeset usb 0x3000
expect_fail "send-key --codeset of another name" "codeset 'rfb' is not one of virsh's: linux, xt, atset1" \
    $V send-key more --codeset rfb 4
expect_usage "send-key with 17 keys" "unexpected argument '17'" \
    $V send-key more 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17

# ---- screenshot: a PNG, written by QEMU 7.2 itself ----
$V screenshot more "$ROOT/shot.png" >"$ROOT/shot.out"
expect_match "screenshot says where" "$(cat "$ROOT/shot.out")" "^Screenshot saved to $ROOT/shot.png, with type of image/png$"
expect_eq "the file has the PNG signature" "$(head -c 8 "$ROOT/shot.png" | od -An -tx1 | tr -d ' \n')" "89504e470d0a1a0a"
w=$(od -An -tu1 -j16 -N8 "$ROOT/shot.png" | awk '{print $3*256+$4 "x" $7*256+$8}')
expect_match "its IHDR has a real screen size ($w)" "$w" '^(6[0-9][0-9]|7[0-9][0-9]|[0-9]{4})x[0-9]{3,4}$'
expect_fail "screenshot of screen 3 (it has one)" "has no screen 3" $V screenshot more "$ROOT/s3.png" --screen 3
[ ! -e "$ROOT/s3.png" ] || fail "a failed screenshot left a file"
ok "a failed screenshot leaves no file"

# ---- qemu-monitor-command ----
expect_match "qemu-monitor-command (QMP)" "$($V qemu-monitor-command more '{"execute":"query-status"}')" '"status":"running"'
expect_match "qemu-monitor-command --hmp" "$($V qemu-monitor-command more --hmp info status)" 'VM status: running'
expect_fail "qemu-monitor-command with text that is no QMP" "not a QMP command" $V qemu-monitor-command more info status
expect_fail "qemu-monitor-command on the read-only connection" "read-only connection cannot" \
    $V -r qemu-monitor-command more '{"execute":"query-status"}'
grep -q "qemu-monitor-command --hmp: info status" "$ROOT/vireod.log" || fail "the monitor command is not logged"
ok "qemu-monitor-command is logged"

# ---- guest agent helpers: no agent here, said so ----
expect_fail "domhostname without a guest agent" "needs the guest agent" $V domhostname more
expect_fail "dompmsuspend without a guest agent" "needs the guest agent" $V dompmsuspend more mem
expect_fail "dompmwakeup of a guest that is not suspended" "is not suspended by its guest" $V dompmwakeup more
expect_usage "dompmsuspend to a bad target" "not one of mem, disk, hybrid" $V dompmsuspend more ram

# ---- reset: the guest boots again in the same QEMU ----
pid=$(cat "$ROOT/run/vireo/qemu/more/qemu.pid")
boots() { grep -c VIREO-GUEST-READY "$(serial more)"; }
booted_again() { [ "$(boots)" -gt "$before" ]; }
before=$(boots)
expect_eq "reset" "$($V reset more)" "Domain 'more' was reset"
wait_for 60 "the guest boots again after reset" booted_again
expect_eq "... in the same QEMU" "$(cat "$ROOT/run/vireo/qemu/more/qemu.pid")" "$pid"

# ---- save / restore: what the guest holds in RAM (a file in tmpfs) survives ----
stamp=kept-$RANDOM
guest_until more "echo $stamp > /tmp/ram-value; echo WROTE-\$(cat /tmp/ram-value)" "WROTE-$stamp" >/dev/null
expect_eq "domjobinfo without a job" "$($V domjobinfo more)" "Job type:         None"
expect_fail "domjobabort without a job" "has no job running" $V domjobabort more
expect_fail "save into a directory that does not exist" "cannot create the save image" \
    $V save more "$ROOT/no/such/dir/x.save"
expect_eq "... the domain runs on" "$($V domstate more)" "running"
out=$($V save more "$ROOT/more.save")
expect_match "save" "$out" "^Domain 'more' saved to $ROOT/more.save$"
expect_eq "... the domain is shut off, reason saved" "$($V domstate --reason more)" "shut off (saved)"
expect_eq "... the image starts with Vireo's header" "$(head -1 "$ROOT/more.save")" "VIREO-SAVE-IMAGE 1"
printf 'not an image\n' >"$ROOT/junk.save"
expect_fail "restore of a file that is no save image" "is not a Vireo save image" $V restore "$ROOT/junk.save"
expect_fail "restore of a missing file" "cannot open the save image" $V restore "$ROOT/none.save"
expect_eq "restore" "$($V restore "$ROOT/more.save")" "Domain restored from $ROOT/more.save"
expect_eq "... the domain runs again" "$($V domstate more)" "running"
out=$(guest_until more 'echo VALUE-$(cat /tmp/ram-value)' "VALUE-$stamp")
expect_match "... and its RAM kept the value written before the save" "$out" "VALUE-$stamp"
expect_fail "restore while the domain runs" "is running; destroy it first" $V restore "$ROOT/more.save"
$V save more "$ROOT/more2.save" --paused >/dev/null
$V restore "$ROOT/more2.save" >/dev/null
expect_eq "save --paused: restore leaves it paused" "$($V domstate more)" "paused"
$V resume more >/dev/null

# ---- managedsave: start resumes it ----
expect_match "managedsave" "$($V managedsave more)" "Domain 'more' state saved"
expect_match "dominfo says Managed save: yes" "$($V dominfo more)" "Managed save: +yes"
expect_match "list --all --managed-save shows it saved" "$($V list --all --managed-save)" " more +saved"
expect_fail "undefine refused while a managed save exists" "has a managed save image" $V undefine more
expect_fail "domrename refused while a managed save exists" "has a managed save image" $V domrename more other
$V start more >/dev/null
expect_eq "start resumes the managed save" "$($V domstate more)" "running"
out=$(guest_until more 'echo VALUE-$(cat /tmp/ram-value)' "VALUE-$stamp")
expect_match "... with the guest's RAM as it was" "$out" "VALUE-$stamp"
expect_match "... and the image is gone" "$($V dominfo more)" "Managed save: +no"
$V managedsave more >/dev/null
expect_match "managedsave-remove" "$($V managedsave-remove more)" "Removed managedsave image for domain 'more'"
expect_eq "... and the list says it has none" "$($V list --all --json | jq -r '.[] | select(.name == "more") | .managed_save')" false
before=$(boots)
$V start more >/dev/null
wait_for 60 "without the image, start boots afresh" booted_again
expect_fail "managedsave-remove without an image" "has no managed save image" $V managedsave-remove more

# ---- domblkstat, domifstat ----
wr() { $V domblkstat more vda | awk '$2 == "wr_bytes" {print $3}'; }
rd() { $V domblkstat more vda | awk '$2 == "rd_req" {print $3}'; }
w0=$(wr) r0=$(rd)
guest_until more 'dd if=/dev/urandom of=/dev/vda bs=4k count=64 conv=fsync 2>/dev/null; echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda of=/dev/null bs=4k count=32 skip=2000 2>/dev/null; echo IO-$((40+2))' 'IO-42' >/dev/null
w1=$(wr) r1=$(rd)
[ "$w1" -ge $((w0 + 262144)) ] || fail "domblkstat wr_bytes grew from $w0 to $w1, want +256 KiB"
ok "domblkstat: wr_bytes grew by the 256 KiB the guest wrote ($w0 -> $w1)"
[ "$r1" -gt "$r0" ] || fail "domblkstat rd_req stayed at $r0"
ok "domblkstat: rd_req grew after the guest read ($r0 -> $r1)"
expect_match "domblkstat without a target sums every disk" "$($V domblkstat more)" "^ wr_bytes [0-9]+$"
expect_match "domblkstat --human" "$($V domblkstat more vda --human)" "number of bytes written: +[0-9]+"
expect_fail "domblkstat of a disk that is not there" "has no disk 'vdz'" $V domblkstat more vdz
expect_fail "domifstat of a user-mode interface" "has no interface .* with counters" $V domifstat more \
    "$($V dumpxml more | grep -o "mac address='[^']*'" | cut -d"'" -f2)"
$V destroy more >/dev/null
expect_fail "domblkstat of a shut-off domain" "is not running" $V domblkstat more vda

# ---- vcpuinfo, vcpupin, emulatorpin (live), desc ----
$V start more >/dev/null
wait_for 60 "the guest runs again" state_is more "running (booted)"
out=$($V vcpuinfo more --pretty)
expect_match "vcpuinfo shows vCPU 0" "$out" "^VCPU: +0$"
expect_match "... its affinity (all host CPUs)" "$out" "^CPU Affinity: +0(-$(($(nproc) - 1)))?$"
tid=$($V vcpuinfo more --json | jq -r '.vcpus[0].thread')
$V vcpupin more 0 0 --live
expect_match "vcpupin 0 0 --live pins the vCPU thread (the kernel says so)" "$(taskset -pc "$tid")" "list: 0$"
expect_match "vcpupin shows it" "$($V vcpupin more)" "^ 0 +0$"
$V emulatorpin more 0 --live
qpid=$(cat "$ROOT/run/vireo/qemu/more/qemu.pid")
expect_match "emulatorpin 0 --live pins QEMU's main thread" "$(taskset -pc "$qpid")" "list: 0$"
expect_fail "vcpupin of a vCPU that is not there" "has no vCPU 7" $V vcpupin more 7 0 --live
expect_fail "vcpupin to a CPU the host lacks" "names host CPU 999" $V vcpupin more 0 999 --live
expect_fail "vcpupin with a bad CPU list" "is not a CPU list" $V vcpupin more 0 0-x --live
expect_match "vcpupin after the errors: unchanged" "$($V vcpupin more)" "^ 0 +0$"
expect_eq "desc of a domain without one" "$($V desc more)" "No description for domain: more"
expect_eq "desc --new-desc --live --config" "$($V desc more --live --config --new-desc 'web server')" \
    "Domain description updated successfully"
expect_eq "desc reads it back" "$($V desc more)" "web server"
expect_match "... in the live XML" "$($V dumpxml more)" "<description>web server</description>"
expect_match "... and the persistent one" "$($V dumpxml more --inactive)" "<description>web server</description>"
$V desc more --title --live "Web 1" >/dev/null
expect_eq "desc --title --live" "$($V desc more --title)" "Web 1"
expect_eq "... not in the definition" "$($V desc more --title --config)" "No title for domain: more"
expect_fail "a title of two lines" "a title is one line" $V desc more --title --new-desc "$(printf 'a\nb')"
NS=https://example.org/app
expect_eq "metadata --key --set --live --config" \
    "$($V metadata more $NS --key app --set '<app><owner>ana</owner></app>' --live --config)" "Metadata modified"
expect_eq "metadata reads it back, in its namespace" "$($V metadata more $NS)" \
    '<app:app xmlns:app="https://example.org/app"><app:owner>ana</app:owner></app:app>'
expect_match "... in the persistent XML too" "$($V dumpxml more --inactive)" '<app:owner>ana</app:owner>'
expect_fail "metadata --set with malformed XML" "not one well-formed XML element" \
    $V metadata more $NS --key app --set '<app><owner></app>' --live --config
expect_match "... leaves it as it was" "$($V metadata more $NS --config)" 'ana'
expect_usage "metadata --set without --key" "needs --key" $V metadata more $NS --set '<a/>'
expect_eq "metadata --remove" "$($V metadata more $NS --remove --live --config)" "Metadata removed"
expect_fail "metadata of a namespace it does not have" "has no metadata in namespace" $V metadata more $NS

# ---- external snapshot chain: --disk-only, blockcommit, blockpull ----
base=$($V vol-path more.qcow2 --pool default)
expect_fail "blockcommit of a disk without a chain" "has no backing image" \
    $V blockcommit more vda --active --pivot --wait
expect_eq "snapshot-create-as --disk-only --atomic" "$($V snapshot-create-as more ext1 --disk-only --atomic)" \
    "Domain snapshot ext1 created"
overlay=${base%.qcow2}.ext1
expect_match "... the disk runs on the overlay beside its image" "$($V domblklist more)" "^ vda +$overlay$"
expect_match "... whose backing file is the image" "$(qemu-img info -U "$overlay")" "backing file: $base"
expect_match "... in the persistent definition too" "$($V dumpxml more --inactive)" "file=[\"']$overlay[\"']"
expect_match "snapshot-list shows it (disk-snapshot)" "$($V snapshot-list more)" "ext1 .*disk-snapshot"
expect_fail "snapshot-revert to an external snapshot" "is external" $V snapshot-revert more ext1
expect_fail "a second --disk-only snapshot of the same name" "already has a snapshot 'ext1'" \
    $V snapshot-create-as more ext1 --disk-only
mark=VIREO-CHAIN-$RANDOM
# WROTE only once the mark reads back from the disk: a line whose first
# characters the console lost (seen after a restore) is retried, not taken.
guest_until more "printf '$mark' | dd of=/dev/vda bs=512 seek=8192 conv=fsync 2>/dev/null; dd if=/dev/vda bs=512 skip=8192 count=1 2>/dev/null | grep -q '$mark' && echo WROTE-\$((40+2))" WROTE-42 >/dev/null
expect_eq "blockcommit --active --pivot --wait" "$($V blockcommit more vda --active --pivot --wait --verbose | tr -d '\n')" \
    "Successfully pivoted"
expect_match "... the disk runs on its image again" "$($V domblklist more)" "^ vda +$base$"
expect_match "blockjob --info after it: no job" "$($V blockjob more vda --info)" "No current block job for vda"
$V snapshot-create-as more ext2 --disk-only >/dev/null
overlay2=${base%.qcow2}.ext2
expect_eq "blockpull --wait" "$($V blockpull more vda --wait | tr -d '\n')" "Pull complete"
expect_match "... the disk stays on the overlay" "$($V domblklist more)" "^ vda +$overlay2$"
$V destroy more >/dev/null
expect_fail "vcpuinfo of a shut-off domain" "is not running" $V vcpuinfo more
info=$(qemu-img info "$base")
! grep -q "backing file" <<<"$info" || fail "after blockcommit the image still has a backing file: $info"
ok "after blockcommit the image is a single-file chain"
qemu-img convert -f qcow2 -O raw "$base" "$ROOT/base.raw"
expect_eq "... holding the data written after the snapshot" "$(grep -c "$mark" "$ROOT/base.raw")" 1
info=$(qemu-img info "$overlay2")
! grep -q "backing file" <<<"$info" || fail "after blockpull the overlay still has a backing file: $info"
ok "after blockpull the overlay stands alone"
qemu-img convert -f qcow2 -O raw "$overlay2" "$ROOT/pulled.raw"
expect_eq "... with the data that was below it" "$(grep -c "$mark" "$ROOT/pulled.raw")" 1

no_sanitizer_report
echo "virsh-more: $CHECKS checks"
