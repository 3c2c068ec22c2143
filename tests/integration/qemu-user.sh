#!/usr/bin/env bash
# The system daemon's QEMU runs as an unprivileged user of its own with
# QEMU's seccomp sandbox on, and gets only its own domain's files, for
# as long as the domain runs: however it stops, they go back to their
# owners (here nobody, 65534, as a user's image in their home would).
. "$(dirname "$0")/lib.sh"
need_images
id vireo-qemu >/dev/null 2>&1 || { useradd --system --no-create-home --shell /usr/sbin/nologin vireo-qemu; MADE_USER=1; }
test_cleanup() {
    chattr -i "$ROOT/img/data.qcow2" 2>/dev/null
    [ -n "${MADE_USER:-}" ] && userdel vireo-qemu 2>/dev/null
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
chmod 755 "$ROOT"
mkdir -p "$ROOT/img"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/img/"
chmod -R a+rX "$ROOT/img"
OPTS="--no-default-network --qemu-user vireo-qemu"
DAEMON_OPTS=$OPTS start_daemon
DISK=$ROOT/img/data.qcow2 SHARED=$ROOT/img/shared.img
SERIAL=$ROOT/var/log/vireo/qemu/sandboxed-serial0.log
qemu-img create -q -f qcow2 "$DISK" 16M
qemu-img create -q -f raw "$SHARED" 1M
chown 65534:65534 "$DISK" "$SHARED"
chmod 640 "$DISK"
chmod 644 "$SHARED"
owner() { stat -c %u:%g:%a "$1"; }
QEMU_IDS=$(id -u vireo-qemu):$(id -g vireo-qemu)
disk_xml() { echo "<disk type='file' device='disk'><driver name='qemu' type='$2'/><source file='$1'/><target dev='$3' bus='virtio'/>${4:-}</disk>"; }
with_disks() { sed "s|<devices>|<devices>$*|"; }
IMAGES=$ROOT/img tiny_xml sandboxed | with_disks "$(disk_xml "$DISK" qcow2 vda)$(disk_xml "$SHARED" raw vdb '<readonly/>')" > "$ROOT/sb.xml"
"$VIREO" define "$ROOT/sb.xml" >/dev/null
expect_eq "the disk is nobody's before the start" "$(owner "$DISK")" "65534:65534:640"
"$VIREO" start sandboxed >/dev/null
pid=$(cat "$ROOT/run/vireo/qemu/sandboxed/qemu.pid")
expect_eq "QEMU runs as vireo-qemu" "$(ps -o user= -p "$pid")" "vireo-qemu"
expect_eq "seccomp filter on" "$(awk '/^Seccomp:/ { print $2 }' "/proc/$pid/status")" 2
expect_eq "its disk was handed to it" "$(owner "$DISK")" "$QEMU_IDS:640"
expect_eq "a read-only disk is not handed over" "$(owner "$SHARED")" "65534:65534:644"
"$VIREO" console sandboxed --history > "$ROOT/console.txt" 2>&1 &
wait_for 90 "the sandboxed guest boots" file_has "$ROOT/console.txt" VIREO-GUEST-READY
expect_match "and shuts down gracefully" "$("$VIREO" shutdown sandboxed --wait --timeout 60)" "is shut off"
expect_eq "after a shutdown the disk is nobody's again" "$(owner "$DISK")" "65534:65534:640"
expect_eq "and the serial log the daemon's" "$(owner "$SERIAL")" "0:0:600"

# A chown by root drops set-user-ID: the mode comes back too.
chmod 4640 "$DISK"
"$VIREO" start sandboxed >/dev/null
expect_eq "handed over again (chown dropped set-user-ID)" "$(owner "$DISK")" "$QEMU_IDS:640"
"$VIREO" destroy sandboxed >/dev/null
expect_eq "after a destroy the owner and mode are back" "$(owner "$DISK")" "65534:65534:4640"
chmod 640 "$DISK"

# A file that cannot be given back never fails the stop: a warning names
# it. (Needs a filesystem with the immutable flag; tmpfs may lack it.)
"$VIREO" start sandboxed >/dev/null
if chattr +i "$DISK" 2>/dev/null; then
    expect_match "an immutable disk does not stop a destroy" "$("$VIREO" destroy sandboxed 2>&1)" "destroyed"
    expect_match "the warning names the file" "$(grep warning "$ROOT/vireod.log")" "cannot give $DISK back to uid 65534 gid 65534.*chown it by hand"
    chattr -i "$DISK"
    chown 65534:65534 "$DISK"
else
    echo "# skipped: no immutable flag on $ROOT's filesystem"
    "$VIREO" destroy sandboxed >/dev/null
fi

# QEMU dies under the daemon: a crash gives the files back as well.
"$VIREO" start sandboxed >/dev/null
kill -9 "$(cat "$ROOT/run/vireo/qemu/sandboxed/qemu.pid")"
wait_for 30 "the killed QEMU is seen crashed" state_is sandboxed "shut off (crashed)"
expect_eq "after a crash the disk is nobody's again" "$(owner "$DISK")" "65534:65534:640"

# The daemon restarts under a running domain: the owners live in the run
# directory, and the re-adopting daemon gives them back at the stop.
ready_count() { grep -c VIREO-GUEST-READY "$SERIAL" || true; }
booted_since() { [ "$(ready_count)" -gt "$1" ]; }
seen=$(ready_count)
"$VIREO" start sandboxed >/dev/null
stop_daemon
expect_eq "the daemon is gone, QEMU keeps the disk" "$(owner "$DISK")" "$QEMU_IDS:640"
DAEMON_OPTS=$OPTS start_daemon
expect_eq "re-adopted" "$("$VIREO" domstate sandboxed)" "running"
wait_for 90 "the re-adopted guest boots" booted_since "$seen"
expect_match "and shuts down" "$("$VIREO" shutdown sandboxed --wait --timeout 60)" "is shut off"
expect_eq "the re-adopting daemon gave the disk back" "$(owner "$DISK")" "65534:65534:640"

# QEMU ends while no daemon watches: noticed, and undone, at the next start.
"$VIREO" start sandboxed >/dev/null
pid=$(cat "$ROOT/run/vireo/qemu/sandboxed/qemu.pid")
stop_daemon
kill "$pid"
wait_for 30 "QEMU ends while the daemon is away" eval "! kill -0 $pid"
expect_eq "nobody has given the disk back yet" "$(owner "$DISK")" "$QEMU_IDS:640"
DAEMON_OPTS=$OPTS start_daemon
expect_eq "the new daemon sees it shut off" "$("$VIREO" domstate sandboxed)" "shut off"
expect_eq "and gives the disk back" "$(owner "$DISK")" "65534:65534:640"

# Two domains on one file. QEMU's image locks keep a writable disk to
# one running QEMU: a second domain on it fails to start, and that
# failure must not take the disk from the one still running. A read-only
# disk is shared by both, and never changes hands.
"$VIREO" start sandboxed >/dev/null
IMAGES=$ROOT/img tiny_xml twin | with_disks "$(disk_xml "$DISK" qcow2 vda)" > "$ROOT/twin.xml"
"$VIREO" define "$ROOT/twin.xml" >/dev/null
expect_fail "a second domain on the same writable disk" "another process using the image" "$VIREO" start twin
expect_eq "the disk stays with the domain that runs" "$(owner "$DISK")" "$QEMU_IDS:640"
IMAGES=$ROOT/img tiny_xml reader | with_disks "$(disk_xml "$SHARED" raw vda '<readonly/>')" > "$ROOT/reader.xml"
"$VIREO" define "$ROOT/reader.xml" >/dev/null
"$VIREO" start reader >/dev/null
expect_eq "two domains run on one read-only disk" "$("$VIREO" domstate reader) $("$VIREO" domstate sandboxed)" "running running"
"$VIREO" destroy sandboxed >/dev/null
expect_eq "the last user of the disk gave it back" "$(owner "$DISK")" "65534:65534:640"
expect_eq "the shared read-only disk kept its owner" "$(owner "$SHARED")" "65534:65534:644"
"$VIREO" destroy reader >/dev/null

# A kernel QEMU's user may not read: QEMU's own reason, in one line.
mkdir -m 700 "$ROOT/private"
cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$ROOT/private/"
IMAGES=$ROOT/private tiny_xml private > "$ROOT/private.xml"
"$VIREO" define "$ROOT/private.xml" >/dev/null
expect_fail "an unreadable kernel" "Permission denied" "$VIREO" start private
# (The serial log is the serial logger's, written from what it reads: a
# QEMU that never ran left none, and nothing of it was handed over.)
[ ! -e "$ROOT/var/log/vireo/qemu/private-serial0.log" ] ||
    fail "a failed start left a serial log: $(owner "$ROOT/var/log/vireo/qemu/private-serial0.log")"
[ ! -e "$ROOT/run/vireo/qemu/private" ] || fail "a failed start left its run directory"
ok "a failed start leaves nothing behind (no serial log, no run directory)"

# UEFI and a TPM as QEMU's user: the NVRAM is handed over for the run,
# swtpm runs as that user too, on a state directory it owns.
IMAGES=$ROOT/img tiny_xml uefi | sed -e "s|<os>|<os firmware='efi'>|" -e "s|machine='pc'|machine='q35'|" \
    -e "s|<devices>|<devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>|" > "$ROOT/uefi.xml"
"$VIREO" define "$ROOT/uefi.xml" >/dev/null
"$VIREO" start uefi >/dev/null
NVRAM=$ROOT/var/lib/vireo/qemu/nvram/uefi_VARS.fd
expect_eq "the NVRAM is handed to QEMU's user for the run" "$(owner "$NVRAM")" "$QEMU_IDS:600"
swpid=$(cat "$ROOT/run/vireo/qemu/uefi/swtpm.pid")
expect_eq "swtpm runs as vireo-qemu" "$(ps -o user= -p "$swpid")" "vireo-qemu"
out=$(guest_until uefi 'echo TPM=$(cat /sys/class/tpm/tpm0/tpm_version_major)' 'TPM=2')
expect_match "the sandboxed UEFI guest reads its TPM 2.0" "$out" 'TPM=2'
"$VIREO" destroy uefi >/dev/null
expect_eq "after the run the NVRAM is the daemon's again" "$(owner "$NVRAM")" "0:0:600"
