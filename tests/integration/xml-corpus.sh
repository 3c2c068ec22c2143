#!/usr/bin/env bash
# The domain XML that Debian 12's virt-install writes (the corpus in
# tests/fixtures/virt-install/corpus, recorded by record.sh) and the
# course's first domain file, against the real daemon in a network
# namespace of its own (so the `default` network exists):
#   each file either defines, and then define of its dumpxml gives the
#   same dumpxml, or is refused with one line naming the element;
#   each one that defines is started (type kvm runs under TCG here) and
#   reaches QEMU's running state, then is destroyed, or its start is
#   refused with one line that says why.
# Paths are mapped to this test's files; the rest is as written.
. "$(dirname "$0")/lib.sh"
need_images
[ -r "$IMAGES/tiny.iso" ] || fail "guest image tiny.iso missing in $IMAGES (run: make images)"
CORPUS=$VIREO_SRC/tests/fixtures/virt-install/corpus
COURSE=${VIREO_COURSE_XML:-$VIREO_SRC/tests/fixtures/course/dominio.xml}
test_cleanup() { netns_remove; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
# The ASan daemon when there is one: the parsing and formatting of every
# file runs under the sanitizers.
daemon_in_netns "vrt-xml-$$"
POOLDIR=$ROOT/var/lib/vireo/images
LOGS=$ROOT/var/log/vireo/qemu

# mapped FILE: a copy with the recorded paths mapped to files of this
# test, the disk images it names made (qcow2 or raw, as it says).
mapped() {
    local out=$ROOT/xml/$(basename "$1")
    mkdir -p "$ROOT/xml" "$POOLDIR"
    sed -e "s|/var/lib/libvirt/images/debian-12[^'\"]*\.iso|$IMAGES/tiny.iso|g" \
        -e "s|/var/lib/libvirt/images/|$POOLDIR/|g" -e "s|/tmp/vireo-fixture/|$IMAGES/|g" "$1" >"$out"
    grep -o "$POOLDIR/[^'\"]*" "$out" | sort -u | while read -r img; do
        [ -e "$img" ] && continue
        case $img in *.qcow2) qemu-img create -q -f qcow2 "$img" 1G ;; *) truncate -s 64M "$img" ;; esac
    done
    echo "$out"
}
one_line() { [ "$(wc -l <<<"$1")" -eq 1 ] && [ -n "$1" ]; }

total=0 defined=0 started=0 refused_define=0 refused_start=0
report=$ROOT/report.txt
for f in "$COURSE" "$CORPUS"/*.xml; do
    total=$((total + 1))
    x=$(mapped "$f")
    base=$(basename "$f" .xml)
    name=$(sed -n 's|.*<name>\(.*\)</name>.*|\1|p' "$x" | head -1)
    if ! out=$("$VIREO" define "$x" 2>&1 >/dev/null); then
        one_line "$out" || fail "$base: define refused, not in one line: $out"
        grep -Eq '<[a-zA-Z]' <<<"$out" || fail "$base: define refused without naming an element: $out"
        refused_define=$((refused_define + 1))
        echo "$base: refused at define: $out" >>"$report"
        continue
    fi
    defined=$((defined + 1))
    # --security-info: everything, graphics passwords included (virsh edit's form).
    "$VIREO" dumpxml --security-info "$name" >"$ROOT/a.xml"
    "$VIREO" define "$ROOT/a.xml" >/dev/null || fail "$base: its own dumpxml does not define"
    "$VIREO" dumpxml --security-info "$name" >"$ROOT/b.xml"
    cmp -s "$ROOT/a.xml" "$ROOT/b.xml" || { diff "$ROOT/a.xml" "$ROOT/b.xml" >&2; fail "$base: dumpxml does not round-trip"; }
    if out=$("$VIREO" start "$name" 2>&1 >/dev/null); then
        [ "$("$VIREO" domstate "$name")" = running ] || fail "$base: started but not running"
        qmp=$(jq -rn --arg s "$ROOT/run/vireo/qemu/$name/qmp.sock" '$s')
        [ -S "$qmp" ] || fail "$base: started without its QMP socket"
        started=$((started + 1))
        echo "$base: defined, round-trips, started and running" >>"$report"
        if [ "$base" = dominio ]; then course_started=1; fi
        if [ "$base" = gfx-spice ]; then
            spice_uri=$("$VIREO" domdisplay "$name")
            spice_cmd=$(grep -a -- '-spice' "$LOGS/$name.log" | tail -1)
        fi
        if [ "$base" = gfx-spice-passwd ]; then
            pw_plain=$("$VIREO" dumpxml "$name")
            pw_secure=$("$VIREO" dumpxml --security-info "$name")
            pw_ro=$("$VIREO" -r dumpxml --security-info "$name" 2>&1) && pw_ro="exit 0: $pw_ro"
            pw_cmd=$(grep -a -- '-spice' "$LOGS/$name.log" | tail -1)
            pw_ps=$(ps -o args= -p "$(cat "$ROOT/run/vireo/qemu/$name/qemu.pid")")
        fi
        "$VIREO" destroy "$name" >/dev/null
    else
        one_line "$out" || fail "$base: start refused, not in one line: $out"
        refused_start=$((refused_start + 1))
        echo "$base: defined, round-trips, refused at start: $out" >>"$report"
    fi
    "$VIREO" undefine "$name" --nvram >/dev/null  # (UEFI ones have NVRAM, as with virsh)
done
sed 's/^/  /' "$report"
ok "every file defined and round-tripped, or was refused by element in one line"
ok "every defined file started to QEMU's running state, or its start was refused in one line"
expect_eq "the course's dominio.xml defines and starts as written" "${course_started:-0}" 1
expect_match "domdisplay of a SPICE domain" "${spice_uri:-}" '^spice://127\.0\.0\.1:59[0-9][0-9]$'
expect_match "  -spice on QEMU's command line, its port the one reported" "${spice_cmd:-}" \
    "-spice port=${spice_uri##*:},addr=127.0.0.1,disable-ticketing=on"
expect_match "a SPICE password goes through a secret object" "${pw_cmd:-}" 'password-secret=graphics0-secret'
grep -q s3cret <<<"${pw_cmd:-} ${pw_ps:-}" && fail "the SPICE password is on QEMU's command line"
ok "  and never on QEMU's command line"
grep -q passwd= <<<"${pw_plain:-passwd=}" && fail "dumpxml without --security-info shows the graphics password"
ok "dumpxml leaves the graphics password out, as virsh does without --security-info"
expect_match "dumpxml --security-info shows it" "${pw_secure:-}" "passwd=.s3cret"
expect_match "the read-only connection may not ask for it" "${pw_ro:-}" "read-only connection cannot ask for --security-info"
[ -n "${VIREO_ASAN_BUILD:-}" ] && no_sanitizer_report
echo "xml-corpus: $defined of $total define (and round-trip), $started start, $refused_start refused at start, $refused_define refused at define"
echo "xml-corpus: $CHECKS checks passed"
