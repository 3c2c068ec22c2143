#include "conf/uuid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static bool urandom(unsigned char *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return false;
        }
        p += r;
        n -= (size_t)r;
    }
    close(fd);
    return true;
}

void vr_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    size_t left = n;
    while (left > 0) {
        ssize_t r = getrandom(p, left, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        p += r;
        left -= (size_t)r;
    }
    if (left == 0 || urandom(p, left))
        return;
    fputs("vireo: no random source (getrandom and /dev/urandom failed)\n", stderr);
    abort();
}

void vr_uuid_format(const unsigned char raw[VR_UUID_LEN], char out[VR_UUID_STRLEN])
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < VR_UUID_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[raw[i] >> 4];
        *o++ = hex[raw[i] & 15];
    }
    *o = '\0';
}

void vr_uuid_generate(char out[VR_UUID_STRLEN])
{
    unsigned char raw[VR_UUID_LEN];
    vr_random_bytes(raw, sizeof(raw));
    raw[6] = (unsigned char)((raw[6] & 0x0f) | 0x40); /* version 4 */
    raw[8] = (unsigned char)((raw[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    vr_uuid_format(raw, out);
}

int vr_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool vr_uuid_parse(const char *s, unsigned char raw[VR_UUID_LEN])
{
    if (!s)
        return false;
    size_t len = strlen(s);
    bool dashed = len == 36;
    if (len != 32 && !dashed)
        return false;
    const char *p = s;
    for (int i = 0; i < VR_UUID_LEN; i++) {
        /* Dashes sit exactly where the canonical form has them. */
        if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
            if (*p != '-')
                return false;
            p++;
        }
        int hi = vr_hex_digit(p[0]), lo = hi < 0 ? -1 : vr_hex_digit(p[1]);
        if (hi < 0 || lo < 0)
            return false;
        raw[i] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    return *p == '\0';
}

bool vr_uuid_canonical(const char *s, char out[VR_UUID_STRLEN])
{
    unsigned char raw[VR_UUID_LEN];
    if (!vr_uuid_parse(s, raw))
        return false;
    vr_uuid_format(raw, out);
    return true;
}
