/* send-key's codesets to QEMU's qnum, as libvirt's qemuDomainSendKey
 * does it: every codeset virsh takes (linux, xt, atset1, atset2, atset3,
 * os_x, xt_kbd, usb, win32, qnum), a key named in the codesets that have
 * names (linux KEY_*, os_x ANSI_*, win32 VK_*) or given as a number.
 * The tables are libvirt's own (keycodemapdb, compiled into libvirt.so.0),
 * read out at build time by gen_keycodes.c: none is typed by hand. */
#include "drivers/qemu/qemu_keycodes.h"
#include "drivers/qemu/qemu_keycodes_table.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A number as virsh reads one (base 0); -1 when `s` is not one. */
static long number(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    return *s && !*end && !errno && v >= 0 ? v : -1;
}

static const char *set_names(char *buf, size_t size)
{
    size_t at = 0;
    for (const vr_keycode_set *s = vr_keycode_sets; s->name && at < size; s++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", s == vr_keycode_sets ? "" : ", ", s->name);
    return buf;
}

int vr_keycode_qnum(const char *codeset, const char *key, char **err)
{
    const vr_keycode_set *set = NULL;
    const char *want = codeset ? codeset : "linux";
    for (const vr_keycode_set *s = vr_keycode_sets; s->name && !set; s++)
        if (strcasecmp(s->name, want) == 0)
            set = s;
    char list[256];
    if (!set) {
        vr_set_error(err, "codeset '%s' is not one of virsh's: %s", want, set_names(list, sizeof(list)));
        return -1;
    }
    long code = number(key);
    for (const vr_keycode_name *n = set->names; code < 0 && n->name; n++)
        if (strcasecmp(n->name, key) == 0)
            code = n->code;
    if (code < 0) {
        if (set->names[0].name)
            vr_set_error(err, "key '%s' is not a key name of codeset %s (as %s, %s) nor a number", key, set->name,
                         set->names[0].name, set->names[1].name ? set->names[1].name : set->names[0].name);
        else
            vr_set_error(err, "key '%s' of codeset %s is not a number (codeset %s has no key names; "
                              "--codeset linux takes KEY_* names)", key, set->name, set->name);
        return -1;
    }
    for (const vr_keycode_pair *p = set->codes; p->qnum; p++)
        if (p->code == (unsigned long)code)
            return (int)p->qnum;
    vr_set_error(err, "key '%s' is not a key of codeset %s that QEMU's keyboard has", key, set->name);
    return -1;
}

const char *vr_keycode_set_name(unsigned number)
{
    for (unsigned i = 0; vr_keycode_sets[i].name; i++)
        if (i == number)
            return vr_keycode_sets[i].name;
    return NULL;
}
