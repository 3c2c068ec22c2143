/* vireo event, net-event, pool-event: watch the daemon's event feed as
 * it happens. One feed carries every kind of object; like virsh, each
 * command has its own name for the object it filters on, and `event`
 * alone shows them all (or one --kind). */
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The feed's kinds and how virsh names them in its event lines. */
static const struct {
    const char *kind, *noun;
} kinds[] = {
    {"domain", "domain"},
    {"network", "network"},
    {"pool", "storage pool"},
};

typedef struct {
    const char *kind;  /* NULL: every kind */
    const char *name;  /* NULL: every object */
    const char *event; /* NULL: every event */
} filter;

static const char *noun_of(const char *kind)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].noun;
    return NULL;
}

static const char *member(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* --event names the feed's event (started) or its type, as virsh's
 * --event does (lifecycle, tunable ...). */
static bool wanted(const filter *f, const char *kind, const char *name, const char *ev, const char *type)
{
    return (!f->kind || strcmp(f->kind, kind) == 0) && (!f->name || strcmp(f->name, name) == 0) &&
           (!f->event || strcmp(f->event, ev) == 0 || (type && strcmp(f->event, type) == 0));
}

/* A block job's "TARGET KIND STATUS" as virsh prints it: "Block Copy
 * for vda ready". */
static void print_block_job(const char *name, const char *detail)
{
    static const char *const jobs[][2] = {{"pull", "Block Pull"}, {"copy", "Block Copy"},
                                          {"commit", "Block Commit"}, {"active-commit", "Active Block Commit"}};
    char target[64], kind[32], status[32];
    if (sscanf(detail, "%63s %31s %31s", target, kind, status) != 3) {
        printf("event 'block-job' for domain '%s': %s\n", name, detail);
        return;
    }
    const char *label = kind;
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
        if (strcmp(jobs[i][0], kind) == 0)
            label = jobs[i][1];
    printf("event 'block-job' for domain '%s': %s for %s %s\n", name, label, target, status);
}

/* A member of the event, "" when it has none. */
static const char *fact(json_object *o, const char *key)
{
    const char *v = member(o, key);
    return v ? v : "";
}

/* "event 'graphics' for domain 'web': connect local[IPv4 127.0.0.1 5900]
 * remote[IPv4 127.0.0.1 50312] none", then a line per identity of the
 * client, as virsh prints them. */
static void print_graphics(json_object *o, const char *name, const char *phase)
{
    const char *f[2];
    const char *const keys[2] = {"local_family", "remote_family"};
    for (int i = 0; i < 2; i++) {
        const char *v = fact(o, keys[i]);
        f[i] = strcmp(v, "ipv6") == 0 ? "IPv6" : strcmp(v, "unix") == 0 ? "unix" : "IPv4";
    }
    printf("event 'graphics' for domain '%s': %s local[%s %s %s] remote[%s %s %s] %s\n", name, phase, f[0],
           fact(o, "local_node"), fact(o, "local_service"), f[1], fact(o, "remote_node"), fact(o, "remote_service"),
           fact(o, "auth"));
    if (*fact(o, "x509_dname"))
        printf("\tx509dname=%s\n", fact(o, "x509_dname"));
    if (*fact(o, "sasl_username"))
        printf("\tsaslUsername=%s\n", fact(o, "sasl_username"));
}

/* A domain's event other than a lifecycle one, in virsh event's words
 * for its type. */
static void print_domain(json_object *o, const char *type, const char *name, const char *ev, const char *detail)
{
    if (strcmp(type, "io-error") == 0) {
        printf("event 'io-error' for domain '%s': %s (%s) %s\n", name, fact(o, "path"), fact(o, "alias"), detail);
    } else if (strcmp(type, "io-error-reason") == 0) {
        printf("event 'io-error-reason' for domain '%s': %s (%s) %s due to %s\n", name, fact(o, "path"),
               fact(o, "alias"), detail, fact(o, "reason"));
    } else if (strcmp(type, "graphics") == 0) {
        print_graphics(o, name, detail);
    } else if (strcmp(type, "reboot") == 0) {
        printf("event 'reboot' for domain '%s'\n", name);
    } else if (strcmp(type, "agent-lifecycle") == 0) {
        printf("event 'agent-lifecycle' for domain '%s': state: '%s' reason: 'channel event'\n", name, detail);
    } else if (strcmp(type, "block-job") == 0) {
        print_block_job(name, detail);
    } else if (strcmp(type, "tunable") == 0) {
        /* virsh: each parameter on a line of its own; the detail's pairs
         * are space-separated, a group name last (it takes the rest) */
        printf("event 'tunable' for domain '%s':\n", name);
        for (const char *p = detail; p && *p;) {
            const char *eq = strchr(p, '='), *sp = eq ? strchr(eq, ' ') : NULL;
            if (!eq || strncmp(p, "blkdeviotune.group_name=", 24) == 0)
                sp = NULL;
            printf("\t%.*s: %.*s\n", eq ? (int)(eq - p) : (int)strlen(p), p,
                   eq ? (sp ? (int)(sp - eq - 1) : (int)strlen(eq + 1)) : 0, eq ? eq + 1 : "");
            p = sp ? sp + 1 : NULL;
        }
    } else if (strcmp(type, "metadata-change") == 0) {
        bool element = strncmp(detail, "element ", 8) == 0;
        printf("event 'metadata-change' for domain '%s': type %s, uri %s\n", name, element ? "element" : detail,
               element ? detail + 8 : "<null>");
    } else if (strcmp(type, "job-completed") == 0) {
        /* which job: "backup completed" (virsh prints the job's statistics) */
        printf("event 'job-completed' for domain '%s': %s %s\n", name, ev, detail);
    } else {
        printf("event '%s' for domain '%s': %s\n", type, name, detail);
    }
}

/* virsh's wording: "event 'lifecycle' for domain 'tiny': started (booted)";
 * a pool's refresh names the volume that changed, if one did. A feed
 * without types (an older daemon) is all lifecycle and refresh. */
static void print_line(json_object *o, const char *kind, const char *name, const char *ev, const char *detail,
                       const char *volume, const char *type)
{
    const char *noun = noun_of(kind);
    if (type && strcmp(kind, "domain") == 0 && strcmp(type, "lifecycle") != 0)
        print_domain(o, type, name, ev, detail);
    else if (strcmp(ev, "refresh") != 0)
        printf("event 'lifecycle' for %s '%s': %s (%s)\n", noun ? noun : kind, name, ev, detail);
    else if (volume)
        printf("event 'refresh' for %s '%s': volume '%s' %s\n", noun ? noun : kind, name, volume,
               strncmp(detail, "volume-", 7) == 0 ? detail + 7 : detail);
    else
        printf("event 'refresh' for %s '%s'\n", noun ? noun : kind, name);
}

/* "event 'lease' for network 'default': added 52:54:00:12:34:56 192.168.122.5 g1";
 * "-" for a MAC or host name the lease does not have. */
static void print_lease(json_object *o)
{
    const char *f[] = {member(o, "name"), member(o, "detail"), member(o, "mac"), member(o, "ip"),
                       member(o, "hostname")};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        f[i] = f[i] && *f[i] ? f[i] : "-";
    printf("event 'lease' for network '%s': %s %s %s %s\n", f[0], f[1], f[2], f[3], f[4]);
}

/* Print the wanted events of the lines in buf[0..have); returns how many
 * bytes of an unfinished line are left at the start of buf. */
static size_t take_lines(char *buf, size_t have, const filter *f, bool json, bool loop, int *count,
                         bool *done)
{
    buf[have] = '\0';
    char *line = buf, *nl;
    while (!*done && (nl = strchr(line, '\n'))) {
        *nl = '\0';
        json_object *o = json_tokener_parse(line);
        line = nl + 1;
        if (!o)
            continue;
        const char *kind = member(o, "kind"), *name = member(o, "name"), *ev = member(o, "event");
        const char *detail = member(o, "detail"), *type = member(o, "type");
        if (wanted(f, kind ? kind : "", name ? name : "", ev ? ev : "", type)) {
            if (json)
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
            else if (ev && strcmp(ev, "lease") == 0)
                print_lease(o);
            else
                print_line(o, kind ? kind : "", name ? name : "", ev ? ev : "", detail ? detail : "",
                           member(o, "volume"), type);
            fflush(stdout);
            (*count)++;
            *done = !loop;
        }
        json_object_put(o);
    }
    size_t left = strlen(line);
    memmove(buf, line, left);
    return left;
}

static int follow(vr_cli *cli, const filter *f, bool loop, bool json, int secs)
{
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    vireo_stream *s = vireo_events_open(c);
    if (!s) {
        int r = vr_cli_fail(c);
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
        have = take_lines(buf, have + (size_t)n, f, json, loop, &count, &done);
    }
    if (!json)
        printf("events received: %d\n", count);
    vireo_stream_close(s);
    vireo_disconnect(c);
    return rc;
}

/* The options every variant shares, then follow(). `object` is the
 * option naming one object of `kind` (--domain, --network, --pool);
 * kind NULL (plain `event`) also takes --kind. */
static int run_for(vr_cli *cli, const vr_command *cmd, const char *kind, const char *object, int argc,
                   char **argv)
{
    filter f = {.kind = kind};
    const char *timeout = NULL, *only_kind = NULL;
    bool loop = false, json = false, has_name = false, has_event = false, has_timeout = false,
         has_kind = false;
    const vr_opt opts[] = {
        {"loop", false, &loop, NULL}, {"json", false, &json, NULL},
        {object, true, &has_name, &f.name}, {"event", true, &has_event, &f.event},
        {"timeout", true, &has_timeout, &timeout},
        /* Last, so that a NULL name (net-event, pool-event) ends the list here. */
        {kind ? NULL : "kind", true, &has_kind, &only_kind}, {0},
    };
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, NULL, 0, 0, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    int secs = has_timeout ? atoi(timeout) : 0;
    if (has_timeout && secs <= 0)
        return vr_cli_usage(cmd, "--timeout needs a positive number of seconds");
    if (has_kind && !noun_of(only_kind))
        return vr_cli_usage(cmd, "--kind is domain, network or pool, not '%s'", only_kind);
    if (has_kind && has_name && strcmp(only_kind, "domain") != 0)
        return vr_cli_usage(cmd, "--%s names a domain; it does not go with --kind %s", object, only_kind);
    if (has_kind)
        f.kind = only_kind;
    /* A name always means an object of the command's own kind. */
    if (has_name && !f.kind)
        f.kind = "domain";
    return follow(cli, &f, loop, json, secs);
}

static int run_event(vr_cli *cli, int argc, char **argv)
{
    return run_for(cli, &vr_cmd_event, NULL, "domain", argc, argv);
}

static int run_net_event(vr_cli *cli, int argc, char **argv)
{
    return run_for(cli, &vr_cmd_net_event, "network", "network", argc, argv);
}

static int run_pool_event(vr_cli *cli, int argc, char **argv)
{
    return run_for(cli, &vr_cmd_pool_event, "pool", "pool", argc, argv);
}

const vr_command vr_cmd_event = {
    "event",
    "Wait for events of domains, networks and pools (one, or all with --loop) and print each under its kind, as virsh event --all does (--event: an event or a kind).",
    "[--domain DOMAIN] [--kind domain|network|pool] [--event NAME] [--loop] [--timeout SECONDS] [--json]",
    run_event,
};

const vr_command vr_cmd_net_event = {
    "net-event",
    "Wait for network events (one, or all with --loop) and print them.",
    "[--network NETWORK] [--event NAME] [--loop] [--timeout SECONDS] [--json]",
    run_net_event,
};

const vr_command vr_cmd_pool_event = {
    "pool-event",
    "Wait for storage pool events, volume changes included (one, or all with --loop) and print them.",
    "[--pool POOL] [--event NAME] [--loop] [--timeout SECONDS] [--json]",
    run_pool_event,
};
