/* The QEMU command line for the remote display and what travels with
 * it: VNC or SPICE (-vnc / -spice), the host audio backends, the video
 * devices, sound cards, and USB redirection over SPICE. Mapped the way
 * libvirt maps them (docs/xml-domain.md). */
#include "drivers/qemu/qemu_command_priv.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_ID "graphics0-secret"

static void audiodevs(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_audios; i++)
        vr_qc_opt(c, "-audiodev", "%s,id=audio%u",
                  def->audios[i].type == VR_AUDIO_SPICE ? "spice" : "none", def->audios[i].id);
}

/* The password never appears on the command line: QEMU reads it from
 * the file the driver wrote in the runtime dir. */
static const char *secret(cmd *c, const vr_graphics_def *g)
{
    if (!g->passwd)
        return "";
    if (!c->rt->graphics_secret) {
        vr_qc_fail(c, "<graphics passwd> needs the secret file the driver writes; none was "
                   "given");
        return "";
    }
    char *q = vr_qemu_quote(c->rt->graphics_secret);
    vr_qc_opt(c, "-object", "secret,id=" SECRET_ID ",file=%s,format=raw", q);
    free(q);
    return ",password-secret=" SECRET_ID;
}

static void vnc(cmd *c, const vr_graphics_def *g)
{
    const vr_domain_def *def = c->def;
    char audio[32] = "";
    if (def->n_audios)
        snprintf(audio, sizeof(audio), ",audiodev=audio%u", def->audios[0].id);
    const char *pw = secret(c, g);
    if (g->listen_type == VR_LISTEN_NONE) {
        vr_qc_opt(c, "-vnc", "none%s%s", audio, pw);
        return;
    }
    if (g->listen_type == VR_LISTEN_SOCKET) {
        char *path = g->socket ? vr_qemu_quote(g->socket) : vr_qc_socket_path(c, "vnc.sock");
        vr_qc_opt(c, "-vnc", "unix:%s%s%s", path, audio, pw);
        free(path);
        return;
    }
    bool v6 = strchr(g->listen, ':') != NULL;
    char host[64];
    snprintf(host, sizeof(host), v6 ? "[%s]" : "%s", g->listen);
    /* Autoport: the first free display from 0 (port 5900) up. */
    if (g->autoport)
        vr_qc_opt(c, "-vnc", "%s:0,to=100%s%s", host, audio, pw);
    else
        vr_qc_opt(c, "-vnc", "%s:%d%s%s", host, g->port - 5900, audio, pw);
}

static void spice(cmd *c, const vr_graphics_def *g)
{
    vr_strbuf b = {0};
    if (g->listen_type == VR_LISTEN_ADDRESS) {
        int port = g->autoport ? c->rt->spice_port : g->port;
        if (port <= 0) {
            vr_qc_fail(c, "SPICE with autoport needs the port the driver picked; none was given");
            return;
        }
        vr_strbuf_addf(&b, "port=%d,addr=%s", port, g->listen);
        if (g->tls_port > 0 && !c->rt->spice_tls_dir) {
            vr_qc_fail(c, "SPICE with a tlsPort needs the certificate directory; none was given");
            return;
        }
        if (g->tls_port > 0) {
            char *dir = vr_qemu_quote(c->rt->spice_tls_dir);
            vr_strbuf_addf(&b, ",tls-port=%d,x509-dir=%s", g->tls_port, dir);
            free(dir);
        }
        /* defaultMode: libvirt's mapping onto QEMU's channel lists. */
        if (g->default_mode)
            vr_strbuf_add(&b, g->default_mode == 1 ? ",tls-channel=default" : ",plaintext-channel=default");
    } else {
        /* listen none: reachable only through a socket in the domain's
         * runtime dir (root's); socket: where the XML says. */
        char *path = g->socket ? vr_qemu_quote(g->socket) : vr_qc_socket_path(c, "spice.sock");
        vr_strbuf_addf(&b, "unix=on,addr=%s", path);
        free(path);
    }
    const char *pw = secret(c, g);
    vr_strbuf_add(&b, *pw ? pw : ",disable-ticketing=on");
    const struct {
        const char *opt, *value;
    } tuning[] = {
        {"image-compression", g->image_compression},   {"jpeg-wan-compression", g->jpeg_compression},
        {"zlib-glz-wan-compression", g->zlib_compression},
        {"playback-compression", g->playback_compression},
        {"streaming-video", g->streaming_mode},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(tuning); i++)
        if (tuning[i].value)
            vr_strbuf_addf(&b, ",%s=%s", tuning[i].opt, tuning[i].value);
    /* mouse mode client needs the agent's help; server is QEMU's own. */
    if (g->mouse_mode)
        vr_strbuf_addf(&b, ",agent-mouse=%s", strcmp(g->mouse_mode, "client") == 0 ? "on" : "off");
    vr_strbuf_add(&b, ",seamless-migration=on");
    char *v = vr_strbuf_take(&b);
    vr_qc_add(c, "-spice");
    vr_qc_add(c, v);
    free(v);
}

static void videos(cmd *c)
{
    const vr_domain_def *def = c->def;
    vr_qc_opt(c, "-vga", "none");
    for (size_t i = 0; i < def->n_videos; i++) {
        const vr_video_def *v = &def->videos[i];
        char heads[32] = "";
        if (v->heads > 1)
            snprintf(heads, sizeof(heads), ",max_outputs=%u", v->heads);
        char vgamem[32] = "";
        unsigned mem = v->model == VR_VIDEO_QXL ? v->vgamem : v->vram;
        if (mem)
            snprintf(vgamem, sizeof(vgamem), ",vgamem_mb=%u", mem / 1024);
        switch (v->model) {
        case VR_VIDEO_VIRTIO:
            vr_qc_device(c, &v->addr, "%s,id=video%zu%s", i == 0 ? "virtio-vga" : "virtio-gpu-pci",
                         i, heads);
            break;
        case VR_VIDEO_VGA:
            vr_qc_device(c, &v->addr, "VGA,id=video%zu%s", i, vgamem);
            break;
        case VR_VIDEO_CIRRUS:
            vr_qc_device(c, &v->addr, "cirrus-vga,id=video%zu%s", i, vgamem);
            break;
        case VR_VIDEO_BOCHS:
            /* bochs-display takes its memory in bytes. */
            if (v->vram)
                vr_qc_device(c, &v->addr, "bochs-display,id=video%zu,vgamem=%llu", i,
                             v->vram * 1024ULL);
            else
                vr_qc_device(c, &v->addr, "bochs-display,id=video%zu", i);
            break;
        case VR_VIDEO_RAMFB:
            vr_qc_opt(c, "-device", "ramfb,id=video%zu", i);
            break;
        case VR_VIDEO_QXL: {
            char sizes[64] = "";
            if (v->ram)
                snprintf(sizes, sizeof(sizes), ",ram_size=%llu", v->ram * 1024ULL);
            if (v->vram)
                snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes), ",vram_size=%llu",
                         v->vram * 1024ULL);
            vr_qc_device(c, &v->addr, "%s,id=video%zu%s%s%s", i == 0 ? "qxl-vga" : "qxl", i,
                         sizes, vgamem, heads);
            break;
        }
        case VR_VIDEO_NONE:
            break;
        }
    }
}

void vr_qc_graphics(cmd *c)
{
    const vr_domain_def *def = c->def;
    audiodevs(c);
    if (def->n_graphics == 0)
        vr_qc_opt(c, "-display", "none");
    else if (def->graphics[0].type == VR_GRAPHICS_SPICE)
        spice(c, &def->graphics[0]);
    else
        vnc(c, &def->graphics[0]);
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
        switch (s->model) {
        case VR_SOUND_AC97:
            vr_qc_device(c, &s->addr, "AC97,id=sound%zu,audiodev=audio%u", i, audio);
            break;
        case VR_SOUND_ICH6:
        case VR_SOUND_ICH9:
            vr_qc_device(c, &s->addr, "%s,id=sound%zu",
                         s->model == VR_SOUND_ICH9 ? "ich9-intel-hda" : "intel-hda", i);
            vr_qc_opt(c, "-device", "%s,id=sound%zu-codec0,bus=sound%zu.0,cad=0,audiodev=audio%u",
                      codecs[s->codec], i, i, audio);
            break;
        }
    }
}

void vr_qc_redirdevs(cmd *c)
{
    const vr_domain_def *def = c->def;
    for (size_t i = 0; i < def->n_redirdevs; i++) {
        const vr_redirdev_def *r = &def->redirdevs[i];
        vr_qc_opt(c, "-chardev", "spicevmc,id=charredir%zu,name=usbredir", i);
        vr_qc_opt(c, "-device", "usb-redir,chardev=charredir%zu,id=redir%zu,bus=usb.0,port=%u", i,
                  i, r->addr.port);
    }
}
