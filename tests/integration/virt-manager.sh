#!/usr/bin/env bash
# virt-manager 4.1 drives vireod (issue 21), under Xvfb with xdotool: it
# connects to libvirt-sock, lists the VMs with their states, opens a
# running VM's window, whose serial console (a libvirt stream) takes a
# typed line and shows the guest's answer, and its details page. Each
# step is checked from virt-manager's own debug log and from the guest's
# console history; screenshots go to BUILD/gui-artifacts/ (list.png,
# console.png, details.png). make check-gui runs it (meson suite gui).
. "$(dirname "$0")/lib.sh"
need_images
need_asan_daemon
for tool in virt-manager Xvfb xdotool; do
    command -v "$tool" >/dev/null || fail "$tool missing (make deps: virt-manager, xvfb, xdotool)"
done
ART=$VIREO_BUILD/gui-artifacts
rm -rf "$ART"
mkdir -p "$ART"
XVFB_PID= VM_PID=
test_cleanup() {
    [ -z "$VM_PID" ] || kill "$VM_PID" 2>/dev/null
    [ -z "$XVFB_PID" ] || kill "$XVFB_PID" 2>/dev/null
    return 0
}
start_daemon "$ASAN_VIREOD"
URI="qemu:///system?socket=$ROOT/libvirt-sock"
tiny_xml vm1 qemu >"$ROOT/vm1.xml"
tiny_xml vm2 qemu >"$ROOT/vm2.xml"
"$VIREO" define "$ROOT/vm1.xml" >/dev/null
"$VIREO" define "$ROOT/vm2.xml" >/dev/null
"$VIREO" start vm1 >/dev/null
expect_match "vm1's shell answers" "$(guest_until vm1 'echo $((1+1))' '^2')" "^2"

# A display of our own: Xvfb picks a free number and says which.
Xvfb -displayfd 9 -screen 0 1280x900x24 -nolisten tcp 9>"$ROOT/display" >"$ROOT/xvfb.log" 2>&1 &
XVFB_PID=$!
wait_for 10 "Xvfb starts" test -s "$ROOT/display"
export DISPLAY=:$(cat "$ROOT/display")
# virt-manager's settings stay in memory and under ROOT.
export GSETTINGS_BACKEND=memory XDG_CONFIG_HOME=$ROOT/config XDG_CACHE_HOME=$ROOT/cache
shot() { /usr/bin/python3 "$VIREO_SRC/tests/integration/x-screenshot.py" "$ART/$1" || fail "no screenshot $1"; }
window() { xdotool search --name "$1" 2>/dev/null | head -1; }
wait_window() {
    local w
    for _ in $(seq 1 100); do
        w=$(window "$1") && [ -n "$w" ] && { echo "$w"; return 0; }
        sleep 0.2
    done
    return 1
}

virt-manager --no-fork --debug --connect "$URI" >"$ROOT/virt-manager.log" 2>&1 &
VM_PID=$!
main=$(wait_window "Virtual Machine Manager") || fail "no virt-manager window: $(tail -20 "$ROOT/virt-manager.log")"
ok "virt-manager's window opens"
wait_for 30 "virt-manager connected" file_has "$ROOT/virt-manager.log" "libvirt-sock changed to state=Active"
expect_match "... it lists vm1 running" "$(cat "$ROOT/virt-manager.log")" "domain=vm1 status=Running added"
expect_match "... and vm2 shut off" "$(cat "$ROOT/virt-manager.log")" "domain=vm2 status=Shutoff added"
sleep 2 # a poll or two: the CPU graph draws
shot list.png
ok "screenshot list.png"

# vm2 started by another client: virt-manager hears of it.
"$VIREO" start vm2 >/dev/null
wait_for 20 "virt-manager hears vm2 start (a lifecycle event)" file_has "$ROOT/virt-manager.log" \
    "domain lifecycle event: domain=vm2 state=VIR_DOMAIN_EVENT_STARTED"

# Open vm1: the rows are sorted by name, vm1 first, under the connection.
xdotool windowactivate --sync "$main" >/dev/null 2>&1 || true
xdotool mousemove --window "$main" 80 135 click --repeat 2 --delay 150 1
vmwin=$(wait_window "^vm1 on ") || fail "vm1's window did not open: $(tail -20 "$ROOT/virt-manager.log")"
ok "vm1's window opens"
wait_for 20 "its serial console is a libvirt stream" file_has "$ROOT/virt-manager.log" "Opening console stream"
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
    file_has "$ROOT/virt-manager.log" "Fetched domain capabilities"
sleep 1
shot details.png
ok "screenshot details.png"
if grep -E "Traceback|ERROR" "$ROOT/virt-manager.log" | grep -v "Error registering" >"$ROOT/errs"; then
    fail "virt-manager reported errors: $(head -20 "$ROOT/errs")"
fi
ok "virt-manager logged no error (only the event kinds vireod does not send)"
kill "$VM_PID" 2>/dev/null
wait "$VM_PID" 2>/dev/null || true
VM_PID=
"$VIREO" destroy vm1 >/dev/null
"$VIREO" destroy vm2 >/dev/null
no_sanitizer_report
echo "virt-manager: $CHECKS checks passed (screenshots in $ART)"
