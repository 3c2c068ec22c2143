#!/usr/bin/env bash
# iothreads of a running tiny guest (issue 18): iothreadinfo (live from
# QMP query-iothreads and the threads' affinity, --config from the
# definition), iothreadpin seen on the thread's Cpus_allowed_list in
# /proc (--config: <cputune><iothreadpin>, applied at start), iothreadadd/iothreaddel seen in QEMU and the definitions (the
# disk's iothread refused), the errors, and the same through Debian's
# virsh on libvirt-sock (virDomainGetIOThreadInfo 351, PinIOThread 352,
# AddIOThread 355, DelIOThread 356).
. "$(dirname "$0")/lib.sh"
open_test --asan --virsh
last=$(($(nproc) - 1))

$V vol-create-as default io.qcow2 16M --format qcow2 >/dev/null
disk="<disk type='file' device='disk'><driver name='qemu' type='qcow2' iothread='1'/><source file='$($V vol-path io.qcow2 --pool default)'/><target dev='vda' bus='virtio'/></disk>"
tiny_xml io qemu "$disk <interface type='user'><model type='virtio'/></interface>" |
    sed 's|<vcpu>1</vcpu>|<vcpu>1</vcpu><iothreads>2</iothreads>|' >"$ROOT/io.xml"
$V define "$ROOT/io.xml" >/dev/null

rows() { awk '$1 ~ /^[0-9]+$/ {print $1 ":" $2}' | tr '\n' ' '; }
expect_eq "iothreadinfo of the shut-off domain: the definition's two, on every CPU" \
    "$($V iothreadinfo io | rows)" "1:0-$last 2:0-$last "
$V iothreadpin io 1 0 >/dev/null
expect_match "iothreadpin of a shut-off domain writes <cputune><iothreadpin>" "$($V dumpxml io --inactive)" \
    "<iothreadpin iothread=.1. cpuset=.0./>"
expect_eq "... iothreadinfo shows it" "$($V iothreadinfo io | rows)" "1:0 2:0-$last "
expect_fail "iothreadpin --config of an iothread the domain lacks" "<iothreadpin iothread='5'>: the domain has 2" \
    $V iothreadpin io 5 0 --config

$V start io >/dev/null
wait_for 60 "the guest boots" file_has "$(serial io)" VIREO-GUEST-READY
qpid=$(cat "$ROOT/run/vireo/qemu/io/qemu.pid")
[ -n "$qpid" ] || fail "no QEMU process for domain io"
out=$($V iothreadinfo io)
expect_match "iothreadinfo: virsh's header" "$out" '^ IOThread ID +CPU Affinity$'
expect_eq "iothreadinfo lists QEMU's two iothreads, 1 pinned at start" "$(rows <<<"$out")" "1:0 2:0-$last "
tid() { $V iothreadinfo io --json | /usr/bin/python3 -c "import json,sys; print([t['thread'] for t in json.load(sys.stdin)['iothreads'] if t['id']==$1][0])"; }
t1=$(tid 1) t2=$(tid 2)
[ -d "/proc/$qpid/task/$t2" ] || fail "iothread 2's thread $t2 is not a thread of QEMU $qpid"
ok "--json names the threads ($t1, $t2) of QEMU $qpid"
allowed() { awk '/^Cpus_allowed_list/ {print $2}' "/proc/$qpid/task/$1/status"; }
expect_eq "the definition's <iothreadpin> is applied at start (Cpus_allowed_list)" "$(allowed "$t1")" 0

$V iothreadpin io 2 0 >/dev/null
expect_eq "iothreadpin io 2 0: the thread may run on CPU 0 only" "$(allowed "$t2")" 0
expect_eq "... iothreadinfo shows it" "$($V iothreadinfo io | rows)" "1:0 2:0 "
expect_match "... and the live XML" "$($V dumpxml io)" "<iothreadpin iothread=.2. cpuset=.0./>"
expect_fail "iothreadpin of an iothread the domain lacks" "has no iothread 9" $V iothreadpin io 9 0
expect_fail "iothreadpin with a bad CPU list" "CPU" $V iothreadpin io 1 zero
$V iothreadpin io 2 "$last" --config >/dev/null
expect_eq "iothreadpin --config: the definition only" "$(allowed "$t2")" 0
rc=0; out=$($V iothreadpin io 1 2>&1) || rc=$?
expect_eq "iothreadpin without a CPU list: a usage error (exit 2)" "$rc" 2
expect_match "... that says what it needs" "$out" "needs an iothread ID and a CPULIST"
expect_eq "iothreadinfo --config: the definition's" "$($V iothreadinfo io --config | rows)" "1:0 2:$last "

# ---- Debian's virsh on libvirt-sock ----
expect_eq "virsh iothreadinfo over libvirt-sock" "$($LV iothreadinfo io | rows)" "1:0 2:0 "
$LV iothreadpin io 1 "$last" --live >/dev/null
expect_eq "virsh iothreadpin io 1 $last: seen on the thread" "$(allowed "$t1")" "$last"
expect_eq "virsh iothreadinfo --config" "$($LV iothreadinfo io --config | rows)" "1:0 2:$last "
out=$($LV iothreadpin io 9 0 2>&1) && fail "virsh iothreadpin of iothread 9 succeeded"
expect_match "virsh iothreadpin of a missing iothread: the daemon's error" "$out" "has no iothread 9"

# ---- iothreadadd / iothreaddel ----
ids() { $V iothreadinfo io "$@" | rows | sed 's/:[^ ]*//g'; }
expect_eq "iothreadadd io 3 --live --config" "$($V iothreadadd io 3 --live --config)" ""
expect_eq "... iothreadinfo shows three" "$(ids)" "1 2 3 "
expect_eq "... and so does the definition" "$(ids --config)" "1 2 3 "
expect_match "... QEMU runs iothread3" "$($V qemu-monitor-command io --hmp 'info iothreads')" '^iothread3:'
expect_match "... the definition says <iothreads>3" "$($V dumpxml io --inactive)" '<iothreads>3</iothreads>'
$V iothreadpin io 3 0 --config >/dev/null
expect_fail "iothreadadd of an id the domain has" "has iothread 2 already" $V iothreadadd io 2
# <iothreadids>: any id, kept in the definition as libvirt keeps it
$V iothreadadd io 7 --live --config >/dev/null
expect_eq "iothreadadd io 7 (ids need not be 1..N): live" "$(ids)" "1 2 3 7 "
expect_match "... QEMU runs iothread7" "$($V qemu-monitor-command io --hmp 'info iothreads')" '^iothread7:'
xml=$($V dumpxml io --inactive)
expect_match "... the definition lists <iothreadids> with 7" "$(tr -d ' \n' <<<"$xml")" \
    '<iothreads>4</iothreads><iothreadids><iothreadid=.1./><iothreadid=.2./><iothreadid=.3./><iothreadid=.7./></iothreadids>'
$V iothreaddel io 7 --live --config >/dev/null
expect_eq "iothreaddel io 7" "$(ids) / $(ids --config)" "1 2 3  / 1 2 3 "
rc=0; out=$($V iothreadadd io 0 2>&1) || rc=$?
expect_eq "iothreadadd of id 0: a usage error (exit 2)" "$rc" 2
expect_match "... that says the id is not one" "$out" "ID '0' is not an iothread number"
expect_fail "iothreaddel of the disk's iothread, by name" "iothread 1 of domain 'io' is used by disk vda" \
    $V iothreaddel io 1
expect_fail "iothreaddel of one the domain lacks" "has no iothread 9" $V iothreaddel io 9
$V iothreaddel io 3 >/dev/null
expect_eq "iothreaddel io 3: live" "$(ids)" "1 2 "
expect_eq "... not in the definition (live only on a running domain)" "$(ids --config)" "1 2 3 "
$V iothreaddel io 3 --config >/dev/null
expect_eq "iothreaddel io 3 --config" "$(ids --config)" "1 2 "
xml=$($V dumpxml io --inactive)
grep -q "iothread=.3." <<<"$xml" && fail "iothreaddel --config left <iothreadpin iothread='3'>: $xml"
ok "... and its <iothreadpin> with it"
expect_eq "... QEMU has two iothreads left" \
    "$($V qemu-monitor-command io --hmp 'info iothreads' | grep -c '^iothread')" 2

# the same through Debian's virsh
$LV iothreadadd io 3 --live >/dev/null
expect_eq "virsh iothreadadd io 3 --live over libvirt-sock" "$($LV iothreadinfo io | rows | sed 's/:[^ ]*//g')" \
    "1 2 3 "
$LV iothreaddel io 3 --live >/dev/null
expect_eq "virsh iothreaddel io 3 --live" "$(ids)" "1 2 "
out=$($LV iothreaddel io 1 2>&1) && fail "virsh iothreaddel of the disk's iothread succeeded"
expect_match "virsh iothreaddel of the disk's iothread: refused, by name" "$out" "used by disk vda"

$V destroy io >/dev/null
no_sanitizer_report
echo "$CHECKS checks passed"
