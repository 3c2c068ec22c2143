/* Key codes for send-key: what virsh accepts (a codeset, and per key a
 * name of that codeset or a number) turned into the one encoding QMP
 * send-key takes as a number, "qnum" (XT set 1, extended keys as
 * 0x80 | code). Pure: no QEMU, no state. */
#pragma once
#include <stdbool.h>

/* The key `key` (a name such as KEY_A for the linux codeset, or a number
 * in decimal, 0x hex or 0 octal) of `codeset` ("linux", "xt", "qnum";
 * NULL is linux) as qnum; -1 with *err (one line) when the codeset is not
 * one of these or the key is not in it. */
int vr_keycode_qnum(const char *codeset, const char *key, char **err);
