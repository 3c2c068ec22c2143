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
