# shellcheck shell=bash
# Helpers of bench/run (sourced): the host, the private tree, the two
# daemons, measuring, cleanup. Every process of both systems runs as the
# unprivileged $BUSER through asuser.

die() {
    echo "bench: $*" >&2
    exit 1
}
note() { echo "bench: $*" >&2; }

# ---- the host: packages, the bench user, facts for the results ----------------
setup_host() {
    local pkgs=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev
        gcc pkg-config jq qemu-system-x86 util-linux procps) missing=() p
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        note "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/vireo-bench-apt.log 2>&1 || {
            apt-get update -q >>/tmp/vireo-bench-apt.log 2>&1
            apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/vireo-bench-apt.log 2>&1 ||
                die "apt-get failed; see /tmp/vireo-bench-apt.log"
        }
    fi
    if ! id -u "$BUSER" >/dev/null 2>&1; then
        note "creating the unprivileged user $BUSER (both daemons run as it)"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$BUSER"
    fi
    # Leftovers of an interrupted run (the lock says no other run is live).
    local pid
    for pid in $(pgrep -u "$BUSER" || true); do kill -9 "$pid" 2>/dev/null || true; done

    IMAGES=$("$SRC_DIR/scripts/build-guest-images" --print-dir)
    [ -r "$IMAGES/tiny-vmlinuz" ] && [ -r "$IMAGES/tiny-initrd.img" ] ||
        die "guest images missing in $IMAGES (make images)"
    [ -x "$BUILD/src/daemon/vireod" ] && [ -x "$BUILD/src/cli/vireo" ] ||
        die "vireod or vireo missing in $BUILD (make build)"

    CPU_MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    CORES=$(nproc)
    QEMU_VERSION=$(qemu-system-x86_64 --version | head -1)
    LIBVIRT_VERSION=$(libvirtd --version)
    VIREO_VERSION=$("$BUILD/src/daemon/vireod" --version)
    local commit
    commit=$(git -C "$SRC_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git -C "$SRC_DIR" status --porcelain -- src include 2>/dev/null)" ]; then
        commit="$commit+dirty"
    fi
    VIREO_COMMIT=$commit
}

# ---- the private tree: binaries, images, XML, tools -------------------------------
# Everything lives in T (mode 755 so that $BUSER reaches it). The build's
# binaries are copied, so a rebuild during the run changes nothing.
setup_tree() {
    T=$(mktemp -d /tmp/vireo-bench.XXXXXX)
    chmod 755 "$T"
    mkdir -p "$T/bin" "$T/img" "$T/serial" "$T/xml/vireo" "$T/xml/libvirt" \
        "$T/build/src/daemon" "$T/build/src/cli" "$T/build/src/client"
    # vireod and the helpers it starts from beside itself (the serial logger)
    cp "$BUILD/src/daemon/vireod" "$BUILD/src/daemon/vireo-serial-logger" "$T/build/src/daemon/"
    cp "$BUILD/src/cli/vireo" "$T/build/src/cli/"
    find "$BUILD/src/client" -maxdepth 1 -name 'libvireo.so*' ! -type d -exec cp -P {} "$T/build/src/client/" \;
    cp "$IMAGES/tiny-vmlinuz" "$IMAGES/tiny-initrd.img" "$T/img/"
    chown "$BUSER:" "$T/serial"
    : >"$T/rows.tsv"
    : >"$T/samples.tsv"
    cd "$T" || die "cannot enter $T"
    VIREOD=$T/build/src/daemon/vireod
    VIREO=$T/build/src/cli/vireo
    jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg cpu "$CPU_MODEL" --argjson cores "$CORES" \
        --arg mem "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" --arg kernel "$(uname -r)" \
        --arg qemu "$QEMU_VERSION" --arg libvirt "$LIBVIRT_VERSION" --arg vireo "$VIREO_VERSION" \
        --arg commit "$VIREO_COMMIT" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --argjson rounds "$ROUNDS" --argjson boot_rounds "$BOOT_ROUNDS" --argjson cli_rounds "$CLI_ROUNDS" \
        '{date: $date, host: {cpu_model: $cpu, cores: $cores, mem_kib: ($mem | tonumber), kernel: $kernel,
          loadavg_at_start: $load},
          versions: {qemu: $qemu, libvirt: $libvirt, vireo: $vireo, vireo_commit: $commit},
          rounds: {warmup: 1, default: $rounds, boot: $boot_rounds, cli: $cli_rounds},
          accelerator: "tcg (domain type qemu)"}' >"$T/meta.json"
}

build_tools() {
    # The header of the sources BUILD was built from (they may differ from
    # this checkout's while others edit it).
    local inc
    inc=$(jq -r '.directories.source // empty' "$BUILD/meson-info/meson-info.json" 2>/dev/null || true)
    inc=${inc:-$SRC_DIR}/include
    local cflags=(-O2 -Wall -Wextra -I"$inc")
    gcc "${cflags[@]}" -o "$T/bin/benchtool" "$BENCH_DIR/tools/benchtool.c"
    gcc "${cflags[@]}" -o "$T/bin/api_vireo" "$BENCH_DIR/tools/api_vireo.c" \
        -L"$T/build/src/client" -lvireo -Wl,-rpath,"$T/build/src/client"
    # shellcheck disable=SC2046
    gcc "${cflags[@]}" -o "$T/bin/api_libvirt" "$BENCH_DIR/tools/api_libvirt.c" $(pkg-config --cflags --libs libvirt)
}

# The tiny guest, as tests/integration/lib.sh's tiny_xml. The one difference:
# libvirt logs the serial port through <log file>; Vireo refuses <log> and
# always logs serial port 0 to LOG/qemu/NAME-serial0.log.
domain_xml() { # NAME SYSTEM [UUID] [INTERFACE-XML]
    local log="" uuid="" iface=${4:-"<interface type='user'><model type='virtio'/></interface>"}
    [ "$2" = libvirt ] && log="<log file='$T/serial/$1.log' append='off'/>"
    [ -n "${3:-}" ] && uuid="<uuid>$3</uuid>"
    cat <<XML
<domain type='qemu'>
  <name>$1</name>$uuid
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$T/img/tiny-vmlinuz</kernel>
    <initrd>$T/img/tiny-initrd.img</initrd>
    <cmdline>console=ttyS0 cryptomgr.notests=1</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    $iface
    <serial type='pty'>$log<target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
XML
}

write_xml() {
    local sys i
    for sys in "${SYSTEMS[@]}"; do
        local d=$T/xml/$sys
        domain_xml tiny "$sys" >"$d/tiny.xml"
        domain_xml probe "$sys" 5e1f7c2a-0b4d-4c1e-9a57-3d2b8e6f4a10 >"$d/probe.xml"
        domain_xml @NAME@ "$sys" >"$d/template.xml"
        mkdir -p "$d/d"
        for i in $(seq -f %04g 1 100); do
            domain_xml "d-$i" "$sys" >"$d/d/d-$i.xml"
        done
    done
    # define-100.sh DIR CLI...: one CLI process per definition.
    cat >"$T/xml/define-100.sh" <<'SH'
dir=$1
shift
for f in "$dir"/d-*.xml; do
    "$@" define "$f" >/dev/null || exit 1
done
SH
    chmod -R a+rX "$T/xml" "$T/bin" "$T/img" "$T/build"
}

# ---- the two systems ----------------------------------------------------------------
# Per system, the current private directory: VROOT (vireod --root and its
# socket), LVDIR (libvirtd's HOME and XDG dirs).
VROOT=
LVDIR=
declare -A DPID=()

# asuser CMD...: run CMD as the bench user, with the private environment.
# ASUSER holds the same prefix as words, for `"${ASUSER[@]}" CMD &`, so
# that $! is the command's own pid (setpriv and env exec into it).
asuser_words() {
    ASUSER=(setpriv --reuid="$BUSER" --regid="$BUSER" --clear-groups
        env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C NO_COLOR=1
        HOME="$LVDIR/home" XDG_CONFIG_HOME="$LVDIR/config" XDG_CACHE_HOME="$LVDIR/cache"
        XDG_RUNTIME_DIR="$LVDIR/runtime" LIBVIRT_AUTOSTART=0)
}
asuser() {
    asuser_words
    "${ASUSER[@]}" "$@"
}

uri() {
    case $1 in
    vireo) echo "vireo:///system?socket=$VROOT/vireod.sock" ;;
    libvirt) echo "qemu:///session" ;;
    esac
}

# The CLI's command words (no spaces in them: T has none).
cli_words() {
    case $1 in
    vireo) echo "$VIREO -c $(uri vireo)" ;;
    libvirt) echo "virsh -c qemu:///session" ;;
    esac
}

cli() { # SYSTEM ARGS...: the system's CLI, as the bench user
    local sys=$1
    shift
    case $sys in
    vireo) asuser "$VIREO" -c "$(uri vireo)" "$@" ;;
    libvirt) asuser virsh -c qemu:///session "$@" ;;
    esac
}

tcli() { # SYSTEM ARGS...: timed; prints "T0_US WALL_US MAXRSS_KIB STATUS"
    local sys=$1
    shift
    case $sys in
    vireo) asuser "$T/bin/benchtool" time "$VIREO" -c "$(uri vireo)" "$@" ;;
    libvirt) asuser "$T/bin/benchtool" time virsh -c qemu:///session "$@" ;;
    esac
}

# tvirsh SYSTEM ARGS...: Debian's virsh, timed, against vireod's
# libvirt-sock (vireo) or libvirtd (libvirt): the same client for both.
tvirsh() {
    local sys=$1
    shift
    asuser "$T/bin/benchtool" time virsh -c "$(lvuri "$sys")" "$@"
}

# lvuri SYSTEM: the URI libvirt's own clients use for each daemon: vireod's
# libvirt-sock, libvirtd's session socket.
lvuri() {
    case $1 in
    vireo) echo "qemu:///system?socket=$VROOT/libvirt-sock" ;;
    libvirt) echo "qemu:///session" ;;
    esac
}

api() { # SYSTEM SUBCOMMAND ARGS...: bench/tools/api_SYSTEM
    local sys=$1
    shift
    asuser "$T/bin/api_$sys" "$@"
}

fresh_dirs() { # SYSTEM TAG: empty private directories (a cold start)
    case $1 in
    vireo)
        VROOT=$T/vireo-$2
        rm -rf "$VROOT"
        mkdir -p "$VROOT"
        chown "$BUSER:" "$VROOT"
        ;;
    libvirt)
        LVDIR=$T/libvirt-$2
        rm -rf "$LVDIR"
        mkdir -p "$LVDIR"/{home,config,cache,runtime}
        chmod 700 "$LVDIR/runtime"
        chown -R "$BUSER:" "$LVDIR"
        ;;
    esac
}

daemon_launch() { # SYSTEM: in the background; its pid in DPID[SYSTEM]
    asuser_words
    case $1 in
    vireo) "${ASUSER[@]}" "$VIREOD" --root "$VROOT/root" --socket "$VROOT/vireod.sock" >>"$VROOT/vireod.log" 2>&1 & ;;
    libvirt) "${ASUSER[@]}" libvirtd >>"$LVDIR/libvirtd.log" 2>&1 & ;;
    esac
    DPID[$1]=$!
}

daemon_stop() { # SYSTEM
    local pid=${DPID[$1]:-}
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        note "$1 daemon (pid $pid) did not stop within 5 s of SIGTERM; killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    DPID[$1]=
}

daemon_up() { # SYSTEM TAG: start, wait until it answers
    daemon_launch "$1"
    api "$1" ready "$(uri "$1")" 30 >/dev/null || die "$1 daemon did not answer within 30 s"
}

# SYSTEM TAG KEY ROUND: start the daemon in its current directories, time
# the first list and the first define, stop it.
daemon_start_timed() {
    local sys=$1 key=$3 round=$4 t0 tl td
    t0=${EPOCHREALTIME/./}
    daemon_launch "$sys"
    read -r tl td < <(api "$sys" ready "$(uri "$sys")" 30 "$T/xml/$sys/probe.xml") ||
        die "$sys daemon did not answer within 30 s"
    daemon_stop "$sys"
    [ "$round" -eq 0 ] && return 0
    sample "${key}_list" "$sys" "$(ms $((tl - t0)))"
    sample "${key}_define" "$sys" "$(ms $((td - t0)))"
}

serial_log() { # SYSTEM NAME
    case $1 in
    vireo) echo "$VROOT/root/var/log/vireo/qemu/$2-serial0.log" ;;
    libvirt) echo "$T/serial/$2.log" ;;
    esac
}

pid_of() { [ -r "$1" ] && tr -dc 0-9 <"$1" || true; }

daemon_rss() { "$T/bin/benchtool" rss "${DPID[$1]}"; }

# The daemon side of a system: vireod + its serial logger (it holds the
# running domains' serial logs, as virtlogd does); libvirtd + virtlogd.
daemon_rss_all() {
    local pids=() f=$VROOT/root/run/vireo/serial-logger.pid
    case $1 in
    vireo)
        [ -e "$f" ] && kill -0 "$(pid_of "$f")" 2>/dev/null && pids+=("$(pid_of "$f")")
        "$T/bin/benchtool" rss "${DPID[vireo]}" "${pids[@]}"
        ;;
    libvirt) "$T/bin/benchtool" rss "${DPID[libvirt]}" "$(pid_of "$LVDIR/runtime/libvirt/virtlogd.pid")" ;;
    esac
}

qemu_rss() { # SYSTEM TAG PREFIX: the sum over the running guests named PREFIX*
    local pids=() f
    case $1 in
    vireo) for f in "$VROOT"/root/run/vireo/qemu/"$3"*/qemu.pid; do pids+=("$(pid_of "$f")"); done ;;
    libvirt) for f in "$LVDIR"/runtime/libvirt/qemu/run/"$3"*.pid; do pids+=("$(pid_of "$f")"); done ;;
    esac
    "$T/bin/benchtool" rss "${pids[@]}"
}

# ---- samples --------------------------------------------------------------------------
row() { # KEY UNIT GOAL LABEL: a table row (goal: mgmt, ready, rss, info)
    grep -q "^$1	" "$T/rows.tsv" || printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$T/rows.tsv"
}
sample() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$T/samples.tsv"; }
ms() { # MICROSECONDS -> milliseconds, 3 decimals
    local us=$1
    printf '%d.%03d' $((us / 1000)) $((us % 1000))
}

# ---- cleanup: daemons, every QEMU, the tree ----------------------------------------
cleanup() {
    local rc=$? sys f pid
    cd /
    net_cleanup
    for sys in "${SYSTEMS[@]}"; do daemon_stop "$sys" 2>/dev/null || true; done
    if [ -n "${T:-}" ] && [ -d "$T" ]; then
        for f in "$T"/vireo-*/root/run/vireo/qemu/*/qemu.pid "$T"/libvirt-*/runtime/libvirt/qemu/run/*.pid \
            "$T"/libvirt-*/runtime/libvirt/virtlogd.pid; do
            [ -r "$f" ] || continue
            case $f in */driver.pid) continue ;; esac
            pid=$(pid_of "$f")
            [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        done
    fi
    # Every process of the bench user is one this run started.
    for pid in $(pgrep -u "$BUSER" || true); do kill -9 "$pid" 2>/dev/null || true; done
    if [ "$rc" -ne 0 ] && [ -n "${T:-}" ]; then
        for f in "$T"/vireo-*/vireod.log "$T"/libvirt-*/libvirtd.log "$T"/net-*/*d.log; do
            [ -s "$f" ] && { echo "--- $f (last 15 lines)" >&2; tail -15 "$f" >&2; }
        done
    fi
    [ -n "${T:-}" ] && rm -rf "$T"
    exit "$rc"
}

# ---- the network daemons: root, each in a network namespace of its own -------------
# Virtual networks need root (bridges, dnsmasq, firewall rules), so the
# network workload runs a second pair of daemons as root, each inside a
# network namespace this run makes: the host's interfaces, routes and
# firewall are never touched. vireod gets --root as before and makes its
# `default` network at start. libvirtd runs in system mode inside a mount
# namespace too, with /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/cache/libvirt and /var/log/libvirt bound to private directories,
# and defines libvirt's own default network (the file Debian's
# libvirt-daemon-config-network installs, kept in tests/fixtures). Both
# run QEMU as root. NETNS[SYSTEM] names each namespace.
declare -A NETNS=()

net_uri() {
    case $1 in
    vireo) echo "vireo:///system?socket=$T/net-vireo/vireod.sock" ;;
    libvirt) echo "qemu:///system?socket=$T/net-libvirt/run/libvirt-sock" ;;
    esac
}

net_cli() { # SYSTEM ARGS...: the system's CLI, as root, on the network daemon
    local sys=$1
    shift
    case $sys in
    vireo) "$VIREO" -c "$(net_uri vireo)" "$@" ;;
    libvirt) virsh -q -c "$(net_uri libvirt)" "$@" ;;
    esac
}

net_daemons_up() {
    # libvirtd in system mode insists on its build-time QEMU user and
    # group (Debian's libvirt-daemon-system makes them); QEMU runs as
    # root here all the same (qemu.conf below).
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    id -u libvirt-qemu >/dev/null 2>&1 ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin -g libvirt-qemu libvirt-qemu
    local sys ns d
    for sys in "${SYSTEMS[@]}"; do
        ns=vbench-$sys-$$
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        NETNS[$sys]=$ns
    done
    d=$T/net-vireo
    mkdir -p "$d"
    ip netns exec "${NETNS[vireo]}" "$VIREOD" --root "$d/root" --socket "$d/vireod.sock" >>"$d/vireod.log" 2>&1 &
    d=$T/net-libvirt
    mkdir -p "$d"/{etc/qemu/networks,run,lib,cache,log}
    printf 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nsecurity_driver = "none"\nstdio_handler = "file"\n' \
        >"$d/etc/qemu.conf"
    : >"$d/etc/libvirtd.conf"
    ip netns exec "${NETNS[libvirt]}" unshare -m --propagation private sh -c '
        d=$1
        mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
        mount --bind "$d/etc" /etc/libvirt && mount --bind "$d/run" /run/libvirt &&
        mount --bind "$d/lib" /var/lib/libvirt && mount --bind "$d/cache" /var/cache/libvirt &&
        mount --bind "$d/log" /var/log/libvirt && exec libvirtd --pid-file "$d/libvirtd.pid"' sh "$d" >>"$d/libvirtd.log" 2>&1 &
    local i
    for sys in "${SYSTEMS[@]}"; do
        for i in $(seq 1 300); do
            net_cli "$sys" list >/dev/null 2>&1 && break
            sleep 0.1
        done
        net_cli "$sys" list >/dev/null 2>&1 || die "$sys network daemon did not answer within 30 s"
    done
    net_cli libvirt net-define "$SRC_DIR/tests/fixtures/network/default.xml" >/dev/null
    net_cli libvirt net-start default >/dev/null
    for sys in "${SYSTEMS[@]}"; do
        net_cli "$sys" net-list | grep -Eq '^ *default +active' || die "$sys: network default is not active"
    done
}

net_cleanup() {
    local sys pid
    for sys in "${!NETNS[@]}"; do
        # Everything in the namespace is this run's: daemons, dnsmasq, QEMU.
        for pid in $(ip netns pids "${NETNS[$sys]}" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "${NETNS[$sys]}" 2>/dev/null || true
    done
    NETNS=()
}
