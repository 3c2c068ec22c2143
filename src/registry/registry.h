/* The definition store every driver keeps its objects in: domains
 * (CONFIG/qemu), networks (CONFIG/network), pools (CONFIG/storage) and
 * secrets (CONFIG/secrets: a kind known by its uuid alone, filed as
 * UUID.xml, without autostart).
 *
 * It owns what is the same for every kind: the directory and its mode,
 * loading every CONFIG/<dir>/NAME.xml (a file that cannot be read or parsed is
 * logged once and skipped, never deleted, never fatal), the autostart
 * links (CONFIG/<dir>/autostart/NAME.xml -> ../NAME.xml, as libvirt keeps
 * them), the validated atomic save (conf/stored_form.h: only a form that
 * parses back is written; temp file, fsync, rename, fsync of the
 * directory), lookup by name and by uuid in hash tables, the listing in
 * name order, and the duplicate name/uuid rule with its one message form.
 *
 * The registry maps a name (and a uuid) to the driver's own object (a
 * vr_domain, vr_network, vr_pool): it never looks inside it. The driver
 * keeps what is its own (running state, processes, bridges, volumes).
 *
 * Directory mode: CONFIG/<dir> and its autostart/ are 0700 for every
 * kind. Definitions can carry secrets (VNC and SPICE passwords, iSCSI
 * and Ceph auth, host paths) and only the daemon reads them; libvirt
 * keeps /etc/libvirt/qemu the same way. Nothing else (dnsmasq, QEMU run
 * as another user) reads these files: they get their own copies in the
 * run directories. */
#pragma once
#include "common/errors.h"
#include "conf/stored_form.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct vr_registry vr_registry;

/* The mode of every directory the registry makes (see above). */
#define VR_REGISTRY_DIR_MODE 0700

/* CONFIG_ROOT/DIR for definitions of `kind`. Creates the directory and
 * its autostart/ (logged when that fails) and removes the temp files a
 * killed daemon left, `leftover_depth` directory levels down (the QEMU
 * driver keeps snapshot metadata one level further). */
vr_registry *vr_registry_new(const vr_conf_kind *kind, const char *config_root, const char *dir,
                             int leftover_depth);
/* The objects are the driver's: it frees them itself. */
void vr_registry_free(vr_registry *r);

/* True when CONFIG/<dir> did not exist before vr_registry_new: the very
 * first start, when drivers define their `default` objects. */
bool vr_registry_first_start(const vr_registry *r);
const char *vr_registry_dir(const vr_registry *r);

/* The driver's constructor for a loaded definition: returns its object
 * (which the registry then holds under the definition's name and uuid).
 * `def` is the driver's from then on. */
typedef void *(*vr_registry_adopt_fn)(void *def, bool autostart, void *opaque);
/* The parser for loading, when the kind's own is not enough (networks
 * name a missing bridge); NULL: the kind's. */
typedef void *(*vr_registry_parse_fn)(const char *xml, size_t len, char **err, void *opaque);
/* Every CONFIG/<dir>/NAME.xml, in directory order. Unreadable, invalid and
 * duplicate (name or uuid already held) files are logged and skipped. */
void vr_registry_load(vr_registry *r, vr_registry_parse_fn parse, vr_registry_adopt_fn adopt, void *opaque);

/* Hold `obj` under def's name and uuid (both free: see vr_registry_check). */
void vr_registry_add(vr_registry *r, void *obj, const void *def);
/* Forget the object held under `name` (the object itself is not freed). */
void vr_registry_remove(vr_registry *r, const char *name);
/* The object held under `old_name` is held under new_def's name from now
 * on (its uuid stays). */
void vr_registry_rename(vr_registry *r, const char *old_name, const void *new_def);

void *vr_registry_by_name(const vr_registry *r, const char *name);
/* Any spelling vr_uuid_parse takes (either case, with or without dashes). */
void *vr_registry_by_uuid(const vr_registry *r, const char *uuid);
/* By name, else by uuid. */
void *vr_registry_lookup(const vr_registry *r, const char *key);
/* Every object, sorted by name; the array is the registry's and changes
 * with the next add, remove or rename. */
void *const *vr_registry_list(const vr_registry *r, size_t *n);

/* The duplicate rule, one for every kind, checked before anything is
 * saved. A definition may take the place of the object with its own name
 * and uuid (a redefinition) when `redefine` is true; it may never take
 * another object's name or uuid:
 *   "uuid U is already used by KIND 'OTHER'"
 *   "KIND 'NAME' already exists with uuid U" (same name, another uuid)
 *   "KIND 'NAME' already exists"             (same name, no redefinition)
 * VR_OK with *same = the object redefined (or NULL); VR_ERR_CONFLICT with
 * *err otherwise. */
vr_err vr_registry_check(const vr_registry *r, const void *def, bool redefine, void **same, char **err);

/* CONFIG/<dir>/NAME.xml and CONFIG/<dir>/autostart/NAME.xml (malloc'ed). */
char *vr_registry_def_path(const vr_registry *r, const char *name);
char *vr_registry_autostart_path(const vr_registry *r, const char *name);
/* The validated atomic save of conf/stored_form.h to NAME.xml. */
vr_err vr_registry_save(const vr_registry *r, const void *def, char **err);
/* Remove NAME.xml and its autostart link (a missing file is fine). */
vr_err vr_registry_delete(const vr_registry *r, const char *name, char **err);
/* The autostart link on or off. */
vr_err vr_registry_set_autostart(const vr_registry *r, const char *name, bool on, char **err);
bool vr_registry_autostart(const vr_registry *r, const char *name);
