/* Guest and host helpers (guest_ops.h). */
#include "core/guest_ops.h"
#include "drivers/qemu/qemu_keycodes.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vr_core_send_key(vr_domain *dom, const char *codeset, const char *const *keys, size_t n,
                      unsigned hold_ms, vr_qemu_reply_fn cb, void *opaque)
{
    char *err = NULL;
    int qnum[VR_SEND_KEY_MAX];
    if (n == 0 || n > VR_SEND_KEY_MAX)
        err = vr_asprintf("send-key takes 1 to %d keys (got %zu)", VR_SEND_KEY_MAX, n);
    for (size_t i = 0; !err && i < n; i++)
        qnum[i] = vr_keycode_qnum(codeset, keys[i], &err);
    if (err) {
        cb(VR_ERR_INVALID, NULL, err, opaque);
        free(err);
        return;
    }
    vr_qemu_send_key(dom, qnum, n, hold_ms, cb, opaque);
}

const char *vr_core_keycode_set_name(unsigned number)
{
    return vr_keycode_set_name(number);
}

int vr_core_screenshot_open(const char *path, unsigned long long *size, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        vr_set_error(err, "QEMU wrote no screenshot at %s: %s", path, strerror(errno ? errno : EINVAL));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unlink(path);
    *size = (unsigned long long)st.st_size;
    return fd;
}
