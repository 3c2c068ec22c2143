#!/usr/bin/env bash
# Five rounds of the kill -9 campaign (tests/reliability/kill9.sh; make
# reliability runs a hundred): bursts of define, start, net-start,
# vol-create-as, clone and snapshot against a vireod in a network
# namespace, SIGKILL at a random moment, a restart. Nothing acknowledged
# may be lost, no definition torn, nothing left over.
. "$(dirname "$0")/lib.sh"
need_images
res=$(mktemp)
trap 'rm -f "$res"' EXIT
ROUNDS=5 RESULTS=$res "$VIREO_SRC/tests/reliability/kill9.sh" | grep -E 'kill9: (lost|torn|left over):' || true
get() { grep -E "^$1=" "$res" | cut -d= -f2-; }
expect_eq "5 rounds ran" "$(get kill9_rounds)" 5
[ "$(get kill9_acknowledged)" -gt 0 ] || fail "no operation was acknowledged"
ok "$(get kill9_acknowledged) operations acknowledged"
expect_eq "nothing acknowledged lost" "$(get kill9_lost)" 0
expect_eq "no torn definition" "$(get kill9_torn)" 0
expect_eq "nothing left over" "$(get kill9_leftover)" 0
