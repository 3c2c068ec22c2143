#include "fake_tree.h"
#include "common/file.h"
#include "common/util.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

char fake_root[64];

void fake_tree_make(const char *prefix)
{
    snprintf(fake_root, sizeof(fake_root), "/tmp/%s-XXXXXX", prefix);
    assert_non_null(mkdtemp(fake_root));
}

void fake_tree_remove(void)
{
    char *cmd = vr_asprintf("rm -rf '%s'", fake_root);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* fake_root/rel, its parent directory made. */
static char *path_in_tree(const char *rel)
{
    char *p = vr_asprintf("%s/%s", fake_root, rel), *d = vr_strdup(p);
    *strrchr(d, '/') = '\0';
    assert_int_equal(vr_mkdir_p(d, 0755), 0);
    free(d);
    return p;
}

void fake_put(const char *rel, const char *content)
{
    char *p = path_in_tree(rel);
    assert_int_equal(vr_file_write_atomic(p, content, strlen(content), 0644), 0);
    free(p);
}

void fake_dir(const char *rel)
{
    char *p = vr_asprintf("%s/%s", fake_root, rel);
    assert_int_equal(vr_mkdir_p(p, 0755), 0);
    free(p);
}

void fake_link(const char *target, const char *rel)
{
    char *p = path_in_tree(rel);
    assert_int_equal(symlink(target, p), 0);
    free(p);
}

void fake_expect(const char *rel, const char *want)
{
    char *p = vr_asprintf("%s/%s", fake_root, rel);
    char *s = vr_file_read(p, NULL);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
    free(p);
}
