/* libvireo: vol-upload and vol-download. Both take a fresh connection
 * over with an HTTP Upgrade (docs/api.md, "Upload and download"): an
 * upload then sends exactly the announced number of bytes and reads
 * one JSON line with the verdict; a download reads one JSON line with
 * the length, then that many bytes. */
#include "client/client.h"
#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

static ssize_t read_some(int fd, char *buf, size_t n)
{
    ssize_t r;
    while ((r = read(fd, buf, n)) < 0 && errno == EINTR)
        ;
    return r;
}

/* Open the upgraded connection; *rest gets bytes read past the 101. */
static int open_upgrade(vireo_conn *c, const char *method, const char *path, vr_strbuf *rest)
{
    vr_strbuf first;
    int fd = vr_client_upgrade(c, method, path, "Content-Length: 0\r\n", "the connection for", &first);
    if (fd >= 0) {
        vr_strbuf_addn(rest, first.s ? first.s : "", first.len);
        vr_strbuf_free(&first);
    }
    return fd;
}

/* One line from the stream (what `rest` holds first). */
static char *read_line(int fd, vr_strbuf *rest)
{
    char buf[4096];
    char *nl;
    while (!(nl = rest->s ? memchr(rest->s, '\n', rest->len) : NULL)) {
        ssize_t r = read_some(fd, buf, sizeof(buf));
        if (r <= 0)
            return NULL;
        vr_strbuf_addn(rest, buf, (size_t)r);
    }
    size_t n = (size_t)(nl - rest->s);
    char *line = vr_strndup(rest->s, n);
    memmove(rest->s, nl + 1, rest->len - n - 1);
    rest->len -= n + 1;
    rest->s[rest->len] = '\0';
    return line;
}

static char *transfer_path(vireo_conn *c, const char *pool, const char *name, const char *what)
{
    char *p = vr_client_escape(c, pool), *n = vr_client_escape(c, name);
    char *path = vr_asprintf("/v1/pools/%s/volumes/%s/%s", p, n, what);
    free(p);
    free(n);
    return path;
}

int vireo_vol_upload(vireo_conn *c, const char *pool, const char *name, int fd,
                     unsigned long long length, vireo_progress_fn progress, void *opaque)
{
    char *base = transfer_path(c, pool, name, "upload");
    char *path = vr_asprintf("%s?length=%llu", base, length);
    free(base);
    vr_strbuf rest = {0};
    int s = open_upgrade(c, "POST", path, &rest);
    free(path);
    if (s < 0)
        return -1;
    char *buf = vr_malloc(CHUNK);
    unsigned long long sent = 0;
    int rc = 0;
    if (progress)
        progress(0, length, opaque);
    while (sent < length) {
        size_t want = length - sent < CHUNK ? (size_t)(length - sent) : CHUNK;
        ssize_t r = read_some(fd, buf, want);
        if (r <= 0) {
            vr_client_set_error(c, "failed", "the input ended after %llu of %llu bytes; volume '%s' "
                                "is unchanged", sent, length, name);
            rc = -1;
            break;
        }
        if (vr_write_all(s, buf, (size_t)r, true) < 0)
            break; /* the daemon's verdict says why */
        sent += (unsigned long long)r;
        if (progress)
            progress(sent, length, opaque);
    }
    free(buf);
    if (rc == 0) {
        char *line = read_line(s, &rest);
        json_object *o = line ? json_tokener_parse(line) : NULL, *ok = NULL;
        if (!o || !json_object_object_get_ex(o, "ok", &ok)) {
            if (line)
                vr_client_error_from_body(c, 500, line);
            else
                vr_client_set_error(c, "failed", "vireod closed the upload without an answer");
            rc = -1;
        }
        json_object_put(o);
        free(line);
    } else {
        /* Closing early makes the daemon drop its temporary file. */
    }
    vr_strbuf_free(&rest);
    close(s);
    return rc;
}

int vireo_vol_download(vireo_conn *c, const char *pool, const char *name, int fd,
                       vireo_progress_fn progress, void *opaque)
{
    char *path = transfer_path(c, pool, name, "download");
    vr_strbuf rest = {0};
    int s = open_upgrade(c, "GET", path, &rest);
    free(path);
    if (s < 0)
        return -1;
    char *line = read_line(s, &rest);
    json_object *o = line ? json_tokener_parse(line) : NULL, *len = NULL;
    free(line);
    if (!o || !json_object_object_get_ex(o, "length", &len)) {
        vr_client_set_error(c, "failed", "vireod did not say how long volume '%s' is", name);
        json_object_put(o);
        vr_strbuf_free(&rest);
        close(s);
        return -1;
    }
    unsigned long long length = (unsigned long long)json_object_get_int64(len), got = 0;
    json_object_put(o);
    int rc = 0;
    if (progress)
        progress(0, length, opaque);
    if (rest.len) {
        size_t n = rest.len > length ? (size_t)length : rest.len;
        rc = vr_write_all(fd, rest.s, n, false);
        got = n;
    }
    char *buf = vr_malloc(CHUNK);
    while (rc == 0 && got < length) {
        ssize_t r = read_some(s, buf, length - got < CHUNK ? (size_t)(length - got) : CHUNK);
        if (r <= 0)
            break;
        if (vr_write_all(fd, buf, (size_t)r, false) < 0) {
            rc = -1;
            vr_client_set_error(c, "failed", "cannot write the download: %s", strerror(errno));
            break;
        }
        got += (unsigned long long)r;
        if (progress)
            progress(got, length, opaque);
    }
    if (rc == 0 && got < length) {
        vr_client_set_error(c, "failed", "the download of volume '%s' broke off after %llu of %llu "
                            "bytes", name, got, length);
        rc = -1;
    }
    free(buf);
    vr_strbuf_free(&rest);
    close(s);
    return rc;
}
