#!/usr/bin/env bash
# rbd pools against a single-node Ceph cluster of the test's own
# (ceph-lib.sh: mon, mgr and a memstore OSD in a network namespace; the
# host's /etc/ceph is never read). vireod runs in that namespace (and
# QEMU with it). A cephx secret from Vireo's store: a wrong key refused
# in one line; find-storage-pool-sources rbd (vireo and virsh) lists the
# cluster's RBD pools; pool-start (two monitors, the first unreachable: the
# second serves), pool-info's sizes, vol-create-as / -resize /
# -wipe / -clone (a Ceph clone) / -delete and vol-upload / -download as the
# cluster sees them; an
# unreachable monitor and a missing Ceph pool failing in seconds with
# nothing started; a guest whose disk is an RBD image (QEMU's rbd driver,
# the key in a secret object's file) writes a marker that reads back
# after a restart; a dir pool's qcow2 volume copied into RBD
# (vol-create-from --inputpool) boots the same, and copies back.
# A tiny guest with a <disk type='network'> rbd disk of two monitors
# (one unreachable) sees the image; its dumpxml gives the disk back; the
# disk detached live leaves no node or secret object in QEMU, and the
# image hot-plugs as a network disk and detaches the same; a
# start with a secret that does not exist is refused by name; vol-delete
# of the image it names refused while it runs, and so are a start and a
# hot-plug of the same image into another domain. find-storage-pool-sources
# with --auth-username/--secret-*, and against a mute monitor beside the
# loop; vol-create-as (vireo and virsh) and a copy into the pool
# (vol-create-from) on a pool whose monitors went mute beside the loop
# too, the pool kept from stopping meanwhile. With QEMU run as vireo-qemu: a guest on an rbd volume (the pool's
# key file root:vireo-qemu 0640), and an image hot-plugged into it.
# With --short (make check): up to vol-upload/-download and the network
# disk's guest; the full run is meson suite ceph (make check-ceph).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ceph-lib.sh"
SHORT=${1:-}
need_images
need_asan_daemon

NS=vireo-ceph-$$
test_cleanup() {
    ceph_down
    netns_remove
    [ -n "${MADE_USER:-}" ] && userdel vireo-qemu 2>/dev/null
    return 0
}
start_daemon "$ASAN_VIREOD" # makes ROOT and the cleanup trap
stop_daemon
netns_make "$NS"
t0=$(date +%s%N)
ceph_up "$ROOT/ceph" "$NS"
ok "a single-node Ceph cluster came up in $((($(date +%s%N) - t0) / 1000000)) ms"
ceph_cmd osd pool create vpool 8 >/dev/null 2>&1
ip netns exec "$NS" rbd -c "$CEPH_CONF" pool init vpool
rbd_cli() { ip netns exec "$NS" rbd -c "$CEPH_CONF" "$@"; }
DAEMON_WRAP="ip netns exec $NS" start_daemon "$ASAN_VIREOD"

# ---- the secret and the pool ----
cat > "$ROOT/secret.xml" <<XML
<secret ephemeral='no' private='no'>
  <usage type='ceph'><name>client.admin secret</name></usage>
</secret>
XML
SEC=$("$VIREO" secret-define "$ROOT/secret.xml" | awk '{print $2}')
expect_match "secret-list: a ceph secret" "$("$VIREO" secret-list)" "^ $SEC +ceph client.admin secret\$"
# A well-formed key that is not client.admin's.
"$VIREO" secret-set-value "$SEC" --base64 "$(ceph-authtool --gen-print-key)" >/dev/null
cat > "$ROOT/pool.xml" <<XML
<pool type='rbd'>
  <name>ceph</name>
  <source>
    <host name='127.0.0.1' port='3300'/>
    <name>vpool</name>
    <auth type='ceph' username='admin'><secret uuid='$SEC'/></auth>
  </source>
</pool>
XML
expect_eq "pool-define of an rbd pool" "$("$VIREO" pool-define "$ROOT/pool.xml")" "Pool 'ceph' defined"
expect_fail "pool-build is refused with the reason" "Vireo does not create Ceph pools .*ceph osd pool create vpool" \
    "$VIREO" pool-build ceph
start=$SECONDS
expect_fail "a wrong cephx key is refused in one line" \
    "pool 'ceph': cannot connect to the Ceph monitor 127.0.0.1:3300 as client.admin: .*check the user and the value of its secret" \
    "$VIREO" pool-start ceph
[ $((SECONDS - start)) -le 8 ] || fail "the wrong key took $((SECONDS - start)) s to be refused"
ok "...within a few seconds"
expect_eq "the pool stayed inactive" "$("$VIREO" pool-info ceph --json | jq -r .state)" "inactive"
"$VIREO" secret-set-value "$SEC" --base64 "$(ceph_key admin)" >/dev/null
# Redefined with two monitors, the first unreachable: the pool works
# through the second.
"$VIREO" pool-dumpxml ceph | sed 's|<host name="127.0.0.1"|<host name="127.0.0.9" port="3300"/><host name="127.0.0.1"|' \
    > "$ROOT/pool2.xml"
expect_eq "pool-define with a second monitor" "$("$VIREO" pool-define "$ROOT/pool2.xml")" "Pool 'ceph' defined"
expect_eq "pool-start with client.admin's key (two monitors, the first unreachable)" "$("$VIREO" pool-start ceph)" "Pool 'ceph' started"
expect_match "pool-dumpxml: both hosts, Ceph pool, auth (no key)" "$("$VIREO" pool-dumpxml ceph | tr -d '\n ')" \
    "<pooltype=\"rbd\"><name>ceph</name>.*<source><hostname=\"127.0.0.9\"port=\"3300\"/><hostname=\"127.0.0.1\"port=\"3300\"/><name>vpool</name><authtype=\"ceph\"username=\"admin\"><secretuuid=\"$SEC\"/></auth></source></pool>"
"$VIREO" pool-dumpxml ceph | grep -q "$(ceph_key admin)" && fail "the cephx key is in pool-dumpxml"
ok "the cephx key is not in the pool's XML"
expect_match "pool-info: the cluster's 1 GiB" "$("$VIREO" pool-info ceph)" "Capacity: +1(\.00)? GiB"
expect_match "pool-capabilities: rbd served" "$("$VIREO" pool-capabilities | tr -d '\n ')" '<pooltype="rbd"supported="yes">'

# ---- find-storage-pool-sources rbd: the cluster's RBD pools ----
ceph_cmd osd pool create notrbd 8 >/dev/null 2>&1 # a pool not tagged for RBD: not offered
cat > "$ROOT/spec.xml" <<XML
<source><host name='127.0.0.1' port='3300'/><auth type='ceph' username='admin'><secret uuid='$SEC'/></auth></source>
XML
want="<sources><source><hostname=\"127.0.0.1\"port=\"3300\"/><name>vpool</name><authtype=\"ceph\"username=\"admin\"><secretuuid=\"$SEC\"/></auth></source></sources>"
expect_eq "find-storage-pool-sources rbd SRCSPEC: the RBD pool, as a pool's <source>" \
    "$("$VIREO" find-storage-pool-sources rbd "$ROOT/spec.xml" | tr -d '\n ')" "$want"
expect_eq "...and virsh over libvirt-sock gets the same (virConnectFindStoragePoolSources)" \
    "$(command virsh -q -c "qemu:///system?socket=$ROOT/libvirt-sock" find-storage-pool-sources rbd "$ROOT/spec.xml" | tr -d '\n ')" \
    "$want"
expect_fail "find-storage-pool-sources rbd without a monitor" "needs a monitor: <source><host name='MON'" \
    "$VIREO" find-storage-pool-sources rbd
expect_eq "find-storage-pool-sources-as rbd --host --port --auth-username --secret-uuid: the same, no srcSpec file" \
    "$("$VIREO" find-storage-pool-sources-as rbd --host 127.0.0.1 --port 3300 --auth-type ceph --auth-username admin \
        --secret-uuid "$SEC" | tr -d '\n ')" "$want"
expect_eq "...and the key found by its secret's usage (--secret-usage)" \
    "$("$VIREO" find-storage-pool-sources-as rbd 127.0.0.1 3300 --auth-username admin --secret-usage "client.admin secret" | tr -d '\n ' | sed 's|<secretusage="[^"]*"/>|<secretuuid="'"$SEC"'"/>|')" \
    "$want"
expect_fail "...a user without its key's secret is refused, saying what to add" "needs its key's secret: --secret-uuid UUID or --secret-usage NAME" \
    "$VIREO" find-storage-pool-sources-as rbd 127.0.0.1 3300 --auth-username admin
# A monitor that takes the connection and never answers: librados waits
# its 5 s beside the event loop, for vireo and for virsh (libvirt-sock).
ip netns exec "$NS" /usr/bin/python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 3309)); s.listen(8); time.sleep(60)' &
MUTE=$!
mute_listens() { ss -N "$NS" -ltnH "sport = :3309" | grep -q .; }
wait_for 5 "the mute monitor listens" mute_listens
beside_loop "find-storage-pool-sources rbd (a monitor that never answers)" \
    "find-storage-pool-sources rbd: the discovery at 127.0.0.1 runs beside" \
    "$VIREO" find-storage-pool-sources-as rbd --host 127.0.0.1 --port 3309 --auth-username admin --secret-uuid "$SEC"
[ "$BESIDE_RC" -ne 0 ] || fail "find-storage-pool-sources of the mute monitor succeeded"
expect_match "...and it fails in one line" "$(cat "$ROOT/beside.out")" "^vireo: error: find-storage-pool-sources rbd: cannot connect to the Ceph monitor 127.0.0.1:3309"
sed "s|port='3300'|port='3309'|" "$ROOT/spec.xml" > "$ROOT/spec-mute.xml"
beside_loop "virsh find-storage-pool-sources rbd (libvirt-sock)" \
    "find-storage-pool-sources rbd: the discovery at 127.0.0.1 runs beside" \
    command virsh -c "qemu:///system?socket=$ROOT/libvirt-sock" find-storage-pool-sources rbd "$ROOT/spec-mute.xml"
[ "$BESIDE_RC" -ne 0 ] || fail "virsh find-storage-pool-sources of the mute monitor succeeded"
expect_match "...and virsh prints the error" "$(cat "$ROOT/beside.out")" "cannot connect to the Ceph monitor 127.0.0.1:3309"
kill "$MUTE" 2>/dev/null; wait "$MUTE" 2>/dev/null || true
sed "s|$SEC|0b7c1cb3-9a3f-4c2e-8d7e-5f1a2b3c4d5e|" "$ROOT/spec.xml" > "$ROOT/spec-nosecret.xml"
expect_fail "...with a secret that does not exist" "the cephx key of client.admin: secret uuid '0b7c1cb3-9a3f-4c2e-8d7e-5f1a2b3c4d5e' is not defined" \
    "$VIREO" find-storage-pool-sources rbd "$ROOT/spec-nosecret.xml"

# ---- volumes, as the cluster sees them ----
expect_eq "vol-create-as" "$("$VIREO" vol-create-as ceph disk1 64M)" "Vol disk1 created"
expect_match "rbd ls shows the image" "$(rbd_cli ls -l vpool)" "^disk1 +64 MiB +2"
expect_match "vol-list" "$("$VIREO" vol-list ceph)" "^ disk1 +rbd:vpool/disk1\$"
expect_eq "vol-info: capacity" "$("$VIREO" vol-info disk1 --pool ceph --json | jq -r .capacity)" "67108864"
expect_fail "a qcow2 volume in an rbd pool" "its volumes are raw RBD images" \
    "$VIREO" vol-create-as ceph q1 8M --format qcow2
expect_fail "a volume that exists" "exists" "$VIREO" vol-create-as ceph disk1 8M
"$VIREO" vol-resize disk1 96M --pool ceph >/dev/null
expect_match "vol-resize grows the image" "$(rbd_cli info vpool/disk1)" "size 96 MiB"

# ---- vol-create beside the event loop (issue 15) ----
# The started pool's monitors stop answering: the test's namespace drops
# every new connection to port 3300 (the cluster's own sessions stay).
# vol-create-as (vireo, and virsh over libvirt-sock) waits librados's 5 s
# beside the loop: other clients are served meanwhile, the pool cannot be
# stopped under it, and the creation fails in one line.
ip netns exec "$NS" nft -f - <<'NFT'
table inet vireo_test_mute {
    chain input { type filter hook input priority 0; tcp dport 3300 tcp flags & (syn | ack) == syn drop; }
}
NFT
t0=$SECONDS
beside_start "vol-create-as on a mute monitor" "pool ceph: volume late1 is being created beside the event loop" \
    "$VIREO" vol-create-as ceph late1 8M
expect_fail "pool-destroy while a volume is being created" "pool 'ceph' has 1 volume\(s\) being created; wait for them" \
    "$VIREO" pool-destroy ceph
beside_wait
[ "$BESIDE_RC" -ne 0 ] || fail "vol-create-as on the mute monitor succeeded"
expect_match "...and it fails in one line, after librados's 5 s" "$(cat "$ROOT/beside.out")" \
    "^vireo: error: pool 'ceph': cannot connect to the Ceph monitor 127.0.0.9:3300,127.0.0.1:3300 as client.admin: .*is the monitor's address right"
[ $((SECONDS - t0)) -le 9 ] || fail "the mute monitor took $((SECONDS - t0)) s to fail the creation"
ok "...within $((SECONDS - t0)) s"
beside_loop "virsh vol-create-as on a mute monitor (libvirt-sock)" "pool ceph: volume late2 is being created beside the event loop" \
    command virsh -c "qemu:///system?socket=$ROOT/libvirt-sock" vol-create-as ceph late2 8M
[ "$BESIDE_RC" -ne 0 ] || fail "virsh vol-create-as on the mute monitor succeeded"
expect_match "...and virsh prints the error" "$(cat "$ROOT/beside.out")" "cannot connect to the Ceph monitor 127.0.0.9:3300,127.0.0.1:3300"
# A copy into the rbd pool (vol-create-from --inputpool: a dir pool's
# volume) makes its image beside the loop too, the pool kept meanwhile.
truncate -s 4M "$ROOT/var/lib/vireo/images/src4.raw"
"$VIREO" pool-refresh default >/dev/null
printf "<volume><name>late4</name><capacity unit='M'>4</capacity><target><format type='raw'/></target></volume>" \
    > "$ROOT/late4.xml"
beside_start "vol-create-from into the rbd pool on a mute monitor" \
    "pool ceph: volume late4 is being created beside the event loop" \
    "$VIREO" vol-create-from ceph "$ROOT/late4.xml" src4.raw --inputpool default
expect_fail "pool-destroy while the copy's image is being created" \
    "pool 'ceph' has 1 volume\(s\) being created; wait for them" "$VIREO" pool-destroy ceph
beside_wait
[ "$BESIDE_RC" -ne 0 ] || fail "vol-create-from into the mute monitor's pool succeeded"
expect_match "...and it fails in one line" "$(cat "$ROOT/beside.out")" \
    "^vireo: error: pool 'ceph': cannot connect to the Ceph monitor 127.0.0.9:3300,127.0.0.1:3300"
ip netns exec "$NS" nft delete table inet vireo_test_mute
! rbd_cli ls vpool | grep -q late || fail "an image of the failed creations is on the cluster"
ok "no image was made by the failed creations"
expect_eq "the monitor answers again: vol-create-as (beside the loop too)" "$("$VIREO" vol-create-as ceph late3 8M)" "Vol late3 created"
expect_match "... rbd ls shows it" "$(rbd_cli ls -l vpool)" "^late3 +8 MiB"
"$VIREO" vol-delete late3 --pool ceph >/dev/null

# ---- vol-upload / vol-download through librbd, in place ----
"$VIREO" vol-create-as ceph blob 4M >/dev/null
head -c 3145728 /dev/urandom > "$ROOT/up.bin"
"$VIREO" vol-upload blob "$ROOT/up.bin" --pool ceph >/dev/null
cmp -s <(rbd_cli export vpool/blob - 2>/dev/null | head -c 3145728) "$ROOT/up.bin" ||
    fail "the cluster does not hold the uploaded bytes"
ok "vol-upload wrote the image in place (rbd export reads the bytes)"
"$VIREO" vol-download blob "$ROOT/down.bin" --pool ceph >/dev/null
expect_eq "vol-download: the whole image" "$(stat -c %s "$ROOT/down.bin")" "4194304"
cmp -s <(head -c 3145728 "$ROOT/down.bin") "$ROOT/up.bin" || fail "vol-download gave other bytes back"
ok "vol-download read the uploaded bytes back"
head -c 5M /dev/zero > "$ROOT/big.bin"
expect_fail "an upload larger than the image" "do not fit in volume 'blob' \(an image of 4194304 bytes; vol-resize it first\)" \
    "$VIREO" vol-upload blob "$ROOT/big.bin" --pool ceph
"$VIREO" vol-delete blob --pool ceph >/dev/null

# ---- a network rbd disk in the domain XML (issue 16) ----
# Two monitors, one of them the real one; the key from the ceph secret.
rbd_cli create vpool/net1 --size 32M
netdisk() {
    cat <<XML
<disk type='network' device='disk'>
  <driver name='qemu' type='raw'/>
  <source protocol='rbd' name='vpool/net1'>
    <host name='127.0.0.1' port='3300'/>
    <host name='127.0.0.9' port='3300'/>
    <auth username='admin'><secret type='ceph' uuid='$1'/></auth>
  </source>
  <target dev='vdb' bus='virtio'/>
</disk>
XML
}
# A small file disk first, so the guest's kernel names the RBD image vdb too.
truncate -s 1M "$ROOT/first.img"
first="<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$ROOT/first.img'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml nd | sed "s|<devices>|<devices>$first$(netdisk "$SEC" | tr -d '\n')|" > "$ROOT/nd.xml"
"$VIREO" define "$ROOT/nd.xml" >/dev/null
expect_eq "dumpxml gives the network disk back as written" \
    "$("$VIREO" dumpxml nd | tr -d '\n ' | grep -o "<disktype=\"network\".*</disk>" | sed 's|<address[^>]*/>||')" \
    "$(netdisk "$SEC" | tr -d '\n ' | tr "'" '"')"
start_booted nd "a guest with a network rbd disk (two monitors) booted"
cmdline=$(tr '\0' ' ' < /proc/"$(cat "$ROOT/run/vireo/qemu/nd/qemu.pid")"/cmdline)
expect_match "QEMU gets both monitors and the key as a secret object" "$cmdline" \
    "-object secret,id=sec-vdb,file=[^ ]*/vdb.cephx,format=raw -blockdev driver=rbd,pool=vpool,image=net1,conf=/dev/null,server.0.host=127.0.0.1,server.0.port=3300,server.1.host=127.0.0.9,server.1.port=3300,user=admin,auth-client-required.0=cephx,auth-client-required.1=none,key-secret=sec-vdb"
grep -qF "$(ceph_key admin)" <<<"$cmdline" && fail "the cephx key is on QEMU's command line"
out=$(guest_until nd "echo S-\$(cat /sys/block/vdb/size)" "^S-[0-9]")
expect_match "the guest sees the 32 MiB RBD image as vdb (65536 sectors)" "$out" "^S-65536"
expect_fail "vol-delete of the image a running domain's network disk names (pool/image)" \
    "volume 'net1' of pool 'ceph' is in use by running domain 'nd'; shut the domain down first" \
    "$VIREO" vol-delete net1 --pool ceph
out=$(command virsh -c "qemu:///system?socket=$ROOT/libvirt-sock" vol-delete --pool ceph net1 2>&1) &&
    fail "virsh vol-delete of the image nd's network disk uses succeeded"
expect_match "...and virsh vol-delete over libvirt-sock is refused the same" "$out" "is in use by running domain 'nd'"
expect_match "vol-list --details names its user" "$("$VIREO" vol-list ceph --details)" "^ net1 .*nd"
# The image in use by nd is refused to another domain (issue 19): at
# start as a volume of the pool (its monitors in common with the network
# disk's), and hot-plugged as a <disk type='network'>, neither shareable.
tiny_xml nd3 | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='ceph' volume='net1'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/nd3.xml"
"$VIREO" define "$ROOT/nd3.xml" >/dev/null
expect_fail "start of a domain on an RBD image another running domain uses" \
    "RBD image vpool/net1 is in use by running domain 'nd' \\(disk vdb\\); both must mark it shareable" "$VIREO" start nd3
expect_eq "...and nd3 stays shut off" "$("$VIREO" domstate nd3)" "shut off"
"$VIREO" undefine nd3 >/dev/null
tiny_xml nd4 > "$ROOT/nd4.xml"
"$VIREO" define "$ROOT/nd4.xml" >/dev/null
"$VIREO" start nd4 >/dev/null
netdisk "$SEC" | sed "s|dev='vdb'|dev='vdc'|" > "$ROOT/nd4-vdc.xml"
expect_fail "attach of an RBD image another running domain uses, as <disk type='network'>" \
    "RBD image vpool/net1 is in use by running domain 'nd' \\(disk vdb\\)" \
    "$VIREO" attach-device nd4 "$ROOT/nd4-vdc.xml" --live
"$VIREO" destroy nd4 >/dev/null
"$VIREO" undefine nd4 >/dev/null
# The network disk the start gave, detached live: its nodes and its
# key's secret object leave QEMU with it (issue 16); then the same image
# hot-plugged as vdc through the start's node builder, and detached.
expect_match "QEMU has the started disk's nodes and secret object" "$(qemu_nodes nd) $(qemu_objects nd)" \
    "drive-vdb .*file-vdb .*sec-vdb"
expect_eq "detach-disk of the started network disk, live" "$("$VIREO" detach-disk nd vdb --live)" "Disk detached successfully"
vdb_gone() { ! grep -q -- '-vdb ' <<<"$(qemu_nodes nd) $(qemu_objects nd) "; }
wait_for 10 "QEMU dropped vdb's nodes and secret object" vdb_gone
netdisk "$SEC" | sed "s|dev='vdb'|dev='vdc'|" > "$ROOT/nd-vdc.xml"
expect_eq "attach-device of a network rbd disk, live" "$("$VIREO" attach-device nd "$ROOT/nd-vdc.xml" --live)" \
    "Device attached successfully"
out=$(guest_until nd "echo S-\$(cat /sys/block/vdb/size 2>/dev/null)" "^S-[0-9]")
expect_match "the guest sees the hot-plugged RBD image (its kernel names it vdb again)" "$out" "^S-65536"
expect_match "...through an rbd node after the key's secret object" "$(qemu_nodes nd) $(qemu_objects nd)" \
    "drive-vdc .*file-vdc .*sec-vdc"
expect_eq "detach-device of it, live" "$("$VIREO" detach-device nd "$ROOT/nd-vdc.xml" --live)" "Device detached successfully"
vdc_gone() { ! grep -q -- '-vdc ' <<<"$(qemu_nodes nd) $(qemu_objects nd) "; }
wait_for 10 "QEMU dropped vdc's nodes and secret object" vdc_gone
"$VIREO" destroy nd >/dev/null
tiny_xml nd2 | sed "s|<devices>|<devices>$(netdisk 0b7c1cb3-9a3f-4c2e-8d7e-5f1a2b3c4d5e | tr -d '\n')|" > "$ROOT/nd2.xml"
"$VIREO" define "$ROOT/nd2.xml" >/dev/null
expect_fail "a start with a secret that does not exist is refused by name" \
    "disk vdb of domain 'nd2': the cephx key of client.admin: secret uuid '0b7c1cb3-9a3f-4c2e-8d7e-5f1a2b3c4d5e' is not defined" \
    "$VIREO" start nd2
expect_eq "...and nd2 stays shut off" "$("$VIREO" domstate nd2)" "shut off"
"$VIREO" undefine nd >/dev/null
"$VIREO" undefine nd2 >/dev/null
rbd_cli rm vpool/net1 >/dev/null 2>&1

# ---- a QEMU of its own user reads the pool's key (issue 19) ----
# The daemon restarted with --qemu-user (qemu-user.sh's setup): a guest
# on a volume of the cephx pool reaches the image with the pool's key
# file, which is root's and QEMU's group's (0640) and nobody else's.
id vireo-qemu >/dev/null 2>&1 || { useradd --system --no-create-home --shell /usr/sbin/nologin vireo-qemu; MADE_USER=1; }
stop_daemon
DAEMON_WRAP="ip netns exec $NS" DAEMON_OPTS="--no-default-network --qemu-user vireo-qemu" start_daemon "$ASAN_VIREOD"
[ "$("$VIREO" pool-info ceph --json | jq -r .state)" = running ] || "$VIREO" pool-start ceph >/dev/null
mkdir -p "$ROOT/img"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/img/"
chmod -R a+rX "$ROOT/img"
"$VIREO" vol-create-as ceph uq 8M >/dev/null
IMAGES=$ROOT/img tiny_xml uq | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='ceph' volume='uq'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/uq.xml"
"$VIREO" define "$ROOT/uq.xml" >/dev/null
start_booted uq "a guest on an rbd volume, QEMU run as vireo-qemu, booted"
expect_eq "QEMU runs as vireo-qemu" "$(ps -o user= -p "$(cat "$ROOT/run/vireo/qemu/uq/qemu.pid")")" "vireo-qemu"
expect_eq "the pool's key file: root's, QEMU's group may read it, others nothing" \
    "$(stat -c %U:%G:%a "$ROOT/run/vireo/storage/ceph.cephx")" "root:vireo-qemu:640"
expect_eq "...in a directory QEMU's group may pass but not list" \
    "$(stat -c %U:%G:%a "$ROOT/run/vireo/storage")" "root:vireo-qemu:710"
out=$(guest_until uq "echo S-\$(cat /sys/block/vda/size)" "^S-[0-9]")
expect_match "the guest sees the 8 MiB image (QEMU read the key and logged in)" "$out" "^S-16384"
# An RBD image hot-plugged into it: blockdev-add of the rbd node (its
# monitors a list) after the object-add of the key's secret; detached,
# and attached again (the secret object went with the detach).
"$VIREO" vol-create-as ceph uq2 4M >/dev/null
expect_eq "attach-disk --source-pool of an RBD image, live" \
    "$("$VIREO" attach-disk uq uq2 vdb --source-pool ceph --live)" "Disk attached successfully"
out=$(guest_until uq "echo S-\$(cat /sys/block/vdb/size 2>/dev/null)" "^S-[0-9]")
expect_match "the guest sees the hot-plugged 4 MiB image as vdb" "$out" "^S-8192"
expect_eq "detach-disk, live" "$("$VIREO" detach-disk uq vdb --live)" "Disk detached successfully"
printf "<disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='ceph' volume='uq2'/><target dev='vdb' bus='virtio'/></disk>" > "$ROOT/uq2.xml"
expect_eq "attach-device of the image again, live" "$("$VIREO" attach-device uq "$ROOT/uq2.xml" --live)" \
    "Device attached successfully"
expect_eq "detach-device, live" "$("$VIREO" detach-device uq "$ROOT/uq2.xml" --live)" "Device detached successfully"
"$VIREO" vol-delete uq2 --pool ceph >/dev/null
"$VIREO" destroy uq >/dev/null
"$VIREO" undefine uq >/dev/null
"$VIREO" vol-delete uq --pool ceph >/dev/null
# Back to the daemon's own user for the rest (its guests boot from $IMAGES).
stop_daemon
DAEMON_WRAP="ip netns exec $NS" start_daemon "$ASAN_VIREOD"
[ "$("$VIREO" pool-info ceph --json | jq -r .state)" = running ] || "$VIREO" pool-start ceph >/dev/null

if [ "$SHORT" = --short ]; then
    no_sanitizer_report
    echo "storage-ceph --short: $CHECKS checks passed"
    exit 0
fi

# ---- a guest on the RBD image ----
tiny_xml rg | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='ceph' volume='disk1'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/rg.xml"
"$VIREO" define "$ROOT/rg.xml" >/dev/null
start_booted rg
cmdline=$(tr '\0' ' ' < /proc/"$(cat "$ROOT/run/vireo/qemu/rg/qemu.pid")"/cmdline)
expect_match "QEMU's rbd driver, the key in a secret object's file" "$cmdline" \
    "-object secret,id=sec-vda,file=[^ ]*/ceph.cephx,format=base64 -blockdev driver=rbd,pool=vpool,image=disk1,conf=/dev/null,server.0.host=127.0.0.9,server.0.port=3300,server.1.host=127.0.0.1,server.1.port=3300,user=admin,auth-client-required.0=cephx,auth-client-required.1=none,key-secret=sec-vda"
grep -qF "$(ceph_key admin)" <<<"$cmdline" && fail "the cephx key is on QEMU's command line"
ok "the cephx key is not on QEMU's command line"
out=$(guest_until rg "printf vireo-rbd-image-41 > /dev/vda && sync && echo W-\$((6*7))" "^W-42")
expect_match "the guest wrote a marker on the RBD image" "$out" "^W-42"
expect_fail "vol-delete of an image in use" "in use by running domain 'rg'" "$VIREO" vol-delete disk1 --pool ceph
"$VIREO" destroy rg >/dev/null
expect_eq "the marker is in the image (rbd export)" "$(rbd_cli export vpool/disk1 - 2>/dev/null | head -c 18)" \
    "vireo-rbd-image-41"
start_booted rg
out=$(guest_until rg "echo R-\$(head -c 18 /dev/vda)" "R-vireo")
expect_match "the marker reads back after a restart" "$out" "R-vireo-rbd-image-41"
"$VIREO" destroy rg >/dev/null

# ---- clone, wipe, delete ----
"$VIREO" vol-clone disk1 disk2 --pool ceph >/dev/null
expect_match "vol-clone is a Ceph clone of a protected snapshot" "$(rbd_cli info vpool/disk2)" \
    "parent: vpool/disk1@vireo-clone-disk2"
expect_eq "the clone holds the marker" "$(rbd_cli export vpool/disk2 - 2>/dev/null | head -c 18)" "vireo-rbd-image-41"
expect_fail "vol-delete of an image with clones" "has clones .*delete those first" "$VIREO" vol-delete disk1 --pool ceph
expect_eq "vol-wipe" "$("$VIREO" vol-wipe disk2 --pool ceph)" "Vol disk2 wiped"
expect_eq "the wiped clone reads zeros" "$(rbd_cli export vpool/disk2 - 2>/dev/null | head -c 18 | tr -d '\0' | wc -c)" "0"
expect_eq "vol-delete the clone" "$("$VIREO" vol-delete disk2 --pool ceph)" "Vol disk2 deleted"
expect_eq "vol-delete the origin (its clone snapshot goes with it)" "$("$VIREO" vol-delete disk1 --pool ceph)" \
    "Vol disk1 deleted"
expect_eq "the cluster has no image left" "$(rbd_cli ls vpool | wc -l)" "0"

# ---- across kinds: a dir pool's qcow2 volume into RBD and back ----
# (vol-create-from --inputpool, qemu-img convert with the key as a secret object)
printf 'vireo-from-dir-qcow2-53' > "$ROOT/mark.raw"
truncate -s 32M "$ROOT/mark.raw"
qemu-img convert -f raw -O qcow2 "$ROOT/mark.raw" "$ROOT/var/lib/vireo/images/base.qcow2"
"$VIREO" pool-refresh default >/dev/null
printf "<volume><name>fromdir</name><capacity unit='M'>32</capacity><target><format type='raw'/></target></volume>" > "$ROOT/fromdir.xml"
expect_fail "vol-create-from converts no formats silently" "asks for a qcow2 volume, but a copy of base.qcow2 \\(qcow2\\) into rbd pool 'ceph' is raw" \
    "$VIREO" vol-create-from ceph <(sed 's/raw/qcow2/' "$ROOT/fromdir.xml") base.qcow2 --inputpool default
expect_eq "vol-create-from a dir pool's qcow2 into the rbd pool" \
    "$("$VIREO" vol-create-from ceph "$ROOT/fromdir.xml" base.qcow2 --inputpool default 2>/dev/null | tail -1)" \
    "Vol fromdir created from input vol base.qcow2"
expect_eq "the RBD image holds the qcow2's content" "$(rbd_cli export vpool/fromdir - 2>/dev/null | head -c 23)" \
    "vireo-from-dir-qcow2-53"
expect_match "...at its virtual size" "$(rbd_cli info vpool/fromdir)" "size 32 MiB"
tiny_xml fg | sed "s|<devices>|<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='ceph' volume='fromdir'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/fg.xml"
"$VIREO" define "$ROOT/fg.xml" >/dev/null
start_booted fg "fg booted from the copied image"
out=$(guest_until fg "echo R-\$(head -c 23 /dev/vda)" "R-vireo")
expect_match "the guest reads the dir volume's marker from RBD" "$out" "R-vireo-from-dir-qcow2-53"
"$VIREO" destroy fg >/dev/null
printf "<volume><name>back.img</name><capacity unit='M'>32</capacity><target><format type='raw'/></target></volume>" > "$ROOT/back.xml"
"$VIREO" vol-create-from default "$ROOT/back.xml" fromdir --inputpool ceph >/dev/null
expect_eq "vol-create-from the rbd pool into the dir pool" "$(head -c 23 "$ROOT/var/lib/vireo/images/back.img")" \
    "vireo-from-dir-qcow2-53"
expect_fail "into a volume that exists" "already exists" \
    "$VIREO" vol-create-from ceph "$ROOT/fromdir.xml" base.qcow2 --inputpool default
"$VIREO" vol-delete fromdir --pool ceph >/dev/null

# ---- what cannot start ----
"$VIREO" pool-define-as far rbd --source-host 127.0.0.9 --source-name vpool --auth-type ceph \
    --auth-username admin --secret-uuid "$SEC" >/dev/null
start=$SECONDS
expect_fail "an unreachable monitor fails in one line" "cannot connect to the Ceph monitor 127.0.0.9 as client.admin: .*" \
    "$VIREO" pool-start far
[ $((SECONDS - start)) -le 8 ] || fail "the unreachable monitor took $((SECONDS - start)) s to fail"
ok "...within a few seconds"
"$VIREO" pool-define-as nopool rbd --source-host 127.0.0.1:3300 --source-name nosuch --auth-type ceph \
    --auth-username admin --secret-uuid "$SEC" >/dev/null
expect_fail "a Ceph pool that does not exist" "the Ceph pool 'nosuch' on 127.0.0.1:3300 does not exist .*ceph osd pool create" \
    "$VIREO" pool-start nopool
expect_fail "a second pool on the same Ceph pool" "clashes with pool 'ceph' by its Ceph pool" \
    "$VIREO" pool-define-as ceph2 rbd --source-host 127.0.0.1:3300 --source-name vpool
expect_fail "an rbd pool needs its Ceph pool's name" "needs a monitor .* and the Ceph pool's name" \
    "$VIREO" pool-define-as ceph3 rbd --source-host 127.0.0.1
expect_eq "pool-destroy" "$("$VIREO" pool-destroy ceph)" "Pool 'ceph' destroyed"
[ ! -e "$ROOT/run/vireo/storage/ceph.cephx" ] || fail "the key file outlived the pool"
ok "pool-destroy removed the key file"
no_sanitizer_report
echo "storage-ceph: $CHECKS checks passed"
