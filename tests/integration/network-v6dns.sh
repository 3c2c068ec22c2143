#!/usr/bin/env bash
# IPv6, DNS as libvirt has it, guests' names on the host (nss-vireo) and
# live lease events, with real bridges, dnsmasq, nftables, a real guest
# and a real DHCPv6 client, inside network namespaces this test makes:
# "host" runs vireod, "outside" is the world beyond the host (with an
# upstream DNS server for <forwarder>), "client" holds dhcpcd on a veth
# joined to the network's bridge. The machine's own namespace and files
# are never touched: getent and ssh by name run in a private mount
# namespace with their own nsswitch.conf.
. "$(dirname "$0")/lib.sh"
need_images
# The guest's DHCPv6 client (dhcpcd) came with image version 3.
stamp=$(sed -n 's/^v\([0-9]*\) .*/\1/p' "$IMAGES/tiny.stamp" 2>/dev/null)
[ "${stamp:-0}" -ge 3 ] || fail "the guest images in $IMAGES are older than version 3 (no DHCPv6 client): run make images"
HOSTNS=vr6-host-$$
OUTNS=vr6-out-$$
CLNS=vr6-cl-$$
NSS_LOOKUP="$VIREO_BUILD/tests/nss-lookup"
NSS_MODULE="$VIREO_BUILD/src/nss/libnss_vireo.so.2"
test_cleanup() {
    for p in ${HTTPD:-} ${UPSTREAM:-} ${WATCH:-} ${WATCH2:-} ${FEED:-} ${DHCPCD:-} ${DHCPCD7:-}; do kill "$p" 2>/dev/null; done
    for ns in "$HOSTNS" "$OUTNS" "$CLNS"; do ip netns del "$ns" 2>/dev/null; done
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
for ns in "$HOSTNS" "$OUTNS" "$CLNS"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$HOSTNS" link add up0 type veth peer name out0 netns "$OUTNS"
ip -n "$HOSTNS" addr add 10.99.0.1/24 dev up0
ip -n "$OUTNS" addr add 10.99.0.2/24 dev out0
ip -n "$HOSTNS" addr add fd99::1/64 dev up0 nodad
ip -n "$OUTNS" addr add fd99::2/64 dev out0 nodad
ip -n "$HOSTNS" link set up0 up
ip -n "$OUTNS" link set out0 up
ip -n "$HOSTNS" route add default via 10.99.0.2
ip -n "$HOSTNS" -6 route add default via fd99::2
# Routed IPv6: the outside knows the way back to the guests' prefix.
ip -n "$OUTNS" -6 route add fd42:0:0:1::/64 via fd99::1
ok "namespaces host, outside and client"

inhost() { ip netns exec "$HOSTNS" "$@"; }
# The outside tells each client the address it sees, over IPv6.
mkdir -p "$ROOT/www/cgi-bin"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho "SEEN=$REMOTE_ADDR"\n' > "$ROOT/www/cgi-bin/ip"
chmod +x "$ROOT/www/cgi-bin/ip"
ip netns exec "$OUTNS" busybox httpd -f -p '[fd99::2]:8080' -h "$ROOT/www" &
HTTPD=$!
# An upstream name server outside, for <forwarder domain='outside.test'>
# and every other name (so the host's resolv.conf is never used).
ip netns exec "$OUTNS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --bind-interfaces --listen-address=10.99.0.2 --pid-file="$ROOT/upstream.pid" \
    --address=/www.outside.test/10.99.0.77 --address=/elsewhere.example/10.99.0.78 \
    --log-queries --log-facility="$ROOT/upstream.log" &
UPSTREAM=$!

# The ASan daemon: the lease socket and the new XML read untrusted input.
ASAN_VIREOD=${VIREO_ASAN_BUILD:-}/src/daemon/vireod
[ -x "$ASAN_VIREOD" ] || fail "no ASan daemon at $ASAN_VIREOD (make asan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
DAEMON_WRAP="ip netns exec $HOSTNS" start_daemon "$ASAN_VIREOD"

# ---- a dual-stack network with libvirt's <dns> ----------------------------------
cat > "$ROOT/dual.xml" <<XML
<network>
  <name>dual</name>
  <forward mode='nat'/>
  <bridge stp='off' delay='0'/>
  <domain name='vireo.test' localOnly='yes'/>
  <dns forwardPlainNames='no'>
    <forwarder domain='outside.test' addr='10.99.0.2'/>
    <forwarder addr='10.99.0.2'/>
    <txt name='info.vireo.test' value='hello from vireo'/>
    <srv service='ldap' protocol='tcp' domain='vireo.test' target='dir.vireo.test' port='389' priority='10' weight='5'/>
    <host ip='fd42:0:0:1::99'><hostname>sixonly</hostname></host>
    <host ip='10.42.0.99'><hostname>fixed</hostname></host>
  </dns>
  <ip address='10.42.0.1' prefix='24'>
    <dhcp>
      <range start='10.42.0.10' end='10.42.0.50'/>
      <host mac='52:54:00:42:00:01' name='web1' ip='10.42.0.21'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd42:0:0:1::1' prefix='64'>
    <dhcp><range start='fd42:0:0:1::100' end='fd42:0:0:1::1ff'/></dhcp>
  </ip>
</network>
XML
expect_match "net-define a dual-stack network" "$("$VIREO" net-define "$ROOT/dual.xml")" "Network dual defined"
"$VIREO" net-dumpxml dual > "$ROOT/dual-dump.xml"
for want in "<ip family=\"ipv6\" address=\"fd42:0:0:1::1\" prefix=\"64\">" \
            "<range start=\"fd42:0:0:1::100\" end=\"fd42:0:0:1::1ff\"/>" \
            "<dns forwardPlainNames=\"no\">" "<forwarder domain=\"outside.test\" addr=\"10.99.0.2\"/>" \
            "<forwarder addr=\"10.99.0.2\"/>" "<domain name=\"vireo.test\" localOnly=\"yes\"/>" \
            "<txt name=\"info.vireo.test\" value=\"hello from vireo\"/>" \
            "<srv service=\"ldap\" protocol=\"tcp\" domain=\"vireo.test\" target=\"dir.vireo.test\" port=\"389\" priority=\"10\" weight=\"5\"/>" \
            "<host ip=\"fd42:0:0:1::99\">"; do
    grep -qF -- "$want" "$ROOT/dual-dump.xml" || fail "net-dumpxml lacks $want"
done
ok "net-dumpxml shows the IPv6 <ip> and every <dns> entry"
"$VIREO" net-define "$ROOT/dual-dump.xml" >/dev/null
expect_eq "net-dumpxml defines back to itself" "$("$VIREO" net-dumpxml dual)" "$(cat "$ROOT/dual-dump.xml")"

# Live lease events from here on, as a client would follow them.
"$VIREO" net-event --loop --json > "$ROOT/events.log" 2>&1 &
WATCH=$!
"$VIREO" net-event --loop --event lease > "$ROOT/events.txt" 2>&1 &
WATCH2=$!

"$VIREO" net-start dual >/dev/null
br=$("$VIREO" net-info dual --json | jq -r .bridge)
expect_match "net-info shows the IPv6 address" "$("$VIREO" net-info dual)" "IPv6 address: +fd42:0:0:1::1/64"
expect_match "the bridge has its IPv6 address" "$(inhost ip -6 -o addr show dev "$br" scope global)" "fd42:0:0:1::1/64"
inhost nft list table ip6 "vireo_$br" > "$ROOT/nft6.txt" || fail "no ip6 table for $br"
grep -q 'ip6 saddr fd42:0:0:1::/64 accept' "$ROOT/nft6.txt" || fail "IPv6 is not routed out: $(cat "$ROOT/nft6.txt")"
grep -q masquerade "$ROOT/nft6.txt" && fail "IPv6 is masqueraded without <nat ipv6='yes'>"
ok "ip6 table vireo_$br routes the prefix, no NAT66"
expect_eq "IPv6 forwarding on in the namespace" "$(inhost cat /proc/sys/net/ipv6/conf/all/forwarding)" 1

# DNS answers from the network's dnsmasq, asked on the bridge's addresses.
ask() { inhost busybox nslookup "$@" 2>&1; }
expect_match "AAAA of a <dns><host> with an IPv6 address" "$(ask -type=aaaa sixonly.vireo.test 10.42.0.1)" "fd42:0:0:1::99"
expect_match "A of a <dns><host>" "$(ask fixed.vireo.test fd42:0:0:1::1)" "10\.42\.0\.99"
expect_match "TXT record" "$(ask -type=txt info.vireo.test 10.42.0.1)" "hello from vireo"
expect_match "SRV record" "$(ask -type=srv _ldap._tcp.vireo.test 10.42.0.1)" "10 5 389 dir\.vireo\.test"
expect_match "forwarder for outside.test" "$(ask www.outside.test 10.42.0.1)" "10\.99\.0\.77"
expect_match "forwarder for every other name" "$(ask www.elsewhere.example 10.42.0.1)" "10\.99\.0\.78"
# forwardPlainNames='no': a name without a dot never goes upstream; and
# localOnly='yes': neither does an unknown name of the network's domain.
ask plainname 10.42.0.1 >/dev/null || true
ask nosuch.vireo.test 10.42.0.1 >/dev/null || true
grep -q 'query.* www\.elsewhere\.example from' "$ROOT/upstream.log" || fail "the upstream server logs no queries"
grep -Eq 'query.* (plainname|nosuch\.vireo\.test) from' "$ROOT/upstream.log" &&
    fail "a plain name or a local-only name went upstream: $(grep -E 'plainname|nosuch' "$ROOT/upstream.log")"
ok "plain names and the local-only domain stay on the network"

# The web VM list's feed (GET /v1/events?stats=1), read raw as the page
# reads it: every line kept, to see what follows a lease event.
/usr/bin/python3 - "$SOCK" > "$ROOT/feed.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /v1/events?stats=1 HTTP/1.1\r\nHost: vireod\r\nConnection: Upgrade\r\nUpgrade: vireo-stream\r\n\r\n")
f = s.makefile("rb")
while f.readline() not in (b"\r\n", b""):
    pass
for line in f:
    sys.stdout.write(line.decode()); sys.stdout.flush()
PY
FEED=$!

# ---- a real guest: DHCPv4 by its <host>, SLAAC from the router advertisements ----
net_iface() { echo "<interface type='network'><source network='$1'/><model type='virtio'/><mac address='$2'/></interface>"; }
tiny_xml g1 qemu "$(net_iface dual 52:54:00:42:00:01)" > "$ROOT/g1.xml"
"$VIREO" define "$ROOT/g1.xml" >/dev/null
"$VIREO" start g1 >/dev/null
addr_of() { "$VIREO" domifaddr "$1" --json ${2:+--source "$2"} | jq -r '.[0].addresses[] | "\(.ip)/\(.prefix)"' ; }
has_v4() { addr_of g1 | grep -q '^10\.42\.0\.21/24$'; }
wait_for 90 "g1 has its DHCP <host> address 10.42.0.21" has_v4
SSH_OPTS=(-i "$IMAGES/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR)
g1() { inhost ssh "${SSH_OPTS[@]}" root@10.42.0.21 "$@"; }
wait_for 60 "SSH into g1" g1 true
slaac() { g1 ip -6 addr show dev eth0 | sed -n 's|.*inet6 \(fd42:[0-9a-f:]*\)/64 scope global.*|\1|p' | head -n 1; }
has_slaac() { [ -n "$(slaac)" ]; }
wait_for 60 "g1 configures a SLAAC address from the router advertisements" has_slaac
v6=$(slaac)
# The guest talks to the host over IPv6; the host's neighbour table now
# knows it, which is what domifaddr --source arp reads.
# From the SLAAC address itself (retried while duplicate address
# detection still holds it back).
ping_from_v6() { g1 ping -c 1 -W 3 -I "$v6" fd42:0:0:1::1; }
wait_for 30 "g1 pings the bridge's IPv6 address from its SLAAC address" ping_from_v6
# (The entry may still be settling when the ping returns.)
arp_has_v6() { "$VIREO" domifaddr g1 --source arp --full | grep -Eq "52:54:00:42:00:01 +ipv6 +$v6/64"; }
wait_for 10 "domifaddr --source arp shows the SLAAC address" arp_has_v6
# DHCPv6 too (the guest's dhcpcd): domifaddr reads it from the leases,
# tied to the interface by the MAC in the client's DUID-LL.
g1_dhcp6() { "$VIREO" domifaddr g1 --full | sed -n 's|.*52:54:00:42:00:01 *ipv6 *\(fd42:0:0:1::1[0-9a-f][0-9a-f]\)/64.*|\1|p'; }
has_g1_dhcp6() { [ -n "$(g1_dhcp6)" ]; }
wait_for 60 "domifaddr g1 shows its DHCPv6 lease" has_g1_dhcp6
g1v6=$(g1_dhcp6)
expect_match "the guest holds its DHCPv6 address" "$(g1 ip -6 addr show dev eth0)" "inet6 $g1v6/128"
# (busybox 1.35's wget crashes on an IPv6 literal; nc speaks the HTTP.)
seen=$(g1 "printf 'GET /cgi-bin/ip HTTP/1.0\r\n\r\n' | nc -w 10 fd99::2 8080" | grep '^SEEN=')
expect_match "IPv6 is routed, not translated: outside sees one of the guest's own addresses" "$seen" \
    "^SEEN=\[($g1v6|$v6)\]$"

# ---- a real DHCPv6 client (dhcpcd) on the same bridge ------------------------------
inhost ip link add c6h type veth peer name c6c netns "$CLNS"
inhost ip link set c6h master "$br" up
ip -n "$CLNS" link set c6c address 52:54:00:42:00:66 up
printf 'duid ll\nipv6only\nia_na 1\nhostname client6\nfqdn both\nnohook resolv.conf\n' > "$ROOT/dhcpcd.conf"
# Its own /run and /var/lib/dhcpcd: dhcpcd writes nothing of the host's.
start_dhcpcd6() {
    ip netns exec "$CLNS" unshare -m sh -c "mount -t tmpfs none /run && mount -t tmpfs none /var/lib/dhcpcd &&
        exec dhcpcd -B -f '$ROOT/dhcpcd.conf' -c /bin/true c6c" >> "$ROOT/dhcpcd.log" 2>&1 &
    DHCPCD=$!
}
start_dhcpcd6
v6_lease() { "$VIREO" net-dhcp-leases dual --json | jq -r '.[] | select(.type == "ipv6" and .mac == "52:54:00:42:00:66") | .ip'; }
has_v6_lease() { [ -n "$(v6_lease)" ]; }
wait_for 60 "the DHCPv6 client gets a lease" has_v6_lease
ip6=$(v6_lease)
expect_match "the lease is in the DHCPv6 range" "$ip6" '^fd42::1:0:0:1[0-9a-f]{2}$|^fd42:0:0:1::1[0-9a-f]{2}$'
expect_match "net-dhcp-leases shows it as ipv6, with the MAC from its DUID and its name" \
    "$("$VIREO" net-dhcp-leases dual)" "52:54:00:42:00:66 +ipv6 +$ip6/64 +client6"

# ---- names from the host: nss-vireo ---------------------------------------------------
export VIREO_NSS_ROOTS=$ROOT
out=$("$NSS_LOOKUP" "$NSS_MODULE" web1)
expect_match "nss-vireo gethostbyname4_r: web1" "$out" "^4 ipv4 10\.42\.0\.21$"
expect_match "nss-vireo gethostbyname2_r: web1" "$out" "^2 ipv4 10\.42\.0\.21$"
expect_match "nss-vireo: the guest's own name from its DHCPv6 lease" "$("$NSS_LOOKUP" "$NSS_MODULE" tiny)" "^4 ipv6 $g1v6$"
out=$("$NSS_LOOKUP" "$NSS_MODULE" CLIENT6)
expect_match "nss-vireo: an IPv6 lease, any case" "$out" "^4 ipv6 $ip6$"
rc=0; "$NSS_LOOKUP" "$NSS_MODULE" nosuchguest >/dev/null || rc=$?
expect_eq "nss-vireo: an unknown name is not found" "$rc" 2
# glibc itself, with `vireo` on the hosts: line of a private nsswitch.conf.
printf 'hosts: files vireo\n' > "$ROOT/nsswitch.conf"
byname() { unshare -m sh -c "mount --bind '$ROOT/nsswitch.conf' /etc/nsswitch.conf && exec \"\$@\"" sh \
    env LD_LIBRARY_PATH="$VIREO_BUILD/src/nss" "$@"; }
expect_match "getent ahosts web1 through nsswitch.conf" "$(byname getent ahostsv4 web1)" "^10\.42\.0\.21 "
expect_match "getent ahosts client6 (IPv6)" "$(byname getent ahostsv6 client6)" "^$ip6 "
expect_eq "ssh root@web1 by name" "$(byname ip netns exec "$HOSTNS" ssh "${SSH_OPTS[@]}" root@web1 hostname)" tiny

# ---- live lease events -------------------------------------------------------------------
# udhcpc renews on SIGUSR1; dhcpcd releases on SIGALRM.
g1 'kill -USR1 $(cat /run/udhcpc.eth0.pid)'
ev() { grep -F '"event":"lease"' "$ROOT/events.log" | jq -r "select($1) | .detail" ; }
has_event() { [ -n "$(ev "$1")" ]; }
wait_for 30 "net-event: web1's lease added" has_event '.ip == "10.42.0.21" and .detail == "added" and .mac == "52:54:00:42:00:01" and .hostname == "web1"'
wait_for 30 "net-event: web1's lease renewed" has_event '.ip == "10.42.0.21" and .detail == "renewed"'
wait_for 30 "net-event: the DHCPv6 lease added" has_event ".ip == \"$ip6\" and .detail == \"added\" and .mac == \"52:54:00:42:00:66\" and .hostname == \"client6\""
# dhcpcd sends its RELEASE from its link-local address: once the
# kernel's duplicate address detection is done with the interface's
# addresses (under load it was not, and no RELEASE left: CI, 2026-12-05).
no_tentative() { ! ip -n "$CLNS" -6 addr show dev c6c | grep -q tentative; }
wait_for 30 "the DHCPv6 client's addresses past duplicate address detection" no_tentative
kill -ALRM "$DHCPCD"
wait_for 30 "net-event: the DHCPv6 lease released" has_event ".ip == \"$ip6\" and .detail == \"released\""
no_v6_lease() { [ -z "$(v6_lease)" ]; }
wait_for 10 "net-dhcp-leases no longer lists it" no_v6_lease
# The VM list's feed: the line after a lease event is a fresh sample
# with the address, not one up to a period later.
after=$(grep -A1 -E '"detail":"added",("[a-z]+":"[^"]*",)*"mac":"52:54:00:42:00:01"' "$ROOT/feed.log" | sed -n 2p)
expect_match "a sample follows the lease event at once, with g1's address" "$after" '"kind":"stats".*"g1":\{[^}]*"10\.42\.0\.21"'
kill "$FEED" 2>/dev/null || true
expect_match "vireo net-event prints virsh-like lease lines" "$(cat "$ROOT/events.txt")" \
    "^event 'lease' for network 'dual': added 52:54:00:42:00:01 10\.42\.0\.21 web1$"

# A restarted daemon hears the dnsmasq it left running: the hook reports
# to the same socket, which the new daemon binds again.
kill "$WATCH" "$WATCH2" 2>/dev/null || true
stop_daemon
DAEMON_WRAP="ip netns exec $HOSTNS" start_daemon "$ASAN_VIREOD"
"$VIREO" net-event --loop --json > "$ROOT/events2.log" 2>&1 &
WATCH=$!
# The subscription is up once it sees an event of its own making (made
# again until it does: the client may not be subscribed yet).
subscribed() {
    grep -q '"event":"defined"' "$ROOT/events2.log" && return 0
    "$VIREO" net-define "$ROOT/dual-dump.xml" >/dev/null
    return 1
}
wait_for 10 "a new event client after the restart" subscribed
start_dhcpcd6
readded() { grep -F '"event":"lease"' "$ROOT/events2.log" | jq -e 'select(.name == "dual" and .detail == "added" and .mac == "52:54:00:42:00:66")' >/dev/null; }
wait_for 60 "the restarted daemon hears a new lease from the dnsmasq it left running" readded
kill -ALRM "$DHCPCD"

# ---- NAT66 when asked, DNS turned off, bad input ------------------------------------------
cat > "$ROOT/nat6.xml" <<XML
<network><name>nat6</name><forward mode='nat'><nat ipv6='yes'/></forward><bridge stp='off'/>
<dns enable='no'/>
<ip address='10.43.0.1' prefix='24'><dhcp><range start='10.43.0.10' end='10.43.0.20'/></dhcp></ip>
<ip family='ipv6' address='fd43::1' prefix='64'/></network>
XML
"$VIREO" net-define "$ROOT/nat6.xml" >/dev/null
"$VIREO" net-start nat6 >/dev/null
br6=$("$VIREO" net-info nat6 --json | jq -r .bridge)
expect_match "<nat ipv6='yes'> masquerades IPv6" "$(inhost nft list table ip6 "vireo_$br6")" "ip6 saddr fd43::/64 ip6 daddr != fd43::/64 .*masquerade"
grep -qx 'port=0' "$ROOT/run/vireo/network/nat6/dnsmasq.conf" || fail "<dns enable='no'> did not turn DNS off"
listening=$(inhost ss -Hlnu)
expect_match "dual's dnsmasq serves DNS on its bridge" "$listening" '10\.42\.0\.1:53 '
grep -q '10\.43\.0\.1:53 ' <<<"$listening" && fail "DNS listens on a network with <dns enable='no'>"
ok "<dns enable='no'>: no DNS server on the network"
# DHCP is kept: a real DHCPv4 client (busybox udhcpc, no script) gets a lease.
inhost ip link add c4h type veth peer name c4c netns "$CLNS"
inhost ip link set c4h master "$br6" up
ip -n "$CLNS" link set c4c up
expect_match "<dns enable='no'> keeps DHCP" "$(ip netns exec "$CLNS" busybox udhcpc -i c4c -n -q -f -s /bin/true -t 5 -T 1 2>&1)" "lease of 10\.43\.0\.1[0-9]|lease of 10\.43\.0\.20"

# IPv6 only: no IPv4 on the bridge or across it; DHCPv6 for a real client.
cat > "$ROOT/six.xml" <<XML
<network><name>six</name><forward mode='route'/><bridge stp='off'/>
<ip family='ipv6' address='fd46::1' prefix='64'><dhcp><range start='fd46::100' end='fd46::1ff'/></dhcp></ip></network>
XML
"$VIREO" net-define "$ROOT/six.xml" >/dev/null
"$VIREO" net-start six >/dev/null
br7=$("$VIREO" net-info six --json | jq -r .bridge)
expect_eq "an IPv6-only network's bridge has no IPv4 address" "$(inhost ip -4 -o addr show dev "$br7" | wc -l)" 0
inhost nft list table ip "vireo_$br7" | grep -q 'ip saddr' && fail "IPv4 crosses an IPv6-only network"
expect_match "IPv6 is routed on it" "$(inhost nft list table ip6 "vireo_$br7")" "ip6 saddr fd46::/64 accept"
inhost ip link add c7h type veth peer name c7c netns "$CLNS"
inhost ip link set c7h master "$br7" up
ip -n "$CLNS" link set c7c address 52:54:00:46:00:07 up
sed 's/client6/client7/' "$ROOT/dhcpcd.conf" > "$ROOT/dhcpcd7.conf"
ip netns exec "$CLNS" unshare -m sh -c "mount -t tmpfs none /run && mount -t tmpfs none /var/lib/dhcpcd &&
    exec dhcpcd -B -f '$ROOT/dhcpcd7.conf' -c /bin/true c7c" > "$ROOT/dhcpcd7.log" 2>&1 &
DHCPCD7=$!
six_lease() { "$VIREO" net-dhcp-leases six | grep -Eq "52:54:00:46:00:07 +ipv6 +fd46::1[0-9a-f]{2}/64 +client7"; }
wait_for 60 "a DHCPv6 lease on the IPv6-only network" six_lease
kill "$DHCPCD7"

links_before=$(inhost ip -o link | wc -l)
tables_before=$(inhost nft list tables | wc -l)
# dnsmasqs of this test's host namespace only: other tests run their own.
ns_dnsmasq() { for p in $(ip netns pids "$HOSTNS"); do cat "/proc/$p/comm" 2>/dev/null; done | grep -cx dnsmasq || true; }
dnsmasq_before=$(ns_dnsmasq)
bad() { # NAME WHAT REGEX BODY
    printf '<network><name>%s</name>%s</network>\n' "$1" "$4" > "$ROOT/bad.xml"
    expect_fail "$2" "$3" "$VIREO" net-define "$ROOT/bad.xml"
    expect_fail "$2 (net-create)" "$3" "$VIREO" net-create "$ROOT/bad.xml"
}
v4="<ip address='10.44.0.1' prefix='24'/>"
bad over "overlapping IPv6 prefix" "IPv6 subnet of network 'over' overlaps network 'dual' \(fd42:0:0:1::/64\)" \
    "$v4<ip family='ipv6' address='fd42::1' prefix='48'/>"
bad outside "DHCPv6 range outside the prefix" "<range start='fd44::10' end='fd45::20'>: fd45::20 is outside the subnet fd44::/64" \
    "$v4<ip family='ipv6' address='fd44::1' prefix='64'><dhcp><range start='fd44::10' end='fd45::20'/></dhcp></ip>"
bad badname "DNS host with an invalid name" "<hostname>bad_name!</hostname> is not a valid DNS name" \
    "<dns><host ip='10.44.0.5'><hostname>bad_name!</hostname></host></dns>$v4"
bad badport "SRV with a bad port" "<srv port='70000'>: expected a number from 1 to 65535" \
    "<dns><srv service='www' protocol='tcp' target='w.example' port='70000'/></dns>$v4"
expect_eq "no stray links" "$(inhost ip -o link | wc -l)" "$links_before"
expect_eq "no stray nft tables" "$(inhost nft list tables | wc -l)" "$tables_before"
expect_eq "no stray dnsmasq" "$(ns_dnsmasq)" "$dnsmasq_before"
expect_match "net-list has no trace of them" "$("$VIREO" net-list --all --name | sort | tr '\n' ' ')" "^dual nat6 six $"

# net-destroy removes both tables.
"$VIREO" net-destroy nat6 >/dev/null
inhost nft list table ip6 "vireo_$br6" >/dev/null 2>&1 && fail "ip6 table left after net-destroy"
ok "net-destroy removes the ip6 table"

no_sanitizer_report
