/* Internals of the QEMU command line builder, shared by its files
 * (qemu_command.c: machine, disks, network, consoles;
 * qemu_command_graphics.c: display, sound, SPICE). Not for the driver. */
#pragma once
#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_props.h"
#include "common/strbuf.h"

typedef struct {
    const vr_domain_def *def;
    const vr_qemu_runtime *rt;
    bool q35, kvm;
    char **v;
    size_t n, cap;
    char **err;
    int failed;
} cmd;

/* One argument. */
void vr_qc_add(cmd *c, const char *s);
/* An option and its properties in key=value form, every value escaped
 * (qemu_props.h); `p` is freed. How every option that carries a value
 * from the definition is written. */
void vr_qc_props(cmd *c, const char *option, vr_qprops *p);
/* -device `p` with the PCI address of `a` (nothing for other types). */
void vr_qc_device_props(cmd *c, const vr_address *a, vr_qprops *p);
/* An option and its formatted value, for text of the builder's own
 * (-vga none, -msg timestamp=on): nothing in it is escaped. */
void vr_qc_opt(cmd *c, const char *option, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for -device, with the PCI address of `a` appended. */
void vr_qc_device(cmd *c, const vr_address *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first failure's message goes to *err; the build returns NULL. */
int vr_qc_fail(cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* RUNTIME/name (not escaped: a property value), checked against sun_path. */
char *vr_qc_socket_path(cmd *c, const char *name);
/* -chardev spicevmc,id=ID,name=NAME */
void vr_qc_spicevmc(cmd *c, const char *id, const char *name);

/* qemu_command_iscsi.c: -object secret,id=ID,file=FILE,format=FORMAT:
 * a password or key QEMU reads from a file, so it never stands on the
 * command line. */
void vr_qc_secret_object(cmd *c, const char *id, const char *file, const char *format);
/* The value of `key` in the query "a=1&b=2" (malloc'ed), or NULL. */
char *vr_qc_query_get(const char *query, const char *key);
/* A pool volume's URL SCHEME://HEAD/MID/TAIL[?ARGS] as the storage
 * driver resolves it (iscsi, rbd), split in place. */
typedef struct {
    const char *head;           /* up to slash1 */
    const char *slash1, *slash2; /* MID between them */
    const char *tail;           /* slash2 + 1, of tail_len bytes */
    size_t tail_len;
    const char *args; /* after the '?', or NULL */
} vr_qc_volume_url;
/* false with *err ("disk DEV: 'URL' is not an SHAPE volume") when `url`
 * has not that form. */
bool vr_qc_volume_url_split(const vr_disk_def *d, const char *url, const char *scheme, const char *shape,
                            vr_qc_volume_url *u, char **err);
/* The disk's secret object sec-DEV for its key or password in `file`
 * (*secret), and the id its node names (malloc'ed). */
char *vr_qc_disk_secret(const vr_disk_def *d, const char *file, const char *format, vr_qprops **secret);
/* The protocol node (file-DEV) of a disk on a LUN of an iscsi-direct
 * pool, *secret its password's secret object (NULL without CHAP); NULL
 * with *err when `url` is not one. */
vr_qprops *vr_qc_iscsi_node(const vr_disk_def *d, const char *url, vr_qprops **secret, char **err);
/* ... and for a <disk type='network'> of protocol iscsi (its CHAP
 * password in vr_qemu_disk_key_file). */
vr_qprops *vr_qc_iscsi_network_node(const vr_disk_def *d, const char *runtime_dir, vr_qprops **secret);
/* qemu_command_rbd.c: the same for an image of an rbd pool. */
vr_qprops *vr_qc_rbd_node(const vr_disk_def *d, const char *url, vr_qprops **secret, char **err);
/* ... and for a <disk type='network'> of protocol rbd (its key in
 * vr_qemu_disk_key_file). */
vr_qprops *vr_qc_rbd_network_node(const vr_disk_def *d, const char *runtime_dir, vr_qprops **secret);

/* qemu_command_graphics.c */
void vr_qc_graphics(cmd *c);
void vr_qc_sound(cmd *c);
void vr_qc_redirdevs(cmd *c);
/* qemu_command_smartcard.c: the CCID reader and its card. */
void vr_qc_smartcard(cmd *c);

/* qemu_command_memory.c: -m, NUMA nodes and their backends, iothreads;
 * the DIMMs. */
void vr_qc_memory(cmd *c);
void vr_qc_dimms(cmd *c);
/* Does the machine need -machine memory-backend=pc.ram (<memoryBacking>
 * without NUMA cells)? */
bool vr_qc_machine_ram_backend(const vr_domain_def *def);
/* QEMU's -m size: <memory> less the DIMMs, in whole MiB. */
unsigned long long vr_qc_start_memory_mib(const vr_domain_def *def);

/* qemu_command_fs.c: <filesystem> (9p, or virtiofs to its virtiofsd). */
void vr_qc_filesystems(cmd *c);
/* qemu_command_firmware.c: ",pflash0=...,pflash1=..." on -machine, and
 * the loader's and NVRAM's nodes. */
void vr_qc_machine_pflash(cmd *c, vr_qprops *machine);
void vr_qc_firmware(cmd *c);
/* qemu_command_hyperv.c: ",hv-...=on" on -cpu (a model first when
 * the definition names none). */
void vr_qc_hyperv(cmd *c, vr_qprops *cpu);
/* qemu_command_rng.c: an <rng>'s backend object (and chardev for egd). */
void vr_qc_rng_backend(cmd *c, size_t i, const vr_rng_def *r);
/* qemu_command_tpm.c: the TPM's chardev, backend and device. */
void vr_qc_tpm(cmd *c);
