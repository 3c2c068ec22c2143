/* Connection URIs: vireo:///system, vireo:///session (qemu:// aliases),
 * with ?socket=PATH. Remote vireo+ssh:// comes with the connections
 * work; until then it is refused by name. */
#include "client/client.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *session_socket(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg)
        return vr_asprintf("%s/vireo/vireod.sock", xdg);
    const char *home = getenv("HOME");
    return vr_asprintf("%s/.cache/vireo/run/vireod.sock", home ? home : "/tmp");
}

char *vr_uri_socket(const char *uri, char **canonical, char **err)
{
    static const struct {
        const char *prefix, *canonical;
    } kinds[] = {
        {"vireo:///system", "vireo:///system"},
        {"qemu:///system", "vireo:///system"},
        {"vireo:///session", "vireo:///session"},
        {"qemu:///session", "vireo:///session"},
    };
    for (size_t i = 0; i < VR_ARRAY_LEN(kinds); i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(uri, kinds[i].prefix, n) != 0 || (uri[n] && uri[n] != '?'))
            continue;
        *canonical = vr_strdup(kinds[i].canonical);
        const char *q = uri[n] == '?' ? uri + n + 1 : NULL;
        char *sock = NULL;
        while (q && *q) {
            const char *amp = strchr(q, '&');
            size_t len = amp ? (size_t)(amp - q) : strlen(q);
            if (len > 7 && strncmp(q, "socket=", 7) == 0) {
                free(sock);
                sock = vr_strndup(q + 7, len - 7);
            } else {
                vr_set_error(err, "unknown URI parameter '%.*s' in %s (known: socket=PATH)", (int)len, q, uri);
                free(sock);
                free(*canonical);
                *canonical = NULL;
                return NULL;
            }
            q = amp ? amp + 1 : NULL;
        }
        if (sock)
            return sock;
        return strstr(*canonical, "session") ? session_socket() : vr_strdup("/run/vireo/vireod.sock");
    }
    if (strstr(uri, "+ssh://"))
        vr_set_error(err, "remote URIs (%s) are not supported yet; connect on the host itself", uri);
    else
        vr_set_error(err, "unknown URI '%s' (try vireo:///system or vireo:///session)", uri);
    return NULL;
}
