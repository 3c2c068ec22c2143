#!/usr/bin/env bash
# A disk's I/O limits (issues 16 and 21: <iotune>, blkdeviotune): the
# tiny guest reads 8 MiB with O_DIRECT from a disk defined with
# read_bytes_sec = 2 MiB/s and takes 3 s or more; `vireo blkdeviotune
# --live` lifts the limit and the same read is fast, with libvirt's
# tunable event; --config persists, and the next start (and a daemon
# restart) keeps it; a disk hot-plugged with <iotune> is throttled as
# QEMU says, so is a CD-ROM's medium change-media inserts (update-device
# refuses a changed <iotune>, as libvirt); bad input is refused in one
# line with nothing changed;
# Debian's virsh over libvirt-sock and python3-libvirt's blockIoTune()
# read the values vireo shows. The daemon is the ASan build.
. "$(dirname "$0")/lib.sh"
open_test --asan --virsh
command -v /usr/bin/python3 >/dev/null || fail "/usr/bin/python3 missing"
URI="qemu:///system?socket=$ROOT/libvirt-sock"

truncate -s 16M "$W/data.img"
truncate -s 16M "$W/more.img"
disk="<disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/><source file='$W/data.img'/>
 <target dev='vda' bus='virtio'/><iotune><read_bytes_sec>2097152</read_bytes_sec></iotune></disk>
 <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><iotune><total_iops_sec>50</total_iops_sec></iotune></disk>"
boot_tiny iot "$disk"

# The guest reads 8 MiB of vda past its page cache; T is its seconds
# (hundredths from /proc/uptime), printed on the serial log as IOT-N=S (typed
# as IOT""-N, so the console's echo of the command is not the answer).
n=0
timed_read() {
    n=$((n + 1))
    guest iot "(a=\$(cut -d' ' -f1 /proc/uptime); dd if=/dev/vda of=/dev/null bs=1M count=8 iflag=direct 2>/dev/null && b=\$(cut -d' ' -f1 /proc/uptime); echo IOT\"\"-$n=\$(awk \"BEGIN{print \$b-\$a}\")) &" >/dev/null
    wait_for 30 "read $n done" file_has "$(serial iot)" "IOT-$n="
    T=$(grep -ao "IOT-$n=[0-9.]*" "$(serial iot)" | tail -1 | cut -d= -f2)
    [ -n "$T" ] || fail "read $n: dd failed in the guest"
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

expect_match "dumpxml: <iotune> kept" "$("$V" dumpxml iot)" "<read_bytes_sec>2097152</read_bytes_sec>"
pid=$(cat "$ROOT/run/vireo/qemu/iot/qemu.pid")
expect_match "QEMU held at -S until the limits were set" "$(tr '\0' ' ' </proc/"$pid"/cmdline)" " -S "
expect_eq "the guest runs (cont after the throttle)" "$("$V" domstate iot)" "running"
qb=$("$V" qemu-monitor-command iot '{"execute":"query-block"}')
expect_match "QEMU: vda's bps_rd is 2 MiB/s" "$qb" '"bps_rd": *2097152'

# An empty CD-ROM holds no limits; the medium change-media inserts does.
"$V" change-media iot hdc "$IMAGES/tiny.iso" >/dev/null
qb=$("$V" qemu-monitor-command iot '{"execute":"query-block"}')
expect_match "change-media: the medium inserted is throttled (hdc, iops 50)" "$qb" '"iops": *50,'
echo "<disk type='file' device='cdrom'><source file='$IMAGES/tiny.iso'/><target dev='hdc' bus='ide'/><iotune><total_iops_sec>60</total_iops_sec></iotune></disk>" >"$W/cd.xml"
expect_fail "update-device: a changed <iotune> refused live (blkdeviotune's)" "<iotune>.*blkdeviotune" \
    "$V" update-device iot "$W/cd.xml" --live

out=$("$V" blkdeviotune iot vda)
expect_eq "vireo blkdeviotune: virsh's fields and order" "$(cut -d: -f1 <<<"$out" | tr -d ' ' | tr '\n' ' ')" \
    "total_bytes_sec read_bytes_sec write_bytes_sec total_iops_sec read_iops_sec write_iops_sec total_bytes_sec_max read_bytes_sec_max write_bytes_sec_max total_iops_sec_max read_iops_sec_max write_iops_sec_max size_iops_sec group_name total_bytes_sec_max_length read_bytes_sec_max_length write_bytes_sec_max_length total_iops_sec_max_length read_iops_sec_max_length write_iops_sec_max_length "
expect_match "vireo blkdeviotune: read_bytes_sec" "$out" '^read_bytes_sec : 2097152$'
expect_eq "virsh blkdeviotune over libvirt-sock shows the same" "$($LV blkdeviotune iot vda)" "$out"

timed_read
t=$T
at_least "$t" 3 || fail "8 MiB at 2 MiB/s took $t s, not 3 s or more"
ok "the throttled read takes $t s (>= 3)"

# Lift it live, with the tunable event as libvirt sends it.
$LV event iot --event tunable --timeout 30 >"$W/ev" 2>&1 &
evpid=$!
"$V" event --domain iot --event tunable --timeout 30 >"$W/vev" 2>&1 &
sleep 1
"$V" blkdeviotune iot vda --live --read-bytes-sec 0 >/dev/null
wait_for 15 "virsh event: tunable blkdeviotune.read_bytes_sec" file_has "$W/ev" "blkdeviotune.read_bytes_sec: 0"
expect_match "virsh event: the disk named" "$(cat "$W/ev")" "blkdeviotune.disk: vda"
kill "$evpid" 2>/dev/null || true
wait_for 10 "vireo event: the tunable event" file_has "$W/vev" "blkdeviotune.read_bytes_sec: 0"
expect_eq "vireo event: a parameter a line" "$(head -3 "$W/vev")" \
    "$(printf "event 'tunable' for domain 'iot':\n\tblkdeviotune.disk: vda\n\tblkdeviotune.read_bytes_sec: 0")"
expect_eq "vireo event: as virsh event prints it" "$(head -3 "$W/vev")" "$(grep -v '^$' "$W/ev" | head -3)"
expect_match "blkdeviotune --live: lifted" "$("$V" blkdeviotune iot vda)" '^read_bytes_sec : 0$'
expect_match "the persistent definition keeps its limit" "$("$V" dumpxml --inactive iot)" "<read_bytes_sec>2097152</read_bytes_sec>"
timed_read
u=$T
at_least "$u" 2.5 && fail "the unthrottled read took $u s"
at_least "$t" "$(awk -v u="$u" 'BEGIN { print u * 2 }')" || fail "unthrottled $u s is not well under throttled $t s"
ok "the same read without the limit: $u s"

# Bad input: one line, nothing changed.
before=$("$V" dumpxml --inactive iot)
expect_fail "total with read refused" "total_bytes_sec cannot be set with read_bytes_sec" \
    "$V" blkdeviotune iot vda --config --total-bytes-sec 5 --read-bytes-sec 5
expect_fail "a negative value refused" "read-bytes-sec.*-5" "$V" blkdeviotune iot vda --read-bytes-sec=-5
expect_fail "a _max without its rate refused" "write_iops_sec_max needs write_iops_sec" \
    "$V" blkdeviotune iot vda --config --write-iops-sec-max 50
expect_fail "an unknown disk refused" "has no disk vdz" "$V" blkdeviotune iot vdz --config --total-iops-sec 5
verr "virsh: total with read refused" "total_bytes_sec cannot be set with" blkdeviotune iot vda --total-bytes-sec 5 --read-bytes-sec 5
verr "virsh: an unknown disk" "has no disk vdz" blkdeviotune iot vdz
expect_eq "nothing changed by the refusals" "$("$V" dumpxml --inactive iot)" "$before"

# --config: in the definition only; the next start and a daemon restart keep it.
"$V" blkdeviotune iot vda --config --total-iops-sec 300 --total-iops-sec-max 600 --group-name grp >/dev/null
cfg=$("$V" blkdeviotune iot vda --config)
expect_match "--config: total_iops_sec" "$cfg" '^total_iops_sec : 300$'
expect_match "--config: the read limit stays (another family)" "$cfg" '^read_bytes_sec : 2097152$'
expect_match "--config: group_name" "$cfg" '^group_name     : grp$'
expect_match "--config: not live" "$("$V" blkdeviotune iot vda)" '^total_iops_sec : 0$'
no_sanitizer_report
start_daemon "$ASAN_VIREOD"
expect_match "daemon restart: the live values kept" "$("$V" blkdeviotune iot vda)" '^read_bytes_sec : 0$'
expect_match "daemon restart: the persistent ones kept" "$("$V" blkdeviotune iot vda --config)" '^total_iops_sec : 300$'
"$V" destroy iot >/dev/null
: >"$(serial iot)"
"$V" start iot >/dev/null
wait_for 60 "iot boots again" file_has "$(serial iot)" VIREO-GUEST-READY
live=$("$V" blkdeviotune iot vda)
expect_match "after the start: total_iops_sec live" "$live" '^total_iops_sec : 300$'
expect_match "after the start: read_bytes_sec live" "$live" '^read_bytes_sec : 2097152$'
qb=$("$V" qemu-monitor-command iot '{"execute":"query-block"}')
expect_match "QEMU: iops_max 600" "$qb" '"iops_max": *600'
expect_match "QEMU: group grp" "$qb" '"group": *"grp"'

# Hot-plug: a disk of the same group arrives throttled.
cat >"$W/more.xml" <<XML
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$W/more.img'/><target dev='vdc' bus='virtio'/>
<iotune><read_bytes_sec>2097152</read_bytes_sec><total_iops_sec>300</total_iops_sec><total_iops_sec_max>600</total_iops_sec_max><group_name>grp</group_name></iotune></disk>
XML
"$V" attach-device iot "$W/more.xml" --live >/dev/null
qb=$("$V" qemu-monitor-command iot '{"execute":"query-block"}')
expect_eq "hot-plug: vdc throttled in group grp (QEMU)" "$(grep -o '"group": *"grp"' <<<"$qb" | wc -l)" 2
$LV blkdeviotune iot vda --live --total-iops-sec 100 --total-iops-sec-max 200
expect_match "virsh blkdeviotune --live sets; the group's other disk follows" "$("$V" blkdeviotune iot vdc)" \
    '^total_iops_sec : 100$'
qb=$("$V" qemu-monitor-command iot '{"execute":"query-block"}')
expect_eq "QEMU: both disks of the group at iops 100" "$(grep -o '"iops": *100,' <<<"$qb" | wc -l)" 2

# python3-libvirt reads what vireo shows.
py=$(/usr/bin/python3 - "$URI" <<'PY'
import sys, libvirt
d = libvirt.open(sys.argv[1]).lookupByName("iot")
t = d.blockIoTune("vda", libvirt.VIR_DOMAIN_AFFECT_CONFIG)
print(t["total_iops_sec"], t["total_iops_sec_max"], t["read_bytes_sec"], t["group_name"], len(t))
t = d.blockIoTune("vda", 0)
print(t["total_iops_sec"], t["group_name"])
PY
)
expect_eq "python3-libvirt blockIoTune(): the persistent values" "$(head -1 <<<"$py")" "300 600 2097152 grp 20"
expect_eq "python3-libvirt blockIoTune(): the live ones" "$(tail -1 <<<"$py")" "100 grp"

"$V" destroy iot >/dev/null
no_sanitizer_report
