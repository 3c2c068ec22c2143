#!/usr/bin/env bash
# Windows guests' start, live, with virt-install's own win11 XML under
# TCG (real daemon, QEMU, swtpm; no Windows image is reachable here):
#   swtpm_setup (a fresh TPM's first start) runs off the daemon's loop:
#   while it runs, `vireo list` and a second start from other clients
#   are answered, and the start request returns only after both;
#   every newer <hyperv> child (ipi, tlbflush direct/extended, evmcs,
#   avic, emsr_bitmap, xmm_input, ...) with mode='passthrough' reaches
#   QEMU's -cpu as the hv-* flags TCG takes, and the start's notice (and
#   the daemon log) names the ones left out.
. "$(dirname "$0")/lib.sh"
command -v swtpm_setup >/dev/null || fail "swtpm_setup missing (scripts/install-deps installs swtpm-tools)"
CORPUS=$VIREO_SRC/tests/fixtures/virt-install/corpus
test_cleanup() { [ -e "${GATE:-/nonexistent}" ] || touch "$GATE" 2>/dev/null; netns_remove; }
ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
trap cleanup EXIT
chmod 755 "$ROOT"
LOGS=$ROOT/var/log/vireo/qemu
SWTPM=$ROOT/var/lib/vireo/qemu/swtpm

# swtpm_setup behind a gate: Debian's own, run once $GATE exists. The
# test holds the gate shut while it asks the daemon, so "answered while
# swtpm_setup runs" is an ordering, not a race. Only the daemon's PATH
# has it (QEMU's user runs it: the root is traversable).
GATE=$ROOT/swtpm-setup-gate
mkdir -p "$ROOT/bin"
cat >"$ROOT/bin/swtpm_setup" <<SH
#!/bin/sh
while [ ! -e "$GATE" ]; do sleep 0.05; done
exec /usr/bin/swtpm_setup "\$@"
SH
chmod 755 "$ROOT/bin" "$ROOT/bin/swtpm_setup"
# Its own namespace: the win11 XML uses the default network.
NS=vrt-winlive-$$
PATH=$ROOT/bin:$PATH daemon_in_netns "$NS"

# virt-install's win11 (recorded), its <hyperv> given every newer child.
hv="<hyperv mode='passthrough'>
      <relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/>
      <vpindex state='on'/><runtime state='on'/><synic state='on'/>
      <stimer state='on'><direct state='on'/></stimer><reset state='on'/>
      <vendor_id state='on' value='VireoHV'/><frequencies state='on'/>
      <reenlightenment state='on'/>
      <tlbflush state='on'><direct state='on'/><extended state='on'/></tlbflush>
      <ipi state='on'/><evmcs state='on'/><avic state='on'/>
      <emsr_bitmap state='on'/><xmm_input state='on'/>
    </hyperv>"
sed -e "s|/var/lib/libvirt/images/|$ROOT/|g" -e '/<uuid>/d' -e 's|<name>os-win11</name>|<name>win11-live</name>|' \
    "$CORPUS/os-win11.xml" | awk -v hv="$hv" '/<hyperv>/{skip=1; print "    " hv} !skip{print} /<\/hyperv>/{skip=0}' \
    >"$ROOT/win11.xml"
grep -q "<emsr_bitmap state='on'/>" "$ROOT/win11.xml" || fail "the <hyperv> children did not reach $ROOT/win11.xml"
qemu-img create -q -f qcow2 "$ROOT/os-win11.qcow2" 1G
"$VIREO" define "$ROOT/win11.xml" >/dev/null
ok "virt-install's win11 XML with every <hyperv> child and mode='passthrough' defines"
x=$("$VIREO" dumpxml win11-live --inactive)
for c in ipi evmcs avic emsr_bitmap xmm_input; do
    grep -q "<$c state=\"on\"/>" <<<"$x" || fail "<$c> not written back: $x"
done
expect_match "  written back with mode='passthrough', <tlbflush> direct/extended and the rest" "$x" \
    '<hyperv mode="passthrough">'

# ---- swtpm_setup off the loop ----
"$VIREO" start win11-live >"$ROOT/start.out" 2>"$ROOT/start.err" &
START=$!
wait_for 60 "the first start of a fresh TPM runs swtpm_setup" \
    grep -q "win11-live: swtpm_setup (pid [0-9]*) making its TPM state" "$ROOT/vireod.log"
setup_pid=$(sed -n 's/.*win11-live: swtpm_setup (pid \([0-9]*\)).*/\1/p' "$ROOT/vireod.log" | tail -1)
kill -0 "$setup_pid" || fail "swtpm_setup (pid $setup_pid) is not running"
t0=$(date +%s%N)
# (timeout only so a daemon stuck in swtpm_setup fails here, not hangs)
list=$(timeout 60 "$VIREO" list --all) || fail "vireo list was not answered while swtpm_setup runs"
list_ms=$((($(date +%s%N) - t0) / 1000000))
expect_match "vireo list from another client is answered while swtpm_setup runs" "$list" 'win11-live'
kill -0 "$setup_pid" 2>/dev/null && kill -0 "$START" 2>/dev/null ||
    fail "swtpm_setup or the start request ended before the list was answered"
ok "  swtpm_setup and the start request still running when it was answered (${list_ms} ms)"
expect_fail "a second start during the setup is answered at once: already starting" \
    "already starting" timeout 60 "$VIREO" start win11-live
kill -0 "$START" 2>/dev/null || fail "the start request returned before swtpm_setup was let run"
touch "$GATE"
wait "$START" || fail "the start failed: $(cat "$ROOT/start.err")"
ok "the start request returns once swtpm_setup has made the state"
expect_eq "  the domain runs" "$("$VIREO" domstate win11-live)" running
uuid=$("$VIREO" domuuid win11-live)
[ -f "$SWTPM/$uuid/tpm2-00.permall" ] || fail "no TPM 2.0 state in $SWTPM/$uuid"
setup_ms=$(sed -n 's/.*win11-live: TPM 2.0 state made in .* (swtpm_setup took \([0-9]*\) ms).*/\1/p' \
    "$ROOT/vireod.log" | tail -1)
[ -n "$setup_ms" ] || fail "the daemon log does not say how long swtpm_setup took"
[ "$list_ms" -lt "$setup_ms" ] || fail "the list took ${list_ms} ms, swtpm_setup ${setup_ms} ms"
ok "  the list's ${list_ms} ms lie inside swtpm_setup's own ${setup_ms} ms (from the daemon log)"
order=$(grep -oE 'win11-live: (swtpm_setup|TPM 2.0 state made|serial logger|started)' "$ROOT/vireod.log" |
    head -4 | sed 's/^win11-live: //' | paste -sd ';')
expect_eq "  the first start's order: swtpm_setup, its state, the serial logger, then QEMU" "$order" \
    "swtpm_setup;TPM 2.0 state made;serial logger;started"

# ---- the <hyperv> children on QEMU's -cpu under TCG ----
cpu=$(grep -a -- '-cpu' "$LOGS/win11-live.log" | tail -1 | grep -o -- '-cpu [^ ]*')
want="-cpu max,hv-time=on,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-runtime=on,hv-synic=on"
want+=",hv-stimer=on,hv-stimer-direct=on,hv-reset=on,hv-vendor-id=VireoHV,hv-frequencies=on"
want+=",hv-reenlightenment=on,hv-tlbflush=on,hv-tlbflush-direct=on,hv-tlbflush-ext=on,hv-ipi=on"
want+=",hv-evmcs=on,hv-avic=on,hv-emsr-bitmap=on,hv-xmm-input=on"
expect_eq "QEMU's -cpu has every hv-* flag TCG takes (QEMU started with them: running)" "$cpu" "$want"
notice=$(grep '^notice: Hyper-V' "$ROOT/start.err" || true)
expect_match "the start's notice names what is left out: mode='passthrough' and <vpindex>" "$notice" \
    "^notice: Hyper-V enlightenments mode='passthrough', <vpindex> left out: QEMU takes them only under KVM"
grep -q "win11-live: Hyper-V enlightenments mode='passthrough', <vpindex> left out" "$ROOT/vireod.log" ||
    fail "the daemon log does not name the left-out enlightenments"
ok "  and the daemon log names them too"
wait_for 120 "  the guest runs with them: OVMF clears its serial console" \
    grep -aq $'\e\\[2J' "$LOGS/win11-live-serial0.log"

# ---- the second start: the state is there, no swtpm_setup ----
"$VIREO" destroy win11-live >/dev/null
rm -f "$GATE"
"$VIREO" start win11-live >/dev/null 2>&1 || fail "the second start failed"
expect_eq "the next start uses the made state (no swtpm_setup; its gate shut)" \
    "$(grep -c 'win11-live: swtpm_setup (pid' "$ROOT/vireod.log")" 1
touch "$GATE"
"$VIREO" destroy win11-live >/dev/null
"$VIREO" undefine win11-live --nvram >/dev/null
[ ! -e "$SWTPM/$uuid" ] || fail "undefine left the TPM state $SWTPM/$uuid"
ok "undefine removes the TPM state"
[ -n "${VIREO_ASAN_BUILD:-}" ] && no_sanitizer_report
echo "windows-live: $CHECKS checks passed"
