/* nss-vireo: guests' host names for the host itself, as libvirt's
 * libnss_libvirt does. With `vireo` on the hosts: line of
 * /etc/nsswitch.conf, `ssh root@GUEST` finds the address the guest's
 * DHCP lease gave it.
 *
 * Where it looks: the dnsmasq lease files of the system daemon,
 * /var/lib/vireo/dnsmasq/ *.leases, and of any `vireod --root DIR`
 * named in VIREO_NSS_ROOTS (DIR[:DIR...], each read as
 * DIR/var/lib/vireo/dnsmasq/; ignored by setuid programs). A name is a
 * lease's host name, compared without case; expired leases do not count.
 * IPv4 and IPv6 leases both answer.
 *
 * Loaded into every program that resolves names: no allocation that
 * outlives a call, no library beyond libc, nothing but the NSS entry
 * points exported (nss_vireo.map). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LEASE_DIR "/var/lib/vireo/dnsmasq"
#define MAX_ADDRS 16

typedef struct {
    int family;
    unsigned char addr[16];
} found_addr;

typedef struct {
    const char *name;
    int family; /* AF_UNSPEC: both */
    found_addr addrs[MAX_ADDRS];
    size_t n;
} lookup;

enum nss_status _nss_vireo_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat, char *buffer,
                                            size_t buflen, int *errnop, int *herrnop, int32_t *ttlp);
enum nss_status _nss_vireo_gethostbyname3_r(const char *name, int af, struct hostent *host, char *buffer,
                                            size_t buflen, int *errnop, int *herrnop, int32_t *ttlp,
                                            char **canonp);
enum nss_status _nss_vireo_gethostbyname2_r(const char *name, int af, struct hostent *host, char *buffer,
                                            size_t buflen, int *errnop, int *herrnop);
enum nss_status _nss_vireo_gethostbyname_r(const char *name, struct hostent *host, char *buffer, size_t buflen,
                                           int *errnop, int *herrnop);

static void add_addr(lookup *lk, int family, const void *bytes)
{
    size_t len = family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < lk->n; i++)
        if (lk->addrs[i].family == family && memcmp(lk->addrs[i].addr, bytes, len) == 0)
            return;
    if (lk->n == MAX_ADDRS)
        return;
    lk->addrs[lk->n].family = family;
    memcpy(lk->addrs[lk->n].addr, bytes, len);
    lk->n++;
}

/* One dnsmasq lease file: "EXPIRY MAC|IAID IP HOSTNAME CLIENT-ID". */
static void scan_file(lookup *lk, const char *path, time_t now)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        long long expiry;
        char id[256], ip[64], host[256];
        if (sscanf(line, "%lld %255s %63s %255s", &expiry, id, ip, host) != 4)
            continue; /* the "duid" line, or damage */
        if ((expiry != 0 && expiry < now) || strcasecmp(host, lk->name) != 0)
            continue;
        unsigned char bytes[16];
        if ((lk->family == AF_UNSPEC || lk->family == AF_INET) && inet_pton(AF_INET, ip, bytes) == 1)
            add_addr(lk, AF_INET, bytes);
        else if ((lk->family == AF_UNSPEC || lk->family == AF_INET6) && inet_pton(AF_INET6, ip, bytes) == 1)
            add_addr(lk, AF_INET6, bytes);
    }
    fclose(f);
}

static void scan_dir(lookup *lk, const char *dir, time_t now)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 7 || strcmp(e->d_name + len - 7, ".leases") != 0)
            continue;
        char path[4096];
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
            scan_file(lk, path, now);
    }
    closedir(d);
}

static void find(lookup *lk)
{
    time_t now = time(NULL);
    scan_dir(lk, LEASE_DIR, now);
    const char *roots = secure_getenv("VIREO_NSS_ROOTS");
    while (roots && *roots) {
        const char *end = strchr(roots, ':');
        size_t len = end ? (size_t)(end - roots) : strlen(roots);
        char dir[4096];
        if (len && snprintf(dir, sizeof(dir), "%.*s%s", (int)len, roots, LEASE_DIR) < (int)sizeof(dir))
            scan_dir(lk, dir, now);
        roots = end ? end + 1 : NULL;
    }
}

static enum nss_status not_found(int *errnop, int *herrnop)
{
    *errnop = ENOENT;
    *herrnop = HOST_NOT_FOUND;
    return NSS_STATUS_NOTFOUND;
}

static enum nss_status too_small(int *errnop, int *herrnop)
{
    *errnop = ERANGE;
    *herrnop = NETDB_INTERNAL;
    return NSS_STATUS_TRYAGAIN;
}

/* Carve `size` bytes aligned for pointers out of the caller's buffer. */
static void *take(char **buf, size_t *left, size_t size)
{
    size_t pad = (sizeof(void *) - ((uintptr_t)*buf % sizeof(void *))) % sizeof(void *);
    if (*left < pad + size)
        return NULL;
    void *p = *buf + pad;
    *buf += pad + size;
    *left -= pad + size;
    return p;
}

enum nss_status _nss_vireo_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat, char *buffer,
                                            size_t buflen, int *errnop, int *herrnop, int32_t *ttlp)
{
    lookup lk = {.name = name, .family = AF_UNSPEC};
    find(&lk);
    if (!lk.n)
        return not_found(errnop, herrnop);
    size_t nlen = strlen(name) + 1;
    char *copy = take(&buffer, &buflen, nlen);
    if (!copy)
        return too_small(errnop, herrnop);
    memcpy(copy, name, nlen);
    struct gaih_addrtuple *prev = NULL, *first = NULL;
    for (size_t i = 0; i < lk.n; i++) {
        struct gaih_addrtuple *t = take(&buffer, &buflen, sizeof(*t));
        if (!t)
            return too_small(errnop, herrnop);
        memset(t, 0, sizeof(*t));
        t->name = i == 0 ? copy : NULL;
        t->family = lk.addrs[i].family;
        memcpy(t->addr, lk.addrs[i].addr, t->family == AF_INET ? 4 : 16);
        if (prev)
            prev->next = t;
        else
            first = t;
        prev = t;
    }
    /* A caller may hand in a tuple to fill: the list replaces it. */
    *pat = first;
    if (ttlp)
        *ttlp = 0;
    *errnop = 0;
    *herrnop = NETDB_SUCCESS;
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_vireo_gethostbyname3_r(const char *name, int af, struct hostent *host, char *buffer,
                                            size_t buflen, int *errnop, int *herrnop, int32_t *ttlp,
                                            char **canonp)
{
    if (af != AF_INET && af != AF_INET6) {
        *errnop = EAFNOSUPPORT;
        *herrnop = NO_DATA;
        return NSS_STATUS_UNAVAIL;
    }
    lookup lk = {.name = name, .family = af};
    find(&lk);
    if (!lk.n)
        return not_found(errnop, herrnop);
    size_t alen = af == AF_INET ? 4 : 16, nlen = strlen(name) + 1;
    char *copy = take(&buffer, &buflen, nlen);
    char **aliases = take(&buffer, &buflen, sizeof(char *));
    char *data = take(&buffer, &buflen, lk.n * alen);
    char **list = take(&buffer, &buflen, (lk.n + 1) * sizeof(char *));
    if (!copy || !aliases || !data || !list)
        return too_small(errnop, herrnop);
    memcpy(copy, name, nlen);
    aliases[0] = NULL;
    for (size_t i = 0; i < lk.n; i++) {
        memcpy(data + i * alen, lk.addrs[i].addr, alen);
        list[i] = data + i * alen;
    }
    list[lk.n] = NULL;
    host->h_name = copy;
    host->h_aliases = aliases;
    host->h_addrtype = af;
    host->h_length = (int)alen;
    host->h_addr_list = list;
    if (ttlp)
        *ttlp = 0;
    if (canonp)
        *canonp = copy;
    *errnop = 0;
    *herrnop = NETDB_SUCCESS;
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_vireo_gethostbyname2_r(const char *name, int af, struct hostent *host, char *buffer,
                                            size_t buflen, int *errnop, int *herrnop)
{
    return _nss_vireo_gethostbyname3_r(name, af, host, buffer, buflen, errnop, herrnop, NULL, NULL);
}

enum nss_status _nss_vireo_gethostbyname_r(const char *name, struct hostent *host, char *buffer, size_t buflen,
                                           int *errnop, int *herrnop)
{
    return _nss_vireo_gethostbyname3_r(name, AF_INET, host, buffer, buflen, errnop, herrnop, NULL, NULL);
}
