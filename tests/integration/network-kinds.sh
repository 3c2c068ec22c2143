#!/usr/bin/env bash
# The five networks of the course (unit 6), as recorded in shared/course,
# with real guests: NAT, isolated, isolated without an IP (a plain
# switch), bridged to a host bridge, and macvtap on a host NIC; plus
# <interface type='direct'> without a network. Namespace "host" runs
# vireod and the guests; namespace "lan" is the LAN beyond the host's
# NICs, with a real dnsmasq of its own. The host's NICs are veths made
# here; the course's device names are swapped for them with sed.
. "$(dirname "$0")/lib.sh"
need_images
# Byte-for-byte copies of the course's files (shared/course/red-*.xml).
COURSE=$VIREO_SRC/tests/fixtures/network
HOSTNS=vrk-host-$$
LANNS=vrk-lan-$$
test_cleanup() {
    # $LAN_DNSMASQ is the subshell that runs `ip netns exec`: the LAN's
    # dnsmasq itself is found in its namespace (it outlived every run).
    [ -n "${LAN_DNSMASQ:-}" ] && kill "$LAN_DNSMASQ" 2>/dev/null
    local pid
    for pid in $(ip netns pids "$LANNS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    netns_remove
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
inhost() { ip netns exec "$HOSTNS" "$@"; }
inlan() { ip netns exec "$LANNS" "$@"; }
netns_make "$HOSTNS" "$LANNS"
# veth pairs, host end -> lan end (address on the lan end):
#   nic0 -> lan0  10.88.0.1  the NIC macvtap guests sit on
#   bp0  -> lan1  10.87.0.1  a port of the host bridge br0 (red_bridge)
#   sw0  -> lan2  10.89.0.1  a port plugged into red_muy_aislada's switch
#   pt0  -> lan3             a NIC for passthrough
veth "$HOSTNS" nic0 - "$LANNS" lan0 10.88.0.1
veth "$HOSTNS" bp0 - "$LANNS" lan1 10.87.0.1
veth "$HOSTNS" sw0 - "$LANNS" lan2 10.89.0.1
veth "$HOSTNS" pt0 - "$LANNS" lan3 -
ip -n "$HOSTNS" link add br0 type bridge
ip -n "$HOSTNS" link set bp0 master br0
ip -n "$HOSTNS" link set br0 up
# The LAN's own DHCP server, one range per segment.
inlan dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --bind-interfaces \
    --interface=lan0 --interface=lan1 --interface=lan2 --dhcp-authoritative \
    --dhcp-range=10.88.0.50,10.88.0.99,255.255.255.0,1h \
    --dhcp-range=10.87.0.50,10.87.0.99,255.255.255.0,1h \
    --dhcp-range=10.89.0.50,10.89.0.99,255.255.255.0,1h \
    --dhcp-leasefile="$ROOT/lan.leases" --pid-file="$ROOT/lan-dnsmasq.pid" \
    --log-facility="$ROOT/lan-dnsmasq.log" &
LAN_DNSMASQ=$!
ok "namespaces host and lan, four veths, br0, the LAN's dnsmasq"

DAEMON_WRAP="ip netns exec $HOSTNS" start_daemon
SSH_OPTS=(-i "$IMAGES/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR)
lan_ssh() { local ip=$1; shift; inlan ssh "${SSH_OPTS[@]}" "root@$ip" "$@"; }
host_ssh() { local ip=$1; shift; inhost ssh "${SSH_OPTS[@]}" "root@$ip" "$@"; }
mac_of() { "$VIREO" domiflist "$1" --json | jq -r '.[0].mac'; }
dev_of() { "$VIREO" domiflist "$1" --json | jq -r '.[0].interface'; }
# The address the LAN's dnsmasq leased to a guest.
lan_ip() { awk -v m="$(mac_of "$1")" '$2 == m { print $3 }' "$ROOT/lan.leases" 2>/dev/null | tail -1; }
has_lan_ip() { [ -n "$(lan_ip "$1")" ]; }
vireo_ip() { "$VIREO" domifaddr "$1" --json | jq -r '.[0].addresses[0].ip // empty'; }
has_vireo_ip() { [ -n "$(vireo_ip "$1")" ]; }
links() { inhost ip -o link | wc -l; }
iface() { echo "<interface type='$1'><source $2/><model type='virtio'/></interface>"; }
guest() { tiny_xml "$1" qemu "$2" > "$ROOT/$1.xml"; "$VIREO" define "$ROOT/$1.xml" >/dev/null; }

# ---- every course file defines and starts -----------------------------------
sed 's/"enp1s0"/"nic0"/' "$COURSE/red-macvtap.xml" > "$ROOT/red-macvtap.xml"
cp "$COURSE/red-nat.xml" "$COURSE/red-aislada.xml" "$COURSE/red-muy-aislada.xml" \
    "$COURSE/red-bridge.xml" "$ROOT/"   # red-bridge names br0, made above
for f in red-nat red-aislada red-muy-aislada red-bridge red-macvtap; do
    expect_match "net-define $f.xml" "$("$VIREO" net-define "$ROOT/$f.xml")" "defined from"
done
for n in red_nat red_aislada red_muy_aislada red_bridge red_macvtap; do
    expect_match "net-start $n" "$("$VIREO" net-start "$n")" "Network $n started"
done
expect_eq "five active networks" "$("$VIREO" net-list | grep -c ' active ')" 5

# A guest on each, all booting together (TCG boots are the slow part).
# A port of red_muy_aislada's switch leads to the LAN namespace, whose
# dnsmasq gives its guests addresses as a DHCP server on a real switch
# would.
ip -n "$HOSTNS" link set sw0 master virbr3
guest s1 "$(iface network "network='red_muy_aislada'")"
guest s2 "$(iface network "network='red_muy_aislada'")"
guest b1 "$(iface network "network='red_bridge'")"
guest n1 "$(iface network "network='red_nat'")"
guest m1 "$(iface network "network='red_macvtap'")"
guest d1 "$(iface direct "dev='nic0' mode='bridge'")"
for g in s1 s2 b1 n1 m1 d1; do "$VIREO" start "$g" >/dev/null; done

# ---- red_muy_aislada: a switch without an IP --------------------------------
info=$("$VIREO" net-info red_muy_aislada --json)
expect_eq "no-IP network: forward none" "$(jq -r .forward <<<"$info")" none
expect_eq "no-IP network: no address" "$(jq -r .address <<<"$info")" null
expect_match "net-info text has no Address line" "$("$VIREO" net-info red_muy_aislada)" 'Forward: +none'
"$VIREO" net-info red_muy_aislada | grep -q '^Address:' && fail "net-info shows an address"
[ -z "$(inhost ip -4 -o addr show dev virbr3)" ] || fail "virbr3 has an address"
ok "virbr3 has no host address"
[ -e "$ROOT/run/vireo/network/red_muy_aislada/dnsmasq.pid" ] && fail "a dnsmasq runs for it"
ok "no dnsmasq for the no-IP network"
"$VIREO" net-dumpxml red_muy_aislada > "$ROOT/muy.xml"
"$VIREO" net-define "$ROOT/muy.xml" >/dev/null
expect_eq "net-dumpxml round-trips" "$("$VIREO" net-dumpxml red_muy_aislada)" "$(cat "$ROOT/muy.xml")"
grep -q '<ip' "$ROOT/muy.xml" && fail "net-dumpxml invents an <ip>"
ok "net-dumpxml has no <ip>"
wait_for 90 "s1 has an address from the switch's DHCP" has_lan_ip s1
wait_for 90 "s2 has an address from the switch's DHCP" has_lan_ip s2
s1ip=$(lan_ip s1)
s2ip=$(lan_ip s2)
wait_for 60 "SSH into s1 across the switch" lan_ssh "$s1ip" true
lan_ssh "$s1ip" "ping -c 1 -W 5 $s2ip" >/dev/null || fail "s1 cannot ping s2"
ok "guests on the switch reach each other"
if inhost busybox ping -c 1 -W 2 "$s1ip" >/dev/null 2>&1; then fail "the host reached a guest on the no-IP network"; fi
ok "the host has no way onto the no-IP network"
"$VIREO" destroy s1 >/dev/null
"$VIREO" destroy s2 >/dev/null

# ---- red_bridge: guests join the host bridge br0 ----------------------------
expect_match "b1's tap is a port of br0" "$(inhost ip -o link show master br0)" "$(dev_of b1)"
wait_for 90 "b1 has an address from the LAN" has_lan_ip b1
expect_match "b1's address is the LAN's" "$(lan_ip b1)" '^10\.87\.0\.'
wait_for 60 "the LAN reaches b1 over SSH" lan_ssh "$(lan_ip b1)" true
"$VIREO" destroy b1 >/dev/null

# ---- red_nat: DHCP from Vireo, SSH from the host ----------------------------
wait_for 90 "n1 has a lease on red_nat" has_vireo_ip n1
expect_match "n1's address is in red_nat's range" "$(vireo_ip n1)" '^192\.168\.101\.'
wait_for 60 "SSH from the host into n1" host_ssh "$(vireo_ip n1)" true
"$VIREO" destroy n1 >/dev/null
expect_eq "red_aislada: isolated with an address" \
    "$("$VIREO" net-info red_aislada --json | jq -r '"\(.forward) \(.address)"')" "none 192.168.102.1"

# ---- red_macvtap and <interface type='direct'> ------------------------------
expect_eq "macvtap network: forward bridge" "$("$VIREO" net-info red_macvtap --json | jq -r .forward)" bridge
expect_eq "macvtap network: no bridge" "$("$VIREO" net-info red_macvtap --json | jq -r .bridge)" null
expect_match "net-dumpxml of the macvtap network" "$("$VIREO" net-dumpxml red_macvtap)" \
    '<interface dev="nic0"/>'
m1dev=$(dev_of m1)
d1dev=$(dev_of d1)
expect_match "domiflist: m1 on a macvtap of red_macvtap" "$("$VIREO" domiflist m1)" \
    "^ *macvtap[0-9]+ +network +red_macvtap +virtio +$(mac_of m1)"
expect_match "domiflist: d1 type direct, source nic0" "$("$VIREO" domiflist d1)" \
    "^ *macvtap[0-9]+ +direct +nic0 +virtio +$(mac_of d1)"
details=$(inhost ip -d link show "$m1dev")
expect_match "m1's macvtap sits on nic0" "$details" "$m1dev@nic0"
expect_match "m1's macvtap is in bridge mode" "$details" 'macvtap +mode +bridge'
expect_match "m1's macvtap carries the guest's MAC" "$details" "link/ether $(mac_of m1)"
expect_match "d1's macvtap is in bridge mode" "$(inhost ip -d link show "$d1dev")" 'macvtap +mode +bridge'
wait_for 90 "m1 has an address from the LAN's dnsmasq" has_lan_ip m1
wait_for 90 "d1 has an address from the LAN's dnsmasq" has_lan_ip d1
m1ip=$(lan_ip m1)
d1ip=$(lan_ip d1)
expect_match "m1's address is the LAN's" "$m1ip" '^10\.88\.0\.'
wait_for 30 "the LAN pings m1" inlan busybox ping -c 1 -W 2 "$m1ip"
wait_for 60 "the LAN reaches m1 over SSH" lan_ssh "$m1ip" true
wait_for 60 "the LAN reaches d1 over SSH" lan_ssh "$d1ip" true
lan_ssh "$m1ip" "ping -c 1 -W 5 $d1ip" >/dev/null || fail "m1 cannot ping d1 (both in bridge mode)"
ok "macvtap guests in bridge mode reach each other"

# Stopped: the macvtap goes with the guest.
"$VIREO" destroy d1 >/dev/null
inhost ip link show "$d1dev" >/dev/null 2>&1 && fail "$d1dev left after destroy"
ok "destroy deletes the direct interface's macvtap"

# A restarted daemon knows which macvtap is whose.
stop_daemon
DAEMON_WRAP="ip netns exec $HOSTNS" start_daemon
expect_eq "m1 re-adopted with its macvtap" "$(dev_of m1)" "$m1dev"
expect_match "red_macvtap still active" "$("$VIREO" net-list)" ' red_macvtap +active'
expect_match "red_bridge still active" "$("$VIREO" net-list)" ' red_bridge +active'
"$VIREO" destroy m1 >/dev/null
inhost ip link show "$m1dev" >/dev/null 2>&1 && fail "$m1dev left after destroy by a restarted daemon"
ok "a restarted daemon deletes the macvtap of the guest it re-adopted"

# A guest that dies: its macvtap goes, with the daemon up or away.
"$VIREO" start d1 >/dev/null
d1dev=$(dev_of d1)
kill -9 "$(cat "$ROOT/run/vireo/qemu/d1/qemu.pid")"
wait_for 30 "d1 seen crashed" state_is d1 "shut off (crashed)"
inhost ip link show "$d1dev" >/dev/null 2>&1 && fail "$d1dev left after QEMU died"
ok "a crashed guest's macvtap is deleted"
"$VIREO" start d1 >/dev/null
d1dev=$(dev_of d1)
stop_daemon
kill -9 "$(cat "$ROOT/run/vireo/qemu/d1/qemu.pid")"
sleep 0.5
DAEMON_WRAP="ip netns exec $HOSTNS" start_daemon
inhost ip link show "$d1dev" >/dev/null 2>&1 && fail "$d1dev left after QEMU died while the daemon was away"
ok "a macvtap of a run that ended while the daemon was away is deleted"

# ---- bad input: one line, nothing left behind -------------------------------
cat > "$ROOT/neither.xml" <<XML
<network><name>neither</name><forward mode='bridge'/></network>
XML
expect_fail "mode bridge with neither <bridge> nor <interface>" \
    "<forward mode='bridge'> needs <bridge name='...'>.*or <interface dev='...'>" \
    "$VIREO" net-define "$ROOT/neither.xml"
cat > "$ROOT/ghost.xml" <<XML
<network><name>ghost</name><forward mode='vepa'><interface dev='nosuch0'/></forward></network>
XML
"$VIREO" net-define "$ROOT/ghost.xml" >/dev/null
before=$(links)
expect_fail "a macvtap network on a missing device" \
    "<interface dev='nosuch0'>: device nosuch0 does not exist" "$VIREO" net-start ghost
expect_match "ghost stays inactive" "$("$VIREO" net-list --all)" ' ghost +inactive'
guest x1 "$(iface direct "dev='nosuch0'")"
expect_fail "a direct interface on a missing device" \
    "<source dev='nosuch0'>: device nosuch0 does not exist" "$VIREO" start x1
guest x2 "$(iface direct "dev='bp0' mode='bridge'")"
expect_fail "a direct interface on a bridge port" "device bp0 is a port of bridge br0" "$VIREO" start x2
cat > "$ROOT/enslaved.xml" <<XML
<network><name>enslaved</name><forward mode='bridge'><interface dev='bp0'/></forward></network>
XML
"$VIREO" net-define "$ROOT/enslaved.xml" >/dev/null
expect_fail "a macvtap network on a bridge port" "<interface dev='bp0'>: device bp0 is a port of bridge br0" \
    "$VIREO" net-start enslaved
expect_eq "no links left by the refusals" "$(links)" "$before"
# passthrough: one guest per device.
cat > "$ROOT/pt.xml" <<XML
<network><name>pt</name><forward mode='passthrough'><interface dev='pt0'/></forward></network>
XML
"$VIREO" net-define "$ROOT/pt.xml" >/dev/null
"$VIREO" net-start pt >/dev/null
guest p1 "$(iface network "network='pt'")"
guest p2 "$(iface network "network='pt'")"
"$VIREO" start p1 >/dev/null
expect_match "p1's macvtap in passthrough mode on pt0" "$(inhost ip -d link show "$(dev_of p1)")" \
    'macvtap +mode +passthru'
before=$(links)
expect_fail "passthrough with every device in use" \
    "network 'pt': all 1 devices of <forward mode='passthrough'> are in use" "$VIREO" start p2
expect_eq "no links left by the refused start" "$(links)" "$before"
expect_match "p2 stays shut off" "$("$VIREO" domstate p2)" 'shut off'
"$VIREO" destroy p1 >/dev/null
"$VIREO" start p2 >/dev/null
ok "with p1 stopped, pt0 serves p2"
"$VIREO" destroy p2 >/dev/null
expect_eq "every macvtap gone" "$(inhost ip -o link show type macvtap | wc -l)" 0
no_sanitizer_report
