/* About the connection and the host: version, uri, hostname, nodeinfo,
 * capabilities. */
#include "config.h"
#include "cli/cli.h"
#include "host/resources.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* Connect, fetch a JSON document; NULL after printing the error. */
static json_object *fetch(vr_cli *cli, const vr_command *cmd, int argc, char **argv,
                          char *(*get)(vireo_conn *), vireo_conn **out, int *rc)
{
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, NULL, NULL, 0, 0, &npos);
    if (r) {
        *rc = r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
        return NULL;
    }
    vireo_conn *c = vr_cli_connect(cli);
    if (!c) {
        *rc = VR_EXIT_FAIL;
        return NULL;
    }
    char *text = get ? get(c) : NULL;
    if (get && !text) {
        *rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return NULL;
    }
    json_object *o = text ? json_tokener_parse(text) : json_object_new_object();
    free(text);
    *out = c;
    return o;
}

static const char *s(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

static int run_version(vr_cli *cli, int argc, char **argv)
{
    vireo_conn *c;
    int rc;
    json_object *o = fetch(cli, &vr_cmd_version, argc, argv, vireo_version_json, &c, &rc);
    if (!o)
        return rc;
    char *qemu = vr_tool_version("qemu-system-x86_64");
    const char *v = qemu ? strstr(qemu, "version ") : NULL;
    printf("Compiled against library: vireo %s\n", VIREO_VERSION);
    printf("Using library: vireo %s\n", VIREO_VERSION);
    printf("Using API: %s\n", s(o, "api"));
    printf("Running hypervisor: QEMU %s\n", v ? v + 8 : "(not found)");
    printf("Running against daemon: %s\n", s(o, "version"));
    free(qemu);
    json_object_put(o);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_uri(vr_cli *cli, int argc, char **argv)
{
    vireo_conn *c;
    int rc;
    json_object *o = fetch(cli, &vr_cmd_uri, argc, argv, NULL, &c, &rc);
    if (!o)
        return rc;
    printf("%s\n", vireo_conn_uri(c));
    json_object_put(o);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_hostname(vr_cli *cli, int argc, char **argv)
{
    vireo_conn *c;
    int rc;
    json_object *o = fetch(cli, &vr_cmd_hostname, argc, argv, vireo_host_json, &c, &rc);
    if (!o)
        return rc;
    printf("%s\n", s(o, "hostname"));
    json_object_put(o);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_nodeinfo(vr_cli *cli, int argc, char **argv)
{
    vireo_conn *c;
    int rc;
    json_object *o = fetch(cli, &vr_cmd_nodeinfo, argc, argv, vireo_host_json, &c, &rc);
    if (!o)
        return rc;
    printf("%-20s %s\n", "CPU model:", s(o, "arch"));
    printf("%-20s %s\n", "CPU(s):", s(o, "cpus"));
    printf("%-20s %s KiB\n", "Memory size:", s(o, "memory_kib"));
    printf("%-20s %s\n", "Accelerator:", s(o, "accelerator"));
    json_object_put(o);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_capabilities(vr_cli *cli, int argc, char **argv)
{
    vireo_conn *c;
    int rc;
    json_object *o = fetch(cli, &vr_cmd_capabilities, argc, argv, vireo_host_json, &c, &rc);
    if (!o)
        return rc;
    /* libvirt's shape, reduced to what Vireo offers. */
    printf("<capabilities>\n  <host>\n    <cpu>\n      <arch>%s</arch>\n    </cpu>\n  </host>\n", s(o, "arch"));
    printf("  <guest>\n    <os_type>hvm</os_type>\n    <arch name='x86_64'>\n      <wordsize>64</wordsize>\n");
    printf("      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n");
    printf("      <machine>pc</machine>\n      <machine>q35</machine>\n");
    json_object *types = NULL;
    json_object_object_get_ex(o, "domain_types", &types);
    for (size_t i = 0; types && i < json_object_array_length(types); i++)
        printf("      <domain type='%s'/>\n", json_object_get_string(json_object_array_get_idx(types, i)));
    printf("    </arch>\n  </guest>\n</capabilities>\n");
    json_object_put(o);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

/* virsh domcapabilities: the daemon's document as it is. */
static int run_domcapabilities(vr_cli *cli, int argc, char **argv)
{
    const char *virttype = NULL, *machine = NULL;
    const vr_opt opts[] = {{"virttype", true, NULL, &virttype}, {"machine", true, NULL, &machine}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domcapabilities, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    char *xml = vireo_domain_capabilities(c, virttype, machine);
    return vr_cli_print_text(c, xml);
}

/* virsh sysinfo: the host's SMBIOS facts as the daemon reads them. */
static int run_sysinfo(vr_cli *cli, int argc, char **argv)
{
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_sysinfo, argc, argv, NULL, NULL, 0, 0, &rc);
    return c ? vr_cli_print_text(c, vireo_host_sysinfo(c)) : rc;
}

/* virsh nodedev-list --cap usb_device: the host's USB devices by
 * libvirt's names; --details adds their addresses and IDs. */
static int run_nodedev_list(vr_cli *cli, int argc, char **argv)
{
    const char *cap = NULL;
    bool details = false, json = false;
    const vr_opt opts[] = {{"cap", true, NULL, &cap}, {"details", false, &details, NULL}, {"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_nodedev_list, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    if (cap && strcmp(cap, "usb_device") != 0) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_nodedev_list, "only USB devices are listed: --cap usb_device, not '%s'", cap);
    }
    vireo_usb_device *d;
    size_t n;
    char *none = NULL;
    if (vireo_usb_device_list(c, &d, &n, &none) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    vireo_disconnect(c);
    if (json) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_usb_device, &d[i]));
        vr_cli_print_json(arr);
    } else if (details) {
        printf(" %-16s %-4s %-6s %-9s %s\n", "Name", "Bus", "Device", "ID", "Description");
        for (size_t i = 0; i < n; i++)
            printf(" %-16s %03u  %03u    %s:%s %s%s%s\n", d[i].name, d[i].bus, d[i].device, d[i].vendor_id + 2,
                   d[i].product_id + 2, d[i].vendor ? d[i].vendor : "", d[i].vendor && d[i].product ? " " : "",
                   d[i].product ? d[i].product : "");
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", d[i].name);
    }
    /* Empty, as virsh; why on stderr, so a script reading names gets none. */
    if (!n && none && !json)
        fprintf(stderr, "vireo: %s\n", none);
    free(none);
    vireo_usb_device_list_free(d, n);
    return VR_EXIT_OK;
}

/* virsh nodedev-detach / nodedev-reattach DEVICE: a PCI device to
 * vfio-pci (for <hostdev type='pci' managed='no'>) and back. */
static int run_nodedev_op(vr_cli *cli, const vr_command *cmd, int argc, char **argv, bool reattach)
{
    const char *name = NULL, *driver = NULL;
    const vr_opt opts[] = {{"driver", true, NULL, &driver}, {0}};
    const vr_opt *o = reattach ? opts + 1 : opts;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, o, &name, 1, 1, &rc);
    if (!c)
        return rc;
    if (driver && strcmp(driver, "vfio") != 0) {
        vireo_disconnect(c);
        return vr_cli_usage(cmd, "the only backend is VFIO: --driver vfio, not '%s'", driver);
    }
    return vr_cli_done(c, reattach ? vireo_pci_device_reattach(c, name) : vireo_pci_device_detach(c, name),
                       "Device", false, name, reattach ? "re-attached" : "detached");
}

static int run_nodedev_detach(vr_cli *cli, int argc, char **argv)
{
    return run_nodedev_op(cli, &vr_cmd_nodedev_detach, argc, argv, false);
}

static int run_nodedev_reattach(vr_cli *cli, int argc, char **argv)
{
    return run_nodedev_op(cli, &vr_cmd_nodedev_reattach, argc, argv, true);
}

const vr_command vr_cmd_version = {"version", "Show the versions of vireo, the daemon and QEMU.", "", run_version};
const vr_command vr_cmd_uri = {"uri", "Show the URI of the connection.", "", run_uri};
const vr_command vr_cmd_hostname = {"hostname", "Show the host's name.", "", run_hostname};
const vr_command vr_cmd_nodeinfo = {"nodeinfo", "Show the host's CPUs, memory and accelerator.", "", run_nodeinfo};
const vr_command vr_cmd_capabilities = {"capabilities", "Show what the host can run, as capabilities XML.", "",
                                        run_capabilities};
const vr_command vr_cmd_domcapabilities = {"domcapabilities",
    "Show what a new domain may use on this host (firmware, CPU modes, devices), as libvirt's XML.",
    "[--virttype qemu|kvm] [--machine TYPE]", run_domcapabilities};
const vr_command vr_cmd_nodedev_list = {"nodedev-list",
    "List the host's USB devices (what <hostdev type='usb'> names), by libvirt's node device names.",
    "[--cap usb_device] [--details] [--json]", run_nodedev_list};
const vr_command vr_cmd_nodedev_detach = {"nodedev-detach",
    "Bind a PCI device of the host to vfio-pci, for a <hostdev type='pci' managed='no'> (needs an IOMMU).",
    "DEVICE [--driver vfio]", run_nodedev_detach};
const vr_command vr_cmd_nodedev_reattach = {"nodedev-reattach",
    "Give a PCI device detached with nodedev-detach back to its host driver.", "DEVICE", run_nodedev_reattach};
const vr_command vr_cmd_sysinfo = {"sysinfo",
    "Show the host's SMBIOS facts (BIOS, system, board, chassis, processors), as libvirt's sysinfo XML.", "",
    run_sysinfo};
