#!/usr/bin/env bash
# The web manager follows the course's first part (issue 23), in Spanish,
# in headless Chromium (tests/web/course.mjs) against a real vireod: a
# network of every kind made from the form (net-dumpxml checked), a
# storage pool made, a file uploaded into it and downloaded again (same
# checksum both ways), the volume attached to a running guest that then
# sees the disk, a linked clone (qemu-img info names the original as its
# backing file) and a full one, a VM's details changed (dumpxml checked),
# refusals shown by their field. The daemon makes bridges, macvtaps and
# dnsmasq, so it runs in a network namespace this test makes, with a
# bridge and a veth NIC of that namespace's own standing in for the
# host's LAN; the browser runs there too. Screenshots go to
# BUILD/web-artifacts/course-*.png.
source "$(dirname "$0")/lib.sh"
need_images
need_browser

HOSTNS=vrt-webc-$$
test_cleanup() { netns_remove; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
netns_make "$HOSTNS"
inns() { ip netns exec "$HOSTNS" "$@"; }
# The namespace's "LAN": a bridge for the bridged network, a NIC for macvtap.
inns ip link add br-lan type bridge
inns ip link set br-lan up
inns ip link add lan0 type veth peer name lan0-peer
inns ip link set lan0 up
inns ip link set lan0-peer up
ok "network namespace $HOSTNS with bridge br-lan and NIC lan0"

PORT=8480
DAEMON_WRAP="ip netns exec $HOSTNS" DAEMON_OPTS="--web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist" start_daemon
TOKEN=$("$VIREO" web-token)
POOLDIR=$ROOT/curso-pool

# curso1: a qcow2 disk in the default pool, on the default network, with
# a VNC display and video; shut off, as the course's VMs are when edited.
"$VIREO" vol-create-as default curso1.qcow2 64M --format qcow2 >/dev/null
tiny_xml curso1 qemu "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>
      <source pool='default' volume='curso1.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='network'><source network='default'/><model type='virtio'/></interface>
    <graphics type='vnc'/><video><model type='vga'/></video>" >"$ROOT/curso1.xml"
"$VIREO" define "$ROOT/curso1.xml" >/dev/null

start=$SECONDS
VIREO_WEB_URL="http://127.0.0.1:$PORT/" VIREO_WEB_TOKEN=$TOKEN VIREO_CLI=$VIREO \
VIREO_DEFAULT_URI=$VIREO_DEFAULT_URI VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" VIREO_POOL_DIR=$POOLDIR \
    inns timeout 300 node "$VIREO_SRC/tests/web/course.mjs" ||
    fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "the course in the browser, in Spanish ($((SECONDS - start)) s)"
