/* UUIDs as libvirt writes them: 36 characters, lowercase, dashed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define VR_UUID_LEN 16
#define VR_UUID_STRLEN 37 /* with the terminating NUL */

/* Fill `buf` with bytes from the kernel's random source (getrandom,
 * falling back to /dev/urandom). Aborts when neither works: a host
 * without randomness would hand out colliding UUIDs and MACs. */
void vr_random_bytes(void *buf, size_t n);

/* A random (version 4) UUID in canonical text form. */
void vr_uuid_generate(char out[VR_UUID_STRLEN]);

/* Parse 32 hex digits, with or without the four dashes, either case.
 * Returns false when `s` is not a UUID. */
bool vr_uuid_parse(const char *s, unsigned char raw[VR_UUID_LEN]);

void vr_uuid_format(const unsigned char raw[VR_UUID_LEN], char out[VR_UUID_STRLEN]);

/* Parse and write back in canonical form (lowercase, dashed). */
bool vr_uuid_canonical(const char *s, char out[VR_UUID_STRLEN]);
/* The value of a hexadecimal digit (either case), -1 for anything else:
 * uuid and MAC text (mac.c). */
int vr_hex_digit(char c);
