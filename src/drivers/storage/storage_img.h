/* qemu-img, the standard tool for disk images, run as a child process.
 * Short operations (create, resize, snapshot, check) run to completion
 * at once: they touch metadata only and take milliseconds. Copies
 * (convert) can take minutes, so they run beside the event loop: the
 * child's progress output (`-p`) and its exit (a pidfd) are events, and
 * the daemon keeps serving meanwhile. */
#pragma once
#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>

/* The qemu-img binary: $VIREO_QEMU_IMG or "qemu-img" from PATH. */
const char *vr_img_binary(void);

/* Run to completion. Returns 0, or -1 with *err set to qemu-img's own
 * message (its last line on stderr, "qemu-img: " stripped). *out (may
 * be NULL) gets stdout. */
int vr_img_run(char *const argv[], char **out, char **err);
/* The same for another tool (mkfs.ext4 ...): `install` says how to get
 * it when it is missing, and "BIN: " is stripped from its message. */
int vr_cmd_run(const char *bin, const char *install, char *const argv[], char **out, char **err);
/* `qemu-img info -U --output=json PATH` (shared: a running QEMU may hold
 * the image) as a json-c object, or NULL with *err naming the path. */
json_object *vr_img_info(const char *path, char **err);

typedef struct vr_img_proc vr_img_proc;
/* percent in [0, 100] */
typedef void (*vr_img_progress_fn)(double percent, void *opaque);
/* err NULL on success (exit 0); the process is gone and `proc` freed. */
typedef void (*vr_img_exit_fn)(const char *err, void *opaque);

/* Start argv (which should carry -p) beside the loop. NULL + *err if it
 * cannot be started. */
vr_img_proc *vr_img_spawn(struct event_base *base, char *const argv[], vr_img_progress_fn progress,
                          vr_img_exit_fn done, void *opaque, char **err);
/* Ask it to stop (SIGTERM); `done` still comes, with an error. */
void vr_img_kill(vr_img_proc *p);
