#!/usr/bin/env bash
# libvirt-dbus (the D-Bus API Cockpit's machines page is built on) against
# vireod (issue 21): it connects to qemu:///system, which vireod
# --libvirt-paths serves in a private mount namespace; libvirt-dbus runs
# on a private session bus (dbus-run-session) and busctl asks it what
# Cockpit asks: the domains, pools and networks, a domain's properties,
# XML and stats, and a start and a destroy through D-Bus that vireo sees.
. "$(dirname "$0")/lib.sh"
need_images
for tool in libvirt-dbus dbus-run-session busctl virsh; do
    command -v "$tool" >/dev/null || fail "$tool missing (make deps: libvirt-dbus, dbus, systemd, libvirt-clients)"
done
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
chmod 755 "$ROOT"
tiny_xml dbusvm >"$ROOT/dbusvm.xml"
out=$(unshare -m bash -s "$VIREOD" "$ROOT/lp" "$ROOT/dbusvm.xml" <<'SH'
vireod=$1 root=$2 xml=$3
mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir -p /run/libvirt "$root" || exit 1
"$vireod" --root "$root" --socket "$root/vireod.sock" --no-default-network --libvirt-paths >"$root/log" 2>&1 &
vpid=$!
for _ in $(seq 1 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done
virsh -q -c qemu:///system define "$xml" >/dev/null
dbus-run-session -- bash -s "$root" <<'BUS'
root=$1
libvirt-dbus --session >"$root/dbus.log" 2>&1 &
b() { busctl --user "$@" 2>&1; }
for _ in $(seq 1 50); do b call org.libvirt /org/libvirt/QEMU org.libvirt.Connect ListDomains u 0 >/dev/null && break; sleep 0.1; done
echo "domains $(b call org.libvirt /org/libvirt/QEMU org.libvirt.Connect ListDomains u 0)"
echo "pools $(b call org.libvirt /org/libvirt/QEMU org.libvirt.Connect ListStoragePools u 0)"
echo "hostname $(b get-property org.libvirt /org/libvirt/QEMU org.libvirt.Connect Hostname)"
p=$(b call org.libvirt /org/libvirt/QEMU org.libvirt.Connect DomainLookupByName s dbusvm | cut -d'"' -f2)
echo "name $(b get-property org.libvirt "$p" org.libvirt.Domain Name)"
echo "xml $(b call org.libvirt "$p" org.libvirt.Domain GetXMLDesc u 0 | grep -o '<name>dbusvm</name>')"
b call org.libvirt "$p" org.libvirt.Domain Create u 0 >/dev/null
echo "active $(b get-property org.libvirt "$p" org.libvirt.Domain Active)"
echo "stats $(b call org.libvirt "$p" org.libvirt.Domain GetStats uu 1 0)"
echo "vireo $(virsh -c qemu:///system domstate dbusvm)"
b call org.libvirt "$p" org.libvirt.Domain Destroy u 0 >/dev/null
echo "after $(b get-property org.libvirt "$p" org.libvirt.Domain Active)"
kill %1
BUS
kill $vpid; wait $vpid
echo "unserved $(grep -c 'is not supported' "$root/log")"
SH
)
expect_match "libvirt-dbus lists vireod's domain" "$out" '^domains ao 1 "/org/libvirt/QEMU/domain/_[0-9a-f_]+"$'
expect_match "... and its storage pool" "$out" '^pools ao 1 "/org/libvirt/QEMU/storagepool/_'
expect_match "... the host's name" "$out" "^hostname s \"$(hostname)\"$"
expect_match "... a domain's Name property" "$out" '^name s "dbusvm"$'
expect_match "... its XML" "$out" '^xml .*<name>dbusvm</name>'
expect_match "Domain.Create through D-Bus starts it" "$out" '^active b true$'
expect_match "... GetStats (state running)" "$out" '^stats a\{sv\} 2 "state.state" v i 1'
expect_match "... which virsh sees on vireod" "$out" '^vireo running$'
expect_match "Domain.Destroy through D-Bus" "$out" '^after b false$'
expect_match "libvirt-dbus called no procedure vireod does not serve (node device and secret events included)" \
    "$out" '^unserved 0$'
echo "$CHECKS checks passed"
