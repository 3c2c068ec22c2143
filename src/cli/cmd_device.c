/* Devices of a domain, as virsh has them: attach-disk, detach-disk,
 * attach-interface, detach-interface, attach-device, detach-device,
 * update-device, change-media. The shorthands build the <disk> or <interface> element
 * virsh would and send it like attach-device; the daemon parses it with
 * the definition's own parser. --live, --config, --persistent and
 * --current mean what they mean to virsh. */
#include "cli/cli.h"
#include "common/strbuf.h"
#include "vireo/vireo.h"

#include <stdlib.h>
#include <string.h>

/* The flag options every command here takes, and their meaning. */
typedef struct {
    bool live, config, persistent, current;
} affect_opts;

#define AFFECT_OPTS(a) \
    {"live", false, &(a).live, NULL}, {"config", false, &(a).config, NULL}, \
    {"persistent", false, &(a).persistent, NULL}, {"current", false, &(a).current, NULL}

/* The flags, or -1 after a usage error. */
static int affect_flags(const vr_command *cmd, const affect_opts *a)
{
    if (a->current && (a->live || a->config || a->persistent))
        return vr_cli_usage(cmd, "--current goes with neither --live, --config nor --persistent"), -1;
    return (a->live ? VIREO_AFFECT_LIVE : 0) | (a->config ? VIREO_AFFECT_CONFIG : 0) |
           (a->persistent ? VIREO_AFFECT_PERSISTENT : 0);
}

/* A hot-plug command's DOMAIN and options: -1 to go on with *flags set,
 * else the exit code (a usage error, or --help printed). */
static int parse_affect(const vr_command *cmd, int argc, char **argv, const vr_opt *opts, const char **pos,
                        const affect_opts *a, int *flags)
{
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    *flags = affect_flags(cmd, a);
    return *flags < 0 ? VR_EXIT_USAGE : -1;
}

/* name='value' with the value escaped for an XML attribute. */
static void attr(vr_strbuf *b, const char *name, const char *value)
{
    vr_strbuf_addf(b, " %s='", name);
    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '&': vr_strbuf_add(b, "&amp;"); break;
        case '<': vr_strbuf_add(b, "&lt;"); break;
        case '>': vr_strbuf_add(b, "&gt;"); break;
        case '\'': vr_strbuf_add(b, "&apos;"); break;
        case '"': vr_strbuf_add(b, "&quot;"); break;
        default: vr_strbuf_addn(b, p, 1);
        }
    }
    vr_strbuf_add(b, "'");
}

/* Send the element (attach or detach) and print virsh's line. */
/* What a device's XML is sent for. */
typedef enum { DEVICE_DETACH, DEVICE_ATTACH, DEVICE_UPDATE } device_op;

static int send_device(vr_cli *cli, const char *name, const char *xml, unsigned flags, device_op op,
                       const char *what)
{
    static int (*const calls[])(vireo_conn *, const char *, const char *, unsigned) = {
        vireo_domain_detach_device, vireo_domain_attach_device, vireo_domain_update_device};
    static const char *const done[] = {"detached", "attached", "updated"};
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    int r = calls[op](c, name, xml, flags);
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    if (r == 0)
        printf("%s %s successfully\n", what, done[op]);
    vireo_disconnect(c);
    return rc;
}

/* ---- attach-disk ---- */

static int run_attach_disk(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_attach_disk;
    const char *pos[1] = {0}, *source = NULL, *target = NULL, *driver = NULL, *subdriver = NULL, *type = NULL,
               *mode = NULL, *bus = NULL, *cache = NULL, *sourcetype = NULL, *pool = NULL, *alias = NULL;
    bool b[12] = {0};
    affect_opts a = {0};
    const vr_opt opts[] = {{"source", true, &b[0], &source, true}, {"target", true, &b[1], &target, true},
                           {"driver", true, &b[2], &driver}, {"subdriver", true, &b[3], &subdriver},
                           {"type", true, &b[4], &type}, {"mode", true, &b[5], &mode},
                           {"targetbus", true, &b[6], &bus}, {"cache", true, &b[7], &cache},
                           {"sourcetype", true, &b[8], &sourcetype}, {"source-pool", true, &b[9], &pool},
                           {"alias", true, &b[10], &alias}, AFFECT_OPTS(a), {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!source || !target)
        return vr_cli_usage(cmd, "missing %s", !source ? "SOURCE" : "TARGET");
    if (driver && strcmp(driver, "qemu") != 0)
        return vr_cli_usage(cmd, "--driver: only 'qemu' drives disks here");
    if (type && strcmp(type, "disk") != 0 && strcmp(type, "cdrom") != 0)
        return vr_cli_usage(cmd, "--type: 'disk' or 'cdrom'");
    if (mode && strcmp(mode, "readonly") != 0 && strcmp(mode, "shareable") != 0)
        return vr_cli_usage(cmd, "--mode: 'readonly' or 'shareable'");
    if (sourcetype && strcmp(sourcetype, "file") != 0 && strcmp(sourcetype, "block") != 0)
        return vr_cli_usage(cmd, "--sourcetype: 'file' or 'block'");
    if (pool && sourcetype)
        return vr_cli_usage(cmd, "--source-pool names a pool's volume (SOURCE); leave --sourcetype out");
    bool block = sourcetype ? strcmp(sourcetype, "block") == 0 : strncmp(source, "/dev/", 5) == 0;
    vr_strbuf x = {0};
    vr_strbuf_add(&x, "<disk");
    attr(&x, "type", pool ? "volume" : block ? "block" : "file");
    attr(&x, "device", type ? type : "disk");
    vr_strbuf_add(&x, "><driver name='qemu'");
    if (subdriver)
        attr(&x, "type", subdriver);
    if (cache)
        attr(&x, "cache", cache);
    vr_strbuf_add(&x, "/><source");
    if (pool) {
        attr(&x, "pool", pool);
        attr(&x, "volume", source);
    } else {
        attr(&x, block ? "dev" : "file", source);
    }
    vr_strbuf_add(&x, "/><target");
    attr(&x, "dev", target);
    if (bus)
        attr(&x, "bus", bus);
    vr_strbuf_add(&x, "/>");
    if (alias) {
        vr_strbuf_add(&x, "<alias");
        attr(&x, "name", alias);
        vr_strbuf_add(&x, "/>");
    }
    if (mode)
        vr_strbuf_addf(&x, "<%s/>", mode);
    vr_strbuf_add(&x, "</disk>");
    int rc = send_device(cli, pos[0], x.s, (unsigned)flags, DEVICE_ATTACH, "Disk");
    vr_strbuf_free(&x);
    return rc;
}

static int run_detach_disk(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_detach_disk;
    const char *pos[1] = {0}, *target = NULL;
    bool has_target = false;
    affect_opts a = {0};
    const vr_opt opts[] = {{"target", true, &has_target, &target, true}, AFFECT_OPTS(a), {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!target)
        return vr_cli_usage(cmd, "missing TARGET");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_detach_disk(c, pos[0], target, (unsigned)flags);
    if (r == 0)
        printf("Disk detached successfully\n");
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* ---- attach-interface ---- */

static int run_attach_interface(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_attach_interface;
    const char *pos[1] = {0}, *type = NULL, *source = NULL, *model = NULL, *mac = NULL, *target = NULL;
    bool b[5] = {0};
    affect_opts a = {0};
    const vr_opt opts[] = {{"type", true, &b[0], &type, true}, {"source", true, &b[1], &source, true},
                           {"model", true, &b[2], &model}, {"mac", true, &b[3], &mac},
                           {"target", true, &b[4], &target}, AFFECT_OPTS(a), {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!type || (!source && strcmp(type, "user") != 0))
        return vr_cli_usage(cmd, "missing %s", !type ? "TYPE (network, bridge, direct or user)" : "SOURCE");
    if (strcmp(type, "network") != 0 && strcmp(type, "bridge") != 0 && strcmp(type, "direct") != 0 &&
        strcmp(type, "user") != 0)
        return vr_cli_usage(cmd, "TYPE: 'network', 'bridge', 'direct' or 'user', not '%s'", type);
    vr_strbuf x = {0};
    vr_strbuf_add(&x, "<interface");
    attr(&x, "type", type);
    vr_strbuf_add(&x, ">");
    if (source) {
        vr_strbuf_add(&x, "<source");
        /* direct: a macvtap on the host NIC SOURCE, libvirt's default mode. */
        attr(&x, strcmp(type, "bridge") == 0 ? "bridge" : strcmp(type, "direct") == 0 ? "dev" : "network", source);
        vr_strbuf_add(&x, "/>");
    }
    if (mac) {
        vr_strbuf_add(&x, "<mac");
        attr(&x, "address", mac);
        vr_strbuf_add(&x, "/>");
    }
    if (model) {
        vr_strbuf_add(&x, "<model");
        attr(&x, "type", model);
        vr_strbuf_add(&x, "/>");
    }
    if (target) {
        vr_strbuf_add(&x, "<target");
        attr(&x, "dev", target);
        vr_strbuf_add(&x, "/>");
    }
    vr_strbuf_add(&x, "</interface>");
    int rc = send_device(cli, pos[0], x.s, (unsigned)flags, DEVICE_ATTACH, "Interface");
    vr_strbuf_free(&x);
    return rc;
}

static int run_detach_interface(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_detach_interface;
    const char *pos[1] = {0}, *type = NULL, *mac = NULL;
    bool b[2] = {0};
    affect_opts a = {0};
    const vr_opt opts[] = {{"type", true, &b[0], &type, true}, {"mac", true, &b[1], &mac}, AFFECT_OPTS(a), {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!type)
        return vr_cli_usage(cmd, "missing TYPE (network, bridge, direct or user)");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_detach_interface(c, pos[0], type, mac, (unsigned)flags);
    if (r == 0)
        printf("Interface detached successfully\n");
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* ---- attach-device, detach-device ---- */

static int device_file(vr_cli *cli, const vr_command *cmd, int argc, char **argv, device_op op)
{
    const char *pos[2] = {0}, *file = NULL;
    bool has_file = false;
    affect_opts a = {0};
    const vr_opt opts[] = {{"file", true, &has_file, &file, true}, AFFECT_OPTS(a), {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!file)
        return vr_cli_usage(cmd, "missing FILE");
    char *xml = vr_cli_read_file(file);
    if (!xml)
        return VR_EXIT_FAIL;
    int rc = send_device(cli, pos[0], xml, (unsigned)flags, op, "Device");
    free(xml);
    return rc;
}

static int run_attach_device(vr_cli *cli, int argc, char **argv)
{
    return device_file(cli, &vr_cmd_attach_device, argc, argv, DEVICE_ATTACH);
}

static int run_detach_device(vr_cli *cli, int argc, char **argv)
{
    return device_file(cli, &vr_cmd_detach_device, argc, argv, DEVICE_DETACH);
}

static int run_update_device(vr_cli *cli, int argc, char **argv)
{
    return device_file(cli, &vr_cmd_update_device, argc, argv, DEVICE_UPDATE);
}

/* ---- detach-device-alias ---- */

/* virsh's options (no --persistent) and its line, also for --config:
 * the request is sent, the detach of a live device done once the guest
 * let go. */
static int run_detach_device_alias(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_detach_device_alias;
    const char *pos[2] = {0};
    bool has_alias = false;
    affect_opts a = {0};
    const vr_opt opts[] = {{"alias", true, &has_alias, &pos[1], true}, {"live", false, &a.live, NULL},
                           {"config", false, &a.config, NULL}, {"current", false, &a.current, NULL}, {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!pos[1])
        return vr_cli_usage(cmd, "missing ALIAS (see dumpxml: <alias name='ua-...'/>)");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_detach_device_alias(c, pos[0], pos[1], (unsigned)flags);
    if (r == 0)
        printf("Device detach request sent successfully\n");
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

/* ---- change-media ---- */

static int run_change_media(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_change_media;
    const char *pos[1] = {0}, *path = NULL, *source = NULL;
    bool b[2] = {0}, eject = false, insert = false, update = false, force = false;
    affect_opts a = {0};
    const vr_opt opts[] = {{"path", true, &b[0], &path, true}, {"source", true, &b[1], &source, true},
                           {"eject", false, &eject, NULL}, {"insert", false, &insert, NULL},
                           {"update", false, &update, NULL}, {"force", false, &force, NULL}, AFFECT_OPTS(a), {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &a, &flags);
    if (r >= 0)
        return r;
    if (!path)
        return vr_cli_usage(cmd, "missing PATH (the drive's target, hdc)");
    if (eject + insert + update > 1)
        return vr_cli_usage(cmd, "give one of --eject, --insert and --update");
    if (!eject && !insert)
        update = true; /* virsh's default */
    if (eject && source)
        return vr_cli_usage(cmd, "--eject takes no SOURCE");
    if (!eject && !source)
        return vr_cli_usage(cmd, "missing SOURCE for --%s", insert ? "insert" : "update");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_change_media(c, pos[0], path, eject ? NULL : source, (unsigned)flags);
    if (r == 0)
        printf("Successfully %s media.\n", eject ? "ejected" : insert ? "inserted" : "updated");
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

#define AFFECT_USAGE "[--live] [--config] [--persistent] [--current]"

const vr_command vr_cmd_attach_disk = {
    "attach-disk", "Add a disk or CD-ROM to a domain, live (hot-plug) and/or to its definition.",
    "DOMAIN SOURCE TARGET [--driver qemu] [--subdriver raw|qcow2] [--type disk|cdrom] "
    "[--mode readonly|shareable] [--targetbus virtio|scsi|sata|ide] [--cache MODE] [--sourcetype file|block] "
    "[--source-pool POOL] [--alias ua-NAME] " AFFECT_USAGE,
    run_attach_disk};
const vr_command vr_cmd_detach_disk = {
    "detach-disk", "Remove a disk from a domain (TARGET, or the disk's source path).",
    "DOMAIN TARGET " AFFECT_USAGE, run_detach_disk};
const vr_command vr_cmd_attach_interface = {
    "attach-interface", "Add a network interface to a domain (a new tap on the network's bridge, or a macvtap "
                        "on a host NIC for direct).",
    "DOMAIN network|bridge|direct|user SOURCE [--model virtio|e1000|rtl8139] [--mac MAC] [--target TAP] " AFFECT_USAGE,
    run_attach_interface};
const vr_command vr_cmd_detach_interface = {
    "detach-interface", "Remove a network interface from a domain (by --mac, or the only one of TYPE).",
    "DOMAIN network|bridge|direct|user [--mac MAC] " AFFECT_USAGE, run_detach_interface};
const vr_command vr_cmd_attach_device = {
    "attach-device", "Add the <disk>, <interface> or <memory model='dimm'> of an XML file to a domain.",
    "DOMAIN FILE " AFFECT_USAGE, run_attach_device};
const vr_command vr_cmd_detach_device = {
    "detach-device", "Remove the device an XML file names (<disk> by target or user alias, <interface> by MAC and user alias, "
                     "<memory model='dimm'> by alias, slot or size).",
    "DOMAIN FILE " AFFECT_USAGE, run_detach_device};
const vr_command vr_cmd_detach_device_alias = {
    "detach-device-alias", "Remove the device with this alias: a user alias (<alias name='ua-...'/>) of a disk or "
                           "interface, a DIMM's dimmN; live, also the alias the running domain's dumpxml shows "
                           "(virtio-disk1, sata0-0-1, net1), a disk's target or an interface's nicN.",
    "DOMAIN ALIAS [--live] [--config] [--current]", run_detach_device_alias};
const vr_command vr_cmd_update_device = {
    "update-device",
    "Change a device in place from an XML file: a CD-ROM's medium, an interface's <link state>; the "
    "definition (--config) takes the whole element.",
    "DOMAIN FILE " AFFECT_USAGE, run_update_device};
const vr_command vr_cmd_change_media = {
    "change-media", "Eject, insert or swap the medium of a CD-ROM drive.",
    "DOMAIN TARGET [SOURCE] [--eject|--insert|--update] [--force] " AFFECT_USAGE, run_change_media};
