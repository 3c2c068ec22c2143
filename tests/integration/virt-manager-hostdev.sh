#!/usr/bin/env bash
# virt-manager 4.1's Add Hardware on vireod's node devices (issue 21),
# under Xvfb with xdotool: a shut off VM's details window, Add Hardware,
# "USB Host Device" (this host has no USB bus: its list is empty) and
# "PCI Host Device", whose list virt-manager fills from
# virConnectListAllNodeDevices and each device's XML; the row of the
# PCI function that carries this host's NIC is picked and Finish puts a
# <hostdev type='pci'> naming that function into the definition, which
# vireo then shows. Screenshots go to BUILD/gui-artifacts/hostdev-usb.png
# and hostdev-pci.png. make check-gui runs it (meson suite gui). No guest
# runs and no network is made.
. "$(dirname "$0")/lib.sh"
need_virt_manager # ART, XVFB_PID, VM_PID
rm -f "$ART"/hostdev-{usb,pci}.png "$ART/virt-manager-hostdev.log"
test_cleanup() {
    [ -z "$VM_PID" ] || kill "$VM_PID" 2>/dev/null
    [ -z "$XVFB_PID" ] || kill "$XVFB_PID" 2>/dev/null
    return 0
}
start_daemon "$ASAN_VIREOD"
URI="qemu:///system?socket=$ROOT/libvirt-sock"
tiny_xml vmh qemu >"$ROOT/vmh.xml"
"$VIREO" define "$ROOT/vmh.xml" >/dev/null

# The PCI function this host's NIC sits on, and its row in the list:
# virt-manager lists the PCI devices in the daemon's order (by name),
# bridges (class 0x0604) left out.
nic_fn=
for n in /sys/class/net/*; do
    [ -e "$n/device" ] || continue
    d=$(readlink -f "$n/device")
    case ${d##*/} in [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:*) ;; *) d=${d%/*} ;; esac
    nic_fn=${d##*/} && break
done
[ -n "$nic_fn" ] || fail "this host has no NIC on a PCI function to pick"
row=0
for d in $(ls /sys/bus/pci/devices | sort); do
    [ "$d" = "$nic_fn" ] && break
    case $(cat "/sys/bus/pci/devices/$d/class") in 0x0604*) ;; *) row=$((row + 1)) ;; esac
done

xvfb_open # DISPLAY, XVFB_PID; shot, window, wait_window
LOG=$ART/virt-manager-hostdev.log
virt-manager --no-fork --debug --connect "$URI" --show-domain-editor vmh >"$LOG" 2>&1 &
VM_PID=$!
win=$(wait_window "^vmh on ") || fail "no details window for vmh: $(tail -20 "$LOG")"
ok "virt-manager opens vmh's details"
sleep 1
# No window manager: every window sits at 0,0. Add Hardware: the button
# under the device list.
xdotool mousemove --window "$win" 95 805 click 1
add=$(wait_window "^Add New Virtual Hardware$") || fail "Add Hardware did not open: $(tail -20 "$LOG")"
ok "Add Hardware opens"
sleep 1
xdotool mousemove --window "$add" 95 254 click 1 # USB Host Device
sleep 1.5
shot hostdev-usb.png
ok "screenshot hostdev-usb.png (no USB bus here: 'No Devices Available')"
xdotool mousemove --window "$add" 95 277 click 1 # PCI Host Device
sleep 1.5
xdotool mousemove --window "$add" 400 $((131 + 23 * row)) click 1
sleep 0.5
shot hostdev-pci.png
ok "screenshot hostdev-pci.png (row $row: $nic_fn, named with its interface)"
xdotool mousemove --window "$add" 676 542 click 1 # Finish
IFS=: read -r dom bus slotfn <<<"$nic_fn"
slot=${slotfn%.*} fn=${slotfn#*.}
want="<address domain=.0x$dom. bus=.0x$bus. slot=.0x$slot. function=.0x$fn./>"
wait_for 20 "Finish puts the picked function into vmh's definition" \
    sh -c "'$VIREO' dumpxml vmh | grep -A2 '<source>' | grep -q \"$want\""
expect_match "... as a PCI host device" "$("$VIREO" dumpxml vmh)" '<hostdev mode=.subsystem. type=.pci. managed=.yes.>'
expect_match "virt-manager built it from the node device (set_from_nodedev)" "$(cat "$LOG")" "set_from_nodedev"
vmm_logs_clean "$LOG"
no_sanitizer_report
echo "virt-manager-hostdev: $CHECKS checks passed (screenshots in $ART)"
