/* Storage volumes: vol-list, vol-create-as, vol-create, vol-clone,
 * vol-delete, vol-resize, vol-info, vol-dumpxml, vol-path, vol-upload,
 * vol-download; and job-list / job-cancel for the copies. VOL is a
 * name with --pool POOL, or the volume's path, as in virsh. */
#include "cli/cli.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* VOL [--pool P] to the volume: by name in the pool, or by its path. */
static int find_vol(vireo_conn *c, const vr_command *cmd, const char *vol, const char *pool, vireo_vol *out)
{
    if (!pool && vol[0] != '/') {
        vr_cli_usage(cmd, "give --pool POOL, or the volume's path");
        return VR_EXIT_USAGE;
    }
    if (vireo_vol_get(c, pool, vol, out) < 0)
        return vr_cli_fail(c);
    return VR_EXIT_OK;
}

static int done(vireo_conn *c, int rc)
{
    vireo_disconnect(c);
    return rc;
}

static int run_list(vr_cli *cli, int argc, char **argv)
{
    const char *pool = NULL;
    bool details = false, json = false;
    const vr_opt opts[] = {{"details", false, &details, NULL}, {"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_list, argc, argv, opts, &pool, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vol *v;
    size_t n;
    if (vireo_vol_list(c, pool, &v, &n) < 0)
        return done(c, vr_cli_fail(c));
    if (json) {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_vol, &v[i]));
        vr_cli_print_json(arr);
    } else {
        const char *h[] = {"Name", "Path", "Type", "Format", "Capacity", "Allocation", "Used by"};
        vr_table *t = vr_table_new(details ? 7 : 2, h);
        for (size_t i = 0; i < n; i++) {
            char a[32], b[32];
            const char *row[] = {v[i].name, v[i].path, v[i].type, v[i].format, vr_cli_size(v[i].capacity, a),
                                 vr_cli_size(v[i].allocation, b), v[i].used_by ? v[i].used_by : "-"};
            vr_table_add(t, row);
        }
        vr_table_print(t, stdout);
        vr_table_free(t);
    }
    vireo_vol_list_free(v, n);
    return done(c, VR_EXIT_OK);
}

static int run_create_as(vr_cli *cli, int argc, char **argv)
{
    const char *pos[3] = {0}, *format = NULL, *bvol = NULL, *bfmt = NULL, *alloc = NULL;
    bool prealloc = false;
    const vr_opt opts[] = {{"format", true, NULL, &format}, {"backing-vol", true, NULL, &bvol},
                           {"backing-vol-format", true, NULL, &bfmt}, {"allocation", true, NULL, &alloc},
                           {"prealloc-metadata", false, &prealloc, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_create_as, argc, argv, opts, pos, 3, 3, &rc);
    if (!c)
        return rc;
    if (vireo_vol_create_as(c, pos[0], pos[1], pos[2], format, bvol, bfmt, NULL) < 0)
        return done(c, vr_cli_fail(c));
    printf("Vol %s created\n", pos[1]);
    return done(c, VR_EXIT_OK);
}

static int run_create(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_create, argc, argv, NULL, pos, 2, 2, &rc);
    if (!c)
        return rc;
    char *xml = vr_cli_read_file(pos[1]);
    if (!xml)
        return done(c, VR_EXIT_FAIL);
    vireo_vol v = {0};
    rc = vireo_vol_create_xml(c, pos[0], xml, &v);
    free(xml);
    if (rc < 0)
        return done(c, vr_cli_fail(c));
    printf("Vol %s created from %s\n", v.name, pos[1]);
    vireo_vol_clear(&v);
    return done(c, VR_EXIT_OK);
}

static void job_bar(const vireo_job *j, void *opaque)
{
    vr_cli_progress(opaque, j->progress);
}

int vr_cli_wait_job(vireo_conn *c, int id, const char *label, char **result)
{
    vireo_job job = {0};
    int r = vireo_job_wait(c, id, job_bar, (void *)label, &job);
    vr_cli_progress_end();
    if (result) {
        *result = job.result;
        job.result = NULL;
    }
    vireo_job_clear(&job);
    return r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
}

/* A copy of v (into dst_pool, NULL: its own) as a job with a progress bar. */
static int clone_job(vireo_conn *c, const vireo_vol *v, const char *dst_pool, const char *new_name)
{
    int id = vireo_vol_clone_to(c, v->pool, v->name, dst_pool, new_name);
    if (id < 0)
        return vr_cli_fail(c);
    char *label = vr_asprintf("Cloning %s", v->name);
    int rc = vr_cli_wait_job(c, id, label, NULL);
    free(label);
    return rc;
}

static int run_clone(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *pool = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_clone, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_clone, pos[0], pool, &v)))
        return done(c, rc);
    rc = clone_job(c, &v, NULL, pos[1]);
    if (rc == VR_EXIT_OK)
        printf("Vol %s cloned from %s\n", pos[1], v.name);
    vireo_vol_clear(&v);
    return done(c, rc);
}

/* vol-create-from POOL FILE VOL --inputpool P: VOL of pool P copied into
 * POOL as the XML says (its name; its capacity when larger). The daemon
 * reads the XML and refuses a format the copy is not (the source's; raw
 * in rbd and disk pools): no silent conversion. */
static int run_create_from(vr_cli *cli, int argc, char **argv)
{
    const char *pos[3] = {0}, *inpool = NULL;
    const vr_opt opts[] = {{"inputpool", true, NULL, &inpool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_create_from, argc, argv, opts, pos, 3, 3, &rc);
    if (!c)
        return rc;
    char *xml = vr_cli_read_file(pos[1]);
    if (!xml)
        return done(c, VR_EXIT_FAIL);
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_create_from, pos[2], inpool, &v))) {
        free(xml);
        return done(c, rc);
    }
    int id = vireo_vol_create_from(c, v.pool, v.name, pos[0], xml);
    char *label = vr_asprintf("Copying %s", v.name), *result = NULL;
    rc = id < 0 ? vr_cli_fail(c) : vr_cli_wait_job(c, id, label, &result);
    json_object *res = result ? json_tokener_parse(result) : NULL, *name = NULL;
    if (rc == VR_EXIT_OK)
        printf("Vol %s created from input vol %s\n",
               json_object_object_get_ex(res, "volume", &name) ? json_object_get_string(name) : "", v.name);
    json_object_put(res);
    free(result);
    free(label);
    free(xml);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_delete(vr_cli *cli, int argc, char **argv)
{
    const char *vol = NULL, *pool = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_delete, argc, argv, opts, &vol, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_delete, vol, pool, &v)))
        return done(c, rc);
    rc = vireo_vol_delete(c, v.pool, v.name) < 0 ? vr_cli_fail(c) : (printf("Vol %s deleted\n", vol), VR_EXIT_OK);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_resize(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *pool = NULL;
    bool delta = false, shrink = false;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {"delta", false, &delta, NULL},
                           {"shrink", false, &shrink, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_resize, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_resize, pos[0], pool, &v)))
        return done(c, rc);
    unsigned flags = (delta ? VIREO_RESIZE_DELTA : 0) | (shrink ? VIREO_RESIZE_SHRINK : 0);
    vireo_vol nv = {0};
    if (vireo_vol_resize(c, v.pool, v.name, pos[1], flags, &nv) < 0) {
        rc = vr_cli_fail(c);
    } else {
        char b[32];
        printf("Size of volume '%s' successfully changed to %s\n", v.name, vr_cli_size(nv.capacity, b));
    }
    vireo_vol_clear(&nv);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_wipe(vr_cli *cli, int argc, char **argv)
{
    const char *vol = NULL, *pool = NULL, *alg = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {"algorithm", true, NULL, &alg}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_wipe, argc, argv, opts, &vol, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_wipe, vol, pool, &v)))
        return done(c, rc);
    if (vireo_vol_wipe(c, v.pool, v.name, alg) < 0)
        rc = vr_cli_fail(c);
    else
        printf("Vol %s wiped\n", v.name);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_info(vr_cli *cli, int argc, char **argv)
{
    const char *vol = NULL, *pool = NULL;
    bool json = false;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_info, argc, argv, opts, &vol, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_info, vol, pool, &v)))
        return done(c, rc);
    if (json) {
        vr_cli_print_json(vr_wire_to_json(&vr_wire_vol, &v));
    } else {
        char b[32];
        printf("%-15s %s\n", "Name:", v.name);
        printf("%-15s %s\n", "Pool:", v.pool);
        printf("%-15s %s\n", "Type:", v.type);
        printf("%-15s %s\n", "Format:", v.format);
        printf("%-15s %s\n", "Capacity:", vr_cli_size(v.capacity, b));
        printf("%-15s %s\n", "Allocation:", vr_cli_size(v.allocation, b));
        if (v.backing_path)
            printf("%-15s %s (%s)\n", "Backing:", v.backing_path, v.backing_format);
        printf("%-15s %s\n", "Used by:", v.used_by ? v.used_by : "-");
    }
    vireo_vol_clear(&v);
    return done(c, VR_EXIT_OK);
}

static int run_dumpxml(vr_cli *cli, int argc, char **argv)
{
    const char *vol = NULL, *pool = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_dumpxml, argc, argv, opts, &vol, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_dumpxml, vol, pool, &v)))
        return done(c, rc);
    char *xml = vireo_vol_xml(c, v.pool, v.name);
    rc = xml ? (fputs(xml, stdout), VR_EXIT_OK) : vr_cli_fail(c);
    free(xml);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_path(vr_cli *cli, int argc, char **argv)
{
    const char *vol = NULL, *pool = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_path, argc, argv, opts, &vol, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_path, vol, pool, &v)))
        return done(c, rc);
    puts(v.path);
    vireo_vol_clear(&v);
    return done(c, VR_EXIT_OK);
}

static void bytes_bar(unsigned long long d, unsigned long long total, void *opaque)
{
    vr_cli_progress(opaque, total ? (double)d * 100 / (double)total : 100);
}

static int run_upload(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *pool = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_upload, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_upload, pos[0], pool, &v)))
        return done(c, rc);
    int fd = open(pos[1], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = vr_cli_error("error: cannot upload %s: %s", pos[1], fd < 0 ? strerror(errno) : "not a regular file");
    } else if (vireo_vol_upload(c, v.pool, v.name, fd, (unsigned long long)st.st_size, bytes_bar,
                                "Uploading") < 0) {
        vr_cli_progress_end();
        rc = vr_cli_fail(c);
    } else {
        vr_cli_progress_end();
    }
    if (fd >= 0)
        close(fd);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_download(vr_cli *cli, int argc, char **argv)
{
    const char *pos[2] = {0}, *pool = NULL;
    const vr_opt opts[] = {{"pool", true, NULL, &pool, true}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vol_download, argc, argv, opts, pos, 2, 2, &rc);
    if (!c)
        return rc;
    vireo_vol v;
    if ((rc = find_vol(c, &vr_cmd_vol_download, pos[0], pool, &v)))
        return done(c, rc);
    /* Into a temporary beside the file, renamed at the end: a broken
     * download leaves no half file under the name asked for. */
    char *tmp = vr_asprintf("%s.part", pos[1]);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = vr_cli_error("error: cannot write %s: %s", tmp, strerror(errno));
    } else if (vireo_vol_download(c, v.pool, v.name, fd, bytes_bar, "Downloading") < 0 || fsync(fd) < 0) {
        vr_cli_progress_end();
        rc = vr_cli_fail(c);
        unlink(tmp);
    } else if (rename(tmp, pos[1]) < 0) {
        vr_cli_progress_end();
        rc = vr_cli_error("error: cannot rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
    } else {
        vr_cli_progress_end();
    }
    if (fd >= 0)
        close(fd);
    free(tmp);
    vireo_vol_clear(&v);
    return done(c, rc);
}

static int run_job_list(vr_cli *cli, int argc, char **argv)
{
    bool json = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_job_list, argc, argv, opts, NULL, 0, 0, &rc);
    if (!c)
        return rc;
    vireo_job *j;
    size_t n;
    if (vireo_job_list(c, &j, &n) < 0)
        return done(c, vr_cli_fail(c));
    json_object *arr = json ? json_object_new_array() : NULL;
    const char *h[] = {"Id", "Kind", "Target", "State", "Progress", "Error"};
    vr_table *t = vr_table_new(6, h);
    for (size_t i = 0; i < n; i++) {
        char id[16], pct[16];
        snprintf(id, sizeof(id), "%d", j[i].id);
        snprintf(pct, sizeof(pct), "%.1f%%", j[i].progress);
        if (json) {
            json_object_array_add(arr, vr_wire_to_json(&vr_wire_job, &j[i]));
        } else {
            const char *row[] = {id, j[i].kind, j[i].target, j[i].state, pct, j[i].error ? j[i].error : "-"};
            vr_table_add(t, row);
        }
    }
    if (json)
        vr_cli_print_json(arr);
    else
        vr_table_print(t, stdout);
    vr_table_free(t);
    vireo_job_list_free(j, n);
    return done(c, VR_EXIT_OK);
}

static int run_job_cancel(vr_cli *cli, int argc, char **argv)
{
    const char *id = NULL;
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_job_cancel, argc, argv, NULL, &id, 1, 1, &rc);
    if (!c)
        return rc;
    if (vireo_job_cancel(c, atoi(id)) < 0)
        return done(c, vr_cli_fail(c));
    printf("Job %s cancelled\n", id);
    return done(c, VR_EXIT_OK);
}

const vr_command vr_cmd_vol_list = {"vol-list", "List a pool's volumes.", "POOL [--details] [--json]", run_list};
const vr_command vr_cmd_vol_create_as = {
    "vol-create-as", "Create a volume (sizes take virsh's units: K, M, G, T, KiB, MB, ...).",
    "POOL NAME SIZE [--format raw|qcow2] [--backing-vol VOL --backing-vol-format F]", run_create_as};
const vr_command vr_cmd_vol_create = {"vol-create", "Create a volume from libvirt volume XML.", "POOL FILE",
                                      run_create};
const vr_command vr_cmd_vol_clone = {"vol-clone", "Copy a volume into a new one (with progress).",
                                     "VOL NEWNAME [--pool POOL]", run_clone};
const vr_command vr_cmd_vol_create_from = {
    "vol-create-from", "Create a volume from libvirt volume XML as a copy of a volume of another pool.",
    "POOL FILE VOL --inputpool POOL", run_create_from};
const vr_command vr_cmd_vol_delete = {"vol-delete", "Delete a volume (not one a running domain uses).",
                                      "VOL [--pool POOL]", run_delete};
const vr_command vr_cmd_vol_resize = {"vol-resize", "Change a volume's capacity.",
                                      "VOL SIZE [--pool POOL] [--delta] [--shrink]", run_resize};
const vr_command vr_cmd_vol_wipe = {"vol-wipe", "Overwrite a volume's content with zeros (size and format stay).",
                                    "VOL [--pool POOL] [--algorithm zero]", run_wipe};
const vr_command vr_cmd_vol_info = {"vol-info", "A volume's type, format and sizes.",
                                    "VOL [--pool POOL] [--json]", run_info};
const vr_command vr_cmd_vol_dumpxml = {"vol-dumpxml", "A volume's XML.", "VOL [--pool POOL]", run_dumpxml};
const vr_command vr_cmd_vol_path = {"vol-path", "A volume's file.", "VOL --pool POOL", run_path};
const vr_command vr_cmd_vol_upload = {"vol-upload", "Replace a volume's content with a file.",
                                      "VOL FILE [--pool POOL]", run_upload};
const vr_command vr_cmd_vol_download = {"vol-download", "Save a volume's content to a file.",
                                        "VOL FILE [--pool POOL]", run_download};
const vr_command vr_cmd_job_list = {"job-list", "Long operations (copies, clones, installs, image jobs), running and finished.",
                                    "[--json]", run_job_list};
const vr_command vr_cmd_job_cancel = {"job-cancel", "Stop a running job.", "ID", run_job_cancel};
