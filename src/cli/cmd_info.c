/* Looking at one domain: dominfo, domstate, domid, domuuid, dumpxml,
 * edit, domstats, vncdisplay, domdisplay. */
#include "cli/cli.h"
#include "common/file.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parse, connect, and with `d` also fetch the domain named. */
static vireo_conn *one_domain(vr_cli *cli, const vr_command *cmd, int argc, char **argv,
                              const vr_opt *opts, const char **name, vireo_domain *d, int *rc)
{
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, name, 1, 1, rc);
    if (!c)
        return NULL;
    if (d && vireo_domain_get(c, *name, d) < 0) {
        *rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return NULL;
    }
    return c;
}

/* "kvm", "tcg (emulation)", or "tcg (emulation; kvm asked)" when a
 * domain of type 'kvm' runs (or would run) under TCG on this host. */
static const char *accel_line(const vireo_domain *d)
{
    bool kvm_asked = d->type && strcmp(d->type, "kvm") == 0;
    if (!d->accel)
        return "none: type 'kvm' without usable KVM, and vireod runs with --accel strict";
    if (strcmp(d->accel, "kvm") == 0)
        return "kvm";
    return kvm_asked ? "tcg (emulation; kvm asked)" : "tcg (emulation)";
}

static int run_dominfo(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    vireo_domain d;
    int rc;
    vireo_conn *c = one_domain(cli, &vr_cmd_dominfo, argc, argv, opts, &name, &d, &rc);
    if (!c)
        return rc;
    char *stats = strcmp(d.state, "shut off") != 0 ? vireo_domain_stats_json(c, d.name) : NULL;
    json_object *st = stats ? json_tokener_parse(stats) : NULL, *cpu = NULL;
    double cpu_s = st && json_object_object_get_ex(st, "cpu_time_ns", &cpu) ? (double)json_object_get_int64(cpu) / 1e9 : -1;
    if (json) {
        /* The domain as libvireo returns it (the one wire form), with
         * the CPU time dominfo shows beside it. */
        json_object *o = vr_wire_to_json(&vr_wire_domain, &d);
        json_object_object_add(o, "cpu_time_s", cpu_s >= 0 ? json_object_new_double(cpu_s) : NULL);
        vr_cli_print_json(o);
    } else {
        char id[16] = "-";
        if (d.id > 0)
            snprintf(id, sizeof(id), "%d", d.id);
        printf("%-15s %s\n", "Id:", id);
        printf("%-15s %s\n", "Name:", d.name);
        printf("%-15s %s\n", "UUID:", d.uuid);
        if (d.title)
            printf("%-15s %s\n", "Title:", d.title);
        printf("%-15s %s\n", "OS Type:", "hvm");
        printf("%-15s %s\n", "State:", d.state);
        printf("%-15s %u\n", "CPU(s):", d.vcpus);
        if (cpu_s >= 0)
            printf("%-15s %.1fs\n", "CPU time:", cpu_s);
        printf("%-15s %llu KiB\n", "Max memory:", d.memory_kib);
        printf("%-15s %llu KiB\n", "Used memory:", d.current_memory_kib);
        printf("%-15s %s\n", "Persistent:", d.persistent ? "yes" : "no");
        printf("%-15s %s\n", "Autostart:", d.autostart ? "enable" : "disable");
        printf("%-15s %s\n", "Managed save:", d.managed_save ? "yes" : "no");
        printf("%-15s %s\n", "Accelerator:", accel_line(&d));
        for (size_t i = 0; i < d.n_notices; i++)
            printf("%-15s %s\n", "Notice:", d.notices[i]);
        if (d.firmware_changed)
            printf("%-15s %s\n", "Firmware:",
                   "changed since its NVRAM was made: start with --reset-nvram for new UEFI "
                   "variables, or start as is to keep them");
    }
    json_object_put(st);
    free(stats);
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_domstate(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool reason = false;
    const vr_opt opts[] = {{"reason", false, &reason, NULL}, {0}};
    vireo_domain d;
    int rc;
    vireo_conn *c = one_domain(cli, &vr_cmd_domstate, argc, argv, opts, &name, &d, &rc);
    if (!c)
        return rc;
    if (reason)
        printf("%s (%s)\n", d.state, d.reason);
    else
        printf("%s\n", d.state);
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_domid(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    vireo_domain d;
    int rc;
    vireo_conn *c = one_domain(cli, &vr_cmd_domid, argc, argv, NULL, &name, &d, &rc);
    if (!c)
        return rc;
    if (d.id > 0)
        printf("%d\n", d.id);
    else
        printf("-\n");
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_domuuid(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    vireo_domain d;
    int rc;
    vireo_conn *c = one_domain(cli, &vr_cmd_domuuid, argc, argv, NULL, &name, &d, &rc);
    if (!c)
        return rc;
    printf("%s\n", d.uuid);
    vireo_domain_clear(&d);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool inactive = false, secure = false;
    const vr_opt opts[] = {{"inactive", false, &inactive, NULL}, {"security-info", false, &secure, NULL}, {0}};
    int rc;
    vireo_conn *c = one_domain(cli, &vr_cmd_dumpxml, argc, argv, opts, &name, NULL, &rc);
    if (!c)
        return rc;
    char *xml = vireo_domain_xml(c, name, (inactive ? VIREO_XML_INACTIVE : 0) | (secure ? VIREO_XML_SECURE : 0));
    return vr_cli_print_text(c, xml);
}

static char *domain_xml_inactive(vireo_conn *c, const char *name)
{
    /* edit keeps everything, passwords included, as virsh edit does. */
    return vireo_domain_xml(c, name, VIREO_XML_INACTIVE | VIREO_XML_SECURE);
}

static int domain_define(vireo_conn *c, const char *xml)
{
    return vireo_domain_define(c, xml, NULL);
}

static int run_edit(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = one_domain(cli, &vr_cmd_edit, argc, argv, NULL, &name, NULL, &rc);
    if (!c)
        return rc;
    rc = vr_cli_edit_xml(c, "Domain", name, domain_xml_inactive, domain_define);
    vireo_disconnect(c);
    return rc;
}

static void print_kv(const char *prefix, json_object *o)
{
    json_object_object_foreach(o, key, val)
    {
        char *k = vr_asprintf("%s%s", prefix, key);
        if (json_object_is_type(val, json_type_array)) {
            printf("  %s.count=%zu\n", k, json_object_array_length(val));
            for (size_t i = 0; i < json_object_array_length(val); i++) {
                char *p = vr_asprintf("%s.%zu.", k, i);
                print_kv(p, json_object_array_get_idx(val, i));
                free(p);
            }
        } else if (json_object_is_type(val, json_type_object)) {
            char *p = vr_asprintf("%s.", k);
            print_kv(p, val);
            free(p);
        } else {
            printf("  %s=%s\n", k, val ? json_object_get_string(val) : "");
        }
        free(k);
    }
}

/* One domain's JSON answer (`get`: a libvireo *_json call), parsed, or
 * NULL with *rc set; --json prints it as it came (*printed). */
static json_object *domain_json(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const char **name,
                                char *(*get)(vireo_conn *, const char *), bool *printed, int *rc)
{
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    vireo_conn *c = one_domain(cli, cmd, argc, argv, opts, name, NULL, rc);
    if (!c)
        return NULL;
    char *s = get(c, *name);
    if (!s) {
        *rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return NULL;
    }
    vireo_disconnect(c);
    json_object *o = json_tokener_parse(s);
    free(s);
    *printed = json;
    if (json)
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    *rc = VR_EXIT_OK;
    return o;
}

static int run_domstats(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool printed;
    int rc;
    json_object *o = domain_json(cli, &vr_cmd_domstats, argc, argv, &name, vireo_domain_stats_json, &printed, &rc);
    if (o && !printed) {
        printf("Domain: '%s'\n", name);
        print_kv("", o);
    }
    json_object_put(o);
    return rc;
}

/* vncdisplay prints HOST:DISPLAY (":N" when QEMU listens on every
 * address), domdisplay a URI for virt-viewer and remote-viewer
 * (vnc://HOST:DISPLAY, as virsh does), both from where QEMU's VNC
 * server really listens. */
static int display(vr_cli *cli, const vr_command *cmd, int argc, char **argv, bool uri)
{
    const char *name = NULL;
    bool printed;
    int rc;
    json_object *o = domain_json(cli, cmd, argc, argv, &name, vireo_domain_display_json, &printed, &rc), *h, *d;
    json_object *t, *p;
    if (o && !printed && json_object_object_get_ex(o, "type", &t) &&
        strcmp(json_object_get_string(t), "spice") == 0) {
        /* SPICE has no display numbers: both say where remote-viewer goes. */
        const char *host = json_object_object_get_ex(o, "host", &h) ? json_object_get_string(h) : "";
        bool v6 = strchr(host, ':') != NULL;
        printf("spice://%s%s%s:%d\n", v6 ? "[" : "", host, v6 ? "]" : "",
               json_object_object_get_ex(o, "port", &p) ? json_object_get_int(p) : 0);
    } else if (o && !printed) {
        const char *host = json_object_object_get_ex(o, "host", &h) ? json_object_get_string(h) : "";
        int n = json_object_object_get_ex(o, "display", &d) ? json_object_get_int(d) : 0;
        bool any = strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0;
        bool v6 = strchr(host, ':') != NULL;
        if (uri)
            printf("vnc://%s%s%s:%d\n", v6 && !any ? "[" : "", any ? "localhost" : host, v6 && !any ? "]" : "", n);
        else
            printf("%s:%d\n", any ? "" : host, n);
    }
    json_object_put(o);
    return rc;
}

static int run_vncdisplay(vr_cli *cli, int argc, char **argv)
{
    return display(cli, &vr_cmd_vncdisplay, argc, argv, false);
}

static int run_domdisplay(vr_cli *cli, int argc, char **argv)
{
    return display(cli, &vr_cmd_domdisplay, argc, argv, true);
}

const vr_command vr_cmd_dominfo = {"dominfo", "Show a domain's basic facts.", "DOMAIN [--json]", run_dominfo};
const vr_command vr_cmd_domstate = {"domstate", "Show a domain's state.", "DOMAIN [--reason]", run_domstate};
const vr_command vr_cmd_domid = {"domid", "Show a running domain's id.", "DOMAIN", run_domid};
const vr_command vr_cmd_domuuid = {"domuuid", "Show a domain's uuid.", "DOMAIN", run_domuuid};
const vr_command vr_cmd_dumpxml = {"dumpxml", "Print a domain's XML (--inactive: the one for its next start).",
                                   "DOMAIN [--inactive] [--security-info]", run_dumpxml};
const vr_command vr_cmd_edit = {"edit", "Edit a domain's XML in $EDITOR, check it and define it.", "DOMAIN", run_edit};
const vr_command vr_cmd_domstats = {"domstats", "Show a domain's counters: CPU time, memory, block and network.",
                                    "DOMAIN [--json]", run_domstats};
const vr_command vr_cmd_vncdisplay = {"vncdisplay", "Show where a running domain's VNC display listens (HOST:DISPLAY).",
                                      "DOMAIN [--json]", run_vncdisplay};
const vr_command vr_cmd_domdisplay = {"domdisplay", "Show a running domain's display as a URI for a viewer (vnc://...).",
                                      "DOMAIN [--json]", run_domdisplay};
