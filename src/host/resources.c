#include "host/resources.h"
#include "common/child.h"
#include "common/file.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t vr_meminfo_kib(const char *text, const char *field)
{
    size_t len = strlen(field);
    /* A field starts its line and ends at the colon: "Active" matches
     * neither "Active(anon)" nor "SwapActive". */
    for (const char *p = text; p && *p;) {
        if (strncmp(p, field, len) == 0 && p[len] == ':')
            return strtoull(p + len + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

uint64_t vr_meminfo_total(const char *text)
{
    return vr_meminfo_kib(text, "MemTotal") * 1024;
}

int vr_disk_free(const char *path, uint64_t *free_bytes, char **measured_at)
{
    char *p = vr_strdup(path);
    for (;;) {
        struct statvfs st;
        if (statvfs(p, &st) == 0) {
            *free_bytes = (uint64_t)st.f_bavail * st.f_frsize;
            *measured_at = p;
            return 0;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            if (strcmp(p, "/") == 0) {
                free(p);
                return -1;
            }
            strcpy(p, "/");
            continue;
        }
        *slash = '\0';
    }
}

char *vr_which(const char *prog)
{
    const char *path = getenv("PATH");
    char *copy = vr_strdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    char *save = NULL, *found = NULL;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *cand = vr_asprintf("%s/%s", d, prog);
        if (access(cand, X_OK) == 0)
            found = cand;
        else
            free(cand);
    }
    /* dnsmasq and friends live in sbin, which an ordinary user's PATH
     * may lack. */
    const char *sbins[] = {"/usr/sbin", "/sbin"};
    for (size_t i = 0; i < VR_ARRAY_LEN(sbins) && !found; i++) {
        char *cand = vr_asprintf("%s/%s", sbins[i], prog);
        if (access(cand, X_OK) == 0)
            found = cand;
        else
            free(cand);
    }
    free(copy);
    return found;
}

int vr_tool_run(char *const argv[], size_t max, char **out)
{
    /* stderr apart, so only stdout is kept. */
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true};
    vr_child_result r;
    if (vr_child_run(&s, &r, NULL) < 0)
        return -1;
    if (strlen(r.out) > max)
        r.out[max] = '\0';
    if (out) {
        *out = r.out;
        r.out = NULL;
    }
    int code = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
    vr_child_result_clear(&r);
    return code;
}

static int capture(char *const argv[], char **out)
{
    return vr_tool_run(argv, 4095, out);
}

char *vr_tool_version(const char *prog)
{
    char *path = vr_which(prog);
    if (!path)
        return NULL;
    char *argv[] = {path, "--version", NULL};
    char *out = NULL;
    capture(argv, &out);
    free(path);
    if (!out)
        return vr_strdup("unknown version");
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    /* Keep the version, not the copyright notice some tools append
     * after two spaces. */
    char *two = strstr(out, "  ");
    if (two)
        *two = '\0';
    char *line = vr_strdup(vr_str_trim(out));
    free(out);
    return line;
}

int vr_cgroup_controllers(char **controllers)
{
    char *text = vr_file_read("/sys/fs/cgroup/cgroup.controllers", NULL);
    int version = 2;
    if (!text) {
        version = 1;
        text = vr_file_read("/sys/fs/cgroup/unified/cgroup.controllers", NULL);
    }
    *controllers = vr_strdup(text ? vr_str_trim(text) : "");
    free(text);
    return version;
}

char *vr_kvm_module(int *nested)
{
    static const char *mods[] = {"kvm_intel", "kvm_amd"};
    *nested = -1;
    for (size_t i = 0; i < VR_ARRAY_LEN(mods); i++) {
        char *dir = vr_asprintf("/sys/module/%s", mods[i]);
        bool loaded = vr_path_exists(dir);
        free(dir);
        if (!loaded)
            continue;
        char *p = vr_asprintf("/sys/module/%s/parameters/nested", mods[i]);
        char *v = vr_file_read(p, NULL);
        free(p);
        if (v) {
            char c = vr_str_trim(v)[0];
            *nested = (c == '1' || c == 'Y' || c == 'y') ? 1 : 0;
            free(v);
        }
        return vr_strdup(mods[i]);
    }
    /* Any other vendor module (kvm_pvm, ...) says KVM is provided some
     * other way; nested does not apply to it. */
    DIR *d = opendir("/sys/module");
    char *other = NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) && !other)
        if (vr_str_starts(e->d_name, "kvm_"))
            other = vr_strdup(e->d_name);
    if (d)
        closedir(d);
    return other;
}

int vr_bridge_probe(char **why, const char **why_code)
{
    if (geteuid() != 0) {
        *why = vr_strdup("only root can test it");
        *why_code = "not-root";
        return -1;
    }
    char *ip = vr_which("ip");
    if (!ip) {
        *why = vr_strdup("the `ip` tool (iproute2) is missing");
        *why_code = "no-ip-tool";
        return -1;
    }
    /* A private network namespace dies with this child, and every
     * link made in it with it: the host is never touched. */
    char *argv[] = {ip, "link", "add", "vrprobe0", "type", "bridge", NULL};
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_NULL, .new_netns = true};
    vr_child_result r;
    char *err = NULL;
    int rc = vr_child_run(&s, &r, &err);
    free(ip);
    if (rc < 0) {
        *why = err;
        *why_code = "fork-failed";
        return -1;
    }
    int code = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
    if (code == 0)
        return 1;
    if (code == 126) {
        *why = vr_strdup("could not make a network namespace to test in");
        *why_code = "no-netns";
        return -1;
    }
    *why = vr_strdup("the kernel refused to create a bridge (module `bridge` missing?)");
    *why_code = "refused";
    return 0;
}
