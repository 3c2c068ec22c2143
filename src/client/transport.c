/* How libvireo reaches a daemon that is not simply listening on a local
 * socket: a session daemon it starts itself, and a remote daemon over
 * SSH. */
#include "client/client.h"
#include "common/child.h"
#include "common/file.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool answers(const char *path)
{
    int fd = vr_client_dial(path);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* vireod: $VIREO_DAEMON, else beside this program (installed: ../sbin;
 * the build tree: ../daemon), else on PATH. */
static char *find_daemon(void)
{
    const char *env = getenv("VIREO_DAEMON");
    if (env && *env)
        return vr_strdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        const char *dir = dirname(self);
        const char *rel[] = {"vireod", "../sbin/vireod", "../daemon/vireod"};
        for (size_t i = 0; i < VR_ARRAY_LEN(rel); i++) {
            char *p = vr_asprintf("%s/%s", dir, rel[i]);
            if (access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
    const char *dirs[] = {"/usr/local/sbin", "/usr/sbin", "/usr/local/bin", "/usr/bin"};
    for (size_t i = 0; i < VR_ARRAY_LEN(dirs); i++) {
        char *p = vr_asprintf("%s/vireod", dirs[i]);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

int vr_session_spawn(const char *socket, char **err)
{
    char *daemon = find_daemon();
    if (!daemon) {
        vr_set_error(err, "cannot start your session daemon: vireod not found (set VIREO_DAEMON or install Vireo)");
        return -1;
    }
    /* How long it stays once idle: a minute, or VIREO_SESSION_TIMEOUT. */
    const char *t = getenv("VIREO_SESSION_TIMEOUT");
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", t && atoi(t) > 0 ? atoi(t) : 60);
    /* Detached: the daemon is nobody's child and outlives us. */
    char *argv[] = {daemon, "--session", "--timeout", timeout, NULL};
    vr_child_spec s = {.argv = argv, .out = VR_CHILD_OUT_NULL, .detach = true};
    vr_child_result r;
    char *why = NULL;
    int rc = vr_child_run(&s, &r, &why);
    free(daemon);
    if (rc < 0) {
        vr_set_error(err, "cannot start your session daemon: %s", why);
        free(why);
        return -1;
    }
    for (int i = 0; i < 200; i++) {
        if (answers(socket))
            return 0;
        sleep_ms(25);
    }
    vr_set_error(err, "started your session daemon but it does not answer on %s", socket);
    return -1;
}

/* ssh's options for `u` into argv (room for 24), its count. */
static size_t ssh_opts(const char **argv, const vr_uri *u, const char *port)
{
    size_t n = 0;
    argv[n++] = "ssh";
    argv[n++] = "-T";
    argv[n++] = "-p";
    argv[n++] = port;
    argv[n++] = "-o";
    argv[n++] = "ServerAliveInterval=15";
    if (!isatty(STDIN_FILENO)) {
        /* No one to type a password: fail fast instead of hanging. */
        argv[n++] = "-o";
        argv[n++] = "BatchMode=yes";
    }
    if (u->keyfile) {
        argv[n++] = "-i";
        argv[n++] = u->keyfile;
        argv[n++] = "-o";
        argv[n++] = "IdentitiesOnly=yes";
    }
    if (u->no_verify) {
        argv[n++] = "-o";
        argv[n++] = "StrictHostKeyChecking=no";
        argv[n++] = "-o";
        argv[n++] = "UserKnownHostsFile=/dev/null";
        /* LogLevel stays: ssh's output goes to the error file, whose last
         * line (a channel's "open failed", logged at INFO) is the reason. */
    }
    return n;
}

/* vireo+ssh://…/session: the remote user's session socket into
 * u->socket, over a first ssh connection (a second one forwards it). */
static int find_session(vr_uri *u, const char *port, const char *target, char **err)
{
    const char *argv[32];
    size_t n = ssh_opts(argv, u, port);
    argv[n++] = "-o";
    argv[n++] = "LogLevel=ERROR";
    argv[n++] = target;
    argv[n++] = vr_ssh_session_probe();
    argv[n] = NULL;
    vr_child_spec s = {.argv = (char *const *)argv, .out = VR_CHILD_OUT_CAPTURE, .stderr_apart = true,
                       .inherit_stdin = isatty(STDIN_FILENO), .timeout_ms = 60000};
    vr_child_result r = {0};
    if (vr_child_run(&s, &r, err) < 0)
        return -1;
    int rc = -1;
    if (!vr_child_ok(&r)) {
        char *why = vr_strdup(r.err && *r.err ? r.err : "ssh failed without saying why");
        vr_str_trim(why);
        char *nl = strrchr(why, '\n');
        vr_set_error(err, "cannot connect to %s over SSH: %s", u->host, nl ? nl + 1 : why);
        free(why);
    } else {
        rc = vr_ssh_session_found(u, r.out, err);
    }
    vr_child_result_clear(&r);
    return rc;
}

int vr_ssh_open(vireo_conn *c, vr_uri *u, char **err)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", u->port ? u->port : 22);
    char *target = u->user ? vr_asprintf("%s@%s", u->user, u->host) : vr_strdup(u->host);
    if (!u->socket && find_session(u, port, target, err) < 0) {
        free(target);
        return -1;
    }
    char tmpl[] = "/tmp/vireo-ssh.XXXXXX";
    if (!mkdtemp(tmpl)) {
        vr_set_error(err, "cannot make a directory for the SSH tunnel: %s", strerror(errno));
        free(target);
        return -1;
    }
    c->ssh_dir = vr_strdup(tmpl);
    char *local = vr_asprintf("%s/vireod.sock", tmpl);
    char *errfile = vr_asprintf("%s/ssh.err", tmpl);
    char *forward = vr_asprintf("%s:%s", local, u->socket);
    const char *argv[32];
    vr_ssh_forward_args(argv, ssh_opts(argv, u, port), forward, target);
    /* A terminal stays ssh's, for a password or a host key question;
     * its complaints go to the error file (ssh -N prints nothing else). */
    int e = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    vr_child_spec s = {.argv = (char *const *)argv, .out = e >= 0 ? VR_CHILD_OUT_FD : VR_CHILD_OUT_NULL,
                       .out_fd = e, .inherit_stdin = isatty(STDIN_FILENO)};
    pid_t pid = vr_child_spawn(&s, err);
    if (e >= 0)
        close(e);
    free(forward);
    free(target);
    int rc = -1;
    if (pid < 0)
        goto out;
    c->ssh_pid = pid;
    /* One connection for the whole session: wait for the forward. */
    for (int i = 0; i < 600; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            c->ssh_pid = 0;
            char *why = vr_file_last_line(errfile, "ssh exited");
            if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
                vr_set_error(err, "cannot run ssh: install openssh-client");
            else
                vr_set_error(err, "cannot connect to %s over SSH: %s", u->host, why);
            free(why);
            goto out;
        }
        if (answers(local)) {
            free(c->socket);
            c->socket = local;
            local = NULL;
            rc = 0;
            goto out;
        }
        sleep_ms(25);
    }
    vr_set_error(err, "cannot connect to %s over SSH: timed out after 15 s", u->host);
out:
    free(local);
    free(errfile);
    if (rc < 0)
        vr_ssh_close(c);
    return rc;
}

void vr_ssh_close(vireo_conn *c)
{
    if (c->ssh_pid > 0) {
        kill(c->ssh_pid, SIGTERM);
        waitpid(c->ssh_pid, NULL, 0);
        c->ssh_pid = 0;
    }
    if (c->ssh_dir) {
        char *p = vr_asprintf("%s/vireod.sock", c->ssh_dir);
        unlink(p);
        free(p);
        p = vr_asprintf("%s/ssh.err", c->ssh_dir);
        unlink(p);
        free(p);
        rmdir(c->ssh_dir);
        free(c->ssh_dir);
        c->ssh_dir = NULL;
    }
}
