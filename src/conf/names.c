/* The name rule of names.h, in one place for every kind. */
#include "conf/names.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *what;
    size_t max;     /* bytes */
    bool portable;  /* only A-Z a-z 0-9 _ . + -, not starting with '-' */
    bool unicode;   /* portable, and any non-ASCII character besides */
} kinds[] = {
    [VR_NAME_DOMAIN] = {"domain", 64, true, false},
    [VR_NAME_NETWORK] = {"network", 64, true, false},
    /* File names in a directory: the file system's 255 bytes, with room
     * for the temp suffix of an atomic write. */
    [VR_NAME_POOL] = {"pool", 200, false, false},
    [VR_NAME_VOLUME] = {"volume", 200, false, false},
    /* Non-ASCII is safe in a snapshot name (a qcow2 tag, an HMP word,
     * a file name) and the course names its snapshot "instantánea1". */
    [VR_NAME_SNAPSHOT] = {"snapshot", 64, true, true},
    /* A qcow2 dirty bitmap's name too; libvirt's default is the creation
     * time, all digits, which QEMU never reads as an id here. */
    [VR_NAME_CHECKPOINT] = {"checkpoint", 64, true, false},
};

const char *vr_name_kind_str(vr_name_kind kind)
{
    return kinds[kind].what;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Why `name` is refused, or NULL; `buf` holds reasons with numbers. */
static const char *why_refused(vr_name_kind kind, const char *name, char *buf, size_t size)
{
    size_t len = strlen(name);
    const unsigned char *u = (const unsigned char *)name;
    if (len > kinds[kind].max) {
        snprintf(buf, size, "a %s name has at most %zu bytes (this one has %zu)", kinds[kind].what,
                 kinds[kind].max, len);
        return buf;
    }
    if (!vr_utf8_valid(name, len))
        return "a name must be valid UTF-8";
    for (size_t i = 0; i < len; i++)
        if (u[i] < 0x20 || u[i] == 0x7f)
            return "control characters are not allowed in a name";
    if (name[0] == '.' && name[1] == '.')
        return "'..' could leave its directory";
    if (name[0] == '.')
        return "a name cannot start with '.'";
    if (strchr(name, '/'))
        return "'/' is not allowed in a name";
    if (is_space(u[0]) || is_space(u[len - 1]))
        return "a name cannot start or end with white space";
    if (!kinds[kind].portable)
        return NULL;
    bool digits = true;
    for (size_t i = 0; i < len; i++) {
        if (u[i] >= 0x80 && kinds[kind].unicode) {
            digits = false;
            continue;
        }
        if (!isalnum(u[i]) && !strchr("_.+-", u[i])) {
            snprintf(buf, size, "use 1 to %zu of A-Z a-z 0-9 _ . + -%s (QEMU and dnsmasq read %s names)",
                     kinds[kind].max, kinds[kind].unicode ? " and non-ASCII letters" : "", kinds[kind].what);
            return buf;
        }
        digits &= isdigit(u[i]) != 0;
    }
    if (name[0] == '-')
        return "a name cannot start with '-' (it would read as an option)";
    if (kind == VR_NAME_SNAPSHOT && strstr(name, ".."))
        return "'..' is not allowed in a snapshot name";
    if (kind == VR_NAME_SNAPSHOT && digits)
        return "QEMU would read a number as a snapshot id; add a letter";
    return NULL;
}

bool vr_name_check(vr_name_kind kind, const char *name, char **err)
{
    if (!name || !*name) {
        vr_set_error(err, "a %s needs a name", kinds[kind].what);
        return false;
    }
    char buf[160];
    const char *why = why_refused(kind, name, buf, sizeof(buf));
    if (why) {
        /* Shown escaped: a message stays one line and valid UTF-8. */
        char *shown = vr_escape_line(name);
        vr_set_error(err, "%s name '%s' is refused: %s", kinds[kind].what, shown, why);
        free(shown);
    }
    return !why;
}
