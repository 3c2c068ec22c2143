/* The QEMU command line for a domain definition.
 *
 * Pure: it reads the definition and the runtime paths and returns argv;
 * it starts nothing and checks no file (the driver does that before).
 * The command line is for Debian 12's QEMU 7.2: -blockdev for disks,
 * -device for everything on a bus, every PCI device at the address the
 * definition gives it, and QEMU's own sockets (QMP, serial, guest agent)
 * in the domain's runtime directory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "conf/domain_conf.h"
#include "drivers/qemu/qemu_props.h"

typedef struct {
    const char *emulator;    /* used when the definition has no <emulator>;
                                NULL: "qemu-system-x86_64" */
    const char *accel;       /* "kvm" or "tcg" (the driver decides from host validation) */
    const char *runtime_dir; /* per-domain dir: qmp.sock, qga.sock (serial0.sock) live here */
    const char *pidfile;
    bool start_paused;       /* -S */
    bool incoming;           /* -incoming defer: a saved state comes (restore) */
    int spice_port;          /* SPICE with autoport: the free port the driver found */
    const char *spice_tls_dir; /* SPICE with a tlsPort: its certificates (x509-dir) */
    const char *graphics_secrets[VR_GRAPHICS_MAX]; /* <graphics passwd> of def->graphics[i]: a file
                                    (mode 0600) the driver wrote it to, handed to QEMU as a
                                    secret object; NULL: none */
    const int *tap_fds;      /* one per interface of type network/bridge, in order */
    size_t n_tap_fds;
    int serial_fd;           /* > 0: serial port 0 is this connected socket, whose other end
                                the serial logger holds (fd=N); 0: its own listening socket
                                serial0.sock in the runtime dir */
    unsigned vsock_cid;      /* <vsock><cid auto='yes'>: the context id the driver picked */
} vr_qemu_runtime;

/* NULL-terminated argv (argv[0] is the emulator), free with
 * vr_qemu_argv_free. NULL with *err set when the definition cannot run
 * as it is (an unresolved volume, a missing tap fd, a socket path too
 * long for a unix socket). */
/* The host NUMA policy of a memory backend, libvirt's mapping of
 * <numatune>: the guest cell's <memnode>, else <memory>; strict is
 * QEMU's bind. `cellid` < 0: not a cell (pc.ram). False when none:
 * else *nodes is the host node list ("0-1,4"), *policy QEMU's word. */
bool vr_qemu_numa_policy(const vr_domain_def *def, int cellid, const char **nodes, const char **policy);

char **vr_qemu_build_argv(const vr_domain_def *def, const vr_qemu_runtime *rt, char **err);
void vr_qemu_argv_free(char **argv);

/* The Hyper-V enlightenments of `def` this accelerator cannot take
 * (under TCG: <vpindex>, mode='passthrough'), named for the start's
 * notice; NULL when none. */
char *vr_qemu_hyperv_left_out(const vr_domain_def *def, bool kvm);

/* A value for QEMU's key=value,... options: every ',' doubled. */
char *vr_qemu_quote(const char *s);

/* What the command line and a hot-plug (QMP) share, as properties
 * (qemu_props.h): a PCI address (bus, addr, multifunction); a disk
 * medium's protocol node file-DEV on `path` and its format node
 * drive-DEV; the disk's device (bootindex 0: none). */
void vr_qemu_pci_props(vr_qprops *p, bool q35, const vr_address *a);
vr_qprops *vr_qemu_disk_file_node(const vr_disk_def *d, const char *path);
/* Does QEMU reach the disk's image over the network itself (an rbd
 * <disk type='network'>, a volume of an iscsi-direct or rbd pool, whose
 * `path` is the storage driver's iscsi:// or rbd:// URL)? */
bool vr_qemu_disk_on_network(const vr_disk_def *d, const char *path);
/* qemu_command_iotune.c: block_set_io_throttle's arguments for disk d's
 * <iotune> (its device by id, QEMU's names; the group when named), and
 * whether a disk of `def` with a medium is throttled: its start is held
 * at -S until the limits are set. */
json_object *vr_qemu_iotune_args(const vr_disk_def *d);
bool vr_qemu_iotune_wanted(const vr_domain_def *def);
/* The protocol node (file-DEV) of such a disk, as -blockdev and
 * blockdev-add take it, and in *secret the secret object sec-DEV of its
 * CHAP password or cephx key (NULL without one) that must come first;
 * NULL with *err when `path` is not a volume URL. */
vr_qprops *vr_qemu_disk_net_node(const vr_disk_def *d, const char *path, const char *runtime_dir, vr_qprops **secret,
                                 char **err);
/* Where the driver writes the cephx key or the CHAP password of a <disk
 * type='network'> with <auth> before a start or a hot-plug (DEV.cephx,
 * DEV.chap), for the secret object. */
char *vr_qemu_disk_key_file(const char *runtime_dir, const vr_disk_def *d);
vr_qprops *vr_qemu_disk_format_node(const vr_disk_def *d);
vr_qprops *vr_qemu_disk_device(const vr_disk_def *d, bool q35, bool has_medium, unsigned bootindex);
/* An interface's NIC on netdev `netdev`, with device id `id`. */
vr_qprops *vr_qemu_nic_device(const vr_interface_def *in, bool q35, const char *netdev,
                              const char *id, unsigned bootindex);
