#!/usr/bin/env bash
# vireo install (virt-install's job), end to end, with a private daemon
# in a network namespace of its own (so the `default` network exists, as
# on a real host):
#   --location with the Debian installer's netboot kernel and initrd (a
#     tree, and an ISO made like a Debian one) up to its first screen;
#   --cdrom tiny.iso: the guest "installs" itself (copies the hybrid ISO
#     to the disk) and powers off; install restarts it from the disk;
#   POST /v1/install: the daemon restarts it (across a daemon restart);
#   --import of a qcow2 made from the tiny image, with --cloud-init
#     (hostname and ssh key read by the guest) and the text console;
#   --disk copy_from= (a large sparse image copied into the pool): the
#     install's job with progress (plain lines, a bar on a terminal),
#     vireo list answering meanwhile, a failure and a cancel leave nothing;
#   --boot kernel=,initrd=,kernel_args= (direct kernel boot);
#   bad input: one clear line, and nothing half-made;
#   domain XML recorded from Debian's virt-install (tests/fixtures/
#     virt-install): defined, started or refused by name.
. "$(dirname "$0")/lib.sh"
need_images
[ -r "$IMAGES/tiny.iso" ] || fail "guest image tiny.iso missing in $IMAGES (run: make images)"
FIXTURES=$VIREO_SRC/tests/fixtures/virt-install
NS=vrt-inst-$$
test_cleanup() {
    [ -n "${FIFO_FD:-}" ] && exec 7>&- 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    return 0
}
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
# The daemon's qemu-img (VIREO_QEMU_IMG): copies (convert) paced at
# 64 MiB/s, as on a slow pool, so that an install's copy lasts seconds
# even from the page cache, long enough to watch and to interrupt.
cat >"$ROOT/qemu-img" <<'SH'
#!/bin/sh
[ "$1" = convert ] && { shift; exec qemu-img convert -r 64M "$@"; }
exec qemu-img "$@"
SH
chmod +x "$ROOT/qemu-img"
export VIREO_QEMU_IMG=$ROOT/qemu-img
# The ASan/UBSan daemon when meson test is given one (VIREO_ASAN_BUILD).
DAEMON_BIN=$VIREOD
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
    need_asan_daemon
    DAEMON_BIN=$ASAN_VIREOD
fi
DAEMON_WRAP="ip netns exec $NS" DAEMON_OPTS=" " start_daemon "$DAEMON_BIN"
POOLDIR=$ROOT/var/lib/vireo/images
LOGS=$ROOT/var/log/vireo/qemu
serial() { echo "$LOGS/$1-serial0.log"; }
serial_has() { grep -aq -- "$2" "$(serial "$1")" 2>/dev/null; }
serial_count() {
    local n
    n=$(grep -ac -- "$2" "$(serial "$1")" 2>/dev/null) || true
    echo "${n:-0}"
}
vols() { "$VIREO" vol-list default --json | jq -r '.[].name' | sort | tr '\n' ' '; }
doms() { "$VIREO" list --all --name | sort | tr '\n' ' '; }
accel=$("$VIREO" nodeinfo | awk -F': *' '/ccelerator/ {print $2}')

# guest NAME COMMAND: type COMMAND on the serial console.
guest() {
    printf '%s\n' "$2" >"$ROOT/in.txt"
    timeout 20 "$VIREO" console "$1" <"$ROOT/in.txt" >/dev/null 2>&1 || true
}

# ---- the Debian installer (it boots for a minute or more under TCG:
# started first, its first screen is checked at the end) ----
DI_PKG=debian-installer-12-netboot-amd64
if ! dpkg -s "$DI_PKG" >/dev/null 2>&1; then
    echo "# installing $DI_PKG"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$DI_PKG" >/dev/null 2>&1 ||
        fail "$DI_PKG is not installed and apt-get could not install it"
fi
DI_KERNEL=$(dpkg -L "$DI_PKG" | grep -m1 '/text/debian-installer/amd64/linux$')
DI_INITRD=$(dirname "$DI_KERNEL")/initrd.gz
DI_TREE=${DI_KERNEL%/debian-installer/amd64/linux}
[ -r "$DI_KERNEL" ] && [ -r "$DI_INITRD" ] || fail "no netboot kernel and initrd in $DI_PKG"
ok "netboot tree of $DI_PKG: $DI_TREE"

out=$("$VIREO" install --name di --os-variant debian12 --memory 1024 --location "$DI_TREE" \
    --disk size=1 --network none --graphics none --noautoconsole 2>"$ROOT/di.err")
expect_match "--location tree: the kernel goes into the pool" "$out" "Writing the installer's kernel 'di-install-kernel'"
expect_match "--location tree: started" "$out" "Domain 'di' started"
expect_match "TCG notice, one line" "$(cat "$ROOT/di.err")" "^vireo: notice: KVM is not usable|^$"
live=$("$VIREO" dumpxml di)
expect_match "install phase boots the installer's kernel" "$live" "<kernel>$POOLDIR/di-install-kernel</kernel>"
expect_match "console=ttyS0 added with --graphics none" "$live" "<cmdline>console=ttyS0</cmdline>"
expect_match "install phase: on_reboot destroy" "$live" "<on_reboot>destroy</on_reboot>"
final=$("$VIREO" dumpxml di --inactive)
grep -q "<kernel>" <<<"$final" && fail "the final definition still boots the installer's kernel"
expect_match "final definition boots the disk" "$final" "<boot dev=.hd./>"
expect_eq "kernel and initrd volumes gone once QEMU read them" "$(vols)" "di.qcow2 "

# ---- bad input: one line each, nothing made ----
before_vols=$(vols)
before_doms=$(doms)
expect_fail "missing ISO" "--cdrom /nonexistent/x.iso: No such file or directory" \
    "$VIREO" install --name bad --os-variant debian12 --cdrom /nonexistent/x.iso --noautoconsole
expect_fail "disk size 0" "--disk size=0: a new disk needs a size of more than 0" \
    "$VIREO" install --name bad --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --disk size=0 --noautoconsole
expect_fail "unknown os-variant lists close matches" \
    "unknown --os-variant 'debian14'; close matches: debian13, debian12, debian11" \
    "$VIREO" install --name bad --os-variant debian14 --cdrom "$IMAGES/tiny.iso" --noautoconsole
# The OS table is the daemon's (its host's libosinfo), read through the API.
out=$("$VIREO" osinfo-query os short-id=win11)
expect_match "osinfo-query: win11 from the daemon's table" "$out" "win11 +\\| Microsoft Windows 11 .*\\| q35 sata\\+e1000e uefi"
expect_fail "osinfo-query: unknown short-id names close matches" "no OS variant 'debian14'; close matches: debian13" \
    "$VIREO" osinfo-query os short-id=debian14
n=$("$VIREO" install --os-variant list | grep -c '| linux ')
[ "$n" -gt 300 ] || fail "install --os-variant list shows $n Linux variants, expected libosinfo's hundreds"
ok "install --os-variant list: $n Linux variants"
expect_fail "name in use" "domain 'di' already exists" \
    "$VIREO" install --name di --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --noautoconsole
expect_fail "network unknown" "network 'nope' not found" \
    "$VIREO" install --name bad --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --network network=nope --noautoconsole
expect_fail "two install sources" "give one install source" \
    "$VIREO" install --name bad --cdrom "$IMAGES/tiny.iso" --import --disk none
expect_fail "no install source" "an install source is needed" "$VIREO" install --name bad --disk none
expect_fail "location without a kernel" "no installer kernel and initrd found" \
    "$VIREO" install --name bad --os-variant debian12 --location "$ROOT" --noautoconsole
expect_fail "cloud-init with a private key" "that is a private key" \
    "$VIREO" install --name bad --os-variant debian12 --import --disk none --boot kernel="$IMAGES/tiny-vmlinuz" \
    --cloud-init ssh-key="$IMAGES/id_ed25519"
expect_fail "unsupported NIC model" "model=vmxnet3: not supported by Vireo" \
    "$VIREO" install --name bad --os-variant debian12 --pxe --network network=default,model=vmxnet3
# A failure after the disks were made (the bridge is checked at start):
# everything made is removed again.
rc=0
"$VIREO" install --name bad --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --disk size=1 \
    --cloud-init hostname=x --network bridge=nosuchbr0 --noautoconsole >"$ROOT/bad.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "install on a missing bridge succeeded"
expect_match "missing bridge: made the disk first" "$(cat "$ROOT/bad.out")" "Allocating 'bad.qcow2'"
expect_match "missing bridge: the error names it" "$(grep error "$ROOT/bad.out")" "bridge nosuchbr0"
expect_eq "nothing half-made: volumes" "$(vols)" "$before_vols"
expect_eq "nothing half-made: domains" "$(doms)" "$before_doms"

# ---- --import of a large sparse image copied into the pool (--disk
# copy_from=): the install's long part runs as the daemon's job, with its
# progress shown (plain lines here, a bar on a terminal), while the daemon
# serves other clients; a failure or a cancel (Ctrl+C) leaves nothing ----
qemu-img convert -O qcow2 "$IMAGES/tiny.iso" "$ROOT/big.qcow2"
qemu-img resize -q "$ROOT/big.qcow2" 16G
qemu-io -f qcow2 -c "write -P 0x5a 8G 384M" "$ROOT/big.qcow2" >/dev/null
install_job() { # install_job NAME FIELD: the last install job of NAME
    curl -s --unix-socket "$SOCK" http://vireo/v1/jobs |
        jq -r "[.jobs[] | select(.kind == \"install\" and .target == \"$1\")] | last | .$2 // empty"
}
copying() { [ "$(install_job "$1" state)" = running ] && [[ "$(install_job "$1" step)" == copying* ]]; }
copy_moved() { copying "$1" && awk -v p="$(install_job "$1" progress)" 'BEGIN { exit !(p > 0 && p < 90) }'; }
pool_files() { ls -A "$POOLDIR" | tr '\n' ' '; }
before_files=$(pool_files)
"$VIREO" install --name big --os-variant debian12 --memory 256 --import --disk copy_from="$ROOT/big.qcow2" \
    --network none --graphics none --noautoconsole >"$ROOT/big.out" 2>"$ROOT/big.err" &
BIG=$!
wait_for 60 "copy_from=: the install's job copies the image, its progress between 0 and 90 %" copy_moved big
# The best of five (this 2-core host is shared: a client alone takes
# 40 ms to start here under load); a loop blocked by the copy would make
# each of them wait for it, seconds.
best=100000 times=
for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$VIREO" list --all >/dev/null
    ms=$((($(date +%s%N) - t0) / 1000000))
    times="$times $ms"
    [ "$ms" -lt "$best" ] && best=$ms
done
expect_fail "a second install of a name being installed: refused" "an install of domain 'big' is under way" \
    "$VIREO" install --name big --os-variant debian12 --import --disk copy_from="$ROOT/big.qcow2" --noautoconsole
copying big || fail "the copy ended before vireo list was timed (a bigger image is needed)"
[ "$best" -lt 100 ] || fail "vireo list took $best ms while an install copied a disk"
ok "vireo list answers in $best ms while the install copies (< 100 ms: the loop is not blocked; ms:$times)"
rc=0
wait "$BIG" || rc=$?
expect_eq "copy_from=: exit status" "$rc" 0
expect_match "copy_from=: says what it copies" "$(cat "$ROOT/big.out")" \
    "Copying $ROOT/big.qcow2 into 'big.qcow2' \(16.00 GiB, qcow2\) in pool 'default'"
expect_match "copy_from=: progress as plain lines without a terminal" "$(cat "$ROOT/big.out")" \
    "^\[ *[1-8][0-9]?\.[0-9]%\] copying $ROOT/big.qcow2 into default/big.qcow2$"
expect_eq "copy_from=: no error on stderr (the progress is not there)" "$(grep -c 'error\|copying' "$ROOT/big.err")" 0
expect_eq "the job completed" "$(install_job big state) $(install_job big progress)" "completed 100"
expect_match "the copy is a volume of the pool, 16 GiB" "$("$VIREO" vol-info big.qcow2 --pool default)" "Capacity: +16.00 GiB"
expect_match "  with the image's data (written at 8 GiB)" \
    "$(qemu-io -U -f qcow2 -r -c 'read -P 0x5a 8G 1M' "$POOLDIR/big.qcow2")" "read 1048576/1048576 bytes"
wait_for 90 "copy_from=: the imported copy boots" serial_has big VIREO-GUEST-READY
"$VIREO" destroy big >/dev/null
"$VIREO" undefine big --remove-all-storage >/dev/null
# On a terminal: a bar; a failure after the copy (the bridge is checked
# at start) is one error line, and the copy goes again.
before_vols=$(vols)
before_doms=$(doms)
rc=0
script -qec "$VIREO install --name bad --os-variant debian12 --memory 256 --import \
    --disk copy_from=$ROOT/big.qcow2,format=raw --network bridge=nosuchbr0 --graphics none --noautoconsole" \
    /dev/null >"$ROOT/tty.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "an install on a missing bridge succeeded"
expect_match "on a terminal: a progress bar of the copy" "$(tr '\r' '\n' <"$ROOT/tty.out")" \
    "^Copying bad\.img +\[#+ *\] +[0-9]+\.[0-9]%"
expect_eq "  the failure after the copy: one error line naming the bridge" \
    "$(tr '\r' '\n' <"$ROOT/tty.out" | grep -c 'error')" 1
expect_match "  its words" "$(tr '\r' '\n' <"$ROOT/tty.out" | grep error)" "^vireo: error: .*bridge nosuchbr0"
expect_eq "nothing half-made after a failed copy install: volumes" "$(vols)" "$before_vols"
expect_eq "  domains" "$(doms)" "$before_doms"
expect_eq "  files in the pool" "$(pool_files)" "$before_files"
# Ctrl+C while it copies: the CLI cancels the job, the copy stops.
"$VIREO" install --name stopped --os-variant debian12 --import --disk copy_from="$ROOT/big.qcow2" \
    --network none --graphics none --noautoconsole >"$ROOT/stop.out" 2>&1 &
STOP=$!
wait_for 60 "a second copy runs" copying stopped
kill -INT "$STOP"
rc=0
wait "$STOP" || rc=$?
[ "$rc" -ne 0 ] || fail "an interrupted install exited 0"
expect_match "Ctrl+C during the copy: the install is cancelled, in one line" "$(grep error "$ROOT/stop.out")" \
    "^vireo: error: the install of 'stopped' was cancelled while copying $ROOT/big.qcow2; nothing is left$"
expect_eq "  the job ended cancelled" "$(install_job stopped state)" "cancelled"
expect_eq "  nothing half-made: volumes, domains, files" "$(vols)|$(doms)|$(pool_files)" \
    "$before_vols|$before_doms|$before_files"
expect_fail "copy_from= of a missing image: one line" "--disk copy_from=/nonexistent/x.qcow2: No such file or directory" \
    "$VIREO" install --name bad --os-variant debian12 --import --disk copy_from=/nonexistent/x.qcow2
expect_fail "copy_from= with size=: refused with what to do" "the copy has its image's size; drop size=" \
    "$VIREO" install --name bad --os-variant debian12 --import --disk copy_from="$ROOT/big.qcow2",size=20

# --print-xml and --dry-run create nothing.
xml=$("$VIREO" install --name px --os-variant win10 --memory 1024 --cdrom "$IMAGES/tiny.iso" --print-xml 1 2>"$ROOT/px.err")
expect_match "win10: below 2 GiB warns" "$(cat "$ROOT/px.err")" "Windows 10 wants at least 2048 MiB"
expect_match "win10: emulated SATA disk" "$xml" "<target dev='sda' bus='sata'/>"
expect_match "win10: e1000e NIC (virt-install's)" "$xml" "<model type='e1000e'/>"
expect_match "win10: Hyper-V enlightenments" "$xml" "<spinlocks state='on' retries='8191'/>"
expect_match "win10: clock localtime" "$xml" "<clock offset='localtime'>"
expect_match "default network by default" "$xml" "<source network='default'/>"
expect_match "install phase boots the CD first" "$xml" "<boot dev='cdrom'/>"
# The course's Windows 11 install: the virtio-win ISO as a second CD-ROM.
ln -sf "$IMAGES/tiny.iso" "$ROOT/virtio-win.iso"
xml=$("$VIREO" install --name w11 --os-variant win11 --cdrom "$IMAGES/tiny.iso" --disk size=40,bus=virtio \
    --disk "$ROOT/virtio-win.iso,device=cdrom" --print-xml 1 2>/dev/null)
expect_match "win11: UEFI with Secure Boot and Microsoft's keys" "$xml" \
    "<os firmware='efi'>"
expect_match "  secure-boot asked of the firmware" "$xml" "<feature enabled='yes' name='secure-boot'/>"
expect_match "  a TPM 2.0 CRB on swtpm" "$xml" "<backend type='emulator' version='2.0'/>"
expect_match "  Hyper-V's clock" "$xml" "<timer name='hypervclock' present='yes'/>"
expect_match "  the disk on virtio as asked" "$xml" "<target dev='vda' bus='virtio'/>"
expect_match "  the virtio-win ISO attached" "$xml" "$ROOT/virtio-win.iso"
expect_match "  and a virtio NIC for its drivers" "$xml" "<model type='virtio'/>"
expect_match "  4 GiB" "$xml" "<memory unit='MiB'>4096</memory>"
# --tpm as virt-install takes it: a TPM for any OS, none for Windows 11.
xml=$("$VIREO" install --name px --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --tpm emulator --print-xml 2 2>/dev/null)
expect_match "--tpm emulator: a TPM 2.0 CRB on swtpm for a Linux guest" "$xml" \
    "<tpm model='tpm-crb'>"
xml=$("$VIREO" install --name px --os-variant debian12 --cdrom "$IMAGES/tiny.iso" \
    --tpm model=tpm-tis,backend.type=emulator,backend.version=1.2 --print-xml 2 2>/dev/null)
expect_match "--tpm model=tpm-tis,backend.version=1.2: a TPM 1.2" "$(tr -d '\n' <<<"$xml")" \
    "<tpm model='tpm-tis'> *<backend type='emulator' version='1.2'/>"
xml=$("$VIREO" install --name w11 --os-variant win11 --cdrom "$IMAGES/tiny.iso" --tpm none --print-xml 2 2>/dev/null)
[[ "$xml" != *"<tpm "* && "$xml" == *"<os firmware='efi'>"* ]] || fail "--tpm none still wrote a TPM: $xml"
ok "--tpm none: Windows 11 without its TPM (UEFI kept)"
expect_fail "--tpm with 1.2 on a CRB: refused with what to add" "a TPM 1.2 is a tpm-tis device \\(add model=tpm-tis\\)" \
    "$VIREO" install --name px --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --tpm backend.version=1.2 --print-xml
expect_fail "--tpm /dev/tpm0: passthrough refused with what to do" "passthrough of the host's TPM is not offered by install" \
    "$VIREO" install --name px --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --tpm /dev/tpm0 --print-xml
xml=$("$VIREO" install --name px --os-variant debian12 --pxe --disk none --print-xml 2>/dev/null)
expect_match "--pxe: network boot first" "$xml" "<boot dev='network'/>"
expect_match "--print-xml shows both phases" "$(grep -c '<domain ' <<<"$xml")" "^2$"
expect_match "linux: virtio NIC" "$xml" "<model type='virtio'/>"
expect_match "domain type follows the host ($accel)" "$xml" "<domain type='$([ "$accel" = kvm ] && echo kvm || echo qemu)'>"
out=$("$VIREO" install --name px --os-variant debian12 --cdrom "$IMAGES/tiny.iso" --disk size=1 --dry-run 2>/dev/null)
expect_match "--dry-run" "$out" "Dry run completed successfully"
expect_eq "--print-xml/--dry-run made no volume" "$(vols)" "$before_vols"
expect_eq "--print-xml/--dry-run made no domain" "$(doms)" "$before_doms"

# ---- --location ISO: the kernel and initrd come out of the ISO, which
# is attached for the install phase only ----
mkdir -p "$ROOT/dvd/install.amd" "$ROOT/dvd/.disk"
cp "$DI_KERNEL" "$ROOT/dvd/install.amd/vmlinuz"
cp "$DI_INITRD" "$ROOT/dvd/install.amd/initrd.gz"
echo 'Debian GNU/Linux 12 "Bookworm" - amd64 NETINST' >"$ROOT/dvd/.disk/info"
xorriso -as mkisofs -quiet -V 'Debian 12 amd64' -J -r -o "$ROOT/debian-12.iso" "$ROOT/dvd"
rm -rf "$ROOT/dvd"
out=$("$VIREO" install --name diso --os-variant debian12 --location "$ROOT/debian-12.iso" --disk none \
    --network none --graphics none --extra-args "priority=critical" --noautoconsole 2>/dev/null)
expect_match "--location ISO: kernel extracted and written" "$out" "Writing the installer's initrd 'diso-install-initrd'"
live=$("$VIREO" dumpxml diso)
expect_match "--location ISO: the ISO is a CD-ROM while installing" "$live" "source file=.$ROOT/debian-12.iso."
expect_match "--extra-args kept, console added" "$live" "<cmdline>priority=critical console=ttyS0</cmdline>"
wait_for 120 "--location ISO: the installer's kernel runs" serial_has diso "Linux version"
"$VIREO" destroy diso >/dev/null
final=$("$VIREO" dumpxml diso)
grep -q "debian-12.iso" <<<"$final" && fail "the install ISO stays in the final definition"
expect_match "--location ISO: the final definition keeps an empty CD-ROM" "$final" "device=.cdrom."
"$VIREO" undefine diso --remove-all-storage >/dev/null

# ---- --cdrom: boot the ISO, "install" (copy it to the disk: it is a
# hybrid ISO), power off; install restarts the guest from its disk ----
"$VIREO" install --name inst --os-variant debian12 --machine pc --cdrom "$IMAGES/tiny.iso" \
    --disk size=0.05 --graphics none --noautoconsole --wait 5 --autostart >"$ROOT/inst.out" 2>&1 &
INST=$!
wait_for 90 "--cdrom: the guest booted from the ISO" serial_has inst VIREO-GUEST-READY
expect_match "--cdrom: default network on system" "$("$VIREO" domiflist inst)" "network +default +virtio"
guest inst "dd if=/dev/sr0 of=/dev/vda bs=1M && sync && poweroff"
rc=0
wait "$INST" || rc=$?
expect_eq "--cdrom --wait: exit status" "$rc" 0
expect_match "--cdrom: install completed" "$(cat "$ROOT/inst.out")" "Domain creation completed\."
expect_match "--cdrom: restarted" "$(cat "$ROOT/inst.out")" "Restarting guest\."
expect_match "--autostart" "$("$VIREO" dominfo inst)" "Autostart: +enable"
check_two() { [ "$(serial_count inst VIREO-GUEST-READY)" -ge 2 ]; }
wait_for 90 "--cdrom: the installed disk boots" check_two
live=$("$VIREO" dumpxml inst)
expect_match "--cdrom: after the install the disk boots" "$live" "<boot dev=.hd./>"
grep -q "tiny.iso" <<<"$live" && fail "the install ISO is still in the drive"
ok "the install ISO was ejected"
"$VIREO" destroy inst >/dev/null
"$VIREO" undefine inst --remove-all-storage >/dev/null

# ---- POST /v1/install (the web wizard's call): no client stays to
# restart the guest, so the daemon does, even when it was itself
# restarted during the install; "noreboot" leaves the guest off ----
winst() {
    curl -s --unix-socket "$SOCK" -X POST http://vireo/v1/install -d "{\"name\":\"$1\",\"os_variant\":\"generic\",
        \"source\":{\"type\":\"cdrom\",\"path\":\"$IMAGES/tiny.iso\"},\"disk\":{\"pool\":\"default\",\"size\":\"64M\"},
        \"network\":{\"type\":\"user\"},\"memory_mib\":256${2:-}}"
}
expect_match "POST /v1/install: the install phase runs, marked to start again" "$(winst winst)" \
    '"install_phase":true,"restart":true'
wait_for 90 "POST /v1/install: the guest booted from the ISO" serial_has winst VIREO-GUEST-READY
stop_daemon
DAEMON_WRAP="ip netns exec $NS" DAEMON_OPTS=" " start_daemon "$DAEMON_BIN"
# Re-adopted domains resolve their volume disks afresh: that once
# recursed through "who uses this volume" until vireod's stack ran out.
expect_match "after a restart, volumes of re-adopted domains list" "$("$VIREO" vol-list default --details)" "winst\.qcow2"
guest winst "dd if=/dev/sr0 of=/dev/sda bs=1M && sync && poweroff"
check_winst() { [ "$(serial_count winst VIREO-GUEST-READY)" -ge 2 ]; }
wait_for 90 "the daemon (restarted during the install) started the installed disk" check_winst
expect_match "... with the final definition" "$("$VIREO" dumpxml winst)" "<boot dev=.hd./>"
"$VIREO" destroy winst >/dev/null
"$VIREO" undefine winst --remove-all-storage >/dev/null
expect_match "POST /v1/install with noreboot" "$(winst wnorb ',"noreboot":true')" '"install_phase":true,"restart":false'
wait_for 90 "noreboot: the guest booted from the ISO" serial_has wnorb VIREO-GUEST-READY
guest wnorb "poweroff"
wait_for 30 "noreboot: the installer powered off" state_is wnorb "shut off (shutdown)"
sleep 2
expect_eq "noreboot: it stays off" "$("$VIREO" domstate --reason wnorb)" "shut off (shutdown)"
"$VIREO" undefine wnorb --remove-all-storage >/dev/null

# ---- --import of a qcow2 made from the tiny image, with cloud-init and
# the text console (stdin from a pipe) ----
qemu-img convert -O qcow2 "$IMAGES/tiny.iso" "$POOLDIR/imported.qcow2"
echo 'not-a-printed-s3cret' >"$ROOT/rootpw"
mkfifo "$ROOT/con.fifo"
"$VIREO" install --name imp --os-variant debian12 --import --disk vol=default/imported.qcow2 \
    --cloud-init hostname=imported-host,ssh-key="$IMAGES/id_ed25519.pub",root-password-file="$ROOT/rootpw" \
    --graphics none <"$ROOT/con.fifo" >"$ROOT/imp.out" 2>&1 &
IMP=$!
exec 7>"$ROOT/con.fifo"
FIFO_FD=7
wait_for 90 "--import: the guest runs, seen on the console" file_has "$ROOT/imp.out" VIREO-GUEST-READY
expect_match "--cloud-init hostname seen by the guest" "$(cat "$ROOT/imp.out")" "VIREO-HOSTNAME=imported-host"
expect_match "--cloud-init ssh key seen by the guest" "$(cat "$ROOT/imp.out")" "authorized the ssh keys from the seed"
expect_match "the seed is a volume of the pool" "$(vols)" "imp-cidata.iso"
echo poweroff >&7
exec 7>&-
FIFO_FD=
rc=0
wait "$IMP" || rc=$?
expect_eq "--import: exit status once the guest powered off" "$rc" 0
expect_match "--import: completed" "$(cat "$ROOT/imp.out")" "Domain creation completed\."
grep -q "Restarting" "$ROOT/imp.out" && fail "--import restarted the guest"
grep -q "not-a-printed-s3cret" "$ROOT/imp.out" && fail "the root password was printed"
ok "the root password is never printed"
"$VIREO" undefine imp --remove-all-storage >/dev/null
expect_eq "undefine --remove-all-storage removes disk and seed" "$(vols)" "di.qcow2 "

# ---- --boot kernel=,initrd=,kernel_args= ----
out=$("$VIREO" install --name kern --os-variant debian12 --memory 256 --disk none --network none --graphics none \
    --boot kernel="$IMAGES/tiny-vmlinuz",initrd="$IMAGES/tiny-initrd.img",kernel_args="console=ttyS0 cryptomgr.notests=1" \
    --noautoconsole 2>/dev/null)
expect_match "--boot kernel=: started" "$out" "Domain 'kern' started"
wait_for 90 "--boot kernel=: the guest runs" serial_has kern VIREO-GUEST-READY
expect_match "--boot kernel=: for good" "$("$VIREO" dumpxml kern --inactive)" "<cmdline>console=ttyS0 cryptomgr.notests=1</cmdline>"
"$VIREO" destroy kern >/dev/null
"$VIREO" undefine kern >/dev/null

# ---- domain XML written by virt-install (tests/fixtures/virt-install) ----
# Paths map to this test's files; the rest is as virt-install wrote it.
fixture() {
    sed -e "s|/var/lib/libvirt/images/|$POOLDIR/|g" -e "s|/tmp/vireo-fixture/|$IMAGES/|g" \
        -e "s|/root/.cache/virt-manager/boot/virtinst-vmlinuz|$DI_KERNEL|" \
        -e "s|/root/.cache/virt-manager/boot/virtinst-initrd.gz|$DI_INITRD|" "$FIXTURES/$1.xml" >"$ROOT/$1.xml"
    echo "$ROOT/$1.xml"
}
boots() { # boots NAME: start, the tiny guest's marker, destroy
    local before
    before=$(serial_count "$1" VIREO-GUEST-READY)
    "$VIREO" start "$1" >/dev/null
    check() { [ "$(serial_count "$1" VIREO-GUEST-READY)" -gt "$before" ]; }
    wait_for 90 "virt-install XML $1 boots" check "$1"
    "$VIREO" destroy "$1" >/dev/null
}
qemu-img convert -O qcow2 "$IMAGES/tiny.iso" "$POOLDIR/web.qcow2"
f=$(fixture import-vnc)
expect_match "virt-install --import (q35, qcow2, network default, vnc) defines" "$("$VIREO" define "$f")" "Domain 'web' defined"
if [ "$accel" != kvm ]; then
    "$VIREO" start web >/dev/null 2>"$ROOT/web.err"
    expect_match "its type kvm runs under TCG on this host, with a notice" "$(cat "$ROOT/web.err")" \
        "^notice: domain 'web' has type 'kvm' but KVM is not usable"
    "$VIREO" destroy web >/dev/null
fi
boots web
"$VIREO" undefine web --remove-all-storage >/dev/null
f=$(fixture kernel-none)
expect_match "virt-install direct kernel boot defines" "$("$VIREO" define "$f")" "Domain 'kern' defined"
boots kern
"$VIREO" undefine kern >/dev/null
"$VIREO" vol-create-as default inst.qcow2 8G --format qcow2 >/dev/null
f=$(fixture cdrom-install)
expect_match "virt-install --cdrom, install phase, defines" "$("$VIREO" define "$f")" "Domain 'inst' defined"
boots inst
f=$(fixture cdrom-final)
expect_match "virt-install --cdrom, final definition, redefines" "$("$VIREO" define "$f")" "Domain 'inst' defined"
expect_match "  and boots the disk" "$("$VIREO" dumpxml inst)" "<boot dev=.hd./>"
cdrom=$("$VIREO" dumpxml inst | awk "/device=.cdrom./,/<\/disk>/")
expect_match "  with the CD-ROM drive kept" "$cdrom" "<target dev=.sda. bus=.sata./>"
grep -q "<source" <<<"$cdrom" && fail "the final definition keeps the install media"
ok "  and the install media ejected"
"$VIREO" undefine inst --remove-all-storage >/dev/null
f=$(fixture location-install)
sed -i "s|<name>di</name>|<name>di-fixture</name>|" "$f" # 'di' runs the installer
expect_match "virt-install --location (install phase) defines" "$("$VIREO" define "$f")" "Domain 'di-fixture' defined"
expect_match "  with the installer's kernel" "$("$VIREO" dumpxml di-fixture)" "<kernel>$DI_KERNEL</kernel>"
"$VIREO" undefine di-fixture >/dev/null
f=$(fixture win10-install)
expect_match "virt-install win10 defines" "$("$VIREO" define "$f")" "Domain 'win' defined"
qemu-img create -q -f qcow2 "$POOLDIR/win.qcow2" 1G
"$VIREO" start win >/dev/null
expect_eq "  and starts, Hyper-V enlightenments on -cpu (the ISO boots, no Windows here)" \
    "$("$VIREO" domstate win) $(grep -ac 'hv-relaxed=on' "$ROOT/var/log/vireo/qemu/win.log")" "running 1"
"$VIREO" destroy win >/dev/null
"$VIREO" undefine win >/dev/null
rm -f "$POOLDIR/win.qcow2"

# ---- the Debian installer's first screen ----
# The dialog's title: newt paints it in one piece, while the body text may
# be split by cursor moves (a run at 9056bad had "Choose the language" broken
# up on a screen that was there).
wait_for 420 "--location: the Debian installer shows its first screen" serial_has di "Select a language"
"$VIREO" destroy di >/dev/null
"$VIREO" undefine di --remove-all-storage >/dev/null
expect_eq "everything removed" "$(vols)$(doms)" ""
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then no_sanitizer_report; fi
echo "install: $CHECKS checks passed"
