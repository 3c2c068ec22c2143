/* Secrets: secret-define, secret-dumpxml, secret-list, secret-undefine,
 * secret-set-value, secret-get-value, as virsh's. A value is read from
 * an option, a file or the terminal (echo off), sent once, and wiped. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void wipe(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static int run_define(vr_cli *cli, int argc, char **argv)
{
    const char *file = NULL;
    int rc;
    char *xml = NULL;
    vireo_conn *c = vr_cli_begin_file(cli, &vr_cmd_secret_define, argc, argv, NULL, &file, &xml, &rc);
    if (!c)
        return rc;
    vireo_secret s = {0};
    int r = vireo_secret_define(c, xml, &s);
    free(xml);
    rc = vr_cli_done(c, r, "Secret", false, s.uuid, "created");
    vireo_secret_clear(&s);
    return rc;
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *uuid = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_secret_dumpxml, argc, argv, NULL, &uuid, 1, 1, &rc);
    if (!c)
        return rc;
    return vr_cli_print_text(c, vireo_secret_xml(c, uuid));
}

static int run_undefine(vr_cli *cli, int argc, char **argv)
{
    const char *uuid = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_secret_undefine, argc, argv, NULL, &uuid, 1, 1, &rc);
    if (!c)
        return rc;
    return vr_cli_done(c, vireo_secret_undefine(c, uuid), "Secret", false, uuid, "deleted");
}

static int run_list(vr_cli *cli, int argc, char **argv)
{
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_secret_list, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    vireo_secret *list;
    size_t n;
    if (vireo_secret_list(c, &list, &n) < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    json_object *arr = json ? json_object_new_array() : NULL;
    vr_table *t = vr_table_new(2, (const char *const[]){"UUID", "Usage"});
    for (size_t i = 0; i < n; i++) {
        const vireo_secret *s = &list[i];
        if (json) {
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_secret, s));
            continue;
        }
        char *usage = s->usage_id ? vr_asprintf("%s %s", s->usage_type, s->usage_id) : vr_strdup("Unused");
        vr_table_add(t, (const char *const[]){s->uuid, usage});
        free(usage);
    }
    if (json)
        vr_cli_print_json(arr);
    else
        vr_table_print(t, stdout);
    vr_table_free(t);
    vireo_secret_list_free(list, n);
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

/* One line from the terminal with echo off. */
static char *read_hidden(void)
{
    struct termios saved, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        fprintf(stderr, "Enter new value for secret: ");
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n')
        line[n - 1] = '\0';
    return line;
}

/* The value in a file: all of it (--plain), or base64 text (trimmed). */
static char *read_value_file(const char *path, bool plain)
{
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    if (f) {
        buf = vr_malloc(64 * 1024 + 2);
        len = fread(buf, 1, 64 * 1024 + 1, f);
        buf[len] = '\0';
        fclose(f);
    }
    if (!buf) {
        fprintf(stderr, "vireo: error: cannot read %s: %m\n", path);
        return NULL;
    }
    if (len > 64 * 1024 || strlen(buf) != len) {
        fprintf(stderr, "vireo: error: %s is %s; a secret file holds at most 64 KiB of text (base64 for "
                        "binary values)\n", path, len > 64 * 1024 ? "too large" : "binary");
        wipe(buf);
        return NULL;
    }
    if (!plain)
        vr_str_trim(buf);
    return buf;
}

static int run_set_value(vr_cli *cli, int argc, char **argv)
{
    const char *uuid = NULL, *b64 = NULL, *file = NULL;
    bool plain = false, interactive = false;
    const vr_opt opts[] = {{"base64", true, NULL, &b64}, {"file", true, NULL, &file},
                           {"plain", false, &plain, NULL}, {"interactive", false, &interactive, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_secret_set_value, argc, argv, opts, &uuid, 1, 1, &rc);
    if (!c)
        return rc;
    if ((b64 != NULL) + (file != NULL) + interactive > 1 || (plain && !file)) {
        vireo_disconnect(c);
        return vr_cli_usage(&vr_cmd_secret_set_value, "give one of --base64 B64, --file FILE [--plain] or "
                                                        "--interactive");
    }
    char *value = NULL;
    bool as_text = interactive || plain || (!b64 && !file);
    if (file)
        value = read_value_file(file, plain);
    else if (!b64)
        value = read_hidden();
    if (!b64 && !value) {
        vireo_disconnect(c);
        return VR_EXIT_FAIL;
    }
    int r = as_text ? vireo_secret_set_value_plain(c, uuid, value)
                    : vireo_secret_set_value(c, uuid, b64 ? b64 : value);
    wipe(value);
    if (r < 0) {
        rc = vr_cli_fail(c);
        vireo_disconnect(c);
        return rc;
    }
    puts("Secret value set");
    vireo_disconnect(c);
    return VR_EXIT_OK;
}

static int run_get_value(vr_cli *cli, int argc, char **argv)
{
    const char *uuid = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_secret_get_value, argc, argv, NULL, &uuid, 1, 1, &rc);
    if (!c)
        return rc;
    char *v = vireo_secret_get_value(c, uuid);
    rc = v ? VR_EXIT_OK : vr_cli_fail(c);
    if (v)
        puts(v);
    wipe(v);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_secret_define = {"secret-define", "Define a secret from libvirt secret XML.", "FILE",
                                         run_define};
const vr_command vr_cmd_secret_dumpxml = {"secret-dumpxml", "A secret's XML (never its value).", "UUID",
                                          run_dumpxml};
const vr_command vr_cmd_secret_list = {"secret-list", "Secrets: UUID and usage.", "[--json]", run_list};
const vr_command vr_cmd_secret_undefine = {"secret-undefine", "Remove a secret and its value.", "UUID",
                                           run_undefine};
const vr_command vr_cmd_secret_set_value = {
    "secret-set-value", "Set a secret's value (the terminal asks when no option gives it).",
    "UUID [--base64 B64 | --file FILE [--plain] | --interactive]", run_set_value};
const vr_command vr_cmd_secret_get_value = {"secret-get-value", "Print a secret's value as base64.", "UUID",
                                            run_get_value};
