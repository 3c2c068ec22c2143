/* Whole-file reads and crash-safe writes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read a whole file (NUL-terminated). Returns NULL and sets errno on
 * failure; *len gets the length when not NULL. */
char *vr_file_read(const char *path, size_t *len);

/* The last non-blank line of a file, trimmed (what a child process such
 * as ssh wrote last to its stderr file: its reason for failing), or a
 * copy of `fallback` when there is none. Never NULL. */
char *vr_file_last_line(const char *path, const char *fallback);
/* A file's first line without its newline (a sysfs attribute), or NULL
 * when the file is absent or that line is empty. */
char *vr_file_first_line(const char *path);

/* Write atomically: a temp file in the same directory, fsync, rename,
 * fsync of the directory. A crash at any moment leaves either the old
 * or the new content, never a mix. Returns 0 or -errno. */
/* All n bytes to fd, through short writes and EINTR; on a socket (sock)
 * with send() and no SIGPIPE. 0, or -1 with errno. */
int vr_write_all(int fd, const void *buf, size_t n, bool sock);

int vr_file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);

/* A copy of a small file (a UEFI variable store), written atomically
 * with `mode`. Returns 0 or -errno. */
int vr_file_copy(const char *from, const char *to, mode_t mode);

/* The temp files vr_file_write_atomic leaves when the daemon is killed
 * mid-write (NAME.tmp.XXXXXX) in `dir` and, `depth` levels down, its
 * subdirectories: removed, each logged once. Called at daemon start,
 * before any write. Returns how many were removed. */
int vr_file_remove_leftovers(const char *dir, int depth);

/* mkdir -p; returns 0 or -errno. */
int vr_mkdir_p(const char *path, mode_t mode);

bool vr_path_exists(const char *path);

/* Autostart as libvirt keeps it: a symlink LINK -> TARGET when on, none
 * when off. Returns 0, or -1 with *err naming the link. */
int vr_autostart_link(const char *link, const char *target, bool on, char **err);
