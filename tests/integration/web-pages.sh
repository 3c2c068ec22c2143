#!/usr/bin/env bash
# The web manager's host, networks and storage pages in headless Chromium
# (tests/web/pages.mjs) against a real vireod. The daemon makes bridges
# and dnsmasq for the networks page, so it runs in a network namespace
# this test makes (as network.sh does), and so does the browser, which
# must reach the daemon's web port on that namespace's loopback. The
# machine's own namespace is never touched. Screenshots go to
# BUILD/web-artifacts/. The daemon runs under a wrapper that starts it
# again when it ends, so that the browser test can restart it under an
# open page.
source "$(dirname "$0")/lib.sh"
need_browser

HOSTNS=vrt-webp-$$
test_cleanup() { ip netns del "$HOSTNS" 2>/dev/null; return 0; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
ip netns add "$HOSTNS"
ip -n "$HOSTNS" link set lo up
# A bridge and a NIC of this "host" for the hardware tab's NIC sources
# (a veth: this kernel has no dummy links).
ip -n "$HOSTNS" link add vrtbr0 type bridge && ip -n "$HOSTNS" link set vrtbr0 up
ip -n "$HOSTNS" link add vrtbr1 type bridge && ip -n "$HOSTNS" link set vrtbr1 up
ip -n "$HOSTNS" link add vrtlan0 type veth peer name vrtlan1 && ip -n "$HOSTNS" link set vrtlan0 up
inns() { ip netns exec "$HOSTNS" "$@"; }
ok "network namespace $HOSTNS"

# Its own namespace: any port is free there.
PORT=8480
# vireod again whenever it ends, its pid in $RESPAWN_PID, until the
# wrapper itself is told to stop (stop_daemon): then vireod goes too.
cat >"$ROOT/respawn" <<'SH'
#!/usr/bin/env bash
child=
trap '[ -n "$child" ] && kill "$child" && wait "$child"; exit 0' TERM
while :; do
    "$@" &
    child=$!
    echo "$child" >"${RESPAWN_PID:?}"
    wait "$child" || true
    sleep 0.3
done
SH
chmod +x "$ROOT/respawn"
export RESPAWN_PID=$ROOT/vireod.pid
# The default network (no --no-default-network): the pages show a real one.
DAEMON_WRAP="ip netns exec $HOSTNS $ROOT/respawn" DAEMON_OPTS="--web 127.0.0.1:$PORT --web-root $VIREO_SRC/web/dist" start_daemon
TOKEN=$("$VIREO" web-token)
code=$(inns curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/host/stats")
expect_eq "GET /v1/host/stats on the web port" "$code" 200
code=$(inns curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/v1/pools/default/volumes/x/upload?length=1")
expect_eq "a plain GET never starts an upload" "$code" 405
expect_match "the default network is active" "$("$VIREO" net-list)" ' default +active'

# A guest that runs, so the host page counts one running of two defined;
# on the default network, so the VM list shows its DHCP address.
need_images
tiny_xml webp1 qemu "<interface type='network'><source network='default'/><model type='virtio'/></interface>" >"$ROOT/webp1.xml"
tiny_xml webp2 >"$ROOT/webp2.xml"
"$VIREO" define "$ROOT/webp1.xml" >/dev/null
"$VIREO" define "$ROOT/webp2.xml" >/dev/null
"$VIREO" start webp1 >/dev/null

# The host's USB devices (none here: no /sys/bus/usb) and the PCI refusal, read-only.
usb=$(inns curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/host/usb-devices")
if [ -d /sys/bus/usb/devices ]; then
    expect_eq "GET /v1/host/usb-devices: sysfs's devices" "$(jq '.usb_devices | length' <<<"$usb")" \
        "$(find /sys/bus/usb/devices/ -mindepth 1 -maxdepth 1 ! -name '*:*' | wc -l)"
else
    expect_eq "GET /v1/host/usb-devices on a host without USB" "$(jq -c . <<<"$usb")" \
        '{"usb_devices":[],"none":"this host has no USB bus (no /sys/bus/usb/devices): no USB device can be given to a guest"}'
fi
# The same through the CLI: nodedev-list --cap usb_device (names, as virsh;
# libvirt-nodedev.sh holds the whole list beside virsh's).
if [ -d /sys/bus/usb/devices ]; then
    expect_eq "vireo nodedev-list --cap usb_device: one name per device" \
        "$("$VIREO" nodedev-list --cap usb_device | wc -l)" "$(jq '.usb_devices | length' <<<"$usb")"
else
    expect_eq "vireo nodedev-list --cap usb_device on a host without USB: no names" \
        "$("$VIREO" nodedev-list --cap usb_device)" ""
    expect_eq "vireo nodedev-list --cap usb_device --json: an empty array" \
        "$("$VIREO" nodedev-list --cap usb_device --json | jq -c .)" "[]"
fi
expect_eq "nodedev-list --cap pci: every PCI function of /sys/bus/pci/devices" \
    "$("$VIREO" nodedev-list --cap pci | wc -l)" "$(ls /sys/bus/pci/devices | wc -l)"
if [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
    expect_match "GET /v1/host: why a PCI device cannot be given here" \
        "$(inns curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/host" | jq -r .pci_passthrough_refused)" \
        '^this host has no IOMMU \(/sys/kernel/iommu_groups is empty\)'
fi

VIREO_WEB_URL="http://127.0.0.1:$PORT/" VIREO_WEB_TOKEN=$TOKEN VIREO_CLI=$VIREO VIREO_IMAGES=$IMAGES \
VIREO_DEFAULT_URI=$VIREO_DEFAULT_URI VIREO_ARTIFACTS="$VIREO_BUILD/web-artifacts" VIREO_DAEMON_PIDFILE=$RESPAWN_PID \
    inns timeout 420 node "$VIREO_SRC/tests/web/pages.mjs" ||
    fail "the browser test failed (screenshots in $VIREO_BUILD/web-artifacts)"
ok "browser test of the host, networks and storage pages"
