/* <devices><tpm>: a TPM 2.0 (or 1.2) for the guest, emulated by swtpm
 * (the QEMU driver runs one per domain, qemu_tpm.c) or the host's own
 * device passed through. libvirt's form: <tpm model='tpm-crb|tpm-tis'>
 * <backend type='emulator' version='2.0|1.2'/> or <backend
 * type='passthrough'><device path='/dev/tpm0'/></backend>. */
#include "conf/domain_parse.h"
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const model_names[] = {"tpm-tis", "tpm-crb", NULL};
static const char *const backend_names[] = {"emulator", "passthrough", NULL};

static int parse_backend(vr_parse_state *st, const xmlNode *n, vr_tpm_def *t)
{
    int type, rc;
    if (vr_xml_check_attrs(n, ATTRS("type", "version"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0 ||
        (rc = vr_xml_attr_enum(n, "type", backend_names, &type, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<backend> of <tpm> needs type='emulator' or 'passthrough'");
    t->backend = (vr_tpm_backend)type;
    int v = 0;
    /* No version: 2.0, as libvirt gives tpm-crb (and Windows 11 needs). */
    if (vr_xml_attr_enum(n, "version", ATTRS("2.0", "1.2"), &v, st->err) < 0)
        return -1;
    t->v12 = v == 1;
    if (t->v12 && t->backend != VR_TPM_EMULATOR)
        return vr_xml_error(n, st->err, "<backend type='passthrough' version='1.2'>: a passed-through TPM is "
                                        "the host's own; leave version out");
    /* As libvirt: the CRB interface is TPM 2.0's only. */
    if (t->v12 && t->model == VR_TPM_CRB)
        return vr_xml_error(n, st->err, "<tpm model='tpm-crb'> with version='1.2': a TPM 1.2 has only the "
                                        "TIS interface; use model='tpm-tis'");
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (t->backend != VR_TPM_PASSTHROUGH || !vr_xml_is(c, "device"))
            return vr_xml_unsupported(c, st->err);
        if (t->device)
            return vr_parse_duplicate(c, st->err);
        if (vr_xml_check_attrs(c, ATTRS("path"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
            return -1;
        t->device = vr_xml_attr(c, "path");
        if (!t->device)
            return vr_xml_error(c, st->err, "<device> of a TPM passthrough backend needs a path");
        if (vr_parse_abs_path(st, c, "<device path>", t->device) < 0)
            return -1;
    }
    if (t->backend == VR_TPM_PASSTHROUGH && !t->device)
        t->device = vr_strdup("/dev/tpm0");
    return 0;
}

int vr_parse_tpm(vr_parse_state *st, const xmlNode *n)
{
    if (st->def->tpm)
        return vr_xml_error(n, st->err, "a domain has at most one <tpm>");
    vr_tpm_def *t = st->def->tpm = vr_calloc(1, sizeof(*t));
    t->line = vr_xml_line(n);
    int model = 0;
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0 ||
        vr_xml_attr_enum(n, "model", model_names, &model, st->err) < 0)
        return -1;
    t->model = (vr_tpm_model)model;
    bool have_backend = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "alias")) {
            if (vr_parse_address(st, c, &t->addr) < 0)
                return -1;
            continue;
        }
        if (!vr_xml_is(c, "backend"))
            return vr_xml_unsupported(c, st->err);
        if (have_backend)
            return vr_parse_duplicate(c, st->err);
        have_backend = true;
        if (parse_backend(st, c, t) < 0)
            return -1;
    }
    if (!have_backend)
        return vr_xml_error(n, st->err, "<tpm> needs a <backend type='emulator' version='2.0'/>");
    return 0;
}

void vr_format_tpm(xmlNode *devs, const vr_tpm_def *t)
{
    if (!t)
        return;
    xmlNode *n = xmlNewChild(devs, NULL, BAD_CAST "tpm", NULL);
    xmlNewProp(n, BAD_CAST "model", BAD_CAST model_names[t->model]);
    xmlNode *b = xmlNewChild(n, NULL, BAD_CAST "backend", NULL);
    xmlNewProp(b, BAD_CAST "type", BAD_CAST backend_names[t->backend]);
    if (t->backend == VR_TPM_EMULATOR)
        xmlNewProp(b, BAD_CAST "version", BAD_CAST(t->v12 ? "1.2" : "2.0"));
    else
        xmlNewProp(xmlNewChild(b, NULL, BAD_CAST "device", NULL), BAD_CAST "path", BAD_CAST t->device);
    vr_format_address(n, &t->addr);
}
