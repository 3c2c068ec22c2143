/* qemu-img as a child (common/child.h): either
 * run to the end (short operations) or started on the event loop with
 * its progress lines read as they come (copies). */
#include "drivers/storage/storage_img.h"
#include "common/child.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

const char *vr_img_binary(void)
{
    const char *b = getenv("VIREO_QEMU_IMG");
    return b && *b ? b : "qemu-img";
}

/* qemu-img's complaint: the last non-empty line, without "qemu-img: ". */
static char *last_line(const char *bin, const char *text)
{
    const char *base = strrchr(bin, '/') ? strrchr(bin, '/') + 1 : bin;
    char *prefix = vr_asprintf("%s: ", base);
    char *copy = vr_strdup(text ? text : ""), *last = NULL, *save = NULL;
    for (char *l = strtok_r(copy, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save))
        if (*vr_str_trim(l))
            last = vr_str_trim(l);
    char *out = NULL;
    if (last)
        out = vr_strdup(vr_str_starts(last, prefix) ? last + strlen(prefix) : last);
    free(prefix);
    free(copy);
    return out;
}

static char *exit_error(const char *bin, const char *install, const vr_child_result *r,
                        const char *output)
{
    if (vr_child_ok(r))
        return NULL;
    char *msg = WIFEXITED(r->status) && WEXITSTATUS(r->status) == 127 ? NULL : last_line(bin, output);
    return msg ? msg : vr_child_failure(bin, install, r, 0);
}

int vr_cmd_run(const char *bin, const char *install, char *const argv[], char **out, char **err)
{
    vr_child_spec s = {.program = bin, .argv = argv, .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true,
                       .c_locale = true};
    vr_child_result r;
    if (vr_child_run(&s, &r, err) < 0)
        return -1;
    char *msg = exit_error(bin, install, &r, r.err);
    if (msg) {
        vr_set_error(err, "%s", msg);
        free(msg);
        vr_child_result_clear(&r);
        return -1;
    }
    if (out) {
        *out = r.out;
        r.out = NULL;
    }
    vr_child_result_clear(&r);
    return 0;
}

#define IMG_INSTALL "apt-get install qemu-utils, or set VIREO_QEMU_IMG"

int vr_img_run(char *const argv[], char **out, char **err)
{
    return vr_cmd_run(vr_img_binary(), IMG_INSTALL, argv, out, err);
}

/* ---- beside the loop ---- */

struct vr_img_proc {
    char *binary;
    const char *install; /* what to do when it is missing */
    vr_child *child;
    vr_strbuf text;   /* everything it printed that was not progress */
    vr_strbuf line;   /* the line being read */
    vr_img_progress_fn progress;
    vr_img_exit_fn done;
    void *opaque;
};

/* Progress lines look like "    (42.17/100%)", ended by '\r'. */
static void take_line(vr_img_proc *p)
{
    if (!p->line.len)
        return;
    char *l = vr_strbuf_take(&p->line);
    double pct;
    int end = 0;
    if (sscanf(vr_str_trim(l), "(%lf/100%%)%n", &pct, &end) == 1 && end > 0) {
        pct = pct < 0 ? 0 : pct > 100 ? 100 : pct;
        if (p->progress)
            p->progress(pct, p->opaque);
    } else {
        vr_strbuf_add(&p->text, l);
        vr_strbuf_add(&p->text, "\n");
    }
    free(l);
}

static void consume(vr_img_proc *p, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\r' || buf[i] == '\n')
            take_line(p);
        else
            vr_strbuf_addn(&p->line, buf + i, 1);
    }
}

static void on_output(const char *buf, size_t n, void *opaque)
{
    consume(opaque, buf, n);
}

static void on_exit_ev(const vr_child_result *r, void *opaque)
{
    vr_img_proc *p = opaque;
    take_line(p);
    char *text = vr_strbuf_take(&p->text);
    char *err = exit_error(p->binary, p->install, r, text);
    free(text);
    free(p->binary);
    vr_strbuf_free(&p->line);
    vr_img_exit_fn done = p->done;
    void *opaque_done = p->opaque;
    free(p);
    done(err, opaque_done);
    free(err);
}

static vr_img_proc *spawn(struct event_base *base, const char *binary, char *const argv[],
                          vr_img_progress_fn progress, vr_img_exit_fn done, void *opaque, char **err)
{
    vr_img_proc *p = vr_calloc(1, sizeof(*p));
    p->binary = vr_strdup(binary);
    p->install = IMG_INSTALL;
    p->progress = progress;
    p->done = done;
    p->opaque = opaque;
    /* stdout and stderr in one pipe: progress and complaints in order. */
    vr_child_spec s = {.program = binary, .argv = argv, .out = VR_CHILD_OUT_CAPTURE, .c_locale = true};
    p->child = vr_child_start(base, &s, on_output, on_exit_ev, p, err);
    if (!p->child) {
        free(p->binary);
        free(p);
        return NULL;
    }
    vr_log_debug("%s started (pid %d)", binary, (int)vr_child_pid(p->child));
    return p;
}

vr_img_proc *vr_img_spawn(struct event_base *base, char *const argv[], vr_img_progress_fn progress,
                          vr_img_exit_fn done, void *opaque, char **err)
{
    return spawn(base, vr_img_binary(), argv, progress, done, opaque, err);
}

void vr_img_kill(vr_img_proc *p)
{
    vr_child_kill(p->child, SIGTERM);
}

json_object *vr_img_info(const char *path, char **err)
{
    const char *argv[] = {vr_img_binary(), "info", "-U", "--output=json", path, NULL};
    char *out = NULL, *ierr = NULL;
    json_object *o = vr_img_run((char *const *)argv, &out, &ierr) == 0 ? json_tokener_parse(out) : NULL;
    if (!o)
        vr_set_error(err, "cannot read %s: %s", path, ierr ? ierr : "qemu-img info said nothing");
    free(out);
    free(ierr);
    return o;
}
