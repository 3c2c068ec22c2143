#!/usr/bin/env bash
# libvirt's own clients drive vireod, second slice (issue 21): virt-install
# 4.1 creates VMs (--import, direct kernel boot, --os-variant) that reach
# their shell, virt-clone clones one, virsh reads the domain capabilities,
# talks to a guest through `virsh console` (a libvirt stream), round-trips
# a volume through vol-upload/vol-download (checksums equal, --sparse keeps
# holes both ways) and walks snapshots; python3-libvirt reads
# getAllDomainStats and moves a volume through streams; vireod
# --libvirt-paths serves /run/libvirt in a private mount namespace. The
# daemon is the ASan build; no network objects are made (--network none,
# no default network), so no namespace is needed.
. "$(dirname "$0")/lib.sh"
need_images
need_asan_daemon
for tool in virsh virt-install virt-clone script; do
    command -v "$tool" >/dev/null || fail "$tool missing (make deps: libvirt-clients, virtinst, bsdutils)"
done
/usr/bin/python3 -c 'import libvirt' 2>/dev/null || fail "python3-libvirt missing (make deps)"

start_daemon "$ASAN_VIREOD"
URI="qemu:///system?socket=$ROOT/libvirt-sock"
virsh() { command virsh -q -c "$URI" "$@"; }
vsay() { command virsh -c "$URI" "$@"; }
verr() { command virsh -c "$URI" "$@" 2>&1 >/dev/null && fail "virsh $* succeeded"; true; }

# ---- domain capabilities: QEMU's own lists, what Vireo honours ----
qemu=$(command -v qemu-system-x86_64)
caps=$(virsh domcapabilities)
expect_match "domcapabilities: QEMU's binary" "$caps" "<path>$qemu</path>"
expect_match "domcapabilities: the default machine, canonical" "$caps" "<machine>pc-i440fx-[0-9.]+</machine>"
expect_match "domcapabilities --machine q35" "$(virsh domcapabilities --machine q35)" "<machine>pc-q35-[0-9.]+</machine>"
expect_match "domcapabilities: bios firmware" "$caps" "<value>bios</value>"
if ls /usr/share/qemu/firmware/*.json >/dev/null 2>&1; then
    expect_match "domcapabilities: efi, OVMF's loader from the descriptors" "$caps" "<value>/usr/share/OVMF/OVMF_CODE"
fi
expect_match "domcapabilities: QEMU's CPU models" "$caps" "<model usable='unknown' vendor='unknown'>Skylake-Client</model>"
expect_match "domcapabilities: host-passthrough" "$caps" "<mode name='host-passthrough' supported='yes'>"
[ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] && pci_caps="<value>pci</value>" || pci_caps=
expect_match "domcapabilities: hostdev, USB (usb-host) and PCI only with an IOMMU (vfio-pci)" \
    "$(tr -d ' \n' <<<"$caps")" "<hostdevsupported='yes'><enumname='mode'><value>subsystem</value></enum><enumname='startupPolicy'/><enumname='subsysType'><value>usb</value>$pci_caps</enum>"
expect_match "domcapabilities: virtio rng" "$caps" "<rng supported='yes'>"
expect_eq "vireo domcapabilities: the same document" "$("$VIREO" domcapabilities)" "$(command virsh -c "$URI" domcapabilities)"
expect_match "domcapabilities --virttype xen: refused" "$(verr domcapabilities --virttype xen)" \
    "unsupported configuration: virtualization type 'xen' is not served here"
expect_match "domcapabilities of an unknown machine: refused" "$(verr domcapabilities --machine nope)" \
    "machine 'nope' is not one"

# ---- virt-install 4.1: --import, direct kernel boot; virt-clone ----
cp "$IMAGES/tiny.iso" "$ROOT/tiny.iso"
vi_common=(--connect "$URI" --memory 256 --vcpus 1 --network none --graphics none --noautoconsole)
out=$(virt-install "${vi_common[@]}" --name vi1 --import --disk "path=$ROOT/tiny.iso,device=cdrom" \
    --os-variant linux2022 2>&1) || fail "virt-install --import: $out"
expect_match "virt-install --import --os-variant: created" "$out" "Domain creation completed"
expect_match "... libosinfo's id in its metadata" "$(virsh dumpxml vi1)" 'libosinfo:os id="http://libosinfo.org/linux/2022"'
expect_match "... it boots its ISO and its shell answers" "$(guest_until vi1 'echo $((6*7))' '^42')" "^42"
out=$(virt-install "${vi_common[@]}" --name vi2 --import --disk none --os-variant debian11 \
    --boot "kernel=$IMAGES/tiny-vmlinuz,initrd=$IMAGES/tiny-initrd.img,kernel_args=console=ttyS0 cryptomgr.notests=1" 2>&1) ||
    fail "virt-install --boot kernel=: $out"
expect_match "virt-install direct kernel boot: created" "$out" "Domain creation completed"
expect_match "... its shell answers" "$(guest_until vi2 'echo $((7*6))' '^42')" "^42"
vsay destroy vi1 >/dev/null
out=$(virt-clone --connect "$URI" --original vi1 --auto-clone 2>&1) || fail "virt-clone: $out"
expect_match "virt-clone --auto-clone" "$out" "Clone 'vi1-clone' created successfully"
expect_match "... listed, shut off" "$(virsh list --all)" "vi1-clone +shut off"
[ "$(virsh domuuid vi1-clone)" != "$(virsh domuuid vi1)" ] || fail "the clone kept vi1's uuid"
ok "... with its own uuid"

# ---- virsh console: a libvirt stream joined to the serial console ----
console=$( (sleep 1; printf 'echo con-$((40+2))\n'; sleep 2; printf '\035') |
    timeout 20 script -qfec "virsh -c '$URI' console vi2" /dev/null | tr -d '\r')
expect_match "virsh console: connected" "$console" "Connected to domain 'vi2'"
expect_match "... the guest's answer comes back through the stream" "$console" "^con-42"
expect_match "... and the domain still runs" "$(virsh domstate vi2)" "running"

# ---- volume upload and download (streams), sparse both ways ----
head -c 3000000 /dev/urandom >"$ROOT/up.bin"
truncate -s 8M "$ROOT/up.bin" # 3 MB of data, then a 5 MB hole
vsay vol-create-as default up.raw 1M --format raw >/dev/null
expect_eq "virsh vol-upload" "$(vsay vol-upload --pool default up.raw "$ROOT/up.bin" 2>&1)" ""
expect_match "... vireo sees the new size" "$("$VIREO" vol-info up.raw --pool default --json | jq -r .capacity)" "^8388608$"
vsay vol-download --pool default up.raw "$ROOT/down.bin" >/dev/null
expect_eq "virsh vol-download: the checksum is the upload's" "$(sha256sum <"$ROOT/down.bin")" "$(sha256sum <"$ROOT/up.bin")"
vsay vol-download --pool default up.raw "$ROOT/sparse.bin" --sparse >/dev/null
expect_eq "vol-download --sparse: the same bytes" "$(sha256sum <"$ROOT/sparse.bin")" "$(sha256sum <"$ROOT/up.bin")"
[ "$(du -k "$ROOT/sparse.bin" | cut -f1)" -lt 6000 ] || fail "vol-download --sparse wrote the hole ($(du -k "$ROOT/sparse.bin"))"
ok "... the hole stays a hole"
vsay vol-upload --pool default up.raw "$ROOT/sparse.bin" --sparse >/dev/null
vol=$ROOT/var/lib/vireo/images/up.raw
[ "$(du -k "$vol" | cut -f1)" -lt 6000 ] || fail "vol-upload --sparse filled the hole ($(du -k "$vol"))"
ok "vol-upload --sparse: the volume keeps the hole"
expect_eq "... and its bytes" "$(sha256sum <"$vol")" "$(sha256sum <"$ROOT/up.bin")"
# Reading a disk's bytes is read-write only on both read-only sockets
# (libvirt's rule; virsh without -r, so the refusal is the daemon's).
out=$(command virsh -c "qemu:///system?socket=$ROOT/libvirt-sock-ro" vol-download --pool default up.raw \
    "$ROOT/ro.bin" 2>&1) && fail "libvirt-sock-ro served a vol-download"
expect_match "libvirt-sock-ro refuses vol-download" "$out" "read only access prevents virStorageVolDownload"
expect_fail "vireod-ro.sock refuses vol-download, in one line" \
    "read-only connection cannot read the guest.s own data through GET /v1/pools/[^ ]*/download" \
    "$VIREO" -r vol-download up.raw "$ROOT/ro2.bin" --pool default
expect_match "vol-upload to a missing volume: libvirt's error" "$(verr vol-upload --pool default nope "$ROOT/up.bin")" \
    "Storage volume not found"

# ---- snapshots (offline, of a qcow2 disk) ----
vsay vol-create-as default snap.qcow2 16M --format qcow2 >/dev/null
tiny_xml sn qemu | sed "s|</devices>|<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$ROOT/var/lib/vireo/images/snap.qcow2'/><target dev='vda' bus='virtio'/></disk></devices>|" \
    >"$ROOT/sn.xml"
virsh define "$ROOT/sn.xml" >/dev/null
expect_match "virsh snapshot-create-as" "$(vsay snapshot-create-as sn s1 --description first)" "Domain snapshot s1 created"
expect_match "snapshot-create-as without a name" "$(vsay snapshot-create-as sn)" "Domain snapshot snapshot-[0-9]+ created"
second=$(virsh snapshot-list sn --name | grep -v '^s1$')
expect_match "virsh snapshot-list: both, shut off" "$(virsh snapshot-list sn)" "^ s1 .* shutoff"
expect_match "snapshot-list --parent: s1 is the second's parent" "$(virsh snapshot-list sn --parent)" "$second .* s1$"
expect_eq "snapshot-list --leaves: the second" "$(virsh snapshot-list sn --leaves --name)" "$second"
expect_eq "snapshot-list --roots: s1" "$(virsh snapshot-list sn --roots --name)" "s1"
expect_eq "virsh snapshot-current: the newest" "$(virsh snapshot-current sn --name)" "$second"
expect_match "virsh snapshot-revert" "$(vsay snapshot-revert sn s1)" "Domain snapshot s1 reverted"
expect_eq "... s1 is current" "$(virsh snapshot-current sn --name)" "s1"
expect_match "... as vireo says" "$("$VIREO" snapshot-list sn --json | jq -r '.[] | select(.current) | .name')" "^s1$"
expect_match "snapshot-dumpxml: the description" "$(virsh snapshot-dumpxml sn s1)" "<description>first</description>"
expect_match "virsh snapshot-delete" "$(vsay snapshot-delete sn "$second")" "Domain snapshot $second deleted"
expect_eq "... one left" "$(virsh snapshot-list sn --name)" "s1"
expect_match "snapshot-revert to a missing snapshot: libvirt's error" "$(verr snapshot-revert sn nope)" \
    "Domain snapshot not found: no domain snapshot with matching name 'nope'"

# ---- python3-libvirt: all-domain stats, streams ----
py=$(/usr/bin/python3 - "$URI" "$ROOT/up.bin" <<'PY'
import hashlib, libvirt, sys
uri, path = sys.argv[1:]
libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open(uri)
stats = dict((d.name(), s) for d, s in conn.getAllDomainStats())
s = stats["vi2"]
print("groups", " ".join(k for k in ("state.state", "cpu.time", "balloon.current", "vcpu.current", "net.count",
                                     "block.count") if k in s))
print("running", s["state.state"] == libvirt.VIR_DOMAIN_RUNNING, s["cpu.time"] > 0, s["balloon.maximum"])
only = conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF)
print("shutoff", " ".join(sorted(d.name() for d, _ in only)))
print("ids", " ".join(sorted(k for _, st in only for k in st)))
pool = conn.storagePoolLookupByName("default")
vol = pool.createXML("<volume><name>py.raw</name><capacity>1048576</capacity></volume>", 0)
data = open(path, "rb").read()
st = conn.newStream(0)
vol.upload(st, 0, 0, 0)
for i in range(0, len(data), 65536):
    st.send(data[i:i + 65536])
st.finish()
st = conn.newStream(0)
vol.download(st, 0, 0, 0)
got = bytearray()
while True:
    chunk = st.recv(262144)
    if not chunk:
        break
    got += chunk
st.finish()
print("roundtrip", hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest(), len(got))
conn.close()
PY
)
expect_match "python: getAllDomainStats has each group" "$py" \
    "^groups state.state cpu.time balloon.current vcpu.current net.count block.count$"
expect_match "python: a running domain's state, CPU time and memory" "$py" "^running True True 262144$"
expect_match "python: the SHUTOFF filter" "$py" "^shutoff sn vi1 vi1-clone$"
expect_match "python: only the STATE group asked" "$py" "^ids( state.(reason|state))+$"
expect_match "python: a volume uploaded and downloaded through streams" "$py" "^roundtrip True 8388608$"

# ---- the course's vol-clone and vol-resize; virt-clone copies a disk
# (virStorageVolCreateXMLFrom 125, virStorageVolResize 260) ----
vsay vol-create-as default orig.qcow2 16M --format qcow2 >/dev/null
orig=$("$VIREO" vol-path --pool default orig.qcow2)
qemu-io -f qcow2 -c 'write -P 0x5a 1M 512k' "$orig" >/dev/null
expect_match "virsh vol-clone" "$(vsay vol-clone orig.qcow2 copy.qcow2 --pool default)" \
    "Vol copy.qcow2 cloned from orig.qcow2"
copy=$("$VIREO" vol-path --pool default copy.qcow2)
expect_eq "... a qcow2 of the same size" "$("$VIREO" vol-info copy.qcow2 --pool default --json | jq -r '"\(.format) \(.capacity)"')" \
    "qcow2 16777216"
expect_match "... with the same contents" "$(qemu-img compare -f qcow2 -F qcow2 "$orig" "$copy")" "Images are identical"
expect_match "vol-clone to a name taken: refused" "$(verr vol-clone orig.qcow2 copy.qcow2 --pool default)" \
    "copy.qcow2"
expect_match "vol-clone of a missing volume: libvirt's error" "$(verr vol-clone nope.qcow2 x.qcow2 --pool default)" \
    "Storage volume not found"
expect_match "virsh vol-resize copy.qcow2 32M (the course's line)" "$(vsay vol-resize copy.qcow2 32M --pool default)" \
    "Size of volume 'copy.qcow2' successfully changed to 32M"
expect_eq "... vireo sees 32 MiB" "$("$VIREO" vol-info copy.qcow2 --pool default --json | jq -r .capacity)" 33554432
vsay vol-resize copy.qcow2 8M --pool default --delta >/dev/null
expect_eq "vol-resize --delta 8M: 40 MiB" "$("$VIREO" vol-info copy.qcow2 --pool default --json | jq -r .capacity)" 41943040
expect_match "vol-resize to a smaller size without --shrink: refused" \
    "$(verr vol-resize copy.qcow2 8M --pool default)" "shrink"
vsay vol-resize copy.qcow2 24M --pool default --delta --shrink >/dev/null
expect_eq "vol-resize 24M --delta --shrink: 16 MiB" \
    "$("$VIREO" vol-info copy.qcow2 --pool default --json | jq -r .capacity)" 16777216
expect_match "vol-resize --allocate: libvirt's unsupported-flags error" \
    "$(verr vol-resize copy.qcow2 64M --pool default --allocate)" "unsupported flags"
tiny_xml vc qemu | sed "s|</devices>|<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$orig'/><target dev='vda' bus='virtio'/></disk></devices>|" \
    >"$ROOT/vc.xml"
virsh define "$ROOT/vc.xml" >/dev/null
out=$(virt-clone --connect "$URI" --original vc --auto-clone 2>&1) || fail "virt-clone of a VM with a pool disk: $out"
expect_match "virt-clone of a VM with a qcow2 disk in a pool" "$out" "Clone 'vc-clone' created successfully"
cdisk=$(virsh domblklist vc-clone | awk '$1 == "vda" {print $2}')
[ -n "$cdisk" ] && [ "$cdisk" != "$orig" ] || fail "vc-clone's disk is '$cdisk', not a copy"
expect_match "... its disk is a new volume of the pool" "$("$VIREO" vol-list default)" "$(basename "$cdisk")"
expect_match "... a copy of the original's" "$(qemu-img compare -f qcow2 -F qcow2 "$orig" "$cdisk")" "Images are identical"
virsh undefine vc-clone --remove-all-storage >/dev/null
virsh undefine vc >/dev/null

# ---- what the clients called is served ----
for p in 77 92 201 208 209 274 185 344 342 229 125 260; do
    grep -q "procedure $p .*not supported" "$ROOT/vireod.log" && fail "procedure $p was answered 'not supported'"
done
ok "pool define, volume names, console, upload, download, snapshots, all-domain stats, domain capabilities, control info, vol-clone and vol-resize were served"

# ---- vireod --libvirt-paths, in a private mount namespace ----
paths=$(unshare -m bash -s "$VIREOD" "$ROOT/lp" <<'SH'
vireod=$1 root=$2
mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir -p /run/libvirt "$root" || exit 1
# a stale socket a killed libvirtd left
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("/run/libvirt/libvirt-sock")'
"$vireod" --root "$root" --socket "$root/vireod.sock" --no-default-network --libvirt-paths >"$root/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -S /run/libvirt/virtqemud-sock-ro ] && break; sleep 0.1; done
echo "sockets $(cd /run/libvirt && echo *)"
echo "uri $(virsh -c qemu:///system uri)"
echo "hostname $(virsh -r -c qemu:///system hostname)"
echo "virtqemud $(virsh -c 'qemu:///system?socket=/run/libvirt/virtqemud-sock' pool-list --all --name | head -1 | tr -d ' ')"
kill $pid; wait $pid
echo "after $(cd /run/libvirt && echo *)"
# a live libvirt daemon holds virtqemud-sock: refused, one line
/usr/bin/python3 -c 'import socket,time; s=socket.socket(socket.AF_UNIX); s.bind("/run/libvirt/virtqemud-sock"); s.listen(1); time.sleep(10)' &
holder=$!
for _ in $(seq 1 50); do [ -S /run/libvirt/virtqemud-sock ] && break; sleep 0.1; done
"$vireod" --root "$root" --socket "$root/vireod.sock" --no-default-network --libvirt-paths 2>&1 | grep '^vireod:'
echo "rc ${PIPESTATUS[0]}"
echo "left $(cd /run/libvirt && echo *)"
kill $holder
SH
)
expect_match "--libvirt-paths: libvirt's four sockets (the stale one replaced)" "$paths" \
    "^sockets libvirt-sock libvirt-sock-ro virtqemud-sock virtqemud-sock-ro$"
expect_match "... virsh -c qemu:///system with no socket reaches vireod" "$paths" "^uri qemu:///system$"
expect_match "... the read-only one too" "$paths" "^hostname $(hostname)$"
expect_match "... and virtqemud-sock" "$paths" "^virtqemud default$"
expect_match "... removed when vireod stops" "$paths" "^after \*$"
expect_match "... a live libvirt daemon there: one line" "$paths" \
    "^vireod: a libvirt daemon is serving /run/libvirt/virtqemud-sock: stop it .* or start vireod without --libvirt-paths$"
expect_match "... exit status 1" "$paths" "^rc 1$"
expect_match "... its socket left alone" "$paths" "^left virtqemud-sock$"

vsay destroy vi2 >/dev/null
no_sanitizer_report
echo "libvirt-clients: $CHECKS checks passed"
