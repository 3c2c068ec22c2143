/* libvirt's backup job XML (formatbackup.html), push mode:
 *   <domainbackup mode='push'>
 *     <incremental>CHECKPOINT</incremental>
 *     <disks>
 *       <disk name='vda' backup='yes' type='file'>
 *         <target file='/backups/vda.qcow2'/><driver type='qcow2'/>
 *       </disk>
 *     </disks>
 *   </domainbackup>
 * Pull mode exports each disk over NBD for a client to read while the
 * guest runs on; QEMU keeps the old contents of what the guest rewrites
 * in a scratch file:
 *   <domainbackup mode='pull'>
 *     <server transport='tcp' name='127.0.0.1' port='10809'/>  (or transport='unix' socket='/run/x.sock')
 *     <disks>
 *       <disk name='vda' backup='yes' type='file' exportname='vda' exportbitmap='backup-vda'>
 *         <scratch file='/var/tmp/vda.scratch'/>
 *       </disk>
 *     </disks>
 *   </domainbackup>
 * backup-dumpxml writes the same form, every default filled in. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;   /* the disk's target, "vda" */
    bool backup;  /* backup='yes' (default) or 'no' */
    char *target; /* the file QEMU writes: push's <target> copy, pull's <scratch>; NULL: chosen beside the disk */
    bool raw;     /* <driver type='raw'/> (default qcow2; push only) */
    char *export_name;   /* pull: the NBD export's name (default: the disk's target) */
    char *export_bitmap; /* pull, incremental: the exported dirty bitmap (default backup-TARGET) */
} vr_backup_disk;

typedef struct {
    bool pull;         /* mode='pull': an NBD export (else push: files) */
    bool unix_socket;  /* pull: <server transport='unix' socket=...> (else tcp) */
    char *host;        /* pull, tcp: name= (default localhost) */
    unsigned port;     /* pull, tcp: port= (default 10809) */
    char *socket;      /* pull, unix: socket= */
    char *incremental; /* the checkpoint the copy starts from, or NULL: a full copy */
    vr_backup_disk *disks;
    size_t n_disks;
} vr_backup_def;

vr_backup_def *vr_backup_def_parse(const char *xml, size_t len, char **err);
char *vr_backup_def_format(const vr_backup_def *def);
void vr_backup_def_free(vr_backup_def *def);
vr_backup_disk *vr_backup_def_disk(const vr_backup_def *def, const char *target);
vr_backup_disk *vr_backup_def_add_disk(vr_backup_def *def, const char *target);
