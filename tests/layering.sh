#!/usr/bin/env bash
# The layers (docs/design.md): drivers -> core -> transports. A transport
# (src/daemon/api_*.c, the HTTP routes; src/daemon/rpc_*.c and src/rpc,
# libvirt's protocol; the daemon headers they share) decodes, calls the
# core, encodes: it includes no src/drivers header. What a driver does
# reaches it through a core header (src/core), never directly.
set -u
SRC=${VIREO_SRC:-$(dirname "$0")/..}
cd "$SRC" || exit 1
files=$(ls src/daemon/api*.c src/daemon/rpc*.c src/daemon/*.h src/rpc/*.[ch] 2>/dev/null)
found=$(grep -l '#include "drivers/' $files 2>/dev/null | sort)
rc=0
for f in $found; do
    echo "FAIL: $f includes a src/drivers header: call the core (src/core) instead"
    rc=1
done
[ "$rc" = 0 ] && echo "layering: $(wc -w <<<"$files") transport files, none includes a driver header"
exit "$rc"
