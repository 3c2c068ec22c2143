/* The daemon's log: one line per message on stderr, with a level. Under
 * systemd stderr goes to the journal; with --log FILE it goes there.
 *
 * Warnings and errors are rate-limited per kind (the call site's format,
 * or the key given to vr_log_keyed): a client that makes the daemon warn
 * in a loop (a connection flood, token guessing, malformed requests) gets
 * a few lines and then one "suppressed N similar" summary per window,
 * never a log that grows without bound. Debug and info lines are the
 * daemon's own actions and are never dropped. */
#pragma once
typedef enum { VR_LOG_DEBUG, VR_LOG_INFO, VR_LOG_WARN, VR_LOG_ERROR } vr_log_level;
void vr_log_set_level(vr_log_level l);
void vr_log(vr_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, rate-limited as `kind` rather than as `fmt` (for messages
 * that pass through one format, such as libmicrohttpd's): `kind` is a
 * string that lives as long as the program, named in the summary. */
void vr_log_keyed(vr_log_level l, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define vr_log_debug(...) vr_log(VR_LOG_DEBUG, __VA_ARGS__)
#define vr_log_info(...) vr_log(VR_LOG_INFO, __VA_ARGS__)
#define vr_log_warn(...) vr_log(VR_LOG_WARN, __VA_ARGS__)
#define vr_log_error(...) vr_log(VR_LOG_ERROR, __VA_ARGS__)
