/* A disk's <iotune>: QEMU's I/O throttling of the drive, as libvirt
 * writes it (one element per value, bytes or operations per second, a
 * _max the burst rate for its _max_length seconds, <group_name> a quota
 * shared by the disks that name it). The rules are libvirt's and QEMU's
 * (util/throttle.c), so what is accepted here QEMU takes. */
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const vr_iotune_names[] = {
    "total_bytes_sec",     "read_bytes_sec",     "write_bytes_sec",     "total_iops_sec",
    "read_iops_sec",       "write_iops_sec",     "total_bytes_sec_max", "read_bytes_sec_max",
    "write_bytes_sec_max", "total_iops_sec_max", "read_iops_sec_max",   "write_iops_sec_max",
    "size_iops_sec",       "total_bytes_sec_max_length",                "read_bytes_sec_max_length",
    "write_bytes_sec_max_length",                "total_iops_sec_max_length",
    "read_iops_sec_max_length",                  "write_iops_sec_max_length",
    NULL,
};

int vr_iotune_field_index(const char *name)
{
    if (strcmp(name, "group_name") == 0)
        return VR_IOTUNE_COUNT;
    for (int i = 0; i < VR_IOTUNE_COUNT; i++)
        if (strcmp(name, vr_iotune_names[i]) == 0)
            return i;
    return -1;
}

/* The four families of three (total, read, write): bytes, iops, and
 * their _max; a _max is its rate's index + 6, a length its _max's + 7. */
enum { FAMILIES = 4, MAX_OFFSET = 6, LENGTH_OFFSET = 7 };

bool vr_iotune_any(const vr_iotune *t)
{
    for (int i = 0; i < FAMILIES * 3; i++)
        if (t->v[i])
            return true;
    return false;
}

bool vr_iotune_equal(const vr_iotune *a, const vr_iotune *b)
{
    if (memcmp(a->v, b->v, sizeof(a->v)) != 0)
        return false;
    return (!a->group_name && !b->group_name) ||
           (a->group_name && b->group_name && strcmp(a->group_name, b->group_name) == 0);
}

void vr_iotune_copy(vr_iotune *dst, const vr_iotune *src)
{
    free(dst->group_name);
    *dst = *src;
    dst->group_name = src->group_name ? vr_strdup(src->group_name) : NULL;
}

/* Why `t` cannot be taken (malloc'ed), or NULL. */
static char *iotune_problem(const vr_iotune *t)
{
    const char *const *n = vr_iotune_names;
    for (int i = 0; i < VR_IOTUNE_COUNT; i++)
        if (t->v[i] > VR_IOTUNE_VALUE_MAX)
            return vr_asprintf("%s %llu is over QEMU's largest limit, %llu", n[i], t->v[i], VR_IOTUNE_VALUE_MAX);
    for (int f = 0; f < FAMILIES; f++) {
        int total = 3 * f;
        if (t->v[total] && (t->v[total + 1] || t->v[total + 2]))
            return vr_asprintf("%s cannot be set with %s or %s: the total limits reads and writes together; "
                               "give either", n[total], n[total + 1], n[total + 2]);
    }
    for (int rate = 0; rate < MAX_OFFSET; rate++) {
        int max = rate + MAX_OFFSET, len = max + LENGTH_OFFSET;
        if (t->v[max] && !t->v[rate])
            return vr_asprintf("%s needs %s: the burst rises above a limit; set both", n[max], n[rate]);
        if (t->v[max] && t->v[max] < t->v[rate])
            return vr_asprintf("%s %llu is below %s %llu: the burst rate is the higher one", n[max], t->v[max],
                               n[rate], t->v[rate]);
        if (t->v[len] && !t->v[max])
            return vr_asprintf("%s needs %s: it is how long that burst may last", n[len], n[max]);
        if (t->v[len] > VR_IOTUNE_VALUE_MAX / (t->v[max] ? t->v[max] : 1))
            return vr_asprintf("%s %llu is too long for %s %llu (QEMU's limit: their product at most %llu)",
                               n[len], t->v[len], n[max], t->v[max], VR_IOTUNE_VALUE_MAX);
    }
    if (t->v[VR_IOTUNE_SIZE_IOPS_SEC] && !t->v[VR_IOTUNE_TOTAL_IOPS_SEC] && !t->v[VR_IOTUNE_READ_IOPS_SEC] &&
        !t->v[VR_IOTUNE_WRITE_IOPS_SEC])
        return vr_asprintf("size_iops_sec needs an operations limit (total_iops_sec, read_iops_sec or "
                           "write_iops_sec): it is the size one operation counts for");
    if (t->group_name && !vr_iotune_any(t))
        return vr_asprintf("group_name '%s' needs a limit to share: set total, read or write bytes or iops",
                           t->group_name);
    if (t->group_name && !*t->group_name)
        return vr_strdup("group_name is empty: name the group, or leave it out");
    return NULL;
}

int vr_iotune_check(const vr_iotune *t, char **err)
{
    char *why = iotune_problem(t);
    if (!why)
        return 0;
    vr_set_error(err, "%s", why);
    free(why);
    return -1;
}

void vr_iotune_apply(vr_iotune *t, const vr_iotune_change *ch)
{
    for (int f = 0; f < FAMILIES; f++) {
        unsigned mask = 7u << (3 * f);
        if (!(ch->given & mask))
            continue;
        for (int i = 3 * f; i < 3 * f + 3; i++)
            t->v[i] = ch->t.v[i];
    }
    for (int i = VR_IOTUNE_SIZE_IOPS_SEC; i < VR_IOTUNE_COUNT; i++)
        if (ch->given & (1u << i))
            t->v[i] = ch->t.v[i];
    /* A burst reset takes its length along (QEMU refuses a length
     * without its burst), as libvirt's reset does. */
    for (int max = MAX_OFFSET; max < 2 * MAX_OFFSET; max++)
        if (!t->v[max] && !(ch->given & (1u << (max + LENGTH_OFFSET))))
            t->v[max + LENGTH_OFFSET] = 0;
    if (ch->given & VR_IOTUNE_GIVEN_GROUP) {
        free(t->group_name);
        t->group_name = ch->t.group_name && *ch->t.group_name ? vr_strdup(ch->t.group_name) : NULL;
    }
    if (!vr_iotune_any(t)) {
        free(t->group_name);
        t->group_name = NULL;
    }
}

int vr_parse_iotune(vr_parse_state *st, const xmlNode *n, vr_iotune *t)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    bool seen[VR_IOTUNE_COUNT] = {0};
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "group_name")) {
            if (t->group_name)
                return vr_parse_duplicate(c, st->err);
            if (vr_parse_leaf_text(st, c, true, &t->group_name) < 0)
                return -1;
            continue;
        }
        int i = 0;
        while (i < VR_IOTUNE_COUNT && !vr_xml_is(c, vr_iotune_names[i]))
            i++;
        if (i == VR_IOTUNE_COUNT)
            return vr_xml_unsupported(c, st->err);
        if (seen[i])
            return vr_parse_duplicate(c, st->err);
        seen[i] = true;
        char *text = NULL;
        if (vr_parse_leaf_text(st, c, true, &text) < 0)
            return -1;
        bool ok = vr_xml_parse_ull(text, 0, ~0ULL, 10, &t->v[i]);
        if (!ok)
            vr_xml_error(c, st->err, "<%s>%s</%s> is not a number: give a whole number (0 for no limit)",
                         vr_iotune_names[i], text, vr_iotune_names[i]);
        free(text);
        if (!ok)
            return -1;
    }
    char *why = iotune_problem(t);
    if (!why)
        return 0;
    vr_xml_error(n, st->err, "<iotune>: %s", why);
    free(why);
    return -1;
}

void vr_format_iotune(xmlNode *disk, const vr_iotune *t)
{
    if (!vr_iotune_any(t) && !t->group_name)
        return;
    xmlNode *n = vr_xml_new_child(disk, "iotune");
    for (int i = 0; i < VR_IOTUNE_COUNT; i++) {
        char num[24];
        snprintf(num, sizeof(num), "%llu", t->v[i]);
        if (t->v[i])
            vr_xml_new_text_child(n, vr_iotune_names[i], num);
        if (i == VR_IOTUNE_SIZE_IOPS_SEC && t->group_name)
            vr_xml_new_text_child(n, "group_name", t->group_name);
    }
}
