# Shared helpers for integration tests (sourced). Each test script is one
# meson test: it exits non-zero on the first failed check and says which.
set -euo pipefail
: "${VIREO_BUILD:?run through meson test}"
: "${VIREO_SRC:?run through meson test}"
VIREO="$VIREO_BUILD/src/cli/vireo"
VIREOD="$VIREO_BUILD/src/daemon/vireod"
export NO_COLOR=1

CHECKS=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { CHECKS=$((CHECKS + 1)); echo "ok $CHECKS - $*"; }
# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; ok "$1"; }
# expect_match WHAT TEXT REGEX
expect_match() { grep -Eq -- "$3" <<<"$2" || fail "$1: '$2' does not match /$3/"; ok "$1"; }
# expect_rows_form PATH KEY [JQ]: GET PATH?rows=1 (the compact form
# libvireo reads) is GET PATH's list under KEY, key for key (null and
# absent alike; JQ, such as 'del(.available)', first takes out what
# changes between the two calls).
expect_rows_form() {
    local objects rows each="with_entries(select(.value != null)) | ${3:-.}"
    objects=$(curl -sf --unix-socket "$SOCK" "http://vireod$1" | jq -cS ".$2 | map($each)")
    rows=$(curl -sf --unix-socket "$SOCK" "http://vireod$1?rows=1" |
        jq -cS "[.keys as \$k | .$2[] | [\$k, .] | transpose | map({(.[0]): .[1]}) | add] | map($each)")
    [ -n "$objects" ] && [ "$objects" != "[]" ] || fail "GET $1 answered no $2: '$objects'"
    expect_eq "GET $1?rows=1 is the object form in rows" "$rows" "$objects"
}

# ---- a private daemon, guests, and cleanup ----
IMAGES=${VIREO_IMAGE_DIR:-$HOME/.cache/vireo/images}
ROOT=
DAEMON_PID=

need_images() {
    [ -r "$IMAGES/tiny-vmlinuz" ] && [ -r "$IMAGES/tiny-initrd.img" ] ||
        fail "guest images missing in $IMAGES (run: make images)"
}

# need_browser: Debian's Chromium, the built web UI and playwright-core,
# for the browser tests (tests/web/*.mjs).
need_browser() {
    [ -x /usr/bin/chromium ] || fail "chromium missing (scripts/install-deps installs it)"
    [ -f "$VIREO_SRC/web/dist/index.html" ] || fail "the web UI is not built (make web)"
    [ -d "$VIREO_SRC/web/node_modules/playwright-core" ] || fail "playwright-core missing (make web runs npm ci)"
}

# need_asan_daemon: ASAN_VIREOD is the ASan/UBSan build's daemon (make
# asan; meson test gets it through VIREO_ASAN_BUILD), set to report
# leaks at exit and stop at the first error.
need_asan_daemon() {
    ASAN_VIREOD=${VIREO_ASAN_BUILD:-}/src/daemon/vireod
    [ -x "$ASAN_VIREOD" ] || fail "no ASan daemon at $ASAN_VIREOD (make asan)"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
}

# virsh_daemon: Debian's virsh against the ASan daemon's libvirt-sock:
# checks the guest images, the ASan build and virsh, starts the daemon,
# sets URI to its libvirt-sock and virsh() to quiet virsh on it.
virsh_daemon() {
    need_images
    need_asan_daemon
    command -v virsh >/dev/null || fail "virsh missing (make deps: libvirt-clients)"
    start_daemon "$ASAN_VIREOD"
    URI="qemu:///system?socket=$ROOT/libvirt-sock"
    virsh() { command virsh -q -c "$URI" "$@"; }
}

# start_daemon [VIREOD]: a vireod in a fresh --root; the CLI reaches it
# through VIREO_DEFAULT_URI.
start_daemon() {
    local bin=${1:-$VIREOD}
    if [ -z "$ROOT" ]; then
        ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
        trap cleanup EXIT
    fi
    # dnsmasq rereads its host files after dropping to 'nobody': the
    # root must be traversable, as /run and /var/lib are.
    chmod 755 "$ROOT"
    SOCK=$ROOT/vireod.sock
    export VIREO_DEFAULT_URI="vireo:///system?socket=$SOCK"
    # Outside a test's own network namespace, never make host networks.
    ${DAEMON_WRAP:-} "$bin" --root "$ROOT" --socket "$SOCK" ${DAEMON_OPTS:---no-default-network} \
        >>"$ROOT/vireod.log" 2>&1 &
    DAEMON_PID=$!
    for _ in $(seq 1 600); do
        # hostname asks the daemon (uri alone answers from the client): it
        # answers once every driver is set up, the default pool made.
        [ -S "$SOCK" ] && "$VIREO" hostname >/dev/null 2>&1 && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$ROOT/vireod.log" >&2; fail "vireod died at start"; }
        sleep 0.05
    done
    fail "vireod did not answer within 30 s"
}

# daemon_maps STEM...: the running daemon has each shared library STEM
# (libiscsi: libiscsi.so.7.0.0) mapped. Libraries opened at first use
# (src/common/dlib.c) are mapped once a feature has needed them.
daemon_maps() {
    local stem
    for stem in "$@"; do
        grep -q "/$stem\.so[.0-9]*\$" "/proc/$DAEMON_PID/maps" || return 1
    done
}

# daemon_lazy_unloaded WHY STEM...: none of the libraries is mapped yet.
daemon_lazy_unloaded() {
    local why=$1 stem
    shift
    for stem in "$@"; do
        daemon_maps "$stem" && fail "vireod loaded $stem $why"
    done
    ok "vireod has not loaded $* $why"
}

stop_daemon() {
    [ -n "$DAEMON_PID" ] || return 0
    kill "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
}

# no_sanitizer_report: stop the daemon (LeakSanitizer checks at exit)
# and fail on any ASan/UBSan report in its log. Nothing to find when the
# daemon is not a sanitizer build.
no_sanitizer_report() {
    stop_daemon
    if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$ROOT/vireod.log"; then
        grep -E -A30 'AddressSanitizer|LeakSanitizer|runtime error' "$ROOT/vireod.log" | head -60 >&2
        fail "sanitizer report in the daemon log"
    fi
    ok "no sanitizer report (leaks checked at exit)"
}

cleanup() {
    local rc=$?
    stop_daemon
    # QEMUs outlive the daemon by design: end the ones this test made.
    for pidfile in "$ROOT"/run/vireo/qemu/*/qemu.pid "$ROOT"/run/vireo/network/*/dnsmasq.pid; do
        [ -r "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    # So do image helpers (docs/images.md): their whole group, if the pid
    # is still the one that wrote its state (pid + start time).
    for state in "$ROOT"/run/vireo/image-jobs/*/state; do
        local pid start
        pid=$(jq -r .pid "$state" 2>/dev/null) start=$(jq -r .start_time "$state" 2>/dev/null) || continue
        [ "$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null)" = "$start" ] && kill -9 -- "-$pid" 2>/dev/null || true
    done
    # A test's own extra cleanup (servers), then open_test's namespace.
    if declare -F test_cleanup >/dev/null; then test_cleanup || true; fi
    netns_remove
    if [ "$rc" -ne 0 ] && [ -f "$ROOT/vireod.log" ]; then
        echo "--- vireod.log (last 40 lines)" >&2
        tail -40 "$ROOT/vireod.log" >&2
        for log in "$ROOT"/var/log/vireo/qemu/*.log "$ROOT"/run/vireo/network/*/dnsmasq.log; do
            [ -f "$log" ] && { echo "--- $log" >&2; grep -Ev 'sent size|requested options|next server|tags:|vendor class|available DHCP|client provides' "$log" | tail -40 >&2 || true; }
        done
    fi
    [ -n "$ROOT" ] && rm -rf "$ROOT"
    exit "$rc"
}

# tiny_xml NAME [TYPE] [INTERFACE-XML]: the tiny guest booted from
# kernel+initrd under TCG, serial console, user-mode network unless
# another <interface> is given.
tiny_xml() {
    local iface=${3:-"<interface type='user'><model type='virtio'/></interface>"}
    cat <<XML
<domain type='${2:-qemu}'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$IMAGES/tiny-vmlinuz</kernel>
    <initrd>$IMAGES/tiny-initrd.img</initrd>
    <cmdline>console=ttyS0 cryptomgr.notests=1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    $iface
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
XML
}

# open_test [--asan] [--virsh] [--netns PREFIX]: the opening of a test
# with guests. Checks the guest images and starts vireod in a fresh
# --root: with --asan the ASan build's (need_asan_daemon), with --netns
# in a network namespace PREFIX-PID of the test's own (so the default
# network exists; removed at exit, HOSTNS names it). Sets V (the CLI),
# W=$ROOT/w (a work directory), serial NAME (a guest's serial log) and
# with --virsh LV, Debian's virsh on libvirt-sock.
open_test() {
    local bin=$VIREOD lv=
    need_images
    while [ $# -gt 0 ]; do
        case $1 in
        --asan) need_asan_daemon; bin=$ASAN_VIREOD ;;
        --virsh) command -v virsh >/dev/null || fail "virsh missing (make deps: libvirt-clients)"; lv=1 ;;
        --netns) HOSTNS=$2-$$; shift ;;
        *) fail "open_test: unknown option $1" ;;
        esac
        shift
    done
    if [ -n "${HOSTNS:-}" ]; then
        ROOT=$(mktemp -d /tmp/vireo-test.XXXXXX)
        trap cleanup EXIT
        netns_make "$HOSTNS"
        DAEMON_WRAP="ip netns exec $HOSTNS" DAEMON_OPTS=" " start_daemon "$bin"
    else
        start_daemon "$bin"
    fi
    V=$VIREO
    W=$ROOT/w
    mkdir -p "$W"
    [ -z "$lv" ] || LV="command virsh -q -c qemu:///system?socket=$ROOT/libvirt-sock"
}
serial() { echo "$ROOT/var/log/vireo/qemu/$1-serial0.log"; }

# boot_tiny NAME DEVICES-XML: the tiny guest NAME with these devices
# (tiny_xml's third argument) defined from $W/NAME.xml, started, and
# waited for (60 s) until it boots.
boot_tiny() {
    tiny_xml "$1" qemu "$2" >"$W/$1.xml"
    "$VIREO" define "$W/$1.xml" >/dev/null
    "$VIREO" start "$1" >/dev/null
    wait_for 60 "$1 boots" file_has "$(serial "$1")" VIREO-GUEST-READY
}

# wait_for TIMEOUT_S DESCRIPTION COMMAND...: retry COMMAND until it succeeds.
wait_for() {
    local t=$1 what=$2
    shift 2
    local end=$((SECONDS + t))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || fail "timed out after ${t}s waiting for $what"
        sleep 0.1
    done
    ok "$what"
}

# beside_start WHAT LOG-RE CMD...: run CMD in the background and check
# that the daemon's loop stays free while CMD waits on the network: once
# vireod.log has one more line matching LOG-RE (the call is under way
# beside the loop), `vireo list` must answer in under a second. Other
# checks may run meanwhile; beside_wait then waits for CMD: its output
# (stdout and stderr) is in $ROOT/beside.out, its exit status in BESIDE_RC.
beside_start() {
    local what=$1 re=$2 before t0 ms
    shift 2
    before=$(grep -c -- "$re" "$ROOT/vireod.log" || true)
    "$@" > "$ROOT/beside.out" 2>&1 &
    BESIDE_PID=$!
    beside_under_way() { [ "$(grep -c -- "$re" "$ROOT/vireod.log" || true)" -gt "$before" ]; }
    wait_for 5 "$what is under way" beside_under_way
    t0=$(date +%s%N)
    "$VIREO" list --all >/dev/null || fail "vireo list failed while $what waited"
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$ms" -lt 1000 ] || fail "vireo list took $ms ms while $what waited (the loop stalled)"
    ok "vireo list answers at once ($ms ms) while $what waits"
}
beside_wait() {
    BESIDE_RC=0
    wait "$BESIDE_PID" || BESIDE_RC=$?
}
# The two at once: nothing to check meanwhile.
beside_loop() {
    beside_start "$@"
    beside_wait
}

# start_booted NAME [WHAT]: start a defined domain and wait (60 s) until
# its serial log has one more VIREO-GUEST-READY than before (so a second
# start of the same domain waits for its own boot).
guest_readies() { grep -c VIREO-GUEST-READY "$ROOT/var/log/vireo/qemu/$1-serial0.log" 2>/dev/null || true; }
readies_above() { [ "$(guest_readies "$1")" -gt "$2" ]; }
start_booted() {
    local before
    before=$(guest_readies "$1")
    "$VIREO" start "$1" >/dev/null
    wait_for 60 "${2:-$1 booted}" readies_above "$1" "${before:-0}"
}

# ---- network namespaces of a test's own --------------------------------------
NETNS_MADE=()
# netns_make NAME...: fresh namespaces with lo up; netns_remove deletes them.
netns_make() {
    local ns
    for ns in "$@"; do
        ip netns add "$ns"
        NETNS_MADE+=("$ns")
        ip -n "$ns" link set lo up
    done
}
netns_remove() {
    local ns
    for ns in "${NETNS_MADE[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces,
# both ends up, each with ADDR/24 unless ADDR is "-".
veth() {
    ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
    [ "$3" = - ] || ip -n "$1" addr add "$3/24" dev "$2"
    [ "$6" = - ] || ip -n "$4" addr add "$6/24" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

# sshd_conf ADDR DIR: DIR/sshd_config for a test's own sshd on ADDR:22,
# key logins only, with its host key DIR/hostkey (made here), the keys
# it lets in in DIR/authorized_keys and its pid in DIR/sshd.pid. Start
# it with: ip netns exec NS /usr/sbin/sshd -f DIR/sshd_config -E LOG
sshd_conf() {
    ssh-keygen -q -t ed25519 -N '' -f "$2/hostkey"
    touch "$2/authorized_keys"
    cat > "$2/sshd_config" <<CONF
ListenAddress $1
Port 22
HostKey $2/hostkey
AuthorizedKeysFile $2/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $2/sshd.pid
CONF
    mkdir -p /run/sshd
}

# daemon_in_netns NS: vireod in a fresh network namespace NS of the
# test's own (so the default network exists), the ASan build's when
# there is one (make check builds it). Called again after stop_daemon,
# it restarts the daemon there. The test's test_cleanup calls netns_remove.
DAEMON_IN_NETNS=
daemon_in_netns() {
    if [ -z "$DAEMON_IN_NETNS" ]; then
        DAEMON_IN_NETNS=$VIREOD
        if [ -n "${VIREO_ASAN_BUILD:-}" ]; then
            DAEMON_IN_NETNS=$VIREO_ASAN_BUILD/src/daemon/vireod
            export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
        fi
        netns_make "$1"
    fi
    DAEMON_WRAP="ip netns exec $1" DAEMON_OPTS=" " start_daemon "$DAEMON_IN_NETNS"
}

# QEMU's block node names and its /objects of running domain $1, sorted
# and space-separated (what a detach must leave behind).
qemu_nodes() {
    "$VIREO" qemu-monitor-command "$1" '{"execute":"query-named-block-nodes"}' |
        grep -o '"node-name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | sort -u | tr '\n' ' '
}
qemu_objects() {
    "$VIREO" qemu-monitor-command "$1" '{"execute":"qom-list","arguments":{"path":"/objects"}}' |
        grep -o '"name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | sort -u | tr '\n' ' '
}

# guest NAME SH: run SH on the guest's serial console, print what it printed.
guest() { printf '%s\n' "$2" | timeout 5 "$VIREO" console "$1" 2>/dev/null | tr -d '\r' || true; }
# guest_until NAME SH REGEX: run SH in the guest until its output matches
# (about 12 s of tries), print the last output.
guest_until() {
    local out
    for _ in $(seq 1 40); do
        out=$(guest "$1" "$2")
        grep -Eq -- "$3" <<<"$out" && { echo "$out"; return 0; }
        sleep 0.3
    done
    echo "$out"
}

state_is() { [ "$("$VIREO" domstate --reason "$1")" = "$2" ]; }
file_has() { grep -q -- "$2" "$1" 2>/dev/null; }

# verr WHAT REGEX ARGS...: virsh on $URI (libvirt-sock) fails with an
# error line matching REGEX.
verr() {
    local what=$1 re=$2 out
    shift 2
    out=$(command virsh -q -c "$URI" "$@" 2>&1 >/dev/null) && fail "$what: virsh $* succeeded"
    grep -Eq -- "$re" <<<"$out" || fail "$what: '$out' does not match /$re/"
    ok "$what"
}

# expect_fail WHAT REGEX COMMAND...: COMMAND must fail with a one-line
# error matching REGEX.
expect_fail() {
    local what=$1 re=$2
    shift 2
    local out rc=0
    out=$("$@" 2>&1 >/dev/null) || rc=$?
    [ "$rc" -ne 0 ] || fail "$what: succeeded, should have failed"
    [ -z "${STEP_LINES:-}" ] || out=$(grep -Ev '^\[ *[0-9.]+%\] ' <<<"$out" || true)
    [ "$(wc -l <<<"$out")" -eq 1 ] || fail "$what: error is not one line: $out"
    grep -Eq -- "$re" <<<"$out" || fail "$what: error '$out' does not match /$re/"
    ok "$what"
}
# expect_job_fail: the same for an image tool whose job the daemon began
# and which fails on the way: its step lines ("[ 30.0%] starting the
# libguestfs appliance", printed while stderr is no terminal) come
# before the one-line error.
expect_job_fail() { STEP_LINES=1 expect_fail "$@"; }

# xvfb_open: a display of the test's own for a GUI program (virt-manager):
# Xvfb picks a free number and says which; DISPLAY is exported, XVFB_PID
# set (the test's test_cleanup ends it), GTK's settings kept in memory
# and under ROOT. Then shot NAME (the screen into $ART/NAME), window
# TITLE-REGEX (its X id) and wait_window TITLE-REGEX (20 s).
xvfb_open() {
    Xvfb -displayfd 9 -screen 0 1280x900x24 -nolisten tcp 9>"$ROOT/display" >"$ROOT/xvfb.log" 2>&1 &
    XVFB_PID=$!
    wait_for 10 "Xvfb starts" test -s "$ROOT/display"
    export DISPLAY=:$(cat "$ROOT/display")
    export GSETTINGS_BACKEND=memory XDG_CONFIG_HOME=$ROOT/config XDG_CACHE_HOME=$ROOT/cache
}
shot() { /usr/bin/python3 "$VIREO_SRC/tests/integration/x-screenshot.py" "$ART/$1" || fail "no screenshot $1"; }
window() { xdotool search --name "$1" 2>/dev/null | head -1; }
wait_window() {
    local w
    for _ in $(seq 1 100); do
        w=$(window "$1") && [ -n "$w" ] && { echo "$w"; return 0; }
        sleep 0.2
    done
    return 1
}

# vmm_logs_clean LOG: virt-manager (VM_PID, ended here) logged no error in
# its debug log LOG but its "Error registering" the event kinds vireod
# does not send, and called no procedure vireod does not serve (vireod
# logs each one it answers "not supported").
vmm_logs_clean() {
    if grep -E "Traceback|ERROR" "$1" | grep -v "Error registering" >"$ROOT/errs"; then
        fail "virt-manager reported errors: $(head -20 "$ROOT/errs")"
    fi
    ok "virt-manager logged no error (only the event kinds vireod does not send)"
    if grep "is not supported" "$ROOT/vireod.log" >"$ROOT/unserved"; then
        fail "virt-manager called procedures vireod does not serve: $(cat "$ROOT/unserved")"
    fi
    ok "virt-manager called no procedure vireod does not serve"
    kill "$VM_PID" 2>/dev/null
    wait "$VM_PID" 2>/dev/null || true
    VM_PID=
}

# need_virt_manager: a virt-manager test's opening: the guest images, the
# ASan daemon, virt-manager, Xvfb and xdotool; ART (BUILD/gui-artifacts,
# where its screenshots and logs go) made; XVFB_PID and VM_PID (Xvfb's
# and virt-manager's) empty for the test's test_cleanup.
need_virt_manager() {
    need_images
    need_asan_daemon
    local tool
    for tool in virt-manager Xvfb xdotool; do
        command -v "$tool" >/dev/null || fail "$tool missing (make deps: virt-manager, xvfb, xdotool)"
    done
    ART=$VIREO_BUILD/gui-artifacts
    mkdir -p "$ART"
    XVFB_PID= VM_PID=
}
