#!/usr/bin/env bash
# The system daemon's QEMU runs as an unprivileged user of its own with
# QEMU's seccomp sandbox on, and gets only its own domain's files.
. "$(dirname "$0")/lib.sh"
need_images
id vireo-qemu >/dev/null 2>&1 || { useradd --system --no-create-home --shell /usr/sbin/nologin vireo-qemu; MADE_USER=1; }
test_cleanup() { [ -n "${MADE_USER:-}" ] && userdel vireo-qemu 2>/dev/null; return 0; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
chmod 755 "$ROOT"
mkdir -p "$ROOT/img"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/img/"
chmod -R a+rX "$ROOT/img"
DAEMON_OPTS="--no-default-network --qemu-user vireo-qemu" start_daemon
qemu-img create -q -f qcow2 "$ROOT/img/data.qcow2" 16M
IMAGES=$ROOT/img tiny_xml sandboxed | sed "s|<devices>|<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$ROOT/img/data.qcow2'/><target dev='vda' bus='virtio'/></disk>|" > "$ROOT/sb.xml"
"$VIREO" define "$ROOT/sb.xml" >/dev/null
"$VIREO" start sandboxed >/dev/null
pid=$(cat "$ROOT/run/vireo/qemu/sandboxed/qemu.pid")
expect_eq "QEMU runs as vireo-qemu" "$(ps -o user= -p "$pid")" "vireo-qemu"
expect_eq "seccomp filter on" "$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status")" 2
expect_eq "its disk was handed to it" "$(stat -c %U "$ROOT/img/data.qcow2")" "vireo-qemu"
"$VIREO" console sandboxed --history > "$ROOT/console.txt" 2>&1 &
wait_for 90 "the sandboxed guest boots" file_has "$ROOT/console.txt" VIREO-GUEST-READY
expect_match "and shuts down gracefully" "$("$VIREO" shutdown sandboxed --wait --timeout 60)" "is shut off"
# A kernel QEMU's user may not read: QEMU's own reason, in one line.
mkdir -m 700 "$ROOT/private"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/private/"
IMAGES=$ROOT/private tiny_xml private > "$ROOT/private.xml"
"$VIREO" define "$ROOT/private.xml" >/dev/null
expect_fail "an unreadable kernel" "Permission denied" "$VIREO" start private
