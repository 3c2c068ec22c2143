#!/usr/bin/env bash
# Hot-plug of NICs and CD-ROM media into a running guest, as the course
# does it (curso2: attach-interface / detach-interface), with the real
# default network (bridge, dnsmasq) inside a namespace this test makes:
# the new NIC appears in the guest and gets a DHCP lease; detached, it
# is gone from the guest and the definition. change-media swaps a
# CD-ROM's medium, which the guest sees. A NIC with a user alias keeps
# it through a live update-device, which refuses another alias (libvirt's
# rules), and leaves by detach-device-alias.
. "$(dirname "$0")/lib.sh"
open_test --netns vrt-hpn

# On pc: a NIC hot-plugs into a free slot of the root bus (ACPI), the
# CD-ROM is on IDE, which the tiny guest drives.
cdrom="<disk type='file' device='cdrom'><source file='$IMAGES/tiny.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>"
$V vol-create-as default root.qcow2 16M --format qcow2 >/dev/null
vda="<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='root.qcow2'/><target dev='vda' bus='virtio'/></disk>"
boot_tiny debian12 "$vda $cdrom <interface type='network'><source network='default'/><model type='virtio'/></interface>"

# virsh attach-interface debian12 network red_nat --model virtio --persistent
# (on the default network here).
out=$($V attach-interface debian12 network default --model virtio --mac 52:54:00:15:16:61 --persistent)
expect_match "attach-interface --persistent" "$out" "Interface attached successfully"
expect_match "domiflist shows the new NIC" "$($V domiflist debian12)" "network +default +virtio +52:54:00:15:16:61"
expect_match "the stored definition has it" "$($V dumpxml debian12 --inactive)" "52:54:00:15:16:61"
out=$(guest_until debian12 "cat /sys/class/net/eth1/address" '52:54:00:15:16:61')
expect_match "the guest has eth1 with that MAC" "$out" "^52:54:00:15:16:61$"
guest debian12 "ip link set eth1 up; udhcpc -i eth1 -n -q -t 5 -T 1 -s /etc/udhcpc.script >/dev/null 2>&1 &" >/dev/null
has_lease() { $V net-dhcp-leases default | grep -q '52:54:00:15:16:61'; }
wait_for 60 "eth1 gets a DHCP lease on default" has_lease

# virsh detach-interface debian12 network --mac 52:54:00:15:16:61 --persistent
out=$($V detach-interface debian12 network --mac 52:54:00:15:16:61 --persistent)
expect_match "detach-interface --persistent" "$out" "Interface detached successfully"
gone() { ! guest debian12 "ls /sys/class/net" | grep -q eth1; }
wait_for 30 "eth1 is gone from the guest" gone
[ "$($V domiflist debian12 --json | jq length)" = 1 ] || fail "domiflist still lists two NICs"
ok "domiflist is back to one NIC"
grep -q 52:54:00:15:16:61 <<<"$($V dumpxml debian12 --inactive)" && fail "the stored definition kept the NIC"
ok "the stored definition lost it too"
expect_fail "detach of a MAC that is not there" "52:54:00:00:00:99" \
    $V detach-interface debian12 network --mac 52:54:00:00:00:99
expect_fail "attach-interface to a network that does not exist" "nope" \
    $V attach-interface debian12 network nope --model virtio
# direct: a macvtap on a host NIC (a veth of the test's namespace; this
# kernel has no dummy links).
ip -n "$HOSTNS" link add vrdum0 type veth peer name vrdum1
ip -n "$HOSTNS" link set vrdum0 up
ip -n "$HOSTNS" link set vrdum1 up
out=$($V attach-interface debian12 direct vrdum0 --model virtio --mac 52:54:00:15:16:77 --live)
expect_match "attach-interface direct --live" "$out" "Interface attached successfully"
out=$(guest_until debian12 "cat /sys/class/net/eth1/address" '52:54:00:15:16:77')
expect_match "the guest sees the macvtap NIC" "$out" "52:54:00:15:16:77"
expect_match "dumpxml: type direct on vrdum0" "$($V dumpxml debian12 | tr -d '\n')" \
    "<interface type=.direct.>.*<source dev=.vrdum0."
ip -n "$HOSTNS" -o link show type macvtap | grep -q "@vrdum0" || fail "no macvtap on vrdum0 in the host namespace"
ok "a macvtap sits on vrdum0"
expect_match "detach-interface direct --live" "$($V detach-interface debian12 direct --mac 52:54:00:15:16:77 --live)" \
    "Interface detached successfully"
wait_for 30 "the macvtap NIC is gone from the guest" gone
# (type macvtap: vrdum0's veth peer shows as vrdum1@vrdum0 too)
mv_gone() { ! ip -n "$HOSTNS" -o link show type macvtap | grep -q "@vrdum0"; }
wait_for 10 "the macvtap on vrdum0 is gone" mv_gone
expect_fail "attach-interface direct to a NIC that does not exist" "nonic0" \
    $V attach-interface debian12 direct nonic0 --live

# change-media: the CD-ROM's medium out, then in again.
size() { guest debian12 "cat /sys/block/sr0/size" | grep -E '^[0-9]+$' | tail -1; }
out=$(guest_until debian12 "cat /sys/block/sr0/size" '^[1-9][0-9]*$')
before=$(grep -E '^[1-9][0-9]*$' <<<"$out" | tail -1)
[ "${before:-0}" -gt 0 ] || fail "the guest sees no medium in sr0 at first: $out"
ok "the guest sees the ISO in sr0 ($before sectors)"
expect_match "change-media --eject" "$($V change-media debian12 hdc --eject)" "ejected"
expect_match "dumpxml: no source after the eject" "$($V domblklist debian12)" "^ hdc +-$"
# Opening the drive makes the guest look at the medium again.
probe="dd if=/dev/sr0 of=/dev/null bs=2048 count=1 2>/dev/null && echo MEDIUM-\$(cat /sys/block/sr0/size) || echo NO-MEDIUM"
expect_match "the guest finds no medium" "$(guest_until debian12 "$probe" '^NO-MEDIUM')" "^NO-MEDIUM"
expect_match "change-media --insert" "$($V change-media debian12 hdc "$IMAGES/tiny.iso" --insert)" "inserted"
expect_match "domblklist shows the medium again" "$($V domblklist debian12)" "^ hdc +$IMAGES/tiny.iso$"
expect_match "the guest reads the medium again, the same size" "$(guest_until debian12 "$probe" '^MEDIUM-')" "^MEDIUM-$before$"
# attach-device / detach-device with a <disk> element from a file.
$V vol-create-as default extra.qcow2 32M --format qcow2 >/dev/null
cat >"$ROOT/disk.xml" <<XML
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
  <source file='$($V vol-path extra.qcow2 --pool default)'/><target dev='vdb' bus='virtio'/></disk>
XML
expect_match "attach-device FILE --live" "$($V attach-device debian12 "$ROOT/disk.xml" --live)" "Device attached successfully"
expect_match "the guest has vdb, 32 MiB" "$(guest_until debian12 "cat /sys/block/vdb/size" '^65536$')" "^65536$"
grep -q extra.qcow2 <<<"$($V dumpxml debian12 --inactive)" && fail "--live changed the stored definition"
ok "--live left the stored definition alone"
expect_match "detach-device FILE --live" "$($V detach-device debian12 "$ROOT/disk.xml" --live)" "Device detached successfully"
vdb_gone() { ! guest debian12 "ls /sys/block" | grep -q vdb; }
wait_for 30 "vdb is gone from the guest" vdb_gone
expect_fail "detach-device of a disk that is not there" "vdb" $V detach-device debian12 "$ROOT/disk.xml" --live
# User aliases live, as libvirt (issue 16): a NIC hot-plugged with one;
# update-device leaving <alias> out keeps it, and one naming another
# device alias is refused (virDomainDefCompatibleDevice); an interface is
# found by its MAC and alias together (virDomainNetFindIdx);
# detach-device-alias removes it by the alias.
nic2="<interface type='network'><mac address='52:54:00:15:16:88'/><source network='default'/><model type='virtio'/>"
printf '%s' "$nic2<alias name='ua-nic2'/></interface>" > "$ROOT/nic2.xml"
expect_match "attach-device of a NIC with a user alias, live" "$($V attach-device debian12 "$ROOT/nic2.xml" --live)" \
    "Device attached successfully"
out=$(guest_until debian12 "cat /sys/class/net/eth1/address" '52:54:00:15:16:88')
expect_match "the guest has it" "$out" "^52:54:00:15:16:88$"
printf '%s' "$nic2<link state='down'/></interface>" > "$ROOT/nic2-down.xml"
expect_match "update-device --live of its link, <alias> left out" "$($V update-device debian12 "$ROOT/nic2-down.xml" --live)" \
    "Device updated successfully"
expect_match "...the running NIC keeps its user alias" "$($V dumpxml debian12 | tr -d '\n ')" \
    "52:54:00:15:16:88\"/>.*<linkstate=\"down\"/><aliasname=\"ua-nic2\"/>"
printf '%s' "$nic2<alias name='ua-other'/></interface>" > "$ROOT/nic2-other.xml"
expect_fail "update-device naming the NIC's MAC with another alias" \
    "domain 'debian12' has no interface with MAC 52:54:00:15:16:88 and with alias ua-other" \
    $V update-device debian12 "$ROOT/nic2-other.xml" --live
printf '%s' "<disk type='file' device='cdrom'><source file='$IMAGES/tiny.iso'/><target dev='hdc' bus='ide'/><readonly/><alias name='ua-cd'/></disk>" > "$ROOT/cd-alias.xml"
expect_fail "update-device of the CD-ROM giving it an alias, live" \
    "changing device alias is not allowed \\(it is 'none' in the running domain; the new element gives 'ua-cd'\\)" \
    $V update-device debian12 "$ROOT/cd-alias.xml" --live
expect_match "detach-device-alias of the NIC, live" "$($V detach-device-alias debian12 ua-nic2 --live)" \
    "Device detach request sent successfully"
wait_for 30 "the NIC is gone from the guest" gone
grep -q 52:54:00:15:16:88 <<<"$($V dumpxml debian12)" && fail "the NIC is still in the live XML"
ok "...and from the live XML"
# libvirt's automatic aliases (issue 16): the running NIC of the start is
# net0, one hot-plugged without an alias net1 (libvirt's next free), in
# the live XML only; update-device and detach-device find it by that
# alias, as libvirt's live device parser reads it.
nic3="<interface type='network'><mac address='52:54:00:15:16:99'/><source network='default'/><model type='virtio'/>"
printf '%s' "$nic3</interface>" > "$ROOT/nic3.xml"
expect_match "attach-device of a NIC without an alias, live" "$($V attach-device debian12 "$ROOT/nic3.xml" --live)" \
    "Device attached successfully"
out=$(guest_until debian12 "cat /sys/class/net/eth1/address" '52:54:00:15:16:99')
live=$($V dumpxml debian12 | tr -d '\n ')
expect_match "dumpxml: the first NIC is net0, the hot-plugged one net1, the disk virtio-disk0, the CD-ROM ide0-1-0" "$live" \
    "<targetdev=\"vda\"bus=\"virtio\"/><aliasname=\"virtio-disk0\"/>.*<targetdev=\"hdc\"bus=\"ide\"/>.*<aliasname=\"ide0-1-0\"/>.*<aliasname=\"net0\"/>.*52:54:00:15:16:99.*<aliasname=\"net1\"/>"
grep -q "net1\|virtio-disk0" <<<"$($V dumpxml debian12 --inactive)" && fail "an automatic alias in the persistent definition"
ok "...none in the persistent definition"
printf '%s' "<interface type='network'><mac address='52:54:00:15:16:aa'/><source network='default'/><model type='virtio'/></interface>" > "$ROOT/nic4.xml"
expect_match "attach-device of a third NIC, live" "$($V attach-device debian12 "$ROOT/nic4.xml" --live)" \
    "Device attached successfully"
expect_match "...it is net2" "$($V dumpxml debian12 | tr -d '\n ')" "52:54:00:15:16:aa\"/>.*<aliasname=\"net2\"/>"
printf '%s' "<interface type='network'><mac address='52:54:00:15:16:99'/><source network='default'/><model type='virtio'/><alias name='net1'/><link state='down'/></interface>" > "$ROOT/nic3-down.xml"
expect_match "update-device --live naming the NIC by its MAC and net1" "$($V update-device debian12 "$ROOT/nic3-down.xml" --live)" \
    "Device updated successfully"
expect_match "...its link is down" "$($V dumpxml debian12 | tr -d '\n ')" "52:54:00:15:16:99\"/>.*<linkstate=\"down\"/><aliasname=\"net1\"/>"
printf '%s' "<interface type='network'><alias name='net7'/></interface>" > "$ROOT/nic-net7.xml"
expect_fail "detach-device of an interface by an alias no NIC has" "domain 'debian12' has no interface with alias 'net7'" \
    $V detach-device debian12 "$ROOT/nic-net7.xml" --live
printf '%s' "<interface type='network'><alias name='net1'/></interface>" > "$ROOT/nic-net1.xml"
expect_match "detach-device of the NIC by <alias name='net1'/>, live" "$($V detach-device debian12 "$ROOT/nic-net1.xml" --live)" \
    "Device detached successfully"
gone3() { ! $V dumpxml debian12 | grep -q 52:54:00:15:16:99; }
wait_for 30 "...it leaves the live XML" gone3
# libvirt numbers the next one past the highest in use (net0, net2):
# net3, not net1 again.
printf '%s' "<interface type='network'><mac address='52:54:00:15:16:bb'/><source network='default'/><model type='virtio'/></interface>" > "$ROOT/nic5.xml"
expect_match "attach-device of a NIC after net1 left, live" "$($V attach-device debian12 "$ROOT/nic5.xml" --live)" \
    "Device attached successfully"
expect_match "...it is net3, as libvirt numbers it" "$($V dumpxml debian12 | tr -d '\n ')" "52:54:00:15:16:bb\"/>.*<aliasname=\"net3\"/>"
$V destroy debian12 >/dev/null
