#!/usr/bin/env bash
# Another firewall on the host that drops forwarded traffic (an nftables
# forward chain with policy drop; Docker's iptables FORWARD policy):
# host-validate names the chain and the fix, net-start warns once in the
# same words, the guest really loses the outside, and the suggested
# command really brings it back. Inside namespaces this test makes:
# "host" (vireod, the guest, the other firewall) and "outside".
. "$(dirname "$0")/lib.sh"
need_images
HOSTNS=vrf-host-$$
OUTNS=vrf-out-$$
test_cleanup() {
    [ -n "${HTTPD:-}" ] && kill "$HTTPD" 2>/dev/null
    netns_remove
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
inhost() { ip netns exec "$HOSTNS" "$@"; }
netns_make "$HOSTNS" "$OUTNS"
veth "$HOSTNS" up0 10.98.0.1 "$OUTNS" out0 10.98.0.2
ip -n "$HOSTNS" route add default via 10.98.0.2
mkdir -p "$ROOT/www"
echo outside > "$ROOT/www/index.html"
ip netns exec "$OUTNS" busybox httpd -f -p 10.98.0.2:8080 -h "$ROOT/www" &
HTTPD=$!
# The other firewall: a forward chain that drops what it was not told about.
inhost nft -f - <<'NFT'
table inet filter {
    chain forward {
        type filter hook forward priority 0; policy drop;
    }
}
NFT
ok "namespaces host and outside; table inet filter drops forwarded traffic"

DAEMON_WRAP="ip netns exec $HOSTNS" start_daemon
daemon_lazy_unloaded "before a network's rules needed it" libnftables
check() { inhost "$VIREO" host-validate --json | jq -c '.checks[] | select(.id=="net.firewall")'; }

# host-validate before any network: the chain, and a fix with a placeholder.
text=$(inhost "$VIREO" host-validate || true)
expect_match "host-validate names the chain" "$text" \
    'WARN  table inet filter, chain forward \(hook forward\) has policy drop: it drops what guests on NAT and routed networks send out'
expect_match "host-validate gives the nft fix" "$text" \
    'hint: to accept BRIDGE.s traffic: nft insert rule inet filter forward iifname "BRIDGE" accept; nft insert rule inet filter forward oifname "BRIDGE" accept'
c=$(check)
expect_eq "--json code" "$(jq -r .code <<<"$c")" firewall.forward-drop
expect_eq "--json hint_code" "$(jq -r .hint_code <<<"$c")" firewall-accept-nft
expect_eq "--json params" "$(jq -c '.params | {family, table, chain}' <<<"$c")" \
    '{"family":"inet","table":"filter","chain":"forward"}'

# net-start warns once, on stderr and in the log, and changes nothing outside its table.
cat > "$ROOT/fw.xml" <<XML
<network><name>fw</name><forward mode='nat'/><ip address='10.44.0.1' netmask='255.255.255.0'><dhcp><range start='10.44.0.10' end='10.44.0.50'/></dhcp></ip></network>
XML
"$VIREO" net-define "$ROOT/fw.xml" >/dev/null
before=$(inhost nft list table inet filter)
out=$("$VIREO" net-start fw 2>"$ROOT/warn.txt")
expect_eq "net-start's own line on stdout" "$out" "Network fw started"
daemon_maps libnftables || fail "net-start made the rules without loading libnftables"
ok "net-start loaded libnftables (opened at first use)"
br=$("$VIREO" net-info fw --json | jq -r .bridge)
expect_eq "one warning line on stderr" "$(wc -l < "$ROOT/warn.txt")" 1
fix="nft insert rule inet filter forward iifname \"$br\" accept; nft insert rule inet filter forward oifname \"$br\" accept"
expect_eq "the warning's words" "$(cat "$ROOT/warn.txt")" \
    "vireo: warning: network 'fw': the host's firewall drops its guests' traffic: table inet filter, chain forward (hook forward) has policy drop; to accept $br's traffic: $fix"
expect_match "the warning in the daemon's log" "$(cat "$ROOT/vireod.log")" "network 'fw': the host's firewall drops"
expect_eq "the other firewall's table untouched" "$(inhost nft list table inet filter)" "$before"
c=$(check)
expect_eq "host-validate now names the network's bridge" "$(jq -r .params.bridge <<<"$c")" "$br"
expect_eq "host-validate's command is net-start's" "$(jq -r .params.command <<<"$c")" "$fix"

# The drop is real: the guest has its lease and the host reaches it,
# but nothing it sends is forwarded.
SSH_OPTS=(-i "$IMAGES/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR)
guest_ssh() { local ip=$1; shift; inhost ssh "${SSH_OPTS[@]}" "root@$ip" "$@"; }
guest_ip() { "$VIREO" domifaddr "$1" --json | jq -r '.[0].addresses[0].ip // empty'; }
has_ip() { [ -n "$(guest_ip "$1")" ]; }
# (The guest's busybox wget crashes on -T: a ping proves the drop.)
fetch() { guest_ssh "$1" "wget -q -O - http://10.98.0.2:8080/index.html"; }
reaches() { guest_ssh "$1" "ping -c 1 -W 3 10.98.0.2" >/dev/null 2>&1; }
tiny_xml f1 qemu "<interface type='network'><source network='fw'/><model type='virtio'/></interface>" > "$ROOT/f1.xml"
"$VIREO" define "$ROOT/f1.xml" >/dev/null
"$VIREO" start f1 >/dev/null
wait_for 90 "f1 has a lease" has_ip f1
ip1=$(guest_ip f1)
wait_for 60 "SSH into f1" guest_ssh "$ip1" true
guest_ssh "$ip1" "ping -c 1 -W 3 10.44.0.1" >/dev/null || fail "the guest cannot ping its host"
if reaches "$ip1"; then fail "the guest reached outside through a drop policy"; fi
ok "the guest pings its host but cannot reach outside"

# The suggested fix, run as given, lets it through; the finding goes.
inhost sh -c "$fix"
reaches "$ip1" || fail "the guest cannot ping outside after the fix"
expect_eq "after the fix the guest reaches outside" "$(fetch "$ip1")" outside
c=$(check)
expect_eq "host-validate passes after the fix" "$(jq -r '"\(.status) \(.code)"' <<<"$c")" "PASS firewall.bridges-accepted"
"$VIREO" destroy f1 >/dev/null
"$VIREO" net-destroy fw >/dev/null
"$VIREO" net-start fw >/dev/null 2>"$ROOT/warn.txt"
expect_eq "no warning once the bridge is accepted" "$(cat "$ROOT/warn.txt")" ""

# Docker's way: iptables' FORWARD policy drop; the fix goes in DOCKER-USER.
inhost nft delete table inet filter
inhost iptables -P FORWARD DROP
inhost iptables -N DOCKER-USER
inhost iptables -A FORWARD -j DOCKER-USER
c=$(check)
expect_eq "iptables FORWARD found" "$(jq -r '"\(.status) \(.params.table) \(.params.chain) \(.hint_code)"' <<<"$c")" \
    "WARN filter FORWARD firewall-accept-iptables"
ifix="iptables -I DOCKER-USER -i $br -j ACCEPT; iptables -I DOCKER-USER -o $br -j ACCEPT"
expect_eq "the fix goes in DOCKER-USER" "$(jq -r .params.command <<<"$c")" "$ifix"
"$VIREO" start f1 >/dev/null
wait_for 90 "f1 has a lease again" has_ip f1
ip1=$(guest_ip f1)
wait_for 60 "SSH into f1 again" guest_ssh "$ip1" true
if reaches "$ip1"; then fail "the guest reached outside through iptables' drop policy"; fi
ok "iptables' drop policy drops the guest's traffic"
inhost sh -c "$ifix"
reaches "$ip1" || fail "the guest cannot ping outside after the iptables fix"
expect_eq "after the iptables fix the guest reaches outside" "$(fetch "$ip1")" outside
expect_eq "host-validate passes" "$(check | jq -r .status)" PASS
no_sanitizer_report
