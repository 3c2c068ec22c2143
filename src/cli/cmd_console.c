/* vireo console: the domain's serial console. On a terminal it is
 * interactive (raw mode, Ctrl+] leaves, like virsh); without one it
 * relays stdin to the guest and the guest to stdout until the domain
 * stops or the command is interrupted, so scripts can use it. */
#include "common/file.h"
#include "cli/cli.h"
#include "vireo/vireo.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_CHAR 0x1d /* Ctrl+] */

static volatile sig_atomic_t stop;
static void on_stop(int sig) { stop = 1; }

int vr_cli_console(vr_cli *cli, vireo_conn *c, const char *name, bool history)
{
    vireo_stream *s = vireo_console_open(c, name, history ? VIREO_CONSOLE_HISTORY : 0);
    if (!s)
        return vr_cli_fail(c);
    bool tty = isatty(STDIN_FILENO);
    struct termios saved;
    if (tty) {
        tcgetattr(STDIN_FILENO, &saved);
        struct termios raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        printf("Connected to domain '%s'\r\nEscape character is ^] (Ctrl + ])\r\n", name);
        fflush(stdout);
    }
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    bool stdin_open = true;
    char buf[4096];
    int rc = VR_EXIT_OK;
    while (!stop) {
        struct pollfd p[2] = {
            {.fd = vireo_stream_fd(s), .events = POLLIN},
            {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
        };
        if (vireo_stream_pending(s) == 0 && poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (vireo_stream_pending(s) || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = vireo_stream_read(s, buf, sizeof(buf));
            if (r <= 0)
                break; /* the domain stopped */
            if (vr_write_all(STDOUT_FILENO, buf, (size_t)r, false) < 0)
                break;
        }
        if (p[1].revents & (POLLIN | POLLHUP)) {
            ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
            if (r <= 0) {
                stdin_open = false; /* keep showing output */
                continue;
            }
            char *esc = tty ? memchr(buf, ESCAPE_CHAR, (size_t)r) : NULL;
            size_t n = esc ? (size_t)(esc - buf) : (size_t)r;
            if (n && vireo_stream_write(s, buf, n) < 0) {
                rc = VR_EXIT_FAIL;
                break;
            }
            if (esc)
                break;
        }
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        printf("\n");
    }
    vireo_stream_close(s);
    return rc;
}

static int run(vr_cli *cli, int argc, char **argv)
{
    const char *name = NULL;
    bool history = false, force = false;
    const vr_opt opts[] = {{"history", false, &history, NULL}, {"force", false, &force, NULL}, {0}};
    size_t npos;
    int r = vr_cli_parse(&vr_cmd_console, argc, argv, opts, &name, 1, 1, &npos);
    if (r)
        return r < 0 ? VR_EXIT_USAGE : VR_EXIT_OK;
    vireo_conn *c = vr_cli_connect(cli);
    if (!c)
        return VR_EXIT_FAIL;
    int rc = vr_cli_console(cli, c, name, history);
    vireo_disconnect(c);
    return rc;
}

const vr_command vr_cmd_console = {
    "console",
    "Attach to a domain's serial console (Ctrl+] leaves; --history replays recent output).",
    "DOMAIN [--history]",
    run,
};
