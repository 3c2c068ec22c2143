/* Connection URIs:
 *   vireo:///system  vireo:///session  (qemu:// are aliases)
 *   vireo+ssh://[user@]host[:port]/system or /session  (qemu+ssh:// alias)
 * with ?socket=PATH, ?readonly=1, and for ssh ?keyfile=PATH, ?no_verify=1. */
#include "client/client.h"
#include "common/file.h"
#include "common/paths.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void vr_uri_clear(vr_uri *u)
{
    free(u->canonical);
    free(u->socket);
    free(u->user);
    free(u->host);
    free(u->keyfile);
    memset(u, 0, sizeof(*u));
}

static int params(const char *uri, const char *q, vr_uri *u, char **err)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        char *val = eq ? vr_strndup(eq + 1, len - klen - 1) : vr_strdup("");
        if (klen == 6 && strncmp(q, "socket", 6) == 0) {
            free(u->socket);
            u->socket = val;
            u->explicit_socket = true;
            val = NULL;
        } else if (klen == 8 && strncmp(q, "readonly", 8) == 0) {
            u->readonly = strcmp(val, "0") != 0;
        } else if (u->ssh && klen == 7 && strncmp(q, "keyfile", 7) == 0) {
            free(u->keyfile);
            u->keyfile = val;
            val = NULL;
        } else if (u->ssh && klen == 9 && strncmp(q, "no_verify", 9) == 0) {
            u->no_verify = strcmp(val, "0") != 0;
        } else {
            vr_set_error(err, "unknown URI parameter '%.*s' in %s (known: socket, readonly%s)", (int)klen, q,
                         uri, u->ssh ? ", keyfile, no_verify" : "");
            free(val);
            return -1;
        }
        free(val);
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

static int parse_ssh(const char *uri, const char *rest, vr_uri *u, char **err)
{
    /* rest: [user@]host[:port]/system|/session[?params] */
    u->ssh = true;
    const char *slash = strchr(rest, '/');
    if (!slash || slash == rest) {
        vr_set_error(err, "no host in %s (vireo+ssh://[user@]host[:port]/system)", uri);
        return -1;
    }
    char *hostpart = vr_strndup(rest, (size_t)(slash - rest));
    char *at = strchr(hostpart, '@');
    char *host = at ? at + 1 : hostpart;
    if (at) {
        *at = '\0';
        u->user = vr_strdup(hostpart);
    }
    char *colon = strrchr(host, ':');
    if (colon && !strchr(host, ']')) {
        *colon = '\0';
        u->port = atoi(colon + 1);
        if (u->port <= 0 || u->port > 65535) {
            vr_set_error(err, "bad port '%s' in %s", colon + 1, uri);
            free(hostpart);
            return -1;
        }
    }
    u->host = vr_strdup(host);
    free(hostpart);
    const char *path = slash, *q = strchr(path, '?');
    size_t plen = q ? (size_t)(q - path) : strlen(path);
    u->session = plen == 8 && strncmp(path, "/session", 8) == 0;
    if (!u->session && (plen != 7 || strncmp(path, "/system", 7) != 0)) {
        vr_set_error(err, "a remote URI ends in /system or /session: use %.*s/system", (int)(slash - uri), uri);
        return -1;
    }
    if (params(uri, q ? q + 1 : NULL, u, err) < 0)
        return -1;
    if (u->session && u->readonly) {
        vr_set_error(err, "a session daemon has no read-only socket: drop readonly from %s", uri);
        return -1;
    }
    /* A remote session socket is found over ssh (vr_ssh_session_probe). */
    if (!u->socket && !u->session)
        u->socket = vr_strdup(u->readonly ? "/run/vireo/vireod-ro.sock" : "/run/vireo/vireod.sock");
    char port[16] = "";
    if (u->port)
        snprintf(port, sizeof(port), ":%d", u->port);
    u->canonical = vr_asprintf("vireo+ssh://%s%s%s%s/%s", u->user ? u->user : "", u->user ? "@" : "",
                               u->host, port, u->session ? "session" : "system");
    return 0;
}

int vr_uri_parse(const char *uri, vr_uri *u, char **err)
{
    memset(u, 0, sizeof(*u));
    static const struct {
        const char *prefix;
        bool session;
    } local[] = {
        {"vireo:///system", false}, {"qemu:///system", false},
        {"vireo:///session", true}, {"qemu:///session", true},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(local); i++) {
        size_t n = strlen(local[i].prefix);
        if (strncmp(uri, local[i].prefix, n) != 0 || (uri[n] && uri[n] != '?'))
            continue;
        u->session = local[i].session;
        u->canonical = vr_strdup(u->session ? "vireo:///session" : "vireo:///system");
        if (params(uri, uri[n] == '?' ? uri + n + 1 : NULL, u, err) < 0) {
            vr_uri_clear(u);
            return -1;
        }
        if (!u->socket)
            u->socket = u->session ? vr_session_socket()
                                   : vr_strdup(u->readonly ? "/run/vireo/vireod-ro.sock" : "/run/vireo/vireod.sock");
        return 0;
    }
    static const char *ssh[] = {"vireo+ssh://", "qemu+ssh://"};
    for (size_t i = 0; i < VR_ARRAY_LEN(ssh); i++) {
        if (strncmp(uri, ssh[i], strlen(ssh[i])) == 0) {
            if (parse_ssh(uri, uri + strlen(ssh[i]), u, err) < 0) {
                vr_uri_clear(u);
                return -1;
            }
            return 0;
        }
    }
    vr_set_error(err, "unknown URI '%s' (try vireo:///system, vireo:///session or vireo+ssh://host/system)", uri);
    return -1;
}

/* The read-only socket beside a system socket: DIR/vireod-ro.sock. */
char *vr_uri_ro_socket(const char *socket)
{
    const char *slash = strrchr(socket, '/');
    return slash ? vr_asprintf("%.*s/vireod-ro.sock", (int)(slash - socket), socket) : vr_strdup("vireod-ro.sock");
}

/* (the daemon's Hosts page and libvireo both read ssh's error file) */
char *vr_ssh_refusal(const char *errfile, const vr_uri *u)
{
    char *last = vr_file_last_line(errfile, "");
    char *m = NULL;
    /* "channel 2: open failed: connect failed: open failed": sshd names
     * no reason (a missing socket and a refused user look alike). */
    if (strstr(last, "open failed") && u->session) {
        const char *user = u->user ? u->user : "your user";
        m = vr_asprintf("ssh reached %s as %s, but %s's session daemon does not answer on %s: start it there "
                        "(vireod --session), or install vireo there so that it starts on first use",
                        u->host, user, user, u->socket);
    } else if (strstr(last, "open failed")) {
        const char *user = u->user ? u->user : "your user";
        m = vr_asprintf("ssh reached %s as %s, but sshd could not open %s for %s: on %s, %s must be root or in "
                        "group vireo and vireod must run there (?socket=PATH names another socket); "
                        "?readonly=1 only looks",
                        u->host, user, u->socket, user, u->host, user);
    }
    free(last);
    return m;
}

/* The end of a tunnel's ssh command line, after its n options: forward
 * `forward` (LOCAL:REMOTE sockets) to `target`, nothing run there. */
void vr_ssh_forward_args(const char **argv, size_t n, const char *forward, const char *target)
{
    argv[n++] = "-N";
    argv[n++] = "-o";
    argv[n++] = "ExitOnForwardFailure=yes";
    argv[n++] = "-L";
    argv[n++] = forward;
    argv[n++] = target;
    argv[n] = NULL;
}

/* The command run over ssh for vireo+ssh://…/session: the remote user's
 * session socket by the rule vr_session_socket() follows there
 * ($XDG_RUNTIME_DIR/vireo, else ${XDG_CACHE_HOME:-~/.cache}/vireo/run),
 * the session daemon started first when vireo is installed there and it
 * is not up (a connection starts it, as locally). In sh, whatever the
 * user's login shell. */
const char *vr_ssh_session_probe(void)
{
    return "sh -c '"
           "r=; case \"$XDG_RUNTIME_DIR\" in /*) r=$XDG_RUNTIME_DIR/vireo;; esac; "
           "if [ -z \"$r\" ]; then c=$XDG_CACHE_HOME; "
           "case \"$c\" in /*) ;; *) c=${HOME:-/tmp}/.cache;; esac; r=$c/vireo/run; fi; "
           "s=$r/vireod.sock; "
           "if [ ! -S \"$s\" ] && command -v vireo >/dev/null 2>&1; then "
           "vireo -c vireo:///session uri >/dev/null 2>&1; fi; "
           "echo \"VIREO-SESSION-SOCKET $s\"'";
}

/* The socket in the probe's output `out` into u->socket: 0, or -1 with *err. */
int vr_ssh_session_found(vr_uri *u, const char *out, char **err)
{
    const char *tag = "VIREO-SESSION-SOCKET ", *at = out ? strstr(out, tag) : NULL;
    if (!at) {
        vr_set_error(err, "ssh reached %s, but cannot find %s's session socket there (is /bin/sh there?)",
                     u->host, u->user ? u->user : "your user");
        return -1;
    }
    at += strlen(tag);
    size_t len = strcspn(at, "\r\n");
    free(u->socket);
    u->socket = vr_strndup(at, len);
    return 0;
}
