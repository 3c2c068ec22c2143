/* The bench's C API client for libvirt. Subcommands: api_common.h. */
#include "api_common.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static void quiet(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static virConnectPtr conn(const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        fprintf(stderr, "api_libvirt: cannot connect to %s: %s\n", uri, virGetLastErrorMessage());
        exit(1);
    }
    return c;
}

static void fail(const char *what)
{
    fprintf(stderr, "api_libvirt: %s: %s\n", what, virGetLastErrorMessage());
    exit(1);
}

static const char *state_name(int st)
{
    switch (st) {
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "idle";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "in shutdown";
    case VIR_DOMAIN_SHUTOFF: return "shut off";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
    default: return "no state";
    }
}

/* One listing: every domain, and with `state` the state of each (one
 * more round trip per domain, as virsh list --all does). */
static int list_once(virConnectPtr c, int with_state)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c, &doms, 0);
    if (n < 0)
        fail("list");
    for (int i = 0; i < n; i++) {
        if (with_state) {
            int st, reason;
            if (virDomainGetState(doms[i], &st, &reason, 0) < 0)
                fail("state");
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    const char *cmd = argv[1], *uri = argv[2];
    virSetErrorFunc(NULL, quiet);

    if (!strcmp(cmd, "ready") && (argc == 4 || argc == 5)) {
        long long end = now_us(CLOCK_MONOTONIC) + (long long)(atof(argv[3]) * 1e6);
        while (now_us(CLOCK_MONOTONIC) < end) {
            virConnectPtr c = virConnectOpen(uri);
            virDomainPtr *doms = NULL;
            int n = c ? virConnectListAllDomains(c, &doms, 0) : -1;
            if (n >= 0) {
                long long t = now_us(CLOCK_REALTIME);
                for (int i = 0; i < n; i++)
                    virDomainFree(doms[i]);
                free(doms);
                printf("%lld", t);
                if (argc == 5) {
                    char *xml = slurp(argv[4]);
                    virDomainPtr d = virDomainDefineXML(c, xml);
                    if (!d)
                        fail("define");
                    printf(" %lld", now_us(CLOCK_REALTIME));
                    virDomainFree(d);
                    free(xml);
                }
                printf("\n");
                virConnectClose(c);
                return 0;
            }
            if (c)
                virConnectClose(c);
            usleep(2000);
        }
        fprintf(stderr, "api_libvirt: no answer within %s s\n", argv[3]);
        return 1;
    }
    if (!strcmp(cmd, "list") && (argc == 4 || argc == 5)) {
        virConnectPtr c = conn(uri);
        int calls = atoi(argv[3]), with_state = argc == 5 && !strcmp(argv[4], "state");
        list_once(c, with_state);
        long long t0 = now_us(CLOCK_MONOTONIC);
        int n = 0;
        for (int i = 0; i < calls; i++)
            n = list_once(c, with_state);
        printf("%lld %d\n", (now_us(CLOCK_MONOTONIC) - t0) / calls, n);
        virConnectClose(c);
        return 0;
    }
    if (!strcmp(cmd, "define") && argc == 7) {
        virConnectPtr c = conn(uri);
        char *tmpl = slurp(argv[3]);
        int from = atoi(argv[5]), to = atoi(argv[6]);
        long long total = 0;
        for (int i = from; i <= to; i++) {
            char name[128];
            snprintf(name, sizeof name, "%s-%04d", argv[4], i);
            char *xml = instantiate(tmpl, name);
            long long t0 = now_us(CLOCK_MONOTONIC);
            virDomainPtr d = virDomainDefineXML(c, xml);
            if (!d)
                fail(name);
            total += now_us(CLOCK_MONOTONIC) - t0;
            virDomainFree(d);
            free(xml);
        }
        printf("%lld\n", total);
        virConnectClose(c);
        return 0;
    }
    if (!strcmp(cmd, "undefine") && argc == 4) {
        virConnectPtr c = conn(uri);
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(c, &doms, 0), count = 0;
        if (n < 0)
            fail("list");
        for (int i = 0; i < n; i++) {
            const char *name = virDomainGetName(doms[i]);
            if (!strncmp(name, argv[3], strlen(argv[3]))) {
                if (virDomainIsActive(doms[i]) == 1 && virDomainDestroy(doms[i]) < 0)
                    fail(name);
                if (virDomainIsPersistent(doms[i]) == 1 && virDomainUndefine(doms[i]) < 0)
                    fail(name);
                count++;
            }
            virDomainFree(doms[i]);
        }
        free(doms);
        printf("%d\n", count);
        virConnectClose(c);
        return 0;
    }
    if (!strcmp(cmd, "waitstate") && argc == 6) {
        virConnectPtr c = conn(uri);
        virDomainPtr d = virDomainLookupByName(c, argv[3]);
        if (!d)
            fail(argv[3]);
        long long end = now_us(CLOCK_MONOTONIC) + (long long)(atof(argv[5]) * 1e6);
        while (now_us(CLOCK_MONOTONIC) < end) {
            int st, reason;
            if (virDomainGetState(d, &st, &reason, 0) < 0)
                fail(argv[3]);
            if (!strcmp(state_name(st), argv[4])) {
                printf("%lld\n", now_us(CLOCK_REALTIME));
                virDomainFree(d);
                virConnectClose(c);
                return 0;
            }
            usleep(2000);
        }
        fprintf(stderr, "api_libvirt: %s not '%s' within %s s\n", argv[3], argv[4], argv[5]);
        return 1;
    }
    usage();
}
