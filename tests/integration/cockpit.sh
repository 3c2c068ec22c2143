#!/usr/bin/env bash
# Cockpit's Machines page (cockpit-machines 288 on Debian 12's Cockpit
# 287) against vireod (issues 21 and 23), driven in headless Chromium
# (tests/web/cockpit.mjs) as a user drives it. Nothing of the host's is
# touched: in a private mount and network namespace, vireod serves
# libvirt's own sockets (--libvirt-paths on a tmpfs /run), a private
# system bus (dbus-daemon on /run/dbus/system_bus_socket) carries
# libvirt-dbus --system, and cockpit-ws --local-session serves the page on
# that namespace's 127.0.0.1 with a bridge that reaches the bus. The
# browser runs in the same namespaces.
#   cockpit.sh --short   the VM list with each VM's state (make check)
#   cockpit.sh           also a shut off VM's CPU type, a VM's overview,
#                        disks and interfaces, its VNC and serial consoles,
#                        Shut down, Run and Force shut down (checked with
#                        vireo domstate); Create VM without the network
#                        'default' (the page says why it fails), Import VM
#                        of the tiny guest's disk, which Cockpit's
#                        virt-install gives a VNC and a SPICE display,
#                        running, and Create VM from the tiny guest's ISO
#                        as local install media, booted from its CD-ROM
#                        (make check-gui)
# Screenshots and the daemon's log go to BUILD/cockpit-artifacts/.
# Whatever Cockpit asked for that vireod does not serve is in the
# daemon's log: none may be.
. "$(dirname "$0")/lib.sh"
need_images
SHORT=
[ "${1:-}" = --short ] && SHORT=1
COCKPIT_WS=/usr/lib/cockpit/cockpit-ws
[ -x "$COCKPIT_WS" ] || fail "cockpit-ws missing (make deps: cockpit-ws cockpit-bridge cockpit-system cockpit-machines)"
[ -f /usr/share/cockpit/machines/manifest.json ] || fail "cockpit-machines missing (make deps)"
[ -f /usr/share/cockpit/systemd/manifest.json ] || fail "cockpit-system missing (make deps)"
for tool in cockpit-bridge libvirt-dbus dbus-daemon virsh virt-host-validate; do
    command -v "$tool" >/dev/null || fail "$tool missing (make deps)"
done
[ -x /usr/bin/chromium ] || fail "chromium missing (make deps)"
[ -d "$VIREO_SRC/web/node_modules/playwright-core" ] || fail "playwright-core missing (make web runs npm ci)"

BIN=$VIREOD
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
    need_asan_daemon
    BIN=$ASAN_VIREOD
fi
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
chmod 755 "$ROOT"
ART=$VIREO_BUILD/cockpit-artifacts
rm -rf "$ART" && mkdir -p "$ART"

# The system bus of the namespace: anyone may own and call (only this
# test's processes reach it).
cat >"$ROOT/bus.conf" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
XML
# Inside the namespaces: vireod, the bus, libvirt-dbus and cockpit-ws,
# until TERM stops them (vireod last, waited for: its leak check).
cat >"$ROOT/inner.sh" <<'SH'
root=$1 vireod=$2 ws=$3
mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir -p /run/libvirt /run/dbus || exit 1
# The namespace's own /sys/class/net, for its bridge (as ip netns exec does).
mount -t sysfs sysfs /sys || exit 1
ip link set lo up || exit 1
"$vireod" --root "$root" --socket "$root/vireod.sock" --no-default-network --libvirt-paths >>"$root/vireod.log" 2>&1 &
vpid=$!
for _ in $(seq 1 300); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done
dbus-daemon --config-file="$root/bus.conf" --nofork --nopidfile >"$root/bus.log" 2>&1 &
bpid=$!
for _ in $(seq 1 100); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket
libvirt-dbus --system >"$root/libvirt-dbus.log" 2>&1 &
lpid=$!
# Debian's python3 first: the page asks libosinfo through python3-gi.
PATH=/usr/sbin:/usr/bin:/sbin:/bin "$ws" --no-tls --port 9090 --address 127.0.0.1 \
    --local-session=cockpit-bridge >"$root/cockpit-ws.log" 2>&1 &
wpid=$!
trap 'kill $wpid $lpid $bpid 2>/dev/null; kill $vpid; wait $vpid; exit 0' TERM
echo $$ >"$root/inner.pid"
wait $vpid
SH
unshare -mn --fork bash "$ROOT/inner.sh" "$ROOT" "$BIN" "$COCKPIT_WS" &
UNSHARE_PID=$!
# cleanup (lib.sh) ends the namespace's processes through this.
test_cleanup() {
    if [ -n "${HTTPD_PID:-}" ]; then
        kill "$HTTPD_PID" 2>/dev/null || true
        wait "$HTTPD_PID" 2>/dev/null || true # 143: it ended by that TERM
        HTTPD_PID=
    fi
    [ -n "${UNSHARE_PID:-}" ] || return 0
    [ -r "$ROOT/inner.pid" ] && kill "$(cat "$ROOT/inner.pid")" 2>/dev/null
    wait "$UNSHARE_PID" 2>/dev/null
    UNSHARE_PID=
}
inns() { nsenter -t "$(cat "$ROOT/inner.pid")" -m -n "$@"; }
SOCK=$ROOT/vireod.sock
export VIREO_DEFAULT_URI="vireo:///system?socket=$SOCK"
answers() { [ -r "$ROOT/inner.pid" ] && "$VIREO" hostname >/dev/null 2>&1; }
wait_for 60 "vireod answers in the test's namespaces" answers
bus_up() { inns busctl --system call org.libvirt /org/libvirt/QEMU org.libvirt.Connect ListDomains u 0; }
wait_for 30 "libvirt-dbus answers on the private system bus" bus_up
# cockpit-ws answers 401 on /cockpit/login until a session is made: any answer.
ws_answers() { [ "$(inns curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/)" != 000 ]; }
wait_for 30 "cockpit-ws listens on the namespace's 127.0.0.1:9090" ws_answers

# c-run runs (a disk, a NIC, VNC and a serial console); c-off is shut off.
qemu-img create -q -f qcow2 "$ROOT/c-run.qcow2" 64M
tiny_xml c-run qemu "<interface type='user'><mac address='52:54:00:c0:c7:01'/><model type='virtio'/></interface>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$ROOT/c-run.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <graphics type='vnc' port='-1'/><video><model type='vga'/></video>" >"$ROOT/c-run.xml"
tiny_xml c-off >"$ROOT/c-off.xml"
"$VIREO" define "$ROOT/c-run.xml" >/dev/null
"$VIREO" define "$ROOT/c-off.xml" >/dev/null
"$VIREO" start c-run >/dev/null
# Import VM's disk: the tiny guest's hybrid ISO, which boots as a disk;
# Create VM's local install media: the same ISO, as a CD-ROM.
mkdir -p "$ROOT/import" "$ROOT/iso" && cp "$IMAGES/tiny.iso" "$ROOT/import/tiny.img" && cp "$IMAGES/tiny.iso" "$ROOT/iso/tiny.iso"
# Cockpit's virt-install puts new VMs on the network 'default', which this
# vireod (--no-default-network) lacks: the browser test first sees Create
# VM fail for it, then defines this one (isolated, in the test's network
# namespace) and starts it.
# Create VM from a URL: the ISO on a web server in the namespace (busybox
# httpd answers the byte ranges QEMU's curl driver asks for).
if [ -z "$SHORT" ]; then
    # Not through inns: $! must be the server itself (nsenter execs it),
    # and it must not hold the test's output open.
    nsenter -t "$(cat "$ROOT/inner.pid")" -m -n busybox httpd -f -p 127.0.0.1:8088 -h "$ROOT/iso" >/dev/null 2>&1 &
    HTTPD_PID=$!
    served() { inns curl -sf -r 0-1 -o /dev/null http://127.0.0.1:8088/tiny.iso; }
    wait_for 10 "busybox httpd serves the ISO in the namespace" served
fi
echo "<network><name>default</name><bridge name='vrck0'/><ip address='192.168.151.1' netmask='255.255.255.0'/></network>" >"$ROOT/default-net.xml"
wait_for 60 "c-run boots" file_has "$(serial c-run)" VIREO-GUEST-READY

VIREO_SRC=$VIREO_SRC VIREO_CLI=$VIREO VIREO_DEFAULT_URI=$VIREO_DEFAULT_URI VIREO_ARTIFACTS=$ART \
COCKPIT_URL=http://127.0.0.1:9090/ COCKPIT_SHORT=$SHORT COCKPIT_DISK=$ROOT/c-run.qcow2 COCKPIT_SERIAL_LOG=$(serial c-run) \
COCKPIT_IMPORT_DISK=$ROOT/import/tiny.img COCKPIT_IMPORT_SERIAL_LOG=$(serial c-import) COCKPIT_NET_XML=$ROOT/default-net.xml \
COCKPIT_ISO=$ROOT/iso/tiny.iso COCKPIT_ISO_SERIAL_LOG=$(serial c-iso) \
COCKPIT_ISO_URL=http://127.0.0.1:8088/tiny.iso COCKPIT_URL_SERIAL_LOG=$(serial c-url) \
    inns timeout 420 node "$VIREO_SRC/tests/web/cockpit.mjs" ||
    fail "the browser test failed (screenshots in $ART)"
ok "Cockpit's Machines page drives vireod (screenshots in $ART)"

unserved=$(grep 'is not supported' "$ROOT/vireod.log" || true)
expect_eq "Cockpit called no procedure vireod does not serve" "$unserved" ""
test_cleanup
cp "$ROOT/vireod.log" "$ART/vireod.log"
no_sanitizer_report
echo "cockpit: $CHECKS checks passed"
