/* About the connection and the host: version, uri, hostname, nodeinfo,
 * capabilities. */
#include "config.h"
#include "cli/cli.h"
#include "common/util.h"
#include "host/resources.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The host's node devices (GET /v1/nodedevs, the list the libvirt
 * protocol gives virsh), sorted as virsh sorts them (by name, case
 * aside); NULL after printing the error. */
static int by_name_nocase(const void *a, const void *b)
{
    return strcasecmp(((const vireo_nodedev *)a)->name, ((const vireo_nodedev *)b)->name);
}

static vireo_nodedev *nodedevs(vireo_conn *c, const char *cap, size_t *n, int *rc)
{
    vireo_nodedev *d;
    if (vireo_nodedev_list(c, cap, &d, n) < 0) {
        *rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return NULL;
    }
    vireo_disconnect(c);
    qsort(d, *n, sizeof(*d), by_name_nocase);
    return d;
}

/* virsh's --tree (vshTreePrint): each device under its parent, "+- "
 * before a child, "|" down to a later sibling, a "|" line before the
 * children and an empty one after the last of a branch. */
static void print_tree(const vireo_nodedev *d, size_t n, size_t at, size_t last, bool root, char *indent,
                       size_t len)
{
    printf("%.*s%s%s\n", (int)len, indent, root ? "" : "+- ", d[at].name);
    if (!root) {
        indent[len++] = at == last ? ' ' : '|';
        indent[len++] = ' ';
    }
    size_t next_last = n;
    for (size_t i = 0; i < n; i++)
        if (d[i].parent && strcmp(d[i].parent, d[at].name) == 0)
            next_last = i;
    if (next_last != n)
        printf("%.*s  |\n", (int)len, indent);
    indent[len] = indent[len + 1] = ' ';
    for (size_t i = 0; i < n; i++)
        if (d[i].parent && strcmp(d[i].parent, d[at].name) == 0)
            print_tree(d, n, i, next_last, false, indent, len + 2);
    if (next_last == n && at == last)
        printf("%.*s\n", (int)len, indent);
}

/* virsh nodedev-list [--cap CAP[,CAP]] [--tree]: the names one a line,
 * or as a tree; --details a table of the list's facts, --json the API's
 * node device objects. */
static int run_nodedev_list(vr_cli *cli, int argc, char **argv)
{
    const char *cap = NULL;
    bool tree = false, details = false, json = false;
    const vr_opt opts[] = {{"cap", true, NULL, &cap}, {"tree", false, &tree, NULL},
                           {"details", false, &details, NULL}, {"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_nodedev_list, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    if (tree && (cap || details || json)) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_nodedev_list, "--tree shows every device: give it without --cap, --details "
                            "or --json");
    }
    size_t n;
    vireo_nodedev *d = nodedevs(c, cap, &n, &rc);
    if (!d)
        return rc;
    if (json) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_nodedev, &d[i]));
        vr_cli_print_json(arr);
    } else if (tree) {
        /* four columns a level at most, n levels at most */
        char *indent = vr_calloc(4 * n + 8, 1);
        for (size_t i = 0; i < n; i++)
            if (!d[i].parent)
                print_tree(d, n, i, i, true, indent, 0);
        free(indent);
    } else if (details) {
        printf(" %-32s %-11s %-14s %-5s %s\n", "Name", "Capability", "Driver", "IOMMU", "Description");
        for (size_t i = 0; i < n; i++) {
            char group[16] = "-";
            if (d[i].iommu_group >= 0)
                snprintf(group, sizeof(group), "%d", d[i].iommu_group);
            printf(" %-32s %-11s %-14s %-5s %s%s%s\n", d[i].name, d[i].n_capabilities ? d[i].capabilities[0] : "",
                   d[i].driver ? d[i].driver : "-", group, d[i].vendor ? d[i].vendor : "",
                   d[i].vendor && d[i].product ? " " : "", d[i].product ? d[i].product : "");
        }
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", d[i].name);
    }
    vireo_nodedev_list_free(d, n);
    return VR_EXIT_OK;
}

/* virsh nodedev-dumpxml DEVICE: libvirt's XML of the device. */
static int run_nodedev_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_nodedev_dumpxml, argc, argv, NULL, &name, 1, 1, &rc);
    return c ? vr_cli_print_text(c, vireo_nodedev_xml(c, name)) : rc;
}

/* virsh nodedev-info DEVICE: its name and parent; every device listed
 * is there now (active), none a definition (persistent, autostart). */
static int run_nodedev_info(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_nodedev_info, argc, argv, NULL, &name, 1, 1, &rc);
    if (!c)
        return rc;
    size_t n;
    vireo_nodedev *d = nodedevs(c, NULL, &n, &rc);
    if (!d)
        return rc;
    size_t i = 0;
    while (i < n && strcmp(d[i].name, name) != 0)
        i++;
    if (i == n)
        rc = vr_cli_error("error: no node device '%s': `vireo nodedev-list` lists them", name);
    else
        printf("%-15s %s\n%-15s %s\n%-15s %s\n%-15s %s\n%-15s %s\n", "Name:", d[i].name, "Parent:",
               d[i].parent ? d[i].parent : "", "Active:", "yes", "Persistent:", "no", "Autostart:", "no");
    vireo_nodedev_list_free(d, n);
    return rc;
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
    "List the host's node devices (the computer, PCI functions, USB devices, network interfaces) by libvirt's "
    "names, as virsh does.",
    "[--cap system|pci|usb_device|net] [--tree] [--details] [--json]", run_nodedev_list};
const vr_command vr_cmd_nodedev_dumpxml = {"nodedev-dumpxml",
    "Show a node device of the host as libvirt's XML (sysfs path, parent, driver, capability).", "DEVICE",
    run_nodedev_dumpxml};
const vr_command vr_cmd_nodedev_info = {"nodedev-info", "Show a node device's name, parent and state.", "DEVICE",
    run_nodedev_info};
const vr_command vr_cmd_nodedev_detach = {"nodedev-detach",
    "Bind a PCI device of the host to vfio-pci, for a <hostdev type='pci' managed='no'> (needs an IOMMU).",
    "DEVICE [--driver vfio]", run_nodedev_detach};
const vr_command vr_cmd_nodedev_reattach = {"nodedev-reattach",
    "Give a PCI device detached with nodedev-detach back to its host driver.", "DEVICE", run_nodedev_reattach};
const vr_command vr_cmd_sysinfo = {"sysinfo",
    "Show the host's SMBIOS facts (BIOS, system, board, chassis, processors), as libvirt's sysinfo XML.", "",
    run_sysinfo};
