/* Step 1 of parsing for the remote display and what travels with it:
 * <graphics type='vnc|spice'>, <audio>, <sound>, <redirdev>. Each is
 * read as libvirt reads it; what Vireo cannot honour is refused with
 * the element and the reason. The QEMU side is qemu_command_graphics.c. */
#include "conf/domain_parse.h"
#include "conf/xml_util.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static bool valid_ip(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* port='N' / tlsPort='N': -1 (automatic) or a port from 5900 up. */
static int graphics_port(const xmlNode *n, const char *attr, int *out, bool *given, char **err)
{
    char *s = vr_xml_attr(n, attr);
    *given = s != NULL;
    *out = 0;
    if (!s)
        return 0;
    unsigned long long v = 0;
    int rc = 0;
    if (strcmp(s, "-1") == 0)
        *out = -1;
    else if (vr_xml_parse_ull(s, 5900, 65535, 10, &v))
        *out = (int)v;
    else
        rc = vr_xml_error(n, err, "<graphics %s='%s'>: expected -1 (automatic) or a port from "
                          "5900 to 65535", attr, s);
    free(s);
    return rc;
}

/* <listen type='address|none|socket'>: the one listen element. */
static int parse_listen(vr_parse_state *st, const xmlNode *c, vr_graphics_def *g)
{
    int i, rc;
    if (vr_xml_check_attrs(c, ATTRS("type", "address", "socket", "network"), st->err) < 0 ||
        vr_xml_check_empty(c, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(c, "type", vr_listen_type_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(c, st->err, "<listen> needs type='address', 'none' or 'socket'");
    char *network = vr_xml_attr(c, "network");
    if (network) {
        vr_xml_error(c, st->err, "<listen network='%s'> is not supported by Vireo (give the "
                     "address to listen on)", network);
        free(network);
        return -1;
    }
    g->listen_type = (vr_listen_type)i;
    char *addr = vr_xml_attr(c, "address"), *sock = vr_xml_attr(c, "socket");
    rc = 0;
    if (addr && g->listen_type != VR_LISTEN_ADDRESS)
        rc = vr_xml_error(c, st->err, "<listen type='%s'> takes no address",
                          vr_listen_type_names[i]);
    else if (sock && g->listen_type != VR_LISTEN_SOCKET)
        rc = vr_xml_error(c, st->err, "<listen type='%s'> takes no socket",
                          vr_listen_type_names[i]);
    else if (addr && g->listen && strcmp(addr, g->listen) != 0)
        rc = vr_xml_error(c, st->err, "<listen address='%s'> differs from <graphics listen='%s'>",
                          addr, g->listen);
    else if (sock && sock[0] != '/')
        rc = vr_xml_error(c, st->err, "<listen socket='%s'> must be an absolute path", sock);
    if (rc < 0) {
        free(addr);
        free(sock);
        return -1;
    }
    if (addr) {
        free(g->listen);
        g->listen = addr;
    }
    g->socket = sock;
    return 0;
}

/* SPICE's tuning children: one attribute each, kept as given. */
static int parse_spice_child(vr_parse_state *st, const xmlNode *c, vr_graphics_def *g)
{
    static const char *const image[] = {"auto_glz", "auto_lz", "quic", "glz", "lz", "off", NULL};
    static const char *const jpeg[] = {"auto", "never", "always", NULL};
    static const char *const onoff[] = {"on", "off", NULL};
    static const char *const stream[] = {"filter", "all", "off", NULL};
    static const char *const mouse[] = {"server", "client", NULL};
    static const struct {
        const char *name, *attr;
        const char *const *values;
        size_t field;
    } kids[] = {
        {"image", "compression", image, offsetof(vr_graphics_def, image_compression)},
        {"jpeg", "compression", jpeg, offsetof(vr_graphics_def, jpeg_compression)},
        {"zlib", "compression", jpeg, offsetof(vr_graphics_def, zlib_compression)},
        {"playback", "compression", onoff, offsetof(vr_graphics_def, playback_compression)},
        {"streaming", "mode", stream, offsetof(vr_graphics_def, streaming_mode)},
        {"mouse", "mode", mouse, offsetof(vr_graphics_def, mouse_mode)},
    };
    for (size_t k = 0; k < VR_ARRAY_LEN(kids); k++) {
        if (!vr_xml_is(c, kids[k].name))
            continue;
        char **field = (char **)((char *)g + kids[k].field);
        if (*field)
            return vr_parse_duplicate(c, st->err);
        int i, rc;
        if (vr_xml_check_attrs(c, (const char *const[]){kids[k].attr, NULL}, st->err) < 0 ||
            vr_xml_check_empty(c, st->err) < 0)
            return -1;
        if ((rc = vr_xml_attr_enum(c, kids[k].attr, kids[k].values, &i, st->err)) < 0)
            return -1;
        if (rc == 0)
            return vr_xml_error(c, st->err, "<%s> needs %s", kids[k].name, kids[k].attr);
        *field = vr_strdup(kids[k].values[i]);
        return 0;
    }
    return vr_xml_unsupported(c, st->err);
}

int vr_parse_graphics(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_graphics_def *g = VR_PUSH(def->graphics, def->n_graphics);
    g->line = vr_xml_line(n);
    int i, rc;
    if ((rc = vr_xml_attr_enum(n, "type", vr_graphics_type_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<graphics> needs type='vnc' or 'spice'");
    g->type = (vr_graphics_type)i;
    bool spice = g->type == VR_GRAPHICS_SPICE;
    if (vr_xml_check_attrs(n, spice ? ATTRS("type", "port", "tlsPort", "autoport", "listen",
                                            "passwd", "defaultMode")
                                    : ATTRS("type", "port", "autoport", "listen", "passwd"),
                           st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    bool port_given, tls_given;
    if (graphics_port(n, "port", &g->port, &port_given, st->err) < 0 ||
        (spice && graphics_port(n, "tlsPort", &g->tls_port, &tls_given, st->err) < 0))
        return -1;
    if (spice && vr_xml_attr_enum(n, "defaultMode", ATTRS("any", "secure", "insecure"), &g->default_mode,
                                  st->err) < 0)
        return -1;
    bool autoport = false;
    if ((rc = vr_xml_attr_bool(n, "autoport", "yes", "no", &autoport, st->err)) < 0)
        return -1;
    /* libvirt: autoport='yes' wins over a port (which is then only the
     * port a running domain got); no port at all means automatic. */
    if (rc == 0)
        autoport = !port_given || g->port == -1;
    if (!autoport && g->port <= 0)
        return vr_xml_error(n, st->err, "<graphics autoport='no'> needs a port");
    g->autoport = autoport;
    if (autoport)
        g->port = -1;
    g->passwd = vr_xml_attr(n, "passwd");
    g->listen = vr_xml_attr(n, "listen");
    bool have_listen = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "listen")) {
            if (have_listen)
                return vr_parse_duplicate(c, st->err);
            have_listen = true;
            if (parse_listen(st, c, g) < 0)
                return -1;
        } else if (spice) {
            if (parse_spice_child(st, c, g) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    const char *what = spice ? "SPICE" : "VNC";
    if (g->listen_type != VR_LISTEN_ADDRESS) {
        free(g->listen);
        g->listen = NULL;
        g->autoport = false;
        g->port = 0;
    } else {
        if (g->listen && !valid_ip(g->listen))
            return vr_xml_error(n, st->err, "%s listen address '%s' is not an IP address", what,
                                g->listen);
        if (!g->listen)
            g->listen = vr_strdup("127.0.0.1");
    }
    /* tlsPort='-1' is what libvirt writes for autoport: TLS when the host
     * turns it on (libvirt's spice_tls, off by default), so none here. A
     * concrete tlsPort is served with the certificates of
     * ROOT/etc/pki/libvirt-spice, checked at start. */
    if (g->default_mode == 1 && g->tls_port <= 0)
        return vr_xml_error(n, st->err, "<graphics defaultMode='secure'> needs a tlsPort (SPICE over TLS)");
    return 0;
}

int vr_parse_audio(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_audio_def *a = VR_PUSH(def->audios, def->n_audios);
    a->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("id", "type"), st->err) < 0 ||
        vr_xml_check_empty(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", vr_audio_type_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<audio> needs type='none' or 'spice'");
    a->type = (vr_audio_type)i;
    unsigned long long v;
    if ((rc = vr_xml_attr_uint(n, "id", 1, 255, &v, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<audio> needs an id");
    a->id = (unsigned)v;
    return 0;
}

int vr_parse_sound(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_sound_def *s = VR_PUSH(def->sounds, def->n_sounds);
    s->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("model"), st->err) < 0 || vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "model", vr_sound_model_names, &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<sound> needs a model (ich6, ich9 or ac97)");
    s->model = (vr_sound_model)i;
    bool have_codec = false, have_audio = false;
    for (xmlNode *c = vr_xml_first(n); c; c = vr_xml_next(c)) {
        if (vr_xml_is(c, "codec") && s->model != VR_SOUND_AC97) {
            if (have_codec)
                return vr_xml_error(c, st->err, "only one <codec> per <sound> is supported");
            have_codec = true;
            if (vr_xml_check_attrs(c, ATTRS("type"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0)
                return -1;
            if ((rc = vr_xml_attr_enum(c, "type", vr_codec_type_names, &i, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<codec> needs a type");
            s->codec = (vr_codec_type)i;
        } else if (vr_xml_is(c, "audio")) {
            if (have_audio)
                return vr_parse_duplicate(c, st->err);
            have_audio = true;
            unsigned long long v;
            if (vr_xml_check_attrs(c, ATTRS("id"), st->err) < 0 ||
                vr_xml_check_empty(c, st->err) < 0)
                return -1;
            if ((rc = vr_xml_attr_uint(c, "id", 1, 255, &v, st->err)) < 0)
                return -1;
            if (rc == 0)
                return vr_xml_error(c, st->err, "<audio> of a <sound> needs an id");
            s->audio_id = (unsigned)v;
        } else if (vr_parse_is_devinfo(c)) {
            if (vr_parse_address(st, c, &s->addr) < 0)
                return -1;
        } else {
            return vr_xml_unsupported(c, st->err);
        }
    }
    return 0;
}

int vr_parse_redirdev(vr_parse_state *st, const xmlNode *n)
{
    vr_domain_def *def = st->def;
    vr_redirdev_def *r = VR_PUSH(def->redirdevs, def->n_redirdevs);
    r->line = vr_xml_line(n);
    int i, rc;
    if (vr_xml_check_attrs(n, ATTRS("bus", "type"), st->err) < 0 ||
        vr_xml_check_no_text(n, st->err) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "bus", ATTRS("usb"), &i, st->err)) < 0)
        return -1;
    if ((rc = vr_xml_attr_enum(n, "type", ATTRS("spicevmc"), &i, st->err)) < 0)
        return -1;
    if (rc == 0)
        return vr_xml_error(n, st->err, "<redirdev> needs type='spicevmc' (the only kind "
                            "Vireo supports)");
    return vr_parse_address_only(st, n, &r->addr);
}
