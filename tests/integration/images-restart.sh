#!/usr/bin/env bash
# Image jobs across a daemon's end (docs/images.md, "When the daemon
# stops"): the real vireo-image-helper doing a real sparsify (the
# libguestfs appliance under TCG, about a minute here).
#
# Without arguments (make check, about 50 s):
#  1. kill -9 of vireod during a sparsify: the helper runs on, orphaned;
#     the restarted daemon takes the job back under its id and finishes
#     it (the sparse copy written, nothing partial left);
#  2. a new job on that daemon, then a clean stop (SIGTERM): the helper
#     runs on as the guests do; the next daemon takes it back, and a
#     cancel ends its whole process group and leaves nothing;
#  3. the daemon and the helper both killed: the next daemon reports the
#     job interrupted in one line and removes the helper's temporaries;
#  4. a job the daemon cannot follow (it ended before recording the job):
#     ended with its process group, interrupted, nothing left.
# With --orphan (the images suite, make check-images, about 90 s): no
# daemon comes back while the helper works: it writes nothing into the
# destination, ends, and the daemon started afterwards reports the job
# interrupted.
source "$(dirname "$0")/lib.sh"
need_images
need_asan_daemon
ORPHAN=
[ "${1:-}" = --orphan ] && ORPHAN=1
[ -n "$ORPHAN" ] && DAEMON_WRAP="env VIREO_IMAGE_ORPHAN_WAIT=3"
start_daemon "$ASAN_VIREOD"
W=$ROOT/work
JOBS=$ROOT/run/vireo/image-jobs
# Outputs go into the default pool's directory: a volume there is what
# vol-list (and a guest's <disk type='volume'>) sees.
POOL=$ROOT/var/lib/vireo/images
mkdir -p "$W/tree"

# The input: a whole-disk ext4 whose 16 MiB file was deleted (blocks
# freed in the filesystem, still allocated in the image).
echo restart >"$W/tree/hostname"
head -c 16M /dev/urandom >"$W/tree/big"
mkfs.ext4 -q -F -d "$W/tree" "$W/fs.raw" 40M
debugfs -w -R "rm /big" "$W/fs.raw" >/dev/null 2>&1
SEED=$W/seed.qcow2
qemu-img convert -f raw -O qcow2 "$W/fs.raw" "$SEED"
rm -rf "$W/fs.raw" "$W/tree"
allocated() { qemu-img info -U --output=json "$1" | jq '."actual-size"'; }

# The one job directory, its helper's pid and start time (its state).
job_dir() { local d=("$JOBS"/job-*); [ -d "${d[0]}" ] && echo "${d[0]}"; }
has_state() { local d; d=$(job_dir) && [ -s "$d/state" ]; }
has_partial() { local d; d=$(job_dir) && [ -s "$d/partial" ]; }
# same_process PID START: PID is still the process that started then.
same_process() { [ "$(awk '{print $22}' "/proc/$1/stat" 2>/dev/null)" = "$2" ]; }
group_gone() { ! pgrep -g "$1" >/dev/null; }
appliance_runs() { pgrep -g "$1" -f qemu-system >/dev/null; }
job_field() { "$VIREO" job-list --json | jq -r ".[] | select(.id == $1) | .$2"; }
job_ended() { [ "$(job_field "$1" state)" != running ]; }
vols() { "$VIREO" vol-list default --json | jq -r '.[].name' | sort | tr '\n' ' '; }
no_temporaries() {
    ! ls -A "$POOL" | grep -q '^\.vireo-tmp-' || fail "$1: temporaries left: $(ls -A "$POOL")"
    [ -z "$(job_dir)" ] || fail "$1: its job directory $(job_dir) is left"
    ok "$1: no temporary and no job directory left"
}
kill_daemon() { kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=; }
# start_job OUT: a sparsify job; sets ID, DIR, PID, START once the helper
# has written its state and named its temporaries.
start_job() {
    "$VIREO" sparsify "$SEED" "$1" >"$W/client.out" 2>&1 &
    wait_for 30 "the helper of the sparsify into ${1##*/} wrote its state (pid, start time)" has_state
    wait_for 60 "it named its temporaries" has_partial
    DIR=$(job_dir)
    PID=$(jq .pid "$DIR/state")
    START=$(jq .start_time "$DIR/state")
    wait_for 60 "its libguestfs appliance (QEMU) runs in its process group" appliance_runs "$PID"
    ID=$("$VIREO" job-list --json | jq '[.[] | select(.kind == "sparsify" and .state == "running")][0].id')
    [ "$ID" != null ] || fail "no running sparsify job"
}
t0=$SECONDS

if [ -n "$ORPHAN" ]; then
    start_job "$POOL/o.qcow2"
    kill_daemon
    same_process "$PID" "$START" || fail "the helper ended with vireod"
    ok "vireod killed (-9): the helper (pid $PID) works on without it"
    # Its work ends (about a minute), it waits 3 s for a daemon, gives up.
    wait_for 300 "the orphaned helper ended by itself" group_gone "$PID"
    [ ! -e "$POOL/o.qcow2" ] || fail "the orphaned helper wrote its output with no daemon to register it"
    ! ls -A "$POOL" | grep -q '^\.vireo-tmp-' || fail "the orphaned helper left temporaries: $(ls -A "$POOL")"
    ok "it wrote nothing into the pool and left no temporary"
    start_daemon "$ASAN_VIREOD"
    expect_eq "the pool has no volume from it" "$(vols)" ""
    expect_eq "the next daemon lists the job $ID as interrupted" "$(job_field "$ID" state)" interrupted
    expect_match "with its reason in one line" "$(job_field "$ID" error.message)" \
        "^interrupted: vireod ended during the job and none took it back within 3 s of its end; .*o.qcow2 was not written"
    [ -z "$(job_dir)" ] || fail "the job directory is left"
    ok "its job directory is removed"
    no_sanitizer_report
    echo "images-restart --orphan: $CHECKS checks, $((SECONDS - t0)) s"
    exit 0
fi

# ---- 1. kill -9 during a sparsify: taken back, finished
start_job "$POOL/a.qcow2"
kill_daemon
same_process "$PID" "$START" || fail "the helper ended with vireod"
expect_eq "the helper is nobody's child" "$(awk '{print $4}' "/proc/$PID/stat")" 1
appliance_runs "$PID" || fail "the appliance ended with vireod"
ok "vireod killed (-9): the helper (pid $PID) and its appliance run on ($(pgrep -c -g "$PID") processes in its group)"
start_daemon "$ASAN_VIREOD"
expect_eq "the restarted daemon lists job $ID running again" "$(job_field "$ID" state)" running
grep -q "image job $ID (sparsify $SEED): helper pid $PID re-adopted" "$ROOT/vireod.log" ||
    fail "the daemon did not log the re-adoption"
ok "it logged the helper's re-adoption"
grep -q "storage: kept $POOL/\.vireo-tmp-$PID\.$START-a\.qcow2-" "$ROOT/vireod.log" ||
    fail "the pool's start did not keep the helper's temporaries"
ok "starting the pool kept the temporaries the live helper writes (named after its pid and start time)"
wait_for 300 "the re-adopted job ended" job_ended "$ID"
expect_eq "job $ID completed" "$(job_field "$ID" state)" completed
expect_eq "its output is a volume of the pool" "$(vols)" "a.qcow2 "
qemu-img check -q "$POOL/a.qcow2" || fail "the sparse copy does not check"
before=$(allocated "$SEED") after=$(allocated "$POOL/a.qcow2")
[ "$after" -lt $((before - 8 * 1024 * 1024)) ] || fail "sparsify: $before -> $after bytes allocated"
ok "the sparse copy is written: $before -> $after bytes allocated ($((SECONDS - t0)) s)"
no_temporaries "the re-adopted job"

# ---- 2. a new job, a clean stop: it runs on; taken back; cancelled
start_job "$POOL/b.qcow2"
ok "a new job starts on the restarted daemon (job $ID)"
stop_daemon
grep -q "left running (helper pid $PID)" "$ROOT/vireod.log" || fail "the stop did not log the job left running"
same_process "$PID" "$START" || fail "the helper ended with a clean stop of vireod"
ok "vireod stopped (SIGTERM): the helper (pid $PID) runs on"
start_daemon "$ASAN_VIREOD"
expect_eq "the next daemon lists job $ID running" "$(job_field "$ID" state)" running
"$VIREO" job-cancel "$ID" >/dev/null
wait_for 60 "the cancelled job ended" job_ended "$ID"
expect_eq "job $ID cancelled" "$(job_field "$ID" state)" cancelled
wait_for 30 "its whole process group (helper, appliance) is gone" group_gone "$PID"
[ ! -e "$POOL/b.qcow2" ] || fail "the cancelled job left its output"
no_temporaries "the cancelled job"

# ---- 3. the daemon and the helper killed: interrupted, nothing left
start_job "$POOL/c.qcow2"
kill_daemon
kill -9 -- "-$PID"
wait_for 30 "the helper's group is killed (-9)" group_gone "$PID"
ls -A "$POOL" | grep -q '^\.vireo-tmp-' || fail "no temporary to clean (the test made none)"
start_daemon "$ASAN_VIREOD"
wait_for 10 "the next daemon ends job $ID" job_ended "$ID"
expect_eq "job $ID is interrupted" "$(job_field "$ID" state)" interrupted
expect_match "its reason in one line" "$(job_field "$ID" error.message)" \
    "^interrupted: the image helper ended without a result \(killed\?\); what it was writing was removed"
[ ! -e "$POOL/c.qcow2" ] || fail "the interrupted job left an output"
no_temporaries "the interrupted job"
expect_match "job-list shows it" "$("$VIREO" job-list)" "$ID +sparsify .* interrupted"

# ---- 4. a job that cannot be followed: the daemon ended before it
# recorded the job (no job.json; the test removes it as that moment
# leaves it): its helper's process group is ended, nothing left
start_job "$POOL/d.qcow2"
kill_daemon
rm "$DIR/job.json"
start_daemon "$ASAN_VIREOD"
wait_for 60 "the helper that could not be followed is ended, with its group" group_gone "$PID"
unfollowed() { "$VIREO" job-list --json | jq -e '.[] | select(.state == "interrupted" and (.error.message | test("before it recorded the job")))'; }
wait_for 10 "the job is listed interrupted: the daemon ended before it recorded the job" unfollowed
[ ! -e "$POOL/d.qcow2" ] || fail "the unfollowed job left an output"
no_temporaries "the job that could not be followed"
expect_eq "the pool holds the one volume the finished job made" "$(vols)" "a.qcow2 "

no_sanitizer_report
echo "images-restart: $CHECKS checks, $((SECONDS - t0)) s"
