/* Asks a built nss-vireo module directly, as glibc would, without the
 * host's /etc/nsswitch.conf: dlopen() the module, call its
 * gethostbyname4_r (getaddrinfo's entry) and gethostbyname2_r for both
 * families, and print one line per address:
 *   4 ipv4 192.168.122.5      (gethostbyname4_r)
 *   2 ipv6 fd00:1::5          (gethostbyname2_r)
 * Exit 0 with addresses, 2 when the name is not found, 1 on misuse or
 * when the two entry points disagree about how many there are.
 * Usage: nss-lookup MODULE.so NAME */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef enum nss_status (*fn4)(const char *, struct gaih_addrtuple **, char *, size_t, int *, int *, int32_t *);
typedef enum nss_status (*fn2)(const char *, int, struct hostent *, char *, size_t, int *, int *);

static int by4(fn4 f, const char *name)
{
    char buf[4096];
    struct gaih_addrtuple *list = NULL;
    int e = 0, h = 0;
    int32_t ttl;
    if (f(name, &list, buf, sizeof(buf), &e, &h, &ttl) != NSS_STATUS_SUCCESS)
        return 0;
    int n = 0;
    for (struct gaih_addrtuple *t = list; t; t = t->next, n++) {
        char s[INET6_ADDRSTRLEN];
        inet_ntop(t->family, t->addr, s, sizeof(s));
        printf("4 %s %s\n", t->family == AF_INET ? "ipv4" : "ipv6", s);
    }
    return n;
}

static int by2(fn2 f, const char *name, int af)
{
    char buf[4096];
    struct hostent he;
    int e = 0, h = 0;
    enum nss_status st = f(name, af, &he, buf, sizeof(buf), &e, &h);
    if (st != NSS_STATUS_SUCCESS)
        return 0;
    int n = 0;
    for (char **a = he.h_addr_list; *a; a++, n++) {
        char s[INET6_ADDRSTRLEN];
        inet_ntop(af, *a, s, sizeof(s));
        printf("2 %s %s\n", af == AF_INET ? "ipv4" : "ipv6", s);
    }
    /* A buffer too small must ask for a bigger one, not overrun. */
    char tiny[8];
    if (f(name, af, &he, tiny, sizeof(tiny), &e, &h) != NSS_STATUS_TRYAGAIN || e != ERANGE) {
        fprintf(stderr, "nss-lookup: a small buffer did not give TRYAGAIN/ERANGE\n");
        return -1000;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: nss-lookup MODULE.so NAME\n");
        return 1;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "nss-lookup: %s\n", dlerror());
        return 1;
    }
    fn4 f4 = (fn4)dlsym(lib, "_nss_vireo_gethostbyname4_r");
    fn2 f2 = (fn2)dlsym(lib, "_nss_vireo_gethostbyname2_r");
    if (!f4 || !f2) {
        fprintf(stderr, "nss-lookup: the module lacks the gethostbyname entry points\n");
        return 1;
    }
    int n4 = by4(f4, argv[2]);
    int n2 = by2(f2, argv[2], AF_INET) + by2(f2, argv[2], AF_INET6);
    dlclose(lib);
    if (n2 < 0 || n4 != n2) {
        fprintf(stderr, "nss-lookup: gethostbyname4_r found %d, gethostbyname2_r %d\n", n4, n2);
        return 1;
    }
    return n4 ? 0 : 2;
}
