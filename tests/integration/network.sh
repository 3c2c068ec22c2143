#!/usr/bin/env bash
# Virtual networks with real bridges, dnsmasq and nftables, inside
# network namespaces this test makes: "host" runs vireod and the guests,
# "outside" is the world beyond NAT, joined to host by a veth. The
# machine's own namespace is never touched.
. "$(dirname "$0")/lib.sh"
need_images
HOSTNS=vrt-host-$$
OUTNS=vrt-out-$$
test_cleanup() {
    [ -n "${HTTPD:-}" ] && kill "$HTTPD" 2>/dev/null
    ip netns del "$HOSTNS" 2>/dev/null
    ip netns del "$OUTNS" 2>/dev/null
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
ip netns add "$HOSTNS"
ip netns add "$OUTNS"
ip -n "$HOSTNS" link add up0 type veth peer name out0 netns "$OUTNS"
ip -n "$HOSTNS" addr add 10.99.0.1/24 dev up0
ip -n "$OUTNS" addr add 10.99.0.2/24 dev out0
for ns in "$HOSTNS" "$OUTNS"; do ip -n "$ns" link set lo up; done
ip -n "$HOSTNS" link set up0 up
ip -n "$OUTNS" link set out0 up
ip -n "$HOSTNS" route add default via 10.99.0.2
ok "namespaces host and outside, joined by a veth"

# The outside server tells each client the address it sees.
mkdir -p "$ROOT/www/cgi-bin"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "SEEN=$REMOTE_ADDR"\n' > "$ROOT/www/cgi-bin/ip"
chmod +x "$ROOT/www/cgi-bin/ip"
ip netns exec "$OUTNS" busybox httpd -f -p 10.99.0.2:8080 -h "$ROOT/www" &
HTTPD=$!

DAEMON_WRAP="ip netns exec $HOSTNS" DAEMON_OPTS=" " start_daemon
inhost() { ip netns exec "$HOSTNS" "$@"; }
SSH_OPTS=(-i "$IMAGES/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR)
guest_ssh() { local ip=$1; shift; inhost ssh "${SSH_OPTS[@]}" "root@$ip" "$@"; }

# The default network: there from the first start, NAT, active.
list=$("$VIREO" net-list --all)
expect_match "default network listed active, autostart" "$list" ' default +active +yes +yes'
info=$("$VIREO" net-info default --json)
# libvireo reads the list in rows: a network's DHCP ranges (objects in its row) kept.
expect_eq "net-list --json keeps the DHCP range" \
    "$("$VIREO" net-list --all --json | jq -c '.[] | select(.name == "default") | .dhcp')" "$(jq -c .dhcp <<<"$info")"
expect_rows_form /v1/networks networks
expect_eq "default is NAT" "$(jq -r .forward <<<"$info")" nat
expect_eq "default subnet" "$(jq -r '"\(.address)/\(.prefix)"' <<<"$info")" "192.168.122.1/24"
br=$(jq -r .bridge <<<"$info")
inhost ip link show "$br" >/dev/null || fail "bridge $br missing"
ok "bridge $br exists in the host namespace"
inhost nft list table ip "vireo_$br" >/dev/null || fail "no nftables table for $br"
ok "nftables table vireo_$br"
# libnftables is opened at first use: the default network's rules, at start.
daemon_maps libnftables || fail "vireod made the default network's rules without loading libnftables"
ok "the default network's rules loaded libnftables"
daemon_lazy_unloaded "with no disk, fs or iscsi-direct pool" libfdisk libiscsi

net_iface() { echo "<interface type='network'><source network='$1'/><model type='virtio'/>${2:+<mac address='$2'/>}</interface>"; }
guest_ip() { "$VIREO" domifaddr "$1" --json | jq -r '.[0].addresses[0].ip // empty'; }
has_ip() { [ -n "$(guest_ip "$1")" ]; }

# tiny.trace: the guest prints each boot step on its console, "hostname"
# right before its DHCP client starts.
tiny_xml g1 qemu "$(net_iface default)" | sed 's/cryptomgr.notests=1/& tiny.trace/' > "$ROOT/g1.xml"
tiny_xml g2 qemu "$(net_iface default)" > "$ROOT/g2.xml"
"$VIREO" define "$ROOT/g1.xml" >/dev/null
"$VIREO" define "$ROOT/g2.xml" >/dev/null
# The default network's bridge forwards a new port at once: STP off.
expect_eq "default: STP off, no forward delay (net-info)" \
    "$(jq -r '"\(.stp) \(.forward_delay_ms)"' <<<"$info")" "false 0"
expect_eq "default: the kernel has STP off" "$(inhost cat /sys/class/net/"$br"/bridge/stp_state)" 0
expect_eq "default: the kernel has no forward delay" "$(inhost cat /sys/class/net/"$br"/bridge/forward_delay)" 0
# So the lease comes as soon as the guest asks: within a second of its
# DHCP client starting (STP would hold the port for 2 x the forward
# delay, dnsmasq's ping check would add 3 s). From `vireo start` the
# guest's own boot comes first (about 4-5 s under TCG here): reported.
serial1=$ROOT/var/log/vireo/qemu/g1-serial0.log
t0=${EPOCHREALTIME/./}
"$VIREO" start g1 >/dev/null
t_ask= t_lease=
for _ in $(seq 1 1800); do
    [ -z "$t_ask" ] && grep -q 'tiny: [0-9.]* hostname' "$serial1" 2>/dev/null && t_ask=${EPOCHREALTIME/./}
    if has_ip g1; then t_lease=${EPOCHREALTIME/./}; break; fi
    sleep 0.05
done
[ -n "$t_lease" ] || fail "g1 has no lease 90 s after start"
[ -n "$t_ask" ] || t_ask=$t_lease # the lease came within one poll of the client starting
ok "g1 has a lease"
echo "# g1: start -> DHCP client starts $(( (t_ask - t0) / 1000 )) ms -> lease $(( (t_lease - t0) / 1000 )) ms"
ask_ms=$(( (t_lease - t_ask) / 1000 ))
[ "$ask_ms" -le 1000 ] || fail "g1's lease came $ask_ms ms after its DHCP client started (want within 1000 ms)"
ok "g1 leased within 1 s of its DHCP client starting ($ask_ms ms)"
"$VIREO" start g2 >/dev/null
wait_for 90 "g2 has a lease" has_ip g2
ip1=$(guest_ip g1)
ip2=$(guest_ip g2)
expect_match "g1 address in the DHCP range" "$ip1" '^192\.168\.122\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])$'
mac1=$("$VIREO" domiflist g1 --json | jq -r '.[0].mac')
expect_match "net-dhcp-leases shows g1" "$("$VIREO" net-dhcp-leases default)" "$mac1 +ipv4 +$ip1/24"
expect_match "domiflist" "$("$VIREO" domiflist g1)" "vnet[0-9]+ +network +default +virtio +$mac1"
wait_for 30 "the host pings g1" inhost busybox ping -c 1 -W 2 "$ip1"
wait_for 60 "SSH into g1 works" guest_ssh "$ip1" true
expect_match "uname -r over SSH (the course's exercise)" "$(guest_ssh "$ip1" uname -r)" '^[0-9]+\.[0-9]+\.[0-9]+-.*cloud-amd64$'

# Two guests on one network reach each other.
guest_ssh "$ip1" "ping -c 1 -W 5 $ip2" >/dev/null || fail "g1 cannot ping g2"
ok "g1 pings g2"

# Through NAT the guest reaches outside, which sees the host's address.
seen=$(guest_ssh "$ip1" "wget -q -O - http://10.99.0.2:8080/cgi-bin/ip")
expect_eq "outside sees the host, not the guest" "$seen" "SEEN=10.99.0.1"

# An in-use network cannot be destroyed or undefined.
expect_fail "net-destroy of a network in use" "in use by running domain\(s\) g1, g2" "$VIREO" net-destroy default
expect_fail "net-undefine of a network in use" "in use" "$VIREO" net-undefine default

# A DHCP host entry pins a guest to its address.
out=$("$VIREO" net-update default add ip-dhcp-host "<host mac='52:54:00:aa:bb:01' name='pinned' ip='192.168.122.77'/>")
expect_match "net-update add: the running network's dnsmasq and its definition, in virsh's words" "$out" \
    "^Updated network default persistent config and live state$"
expect_fail "net-update --live alone on a running network: refused, not done as both" "give --live --config, or neither" \
    "$VIREO" net-update default add ip-dhcp-host "<host mac='52:54:00:aa:bb:03' ip='192.168.122.78'/>" --live
"$VIREO" net-dumpxml default | grep -q 52:54:00:aa:bb:03 && fail "the refused net-update changed the definition"
ok "... and nothing changed"
expect_match "entry in the XML" "$("$VIREO" net-dumpxml default)" "192.168.122.77"
tiny_xml g3 qemu "$(net_iface default 52:54:00:aa:bb:01)" > "$ROOT/g3.xml"
"$VIREO" define "$ROOT/g3.xml" >/dev/null
"$VIREO" start g3 >/dev/null
wait_for 90 "g3 has a lease" has_ip g3
expect_eq "g3 got its pinned address" "$(guest_ip g3)" "192.168.122.77"
"$VIREO" destroy g3 >/dev/null
expect_fail "net-update with an IP outside the subnet" "" "$VIREO" net-update default add ip-dhcp-host "<host mac='52:54:00:aa:bb:02' ip='10.1.1.1'/>"

# An isolated network: guests and host only.
cat > "$ROOT/iso.xml" <<XML
<network><name>iso</name><ip address='10.77.0.1' netmask='255.255.255.0'><dhcp><range start='10.77.0.10' end='10.77.0.50'/></dhcp></ip></network>
XML
expect_match "net-define isolated" "$("$VIREO" net-define "$ROOT/iso.xml")" "Network iso defined"
tiny_xml g4 qemu "$(net_iface iso)" > "$ROOT/g4.xml"
"$VIREO" define "$ROOT/g4.xml" >/dev/null
expect_fail "start on an inactive network" "network 'iso' is not active; start it with: vireo net-start iso" "$VIREO" start g4
expect_match "net-start" "$("$VIREO" net-start iso)" "Network iso started"
"$VIREO" start g4 >/dev/null
wait_for 90 "g4 has a lease" has_ip g4
ip4=$(guest_ip g4)
expect_match "g4 address" "$ip4" '^10\.77\.0\.'
wait_for 60 "SSH into g4" guest_ssh "$ip4" true
# ping, not wget: busybox's wget -T crashes in the guest, which would
# pass this check whatever the network does. The NAT guest's ping out
# shows the probe itself works.
guest_ssh "$ip1" "ping -c 1 -W 3 10.99.0.2" >/dev/null || fail "the NAT guest g1 cannot ping outside"
ok "the NAT guest pings outside"
if guest_ssh "$ip4" "ping -c 1 -W 3 10.99.0.2" >/dev/null 2>&1; then
    fail "a guest on an isolated network reached outside"
fi
ok "isolated guest cannot reach outside"

# Bad input: clear errors, nothing half-made.
cat > "$ROOT/overlap.xml" <<XML
<network><name>overlap</name><forward mode='nat'/><ip address='192.168.122.129' prefix='25'/></network>
XML
expect_fail "overlapping subnet" "overlaps network 'default'" "$VIREO" net-define "$ROOT/overlap.xml"
inhost ip link add taken0 type bridge
cat > "$ROOT/taken.xml" <<XML
<network><name>taken</name><bridge name='taken0'/><forward mode='nat'/><ip address='10.66.0.1' prefix='24'><dhcp><range start='10.66.0.2' end='10.66.0.9'/></dhcp></ip></network>
XML
"$VIREO" net-define "$ROOT/taken.xml" >/dev/null
links_before=$(inhost ip -o link | wc -l)
tables_before=$(inhost nft list tables | wc -l)
dnsmasq_before=$(pgrep -c -x dnsmasq || true)
expect_fail "bridge name that exists" "bridge taken0 already exists" "$VIREO" net-start taken
expect_eq "no stray links" "$(inhost ip -o link | wc -l)" "$links_before"
expect_eq "no stray rules" "$(inhost nft list tables | wc -l)" "$tables_before"
expect_eq "no stray dnsmasq" "$(pgrep -c -x dnsmasq || true)" "$dnsmasq_before"
[ -e "$ROOT/run/vireo/network/taken" ] && fail "run directory left behind"
ok "no run directory left behind"
cat > "$ROOT/range.xml" <<XML
<network><name>range</name><ip address='10.55.0.1' prefix='24'><dhcp><range start='10.56.0.2' end='10.56.0.9'/></dhcp></ip></network>
XML
expect_fail "range outside the subnet" "range" "$VIREO" net-define "$ROOT/range.xml"
expect_fail "unknown network" "network 'nope' not found" "$VIREO" net-start nope

# Bridged: a network in mode bridge, and an interface naming a host
# bridge directly; the guests' taps join the host's bridge.
inhost ip link add lan0 type bridge
inhost ip link set lan0 up
cat > "$ROOT/lan.xml" <<XML
<network><name>lan</name><forward mode='bridge'/><bridge name='lan0'/></network>
XML
"$VIREO" net-define "$ROOT/lan.xml" >/dev/null
"$VIREO" net-start lan >/dev/null
tiny_xml b1 qemu "$(net_iface lan)" > "$ROOT/b1.xml"
tiny_xml b2 qemu "<interface type='bridge'><source bridge='lan0'/><model type='virtio'/></interface>" > "$ROOT/b2.xml"
"$VIREO" define "$ROOT/b1.xml" >/dev/null
"$VIREO" define "$ROOT/b2.xml" >/dev/null
"$VIREO" start b1 >/dev/null
"$VIREO" start b2 >/dev/null
t1=$("$VIREO" domiflist b1 --json | jq -r '.[0].interface')
t2=$("$VIREO" domiflist b2 --json | jq -r '.[0].interface')
expect_match "mode bridge: the tap joins lan0" "$(inhost ip -o link show master lan0)" "$t1"
expect_match "type bridge: the tap joins lan0" "$(inhost ip -o link show master lan0)" "$t2"
"$VIREO" destroy b1 >/dev/null
"$VIREO" destroy b2 >/dev/null
tiny_xml b3 qemu "<interface type='bridge'><source bridge='nosuchbr'/></interface>" > "$ROOT/b3.xml"
"$VIREO" define "$ROOT/b3.xml" >/dev/null
expect_fail "a host bridge that does not exist" "bridge nosuchbr does not exist" "$VIREO" start b3

# libvirt's own bridge line, STP on with no delay: the kernel keeps
# its 2 s minimum with STP on; net-info and the live XML say so, the
# inactive XML keeps what was asked.
cat > "$ROOT/stp.xml" <<XML
<network><name>stp</name><bridge name='vrstp0' stp='on' delay='0'/><ip address='10.44.0.1' prefix='24'/></network>
XML
"$VIREO" net-define "$ROOT/stp.xml" >/dev/null
"$VIREO" net-start stp >/dev/null
expect_eq "stp='on' delay='0': the kernel keeps STP on, 2 s" \
    "$(inhost cat /sys/class/net/vrstp0/bridge/stp_state /sys/class/net/vrstp0/bridge/forward_delay | xargs)" "1 200"
expect_match "net-info says what is in force" "$("$VIREO" net-info stp)" 'STP: +on, forward delay 2 s'
expect_match "live XML: the delay in force" "$("$VIREO" net-dumpxml stp)" "stp=.on. delay=.2."
expect_match "inactive XML: the delay asked" "$("$VIREO" net-dumpxml stp --inactive)" "stp=.on. delay=.0."
expect_match "the log says what the kernel kept" "$(cat "$ROOT/vireod.log")" \
    "network stp: bridge vrstp0 has STP on and a forward delay of 2.00 s \(asked: STP on, 0 s\)"
"$VIREO" net-destroy stp >/dev/null
cat > "$ROOT/stp5.xml" <<XML
<network><name>stp5</name><bridge name='vrstp5' stp='on' delay='5'/><ip address='10.45.0.1' prefix='24'/></network>
XML
"$VIREO" net-define "$ROOT/stp5.xml" >/dev/null
"$VIREO" net-start stp5 >/dev/null
expect_eq "stp='on' delay='5': kept as asked" \
    "$(inhost cat /sys/class/net/vrstp5/bridge/stp_state /sys/class/net/vrstp5/bridge/forward_delay | xargs)" "1 500"
"$VIREO" net-destroy stp5 >/dev/null

# An inactive autostart network is started with the first guest on it.
cat > "$ROOT/auto.xml" <<XML
<network><name>auto</name><ip address='10.33.0.1' prefix='24'/></network>
XML
"$VIREO" net-define "$ROOT/auto.xml" >/dev/null
"$VIREO" net-autostart auto >/dev/null
tiny_xml a1 qemu "$(net_iface auto)" > "$ROOT/a1.xml"
"$VIREO" define "$ROOT/a1.xml" >/dev/null
"$VIREO" start a1 >/dev/null
expect_match "autostart network started with its guest" "$("$VIREO" net-list)" ' auto +active'
"$VIREO" destroy a1 >/dev/null

# A restarted daemon finds networks running and leaves them so.
dns_pid=$(cat "$ROOT/run/vireo/network/default/dnsmasq.pid")
stop_daemon
DAEMON_WRAP="ip netns exec $HOSTNS" DAEMON_OPTS=" " start_daemon
expect_match "default still active after restart" "$("$VIREO" net-list)" ' default +active'
expect_eq "same dnsmasq" "$(cat "$ROOT/run/vireo/network/default/dnsmasq.pid")" "$dns_pid"
expect_eq "g1 still has its address" "$(guest_ip g1)" "$ip1"

# net-destroy removes exactly what net-start made.
"$VIREO" destroy g4 >/dev/null
expect_match "net-destroy" "$("$VIREO" net-destroy iso)" "Network iso destroyed"
ibr=$("$VIREO" net-info iso --json | jq -r .bridge)
inhost ip link show "$ibr" >/dev/null 2>&1 && fail "bridge $ibr left after net-destroy"
inhost nft list table ip "vireo_$ibr" >/dev/null 2>&1 && fail "rules left after net-destroy"
ok "net-destroy removed bridge and rules"
