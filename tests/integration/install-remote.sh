#!/usr/bin/env bash
# vireo install against a remote daemon (vireo+ssh://) with media only
# the client has: two network namespaces as two hosts, sshd and vireod
# on one, and the client's files hidden from that daemon (it runs in a
# mount namespace with an empty tmpfs over them), so what the remote
# host gets, it got over the connection:
#   --location ISO: the ISO goes into the remote's default pool and is
#     the install phase's CD-ROM, its kernel and initrd boot the tiny
#     guest to its ready line; the same ISO again is not written twice;
#   --boot kernel=,initrd=: the remote domain boots the uploaded files;
#   a Windows install's virtio-win drivers ISO (--disk ISO,device=cdrom);
#   a failing install and a Ctrl+C during an upload leave no volume;
#   a local directory tree as --location: refused in one line.
. "$(dirname "$0")/lib.sh"
need_images
[ -r "$IMAGES/tiny.iso" ] || fail "guest image tiny.iso missing in $IMAGES (run: make images)"
SRVNS=vrt-isrv-$$
CLINS=vrt-icli-$$
test_cleanup() {
    [ -r "$ROOT/sshd.pid" ] && kill "$(cat "$ROOT/sshd.pid")" 2>/dev/null
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
chmod 755 "$ROOT"
trap cleanup EXIT
BIN=$VIREOD
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then need_asan_daemon; BIN=$ASAN_VIREOD; fi

# This machine's files: the tiny ISO (a hybrid ISO with boot/vmlinuz and
# boot/initrd.img), the tiny guest's kernel and initrd, small ISOs.
HERE=$ROOT/here
mkdir -p "$HERE/tree/boot"
cp "$IMAGES/tiny.iso" "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$HERE/"
echo "drivers" >"$HERE/tree/boot/README"
cp "$IMAGES/tiny-vmlinuz" "$HERE/tree/boot/vmlinuz-virt"
cp "$IMAGES/tiny-initrd.img" "$HERE/tree/boot/initramfs-virt"
xorriso -as mkisofs -quiet -V VIRTIO-WIN -J -r -o "$HERE/virtio-win.iso" "$HERE/tree/boot/README" 2>/dev/null
xorriso -as mkisofs -quiet -V WIN10 -J -r -o "$HERE/win10.iso" "$HERE/tree/boot/README" 2>/dev/null
xorriso -as mkisofs -quiet -V OTHER -J -r -o "$HERE/other.iso" "$HERE/tree" 2>/dev/null

# Two hosts: sshd and vireod in one namespace, the client in the other.
netns_make "$SRVNS" "$CLINS"
veth "$SRVNS" eth0 10.97.0.1 "$CLINS" eth0 10.97.0.2
sshd_conf 10.97.0.1 "$ROOT"
ssh-keygen -q -t ed25519 -N '' -f "$ROOT/userkey"
cp "$ROOT/userkey.pub" "$ROOT/authorized_keys"
ip netns exec "$SRVNS" /usr/sbin/sshd -f "$ROOT/sshd_config" -E "$ROOT/sshd.log"
ip netns exec "$SRVNS" unshare -m --propagation private \
    sh -c 'mount -t tmpfs -o size=1m hidden "$1" && shift && exec "$@"' sh "$HERE" \
    "$BIN" --root "$ROOT" --no-default-network >>"$ROOT/vireod.log" 2>&1 &
DAEMON_PID=$!
SOCK=$ROOT/run/vireo/vireod.sock
wait_for 20 "remote daemon up" "$VIREO" -c "vireo:///system?socket=$SOCK" hostname
nsenter -t "$DAEMON_PID" -m test -e "$HERE/tiny.iso" && fail "the remote daemon sees the client's files"
ok "the remote host does not see this machine's files"
REMOTE="vireo+ssh://root@10.97.0.1/system?keyfile=$ROOT/userkey&no_verify=1&socket=$SOCK"
R() { ip netns exec "$CLINS" "$VIREO" -c "$REMOTE" "$@"; }
POOLDIR=$ROOT/var/lib/vireo/images
vols() { R vol-list default | awk 'NR > 2 && $1 {print $1}' | sort | tr '\n' ' '; }
expect_eq "the remote pool starts empty" "$(vols)" ""

# ---- --location ISO: the ISO and its kernel and initrd go over ----
out=$(R install --name loc --os-variant generic --memory 256 \
    --location "$HERE/tiny.iso,kernel=boot/vmlinuz,initrd=boot/initrd.img" --extra-args cryptomgr.notests=1 \
    --disk none --network none --graphics none --noautoconsole 2>&1) || fail "--location ISO install: $out"
expect_match "--location ISO: the ISO is written to the remote pool" "$out" \
    "Writing the install ISO 'tiny.iso' \(20.00 MiB\) to pool 'default'"
expect_match "  and its kernel" "$out" "Writing the installer's kernel 'loc-install-kernel'"
live=$(R dumpxml loc)
expect_match "  the install phase's CD-ROM is that volume" "$live" "<source pool=.default. volume=.tiny.iso./>"
expect_match "  it boots the kernel from the remote pool" "$live" "<kernel>$POOLDIR/loc-install-kernel</kernel>"
cmp "$POOLDIR/tiny.iso" "$IMAGES/tiny.iso" || fail "the uploaded ISO differs"
ok "  the remote volume holds the ISO byte for byte"
expect_eq "  the installer's kernel and initrd are removed once read; the ISO stays" "$(vols)" "tiny.iso "

# ---- --boot kernel=,initrd=: direct kernel boot, for good (while loc boots) ----
out=$(R install --name kb --os-variant generic --memory 256 \
    --boot "kernel=$HERE/tiny-vmlinuz,initrd=$HERE/tiny-initrd.img,kernel_args=console=ttyS0 cryptomgr.notests=1" \
    --disk none --network none --graphics none --noautoconsole 2>&1) || fail "--boot kernel= install: $out"
expect_match "--boot kernel=: the kernel is written to the remote pool" "$out" "Writing the kernel 'tiny-vmlinuz'"
expect_match "  and the initrd" "$out" "Writing the initrd 'tiny-initrd.img'"
live=$(R dumpxml --inactive kb)
expect_match "  the definition boots the remote files" "$live" "<kernel>$POOLDIR/tiny-vmlinuz</kernel>"
expect_match "  (its initrd)" "$live" "<initrd>$POOLDIR/tiny-initrd.img</initrd>"
wait_for 90 "--location ISO: the tiny guest boots the carried kernel to its ready line" \
    file_has "$(serial loc)" VIREO-GUEST-READY
wait_for 90 "--boot kernel=: the tiny guest boots the carried files to its ready line" \
    file_has "$(serial kb)" VIREO-GUEST-READY
R destroy loc >/dev/null
final=$(R dumpxml loc)
grep -q "tiny.iso" <<<"$final" && fail "the install ISO stays in the final definition"
ok "--location ISO: the final definition has the ISO ejected"
R undefine loc >/dev/null
# The same ISO again (here as --cdrom): already there, not written twice.
out=$(R install --name cd --os-variant generic --memory 256 --cdrom "$HERE/tiny.iso" --disk none --network none \
    --graphics none --noautoconsole 2>&1) || fail "--cdrom install: $out"
grep -q "Writing the install ISO" <<<"$out" && fail "the ISO was written again: $out"
expect_match "the same ISO again: used where it is (same name and size)" "$out" \
    "Using volume 'tiny.iso' of pool 'default' on the remote host"
expect_match "  the domain names it" "$(R dumpxml cd)" "<source pool=.default. volume=.tiny.iso./>"
R destroy cd >/dev/null
R undefine cd >/dev/null

# ---- a failing install removes what it uploaded, and only that ----
before=$(vols)
out=$(R install --name bad --os-variant generic --memory 256 --location "$HERE/other.iso" \
    --disk none --network network=nope --graphics none --noautoconsole 2>&1) && fail "install with network=nope succeeded"
expect_match "a failing install: the ISO was written" "$out" "Writing the install ISO 'other.iso'"
expect_match "  the daemon's refusal" "$out" "network 'nope' not found"
expect_eq "  and the uploaded volume is removed again" "$(vols)" "$before"
out=$(R install --name bad --os-variant generic --memory 256 --boot "kernel=$HERE/tiny-vmlinuz,initrd=$HERE/tiny-initrd.img" \
    --disk none --network network=nope --graphics none --noautoconsole 2>&1) && fail "install with network=nope succeeded"
expect_match "a failing kernel boot: kb's kernel used as it is" "$out" "Using volume 'tiny-vmlinuz'"
expect_eq "  and left in place (kb boots it)" "$(vols)" "$before"
R destroy kb >/dev/null
R undefine kb >/dev/null

# ---- Windows with the virtio-win drivers ISO (docs/windows.md) ----
out=$(R install --name w10 --os-variant win10 --memory 512 --cdrom "$HERE/win10.iso" --disk size=0.01 \
    --disk "$HERE/virtio-win.iso,device=cdrom" --network none --graphics none --noautoconsole 2>&1) ||
    fail "win10 install: $out"
expect_match "drivers ISO: written to the remote pool" "$out" "Writing the CD-ROM's ISO 'virtio-win.iso'"
live=$(R dumpxml w10)
expect_match "  the domain names it" "$live" "<source pool=.default. volume=.virtio-win.iso./>"
expect_match "  beside the Windows ISO" "$live" "<source pool=.default. volume=.win10.iso./>"
expect_match "  and the disk is virtio for its drivers" "$live" "<target dev=.vda. bus=.virtio./>"
expect_eq "  it runs" "$(R domstate w10)" "running"
R destroy w10 >/dev/null
R undefine w10 --remove-all-storage >/dev/null

# ---- Ctrl+C while an ISO is written: nothing left (the ssh tunnel
# dies with it; the removal goes over a new one) ----
truncate -s 4G "$HERE/big.iso"
before=$(vols)
ip netns exec "$CLINS" setsid "$VIREO" -c "$REMOTE" install --name big --os-variant generic --memory 256 \
    --cdrom "$HERE/big.iso" --disk none --network none --graphics none --noautoconsole >"$ROOT/big.out" 2>&1 &
BIG=$!
wait_for 30 "a large ISO is being written" file_has "$ROOT/big.out" "Writing the install ISO 'big.iso'"
sleep 1
kill -INT -- -"$BIG" # as a terminal's Ctrl+C: vireo and its ssh tunnel
rc=0
wait "$BIG" || rc=$?
[ "$rc" -ne 0 ] || fail "the interrupted install succeeded: $(cat "$ROOT/big.out")"
expect_match "Ctrl+C during an upload stops it" "$(cat "$ROOT/big.out")" "interrupted while writing 'big.iso'; it is removed"
expect_eq "  and no volume is left" "$(vols)" "$before"
gone_big() { ! ls -a "$POOLDIR" | grep -q big; }
wait_for 10 "  nor a partial file in the pool's directory" gone_big
rm -f "$HERE/big.iso"

# ---- a dry run uploads nothing: what is there is named, the rest refused ----
out=$(R install --name dry --os-variant generic --memory 256 --cdrom "$HERE/tiny.iso" --disk none --dry-run 2>&1) ||
    fail "dry run with an ISO already there: $out"
expect_match "--dry-run: an ISO already on the remote host is named" "$out" "Using volume 'tiny.iso'"
expect_match "  and the plan is made" "$out" "Dry run completed successfully"
xml=$(R install --name dry --os-variant generic --memory 256 --cdrom "$HERE/tiny.iso" --disk none --print-xml 2>/dev/null)
expect_match "--print-xml: the XML alone on stdout, naming the volume" "$(head -1 <<<"$xml")$(grep -c "volume=.tiny.iso." <<<"$xml")" \
    "^<domain .*>1$"
expect_fail "--dry-run: an ISO only here is refused, nothing written" \
    "--location $HERE/other.iso: the file is on this machine only, and --dry-run and --print-xml upload nothing" \
    R install --name dry --os-variant generic --location "$HERE/other.iso" --disk none --print-xml
expect_eq "  no volume made" "$(vols)" "$before"

# ---- what cannot be carried ----
expect_fail "a local directory tree as --location: refused, with what to do" \
    "--location $HERE/tree: a directory on this machine cannot be carried to the remote host; make it an ISO" \
    R install --name tree --os-variant generic --location "$HERE/tree" --disk none --noautoconsole
no_sanitizer_report
