#!/usr/bin/env bash
# Hostile input against the real daemon's API (issue 22), with curl on
# its socket: an XML body that libxml2 would chew on for minutes is
# refused before parsing while the loop keeps answering /v1/version
# within 100 ms; names that would not survive a restart (" ", invalid
# UTF-8, "../x") are refused and nothing is written; garbage after a
# JSON or XML document is refused; a 2^63-byte capacity is 400; a
# restart removes the temp files of interrupted writes and the logs of
# domains no longer defined; a log over 1 MiB is rotated at start; a
# snapshot on a full file system says so. Runs in its own mount
# namespace so the small full file system is its alone.
if [ -z "${HOSTILE_IN_NS:-}" ]; then
    exec env HOSTILE_IN_NS=1 unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need_images
start_daemon
CFG=$ROOT/etc/vireo
LOGS=$ROOT/var/log/vireo/qemu

# api METHOD PATH [curl args...]: prints the status; the body is in $ROOT/out.
api() {
    local m=$1 p=$2
    shift 2
    curl -s --unix-socket "$SOCK" -X "$m" -o "$ROOT/out" -w '%{http_code}' "$@" "http://v/v1$p"
}
# refused WHAT STATUS REGEX METHOD PATH [curl args...]
refused() {
    local what=$1 want=$2 re=$3
    shift 3
    local got
    got=$(api "$@")
    [ "$got" = "$want" ] || fail "$what: status $got, want $want: $(cat "$ROOT/out")"
    local msg
    msg=$(jq -r .error.message "$ROOT/out" 2>/dev/null) || fail "$what: the answer is not JSON: $(cat "$ROOT/out")"
    grep -Eq -- "$re" <<<"$msg" || fail "$what: '$msg' does not match /$re/"
    ok "$what ($want)"
}
stored() { find "$CFG" -type f | sort; }
BEFORE=$(stored)

# ---- finding 2: bounded work per request ----
# The finding's document: 200k attributes on <domain>, 2.3 MB.
/usr/bin/python3 -c "
import sys
sys.stdout.write('<domain type=\"qemu\"' + ''.join(' a%d=\"\"' % i for i in range(200000)) + '/>')" >"$ROOT/attrs200k.xml"
start=$(date +%s%N)
refused "the 200k-attribute domain (2.3 MB): over the definition limit" 413 \
    "POST /v1/domains is [0-9]+ bytes; it takes at most 256 KiB" POST /domains --data-binary @"$ROOT/attrs200k.xml"
# Under the size limit, over the attribute limit: refused before libxml2.
/usr/bin/python3 -c "
import sys
sys.stdout.write('<domain type=\"qemu\"' + ''.join(' a%d=\"\"' % i for i in range(25000)) + '/>')" >"$ROOT/attrs25k.xml"
refused "25k attributes in 240 KB: the attribute limit, named" 400 \
    "^line 1: element <domain> has more than 64 attributes$" POST /domains --data-binary @"$ROOT/attrs25k.xml"
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took" -lt 5000 ] || fail "refusing them took ${took} ms"
ok "both refused in ${took} ms (the 200k one took 156 s before)"

# The largest document a definition may be and the most nodes it may
# hold: 256 KiB, 4,933 elements and attributes, parsed in full. While a
# client posts it over and over, /v1/version is answered within 100 ms.
/usr/bin/python3 -c "
import sys
el = '<e' + ''.join(' a%d=\"\"' % i for i in range(63)) + '/>'
body = ''.join(el for _ in range(77))
text = 'text ' * ((262144 - len(body) - 200) // 5)
sys.stdout.write('<domain type=\"qemu\"><name>big</name><metadata><m xmlns=\"urn:x\">' + body + '<t>' + text + '</t></m></metadata></domain>')" >"$ROOT/largest.xml"
size=$(stat -c %s "$ROOT/largest.xml")
[ "$size" -le 262144 ] && [ "$size" -gt 260000 ] || fail "largest.xml is $size bytes"
code=$(api POST /domains --data-binary @"$ROOT/largest.xml")
[ "$code" = 400 ] && grep -q "needs a <memory>" "$ROOT/out" || fail "largest.xml: $code $(cat "$ROOT/out")"
ok "the largest allowed definition ($size bytes) is parsed whole (refused only for what it lacks)"
( for _ in $(seq 1 40); do
      curl -s --unix-socket "$SOCK" -o /dev/null --data-binary @"$ROOT/largest.xml" http://v/v1/domains
  done ) &
poster=$!
: >"$ROOT/version-times"
while kill -0 "$poster" 2>/dev/null; do
    curl -s --unix-socket "$SOCK" -o /dev/null -w '%{time_total}\n' http://v/v1/version >>"$ROOT/version-times"
    sleep 0.01
done
wait "$poster"
samples=$(wc -l <"$ROOT/version-times")
slowest=$(sort -g "$ROOT/version-times" | tail -1)
[ "$samples" -ge 10 ] || fail "only $samples /v1/version samples during the parses"
awk -v s="$slowest" 'BEGIN { exit !(s < 0.100) }' ||
    fail "/v1/version took ${slowest} s while the largest definition was parsed ($samples samples)"
ok "/v1/version answered within 100 ms during 40 parses of the largest definition (slowest ${slowest} s of $samples)"

# ---- finding 4: names that would not survive a restart ----
mkdir -p "$ROOT/pools"
refused "pool name ' '" 400 "pool name ' ' is refused: a name cannot start or end with white space" \
    POST /pools -H 'Content-Type: application/json' -d "{\"name\":\" \",\"type\":\"dir\",\"target\":\"$ROOT/pools/a\"}"
printf '{"name":"bad\xff","type":"dir","target":"%s/pools/b"}' "$ROOT" >"$ROOT/badutf8.json"
refused "pool name in invalid UTF-8" 400 "not valid UTF-8" \
    POST /pools -H 'Content-Type: application/json' --data-binary @"$ROOT/badutf8.json"
refused "pool XML named ' '" 400 "pool needs a name|white space" \
    POST /pools -d "<pool type='dir'><name> </name><target><path>$ROOT/pools/d</path></target></pool>"
printf "<pool type='dir'><name>p\xff</name><target><path>%s/pools/e</path></target></pool>" "$ROOT" >"$ROOT/badpool.xml"
refused "pool XML in invalid UTF-8" 400 "UTF-8" POST /pools --data-binary @"$ROOT/badpool.xml"
printf '{"name":"v\xfe.img","capacity":"1M"}' >"$ROOT/badvol.json"
refused "volume name in invalid UTF-8" 400 "not valid UTF-8" \
    POST /pools/default/volumes -H 'Content-Type: application/json' --data-binary @"$ROOT/badvol.json"
refused "volume name ' '" 400 "white space" \
    POST /pools/default/volumes -H 'Content-Type: application/json' -d '{"name":" ","capacity":"1M"}'
tiny_xml " " >"$ROOT/space.xml"
refused "domain name ' '" 400 "domain name ' ' is refused" POST /domains --data-binary @"$ROOT/space.xml"
tiny_xml "caf$(printf '\xc3\xa9')" >"$ROOT/utf8dom.xml"
refused "domain name with a character QEMU's -name cannot take" 400 "use 1 to 64 of A-Z" \
    POST /domains --data-binary @"$ROOT/utf8dom.xml"
printf "<network><name>n\xff</name></network>" >"$ROOT/badnet.xml"
refused "network name in invalid UTF-8" 400 "UTF-8" POST /networks --data-binary @"$ROOT/badnet.xml"
refused "network name ' '" 400 "network name ' ' is refused" POST /networks -d "<network><name> </name></network>"
refused "a path that is not UTF-8" 400 "path is not valid UTF-8" GET "/pools/%ff/volumes"
expect_eq "nothing was written under etc/vireo" "$(stored)" "$BEFORE"
# A file put into a pool by hand under a name no volume may have is not
# listed: the list stays JSON a strict parser takes.
touch "$ROOT/var/lib/vireo/images/$(printf 'hand\xff.img')" "$ROOT/var/lib/vireo/images/ok.img"
api GET /pools/default/volumes >/dev/null
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1], encoding='utf-8', errors='strict')); assert [v['name'] for v in d['volumes']] == ['ok.img'], d" "$ROOT/out" ||
    fail "the volume list is not strict JSON with ok.img alone: $(cat "$ROOT/out")"
ok "a volume list with a non-UTF-8 file in the pool is strict JSON (that file is not listed)"

# ---- finding 6: trailing garbage, capacity, install --name ----
printf '{"autostart":true}\0garbage' >"$ROOT/nul.json"
refused "JSON followed by \\0garbage" 400 "NUL byte at offset 18" \
    PUT /pools/default/autostart -H 'Content-Type: application/json' --data-binary @"$ROOT/nul.json"
refused "JSON followed by text" 400 "goes on after the JSON object" \
    PUT /pools/default/autostart -H 'Content-Type: application/json' -d '{"autostart":true} {"x":1}'
tiny_xml ok1 >"$ROOT/ok1.xml"
{ cat "$ROOT/ok1.xml"; printf '\0garbage'; } >"$ROOT/nul.xml"
refused "XML followed by \\0garbage" 400 "NUL byte at offset" POST /domains --data-binary @"$ROOT/nul.xml"
{ cat "$ROOT/ok1.xml"; printf 'garbage'; } >"$ROOT/trail.xml"
refused "XML followed by text" 400 "Extra content at the end of the document" POST /domains --data-binary @"$ROOT/trail.xml"
expect_eq "none of them defined a domain" "$("$VIREO" list --all --name)" ""
refused "capacity 2^63 bytes" 400 "capacity too large: the most is 1 PiB" \
    POST /pools/default/volumes -H 'Content-Type: application/json' -d '{"name":"big.img","capacity":"8E"}'
refused "capacity 2^63-1 as a number" 400 "capacity too large: the most is 1 PiB" \
    POST /pools/default/volumes -H 'Content-Type: application/json' -d '{"name":"big.img","capacity":9223372036854775807}'
expect_fail "vol-create-as 8E" "capacity too large: the most is 1 PiB" "$VIREO" vol-create-as default big.qcow2 8E --format qcow2
expect_fail "vireo install --name ../ins" "domain name '../ins' is refused: '..' could leave its directory" \
    "$VIREO" install --name ../ins --os-variant debian12 --import --disk size=1 --noautoconsole
refused "POST /v1/install named ../ins" 400 "domain name '../ins' is refused" \
    POST /install -H 'Content-Type: application/json' -d '{"name":"../ins","os_variant":"debian12","source":{"import":true}}'

# ---- finding 5: a clean start ----
"$VIREO" define "$ROOT/ok1.xml" >/dev/null
head -c 1200000 /dev/zero | tr '\0' 'x' >"$LOGS/ok1.log"
"$VIREO" start ok1 >/dev/null
"$VIREO" destroy ok1 >/dev/null
expect_eq "a log over 1 MiB is rotated at start: the previous one is ok1.log.1" "$(stat -c %s "$LOGS/ok1.log.1")" 1200000
[ "$(stat -c %s "$LOGS/ok1.log")" -lt 100000 ] || fail "ok1.log was not started afresh"
ok "ok1.log starts afresh"
stop_daemon
# What a kill -9 in the middle of vr_file_write_atomic leaves.
mkdir -p "$CFG/qemu/snapshot/ok1"
leftovers=("$CFG/qemu/ok1.xml.tmp.Ab12Cd" "$CFG/qemu/snapshot/ok1/s1.xml.tmp.zz9ZZ9"
           "$CFG/network/n1.xml.tmp.QQ00qq" "$CFG/storage/default.xml.tmp.a1b2c3")
for f in "${leftovers[@]}"; do echo '<domain' >"$f"; done
echo keep >"$CFG/qemu/notes.tmp.txt"
for f in gone.log gone-serial0.log gone.log.1; do echo old >"$LOGS/$f"; done
start_daemon
for f in "${leftovers[@]}"; do
    [ ! -e "$f" ] || fail "$f is still there after a restart"
    expect_eq "removed and logged once: ${f#$ROOT/}" \
        "$(grep -c "removed $f, left by an interrupted write" "$ROOT/vireod.log")" 1
done
[ -e "$CFG/qemu/notes.tmp.txt" ] || fail "a file that is not a temp file was removed"
ok "files that only look alike are kept"
for f in gone.log gone-serial0.log gone.log.1; do [ ! -e "$LOGS/$f" ] || fail "$f is still there"; done
ok "the logs of a domain no longer defined are gone at start"
[ -e "$LOGS/ok1.log" ] && [ -e "$LOGS/ok1.log.1" ] || fail "the logs of ok1 (defined) were removed"
ok "the logs of a defined domain are kept"
expect_eq "ok1 is still defined" "$("$VIREO" list --all --name)" "ok1"

# ---- a snapshot on a full file system ----
mkdir -p "$ROOT/small"
mount -t tmpfs -o size=4m tmpfs "$ROOT/small"
"$VIREO" pool-define-as small dir --target "$ROOT/small" >/dev/null
"$VIREO" pool-start small >/dev/null
"$VIREO" vol-create-as small d.qcow2 64M --format qcow2 >/dev/null
tiny_xml snapdom "qemu" "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='small' volume='d.qcow2'/><target dev='vda' bus='virtio'/></disk>" >"$ROOT/snapdom.xml"
"$VIREO" define "$ROOT/snapdom.xml" >/dev/null
dd if=/dev/zero of="$ROOT/small/.fill" bs=64k 2>/dev/null || true
expect_fail "a snapshot on a full file system says so" \
    "no space left on device for snapshot 'g1' \($ROOT/small/d.qcow2: [0-9]+ KiB free\)" \
    "$VIREO" snapshot-create-as snapdom g1
expect_eq "no snapshot was recorded" "$("$VIREO" snapshot-list snapdom --name)" ""
rm -f "$ROOT/small/.fill"
no_sanitizer_report
umount "$ROOT/small"
echo "$CHECKS checks passed"
