#!/usr/bin/env bash
# QEMU's command line from the property model (issue 15 item 7), run by
# the real QEMU: a disk whose file name holds a comma (a,b.qcow2) starts,
# because the path reaches -blockdev as "a,,b.qcow2" (QEMU's escape), and
# the guest reads the mark the host wrote into it; a second one
# (c,d.qcow2) hot-plugged goes through the same properties as QMP JSON
# (no escape there) and the guest reads its mark too. A domain with a
# VNC and a SPICE display (what Cockpit's virt-install writes, issue 16)
# boots under TCG with -vnc and -spice, each password its own secret;
# both displays answer on the ports its live XML (virsh dumpxml) says (an RFB greeting,
# a SPICE link reply), domdisplay names the VNC one as virsh does, and
# virDomainOpenGraphicsFD over libvirt-sock hands python3-libvirt each
# display by its index. The byte-exact command lines of every device
# family are the unit test qemu_argv.
. "$(dirname "$0")/lib.sh"
need_images
DAEMON=$VIREOD
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
    DAEMON=$VIREO_ASAN_BUILD/src/daemon/vireod
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
fi
start_daemon "$DAEMON"

# A raw image with a mark in its first bytes, converted to qcow2.
mark_image() {
    qemu-img create -q -f raw "$ROOT/mark.raw" 1M
    printf '%s' "$2" | dd of="$ROOT/mark.raw" conv=notrunc status=none
    qemu-img convert -q -f raw -O qcow2 "$ROOT/mark.raw" "$1"
    rm -f "$ROOT/mark.raw"
}
mark_image "$ROOT/a,b.qcow2" "VIREO-COMMA-AB-$$"
mark_image "$ROOT/c,d.qcow2" "VIREO-COMMA-CD-$$"

disk="<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$ROOT/a,b.qcow2'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml comma qemu "<interface type='user'><model type='virtio'/></interface>$disk" >"$ROOT/comma.xml"
"$VIREO" define "$ROOT/comma.xml" >/dev/null
"$VIREO" start comma >/dev/null || fail "a domain with disk a,b.qcow2 did not start"
ok "a domain whose disk file is named a,b.qcow2 starts"
LOG=$ROOT/var/log/vireo/qemu/comma.log
expect_match "-blockdev carries the comma doubled" "$(grep -a -- '-blockdev' "$LOG" | tail -1)" \
    "filename=$ROOT/a,,b\\.qcow2,node-name=file-vda"
wait_for 60 "the guest is up" file_has "$ROOT/var/log/vireo/qemu/comma-serial0.log" VIREO-GUEST-READY
out=$(guest_until comma 'dd if=/dev/vda bs=64 count=1 2>/dev/null | tr -d "\000"; echo' "VIREO-COMMA-AB-$$")
expect_match "the guest reads the mark written into a,b.qcow2" "$out" "VIREO-COMMA-AB-$$"

"$VIREO" attach-disk comma "$ROOT/c,d.qcow2" vdb --subdriver qcow2 --live >/dev/null ||
    fail "attach-disk of c,d.qcow2 failed"
ok "c,d.qcow2 is hot-plugged (blockdev-add and device_add from the same properties)"
out=$(guest_until comma 'dd if=/dev/vdb bs=64 count=1 2>/dev/null | tr -d "\000"; echo' "VIREO-COMMA-CD-$$")
expect_match "the guest reads the mark written into c,d.qcow2" "$out" "VIREO-COMMA-CD-$$"
expect_match "domblklist shows both paths whole" "$("$VIREO" domblklist comma)" "vdb +$ROOT/c,d\\.qcow2"

"$VIREO" destroy comma >/dev/null

# ---- a VNC and a SPICE display on one domain ----
gfx="<graphics type='vnc' port='-1' autoport='yes' passwd='vncpw'><listen type='address' address='127.0.0.1'/></graphics>
<graphics type='spice' autoport='yes' passwd='spicepw'><listen type='address' address='127.0.0.1'/></graphics>
<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>
<video><model type='qxl'/></video>"
tiny_xml twogfx qemu "<interface type='user'><model type='virtio'/></interface>$gfx" >"$ROOT/twogfx.xml"
"$VIREO" define "$ROOT/twogfx.xml" >/dev/null
"$VIREO" start twogfx >/dev/null || fail "a domain with a VNC and a SPICE display did not start"
wait_for 60 "a domain with a VNC and a SPICE display boots under TCG" \
    file_has "$ROOT/var/log/vireo/qemu/twogfx-serial0.log" VIREO-GUEST-READY
args=$(tr '\0' '\n' </proc/"$(cat "$ROOT/run/vireo/qemu/twogfx/qemu.pid")"/cmdline)
expect_match "QEMU runs -vnc with the first display's password secret" "$args" '^127\.0\.0\.1:0,to=100,audiodev=audio1,password-secret=graphics0-secret$'
expect_match "... and -spice with the second's" "$args" '^port=[0-9]+,addr=127\.0\.0\.1,password-secret=graphics1-secret,seamless-migration=on$'
grep -qe vncpw -e spicepw "$ROOT/var/log/vireo/qemu/twogfx.log" && fail "a display password reached QEMU's log"
ok "neither password is on QEMU's command line"
# Debian's virsh over libvirt-sock: libvirt's live XML has the ports QEMU took.
live=$(command virsh -q -c "qemu:///system?socket=$ROOT/libvirt-sock" dumpxml twogfx)
vport=$(sed -n 's/.*<graphics type=.vnc. port=.\([0-9]*\).*/\1/p' <<<"$live")
sport=$(sed -n 's/.*<graphics type=.spice. port=.\([0-9]*\).*/\1/p' <<<"$live")
[ -n "$vport" ] && [ -n "$sport" ] && [ "$vport" != "$sport" ] ||
    fail "the live XML does not give each display its port: $(grep -a '<graphics' <<<"$live" | tr '\n' ' ' || echo "$live")"
ok "virsh dumpxml: the live XML gives each display the port it got (VNC $vport, SPICE $sport)"
expect_eq "domdisplay: the VNC display first, as virsh" "$("$VIREO" domdisplay twogfx)" "vnc://127.0.0.1:$((vport - 5900))"
# The RFB greeting of one, the SPICE link reply of the other: on the
# ports the live XML says, and through virDomainOpenGraphicsFD by index.
cat >"$ROOT/displays.py" <<'PY'
import socket, struct, sys
def rfb(s):
    return s.recv(12).startswith(b"RFB 003.")
def spice(s):
    mess = struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18)   # connection 0, main channel (1) 0, no caps
    s.sendall(b"REDQ" + struct.pack("<III", 2, 2, len(mess)) + mess)
    head = b""
    while len(head) < 20:
        c = s.recv(20 - len(head))
        if not c:
            return False
        head += c
    magic, _, _, _, error = struct.unpack("<4sIIII", head)
    return magic == b"REDQ" and error == 0             # SPICE_LINK_ERR_OK
if sys.argv[1] == "ports":
    for port, check in ((int(sys.argv[2]), rfb), (int(sys.argv[3]), spice)):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        print(check.__name__, check(s))
        s.close()
else:
    import libvirt
    dom = libvirt.open(sys.argv[2]).lookupByName("twogfx")
    for idx, check in ((0, rfb), (1, spice)):
        s = socket.socket(fileno=dom.openGraphicsFD(idx, 0))
        s.settimeout(10)
        print(idx, check.__name__, check(s))
        s.close()
    try:
        dom.openGraphicsFD(2, 0)
    except libvirt.libvirtError as e:
        print("idx 2:", e.get_error_message())
PY
expect_eq "the VNC display greets in RFB, the SPICE display answers a link" \
    "$(/usr/bin/python3 "$ROOT/displays.py" ports "$vport" "$sport" 2>&1)" "rfb True
spice True"
out=$(/usr/bin/python3 "$ROOT/displays.py" fd "qemu:///system?socket=$ROOT/libvirt-sock" 2>&1)
expect_match "python3-libvirt: openGraphicsFD(0) is the VNC display" "$out" '^0 rfb True$'
expect_match "... openGraphicsFD(1) the SPICE one" "$out" '^1 spice True$'
expect_match "... and idx 2 is refused, naming the displays there are" "$out" \
    "^idx 2: .*domain 'twogfx' has 2 graphical display\(s\); no idx 2"
sed -e 's|<name>twogfx</name>|<name>twovnc</name>|' -e "s|<graphics type='spice'|<graphics type='vnc'|" \
    -e "/<channel type='spicevmc'>/d" "$ROOT/twogfx.xml" >"$ROOT/twovnc.xml"
expect_fail "two VNC displays: refused by name" "a second <graphics type='vnc'>: a domain has at most one VNC and one SPICE display" \
    "$VIREO" define "$ROOT/twovnc.xml"
"$VIREO" destroy twogfx >/dev/null
no_sanitizer_report
echo "qemu-args: $CHECKS checks passed"
