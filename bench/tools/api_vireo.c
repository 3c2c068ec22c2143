/* The bench's C API client for Vireo (libvireo). Subcommands: api_common.h. */
#include "api_common.h"

#include <vireo/vireo.h>

static vireo_conn *conn(const char *uri)
{
    char *err = NULL;
    vireo_conn *c = vireo_connect(uri, &err);
    if (!c) {
        fprintf(stderr, "api_vireo: %s\n", err ? err : "cannot connect");
        exit(1);
    }
    return c;
}

static void fail(vireo_conn *c, const char *what)
{
    fprintf(stderr, "api_vireo: %s: %s\n", what, vireo_last_error(c));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    const char *cmd = argv[1], *uri = argv[2];
    vireo_domain *list;
    size_t n;

    if (!strcmp(cmd, "ready") && (argc == 4 || argc == 5)) {
        long long end = now_us(CLOCK_MONOTONIC) + (long long)(atof(argv[3]) * 1e6);
        while (now_us(CLOCK_MONOTONIC) < end) {
            vireo_conn *c = vireo_connect(uri, NULL);
            if (c && vireo_domain_list(c, &list, &n) == 0) {
                long long t = now_us(CLOCK_REALTIME);
                vireo_domain_list_free(list, n);
                printf("%lld", t);
                if (argc == 5) {
                    char *xml = slurp(argv[4]);
                    if (vireo_domain_define(c, xml, NULL) < 0)
                        fail(c, "define");
                    printf(" %lld", now_us(CLOCK_REALTIME));
                    free(xml);
                }
                printf("\n");
                vireo_disconnect(c);
                return 0;
            }
            if (c)
                vireo_disconnect(c);
            usleep(2000);
        }
        fprintf(stderr, "api_vireo: no answer within %s s\n", argv[3]);
        return 1;
    }
    if (!strcmp(cmd, "list") && (argc == 4 || argc == 5)) {
        vireo_conn *c = conn(uri);
        int calls = atoi(argv[3]);
        if (vireo_domain_list(c, &list, &n) < 0)
            fail(c, "list");
        vireo_domain_list_free(list, n);
        long long t0 = now_us(CLOCK_MONOTONIC);
        for (int i = 0; i < calls; i++) {
            if (vireo_domain_list(c, &list, &n) < 0)
                fail(c, "list");
            vireo_domain_list_free(list, n);
        }
        printf("%lld %zu\n", (now_us(CLOCK_MONOTONIC) - t0) / calls, n);
        vireo_disconnect(c);
        return 0;
    }
    if (!strcmp(cmd, "define") && argc == 7) {
        vireo_conn *c = conn(uri);
        char *tmpl = slurp(argv[3]);
        int from = atoi(argv[5]), to = atoi(argv[6]);
        long long total = 0;
        for (int i = from; i <= to; i++) {
            char name[128];
            snprintf(name, sizeof name, "%s-%04d", argv[4], i);
            char *xml = instantiate(tmpl, name);
            long long t0 = now_us(CLOCK_MONOTONIC);
            if (vireo_domain_define(c, xml, NULL) < 0)
                fail(c, name);
            total += now_us(CLOCK_MONOTONIC) - t0;
            free(xml);
        }
        printf("%lld\n", total);
        vireo_disconnect(c);
        return 0;
    }
    if (!strcmp(cmd, "undefine") && argc == 4) {
        vireo_conn *c = conn(uri);
        if (vireo_domain_list(c, &list, &n) < 0)
            fail(c, "list");
        int count = 0;
        for (size_t i = 0; i < n; i++) {
            if (strncmp(list[i].name, argv[3], strlen(argv[3])))
                continue;
            if (list[i].id >= 0 && vireo_domain_destroy(c, list[i].name) < 0)
                fail(c, list[i].name);
            if (list[i].persistent && vireo_domain_undefine(c, list[i].name, 0) < 0)
                fail(c, list[i].name);
            count++;
        }
        vireo_domain_list_free(list, n);
        printf("%d\n", count);
        vireo_disconnect(c);
        return 0;
    }
    if (!strcmp(cmd, "waitstate") && argc == 6) {
        vireo_conn *c = conn(uri);
        long long end = now_us(CLOCK_MONOTONIC) + (long long)(atof(argv[5]) * 1e6);
        while (now_us(CLOCK_MONOTONIC) < end) {
            vireo_domain d;
            if (vireo_domain_get(c, argv[3], &d) < 0)
                fail(c, argv[3]);
            int match = d.state && !strcmp(d.state, argv[4]);
            vireo_domain_clear(&d);
            if (match) {
                printf("%lld\n", now_us(CLOCK_REALTIME));
                vireo_disconnect(c);
                return 0;
            }
            usleep(2000);
        }
        fprintf(stderr, "api_vireo: %s not '%s' within %s s\n", argv[3], argv[4], argv[5]);
        return 1;
    }
    usage();
}
