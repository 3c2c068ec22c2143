#!/usr/bin/env bash
# `vireo host-validate --json` on this very machine: the KVM verdict must
# match what the CPU and /dev/kvm really are.
. "$(dirname "$0")/lib.sh"

set +e
out=$("$VIREO" host-validate --json)
rc=$?
set -e
jq -e . >/dev/null <<<"$out" || fail "output is not JSON: $out"
ok "output is JSON"

fails=$(jq '.summary.fail' <<<"$out")
if [ "$fails" -gt 0 ]; then expect_eq "exit code with FAIL lines" "$rc" 1
else expect_eq "exit code without FAIL lines" "$rc" 0; fi

kvm_status=$(jq -r '.checks[] | select(.id=="kvm.usable") | .status' <<<"$out")
kvm_detail=$(jq -r '.checks[] | select(.id=="kvm.usable") | .detail' <<<"$out")
accel=$(jq -r '.accelerator' <<<"$out")
if ! grep -Eqw 'vmx|svm' /proc/cpuinfo; then
    # No hardware virtualization: whatever /dev/kvm is, guests run under TCG.
    expect_eq "KVM verdict without vmx/svm" "$kvm_status" WARN
    expect_eq "accelerator without vmx/svm" "$accel" tcg
    if [ -e /dev/kvm ]; then
        expect_match "KVM warning text" "$kvm_detail" \
            'KVM not usable for full guests here; VMs will run under TCG emulation'
    fi
    expect_eq "CPU line warns" "$(jq -r '.checks[] | select(.id=="cpu.virt") | .status' <<<"$out")" WARN
else
    expect_match "accelerator with vmx/svm" "$accel" '^(kvm|tcg)$'
fi

# Every WARN and FAIL carries a hint.
missing=$(jq '[.checks[] | select(.status != "PASS" and .hint == null)] | length' <<<"$out")
expect_eq "every warning has a hint" "$missing" 0

# The text form: one line per check, PASS/WARN/FAIL, plus the accelerator.
text=$("$VIREO" host-validate || true)
n_checks=$(jq '.checks | length' <<<"$out")
n_lines=$(grep -Ec ' : (PASS|WARN|FAIL)  ' <<<"$text")
expect_eq "one text line per check" "$n_lines" "$n_checks"
expect_match "accelerator line" "$text" '^Accelerator: (KVM|TCG)'

# Bad usage is a usage error, not a crash.
set +e; "$VIREO" host-validate --bogus 2>/dev/null; rc=$?; set -e
expect_eq "unknown option exit code" "$rc" 2
