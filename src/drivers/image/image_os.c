/* What vireo builder can make: Debian and Ubuntu releases, each from its
 * own archive with mmdebstrap. `vireo builder --list` checks here, not
 * in a table alone: the archive's keyring must be installed and its
 * Release file reachable from this host. */
#include "drivers/image/image_os.h"
#include "drivers/image/image.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const img_os table[] = {
    {"debian-12", "Debian 12 (bookworm)", "bookworm", NULL, "main",
     "/usr/share/keyrings/debian-archive-keyring.gpg", "linux-image-cloud-amd64", "debian-security",
     "bookworm-security"},
    {"debian-13", "Debian 13 (trixie)", "trixie", NULL, "main",
     "/usr/share/keyrings/debian-archive-keyring.gpg", "linux-image-cloud-amd64", "debian-security",
     "trixie-security"},
    {"ubuntu-24.04", "Ubuntu 24.04 LTS (noble)", "noble", "http://archive.ubuntu.com/ubuntu",
     "main universe", "/usr/share/keyrings/ubuntu-archive-keyring.gpg", "linux-image-virtual", NULL,
     NULL},
};

const img_os *img_os_find(const char *name)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

/* Debian's mirror is the one this host's apt uses (its first
 * "URIs:"/"deb" entry for .../debian), else deb.debian.org. */
static char *host_debian_mirror(void)
{
    static const char *const files[] = {"/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"};
    for (size_t f = 0; f < 2; f++) {
        FILE *in = fopen(files[f], "r");
        char line[1024];
        while (in && fgets(line, sizeof(line), in)) {
            char *u = strstr(line, "http");
            if (line[0] == '#' || !u)
                continue;
            u[strcspn(u, " \t\r\n")] = 0;
            size_t n = strlen(u);
            while (n && u[n - 1] == '/')
                u[--n] = 0;
            if (n > 7 && strcmp(u + n - 7, "/debian") == 0) {
                fclose(in);
                return strdup(u);
            }
        }
        if (in)
            fclose(in);
    }
    return strdup("http://deb.debian.org/debian");
}

char *img_os_mirror(const img_os *os)
{
    return os->mirror ? strdup(os->mirror) : host_debian_mirror();
}

/* The mirror's host with another archive path (debian -> debian-security). */
char *img_os_security_mirror(const img_os *os)
{
    if (!os->security_path)
        return NULL;
    char *m = img_os_mirror(os), *slash = strrchr(m, '/'), *out = NULL;
    if (slash) {
        *slash = 0;
        if (asprintf(&out, "%s/%s", m, os->security_path) < 0)
            out = NULL;
    }
    free(m);
    return out;
}

char *img_os_check(const img_os *os)
{
    char *why = NULL;
    if (access(os->keyring, R_OK) < 0) {
        if (asprintf(&why, "its archive keyring %s is not installed", os->keyring) < 0)
            why = NULL;
        return why;
    }
    char *mirror = img_os_mirror(os), *url = NULL;
    if (asprintf(&url, "%s/dists/%s/Release", mirror, os->suite) < 0) {
        free(mirror);
        return NULL;
    }
    CURL *c = curl_easy_init();
    long status = 0;
    CURLcode rc = CURLE_FAILED_INIT;
    if (c) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
    }
    if (rc != CURLE_OK || status != 200) {
        if (asprintf(&why, "%s is not reachable (%s)", url,
                     rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error") < 0)
            why = NULL;
    }
    free(url);
    free(mirror);
    return why;
}

int img_op_list(const img_spec *s)
{
    (void)s;
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        img_progress(100.0 * (double)i / 3, "checking %s", table[i].name);
        json_object *o = json_object_new_object();
        char *why = img_os_check(&table[i]), *mirror = img_os_mirror(&table[i]);
        json_object_object_add(o, "name", json_object_new_string(table[i].name));
        json_object_object_add(o, "description", json_object_new_string(table[i].description));
        json_object_object_add(o, "mirror", json_object_new_string(mirror));
        json_object_object_add(o, "available", json_object_new_boolean(!why));
        json_object_object_add(o, "reason", why ? json_object_new_string(why) : NULL);
        json_object_array_add(arr, o);
        free(why);
        free(mirror);
    }
    json_object_object_add(img_result(), "os", arr);
    return 0;
}
