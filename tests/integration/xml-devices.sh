#!/usr/bin/env bash
# What the tiny guest sees of the domain XML that shapes its hardware
# (issue 16): a q35 definition without root ports gets spare ones at
# define and takes a hot-plugged disk; two NUMA cells are two nodes in
# /sys/devices/system/node; a DIMM attached while it runs raises its
# memory, and detached (online_movable in the guest) gives it back, the
# other DIMM keeping its QEMU id, a paused guest's refusal in one line; a virtiofs share and a 9p share each read a file the host
# wrote; <vcpupin> shows in the Cpus_allowed_list of QEMU's vCPU thread;
# the guest agent answers (domifaddr --source agent, domtime, guestinfo (virsh's keys),
# domfsinfo, qemu-agent-command) and powers the guest off (shutdown
# --mode agent); <numatune> binds the memory backends (the kernel's
# /proc/PID/numa_maps). What this host cannot do is refused in one line naming
# the element: huge pages of the default or a <page> size (none reserved here), CPU bandwidth (no cgroup
# v2 cpu controller for the daemon here), virtiofs without shared memory.
. "$(dirname "$0")/lib.sh"
need_images
# Image version 4 has qemu-ga and the virtiofs module.
v=$(sed -n 's/^v\([0-9]*\) .*/\1/p' "$IMAGES/tiny.stamp" 2>/dev/null)
[ "${v:-0}" -ge 4 ] || fail "the tiny guest in $IMAGES is image version ${v:-?}, older than 4 (no guest agent): run make images"
# The ASan daemon when there is one (make check builds it): the agent
# client, virtiofsd handling and the new XML run under the sanitizers.
DAEMON=$VIREOD
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
    DAEMON=$VIREO_ASAN_BUILD/src/daemon/vireod
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
fi
start_daemon "$DAEMON"
SHARE=$ROOT/share
SHM=vireo-xml-devices-$$
test_cleanup() { rm -f "/dev/shm/$SHM"; [ -n "${EGD_PID:-}" ] && kill "$EGD_PID" 2>/dev/null; true; }
mkdir -p "$SHARE/fs" "$SHARE/9p"
echo "written by the host for virtiofs $$" >"$SHARE/fs/hello.txt"
echo "written by the host for 9p $$" >"$SHARE/9p/hello.txt"
qemu-img create -q -f raw "$ROOT/extra.img" 16M
mkfs.vfat -n DATA "$ROOT/extra.img" >/dev/null

# The guest: q35, 2 vCPUs in 2 NUMA cells of 128 MiB, RAM shared (memfd)
# for virtiofsd, room for DIMMs, vCPU 1 pinned to host CPU 1 and the
# rest of QEMU to CPU 0, the guest agent's channel.
cat >"$ROOT/dev.xml" <<XML
<domain type='qemu'>
  <name>dev</name>
  <maxMemory slots='4' unit='MiB'>1024</maxMemory>
  <memory unit='MiB'>256</memory>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <vcpu>2</vcpu>
  <iothreads>1</iothreads>
  <cputune><vcpupin vcpu='1' cpuset='1'/><emulatorpin cpuset='0'/></cputune>
  <numatune><memory mode='strict' nodeset='0'/><memnode cellid='1' mode='preferred' nodeset='0'/></numatune>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$IMAGES/tiny-vmlinuz</kernel>
    <initrd>$IMAGES/tiny-initrd.img</initrd>
    <cmdline>console=ttyS0 cryptomgr.notests=1 memhp_default_state=online_movable</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <cpu><numa>
    <cell id='0' cpus='0' memory='128' unit='MiB'/>
    <cell id='1' cpus='1' memory='128' unit='MiB'/>
  </numa></cpu>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <controller type='scsi' model='virtio-scsi'><driver queues='2' iothread='1'/></controller>
    <filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/><source dir='$SHARE/fs'/><target dir='hostfs'/>
    </filesystem>
    <filesystem type='mount' accessmode='mapped'>
      <driver type='path'/><source dir='$SHARE/9p'/><target dir='host9p'/>
    </filesystem>
    <interface type='user'><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <rng model='virtio'><backend model='egd' type='unix'><source path='$ROOT/egd.sock'/></backend></rng>
    <shmem name='$SHM'><model type='ivshmem-plain'/><size unit='M'>1</size></shmem>
  </devices>
</domain>
XML
"$VIREO" define "$ROOT/dev.xml" >/dev/null
ports=$("$VIREO" dumpxml dev | grep -c "model='pcie-root-port'\|model=\"pcie-root-port\"")
# The NIC, the balloon, the two RNGs, virtio-scsi, virtio-serial, the two
# shares: 8 PCIe devices, each on a port, and 4 spare.
expect_eq "q35 without root ports: one per PCIe device and 4 spare at define" "$ports" 12
# An EGD daemon for <rng><backend model='egd'>: it answers each of QEMU's
# requests (0x02, N: N bytes, blocking) and counts what it gave.
/usr/bin/python3 - "$ROOT/egd.sock" "$ROOT/egd.count" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
given = 0
while True:
    head = c.recv(2)
    if len(head) < 2:
        break
    c.sendall(os.urandom(head[1]))
    given += head[1]
    with open(sys.argv[2], "w") as f:
        f.write(str(given))
PY
EGD_PID=$!
for _ in $(seq 1 50); do [ -S "$ROOT/egd.sock" ] && break; sleep 0.1; done
"$VIREO" start dev >/dev/null
LOG=$ROOT/var/log/vireo/qemu/dev.log
cmdline=$(grep -a -- ' -numa ' "$LOG" | tail -1 | sed 's/  */ /g')
expect_match "NUMA cells become memory backends and -numa nodes" "$cmdline" \
    "memory-backend-memfd,id=ram-node1,size=131072K,share=on,host-nodes=0,policy=preferred -numa node,nodeid=1,cpus=1,memdev=ram-node1"
expect_match "virtio-scsi takes its queues and iothread" "$cmdline" \
    "-object iothread,id=iothread1 .*virtio-scsi-pci,id=scsi0,num_queues=2,iothread=iothread1"
wait_for 60 "the guest is up" file_has "$ROOT/var/log/vireo/qemu/dev-serial0.log" VIREO-GUEST-READY
expect_match "<numatune>: <memory mode='strict'> binds cell 0's backend to host node 0" "$cmdline" \
    "memory-backend-memfd,id=ram-node0,size=131072K,share=on,host-nodes=0,policy=bind"
expect_match "  <memnode cellid='1' mode='preferred'> gives cell 1 its own policy" "$cmdline" \
    "memory-backend-memfd,id=ram-node1,size=131072K,share=on,host-nodes=0,policy=preferred"
# The kernel's view of QEMU's memory: the backends' mappings carry the policies.
maps=$(cat "/proc/$(cat "$ROOT/run/vireo/qemu/dev/qemu.pid")/numa_maps")
expect_match "  the kernel applies them: QEMU's guest RAM is bound to node 0" "$maps" ' bind:0 '
expect_match "  and cell 1's mapping prefers node 0" "$maps" ' prefer:0 '
expect_match "  dumpxml keeps <numatune>" "$("$VIREO" dumpxml dev)" '<memnode cellid="1" mode="preferred" nodeset="0"/>'

# The guest reads its hardware RNGs: the EGD-backed one draws from the daemon.
out=$(guest_until dev 'cd /sys/class/misc/hw_random; for r in $(cat rng_available); do echo $r >rng_current; head -c 64 /dev/hwrng | wc -c; done; echo RNG-DONE' 'RNG-DONE')
[ "$(cat "$ROOT/egd.count" 2>/dev/null || echo 0)" -ge 64 ] ||
    fail "the EGD daemon gave $(cat "$ROOT/egd.count" 2>/dev/null || echo 0) bytes: $out"
ok "<rng><backend model='egd' type='unix'>: the guest's /dev/hwrng reads from the EGD daemon ($(cat "$ROOT/egd.count") bytes)"
expect_match "  QEMU's rng-egd on a socket chardev" "$cmdline" \
    "-chardev socket,id=charrng1,path=$ROOT/egd.sock -object rng-egd,id=objrng1,chardev=charrng1"

out=$(guest_until dev 'ls -d /sys/devices/system/node/node*' 'node1')
expect_match "the guest sees two NUMA nodes" "$out" '/sys/devices/system/node/node0'
expect_match "node 1 too" "$out" '/sys/devices/system/node/node1'

out=$(guest_until dev 'mkdir -p /mnt/fs && mount -t virtiofs hostfs /mnt/fs; cat /mnt/fs/hello.txt' '^written by')
expect_match "virtiofs: the guest reads the file the host wrote" "$out" "written by the host for virtiofs $$"
pgrep -f -- "--socket-path=$ROOT/run/vireo/qemu/dev/fs0.sock" >/dev/null || fail "no virtiofsd for the share"
ok "virtiofsd runs for the share"
# 9p: Debian's cloud kernel (the tiny guest's) has no 9p driver, so the
# guest shows the device (virtio 9p, 0x1009/0x1049) and QEMU serves the
# directory under the tag; mounting it is for guests with 9p.
out=$(guest_until dev 'grep -l -E "0x1009|0x1049" /sys/bus/pci/devices/*/device' 'devices/.*/device')
expect_match "9p: the guest has the virtio-9p device" "$out" '/sys/bus/pci/devices/.*/device'
expect_match "9p: QEMU serves the host directory under its tag" "$cmdline" \
    "-fsdev local,id=fsdev-fs1,path=$SHARE/9p,security_model=mapped-xattr -device virtio-9p-pci,id=fs1,fsdev=fsdev-fs1,mount_tag=host9p"

# <shmem>: what the host writes into /dev/shm/NAME the guest reads in
# the ivshmem device's memory BAR (busybox devmem at BAR 2's address).
printf 'VIRE' | dd of="/dev/shm/$SHM" conv=notrunc status=none
out=$(guest_until dev 'for d in /sys/bus/pci/devices/*; do [ "$(cat $d/device)" = 0x1110 ] && devmem $(sed -n 3p $d/resource | cut -d" " -f1) 32; done' '^0x45524956')
expect_match "<shmem>: the guest reads what the host wrote in /dev/shm" "$out" '^0x45524956'

# <vcpupin vcpu='1' cpuset='1'>: QEMU names its vCPU threads "CPU N/TCG".
pid=$(cat "$ROOT/run/vireo/qemu/dev/qemu.pid")
pinned=
for t in /proc/$pid/task/*; do
    if grep -q '^CPU 1/' "$t/comm" 2>/dev/null; then
        pinned=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
    fi
done
expect_eq "vCPU 1's thread runs on host CPU 1 only" "$pinned" 1
main=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status")
expect_eq "<emulatorpin>: QEMU's main thread on host CPU 0" "$main" 0

# A DIMM while it runs: the guest's memory grows by 128 MiB.
before=$(guest_until dev 'grep MemTotal /proc/meminfo' 'MemTotal' | sed -n 's/.*MemTotal: *\([0-9]*\).*/\1/p')
cat >"$ROOT/dimm.xml" <<XML
<memory model='dimm'><target><size unit='MiB'>128</size><node>1</node></target></memory>
XML
"$VIREO" attach-device dev "$ROOT/dimm.xml" --live >/dev/null
expect_match "the live definition has the DIMM and 384 MiB" "$("$VIREO" dumpxml dev)" "<memory unit='KiB'>393216</memory>|<memory unit=\"KiB\">393216</memory>"
after=
for _ in $(seq 1 20); do
    after=$(guest dev 'grep MemTotal /proc/meminfo' | sed -n 's/.*MemTotal: *\([0-9]*\).*/\1/p')
    [ -n "$after" ] && [ -n "$before" ] && [ "$after" -gt $((before + 100000)) ] && break
    sleep 0.5
done
[ -n "$after" ] && [ "$after" -gt $((before + 100000)) ] || fail "MemTotal did not grow by the DIMM: $before -> $after kB"
ok "the hot-plugged DIMM raises the guest's MemTotal ($before -> $after kB)"
qom() { "$VIREO" qemu-monitor-command dev "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/objects/$1\",\"property\":\"$2\"}}"; }
expect_match "  its backend takes cell 1's <memnode> as boot DIMMs do: policy preferred" "$(qom memdimm0 policy)" '"preferred"'
expect_match "  on host node 0" "$(qom memdimm0 host-nodes)" '"return": ?\[ ?0 ?\]'

# DIMM detach. The guest onlines hot-plugged memory movable (the admin's
# memhp_default_state=online_movable above), so it can give it back.
zones=$(guest dev 'cat /sys/devices/system/memory/memory*/valid_zones | sort | uniq -c')
expect_match "  the guest onlined the DIMM's memory blocks movable" "$zones" 'Movable'
memdevs() { "$VIREO" qemu-monitor-command dev '{"execute":"query-memory-devices"}'; }
cat >"$ROOT/dimm2.xml" <<XML
<memory model='dimm'><target><size unit='MiB'>128</size><node>0</node></target></memory>
XML
"$VIREO" attach-device dev "$ROOT/dimm2.xml" --live >/dev/null
expect_match "a second DIMM is dimm1 in the live XML" "$("$VIREO" dumpxml dev)" '<alias name="dimm1"/>'
# A guest that does not answer (paused) keeps the DIMM: one line, nothing changed.
"$VIREO" suspend dev >/dev/null
expect_fail "detach of a DIMM the guest does not release answers in one line" \
    "has not released dimm0 within" "$VIREO" detach-device dev "$ROOT/dimm.xml" --live
expect_match "  and the DIMM stays listed" "$("$VIREO" dumpxml dev)" '<alias name="dimm0"/>'
expect_match "  and in QEMU" "$(memdevs)" '"id": ?"dimm0"'
# Resumed, the guest offlines the memory and the removal completes.
"$VIREO" resume dev >/dev/null
no_dimm0() { ! "$VIREO" dumpxml dev | grep -q '<alias name="dimm0"/>'; }
wait_for 60 "resumed, the guest releases dimm0 and the live definition drops it" no_dimm0
expect_match "  <memory> shrinks by it" "$("$VIREO" dumpxml dev)" '<memory unit="KiB">393216</memory>'
out=$(memdevs)
expect_match "  the other DIMM keeps its QEMU id dimm1" "$out" '"id": ?"dimm1"'
if grep -Eq '"id": ?"dimm0"' <<<"$out"; then fail "QEMU still has dimm0: $out"; fi
# --config: the persistent definition only.
"$VIREO" attach-device dev "$ROOT/dimm2.xml" --config >/dev/null
expect_match "attach-device --config puts a DIMM in the persistent definition" \
    "$("$VIREO" dumpxml dev --inactive)" 'model="dimm"'
"$VIREO" detach-device dev "$ROOT/dimm2.xml" --config >/dev/null
xml=$("$VIREO" dumpxml dev --inactive)
if grep -q 'model="dimm"' <<<"$xml"; then fail "detach-device --config left the DIMM: $xml"; fi
expect_match "detach-device --config takes it out again, <memory> back" "$xml" '<memory unit="KiB">262144</memory>'
# detach-device-alias --config: a DIMM by the dimmN dumpxml --inactive names it by.
"$VIREO" attach-device dev "$ROOT/dimm2.xml" --config >/dev/null
a=$("$VIREO" dumpxml dev --inactive | grep -o '<alias name="dimm[0-9]*"/>' | grep -o 'dimm[0-9]*' | head -1)
[ -n "$a" ] || fail "the DIMM attached --config has no dimmN alias in dumpxml --inactive"
expect_eq "detach-device-alias --config of the DIMM by its alias ($a)" \
    "$("$VIREO" detach-device-alias dev "$a" --config)" "Device detach request sent successfully"
xml=$("$VIREO" dumpxml dev --inactive)
if grep -q 'model="dimm"' <<<"$xml"; then fail "detach-device-alias --config left the DIMM: $xml"; fi
expect_match "  it left the persistent definition, <memory> back" "$xml" '<memory unit="KiB">262144</memory>'

# Hot-plug on q35 into a spare root port.
# It runs in the domain's iothread (<driver iothread='1'>).
cat >"$ROOT/extra.xml" <<XML
<disk type='file' device='disk'><driver name='qemu' type='raw' iothread='1'/><source file='$ROOT/extra.img'/>
  <target dev='vdb' bus='virtio'/></disk>
XML
"$VIREO" attach-device dev "$ROOT/extra.xml" --live >/dev/null
# The guest had no disk: the new one is its vda.
out=$(guest_until dev 'ls /sys/block' '^vd')
expect_match "a disk hot-plugged on q35 lands in a spare root port" "$out" '^vda'
expect_match "  <driver iothread='1'>: QEMU runs the virtio-blk device in iothread1" \
    "$("$VIREO" qemu-monitor-command dev '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/vdb","property":"iothread"}}')" \
    'objects.?/iothread1"'
expect_match "  and dumpxml keeps it" "$("$VIREO" dumpxml dev)" '<driver name="qemu" type="raw" iothread="1"/>'

# ---- refusals ----
sed -e 's|<name>dev</name>|<name>huge</name>|' \
    -e 's|<memoryBacking>.*</memoryBacking>|<memoryBacking><hugepages/></memoryBacking>|' \
    -e '/<filesystem/,/<\/filesystem>/d' "$ROOT/dev.xml" >"$ROOT/huge.xml"
"$VIREO" define "$ROOT/huge.xml" >/dev/null
if grep -q '^HugePages_Total: *0$' /proc/meminfo; then
    expect_fail "hugepages on a host without them" '<hugepages/>: this host has no huge pages' \
        "$VIREO" start huge
fi
# <page size nodeset>: a size per guest cell, checked against the host's pool of that size.
sed -e 's|<name>dev</name>|<name>huge2m</name>|' \
    -e "s|<memoryBacking>.*</memoryBacking>|<memoryBacking><hugepages><page size='2' unit='M' nodeset='1'/></hugepages></memoryBacking>|" \
    -e '/<filesystem/,/<\/filesystem>/d' "$ROOT/dev.xml" >"$ROOT/huge2m.xml"
"$VIREO" define "$ROOT/huge2m.xml" >/dev/null
expect_match "<hugepages><page size nodeset> written back in KiB" "$("$VIREO" dumpxml huge2m)" \
    '<page size="2048" unit="KiB" nodeset="1"/>'
if [ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null || echo 0)" = 0 ]; then
    expect_fail "  a 2 MiB page size with none reserved: refused with the sysfs file to fill" \
        "<page size='2048' unit='KiB'>: this host has no huge pages reserved \\(/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages is 0\\)" \
        "$VIREO" start huge2m
fi
sed -e 's|<name>huge2m</name>|<name>huge1t</name>|' -e "s|size='2' unit='M'|size='1' unit='T'|" \
    "$ROOT/huge2m.xml" >"$ROOT/huge1t.xml"
"$VIREO" define "$ROOT/huge1t.xml" >/dev/null
expect_fail "  a page size this CPU has not: refused, naming where the sizes are" \
    "this host has no 1073741824 KiB huge pages \\(its sizes: ls /sys/kernel/mm/hugepages\\)" "$VIREO" start huge1t
sed -e 's|<name>dev</name>|<name>bw</name>|' \
    -e 's|<cputune>|<cputune><shares>512</shares>|' -e '/<filesystem/,/<\/filesystem>/d' "$ROOT/dev.xml" >"$ROOT/bw.xml"
"$VIREO" define "$ROOT/bw.xml" >/dev/null
if ! "$VIREO" start bw >/dev/null 2>"$ROOT/bw.err"; then
    [ "$(wc -l <"$ROOT/bw.err")" -eq 1 ] || fail "bandwidth refusal not in one line: $(cat "$ROOT/bw.err")"
    expect_match "CPU bandwidth without a usable cgroup v2 cpu controller: refused, with why" \
        "$(cat "$ROOT/bw.err")" "<cputune> <shares>/<period>/<quota> need a cgroup cpu controller: "
else
    expect_match "CPU bandwidth: the run has a cgroup of its own" \
        "$(cat /proc/"$(cat "$ROOT/run/vireo/qemu/bw/qemu.pid")"/cgroup)" "vireo-bw"
    "$VIREO" destroy bw >/dev/null
fi
sed -e 's|<name>dev</name>|<name>farnode</name>|' -e "s|<memory mode='strict' nodeset='0'/>|<memory mode='strict' nodeset='7'/>|" \
    -e '/<filesystem/,/<\/filesystem>/d' "$ROOT/dev.xml" >"$ROOT/farnode.xml"
"$VIREO" define "$ROOT/farnode.xml" >/dev/null
expect_fail "<numatune> naming a host NUMA node this host lacks: refused by name" \
    "<numatune><memory nodeset='7'> names host NUMA node 7, which this host does not have" "$VIREO" start farnode
# <smartcard>: a CCID reader with the SPICE client's card. The tiny guest
# has no USB drivers, so QEMU's own USB list shows the reader.
cat >"$ROOT/sc.xml" <<XML
<domain type='qemu'><name>sc</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><graphics type='spice' autoport='yes'/><smartcard mode='passthrough' type='spicevmc'/></devices>
</domain>
XML
"$VIREO" define "$ROOT/sc.xml" >/dev/null
"$VIREO" start sc --paused >/dev/null
expect_match "<smartcard mode='passthrough' type='spicevmc'>: QEMU has the CCID reader on the USB bus" \
    "$("$VIREO" qemu-monitor-command sc --hmp 'info usb')" 'Product QEMU USB CCID'
expect_match "  and the card on it, through SPICE's smartcard channel" \
    "$(grep -a -- '-spice' "$ROOT/var/log/vireo/qemu/sc.log" | tail -1)" \
    "-chardev spicevmc,id=charsmartcard0,name=smartcard -device ccid-card-passthru,chardev=charsmartcard0,id=smartcard0,bus=ccid0.0"
"$VIREO" destroy sc >/dev/null
sed -e "s|mode='passthrough' type='spicevmc'|mode='host'|" -e 's|<name>sc</name>|<name>schost</name>|' "$ROOT/sc.xml" >"$ROOT/schost.xml"
"$VIREO" define "$ROOT/schost.xml" >/dev/null
if [ ! -e /etc/pki/nssdb ]; then
    expect_fail "<smartcard mode='host'> on a host without NSS's database: refused, with what to use" \
        "reads the host's smartcards through NSS's database /etc/pki/nssdb, which this host does not have; use mode='passthrough'" \
        "$VIREO" start schost
fi
# SPICE over TLS: the certificates of libvirt's spice_tls_x509_cert_dir
# (under the daemon's root); refused in one line while they are missing,
# then a TLS client verifies QEMU's server certificate against the CA.
P=$((20000 + $$ % 20000)); T=$((P + 1))
TLS=$ROOT/etc/pki/libvirt-spice
cat >"$ROOT/tls.xml" <<XML
<domain type='qemu'><name>tls</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><graphics type='spice' port='$P' tlsPort='$T' autoport='no' defaultMode='secure'/></devices>
</domain>
XML
"$VIREO" define "$ROOT/tls.xml" >/dev/null
expect_match "<graphics tlsPort defaultMode='secure'> kept in the definition" "$("$VIREO" dumpxml tls)" \
    "tlsPort=.$T. autoport=.no. listen=.127.0.0.1. defaultMode=.secure."
expect_fail "  SPICE over TLS without certificates: refused, naming the directory and the file" \
    "needs ca-cert.pem, server-cert.pem and server-key.pem in $TLS .*ca-cert.pem is missing" "$VIREO" start tls
mkdir -p "$TLS"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/ca-key.pem" -out "$TLS/ca-cert.pem" -days 1 \
    -subj /CN=vireo-test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$TLS/server-key.pem" -out "$TLS/server.csr" -subj /CN=127.0.0.1 2>/dev/null
openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca-cert.pem" -CAkey "$TLS/ca-key.pem" -CAcreateserial \
    -out "$TLS/server-cert.pem" -days 1 2>/dev/null
"$VIREO" start tls --paused >/dev/null
expect_match "  with them QEMU serves TLS on tlsPort, x509-dir and the secure default channel on -spice" \
    "$(grep -a -- '-spice' "$ROOT/var/log/vireo/qemu/tls.log" | tail -1)" \
    "-spice port=$P,addr=127.0.0.1,tls-port=$T,x509-dir=$TLS,tls-channel=default"
out=$(openssl s_client -connect "127.0.0.1:$T" -CAfile "$TLS/ca-cert.pem" </dev/null 2>&1)
expect_match "  a TLS client verifies QEMU's certificate against the CA" "$out" 'Verify return code: 0 \(ok\)'
expect_match "  and it is the server certificate made here" "$out" 'subject=CN ?= ?127.0.0.1'
"$VIREO" destroy tls >/dev/null
sed -e 's|<name>dev</name>|<name>nofs</name>|' -e '/<memoryBacking>/d' "$ROOT/dev.xml" >"$ROOT/nofs.xml"
expect_fail "virtiofs without shared memory" "<filesystem> with <driver type='virtiofs'> needs the guest's memory shared" \
    "$VIREO" define "$ROOT/nofs.xml"

sed -e 's|<name>dev</name>|<name>vfio</name>|' -e '/<filesystem/,/<\/filesystem>/d' \
    -e "s|<channel type='unix'>|<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x00' slot='0x05' function='0x0'/></source></hostdev><channel type='unix'>|" \
    "$ROOT/dev.xml" >"$ROOT/vfio.xml"
"$VIREO" define "$ROOT/vfio.xml" >/dev/null
expect_match "<hostdev type='pci'> is written back" "$("$VIREO" dumpxml vfio)" "<hostdev mode=.subsystem. type=.pci. managed=.yes."
if [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
    expect_fail "<hostdev type='pci'> on a host without an IOMMU" "<hostdev type='pci'> 0000:00:05.0: this host has no IOMMU" "$VIREO" start vfio
else
    expect_fail "<hostdev type='pci'> of a device the host lacks" "<hostdev type='pci'> 0000:00:05.0" "$VIREO" start vfio
fi

# ---- a daemon restart: the domain, its virtiofsd and its agent carry on ----
stop_daemon
start_daemon "$DAEMON"
expect_eq "after a daemon restart the domain is re-adopted" "$("$VIREO" domstate dev)" running
pgrep -f -- "--socket-path=$ROOT/run/vireo/qemu/dev/fs0.sock" >/dev/null || fail "virtiofsd gone after the restart"
ok "virtiofsd still serves the share after the restart"
# dimm1's alias is in the saved live XML: the restarted daemon re-adopted it.
expect_match "after the restart the live XML still names the DIMM dimm1" "$("$VIREO" dumpxml dev)" '<alias name="dimm1"/>'
# Named by its alias, the way virsh dumpxml shows it.
cat >"$ROOT/dimm1.xml" <<XML
<memory model='dimm'><target><size unit='MiB'>128</size></target><alias name='dimm1'/></memory>
XML
"$VIREO" detach-device dev "$ROOT/dimm1.xml" --live >/dev/null
ok "detach-device of a DIMM by its <alias> (the guest released it)"
expect_match "  QEMU has no memory device left" "$(memdevs)" '"return": ?\[\]'
xml=$("$VIREO" dumpxml dev)
expect_match "  <memory> is back to 256 MiB" "$xml" '<memory unit="KiB">262144</memory>'
if grep -q "model=\"dimm\"" <<<"$xml"; then fail "dumpxml still lists a DIMM"; fi
gone=
for _ in $(seq 1 20); do
    gone=$(guest dev 'grep MemTotal /proc/meminfo' | sed -n 's/.*MemTotal: *\([0-9]*\).*/\1/p')
    [ -n "$gone" ] && [ "$gone" -lt $((before + 10000)) ] && break
    sleep 0.5
done
[ -n "$gone" ] && [ "$gone" -lt $((before + 10000)) ] || fail "MemTotal did not go back: $before -> $gone kB"
ok "  the guest's MemTotal is back ($gone kB)"
expect_fail "detach of a DIMM the domain does not have" "has no such DIMM" \
    "$VIREO" detach-device dev "$ROOT/dimm2.xml" --live

# ---- the guest agent (qemu-ga in the tiny guest, on its channel) ----
out=$("$VIREO" qemu-agent-command dev '{"execute":"guest-info"}')
expect_match "qemu-agent-command: the agent answers guest-info" "$out" '^\{"return":\{"version":"7\.2'
out=$("$VIREO" domifaddr dev --source agent)
expect_match "domifaddr --source agent: eth0 and its address from the guest" "$out" 'eth0 +52:54:00:[0-9a-f:]+ +ipv4 +10\.0\.2\.15/24'
# virsh's form: the interface's later addresses (its IPv6 link-local)
# with "-" for name and MAC, --full repeats them.
expect_match "domifaddr --source agent: eth0's IPv6 address on a row of its own" "$out" '^ *- +- +ipv6 +fe80:'
expect_match "domifaddr --source agent --full: eth0 named on its IPv6 row too" \
    "$("$VIREO" domifaddr dev --source agent --full)" 'eth0 +52:54:00:[0-9a-f:]+ +ipv6 +fe80:'
out=$("$VIREO" domifaddr dev --source agent --json)
expect_eq "domifaddr --source agent --json: the API's interface (ip, prefix apart)" \
    "$(jq -r '.[] | select(.interface == "eth0") | .addresses[] | select(.type == "ipv4") | "\(.ip) \(.prefix)"' <<<"$out")" \
    "10.0.2.15 24"
expect_fail "vireod-ro.sock refuses domifaddr --source agent" "cannot read the guest's own data" \
    "$VIREO" -r domifaddr dev --source agent
out=$("$VIREO" domtime dev)
now=$(date +%s)
secs=$(sed -n 's/^Time: //p' <<<"$out")
[ -n "$secs" ] && [ $((now - secs)) -lt 120 ] && [ $((secs - now)) -lt 120 ] ||
    fail "domtime: '$out' is not the guest's clock near the host's $now"
ok "domtime: the guest's clock ($secs)"
out=$("$VIREO" guestinfo dev)
expect_match "guestinfo: the guest's kernel (os.kernel-release, virsh's key)" "$out" '^os\.kernel-release +: [0-9]'
expect_match "guestinfo: host name" "$out" 'hostname +: tiny'
# qemu-ga lists filesystems on block devices: the hot-plugged disk.
out=$(guest_until dev 'modprobe vfat; mkdir -p /mnt/d; mount /dev/vda /mnt/d && echo mounted-ok' '^mounted-ok')
out=$("$VIREO" domfsinfo dev)
expect_match "domfsinfo: the filesystem the guest mounted from its disk (its vda, the domain's vdb)" "$out" '/mnt/d +vda +vfat +vdb$'
expect_fail "an agent command the agent does not know" "the guest agent refused guest-no-such" \
    "$VIREO" qemu-agent-command dev '{"execute":"guest-no-such"}'
expect_fail "a command that is no JSON object" "not a JSON object" \
    "$VIREO" qemu-agent-command dev 'guest-info'
"$VIREO" shutdown dev --mode agent --wait --timeout 60 >/dev/null
expect_eq "shutdown --mode agent: the guest powers itself off" "$("$VIREO" domstate dev)" "shut off"
grep -q "shutdown -P.*(guest agent)\|guest agent" "$ROOT/var/log/vireo/qemu/dev-serial0.log" ||
    fail "the guest's console does not show the agent's shutdown"
ok "the guest saw the agent's shutdown"
sleep 0.5
pgrep -f -- "--socket-path=$ROOT/run/vireo/qemu/dev/fs0.sock" >/dev/null && fail "virtiofsd outlived its domain"
ok "virtiofsd stops with the domain"
expect_fail "the agent of a shut-off domain" "is not running" "$VIREO" domtime dev
[ -n "${VIREO_ASAN_BUILD:-}" ] && no_sanitizer_report
echo "$CHECKS checks passed"
