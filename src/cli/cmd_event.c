/* vireo event: watch lifecycle events as they happen. */
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int run(vr_cli *cli, int argc, char **argv)
{
    const char *domain = NULL, *event = NULL, *timeout = NULL;
    bool loop = false, json = false, has_domain = false, has_event = false, has_timeout = false;
    const vr_opt opts[] = {
        {"loop", false, &loop, NULL}, {"json", false, &json, NULL},
        {"domain", true, &has_domain, &domain}, {"event", true, &has_event, &event},
        {"timeout", true, &has_timeout, &timeout}, {0},
    };
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_event, argc, argv, opts, NULL, 0, 0, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    int secs = has_timeout ? atoi(timeout) : 0;
    if (has_timeout && secs <= 0)
        return vr_cli_usage(&vr_cmd_event, "--timeout needs a positive number of seconds");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    vireo_stream *s = vireo_events_open(c);
    if (!s) {
        r = vr_cli_fail(c);
        vireo_disconnect(c);
        return r;
    }
    time_t deadline = secs ? time(NULL) + secs : 0;
    char buf[8192];
    size_t have = 0;
    int count = 0, rc = VR_EXIT_OK;
    bool done = false;
    while (!done) {
        int wait = -1;
        if (deadline) {
            wait = (int)(deadline - time(NULL)) * 1000;
            if (wait <= 0) {
                if (!json)
                    printf("event loop timed out\n");
                break;
            }
        }
        struct pollfd p = {.fd = vireo_stream_fd(s), .events = POLLIN};
        if (vireo_stream_pending(s) == 0) {
            int pr = poll(&p, 1, wait);
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr <= 0)
                continue;
        }
        ssize_t n = vireo_stream_read(s, buf + have, sizeof(buf) - have - 1);
        if (n <= 0) {
            fprintf(stderr, "vireo: error: the daemon closed the event stream\n");
            rc = VR_EXIT_FAIL;
            break;
        }
        have += (size_t)n;
        buf[have] = '\0';
        char *line = buf, *nl;
        while (!done && (nl = strchr(line, '\n'))) {
            *nl = '\0';
            json_object *o = json_tokener_parse(line), *v;
            line = nl + 1;
            if (!o)
                continue;
            const char *name = json_object_object_get_ex(o, "name", &v) ? json_object_get_string(v) : "";
            const char *ev = json_object_object_get_ex(o, "event", &v) ? json_object_get_string(v) : "";
            const char *detail = json_object_object_get_ex(o, "detail", &v) ? json_object_get_string(v) : "";
            if ((!has_domain || strcmp(domain, name) == 0) && (!has_event || strcmp(event, ev) == 0)) {
                if (json)
                    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                else
                    printf("event 'lifecycle' for domain '%s': %s (%s)\n", name, ev, detail);
                fflush(stdout);
                count++;
                done = !loop;
            }
            json_object_put(o);
        }
        have = strlen(line);
        memmove(buf, line, have);
    }
    if (!json)
        printf("events received: %d\n", count);
    vireo_stream_close(s);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_event = {
    "event",
    "Wait for lifecycle events (one, or all with --loop) and print them.",
    "[--domain DOMAIN] [--event NAME] [--loop] [--timeout SECONDS] [--json]",
    run,
};
