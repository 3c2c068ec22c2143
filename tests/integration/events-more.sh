#!/bin/bash
# The domain events libvirt sends beyond the lifecycle that QEMU raises
# on its own (issue 21): watchdog, io-error, io-error-reason, graphics.
# One tiny guest with an i6300esb watchdog (action pause), a VNC display
# and a raw disk (error_policy='enospace') on a 1 MiB tmpfs the test
# mounts in its own directory. Each event is seen three ways: vireo event
# (the HTTP feed, printed as virsh event --all prints it), Debian's virsh
# event --all over libvirt-sock, and python3-libvirt's event loop.
# - graphics: a VNC client's RFB handshake (connect, initialize,
#   disconnect, with both ends' addresses), and a SPICE client's link to
#   a second domain's main channel;
# - I/O error: the guest writes past the full tmpfs: io-error and
#   io-error-reason 'enospc' (action pause), the guest paused (I/O error)
#   in domstate --reason, domblkerror naming the disk (vireo and virsh);
#   once the tmpfs grows, resume finishes the guest's write and the
#   error is gone;
# - watchdog: the tiny image has no watchdog module (no i6300esb.ko or
#   iTCO_wdt.ko), so the guest arms the i6300esb itself (its PCI lock
#   register through sysfs, its preload registers with devmem) and never
#   feeds it: the watchdog event (pause), the guest paused (watchdog);
#   then, QEMU's action set to poweroff, armed again: QEMU exits, the
#   watchdog event (poweroff) and stopped (shutdown).
source "$(dirname "$0")/lib.sh"
open_test --asan --virsh
URI="qemu:///system?socket=$ROOT/libvirt-sock"
FULL=$W/full
mkdir -p "$FULL"
mount -t tmpfs -o size=1M,mode=0755 tmpfs "$FULL"
truncate -s 16M "$FULL/data.img"

# The listeners first: python3-libvirt, virsh, vireo (text and JSON);
# listen again after a daemon restart (each appends to its file).
listen() {
    /usr/bin/python3 "$VIREO_SRC/tests/integration/events-more.py" "$URI" >>"$W/py" 2>&1 &
    PY=$!
    command virsh -c "$URI" event --all --loop >>"$W/virsh" 2>&1 &
    VE=$!
    $V event --loop >>"$W/vireo" 2>&1 &
    OE=$!
    $V event --loop --json >>"$W/vireo.json" 2>&1 &
    OJ=$!
}
listen
# vireo event --event TYPE: the first event of that type only.
$V event --event io-error-reason --timeout 120 >"$W/vireo-one-io" 2>&1 &
O1=$!
O2=
test_cleanup() {
    kill "$PY" "$VE" "$OE" "$OJ" "$O1" $O2 2>/dev/null || true
    # the QEMUs were killed (cleanup): the tmpfs goes, even if one is slow to let go
    mountpoint -q "$FULL" && { umount "$FULL" 2>/dev/null || umount -l "$FULL"; }
}
wait_for 20 "python3-libvirt registered the watchdog, I/O error and graphics events" grep -q '^registered$' "$W/py"

boot_tiny ev "<disk type='file' device='disk'><driver name='qemu' type='raw' error_policy='enospace'/><source file='$FULL/data.img'/><target dev='vdb' bus='virtio'/></disk>
 <watchdog model='i6300esb' action='pause'/>
 <graphics type='vnc' port='-1' listen='127.0.0.1'/><video><model type='vga'/></video>"
args=$(tr '\0' ' ' </proc/"$(cat "$ROOT/run/vireo/qemu/ev/qemu.pid")"/cmdline)
expect_match "QEMU runs the disk with werror=enospc (libvirt's enospace)" "$args" 'id=vdb,[^ ]*werror=enospc,'
expect_match "... and the watchdog's action pause" "$args" '-action watchdog=pause'

# ---- graphics: a VNC client's handshake ----
port=$((5900 + $($V vncdisplay ev | sed 's/.*://')))
/usr/bin/python3 - "$port" <<'PY' || fail "the RFB handshake failed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
assert s.recv(12).startswith(b"RFB 003.")
s.sendall(b"RFB 003.008\n")
n = s.recv(1)[0]
types = s.recv(n)
assert 1 in types, types            # None: no auth
s.sendall(b"\x01")
assert s.recv(4) == b"\0\0\0\0"     # SecurityResult OK
s.sendall(b"\x01")                  # ClientInit, shared
init = s.recv(24)                   # ServerInit: size, pixel format, name length
assert len(init) >= 4
s.close()
PY
ok "a VNC client did the RFB handshake and left"
gre='local\[IPv4 127\.0\.0\.1 '$port'\] remote\[IPv4 127\.0\.0\.1 [0-9]+\] none'
for phase in connect initialize disconnect; do
    wait_for 20 "vireo event: graphics $phase, as virsh prints it" \
        grep -Eq "^event 'graphics' for domain 'ev': $phase $gre$" "$W/vireo"
    wait_for 10 "virsh event --all: graphics $phase" grep -Eq "^event 'graphics' for domain 'ev': $phase $gre$" "$W/virsh"
done
# python: phase 0 1 2, family 0 (IPv4), auth none
for p in 0 1 2; do
    wait_for 10 "python3-libvirt: graphics phase $p with both ends" \
        grep -Eq "^ev graphics $p 0 127\.0\.0\.1 $port 0 127\.0\.0\.1 [0-9]+ none$" "$W/py"
done
rport=$(grep -m1 -Eo "remote\[IPv4 127\.0\.0\.1 [0-9]+\]" "$W/vireo" | grep -Eo '[0-9]+\]$' | tr -d ']')
expect_eq "the feed's graphics event: the client's end in remote_*" \
    "$(jq -c 'select(.event=="graphics" and .detail=="connect") | [.type,.local_family,.local_service,.remote_node,.remote_service,.auth]' "$W/vireo.json" | head -1)" \
    "[\"graphics\",\"ipv4\",\"$port\",\"127.0.0.1\",\"$rport\",\"none\"]"

# SPICE, virt-manager's default display: a second domain, started
# paused (its SPICE server serves all the same), linked to by a client
# of a few lines (the main channel's link message, the ticket encrypted
# with the server's RSA key, as spice-gtk does): SPICE_CONNECTED,
# SPICE_INITIALIZED (with the auth scheme) and SPICE_DISCONNECTED.
tiny_xml sp qemu "<graphics type='spice' autoport='yes' listen='127.0.0.1'/><video><model type='vga'/></video>" >"$W/sp.xml"
$V define "$W/sp.xml" >/dev/null
$V start sp --paused >/dev/null
sport=$($V domdisplay sp | sed 's/.*://')
/usr/bin/python3 - "$sport" <<'PY' || fail "the SPICE link failed"
import socket, struct, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def recv(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        assert c, "the server closed the link"
        b += c
    return b
mess = struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18)   # connection 0, main channel (1) 0, no caps
s.sendall(b"REDQ" + struct.pack("<III", 2, 2, len(mess)) + mess)
magic, _, _, size = struct.unpack("<4sIII", recv(16))
reply = recv(size)
assert magic == b"REDQ" and struct.unpack("<I", reply[:4])[0] == 0, reply[:4]
key = serialization.load_der_public_key(reply[4:166])
s.sendall(key.encrypt(b"\0", padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)))
assert struct.unpack("<I", recv(4))[0] == 0        # SPICE_LINK_ERR_OK
s.close()
PY
ok "a SPICE client linked to the main channel and left"
sre="local\[IPv4 127\.0\.0\.1 $sport\] remote\[IPv4 127\.0\.0\.1 [0-9]+\]"
for pa in "connect $sre $" "initialize $sre none$" "disconnect $sre $"; do
    wait_for 20 "vireo event: SPICE graphics ${pa%% *}" grep -Eq "^event 'graphics' for domain 'sp': $pa" "$W/vireo"
    wait_for 10 "virsh event --all: SPICE graphics ${pa%% *}" grep -Eq "^event 'graphics' for domain 'sp': $pa" "$W/virsh"
done
wait_for 10 "python3-libvirt: SPICE graphics connect, initialize (auth none), disconnect" sh -c \
    "grep -Eq '^sp graphics 0 0 127\.0\.0\.1 $sport 0 127\.0\.0\.1 [0-9]+ \$' '$W/py' &&
     grep -Eq '^sp graphics 1 0 127\.0\.0\.1 $sport 0 127\.0\.0\.1 [0-9]+ none\$' '$W/py' &&
     grep -Eq '^sp graphics 2 0 127\.0\.0\.1 $sport 0 127\.0\.0\.1 [0-9]+ \$' '$W/py'"
$V destroy sp >/dev/null
$V undefine sp >/dev/null

# ---- I/O error: the guest writes 4 MiB to a disk on a 1 MiB tmpfs ----
expect_eq "domblkerror before any error" "$($V domblkerror ev)" "No errors found"
guest ev 'dd if=/dev/zero of=/dev/vda bs=64k count=64 conv=fsync 2>/dev/null; echo "dd-done-$?"' >/dev/null
wait_for 30 "the full disk pauses the guest: paused (I/O error)" state_is ev "paused (I/O error)"
src=$FULL/data.img
wait_for 10 "vireo event: io-error, as virsh prints it" grep -qx "event 'io-error' for domain 'ev': $src (vdb) pause" "$W/vireo"
wait_for 10 "vireo event: io-error-reason enospc" \
    grep -qx "event 'io-error-reason' for domain 'ev': $src (vdb) pause due to enospc" "$W/vireo"
wait_for 10 "vireo event: suspended (ioerror)" grep -qx "event 'lifecycle' for domain 'ev': suspended (ioerror)" "$W/vireo"
wait_for 10 "virsh event --all: io-error" grep -qx "event 'io-error' for domain 'ev': $src (vdb) pause" "$W/virsh"
wait_for 10 "virsh event --all: io-error-reason enospc" \
    grep -qx "event 'io-error-reason' for domain 'ev': $src (vdb) pause due to enospc" "$W/virsh"
wait_for 10 "virsh event --all: Suspended I/O Error" grep -qx "event 'lifecycle' for domain 'ev': Suspended I/O Error" "$W/virsh"
wait_for 10 "python3-libvirt: io-error (action 1, pause)" grep -qx "ev io-error $src vdb 1" "$W/py"
wait_for 10 "python3-libvirt: io-error-reason enospc" grep -qx "ev io-error-reason $src vdb 1 enospc" "$W/py"
wait_for 10 "python3-libvirt: suspended (3), I/O error (2)" grep -qx "ev lifecycle 3 2" "$W/py"
expect_eq "the feed's io-error-reason: disk, device, reason" \
    "$(jq -c 'select(.event=="io-error-reason") | [.detail,.path,.alias,.reason]' "$W/vireo.json" | head -1)" \
    "[\"pause\",\"$src\",\"vdb\",\"enospc\"]"
expect_eq "virsh domstate --reason" "$(command virsh -q -c "$URI" domstate ev --reason)" "paused (I/O error)"
expect_eq "vireo domblkerror names the full disk" "$($V domblkerror ev)" "vdb: no space"
expect_eq "virsh domblkerror (virDomainGetDiskErrors)" "$(command virsh -q -c "$URI" domblkerror ev)" "vdb: no space"
wait "$O1"
expect_eq "vireo event --event io-error-reason: that event alone" "$(cat "$W/vireo-one-io")" \
    "event 'io-error-reason' for domain 'ev': $src (vdb) pause due to enospc
events received: 1"
# A restarted daemon takes the paused QEMU back as it is: paused (I/O
# error), the disk's error read from QEMU's io-status (query-block).
stop_daemon
kill "$PY" "$VE" "$OE" "$OJ" 2>/dev/null || true
start_daemon "$ASAN_VIREOD"
blkerror_is() { [ "$($V domblkerror ev)" = "$1" ]; }
expect_eq "after a daemon restart: still paused (I/O error)" "$($V domstate ev --reason)" "paused (I/O error)"
# (read back beside the start: the first answers may come before QEMU's)
wait_for 10 "... and domblkerror still names the disk" blkerror_is "vdb: no space"
expect_eq "... virsh too" "$(command virsh -q -c "$URI" domstate ev --reason)" "paused (I/O error)"
listen
wait_for 20 "python3-libvirt registered again" sh -c "[ \$(grep -c '^registered\$' '$W/py') -ge 2 ]"
sleep 1 # virsh's registrations (no line says they are done)
$V event --event watchdog --timeout 120 >"$W/vireo-one-wd" 2>&1 &
O2=$!
# Room again: resume retries the write, which now completes.
mount -o remount,size=32M "$FULL"
$V resume ev >/dev/null
wait_for 30 "resumed once the tmpfs has room: the guest's write completes" file_has "$(serial ev)" dd-done-0
expect_eq "running again" "$($V domstate ev --reason)" "running (unpaused)"
expect_eq "domblkerror after the resume" "$(command virsh -q -c "$URI" domblkerror ev)" "No errors found"

# ---- watchdog: armed by the guest, never fed ----
arm='for d in /sys/bus/pci/devices/*; do [ "$(cat $d/device)" = 0x25ab ] && w=$d; done; echo 1 >$w/enable;'
arm+=' b=$(($(head -1 $w/resource | cut -d" " -f1))); r=$((b + 12));'
arm+=' devmem $r 16 128; devmem $r 16 134; devmem $b 32 2000; devmem $r 16 128; devmem $r 16 134; devmem $((b + 4)) 32 2000;'
arm+=" printf '\\002' | dd of=\$w/config bs=1 seek=104 count=1 conv=notrunc 2>/dev/null && echo wd-armed"
guest_until ev "$arm" '^wd-armed' >/dev/null
wait_for 30 "the watchdog fires: paused (watchdog)" state_is ev "paused (watchdog)"
wait_for 10 "vireo event: watchdog pause, as virsh prints it" grep -qx "event 'watchdog' for domain 'ev': pause" "$W/vireo"
wait_for 10 "vireo event: suspended (watchdog)" grep -qx "event 'lifecycle' for domain 'ev': suspended (watchdog)" "$W/vireo"
wait_for 10 "virsh event --all: watchdog pause" grep -qx "event 'watchdog' for domain 'ev': pause" "$W/virsh"
wait_for 10 "virsh event --all: Suspended Watchdog" grep -qx "event 'lifecycle' for domain 'ev': Suspended Watchdog" "$W/virsh"
wait_for 10 "python3-libvirt: watchdog action 1 (pause)" grep -qx "ev watchdog 1" "$W/py"
wait_for 10 "python3-libvirt: suspended (3), watchdog (3)" grep -qx "ev lifecycle 3 3" "$W/py"
expect_eq "virsh domstate --reason" "$(command virsh -q -c "$URI" domstate ev --reason)" "paused (watchdog)"
wait "$O2"
expect_eq "vireo event --event watchdog: that event alone" "$(cat "$W/vireo-one-wd")" \
    "event 'watchdog' for domain 'ev': pause
events received: 1"
# poweroff: QEMU's action for the next firing set on its monitor, the
# guest resumed and its watchdog armed again: QEMU exits at once, which
# is a shutdown (stopped, shutdown), not a crash.
$V qemu-monitor-command ev '{"execute":"watchdog-set-action","arguments":{"action":"poweroff"}}' >/dev/null
$V resume ev >/dev/null
guest_until ev "$arm" '^wd-armed' >/dev/null
wait_for 30 "the watchdog's poweroff: shut off (shutdown)" state_is ev "shut off (shutdown)"
wait_for 10 "vireo event: watchdog poweroff" grep -qx "event 'watchdog' for domain 'ev': poweroff" "$W/vireo"
wait_for 10 "vireo event: stopped (shutdown)" grep -qx "event 'lifecycle' for domain 'ev': stopped (shutdown)" "$W/vireo"
wait_for 10 "virsh event --all: watchdog poweroff" grep -qx "event 'watchdog' for domain 'ev': poweroff" "$W/virsh"
wait_for 10 "python3-libvirt: watchdog action 3 (poweroff), then stopped (5) shutdown (0)" \
    sh -c "grep -qx 'ev watchdog 3' '$W/py' && grep -qx 'ev lifecycle 5 0' '$W/py'"
# Line for line: what vireo event printed of these four types is what
# virsh event --all printed (its lifecycle lines are virsh's own words).
kinds="^event '(graphics|io-error|io-error-reason|watchdog)'"
expect_eq "vireo event's graphics, io-error(-reason) and watchdog lines are virsh's, line for line" \
    "$(grep -E "$kinds" "$W/vireo")" "$(grep -E "$kinds" "$W/virsh")"

# Bad input: one line each, nothing defined.
tiny_xml bad qemu "<watchdog model='i6300esb' action='dump'/>" >"$W/bad.xml"
expect_fail "a watchdog action Vireo cannot honour" "<watchdog action='dump'> is not supported by Vireo" $V define "$W/bad.xml"
tiny_xml bad qemu "<disk type='file' device='disk'><driver name='qemu' type='raw' rerror_policy='enospace'/><source file='$src'/><target dev='vdc' bus='virtio'/></disk>" >"$W/bad.xml"
expect_fail "rerror_policy='enospace'" "is for writes only" $V define "$W/bad.xml"
expect_fail "domblkerror of a shut off domain" "domain 'ev' is not running" $V domblkerror ev
verr "virsh domblkerror of a shut off domain" "not running" domblkerror ev
expect_eq "nothing defined by the refusals" "$($V list --all --name | sort | tr '\n' ' ')" "ev "
no_sanitizer_report
echo "events-more: $CHECKS checks passed"
