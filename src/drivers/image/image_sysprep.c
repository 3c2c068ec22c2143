/* virt-sysprep's default operations: what makes a copy of a guest a new
 * machine rather than a twin (machine-id, SSH host keys, DHCP leases,
 * udev's remembered NICs) and what it should not carry along (logs,
 * shell history, temporary files). User accounts are left as they are.
 * --operations picks some ("machine-id,ssh-hostkeys"), or removes some
 * from the defaults ("defaults,-logfiles"). */
#include "drivers/image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int remove_globs(guestfs_h *g, const char *const *patterns)
{
    for (size_t i = 0; patterns[i]; i++) {
        char **paths = guestfs_glob_expand(g, patterns[i]);
        if (!paths)
            return img_gfs_fail(g, "cannot list files to remove");
        for (size_t k = 0; paths[k]; k++) {
            /* Directories stay (services expect /var/log/apt ...). */
            if (guestfs_is_dir(g, paths[k]) != 1)
                guestfs_rm_f(g, paths[k]);
            free(paths[k]);
        }
        free(paths);
    }
    return 0;
}

static int op_machine_id(guestfs_h *g)
{
    /* Empty, not absent: systemd makes a new one at the next boot. */
    if (guestfs_is_file(g, "/etc/machine-id") == 1 && img_gfs_write(g, "/etc/machine-id", "", -1) < 0)
        return -1;
    guestfs_rm_f(g, "/var/lib/dbus/machine-id");
    return 0;
}

static int op_ssh_hostkeys(guestfs_h *g)
{
    static const char *const keys[] = {"/etc/ssh/ssh_host_*", NULL};
    if (remove_globs(g, keys) < 0)
        return -1;
    /* sshd does not start without host keys: make new ones first. */
    if (guestfs_exists(g, "/usr/sbin/sshd") == 1)
        return img_firstboot_add(g, "0000-ssh-hostkeys", "ssh-keygen -A");
    return 0;
}

static int op_logfiles(guestfs_h *g)
{
    static const char *const logs[] = {
        "/var/log/*.log", "/var/log/*.log.*", "/var/log/*/*.log", "/var/log/*/*.log.*",
        "/var/log/journal/*/*", "/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog",
        "/var/log/syslog*", "/var/log/messages*", "/var/log/apt/*", "/var/log/installer/*", NULL};
    return remove_globs(g, logs);
}

static int op_dhcp(guestfs_h *g)
{
    static const char *const leases[] = {
        "/var/lib/dhcp/*", "/var/lib/dhclient/*", "/var/lib/dhcpcd/*", "/var/lib/dhcpcd5/*",
        "/var/lib/NetworkManager/*.lease", "/var/lib/NetworkManager/dhclient-*", NULL};
    return remove_globs(g, leases);
}

static int op_udev_net(guestfs_h *g)
{
    static const char *const rules[] = {"/etc/udev/rules.d/70-persistent-net.rules", NULL};
    return remove_globs(g, rules);
}

static int op_bash_history(guestfs_h *g)
{
    static const char *const hist[] = {"/root/.bash_history", "/root/.ash_history",
                                       "/home/*/.bash_history", "/home/*/.ash_history", NULL};
    return remove_globs(g, hist);
}

static int op_tmp_files(guestfs_h *g)
{
    char **paths = guestfs_glob_expand(g, "/tmp/*");
    char **vpaths = guestfs_glob_expand(g, "/var/tmp/*");
    for (char **l = paths; l && *l; l++) {
        guestfs_rm_rf(g, *l);
        free(*l);
    }
    for (char **l = vpaths; l && *l; l++) {
        guestfs_rm_rf(g, *l);
        free(*l);
    }
    free(paths);
    free(vpaths);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(guestfs_h *g);
} ops[] = {
    {"machine-id", op_machine_id},       {"ssh-hostkeys", op_ssh_hostkeys},
    {"logfiles", op_logfiles},           {"dhcp-client-state", op_dhcp},
    {"udev-persistent-net", op_udev_net}, {"bash-history", op_bash_history},
    {"tmp-files", op_tmp_files},
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

/* Which operations run: every default unless --operations says. */
static int pick(const img_spec *s, bool on[N_OPS])
{
    size_t n = s->operations ? json_object_array_length(s->operations) : 0;
    for (size_t i = 0; i < N_OPS; i++)
        on[i] = n == 0;
    for (size_t k = 0; k < n; k++) {
        const char *name = json_object_get_string(json_object_array_get_idx(s->operations, k));
        bool off = name[0] == '-';
        if (off)
            name++;
        if (strcmp(name, "defaults") == 0) {
            for (size_t i = 0; i < N_OPS; i++)
                on[i] = !off;
            continue;
        }
        if (strcmp(name, "customize") == 0)
            continue; /* hostname and first-boot commands: always when given */
        size_t i = 0;
        while (i < N_OPS && strcmp(ops[i].name, name) != 0)
            i++;
        if (i == N_OPS)
            return img_fail("--operations: unknown operation '%s' (known: defaults, machine-id, "
                            "ssh-hostkeys, logfiles, dhcp-client-state, udev-persistent-net, "
                            "bash-history, tmp-files, customize)", name);
        on[i] = !off;
    }
    return 0;
}

int img_sysprep_check(const img_spec *s)
{
    bool on[N_OPS];
    return pick(s, on);
}

int img_sysprep_ops(guestfs_h *g, const img_spec *s)
{
    bool on[N_OPS];
    if (pick(s, on) < 0)
        return -1;
    json_object *done = json_object_new_array();
    json_object_object_add(img_result(), "operations", done);
    for (size_t i = 0; i < N_OPS; i++) {
        if (!on[i])
            continue;
        img_progress(50 + 30.0 * (double)i / N_OPS, "sysprep: %s", ops[i].name);
        if (ops[i].fn(g) < 0)
            return -1;
        json_object_array_add(done, json_object_new_string(ops[i].name));
    }
    return 0;
}
