/* desc and metadata: a domain's <title>, <description> and its
 * applications' <metadata> elements, live (the running definition: no
 * QEMU involved) and in its persistent definition, with virsh's
 * --live/--config/--current. */
#include "drivers/qemu/qemu_hotplug.h"
#include "conf/domain_metadata.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* One change, made to a copy of each definition the flags name; nothing
 * changes unless the change applies to every one. */
typedef int (*edit_fn)(vr_domain_def *def, const void *arg, char **err);

static vr_err edit(vr_domain *dom, unsigned flags, edit_fn fn, const void *arg, char **err)
{
    flags = vr_qemu_affect(dom, flags);
    vr_err code = vr_hp_check(dom, flags, "change", err);
    if (code != VR_OK)
        return code;
    vr_domain_def *cfg = flags & VR_AFFECT_CONFIG ? vr_domain_def_copy(vr_hp_config_def(dom)) : NULL;
    vr_domain_def *live = flags & VR_AFFECT_LIVE ? vr_domain_def_copy(dom->def) : NULL;
    if ((cfg && fn(cfg, arg, err) < 0) || (live && fn(live, arg, err) < 0)) {
        vr_domain_def_free(cfg);
        vr_domain_def_free(live);
        return VR_ERR_INVALID;
    }
    if (cfg && (code = vr_hp_config_replace(dom, cfg, err)) != VR_OK) {
        vr_domain_def_free(live);
        return code;
    }
    if (live)
        vr_hp_live_replace(dom, live);
    return VR_OK;
}

typedef struct {
    bool title;
    const char *text;
} desc_arg;

static int set_desc(vr_domain_def *def, const void *arg, char **err)
{
    const desc_arg *a = arg;
    char **field = a->title ? &def->title : &def->description;
    free(*field);
    *field = a->text && *a->text ? vr_strdup(a->text) : NULL;
    return 0;
}

vr_err vr_qemu_set_description(vr_domain *dom, bool title, const char *text, unsigned flags, char **err)
{
    if (title && text && strpbrk(text, "\r\n")) {
        vr_set_error(err, "a title is one line; put longer text in the description (desc without --title)");
        return VR_ERR_INVALID;
    }
    desc_arg a = {.title = title, .text = text};
    vr_err code = edit(dom, flags, set_desc, &a, err);
    if (code == VR_OK) /* libvirt's metadata-change event */
        vr_qemu_emit(dom, "metadata-changed", title ? "title" : "description");
    return code;
}

const char *vr_qemu_description(const vr_domain *dom, bool title, bool inactive)
{
    const vr_domain_def *def = inactive ? vr_hp_config_def(dom) : dom->def;
    return title ? def->title : def->description;
}

typedef struct {
    const char *uri, *key, *xml;
} meta_arg;

static int set_meta(vr_domain_def *def, const void *arg, char **err)
{
    const meta_arg *a = arg;
    char *out = NULL;
    if (vr_metadata_set(def->metadata, a->uri, a->key, a->xml, &out, err) < 0)
        return -1;
    free(def->metadata);
    def->metadata = out;
    return 0;
}

vr_err vr_qemu_set_metadata(vr_domain *dom, const char *uri, const char *key, const char *xml, unsigned flags,
                            char **err)
{
    meta_arg a = {.uri = uri, .key = key, .xml = xml};
    vr_err code = edit(dom, flags, set_meta, &a, err);
    if (code == VR_OK) {
        char *detail = vr_asprintf("element %s", uri);
        vr_qemu_emit(dom, "metadata-changed", detail);
        free(detail);
    }
    return code;
}

vr_err vr_qemu_metadata(const vr_domain *dom, const char *uri, bool inactive, char **out, char **err)
{
    const vr_domain_def *def = inactive ? vr_hp_config_def(dom) : dom->def;
    return vr_metadata_get(def->metadata, uri, out, err) < 0 ? VR_ERR_FAILED : VR_OK;
}
