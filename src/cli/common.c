/* Helpers every command uses: connecting, errors, files, tables. */
#include "cli/cli.h"
#include "common/child.h"
#include "common/file.h"
#include "common/util.h"
#include "vireo/vireo.h"

#include <json-c/json.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

vireo_conn *vr_cli_connect(vr_cli *cli)
{
    char *err = NULL;
    vireo_conn *c = vireo_connect(cli->uri, &err);
    if (!c) {
        fprintf(stderr, "vireo: error: %s\n", err);
        free(err);
    }
    return c;
}

vireo_conn *vr_cli_begin(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                         const char **pos, size_t min, size_t max, int *rc)
{
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, min, max, &npos);
    if (r) {
        *rc = r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
        return NULL;
    }
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        *rc = VR_EXIT_FAIL;
    return c;
}

vireo_conn *vr_cli_begin_one(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const char *flag, bool *on,
                             const char **name, int *rc)
{
    const vr_opt opts[] = {{flag, false, on, NULL}, {0}};
    return vr_cli_begin(cli, cmd, argc, argv, opts, name, 1, 1, rc);
}

int vr_cli_run_autostart(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const char *kind, bool quote,
                         int (*set)(vireo_conn *, const char *, bool))
{
    const char *name = NULL;
    bool disable = false;
    int rc;
    vireo_conn *c = vr_cli_begin_one(cli, cmd, argc, argv, "disable", &disable, &name, &rc);
    if (!c)
        return rc;
    return vr_cli_done(c, set(c, name, !disable), kind, quote, name,
                       disable ? "unmarked as autostarted" : "marked as autostarted");
}

vireo_conn *vr_cli_begin_file(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                              const char **file, char **xml, int *rc)
{
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, file, 1, 1, rc);
    if (!c)
        return NULL;
    *xml = vr_cli_read_file(*file);
    if (!*xml) {
        vireo_disconnect(c);
        *rc = VR_EXIT_FAIL;
        return NULL;
    }
    return c;
}

int vr_cli_done(vireo_conn *c, int result, const char *kind, bool quote, const char *name, const char *what)
{
    int rc = VR_EXIT_OK;
    if (result < 0)
        rc = vr_cli_fail(c);
    else if (quote)
        printf("%s '%s' %s\n", kind, name, what);
    else
        printf("%s %s %s\n", kind, name, what);
    vireo_disconnect(c);
    return rc;
}

void vr_cli_print_json(json_object *o)
{
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

void vr_cli_print_list(bool json, json_object *arr, vr_table *t)
{
    if (json)
        vr_cli_print_json(json_object_get(arr));
    else
        vr_table_print(t, stdout);
    json_object_put(arr);
    vr_table_free(t);
}

int vr_cli_fail(vireo_conn *c)
{
    fprintf(stderr, "vireo: error: %s\n", vireo_last_error(c));
    return VR_EXIT_FAIL;
}

char *vr_cli_read_file(const char *path)
{
    char *text = vr_file_read(strcmp(path, "-") == 0 ? "/dev/stdin" : path, NULL);
    if (!text)
        fprintf(stderr, "vireo: error: cannot read %s: %s\n", path, strerror(errno));
    return text;
}

int vr_cli_help(const vr_command *cmd)
{
    printf("usage: vireo %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
    return VR_EXIT_OK;
}

struct vr_table {
    size_t ncols, nrows;
    char **cells; /* row-major, header row first */
};

vr_table *vr_table_new(size_t ncols, const char *const *headers)
{
    vr_table *t = vr_calloc(1, sizeof(*t));
    t->ncols = ncols;
    vr_table_add(t, headers);
    return t;
}

void vr_table_add(vr_table *t, const char *const *cells)
{
    t->cells = vr_realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(char *));
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = vr_strdup(cells[i] ? cells[i] : "-");
    t->nrows++;
}

/* Display width of UTF-8 text (names may hold non-ASCII): count code
 * points, not bytes. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

void vr_table_print(vr_table *t, FILE *out)
{
    size_t *w = vr_calloc(t->ncols, sizeof(*w));
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++)
            if (width(t->cells[r * t->ncols + c]) > w[c])
                w[c] = width(t->cells[r * t->ncols + c]);
    size_t total = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            bool last = c + 1 == t->ncols;
            fprintf(out, " %s", cell);
            if (!last)
                fprintf(out, "%*s", (int)(w[c] - width(cell) + 2), "");
            if (r == 0)
                total += w[c] + (last ? 1 : 3);
        }
        fputc('\n', out);
        if (r == 0) {
            /* virsh's rule: 3 dashes more than each column's width. */
            for (size_t i = 0; i < total + 2; i++)
                fputc('-', out);
            fputc('\n', out);
        }
    }
    free(w);
}

void vr_table_free(vr_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

int vr_cli_parse(const vr_command *cmd, int argc, char **argv, const vr_opt *opts,
                 const char **pos, size_t min_pos, size_t max_pos, size_t *npos)
{
    size_t n = 0;
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
            if (n < max_pos) {
                pos[n++] = a;
                continue;
            }
            const vr_opt *o = opts;
            while (o && o->name && !(o->positional && !*o->value))
                o++;
            if (!o || !o->name) {
                vr_cli_usage(cmd, "unexpected argument '%s'", a);
                return -1;
            }
            *o->value = a;
            if (o->set)
                *o->set = true;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            vr_cli_help(cmd);
            return 1;
        }
        const char *name = a + (a[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const vr_opt *o = NULL;
        for (const vr_opt *k = opts; k && k->name; k++)
            if (strlen(k->name) == len && strncmp(k->name, name, len) == 0)
                o = k;
        if (!o) {
            vr_cli_usage(cmd, "unknown option '%s'", a);
            return -1;
        }
        if (!o->has_arg) {
            if (eq) {
                vr_cli_usage(cmd, "option '--%s' takes no value", o->name);
                return -1;
            }
            *o->set = true;
            continue;
        }
        if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            vr_cli_usage(cmd, "option '--%s' needs a value", o->name);
            return -1;
        }
        if (o->set)
            *o->set = true;
    }
    if (n < min_pos) {
        vr_cli_usage(cmd, "missing argument");
        return -1;
    }
    *npos = n;
    return 0;
}

/* Run $VISUAL/$EDITOR (vi by default) on path. */
static int run_editor(const char *path)
{
    const char *ed = getenv("VISUAL");
    if (!ed || !*ed)
        ed = getenv("EDITOR");
    if (!ed || !*ed)
        ed = "vi";
    char *cmd = vr_asprintf("%s \"$1\"", ed);
    /* The editor is the user's: our terminal, our output. */
    char *argv[] = {"sh", "-c", cmd, "sh", (char *)path, NULL};
    vr_child_spec s = {.program = "/bin/sh", .argv = argv, .inherit_stdin = true,
                       .out = VR_CHILD_OUT_INHERIT};
    vr_child_result r;
    int rc = vr_child_run(&s, &r, NULL);
    free(cmd);
    if (rc < 0)
        return -1;
    return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
}

/* `text` in a new temporary file `path` (a mkstemps template, 4-character
 * suffix); false after saying why. */
static bool write_temp(char *path, const char *text)
{
    int fd = mkstemps(path, 4);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        fprintf(stderr, "vireo: error: cannot write a temporary file\n");
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return false;
    }
    close(fd);
    return true;
}

char *vr_cli_edit_text(const char *text)
{
    char path[] = "/tmp/vireo-edit-XXXXXX.txt";
    if (!write_temp(path, text))
        return NULL;
    char *edited = NULL;
    if (run_editor(path) != 0)
        fprintf(stderr, "vireo: error: the editor failed; nothing changed\n");
    else
        edited = vr_file_read(path, NULL);
    unlink(path);
    return edited;
}

int vr_cli_edit_xml(vireo_conn *c, const char *kind, const char *name,
                    char *(*get)(vireo_conn *, const char *), int (*define)(vireo_conn *, const char *))
{
    char *xml = get(c, name);
    if (!xml)
        return vr_cli_fail(c);
    char path[] = "/tmp/vireo-edit-XXXXXX.xml";
    if (!write_temp(path, xml)) {
        free(xml);
        return VR_EXIT_FAIL;
    }
    int rc = VR_EXIT_FAIL;
    for (;;) {
        if (run_editor(path) != 0) {
            fprintf(stderr, "vireo: error: the editor failed; %s '%s' not changed\n", kind, name);
            break;
        }
        char *edited = vr_file_read(path, NULL);
        if (!edited)
            break;
        if (strcmp(edited, xml) == 0) {
            printf("%s '%s' XML configuration not changed.\n", kind, name);
            free(edited);
            rc = VR_EXIT_OK;
            break;
        }
        int r = define(c, edited);
        free(edited);
        if (r == 0) {
            printf("%s '%s' XML configuration edited.\n", kind, name);
            rc = VR_EXIT_OK;
            break;
        }
        fprintf(stderr, "vireo: error: %s\n", vireo_last_error(c));
        if (!isatty(STDIN_FILENO))
            break;
        fprintf(stderr, "Edit again? [y/n]: ");
        char answer[16] = "";
        if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
            break;
    }
    unlink(path);
    free(xml);
    return rc;
}

int vr_cli_print_text(vireo_conn *c, char *text)
{
    int rc = text ? VR_EXIT_OK : vr_cli_fail(c);
    if (text)
        fputs(text, stdout);
    free(text);
    vireo_disconnect(c);
    return rc;
}
