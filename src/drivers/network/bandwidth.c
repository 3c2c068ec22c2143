#include "drivers/network/bandwidth.h"
#include "common/child.h"
#include "common/log.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TC_TIMEOUT_MS 10000
#define MAX_ARGS 40

/* tc with the words of `line` (space-separated, built here: no value
 * has a space) after "tc"; `quiet`: its failure is expected (deleting
 * what may not be there). */
static int tc(bool quiet, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tc(bool quiet, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vr_vasprintf(fmt, ap);
    va_end(ap);
    char *argv[MAX_ARGS + 2] = {"tc"};
    size_t n = 1;
    char *save = NULL;
    for (char *w = strtok_r(line, " ", &save); w && n < MAX_ARGS; w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    argv[n] = NULL;
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_CAPTURE, .c_locale = true,
                       .timeout_ms = TC_TIMEOUT_MS};
    vr_child_result r = {0};
    int rc = 0;
    char *why = NULL;
    if (vr_child_run(&s, &r, &why) < 0 || !vr_child_ok(&r)) {
        rc = -1;
        if (!quiet) {
            /* tc's "Error: ..." line says why; else its last line */
            char *last = NULL, *error = NULL;
            for (char *l = r.out ? strtok(r.out, "\n") : NULL; l; l = strtok(NULL, "\n")) {
                last = l;
                if (!error && strncmp(l, "Error: ", 7) == 0)
                    error = l + 7;
            }
            if (error)
                last = error;
            char *f = why ? NULL : vr_child_failure("tc", "apt-get install iproute2", &r, TC_TIMEOUT_MS);
            vr_set_error(err, "shaping <bandwidth> on %s: %s", argv[4] ? argv[4] : "?",
                         why ? why : last && *last ? last : f);
            free(f);
        }
    }
    free(why);
    vr_child_result_clear(&r);
    free(line);
    return rc;
}

int vr_bandwidth_apply(const char *ifname, const vr_bandwidth_def *bw, char **err)
{
    /* What was there goes first, as in libvirt (none is not an error). */
    tc(true, NULL, "qdisc del dev %s root", ifname);
    tc(true, NULL, "qdisc del dev %s ingress", ifname);
    const vr_bandwidth_rate *in = &bw->in, *out = &bw->out;
    if (in->set) {
        /* libvirt's own words for its units: kbps and kb. htb's default
         * class takes every packet (libvirt's fw filter only serves its
         * network floors); sfq, fairness between flows, where the kernel
         * has it (it is optional: a kernel without it keeps the class's
         * plain FIFO). */
        char burst[40] = "";
        if (in->burst)
            snprintf(burst, sizeof burst, " burst %llukb", in->burst);
        if (tc(false, err, "qdisc add dev %s root handle 1: htb default 1", ifname) < 0 ||
            tc(false, err, "class add dev %s parent 1: classid 1:1 htb rate %llukbps ceil %llukbps%s",
               ifname, in->average, in->peak ? in->peak : in->average, burst) < 0)
            goto fail;
        if (tc(true, NULL, "qdisc add dev %s parent 1:1 handle 2: sfq perturb 10", ifname) < 0)
            vr_log_info("%s: no sfq under the <bandwidth> class (the kernel has no sch_sfq)", ifname);
    }
    if (out->set) {
        char *why = NULL;
        if (tc(false, err, "qdisc add dev %s ingress", ifname) < 0)
            goto fail;
        if (tc(false, &why, "filter add dev %s parent ffff: protocol all u32 match u32 0 0 police "
               "rate %llukbps burst %llukb mtu 64kb drop flowid :1", ifname, out->average,
               out->burst ? out->burst : out->average) < 0) {
            if (why && strstr(why, "action module"))
                vr_set_error(err, "<outbound> <bandwidth> on %s needs the kernel's police action (act_police), "
                             "which this kernel lacks: remove <outbound> or use a kernel with it", ifname);
            else
                vr_set_error(err, "%s", why);
            free(why);
            goto fail;
        }
    }
    return 0;
fail:
    tc(true, NULL, "qdisc del dev %s root", ifname);
    tc(true, NULL, "qdisc del dev %s ingress", ifname);
    return -1;
}
