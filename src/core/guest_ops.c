/* Guest and host helpers (guest_ops.h). */
#include "core/guest_ops.h"
#include "drivers/qemu/qemu_keycodes.h"
#include "common/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vr_core_send_key(vr_domain *dom, const char *codeset, const char *const *keys, size_t n,
                      unsigned hold_ms, vr_qemu_reply_fn cb, void *opaque)
{
    char *err = NULL;
    int qnum[VR_SEND_KEY_MAX];
    if (n == 0 || n > VR_SEND_KEY_MAX)
        err = vr_asprintf("send-key takes 1 to %d keys (got %zu)", VR_SEND_KEY_MAX, n);
    for (size_t i = 0; !err && i < n; i++)
        qnum[i] = vr_keycode_qnum(codeset, keys[i], &err);
    if (err) {
        cb(VR_ERR_INVALID, NULL, err, opaque);
        free(err);
        return;
    }
    vr_qemu_send_key(dom, qnum, n, hold_ms, cb, opaque);
}

const char *vr_core_keycode_set_name(unsigned number)
{
    return vr_keycode_set_name(number);
}

int vr_core_screenshot_open(const char *path, unsigned long long *size, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        vr_set_error(err, "QEMU wrote no screenshot at %s: %s", path, strerror(errno ? errno : EINVAL));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unlink(path);
    *size = (unsigned long long)st.st_size;
    return fd;
}

/* ---- guestinfo: one agent command per kind, in turn ---- */

static const struct {
    unsigned type;
    const char *name, *execute;
} info_kinds[] = {
    {VR_GUEST_INFO_USERS, "users", "guest-get-users"},
    {VR_GUEST_INFO_OS, "os", "guest-get-osinfo"},
    {VR_GUEST_INFO_TIMEZONE, "timezone", "guest-get-timezone"},
    {VR_GUEST_INFO_HOSTNAME, "hostname", "guest-get-host-name"},
    {VR_GUEST_INFO_FILESYSTEM, "filesystem", "guest-get-fsinfo"},
    {VR_GUEST_INFO_DISKS, "disks", "guest-get-disks"},
    {VR_GUEST_INFO_INTERFACES, "interfaces", "guest-network-get-interfaces"},
};

int vr_core_guest_info_types(const char *names, unsigned *types, char **err)
{
    *types = 0;
    for (const char *p = names; p && *p;) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < VR_ARRAY_LEN(info_kinds) &&
               (strlen(info_kinds[k].name) != len || strncmp(p, info_kinds[k].name, len) != 0))
            k++;
        if (k == VR_ARRAY_LEN(info_kinds)) {
            vr_set_error(err, "guest info kind '%.*s' is not known (give users, os, timezone, hostname, "
                         "filesystem, disks or interfaces, comma-separated)", (int)len, p);
            return -1;
        }
        *types |= info_kinds[k].type;
        p += len + (p[len] == ',');
    }
    return 0;
}

typedef struct {
    vr_qemu_driver *drv;
    char uuid[37];
    unsigned types;
    size_t next; /* the kind asked now; SIZE_MAX: the ping */
    json_object *answers[VR_ARRAY_LEN(info_kinds)];
    vr_guest_fields out;
    vr_guest_info_fn cb;
    void *opaque;
} info_run;

static const char *text_of(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static size_t array_len(json_object *a)
{
    return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* An argument-less agent command for a run (a heap struct cb gets as its
 * opaque): not VR_OK, nothing was sent and the run is freed. */
static vr_err send_execute(vr_domain *dom, const char *execute, vr_agent_fn cb, void *run, char **err)
{
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(execute));
    vr_err code = vr_qemu_agent_command(dom, cmd, 0, cb, run, err);
    json_object_put(cmd);
    if (code != VR_OK)
        free(run);
    return code;
}

/* One field; key is taken. */
static vr_guest_field *add(vr_guest_fields *f, char *key, vr_guest_field_type type)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->v = vr_realloc(f->v, f->cap * sizeof(*f->v));
    }
    vr_guest_field *x = &f->v[f->n++];
    *x = (vr_guest_field){.key = key, .type = type};
    return x;
}

static void add_num(vr_guest_fields *f, char *key, vr_guest_field_type type, long long v)
{
    vr_guest_field *x = add(f, key, type);
    if (type == VR_GUEST_INT)
        x->i = v;
    else if (type == VR_GUEST_BOOL)
        x->b = v != 0;
    else
        x->u = (unsigned long long)v;
}

static void add_text(vr_guest_fields *f, char *key, const char *v)
{
    add(f, key, VR_GUEST_STRING)->s = vr_strdup(v);
}

/* o's member `member_key` as a field of `type` (a string, or a whole
 * number) whose key is made from fmt, if o has it. */
static void add_vmember(vr_guest_fields *f, json_object *o, const char *member_key, vr_guest_field_type type,
                        const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void add_vmember(vr_guest_fields *f, json_object *o, const char *member_key, vr_guest_field_type type,
                        const char *fmt, va_list ap)
{
    json_object *v = member(o, member_key);
    if (!v)
        return;
    char *key = vr_vasprintf(fmt, ap);
    if (type == VR_GUEST_STRING)
        add_text(f, key, json_object_get_string(v));
    else
        add_num(f, key, type, json_object_get_int64(v));
}

static void add_str(vr_guest_fields *f, json_object *o, const char *member_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_str(vr_guest_fields *f, json_object *o, const char *member_key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_vmember(f, o, member_key, VR_GUEST_STRING, fmt, ap);
    va_end(ap);
}

static void add_int(vr_guest_fields *f, json_object *o, const char *member_key, vr_guest_field_type type,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add_int(vr_guest_fields *f, json_object *o, const char *member_key, vr_guest_field_type type,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_vmember(f, o, member_key, type, fmt, ap);
    va_end(ap);
}

char *vr_core_guest_disk_alias(const vr_domain *dom, json_object *disk)
{
    json_object *pci = member(disk, "pci-controller"), *v;
    if (dom && pci) {
        long a[4] = {-1, -1, -1, -1};
        static const char *const keys[] = {"domain", "bus", "slot", "function"};
        for (size_t k = 0; k < 4; k++)
            if (json_object_object_get_ex(pci, keys[k], &v))
                a[k] = json_object_get_int(v);
        for (size_t i = 0; i < dom->def->n_disks; i++) {
            const vr_address *ad = &dom->def->disks[i].addr;
            if (ad->type == VR_ADDR_PCI && (long)ad->domain == a[0] && (long)ad->bus == a[1] &&
                (long)ad->slot == a[2] && (long)ad->function == a[3] && dom->def->disks[i].target_dev)
                return vr_strdup(dom->def->disks[i].target_dev);
        }
    }
    const char *dev = text_of(disk, "dev");
    return dev ? vr_strdup(strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev) : NULL;
}

/* A list's length as its KEY.count field. */
static size_t add_count(vr_guest_fields *f, const char *key, json_object *list)
{
    size_t n = array_len(list);
    add_num(f, vr_strdup(key), VR_GUEST_UINT, (long long)n);
    return n;
}

/* A list's length as the field `count_key`, then each element through
 * one (with its index, which its keys carry). */
typedef void flat_one_fn(vr_guest_fields *f, const vr_domain *dom, json_object *x, size_t i);
static void flat_list(vr_guest_fields *f, const vr_domain *dom, json_object *list, const char *count_key,
                      flat_one_fn *one)
{
    size_t n = add_count(f, count_key, list);
    for (size_t i = 0; i < n; i++)
        one(f, dom, json_object_array_get_idx(list, i), i);
}

static void flat_user(vr_guest_fields *f, const vr_domain *dom, json_object *u, size_t i)
{
    json_object *t = member(u, "login-time");
    add_str(f, u, "user", "user.%zu.name", i);
    add_str(f, u, "domain", "user.%zu.domain", i);
    if (t) /* the agent's seconds, libvirt's milliseconds */
        add_num(f, vr_asprintf("user.%zu.login-time", i), VR_GUEST_ULLONG,
                (long long)(json_object_get_double(t) * 1000));
}

static void flat_users(vr_guest_fields *f, const vr_domain *dom, json_object *users)
{
    flat_list(f, dom, users, "user.count", flat_user);
}

static void flat_os(vr_guest_fields *f, const vr_domain *dom, json_object *os)
{
    static const char *const keys[] = {"id", "name", "pretty-name", "version", "version-id", "kernel-release",
                                       "kernel-version", "machine", "variant", "variant-id"};
    for (size_t i = 0; i < VR_ARRAY_LEN(keys); i++)
        add_str(f, os, keys[i], "os.%s", keys[i]);
}

static void flat_timezone(vr_guest_fields *f, const vr_domain *dom, json_object *tz)
{
    add_str(f, tz, "zone", "timezone.name");
    add_int(f, tz, "offset", VR_GUEST_INT, "timezone.offset");
}

static void flat_hostname(vr_guest_fields *f, const vr_domain *dom, json_object *h)
{
    add_str(f, h, "host-name", "hostname");
}

static void flat_one_fs(vr_guest_fields *f, const vr_domain *dom, json_object *x, size_t i)
{
    json_object *disks = member(x, "disk");
    add_str(f, x, "mountpoint", "fs.%zu.mountpoint", i);
    add_str(f, x, "name", "fs.%zu.name", i);
    add_str(f, x, "type", "fs.%zu.fstype", i);
    add_int(f, x, "total-bytes", VR_GUEST_ULLONG, "fs.%zu.total-bytes", i);
    add_int(f, x, "used-bytes", VR_GUEST_ULLONG, "fs.%zu.used-bytes", i);
    size_t k = array_len(disks);
    add_num(f, vr_asprintf("fs.%zu.disk.count", i), VR_GUEST_UINT, (long long)k);
    for (size_t j = 0; j < k; j++) {
        json_object *d = json_object_array_get_idx(disks, j);
        char *alias = vr_core_guest_disk_alias(dom, d);
        if (alias)
            add_text(f, vr_asprintf("fs.%zu.disk.%zu.alias", i, j), alias);
        free(alias);
        add_str(f, d, "serial", "fs.%zu.disk.%zu.serial", i, j);
        add_str(f, d, "dev", "fs.%zu.disk.%zu.device", i, j);
    }
}

static void flat_fs(vr_guest_fields *f, const vr_domain *dom, json_object *fs)
{
    flat_list(f, dom, fs, "fs.count", flat_one_fs);
}

static void flat_disk(vr_guest_fields *f, const vr_domain *dom, json_object *d, size_t i)
{
    json_object *deps = member(d, "dependencies");
    json_object *addr = member(d, "address");
    add_str(f, d, "name", "disk.%zu.name", i);
    add_num(f, vr_asprintf("disk.%zu.partition", i), VR_GUEST_BOOL,
            json_object_get_boolean(member(d, "partition")));
    if (deps) {
        size_t k = array_len(deps);
        add_num(f, vr_asprintf("disk.%zu.dependency.count", i), VR_GUEST_UINT, (long long)k);
        for (size_t j = 0; j < k; j++)
            add_text(f, vr_asprintf("disk.%zu.dependency.%zu.name", i, j),
                     json_object_get_string(json_object_array_get_idx(deps, j)));
    }
    if (addr) {
        add_str(f, addr, "serial", "disk.%zu.serial", i);
        char *alias = vr_core_guest_disk_alias(dom, addr);
        if (alias && member(addr, "pci-controller"))
            add_text(f, vr_asprintf("disk.%zu.alias", i), alias);
        free(alias);
        add_str(f, addr, "bus-type", "disk.%zu.guest_bus", i);
    }
    add_str(f, d, "alias", "disk.%zu.guest_alias", i);
}

static void flat_disks(vr_guest_fields *f, const vr_domain *dom, json_object *disks)
{
    flat_list(f, dom, disks, "disk.count", flat_disk);
}

/* The loopback is left out, as domifaddr leaves it. */
static bool iface_shown(json_object *x)
{
    const char *name = text_of(x, "name");
    return name && strcmp(name, "lo") != 0;
}

static void flat_interfaces(vr_guest_fields *f, const vr_domain *dom, json_object *ifaces)
{
    size_t n = array_len(ifaces), at = 0, shown = 0;
    for (size_t i = 0; i < n; i++)
        shown += iface_shown(json_object_array_get_idx(ifaces, i));
    add_num(f, vr_strdup("if.count"), VR_GUEST_UINT, (long long)shown);
    for (size_t i = 0; i < n; i++) {
        json_object *x = json_object_array_get_idx(ifaces, i), *ips = member(x, "ip-addresses");
        if (!iface_shown(x))
            continue;
        add_text(f, vr_asprintf("if.%zu.name", at), text_of(x, "name"));
        add_str(f, x, "hardware-address", "if.%zu.hwaddr", at);
        size_t k = array_len(ips);
        add_num(f, vr_asprintf("if.%zu.addr.count", at), VR_GUEST_UINT, (long long)k);
        for (size_t j = 0; j < k; j++) {
            json_object *ip = json_object_array_get_idx(ips, j);
            add_str(f, ip, "ip-address-type", "if.%zu.addr.%zu.type", at, j);
            add_str(f, ip, "ip-address", "if.%zu.addr.%zu.addr", at, j);
            if (member(ip, "prefix"))
                add_num(f, vr_asprintf("if.%zu.addr.%zu.prefix", at, j), VR_GUEST_UINT,
                        json_object_get_int(member(ip, "prefix")));
        }
        at++;
    }
}

/* Each kind's flattening, in info_kinds' (libvirt's) order. */
static void (*const flatten[])(vr_guest_fields *, const vr_domain *, json_object *) = {
    flat_users, flat_os, flat_timezone, flat_hostname, flat_fs, flat_disks, flat_interfaces,
};

static void info_end(info_run *r, const char *err)
{
    vr_domain *dom = err ? NULL : vr_qemu_lookup(r->drv, r->uuid);
    if (!err && !dom)
        err = "the domain is gone";
    for (size_t k = 0; !err && k < VR_ARRAY_LEN(info_kinds); k++)
        if (r->answers[k])
            flatten[k](&r->out, dom, r->answers[k]);
    r->cb(err ? NULL : &r->out, err, r->opaque);
    for (size_t k = 0; k < VR_ARRAY_LEN(info_kinds); k++)
        json_object_put(r->answers[k]);
    for (size_t i = 0; i < r->out.n; i++) {
        free(r->out.v[i].key);
        free(r->out.v[i].s);
    }
    free(r->out.v);
    free(r);
}

static void info_answer(json_object *ret, const char *error, void *opaque);

/* Ask the next kind wanted, or answer when none is left. */
static void info_next(info_run *r)
{
    while (r->next < VR_ARRAY_LEN(info_kinds) && !(r->types & info_kinds[r->next].type))
        r->next++;
    if (r->next >= VR_ARRAY_LEN(info_kinds)) {
        info_end(r, NULL);
        return;
    }
    /* The domain may have stopped (and a transient one gone) meanwhile. */
    vr_domain *dom = vr_qemu_lookup(r->drv, r->uuid);
    char *err = NULL;
    json_object *cmd = json_object_new_object();
    json_object_object_add(cmd, "execute", json_object_new_string(info_kinds[r->next].execute));
    vr_err code = dom ? vr_qemu_agent_command(dom, cmd, 0, info_answer, r, &err) : VR_ERR_NOT_FOUND;
    json_object_put(cmd);
    if (code != VR_OK) {
        info_end(r, err ? err : "the domain is gone");
        free(err);
    }
}

static void info_answer(json_object *ret, const char *error, void *opaque)
{
    info_run *r = opaque;
    if (r->next == SIZE_MAX) {
        if (error) {
            info_end(r, error);
            return;
        }
        r->next = 0;
    } else {
        if (!error && ret)
            r->answers[r->next] = json_object_get(ret);
        r->next++;
    }
    info_next(r);
}

vr_err vr_core_guest_info(vr_domain *dom, unsigned types, vr_guest_info_fn cb, void *opaque, char **err)
{
    if (types & ~(unsigned)VR_GUEST_INFO_ALL) {
        vr_set_error(err, "guest info types 0x%x are not known (users, os, timezone, hostname, filesystem, "
                     "disks, interfaces: 0x1 to 0x40)", types & ~(unsigned)VR_GUEST_INFO_ALL);
        return VR_ERR_INVALID;
    }
    info_run *r = vr_calloc(1, sizeof(*r));
    r->drv = dom->drv;
    snprintf(r->uuid, sizeof(r->uuid), "%s", dom->def->uuid);
    r->types = types ? types : VR_GUEST_INFO_ALL;
    r->next = SIZE_MAX;
    r->cb = cb;
    r->opaque = opaque;
    return send_execute(dom, "guest-ping", info_answer, r, err);
}

/* ---- virDomainGetMessages ---- */

char **vr_core_domain_messages(const vr_domain *dom, unsigned flags, size_t *n)
{
    *n = 0;
    if (flags && !(flags & VR_MESSAGE_TAINTING))
        return NULL;
    char **v = vr_calloc(dom->n_notices + 1, sizeof(*v));
    for (size_t i = 0; i < dom->n_notices; i++)
        v[(*n)++] = vr_asprintf("tainted: %s", dom->notices[i]);
    return v;
}

/* ---- domfsinfo, domfsfreeze, domfsthaw, domfstrim ---- */

typedef enum { FS_INFO, FS_FREEZE, FS_THAW, FS_TRIM } fs_op;

typedef struct {
    vr_qemu_driver *drv;
    char uuid[37];
    fs_op op;
    bool checked; /* freeze: the mountpoints were found in guest-get-fsinfo */
    char **mountpoints;
    size_t n;
    unsigned long long minimum;
    vr_guest_count_fn count_cb;
    vr_guest_fs_fn fs_cb;
    void *opaque;
} fs_run;

static void fs_run_free(fs_run *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->mountpoints[i]);
    free(r->mountpoints);
    free(r);
}

static void fs_list_free(vr_guest_fs_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].mountpoint);
        free(l->v[i].name);
        free(l->v[i].type);
        for (size_t k = 0; k < l->v[i].n_targets; k++)
            free(l->v[i].targets[k]);
        free(l->v[i].targets);
    }
    free(l->v);
}

/* guest-get-fsinfo's array as the list, disks named by dom's targets. */
static void fs_list_of(vr_guest_fs_list *l, const vr_domain *dom, json_object *ret)
{
    size_t n = array_len(ret);
    l->v = vr_calloc(n + 1, sizeof(*l->v));
    for (size_t i = 0; i < n; i++) {
        json_object *x = json_object_array_get_idx(ret, i), *disks = member(x, "disk");
        vr_guest_fs *f = &l->v[l->n++];
        f->mountpoint = vr_strdup(text_of(x, "mountpoint") ? text_of(x, "mountpoint") : "");
        f->name = vr_strdup(text_of(x, "name") ? text_of(x, "name") : "");
        f->type = vr_strdup(text_of(x, "type") ? text_of(x, "type") : "");
        size_t k = array_len(disks);
        f->targets = vr_calloc(k + 1, sizeof(char *));
        for (size_t j = 0; j < k; j++) {
            char *alias = vr_core_guest_disk_alias(dom, json_object_array_get_idx(disks, j));
            if (alias)
                f->targets[f->n_targets++] = alias;
        }
    }
}

/* The first mountpoint asked that the agent does not list, with the
 * ones it lists, as an error; NULL when each is mounted. */
static char *fs_unknown_mountpoint(const fs_run *r, json_object *fsinfo)
{
    size_t n = array_len(fsinfo);
    for (size_t i = 0; i < r->n; i++) {
        size_t k = 0;
        while (k < n && strcmp(r->mountpoints[i], text_of(json_object_array_get_idx(fsinfo, k), "mountpoint")
                                                      ? text_of(json_object_array_get_idx(fsinfo, k), "mountpoint")
                                                      : "") != 0)
            k++;
        if (k < n)
            continue;
        char *known = vr_strdup("");
        for (k = 0; k < n; k++) {
            const char *mp = text_of(json_object_array_get_idx(fsinfo, k), "mountpoint");
            char *more = vr_asprintf("%s%s%s", known, *known ? ", " : "", mp ? mp : "?");
            free(known);
            known = more;
        }
        char *e = vr_asprintf("'%s' is not a filesystem mounted in the guest (the guest agent lists: %s); nothing "
                              "was frozen", r->mountpoints[i], *known ? known : "none");
        free(known);
        return e;
    }
    return NULL;
}

/* guest-fstrim's {"paths": [{"path", "trimmed"} or {"path", "error"}]}:
 * the paths trimmed, or the first error when none was. */
static int fs_trimmed(json_object *ret, const char **err)
{
    json_object *paths = member(ret, "paths");
    int trimmed = 0;
    *err = NULL;
    for (size_t i = 0; i < array_len(paths); i++) {
        json_object *p = json_object_array_get_idx(paths, i);
        if (text_of(p, "error"))
            *err = *err ? *err : text_of(p, "error");
        else
            trimmed++;
    }
    if (trimmed)
        *err = NULL;
    return trimmed;
}

static vr_err fs_send(fs_run *r, vr_domain *dom, char **err);

static void fs_answer(json_object *ret, const char *error, void *opaque)
{
    fs_run *r = opaque;
    vr_domain *dom = vr_qemu_lookup(r->drv, r->uuid);
    char *own = NULL;
    if (!error && !dom)
        error = "the domain is gone";
    if (!error && r->op == FS_FREEZE && r->n && !r->checked) {
        /* The mountpoints are known: now freeze them. */
        own = fs_unknown_mountpoint(r, ret);
        r->checked = true;
        if (!own && fs_send(r, dom, &own) == VR_OK)
            return;
        error = own;
    }
    if (r->op == FS_INFO) {
        vr_guest_fs_list l = {0};
        if (!error)
            fs_list_of(&l, dom, ret);
        r->fs_cb(error ? NULL : &l, error, r->opaque);
        fs_list_free(&l);
    } else if (r->op == FS_TRIM && !error) {
        const char *e = NULL;
        int n = fs_trimmed(ret, &e);
        r->count_cb(e ? -1 : n, e, r->opaque);
    } else {
        r->count_cb(error ? -1 : ret ? json_object_get_int(ret) : 0, error, r->opaque);
    }
    free(own);
    fs_run_free(r);
}

/* The run's next agent command. */
static vr_err fs_send(fs_run *r, vr_domain *dom, char **err)
{
    json_object *cmd = json_object_new_object(), *args = NULL;
    const char *execute = "guest-get-fsinfo";
    if (r->op == FS_FREEZE && r->n && r->checked) {
        execute = "guest-fsfreeze-freeze-list";
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < r->n; i++)
            json_object_array_add(list, json_object_new_string(r->mountpoints[i]));
        args = json_object_new_object();
        json_object_object_add(args, "mountpoints", list);
    } else if (r->op == FS_FREEZE && !r->n) {
        execute = "guest-fsfreeze-freeze";
    } else if (r->op == FS_THAW) {
        execute = "guest-fsfreeze-thaw";
    } else if (r->op == FS_TRIM) {
        execute = "guest-fstrim";
        args = json_object_new_object();
        json_object_object_add(args, "minimum", json_object_new_uint64(r->minimum));
    }
    json_object_object_add(cmd, "execute", json_object_new_string(execute));
    if (args)
        json_object_object_add(cmd, "arguments", args);
    /* A freeze or a trim of a big filesystem takes its time. */
    vr_err code = vr_qemu_agent_command(dom, cmd, r->op == FS_INFO ? 0 : 60, fs_answer, r, err);
    json_object_put(cmd);
    return code;
}

static vr_err fs_start(vr_domain *dom, fs_run *r, char **err)
{
    r->drv = dom->drv;
    snprintf(r->uuid, sizeof(r->uuid), "%s", dom->def->uuid);
    vr_err code = fs_send(r, dom, err);
    if (code != VR_OK)
        fs_run_free(r);
    return code;
}

vr_err vr_core_fs_info(vr_domain *dom, vr_guest_fs_fn cb, void *opaque, char **err)
{
    fs_run *r = vr_calloc(1, sizeof(*r));
    *r = (fs_run){.op = FS_INFO, .fs_cb = cb, .opaque = opaque};
    return fs_start(dom, r, err);
}

vr_err vr_core_fs_freeze(vr_domain *dom, const char *const *mountpoints, size_t n, vr_guest_count_fn cb,
                         void *opaque, char **err)
{
    for (size_t i = 0; i < n; i++)
        if (!mountpoints[i] || mountpoints[i][0] != '/') {
            vr_set_error(err, "mountpoint '%s' is not an absolute path in the guest (as domfsinfo lists them: "
                         "/, /home ...)", mountpoints[i] ? mountpoints[i] : "");
            return VR_ERR_INVALID;
        }
    fs_run *r = vr_calloc(1, sizeof(*r));
    *r = (fs_run){.op = FS_FREEZE, .count_cb = cb, .opaque = opaque, .n = n};
    r->mountpoints = vr_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        r->mountpoints[i] = vr_strdup(mountpoints[i]);
    return fs_start(dom, r, err);
}

vr_err vr_core_fs_thaw(vr_domain *dom, size_t n_mountpoints, vr_guest_count_fn cb, void *opaque, char **err)
{
    if (n_mountpoints) {
        vr_set_error(err, "the guest agent thaws every frozen filesystem at once: leave the mountpoints out");
        return VR_ERR_UNSUPPORTED;
    }
    fs_run *r = vr_calloc(1, sizeof(*r));
    *r = (fs_run){.op = FS_THAW, .count_cb = cb, .opaque = opaque};
    return fs_start(dom, r, err);
}

vr_err vr_core_fs_trim(vr_domain *dom, const char *mountpoint, unsigned long long minimum, vr_guest_count_fn cb,
                       void *opaque, char **err)
{
    if (mountpoint) {
        vr_set_error(err, "the guest agent trims every mounted filesystem: leave the mountpoint out");
        return VR_ERR_UNSUPPORTED;
    }
    fs_run *r = vr_calloc(1, sizeof(*r));
    *r = (fs_run){.op = FS_TRIM, .count_cb = cb, .opaque = opaque, .minimum = minimum};
    return fs_start(dom, r, err);
}

/* ---- domifaddr --source agent ---- */

typedef struct {
    vr_guest_ifaces_fn cb;
    void *opaque;
} ifaces_run;

/* An address the agent lists, as the wire's lease: false when it gives
 * no address or one too long to be one. */
static bool agent_address(json_object *ip, vireo_lease *out)
{
    const char *addr = text_of(ip, "ip-address"), *type = text_of(ip, "ip-address-type");
    json_object *prefix = member(ip, "prefix");
    if (!addr || strlen(addr) >= sizeof(out->ip))
        return false;
    *out = (vireo_lease){.family = type && strcmp(type, "ipv6") == 0 ? 6 : 4,
                         .prefix = prefix ? (unsigned)json_object_get_int(prefix) : 0};
    snprintf(out->ip, sizeof(out->ip), "%s", addr);
    return true;
}

static void ifaces_answer(json_object *ret, const char *error, void *opaque)
{
    ifaces_run *r = opaque;
    size_t n = array_len(ret), got = 0;
    vireo_interface *ifs = vr_calloc(n + 1, sizeof(*ifs));
    for (size_t i = 0; !error && i < n; i++) {
        json_object *x = json_object_array_get_idx(ret, i), *ips = member(x, "ip-addresses");
        if (!iface_shown(x))
            continue;
        vireo_interface *f = &ifs[got++];
        f->interface = vr_strdup(text_of(x, "name"));
        snprintf(f->mac, sizeof(f->mac), "%s", text_of(x, "hardware-address") ? text_of(x, "hardware-address") : "");
        f->addresses = vr_calloc(array_len(ips) + 1, sizeof(vireo_lease));
        for (size_t k = 0; k < array_len(ips); k++)
            f->n_addresses += agent_address(json_object_array_get_idx(ips, k), &f->addresses[f->n_addresses]);
    }
    r->cb(error ? NULL : ifs, got, error, r->opaque);
    for (size_t i = 0; i < got; i++) {
        free(ifs[i].interface);
        free(ifs[i].addresses);
    }
    free(ifs);
    free(r);
}

vr_err vr_core_agent_interfaces(vr_domain *dom, vr_guest_ifaces_fn cb, void *opaque, char **err)
{
    ifaces_run *r = vr_calloc(1, sizeof(*r));
    *r = (ifaces_run){.cb = cb, .opaque = opaque};
    return send_execute(dom, "guest-network-get-interfaces", ifaces_answer, r, err);
}
