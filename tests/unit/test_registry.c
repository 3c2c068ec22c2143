/* The definition store (src/registry): lookups by name and uuid in any
 * spelling, the name-ordered listing through adds, removes and renames,
 * the one duplicate rule, the 0700 directories, autostart links, and a
 * load that skips unreadable, invalid and duplicate files (keeping them
 * on disk) while loading the rest. Real files in a temp directory, real
 * parsers (networks: the smallest definition that parses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/util.h"
#include "conf/network_conf.h"
#include "conf/stored_form.h"
#include "registry/registry.h"

static const char *UUID_A = "11111111-2222-3333-4444-555555555555";
static const char *UUID_B = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

static char *root;

static vr_network_def *net(const char *name, const char *uuid)
{
    char *xml = vr_asprintf("<network><name>%s</name><uuid>%s</uuid><bridge name='br-%s'/></network>", name, uuid,
                            name);
    char *err = NULL;
    vr_network_def *def = vr_network_def_parse(xml, strlen(xml), NULL, NULL, &err);
    if (!def)
        fail_msg("%s: %s", xml, err);
    free(xml);
    return def;
}

static int setup(void **state)
{
    char tmpl[] = "/tmp/vireo-registry-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    root = vr_strdup(tmpl);
    return 0;
}

static int teardown(void **state)
{
    char *cmd = vr_asprintf("rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(root);
    return 0;
}

static void lookups_and_order(void **state)
{
    vr_registry *r = vr_registry_new(&vr_conf_network, root, "network", 1);
    assert_true(vr_registry_first_start(r));
    vr_network_def *b = net("bravo", UUID_B), *a = net("alpha", UUID_A);
    vr_registry_add(r, b, b);
    vr_registry_add(r, a, a);
    size_t n;
    void *const *list = vr_registry_list(r, &n);
    assert_int_equal(n, 2);
    assert_ptr_equal(list[0], a);
    assert_ptr_equal(list[1], b);
    assert_ptr_equal(vr_registry_by_name(r, "bravo"), b);
    assert_null(vr_registry_by_name(r, "Bravo"));
    assert_ptr_equal(vr_registry_by_uuid(r, "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"), b);
    assert_ptr_equal(vr_registry_by_uuid(r, "aaaaaaaabbbbccccddddeeeeeeeeeeee"), b);
    assert_ptr_equal(vr_registry_lookup(r, UUID_A), a);
    assert_null(vr_registry_lookup(r, "charlie"));

    /* A rename moves it in the listing; the uuid stays. */
    vr_network_def *z = net("zulu", UUID_A);
    vr_registry_rename(r, "alpha", z);
    list = vr_registry_list(r, &n);
    assert_ptr_equal(list[0], b);
    assert_ptr_equal(list[1], a);
    assert_null(vr_registry_by_name(r, "alpha"));
    assert_ptr_equal(vr_registry_by_name(r, "zulu"), a);
    assert_ptr_equal(vr_registry_by_uuid(r, UUID_A), a);

    vr_registry_remove(r, "zulu");
    assert_null(vr_registry_by_uuid(r, UUID_A));
    list = vr_registry_list(r, &n);
    assert_int_equal(n, 1);
    assert_ptr_equal(list[0], b);
    vr_registry_free(r);
    vr_network_def_free(a);
    vr_network_def_free(b);
    vr_network_def_free(z);
}

static void duplicates(void **state)
{
    vr_registry *r = vr_registry_new(&vr_conf_network, root, "network", 1);
    vr_network_def *a = net("alpha", UUID_A);
    vr_registry_add(r, a, a);
    void *same = NULL;
    char *err = NULL;

    vr_network_def *d = net("alpha", UUID_A);
    assert_int_equal(vr_registry_check(r, d, true, &same, &err), VR_OK);
    assert_ptr_equal(same, a);
    assert_int_equal(vr_registry_check(r, d, false, &same, &err), VR_ERR_CONFLICT);
    assert_string_equal(err, "network 'alpha' already exists");
    free(err);
    err = NULL;
    vr_network_def_free(d);

    d = net("alpha", UUID_B);
    assert_int_equal(vr_registry_check(r, d, true, &same, &err), VR_ERR_CONFLICT);
    assert_string_equal(err, "network 'alpha' already exists with uuid 11111111-2222-3333-4444-555555555555");
    free(err);
    err = NULL;
    vr_network_def_free(d);

    d = net("other", UUID_A);
    assert_int_equal(vr_registry_check(r, d, true, &same, &err), VR_ERR_CONFLICT);
    assert_string_equal(err, "uuid 11111111-2222-3333-4444-555555555555 is already used by network 'alpha'");
    free(err);
    err = NULL;
    vr_network_def_free(d);

    d = net("other", UUID_B);
    assert_int_equal(vr_registry_check(r, d, false, &same, &err), VR_OK);
    assert_null(same);
    vr_network_def_free(d);
    vr_registry_free(r);
    vr_network_def_free(a);
}

static void *adopt(void *def, bool autostart, void *opaque)
{
    int *autostarted = opaque;
    *autostarted += autostart;
    return def;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = vr_asprintf("%s/%s", dir, name);
    assert_int_equal(vr_file_write_atomic(path, text, strlen(text), 0600), 0);
    free(path);
}

static void files_and_load(void **state)
{
    vr_registry *r = vr_registry_new(&vr_conf_network, root, "network", 1);
    char *dir = vr_strdup(vr_registry_dir(r)), *err = NULL;
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    char *auto_dir = vr_asprintf("%s/autostart", dir);
    assert_int_equal(stat(auto_dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, VR_REGISTRY_DIR_MODE);

    vr_network_def *a = net("alpha", UUID_A);
    assert_int_equal(vr_registry_save(r, a, &err), VR_OK);
    assert_int_equal(vr_registry_set_autostart(r, "alpha", true, &err), VR_OK);
    assert_true(vr_registry_autostart(r, "alpha"));
    vr_network_def_free(a);
    vr_registry_free(r);

    /* Beside the good one: garbage, a second file with alpha's uuid,
     * an unreadable one (a directory named .xml) and a stray temp file. */
    write_file(dir, "broken.xml", "<network><name>broken");
    char *twin = vr_asprintf("<network><name>twin</name><uuid>%s</uuid><bridge name='br-twin'/></network>", UUID_A);
    write_file(dir, "twin.xml", twin);
    free(twin);
    char *odd = vr_asprintf("%s/odd.xml", dir);
    assert_int_equal(mkdir(odd, 0700), 0);

    r = vr_registry_new(&vr_conf_network, root, "network", 1);
    assert_false(vr_registry_first_start(r));
    int autostarted = 0;
    vr_registry_load(r, NULL, adopt, &autostarted);
    size_t n;
    void *const *list = vr_registry_list(r, &n);
    /* Directory order decides which of alpha and twin comes first; only
     * one of them is held, and the broken file is skipped. */
    assert_int_equal(n, 1);
    vr_network_def *held = list[0];
    assert_true(strcmp(held->name, "alpha") == 0 || strcmp(held->name, "twin") == 0);
    assert_int_equal(autostarted, strcmp(held->name, "alpha") == 0);
    char *broken = vr_asprintf("%s/broken.xml", dir);
    assert_true(vr_path_exists(broken)); /* never deleted */
    free(broken);

    assert_int_equal(vr_registry_delete(r, "alpha", &err), VR_OK);
    char *path = vr_registry_def_path(r, "alpha");
    assert_false(vr_path_exists(path));
    assert_false(vr_registry_autostart(r, "alpha"));
    free(path);
    vr_network_def_free(held);
    vr_registry_free(r);
    free(odd);
    free(auto_dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lookups_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(files_and_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
