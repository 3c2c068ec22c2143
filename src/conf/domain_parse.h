/* Shared by the two halves of step 1 (domain_parse.c for the domain's
 * own elements, domain_parse_devices.c for <devices>). Internal. */
#pragma once
#include "conf/domain_priv.h"

#define ATTRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ATTRS ((const char *const[]){NULL})

typedef struct {
    vr_domain_def *def;
    char **err;
    bool have_memory, have_current;
    long current_line, memory_line, max_memory_line;
} vr_parse_state;

typedef int (*vr_parse_fn)(vr_parse_state *st, const xmlNode *n);

int vr_parse_duplicate(const xmlNode *n, char **err);
/* Text of a leaf element without attributes. */
int vr_parse_leaf_text(vr_parse_state *st, const xmlNode *n, bool trim, char **out);
int vr_parse_abs_path(vr_parse_state *st, const xmlNode *n, const char *what, const char *path);
/* Text of a leaf element without attributes holding an absolute path. */
int vr_parse_path_leaf(vr_parse_state *st, const xmlNode *n, char **out);
/* An empty flag element like <readonly/>: sets *out, refuses repeats. */
int vr_parse_flag(vr_parse_state *st, const xmlNode *n, bool *out);

int vr_parse_devices(vr_parse_state *st, const xmlNode *n);
/* An element read whole and kept, refused at start with `reason`. */
int vr_parse_kept(vr_parse_state *st, const xmlNode *n, const char *reason);
/* <address> of a device, any type libvirt writes for x86, or its user
 * <alias> (vr_parse_is_devinfo: the children this takes). */
bool vr_parse_is_devinfo(const xmlNode *n);
int vr_parse_address(vr_parse_state *st, const xmlNode *n, vr_address *a);
/* The children of a device that has only an <address>. */
int vr_parse_address_only(vr_parse_state *st, const xmlNode *n, vr_address *a);

/* Display, sound and SPICE devices (domain_graphics.c). */
int vr_parse_graphics(vr_parse_state *st, const xmlNode *n);
int vr_parse_audio(vr_parse_state *st, const xmlNode *n);
int vr_parse_sound(vr_parse_state *st, const xmlNode *n);
int vr_parse_redirdev(vr_parse_state *st, const xmlNode *n);
/* Windows guests' elements: <features><hyperv> (domain_hyperv.c),
 * <devices><tpm> (domain_tpm.c), <os><firmware> (domain_firmware.c). */
int vr_parse_hyperv(vr_parse_state *st, const xmlNode *n);
int vr_parse_tpm(vr_parse_state *st, const xmlNode *n);
int vr_parse_os_firmware(vr_parse_state *st, const xmlNode *n);
