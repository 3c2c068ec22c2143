/* The round trip of stored_form.h: format, parse, format again, compare. */
#include "conf/stored_form.h"
#include "conf/domain_conf.h"
#include "conf/network_conf.h"
#include "conf/secret_conf.h"
#include "conf/snapshot_conf.h"
#include "conf/storage_conf.h"
#include "conf/xml_util.h"
#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The parsers and formatters with one signature. A network read back
 * keeps the bridge it was given, so it needs no bridge namer. */
static char *domain_format(const void *d) { return vr_domain_def_format(d); }
static void *domain_parse(const char *x, size_t n, char **e) { return vr_domain_def_parse(x, n, e); }
static void domain_free(void *d) { vr_domain_def_free(d); }
static char *network_format(const void *d) { return vr_network_def_format(d); }
static void *network_parse(const char *x, size_t n, char **e) { return vr_network_def_parse(x, n, NULL, NULL, e); }
static void network_free(void *d) { vr_network_def_free(d); }
static char *pool_format(const void *d) { return vr_pool_def_format(d, NULL); }
static void *pool_parse(const char *x, size_t n, char **e) { return vr_pool_def_parse(x, n, e); }
static void pool_free(void *d) { vr_pool_def_free(d); }
static char *snapshot_format(const void *d) { return vr_snapshot_def_format(d); }
static void *snapshot_parse(const char *x, size_t n, char **e) { return vr_snapshot_def_parse(x, n, e); }
static void snapshot_free(void *d) { vr_snapshot_def_free(d); }
static char *secret_format(const void *d) { return vr_secret_def_format(d); }
static void *secret_parse(const char *x, size_t n, char **e) { return vr_secret_def_parse(x, n, e); }
static void secret_free(void *d) { vr_secret_def_free(d); }

static const char *domain_name(const void *d) { return ((const vr_domain_def *)d)->name; }
static const char *domain_uuid(const void *d) { return ((const vr_domain_def *)d)->uuid; }
static const char *network_name(const void *d) { return ((const vr_network_def *)d)->name; }
static const char *network_uuid(const void *d) { return ((const vr_network_def *)d)->uuid; }
static const char *pool_name(const void *d) { return ((const vr_pool_def *)d)->name; }
static const char *pool_uuid(const void *d) { return ((const vr_pool_def *)d)->uuid; }
static const char *snapshot_name(const void *d) { return ((const vr_snapshot_def *)d)->name; }
static const char *secret_uuid(const void *d) { return ((const vr_secret_def *)d)->uuid; }

const vr_conf_kind vr_conf_domain = {"domain", domain_format, domain_parse, domain_free, domain_name, domain_uuid,
                                    false};
const vr_conf_kind vr_conf_network = {"network", network_format, network_parse, network_free, network_name,
                                      network_uuid, false};
const vr_conf_kind vr_conf_pool = {"pool", pool_format, pool_parse, pool_free, pool_name, pool_uuid, false};
const vr_conf_kind vr_conf_snapshot = {"snapshot", snapshot_format, snapshot_parse, snapshot_free, snapshot_name,
                                       NULL, false};
const vr_conf_kind vr_conf_secret = {"secret", secret_format, secret_parse, secret_free, secret_uuid, secret_uuid,
                                     .keyed_by_uuid = true};

char *vr_conf_stored_form(const vr_conf_kind *kind, const void *def, const char *name, char **err)
{
    char *xml = kind->format(def), *why = NULL, *again = NULL;
    void *back = kind->parse(xml, strlen(xml), &why);
    if (back)
        again = kind->format(back);
    bool same = again && strcmp(again, xml) == 0;
    if (!same) {
        char *shown = vr_escape_line(name);
        vr_set_error(err, "%s '%s' would not read back as defined (%s); nothing was saved", kind->what, shown,
                     why ? why : "its stored form reads back differently");
        free(shown);
        free(xml);
        xml = NULL;
    }
    if (back)
        kind->free(back);
    free(again);
    free(why);
    return xml;
}

vr_err vr_conf_save(const vr_conf_kind *kind, const void *def, const char *name, const char *path, char **err)
{
    char *xml = vr_conf_stored_form(kind, def, name, err);
    if (!xml)
        return VR_ERR_INVALID;
    int rc = vr_file_write_atomic(path, xml, strlen(xml), 0600);
    free(xml);
    if (rc == -ENOSPC)
        vr_set_error(err, "no space left on device for %s '%s' (%s); free some and try again", kind->what,
                     name, path);
    else if (rc < 0)
        vr_set_error(err, "cannot save %s '%s' to %s: %s", kind->what, name, path, strerror(-rc));
    return rc < 0 ? VR_ERR_FAILED : VR_OK;
}
