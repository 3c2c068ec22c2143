#!/usr/bin/env bash
# virt-manager 4.1 drives vireod (issue 21), under Xvfb with xdotool: it
# connects to libvirt-sock, lists the VMs with their states, opens a
# running VM's window, whose serial console (a libvirt stream) takes a
# typed line and shows the guest's answer, and its details page; then its
# New VM wizard creates a VM from an ISO (a new qcow2 disk, the default
# network) that boots and answers. Each step is checked from
# virt-manager's own debug log, from vireo and from the guest's console;
# screenshots go to BUILD/gui-artifacts/ (list.png, console.png,
# details.png, wizard.png, new-vm.png: the new VM's SPICE display). make check-gui runs it (meson
# suite gui). The daemon (ASan build) runs in a network namespace this
# test makes: its default network lives there.
. "$(dirname "$0")/lib.sh"
need_virt_manager # ART, XVFB_PID, VM_PID
rm -f "$ART"/{list,console,details,wizard,new-vm}.png "$ART/virt-manager.log"
NS=vrt-vmm-$$
test_cleanup() {
    [ -z "$VM_PID" ] || kill "$VM_PID" 2>/dev/null
    [ -z "$XVFB_PID" ] || kill "$XVFB_PID" 2>/dev/null
    netns_remove
    return 0
}
daemon_in_netns "$NS" # the ASan build (need_asan_daemon) in a namespace of its own
URI="qemu:///system?socket=$ROOT/libvirt-sock"
tiny_xml vm1 qemu >"$ROOT/vm1.xml"
tiny_xml vm2 qemu >"$ROOT/vm2.xml"
"$VIREO" define "$ROOT/vm1.xml" >/dev/null
"$VIREO" define "$ROOT/vm2.xml" >/dev/null
"$VIREO" start vm1 >/dev/null
expect_match "vm1's shell answers" "$(guest_until vm1 'echo $((1+1))' '^2')" "^2"

xvfb_open # DISPLAY, XVFB_PID; shot, window, wait_window

virt-manager --no-fork --debug --connect "$URI" >"$ART/virt-manager.log" 2>&1 &
VM_PID=$!
main=$(wait_window "Virtual Machine Manager") || fail "no virt-manager window: $(tail -20 "$ART/virt-manager.log")"
ok "virt-manager's window opens"
wait_for 30 "virt-manager connected" file_has "$ART/virt-manager.log" "libvirt-sock changed to state=Active"
expect_match "... it lists vm1 running" "$(cat "$ART/virt-manager.log")" "domain=vm1 status=Running added"
expect_match "... and vm2 shut off" "$(cat "$ART/virt-manager.log")" "domain=vm2 status=Shutoff added"
sleep 2 # a poll or two: the CPU graph draws
shot list.png
ok "screenshot list.png"

# vm2 started by another client: virt-manager hears of it.
"$VIREO" start vm2 >/dev/null
wait_for 20 "virt-manager hears vm2 start (a lifecycle event)" file_has "$ART/virt-manager.log" \
    "domain lifecycle event: domain=vm2 state=VIR_DOMAIN_EVENT_STARTED"

# Open vm1: the rows are sorted by name, vm1 first, under the connection.
xdotool windowactivate --sync "$main" >/dev/null 2>&1 || true
xdotool mousemove --window "$main" 80 135 click --repeat 2 --delay 150 1
vmwin=$(wait_window "^vm1 on ") || fail "vm1's window did not open: $(tail -20 "$ART/virt-manager.log")"
ok "vm1's window opens"
wait_for 20 "its serial console is a libvirt stream" file_has "$ART/virt-manager.log" "Opening console stream"
sleep 1
xdotool windowactivate --sync "$vmwin" >/dev/null 2>&1 || true
xdotool mousemove --window "$vmwin" 400 400 click 1
xdotool type --delay 40 'echo vmm-$((6*7))'
xdotool key Return
wait_for 20 "the guest answered the line typed in virt-manager" \
    sh -c "timeout 3 '$VIREO' console vm1 --history </dev/null 2>/dev/null | grep -q '^vmm-42'"
shot console.png
ok "screenshot console.png"
# The details page: the light bulb button of the toolbar.
xdotool mousemove --window "$vmwin" 67 46 click 1
wait_for 20 "the details page asked for the domain capabilities" \
    file_has "$ART/virt-manager.log" "Fetched domain capabilities"
sleep 1
shot details.png
ok "screenshot details.png"
# ---- the New VM wizard: local install media, a new disk, the default network ----
cp "$IMAGES/tiny.iso" "$ROOT/tiny.iso"
# No window manager: vm1's window lies over the main one; move it aside.
xdotool windowmove "$vmwin" 600 0
xdotool windowraise "$main"
sleep 0.5
xdotool mousemove --window "$main" 24 45 click 1
wiz=$(wait_window "^New VM$") || fail "the New VM wizard did not open"
ok "the New VM wizard opens"
forward() { xdotool mousemove --window "$wiz" 440 470 click 1; sleep 1.5; }
retype() { # X Y TEXT: replace a field's text
    xdotool mousemove --window "$wiz" "$1" "$2" click --repeat 3 --delay 80 1
    xdotool type --delay 20 "$3"
    xdotool key Tab
}
forward # step 1: local install media (the default choice)
sleep 1
retype 180 113 "$ROOT/tiny.iso"
sleep 1
xdotool mousemove --window "$wiz" 24 427 click 1 # no detection: the OS by hand
sleep 1
xdotool mousemove --window "$wiz" 250 393 click 1
xdotool type --delay 60 linux2022
sleep 3
xdotool key Down Return # the first match: "Generic Linux 2022"
sleep 1
forward
sleep 1
grep -q "Validation Error" "$ART/virt-manager.log" && fail "the wizard refused step 2: $(grep -A2 'Validation Error' "$ART/virt-manager.log" | head -3)"
retype 110 119 256 # MiB
retype 110 175 1   # vCPUs
forward
retype 75 144 0.1 # GiB: a new qcow2 volume in the default pool
forward
retype 240 119 wiz1
sleep 1
shot wizard.png
ok "screenshot wizard.png"
xdotool mousemove --window "$wiz" 444 470 click 1 # Finish
wait_for 60 "the wizard's VM runs" state_is wiz1 "running (booted)"
expect_match "... on the default network" "$("$VIREO" domiflist wiz1)" "network +default"
expect_match "... with its new disk, a volume of the default pool" "$("$VIREO" vol-list default)" "wiz1.qcow2"
expect_match "... it boots the ISO and its shell answers" "$(guest_until wiz1 'echo $((5*5))' '^25')" "^25"
wait_window "^wiz1 on " >/dev/null || fail "no window for wiz1"
# Its SPICE display: the live XML's port, a socket handed over by
# virDomainOpenGraphicsFD.
wait_for 30 "virt-manager's SPICE viewer connects to wiz1's display" \
    file_has "$ART/virt-manager.log" "Viewer connected"
expect_match "... at the port the live XML shows" "$(grep 'Starting connect process for proto=spice' "$ART/virt-manager.log")" \
    "gport=59[0-9][0-9] "
sleep 2
shot new-vm.png
ok "screenshot new-vm.png"

vmm_logs_clean "$ART/virt-manager.log"
for d in vm1 vm2 wiz1; do "$VIREO" destroy "$d" >/dev/null; done
no_sanitizer_report
echo "virt-manager: $CHECKS checks passed (screenshots in $ART)"
