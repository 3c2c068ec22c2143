/* libvireo: the client API of Vireo. The CLI, the tests and third-party
 * programs reach vireod only through this header. Functions that can
 * fail return -1 (or NULL) and leave a message in vireo_last_error(). */
#ifndef VIREO_VIREO_H
#define VIREO_VIREO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vireo_conn vireo_conn;

/* Connect. uri NULL means $VIREO_DEFAULT_URI, else vireo:///system for
 * root and vireo:///session for others. Accepted: vireo:///system,
 * vireo:///session, qemu:///system, qemu:///session, each with an
 * optional ?socket=PATH. On failure returns NULL and *err (if given)
 * gets a message to free(). */
vireo_conn *vireo_connect(const char *uri, char **err);
void vireo_disconnect(vireo_conn *c);
const char *vireo_conn_uri(const vireo_conn *c);
const char *vireo_conn_socket(const vireo_conn *c);

/* The last failure on this connection: a one-line message, and a code
 * (invalid, denied, not_found, conflict, unsupported, failed). */
const char *vireo_last_error(const vireo_conn *c);
const char *vireo_last_error_code(const vireo_conn *c);

typedef struct {
    char *name;
    char uuid[37];
    int id;                 /* -1 when not running */
    char *state;            /* "running", "paused", "shut off", "in shutdown" */
    char *reason;           /* "booted", "user", "shutdown", "destroyed", "crashed", ... */
    char *type;             /* "qemu" or "kvm" */
    bool persistent;
    bool autostart;
    unsigned vcpus;
    unsigned long long memory_kib;
    unsigned long long current_memory_kib;
    char *title;            /* NULL when none */
    int pid;                /* QEMU's pid, 0 when not running */
    long long started_at;   /* unix time, 0 when not running */
} vireo_domain;

void vireo_domain_clear(vireo_domain *d);
void vireo_domain_list_free(vireo_domain *list, size_t n);

/* Every domain, sorted by name, in one round trip. */
int vireo_domain_list(vireo_conn *c, vireo_domain **out, size_t *n);
/* `key` is a name, a uuid or a running id everywhere below. */
int vireo_domain_get(vireo_conn *c, const char *key, vireo_domain *out);
/* Define (or redefine) from libvirt domain XML. out may be NULL. */
int vireo_domain_define(vireo_conn *c, const char *xml, vireo_domain *out);

#define VIREO_START_PAUSED 1u
/* A transient domain: defined and started; gone once it stops. */
int vireo_domain_create(vireo_conn *c, const char *xml, unsigned flags, vireo_domain *out);
int vireo_domain_start(vireo_conn *c, const char *key, unsigned flags);

#define VIREO_UNDEFINE_REMOVE_STORAGE 1u
int vireo_domain_undefine(vireo_conn *c, const char *key, unsigned flags);
int vireo_domain_shutdown(vireo_conn *c, const char *key);  /* ACPI, returns at once */
int vireo_domain_reboot(vireo_conn *c, const char *key);    /* ACPI */
int vireo_domain_destroy(vireo_conn *c, const char *key);   /* returns once QEMU is gone */
int vireo_domain_suspend(vireo_conn *c, const char *key);
int vireo_domain_resume(vireo_conn *c, const char *key);
int vireo_domain_set_autostart(vireo_conn *c, const char *key, bool on);

#define VIREO_XML_INACTIVE 1u
/* The domain XML (free()); the live one while running unless INACTIVE. */
char *vireo_domain_xml(vireo_conn *c, const char *key, unsigned flags);
/* Statistics as a JSON object text (free()): state, vcpus, cpu_time_ns,
 * memory_max_kib, memory_current_kib, block[], net[]. */
char *vireo_domain_stats_json(vireo_conn *c, const char *key);

/* Host facts as JSON text (free()): hostname, uri, arch, kernel, cpus,
 * memory_kib, accelerator, domain_types. */
char *vireo_host_json(vireo_conn *c);
/* {"version", "api", "hypervisor"} as JSON text (free()). */
char *vireo_version_json(vireo_conn *c);

/* Byte streams: the serial console of a running domain (both ways) and
 * the event feed (JSON lines, one per lifecycle event). */
typedef struct vireo_stream vireo_stream;
#define VIREO_CONSOLE_HISTORY 1u /* start with what the console printed lately */
vireo_stream *vireo_console_open(vireo_conn *c, const char *key, unsigned flags);
vireo_stream *vireo_events_open(vireo_conn *c);
/* For poll(): readable when vireo_stream_read has data (check
 * vireo_stream_pending first: bytes may already be buffered). */
int vireo_stream_fd(const vireo_stream *s);
size_t vireo_stream_pending(const vireo_stream *s);
/* 0 at end of stream, -1 on error (errno set). */
ssize_t vireo_stream_read(vireo_stream *s, void *buf, size_t n);
ssize_t vireo_stream_write(vireo_stream *s, const void *buf, size_t n);
void vireo_stream_close(vireo_stream *s);

/* Any API call, for what has no typed function yet. body may be NULL.
 * Returns the HTTP status (or -1 when the daemon could not be reached);
 * *response gets the body (free()). */
int vireo_call(vireo_conn *c, const char *method, const char *path, const char *body,
               const char *content_type, char **response);

#ifdef __cplusplus
}
#endif
#endif
