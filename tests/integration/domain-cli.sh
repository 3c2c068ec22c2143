#!/usr/bin/env bash
# The rest of the domain CLI: create (transient), reboot, edit, autostart
# across a daemon restart, the host commands, JSON listings, completion.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon

# create: transient, gone when it stops.
tiny_xml eph > "$ROOT/eph.xml"
expect_eq "create" "$("$VIREO" create "$ROOT/eph.xml")" "Domain 'eph' created from $ROOT/eph.xml"
expect_eq "transient in dominfo" "$("$VIREO" dominfo eph --json | jq -r .persistent)" "false"
expect_fail "undefine of a transient domain" "transient" "$VIREO" undefine eph

# reboot: the guest powers off through ACPI and comes back in the same QEMU.
"$VIREO" console eph --history > "$ROOT/eph.txt" 2>&1 &
wait_for 60 "eph booted" file_has "$ROOT/eph.txt" VIREO-GUEST-READY
pid=$("$VIREO" dominfo eph --json >/dev/null; cat "$ROOT/run/vireo/qemu/eph/qemu.pid")
expect_eq "reboot" "$("$VIREO" reboot eph)" "Domain 'eph' is being rebooted"
ready_twice() { [ "$(grep -c VIREO-GUEST-READY "$ROOT/eph.txt")" -ge 2 ]; }
wait_for 60 "guest came back after reboot" ready_twice
expect_eq "same QEMU after reboot" "$(cat "$ROOT/run/vireo/qemu/eph/qemu.pid")" "$pid"
expect_eq "running after reboot" "$("$VIREO" domstate eph)" "running"
"$VIREO" destroy eph >/dev/null
expect_fail "transient gone after destroy" "not found" "$VIREO" domstate eph

# edit: $EDITOR changes the title; a broken edit is refused and changes nothing.
tiny_xml ed > "$ROOT/ed.xml"
"$VIREO" define "$ROOT/ed.xml" >/dev/null
EDITOR="sed -i 's|<name>ed</name>|<name>ed</name><title>Edited</title>|'" "$VIREO" edit ed > "$ROOT/edit.out"
expect_eq "edit" "$(cat "$ROOT/edit.out")" "Domain 'ed' XML configuration edited."
expect_eq "edit took" "$("$VIREO" list --all --json | jq -r '.[] | select(.name == "ed") | .title')" "Edited"
expect_match "list --title shows it" "$("$VIREO" list --all --title)" ' ed +shut off +Edited'
expect_eq "unchanged edit" "$(EDITOR=true "$VIREO" edit ed)" "Domain 'ed' XML configuration not changed."
set +e
EDITOR="sed -i 's|<vcpu[^>]*>1</vcpu>|<vcpu>0</vcpu>|'" "$VIREO" edit ed </dev/null > /dev/null 2> "$ROOT/edit.err"
rc=$?
set -e
expect_eq "broken edit fails" "$rc" 1
expect_match "broken edit says why" "$(cat "$ROOT/edit.err")" 'vcpu'
expect_eq "broken edit changed nothing" "$("$VIREO" dumpxml ed | grep -c '<title>Edited</title>')" 1

# autostart: started by the next daemon.
expect_eq "autostart" "$("$VIREO" autostart ed)" "Domain 'ed' marked as autostarted"
[ -L "$ROOT/etc/vireo/qemu/autostart/ed.xml" ] || fail "no autostart link"
ok "autostart link"
stop_daemon
start_daemon
wait_for 30 "autostarted with the daemon" state_is ed "running (booted)"
expect_eq "autostart --disable" "$("$VIREO" autostart ed --disable)" "Domain 'ed' unmarked as autostarted"

# vncdisplay, domdisplay: where QEMU's VNC server really listens (QMP
# query-vnc); a viewer that connects there is greeted in RFB.
expect_fail "vncdisplay of a domain without graphics" "has no graphical display" "$VIREO" vncdisplay ed
"$VIREO" destroy ed >/dev/null
tiny_xml gfx qemu "<interface type='user'><model type='virtio'/></interface>
    <graphics type='vnc'/><video><model type='vga'/></video>" >"$ROOT/gfx.xml"
"$VIREO" define "$ROOT/gfx.xml" >/dev/null
expect_fail "vncdisplay of a shut off domain" "is not running; start it first" "$VIREO" vncdisplay gfx
"$VIREO" start gfx >/dev/null
disp=$("$VIREO" vncdisplay gfx)
expect_match "vncdisplay" "$disp" '^127\.0\.0\.1:[0-9]+$'
expect_eq "domdisplay" "$("$VIREO" domdisplay gfx)" "vnc://$disp"
expect_eq "vncdisplay --json" "$("$VIREO" vncdisplay gfx --json | jq -r '"\(.host):\(.port - 5900)"')" "$disp"
exec 8<>"/dev/tcp/127.0.0.1/$((5900 + ${disp##*:}))"
banner=
read -r -t 5 banner <&8 || true
exec 8>&-
expect_match "a viewer at that display is greeted in RFB" "$banner" '^RFB 003\.00[0-9]'
"$VIREO" destroy gfx >/dev/null
"$VIREO" undefine gfx >/dev/null

# Host commands.
expect_eq "uri" "$("$VIREO" uri)" "vireo:///system"
expect_eq "qemu:///system is an alias" "$("$VIREO" -c "qemu:///system?socket=$SOCK" uri)" "vireo:///system"
expect_eq "hostname" "$("$VIREO" hostname)" "$(hostname)"
expect_match "nodeinfo" "$("$VIREO" nodeinfo)" "CPU\(s\): +$(nproc)"
expect_match "version" "$("$VIREO" version)" 'Running hypervisor: QEMU [0-9]'
expect_match "capabilities" "$("$VIREO" capabilities)" "<domain type='qemu'/>"

# Listings: JSON, names, uuids.
expect_eq "list --json" "$("$VIREO" list --all --json | jq -r '.[].name')" "ed"
expect_eq "list --uuid" "$("$VIREO" list --all --uuid)" "$("$VIREO" domuuid ed)"
# The compact rows form (what libvireo reads) is the object form, key for key.
expect_rows_form /v1/domains domains
expect_eq "dominfo by uuid" "$("$VIREO" dominfo "$("$VIREO" domuuid ed)" --json | jq -r .name)" "ed"
# schedinfo --json: the API's schedinfo object (one table for the PUT's
# body and the GET's answer): the kernel's defaults, then what --set wrote.
expect_eq "schedinfo --json of a shut-off domain: the kernel's defaults" "$("$VIREO" schedinfo ed --json | jq -c .)" \
    '{"cpu_shares":1024,"vcpu_period":100000,"vcpu_quota":-1}'
expect_eq "schedinfo --set --config --json: the values written" \
    "$("$VIREO" schedinfo ed --config --set cpu_shares=512 vcpu_quota=20000 --json | jq -c .)" \
    '{"cpu_shares":512,"vcpu_period":100000,"vcpu_quota":20000}'
expect_match "... in the definition's <cputune>" "$("$VIREO" dumpxml ed --inactive | tr -d ' \n')" \
    '<cputune><shares>512</shares>.*<quota>20000</quota>'
out=$(curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/json' -d '{"vcpu_quota":"max","config":true}' \
    http://vireod/v1/domains/ed/schedinfo)
expect_match "PUT schedinfo with a quota that is no number: refused naming it" "$out" '\\"vcpu_quota\\" must be a whole number'
expect_eq "... and nothing changed" "$("$VIREO" schedinfo ed --config --json | jq -c .vcpu_quota)" 20000

# Completion: valid bash that completes commands and domain names.
"$VIREO" completion bash > "$ROOT/completion.bash"
bash -n "$ROOT/completion.bash" || fail "completion script is not valid bash"
got=$(bash -c "PATH=$(dirname "$VIREO"):\$PATH; source $ROOT/completion.bash
    COMP_WORDS=(vireo dom); COMP_CWORD=1; _vireo; echo \${COMPREPLY[*]}")
expect_match "completes commands" "$got" 'dominfo domstate domid domuuid'
got=$(bash -c "PATH=$(dirname "$VIREO"):\$PATH; source $ROOT/completion.bash
    COMP_WORDS=(vireo start e); COMP_CWORD=2; _vireo; echo \${COMPREPLY[*]}")
expect_eq "completes domain names" "$got" "ed"

# Usage errors exit 2.
set +e; "$VIREO" start >/dev/null 2>&1; rc=$?; set -e
expect_eq "missing argument is a usage error" "$rc" 2
set +e; "$VIREO" frobnicate >/dev/null 2>&1; rc=$?; set -e
expect_eq "unknown command is a usage error" "$rc" 2
