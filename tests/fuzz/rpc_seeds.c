/* Writes the rpc fuzz target's seeds (tests/fuzz/corpus/rpc): valid
 * libvirt RPC messages encoded with rpcgen's XDR functions, one file a
 * client conversation, as virsh -r puts them on libvirt-sock-ro.
 *   build-fuzz/tests/fuzz/rpc_seeds tests/fuzz/corpus/rpc */
#include "fuzz_server.h"
#include "rpc_frame.h"
#include "common/util.h"
#include "conf/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t buf[65536];
static size_t len;
static unsigned serial;

static void call(int proc, xdrproc_t args_xdr, void *args)
{
    if (!fz_rpc_call(buf, sizeof(buf), &len, proc, serial++, args_xdr, args))
        abort();
}

static void open_ro(void)
{
    char *uri = "qemu:///system";
    vrp_open_args a = {.name = &uri, .flags = FZ_CONNECT_RO};
    call(FZ_PROC_CONNECT_OPEN, (xdrproc_t)xdr_vrp_open_args, &a);
}

static vrp_dom fixture_domain(void)
{
    vrp_dom d = {.name = "minimal", .id = -1};
    if (!vr_uuid_parse(FZ_DOMAIN_UUID, (unsigned char *)d.uuid))
        abort();
    return d;
}

static void write_seed(const char *dir, const char *name)
{
    char *path = vr_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    free(path);
    len = 0;
    serial = 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: rpc_seeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    serial = 1;
    vrp_dom dom = fixture_domain();

    open_ro();
    write_seed(dir, "connect-open");

    call(FZ_PROC_AUTH_LIST, NULL, NULL);
    write_seed(dir, "auth-list");

    if (!fz_rpc_ping(buf, sizeof(buf), &len))
        abort();
    write_seed(dir, "keepalive-ping");

    call(FZ_PROC_CONNECT_GET_TYPE, NULL, NULL);
    write_seed(dir, "get-type-before-open");

    open_ro();
    call(FZ_PROC_CONNECT_GET_TYPE, NULL, NULL);
    write_seed(dir, "get-type");

    open_ro();
    vrp_list_args list = {.need_results = 1, .flags = 0};
    call(FZ_PROC_CONNECT_LIST_ALL_DOMAINS, (xdrproc_t)xdr_vrp_list_args, &list);
    write_seed(dir, "list-all-domains");

    open_ro();
    vrp_name_args byname = {.name = "minimal"};
    call(FZ_PROC_DOMAIN_LOOKUP_BY_NAME, (xdrproc_t)xdr_vrp_name_args, &byname);
    write_seed(dir, "domain-lookup-by-name");

    /* virsh -r dominfo minimal: lookup, then calls naming it by uuid. */
    open_ro();
    call(FZ_PROC_DOMAIN_LOOKUP_BY_NAME, (xdrproc_t)xdr_vrp_name_args, &byname);
    vrp_dom_args da = {.dom = dom};
    call(FZ_PROC_DOMAIN_GET_INFO, (xdrproc_t)xdr_vrp_dom_args, &da);
    vrp_dom_flags_args dfa = {.dom = dom, .flags = 0};
    call(FZ_PROC_DOMAIN_GET_STATE, (xdrproc_t)xdr_vrp_dom_flags_args, &dfa);
    call(FZ_PROC_DOMAIN_GET_XML_DESC, (xdrproc_t)xdr_vrp_dom_flags_args, &dfa);
    write_seed(dir, "domain-info");

    open_ro();
    vrp_name_args net = {.name = "isolated"};
    call(FZ_PROC_NETWORK_LOOKUP_BY_NAME, (xdrproc_t)xdr_vrp_name_args, &net);
    write_seed(dir, "network-lookup-by-name");

    /* A change on the read-only socket: refused. */
    open_ro();
    vrp_xml_flags_args def = {.xml = "<domain type='qemu'><name>x</name><memory>65536</memory>"
                                     "<os><type>hvm</type></os></domain>", .flags = 0};
    call(FZ_PROC_DOMAIN_DEFINE_XML_FLAGS, (xdrproc_t)xdr_vrp_xml_flags_args, &def);
    write_seed(dir, "define-denied");

    /* virsh -r list: the whole conversation. */
    call(FZ_PROC_AUTH_LIST, NULL, NULL);
    open_ro();
    vrp_feature_args keepalive = {.feature = 10}; /* VIR_DRV_FEATURE_PROGRAM_KEEPALIVE */
    call(FZ_PROC_CONNECT_SUPPORTS_FEATURE, (xdrproc_t)xdr_vrp_feature_args, &keepalive);
    if (!fz_rpc_ping(buf, sizeof(buf), &len))
        abort();
    call(FZ_PROC_CONNECT_GET_TYPE, NULL, NULL);
    vrp_list_args active = {.need_results = 1, .flags = 1}; /* VIR_CONNECT_LIST_DOMAINS_ACTIVE */
    call(FZ_PROC_CONNECT_LIST_ALL_DOMAINS, (xdrproc_t)xdr_vrp_list_args, &active);
    call(FZ_PROC_CONNECT_CLOSE, NULL, NULL);
    write_seed(dir, "virsh-list-session");

    /* virsh -r nodedev-list --tree, nodedev-dumpxml computer, and the
     * older count by capability. */
    open_ro();
    vrp_list_args devs = {.need_results = 1, .flags = 0};
    call(FZ_PROC_CONNECT_LIST_ALL_NODE_DEVICES, (xdrproc_t)xdr_vrp_list_args, &devs);
    vrp_name_args pci = {.name = "pci_0000_00_00_0"};
    call(FZ_PROC_NODE_DEVICE_GET_PARENT, (xdrproc_t)xdr_vrp_name_args, &pci);
    vrp_nodedev_xml_args computer = {.name = "computer", .flags = 0};
    call(FZ_PROC_NODE_DEVICE_GET_XML_DESC, (xdrproc_t)xdr_vrp_nodedev_xml_args, &computer);
    char *cap = "pci";
    vrp_node_num_args num = {.cap = &cap, .flags = 0};
    call(FZ_PROC_NODE_NUM_OF_DEVICES, (xdrproc_t)xdr_vrp_node_num_args, &num);
    write_seed(dir, "nodedev-list-tree");
    return 0;
}
