#!/usr/bin/env bash
# The layers (docs/design.md): drivers -> core -> transports. A transport
# (src/daemon/api_*.c, the HTTP routes; src/daemon/rpc_*.c and src/rpc,
# libvirt's protocol) decodes, calls the core, encodes: it includes no
# src/drivers header. The files below still do (they call a driver where
# the driver's call is the whole operation, from before the core existed);
# the list only shrinks: a new transport file that includes a driver
# header fails here, and so does a listed file that no longer does (take
# it off the list).
set -u
SRC=${VIREO_SRC:-$(dirname "$0")/..}
cd "$SRC" || exit 1
allowed="src/daemon/api.h
src/daemon/api_clone.c
src/daemon/api_devices.c
src/daemon/api_domains.c
src/daemon/api_networks.c
src/daemon/api_secrets.c
src/daemon/api_snapshots.c
src/daemon/api_storage.c
src/daemon/rpc_domain.c
src/daemon/rpc_network.c
src/daemon/rpc_stream.c"
found=$(grep -l '#include "drivers/' src/daemon/api*.c src/daemon/api.h src/daemon/rpc_*.c src/rpc/*.[ch] 2>/dev/null | sort)
rc=0
for f in $found; do
    grep -qx "$f" <<<"$allowed" || { echo "FAIL: $f includes a src/drivers header: call the core (src/core) instead"; rc=1; }
done
for f in $allowed; do
    grep -qx "$f" <<<"$found" || { echo "FAIL: $f no longer includes a driver header: take it off the list in $0"; rc=1; }
done
[ "$rc" = 0 ] && echo "layering: $(wc -w <<<"$found") transport files still include driver headers, none new"
exit "$rc"
