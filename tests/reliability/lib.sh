# Shared by the reliability campaigns (sourced): a private vireod in a
# network namespace the campaign makes, results as KEY=VALUE lines.
# Needs root (namespaces, kill -9 of its own daemon, setpriv).
set -uo pipefail
: "${VIREO_BUILD:?set VIREO_BUILD to a build dir}"
VIREO_SRC=${VIREO_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DAEMON_BIN=${VIREOD:-$VIREO_BUILD/src/daemon/vireod}
# The integration tests' helpers: tiny_xml NAME TYPE DEVICES is the tiny
# guest (kernel + initrd under TCG) with DEVICES inside <devices>.
export VIREO_SRC VIREO_BUILD
. "$VIREO_SRC/tests/integration/lib.sh"
set +e
VIREOD=$DAEMON_BIN
RESULTS=${RESULTS:-/dev/null}
export NO_COLOR=1

say() { echo "[$(date +%T)] $*"; }
result() { echo "$1=$2" >>"$RESULTS"; say "$1 = $2"; }

# campaign_setup TAG: ROOT, NS, SOCK, RO_SOCK and the CLI's default URI.
campaign_setup() {
    NS=vrr-$1-$$
    ROOT=$(mktemp -d "/tmp/vireo-rel-$1.XXXXXX")
    chmod 755 "$ROOT"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    SOCK=$ROOT/vireod.sock
    RO_SOCK=$ROOT/vireod-ro.sock # beside --socket (vireod.8)
    export VIREO_DEFAULT_URI="vireo:///system?socket=$SOCK"
    trap campaign_cleanup EXIT
}

innet() { ip netns exec "$NS" "$@"; }

# start_vireod [EXTRA OPTIONS...]: in the namespace, on ROOT; waits until
# it answers (at most 20 s).
start_vireod() {
    # Not through innet(): a function would put a subshell between $! and
    # vireod, and kill -9 would miss the daemon (ip netns exec execs it).
    ip netns exec "$NS" "$VIREOD" --root "$ROOT" --socket "$SOCK" --no-default-network "$@" >>"$ROOT/vireod.log" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 1 400); do
        [ -S "$SOCK" ] && "$VIREO" uri >/dev/null 2>&1 && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || { tail -20 "$ROOT/vireod.log" >&2; return 1; }
        sleep 0.05
    done
    return 1
}

stop_vireod() {
    [ -n "${DAEMON_PID:-}" ] || return 0
    kill "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
    DAEMON_PID=
}

# Every QEMU and dnsmasq that runs on ROOT's files (outliving daemons).
root_pids() { pgrep -f -- "$ROOT/" | grep -vx "$$" || true; }

campaign_cleanup() {
    stop_vireod
    for pid in $(pgrep -f -- "(qemu-system|dnsmasq).*$ROOT/"); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    [ -n "${KEEP_ROOT:-}" ] || rm -rf "$ROOT"
}

# ms_since START_NS: milliseconds since a `date +%s%N` value.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
