#!/usr/bin/env bash
# Bad input gets one clear line and a non-zero exit; the daemon keeps
# serving and nothing defined is lost.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon

tiny_xml keep > "$ROOT/keep.xml"
"$VIREO" define "$ROOT/keep.xml" >/dev/null
keep_uuid=$("$VIREO" domuuid keep)

printf '<domain type="qemu"><name>bad</name>\n<memory>1024\n</domain>\n' > "$ROOT/malformed.xml"
expect_fail "malformed XML" 'line [0-9]+' "$VIREO" define "$ROOT/malformed.xml"

tiny_xml parallel | sed 's|<devices>|<devices>\n    <parallel type="pty"/>|' > "$ROOT/parallel.xml"
line=$(grep -n parallel "$ROOT/parallel.xml" | tail -1 | cut -d: -f1)
expect_fail "unsupported element named with its line" "line $line: <parallel>" "$VIREO" define "$ROOT/parallel.xml"

tiny_xml keep | sed "s|<name>keep</name>|<name>keep</name><uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" > "$ROOT/dupname.xml"
expect_fail "duplicate name" "domain 'keep' already exists" "$VIREO" define "$ROOT/dupname.xml"
tiny_xml other | sed "s|<name>other</name>|<name>other</name><uuid>$keep_uuid</uuid>|" > "$ROOT/dupuuid.xml"
expect_fail "duplicate uuid" "already used by domain 'keep'" "$VIREO" define "$ROOT/dupuuid.xml"

tiny_xml zero | sed "s|<memory unit='MiB'>256</memory>|<memory unit='KiB'>0</memory>|" > "$ROOT/zero.xml"
expect_fail "memory 0" '<memory.*minimum' "$VIREO" define "$ROOT/zero.xml"
tiny_xml huge | sed "s|<memory unit='MiB'>256</memory>|<memory unit='PiB'>1</memory>|" > "$ROOT/huge.xml"
expect_fail "memory 1 PiB" '<memory' "$VIREO" define "$ROOT/huge.xml"

tiny_xml nokernel | sed "s|$IMAGES/tiny-vmlinuz|/nonexistent/vmlinuz|" > "$ROOT/nokernel.xml"
"$VIREO" define "$ROOT/nokernel.xml" >/dev/null
expect_fail "missing kernel file" "kernel /nonexistent/vmlinuz .* does not exist" "$VIREO" start nokernel
expect_eq "still shut off" "$("$VIREO" domstate nokernel)" "shut off"

expect_fail "unknown domain" "domain 'ghost' not found" "$VIREO" start ghost
expect_fail "unknown domain (dominfo)" "domain 'ghost' not found" "$VIREO" dominfo ghost
expect_fail "unknown domain (undefine)" "domain 'ghost' not found" "$VIREO" undefine ghost
expect_fail "missing file" "cannot read /nonexistent.xml" "$VIREO" define /nonexistent.xml
expect_fail "shutdown of a stopped domain" "is not running" "$VIREO" shutdown keep
expect_fail "destroy of a stopped domain" "is not running" "$VIREO" destroy keep

"$VIREO" start keep >/dev/null
expect_fail "start of a running domain" "already running" "$VIREO" start keep
expect_fail "undefine --remove-all-storage of a running domain" "running" "$VIREO" undefine keep --remove-all-storage
"$VIREO" destroy keep >/dev/null

expect_fail "bad URI" "unknown URI" "$VIREO" -c 'foo:///bar' list
expect_fail "daemon not running" "cannot reach vireod" "$VIREO" -c "vireo:///system?socket=$ROOT/none.sock" list

# Nothing was lost, the daemon still serves, and the definition survives
# a restart.
expect_eq "keep still defined" "$("$VIREO" domuuid keep)" "$keep_uuid"
stop_daemon
start_daemon
expect_eq "keep survives a restart" "$("$VIREO" domuuid keep)" "$keep_uuid"
names=$("$VIREO" list --all --name | sort | tr "\n" " ")
expect_eq "nothing else defined" "$names" "keep nokernel "
