#!/usr/bin/env bash
# A domain of type 'kvm' on a host without usable KVM runs under TCG with
# a loud notice (start output, daemon log, an event, dominfo), its
# host-passthrough CPU as QEMU's 'max'; a restarted daemon still says so;
# vireod --accel strict refuses it by name. The daemon is told KVM is
# absent (VIREO_KVM_DEVICE), so this runs the same on a KVM host.
. "$(dirname "$0")/lib.sh"
need_images
export VIREO_KVM_DEVICE=/nonexistent/kvm
# The ASan daemon when there is one (make check builds it).
DAEMON=$VIREOD
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
    DAEMON=$VIREO_ASAN_BUILD/src/daemon/vireod
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
fi
start_daemon "$DAEMON"
LOGS=$ROOT/var/log/vireo/qemu

tiny_xml kvmdom kvm | sed "s|<features>|<cpu mode='host-passthrough' check='none' migratable='on'/>\n  <features>|" \
    >"$ROOT/kvm.xml"
"$VIREO" define "$ROOT/kvm.xml" >/dev/null
expect_match "dominfo before start: what a start gets here" "$("$VIREO" dominfo kvmdom)" \
    '^Accelerator: +tcg \(emulation; kvm asked\)$'

"$VIREO" event --loop >"$ROOT/events.txt" 2>&1 &
EVENTS=$!
test_cleanup() { kill "$EVENTS" 2>/dev/null || true; }
sleep 0.3

"$VIREO" start kvmdom >"$ROOT/start.out" 2>"$ROOT/start.err"
expect_eq "start succeeds" "$(cat "$ROOT/start.out")" "Domain 'kvmdom' started"
expect_match "start says it runs under TCG, one line" "$(grep -c 'type .kvm. but KVM is not usable' "$ROOT/start.err")" '^1$'
expect_match "  naming the way to refuse instead" "$(cat "$ROOT/start.err")" '^notice: .*--accel strict'
expect_match "start says the CPU is QEMU's max" "$(cat "$ROOT/start.err")" \
    "^notice: <cpu mode='host-passthrough'> under TCG: QEMU's 'max'"
expect_eq "two notices, nothing else" "$(wc -l <"$ROOT/start.err")" 2
wait_for 60 "the guest boots under TCG" file_has "$LOGS/kvmdom-serial0.log" VIREO-GUEST-READY
cmd=$(grep -a -- '-accel' "$LOGS/kvmdom.log" | tail -1)
expect_match "QEMU runs with -accel tcg" "$cmd" '-accel tcg'
expect_match "  and -cpu max" "$cmd" '-cpu max'
info=$("$VIREO" dominfo kvmdom)
expect_match "dominfo: tcg, kvm asked" "$info" '^Accelerator: +tcg \(emulation; kvm asked\)$'
expect_match "dominfo shows the notice" "$info" '^Notice: +domain .kvmdom. has type .kvm. but KVM is not usable'
expect_eq "dominfo --json: accel" "$("$VIREO" dominfo kvmdom --json | jq -r .accel)" tcg
expect_match "the daemon log has it" "$(grep -a 'kvmdom' "$ROOT/vireod.log")" 'warning: .*type .kvm. but KVM is not usable'
wait_for 10 "an event has it" file_has "$ROOT/events.txt" "event 'notice' for domain 'kvmdom': domain 'kvmdom' has type 'kvm'"

stop_daemon
start_daemon "$DAEMON"
expect_match "re-adopted: still tcg, kvm asked" "$("$VIREO" dominfo kvmdom)" \
    '^Accelerator: +tcg \(emulation; kvm asked\)$'
"$VIREO" destroy kvmdom >/dev/null

tiny_xml tcgdom >"$ROOT/tcg.xml"
"$VIREO" define "$ROOT/tcg.xml" >/dev/null
"$VIREO" start tcgdom >"$ROOT/start2.out" 2>"$ROOT/start2.err"
expect_eq "type qemu: no notice" "$(cat "$ROOT/start2.err")" ""
expect_match "type qemu: plain tcg" "$("$VIREO" dominfo tcgdom)" '^Accelerator: +tcg \(emulation\)$'
"$VIREO" destroy tcgdom >/dev/null

stop_daemon
DAEMON_OPTS="--no-default-network --accel strict" start_daemon "$DAEMON"
expect_fail "--accel strict refuses type kvm by name" "type 'kvm' but KVM is not usable.*--accel strict" \
    "$VIREO" start kvmdom
expect_eq "  and it stays shut off" "$("$VIREO" domstate kvmdom)" "shut off"
expect_match "dominfo under strict says a start is refused" "$("$VIREO" dominfo kvmdom)" \
    '^Accelerator: +none: .*--accel strict'
if [ -n "${VIREO_ASAN_BUILD:-}" ]; then no_sanitizer_report; else stop_daemon; fi
expect_fail "vireod --accel takes auto or strict" "--accel takes auto or strict" "$VIREOD" --accel fast
echo "accel: $CHECKS checks passed"
