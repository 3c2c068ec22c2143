#!/usr/bin/env bash
# An interface's <bandwidth> (issue 18): a running guest's tap is shaped
# as libvirt shapes it (htb class + sfq for what reaches the guest, an
# ingress police filter for what it sends); vireo domiftune and Debian's
# virsh domiftune (virDomainSet/GetInterfaceParameters on libvirt-sock)
# change and show it live, --config writes the definition, update-device
# and a hot-plug apply it; floor and shaping a macvtap are refused by
# name; a guest's download is as slow as the limit says. In a network
# namespace this test makes. Outbound shaping needs the kernel's police
# action (act_police): where the kernel lacks it (these hosts' kernel
# does) its refusal, and the shaping kept, are what is checked.
. "$(dirname "$0")/lib.sh"
need_images
command -v virsh >/dev/null || fail "virsh missing (make deps: libvirt-clients)"
command -v tc >/dev/null || fail "tc missing (apt-get install iproute2)"
HOSTNS=vrt-ibw-$$
test_cleanup() { [ -z "${HTTPD_PID:-}" ] || kill "$HTTPD_PID" 2>/dev/null; netns_remove; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
daemon_in_netns "$HOSTNS"
V=$VIREO
virsh() { command virsh -q -c "qemu:///system?socket=$ROOT/libvirt-sock" "$@"; }
mac=52:54:00:18:b0:01
nic() { echo "<interface type='network'><mac address='$mac'/><source network='default'/><model type='virtio'/>$1</interface>"; }

tiny_xml shaped qemu "$(nic "<bandwidth><inbound average='1000' peak='2000' burst='256'/></bandwidth>")" >"$ROOT/d.xml"
$V define "$ROOT/d.xml" >/dev/null
expect_match "define keeps <bandwidth>" "$($V dumpxml shaped --inactive)" \
    "<inbound average=.1000. peak=.2000. burst=.256./>"
$V start shaped >/dev/null
tap=$($V domiflist shaped | awk -v m="$mac" '$5 == m {print $1}')
[ -n "$tap" ] || fail "domiflist names no tap: $($V domiflist shaped)"
tcs() { ip netns exec "$HOSTNS" tc "$@" dev "$tap"; }
expect_match "start: tap $tap has libvirt's htb root qdisc" "$(tcs qdisc show)" "qdisc htb 1: root"
# libvirt's kbps are tc's (1000 bytes/s): 1000 kbps = 8 Mbit
expect_match "... its class: rate average, ceil peak, burst" "$(tcs class show)" "rate 8Mbit ceil 16Mbit burst 256Kb"

expect_eq "vireo domiftune prints the values as virsh" "$($V domiftune shaped "$tap")" "inbound.average: 1000
inbound.peak   : 2000
inbound.burst  : 256
inbound.floor  : 0
outbound.average: 0
outbound.peak  : 0
outbound.burst : 0"
$V domiftune shaped "$mac" --inbound 3000,4000 --live
expect_match "domiftune --inbound 3000,4000 --live (by MAC): the class changes" "$(tcs class show)" "rate 24Mbit ceil 32Mbit"
expect_match "... vireo domiftune shows it" "$($V domiftune shaped "$tap")" "inbound.average: 3000"
expect_eq "domiftune --json: the API's iftune object, both directions through one table" \
    "$($V domiftune shaped "$tap" --json | jq -c .)" \
    '{"inbound":{"average":3000,"peak":4000,"burst":0,"floor":0},"outbound":{"average":0,"peak":0,"burst":0,"floor":0}}'
expect_fail "domiftune --json with a change: refused, saying what --json does" "--json shows the values" \
    $V domiftune shaped "$tap" --inbound 10 --json
out=$(curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/json' \
    -d "{\"interface\":\"$mac\",\"inbound\":{\"average\":\"fast\"}}" http://vireod/v1/domains/shaped/iftune)
expect_match "PUT iftune with a rate that is no number: refused naming it (the PUT reads the GET's table)" "$out" \
    '"code":"invalid".*\\"average\\" must be a whole number'
expect_match "... and the shaping stays" "$(tcs class show)" "rate 24Mbit ceil 32Mbit"
expect_match "... the persistent definition keeps 1000" "$($V dumpxml shaped --inactive)" "<inbound average=.1000."
expect_match "virsh domiftune (GetInterfaceParameters) shows the live values" "$(virsh domiftune shaped "$tap")" \
    "inbound.average: 3000"
virsh domiftune shaped "$tap" --inbound 2000,2500 --live >/dev/null
expect_match "virsh domiftune --inbound 2000,2500 --live (SetInterfaceParameters): the class changes" \
    "$(tcs class show)" "rate 16Mbit ceil 20Mbit"
expect_match "... vireo domiftune shows it" "$($V domiftune shaped "$tap")" "inbound.peak   : 2500"
if out=$($V domiftune shaped "$tap" --outbound 500 --live 2>&1); then
    expect_match "domiftune --outbound 500: an ingress police filter at the average" \
        "$(tcs filter show ingress)" "police.*rate 4Mbit"
    virsh domiftune shaped "$tap" --outbound 0 --live >/dev/null
    expect_eq "virsh domiftune --outbound 0: the ingress qdisc goes" "$(tcs qdisc show | grep -c ingress)" 0
else
    expect_match "domiftune --outbound on a kernel without act_police: refused, saying so" "$out" \
        "^vireo: error: .*needs the kernel's police action \\(act_police\\)"
    expect_match "... the inbound shaping stays" "$(tcs class show)" "rate 16Mbit ceil 20Mbit"
    expect_match "... and so does the live definition" "$($V domiftune shaped "$tap")" "outbound.average: 0"
fi
$V domiftune shaped "$tap" --inbound 200 --config
expect_match "domiftune --config writes the definition" "$($V dumpxml shaped --inactive)" \
    "<inbound average=.200./>"
expect_match "... the tap keeps its live rate" "$(tcs class show)" "rate 16Mbit ceil 20Mbit"
expect_match "virsh domiftune --config shows it" "$(virsh domiftune shaped "$tap" --config)" "inbound.average: 200"

nic "<bandwidth><inbound average='100' burst='64'/></bandwidth>" >"$ROOT/nic.xml"
expect_eq "update-device --live with a changed <bandwidth>" "$($V update-device shaped "$ROOT/nic.xml" --live)" \
    "Device updated successfully"
expect_match "... applied: the class" "$(tcs class show)" "rate 800Kbit ceil 800Kbit burst 64Kb"
expect_match "... the live XML says so" "$($V dumpxml shaped)" "<inbound average=.100. burst=.64./>"

mac2=52:54:00:18:b0:02
echo "<interface type='network'><mac address='$mac2'/><source network='default'/><model type='virtio'/><bandwidth><inbound average='300'/></bandwidth></interface>" >"$ROOT/nic2.xml"
$V attach-device shaped "$ROOT/nic2.xml" --live >/dev/null
tap2=$($V domiflist shaped | awk -v m="$mac2" '$5 == m {print $1}')
[ -n "$tap2" ] || fail "domiflist names no tap for the hot-plugged interface: $($V domiflist shaped)"
expect_match "attach-device --live of an interface with <bandwidth>: its tap $tap2 is shaped" \
    "$(ip netns exec "$HOSTNS" tc class show dev "$tap2")" "rate 2400Kbit ceil 2400Kbit"

expect_fail "domiftune with a peak below the average" "peak='10'.*below|peak='10'.*not from" \
    $V domiftune shaped "$tap" --inbound 100,10
expect_fail "domiftune --inbound floor (no network QoS)" "floor.*QoS on the network" \
    $V domiftune shaped "$tap" --inbound 100,200,10,50
expect_fail "domiftune with a malformed value" "--inbound is AVERAGE" $V domiftune shaped "$tap" --inbound 1x
nic "<bandwidth><inbound average='100' floor='10'/></bandwidth>" >"$ROOT/nic.xml"
expect_fail "<inbound floor> refused by name" "<inbound floor> needs QoS on the network" \
    $V update-device shaped "$ROOT/nic.xml" --live
tiny_xml direct qemu "<interface type='direct'><source dev='lo'/><bandwidth><inbound average='10'/></bandwidth></interface>" >"$ROOT/dd.xml"
expect_fail "<bandwidth> on a type direct (macvtap) interface refused" "<bandwidth> on a type='direct' interface" \
    $V define "$ROOT/dd.xml"

# The shaping is real: the guest fetches 400 kB from a busybox httpd on
# the network's bridge, at 100 kB/s (tc's kbps) then unshaped.
mkdir -p "$ROOT/www"
head -c 400000 /dev/urandom >"$ROOT/www/blob"
ip netns exec "$HOSTNS" busybox httpd -f -p 192.168.122.1:8080 -h "$ROOT/www" &
HTTPD_PID=$!
wait_for 60 "the guest boots" file_has "$ROOT/var/log/vireo/qemu/shaped-serial0.log" VIREO-GUEST-READY
lease() { $V net-dhcp-leases default | grep -q "$mac"; }
wait_for 60 "the guest has a lease" lease
fetch_secs() {
    guest shaped "rm -f /tmp/bw.out; (s=\$(date +%s); wget -q -O /dev/null http://192.168.122.1:8080/blob; echo BWSECS=\$((\$(date +%s) - s))) >/tmp/bw.out 2>&1 &" >/dev/null
    guest_until shaped "cat /tmp/bw.out" "BWSECS=[0-9]+" | grep -Eo "BWSECS=[0-9]+" | cut -d= -f2
}
shaped=$(fetch_secs)
[ -n "$shaped" ] && [ "$shaped" -ge 3 ] || fail "400 kB at 100 kB/s took '${shaped}' s, expected 3 or more"
ok "the guest's download at inbound average 100: ${shaped} s for 400 kB"
$V domiftune shaped "$tap" --inbound 0 --live
expect_eq "domiftune --inbound 0: the htb qdisc goes" "$(tcs qdisc show | grep -c htb)" 0
free_secs=$(fetch_secs)
[ -n "$free_secs" ] && [ "$free_secs" -lt "$shaped" ] || fail "unshaped download took '${free_secs}' s, shaped ${shaped} s"
ok "... unshaped: ${free_secs} s"
kill "$HTTPD_PID" 2>/dev/null || true

$V destroy shaped >/dev/null
echo "$CHECKS checks passed"
