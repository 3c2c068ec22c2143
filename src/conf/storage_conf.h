/* Storage definitions: the supported subset of libvirt's pool and volume
 * XML, parsed strictly (anything outside the subset is refused with the
 * element and its line) and written back in libvirt's shape. The subset
 * is documented in docs/storage.md.
 *
 * Pools are directories (type 'dir'), file systems on a block device
 * mounted at the target (type 'fs'), or whole disks with a partition
 * table (type 'disk', volumes are partitions); volumes of dir and fs
 * pools are the image files in them. Values only the driver knows (capacity, allocation, the path of
 * a volume) are passed to the formatters, never kept in the parsed
 * definition. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "conf/uuid.h"

/* ---- names ------------------------------------------------------------ */

/* ---- pools ---------------------------------------------------------- */

typedef enum { VR_POOL_DIR, VR_POOL_FS, VR_POOL_DISK, VR_POOL_ISCSI_DIRECT, VR_POOL_RBD } vr_pool_type;

/* <host name port>: one more rbd monitor. */
typedef struct {
    char *name;
    unsigned port; /* 0: Ceph's defaults */
} vr_pool_host;

/* <source>: what each kind takes (storage_source.c). */
typedef struct {
    char *device;       /* <device path=''/>: fs, disk: /dev/X; iscsi-direct: the target's IQN */
    char *format;       /* <format type=''/>: disk gpt|dos, fs auto|ext4|xfs */
    char *host;         /* <host name='' port=''/>: iscsi-direct's portal, rbd's monitor */
    unsigned port;      /* iscsi-direct: 3260 when not given; rbd: 0 = Ceph's defaults (3300, 6789) */
    vr_pool_host *more_hosts; /* rbd: the monitors of the <host>s after the first */
    size_t n_more_hosts;
    char *name;         /* <name>: rbd's Ceph pool */
    char *initiator;    /* <initiator><iqn name=''/></initiator>: iscsi-direct */
    char *auth_user;    /* <auth type='chap'|'ceph' username=''>: iscsi-direct (chap), rbd (ceph) */
    char *secret_uuid;  /* <secret uuid=''/> inside <auth> */
    char *secret_usage; /* <secret usage=''/> inside <auth> */
} vr_pool_source;

/* pool-define-as's fields; NULL = not given. */
typedef struct {
    const char *name, *type, *target;
    const char *source_dev, *source_format, *source_host, *source_path, *source_name;
    const char *auth_type, *auth_username, *secret_uuid, *source_initiator;
} vr_pool_fields;

typedef struct {
    vr_pool_type type;
    vr_pool_source source;
    char *name;
    char uuid[VR_UUID_STRLEN];
    char *target_path; /* absolute, no trailing '/'; NULL for iscsi-direct and rbd (no target) */
    int mode;          /* <permissions><mode>, octal; -1 = not given (0755 on build) */
    long owner, group; /* -1 = not given */
} vr_pool_def;

/* What the driver knows of an active pool, for the formatter. */
typedef struct {
    unsigned long long capacity, allocation, available; /* bytes */
} vr_pool_stats;

/* Parse and validate; a missing uuid is generated. NULL with *err. */
vr_pool_def *vr_pool_def_parse(const char *xml, size_t len, char **err);
/* The same from fields (pool-define-as). */
vr_pool_def *vr_pool_def_from_fields(const vr_pool_fields *f, char **err);
/* A dir pool at `target` (type must be "dir"). */
vr_pool_def *vr_pool_def_new(const char *name, const char *type, const char *target, char **err);
/* Parse a type name; false when Vireo has no such pool kind. */
bool vr_pool_type_parse(const char *s, vr_pool_type *out);
/* "dir, fs, disk": for messages. */
const char *vr_pool_types_supported(void);
/* stats may be NULL (an inactive pool: zeros, as libvirt shows). */
char *vr_pool_def_format(const vr_pool_def *def, const vr_pool_stats *stats);
vr_pool_def *vr_pool_def_copy(const vr_pool_def *def);
/* find-storage-pool-sources: a <source> of kind t given as XML (virsh's
 * srcSpec), and libvirt's <sources> answer for a list of them. */
int vr_pool_source_parse_xml(vr_pool_type t, const char *xml, vr_pool_source *s, char **err);
char *vr_pool_sources_format(vr_pool_type t, const vr_pool_source *list, size_t n);
void vr_pool_source_free_list(vr_pool_source *list, size_t n);
void vr_pool_source_clear(vr_pool_source *s);
/* pool-capabilities: libvirt's <storagepoolCapabilities>, every libvirt
 * pool type with supported='yes' for the kinds Vireo serves, their source
 * and volume formats. */
char *vr_pool_capabilities_format(void);
void vr_pool_def_free(vr_pool_def *def);
const char *vr_pool_type_name(vr_pool_type t);

/* ---- volumes -------------------------------------------------------- */

typedef enum { VR_VOL_RAW, VR_VOL_QCOW2, VR_VOL_ISO } vr_vol_format;

/* Parse "raw", "qcow2", "iso"; false when none of them. */
bool vr_vol_format_parse(const char *s, vr_vol_format *out);
const char *vr_vol_format_name(vr_vol_format f);

/* A volume as asked for (vol-create) or as found (vol-dumpxml). */
typedef struct {
    char *name;
    unsigned long long capacity;   /* bytes */
    unsigned long long allocation; /* bytes; informational on input */
    vr_vol_format format;
    int mode;                      /* -1 = not given (0600) */
    char *path;                    /* only when formatting */
    char *backing_path;            /* qcow2 overlays: the backing file, or NULL */
    vr_vol_format backing_format;
    bool backing_format_set;       /* else probed from the backing file */
    bool block;                    /* type='block' (a partition) when formatting */
    /* qcow2: <compat> ("0.10" or "1.1", NULL: qemu-img's default, 1.1)
     * and <features><lazy_refcounts/>, what virt-install and
     * virt-manager ask for; given to qemu-img create as -o. */
    char *compat;
    bool lazy_refcounts;
} vr_vol_def;

/* Parse a volume XML for creation. Capacity is required unless there
 * is a backing store (then 0 means "the backing file's size"). */
vr_vol_def *vr_vol_def_parse(const char *xml, size_t len, char **err);
char *vr_vol_def_format(const vr_vol_def *def);
void vr_vol_def_free(vr_vol_def *def);
