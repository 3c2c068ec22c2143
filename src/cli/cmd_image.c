/* vireo builder, sysprep, customize, sparsify, resize and template: the
 * libguestfs tools' jobs (virt-builder, virt-sysprep, virt-customize,
 * virt-sparsify, virt-resize) done by the daemon as jobs with progress.
 * Paths are on the daemon's host; relative ones are made absolute from
 * the current directory (for a local daemon). */
#include "cli/cli.h"
#include "conf/units.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options that may be given many times (the generic parser keeps the
 * last value only): taken out of argv before it runs. */
typedef struct {
    const char *name;
    const char **vals;
    size_t n;
} multi;

typedef struct {
    multi add, ssh, install, run, firstboot;
    char **rest;
    int nrest;
} multis;

static void take_multi(multis *m, int argc, char **argv)
{
    multi *all[] = {&m->add, &m->ssh, &m->install, &m->run, &m->firstboot};
    m->add.name = "add";
    m->ssh.name = "ssh-inject";
    m->install.name = "install";
    m->run.name = "run-command";
    m->firstboot.name = "firstboot-command";
    m->rest = vr_calloc((size_t)argc + 1, sizeof(*m->rest));
    for (size_t k = 0; k < 5; k++)
        all[k]->vals = vr_calloc((size_t)argc + 1, sizeof(char *));
    for (int i = 0; i < argc; i++) {
        bool taken = false;
        for (size_t k = 0; k < 5 && !taken && i > 0; k++) {
            size_t len = strlen(all[k]->name);
            const char *a = argv[i];
            if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, all[k]->name, len) != 0)
                continue;
            if (a[2 + len] == '=') {
                all[k]->vals[all[k]->n++] = a + 3 + len;
                taken = true;
            } else if (a[2 + len] == 0 && i + 1 < argc) {
                all[k]->vals[all[k]->n++] = argv[++i];
                taken = true;
            }
        }
        if (!taken)
            m->rest[m->nrest++] = argv[i];
    }
}

static void multis_free(multis *m)
{
    free(m->add.vals);
    free(m->ssh.vals);
    free(m->install.vals);
    free(m->run.vals);
    free(m->firstboot.vals);
    free(m->rest);
}

/* Every string this command made (absolute paths, keys, lists). */
typedef struct {
    char **s;
    size_t n;
} owned;

static const char *keep(owned *o, char *s)
{
    o->s = vr_realloc(o->s, (o->n + 1) * sizeof(*o->s));
    return o->s[o->n++] = s;
}

static void owned_free(owned *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->s[i]);
    free(o->s);
}

static const char *absolute(owned *o, const char *path)
{
    if (!path || path[0] == '/')
        return path;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return path;
    return keep(o, vr_asprintf("%s/%s", cwd, path));
}

/* --ssh-inject USER:file:KEYFILE or USER:string:KEY (virt-builder's). */
static int ssh_inject(const vr_command *cmd, owned *o, const char *spec, const char **user, const char **key)
{
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || c1 == spec)
        return vr_cli_usage(cmd, "--ssh-inject %s: expected USER:file:KEYFILE or USER:string:KEY", spec);
    *user = keep(o, vr_strndup(spec, (size_t)(c1 - spec)));
    if (strncmp(c1 + 1, "string:", 7) == 0) {
        *key = c2 + 1;
        return 0;
    }
    if (strncmp(c1 + 1, "file:", 5) != 0)
        return vr_cli_usage(cmd, "--ssh-inject %s: expected USER:file:KEYFILE or USER:string:KEY", spec);
    char *text = vr_cli_read_file(c2 + 1);
    if (!text)
        return VR_EXIT_FAIL;
    text[strcspn(text, "\r\n")] = 0;
    if (!text[0]) {
        free(text);
        return vr_cli_error("--ssh-inject: %s holds no public key", c2 + 1);
    }
    *key = keep(o, text);
    return 0;
}

/* "a,b c" -> ["a", "b", "c"] appended to list. */
static void split_list(owned *o, const char *text, const char ***list, size_t *n)
{
    char *copy = vr_strdup(text), *save = NULL;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        *list = vr_realloc(*list, (*n + 1) * sizeof(**list));
        (*list)[(*n)++] = keep(o, vr_strdup(t));
    }
    free(copy);
}

/* The editing options shared by builder, sysprep, customize, template. */
typedef struct {
    const char *hostname, *root_password, *timezone, *operations;
} edit_opts;

#define EDIT_OPTS(e)                                                                               \
    {"hostname", true, NULL, &(e).hostname}, {"root-password", true, NULL, &(e).root_password},    \
        {"timezone", true, NULL, &(e).timezone}

static int fill_edit(const vr_command *cmd, owned *o, const multis *m, const edit_opts *e,
                     vireo_image_params *p)
{
    p->hostname = e->hostname;
    p->root_password = e->root_password;
    p->timezone = e->timezone;
    const char **users = vr_calloc(m->ssh.n + 1, sizeof(*users)), **keys = vr_calloc(m->ssh.n + 1, sizeof(*keys));
    keep(o, (char *)users);
    keep(o, (char *)keys);
    for (size_t i = 0; i < m->ssh.n; i++) {
        int rc = ssh_inject(cmd, o, m->ssh.vals[i], &users[i], &keys[i]);
        if (rc)
            return rc;
    }
    p->ssh_users = users;
    p->ssh_keys = keys;
    p->n_ssh = m->ssh.n;
    const char **install = NULL;
    size_t n_install = 0;
    for (size_t i = 0; i < m->install.n; i++)
        split_list(o, m->install.vals[i], &install, &n_install);
    if (install)
        keep(o, (char *)install);
    p->install = install;
    p->n_install = n_install;
    p->run = m->run.vals;
    p->n_run = m->run.n;
    p->firstboot = m->firstboot.vals;
    p->n_firstboot = m->firstboot.n;
    if (e->operations) {
        const char **ops = NULL;
        size_t n_ops = 0;
        split_list(o, e->operations, &ops, &n_ops);
        if (ops)
            keep(o, (char *)ops);
        p->operations = ops;
        p->n_operations = n_ops;
    }
    return 0;
}

/* Follow the job: a bar on a terminal, else each new step on a line
 * (builds take minutes; logs should say where they are). */
static void on_job(const vireo_job *j, void *opaque)
{
    char **last = opaque;
    const char *step = j->step ? j->step : "";
    if (isatty(STDERR_FILENO)) {
        vr_cli_progress(step, j->progress);
    } else if (!*last || strcmp(*last, step) != 0) {
        if (*step)
            fprintf(stderr, "[%5.1f%%] %s\n", j->progress, step);
        free(*last);
        *last = vr_strdup(step);
    }
}

/* Wait for the job; its result JSON into *result (put it). */
static int wait_job(vireo_conn *c, int id, json_object **result)
{
    char *last = NULL;
    vireo_job j = {0};
    int r = vireo_job_wait(c, id, on_job, &last, &j);
    vr_cli_progress_end();
    free(last);
    *result = r == 0 && j.result ? json_tokener_parse(j.result) : NULL;
    vireo_job_clear(&j);
    return r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static double jnum(json_object *o, const char *key)
{
    json_object *v;
    return o && json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : -1;
}

static int parse_size(const vr_command *cmd, const char *text, unsigned long long *out)
{
    char *err = NULL;
    if (text && vr_size_parse(text, 1, out, &err) < 0) {
        int rc = vr_cli_usage(cmd, "--size: %s", err);
        free(err);
        return rc;
    }
    return 0;
}

/* The end of builder, sysprep, customize, template: the root password
 * a build or an edit set at random, and the clean-up. */
static int finish(vireo_conn *c, owned *o, multis *m, json_object *result, int rc)
{
    if (rc == VR_EXIT_OK && jstr(result, "root_password"))
        printf("Root password: %s\n", jstr(result, "root_password"));
    json_object_put(result);
    if (c)
        vireo_disconnect(c);
    owned_free(o);
    multis_free(m);
    return rc;
}

/* ---- builder ---- */

static int list_os(vireo_conn *c)
{
    int id = vireo_image_start(c, "list", NULL);
    json_object *r = NULL, *arr = NULL;
    int rc = id < 0 ? vr_cli_fail(c) : wait_job(c, id, &r);
    if (rc)
        return rc;
    const char *headers[] = {"OS", "Description", "Buildable here"};
    vr_table *t = vr_table_new(3, headers);
    json_object_object_get_ex(r, "os", &arr);
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i), *av = NULL;
        json_object_object_get_ex(o, "available", &av);
        char *why = json_object_get_boolean(av) ? vr_strdup("yes")
                                                 : vr_asprintf("no: %s", jstr(o, "reason") ? jstr(o, "reason") : "");
        const char *cells[] = {jstr(o, "name"), jstr(o, "description"), why};
        vr_table_add(t, cells);
        free(why);
    }
    vr_table_print(t, stdout);
    vr_table_free(t);
    json_object_put(r);
    return VR_EXIT_OK;
}

static int run_builder(vr_cli *cli, int argc, char **argv)
{
    multis m = {0};
    take_multi(&m, argc, argv);
    edit_opts e = {0};
    const char *os = NULL, *output = NULL, *pool = NULL, *name = NULL, *size = NULL, *format = NULL;
    bool list = false, force = false;
    const vr_opt opts[] = {EDIT_OPTS(e), {"output", true, NULL, &output}, {"o", true, NULL, &output},
                           {"pool", true, NULL, &pool}, {"name", true, NULL, &name},
                           {"size", true, NULL, &size}, {"format", true, NULL, &format},
                           {"list", false, &list, NULL}, {"force", false, &force, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_builder, m.nrest, m.rest, opts, &os, 0, 1, &rc);
    owned o = {0};
    vireo_image_params p = {0};
    if (!c)
        return finish(c, &o, &m, NULL, rc);
    if (list) {
        rc = list_os(c);
        return finish(c, &o, &m, NULL, rc);
    }
    if (!os) {
        rc = vr_cli_usage(&vr_cmd_builder, "name the OS to build (vireo builder --list shows them)");
        return finish(c, &o, &m, NULL, rc);
    }
    if (!output && !pool) {
        rc = vr_cli_usage(&vr_cmd_builder, "give --output FILE or --pool POOL --name VOL");
        return finish(c, &o, &m, NULL, rc);
    }
    if ((rc = parse_size(&vr_cmd_builder, size, &p.size)) || (rc = fill_edit(&vr_cmd_builder, &o, &m, &e, &p)))
        return finish(c, &o, &m, NULL, rc);
    p.os = os;
    p.output = absolute(&o, output);
    p.pool = pool;
    p.volume = name;
    p.format = format;
    p.force = force;
    if (!p.root_password)
        p.root_password = "random"; /* as virt-builder: printed at the end */
    int id = vireo_image_start(c, "build", &p);
    json_object *r = NULL;
    rc = id < 0 ? vr_cli_fail(c) : wait_job(c, id, &r);
    if (rc == VR_EXIT_OK) {
        printf("Built %s: %s\n", os, jstr(r, "output") ? jstr(r, "output") : "");
        printf("Build time: %.1f s%s\n", jnum(r, "seconds"),
               json_object_get_boolean(json_object_object_get(r, "cached")) ? " (base image from the cache)" : "");
        if (jnum(r, "mmdebstrap_seconds") >= 0)
            printf("  mmdebstrap: %.1f s\n", jnum(r, "mmdebstrap_seconds"));
        if (jnum(r, "base_seconds") >= 0)
            printf("  base image: %.1f s\n", jnum(r, "base_seconds"));
    }
    return finish(c, &o, &m, r, rc);
}

/* ---- sysprep, customize, template ---- */

static int edit_command(vr_cli *cli, const vr_command *cmd, const char *tool, int argc, char **argv)
{
    multis m = {0};
    take_multi(&m, argc, argv);
    edit_opts e = {0};
    const char *domain = NULL;
    bool sysprep = strcmp(tool, "customize") != 0;
    vr_opt opts[] = {EDIT_OPTS(e), {"operations", true, NULL, &e.operations}, {0}};
    if (!sysprep)
        opts[3] = (vr_opt){0};
    int rc;
    size_t max = strcmp(tool, "template") == 0 || m.add.n == 0 ? 1 : 0;
    vireo_conn *c = vr_cli_begin(cli, cmd, m.nrest, m.rest, opts, &domain, max, 1, &rc);
    owned o = {0};
    vireo_image_params p = {0};
    if (!c)
        return finish(c, &o, &m, NULL, rc);
    if (m.add.n && strcmp(tool, "template") == 0) {
        rc = vr_cli_usage(cmd, "a template is a domain: vireo template DOMAIN");
        return finish(c, &o, &m, NULL, rc);
    }
    if ((rc = fill_edit(cmd, &o, &m, &e, &p)))
        return finish(c, &o, &m, NULL, rc);
    const char **add = vr_calloc(m.add.n + 1, sizeof(*add));
    keep(&o, (char *)add);
    for (size_t i = 0; i < m.add.n; i++)
        add[i] = absolute(&o, m.add.vals[i]);
    p.add = add;
    p.n_add = m.add.n;
    p.domain = domain;
    int id = strcmp(tool, "template") == 0 ? vireo_domain_template(c, domain, &p) : vireo_image_start(c, tool, &p);
    json_object *r = NULL;
    rc = id < 0 ? vr_cli_fail(c) : wait_job(c, id, &r);
    if (rc == VR_EXIT_OK) {
        const char *what = domain ? domain : add[0];
        if (strcmp(tool, "template") == 0)
            printf("Domain '%s' is now a template (new VMs: vireo clone --from-template %s --name NEW)\n",
                   domain, domain);
        else
            printf("%s %s%s\n", sysprep ? "Sysprep of" : "Customized", what, sysprep ? " done" : "");
        json_object *ops = NULL;
        if (sysprep && r && json_object_object_get_ex(r, "operations", &ops))
            printf("Operations: %s\n", json_object_to_json_string_ext(ops, JSON_C_TO_STRING_PLAIN));
    }
    return finish(c, &o, &m, r, rc);
}

static int run_sysprep(vr_cli *cli, int argc, char **argv)
{
    return edit_command(cli, &vr_cmd_sysprep, "sysprep", argc, argv);
}

static int run_customize(vr_cli *cli, int argc, char **argv)
{
    return edit_command(cli, &vr_cmd_customize, "customize", argc, argv);
}

static int run_template(vr_cli *cli, int argc, char **argv)
{
    return edit_command(cli, &vr_cmd_template, "template", argc, argv);
}

/* ---- sparsify, resize ---- */

static int run_sparsify(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *format = NULL;
    bool compress = false, in_place = false, force = false;
    const vr_opt opts[] = {{"compress", false, &compress, NULL}, {"in-place", false, &in_place, NULL},
                           {"force", false, &force, NULL}, {"convert", true, NULL, &format},
                           {"format", true, NULL, &format}, {0}};
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_sparsify, argc, argv, opts, pos, 1, 2, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    if (in_place == !!pos[1])
        return vr_cli_usage(&vr_cmd_sparsify, in_place ? "--in-place takes the image alone (no OUT)"
                                                       : "give IN and OUT, or --in-place IN");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    owned o = {0};
    vireo_image_params p = {.input = absolute(&o, pos[0]), .output = absolute(&o, pos[1]), .format = format,
                            .compress = compress, .in_place = in_place, .force = force};
    int id = vireo_image_start(c, "sparsify", &p);
    json_object *result = NULL;
    int rc = id < 0 ? vr_cli_fail(c) : wait_job(c, id, &result);
    if (rc == VR_EXIT_OK)
        printf("Sparsified %s%s%s\n", p.input, in_place ? " in place" : " into ", in_place ? "" : p.output);
    json_object_put(result);
    vireo_disconnect(c);
    owned_free(&o);
    return rc;
}

static int run_resize(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *format = NULL, *expand = NULL, *size = NULL;
    bool force = false;
    const vr_opt opts[] = {{"expand", true, NULL, &expand}, {"size", true, NULL, &size},
                           {"format", true, NULL, &format}, {"output-format", true, NULL, &format},
                           {"force", false, &force, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_resize, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    owned o = {0};
    vireo_image_params p = {.input = absolute(&o, pos[0]), .output = absolute(&o, pos[1]), .format = format,
                            .expand = expand, .force = force};
    if (!expand || !size) {
        rc = vr_cli_usage(&vr_cmd_resize, "--expand PART and --size SIZE (the new disk's) are needed");
    } else if (!(rc = parse_size(&vr_cmd_resize, size, &p.size))) {
        int id = vireo_image_start(c, "resize", &p);
        json_object *r = NULL;
        rc = id < 0 ? vr_cli_fail(c) : wait_job(c, id, &r);
        if (rc == VR_EXIT_OK) {
            char b[32];
            printf("Resized %s into %s: %s grown to %s", p.input, p.output, expand,
                   vr_cli_size((unsigned long long)jnum(r, "partition_bytes"), b));
            printf(jstr(r, "filesystem") ? " (%s grown too)\n" : "\n", jstr(r, "filesystem"));
            if (jstr(r, "notice"))
                printf("Notice: %s\n", jstr(r, "notice"));
        }
        json_object_put(r);
    }
    vireo_disconnect(c);
    owned_free(&o);
    return rc;
}

#define EDIT_USAGE "[--hostname H] [--root-password password:X|random|disabled] [--timezone TZ] " \
                   "[--ssh-inject USER:file:KEY]... [--install PKGS]... [--run-command CMD]... "    \
                   "[--firstboot-command CMD]..."

const vr_command vr_cmd_builder = {
    "builder",
    "Build a bootable image from distribution packages (virt-builder): mmdebstrap + libguestfs, cached.",
    "OS --output FILE | --pool POOL --name VOL [--size 6G] [--format qcow2|raw] [--force] " EDIT_USAGE
    " | --list",
    run_builder,
};
const vr_command vr_cmd_sysprep = {
    "sysprep",
    "Reset a shut-off domain's disks (or image files) to a new machine (virt-sysprep).",
    "DOMAIN | --add FILE... [--operations LIST] " EDIT_USAGE,
    run_sysprep,
};
const vr_command vr_cmd_customize = {
    "customize",
    "Edit the OS in a shut-off domain's disks or image files (virt-customize).",
    "DOMAIN | --add FILE... " EDIT_USAGE,
    run_customize,
};
const vr_command vr_cmd_template = {
    "template",
    "Seal a shut-off domain (sysprep) and make it a template for linked clones; it no longer starts.",
    "DOMAIN [--operations LIST] " EDIT_USAGE,
    run_template,
};
const vr_command vr_cmd_sparsify = {
    "sparsify",
    "Make free space inside an image's filesystems into holes (virt-sparsify).",
    "[--compress] [--format qcow2|raw] [--force] IN OUT | --in-place IN",
    run_sparsify,
};
const vr_command vr_cmd_resize = {
    "resize",
    "Copy an image into a bigger one, growing its last partition and filesystem (virt-resize).",
    "--expand PART --size SIZE [--format qcow2|raw] [--force] IN OUT",
    run_resize,
};
