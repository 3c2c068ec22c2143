#!/usr/bin/env bash
# PCI host devices (VFIO, issue 16) on a host without an IOMMU, as this
# one is: a domain with <hostdev type='pci'> defines and writes it back,
# but its start (vireo and Debian's virsh over libvirt-sock) is refused in
# one line naming the missing IOMMU and changes nothing (still shut off,
# no run directory, no QEMU, the definition as it was); nodedev-detach and
# nodedev-reattach are refused likewise, a bad device name names the form;
# domcapabilities offers no PCI subsystem; attach-device of one is refused
# by name (hot-plug is not done). The host side with an IOMMU is
# tests/unit/test_host_vfio.c (a sysfs tree of its own) and the QEMU
# command line the golden fixtures hostdev-pci-*.
. "$(dirname "$0")/lib.sh"
virsh_daemon
if [ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
    NO=" 0000:7f:1f.7: this host has no PCI device"     # a device no host here has
else
    NO=" 0000:7f:1f.7: this host has no IOMMU \(/sys/kernel/iommu_groups is empty\).*intel_iommu=on"
fi
tiny_xml vfio | sed "s|<serial type='pty'>|<hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio'/><source><address domain='0x0000' bus='0x7f' slot='0x1f' function='0x7'/></source><rom bar='off'/></hostdev><serial type='pty'>|" \
    >"$ROOT/vfio.xml"
"$VIREO" define "$ROOT/vfio.xml" >/dev/null
before=$("$VIREO" dumpxml vfio)
expect_match "define: <hostdev type='pci'> written back as libvirt writes it" "$(tr -d ' \n' <<<"$before")" \
    "<hostdevmode=\"subsystem\"type=\"pci\"managed=\"yes\"><drivername=\"vfio\"/><source><addressdomain=\"0x0000\"bus=\"0x7f\"slot=\"0x1f\"function=\"0x7\"/></source><rombar=\"off\"/><addresstype=\"pci\""
expect_fail "vireo start: refused in one line naming the missing IOMMU" \
    "^vireo: error: domain 'vfio' cannot start: <hostdev type='pci'>$NO" "$VIREO" start vfio
verr "virsh start over libvirt-sock: the same reason" "<hostdev type='pci'>$NO" start vfio
expect_eq "  and the domain is still shut off" "$("$VIREO" domstate vfio)" "shut off"
[ ! -e "$ROOT/run/vireo/qemu/vfio" ] || fail "a run directory was made for a refused start"
ok "  no run directory"
pgrep -f -- "-name guest=vfio," >/dev/null && fail "a QEMU runs for a refused start"
ok "  no QEMU"
expect_eq "  the definition as it was" "$("$VIREO" dumpxml vfio)" "$before"

expect_fail "nodedev-detach: refused in one line naming the missing IOMMU" \
    "^vireo: error: cannot detach pci_0000_7f_1f_7:.*(no IOMMU|no PCI device)" "$VIREO" nodedev-detach pci_0000_7f_1f_7
expect_fail "nodedev-reattach: likewise" "^vireo: error: cannot reattach pci_0000_7f_1f_7:.*(no IOMMU|no PCI device)" \
    "$VIREO" nodedev-reattach pci_0000_7f_1f_7
expect_fail "nodedev-detach of a name that is no PCI device's: the form to give" \
    "is not a PCI node device name: give pci_DDDD_BB_SS_F" "$VIREO" nodedev-detach usb_1_1
out=$("$VIREO" nodedev-detach pci_0000_7f_1f_7 --driver kvm 2>&1) && fail "nodedev-detach --driver kvm succeeded"
expect_match "nodedev-detach --driver kvm: only vfio (and the usage)" "$out" \
    "^vireo nodedev-detach: the only backend is VFIO: --driver vfio, not 'kvm'$"
out=$("$VIREO" -r nodedev-detach pci_0000_7f_1f_7 2>&1) && fail "nodedev-detach on the read-only socket succeeded"
ok "nodedev-detach on the read-only socket: refused ($out)"

caps=$(virsh domcapabilities | tr -d ' \n')
if [ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
    expect_match "domcapabilities: PCI host devices through vfio" "$caps" "<value>pci</value></enum><enumname='capsType'/><enumname='pciBackend'><value>vfio</value>"
else
    expect_match "domcapabilities: no PCI subsystem here (USB only)" "$caps" "<enumname='subsysType'><value>usb</value></enum>"
fi
# Hot-plug of a PCI hostdev is not done: refused by name, the definition kept.
echo "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='0x7e' slot='0' function='0'/></source></hostdev>" >"$ROOT/hd.xml"
expect_fail "attach-device of a PCI hostdev: refused by name" "<hostdev> cannot be attached or detached" \
    "$VIREO" attach-device vfio "$ROOT/hd.xml" --config
expect_eq "  the definition as it was" "$("$VIREO" dumpxml vfio)" "$before"
"$VIREO" undefine vfio >/dev/null
no_sanitizer_report
