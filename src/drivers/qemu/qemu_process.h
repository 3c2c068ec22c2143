/* QEMU processes: launched detached (-daemonize, their own session, a
 * pidfile) so they outlive the daemon, and watched through pidfds, which
 * work the same for a process we just started and for one a previous
 * daemon started (re-adoption). */
#pragma once
#include <sched.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/process.h"

/* Launch result: pid > 0 on success, else err says why (QEMU's own
 * message from the log when it gave one). err is borrowed. */
typedef void (*vr_spawn_fn)(pid_t pid, const char *err, void *opaque);

/* Run argv (which must carry -daemonize and -pidfile PIDFILE) with
 * stdout/stderr appended to logfile and every fd closed but keep_fds.
 * cb runs from the loop once QEMU is up (or failed). */
/* Who QEMU runs as: uid 0 / gid 0 in `as` means "as the daemon". */
typedef struct {
    uid_t uid;
    gid_t gid;
} vr_qemu_identity;

/* cpus: the host CPUs QEMU and all its threads may run on (<vcpu
 * cpuset>), or NULL for all. */
int vr_qemu_spawn(struct event_base *base, char *const argv[], const char *logfile,
                  const char *pidfile, const int *keep_fds, size_t n_keep,
                  const vr_qemu_identity *as, const cpu_set_t *cpus, vr_spawn_fn cb, void *opaque,
                  char **err);

/* Is pid a QEMU of the domain with this uuid? (Guards re-adoption
 * against pid reuse after a host reboot or a long downtime.) */
bool vr_qemu_pid_is_domain(pid_t pid, const char *uuid);
/* A QEMU started before the daemon logged the serial port itself: its
 * serial0 chardev has logfile= (then QEMU keeps logging it). */
bool vr_qemu_pid_logs_serial(pid_t pid);

