/* send-key's tables, generated at build time by gen_keycodes.c from
 * libvirt's (libvirt.so.0 of Debian's libvirt0, which compiles QEMU's
 * keycodemapdb in): per codeset its keys with their qnum, and its key
 * names. Each list ends with a zero entry (qnum 0, name NULL). */
#pragma once

typedef struct {
    unsigned code, qnum;
} vr_keycode_pair;

typedef struct {
    const char *name;
    unsigned code;
} vr_keycode_name;

typedef struct {
    const char *name;             /* virsh's: linux, xt, atset1, ... qnum */
    const vr_keycode_pair *codes; /* ascending by code; ends with qnum 0 */
    const vr_keycode_name *names; /* empty for codesets without names */
} vr_keycode_set;

extern const vr_keycode_set vr_keycode_sets[];
