/* vireo install (virt-install's job): what the pieces of the command
 * share. cmd_install.c reads the command line and sends it to the
 * daemon (POST /v1/install), which plans the install once
 * (src/core/install_ops.c) and makes it; install_request.c reads what
 * only the client has (a --location tree, --cloud-init files);
 * install_media.c finds a kernel and initrd in an install tree or ISO
 * and makes cloud-init seed images. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"

#include "install/install_plan.h"
#include "vireo/vireo.h"

/* ---- media (install_media.c) ---- */


/* Where a kernel and initrd were found: paths relative to the tree or
 * ISO root, and what kind of tree it is. */
typedef struct {
    char *kernel, *initrd;
    const char *distro;      /* "Debian", "Ubuntu", "Fedora/RHEL", ... */
    bool redhat;             /* anaconda: wants inst.repo= */
} vr_tree_files;

/* Find the installer's kernel and initrd in a directory tree or an ISO
 * (kernel/initrd: given relative paths, or NULL to search the known
 * layouts). -1 with *err set when there are none. */
int vr_tree_find(const char *location, bool iso, const char *kernel, const char *initrd,
                 vr_tree_files *out, char **err);
void vr_tree_files_clear(vr_tree_files *f);
/* Copy the two files out of the ISO into dir (as dir/kernel and
 * dir/initrd). */
int vr_iso_extract(const char *iso, const vr_tree_files *f, const char *dir, char **err);
/* The ISO's volume id (free()), or NULL. */
char *vr_iso_volume_id(const char *iso);

typedef struct {
    char *user_data;         /* a file given verbatim */
    char *meta_data;         /* a file given verbatim */
    char *network_config;    /* a file given verbatim */
    char **ssh_keys;         /* public key files */
    size_t n_ssh_keys;
    char *root_password_file;
    char *hostname;
    bool disable;            /* cloud-init disables itself after the first boot */
} vr_cloudinit;

/* Check the keys and password files (as the seed will read them). */
int vr_cloudinit_check(const vr_cloudinit *ci, char **err);
/* Write a NoCloud seed ISO (label cidata) for domain `name` to `out`. */
int vr_cloudinit_seed(const vr_cloudinit *ci, const char *name, const char *uuid, const char *out,
                      char **err);
void vr_cloudinit_clear(vr_cloudinit *ci);

/* A private temporary directory, and its removal with what is in it. */
char *vr_install_tmpdir(char **err);
void vr_install_rmtree(const char *dir);
/* Run argv, stdout into *out (if not NULL), stderr's last line into
 * *err on failure. Returns the exit status, -1 when it could not run. */
int vr_install_run(const char *const *argv, char **out, char **err);

/* ---- one install: options, state (install_plan.c, cmd_install.c) ---- */

struct vireo_conn;

/* The command line as given. */
typedef struct {
    const char *name, *memory, *vcpus, *os_variant, *cdrom, *location, *extra_args, *graphics,
        *autoconsole, *machine, *virt_type, *cpu, *uuid, *connect, *title, *tpm, *cloud_init;
    bool import, pxe, console, noautoconsole, dry_run, autostart, noreboot, nographics;
    bool cloud_init_set, wait_set, print_xml;
    long wait_min;  /* < 0: no limit */
    int print_step; /* 0: every phase; 1 or 2 */
    const char **disks, **networks, **boots;
    size_t n_disks, n_networks, n_boots;
} vr_install_opts;

/* The state of one install: the request, the daemon's plan, and the
 * volumes the client made (uploads), for a rollback. */
typedef struct {
    char *pool, *name;
} vr_made_vol;

typedef struct {
    vr_cli *cli;
    vr_install_opts *o;
    struct vireo_conn *c;
    vireo_install_request req;
    vireo_install_plan plan;
    bool remote;
    bool no_upload;                 /* --dry-run, --print-xml: media the remote host lacks are refused */
    /* generated media */
    bool cloud_init;
    vr_cloudinit ci;
    char *location;                 /* --location tree or ISO */
    bool location_iso;
    vr_tree_files tree;
    /* uploaded, for a rollback */
    vr_made_vol *made;
    size_t n_made;
    int dom_id;                     /* the install phase's run */
    char *tmpdir;
} vr_install_ctx;

/* Read the options into x->req (a dry run) and what only the client
 * has (the --location tree, the --cloud-init files); makes nothing. 0,
 * else the exit status (the error was printed). */
int vr_install_make_request(vr_install_ctx *x);
void vr_install_ctx_clear(vr_install_ctx *x);
/* ---- a remote install's uploads (install_carry.c) ---- */

/* Set by SIGINT and SIGTERM while an install is made. */
extern volatile sig_atomic_t vr_install_interrupted;
/* The media of a remote install that only this machine has, carried to
 * the remote host as volumes, the request naming them; 0, else the exit
 * status (what was uploaded stays in x->made for vr_install_rollback). */
int vr_install_carry(vr_install_ctx *x);
/* A new raw volume NAME of POOL with the content of a local file, with
 * progress (`what` names it); *path (may be NULL) gets its path there. */
int vr_install_upload(vr_install_ctx *x, const char *pool, const char *name, const char *file, const char *what,
                      char **path);
/* Remove what this client uploaded (the daemon undoes its own part). */
void vr_install_rollback(vr_install_ctx *x);

/* "vireo: error: ..." on stderr; returns VR_EXIT_FAIL. */
int vr_install_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
