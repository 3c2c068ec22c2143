# A single-node Ceph cluster for tests (sourced after lib.sh), from
# Debian's ceph-mon, ceph-mgr and ceph-osd: one monitor on 127.0.0.1:3300
# (msgr2) inside a network namespace of the test's own, one OSD on
# memstore (RAM, 1 GiB: nothing on disk to format), pool size 1, cephx
# keys made with ceph-authtool. Everything lives under DIR and is named
# with -c DIR/ceph.conf: the host's /etc/ceph and /var/lib/ceph are never
# read or written. Comes up in about 6 s here.
#
#   ceph_up DIR NETNS   start it (NETNS exists with lo up); sets CEPH_CONF
#   ceph_cmd ARGS...    the ceph CLI as client.admin inside NETNS
#   ceph_down           stop the daemons (the caller removes DIR)
#   ceph_key NAME       the base64 cephx key of client.NAME
CEPH_NS=
CEPH_PIDS=()

ceph_cmd() { ip netns exec "$CEPH_NS" ceph -c "$CEPH_CONF" --connect-timeout 20 "$@"; }
ceph_key() { ceph-authtool -p -n "client.$1" "$CEPH_DIR/keyring"; }

# ceph_daemon NAME ARGS...: one daemon in the foreground (-f), so its pid is ours.
ceph_daemon() {
    ip netns exec "$CEPH_NS" "$@" -c "$CEPH_CONF" -f >>"$CEPH_DIR/log/daemons.out" 2>&1 &
    CEPH_PIDS+=($!)
}

ceph_up() {
    CEPH_DIR=$1 CEPH_NS=$2
    CEPH_CONF=$CEPH_DIR/ceph.conf
    local d=$CEPH_DIR fsid uuid
    fsid=$(cat /proc/sys/kernel/random/uuid)
    uuid=$(cat /proc/sys/kernel/random/uuid)
    mkdir -p "$d"/{mon,osd,mgr,run,log}
    cat >"$CEPH_CONF" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:3300
public network = 127.0.0.0/8
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $d/keyring
run dir = $d/run
log file = $d/log/\$name.log
admin socket = $d/run/\$name.asok
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd crush chooseleaf type = 0
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
ms bind ipv6 = false
[mon.a]
mon data = $d/mon
[mgr.x]
mgr data = $d/mgr
[osd.0]
osd data = $d/osd
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 256
osd max object namespace len = 64
CONF
    ceph-authtool --create-keyring "$d/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool "$d/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mgr 'allow *' >/dev/null
    ceph-authtool "$d/keyring" --gen-key -n mgr.x --cap mon 'allow profile mgr' --cap osd 'allow *' >/dev/null
    ceph-authtool "$d/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' \
        --cap mgr 'allow profile osd' >/dev/null
    monmaptool --create --fsid "$fsid" --addv a '[v2:127.0.0.1:3300]' "$d/monmap" >/dev/null
    ceph-mon -c "$CEPH_CONF" --mkfs -i a --monmap "$d/monmap" --keyring "$d/keyring" ||
        fail "ceph-mon --mkfs failed (see $d/log)"
    ceph_daemon ceph-mon -i a
    ceph_daemon ceph-mgr -i x
    ceph_cmd osd new "$uuid" 0 >/dev/null || fail "the Ceph monitor did not answer (see $d/log/mon.a.log)"
    ceph_cmd auth import -i "$d/keyring" 2>/dev/null
    ip netns exec "$CEPH_NS" ceph-osd -c "$CEPH_CONF" -i 0 --mkfs --osd-uuid "$uuid" >>"$d/log/daemons.out" 2>&1 ||
        fail "ceph-osd --mkfs failed (see $d/log)"
    ceph_daemon ceph-osd -i 0
    # The OSD up, and the manager active: it answers the cluster's sizes.
    for _ in $(seq 1 120); do
        ceph_cmd osd stat 2>/dev/null | grep -q '1 up' && ceph_cmd mgr stat 2>/dev/null | grep -q '"available": true' &&
            return 0
        sleep 0.25
    done
    fail "the Ceph OSD and manager did not come up within 30 s (see $d/log)"
}

ceph_down() {
    local p
    for p in "${CEPH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${CEPH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    CEPH_PIDS=()
}
