#!/usr/bin/env bash
# The host's node devices and virDomainOpenGraphics over libvirt's
# protocol (issue 21): Debian's virsh and python3-libvirt on the ASan
# daemon's libvirt-sock. nodedev-list (all, --cap pci, --tree) names
# what this host's sysfs has, nodedev-dumpxml gives libvirt's XML with
# sysfs's facts, nodedev-detach/-reset/-create are refused in one line,
# listAllDevices agrees with virsh, vireo's own nodedev-list (--tree,
# --cap), nodedev-dumpxml and nodedev-info and GET /v1/nodedevs print
# what virsh prints on the same daemon, virt-manager's own code builds its
# Add Hardware PCI and USB lists from them; and a tiny guest's VNC display,
# handed the client's socket with dom.openGraphics, greets on it (RFB)
# and asks for the password only without SKIPAUTH. Network interfaces
# come and go with other tests on this host, so listings are compared
# without them.
. "$(dirname "$0")/lib.sh"
virsh_daemon # the ASan build; URI is its libvirt-sock, virsh() quiet virsh on it
PY=/usr/bin/python3
$PY -c 'import libvirt' 2>/dev/null || fail "python3-libvirt missing (make deps)"

# ---- listings against sysfs ----
want_pci=$(for d in /sys/bus/pci/devices/*; do b=${d##*/}; echo "pci_${b//[:.]/_}"; done | sort)
[ -n "$want_pci" ] || fail "this host's sysfs lists no PCI device"
expect_eq "nodedev-list --cap pci: every PCI function of /sys/bus/pci/devices" \
    "$(virsh nodedev-list --cap pci | sort)" "$want_pci"
all=$(virsh nodedev-list)
expect_match "nodedev-list: computer" "$all" '^computer$'
expect_eq "nodedev-list: the PCI functions among them" "$(grep '^pci_' <<<"$all" | sort)" "$want_pci"
expect_eq "nodedev-list --cap usb_device: this host has no USB bus, so none" \
    "$(virsh nodedev-list --cap usb_device)" ""
expect_match "nodedev-list --cap net: lo, by its name and MAC" "$(virsh nodedev-list --cap net)" \
    '^net_lo_00_00_00_00_00_00$'
tree=$(virsh nodedev-list --tree)
expect_eq "nodedev-list --tree: computer at the root" "$(head -1 <<<"$tree")" computer
first=$(head -1 <<<"$want_pci")
expect_match "nodedev-list --tree: $first under computer" "$tree" "^  \+- $first\$"
# A NIC on a PCI function is under that function (past its virtio device).
nic=$(for n in /sys/class/net/*; do [ -e "$n/device" ] && { echo "${n##*/}"; break; }; done)
if [ -n "$nic" ]; then
    fn=$(basename "$(readlink -f "/sys/class/net/$nic/device/..")")
    case $fn in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:*) ;;
    *) fn=$(basename "$(readlink -f "/sys/class/net/$nic/device")") ;;
    esac
    mac=$(cat "/sys/class/net/$nic/address")
    name="net_${nic}_${mac//:/_}"
    expect_match "nodedev-dumpxml $name: under pci_${fn//[:.]/_}" "$(virsh nodedev-dumpxml "$name")" \
        "<parent>pci_${fn//[:.]/_}</parent>"
fi

# ---- the XML: sysfs's facts in libvirt's elements ----
sys=$(readlink -f "/sys/bus/pci/devices/$(sed -E 's/^pci_([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$/\1:\2:\3.\4/' <<<"$first")")
xml=$(virsh nodedev-dumpxml "$first")
expect_match "nodedev-dumpxml $first: its sysfs path" "$xml" "<path>$sys</path>"
expect_match "nodedev-dumpxml $first: a pci capability" "$xml" "<capability type=.pci.>"
expect_match "nodedev-dumpxml $first: its class" "$xml" "<class>$(cat "$sys/class")</class>"
expect_match "nodedev-dumpxml $first: its vendor id" "$xml" "<vendor id=.$(cat "$sys/vendor")."
expect_match "nodedev-dumpxml $first: its product id" "$xml" "<product id=.$(cat "$sys/device")."
expect_eq "XMLDesc(VIR_NODE_DEVICE_XML_INACTIVE): the same (a host device has no separate definition)" \
    "$($PY -c 'import libvirt, sys; print(libvirt.open(sys.argv[1]).nodeDeviceLookupByName(sys.argv[2]).XMLDesc(1), end="")' "$URI" "$first")" "$xml"
expect_match "nodedev-dumpxml computer: the system capability" "$(virsh nodedev-dumpxml computer)" \
    "<capability type=.system.>"
info=$(virsh nodedev-info "$first")
expect_match "nodedev-info $first: under computer" "$info" "^Parent: +computer$"
expect_match "... active, not persistent, no autostart" "$(tr -s ' ' <<<"$info" | tr '\n' ' ')" \
    "Active: yes Persistent: no Autostart: no"
expect_eq "nodedev-list --inactive: none (every device listed is there)" "$(virsh nodedev-list --inactive)" ""
verr "nodedev-autostart: a host's device has none" "node device '$first' is the host's, not a defined one" \
    nodedev-autostart "$first"
verr "nodedev-dumpxml of a name not listed: libvirt's not-found" "Node device not found: no node device with matching name 'pci_0000_7f_1f_7'" \
    nodedev-dumpxml pci_0000_7f_1f_7

# ---- vireo's own CLI and API: the same devices from the same core ----
# Side by side with virsh on the same daemon. Network interfaces come and
# go with other tests, so a listing is taken again (up to three times)
# until both agree on one moment.
same() { # WHAT VIRSH-ARGS... -- VIREO-ARGS...
    local what=$1 a=() b=() got want
    shift
    while [ "$1" != -- ]; do a+=("$1"); shift; done
    shift
    b=("$@")
    for _ in 1 2 3; do
        want=$(command virsh -q -c "$URI" "${a[@]}"; echo x)
        got=$("$VIREO" "${b[@]}"; echo x)
        [ "$got" = "$want" ] && break
    done
    expect_eq "$what" "$got" "$want"
}
same "vireo nodedev-list = virsh nodedev-list" nodedev-list -- nodedev-list
same "vireo nodedev-list --tree = virsh's tree, line for line" nodedev-list --tree -- nodedev-list --tree
same "vireo nodedev-list --cap pci,usb_device = virsh's" nodedev-list --cap pci,usb_device -- \
    nodedev-list --cap pci,usb_device
same "vireo nodedev-list --cap scsi_host: none, as virsh" nodedev-list --cap scsi_host -- nodedev-list --cap scsi_host
for d in computer "$first" ${nic:+"$name"}; do
    same "vireo nodedev-dumpxml $d = virsh's, byte for byte" nodedev-dumpxml "$d" -- nodedev-dumpxml "$d"
    same "vireo nodedev-info $d = virsh's" nodedev-info "$d" -- nodedev-info "$d"
done
expect_match "vireo nodedev-list --tree: computer's children indented as virsh's" "$("$VIREO" nodedev-list --tree)" \
    "^  \+- $first\$"
json=$("$VIREO" nodedev-list --cap pci --json)
expect_eq "nodedev-list --cap pci --json: sysfs's PCI functions, each of capability pci" \
    "$(jq -r '.[] | select(.capabilities == ["pci"]) | .name' <<<"$json" | sort)" "$want_pci"
# A function with a driver bound (virtio-pci here), as sysfs links it.
bound=$(for d in /sys/bus/pci/devices/*; do [ -e "$d/driver" ] && { echo "${d##*/}"; break; }; done)
if [ -n "$bound" ]; then
    b=pci_${bound//[:.]/_}
    expect_eq "... $b's driver as sysfs links it" "$(jq -r --arg n "$b" '.[] | select(.name == $n) | .driver' <<<"$json")" \
        "$(basename "$(readlink -f "/sys/bus/pci/devices/$bound/driver")")"
fi
expect_eq "... and its vendor named from pci.ids as the XML names it" \
    "$(jq -r --arg n "$first" '.[] | select(.name == $n) | .vendor' <<<"$json")" \
    "$(sed -n 's/.*<vendor id=[^>]*>\(.*\)<\/vendor>.*/\1/p' <<<"$xml")"
api=$(curl -s --unix-socket "$SOCK" "http://x/v1/nodedevs?cap=net")
expect_match "GET /v1/nodedevs?cap=net: lo under computer" "$(jq -c '.nodedevs[] | select(.name == "net_lo_00_00_00_00_00_00") | [.parent, .capabilities]' <<<"$api")" \
    '^\["computer",\["net"\]\]$'
expect_eq "GET /v1/nodedevs/$first/xml: the XML virsh dumps" \
    "$(curl -s --unix-socket "$SOCK" "http://x/v1/nodedevs/$first/xml")" "$xml"
out=$(curl -s -w '\n%{http_code}' --unix-socket "$SOCK" "http://x/v1/nodedevs?cap=disk")
expect_eq "GET /v1/nodedevs?cap=disk: 400 invalid" "$(head -1 <<<"$out" | jq -r .error.code) $(tail -1 <<<"$out")" \
    "invalid 400"
expect_rows_form "/v1/nodedevs" nodedevs 'select(.name | startswith("net_") | not)'
expect_fail "vireo nodedev-dumpxml of a name not listed: one line" \
    "^vireo: error: no node device 'pci_0000_7f_1f_7': \`vireo nodedev-list\` lists them$" \
    "$VIREO" nodedev-dumpxml pci_0000_7f_1f_7
expect_fail "vireo nodedev-info likewise" "^vireo: error: no node device 'usb_9_9'" "$VIREO" nodedev-info usb_9_9
expect_fail "vireo nodedev-list --cap disk: libvirt has no such capability" \
    "^vireo: error: unknown node device capability 'disk': give one of libvirt's" "$VIREO" nodedev-list --cap disk
out=$("$VIREO" nodedev-list --tree --cap pci 2>&1) && fail "nodedev-list --tree --cap pci succeeded"
expect_match "vireo nodedev-list --tree --cap: refused as virsh refuses it (and the usage)" "$out" \
    "^vireo nodedev-list: --tree shows every device: give it without --cap"

# ---- refusals, in one line each ----
verr "nodedev-detach: refused, naming the missing IOMMU" "cannot detach $first: this host has no IOMMU" \
    nodedev-detach "$first"
verr "nodedev-detach --driver xen: vfio only" "vireod detaches PCI devices to vfio-pci only" \
    nodedev-detach "$first" --driver xen
verr "nodedev-reattach: refused likewise" "cannot reattach $first: this host has no IOMMU" nodedev-reattach "$first"
verr "nodedev-reset: refused likewise" "cannot reset $first: this host has no IOMMU" nodedev-reset "$first"
echo "<device><name>x</name><capability type='mdev'/></device>" >"$ROOT/mdev.xml"
verr "nodedev-create: not supported" "not supported.*vireod creates no node devices" nodedev-create "$ROOT/mdev.xml"
out=$(command virsh -q -c "$URI" nodedev-detach "$first" 2>&1 >/dev/null || true)
expect_eq "nodedev-detach's reason is one line of virsh's two" "$(grep -c . <<<"$out")" 2

# ---- python3-libvirt: the same devices, and a display on the client's socket ----
devs="<graphics type='vnc' autoport='yes' passwd='sekrit'/> <video><model type='vga'/></video>"
tiny_xml og qemu "<interface type='user'><model type='virtio'/></interface> $devs" >"$ROOT/og.xml"
virsh define "$ROOT/og.xml" >/dev/null
virsh start og >/dev/null
out=$($PY - "$URI" "$first" <<'EOF'
import libvirt, socket, sys
c = libvirt.open(sys.argv[1])
names = sorted(d.name() for d in c.listAllDevices(0) if not d.name().startswith('net_'))
print('all', ' '.join(names))
print('pci', len(c.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV)), c.numOfDevices('pci'))
d = c.nodeDeviceLookupByName(sys.argv[2])
print('caps', d.parent(), d.listCaps())
dom = c.lookupByName('og')
for flags in (0, libvirt.VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH):
    a, b = socket.socketpair()
    dom.openGraphics(0, b.fileno(), flags)
    b.close()
    a.settimeout(20)
    greeting = a.recv(12)
    a.sendall(greeting)
    n = a.recv(1)[0]
    types = list(a.recv(n))
    print('rfb', flags, greeting.decode().strip(), types)
    a.close()
EOF
)
expect_eq "listAllDevices(0): virsh's devices (network interfaces aside)" "$(sed -n 's/^all //p' <<<"$out")" \
    "$(grep -v '^net_' <<<"$all" | sort | tr '\n' ' ' | sed 's/ $//')"
n_pci=$(wc -l <<<"$want_pci")
expect_eq "listAllDevices(CAP_PCI_DEV) and numOfDevices('pci')" "$(sed -n 's/^pci //p' <<<"$out")" "$n_pci $n_pci"
expect_eq "lookup, parent() and listCaps() of $first" \
    "$(sed -n 's/^caps //p' <<<"$out")" "computer ['pci']"
expect_eq "openGraphics(0, fd, 0): the VNC server greets on the client's socket and asks for its password (type 2)" \
    "$(sed -n 's/^rfb 0 //p' <<<"$out")" "RFB 003.008 [2]"
expect_eq "openGraphics with SKIPAUTH: the same display lets it in without one (type 1)" \
    "$(sed -n 's/^rfb 1 //p' <<<"$out")" "RFB 003.008 [1]"
# The descriptor late: a raw client sends the CALL_WITH_FDS, waits, and
# only then the descriptor; meanwhile the daemon answers another client
# (its loop does not wait on the descriptor). A byte without a
# descriptor closes that connection alone.
raw=$($PY - "$ROOT/libvirt-sock" "$URI" "$(virsh domuuid og)" <<'EOF'
import libvirt, socket, struct, sys, time, uuid
path, uri, dom_uuid = sys.argv[1], sys.argv[2], uuid.UUID(sys.argv[3]).bytes
def frame(proc, typ, serial, body):
    b = struct.pack(">IIiiIi", 0x20008086, 1, proc, typ, serial, 0) + body
    return struct.pack(">I", len(b) + 4) + b
def xstr(s):
    s = s.encode()
    return struct.pack(">I", len(s)) + s + b"\0" * (-len(s) % 4)
def reply(s):
    n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
    b = s.recv(n - 4, socket.MSG_WAITALL)
    return struct.unpack(">i", b[20:24])[0]
def opened():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(frame(1, 0, 1, struct.pack(">II", 0, 0)))  # virConnectOpen
    assert reply(s) == 0
    return s
args = xstr("og") + dom_uuid + struct.pack(">iII", -1, 0, 1)  # dom, idx 0, SKIPAUTH
s = opened()
s.sendall(frame(249, 4, 2, struct.pack(">I", 1) + args))  # CALL_WITH_FDS, one descriptor
time.sleep(0.3)
other = libvirt.open(uri)
t = time.time()
other.getLibVersion()
print("other", "answered" if time.time() - t < 0.25 else "waited")
time.sleep(0.5)
a, b = socket.socketpair()
socket.send_fds(s, [b"\0"], [b.fileno()])
b.close()
print("late", reply(s))
a.settimeout(20)
g = a.recv(12)
a.sendall(g)
n = a.recv(1)[0]
print("rfb", g.decode().strip(), list(a.recv(n)))
s2 = opened()
s2.sendall(frame(249, 4, 3, struct.pack(">I", 1) + args) + b"x")  # a byte, no descriptor
s2.settimeout(10)
print("nofd", s2.recv(100) == b"")
print("still", libvirt.open(uri).getLibVersion() > 0)
EOF
)
expect_match "a descriptor 0.8 s late: another client is answered meanwhile" "$raw" "^other answered$"
expect_match "... the call answers once it is in (status OK)" "$raw" "^late 0$"
expect_match "... and QEMU's display greets on it, without auth (SKIPAUTH)" "$raw" "^rfb RFB 003.008 \[1\]$"
expect_match "a byte without its descriptor closes that connection" "$raw" "^nofd True$"
expect_match "... and the daemon serves on" "$raw" "^still True$"
# virt-manager's Add Hardware lists: its own code (virtinst's NodeDevice
# parser, virt-manager's pretty names, the PCI list's bridges skipped and
# each NIC named beside its function, as _populate_hostdev_model does),
# without the GUI.
vmm=$($PY - "$URI" 2>/dev/null <<'EOF'
import sys
sys.path.insert(0, '/usr/share/virt-manager')
import gi
gi.require_version('Gtk', '3.0'); gi.require_version('Gdk', '3.0')
import virtManager.config  # before the object modules: their imports are circular
from virtManager.object.nodedev import _pretty_name
import virtinst
c = virtinst.VirtinstConnection(sys.argv[1])
c.open(None, None)
devs = c.fetch_all_nodedevs()
for kind in ('pci', 'usb_device'):
    rows = []
    for d in devs:
        if d.device_type != kind or d.is_usb_linux_root_hub() or d.is_pci_bridge():
            continue
        name = _pretty_name(d)
        if kind == 'pci':
            name += ''.join(' (%s)' % _pretty_name(n) for n in devs if n.device_type == 'net' and n.parent == d.name)
        rows.append(name)
    print(kind, len(rows), '|'.join(rows))
EOF
)
expect_match "virt-manager's PCI Host Device list: each function by address, vendor and product" "$vmm" \
    "^pci $(wc -l <<<"$want_pci") 0000:00:00:0 "
[ -z "$nic" ] || expect_match "... the NIC's function named with its interface" "$vmm" "\(Interface $nic\)"
expect_match "virt-manager's USB Host Device list: none on this host" "$vmm" "^usb_device 0 $"
grep -q 'virDomainOpenGraphics' "$ROOT/vireod.log" && fail "vireod logged OpenGraphics as not served"
ok "vireod's log has no 'not served' line for OpenGraphics"
no_sanitizer_report
echo "PASS libvirt-nodedev ($CHECKS checks)"
