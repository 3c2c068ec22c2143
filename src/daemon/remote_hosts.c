/* Remote hosts for the web UI: the list, the daemon's SSH key, and one
 * ssh tunnel per host kept up without blocking the event loop. A tunnel
 * is `ssh -N -L RUNTIME/hosts/NAME.sock:REMOTE_SOCKET user@host` with
 * the daemon's key in batch mode (no one can type a password here) and
 * a known_hosts file of the daemon's own that learns each host's key at
 * first contact (accept-new; ?no_verify=1 as in vireo+ssh:// skips it).
 * A timer watches each tunnel: CONNECTING until the local socket
 * answers, CONNECTED while ssh lives, UNREACHABLE with ssh's last line
 * when it ends or when sshd cannot open the remote socket as the user
 * (not root nor in group vireo there: vr_ssh_refusal), and a new try
 * every RETRY_MS until it comes back. A vireo+ssh://…/session host first
 * asks over ssh where the user's session socket is (vr_ssh_session_probe,
 * which starts that daemon when vireo is installed there), its answer
 * read by the same timer once that ssh ends; then the tunnel goes to it. */
#include "daemon/remote_hosts.h"
#include "client/client.h"
#include "common/child.h"
#include "common/file.h"
#include "common/log.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define POLL_MS 100          /* while connecting */
#define WATCH_MS 1000        /* while connected: has ssh ended? */
#define RETRY_MS 5000        /* after a failure */
#define CONNECT_TRIES 200    /* 20 s of POLL_MS */

typedef struct vr_remote_host {
    struct vr_remote_hosts *rh;
    char *name, *uri;
    vr_uri u;
    vr_host_state state;
    char *error;             /* why it is unreachable */
    pid_t ssh_pid;
    pid_t probe_pid;         /* a session host's socket being found */
    char *sock, *errfile, *probefile;
    struct event *timer;
    int tries;
} vr_remote_host;

struct vr_remote_hosts {
    struct event_base *base;
    char *dir, *file, *key, *known_hosts, *run_dir;
    vr_remote_host **v;
    size_t n;
};

static void host_timer(evutil_socket_t fd, short what, void *opaque);

static void arm(vr_remote_host *h, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    evtimer_add(h->timer, &tv);
}

/* Does something accept connections on the unix socket `path`? */
static bool answers(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

static void end_child(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGTERM);
        waitpid(*pid, NULL, 0);
        *pid = 0;
    }
}

static void stop_ssh(vr_remote_host *h)
{
    end_child(&h->ssh_pid);
    end_child(&h->probe_pid);
    unlink(h->sock);
    /* A session socket is found again at the next try. */
    if (h->u.session && !h->u.explicit_socket) {
        free(h->u.socket);
        h->u.socket = NULL;
    }
}

static void set_unreachable(vr_remote_host *h, char *why)
{
    if (h->state != VR_HOST_UNREACHABLE || !h->error || strcmp(h->error, why) != 0)
        vr_log_warn("host %s (%s) is unreachable: %s", h->name, h->u.canonical, why);
    free(h->error);
    h->error = why;
    h->state = VR_HOST_UNREACHABLE;
    stop_ssh(h);
    arm(h, RETRY_MS);
}

/* ssh's options for host `h` into argv (room for 24), its count;
 * `port` and `known` are the caller's buffers for their values. */
static size_t ssh_opts(const vr_remote_host *h, const char **argv, char port[16], char **known)
{
    const vr_remote_hosts *rh = h->rh;
    *known = vr_asprintf("UserKnownHostsFile=%s", rh->known_hosts);
    snprintf(port, 16, "%d", h->u.port ? h->u.port : 22);
    size_t n = 0;
    const char *fixed[] = {"ssh", "-T", "-p", port, "-o",
                           "ServerAliveInterval=15", "-o", "ServerAliveCountMax=2", "-o", "BatchMode=yes",
                           "-o", "ConnectTimeout=10", "-o", "IdentitiesOnly=yes", "-i",
                           h->u.keyfile ? h->u.keyfile : rh->key};
    for (size_t i = 0; i < VR_ARRAY_LEN(fixed); i++)
        argv[n++] = fixed[i];
    if (h->u.no_verify) {
        /* No LogLevel=ERROR: a channel's "open failed" is logged at INFO
         * (vr_ssh_refusal reads it); the error file is ssh's alone. */
        const char *nv[] = {"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"};
        for (size_t i = 0; i < VR_ARRAY_LEN(nv); i++)
            argv[n++] = nv[i];
    } else {
        argv[n++] = "-o";
        argv[n++] = "StrictHostKeyChecking=accept-new";
        argv[n++] = "-o";
        argv[n++] = *known;
    }
    return n;
}

/* ssh `argv` started with its output (both streams) into `file`, in its
 * own session, no terminal: ssh never asks. Its pid into *pid and the
 * host CONNECTING, watched by its timer; or the host unreachable. */
static void spawn_ssh(vr_remote_host *h, const char **argv, const char *file, pid_t *pid)
{
    int e = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    vr_child_spec s = {.argv = (char *const *)argv, .out = e >= 0 ? VR_CHILD_OUT_FD : VR_CHILD_OUT_NULL,
                       .out_fd = e, .new_session = true};
    char *err = NULL;
    pid_t p = vr_child_spawn(&s, &err);
    if (e >= 0)
        close(e);
    if (p < 0) {
        set_unreachable(h, err);
        return;
    }
    *pid = p;
    h->state = VR_HOST_CONNECTING;
    h->tries = 0;
    arm(h, POLL_MS);
}

/* A session host: where its user's session socket is, asked over ssh;
 * host_timer reads the answer when that ssh ends. */
static void start_probe(vr_remote_host *h)
{
    char port[16], *known;
    const char *argv[40];
    size_t n = ssh_opts(h, argv, port, &known);
    char *target = h->u.user ? vr_asprintf("%s@%s", h->u.user, h->u.host) : vr_strdup(h->u.host);
    argv[n++] = "-o";
    argv[n++] = "LogLevel=ERROR";
    argv[n++] = target;
    argv[n++] = vr_ssh_session_probe();
    argv[n] = NULL;
    spawn_ssh(h, argv, h->probefile, &h->probe_pid);
    free(target);
    free(known);
}

static void start_ssh(vr_remote_host *h);

/* The probe's answer: the tunnel to the socket it names, or why not. */
static void probe_done(vr_remote_host *h, int st)
{
    h->probe_pid = 0;
    char *out = vr_file_read(h->probefile, NULL), *err = NULL;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !(out && strstr(out, "VIREO-SESSION-SOCKET")))
        err = vr_strdup("cannot run ssh: install openssh-client");
    else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        err = vr_file_last_line(h->probefile, "ssh ended without saying why");
    else
        vr_ssh_session_found(&h->u, out, &err);
    free(out);
    if (err)
        set_unreachable(h, err);
    else
        start_ssh(h);
}

static void start_ssh(vr_remote_host *h)
{
    if (!h->u.socket) {
        start_probe(h);
        return;
    }
    char *forward = vr_asprintf("%s:%s", h->sock, h->u.socket);
    char *target = h->u.user ? vr_asprintf("%s@%s", h->u.user, h->u.host) : vr_strdup(h->u.host);
    char port[16], *known;
    const char *argv[40];
    vr_ssh_forward_args(argv, ssh_opts(h, argv, port, &known), forward, target);
    unlink(h->sock);
    /* Its complaints to the error file (ssh -N prints nothing else). */
    spawn_ssh(h, argv, h->errfile, &h->ssh_pid);
    free(forward);
    free(target);
    free(known);
}

static void host_timer(evutil_socket_t fd, short what, void *opaque)
{
    (void)fd;
    (void)what;
    vr_remote_host *h = opaque;
    int st;
    if (h->probe_pid > 0) {
        if (waitpid(h->probe_pid, &st, WNOHANG) == h->probe_pid)
            probe_done(h, st);
        else if (++h->tries >= CONNECT_TRIES)
            set_unreachable(h, vr_strdup("no answer over SSH within 20 s"));
        else
            arm(h, POLL_MS);
        return;
    }
    if (h->ssh_pid <= 0) { /* a retry */
        start_ssh(h);
        return;
    }
    if (waitpid(h->ssh_pid, &st, WNOHANG) == h->ssh_pid) {
        h->ssh_pid = 0;
        set_unreachable(h, WIFEXITED(st) && WEXITSTATUS(st) == 127
                               ? vr_strdup("cannot run ssh: install openssh-client")
                               : vr_file_last_line(h->errfile, "ssh ended without saying why"));
        return;
    }
    /* ssh is up, but sshd could not open the daemon's socket as the
     * remote user: say so (and try again later: the user may join group
     * vireo meanwhile). ssh writes it when the first request goes. */
    char *refused = h->state == VR_HOST_CONNECTED ? vr_ssh_refusal(h->errfile, &h->u) : NULL;
    if (refused) {
        set_unreachable(h, refused);
        return;
    }
    if (h->state == VR_HOST_CONNECTING) {
        if (answers(h->sock)) {
            h->state = VR_HOST_CONNECTED;
            free(h->error);
            h->error = NULL;
            vr_log_info("host %s: connected over SSH (%s)", h->name, h->u.canonical);
        } else if (++h->tries >= CONNECT_TRIES) {
            set_unreachable(h, vr_strdup("no answer over SSH within 20 s"));
            return;
        }
    }
    arm(h, h->state == VR_HOST_CONNECTED ? WATCH_MS : POLL_MS);
}

static void host_free(vr_remote_host *h)
{
    stop_ssh(h);
    if (h->timer)
        event_free(h->timer);
    unlink(h->errfile);
    unlink(h->probefile);
    free(h->probefile);
    vr_uri_clear(&h->u);
    free(h->name);
    free(h->uri);
    free(h->error);
    free(h->sock);
    free(h->errfile);
    free(h);
}

static vr_remote_host *find(vr_remote_hosts *rh, const char *name, size_t *at)
{
    for (size_t i = 0; i < rh->n; i++)
        if (strcmp(rh->v[i]->name, name) == 0) {
            if (at)
                *at = i;
            return rh->v[i];
        }
    return NULL;
}

/* A host's name names its socket file: the rule of network names. */
static bool name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-", *p))
            return false;
    return true;
}

/* A new host object from a checked name and URI; its tunnel starts. */
static int host_add(vr_remote_hosts *rh, const char *name, const char *uri, int *status, char **err)
{
    if (!name_ok(name)) {
        vr_set_error(err, "host name '%s' is refused: use 1 to 64 of A-Z a-z 0-9 _ . + -, not starting "
                          "with '.' or '-'", name);
        *status = 400;
        return -1;
    }
    if (find(rh, name, NULL)) {
        vr_set_error(err, "host '%s' already exists", name);
        *status = 409;
        return -1;
    }
    vr_remote_host *h = vr_calloc(1, sizeof(*h));
    char *uerr = NULL;
    if (vr_uri_parse(uri, &h->u, &uerr) < 0 || !h->u.ssh) {
        vr_set_error(err, "'%s': %s", uri,
                     uerr ? uerr : "a remote host is vireo+ssh://[user@]host[:port]/system (or /session)");
        free(uerr);
        vr_uri_clear(&h->u);
        free(h);
        *status = 400;
        return -1;
    }
    h->rh = rh;
    h->name = vr_strdup(name);
    h->uri = vr_strdup(uri);
    h->sock = vr_asprintf("%s/%s.sock", rh->run_dir, name);
    h->errfile = vr_asprintf("%s/%s.err", rh->run_dir, name);
    h->probefile = vr_asprintf("%s/%s.probe", rh->run_dir, name);
    if (strlen(h->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        vr_set_error(err, "the tunnel's socket path %s is too long for a unix socket", h->sock);
        host_free(h);
        *status = 400;
        return -1;
    }
    h->timer = evtimer_new(rh->base, host_timer, h);
    rh->v = vr_realloc(rh->v, (rh->n + 1) * sizeof(*rh->v));
    rh->v[rh->n++] = h;
    start_ssh(h);
    return 0;
}

static int save(vr_remote_hosts *rh, char **err)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < rh->n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(rh->v[i]->name));
        json_object_object_add(o, "uri", json_object_new_string(rh->v[i]->uri));
        json_object_array_add(arr, o);
    }
    const char *text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY);
    int rc = vr_file_write_atomic(rh->file, text, strlen(text), 0600);
    if (rc < 0)
        vr_set_error(err, "cannot save %s: %s", rh->file, strerror(errno));
    json_object_put(arr);
    return rc;
}

static void load(vr_remote_hosts *rh)
{
    char *text = vr_file_read(rh->file, NULL);
    if (!text)
        return;
    json_object *arr = json_tokener_parse(text);
    free(text);
    for (size_t i = 0; arr && json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i), *name = NULL, *uri = NULL;
        int status;
        char *err = NULL;
        if (!json_object_object_get_ex(o, "name", &name) || !json_object_object_get_ex(o, "uri", &uri) ||
            host_add(rh, json_object_get_string(name), json_object_get_string(uri), &status, &err) < 0) {
            vr_log_warn("%s: entry %zu skipped: %s", rh->file, i, err ? err : "expected {\"name\",\"uri\"}");
            free(err);
        }
    }
    json_object_put(arr);
}

vr_remote_hosts *vr_remote_hosts_new(struct event_base *base, const vr_paths *paths)
{
    vr_remote_hosts *rh = vr_calloc(1, sizeof(*rh));
    rh->base = base;
    rh->dir = vr_asprintf("%s/hosts", paths->config_dir);
    rh->file = vr_asprintf("%s/hosts.json", paths->config_dir);
    rh->key = vr_asprintf("%s/id_ed25519", rh->dir);
    rh->known_hosts = vr_asprintf("%s/known_hosts", rh->dir);
    rh->run_dir = vr_asprintf("%s/hosts", paths->runtime_dir);
    mkdir(rh->dir, 0700);
    mkdir(rh->run_dir, 0700);
    load(rh);
    return rh;
}

void vr_remote_hosts_free(vr_remote_hosts *rh)
{
    if (!rh)
        return;
    for (size_t i = 0; i < rh->n; i++)
        host_free(rh->v[i]);
    free(rh->v);
    free(rh->dir);
    free(rh->file);
    free(rh->key);
    free(rh->known_hosts);
    free(rh->run_dir);
    free(rh);
}

static const char *state_name(vr_host_state s)
{
    return s == VR_HOST_CONNECTED ? "connected" : s == VR_HOST_CONNECTING ? "connecting" : "unreachable";
}

static json_object *host_json(const vr_remote_host *h)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(h->name));
    json_object_object_add(o, "uri", json_object_new_string(h->uri));
    json_object_object_add(o, "state", json_object_new_string(state_name(h->state)));
    json_object_object_add(o, "error", h->error ? json_object_new_string(h->error) : NULL);
    return o;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(vr_remote_host *const *)a)->name, (*(vr_remote_host *const *)b)->name);
}

json_object *vr_remote_hosts_json(vr_remote_hosts *rh)
{
    if (rh->n) /* (qsort's array may not be NULL, even when empty) */
        qsort(rh->v, rh->n, sizeof(*rh->v), by_name);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < rh->n; i++)
        json_object_array_add(arr, host_json(rh->v[i]));
    return arr;
}

json_object *vr_remote_host_json(vr_remote_hosts *rh, const char *name)
{
    vr_remote_host *h = find(rh, name, NULL);
    return h ? host_json(h) : NULL;
}

char *vr_remote_hosts_public_key(vr_remote_hosts *rh, char **err)
{
    char *pub = vr_asprintf("%s.pub", rh->key);
    if (access(pub, R_OK) != 0) {
        char host[256] = "vireod";
        gethostname(host, sizeof(host) - 1);
        char *comment = vr_asprintf("vireod@%s", host);
        char *argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", rh->key, NULL};
        vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_NULL};
        vr_child_result r;
        bool made = vr_child_run(&s, &r, NULL) == 0 && vr_child_ok(&r);
        free(comment);
        if (!made) {
            vr_set_error(err, "cannot make the daemon's SSH key %s with ssh-keygen (install openssh-client)",
                         rh->key);
            free(pub);
            return NULL;
        }
        vr_log_info("made the SSH key %s for remote hosts", rh->key);
    }
    char *text = vr_file_read(pub, NULL);
    if (!text)
        vr_set_error(err, "cannot read %s: %s", pub, strerror(errno));
    free(pub);
    if (text)
        vr_str_trim(text); /* the newline (the line starts with its type) */
    return text;
}

int vr_remote_hosts_add(vr_remote_hosts *rh, const char *name, const char *uri, int *status, char **err)
{
    char *kerr = NULL, *key = vr_remote_hosts_public_key(rh, &kerr); /* the tunnel needs it */
    if (!key) {
        *status = 500;
        *err = kerr;
        return -1;
    }
    free(key);
    if (host_add(rh, name, uri, status, err) < 0)
        return -1;
    if (save(rh, err) < 0) {
        host_free(rh->v[--rh->n]);
        *status = 500;
        return -1;
    }
    vr_log_info("host %s added (%s)", name, uri);
    return 0;
}

int vr_remote_hosts_remove(vr_remote_hosts *rh, const char *name, int *status, char **err)
{
    size_t at;
    vr_remote_host *h = find(rh, name, &at);
    if (!h) {
        vr_set_error(err, "host '%s' not found", name);
        *status = 404;
        return -1;
    }
    rh->v[at] = rh->v[--rh->n];
    if (save(rh, err) < 0) {
        rh->v[rh->n++] = h;
        *status = 500;
        return -1;
    }
    host_free(h);
    vr_log_info("host %s removed", name);
    return 0;
}

const char *vr_remote_host_socket(vr_remote_hosts *rh, const char *name, int *status, char **err)
{
    vr_remote_host *h = find(rh, name, NULL);
    if (!h) {
        vr_set_error(err, "host '%s' not found (GET /v1/hosts lists them)", name);
        *status = 404;
        return NULL;
    }
    if (h->state == VR_HOST_CONNECTED)
        return h->sock;
    if (h->state == VR_HOST_CONNECTING)
        vr_set_error(err, "host '%s' is not connected yet: its SSH connection is being made", name);
    else
        vr_set_error(err, "host '%s' is unreachable: %s", name, h->error);
    *status = 502;
    return NULL;
}
