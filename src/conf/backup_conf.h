/* libvirt's backup job XML (formatbackup.html), push mode:
 *   <domainbackup mode='push'>
 *     <incremental>CHECKPOINT</incremental>
 *     <disks>
 *       <disk name='vda' backup='yes' type='file'>
 *         <target file='/backups/vda.qcow2'/><driver type='qcow2'/>
 *       </disk>
 *     </disks>
 *   </domainbackup>
 * Pull mode (an NBD export) is refused by name. backup-dumpxml writes
 * the same form, every default filled in. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;   /* the disk's target, "vda" */
    bool backup;  /* backup='yes' (default) or 'no' */
    char *target; /* the file the copy goes to, or NULL: chosen beside the disk */
    bool raw;     /* <driver type='raw'/> (default qcow2) */
} vr_backup_disk;

typedef struct {
    char *incremental; /* the checkpoint the copy starts from, or NULL: a full copy */
    vr_backup_disk *disks;
    size_t n_disks;
} vr_backup_def;

vr_backup_def *vr_backup_def_parse(const char *xml, size_t len, char **err);
char *vr_backup_def_format(const vr_backup_def *def);
void vr_backup_def_free(vr_backup_def *def);
vr_backup_disk *vr_backup_def_disk(const vr_backup_def *def, const char *target);
vr_backup_disk *vr_backup_def_add_disk(vr_backup_def *def, const char *target);
