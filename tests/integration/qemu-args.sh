#!/usr/bin/env bash
# QEMU's command line from the property model (issue 15 item 7), run by
# the real QEMU: a disk whose file name holds a comma (a,b.qcow2) starts,
# because the path reaches -blockdev as "a,,b.qcow2" (QEMU's escape), and
# the guest reads the mark the host wrote into it; a second one
# (c,d.qcow2) hot-plugged goes through the same properties as QMP JSON
# (no escape there) and the guest reads its mark too. The byte-exact
# command lines of every device family are the unit test qemu_argv.
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
no_sanitizer_report
echo "qemu-args: $CHECKS checks passed"
