#!/usr/bin/env bash
# libvirt's clients over libvirt's protocol (issues 20 and 21): for now
# virConnectGetSysinfo. Debian's virsh sysinfo on libvirt-sock answers
# the document vireo sysinfo reads over HTTP, built from this host's
# /sys/class/dmi/id (absent on some clouds and in containers: then only
# the processors of /proc/cpuinfo); python3-libvirt gets the same and
# an unknown flag is refused with libvirt's error. The daemon is the
# ASan build. (Checkpoints and backups over the protocol come here next.)
. "$(dirname "$0")/lib.sh"
need_asan_daemon
command -v virsh >/dev/null || fail "virsh missing (make deps: libvirt-clients)"
start_daemon "$ASAN_VIREOD"
URI="qemu:///system?socket=$ROOT/libvirt-sock"
virsh() { command virsh -q -c "$URI" "$@"; }

# ---- virsh sysinfo (virConnectGetSysinfo, 203) ----
rpc=$(virsh sysinfo)
http=$("$VIREO" sysinfo)
expect_match "virsh sysinfo: libvirt's smbios document" "$rpc" "^<sysinfo type=[\"']smbios[\"']>"
expect_eq "virsh sysinfo over libvirt-sock equals vireo sysinfo" "$rpc" "$http"
if [ -s /sys/class/dmi/id/sys_vendor ]; then
    vendor=$(sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' /sys/class/dmi/id/sys_vendor)
    expect_match "... it names this host's manufacturer ($vendor)" "$rpc" \
        "<system>[^§]*<entry name=\"manufacturer\">$(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$vendor")</entry>"
else
    grep -q "<bios>" <<<"$rpc" && fail "sysinfo: a <bios> on a host without /sys/class/dmi/id"
    ok "... this host has no /sys/class/dmi/id: no bios, system or chassis section"
fi
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
expect_match "... its processor is /proc/cpuinfo's ($model)" "$rpc" \
    "<entry name=\"version\">$(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$model")</entry>"
sockets=$(grep '^physical id' /proc/cpuinfo | sort -u | wc -l)
[ "$sockets" -gt 0 ] || sockets=1
expect_eq "... one processor per socket" "$(grep -c '<processor>' <<<"$rpc")" "$sockets"
out=$(/usr/bin/python3 - "$URI" <<'PY'
import sys, libvirt
c = libvirt.open(sys.argv[1])
print(c.getSysinfo(0), end="")
try:
    c.getSysinfo(1)
    print("FLAG-ACCEPTED")
except libvirt.libvirtError as e:
    print("ERR:", e.get_error_code(), e)
PY
)
expect_eq "python3-libvirt getSysinfo() is the same document" "$(sed '/^ERR:/d' <<<"$out")" "$rpc"
expect_match "... an unknown flag is refused with libvirt's unsupported-flags error" "$out" \
    "^ERR: 8 .*unsupported flags \(0x1\) in function virConnectGetSysinfo"
expect_eq "GET /v1/host/sysinfo on the read-only socket" \
    "$(curl -sf --unix-socket "$ROOT/vireod-ro.sock" http://x/v1/host/sysinfo)" "$rpc"

no_sanitizer_report
echo "$CHECKS checks passed"
