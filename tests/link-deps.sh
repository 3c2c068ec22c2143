#!/usr/bin/env bash
# What each program loads at start (make bench rows 1 and 8): libraries
# a command or the daemon uses only for some resources are opened at
# first use (src/common/dlib.c), never linked. A NEEDED entry named
# below fails here; a linker map (-Wl,-Map=FILE) shows which object
# pulled it in (docs/dependencies.md).
set -u
B=${VIREO_BUILD:?}
rc=0
needs() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
check() { # FILE LABEL PATTERN...
    local f=$1 label=$2 lib p
    shift 2
    [ -e "$f" ] || { echo "FAIL: $f is not built"; rc=1; return; }
    for lib in $(needs "$f"); do
        for p in "$@"; do
            case $lib in $p) echo "FAIL: $label links $lib (open it at first use, or keep its caller out of $label)"; rc=1 ;; esac
        done
    done
    echo "$label: $(needs "$f" | wc -l) libraries: $(needs "$f" | tr '\n' ' ')"
}
# Every vireo command and every program using libvireo: JSON over HTTP
# on a unix socket, nothing more.
check "$B/src/client/libvireo.so.0" libvireo 'libcurl*' 'libxml2*' 'libosinfo*' 'librados*' 'librbd*' 'libnftables*' 'libguestfs*' 'libiscsi*' 'libvirt*'
check "$B/src/cli/vireo" "the vireo CLI" 'libcurl*' 'libxml2*' 'libosinfo*' 'librados*' 'librbd*' 'libnftables*' 'libguestfs*' 'libiscsi*' 'libvirt*' 'libstdc++*'
# The daemon: its own protocol libraries, not the pool kinds' (Ceph,
# iSCSI, disk and fs pools), the networks' firewall (nftables) or the
# installer's (C++ and GObject stacks): a session daemon uses none.
check "$B/src/daemon/vireod" vireod 'libosinfo*' 'librados*' 'librbd*' 'libguestfs*' 'libstdc++*' 'libglib*' 'libgobject*' 'libcurl*' \
    'libiscsi*' 'libfdisk*' 'libblkid*' 'libnftables*'
exit "$rc"
