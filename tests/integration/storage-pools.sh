#!/usr/bin/env bash
# Pools and volumes through the CLI against a real daemon and qemu-img:
# the default pool, dir pools from define-as and from XML, every volume
# command, upload/download, jobs, and bad input (unknown pool, bad sizes,
# duplicates, path traversal, refused XML, a pool whose directory
# vanished, a broken upload) with clear one-line errors and nothing lost;
# the pool events every change publishes (vireo event, pool-event).
. "$(dirname "$0")/lib.sh"
start_daemon
P=$ROOT/pools/p1

expect_match "default pool, active, autostart" "$("$VIREO" pool-list)" ' default +active +yes'
expect_eq "default pool's directory" "$("$VIREO" pool-info default --json | jq -r .path)" "$ROOT/var/lib/vireo/images"

# define-as, build, start
expect_eq "pool-define-as" "$("$VIREO" pool-define-as p1 dir --target "$P")" "Pool 'p1' defined"
expect_match "inactive until started" "$("$VIREO" pool-list --all)" ' p1 +inactive +no'
expect_fail "start before build" "does not exist \(run 'vireo pool-build p1'" "$VIREO" pool-start p1
expect_eq "pool-build" "$("$VIREO" pool-build p1)" "Pool 'p1' built"
expect_eq "pool-start" "$("$VIREO" pool-start p1)" "Pool 'p1' started"

# Two watchers from here on: `vireo event` (every kind) and pool-event
# for p1 alone, as JSON. Both are subscribed once a refresh of p1 reached
# them (refreshed again until it did).
"$VIREO" event --loop > "$ROOT/events.txt" &
EVENTS=$!
"$VIREO" pool-event --loop --pool p1 --json > "$ROOT/p1-events.json" &
P1EVENTS=$!
subscribed() {
    "$VIREO" pool-refresh p1 >/dev/null
    file_has "$ROOT/events.txt" "event 'refresh' for storage pool 'p1'\$" && file_has "$ROOT/p1-events.json" '"refresh"'
}
wait_for 10 "event watchers subscribed (pool-refresh is a refresh event)" subscribed
"$VIREO" vol-create-as p1 ev.img 1M >/dev/null
wait_for 10 "vireo event shows the volume made by another vireo" file_has "$ROOT/events.txt" \
    "event 'refresh' for storage pool 'p1': volume 'ev.img' created"
ev=$(grep '"volume":"ev.img"' "$ROOT/p1-events.json" | head -1)
expect_eq "pool-event --json: kind, name, event, detail, volume" \
    "$(jq -r '[.kind, .name, .event, .detail, .volume, (.uuid | length)] | join(" ")' <<<"$ev")" \
    "pool p1 refresh volume-created ev.img 36"
"$VIREO" vol-delete ev.img --pool p1 >/dev/null
wait_for 10 "volume deleted event" file_has "$ROOT/events.txt" "event 'refresh' for storage pool 'p1': volume 'ev.img' deleted"
expect_eq "pool-autostart" "$("$VIREO" pool-autostart p1)" "Pool 'p1' marked as autostarted"
out=$("$VIREO" pool-list --details)
expect_match "pool-list --details" "$out" ' p1 +active +yes +yes +[0-9.]+ [GTM]iB'
# The columns line up: every row starts its State column where the header does.
col=$(head -1 <<<"$out" | grep -bo 'State' | cut -d: -f1)
while read -r line; do
    [ "${line:$col:1}" != " " ] || fail "pool-list columns do not line up: $out"
done < <(tail -n +3 <<<"$out" | sed 's/^/ /' | cut -c2-)
ok "pool-list columns line up"
expect_match "pool-dumpxml" "$("$VIREO" pool-dumpxml p1)" "<path>$P</path>"
expect_fail "same directory twice" "clashes with pool 'p1' by its directory" "$VIREO" pool-define-as p2 dir --target "$P"
expect_fail "unknown pool" "pool 'nope' not found" "$VIREO" vol-list nope
expect_fail "pool type not supported" "pool type 'logical' is not supported" "$VIREO" pool-define-as p3 logical --target /tmp/x

# XML: the subset, refused elements named with their line.
cat > "$ROOT/p2.xml" <<XML
<pool type='dir'>
  <name>p2</name>
  <target>
    <path>$ROOT/pools/p2</path>
    <permissions><mode>0750</mode></permissions>
  </target>
</pool>
XML
expect_eq "pool-define from XML" "$("$VIREO" pool-define "$ROOT/p2.xml")" "Pool 'p2' defined"
sed 's|<target>|<source><host name="nfs"/></source><target>|' "$ROOT/p2.xml" | sed 's|p2|p4|' > "$ROOT/p4.xml"
expect_fail "refused element, with its line" "line 3: <host> is not supported by Vireo" "$VIREO" pool-define "$ROOT/p4.xml"
printf '<pool type="logical"><name>x</name></pool>' > "$ROOT/p5.xml"
expect_fail "refused pool type" "<pool type='logical'> is not supported by Vireo \(supported: dir, fs, disk, iscsi-direct, rbd\)" "$VIREO" pool-define "$ROOT/p5.xml"
printf '<pool type="dir"><name>../evil</name><target><path>/tmp/e</path></target></pool>' > "$ROOT/p6.xml"
expect_fail "pool name with .." "refused" "$VIREO" pool-define "$ROOT/p6.xml"
"$VIREO" pool-build p2 >/dev/null
expect_eq "permissions applied" "$(stat -c %a "$ROOT/pools/p2")" "750"

# Volumes.
expect_eq "vol-create-as raw" "$("$VIREO" vol-create-as p1 a.img 10M)" "Vol a.img created"
expect_eq "vol-create-as qcow2 1.5GiB" "$("$VIREO" vol-create-as p1 b.qcow2 1.5GiB --format qcow2)" "Vol b.qcow2 created"
expect_eq "capacity in virsh units" "$("$VIREO" vol-info b.qcow2 --pool p1 --json | jq -r .capacity)" "1610612736"
expect_eq "decimal units" "$("$VIREO" vol-create-as p1 c.img 512KB && "$VIREO" vol-info c.img --pool p1 --json | jq -r .capacity)" \
    "Vol c.img created
512000"
expect_fail "duplicate volume" "volume 'a.img' already exists in pool 'p1'" "$VIREO" vol-create-as p1 a.img 10M
expect_fail "size -1" "'-1': a size cannot be negative" "$VIREO" vol-create-as p1 neg.img -- -1
expect_fail "size 12XB" "'12XB': unknown unit 'XB'" "$VIREO" vol-create-as p1 x.img 12XB
expect_fail "size 0" "more than 0" "$VIREO" vol-create-as p1 z.img 0
expect_fail "path traversal" "volume name '../escape.img' is refused: '..'" "$VIREO" vol-create-as p1 ../escape.img 1M
expect_fail "slash in a name" "'/' is not allowed" "$VIREO" vol-create-as p1 a/b 1M
expect_fail "hidden name" "cannot start with '.'" "$VIREO" vol-create-as p1 .hidden 1M
[ ! -e "$ROOT/pools/escape.img" ] || fail "a file escaped the pool"
ok "nothing written outside the pool"
expect_fail "unknown format" "format must be raw or qcow2" "$VIREO" vol-create-as p1 f.img 1M --format vmdk
expect_fail "unknown volume" "volume 'ghost' not found in pool 'p1'" "$VIREO" vol-info ghost --pool p1

expect_eq "overlay on a volume" "$("$VIREO" vol-create-as p1 ov.qcow2 1G --format qcow2 --backing-vol b.qcow2 --backing-vol-format qcow2)" "Vol ov.qcow2 created"
expect_eq "overlay's backing" "$("$VIREO" vol-info ov.qcow2 --pool p1 --json | jq -r '.backing.path + " " + .backing.format')" "$P/b.qcow2 qcow2"
expect_fail "backing volume in use" "backing file of volume 'ov.qcow2'" "$VIREO" vol-delete b.qcow2 --pool p1

cat > "$ROOT/v.xml" <<XML
<volume>
  <name>x.qcow2</name>
  <capacity unit='M'>20</capacity>
  <target><format type='qcow2'/></target>
</volume>
XML
expect_eq "vol-create from XML" "$("$VIREO" vol-create p1 "$ROOT/v.xml")" "Vol x.qcow2 created from $ROOT/v.xml"
sed 's|<target>|<target><encryption/>|' "$ROOT/v.xml" > "$ROOT/v2.xml"
expect_fail "volume XML outside the subset" "line 4: <encryption> is not supported by Vireo" "$VIREO" vol-create p1 "$ROOT/v2.xml"
expect_match "vol-dumpxml" "$("$VIREO" vol-dumpxml x.qcow2 --pool p1)" "<capacity unit=.bytes.>20971520</capacity>"
# The course's form: the pool as the second positional argument, as virsh takes it.
expect_eq "vol-info VOL POOL" "$("$VIREO" vol-info x.qcow2 p1 --json | jq -r .pool)" "p1"
expect_match "vol-dumpxml VOL POOL" "$("$VIREO" vol-dumpxml x.qcow2 p1)" "<capacity unit=.bytes.>20971520</capacity>"
rc=0; out=$("$VIREO" vol-info x.qcow2 p1 extra 2>&1) || rc=$?
expect_eq "a third positional is a usage error (exit 2)" "$rc" 2
expect_match "... that names it" "$(head -1 <<<"$out")" "vol-info: unexpected argument 'extra'"
expect_eq "vol-path" "$("$VIREO" vol-path x.qcow2 --pool p1)" "$P/x.qcow2"
expect_eq "vol-info by path" "$("$VIREO" vol-info "$P/x.qcow2" --json | jq -r .name)" "x.qcow2"
expect_match "vol-list --details" "$("$VIREO" vol-list p1 --details)" ' x.qcow2 +'"$P"'/x.qcow2 +file +qcow2 +20.00 MiB'
expect_eq "vol-list --json" "$("$VIREO" vol-list p1 --json | jq -r 'map(.name) | join(",")')" "a.img,b.qcow2,c.img,ov.qcow2,x.qcow2"
# libvireo reads the lists in rows: a volume's backing (an object in its row) kept.
expect_eq "vol-list --json keeps the overlay's backing" \
    "$("$VIREO" vol-list p1 --json | jq -r '.[] | select(.name == "ov.qcow2") | .backing.path + " " + .backing.format')" \
    "$P/b.qcow2 qcow2"
expect_rows_form /v1/pools/p1/volumes volumes
# A pool's sizes are read at each call (statvfs of a shared disk).
expect_rows_form /v1/pools pools 'del(.allocation, .available)'

expect_eq "vol-resize up" "$("$VIREO" vol-resize x.qcow2 40M --pool p1)" "Size of volume 'x.qcow2' successfully changed to 40.00 MiB"
expect_eq "vol-resize --delta" "$("$VIREO" vol-resize x.qcow2 8M --delta --pool p1)" "Size of volume 'x.qcow2' successfully changed to 48.00 MiB"
expect_fail "shrink needs --shrink" "add --shrink" "$VIREO" vol-resize x.qcow2 10M --pool p1
expect_eq "vol-resize --shrink" "$("$VIREO" vol-resize a.img 5M --shrink --pool p1)" "Size of volume 'a.img' successfully changed to 5.00 MiB"

# Upload and download round trip.
head -c 3000000 /dev/urandom > "$ROOT/blob"
expect_eq "vol-upload" "$("$VIREO" vol-upload a.img "$ROOT/blob" --pool p1)" ""
expect_eq "uploaded size" "$("$VIREO" vol-info a.img --pool p1 --json | jq -r .capacity)" "3000000"
"$VIREO" vol-download a.img "$ROOT/blob2" --pool p1
cmp -s "$ROOT/blob" "$ROOT/blob2" || fail "download differs from upload"
ok "download gives back what was uploaded"
expect_fail "upload into a missing volume" "volume 'nope' not found" "$VIREO" vol-upload nope "$ROOT/blob" --pool p1
# An upload that breaks off: the volume keeps its content, no temporary stays.
python3 - "$SOCK" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"POST /v1/pools/p1/volumes/a.img/upload?length=1000000 HTTP/1.1\r\nHost: x\r\n"
          b"Connection: Upgrade\r\nUpgrade: vireo-stream\r\nContent-Length: 0\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(4096)
assert b" 101 " in head, head
s.sendall(b"x" * 1000)
s.close()
PY
sleep 0.5
cmp -s "$ROOT/blob" "$P/a.img" || fail "a broken upload changed the volume"
ok "a broken upload leaves the volume unchanged"
[ -z "$(ls -A "$P" | grep '^\.')" ] || fail "temporaries left: $(ls -A "$P")"
ok "no temporary left behind"

# vol-clone: a job with progress.
expect_eq "vol-clone" "$("$VIREO" vol-clone b.qcow2 b2.qcow2 --pool p1)" "Vol b2.qcow2 cloned from b.qcow2"
expect_eq "clone job completed" "$("$VIREO" job-list --json | jq -r '.[-1].kind + " " + .[-1].state + " " + (.[-1].progress|tostring)')" "vol-clone completed 100"
expect_fail "vol-clone onto an existing name" "already exists" "$VIREO" vol-clone b.qcow2 x.qcow2 --pool p1
expect_eq "vol-delete" "$("$VIREO" vol-delete b2.qcow2 --pool p1)" "Vol b2.qcow2 deleted"

# A pool whose directory vanished: clear errors, the definition kept.
mv "$P" "$P.moved"
expect_fail "vanished directory" "directory $P has vanished, so the pool is inactive now" "$VIREO" vol-list p1
expect_match "pool now inactive, still defined" "$("$VIREO" pool-list --all)" ' p1 +inactive'
expect_fail "restart needs the directory" "does not exist" "$VIREO" pool-start p1
mv "$P.moved" "$P"
"$VIREO" pool-start p1 >/dev/null
expect_eq "volumes back" "$("$VIREO" vol-list p1 --json | jq length)" "5"

# Everything above was published, once, to the right watchers.
for e in "event 'lifecycle' for storage pool 'p2': defined (added)" \
         "event 'lifecycle' for storage pool 'p2': created (built)" \
         "event 'refresh' for storage pool 'p1': volume 'a.img' created" \
         "event 'refresh' for storage pool 'p1': volume 'x.qcow2' resized" \
         "event 'refresh' for storage pool 'p1': volume 'a.img' uploaded" \
         "event 'refresh' for storage pool 'p1': volume 'b2.qcow2' cloned" \
         "event 'refresh' for storage pool 'p1': volume 'b2.qcow2' deleted" \
         "event 'lifecycle' for storage pool 'p1': stopped (vanished)" \
         "event 'lifecycle' for storage pool 'p1': started (dir)"; do
    wait_for 5 "event: $e" file_has "$ROOT/events.txt" "$e"
done
expect_eq "one event per volume made" "$(grep -c "volume 'a.img' created" "$ROOT/events.txt")" 1
expect_eq "pool-event --pool p1 shows p1 alone" "$(jq -r .name "$ROOT/p1-events.json" | sort -u)" "p1"
expect_eq "the failed upload published nothing" "$(grep -c "volume 'a.img' uploaded" "$ROOT/events.txt")" 1
kill "$EVENTS" "$P1EVENTS" 2>/dev/null || true

# Across a daemon restart: active and autostart pools come back.
stop_daemon
start_daemon
expect_match "p1 active after restart" "$("$VIREO" pool-list)" ' p1 +active +yes'

# Destroy, delete, undefine, watched by pool-event (its human lines).
"$VIREO" pool-event --loop > "$ROOT/events2.txt" &
EVENTS=$!
wait_for 10 "pool-event subscribed" sh -c '"$1" pool-refresh p1 >/dev/null && grep -q refresh "$2"' _ "$VIREO" "$ROOT/events2.txt"
expect_fail "undefine an active pool" "is active; pool-destroy it" "$VIREO" pool-undefine p1
expect_eq "pool-destroy" "$("$VIREO" pool-destroy p1)" "Pool 'p1' destroyed"
expect_fail "pool-delete of a non-empty dir" "is not empty" "$VIREO" pool-delete p1
expect_fail "volumes of an inactive pool" "is not active" "$VIREO" vol-list p1
expect_eq "pool-undefine" "$("$VIREO" pool-undefine p1)" "Pool 'p1' has been undefined"
[ -f "$P/x.qcow2" ] || fail "undefine removed files"
ok "undefine keeps the files"
expect_eq "pool-delete of an empty dir" "$("$VIREO" pool-delete p2)" "Pool 'p2' deleted"
wait_for 5 "lifecycle events after the restart" file_has "$ROOT/events2.txt" \
    "event 'lifecycle' for storage pool 'p2': deleted (removed)"
for e in "p1': stopped (destroyed)" "p1': undefined (removed)"; do
    grep -qF "$e" "$ROOT/events2.txt" || fail "event '$e' missing: $(cat "$ROOT/events2.txt")"
done
ok "pool-destroy and pool-undefine events"
kill "$EVENTS" 2>/dev/null || true
[ ! -d "$ROOT/pools/p2" ] || fail "pool-delete left the directory"
for img in "$P"/*.qcow2; do
    qemu-img check -q "$img" || fail "qemu-img check of $img"
done
ok "qemu-img check is clean on every image"
