/* vcpuinfo, vcpupin, emulatorpin, desc and metadata, with virsh's options and
 * output. Pinning acts on the running domain's threads (--live) and on
 * the definition's <cputune> (--config). */
#include "cli/cli.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "vireo/vireo.h"
#include "wire/schemas.h"

#include <stdlib.h>
#include <string.h>

/* A string of an answer as virsh prints it: "-" for none. */
static const char *str(const char *s)
{
    return s ? s : "-";
}

/* "yy-y" for affinity "0-1,3" on a host of n CPUs, as virsh prints it. */
static char *yn_map(const char *list, int n)
{
    vr_strbuf b = {0};
    for (int cpu = 0; cpu < n; cpu++) {
        bool in = false;
        for (const char *p = list; *p && !in;) {
            char *end;
            long lo = strtol(p, &end, 10), hi = lo;
            if (*end == '-')
                hi = strtol(end + 1, &end, 10);
            in = cpu >= lo && cpu <= hi;
            p = *end == ',' ? end + 1 : end;
            if (end == p && *p != ',')
                break;
        }
        vr_strbuf_addn(&b, in ? "y" : "-", 1);
    }
    return vr_strbuf_take(&b);
}

static int run_vcpuinfo(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool json = false, pretty = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {"pretty", false, &pretty, NULL}, {0}};
    int rc;
    vireo_conn *c = vr_cli_begin(cli, &vr_cmd_vcpuinfo, argc, argv, opts, pos, 1, 1, &rc);
    if (!c)
        return rc;
    vireo_vcpu_info o;
    if (vireo_domain_vcpu_info(c, pos[0], &o) < 0) {
        rc = vr_cli_fail(c);
    } else if (json) {
        vr_cli_print_json(vr_wire_to_json(&vr_wire_vcpu_info, &o));
        rc = VR_EXIT_OK;
    } else {
        for (size_t i = 0; i < o.n_vcpus; i++) {
            const vireo_vcpu *v = &o.vcpus[i];
            char *map = pretty ? NULL : yn_map(str(v->affinity), o.host_cpus);
            char cpu[16] = "-";
            if (v->cpu >= 0)
                snprintf(cpu, sizeof(cpu), "%d", v->cpu);
            printf("%-15s %u\n%-15s %s\n%-15s %s\n", "VCPU:", v->vcpu, "CPU:", cpu, "State:", str(v->state));
            printf("%-15s %.1fs\n", "CPU time:", v->cpu_time_ns >= 0 ? v->cpu_time_ns / 1e9 : 0.0);
            printf("%-15s %s\n\n", "CPU Affinity:", pretty ? str(v->affinity) : map);
            free(map);
        }
        rc = VR_EXIT_OK;
    }
    vireo_vcpu_info_clear(&o);
    vireo_disconnect(c);
    return rc;
}

/* --live/--config/--current as flags; -1 after a usage error. */
static int affect(const vr_command *cmd, bool live, bool config, bool current)
{
    if (current && (live || config)) {
        vr_cli_usage(cmd, "--current goes with neither --live nor --config");
        return -1;
    }
    return (live ? VIREO_AFFECT_LIVE : 0) | (config ? VIREO_AFFECT_CONFIG : 0);
}

/* Parse DOMAIN and `opts`, then --live/--config/--current as *flags:
 * -1 to go on, else the exit code (--help shown, a usage error). */
static int parse_affect(const vr_command *cmd, int argc, char **argv, const vr_opt *opts, const char **pos,
                        const bool *live, const bool *config, const bool *current, int *flags)
{
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    *flags = affect(cmd, *live, *config, *current);
    return *flags < 0 ? VR_EXIT_USAGE : -1;
}

/* vcpupin and emulatorpin: set with a CPU list, else show the table. */
static int run_pin(vr_cli *cli, int argc, char **argv, bool emulator)
{
    const vr_command *cmd = emulator ? &vr_cmd_emulatorpin : &vr_cmd_vcpupin;
    const char *pos[1] = {0}, *vcpu = NULL, *cpulist = NULL;
    bool b[2] = {0}, live = false, config = false, current = false;
    /* virsh: vcpupin DOMAIN [VCPU] [CPULIST], emulatorpin DOMAIN [CPULIST]. */
    const vr_opt vcpu_opts[] = {{"vcpu", true, &b[0], &vcpu, true}, {"cpulist", true, &b[1], &cpulist, true},
                                {"live", false, &live, NULL}, {"config", false, &config, NULL},
                                {"current", false, &current, NULL}, {0}};
    const vr_opt *opts = emulator ? vcpu_opts + 1 : vcpu_opts;
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &live, &config, &current, &flags);
    if (r >= 0)
        return r;
    char *end = NULL;
    unsigned long n = vcpu ? strtoul(vcpu, &end, 10) : 0;
    if (vcpu && (!*vcpu || *end || n > 4095))
        return vr_cli_usage(cmd, "VCPU '%s' is not a vCPU number", vcpu);
    if (!emulator && cpulist && !vcpu)
        return vr_cli_usage(cmd, "--cpulist needs --vcpu");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    if (cpulist) {
        r = emulator ? vireo_domain_emulator_pin(c, pos[0], cpulist, (unsigned)flags)
                     : vireo_domain_vcpu_pin(c, pos[0], (unsigned)n, cpulist, (unsigned)flags);
        r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
        vireo_disconnect(c);
        return r;
    }
    vireo_vcpu_info o;
    if (vireo_domain_vcpu_info(c, pos[0], &o) < 0) {
        r = vr_cli_fail(c);
    } else if (emulator) {
        printf("emulator: CPU Affinity\n----------------------------------\n%9s: %s\n", "*",
               str(o.emulator_affinity));
        r = VR_EXIT_OK;
    } else {
        printf(" VCPU   CPU Affinity\n----------------------\n");
        for (size_t i = 0; i < o.n_vcpus; i++)
            if (!vcpu || o.vcpus[i].vcpu == n)
                printf(" %-6u %s\n", o.vcpus[i].vcpu, str(o.vcpus[i].affinity));
        r = VR_EXIT_OK;
    }
    vireo_vcpu_info_clear(&o);
    vireo_disconnect(c);
    return r;
}

static int run_vcpupin(vr_cli *cli, int argc, char **argv) { return run_pin(cli, argc, argv, false); }
static int run_emulatorpin(vr_cli *cli, int argc, char **argv) { return run_pin(cli, argc, argv, true); }

static int run_desc(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_desc;
    const char *pos[32] = {0}, *new_desc = NULL;
    bool has_new = false, title = false, live = false, config = false, current = false, edit = false;
    const vr_opt opts[] = {{"new-desc", true, &has_new, &new_desc}, {"title", false, &title, NULL},
                           {"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {"edit", false, &edit, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(cmd, argc, argv, opts, pos, 1, 32, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    int affected = affect(cmd, live, config, current);
    if (affected < 0)
        return VR_EXIT_USAGE;
    /* virsh also takes the new text as the words after the domain. */
    vr_strbuf b = {0};
    for (size_t i = 1; i < npos; i++)
        vr_strbuf_addf(&b, "%s%s", i > 1 ? " " : "", pos[i]);
    char *words = npos > 1 ? vr_strbuf_take(&b) : NULL;
    if (words && has_new) {
        free(words);
        return vr_cli_usage(cmd, "give the new text either with --new-desc or as words, not both");
    }
    vireo_conn *c = vr_cli_connect(cli);
    if (!c) {
        free(words);
        return VR_EXIT_FAIL;
    }
    const char *text = has_new ? new_desc : words;
    unsigned flags = (title ? VIREO_DESC_TITLE : 0);
    char *edited = NULL;
    if (edit && text) {
        r = vr_cli_usage(cmd, "--edit takes no text (it opens the one there in $EDITOR)");
        vireo_disconnect(c);
        free(words);
        return r;
    }
    if (edit) {
        /* virsh: the text there (of the definition with --config) in $EDITOR */
        char *got = NULL;
        if (vireo_domain_description(c, pos[0], flags | (config ? VIREO_XML_INACTIVE : 0), &got) < 0) {
            r = vr_cli_fail(c);
            vireo_disconnect(c);
            free(words);
            return r;
        }
        edited = vr_cli_edit_text(got ? got : "");
        /* the editor's final newline is no part of the text */
        for (size_t n = edited ? strlen(edited) : 0; n > 0 && edited[n - 1] == '\n'; n--)
            edited[n - 1] = '\0';
        bool same = edited && strcmp(edited, got ? got : "") == 0;
        free(got);
        if (!edited || same) {
            if (same)
                printf("Domain %s not changed\n", title ? "title" : "description");
            free(edited);
            free(words);
            vireo_disconnect(c);
            return same ? VR_EXIT_OK : VR_EXIT_FAIL;
        }
        text = edited;
    }
    if (text) {
        flags |= (unsigned)affected;
        r = vireo_domain_set_description(c, pos[0], text, flags);
        if (r == 0)
            printf("Domain %s updated successfully\n", title ? "title" : "description");
        r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    } else {
        char *got = NULL;
        r = vireo_domain_description(c, pos[0], flags | (config ? VIREO_XML_INACTIVE : 0), &got);
        if (r == 0 && got)
            printf("%s\n", got);
        else if (r == 0)
            printf("No %s for domain: %s\n", title ? "title" : "description", pos[0]);
        r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
        free(got);
    }
    free(edited);
    free(words);
    vireo_disconnect(c);
    return r;
}

static int run_metadata(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_metadata;
    const char *pos[1] = {0}, *uri = NULL, *key = NULL, *set = NULL;
    bool b[3] = {0}, remove = false, live = false, config = false, current = false, edit = false;
    const vr_opt opts[] = {{"uri", true, &b[0], &uri, true}, {"key", true, &b[1], &key},
                           {"set", true, &b[2], &set}, {"remove", false, &remove, NULL},
                           {"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {"edit", false, &edit, NULL}, {0}};
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &live, &config, &current, &flags);
    if (r >= 0)
        return r;
    if (!uri)
        return vr_cli_usage(cmd, "missing URI (the namespace of the application's element)");
    if (edit && (set || remove))
        return vr_cli_usage(cmd, "--edit goes with neither --set nor --remove");
    if (edit && !key)
        return vr_cli_usage(cmd, "--edit needs --key (the namespace prefix of the element)");
    if (set && remove)
        return vr_cli_usage(cmd, "--set and --remove exclude each other");
    if (set && !key)
        return vr_cli_usage(cmd, "--set needs --key (the namespace prefix of the element)");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    char *edited = NULL;
    r = 0;
    if (edit) {
        /* virsh: the element there (or nothing) in $EDITOR; emptied removes it */
        char *xml = NULL;
        r = vireo_domain_metadata(c, pos[0], uri, config ? VIREO_XML_INACTIVE : 0, &xml);
        edited = r == 0 ? vr_cli_edit_text(xml ? xml : "") : NULL;
        size_t n = edited ? strspn(edited, " \t\n") : 0;
        if (r == 0 && !edited) {
            free(xml);
            vireo_disconnect(c);
            return VR_EXIT_FAIL;
        }
        if (r == 0 && strcmp(edited, xml ? xml : "") == 0) {
            printf("Metadata not changed\n");
            free(xml);
            free(edited);
            vireo_disconnect(c);
            return VR_EXIT_OK;
        }
        free(xml);
        remove = edited && !edited[n];
        set = remove ? NULL : edited;
    }
    if (r == 0 && (set || remove)) {
        r = vireo_domain_set_metadata(c, pos[0], uri, key, set, (unsigned)flags);
        if (r == 0)
            printf("Metadata %s\n", set ? "modified" : "removed");
    } else {
        char *xml = NULL;
        r = vireo_domain_metadata(c, pos[0], uri, config ? VIREO_XML_INACTIVE : 0, &xml);
        if (r == 0 && xml) {
            printf("%s\n", xml);
        } else if (r == 0) {
            free(xml);
            r = vr_cli_error("error: domain '%s' has no metadata in namespace %s", pos[0], uri);
            vireo_disconnect(c);
            return r;
        }
        free(xml);
    }
    free(edited);
    r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return r;
}

/* iothreadinfo DOMAIN [--live|--config]: virsh's table, or --json. */
static int run_iothreadinfo(vr_cli *cli, int argc, char **argv)
{
    const char *pos[1] = {0};
    bool json = false, live = false, config = false, current = false;
    const vr_opt opts[] = {{"json", false, &json, NULL}, {"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {0}};
    int flags, r = parse_affect(&vr_cmd_iothreadinfo, argc, argv, opts, pos, &live, &config, &current, &flags);
    if (r >= 0)
        return r;
    if (live && config)
        return vr_cli_usage(&vr_cmd_iothreadinfo, "--live and --config together: show one of them");
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    vireo_iothread_info o;
    if (vireo_domain_iothread_info(c, pos[0], (unsigned)flags, &o) < 0) {
        r = vr_cli_fail(c);
    } else if (json) {
        vr_cli_print_json(vr_wire_to_json(&vr_wire_iothread_info, &o));
        r = VR_EXIT_OK;
    } else {
        printf(" %-15s %s\n-----------------------------------------------\n", "IOThread ID", "CPU Affinity");
        for (size_t i = 0; i < o.n_iothreads; i++)
            printf(" %-15u %s\n", o.iothreads[i].id, str(o.iothreads[i].affinity));
        printf("\n");
        r = VR_EXIT_OK;
    }
    vireo_iothread_info_clear(&o);
    vireo_disconnect(c);
    return r;
}

/* iothreadpin DOMAIN ID CPULIST (virsh's --iothread, --cpulist),
 * iothreadadd/iothreaddel DOMAIN ID (--id); --live/--config/--current. */
static int run_iothread(vr_cli *cli, int argc, char **argv, const vr_command *cmd)
{
    bool pin = cmd == &vr_cmd_iothreadpin;
    const char *pos[1] = {0}, *id = NULL, *cpulist = NULL;
    bool b[2] = {0}, live = false, config = false, current = false;
    const vr_opt opts[] = {{pin ? "iothread" : "id", true, &b[0], &id, true}, {"live", false, &live, NULL},
                           {"config", false, &config, NULL}, {"current", false, &current, NULL},
                           {pin ? "cpulist" : NULL, true, &b[1], &cpulist, true}, {0}}; /* NULL ends the list */
    int flags, r = parse_affect(cmd, argc, argv, opts, pos, &live, &config, &current, &flags);
    if (r >= 0)
        return r;
    char *end = NULL;
    unsigned long n = id ? strtoul(id, &end, 10) : 0;
    if (!id || (pin && !cpulist))
        return vr_cli_usage(cmd, "needs an iothread ID%s (iothreadinfo lists the ids)", pin ? " and a CPULIST" : "");
    if (!*id || *end || n < 1 || n > 0xffff)
        return vr_cli_usage(cmd, "ID '%s' is not an iothread number (1, 2, ...)", id);
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    r = pin ? vireo_domain_iothread_pin(c, pos[0], (unsigned)n, cpulist, (unsigned)flags)
            : vireo_domain_iothread_change(c, pos[0], (unsigned)n, cmd == &vr_cmd_iothreadadd, (unsigned)flags);
    r = r < 0 ? vr_cli_fail(c) : VR_EXIT_OK;
    vireo_disconnect(c);
    return r;
}

static int run_iothreadpin(vr_cli *cli, int argc, char **argv)
{
    return run_iothread(cli, argc, argv, &vr_cmd_iothreadpin);
}

static int run_iothreadadd(vr_cli *cli, int argc, char **argv)
{
    return run_iothread(cli, argc, argv, &vr_cmd_iothreadadd);
}

static int run_iothreaddel(vr_cli *cli, int argc, char **argv)
{
    return run_iothread(cli, argc, argv, &vr_cmd_iothreaddel);
}

/* ---- schedinfo: <cputune>'s CPU bandwidth as libvirt's scheduler parameters ---- */

static void print_sched(const vireo_sched *s)
{
    printf("%-15s: %s\n%-15s: %llu\n%-15s: %llu\n%-15s: %lld\n", "Scheduler", "posix", "cpu_shares",
           s->cpu_shares, "vcpu_period", s->vcpu_period, "vcpu_quota", s->vcpu_quota);
}

/* PARAM=VALUE: false after saying why. */
static bool sched_param(const char *arg, vireo_sched *s)
{
    const char *eq = strchr(arg, '=');
    char *end = NULL;
    long long v = eq ? strtoll(eq + 1, &end, 10) : 0;
    size_t len = eq ? (size_t)(eq - arg) : 0;
    bool number = eq && eq[1] && !*end;
    if (number && len == 10 && strncmp(arg, "cpu_shares", len) == 0 && v > 0)
        s->cpu_shares = (unsigned long long)v;
    else if (number && len == 11 && strncmp(arg, "vcpu_period", len) == 0 && v > 0)
        s->vcpu_period = (unsigned long long)v;
    else if (number && len == 10 && strncmp(arg, "vcpu_quota", len) == 0 && v != 0)
        s->vcpu_quota = v;
    else
        return vr_cli_error("error: '%s' is not cpu_shares=N, vcpu_period=US or vcpu_quota=US|-1 (vireo schedinfo "
                            "--help)", arg), false;
    return true;
}

static int run_schedinfo(vr_cli *cli, int argc, char **argv)
{
    const vr_command *cmd = &vr_cmd_schedinfo;
    /* --set PARAM=VALUE, as virsh, is one more PARAM=VALUE */
    char **args = vr_calloc((size_t)argc + 1, sizeof(*args));
    int n = 0;
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--set") != 0)
            args[n++] = strncmp(argv[i], "--set=", 6) == 0 ? argv[i] + 6 : argv[i];
    const char *pos[9] = {0};
    bool live = false, config = false, current = false, json = false;
    const vr_opt opts[] = {{"live", false, &live, NULL}, {"config", false, &config, NULL},
                           {"current", false, &current, NULL}, {"json", false, &json, NULL}, {0}};
    int rc;
    size_t npos;
    int r = vr_cli_parse(cmd, n, args, opts, pos, 1, 9, &npos);
    vireo_sched s = {0};
    if (r)
        rc = r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    else if (current && (live || config))
        rc = vr_cli_usage(cmd, "--current goes with neither --live nor --config");
    else if (live && config && npos == 1)
        rc = vr_cli_usage(cmd, "show either --live or --config values, not both");
    else
        rc = -1;
    for (size_t i = 1; rc < 0 && i < npos; i++)
        if (!sched_param(pos[i], &s))
            rc = VR_EXIT_USAGE;
    vireo_conn *c = rc < 0 ? vr_cli_connect(cli) : NULL;
    if (c && npos > 1 &&
        vireo_domain_set_sched(c, pos[0], &s, (live ? VIREO_AFFECT_LIVE : 0) | (config ? VIREO_AFFECT_CONFIG : 0)) < 0)
        rc = vr_cli_fail(c);
    if (c && rc < 0) {
        /* the values now: the live XML of a running domain, else (or --config) the definition's */
        vireo_sched now;
        if (vireo_domain_get_sched(c, pos[0], config ? VIREO_AFFECT_CONFIG : 0, &now) < 0) {
            rc = vr_cli_fail(c);
        } else {
            if (json)
                vr_cli_print_json(vr_wire_to_json(&vr_wire_sched, &now));
            else
                print_sched(&now);
            rc = VR_EXIT_OK;
        }
    }
    if (c)
        vireo_disconnect(c);
    free(args);
    return rc;
}

const vr_command vr_cmd_iothreadadd = {
    "iothreadadd", "Add an iothread (any unused id, 1-65535) to a domain, live (QMP object-add) and/or in its definition.",
    "DOMAIN [--id] ID [--live] [--config] [--current]", run_iothreadadd};
const vr_command vr_cmd_iothreaddel = {
    "iothreaddel", "Remove an iothread from a domain, live and/or in its definition; refused while a disk uses it.",
    "DOMAIN [--id] ID [--live] [--config] [--current]", run_iothreaddel};
const vr_command vr_cmd_iothreadinfo = {
    "iothreadinfo", "A domain's iothreads and the host CPUs each may run on (--config: the definition's).",
    "DOMAIN [--live] [--config] [--current] [--json]", run_iothreadinfo};
const vr_command vr_cmd_iothreadpin = {
    "iothreadpin", "Set which host CPUs a domain's iothread may run on (--live; --config: <cputune>).",
    "DOMAIN [--iothread] ID [--cpulist] CPULIST [--live] [--config] [--current]", run_iothreadpin};
const vr_command vr_cmd_vcpuinfo = {
    "vcpuinfo", "A running domain's vCPUs: the host CPU each ran on last, its CPU time and affinity.",
    "DOMAIN [--pretty] [--json]", run_vcpuinfo};
const vr_command vr_cmd_vcpupin = {
    "vcpupin", "Show or set which host CPUs a domain's vCPU threads may run on (--live; --config: <cputune>).",
    "DOMAIN [--vcpu] VCPU [--cpulist] CPULIST [--live] [--config] [--current]", run_vcpupin};
const vr_command vr_cmd_emulatorpin = {
    "emulatorpin", "Show or set which host CPUs a domain's other QEMU threads may run on (--live; --config: "
    "<cputune>).",
    "DOMAIN [--cpulist] CPULIST [--live] [--config] [--current]", run_emulatorpin};
const vr_command vr_cmd_metadata = {
    "metadata", "Show, set (--key PREFIX --set XML, or --edit in $EDITOR) or remove an application's <metadata> "
    "element.",
    "DOMAIN [--uri] URI [--key PREFIX] [--set XML | --remove | --edit] [--live] [--config] [--current]",
    run_metadata};
const vr_command vr_cmd_desc = {
    "desc", "Show or set a domain's description (or --title), live or in its definition; --edit in $EDITOR.",
    "DOMAIN [--title] [--new-desc TEXT | TEXT... | --edit] [--live] [--config] [--current]", run_desc};
const vr_command vr_cmd_schedinfo = {
    "schedinfo", "Show or set a domain's CPU bandwidth (<cputune> shares, period, quota) as virsh's scheduler "
    "parameters; a live change goes into the run's cgroup.",
    "DOMAIN [[--set] cpu_shares=N|vcpu_period=US|vcpu_quota=US...] [--live] [--config] [--current] [--json]",
    run_schedinfo};
