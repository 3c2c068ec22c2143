/* send-key's codesets to QEMU's qnum. The names and numbers of the linux
 * codeset are the kernel's own (<linux/input-event-codes.h>); Linux codes
 * 1-88 are XT set 1 scan codes already, the keys after them each have
 * their XT extended (0xE0-prefixed) code here, as QEMU's keycodemapdb
 * has them. xt and atset1 are XT set 1 scan codes. usb, win32, osx and
 * atset2 are refused with the reason: their tables are QEMU's
 * keycodemapdb, which Debian does not ship, and a table typed by hand
 * would type the wrong key. */
#include "drivers/qemu/qemu_keycodes.h"
#include "common/util.h"

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define K(name) {#name, name}
static const struct {
    const char *name;
    int code;
} linux_names[] = {
    K(KEY_ESC), K(KEY_1), K(KEY_2), K(KEY_3), K(KEY_4), K(KEY_5), K(KEY_6), K(KEY_7), K(KEY_8),
    K(KEY_9), K(KEY_0), K(KEY_MINUS), K(KEY_EQUAL), K(KEY_BACKSPACE), K(KEY_TAB), K(KEY_Q),
    K(KEY_W), K(KEY_E), K(KEY_R), K(KEY_T), K(KEY_Y), K(KEY_U), K(KEY_I), K(KEY_O), K(KEY_P),
    K(KEY_LEFTBRACE), K(KEY_RIGHTBRACE), K(KEY_ENTER), K(KEY_LEFTCTRL), K(KEY_A), K(KEY_S),
    K(KEY_D), K(KEY_F), K(KEY_G), K(KEY_H), K(KEY_J), K(KEY_K), K(KEY_L), K(KEY_SEMICOLON),
    K(KEY_APOSTROPHE), K(KEY_GRAVE), K(KEY_LEFTSHIFT), K(KEY_BACKSLASH), K(KEY_Z), K(KEY_X),
    K(KEY_C), K(KEY_V), K(KEY_B), K(KEY_N), K(KEY_M), K(KEY_COMMA), K(KEY_DOT), K(KEY_SLASH),
    K(KEY_RIGHTSHIFT), K(KEY_KPASTERISK), K(KEY_LEFTALT), K(KEY_SPACE), K(KEY_CAPSLOCK),
    K(KEY_F1), K(KEY_F2), K(KEY_F3), K(KEY_F4), K(KEY_F5), K(KEY_F6), K(KEY_F7), K(KEY_F8),
    K(KEY_F9), K(KEY_F10), K(KEY_NUMLOCK), K(KEY_SCROLLLOCK), K(KEY_KP7), K(KEY_KP8), K(KEY_KP9),
    K(KEY_KPMINUS), K(KEY_KP4), K(KEY_KP5), K(KEY_KP6), K(KEY_KPPLUS), K(KEY_KP1), K(KEY_KP2),
    K(KEY_KP3), K(KEY_KP0), K(KEY_KPDOT), K(KEY_102ND), K(KEY_F11), K(KEY_F12),
    K(KEY_KPENTER), K(KEY_RIGHTCTRL), K(KEY_KPSLASH), K(KEY_SYSRQ), K(KEY_RIGHTALT),
    K(KEY_HOME), K(KEY_UP), K(KEY_PAGEUP), K(KEY_LEFT), K(KEY_RIGHT), K(KEY_END), K(KEY_DOWN),
    K(KEY_PAGEDOWN), K(KEY_INSERT), K(KEY_DELETE), K(KEY_MUTE), K(KEY_VOLUMEDOWN),
    K(KEY_VOLUMEUP), K(KEY_POWER), K(KEY_PAUSE), K(KEY_LEFTMETA), K(KEY_RIGHTMETA),
    K(KEY_COMPOSE), K(KEY_SLEEP), K(KEY_WAKEUP),
};
#undef K

/* Linux codes past the XT range and their qnum. */
static const struct {
    int linux_code, qnum;
} extended[] = {
    {KEY_KPENTER, 0x9c}, {KEY_RIGHTCTRL, 0x9d}, {KEY_KPSLASH, 0xb5}, {KEY_SYSRQ, 0xb7},
    {KEY_RIGHTALT, 0xb8}, {KEY_HOME, 0xc7}, {KEY_UP, 0xc8}, {KEY_PAGEUP, 0xc9},
    {KEY_LEFT, 0xcb}, {KEY_RIGHT, 0xcd}, {KEY_END, 0xcf}, {KEY_DOWN, 0xd0},
    {KEY_PAGEDOWN, 0xd1}, {KEY_INSERT, 0xd2}, {KEY_DELETE, 0xd3}, {KEY_MUTE, 0xa0},
    {KEY_VOLUMEDOWN, 0xae}, {KEY_VOLUMEUP, 0xb0}, {KEY_POWER, 0xde}, {KEY_PAUSE, 0xc6},
    {KEY_LEFTMETA, 0xdb}, {KEY_RIGHTMETA, 0xdc}, {KEY_COMPOSE, 0xdd}, {KEY_SLEEP, 0xdf},
    {KEY_WAKEUP, 0xe3},
};

static int linux_qnum(long code)
{
    if (code >= KEY_ESC && code <= KEY_F12 && code != 84 && code != 85)
        return (int)code;
    for (size_t i = 0; i < VR_ARRAY_LEN(extended); i++)
        if (extended[i].linux_code == code)
            return extended[i].qnum;
    return -1;
}

/* A number as virsh reads one (base 0); -1 when `s` is not one. */
static long number(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    return *s && !*end && !errno && v >= 0 ? v : -1;
}

int vr_keycode_qnum(const char *codeset, const char *key, char **err)
{
    if (!codeset || strcasecmp(codeset, "linux") == 0) {
        long code = number(key);
        for (size_t i = 0; code < 0 && i < VR_ARRAY_LEN(linux_names); i++)
            if (strcasecmp(linux_names[i].name, key) == 0)
                code = linux_names[i].code;
        int q = code >= 0 ? linux_qnum(code) : -1;
        if (q < 0)
            vr_set_error(err, "key '%s' is not a Linux key this keyboard has (names as KEY_A, KEY_ENTER, "
                              "KEY_LEFTCTRL; see <linux/input-event-codes.h>)", key);
        return q;
    }
    long v = number(key);
    /* xt and atset1 (AT set 1: XT's codes with the 0xE0 prefix of the
     * extended keys) write an extended key as 0xE0XX; qnum as 0x80 | XX. */
    bool set1 = strcasecmp(codeset, "xt") == 0 || strcasecmp(codeset, "atset1") == 0;
    if (set1 || strcasecmp(codeset, "qnum") == 0) {
        if (set1 && v >= 0xe001 && v <= 0xe07f)
            v = 0x80 | (v & 0x7f);
        if (v > 0 && v <= 0xff)
            return (int)v;
        vr_set_error(err, "key '%s' is not a %s code (a number from 1 to 0xff%s)", key, codeset,
                     set1 ? ", or 0xe0XX for an extended key" : "");
        return -1;
    }
    /* These need QEMU's keycodemapdb table, which no Debian package ships;
     * a table typed by hand could press the wrong key. */
    static const char *const tabled[] = {"usb", "win32", "osx", "atset2", "atset3", "xtkbd", "rfb"};
    for (size_t i = 0; i < VR_ARRAY_LEN(tabled); i++)
        if (strcasecmp(codeset, tabled[i]) == 0) {
            vr_set_error(err, "codeset '%s' is not supported here: its table (QEMU's keycodemapdb) is not in "
                              "Debian; name the key in linux (KEY_* names or numbers), xt, atset1 or qnum",
                         codeset);
            return -1;
        }
    vr_set_error(err, "codeset '%s' is not supported; use linux (KEY_* names or numbers), xt, atset1 or qnum",
                 codeset);
    return -1;
}
