/* The QEMU command line for the remote display and what travels with
 * it: VNC and/or SPICE (-vnc / -spice), the host audio backends, the video
 * devices, sound cards, and USB redirection over SPICE. Mapped the way
 * libvirt maps them (docs/xml-domain.md). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void audiodevs(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_audios; i++) {
        vr_qprops *p = vr_qp_new("driver", def->audios[i].type == VR_AUDIO_SPICE ? "spice" : "none");
        vr_qp_strf(p, "id", "audio%u", def->audios[i].id);
        vr_qc_props(c, "-audiodev", p);
    }
}

/* The password never appears on the command line: QEMU reads it from
 * the file the driver wrote in the runtime dir. The secret's id
 * (graphicsN-secret, N the display's index), NULL when none. */
static char *secret(cmd *c, const vr_graphics_def *g)
{
    size_t i = (size_t)(g - c->def->graphics);
    if (!g->passwd)
        return NULL;
    if (i >= VR_GRAPHICS_MAX || !c->rt->graphics_secrets[i]) {
        vr_qc_fail(c, "<graphics passwd> needs the secret file the driver writes; none was "
                   "given");
        return NULL;
    }
    char *id = vr_asprintf("graphics%zu-secret", i);
    vr_qc_secret_object(c, id, c->rt->graphics_secrets[i], "raw");
    return id;
}

static void vnc(cmd *c, const vr_graphics_def *g)
{
    const vr_domain_def *def = c->def;
    char *pw = secret(c, g);
    vr_qprops *p = vr_qp_new("vnc", NULL);
    if (g->listen_type == VR_LISTEN_NONE) {
        vr_qp_head(p, "vnc", "none");
    } else if (g->listen_type == VR_LISTEN_SOCKET) {
        char *path = g->socket ? vr_strdup(g->socket) : vr_qc_socket_path(c, "vnc.sock");
        char *head = vr_asprintf("unix:%s", path);
        vr_qp_head(p, "vnc", head);
        free(head);
        free(path);
    } else {
        bool v6 = strchr(g->listen, ':') != NULL;
        /* Autoport: the first free display from 0 (port 5900) up. */
        char *head = vr_asprintf(v6 ? "[%s]:%d" : "%s:%d", g->listen, g->autoport ? 0 : g->port - 5900);
        vr_qp_head(p, "vnc", head);
        free(head);
        if (g->autoport)
            vr_qp_uint(p, "to", 100);
    }
    if (def->n_audios)
        vr_qp_strf(p, "audiodev", "audio%u", def->audios[0].id);
    if (pw)
        vr_qp_str(p, "password-secret", pw);
    free(pw);
    vr_qc_props(c, "-vnc", p);
}

static void spice(cmd *c, const vr_graphics_def *g)
{
    vr_qprops *p = vr_qp_new(NULL, NULL);
    if (g->listen_type == VR_LISTEN_ADDRESS) {
        int port = g->autoport ? c->rt->spice_port : g->port;
        if (port <= 0) {
            vr_qp_free(p);
            vr_qc_fail(c, "SPICE with autoport needs the port the driver picked; none was given");
            return;
        }
        vr_qp_uint(p, "port", (unsigned)port);
        vr_qp_str(p, "addr", g->listen);
        if (g->tls_port > 0 && !c->rt->spice_tls_dir) {
            vr_qp_free(p);
            vr_qc_fail(c, "SPICE with a tlsPort needs the certificate directory; none was given");
            return;
        }
        if (g->tls_port > 0) {
            vr_qp_uint(p, "tls-port", (unsigned)g->tls_port);
            vr_qp_str(p, "x509-dir", c->rt->spice_tls_dir);
        }
        /* defaultMode: libvirt's mapping onto QEMU's channel lists. */
        if (g->default_mode)
            vr_qp_str(p, g->default_mode == 1 ? "tls-channel" : "plaintext-channel", "default");
    } else {
        /* listen none: reachable only through a socket in the domain's
         * runtime dir (root's); socket: where the XML says. */
        char *path = g->socket ? vr_strdup(g->socket) : vr_qc_socket_path(c, "spice.sock");
        vr_qp_bool(p, "unix", true);
        vr_qp_str(p, "addr", path);
        free(path);
    }
    char *pw = secret(c, g);
    if (pw)
        vr_qp_str(p, "password-secret", pw);
    else
        vr_qp_bool(p, "disable-ticketing", true);
    free(pw);
    const struct {
        const char *opt, *value;
    } tuning[] = {
        {"image-compression", g->image_compression},   {"jpeg-wan-compression", g->jpeg_compression},
        {"zlib-glz-wan-compression", g->zlib_compression},
        {"playback-compression", g->playback_compression},
        {"streaming-video", g->streaming_mode},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(tuning); i++)
        vr_qp_str(p, tuning[i].opt, tuning[i].value);
    /* mouse mode client needs the agent's help; server is QEMU's own. */
    if (g->mouse_mode)
        vr_qp_bool(p, "agent-mouse", strcmp(g->mouse_mode, "client") == 0);
    vr_qp_bool(p, "seamless-migration", true);
    vr_qc_props(c, "-spice", p);
}

static void videos(cmd *c)
{
    static const char *const drivers[] = {
        [VR_VIDEO_VGA] = "VGA",     [VR_VIDEO_CIRRUS] = "cirrus-vga",
        [VR_VIDEO_BOCHS] = "bochs-display", [VR_VIDEO_RAMFB] = "ramfb",
    };
    const vr_domain_def *def = c->def;
    vr_qc_opt(c, "-vga", "none");
    for (size_t i = 0; i < def->n_videos; i++) {
        const vr_video_def *v = &def->videos[i];
        if (v->model == VR_VIDEO_NONE)
            continue;
        const char *driver = v->model == VR_VIDEO_VIRTIO ? (i == 0 ? "virtio-vga" : "virtio-gpu-pci")
                             : v->model == VR_VIDEO_QXL  ? (i == 0 ? "qxl-vga" : "qxl")
                                                         : drivers[v->model];
        vr_qprops *p = vr_qp_new("driver", driver);
        vr_qp_strf(p, "id", "video%zu", i);
        unsigned mem = v->model == VR_VIDEO_QXL ? v->vgamem : v->vram;
        switch (v->model) {
        case VR_VIDEO_VIRTIO:
            if (v->heads > 1)
                vr_qp_uint(p, "max_outputs", v->heads);
            break;
        case VR_VIDEO_VGA:
        case VR_VIDEO_CIRRUS:
            if (mem)
                vr_qp_uint(p, "vgamem_mb", mem / 1024);
            break;
        case VR_VIDEO_BOCHS:
            /* bochs-display takes its memory in bytes. */
            if (v->vram)
                vr_qp_uint(p, "vgamem", v->vram * 1024ULL);
            break;
        case VR_VIDEO_QXL:
            if (v->ram)
                vr_qp_uint(p, "ram_size", v->ram * 1024ULL);
            if (v->vram)
                vr_qp_uint(p, "vram_size", v->vram * 1024ULL);
            if (mem)
                vr_qp_uint(p, "vgamem_mb", mem / 1024);
            if (v->heads > 1)
                vr_qp_uint(p, "max_outputs", v->heads);
            break;
        case VR_VIDEO_RAMFB:
        case VR_VIDEO_NONE:
            break;
        }
        /* ramfb sits on no bus: its address is ignored, as before. */
        if (v->model == VR_VIDEO_RAMFB)
            vr_qc_props(c, "-device", p);
        else
            vr_qc_device_props(c, &v->addr, p);
    }
}

void vr_qc_graphics(cmd *c)
{
    const vr_domain_def *def = c->def;
    audiodevs(c);
    if (def->n_graphics == 0)
        vr_qc_opt(c, "-display", "none");
    /* One of each type at most (validation): -vnc and -spice together,
     * in the definition's order. */
    for (size_t i = 0; i < def->n_graphics; i++) {
        if (def->graphics[i].type == VR_GRAPHICS_SPICE)
            spice(c, &def->graphics[i]);
        else
            vnc(c, &def->graphics[i]);
    }
    videos(c);
}

/* The <audio> a sound card plays through: the one it names, else the
 * first (the defaults step made one). */
static unsigned sound_audio(const vr_domain_def *def, const vr_sound_def *s)
{
    if (s->audio_id)
        return s->audio_id;
    return def->n_audios ? def->audios[0].id : 0;
}

void vr_qc_sound(cmd *c)
{
    static const char *const codecs[] = {"hda-duplex", "hda-micro", "hda-output"};
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_sounds; i++) {
        const vr_sound_def *s = &def->sounds[i];
        unsigned audio = sound_audio(def, s);
        bool hda = s->model != VR_SOUND_AC97;
        vr_qprops *p = vr_qp_new("driver", !hda                        ? "AC97"
                                           : s->model == VR_SOUND_ICH9 ? "ich9-intel-hda"
                                                                       : "intel-hda");
        vr_qp_strf(p, "id", "sound%zu", i);
        if (!hda)
            vr_qp_strf(p, "audiodev", "audio%u", audio);
        vr_qc_device_props(c, &s->addr, p);
        if (!hda)
            continue;
        vr_qprops *codec = vr_qp_new("driver", codecs[s->codec]);
        vr_qp_strf(codec, "id", "sound%zu-codec0", i);
        vr_qp_strf(codec, "bus", "sound%zu.0", i);
        vr_qp_uint(codec, "cad", 0);
        vr_qp_strf(codec, "audiodev", "audio%u", audio);
        vr_qc_props(c, "-device", codec);
    }
}

void vr_qc_redirdevs(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_redirdevs; i++) {
        const vr_redirdev_def *r = &def->redirdevs[i];
        char id[32];
        snprintf(id, sizeof(id), "charredir%zu", i);
        vr_qc_spicevmc(c, id, "usbredir");
        vr_qprops *p = vr_qp_new("driver", "usb-redir");
        vr_qp_str(p, "chardev", id);
        vr_qp_strf(p, "id", "redir%zu", i);
        vr_qp_str(p, "bus", "usb.0");
        vr_qp_uint(p, "port", r->addr.port);
        vr_qc_props(c, "-device", p);
    }
}
