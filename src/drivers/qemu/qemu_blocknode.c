/* A running disk's block nodes (qemu_blocknode.h). */
#include "drivers/qemu/qemu_blocknode.h"
#include "drivers/qemu/qemu_hotplug.h"
#include "common/log.h"
#include "common/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

json_object *vr_qb_block_of(json_object *query_block, const char *target)
{
    const char *peripheral = "/machine/peripheral/";
    for (size_t i = 0; query_block && i < json_object_array_length(query_block); i++) {
        json_object *b = json_object_array_get_idx(query_block, i), *q = NULL;
        if (!json_object_object_get_ex(b, "qdev", &q))
            continue;
        const char *qdev = json_object_get_string(q);
        if (strncmp(qdev, peripheral, strlen(peripheral)) == 0)
            qdev += strlen(peripheral);
        size_t len = strcspn(qdev, "/");
        if (len == strlen(target) && strncmp(qdev, target, len) == 0)
            return b;
    }
    return NULL;
}

const char *vr_qb_inserted(json_object *block, const char *key)
{
    json_object *in = NULL, *v = NULL;
    if (!block || !json_object_object_get_ex(block, "inserted", &in) || !json_object_object_get_ex(in, key, &v))
        return NULL;
    return json_object_get_string(v);
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* A node that holds an image format (not the file or device under it). */
static bool format_node(json_object *n)
{
    const char *drv = str_of(n, "drv");
    return drv && strcmp(drv, "file") != 0 && strcmp(drv, "host_device") != 0;
}

/* The format node named `name`, or the one opening `file` (by name or
 * by inode: a backing file may be spelled relative to its overlay). */
static json_object *node_of(json_object *nodes, const char *name, const char *file)
{
    struct stat want, st;
    bool by_inode = file && stat(file, &want) == 0;
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        const char *nn = str_of(n, "node-name"), *f = str_of(n, "file");
        if (!format_node(n) || !nn)
            continue;
        if (name && strcmp(nn, name) == 0)
            return n;
        if (file && f && (strcmp(f, file) == 0 ||
                          (by_inode && stat(f, &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)))
            return n;
    }
    return NULL;
}

size_t vr_qb_chain(json_object *named_nodes, const char *top, vr_qb_layer **out)
{
    size_t n = 0;
    *out = NULL;
    json_object *node = named_nodes && top ? node_of(named_nodes, top, NULL) : NULL;
    /* A chain has no loops; the bound only guards against a confused answer. */
    while (node && n < 64) {
        json_object *img = NULL;
        *out = vr_realloc(*out, (n + 1) * sizeof(**out));
        (*out)[n++] = (vr_qb_layer){.node = vr_strdup(str_of(node, "node-name")),
                                    .file = vr_strdup(str_of(node, "file")),
                                    .format = vr_strdup(str_of(node, "drv"))};
        json_object_object_get_ex(node, "image", &img);
        const char *backing = str_of(img, "full-backing-filename");
        if (!backing)
            backing = str_of(node, "backing_file");
        json_object *next = backing ? node_of(named_nodes, NULL, backing) : NULL;
        node = next != node ? next : NULL;
    }
    return n;
}

void vr_qb_chain_free(vr_qb_layer *chain, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(chain[i].node);
        free(chain[i].file);
        free(chain[i].format);
    }
    free(chain);
}

int vr_qb_chain_find(const vr_qb_layer *chain, size_t n, const char *path)
{
    char real[PATH_MAX], other[PATH_MAX];
    bool resolved = realpath(path, real) != NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(chain[i].file, path) == 0 ||
            (resolved && realpath(chain[i].file, other) && strcmp(real, other) == 0))
            return (int)i;
    return -1;
}

static void add_del(json_object *dels, const char *node)
{
    json_object *a = json_object_new_object();
    json_object_object_add(a, "node-name", json_object_new_string(node));
    json_object_array_add(dels, a);
}

void vr_qb_del_args(const vr_qb_layer *layer, const char *target, json_object *dels)
{
    if (layer->node[0] == '#')
        return;
    add_del(dels, layer->node);
    char *drive = vr_asprintf("drive-%s", target);
    if (strcmp(layer->node, drive) == 0) {
        char *file = vr_asprintf("file-%s", target);
        add_del(dels, file);
        free(file);
    }
    free(drive);
}

void vr_qb_set_disk_source(vr_domain *dom, const char *target, const char *path, const char *format, bool block)
{
    vr_domain_def *defs[2] = {vr_domain_def_copy(dom->def),
                              dom->persistent ? vr_domain_def_copy(vr_hp_config_def(dom)) : NULL};
    for (size_t k = 0; k < 2; k++) {
        int i = defs[k] ? vr_domain_def_find_disk(defs[k], target) : -1;
        if (i < 0)
            continue;
        vr_disk_def *d = &defs[k]->disks[i];
        free(d->source_path);
        free(d->source_pool);
        free(d->source_volume);
        free(d->resolved_path);
        d->source_pool = d->source_volume = d->resolved_path = NULL;
        d->source_path = vr_strdup(path);
        d->type = block ? VR_DISK_BLOCK : VR_DISK_FILE;
        d->format = strcmp(format, "qcow2") == 0 ? VR_DISK_QCOW2 : VR_DISK_RAW;
    }
    char *err = NULL;
    if (defs[1] && vr_hp_config_replace(dom, defs[1], &err) != VR_OK)
        vr_log_warn("domain %s: disk %s now runs on %s, but the definition cannot be saved: %s", dom->def->name,
                    target, path, err);
    free(err);
    vr_hp_live_replace(dom, defs[0]);
}
