#!/usr/bin/env bash
# Windows guests' building blocks with the real daemon, QEMU, Debian's
# OVMF, swtpm, shim and grub (no Windows image is reachable here):
#   UEFI picked by descriptor: the tiny guest's direct-kernel boot under
#   Secure Boot with a TPM 2.0 and Hyper-V enlightenments, and a boot
#   from a disk (an ESP made with mtools: grub-mkstandalone as
#   \EFI\BOOT\BOOTX64.EFI loading the tiny kernel from the ESP);
#   NVRAM per domain, its boot entry kept across restarts, reset,
#   renamed, cloned, refused/removed/kept at undefine;
#   Secure Boot: the unsigned grub refused by the firmware, Debian's
#   signed shim + grub + kernel started;
#   swtpm: the guest reads TPM 2.0 from sysfs (and 1.2 on tpm-tis), swtpm survives a daemon
#   restart, its state goes at undefine (kept with --keep-tpm);
#   virt-install's win10 and win11 XML define and start under TCG.
. "$(dirname "$0")/lib.sh"
need_images
for f in /usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json /usr/lib/shim/shimx64.efi.signed \
    /usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed; do
    [ -r "$f" ] || fail "$f missing (scripts/install-deps installs ovmf, shim-signed, grub-efi-amd64-signed)"
done
command -v swtpm_setup >/dev/null && command -v mformat >/dev/null && command -v grub-mkstandalone >/dev/null ||
    fail "swtpm_setup, mformat or grub-mkstandalone missing (scripts/install-deps)"
CORPUS=$VIREO_SRC/tests/fixtures/virt-install/corpus
test_cleanup() { netns_remove; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
# Its own namespace: the win XMLs use the default network.
NS=vrt-uefi-$$
daemon_in_netns "$NS"
LOGS=$ROOT/var/log/vireo/qemu
NVRAM=$ROOT/var/lib/vireo/qemu/nvram
SWTPM=$ROOT/var/lib/vireo/qemu/swtpm
serial() { tr -d '\r' <"$LOGS/$1-serial0.log" 2>/dev/null | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g'; }
serial_has() { serial "$1" | grep -aq -- "$2"; }

# esp IMG KIND: a GPT disk with one ESP, written with mtools. grub: an
# unsigned grub-mkstandalone as \EFI\BOOT\BOOTX64.EFI, its grub.cfg in
# its memdisk; signed: Debian's shim (Microsoft-signed) as BOOTX64.EFI,
# Debian's signed grub beside it, reading \EFI\debian\grub.cfg. Both
# load the tiny guest's kernel and initrd from the ESP.
esp() {
    local img=$1 w=$ROOT/esp-$2
    mkdir -p "$w"
    cat >"$w/grub.cfg" <<CFG
set timeout=0
search --no-floppy --file /tiny-vmlinuz --set=root
echo VIREO-GRUB-STARTED
linux /tiny-vmlinuz console=ttyS0 cryptomgr.notests=1
initrd /tiny-initrd.img
boot
CFG
    truncate -s 40M "$w/esp.fat"
    mformat -i "$w/esp.fat" -F -v ESP ::
    mmd -i "$w/esp.fat" ::/EFI ::/EFI/BOOT ::/EFI/debian
    if [ "$2" = grub ]; then
        grub-mkstandalone -O x86_64-efi --modules="part_gpt fat search linux normal echo" \
            -o "$w/BOOTX64.EFI" "boot/grub/grub.cfg=$w/grub.cfg"
        mcopy -i "$w/esp.fat" "$w/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
    else
        mcopy -i "$w/esp.fat" /usr/lib/shim/shimx64.efi.signed ::/EFI/BOOT/BOOTX64.EFI
        mcopy -i "$w/esp.fat" /usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed ::/EFI/BOOT/grubx64.efi
        mcopy -i "$w/esp.fat" "$w/grub.cfg" ::/EFI/debian/grub.cfg
    fi
    mcopy -i "$w/esp.fat" "$IMAGES/tiny-vmlinuz" ::/tiny-vmlinuz
    mcopy -i "$w/esp.fat" "$IMAGES/tiny-initrd.img" ::/tiny-initrd.img
    truncate -s 42M "$img"
    parted -s "$img" mklabel gpt mkpart ESP fat32 1MiB 41MiB set 1 esp on
    dd if="$w/esp.fat" of="$img" bs=1M seek=1 conv=notrunc status=none
}
esp "$ROOT/grub.img" grub
esp "$ROOT/signed.img" signed
ok "ESP disks made with mtools: grub-mkstandalone, and shim + signed grub"

# uefi NAME MACHINE SECURE-BOOT BODY: a UEFI domain picked by descriptor.
uefi() {
    cat >"$ROOT/$1.xml" <<XML
<domain type='qemu'><name>$1</name><memory unit='MiB'>${MEM:-256}</memory><vcpu>1</vcpu>
  <os firmware='efi'><type arch='x86_64' machine='$2'>hvm</type>
    <firmware><feature enabled='$3' name='secure-boot'/></firmware>$4
  <features><acpi/><apic/>$5</features>
  <clock offset='utc'>$6</clock>
  <devices>$7
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
XML
    "$VIREO" define "$ROOT/$1.xml" >/dev/null
}
disk() { echo "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$1'/><target dev='vda' bus='virtio'/><readonly/></disk>"; }
kernel="<kernel>$IMAGES/tiny-vmlinuz</kernel><initrd>$IMAGES/tiny-initrd.img</initrd><cmdline>console=ttyS0 cryptomgr.notests=1</cmdline></os>"
hyperv="<hyperv><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/><vpindex state='on'/><synic state='on'/><stimer state='on'><direct state='on'/></stimer><vendor_id state='on' value='KVMKVMKVM'/><frequencies state='on'/></hyperv>"
uefi efi-kernel q35 yes "$kernel" "$hyperv" "<timer name='hypervclock' present='yes'/>" \
    "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"
uefi efi-disk q35 no "<boot dev='hd'/></os>" "" "" "$(disk "$ROOT/grub.img")"
uefi sb-unsigned q35 yes "<boot dev='hd'/></os>" "" "" "$(disk "$ROOT/grub.img")"
# 1 GiB: at 256 MiB Debian's signed kernel, started by shim and grub,
# resets right after its EFI stub (docs/windows.md, "Secure Boot under TCG").
MEM=1024 uefi sb-signed q35 yes "<boot dev='hd'/></os>" "" "" "$(disk "$ROOT/signed.img")"
uefi sb-i440fx pc yes "<boot dev='hd'/></os>" "" "" ""
uefi tpm-pass q35 no "<boot dev='hd'/></os>" "" "" \
    "<tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/vireo-no-tpm'/></backend></tpm>"
ok "UEFI domains with firmware features, Hyper-V and TPM define"

notice=$("$VIREO" start efi-kernel 2>&1 >/dev/null)
for d in efi-disk sb-unsigned sb-signed; do "$VIREO" start "$d" >/dev/null; done
expect_match "under TCG the left-out Hyper-V enlightenment is named in one notice" "$notice" \
    '^notice: Hyper-V enlightenments <vpindex> left out'
expect_fail "Secure Boot on i440fx refused with the reason" "Secure Boot.*SMM.*q35" "$VIREO" start sb-i440fx
expect_fail "a TPM passthrough device the host lacks refused by name" \
    "/dev/vireo-no-tpm, which does not exist.*emulator" "$VIREO" start tpm-pass

# ---- firmware picked by descriptor, as libvirt writes it back ----
x=$("$VIREO" dumpxml efi-kernel --inactive)
expect_match "the picked Secure Boot firmware is in the definition" "$x" \
    "<loader readonly=\"yes\" secure=\"yes\" type=\"pflash\">/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>"
expect_match "  with its own NVRAM from the enrolled-keys template" "$x" \
    "<nvram template=\"/usr/share/OVMF/OVMF_VARS_4M.ms.fd\">$NVRAM/efi-kernel_VARS.fd</nvram>"
expect_match "  firmware='efi' kept" "$x" '<os firmware="efi">'
expect_match "  SMM on, as the firmware requires" "$x" '<smm state="on"/>'
[ -f "$NVRAM/efi-kernel_VARS.fd" ] && [ -f "$NVRAM/efi-disk_VARS.fd" ] ||
    fail "no per-domain NVRAM files in $NVRAM: $(ls "$NVRAM")"
ok "each UEFI domain has its own NVRAM file"
cmdline=$(grep -a -- '-machine' "$LOGS/efi-kernel.log" | tail -1)
expect_match "QEMU gets pflash -blockdev nodes on -machine" "$cmdline" \
    "-machine q35,smm=on,pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-format"
expect_match "  secure flash for Secure Boot" "$cmdline" "driver=cfi.pflash01,property=secure,value=on"
expect_match "  hv-* properties TCG takes (vpindex left out)" "$cmdline" \
    "-cpu qemu64,hv-time=on,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-synic=on,hv-stimer=on,hv-stimer-direct=on,hv-vendor-id=KVMKVMKVM,hv-frequencies=on "
expect_match "  the TPM CRB on swtpm's socket" "$cmdline" "-tpmdev emulator,id=tpm-tpm0,chardev=chrtpm -device tpm-crb"

# ---- boots ----
wait_for 120 "UEFI direct-kernel boot (Secure Boot) reaches the tiny guest's marker" \
    serial_has efi-kernel VIREO-GUEST-READY
wait_for 120 "UEFI boot from the ESP disk (grub-mkstandalone) reaches the marker" \
    serial_has efi-disk VIREO-GUEST-READY
expect_match "  through grub from the disk" "$(serial efi-disk)" 'VIREO-GRUB-STARTED'
wait_for 90 "Secure Boot: the firmware refuses the unsigned EFI binary" \
    serial_has sb-unsigned 'Boot0001 "UEFI Misc Device".*Access Denied'
wait_for 120 "Secure Boot: Debian's signed shim + grub start and read their grub.cfg" \
    serial_has sb-signed VIREO-GRUB-STARTED
wait_for 60 "  and start Debian's signed kernel with Secure Boot on" \
    serial_has sb-signed 'EFI stub: UEFI Secure Boot is enabled'
wait_for 120 "  which boots to the tiny guest's marker under Secure Boot (shim -> grub -> kernel)" \
    serial_has sb-signed VIREO-GUEST-READY
# (the serial log under TCG now and then doubles a character: two spellings)
expect_match "  the kernel reading shim's MOK list (the Debian Secure Boot CA)" "$(serial sb-signed)" \
    "UEFI:MokListRT|Secure Boot CA: 6ccece7e"
for d in sb-unsigned sb-signed; do "$VIREO" destroy "$d" >/dev/null; done

# ---- the TPM, and swtpm across a daemon restart ----
out=$(guest_until efi-kernel 'echo TPM=$(cat /sys/class/tpm/tpm0/tpm_version_major)' 'TPM=2')
expect_match "the guest reads tpm_version_major = 2 (tpm_crb)" "$out" 'TPM=2'
expect_match "  and runs with Secure Boot on" "$(serial efi-kernel)" \
    'secureboot: Secure boot enabled|Kernel is locked down from EFI Secure Boot'
uuid=$("$VIREO" domuuid efi-kernel)
[ -f "$SWTPM/$uuid/tpm2-00.permall" ] || fail "no TPM state in $SWTPM/$uuid"
ok "the TPM state is in STATE/qemu/swtpm/UUID"
swpid=$(cat "$ROOT/run/vireo/qemu/efi-kernel/swtpm.pid")
kill -0 "$swpid" || fail "swtpm (pid $swpid) is not running"
stop_daemon
daemon_in_netns "$NS"
expect_eq "after a daemon restart the domain runs on" "$("$VIREO" domstate efi-kernel)" running
kill -0 "$swpid" 2>/dev/null || fail "swtpm ended with the daemon"
grep -q "efi-kernel: swtpm (pid $swpid) re-adopted" "$ROOT/vireod.log" || fail "swtpm not re-adopted"
ok "swtpm survives the restart and is re-adopted"
out=$(guest_until efi-kernel 'echo PCR=$(cat /sys/class/tpm/tpm0/tpm_version_major)' 'PCR=2')
expect_match "  the guest's TPM still answers" "$out" 'PCR=2'
"$VIREO" destroy efi-kernel >/dev/null
wait_for 10 "swtpm stops with the domain" bash -c "! kill -0 $swpid"
expect_fail "undefine of a domain with NVRAM refused without --nvram or --keep-nvram" \
    "cannot undefine domain 'efi-kernel' with nvram.*--nvram.*--keep-nvram" "$VIREO" undefine efi-kernel
"$VIREO" undefine efi-kernel --nvram >/dev/null
[ ! -e "$NVRAM/efi-kernel_VARS.fd" ] && [ ! -e "$SWTPM/$uuid" ] ||
    fail "undefine --nvram left $(ls "$NVRAM" "$SWTPM")"
ok "undefine --nvram removes the NVRAM, and the TPM state goes too"

# ---- a TPM 1.2: swtpm without --tpm2, on tpm-tis (CRB is 2.0's only) ----
tpm12() {
    cat >"$ROOT/$1.xml" <<XML
<domain type='qemu'><name>$1</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type>$kernel
  <features><acpi/><apic/></features>
  <devices><tpm model='$2'><backend type='emulator' version='1.2'/></tpm>
    <serial type='pty'><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
XML
    "$VIREO" define "$ROOT/$1.xml"
}
expect_fail "a TPM 1.2 on tpm-crb refused at define with the way out" \
    "TPM 1.2 has only the TIS interface; use model='tpm-tis'" tpm12 tpm12-crb tpm-crb
tpm12 tpm12 tpm-tis >/dev/null
expect_match "  <tpm version='1.2'> written back" "$("$VIREO" dumpxml tpm12)" '<backend type="emulator" version="1.2"/>'
"$VIREO" start tpm12 >/dev/null
out=$(guest_until tpm12 'echo TPM=$(cat /sys/class/tpm/tpm0/tpm_version_major)' 'TPM=1')
expect_match "a TPM 1.2 (swtpm without --tpm2, tpm-tis): the guest reads tpm_version_major = 1" "$out" 'TPM=1'
[ -f "$SWTPM/$("$VIREO" domuuid tpm12)/tpm-00.permall" ] || fail "no TPM 1.2 state (tpm-00.permall)"
ok "  its state is swtpm's TPM 1.2 file"
"$VIREO" destroy tpm12 >/dev/null
"$VIREO" undefine tpm12 >/dev/null

# ---- NVRAM across restarts: the firmware's boot entry stays ----
vars=$NVRAM/efi-disk_VARS.fd
entries() { strings -el "$1" | grep -c 'UEFI Misc Device' || true; }
[ "$(entries "$vars")" -ge 1 ] || fail "no boot entry written to $vars"
ok "the firmware wrote its boot entry for the disk to the domain's NVRAM"
ino=$(stat -c %i "$vars")
"$VIREO" destroy efi-disk >/dev/null
: >"$LOGS/efi-disk-serial0.log"
"$VIREO" start efi-disk >/dev/null
expect_eq "the NVRAM file is kept (not made again) at the next start" "$(stat -c %i "$vars")" "$ino"
expect_match "  and its boot entry is still there" "$(entries "$vars")" '^[1-9]'
wait_for 120 "  the second boot reaches the marker" serial_has efi-disk VIREO-GUEST-READY
"$VIREO" destroy efi-disk >/dev/null
"$VIREO" start efi-disk --paused --reset-nvram >/dev/null
cmp -s "$vars" /usr/share/OVMF/OVMF_VARS_4M.fd || fail "start --reset-nvram did not make it anew"
ok "start --reset-nvram makes the NVRAM anew from its template"
"$VIREO" destroy efi-disk >/dev/null
"$VIREO" domrename efi-disk efi-moved >/dev/null
[ -f "$NVRAM/efi-moved_VARS.fd" ] && [ ! -e "$vars" ] || fail "domrename did not move the NVRAM"
expect_match "domrename moves the NVRAM with the name" "$("$VIREO" dumpxml efi-moved)" \
    "<nvram template=\"/usr/share/OVMF/OVMF_VARS_4M.fd\">$NVRAM/efi-moved_VARS.fd</nvram>"
"$VIREO" clone --original efi-moved --name efi-copy --auto-clone >/dev/null
cmp -s "$NVRAM/efi-moved_VARS.fd" "$NVRAM/efi-copy_VARS.fd" || fail "the clone's NVRAM is not a copy"
expect_match "clone copies the NVRAM to the clone's own file" "$("$VIREO" dumpxml efi-copy)" \
    "<nvram template=\"[^\"]*\">$NVRAM/efi-copy_VARS.fd</nvram>"
"$VIREO" undefine efi-copy --keep-nvram >/dev/null
[ -f "$NVRAM/efi-copy_VARS.fd" ] || fail "undefine --keep-nvram removed the NVRAM"
ok "undefine --keep-nvram keeps it"

# ---- virt-install's Windows XML ----
for v in win10 win11; do
    # (recorded with one predictable uuid for all: each gets its own)
    sed -e "s|/var/lib/libvirt/images/|$ROOT/|g" -e '/<uuid>/d' "$CORPUS/os-$v.xml" >"$ROOT/$v.xml"
    qemu-img create -q -f qcow2 "$ROOT/$(grep -o "os-$v[^/'\"]*\.qcow2" "$ROOT/$v.xml" | head -1)" 1G
    name=$(sed -n 's|.*<name>\(.*\)</name>.*|\1|p' "$ROOT/$v.xml" | head -1)
    "$VIREO" define "$ROOT/$v.xml" >/dev/null || fail "virt-install's $v XML does not define"
    "$VIREO" start "$name" >/dev/null 2>&1 || fail "virt-install's $v XML does not start: $("$VIREO" start "$name" 2>&1)"
    expect_eq "virt-install's $v XML defines and starts under TCG (QMP: running)" "$("$VIREO" domstate "$name")" running
    eval "name_$v=\$name"
done
win11=$name_win11
expect_match "  win11: Secure Boot firmware with Microsoft's keys, TPM CRB, Hyper-V" \
    "$(grep -a -- '-machine' "$LOGS/$win11.log" | tail -1)" "hv-relaxed=on.*OVMF_CODE_4M.ms.fd.*tpm-crb"
wait_for 90 "  win11: QEMU runs OVMF (its boot manager on the serial console)" serial_has "$win11" BdsDxe
w11uuid=$("$VIREO" domuuid "$win11")
"$VIREO" destroy "$name_win10" >/dev/null
expect_fail "  undefine of win11 refused without --nvram" "with nvram" "$VIREO" undefine "$win11"
# As libvirt: undefine of a running domain makes it transient; its NVRAM
# (QEMU's open pflash) goes when it stops.
"$VIREO" undefine "$win11" --nvram --keep-tpm >/dev/null
expect_eq "  undefine --nvram of the running win11: it runs on, transient" \
    "$("$VIREO" domstate "$win11")" running
[ -f "$NVRAM/${win11}_VARS.fd" ] || fail "undefine --nvram removed the NVRAM under the running QEMU"
ok "  its NVRAM stays while it runs"
"$VIREO" destroy "$win11" >/dev/null
[ ! -e "$NVRAM/${win11}_VARS.fd" ] && [ -f "$SWTPM/$w11uuid/tpm2-00.permall" ] ||
    fail "undefine --nvram --keep-tpm: $(ls "$NVRAM" "$SWTPM")"
ok "  at its stop the NVRAM goes; --keep-tpm keeps its TPM state"
# A transient UEFI domain's NVRAM is as transient as it.
sed -e 's|<name>efi-disk</name>|<name>efi-transient</name>|' "$ROOT/efi-disk.xml" >"$ROOT/efi-transient.xml"
"$VIREO" create "$ROOT/efi-transient.xml" --paused >/dev/null
[ -f "$NVRAM/efi-transient_VARS.fd" ] || fail "the transient domain has no NVRAM file"
"$VIREO" destroy efi-transient >/dev/null
[ ! -e "$NVRAM/efi-transient_VARS.fd" ] || fail "the transient domain's NVRAM outlived it"
ok "a transient UEFI domain's NVRAM is removed when it stops"
"$VIREO" undefine "$name_win10" >/dev/null
ok "  win10 (BIOS) undefines without NVRAM flags"

# ---- the web wizard's call: Windows 11 with a drivers ISO ----
ln -s "$IMAGES/tiny.iso" "$ROOT/virtio-win.iso"
out=$(curl -s --unix-socket "$SOCK" -X POST http://vireo/v1/install -d "{\"name\":\"w11\",\"os_variant\":\"win11\",
    \"memory_mib\":1024,\"source\":{\"type\":\"cdrom\",\"path\":\"$IMAGES/tiny.iso\"},
    \"drivers\":{\"path\":\"$ROOT/virtio-win.iso\"},\"disk\":{\"size\":\"64M\"},\"noreboot\":true}")
expect_match "POST /v1/install of win11 with a drivers ISO starts its install phase" "$out" '"install_phase":true'
x=$("$VIREO" dumpxml w11)
expect_match "  UEFI with Secure Boot and Microsoft's keys picked" "$x" 'OVMF_CODE_4M.ms.fd'
expect_match "  a TPM 2.0 CRB" "$x" '<tpm model="tpm-crb">'
expect_match "  the drivers ISO as a second CD-ROM" "$x" "$ROOT/virtio-win.iso"
expect_match "  the disk and NIC virtio for its drivers" "$(grep -c "bus=\"virtio\"\|<model type=\"virtio\"/>" <<<"$x")" '^[2-9]'
"$VIREO" destroy w11 >/dev/null
"$VIREO" undefine w11 --nvram --remove-all-storage >/dev/null
ok "  and goes again with undefine --nvram --remove-all-storage"
[ -n "${VIREO_ASAN_BUILD:-}" ] && no_sanitizer_report
echo "uefi-tpm: $CHECKS checks passed"
