/* Step 1 of parsing, the <devices> half: one function per device
 * element, each refusing what it does not know with the line number. */
#include "conf/domain_parse.h"
#include "conf/domain_tune_priv.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared by several devices ------------------------------------------ */

/* Network interface names (bridges, taps): what the kernel accepts. */
static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 15)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
            return false;
    return true;
}

/* libvirt's user alias: ua- and then letters, digits, '_' and '-' (its
 * virDomainDeviceInfoParseXML keeps no other on an inactive definition:
 * one with another character is an output-only name to it, dropped). */
static bool is_user_alias(const char *name)
{
    return name && vr_str_starts(name, "ua-") &&
           strspn(name + 3, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(name + 3);
}

/* <alias name='ua-NAME'/>: a user alias, kept. Auto aliases and
 * malformed ones are gone already (strip_aliases). */
static int parse_alias(vr_parse_state *st, const xmlNode *n, vr_address *a)
{
    if (a->alias)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("name"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    char *name = vr_xml_attr(n, "name");
    if (!is_user_alias(name)) { /* strip_aliases dropped any other */
        vr_xml_error(n, st->err, "<alias name='%s'> is no user alias: give ua- and then letters, digits, '_' "
                     "or '-'", name ? name : "");
        free(name);
        return -1;
    }
    a->alias = vr_domain_def_intern(st->def, name);
    free(name);
    return 0;
}

bool vr_parse_is_devinfo(const xmlNode *n) { return vr_xml_is(n, "address") || vr_xml_is(n, "alias"); }

int vr_parse_address(vr_parse_state *st, const xmlNode *n, vr_address *a)
{
    static const char *const types[] = {"pci", "drive", "virtio-serial", "usb", "isa", NULL};
    if (vr_xml_is(n, "alias"))
        return parse_alias(st, n, a);
    if (a->type != VR_ADDR_NONE)
        return vr_parse_duplicate(n, st->err);
    int t;
    int rc = vr_xml_attr_enum(n, "type", types, &t, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<address> needs a type");
    if (vr_xml_check_empty(n, st->err) < 0)
        return -1;
    unsigned long long v;
    a->type = (vr_addr_type)(t + 1);
    switch (a->type) {
    case VR_ADDR_PCI:
        if (vr_xml_check_attrs(n, ATTRS("type", "domain", "bus", "slot", "function",
                                        "multifunction"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "domain", 0, 0, &v, st->err)) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "bus", 0, 255, &v, st->err)) < 0)
            return -1;
        a->bus = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "slot", 0, 31, &v, st->err)) < 0)
            return -1;
        a->slot = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "function", 0, 7, &v, st->err)) < 0)
            return -1;
        a->function = rc ? (unsigned)v : 0;
        if (vr_xml_attr_bool(n, "multifunction", "on", "off", &a->multifunction, st->err) < 0)
            return -1;
        return 0;
    case VR_ADDR_DRIVE:
        if (vr_xml_check_attrs(n, ATTRS("type", "controller", "bus", "target", "unit"),
                               st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "controller", 0, 255, &v, st->err)) < 0)
            return -1;
        a->controller = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "bus", 0, 255, &v, st->err)) < 0)
            return -1;
        a->bus = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "target", 0, 255, &v, st->err)) < 0)
            return -1;
        a->target = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "unit", 0, 16383, &v, st->err)) < 0)
            return -1;
        a->unit = rc ? (unsigned)v : 0;
        return 0;
    case VR_ADDR_VIRTIO_SERIAL:
        if (vr_xml_check_attrs(n, ATTRS("type", "controller", "bus", "port"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "controller", 0, 255, &v, st->err)) < 0)
            return -1;
        a->controller = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "bus", 0, 0, &v, st->err)) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "port", 0, 511, &v, st->err)) < 0)
            return -1;
        a->port = rc ? (unsigned)v : VR_UNSET;
        return 0;
    case VR_ADDR_USB:
        if (vr_xml_check_attrs(n, ATTRS("type", "bus", "port"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "bus", 0, 255, &v, st->err)) < 0)
            return -1;
        a->bus = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "port", 1, 15, &v, st->err)) < 0)
            return -1;
        a->port = rc ? (unsigned)v : VR_UNSET;
        return 0;
    case VR_ADDR_ISA:
        if (vr_xml_check_attrs(n, ATTRS("type", "iobase", "irq"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "iobase", 1, 0xffff, &v, st->err)) < 0)
            return -1;
        a->iobase = rc ? (unsigned)v : 0;
        if ((rc = vr_xml_attr_uint(n, "irq", 1, 15, &v, st->err)) < 0)
            return -1;
        a->irq = rc ? (unsigned)v : 0;
        return 0;
    case VR_ADDR_NONE:
        break;
    }
    return 0;
}

int vr_parse_address_only(vr_parse_state *st, const xmlNode *n, vr_address *a)
{
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_parse_is_devinfo(c))
            return vr_xml_unsupported(c, st->err);
        if (vr_parse_address(st, c, a) < 0)
            return -1;
    }
    return 0;
}

static int parse_boot_order(vr_parse_state *st, const xmlNode *n, unsigned *order)
{
    if (*order)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("order"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    unsigned long long v;
    int rc = vr_xml_attr_uint(n, "order", 1, 65535, &v, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<boot> needs an order");
    *order = (unsigned)v;
    return 0;
}

/* ---- <disk> --------------------------------------------------------------- */

static int parse_disk_driver(vr_parse_state *st, const xmlNode *n, vr_disk_def *d)
{
    if (vr_xml_check_attrs(n, ATTRS("name", "type", "cache", "io", "discard", "iothread", "error_policy", "rerror_policy"),
                           st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    int i, rc;
    unsigned long long io_thread;
    if ((rc = vr_xml_attr_uint(n, "iothread", 1, 0xffff, &io_thread, st->err)) < 0)
        return -1;
    d->iothread = rc ? (unsigned)io_thread : 0;
    if (vr_xml_attr_enum(n, "name", ATTRS("qemu"), &i, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", vr_disk_format_names, &i, st->err)) < 0)
        return -1;
    d->format = rc ? (vr_disk_format)i : VR_DISK_RAW;
    if ((rc = vr_xml_attr_enum(n, "cache", vr_disk_cache_names + 1, &i, st->err)) < 0)
        return -1;
    d->cache = rc ? (vr_disk_cache)(i + 1) : VR_DISK_CACHE_DEFAULT;
    if ((rc = vr_xml_attr_enum(n, "io", vr_disk_io_names + 1, &i, st->err)) < 0)
        return -1;
    d->io = rc ? (vr_disk_io)(i + 1) : VR_DISK_IO_DEFAULT;
    if ((rc = vr_xml_attr_enum(n, "discard", vr_disk_discard_names + 1, &i, st->err)) < 0)
        return -1;
    d->discard = rc ? (vr_disk_discard)(i + 1) : VR_DISK_DISCARD_DEFAULT;
    if ((rc = vr_xml_attr_enum(n, "error_policy", vr_disk_error_policy_names + 1, &i, st->err)) < 0)
        return -1;
    d->error_policy = rc ? (vr_disk_error_policy)(i + 1) : VR_DISK_ERROR_POLICY_DEFAULT;
    if ((rc = vr_xml_attr_enum(n, "rerror_policy", vr_disk_error_policy_names + 1, &i, st->err)) < 0)
        return -1;
    d->rerror_policy = rc ? (vr_disk_error_policy)(i + 1) : VR_DISK_ERROR_POLICY_DEFAULT;
    /* A read cannot fill a disk: QEMU's rerror has no enospc. */
    if (d->rerror_policy == VR_DISK_ERROR_POLICY_ENOSPACE)
        return vr_xml_error(n, st->err, "<driver rerror_policy='enospace'> is for writes only: put it in "
                            "error_policy, and give rerror_policy stop, report or ignore");
    return 0;
}

/* <auth username><secret type='ceph'|'iscsi' uuid|usage/></auth> of a
 * network disk: the cephx user or the CHAP user, and the secret holding
 * its key or password (its type checked against the protocol once the
 * <source> is read: parse_disk). */
static int parse_disk_auth(vr_parse_state *st, const xmlNode *n, vr_disk_def *d, bool in_source)
{
    if (d->type != VR_DISK_NETWORK)
        return vr_xml_error(n, st->err, "<auth> belongs to <disk type='network'> (an rbd image or an iSCSI "
                            "LUN); this disk is type='%s'", vr_disk_type_names[d->type]);
    if (d->auth_username)
        return vr_parse_duplicate(n, st->err);
    if (vr_xml_check_attrs(n, ATTRS("username"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    d->auth_in_source = in_source;
    d->auth_username = vr_xml_attr(n, "username");
    if (!d->auth_username || !*d->auth_username)
        return vr_xml_error(n, st->err, "<auth> needs username='...' (the Ceph user, e.g. admin, or the "
                            "iSCSI CHAP user)");
    bool have_secret = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (!vr_xml_is(c, "secret"))
            return vr_xml_unsupported(c, st->err);
        if (have_secret)
            return vr_parse_duplicate(c, st->err);
        have_secret = true;
        int i;
        if (vr_xml_check_attrs(c, ATTRS("type", "uuid", "usage"), st->err) < 0 ||
            vr_xml_check_empty(c, st->err) < 0 || vr_xml_attr_enum(c, "type", ATTRS("ceph", "iscsi"), &i, st->err) < 0)
            return -1;
        d->auth_secret_iscsi = i == 1;
        d->secret_uuid = vr_xml_attr(c, "uuid");
        d->secret_usage = vr_xml_attr(c, "usage");
        if (!d->secret_uuid == !d->secret_usage)
            return vr_xml_error(c, st->err, "<secret type='%s'> needs uuid='...' or usage='...' (one of "
                                "them: the secret holding the %s, see vireo secret-list)",
                                i == 1 ? "iscsi" : "ceph", i == 1 ? "CHAP password" : "cephx key");
        char canon[VR_UUID_STRLEN];
        if (d->secret_uuid) {
            if (!vr_uuid_canonical(d->secret_uuid, canon))
                return vr_xml_error(c, st->err, "<secret uuid='%s'> is not a UUID", d->secret_uuid);
            free(d->secret_uuid);
            d->secret_uuid = vr_strdup(canon);
        }
    }
    if (!have_secret)
        return vr_xml_error(n, st->err, "<auth username='%s'> needs <secret type='ceph|iscsi' uuid='...'/> "
                            "(the secret holding the cephx key or the CHAP password)", d->auth_username);
    return 0;
}

/* <host name port transport> of a network disk's <source>. */
static int parse_disk_host(vr_parse_state *st, const xmlNode *c, vr_disk_def *d)
{
    if (vr_xml_check_attrs(c, ATTRS("name", "port", "transport"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
        return -1;
    int i;
    unsigned long long port = 0;
    if (vr_xml_attr_enum(c, "transport", ATTRS("tcp"), &i, st->err) < 0 ||
        vr_xml_attr_uint(c, "port", 1, 65535, &port, st->err) < 0)
        return -1;
    bool iscsi = d->protocol == VR_DISK_PROTOCOL_ISCSI, web = vr_disk_protocol_is_web(d->protocol);
    if (iscsi && d->n_hosts)
        return vr_xml_error(c, st->err, "<source protocol='iscsi'> takes one <host> (the target's portal); "
                            "QEMU's iSCSI client has no second portal to fail over to");
    if (web && d->n_hosts)
        return vr_xml_error(c, st->err, "<source protocol='%s'> takes one <host> (the web server)",
                            vr_disk_protocol_names[d->protocol]);
    vr_disk_host *h = VR_PUSH(d->hosts, d->n_hosts);
    h->port = (unsigned)port;
    h->name = vr_xml_attr(c, "name");
    if (!h->name || !*h->name || strpbrk(h->name, "/,[] "))
        return vr_xml_error(c, st->err, "<host> needs name='...' (%s)",
                            iscsi ? "the iSCSI portal's address or host name"
                            : web ? "the web server's address or host name"
                                  : "a Ceph monitor's address or host name");
    return 0;
}

/* <initiator><iqn name='IQN'/></initiator> of an iSCSI network disk. */
static int parse_disk_initiator(vr_parse_state *st, const xmlNode *c, vr_disk_def *d)
{
    if (d->protocol != VR_DISK_PROTOCOL_ISCSI)
        return vr_xml_error(c, st->err, "<initiator> belongs to <source protocol='iscsi'>");
    if (d->initiator_iqn)
        return vr_parse_duplicate(c, st->err);
    if (vr_xml_check_attrs(c, ATTRS(NULL), st->err) < 0 || vr_xml_check_no_text(c, st->err) < 0)
        return -1;
    for (xmlNode *q = vr_xml_first(c); q; q = vr_xml_next(q)) {
        if (!vr_xml_is(q, "iqn"))
            return vr_xml_unsupported(q, st->err);
        if (d->initiator_iqn)
            return vr_parse_duplicate(q, st->err);
        if (vr_xml_check_attrs(q, ATTRS("name"), st->err) < 0 || vr_xml_check_empty(q, st->err) < 0)
            return -1;
        d->initiator_iqn = vr_xml_attr(q, "name");
        if (!d->initiator_iqn || !*d->initiator_iqn)
            return vr_xml_error(q, st->err, "<iqn> needs name='...' (the initiator's IQN)");
    }
    if (!d->initiator_iqn)
        return vr_xml_error(c, st->err, "<initiator> needs <iqn name='...'/>");
    return 0;
}

/* name='IQN[/LUN]' of <source protocol='iscsi'>. */
static int check_iscsi_name(vr_parse_state *st, const xmlNode *n, const char *name)
{
    const char *slash = name ? strrchr(name, '/') : NULL;
    bool ok = name && *name && name[0] != '/' && !strpbrk(name, " ?&");
    if (ok && slash) {
        ok = slash[1] != 0 && strchr(name, '/') == slash;
        for (const char *p = slash + 1; ok && *p; p++)
            ok = *p >= '0' && *p <= '9';
    }
    if (!ok)
        return vr_xml_error(n, st->err, "<source protocol='iscsi'> needs name='IQN/LUN' (the target's IQN and "
                            "the LUN's number, e.g. iqn.2013-07.com.example:target/1; 0 without /LUN), not '%s'",
                            name ? name : "");
    return 0;
}

/* <source protocol='rbd' name='POOL/IMAGE'> with its <host>s, <snapshot>,
 * <config> and <auth>; <source protocol='iscsi' name='IQN/LUN'> with its
 * <host>, <initiator> and <auth>; <source protocol='http|https'
 * name='PATH'> with its <host> (virt-install's --cdrom URL, Cockpit's
 * Create VM from a URL). */
static int parse_disk_network_source(vr_parse_state *st, const xmlNode *n, vr_disk_def *d)
{
    if (vr_xml_check_attrs(n, ATTRS("protocol", "name", "index"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int proto;
    int rc = vr_xml_attr_enum(n, "protocol", vr_disk_protocol_names, &proto, st->err);
    if (rc <= 0) {
        if (rc == 0)
            vr_xml_error(n, st->err, "<source> of a network disk needs protocol='rbd' (Ceph), "
                         "protocol='iscsi' or protocol='http'|'https' (a read-only image on a web server); "
                         "an image of another server can be a volume of a pool (<disk type='volume'>)");
        return -1;
    }
    d->protocol = (vr_disk_protocol)proto;
    bool rbd = d->protocol == VR_DISK_PROTOCOL_RBD, web = vr_disk_protocol_is_web(d->protocol);
    const char *proto_name = vr_disk_protocol_names[d->protocol];
    d->source_name = vr_xml_attr(n, "name");
    if (web) {
        if (!d->source_name || !*d->source_name || strpbrk(d->source_name, " \t\n#"))
            return vr_xml_error(n, st->err, "<source protocol='%s'> needs name='PATH' (the image's path on the "
                                "server, e.g. /isos/debian.iso), not '%s'", proto_name,
                                d->source_name ? d->source_name : "");
    } else if (!rbd) {
        if (check_iscsi_name(st, n, d->source_name) < 0)
            return -1;
    } else {
        const char *slash = d->source_name ? strchr(d->source_name, '/') : NULL;
        if (!slash || slash == d->source_name || !slash[1] || strchr(slash + 1, '@'))
            return vr_xml_error(n, st->err, "<source protocol='rbd'> needs name='POOL/IMAGE' (the Ceph pool and "
                                "the RBD image; a snapshot is <snapshot name=.../>), not '%s'",
                                d->source_name ? d->source_name : "");
    }
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "host")) {
            if (parse_disk_host(st, c, d) < 0)
                return -1;
        } else if (vr_xml_is(c, "initiator")) {
            if (parse_disk_initiator(st, c, d) < 0)
                return -1;
        } else if (!rbd && (vr_xml_is(c, "snapshot") || vr_xml_is(c, "config"))) {
            return vr_xml_error(c, st->err, "<%s> belongs to <source protocol='rbd'>; %s has none",
                                (const char *)c->name, web ? "an image on a web server" : "an iSCSI LUN");
        } else if (vr_xml_is(c, "snapshot")) {
            if (d->source_snapshot)
                return vr_parse_duplicate(c, st->err);
            if (vr_xml_check_attrs(c, ATTRS("name"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
                return -1;
            d->source_snapshot = vr_xml_attr(c, "name");
            if (!d->source_snapshot || !*d->source_snapshot)
                return vr_xml_error(c, st->err, "<snapshot> needs name='...' (an RBD snapshot of the image)");
        } else if (vr_xml_is(c, "config")) {
            if (d->source_config)
                return vr_parse_duplicate(c, st->err);
            if (vr_xml_check_attrs(c, ATTRS("file"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
                return -1;
            d->source_config = vr_xml_attr(c, "file");
            if (!d->source_config)
                return vr_xml_error(c, st->err, "<config> needs file='...' (a ceph.conf)");
            if (vr_parse_abs_path(st, c, "<config file>", d->source_config) < 0)
                return -1;
        } else if (vr_xml_is(c, "auth")) {
            if (parse_disk_auth(st, c, d, true) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    if (web && d->n_hosts == 0)
        return vr_xml_error(n, st->err, "<source protocol='%s' name='%s'> needs its server: <host "
                            "name='HOST' port='%s'/>", proto_name, d->source_name,
                            d->protocol == VR_DISK_PROTOCOL_HTTP ? "80" : "443");
    if (!rbd && !web && d->n_hosts == 0)
        return vr_xml_error(n, st->err, "<source protocol='iscsi' name='%s'> needs its portal: <host "
                            "name='HOST' port='3260'/>", d->source_name);
    if (rbd && d->n_hosts == 0 && !d->source_config)
        return vr_xml_error(n, st->err, "<source protocol='rbd' name='%s'> needs a monitor: <host name='MON' "
                            "port='6789'/> (one per monitor) or <config file='/etc/ceph/ceph.conf'/>",
                            d->source_name);
    return 0;
}

static int parse_disk_source(vr_parse_state *st, const xmlNode *n, vr_disk_def *d)
{
    if (d->type == VR_DISK_NETWORK)
        return parse_disk_network_source(st, n, d);
    if (vr_xml_check_empty(n, st->err) < 0)
        return -1;
    switch (d->type) {
    case VR_DISK_FILE:
    case VR_DISK_BLOCK: {
        const char *attr = d->type == VR_DISK_FILE ? "file" : "dev";
        /* index: libvirt's number of the image in a live backing chain,
         * output only; accepted and not kept, as libvirt does. */
        if (vr_xml_check_attrs(n, (const char *const[]){attr, "index", NULL}, st->err) < 0)
            return -1;
        d->source_path = vr_xml_attr(n, attr);
        /* A cdrom may have an empty <source/>: no medium. */
        if (!d->source_path) {
            if (d->device == VR_DISK_DEVICE_CDROM)
                return 0;
            return vr_xml_error(n, st->err, "<source> of a type='%s' disk needs %s='...'",
                                vr_disk_type_names[d->type], attr);
        }
        char *what = vr_asprintf("<source %s>", attr);
        int rc = vr_parse_abs_path(st, n, what, d->source_path);
        free(what);
        return rc;
    }
    case VR_DISK_VOLUME:
        if (vr_xml_check_attrs(n, ATTRS("pool", "volume"), st->err) < 0)
            return -1;
        d->source_pool = vr_xml_attr(n, "pool");
        d->source_volume = vr_xml_attr(n, "volume");
        if (!d->source_pool || !d->source_volume || !*d->source_pool || !*d->source_volume)
            return vr_xml_error(n, st->err, "<source> of a type='volume' disk needs pool='...' "
                                "and volume='...'");
        return 0;
    case VR_DISK_NETWORK:
        break;
    }
    return 0;
}

static int parse_disk_target(vr_parse_state *st, const xmlNode *n, vr_disk_def *d, bool *bus_given)
{
    if (vr_xml_check_attrs(n, ATTRS("dev", "bus"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    int i;
    int rc = vr_xml_attr_enum(n, "bus", vr_disk_bus_names, &i, st->err);
    if (rc < 0)
        return -1;
    if (rc) {
        d->bus = (vr_disk_bus)i;
        *bus_given = true;
    }
    char *dev = vr_xml_attr(n, "dev");
    if (dev) {
        d->target_dev = dev;
        if (vr_disk_name_to_index(dev) < 0)
            return vr_xml_error(n, st->err, "<target dev='%s'> is not a disk name (vda, sda, "
                                "hda, ...)", dev);
    }
    return 0;
}

/* <serial>: what the guest reads as the drive's serial number (QEMU
 * takes at most 20 characters of A-Z a-z 0-9 - _ . for IDE/SATA). */
static int parse_disk_serial(vr_parse_state *st, const xmlNode *n, vr_disk_def *d)
{
    if (vr_parse_leaf_text(st, n, true, &d->serial) < 0)
        return -1;
    size_t len = strlen(d->serial);
    for (const char *p = d->serial; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
            len = 0;
    if (len == 0 || len > 20)
        return vr_xml_error(n, st->err, "<serial>%s</serial>: 1 to 20 characters of A-Z a-z 0-9 "
                            "- _ .", d->serial);
    return 0;
}

static int parse_disk(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_disk_def *d = VR_PUSH(def->disks, def->n_disks);
    d->line = vr_xml_line(n);
    if (vr_xml_check_attrs(n, ATTRS("type", "device"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i, rc;
    if ((rc = vr_xml_attr_enum(n, "type", vr_disk_type_names, &i, st->err)) < 0)
        return -1;
    d->type = rc ? (vr_disk_type)i : VR_DISK_FILE;
    if ((rc = vr_xml_attr_enum(n, "device", vr_disk_device_names, &i, st->err)) < 0)
        return -1;
    d->device = rc ? (vr_disk_device)i : VR_DISK_DEVICE_DISK;
    bool have_driver = false, have_source = false, have_target = false, have_iotune = false, bus_given = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "driver"))
            rc = have_driver ? vr_parse_duplicate(c, st->err) : parse_disk_driver(st, c, d);
        else if (vr_xml_is(c, "source"))
            rc = have_source ? vr_parse_duplicate(c, st->err) : parse_disk_source(st, c, d);
        else if (vr_xml_is(c, "target"))
            rc = have_target ? vr_parse_duplicate(c, st->err)
                             : parse_disk_target(st, c, d, &bus_given);
        else if (vr_xml_is(c, "readonly"))
            rc = vr_parse_flag(st, c, &d->readonly);
        else if (vr_xml_is(c, "shareable"))
            rc = vr_parse_flag(st, c, &d->shareable);
        else if (vr_xml_is(c, "serial"))
            rc = d->serial ? vr_parse_duplicate(c, st->err) : parse_disk_serial(st, c, d);
        else if (vr_xml_is(c, "auth"))
            rc = parse_disk_auth(st, c, d, false);
        else if (vr_xml_is(c, "iotune"))
            rc = have_iotune ? vr_parse_duplicate(c, st->err) : vr_parse_iotune(st, c, &d->iotune);
        else if (vr_xml_is(c, "backingStore"))
            rc = 0; /* libvirt's report of the image's backing chain (output only):
                       QEMU reads the chain from the image itself */
        else if (vr_xml_is(c, "boot"))
            rc = parse_boot_order(st, c, &d->boot_order);
        else if (vr_parse_is_devinfo(c))
            rc = vr_parse_address(st, c, &d->addr);
        else
            rc = vr_xml_unsupported(c, st->err);
        if (rc < 0)
            return -1;
        have_driver |= vr_xml_is(c, "driver");
        have_source |= vr_xml_is(c, "source");
        have_target |= vr_xml_is(c, "target");
        have_iotune |= vr_xml_is(c, "iotune");
    }
    if (!have_source && d->type == VR_DISK_NETWORK)
        return vr_xml_error(n, st->err, "<disk type='network'> needs <source protocol='rbd' name='POOL/IMAGE'> "
                            "or <source protocol='iscsi' name='IQN/LUN'>");
    if (d->type == VR_DISK_NETWORK && vr_disk_protocol_is_web(d->protocol)) {
        if (d->auth_username)
            return vr_xml_error(n, st->err, "<auth> of a protocol='%s' disk is not supported by Vireo (rbd and "
                                "iscsi disks take one); serve the image without a login",
                                vr_disk_protocol_names[d->protocol]);
        if (d->device == VR_DISK_DEVICE_DISK && !d->readonly)
            return vr_xml_error(n, st->err, "a protocol='%s' disk is read-only (QEMU writes no image on a web "
                                "server): add <readonly/>, or copy the image into a pool",
                                vr_disk_protocol_names[d->protocol]);
    }
    if (d->auth_username && d->auth_secret_iscsi != (d->protocol == VR_DISK_PROTOCOL_ISCSI))
        return vr_xml_error(n, st->err, "<auth> of a protocol='%s' disk needs <secret type='%s'>, not type='%s'",
                            vr_disk_protocol_names[d->protocol], d->auth_secret_iscsi ? "ceph" : "iscsi",
                            d->auth_secret_iscsi ? "iscsi" : "ceph");
    if (!have_source && d->device == VR_DISK_DEVICE_DISK)
        return vr_xml_error(n, st->err, "<disk device='disk'> needs a <source>");
    if (!have_source && d->type == VR_DISK_VOLUME)
        return vr_xml_error(n, st->err, "<disk type='volume'> needs <source pool=... volume=...>");
    /* The bus follows the target name like in libvirt (vd: virtio,
     * sd: scsi, hd: ide), else the device: disks on virtio, cdroms on
     * the machine's own controller (sata on q35, ide on pc). */
    if (!bus_given) {
        const char *dev = d->target_dev;
        if (dev && vr_str_starts(dev, "vd"))
            d->bus = VR_DISK_BUS_VIRTIO;
        else if (dev && vr_str_starts(dev, "sd"))
            d->bus = VR_DISK_BUS_SCSI;
        else if (dev && vr_str_starts(dev, "hd"))
            d->bus = VR_DISK_BUS_IDE;
        else if (d->device == VR_DISK_DEVICE_CDROM)
            d->bus = vr_domain_def_is_q35(def) ? VR_DISK_BUS_SATA : VR_DISK_BUS_IDE;
        else
            d->bus = VR_DISK_BUS_VIRTIO;
    }
    if (d->device == VR_DISK_DEVICE_CDROM)
        d->readonly = true;
    return 0;
}

/* ---- <controller> ----------------------------------------------------------- */

static const char *const *controller_models(vr_controller_type t)
{
    static const char *const usb[] = {"qemu-xhci",  "nec-xhci",   "piix3-uhci", "piix4-uhci",
                                      "ehci",       "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
                                      "ich9-uhci3", "none",       NULL};
    static const char *const pci[] = {"pci-root", "pcie-root", "pcie-root-port", "pci-bridge",
                                      NULL};
    static const char *const scsi[] = {"virtio-scsi", NULL};
    switch (t) {
    case VR_CONTROLLER_USB: return usb;
    case VR_CONTROLLER_PCI: return pci;
    case VR_CONTROLLER_SCSI: return scsi;
    default: return NULL;
    }
}

static int parse_controller_target(vr_parse_state *st, const xmlNode *n, vr_controller_def *c)
{
    unsigned long long v;
    int rc;
    if (vr_xml_check_empty(n, st->err) < 0)
        return -1;
    if (c->model && strcmp(c->model, "pcie-root-port") == 0) {
        if (vr_xml_check_attrs(n, ATTRS("chassis", "port"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "chassis", 0, 255, &v, st->err)) < 0)
            return -1;
        if (rc)
            c->chassis = (unsigned)v;
        if ((rc = vr_xml_attr_uint(n, "port", 0, 255, &v, st->err)) < 0)
            return -1;
        if (rc)
            c->port = (unsigned)v;
        return 0;
    }
    if (c->model && strcmp(c->model, "pci-bridge") == 0) {
        if (vr_xml_check_attrs(n, ATTRS("chassisNr"), st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_uint(n, "chassisNr", 1, 255, &v, st->err)) < 0)
            return -1;
        if (rc)
            c->chassis = (unsigned)v;
        return 0;
    }
    return vr_xml_unsupported(n, st->err);
}

static int parse_controller(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_controller_def *c = VR_PUSH(def->controllers, def->n_controllers);
    c->line = vr_xml_line(n);
    c->index = VR_UNSET;
    c->startport = VR_UNSET;
    if (vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int t, rc;
    if ((rc = vr_xml_attr_enum(n, "type", vr_controller_type_names, &t, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<controller> needs a type");
    c->type = (vr_controller_type)t;
    const char *const *models = controller_models(c->type);
    bool ports = c->type == VR_CONTROLLER_USB || c->type == VR_CONTROLLER_VIRTIO_SERIAL;
    bool vectors = c->type == VR_CONTROLLER_VIRTIO_SERIAL;
    const char *allowed[6] = {"type", "index"};
    int na = 2;
    if (models)
        allowed[na++] = "model";
    if (ports)
        allowed[na++] = "ports";
    if (vectors)
        allowed[na++] = "vectors";
    if (vr_xml_check_attrs(n, allowed, st->err) < 0)
        return -1;
    unsigned long long v;
    if ((rc = vr_xml_attr_uint(n, "index", 0, 255, &v, st->err)) < 0)
        return -1;
    if (rc)
        c->index = (unsigned)v;
    if (models) {
        int m;
        if ((rc = vr_xml_attr_enum(n, "model", models, &m, st->err)) < 0)
            return -1;
        if (rc)
            c->model = vr_strdup(models[m]);
    }
    if (ports) {
        if ((rc = vr_xml_attr_uint(n, "ports", 1, c->type == VR_CONTROLLER_USB ? 15 : 511, &v,
                                   st->err)) < 0)
            return -1;
        if (rc)
            c->ports = (unsigned)v;
        if (rc && c->type == VR_CONTROLLER_USB && c->model && !strstr(c->model, "xhci"))
            return vr_xml_error(n, st->err, "<controller model='%s'> has a fixed number of ports",
                                c->model);
    }
    if (vectors) {
        if ((rc = vr_xml_attr_uint(n, "vectors", 1, 1024, &v, st->err)) < 0)
            return -1;
        if (rc)
            c->vectors = (unsigned)v;
    }
    if (c->type == VR_CONTROLLER_PCI && !c->model)
        return vr_xml_error(n, st->err, "<controller type='pci'> needs a model");
    bool have_model = false, have_target = false;
    for (xmlNode *k = vr_xml_first(n); k; k = vr_xml_next(k)) {
        if (vr_parse_is_devinfo(k)) {
            rc = vr_parse_address(st, k, &c->addr);
        } else if (vr_xml_is(k, "model") && c->model &&
                   (strcmp(c->model, "pcie-root-port") == 0 ||
                    strcmp(c->model, "pci-bridge") == 0)) {
            /* <model name=...> names the QEMU device, the same as the
             * model for the two kinds Vireo supports. */
            int m;
            rc = have_model ? vr_parse_duplicate(k, st->err) : 0;
            if (rc == 0 && (vr_xml_check_attrs(k, ATTRS("name"), st->err) < 0 ||
                            vr_xml_check_empty(k, st->err) < 0 ||
                            vr_xml_attr_enum(k, "name", ((const char *const[]){c->model, NULL}),
                                             &m, st->err) < 0))
                rc = -1;
            have_model = true;
        } else if (vr_xml_is(k, "master") && c->model && vr_str_starts(c->model, "ich9-uhci")) {
            /* The EHCI ports this UHCI companion serves, from startport. */
            unsigned long long sp;
            if (c->startport != VR_UNSET)
                rc = vr_parse_duplicate(k, st->err);
            else if (vr_xml_check_attrs(k, ATTRS("startport"), st->err) < 0 ||
                     vr_xml_check_empty(k, st->err) < 0)
                rc = -1;
            else if ((rc = vr_xml_attr_uint(k, "startport", 0, 4, &sp, st->err)) == 0)
                rc = vr_xml_error(k, st->err, "<master> needs a startport");
            if (rc > 0) {
                c->startport = (unsigned)sp;
                rc = 0;
            }
        } else if (vr_xml_is(k, "driver") && c->type == VR_CONTROLLER_SCSI) {
            rc = vr_parse_controller_driver(st, k, c);
        } else if (vr_xml_is(k, "target")) {
            rc = have_target ? vr_parse_duplicate(k, st->err) : parse_controller_target(st, k, c);
            have_target = true;
        } else {
            rc = vr_xml_unsupported(k, st->err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- <interface> ------------------------------------------------------------ */

/* <source dev='eth0' mode='bridge'/> of a type='direct' interface: the
 * host NIC and the macvtap mode (libvirt's default: vepa). */
static int parse_direct_source(vr_parse_state *st, const xmlNode *c, vr_interface_def *in)
{
    if (vr_xml_check_attrs(c, ATTRS("dev", "mode"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0)
        return -1;
    if (!(in->source_dev = vr_xml_attr(c, "dev")))
        return vr_xml_error(c, st->err, "<source> of a type='direct' interface needs dev='...' "
                            "(the host NIC)");
    if (!valid_ifname(in->source_dev))
        return vr_xml_error(c, st->err, "<source dev='%s'> is not a valid interface name",
                            in->source_dev);
    int mode;
    int rc = vr_xml_attr_enum(c, "mode", vr_macvtap_mode_names, &mode, st->err);
    if (rc < 0)
        return -1;
    in->source_mode = rc ? (vr_macvtap_mode)mode : VR_MACVTAP_VEPA;
    return 0;
}

static int parse_interface(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_interface_def *in = VR_PUSH(def->interfaces, def->n_interfaces);
    in->line = vr_xml_line(n);
    if (vr_xml_check_attrs(n, ATTRS("type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int i, rc;
    if ((rc = vr_xml_attr_enum(n, "type", vr_net_type_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<interface> needs a type");
    in->type = (vr_net_type)i;
    bool have_source = false, have_mac = false, have_model = false, have_target = false, have_link = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        rc = 0;
        if (vr_xml_is(c, "source") && in->type == VR_NET_DIRECT) {
            rc = have_source ? vr_parse_duplicate(c, st->err) : parse_direct_source(st, c, in);
            have_source = true;
        } else if (vr_xml_is(c, "source") && in->type != VR_NET_USER) {
            const char *attr = in->type == VR_NET_NETWORK ? "network" : "bridge";
            char **field = in->type == VR_NET_NETWORK ? &in->source_network : &in->source_bridge;
            if (have_source)
                rc = vr_parse_duplicate(c, st->err);
            else if (vr_xml_check_attrs(c, (const char *const[]){attr, NULL}, st->err) < 0 ||
                     vr_xml_check_empty(c, st->err) < 0)
                rc = -1;
            else if (!(*field = vr_xml_attr(c, attr)))
                rc = vr_xml_error(c, st->err, "<source> of a type='%s' interface needs %s='...'",
                                  vr_net_type_names[in->type], attr);
            else if (in->type == VR_NET_BRIDGE && !valid_ifname(*field))
                rc = vr_xml_error(c, st->err, "<source bridge='%s'> is not a valid interface "
                                  "name", *field);
            else if (in->type == VR_NET_NETWORK && (!**field || strchr(*field, '/')))
                rc = vr_xml_error(c, st->err, "<source network='%s'> is not a valid network "
                                  "name", *field);
            have_source = true;
        } else if (vr_xml_is(c, "mac")) {
            unsigned char raw[VR_MAC_LEN];
            char *addr = NULL;
            if (have_mac)
                rc = vr_parse_duplicate(c, st->err);
            else if (vr_xml_check_attrs(c, ATTRS("address"), st->err) < 0 ||
                     vr_xml_check_empty(c, st->err) < 0)
                rc = -1;
            else if (!(addr = vr_xml_attr(c, "address")))
                rc = vr_xml_error(c, st->err, "<mac> needs an address");
            else if (!vr_mac_parse(addr, raw))
                rc = vr_xml_error(c, st->err, "<mac address='%s'> is not a MAC address", addr);
            else if (vr_mac_is_multicast(raw))
                rc = vr_xml_error(c, st->err, "<mac address='%s'> is a multicast address", addr);
            else
                vr_mac_format(raw, in->mac);
            free(addr);
            have_mac = true;
        } else if (vr_xml_is(c, "model")) {
            if (have_model)
                rc = vr_parse_duplicate(c, st->err);
            else if (vr_xml_check_attrs(c, ATTRS("type"), st->err) < 0 ||
                     vr_xml_check_empty(c, st->err) < 0)
                rc = -1;
            else if ((rc = vr_xml_attr_enum(c, "type", vr_net_model_names, &i, st->err)) == 0)
                rc = vr_xml_error(c, st->err, "<model> needs a type");
            if (rc > 0) {
                in->model = (vr_net_model)i;
                rc = 0;
            }
            have_model = true;
        } else if (vr_xml_is(c, "target") && in->type != VR_NET_USER) {
            if (have_target)
                rc = vr_parse_duplicate(c, st->err);
            else if (vr_xml_check_attrs(c, ATTRS("dev"), st->err) < 0 ||
                     vr_xml_check_empty(c, st->err) < 0)
                rc = -1;
            else if (!(in->target_dev = vr_xml_attr(c, "dev")))
                rc = vr_xml_error(c, st->err, "<target> needs a dev");
            else if (!valid_ifname(in->target_dev))
                rc = vr_xml_error(c, st->err, "<target dev='%s'> is not a valid interface name",
                                  in->target_dev);
            have_target = true;
        } else if (vr_xml_is(c, "link")) {
            /* libvirt's link state: up (the default) or down */
            static const char *const states[] = {"up", "down", NULL};
            if (have_link)
                rc = vr_parse_duplicate(c, st->err);
            else if (vr_xml_check_attrs(c, ATTRS("state"), st->err) < 0 || vr_xml_check_empty(c, st->err) < 0)
                rc = -1;
            else if ((rc = vr_xml_attr_enum(c, "state", states, &i, st->err)) == 0)
                rc = vr_xml_error(c, st->err, "<link> needs a state (up or down)");
            if (rc > 0) {
                in->link_down = i == 1;
                rc = 0;
            }
            have_link = true;
        } else if (vr_xml_is(c, "bandwidth")) {
            rc = vr_parse_bandwidth(st, c, in);
        } else if (vr_xml_is(c, "boot")) {
            rc = parse_boot_order(st, c, &in->boot_order);
        } else if (vr_parse_is_devinfo(c)) {
            rc = vr_parse_address(st, c, &in->addr);
        } else {
            rc = vr_xml_unsupported(c, st->err);
        }
        if (rc < 0)
            return -1;
    }
    if (in->type != VR_NET_USER && !have_source)
        return vr_xml_error(n, st->err, "<interface type='%s'> needs a <source>",
                            vr_net_type_names[in->type]);
    /* No model: virtio, the fastest, which every current guest drives
     * (written back, so the choice is visible). */
    if (!have_model)
        in->model = VR_NET_MODEL_VIRTIO;
    return 0;
}

/* ---- character devices ----------------------------------------------------- */

static int parse_serial(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_serial_def *s = VR_PUSH(def->serials, def->n_serials);
    s->line = vr_xml_line(n);
    s->port = VR_UNSET;
    int i;
    if (vr_xml_check_attrs(n, ATTRS("type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    int rc = vr_xml_attr_enum(n, "type", ATTRS("pty"), &i, st->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<serial> needs type='pty'");
    bool have_target = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "alias")) {
            if (vr_parse_address(st, c, &s->addr) < 0)
                return -1;
            continue;
        }
        if (!vr_xml_is(c, "target"))
            return vr_xml_unsupported(c, st->err);
        if (have_target)
            return vr_parse_duplicate(c, st->err);
        have_target = true;
        if (vr_xml_check_attrs(c, ATTRS("type", "port"), st->err) < 0 ||
            vr_xml_check_no_text(c, st->err) < 0)
            return -1;
        if (vr_xml_attr_enum(c, "type", ATTRS("isa-serial"), &i, st->err) < 0)
            return -1;
        unsigned long long v;
        if ((rc = vr_xml_attr_uint(c, "port", 0, 3, &v, st->err)) < 0)
            return -1;
        if (rc)
            s->port = (unsigned)v;
        bool have_model = false;
        for (xmlNode *m = vr_xml_first(c); m; m = vr_xml_next(m)) {
            if (!vr_xml_is(m, "model"))
                return vr_xml_unsupported(m, st->err);
            if (have_model)
                return vr_parse_duplicate(m, st->err);
            have_model = true;
            if (vr_xml_check_attrs(m, ATTRS("name"), st->err) < 0 ||
                vr_xml_check_empty(m, st->err) < 0 ||
                vr_xml_attr_enum(m, "name", ATTRS("isa-serial"), &i, st->err) < 0)
                return -1;
        }
    }
    /* Like libvirt: the lowest port no earlier serial took. */
    if (s->port == VR_UNSET) {
        for (unsigned p = 0; p < 4 && s->port == VR_UNSET; p++) {
            bool used = false;
            for (size_t k = 0; k + 1 < def->n_serials; k++)
                used |= def->serials[k].port == p;
            if (!used)
                s->port = p;
        }
        if (s->port == VR_UNSET)
            return vr_xml_error(n, st->err, "no free serial port (there are four: 0 to 3)");
    }
    return 0;
}

static int parse_console(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    size_t nth = def->n_consoles;
    vr_console_def *con = VR_PUSH(def->consoles, def->n_consoles);
    con->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", ATTRS("pty"), &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<console> needs type='pty'");
    /* The first console is the serial port unless it says otherwise. */
    con->target = nth == 0 ? VR_CONSOLE_SERIAL : VR_CONSOLE_VIRTIO;
    unsigned long long port = VR_UNSET;
    bool have_target = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "target")) {
            if (have_target)
                return vr_parse_duplicate(c, st->err);
            have_target = true;
            if (vr_xml_check_attrs(c, ATTRS("type", "port"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0)
                return -1;
            if ((rc = vr_xml_attr_enum(c, "type", vr_console_target_names, &i, st->err)) < 0)
                return -1;
            if (rc)
                con->target = (vr_console_target)i;
            if (vr_xml_attr_uint(c, "port", 0, 30, &port, st->err) < 0)
                return -1;
        } else if (vr_parse_is_devinfo(c)) {
            if (vr_parse_address(st, c, &con->addr) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    if (con->target == VR_CONSOLE_SERIAL) {
        if (nth != 0)
            return vr_xml_error(n, st->err, "only the first <console> can be the serial port "
                                "(use <target type='virtio'/>)");
        if (port != VR_UNSET && port != 0)
            return vr_xml_error(n, st->err, "<console> mirrors serial port 0 only");
        con->port = 0;
    } else {
        unsigned count = 0;
        for (size_t k = 0; k < nth; k++)
            count += def->consoles[k].target == VR_CONSOLE_VIRTIO;
        con->port = port != VR_UNSET ? (unsigned)port : count;
    }
    return 0;
}

static int parse_channel(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_channel_def *ch = VR_PUSH(def->channels, def->n_channels);
    ch->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("type"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", vr_channel_type_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<channel> needs type='unix' or 'spicevmc'");
    ch->type = (vr_channel_type)i;
    const char *want = ch->type == VR_CHANNEL_UNIX ? VR_GUEST_AGENT_NAME : VR_SPICE_AGENT_NAME;
    bool have_source = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "source") && ch->type == VR_CHANNEL_UNIX) {
            if (have_source)
                return vr_parse_duplicate(c, st->err);
            have_source = true;
            char *path = vr_xml_attr(c, "path");
            if (path) {
                free(path);
                return vr_xml_error(c, st->err, "<source path> of a channel is chosen by Vireo "
                                    "(the guest agent socket lives in the domain's runtime "
                                    "directory); leave it out");
            }
            if (vr_xml_check_attrs(c, ATTRS("mode"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0 ||
                vr_xml_attr_enum(c, "mode", ATTRS("bind"), &i, st->err) < 0)
                return -1;
        } else if (vr_xml_is(c, "target")) {
            if (ch->target_name)
                return vr_parse_duplicate(c, st->err);
            if (vr_xml_check_attrs(c, ATTRS("type", "name"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0)
                return -1;
            if ((rc = vr_xml_attr_enum(c, "type", ATTRS("virtio"), &i, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<target> of a channel needs type='virtio'");
            if ((rc = vr_xml_attr_enum(c, "name", ((const char *const[]){want, NULL}), &i,
                                       st->err)) < 0)
                return -1;
            /* spicevmc: libvirt's default name is the SPICE agent's. */
            if (rc == 0 && ch->type == VR_CHANNEL_UNIX)
                return vr_xml_error(c, st->err, "<target> of a channel needs name='"
                                    VR_GUEST_AGENT_NAME "'");
            ch->target_name = vr_strdup(want);
        } else if (vr_parse_is_devinfo(c)) {
            if (vr_parse_address(st, c, &ch->addr) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    /* spicevmc without a target: libvirt's default, the SPICE agent's port. */
    if (!ch->target_name && ch->type == VR_CHANNEL_SPICEVMC)
        ch->target_name = vr_strdup(want);
    if (!ch->target_name)
        return vr_xml_error(n, st->err, "<channel> needs <target type='virtio' name='%s'/>",
                            want);
    return 0;
}

/* ---- <input>, <graphics>, <audio>, <video> --------------------------------- */

static int parse_input(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_input_def *in = VR_PUSH(def->inputs, def->n_inputs);
    in->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("type", "bus"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", vr_input_type_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<input> needs a type");
    in->type = (vr_input_type)i;
    if ((rc = vr_xml_attr_enum(n, "bus", vr_input_bus_names, &i, st->err)) < 0)
        return -1;
    /* libvirt's defaults: a tablet is USB, mouse and keyboard PS/2. */
    in->bus = rc ? (vr_input_bus)i
                 : in->type == VR_INPUT_TABLET ? VR_INPUT_BUS_USB : VR_INPUT_BUS_PS2;
    if (in->type == VR_INPUT_TABLET && in->bus == VR_INPUT_BUS_PS2)
        return vr_xml_error(n, st->err, "<input type='tablet' bus='ps2'> does not exist (use "
                            "bus='usb' or 'virtio')");
    return vr_parse_address_only(st, n, &in->addr);
}

static int parse_video_model(vr_parse_state *st, const xmlNode *n, vr_video_def *v)
{
    int i, rc;
    if (vr_xml_check_empty(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", vr_video_model_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<model> needs a type");
    v->model = (vr_video_model)i;
    static const char *const virtio[] = {"type", "heads", "primary", NULL};
    static const char *const vga[] = {"type", "vram", "heads", "primary", NULL};
    static const char *const qxl[] = {"type", "ram", "vram", "vgamem", "heads", "primary", NULL};
    static const char *const none[] = {"type", NULL};
    static const char *const bochs[] = {"type", "vram", "heads", "primary", NULL};
    static const char *const ramfb[] = {"type", "primary", NULL};
    const char *const *allowed = none;
    switch (v->model) {
    case VR_VIDEO_VIRTIO: allowed = virtio; break;
    case VR_VIDEO_VGA:
    case VR_VIDEO_CIRRUS: allowed = vga; break;
    case VR_VIDEO_QXL: allowed = qxl; break;
    case VR_VIDEO_BOCHS: allowed = bochs; break;
    case VR_VIDEO_RAMFB: allowed = ramfb; break;
    case VR_VIDEO_NONE: break;
    }
    if (vr_xml_check_attrs(n, allowed, st->err) < 0)
        return -1;
    unsigned long long x;
    unsigned long long max_heads = v->model == VR_VIDEO_VIRTIO || v->model == VR_VIDEO_QXL ? 16 : 1;
    if ((rc = vr_xml_attr_uint(n, "heads", 1, max_heads, &x, st->err)) < 0)
        return -1;
    v->heads = rc ? (unsigned)x : 0;
    const char *sizes[] = {"vram", "ram", "vgamem"};
    unsigned *fields[] = {&v->vram, &v->ram, &v->vgamem};
    for (int k = 0; k < 3; k++) {
        if ((rc = vr_xml_attr_uint(n, sizes[k], 1024, 1048576, &x, st->err)) < 0)
            return -1;
        if (rc && x % 1024)
            return vr_xml_error(n, st->err, "<model %s='%llu'> must be a whole number of MiB "
                                "(a multiple of 1024 KiB)", sizes[k], x);
        if (rc)
            *fields[k] = (unsigned)x;
    }
    bool primary = false;
    if (vr_xml_attr_bool(n, "primary", "yes", "no", &primary, st->err) < 0)
        return -1;
    v->primary = primary;
    return 0;
}

static int parse_video(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_video_def *v = VR_PUSH(def->videos, def->n_videos);
    v->line = vr_xml_line(n);
    v->model = VR_VIDEO_VGA;
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    bool have_model = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        int rc;
        if (vr_xml_is(c, "model")) {
            rc = have_model ? vr_parse_duplicate(c, st->err) : parse_video_model(st, c, v);
            have_model = true;
        } else if (vr_parse_is_devinfo(c)) {
            rc = vr_parse_address(st, c, &v->addr);
        } else {
            rc = vr_xml_unsupported(c, st->err);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- <memballoon>, <rng>, <emulator> --------------------------------------- */

static int parse_memballoon(vr_parse_state *st, const xmlNode *n)
{
    vr_memballoon_def *m = &st->def->memballoon;
    if (m->line)
        return vr_parse_duplicate(n, st->err);
    m->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "model", vr_memballoon_model_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<memballoon> needs a model");
    m->model = (vr_memballoon_model)i;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "stats") && m->model == VR_MEMBALLOON_VIRTIO) {
            unsigned long long v;
            if (m->stats_period)
                return vr_parse_duplicate(c, st->err);
            if (vr_xml_check_attrs(c, ATTRS("period"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0 ||
                (rc = vr_xml_attr_uint(c, "period", 0, 86400, &v, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<stats> needs a period (seconds)");
            m->stats_period = (unsigned)v;
        } else if (vr_parse_is_devinfo(c)) {
            if (vr_parse_address(st, c, &m->addr) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    return 0;
}

/* <rate bytes period>: at most `bytes` per `period` ms (1000 when absent). */
static int parse_rng_rate(vr_parse_state *st, const xmlNode *c, vr_rng_def *r)
{
    unsigned long long v;
    int rc;
    if (r->rate_bytes)
        return vr_parse_duplicate(c, st->err);
    if (vr_xml_check_attrs(c, ATTRS("bytes", "period"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_uint(c, "bytes", 1, 0xffffffffULL, &v, st->err)) <= 0)
        return rc < 0 ? -1 : vr_xml_error(c, st->err, "<rate> needs bytes");
    r->rate_bytes = (unsigned)v;
    if ((rc = vr_xml_attr_uint(c, "period", 1, 0xffffffffULL, &v, st->err)) < 0)
        return -1;
    r->rate_period = rc ? (unsigned)v : 1000;
    return 0;
}

static int parse_rng(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_rng_def *r = VR_PUSH(def->rngs, def->n_rngs);
    r->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "model", ATTRS("virtio"), &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<rng> needs model='virtio'");
    bool have_backend = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "backend")) {
            if (have_backend)
                return vr_parse_duplicate(c, st->err);
            if ((rc = vr_xml_attr_enum(c, "model", ATTRS("random", "builtin", "egd"), &i, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<backend> needs model='random', 'builtin' or 'egd'");
            if (i == 2) { /* an EGD daemon's socket */
                if (vr_parse_rng_egd(st, c, &r->egd) < 0)
                    return -1;
                have_backend = true;
                continue;
            }
            if (vr_xml_check_attrs(c, ATTRS("model"), st->err) < 0)
                return -1;
            if (i == 1) { /* builtin: QEMU's own getrandom() */
                if (vr_xml_check_empty(c, st->err) < 0)
                    return -1;
                have_backend = true;
                continue;
            }
            char *path;
            if (vr_xml_text(c, true, &path, st->err) < 0)
                return -1;
            if (!*path) {
                free(path);
                path = vr_strdup("/dev/urandom");
            }
            r->backend = path;
            have_backend = true;
            if (strcmp(path, "/dev/urandom") != 0 && strcmp(path, "/dev/random") != 0)
                return vr_xml_error(c, st->err, "<backend>%s</backend> is not supported by Vireo "
                                    "(supported: /dev/urandom, /dev/random)", path);
        } else if (vr_parse_is_devinfo(c)) {
            if (vr_parse_address(st, c, &r->addr) < 0)
                return -1;
        } else if (vr_xml_is(c, "rate")) {
            if (parse_rng_rate(st, c, r) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    if (!have_backend)
        return vr_xml_error(n, st->err, "<rng> needs <backend model='random'>, 'builtin' or 'egd'");
    return 0;
}

static int parse_watchdog(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_watchdog_def *w = VR_PUSH(def->watchdogs, def->n_watchdogs);
    w->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("model", "action"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "model", vr_watchdog_model_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<watchdog> needs a model");
    w->model = (vr_watchdog_model)i;
    /* dump needs a dump directory, which Vireo does not keep. */
    char *action = vr_xml_attr(n, "action");
    bool dump = action && strcmp(action, "dump") == 0;
    free(action);
    if (dump)
        return vr_xml_error(n, st->err, "<watchdog action='dump'> is not supported by Vireo: libvirt writes a core "
                            "dump to its auto-dump directory, which Vireo does not keep; use action='pause' (the "
                            "guest waits, paused, for you to look) or reset");
    if ((rc = vr_xml_attr_enum(n, "action", vr_watchdog_action_names, &i, st->err)) < 0)
        return -1;
    w->action = vr_strdup(vr_watchdog_action_names[rc ? i : 0]);
    return vr_parse_address_only(st, n, &w->addr);
}

static int parse_panic(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_panic_def *p = VR_PUSH(def->panics, def->n_panics);
    p->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "model", vr_panic_model_names, &i, st->err)) < 0)
        return -1;
    p->model = rc ? (vr_panic_model)i : VR_PANIC_ISA;
    return vr_parse_address_only(st, n, &p->addr);
}

static int parse_emulator(vr_parse_state *st, const xmlNode *n)
{
    if (st->def->emulator)
        return vr_parse_duplicate(n, st->err);
    return vr_parse_path_leaf(st, n, &st->def->emulator);
}

static const struct {
    const char *name;
    vr_parse_fn fn;
} device_parsers[] = {
    {"emulator", parse_emulator},   {"disk", parse_disk},       {"controller", parse_controller},
    {"interface", parse_interface}, {"serial", parse_serial},   {"console", parse_console},
    {"channel", parse_channel},     {"input", parse_input},     {"graphics", vr_parse_graphics},
    {"audio", vr_parse_audio},      {"video", parse_video},     {"memballoon", parse_memballoon},
    {"rng", parse_rng},             {"sound", vr_parse_sound},  {"redirdev", vr_parse_redirdev},
    {"smartcard", vr_parse_smartcard},
    {"memory", vr_parse_memdev},    {"filesystem", vr_parse_filesystem}, {"iommu", vr_parse_iommu},
    {"hostdev", vr_parse_hostdev},  {"vsock", vr_parse_vsock},  {"shmem", vr_parse_shmem},
    {"watchdog", parse_watchdog},   {"panic", parse_panic},     {"tpm", vr_parse_tpm},
};

/* <alias name=...> is libvirt's name for a device of a running domain,
 * output only: dropped on input as libvirt drops it, but for a DIMM's
 * dimmN (QEMU's id of it: domain_memdev.c) and a user alias (ua-...),
 * which libvirt keeps in the definition: kept on the devices that carry
 * an address (vr_parse_address reads it), refused on the others rather
 * than lost. As libvirt's parser (domain_conf.c,
 * virDomainDeviceInfoParseXML), a malformed ua- name is no user alias
 * and is dropped, and so is one in <graphics>, where libvirt reads none.
 * The tree is the parser's own copy. */
static int strip_aliases(vr_parse_state *st, xmlNode *dev, char ***seen, size_t *n_seen)
{
    static const char *const keep_user[] = {"disk",     "controller", "interface",  "console", "channel",
                                            "input",    "video",      "memballoon", "rng",     "sound",
                                            "redirdev", "filesystem", "vsock",      "shmem",   "watchdog",
                                            "panic",    "serial",     "tpm",        "hostdev"};
    if (vr_xml_is(dev, "memory"))
        return 0;
    bool keeps = false;
    for (size_t i = 0; i < VR_ARRAY_LEN(keep_user) && !keeps; i++)
        keeps = vr_xml_is(dev, keep_user[i]);
    xmlNode *c = vr_xml_first(dev);
    while (c) {
        xmlNode *next = vr_xml_next(c);
        if (vr_xml_is(c, "alias")) {
            char *name = vr_xml_attr(c, "name");
            /* libvirt reads no alias in <graphics> (it has no device info) */
            bool user = is_user_alias(name) && !vr_xml_is(dev, "graphics");
            if (user && !keeps) {
                vr_xml_error(c, st->err, "<alias name='%s'>: Vireo keeps user aliases on devices with an "
                             "address (disk, interface, controller, ...), not on <%s>; leave the alias out",
                             name, (const char *)dev->name);
                free(name);
                return -1;
            }
            for (size_t i = 0; user && i < *n_seen; i++) {
                if (strcmp((*seen)[i], name) == 0) {
                    vr_xml_error(c, st->err, "<alias name='%s'> is given to two devices; a user alias names "
                                 "one device", name);
                    free(name);
                    return -1;
                }
            }
            if (user) {
                *seen = vr_realloc(*seen, (*n_seen + 1) * sizeof(**seen));
                (*seen)[(*n_seen)++] = name;
            } else {
                free(name);
            }
            if (!user) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
        }
        c = next;
    }
    return 0;
}

int vr_parse_devices(vr_parse_state *st, const xmlNode *n)
{
    if (vr_xml_check_attrs(n, NO_ATTRS, st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    char **seen = NULL; /* the user aliases so far: one device each */
    size_t n_seen = 0;
    int rc = 0;
    for (xmlNode *c = vr_xml_first(n); c && rc == 0; c = vr_xml_next(c)) {
        if (strip_aliases(st, c, &seen, &n_seen) < 0) {
            rc = -1;
            break;
        }
        vr_parse_fn fn = NULL;
        for (size_t i = 0; i < VR_ARRAY_LEN(device_parsers) && !fn; i++)
            if (vr_xml_is(c, device_parsers[i].name))
                fn = device_parsers[i].fn;
        rc = !fn ? vr_xml_unsupported(c, st->err) : fn(st, c);
    }
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i]);
    free(seen);
    return rc < 0 ? -1 : 0;
}

