/* Watching processes that are not (or no longer) our children: pidfds
 * tell when they exit and carry signals without the risk of hitting a
 * recycled pid. Used for QEMU and dnsmasq, which both outlive the
 * daemon. */
#pragma once
#include <event2/event.h>
#include <stdbool.h>
#include <sys/types.h>

/* pidfd_open(2); -1 with errno on failure. */
int vr_pidfd_open(pid_t pid);

typedef struct vr_pidwatch vr_pidwatch;
typedef void (*vr_exit_fn)(void *opaque);
/* Call cb once when pid exits. NULL when pid is already gone. */
vr_pidwatch *vr_pidwatch_new(struct event_base *base, pid_t pid, vr_exit_fn cb, void *opaque);
void vr_pidwatch_free(vr_pidwatch *w);
/* Signal through the pidfd, so a recycled pid is never hit. */
int vr_pidwatch_kill(vr_pidwatch *w, int sig);

/* Signal pid through a pidfd (one open moment: no recycled pid is hit
 * between the open and the signal). 0 or -errno. */
int vr_pid_signal(pid_t pid, int sig);

/* Read a pidfile; 0 when absent or garbage. */
pid_t vr_pidfile_read(const char *path);

/* A process's start time (field 22 of /proc/PID/stat, clock ticks since
 * boot), 0 when it is gone. A pid with its start time names one process:
 * a pid recycled since has another. */
unsigned long long vr_proc_start_time(pid_t pid);
/* Is pid the process that started at start_time? */
bool vr_proc_is(pid_t pid, unsigned long long start_time);
