/* vireo-image-helper: the work behind vireo builder, sysprep, customize,
 * sparsify and resize, in a process vireod starts. libguestfs's calls
 * block for seconds to minutes and it runs its own appliance (a small
 * QEMU VM) as a child, so it lives apart from the daemon's event loop:
 * vireod starts `vireo-image-helper JOBDIR/spec.json` detached (it
 * outlives the daemon, as QEMU does) and follows it through the job's
 * directory: `state` (our pid and start time), `progress` (the last
 * "(P/100%) what it does now" line, also printed on stdout), `partial`
 * (our temporaries), `result.json` or `error` (the one-line error for
 * the user); `owner` names the daemon following us (image_helper.c).
 * Outputs are written to a hidden temporary beside the destination and
 * renamed into place only at the end, and only while a daemon follows
 * the job, so a failed, cancelled or orphaned run leaves nothing. */
#pragma once
#include <guestfs.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* What to do, decoded from the daemon's JSON (image_spec.c). Strings
 * point into `json`. */
typedef struct {
    json_object *json;
    const char *op;             /* build, sysprep, customize, sparsify, resize, list */
    const char *input, *input_format; /* format: "qcow2", "raw" or NULL (probe) */
    json_object *disks;         /* sysprep, customize: [{"path": P, "format": F}], a domain's disks */
    const char *output, *format;
    const char *result_file;    /* where the result JSON goes */
    const char *cache_dir;      /* builder's cache */
    const char *job_dir;        /* state, progress, partial, error, owner (image_helper.c) */
    bool force, compress, in_place;
    /* vireod's verdict on KVM (a /dev/kvm that cannot run guests at
     * hardware speed makes QEMU abort): the appliance runs under TCG. */
    bool tcg;
    uint64_t size;              /* 0: keep */
    const char *os;             /* builder */
    const char *expand;         /* resize: the partition, /dev/sdaN */
    /* the editing options (customize, and builder and sysprep's share) */
    const char *hostname, *root_password, *timezone;
    json_object *ssh_keys;      /* [{"user": U, "key": TEXT}] */
    json_object *install, *run, *firstboot, *operations; /* string arrays or NULL */
} img_spec;

int img_spec_parse(const char *path, img_spec *s);

/* ---- messages (image_helper.c) ---- */
/* Progress for the daemon's job. */
void img_progress(double percent, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record the one-line error (the first one wins); returns -1. */
int img_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with libguestfs's last error after "what: ". */
int img_gfs_fail(guestfs_h *g, const char *what);
int img_gfs_failf(guestfs_h *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The result the daemon hands to the job's pollers. */
json_object *img_result(void);

/* ---- the output file ---- */
/* A hidden temporary beside `dst` (removed at exit unless committed);
 * malloc'ed path or NULL after img_fail. */
char *img_tmp_beside(const char *dst);
/* Remove a temporary now. */
void img_tmp_drop(const char *path);
/* Rename it into place (replacing dst only with `force`). */
int img_out_commit(const char *tmp, const char *dst, bool force);

/* ---- running programs on the host (qemu-img, mmdebstrap) ---- */
/* argv[0] is looked up in PATH; output to `log` (appended) or, when
 * NULL, kept to name the failure. 0 or -1 after img_fail. */
int img_run(const char *const argv[], const char *log);

/* ---- libguestfs (image_gfs.c) ---- */
/* A handle with the direct backend (TCG when s->tcg), errors kept for
 * img_gfs_fail rather than printed. */
guestfs_h *img_gfs_new(const img_spec *s);
int img_gfs_add(guestfs_h *g, const char *path, const char *format, bool readonly, bool discard);
int img_gfs_launch(guestfs_h *g);
/* Inspect and mount the one operating system on the disks (its
 * filesystems at their mount points). */
int img_gfs_mount_os(guestfs_h *g, const char *what);
/* Close cleanly (sync, shut the appliance down). */
int img_gfs_close(guestfs_h *g);
/* /bin/sh -c CMD in the image's root; its failure named by `what`. */
int img_gfs_sh(guestfs_h *g, const char *cmd, const char *what);
int img_gfs_write(guestfs_h *g, const char *path, const char *text, int mode);
/* The format of an image file ("qcow2", "raw"), or NULL after img_fail. */
char *img_probe_format(guestfs_h *g, const char *path);

/* ---- operations ---- */
/* Editing an image's mounted OS (image_customize.c); `network` tells
 * whether the appliance has one (needed by --install). */
bool img_customize_needs_network(const img_spec *s);
/* A Debian package name (--install); false after img_fail. */
bool img_package_name_ok(const char *name);
int img_customize(guestfs_h *g, const img_spec *s);
/* Add a command run once at the next boot (systemd unit installed on
 * first use). `name` orders and names it. */
int img_firstboot_add(guestfs_h *g, const char *name, const char *command);
/* virt-sysprep's operations on the mounted OS (image_sysprep.c). */
int img_sysprep_ops(guestfs_h *g, const img_spec *s);
/* --operations checked before the appliance starts. */
int img_sysprep_check(const img_spec *s);
/* Whole operations, one per op (image_*.c). */
int img_op_sysprep(const img_spec *s);
int img_op_customize(const img_spec *s);
int img_op_sparsify(const img_spec *s);
int img_op_resize(const img_spec *s);
int img_op_build(const img_spec *s);
int img_op_list(const img_spec *s);
/* Grow partition `part` (e.g. /dev/sda3, the last one; or the whole
 * disk /dev/sda holding a filesystem) and its filesystem to the end of
 * a disk that was made bigger (image_resize.c). */
int img_grow_partition(guestfs_h *g, const char *part);
