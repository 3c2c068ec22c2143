#!/usr/bin/env bash
# update-device of a running interface's <source network> (issue 18):
# the guest's tap moves to the other network's bridge live, as libvirt
# re-plugs it, and the guest gets a DHCP lease there; the persistent
# definition only changes with --config; other changes are refused by
# name, and a network that is not there leaves the interface where it
# was. Networks in a namespace this test makes.
. "$(dirname "$0")/lib.sh"
open_test --netns vrt-ifu
mac=52:54:00:15:17:01

cat >"$ROOT/second.xml" <<XML
<network><name>second</name><forward mode='nat'/><bridge name='vrsecond0'/><ip address='10.78.0.1' netmask='255.255.255.0'><dhcp><range start='10.78.0.10' end='10.78.0.50'/></dhcp></ip></network>
XML
$V net-define "$ROOT/second.xml" >/dev/null
$V net-start second >/dev/null
$V vol-create-as default root.qcow2 16M --format qcow2 >/dev/null
vda="<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='root.qcow2'/><target dev='vda' bus='virtio'/></disk>"
boot_tiny mover "$vda <interface type='network'><mac address='$mac'/><source network='default'/><model type='virtio'/></interface>"
lease_on() { $V net-dhcp-leases "$1" | grep -q "$mac"; }
wait_for 60 "the guest has a lease on default" lease_on default
tap=$($V domiflist mover | awk -v m="$mac" '$5 == m {print $1}')
[ -n "$tap" ] || fail "domiflist names no tap: $($V domiflist mover)"
master() { ip -n "$HOSTNS" -o link show "$tap" | grep -Eo 'master [^ ]+' | cut -d' ' -f2; }
default_br=$(master)
[ -n "$default_br" ] || fail "tap $tap is on no bridge"

nic() { echo "<interface type='network'><mac address='$mac'/><source network='$1'/><model type='${2:-virtio}'/></interface>" >"$ROOT/nic.xml"; }
nic second
expect_eq "update-device --live to network second" "$($V update-device mover "$ROOT/nic.xml" --live)" \
    "Device updated successfully"
expect_eq "... the tap $tap is a port of second's bridge" "$(master)" vrsecond0
expect_match "... domiflist shows network second" "$($V domiflist mover)" "^ *$tap +network +second +virtio +$mac"
expect_match "... the live XML too" "$($V dumpxml mover)" "<source network=.second./>"
expect_match "... not the persistent definition (--live)" "$($V dumpxml mover --inactive)" "<source network=.default./>"
guest mover "udhcpc -i eth0 -n -q -t 5 -T 1 -s /etc/udhcpc.script >/dev/null 2>&1 &" >/dev/null
wait_for 60 "the guest gets a lease on second" lease_on second
expect_match "... an address of second's" "$(guest_until mover 'ip -4 addr show eth0' 'inet 10\.78\.0\.')" 'inet 10\.78\.0\.'

nic nope
expect_fail "update-device to a network that is not defined" "network 'nope' is not defined" \
    $V update-device mover "$ROOT/nic.xml" --live
expect_eq "... the tap stays on second" "$(master)" vrsecond0
expect_match "... and so does the live XML" "$($V dumpxml mover)" "<source network=.second./>"
nic second e1000
expect_fail "update-device changing the model too: refused by name" "cannot change <model> of this interface" \
    $V update-device mover "$ROOT/nic.xml" --live

nic default
$V update-device mover "$ROOT/nic.xml" --live --config >/dev/null
expect_eq "update-device --live --config back to default: the tap on default's bridge" "$(master)" "$default_br"
expect_match "... the persistent definition names default" "$($V dumpxml mover --inactive)" "<source network=.default./>"
nic second
$V update-device mover "$ROOT/nic.xml" --config >/dev/null
expect_eq "update-device --config: the running tap stays" "$(master)" "$default_br"
expect_match "... the persistent definition names second" "$($V dumpxml mover --inactive)" "<source network=.second./>"

$V destroy mover >/dev/null
echo "$CHECKS checks passed"
