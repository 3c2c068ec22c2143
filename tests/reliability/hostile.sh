#!/usr/bin/env bash
# Hostile input: each request below must get a clear 4xx (a JSON error
# with a message), and the daemon must survive and answer /v1/version
# within 1 s afterwards. Runs the ASan daemon when VIREOD names it, so a
# memory error is a finding too. One result line per input:
#   hostile_NAME=PASS|FAIL STATUS: message (version after: N ms)
. "$(dirname "$0")/lib.sh"
campaign_setup hostile
start_vireod || { echo "hostile: vireod did not start" >&2; exit 1; }
W=$ROOT/inputs
mkdir -p "$W"
failed=0

# send NAME EXPECT-CLASS CURL-ARGS...: one request, judged.
send() {
    local name=$1
    shift
    local out=$W/$name.out code msg verdict t0 vms
    # No "Expect: 100-continue": the answer to the body is what counts.
    # --path-as-is: curl would squash "/.." itself and send another path.
    code=$(curl -s --path-as-is -o "$out" -w '%{http_code}' -m 30 -H 'Expect:' --unix-socket "$SOCK" "$@" 2>/dev/null)
    msg=$(jq -r '.error.message // empty' "$out" 2>/dev/null | head -c 160)
    t0=$(date +%s%N)
    if curl -sf -m 1 --unix-socket "$SOCK" http://v/v1/version >/dev/null 2>&1; then
        vms=$(ms_since "$t0")
    else
        vms=none
    fi
    verdict=PASS
    [[ $code =~ ^4[0-9][0-9]$ ]] && [ -n "$msg" ] || verdict=FAIL
    [ "$vms" != none ] || verdict=FAIL
    kill -0 "$DAEMON_PID" 2>/dev/null || verdict=FAIL
    [ "$verdict" = PASS ] || failed=$((failed + 1))
    result "hostile_$name" "$verdict $code: ${msg:-(no JSON error)} (version after: ${vms} ms)"
    # A dead or stuck daemon is restarted so that the next input is
    # judged on its own.
    if ! kill -0 "$DAEMON_PID" 2>/dev/null || [ "$vms" = none ]; then
        say "hostile: the daemon died or hangs after $name; restarting it for the rest"
        kill -9 "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
        start_vireod
    fi
}

post_xml() { send "$1" -X POST -H 'Content-Type: application/xml' --data-binary "@$2" "http://v/v1/$3"; }

# XXE: an external entity naming a host file.
cat >"$W/xxe.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<domain type='qemu'><name>&x;</name><memory>65536</memory><os><type>hvm</type></os></domain>
XML
post_xml xxe "$W/xxe.xml" domains

# Billion laughs: ten levels of ten.
{
    echo '<?xml version="1.0"?><!DOCTYPE domain ['
    echo '<!ENTITY l0 "lol">'
    for i in $(seq 1 9); do
        p=$((i - 1))
        echo "<!ENTITY l$i \"&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;\">"
    done
    echo ']><domain type="qemu"><name>&l9;</name></domain>'
} >"$W/laughs.xml"
post_xml billion_laughs "$W/laughs.xml" domains

# 100k-deep nesting.
/usr/bin/python3 -c 'import sys; sys.stdout.write("<domain type=\"qemu\"><name>deep</name><devices>" + "<a>"*100000 + "</a>"*100000 + "</devices></domain>")' >"$W/deep.xml"
post_xml deep_nesting "$W/deep.xml" domains

# 200k attributes on one element.
/usr/bin/python3 -c 'import sys; sys.stdout.write("<domain type=\"qemu\" " + " ".join("a%d=\"x\"" % i for i in range(200000)) + "><name>attrs</name></domain>")' >"$W/attrs.xml"
post_xml many_attributes "$W/attrs.xml" domains

# A 50 MB body.
head -c $((50 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$W/big.xml"
post_xml body_50mb "$W/big.xml" domains

# Path tricks.
send path_dotdot http://v/v1/pools/default/volumes/..
send path_pct2e2e 'http://v/v1/pools/%2e%2e/volumes'
send path_encoded_slash 'http://v/v1/pools/default/volumes/..%2f..%2fetc%2fpasswd/download'
send path_nul 'http://v/v1/domains/a%00b'

# Bad JSON.
send bad_json -X POST -H 'Content-Type: application/json' --data-binary '{"name": "x", "capacity": ' \
    http://v/v1/pools/default/volumes
send json_trailing_garbage -X POST -H 'Content-Type: application/json' \
    --data-binary '{"name":"tg.img","capacity":"1M"} garbage' http://v/v1/pools/default/volumes

# An invalid UTF-8 name.
printf "<domain type='qemu'><name>bad\xff\xfename</name><memory>65536</memory><os><type>hvm</type></os></domain>" >"$W/utf8.xml"
post_xml invalid_utf8_name "$W/utf8.xml" domains
printf '{"name":"bad\xff\xfe.img","capacity":"1M"}' >"$W/utf8.json"
send invalid_utf8_volume -X POST -H 'Content-Type: application/json' --data-binary "@$W/utf8.json" \
    http://v/v1/pools/default/volumes

# \0garbage after a complete document.
tiny_xml nulgarbage qemu >"$W/nul.xml"
printf '\0garbage' >>"$W/nul.xml"
post_xml nul_garbage_after_xml "$W/nul.xml" domains

# A 2^63-byte capacity.
send capacity_2_63_json -X POST -H 'Content-Type: application/json' \
    --data-binary '{"name":"huge.img","capacity":9223372036854775808}' http://v/v1/pools/default/volumes
printf "<volume><name>huge2.img</name><capacity unit='bytes'>9223372036854775808</capacity></volume>" >"$W/cap.xml"
post_xml capacity_2_63_xml "$W/cap.xml" pools/default/volumes

if grep -Eq 'AddressSanitizer|runtime error' "$ROOT/vireod.log"; then
    failed=$((failed + 1))
    result hostile_sanitizer "FAIL: $(grep -Em1 'AddressSanitizer|runtime error' "$ROOT/vireod.log")"
fi
result hostile_failed "$failed"
[ "$failed" -eq 0 ]
