/* QEMU's firmware descriptors (docs/interop/firmware.json in QEMU's
 * sources): the JSON files Debian's ovmf installs in
 * /usr/share/qemu/firmware (and an admin may add or mask in
 * /etc/qemu/firmware), each naming one firmware build, its variable
 * store template, the machines it runs on and its features. Vireo picks
 * UEFI firmware from them as libvirt does, and lists them for domain
 * capabilities.
 *
 * Public to the daemon: the libvirt protocol's domcapabilities lists
 * vr_qemu_firmware_load()'s answer; the QEMU driver picks from it at
 * start (vr_qemu_firmware_resolve). Reading is cheap (a few small
 * files), so nothing is cached: a firmware installed while the daemon
 * runs is seen at the next start. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "conf/domain_conf.h"

typedef struct {
    char *descriptor;     /* the JSON file it was read from */
    char *description;
    char *executable;     /* mapping.executable.filename: the code (pflash unit 0) */
    char *nvram_template; /* mapping.nvram-template.filename, or NULL */
    char **machines;      /* targets[x86_64].machines: globs, "pc-q35-*" */
    size_t n_machines;
    bool uefi;            /* "uefi" in interface-types */
    bool secure_boot, enrolled_keys, requires_smm;
} vr_qemu_firmware;

typedef struct {
    vr_qemu_firmware *fw; /* in priority order: by file name, /etc overriding /usr/share */
    size_t n;
} vr_qemu_firmware_list;

/* The x86_64 flash firmware described in `dirs` (NULL-terminated, later
 * ones lower priority; NULL: /etc/qemu/firmware then
 * /usr/share/qemu/firmware, or $VIREO_FIRMWARE_DIR alone when set). A
 * file of the same name in an earlier dir hides later ones, an empty
 * one hides without describing anything (QEMU's rule). Unreadable or
 * malformed descriptors are skipped with a warning. Never fails; an
 * empty list when ovmf is not installed. */
void vr_qemu_firmware_load(const char *const *dirs, vr_qemu_firmware_list *out);
void vr_qemu_firmware_list_free(vr_qemu_firmware_list *l);

/* The first UEFI firmware for `machine` ("q35", "pc", "pc-q35-7.2" ...)
 * with the features asked (ON: must have, OFF: must not, DEFAULT:
 * either). NULL with *err saying what was asked and what exists. */
const vr_qemu_firmware *vr_qemu_firmware_pick(const vr_qemu_firmware_list *l, const char *machine,
                                              vr_tristate secure_boot, vr_tristate enrolled_keys,
                                              char **err);

/* The descriptor of the firmware at `path`, or NULL. */
const vr_qemu_firmware *vr_qemu_firmware_by_path(const vr_qemu_firmware_list *l, const char *path);

/* Complete the firmware of a definition before it starts, as libvirt
 * does: <os firmware='efi'> without a <loader> gets the picked
 * firmware's code as a read-only pflash loader (secure='yes' for Secure
 * Boot builds, with <smm state='on'/> when it requires SMM); a pflash
 * loader without <nvram> gets NVRAM_DIR/NAME_VARS.fd and its
 * descriptor's template. Returns 1 when `def` changed (the caller saves
 * it), 0 when not, -1 with *err (no firmware fits; Secure Boot on a
 * machine without SMM). */
int vr_qemu_firmware_resolve(vr_domain_def *def, const char *nvram_dir, char **err);

/* The domain's NVRAM file from its template: made when missing, or
 * always when `reset` (start --reset-nvram). 0, or -1 with *err. */
int vr_qemu_nvram_prepare(const vr_domain_def *def, bool reset, char **err);
