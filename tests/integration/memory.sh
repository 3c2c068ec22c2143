#!/usr/bin/env bash
# The memory balloon, as libvirt does it, against a real vireod and the
# tiny guest under TCG, whose virtio_balloon driver really hands the
# memory back: <currentMemory> below <memory> applied at start; setmem
# --live, --config and the default; setmaxmem; dommemstat; the live
# value kept across a daemon restart; and the refusals, each one line
# that changes nothing.
. "$(dirname "$0")/lib.sh"
need_images
start_daemon

# 256 MiB of RAM, of which the guest keeps 192 MiB.
tiny_xml bal | sed "s|<memory unit='MiB'>256</memory>|&<currentMemory unit='MiB'>192</currentMemory>|" \
    > "$ROOT/bal.xml"
"$VIREO" define "$ROOT/bal.xml" >/dev/null
expect_eq "start paused" "$("$VIREO" start bal --paused)" "Domain 'bal' started"

# What QMP query-balloon says the guest holds now.
actual() { jq -r .memory_current_kib <<<"$("$VIREO" domstats "$1" --json)"; }
actual_is() { [ "$(actual "$1")" = "$2" ]; }
current_xml() { sed -n 's|.*<currentMemory unit=.KiB.>\([0-9]*\)</currentMemory>.*|\1|p' <<<"$1"; }
live() { current_xml "$("$VIREO" dumpxml bal)"; }
config() { current_xml "$("$VIREO" dumpxml bal --inactive)"; }

# The figure is the guest's: paused, it has given nothing back yet.
expect_eq "paused, the guest still holds all of <memory>" "$(actual bal)" 262144
"$VIREO" resume bal >/dev/null
wait_for 30 "the guest's balloon reaches <currentMemory> after start (196608 KiB)" actual_is bal 196608

out=$("$VIREO" setmem bal 160M --live)
expect_eq "setmem --live 160M prints nothing, as virsh" "$out" ""
wait_for 30 "the guest's balloon reaches 163840 KiB" actual_is bal 163840
expect_eq "the live XML shows the new currentMemory" "$(live)" 163840
expect_eq "the persistent XML keeps its own" "$(config)" 196608
expect_match "dommemstat: the balloon's actual size" "$("$VIREO" dommemstat bal)" $'^actual 163840\nrss [1-9][0-9]*$'

"$VIREO" setmem bal 180M --config
expect_eq "setmem --config on a running domain: the persistent XML" "$(config)" 184320
expect_eq "... and the live one stays" "$(live)" 163840

expect_fail "setmem above the maximum of a running domain" \
    "262145 KiB is more than the maximum memory of domain 'bal' \(262144 KiB\); raise it with 'vireo setmaxmem --config' and restart" \
    "$VIREO" setmem bal 262145
expect_fail "setmaxmem on a running domain (--current is live)" "cannot change while it runs; use --config" \
    "$VIREO" setmaxmem bal 512M
rc=0
"$VIREO" setmem bal 100M --current --live 2>/dev/null || rc=$?
expect_eq "--current with --live is bad usage (exit 2), as in virsh" "$rc" 2
expect_eq "the refusals changed nothing live" "$(live) $(actual bal)" "163840 163840"
expect_eq "... nor in the persistent XML" "$(config)" 184320

# A restarted daemon reads the live definition from the run directory.
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
start_daemon
expect_eq "the live currentMemory survives a daemon restart" "$(live) $(config)" "163840 184320"

"$VIREO" destroy bal >/dev/null
expect_eq "once shut off, the persistent definition is the one" "$(live)" 184320

# Shut off: --current (the default) is the persistent definition.
"$VIREO" setmem bal 128M
expect_eq "setmem on a shut off domain changes its XML" "$(config)" 131072
"$VIREO" setmem bal 100M --config
expect_eq "setmem --config" "$(config)" 102400
before=$("$VIREO" dumpxml bal)
expect_fail "setmem above <memory>" "more than the maximum memory of domain 'bal' \(262144 KiB\); raise it first with 'vireo setmaxmem --config' \(or edit <memory>\)" \
    "$VIREO" setmem bal 300M --config
expect_fail "setmem --live on a shut off domain" "domain 'bal' is not running; use --config" \
    "$VIREO" setmem bal 100M --live
expect_fail "setmem of an unknown domain" "domain 'ghost' not found" "$VIREO" setmem ghost 100M
expect_fail "setmem with a bad size" "SIZE 'lots' is not a size" "$VIREO" setmem bal lots
expect_fail "setmem with an unknown unit" "unknown unit 'XB'" "$VIREO" setmem bal 12XB
expect_fail "setmem below 1 MiB" "less than the minimum of 1 MiB" "$VIREO" setmem bal 512
expect_fail "dommemstat of a shut off domain" "domain 'bal' is not running" "$VIREO" dommemstat bal
expect_eq "the refusals changed nothing" "$("$VIREO" dumpxml bal)" "$before"

"$VIREO" setmaxmem bal 96M
expect_eq "setmaxmem lowers <memory>, and <currentMemory> with it" \
    "$(sed -n 's|.*<memory unit=.KiB.>\([0-9]*\)</memory>.*|\1|p' <<<"$("$VIREO" dumpxml bal)") $(config)" "98304 98304"
expect_eq "saved to disk" "$(grep -c '98304' "$ROOT/etc/vireo/qemu/bal.xml")" 2
# Under VIREO_BUILD=build-asan the daemon above is the sanitizer build.
no_sanitizer_report
