#!/usr/bin/env bash
# The kill -9 campaign: ROUNDS (default 100) rounds of a burst of
# acknowledged operations (define, start, net-define + net-start,
# vol-create-as, clone, snapshot-create-as) against a real vireod, which
# is killed with SIGKILL at a random moment and restarted. Counted:
#   acknowledged  operations the client got success for
#   lost          acknowledged, but gone (or not running/active) after the restart
#   torn          definition files that do not parse (xmllint)
#   left-over     temp files (*.tmp.*), run dirs of domains not running,
#                 QEMU/dnsmasq processes the restarted daemon did not re-adopt
# Results as KEY=VALUE lines in $RESULTS; exit 1 if anything was lost,
# torn or left over.
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-100}
[ -r "$IMAGES/tiny-vmlinuz" ] || { echo "kill9: guest images missing in $IMAGES (make images)" >&2; exit 1; }
campaign_setup kill
start_vireod || { echo "kill9: vireod did not start" >&2; exit 1; }

# The original the rounds clone and snapshot: a qcow2 volume disk.
"$VIREO" vol-create-as default kbase.qcow2 1M --format qcow2 >/dev/null
tiny_xml kbase qemu "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='kbase.qcow2'/><target dev='vda' bus='virtio'/></disk>" >"$ROOT/kbase.xml"
"$VIREO" define "$ROOT/kbase.xml" >/dev/null || { echo "kill9: the base domain does not define" >&2; exit 1; }

acked=0 lost=0
declare -A torn_seen=() left_seen=()
lost_list=()

burst() { # ROUND: every success on its own line in ACKS
    local r=$1 a=$ROOT/acks
    tiny_xml "k$r" qemu "<interface type='user'><model type='virtio'/></interface>" >"$ROOT/k.xml"
    cat >"$ROOT/n.xml" <<XML
<network><name>kn$r</name><bridge name='vrk$r'/><ip address='10.77.$((r % 250)).1' prefix='24'><dhcp><range start='10.77.$((r % 250)).10' end='10.77.$((r % 250)).20'/></dhcp></ip></network>
XML
    "$VIREO" define "$ROOT/k.xml" >/dev/null 2>&1 && echo "define k$r" >>"$a"
    "$VIREO" start "k$r" >/dev/null 2>&1 && echo "start k$r" >>"$a"
    "$VIREO" net-define "$ROOT/n.xml" >/dev/null 2>&1 && echo "net-define kn$r" >>"$a"
    "$VIREO" net-start "kn$r" >/dev/null 2>&1 && echo "net-start kn$r" >>"$a"
    "$VIREO" vol-create-as default "kv$r.img" 1M >/dev/null 2>&1 && echo "vol-create kv$r.img" >>"$a"
    "$VIREO" clone --original kbase --name "kc$r" --auto-clone >/dev/null 2>&1 && echo "clone kc$r" >>"$a"
    "$VIREO" snapshot-create-as kbase "ks$r" >/dev/null 2>&1 && echo "snapshot ks$r" >>"$a"
}

still_there() { # KIND NAME
    case $1 in
    define | clone) "$VIREO" dominfo "$2" >/dev/null 2>&1 ;;
    start) [ "$("$VIREO" domstate "$2" 2>/dev/null)" = running ] ;;
    net-define) "$VIREO" net-info "$2" >/dev/null 2>&1 ;;
    net-start) [ "$("$VIREO" net-info "$2" --json 2>/dev/null | jq -r .active)" = true ] ;;
    vol-create) "$VIREO" vol-info "$2" --pool default >/dev/null 2>&1 ;;
    snapshot) "$VIREO" snapshot-info kbase "$2" >/dev/null 2>&1 ;;
    esac
}

# What a restarted daemon must not leave behind.
check_leftovers() {
    while read -r f; do left_seen["tmp $f"]=1; done < <(find "$ROOT" -name '*.tmp.*' 2>/dev/null)
    local running
    running=$("$VIREO" list --name 2>/dev/null)
    for d in "$ROOT"/run/vireo/qemu/*/; do
        [ -d "$d" ] || continue
        local n=${d%/}; n=${n##*/}
        grep -qx -- "$n" <<<"$running" || left_seen["rundir $n"]=1
    done
    for pid in $(pgrep -f -- "qemu-system.*$ROOT/"); do
        local n
        n=$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -Eo -- '-name (guest=)?[^ ,]+' | sed -E 's/-name (guest=)?//')
        grep -qx -- "$n" <<<"$running" || left_seen["qemu $pid $n"]=1
    done
    local active
    active=$("$VIREO" net-list --name 2>/dev/null)
    for pid in $(pgrep -f -- "dnsmasq.*$ROOT/"); do
        local n
        n=$(tr '\0' '\n' </proc/"$pid"/cmdline 2>/dev/null | grep -Eo -- 'network/[^/]+/' | head -1 | cut -d/ -f2)
        grep -qx -- "$n" <<<"$active" || left_seen["dnsmasq $pid $n"]=1
    done
}

check_torn() {
    while read -r f; do
        xmllint --noout "$f" 2>/dev/null || torn_seen["$f"]=1
    done < <(find "$ROOT/etc" -name '*.xml' 2>/dev/null)
}

tidy_round() { # remove what the round made, so rounds stay small
    local r=$1
    "$VIREO" destroy "k$r" >/dev/null 2>&1
    "$VIREO" undefine "k$r" >/dev/null 2>&1
    "$VIREO" undefine "kc$r" --remove-all-storage >/dev/null 2>&1
    "$VIREO" net-destroy "kn$r" >/dev/null 2>&1
    "$VIREO" net-undefine "kn$r" >/dev/null 2>&1
    "$VIREO" vol-delete "kv$r.img" --pool default >/dev/null 2>&1
    "$VIREO" snapshot-delete kbase "ks$r" >/dev/null 2>&1
    # Strays were counted: end them so they do not pile up.
    for key in "${!left_seen[@]}"; do
        case $key in qemu* | dnsmasq*) set -- $key; kill -9 "$2" 2>/dev/null ;; esac
    done
}

start=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
    : >"$ROOT/acks"
    burst "$r" &
    bpid=$!
    sleep "$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.3f", rand() * 1.2 }')"
    kill -9 "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
    wait "$bpid" 2>/dev/null
    if ! start_vireod; then
        echo "kill9: round $r: vireod does not start again after kill -9" >&2
        result kill9_restart_failed "round $r"
        break
    fi
    while read -r kind name; do
        acked=$((acked + 1))
        still_there "$kind" "$name" || { lost=$((lost + 1)); lost_list+=("round $r: $kind $name"); }
    done <"$ROOT/acks"
    check_torn
    check_leftovers
    tidy_round "$r"
    [ $((r % 10)) -eq 0 ] && say "kill9: $r rounds, $acked acknowledged, $lost lost, ${#torn_seen[@]} torn, ${#left_seen[@]} left over"
done
secs=$(($(date +%s) - start))
for l in "${lost_list[@]}"; do echo "kill9: lost: $l"; done
for t in "${!torn_seen[@]}"; do echo "kill9: torn: $t"; done
for o in "${!left_seen[@]}"; do echo "kill9: left over: $o"; done
result kill9_rounds "$r"
result kill9_seconds "$secs"
result kill9_acknowledged "$acked"
result kill9_lost "$lost"
result kill9_torn "${#torn_seen[@]}"
kinds=$(printf '%s\n' "${!left_seen[@]}" | awk 'NF { print $1 }' | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep=", " }')
result kill9_leftover "${#left_seen[@]}${kinds:+ ($kinds)}"
[ "$lost" -eq 0 ] && [ "${#torn_seen[@]}" -eq 0 ] && [ "${#left_seen[@]}" -eq 0 ] && [ "$acked" -gt 0 ]
