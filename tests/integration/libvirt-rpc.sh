#!/usr/bin/env bash
# libvirt's own clients drive vireod through libvirt's remote protocol
# (issue 21): Debian's virsh runs the course's basic commands against
# libvirt-sock and says what the vireo CLI says about the same objects;
# errors read as libvirt's; the read-only socket refuses changes; a
# python3-libvirt program lists, looks up, starts, reads XML and sees a
# lifecycle event caused by another client (vireo, on the HTTP socket);
# garbage and truncated frames close only their own connection. The
# daemon is the ASan build, in a network namespace this test makes (its
# default network, dnsmasq and guests live there).
. "$(dirname "$0")/lib.sh"
need_images
need_asan_daemon
command -v virsh >/dev/null || fail "virsh missing (make deps: libvirt-clients)"
/usr/bin/python3 -c 'import libvirt' 2>/dev/null || fail "python3-libvirt missing (make deps)"

NS=vrt-rpc-$$
EVENTS_PID=
test_cleanup() {
    [ -z "$EVENTS_PID" ] || kill "$EVENTS_PID" 2>/dev/null
    netns_remove
    return 0
}
daemon_in_netns "$NS" # the ASan build (need_asan_daemon) in a namespace of its own
URI="qemu:///system?socket=$ROOT/libvirt-sock"
RO_URI="qemu:///system?socket=$ROOT/libvirt-sock-ro"
virsh() { command virsh -q -c "$URI" "$@"; }
vsay() { command virsh -c "$URI" "$@"; } # with the messages -q leaves out
vjson() { "$VIREO" "$@" --json; }
[ -S "$ROOT/libvirt-sock" ] && [ -S "$ROOT/libvirt-sock-ro" ] || fail "no libvirt sockets beside vireod.sock"
ok "libvirt-sock and libvirt-sock-ro beside vireod.sock"

# ---- the host ----
expect_match "virsh version: QEMU as the hypervisor" "$(command virsh -c "$URI" version)" \
    "Running hypervisor: QEMU [0-9]+\.[0-9]+"
expect_match "virsh nodeinfo: the host's CPUs" "$(virsh nodeinfo)" "CPU\(s\): +$(nproc)$"
caps=$(virsh capabilities)
expect_match "capabilities: QEMU's binary" "$caps" "<emulator>$(command -v qemu-system-x86_64)</emulator>"
expect_match "capabilities: QEMU's own machine types" "$caps" "<machine canonical=\"pc-i440fx-[0-9.]+\""
expect_match "capabilities: domain type qemu" "$caps" "<domain type=\"qemu\"/>"

# ---- domains: the course's commands, checked against the vireo CLI ----
net_iface="<interface type='network'><source network='default'/><model type='virtio'/></interface>"
tiny_xml g1 qemu "$net_iface" >"$ROOT/g1.xml"
tiny_xml g2 qemu >"$ROOT/g2.xml"
expect_eq "virsh list --all on an empty host" "$(virsh list --all)" ""
expect_match "virsh define" "$(vsay define "$ROOT/g1.xml")" "Domain 'g1' defined"
virsh define "$ROOT/g2.xml" >/dev/null
uuid=$(vjson dominfo g1 | jq -r .uuid)
expect_match "virsh list --all: both shut off" "$(virsh list --all)" "^ -  +g1 +shut off"
expect_eq "virsh domuuid is vireo's uuid" "$(virsh domuuid g1)" "$uuid"
info=$(virsh dominfo g1)
expect_match "virsh dominfo: the uuid" "$info" "UUID: +$uuid"
expect_match "virsh dominfo: state" "$info" "State: +shut off"
expect_match "virsh dominfo: memory" "$info" "Max memory: +262144 KiB"
expect_match "virsh dominfo: persistent" "$info" "Persistent: +yes"
expect_match "virsh start" "$(vsay start g1)" "Domain 'g1' started"
expect_eq "virsh domstate --reason" "$(virsh domstate --reason g1)" "running (booted)"
expect_eq "... as vireo says" "$(vjson dominfo g1 | jq -r .state)" "running"
id=$(vjson dominfo g1 | jq -r .id)
expect_match "virsh list: g1 running with vireo's id" "$(virsh list)" "^ $id +g1 +running$"
expect_eq "virsh list --state-running --name" "$(virsh list --state-running --name)" "g1"
expect_eq "virsh list --inactive --name" "$(virsh list --inactive --name)" "g2"
expect_eq "virsh list --autostart --all --name: none" "$(virsh list --autostart --all --name)" ""
expect_match "virsh autostart" "$(vsay autostart g2)" "Domain 'g2' marked as autostarted"
expect_eq "virsh list --autostart --all --name: g2, as vireo says" "$(virsh list --autostart --all --name)" \
    "$(vjson list --all | jq -r '.[] | select(.autostart) | .name')"
vsay autostart --disable g2 >/dev/null
expect_match "virsh dominfo while running" "$(virsh dominfo g1)" "State: +running"
expect_match "virsh dumpxml: the live definition, vireo's uuid" "$(virsh dumpxml g1)" "<uuid>$uuid</uuid>"
expect_match "virsh dumpxml --inactive" "$(virsh dumpxml --inactive g1)" "<name>g1</name>"
wait_for 90 "virsh domifaddr: g1's DHCP lease" sh -c "command virsh -q -c '$URI' domifaddr g1 | grep -q ipv4"
addr=$(vjson domifaddr g1 | jq -r '.[0].addresses[0] | "\(.ip)/\(.prefix)"')
expect_match "... the address vireo shows" "$(virsh domifaddr g1)" "ipv4 +$addr$"
expect_match "virsh net-dhcp-leases default" "$(virsh net-dhcp-leases default)" "ipv4 +$addr "

# ---- devices and vCPUs (the driver's hot-plug) ----
vsay vol-create-as default d1.qcow2 16M --format qcow2 >/dev/null
d1=$ROOT/var/lib/vireo/images/d1.qcow2
expect_match "virsh attach-disk --live" "$(vsay attach-disk g1 "$d1" vdb --subdriver qcow2 --live)" \
    "Disk attached successfully"
expect_match "... vireo sees it" "$("$VIREO" domblklist g1)" "vdb +$d1"
expect_match "virsh blockresize" "$(vsay blockresize g1 vdb 32M)" "Block device 'vdb' is resized"
expect_eq "... vireo's domblkinfo" "$(vjson domblkinfo g1 vdb | jq -r .capacity)" 33554432
out=$(command virsh -c "$URI" blockresize g1 vdz 32M 2>&1 >/dev/null) && fail "blockresize of a missing disk worked"
expect_match "blockresize of a missing disk: device not found" "$out" "error: device not found: .*vdz"
vsay setvcpus g2 2 --maximum --config >/dev/null
vsay setvcpus g2 2 --config >/dev/null
expect_match "virsh setvcpus --maximum --config, then vcpucount" "$(virsh vcpucount g2)" "maximum +config +2"
expect_eq "... vireo's vcpucount" "$(vjson vcpucount g2 | jq -c '[.maximum_config, .current_config]')" "[2,2]"
expect_match "virsh attach-disk --config" "$(vsay attach-disk g2 "$d1" vdc --subdriver qcow2 --config)" \
    "Disk attached successfully"
expect_match "... in the next start's definition" "$(virsh dumpxml --inactive g2)" "<target dev=\"vdc\""
expect_match "virsh detach-disk --config" "$(vsay detach-disk g2 vdc --config)" "Disk detached successfully"

# ---- networks and storage ----
expect_match "virsh net-list" "$(virsh net-list --all)" "^ default +active +yes +yes$"
bridge=$(vjson net-info default | jq -r .bridge)
expect_match "virsh net-info: vireo's bridge" "$(virsh net-info default)" "Bridge: +$bridge$"
expect_match "virsh net-dumpxml: vireo's uuid" "$(virsh net-dumpxml default)" \
    "<uuid>$(vjson net-info default | jq -r .uuid)</uuid>"
# virsh net-update (virNetworkUpdate): a static DHCP host into the running
# dnsmasq and the definition together, as vireo's net-update does.
h1="<host mac='52:54:00:00:00:11' name='h1' ip='192.168.122.11'/>"
expect_match "virsh net-update add ip-dhcp-host --live --config" \
    "$(vsay net-update default add ip-dhcp-host "$h1" --live --config)" "Updated network default persistent config and live state"
expect_match "... in the definition" "$(virsh net-dumpxml --inactive default)" "<host mac=\"52:54:00:00:00:11\" name=\"h1\" ip=\"192.168.122.11\"/>"
expect_match "... and in the running dnsmasq's hosts" "$(cat "$ROOT"/run/vireo/network/default/dhcp.hosts)" "52:54:00:00:00:11"
expect_match "vireo net-dumpxml sees it too" "$("$VIREO" net-dumpxml default)" "52:54:00:00:00:11"
out=$(command virsh -c "$URI" net-update default add ip-dhcp-host "<host mac='52:54:00:00:00:12' ip='192.168.122.12'/>" 2>&1 >/dev/null) &&
    fail "net-update of the running network's live state alone succeeded"
expect_match "virsh net-update without --live --config: refused, one line" "$out" "give --live --config"
out=$(command virsh -c "$URI" net-update default add dns-host "<host ip='192.168.122.9'><hostname>x</hostname></host>" --live --config 2>&1 >/dev/null) &&
    fail "net-update of dns-host succeeded"
expect_match "virsh net-update of another section: not supported, one line" "$out" "ip-dhcp-host section only"
expect_match "virsh net-update delete ip-dhcp-host --live --config" \
    "$(vsay net-update default delete ip-dhcp-host "$h1" --live --config)" "Updated network default persistent config and live state"
grep -q 52:54:00:00:00:11 "$ROOT"/run/vireo/network/default/dhcp.hosts && fail "the host is still in dnsmasq's hosts"
ok "... gone from the running dnsmasq's hosts"
expect_match "virsh pool-list" "$(virsh pool-list --all)" "^ default +active +yes$"
expect_match "virsh vol-create-as" "$(vsay vol-create-as default v1.qcow2 16M --format qcow2)" "Vol v1.qcow2 created"
expect_match "virsh vol-list" "$(virsh vol-list default)" "^ v1.qcow2 +$ROOT/var/lib/vireo/images/v1.qcow2$"
expect_match "virsh vol-info: vireo's capacity" "$(virsh vol-info v1.qcow2 --pool default)" "Capacity: +16.00 MiB"
expect_eq "... vireo sees the same volume" "$(vjson vol-info v1.qcow2 --pool default | jq -r .capacity)" 16777216
expect_match "virsh vol-delete" "$(vsay vol-delete v1.qcow2 --pool default)" "Vol v1.qcow2 deleted"

# ---- libvirt's error text ----
out=$(command virsh -c "$URI" dominfo nope 2>&1 >/dev/null) && fail "dominfo of a missing domain succeeded"
expect_match "virsh dominfo nope: libvirt's error" "$out" "^error: failed to get domain 'nope'$"
out=$(command virsh -c "$URI" net-info nope 2>&1 >/dev/null) && fail "net-info of a missing network succeeded"
expect_match "virsh net-info nope: Network not found" "$out" \
    "error: Network not found: no network with matching name 'nope'"
out=$(command virsh -c "$URI" shutdown g2 2>&1 >/dev/null) && fail "shutdown of a shut-off domain succeeded"
expect_match "virsh shutdown of a shut-off domain: the driver's reason" "$out" \
    "Requested operation is not valid: domain 'g2' is not running"
out=$(command virsh -c "$URI" define /dev/stdin <<<"<domain type='qemu'><name>bad</name>" 2>&1 >/dev/null) &&
    fail "a broken definition was taken"
expect_match "virsh define of broken XML: XML error" "$out" "error: XML error: "

# ---- the read-only socket ----
expect_match "read-only socket: virsh -r list" "$(command virsh -r -q -c "$RO_URI" list --all)" "g1 +running"
out=$(command virsh -c "$RO_URI" define "$ROOT/g2.xml" 2>&1 >/dev/null) && fail "read-only socket took a define"
expect_match "read-only socket refuses define" "$out" \
    "operation forbidden: read only access prevents virDomainDefineXML"
out=$(command virsh -c "$RO_URI" destroy g1 2>&1 >/dev/null) && fail "read-only socket took a destroy"
expect_match "read-only socket refuses destroy" "$out" "operation forbidden: read only access prevents virDomainDestroy"

# ---- python3-libvirt: list, look up, start, an event from another client, XML ----
command virsh -c "$URI" event --loop --event lifecycle >"$ROOT/virsh-events" 2>&1 &
EVENTS_PID=$!
py=$(/usr/bin/python3 - "$URI" "$VIREO" <<'PY'
import libvirt, subprocess, sys, time
uri, vireo = sys.argv[1:]
libvirt.virEventRegisterDefaultImpl()
libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(uri)
seen = []
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                            lambda c, d, ev, det, o: seen.append((d.name(), ev, det)), None)
print("list", " ".join(sorted(d.name() for d in conn.listAllDomains())))
print("inactive", " ".join(d.name() for d in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_INACTIVE)))
try:
    conn.lookupByName("nope")
except libvirt.libvirtError as e:
    print("lookup-error", e.get_error_code(), e)
g2 = conn.lookupByName("g2")
print("state-before", g2.state()[0])
# Another client starts it: vireo over the HTTP/JSON socket.
subprocess.run([vireo, "start", "g2"], check=True, stdout=subprocess.DEVNULL)
end = time.time() + 30
while time.time() < end and ("g2", libvirt.VIR_DOMAIN_EVENT_STARTED, 0) not in seen:
    libvirt.virEventRunDefaultImpl()
print("event", *(seen[-1] if seen else ()))
print("active", g2.isActive(), g2.state()[0])
print("xml-name", "<name>g2</name>" in g2.XMLDesc(0))
g2.destroy()
end = time.time() + 30
while time.time() < end and ("g2", libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED) not in seen:
    libvirt.virEventRunDefaultImpl()
print("stopped", ("g2", 5, 1) in seen)
g2.create()
print("started-again", g2.isActive())
conn.close()
PY
)
expect_match "python: listAllDomains" "$py" "^list g1 g2$"
expect_match "python: listAllDomains(INACTIVE)" "$py" "^inactive g2$"
expect_match "python: lookupByName of a missing domain: VIR_ERR_NO_DOMAIN" "$py" \
    "^lookup-error 42 Domain not found: no domain with matching name 'nope'$"
expect_match "python: state shut off before" "$py" "^state-before 5$"
expect_match "python: lifecycle event Started/Booted for vireo's start" "$py" "^event g2 2 0$"
expect_match "python: the domain is running" "$py" "^active 1 1$"
expect_match "python: XMLDesc" "$py" "^xml-name True$"
expect_match "python: its own destroy comes back as Stopped/Destroyed" "$py" "^stopped True$"
expect_match "python: create() starts it again" "$py" "^started-again 1$"
wait_for 20 "virsh event --loop saw g2 start (another client's doing)" \
    file_has "$ROOT/virsh-events" "event 'lifecycle' for domain 'g2': Started Booted"
file_has "$ROOT/virsh-events" "event 'lifecycle' for domain 'g2': Stopped Destroyed" ||
    fail "virsh event --loop missed the destroy: $(cat "$ROOT/virsh-events")"
ok "virsh event --loop saw it destroyed"
# A destroy is one "Stopped Destroyed", as libvirtd sends it: QEMU's own
# SHUTDOWN (host-signal) on the way is not a second event.
if grep -q "domain 'g2': Shutdown" "$ROOT/virsh-events" || grep -q "event: domain g2 shutdown (host)" "$ROOT/vireod.log"; then
    fail "destroy sent a Shutdown event before Stopped Destroyed: $(grep 'domain g2' "$ROOT/vireod.log")"
fi
ok "destroy sends no Shutdown event of its own"

# ---- malformed messages close their own connection only ----
probe=$(/usr/bin/python3 - "$ROOT/libvirt-sock" <<'PY'
import socket, struct, sys
path = sys.argv[1]
def send(data, half_close=False):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(data)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    s.settimeout(5)
    try:
        got = s.recv(65536)
    except socket.timeout:
        got = b"TIMEOUT"
    s.close()
    return got
header = lambda proc, serial: struct.pack(">IIiiIi", 0x20008086, 1, proc, 0, serial, 0)
print("garbage", send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == b"")
print("truncated", send(struct.pack(">I", 200) + header(1, 1)[:10], half_close=True) == b"")
print("short", send(struct.pack(">I", 12) + b"\0" * 8) == b"")
print("huge", send(struct.pack(">I", 0x7fffffff) + header(1, 1)) == b"")
# A frame that is whole but whose arguments do not decode: an RPC error
# answer on a connection that stays usable.
s = socket.socket(socket.AF_UNIX)
s.connect(path)
body = header(1, 7) + struct.pack(">II", 1, 0xfffffff0)
s.sendall(struct.pack(">I", len(body) + 4) + body)
reply = s.recv(65536)
status = struct.unpack(">i", reply[24:28])[0]
print("bad-args-status", status, b"cannot decode the arguments of virConnectOpen" in reply)
body = header(66, 8)  # AUTH_LIST on the same connection
s.sendall(struct.pack(">I", len(body) + 4) + body)
reply = s.recv(65536)
print("after", struct.unpack(">IiI", reply[20:28] + reply[28:32])[0:3])
PY
)
expect_match "garbage closes the connection" "$probe" "^garbage True$"
expect_match "a truncated frame closes the connection" "$probe" "^truncated True$"
expect_match "a frame shorter than a header closes the connection" "$probe" "^short True$"
expect_match "a frame over the size limit closes the connection" "$probe" "^huge True$"
expect_match "undecodable arguments: an RPC error answer" "$probe" "^bad-args-status 1 True$"
expect_match "... and the connection goes on (AUTH_LIST answered)" "$probe" "^after \(8, 0, 1\)$"
expect_match "the daemon keeps answering" "$(virsh list)" "g1 +running"
expect_match "the closes are logged" "$(cat "$ROOT/vireod.log")" "libvirt-sock: a message of [0-9]+ bytes"

# ---- stop and remove, and what was not served ----
expect_match "virsh shutdown (ACPI)" "$(vsay shutdown g1)" "Domain 'g1' is being shutdown"
wait_for 60 "g1 powers off" state_is g1 "shut off (shutdown)"
expect_match "virsh destroy" "$(vsay destroy g2)" "Domain 'g2' destroyed"
expect_match "virsh undefine" "$(vsay undefine g1)" "Domain 'g1' has been undefined"
virsh undefine g2 >/dev/null
expect_eq "vireo list --all: both gone" "$("$VIREO" list --all --json | jq length)" 0
# virsh's --nvram: a UEFI domain's variable store (made by hand here, as
# its first start would) is not lost without it, and goes with it.
cat >"$ROOT/efi.xml" <<XML
<domain type='qemu'><name>efi</name><memory unit='MiB'>64</memory>
  <os><type machine='q35'>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
  <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>$ROOT/efi_VARS.fd</nvram></os></domain>
XML
virsh define "$ROOT/efi.xml" >/dev/null
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$ROOT/efi_VARS.fd"
expect_match "virsh undefine of a domain with NVRAM is refused" "$(virsh undefine efi 2>&1)" "cannot undefine domain 'efi' with nvram"
expect_match "virsh undefine --nvram" "$(vsay undefine efi --nvram)" "Domain 'efi' has been undefined"
[ ! -e "$ROOT/efi_VARS.fd" ] || fail "virsh undefine --nvram left $ROOT/efi_VARS.fd"
ok "  and the NVRAM file is gone"
# virsh nodecpumap (virNodeGetCPUMap, 293): the host's own sysfs facts.
present=$(( $(sed 's/.*[-,]//' /sys/devices/system/cpu/present) + 1 ))
cm=$(virsh nodecpumap)
expect_match "virsh nodecpumap: the CPUs present" "$cm" "CPUs present: +$present\$"
expect_match "virsh nodecpumap: the CPUs online" "$cm" "CPUs online: +$(getconf _NPROCESSORS_ONLN)\$"
expect_match "virsh nodecpumap: the map, one y per online CPU" "$cm" "CPU map: +y{$(getconf _NPROCESSORS_ONLN)}"
# virsh cpu-models (virConnectGetCPUModelNames, 312): QEMU's models, the
# domain capabilities' custom ones.
models=$(virsh cpu-models x86_64)
expect_match "virsh cpu-models x86_64: QEMU's named models" "$models" "^Skylake-Client$"
expect_eq "... the domain capabilities' custom models, the same list" "$models" \
    "$(virsh domcapabilities | sed -n "s|.*<model usable='unknown' vendor='unknown'>\(.*\)</model>|\1|p")"
expect_match "virsh cpu-models of another architecture: one line naming it" \
    "$(command virsh -c "$URI" cpu-models aarch64 2>&1 >/dev/null)" "architecture 'aarch64' is not served here"
# virsh nodememstats (virNodeGetMemoryStats, 228; Cockpit's Create VM
# dialog reads its total): /proc/meminfo's values in KiB.
ms=$(virsh nodememstats)
expect_match "virsh nodememstats: the host's total memory" "$ms" \
    "^total +: +$(awk '/^MemTotal:/ {print $2}' /proc/meminfo) KiB\$"
expect_match "virsh nodememstats: free, buffers and cached too" "$(grep -c -E '^(free|buffers|cached) *: +[0-9]+ KiB$' <<<"$ms")" '^3$'
expect_match "virsh nodememstats of a cell the host lacks: one line naming it" \
    "$(command virsh -c "$URI" nodememstats --cell 3 2>&1 >/dev/null)" "one NUMA cell \(0\), not 3"
# virsh nodecpustats (virNodeGetCPUStats, 227): /proc/stat's times in ns.
cs=$(virsh nodecpustats)
expect_eq "virsh nodecpustats: user, system, idle and iowait" "$(grep -c -E '^(user|system|idle|iowait): +[0-9]+$' <<<"$cs")" 4
hz=$(getconf CLK_TCK)
idle_ns=$(awk -v hz="$hz" '/^cpu / {printf "%.0f", $5 * 1e9 / hz}' /proc/stat)
got=$(awk '/^idle:/ {print $2}' <<<"$cs")
[ "$got" -gt 0 ] && [ "$got" -le "$idle_ns" ] && [ $((idle_ns - got)) -lt $((10 * 1000000000 * $(nproc))) ] ||
    fail "virsh nodecpustats idle $got ns is not /proc/stat's ($idle_ns ns, read after)"
ok "... idle is the host's (/proc/stat, $got ns)"
expect_match "virsh nodecpustats --cpu 1: one CPU's" "$(virsh nodecpustats --cpu 1)" "^user: +[0-9]+$"
expect_match "virsh nodecpustats of a CPU the host lacks: one line naming it" \
    "$(command virsh -c "$URI" nodecpustats --cpu 99 2>&1 >/dev/null)" "no CPU 99"
virsh define "$ROOT/g2.xml" >/dev/null
virsh memtune g2 >/dev/null 2>&1 || true
virsh memtune g2 >/dev/null 2>&1 || true
virsh undefine g2 >/dev/null
expect_eq "an unserved procedure is logged once (virDomainGetMemoryParameters, 198)" \
    "$(grep -c 'procedure 198 (virDomainGetMemoryParameters) is not supported' "$ROOT/vireod.log")" 1
expect_eq "virsh dominfo's virDomainGetMessages (426) is served, never logged unserved" \
    "$(grep -c 'procedure 426' "$ROOT/vireod.log")" 0
no_sanitizer_report
echo "libvirt-rpc: $CHECKS checks passed"
