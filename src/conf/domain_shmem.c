/* <shmem name><model type='ivshmem-plain'/><size/></shmem>: a piece of
 * host shared memory (/dev/shm/NAME) the guest sees as an ivshmem PCI
 * device, shared with other guests or host programs that map the same
 * name. ivshmem-doorbell needs an ivshmem server Vireo does not run. */
#include "conf/domain_tune_priv.h"
#include "conf/units.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHMEM_DEFAULT_BYTES (4ULL << 20)

static int parse_size(vr_parse_state *st, const xmlNode *c, vr_shmem_def *s)
{
    char *text, *unit = vr_xml_attr(c, "unit"), *e = NULL;
    if (vr_xml_check_attrs(c, ATTRS("unit"), st->err) < 0 || vr_xml_text(c, true, &text, st->err) < 0) {
        free(unit);
        return -1;
    }
    unsigned long long v, bytes;
    int rc = 0;
    /* The unit defaults to bytes here, as libvirt reads <size> of <shmem>. */
    if (!vr_xml_parse_ull(text, 1, ~0ULL, 10, &v) ||
        vr_units_to_bytes(v, unit, 1, "<shmem><size>", &bytes, &e) < 0)
        rc = vr_xml_error(c, st->err, "%s", e ? e : "<shmem><size> is not a number");
    else if (bytes & (bytes - 1) || bytes < 4096 || bytes > (1ULL << 36))
        rc = vr_xml_error(c, st->err, "<shmem><size> must be a power of two from 4 KiB to 64 GiB "
                          "(QEMU's ivshmem), not %llu bytes", bytes);
    else
        s->size = bytes;
    free(e);
    free(text);
    free(unit);
    return rc;
}

int vr_parse_shmem(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    if (vr_xml_check_attrs(n, ATTRS("name", "role"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    vr_shmem_def *s = VR_PUSH(def->shmems, def->n_shmems);
    s->line = vr_xml_line(n);
    s->name = vr_xml_attr(n, "name");
    if (!s->name || !*s->name || strchr(s->name, '/') || strchr(s->name, ',') || s->name[0] == '.' ||
        strlen(s->name) > 200)
        return vr_xml_error(n, st->err, "<shmem> needs a name that is a file name in /dev/shm");
    char *role = vr_xml_attr(n, "role");
    int rc = 0;
    if (role)
        rc = vr_xml_error(n, st->err, "<shmem role='%s'> is not supported by Vireo (it is for "
                          "migration)", role);
    free(role);
    if (rc < 0)
        return -1;
    bool have_model = false, have_size = false;
    for (xmlNode *c = vr_xml_first(n); c && rc == 0; c = vr_xml_next(c)) {
        int i;
        if (vr_xml_is(c, "model") && !have_model) {
            have_model = true;
            if (vr_xml_check_attrs(c, ATTRS("type"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0 ||
                vr_xml_attr_enum(c, "type", ATTRS("ivshmem-plain"), &i, st->err) < 0)
                rc = -1;
        } else if (vr_xml_is(c, "size") && !have_size) {
            have_size = true;
            rc = parse_size(st, c, s);
        } else if (vr_parse_is_devinfo(c)) {
            rc = vr_parse_address(st, c, &s->addr);
        } else {
            rc = vr_xml_unsupported(c, st->err);
        }
    }
    if (!s->size)
        s->size = SHMEM_DEFAULT_BYTES;
    for (size_t k = 0; rc == 0 && k + 1 < def->n_shmems; k++)
        if (strcmp(def->shmems[k].name, s->name) == 0)
            rc = vr_xml_error(n, st->err, "<shmem name='%s'> is given twice", s->name);
    return rc;
}

void vr_format_shmems(xmlNode *devs, const vr_domain_def *def)
{
    for (size_t i = 0; i < def->n_shmems; i++) {
        const vr_shmem_def *s = &def->shmems[i];
        xmlNode *n = vr_xml_new_child(devs, "shmem");
        vr_xml_new_prop(n, "name", s->name);
        vr_xml_new_prop(vr_xml_new_child(n, "model"), "type", "ivshmem-plain");
        char num[32];
        snprintf(num, sizeof(num), "%llu", s->size / 1024);
        vr_xml_new_prop(vr_xml_new_text_child(n, "size", num), "unit", "KiB");
        vr_format_address(n, &s->addr);
    }
}
