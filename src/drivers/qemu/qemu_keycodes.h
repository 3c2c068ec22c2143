/* Key codes for send-key: what virsh accepts (a codeset, and per key a
 * name of that codeset or a number) turned into the one encoding QMP
 * send-key takes as a number, "qnum" (XT set 1, extended keys as
 * 0x80 | code). Pure: no QEMU, no state. */
#pragma once
#include <stdbool.h>

/* The key `key` (a name such as KEY_A, VK_A, ANSI_A for the codesets
 * with names, or a number in decimal, 0x hex or 0 octal) of `codeset`
 * (virsh's: linux, xt, atset1, atset2, atset3, os_x, xt_kbd, usb, win32,
 * qnum; NULL is linux) as qnum; -1 with *err (one line) when the codeset
 * is not one of these or the key is not in it. */
int vr_keycode_qnum(const char *codeset, const char *key, char **err);

/* libvirt's virKeycodeSet number as its name ("usb" for 7); NULL past them. */
const char *vr_keycode_set_name(unsigned number);
