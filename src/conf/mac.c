#include "conf/mac.h"
#include "conf/uuid.h"

#include <stdio.h>

bool vr_mac_parse(const char *s, unsigned char raw[VR_MAC_LEN])
{
    if (!s)
        return false;
    const char *p = s;
    for (int i = 0; i < VR_MAC_LEN; i++) {
        int v = vr_hex_digit(*p);
        if (v < 0)
            return false;
        p++;
        int lo = vr_hex_digit(*p);
        if (lo >= 0) {
            v = v << 4 | lo;
            p++;
        }
        raw[i] = (unsigned char)v;
        if (i < VR_MAC_LEN - 1) {
            if (*p != ':')
                return false;
            p++;
        }
    }
    return *p == '\0';
}

void vr_mac_format(const unsigned char raw[VR_MAC_LEN], char out[VR_MAC_STRLEN])
{
    snprintf(out, VR_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", raw[0], raw[1], raw[2],
             raw[3], raw[4], raw[5]);
}

void vr_mac_generate(char out[VR_MAC_STRLEN])
{
    unsigned char raw[VR_MAC_LEN] = {0x52, 0x54, 0x00};
    vr_random_bytes(raw + 3, 3);
    vr_mac_format(raw, out);
}

bool vr_mac_is_multicast(const unsigned char raw[VR_MAC_LEN])
{
    return raw[0] & 1;
}
