/* The daemon's log: one line per message on stderr, with a level. Under
 * systemd stderr goes to the journal; with --log FILE it goes there. */
#pragma once

typedef enum { VR_LOG_DEBUG, VR_LOG_INFO, VR_LOG_WARN, VR_LOG_ERROR } vr_log_level;
void vr_log_set_level(vr_log_level l);
void vr_log(vr_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define vr_log_debug(...) vr_log(VR_LOG_DEBUG, __VA_ARGS__)
#define vr_log_info(...) vr_log(VR_LOG_INFO, __VA_ARGS__)
#define vr_log_warn(...) vr_log(VR_LOG_WARN, __VA_ARGS__)
#define vr_log_error(...) vr_log(VR_LOG_ERROR, __VA_ARGS__)
