/* Work beside the event loop: `work(arg)` runs in a thread of its own
 * (it must touch nothing the loop owns), then `done(arg)` runs on the
 * loop. For the few calls that may wait seconds on the network (an
 * iSCSI login, a Ceph monitor) and would stall every client there. */
#ifndef VR_COMMON_WORKER_H
#define VR_COMMON_WORKER_H

struct event_base;

/* 0, or -errno when the thread could not be had (nothing ran; the
 * caller answers itself). */
int vr_worker_run(struct event_base *base, void (*work)(void *), void (*done)(void *), void *arg);

#endif
