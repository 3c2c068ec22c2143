#!/usr/bin/env bash
# Soak: CLIENTS (8) clients each doing OPS (150) operations (list, define
# and undefine a domain, create and delete a volume, define and undefine a
# network) against the daemon (the ASan build when VIREOD names it), its
# RSS and open fds sampled every 2 s; the last sample against the first,
# and no sanitizer report at exit.
. "$(dirname "$0")/lib.sh"
CLIENTS=${CLIENTS:-8}
OPS=${OPS:-150}
campaign_setup soak
start_vireod || { echo "soak: vireod did not start" >&2; exit 1; }
sample() { echo "$(awk '/VmRSS/ { print $2 }' /proc/"$DAEMON_PID"/status) $(ls /proc/"$DAEMON_PID"/fd | wc -l)"; }

client() {
    local c=$1 errors=0
    tiny_xml "s$c" qemu >"$ROOT/s$c.xml"
    printf "<network><name>sn%s</name><bridge name='vrs%s'/><ip address='10.88.%s.1' prefix='24'/></network>" \
        "$c" "$c" "$c" >"$ROOT/sn$c.xml"
    for i in $(seq 1 "$OPS"); do
        case $((i % 4)) in
        0) "$VIREO" list --all >/dev/null ;;
        1) "$VIREO" define "$ROOT/s$c.xml" >/dev/null && "$VIREO" undefine "s$c" >/dev/null ;;
        2) "$VIREO" vol-create-as default "sv$c.img" 1M >/dev/null && "$VIREO" vol-delete "sv$c.img" --pool default >/dev/null ;;
        3) "$VIREO" net-define "$ROOT/sn$c.xml" >/dev/null && "$VIREO" net-undefine "sn$c" >/dev/null ;;
        esac || errors=$((errors + 1))
    done
    echo "$errors" >"$ROOT/errors.$c"
}

first=$(sample)
(while sleep 2; do sample >>"$ROOT/samples"; done) &
SAMPLER=$!
t0=$(date +%s)
pids=()
for c in $(seq 1 "$CLIENTS"); do
    client "$c" &
    pids+=($!)
done
wait "${pids[@]}"
kill "$SAMPLER"
last=$(sample)
errors=$(cat "$ROOT"/errors.* | awk '{ s += $1 } END { print s + 0 }')
peak=$(sort -n "$ROOT/samples" 2>/dev/null | tail -1 | cut -d' ' -f1)
stop_vireod
san=none
grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$ROOT/vireod.log" && san=$(grep -Em1 'AddressSanitizer|LeakSanitizer|runtime error' "$ROOT/vireod.log")
result soak_ops "$CLIENTS clients x $OPS operations in $(($(date +%s) - t0)) s, $errors failed"
result soak_rss_kib "${first% *} -> ${last% *} (peak ${peak:-?})"
result soak_fds "${first#* } -> ${last#* }"
result soak_sanitizer "$san"
[ "$errors" -eq 0 ] && [ "$san" = none ] && [ "${first#* }" -ge "${last#* }" ]
