/* A QEMU option's properties, built once and written in either of the
 * two forms QEMU reads:
 *   key=value    the command line's -device/-blockdev/-netdev/-object/
 *                -chardev form: "HEAD,key=value,...", where a ',' inside
 *                a value (or the head) is written ",," (QEMU's rule);
 *   JSON         QMP's arguments (device_add, blockdev-add, object-add,
 *                netdev_add): {"HEADKEY": HEAD, "key": value, ...} with
 *                numbers and booleans typed and dotted keys
 *                ("cache.direct") nested as objects.
 * Building a device's properties in one function gives the start's
 * command line and a hot-plug's QMP call the same device. */
#pragma once
#include <stdbool.h>

#include <json-c/json.h>

typedef struct vr_qprops vr_qprops;

/* Properties led by `head` (the device driver, the chardev or netdev
 * backend, the machine type: written bare first on the command line, as
 * head_key in JSON). NULL head: none yet (vr_qp_head may set it). */
vr_qprops *vr_qp_new(const char *head_key, const char *head);
void vr_qp_head(vr_qprops *p, const char *head_key, const char *head);
bool vr_qp_has_head(const vr_qprops *p);
/* A NULL value adds nothing, so optional properties need no if. */
void vr_qp_str(vr_qprops *p, const char *key, const char *value);
void vr_qp_strf(vr_qprops *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vr_qp_uint(vr_qprops *p, const char *key, unsigned long long value);
/* on/off on the command line (true/false where QEMU's own users write
 * that: vr_qp_bool_word), a boolean in JSON. */
void vr_qp_bool(vr_qprops *p, const char *key, bool value);
void vr_qp_bool_word(vr_qprops *p, const char *key, bool value);
/* Every property of `from` appended to `p` (from is freed). */
void vr_qp_append(vr_qprops *p, vr_qprops *from);
/* Nothing at all: no head and no property. */
bool vr_qp_empty(const vr_qprops *p);

char *vr_qp_keyval(const vr_qprops *p);
json_object *vr_qp_json(const vr_qprops *p);
void vr_qp_free(vr_qprops *p);
