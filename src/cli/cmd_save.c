/* save, restore, managedsave, managedsave-remove, save-image-dumpxml,
 * save-image-define, save-image-edit, domjobinfo and domjobabort, with
 * virsh's options and messages. FILE is read and
 * written by the daemon on its host (as with virsh); a relative FILE is
 * made absolute here, against this command's directory. */
#include "cli/cli.h"
#include "common/strbuf.h"
#include "vireo/vireo.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *absolute(const char *file)
{
    vr_strbuf b = {0};
    char cwd[PATH_MAX];
    if (file[0] != '/' && getcwd(cwd, sizeof(cwd)))
        vr_strbuf_addf(&b, "%s/", cwd);
    vr_strbuf_addf(&b, "%s", file);
    return vr_strbuf_take(&b);
}

/* --running / --paused: restore's final state; -1 after a usage error. */
static int state_flags(const vr_command *cmd, bool running, bool paused)
{
    if (running && paused) {
        vr_cli_usage(cmd, "--running and --paused exclude each other");
        return -1;
    }
    return (running ? VIREO_SAVE_RUNNING : 0) | (paused ? VIREO_SAVE_PAUSED : 0);
}

/* save DOMAIN FILE and restore FILE share their options. */
static int run_save_or_restore(vr_cli *cli, const vr_command *cmd, int argc, char **argv, bool save)
{
    const char *pos[2] = {0}, *xml = NULL;
    bool running = false, paused = false, has_xml = false, bypass = false, verbose = false;
    const vr_opt opts[] = {{"running", false, &running, NULL}, {"paused", false, &paused, NULL},
                           {"xml", true, &has_xml, &xml}, {"bypass-cache", false, &bypass, NULL},
                           {"verbose", false, &verbose, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, save ? 2 : 1, save ? 2 : 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    int flags = state_flags(cmd, running, paused);
    if (flags < 0)
        return VR_EXIT_USAGE;
    /* --xml FILE: the definition the image holds (save) or runs (restore) */
    char *xml_text = has_xml ? vr_cli_read_file(xml) : NULL;
    if (has_xml && !xml_text)
        return VR_EXIT_FAIL;
    vireo_conn *c = vr_cli_connect(cli);
    if (!c) {
        free(xml_text);
        return VR_EXIT_FAIL;
    }
    char *file = absolute(save ? pos[1] : pos[0]);
    r = save ? vireo_domain_save_xml(c, pos[0], file, xml_text, (unsigned)flags)
             : vireo_domain_restore_xml(c, file, xml_text, (unsigned)flags);
    free(xml_text);
    if (r == 0 && save)
        printf("\nDomain '%s' saved to %s\n", pos[0], pos[1]);
    else if (r == 0)
        printf("Domain restored from %s\n", pos[0]);
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    free(file);
    vireo_disconnect(c);
    return rc;
}

static int run_save(vr_cli *cli, int argc, char **argv)
{
    return run_save_or_restore(cli, &vr_cmd_save, argc, argv, true);
}

static int run_restore(vr_cli *cli, int argc, char **argv)
{
    return run_save_or_restore(cli, &vr_cmd_restore, argc, argv, false);
}

/* ---- save-image-dumpxml, save-image-define, save-image-edit ---- */

static char *image_xml_secure(vireo_conn *c, const char *file)
{
    return vireo_save_image_xml(c, file, true);
}

/* save-image-edit's file, for the define it calls back. */
static const char *edited_image;
static unsigned edited_flags;

static int image_define(vireo_conn *c, const char *xml)
{
    return vireo_save_image_define(c, edited_image, xml, edited_flags);
}

/* FILE and --running/--paused of a save-image command, connected; NULL
 * when it should end with *rc. */
static vireo_conn *image_begin(vr_cli *cli, const vr_command *cmd, int argc, char **argv, const vr_opt *extra,
                               const char **pos, size_t npos, char **file, unsigned *flags, int *rc)
{
    bool running = false, paused = false;
    vr_opt opts[8] = {{"running", false, &running, NULL}, {"paused", false, &paused, NULL}};
    for (size_t i = 0; extra && extra[i].name && i < 5; i++)
        opts[2 + i] = extra[i];
    vireo_conn *c = vr_cli_begin(cli, cmd, argc, argv, opts, pos, npos, npos, rc);
    int f = c ? state_flags(cmd, running, paused) : 0;
    if (c && f < 0) {
        vireo_disconnect(c);
        *rc = VR_EXIT_USAGE;
        return NULL;
    }
    *flags = (unsigned)f;
    *file = c ? absolute(pos[0]) : NULL;
    return c;
}

static int run_save_image_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool secure = false;
    const vr_opt extra[] = {{"security-info", false, &secure, NULL}, {0}};
    char *file;
    unsigned flags;
    int rc;
    vireo_conn *c = image_begin(cli, &vr_cmd_save_image_dumpxml, argc, argv, extra, pos, 1, &file, &flags, &rc);
    if (!c)
        return rc;
    rc = vr_cli_print_text(c, vireo_save_image_xml(c, file, secure));
    free(file);
    return rc;
}

static int run_save_image_define(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    char *file;
    unsigned flags;
    int rc;
    vireo_conn *c = image_begin(cli, &vr_cmd_save_image_define, argc, argv, NULL, pos, 2, &file, &flags, &rc);
    if (!c)
        return rc;
    char *xml = vr_cli_read_file(pos[1]);
    if (!xml)
        rc = VR_EXIT_FAIL;
    else if (vireo_save_image_define(c, file, xml, flags) < 0)
        rc = vr_cli_fail(c);
    else
        printf("State file %s updated.\n", pos[0]);
    free(xml);
    free(file);
    vireo_disconnect(c);
    return rc;
}

static int run_save_image_edit(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    char *file;
    int rc;
    vireo_conn *c = image_begin(cli, &vr_cmd_save_image_edit, argc, argv, NULL, pos, 1, &file, &edited_flags, &rc);
    if (!c)
        return rc;
    edited_image = file;
    rc = vr_cli_edit_xml(c, "State file", file, image_xml_secure, image_define);
    free(file);
    vireo_disconnect(c);
    return rc;
}

static int run_managedsave(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_managedsave;
    const char *pos[1] = {0};
    bool running = false, paused = false, bypass = false, verbose = false;
    const vr_opt opts[] = {{"running", false, &running, NULL}, {"paused", false, &paused, NULL},
                           {"bypass-cache", false, &bypass, NULL}, {"verbose", false, &verbose, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    int flags = state_flags(cmd, running, paused);
    if (flags < 0)
        return VR_EXIT_USAGE;
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = vireo_domain_managed_save(c, pos[0], (unsigned)flags);
    if (r == 0)
        printf("\nDomain '%s' state saved by vireo\n", pos[0]);
    int rc = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

static int run_managedsave_remove(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_managedsave_remove, argc, argv, NULL, pos, 1, 1, &rc);
    if (!c)
        return rc;
    if (vireo_domain_managed_save_remove(c, pos[0]) == 0) {
        printf("Removed managedsave image for domain '%s'\n", pos[0]);
        rc = VR_EXIT_OK;
    } else {
        rc = vr_cli_fail(c);
    }
    vireo_disconnect(c);
    return rc;
}

static long long member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static int run_domjobinfo(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domjobinfo, argc, argv, opts, pos, 1, 1, &rc);
    if (!c)
        return rc;
    char *s = vireo_domain_job_json(c, pos[0]);
    json_object *o = s ? json_tokener_parse(s) : NULL, *op = NULL;
    if (!o) {
        rc = vr_cli_fail(c);
    } else if (json) {
        vr_cli_print_json(json_object_get(o));
        rc = VR_EXIT_OK;
    } else if (!json_object_object_get_ex(o, "operation", &op)) {
        printf("%-17s %s\n", "Job type:", "None");
        rc = VR_EXIT_OK;
    } else {
        char b1[32], b2[32], b3[32];
        const char *name = json_object_get_string(op);
        printf("%-17s %s\n", "Job type:", "Unbounded");
        printf("%-17s %c%s\n", "Operation:", name[0] - 32, name + 1);
        printf("%-17s %-12lld ms\n", "Time elapsed:", member(o, "elapsed_ms"));
        if (json_object_object_get_ex(o, "disk_temp_total", NULL)) { /* a pull backup: virsh's two lines */
            printf("%-27s %s\n", "Temporary disk space use:",
                   vr_cli_size((unsigned long long)member(o, "disk_temp_used"), b1));
            printf("%-27s %s\n", "Temporary disk space total:",
                   vr_cli_size((unsigned long long)member(o, "disk_temp_total"), b2));
        } else {
            printf("%-17s %s\n", "Data processed:", vr_cli_size((unsigned long long)member(o, "data_processed"), b1));
            printf("%-17s %s\n", "Data remaining:", vr_cli_size((unsigned long long)member(o, "data_remaining"), b2));
            printf("%-17s %s\n", "Data total:", vr_cli_size((unsigned long long)member(o, "data_total"), b3));
        }
        rc = VR_EXIT_OK;
    }
    json_object_put(o);
    free(s);
    vireo_disconnect(c);
    return rc;
}

static int run_domjobabort(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_domjobabort, argc, argv, NULL, pos, 1, 1, &rc);
    if (!c)
        return rc;
    rc = vireo_domain_job_abort(c, pos[0]) < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_save = {
    "save", "Save a running domain's state (memory and devices) to FILE and shut it off; restore resumes it.",
    "DOMAIN FILE [--running | --paused] [--xml XMLFILE]", run_save};
const vr_command vr_cmd_restore = {
    "restore", "Run a domain again from a file that save wrote, where it left off.",
    "FILE [--running | --paused] [--xml XMLFILE]", run_restore};
const vr_command vr_cmd_save_image_dumpxml = {
    "save-image-dumpxml", "Print the domain XML a save image holds (passwords with --security-info).",
    "FILE [--security-info]", run_save_image_dumpxml};
const vr_command vr_cmd_save_image_define = {
    "save-image-define", "Replace the domain XML a save image holds (the same devices; paths may change).",
    "FILE XMLFILE [--running | --paused]", run_save_image_define};
const vr_command vr_cmd_save_image_edit = {
    "save-image-edit", "Edit the domain XML a save image holds in $EDITOR.", "FILE [--running | --paused]",
    run_save_image_edit};
const vr_command vr_cmd_managedsave = {
    "managedsave", "Save a running domain's state for its next start (start resumes it).",
    "DOMAIN [--running | --paused]", run_managedsave};
const vr_command vr_cmd_managedsave_remove = {
    "managedsave-remove", "Drop a domain's managed save image: its next start boots afresh.", "DOMAIN",
    run_managedsave_remove};
const vr_command vr_cmd_domjobinfo = {
    "domjobinfo", "The job a domain runs now (a save, restore or backup): time elapsed and data processed (a pull "
    "backup: its scratch files' use).",
    "DOMAIN [--json]", run_domjobinfo};
const vr_command vr_cmd_domjobabort = {
    "domjobabort", "End the job a domain runs now: a save or backup is cancelled and the domain runs on.", "DOMAIN",
    run_domjobabort};
