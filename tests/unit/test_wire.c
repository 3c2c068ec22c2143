/* The wire schemas (src/wire): golden JSON fixtures (tests/fixtures/wire)
 * read into the structs and written back byte for byte, through both
 * readers (json-c for one object, the yajl event reader for lists) and
 * both writers (text, json-c); and docs/api.md's example objects carry
 * exactly the keys of the tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "wire/schemas.h"
#include <vireo/vireo.h>

static char *fixture(const char *name)
{
    char *path = vr_asprintf("%s/wire/%s", FIXTURES, name);
    char *text = vr_file_read(path, NULL);
    if (!text)
        fail_msg("cannot read %s", path);
    free(path);
    /* One line; the file's newline is not part of the object. */
    text[strcspn(text, "\n")] = '\0';
    return text;
}

static char *written(const vr_wire_schema *s, const void *obj)
{
    vr_strbuf b = {0};
    vr_wire_write(&b, s, obj);
    return vr_strbuf_take(&b);
}

static void list_read_back(const vr_wire_schema *s, const char *list, const char *key, const char *text);

/* fixture -> struct (json-c) -> text, and -> json-c -> text. */
static void round_trip(const vr_wire_schema *s, const char *name, void *obj)
{
    char *text = fixture(name);
    json_object *o = json_tokener_parse(text);
    assert_non_null(o);
    vr_wire_from_json(s, o, obj);
    json_object_put(o);
    char *again = written(s, obj);
    assert_string_equal(again, text);
    json_object *tree = vr_wire_to_json(s, obj);
    /* json-c's own writer agrees with ours on the value. */
    json_object *back = json_tokener_parse(again);
    assert_true(json_object_equal(tree, back));
    json_object_put(tree);
    json_object_put(back);
    free(again);

    /* The same object three times in a list, through the event reader. */
    char *list = vr_asprintf("{\"other\":[1,{\"x\":[2]}],\"%ss\":[%s,%s,%s],\"more\":{\"a\":null}}", s->name, text,
                             text, text);
    char *key = vr_asprintf("%ss", s->name);
    list_read_back(s, list, key, text);
    /* The list writer's two forms of the same three: objects (exactly the
     * text above, but for the other keys), and rows, read back alike. */
    for (int rows = 0; rows < 2; rows++) {
        vr_strbuf b = {0};
        vr_wire_list l;
        vr_wire_list_begin(&l, &b, s, key, rows);
        for (int i = 0; i < 3; i++)
            vr_wire_list_add(&l, obj);
        vr_wire_list_end(&l);
        char *out = vr_strbuf_take(&b);
        if (!rows) {
            char *want = vr_asprintf("{\"%s\":[%s,%s,%s]}\n", key, text, text, text);
            assert_string_equal(out, want);
            free(want);
        } else {
            assert_non_null(strstr(out, "{\"keys\":[\""));
            assert_null(strstr(out, ":[{")); /* no object per element */
        }
        list_read_back(s, out, key, text);
        /* And through json-c (libvireo's reader where an element holds
         * objects: a network's dhcp, a volume's backing): whole, nested
         * objects included, in either form. */
        json_object *root = json_tokener_parse(out);
        assert_non_null(root);
        size_t n = 0;
        char *items = vr_wire_list_from_json(s, root, key, &n);
        json_object_put(root);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
            char *each = written(s, items + i * s->size);
            assert_string_equal(each, text);
            free(each);
        }
        vr_wire_array_free(s, items, n);
        free(out);
    }
    free(key);
    free(list);
    free(text);
}

/* A list answer holding three copies of `text`, read by the event reader:
 * each element written back is `text` (objects inside an element aside). */
static void list_read_back(const vr_wire_schema *s, const char *list, const char *key, const char *text)
{
    char *err = NULL;
    size_t n = 0;
    char *items = vr_wire_array_parse(s, list, strlen(list), key, &n, &err);
    assert_non_null(items);
    assert_int_equal(n, 3);
    /* Objects inside an element (a network's dhcp, a volume's backing,
     * a job's result) are read through json-c only: the event reader
     * leaves them empty. */
    bool nested = vr_wire_schema_nested(s);
    for (size_t i = 0; i < n; i++) {
        char *each = written(s, items + i * s->size);
        if (!nested) {
            assert_string_equal(each, text);
        } else {
            json_object *want = json_tokener_parse(text), *got = json_tokener_parse(each);
            for (size_t k = 0; k < s->n_fields; k++)
                if (s->fields[k].kind == VR_WIRE_LIST)
                    json_object_object_del(want, s->fields[k].key);
                else if (s->fields[k].kind == VR_WIRE_GROUP || s->fields[k].kind == VR_WIRE_JSON)
                    json_object_object_add(want, s->fields[k].key, NULL);
                else if (s->fields[k].kind == VR_WIRE_STRUCT) {
                    /* an embedded struct stays zeros */
                    void *zeros = vr_calloc(1, s->fields[k].sub->size);
                    json_object_object_add(want, s->fields[k].key, vr_wire_to_json(s->fields[k].sub, zeros));
                    free(zeros);
                }
            if (!json_object_equal(want, got))
                fail_msg("read as %s, not as %s", each, text);
            json_object_put(want);
            json_object_put(got);
        }
        free(each);
    }
    vr_wire_array_free(s, items, n);
}

static void domain_fixtures(void **state)
{
    vireo_domain d;
    round_trip(&vr_wire_domain, "domain.json", &d);
    assert_int_equal(d.id, 3);
    assert_int_equal(d.n_notices, 2);
    assert_true(d.memory_kib == 18446744073709551615ull);
    assert_string_equal(d.title, "a\nb");
    vr_wire_clear(&vr_wire_domain, &d);

    round_trip(&vr_wire_domain, "domain-off.json", &d);
    assert_int_equal(d.id, -1); /* null: not running */
    assert_int_equal(d.pid, 0);
    assert_null(d.title);
    assert_true(d.is_template);
    assert_null(d.accel);
    vr_wire_clear(&vr_wire_domain, &d);
}

static void pool_fixture(void **state)
{
    vireo_pool p;
    round_trip(&vr_wire_pool, "pool.json", &p);
    assert_true(p.capacity == 270553174016ull);
    assert_int_equal(p.volumes, 3);
    vr_wire_clear(&vr_wire_pool, &p);
}

static void network_fixtures(void **state)
{
    vireo_network n;
    round_trip(&vr_wire_network, "network.json", &n);
    assert_int_equal(n.stp, 1);
    assert_int_equal(n.n_dhcp, 2);
    assert_string_equal(n.dhcp[1].end, "192.168.122.254");
    vr_wire_clear(&vr_wire_network, &n);
    /* Absent keys stay absent: a macvtap network, null bridge, no <ip>. */
    round_trip(&vr_wire_network, "network-macvtap.json", &n);
    assert_int_equal(n.stp, -1);
    assert_int_equal(n.forward_delay_ms, -1);
    assert_null(n.dhcp);
    assert_null(n.address);
    vr_wire_clear(&vr_wire_network, &n);
}

static void vol_fixtures(void **state)
{
    vireo_vol v;
    round_trip(&vr_wire_vol, "vol.json", &v);
    assert_string_equal(v.backing_path, "/var/lib/vireo/images/base.qcow2");
    assert_string_equal(v.backing_format, "qcow2");
    vr_wire_clear(&vr_wire_vol, &v);
    round_trip(&vr_wire_vol, "vol-plain.json", &v);
    assert_null(v.backing_path);
    assert_null(v.used_by);
    vr_wire_clear(&vr_wire_vol, &v);
}

static void lease_fixtures(void **state)
{
    vireo_lease l;
    round_trip(&vr_wire_lease, "lease.json", &l);
    assert_int_equal(l.family, 6);
    assert_string_equal(l.ip, "fd00:1::42");
    vr_wire_clear(&vr_wire_lease, &l);
}

static void snapshot_fixture(void **state)
{
    vireo_snapshot snap;
    round_trip(&vr_wire_snapshot, "snapshot.json", &snap);
    assert_string_equal(snap.parent, "before");
    assert_true(snap.current);
    vr_wire_clear(&vr_wire_snapshot, &snap);
}

static void checkpoint_fixture(void **state)
{
    vireo_checkpoint cp;
    round_trip(&vr_wire_checkpoint, "checkpoint.json", &cp);
    assert_string_equal(cp.parent, "nightly");
    assert_int_equal(cp.n_disks, 2);
    assert_string_equal(cp.disks[1], "vdb");
    vr_wire_clear(&vr_wire_checkpoint, &cp);
}

static void job_fixtures(void **state)
{
    vireo_job j;
    round_trip(&vr_wire_job, "job-failed.json", &j);
    assert_string_equal(j.error_code, "failed");
    assert_null(j.result);
    vr_wire_clear(&vr_wire_job, &j);
    round_trip(&vr_wire_job, "job-done.json", &j);
    assert_null(j.error);
    assert_string_equal(j.result, "{\"pool\":\"default\",\"volume\":\"b.qcow2\"}");
    vr_wire_clear(&vr_wire_job, &j);
}

static void interface_fixture(void **state)
{
    vireo_interface i;
    round_trip(&vr_wire_interface, "interface.json", &i);
    assert_int_equal(i.n_addresses, 1);
    assert_int_equal(i.addresses[0].family, 4);
    assert_string_equal(i.addresses[0].hostname, "web");
    vr_wire_clear(&vr_wire_interface, &i);
}

/* POST /v1/install: the request vireo install sends, the plan it gets. */
static void install_fixtures(void **state)
{
    vireo_install_request r;
    round_trip(&vr_wire_install_request, "install-request.json", &r);
    assert_int_equal(r.n_disks, 2);
    assert_string_equal(r.disks[1], "path=/srv/iso/virtio-win.iso,device=cdrom");
    assert_true(r.location && r.drivers && !r.dry_run && r.job);
    vr_wire_clear(&vr_wire_install_request, &r);
    vireo_install_plan p;
    round_trip(&vr_wire_install_plan, "install-plan.json", &p);
    assert_int_equal(p.n_volumes, 2);
    assert_string_equal(p.volumes[1].role, "seed");
    assert_string_equal(p.volumes[0].copy_from, "/srv/images/debian-12.qcow2");
    assert_int_equal(p.vnc_port, -1);
    assert_string_equal(p.xml_final, "<domain type='qemu'>\n</domain>\n");
    vr_wire_clear(&vr_wire_install_plan, &p);
    vireo_os_variant v;
    round_trip(&vr_wire_os_variant, "os-variant.json", &v);
    assert_true(v.uefi && v.secure_boot);
    vr_wire_clear(&vr_wire_os_variant, &v);
}

/* GET /v1/domains/NAME/blkdeviotune: libvirt's names in its order. */
static void block_iotune_fixture(void **state)
{
    vireo_block_iotune t;
    round_trip(&vr_wire_block_iotune, "block-iotune.json", &t);
    assert_int_equal(t.read_bytes_sec, 2097152);
    assert_int_equal(t.total_iops_sec_max_length, 2);
    assert_string_equal(t.group_name, "grp");
    vr_wire_clear(&vr_wire_block_iotune, &t);
}

/* The daemon's version, the host, its live numbers, the event feed. */
static void host_fixtures(void **state)
{
    vireo_version v;
    round_trip(&vr_wire_version, "version.json", &v);
    assert_string_equal(v.api, "v1");
    vr_wire_clear(&vr_wire_version, &v);
    vireo_host h;
    round_trip(&vr_wire_host, "host.json", &h);
    assert_int_equal(h.n_domain_types, 1);
    vr_wire_clear(&vr_wire_host, &h);
    /* a PCI function with its facts; computer with none (nulls) */
    vireo_nodedev nd;
    round_trip(&vr_wire_nodedev, "nodedev.json", &nd);
    assert_int_equal(nd.iommu_group, 3);
    assert_int_equal(nd.n_capabilities, 1);
    vr_wire_clear(&vr_wire_nodedev, &nd);
    round_trip(&vr_wire_nodedev, "nodedev-computer.json", &nd);
    assert_int_equal(nd.iommu_group, -1);
    assert_null(nd.parent);
    vr_wire_clear(&vr_wire_nodedev, &nd);
    vireo_host_stats st;
    round_trip(&vr_wire_host_stats, "host-stats.json", &st);
    assert_true(st.cpu_percent > 7.8 && st.cpu_percent < 8.0);
    round_trip(&vr_wire_host_stats, "host-stats-first.json", &st);
    assert_true(st.cpu_percent == -1); /* null: no window yet */
    vireo_event e;
    round_trip(&vr_wire_event, "event.json", &e);
    assert_null(e.mac);
    assert_string_equal(e.volume, "web.qcow2");
    vr_wire_clear(&vr_wire_event, &e);
    round_trip(&vr_wire_event, "event-lease.json", &e);
    assert_null(e.volume);
    assert_string_equal(e.hostname, "web");
    vr_wire_clear(&vr_wire_event, &e);
    /* an I/O error's disk and reason; a graphics client's two ends */
    round_trip(&vr_wire_event, "event-io-error.json", &e);
    assert_string_equal(e.alias, "vdb");
    assert_string_equal(e.reason, "enospc");
    assert_null(e.local_family);
    vr_wire_clear(&vr_wire_event, &e);
    round_trip(&vr_wire_event, "event-graphics.json", &e);
    assert_string_equal(e.remote_node, "::1");
    assert_string_equal(e.sasl_username, "alice");
    assert_null(e.path);
    vr_wire_clear(&vr_wire_event, &e);
    vireo_sample_domain d;
    round_trip(&vr_wire_sample_domain, "sample-domain.json", &d);
    assert_int_equal(d.n_addresses, 1);
    vr_wire_clear(&vr_wire_sample_domain, &d);
}

/* A domain's settings read back by domif-getlink, domiftune and schedinfo, a guest's
 * filesystem (domfsinfo), a secret. */
static void settings_fixtures(void **state)
{
    vireo_link l;
    round_trip(&vr_wire_link, "link.json", &l);
    assert_string_equal(l.state, "down");
    vr_wire_clear(&vr_wire_link, &l);
    vireo_bandwidth b;
    round_trip(&vr_wire_bandwidth, "bandwidth.json", &b);
    assert_true(b.average == 3000 && b.peak == 4000 && b.burst == 1024 && b.floor == 200);
    vireo_iftune t;
    round_trip(&vr_wire_iftune, "iftune.json", &t);
    assert_true(t.inbound.average == 1000 && t.inbound.burst == 512);
    assert_true(t.outbound.average == 18446744073709551615ull && t.outbound.peak == 0);
    /* An absent direction reads as zeros (unset). */
    json_object *o = json_tokener_parse("{\"inbound\":{\"average\":7}}");
    vr_wire_from_json(&vr_wire_iftune, o, &t);
    json_object_put(o);
    assert_true(t.inbound.average == 7 && t.outbound.average == 0);
    vireo_sched sc;
    round_trip(&vr_wire_sched, "schedinfo.json", &sc);
    assert_true(sc.cpu_shares == 512 && sc.vcpu_period == 100000 && sc.vcpu_quota == -1);
    vireo_fs_info fs;
    round_trip(&vr_wire_fs_info, "fs-info.json", &fs);
    assert_int_equal(fs.n_targets, 2);
    assert_string_equal(fs.targets[1], "vdd");
    vr_wire_clear(&vr_wire_fs_info, &fs);
    vireo_secret sec;
    round_trip(&vr_wire_secret, "secret.json", &sec);
    assert_string_equal(sec.uuid, "0b7c1cb3-9a3f-4c2e-8d7e-5f1a2b3c4d5e");
    assert_null(sec.description);
    assert_true(sec.private_ && sec.has_value && !sec.ephemeral);
    vr_wire_clear(&vr_wire_secret, &sec);
}

/* vcpucount, vcpuinfo and iothreadinfo: null sides, a gone thread, a
 * definition's iothread without one. */
static void vcpu_fixtures(void **state)
{
    vireo_vcpu_count n;
    round_trip(&vr_wire_vcpu_count, "vcpu-count.json", &n);
    assert_true(n.maximum_config == 2 && n.maximum_live == -1 && n.current_config == 1 && n.current_live == -1);
    vireo_vcpu_info v;
    round_trip(&vr_wire_vcpu_info, "vcpu-info.json", &v);
    assert_int_equal(v.n_vcpus, 2);
    assert_true(v.vcpus[0].thread == 4242 && v.vcpus[0].cpu == 1 && v.vcpus[0].cpu_time_ns == 1500000000);
    assert_true(v.vcpus[1].cpu == -1 && v.vcpus[1].cpu_time_ns == -1 && !v.vcpus[1].affinity);
    assert_string_equal(v.vcpus[1].state, "paused");
    assert_string_equal(v.emulator_affinity, "0-1");
    assert_int_equal(v.host_cpus, 2);
    vr_wire_clear(&vr_wire_vcpu_info, &v);
    vireo_iothread_info t;
    round_trip(&vr_wire_iothread_info, "iothread-info.json", &t);
    assert_int_equal(t.n_iothreads, 2);
    assert_true(t.iothreads[0].id == 1 && t.iothreads[0].thread == 4250 && t.iothreads[1].thread == 0);
    assert_string_equal(t.iothreads[1].affinity, "0-1");
    vr_wire_clear(&vr_wire_iothread_info, &t);
}

static void bad_lists(void **state)
{
    const char *bad[] = {"", "{\"domains\":[{\"name\":", "{\"domains\":[}", "not json"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *err = NULL;
        size_t n = 99;
        assert_null(vr_wire_array_parse(&vr_wire_domain, bad[i], strlen(bad[i]), "domains", &n, &err));
        assert_non_null(err);
        assert_non_null(strstr(err, "not valid JSON"));
        free(err);
    }
    /* Missing keys read as empty (ids as not running). */
    char *err = NULL;
    size_t n = 0;
    const char *sparse = "{\"domains\":[{\"name\":\"x\",\"unknown\":{\"deep\":[1,2,{}]}}]}";
    vireo_domain *d = vr_wire_array_parse(&vr_wire_domain, sparse, strlen(sparse), "domains", &n, &err);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].name, "x");
    assert_int_equal(d[0].id, -1);
    assert_null(d[0].state);
    vr_wire_array_free(&vr_wire_domain, d, n);

    /* Rows: the keys say which field each position is, in any order; a key
     * this schema lacks is skipped with what it holds, a field the keys
     * lack stays empty, a row longer than the keys loses the rest. */
    const char *rows = "{\"keys\":[\"id\",\"future\",\"name\",\"notices\",\"vcpus\"],\"domains\":["
                       "[7,{\"a\":[1,2]},\"x\",[\"n1\",\"n2\"],2],"
                       "[null,[[3]],\"y\",[],1,\"extra\",[4]],"
                       "[]]}";
    d = vr_wire_array_parse(&vr_wire_domain, rows, strlen(rows), "domains", &n, &err);
    assert_non_null(d);
    assert_int_equal(n, 3);
    assert_int_equal(d[0].id, 7);
    assert_string_equal(d[0].name, "x");
    assert_int_equal(d[0].n_notices, 2);
    assert_string_equal(d[0].notices[1], "n2");
    assert_int_equal(d[0].vcpus, 2);
    assert_null(d[0].state);
    assert_int_equal(d[1].id, -1);
    assert_string_equal(d[1].name, "y");
    assert_int_equal(d[1].n_notices, 0);
    assert_int_equal(d[1].vcpus, 1);
    assert_null(d[2].name);
    assert_int_equal(d[2].id, -1);
    vr_wire_array_free(&vr_wire_domain, d, n);
    /* Rows without keys: the schema's own order. */
    const char *bare = "{\"domains\":[[\"z\",\"6b1d3f1e-0f1a-4c4e-9d1c-2a0c7e5b9f10\",4,\"running\"]]}";
    d = vr_wire_array_parse(&vr_wire_domain, bare, strlen(bare), "domains", &n, &err);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].name, "z");
    assert_string_equal(d[0].uuid, "6b1d3f1e-0f1a-4c4e-9d1c-2a0c7e5b9f10");
    assert_int_equal(d[0].id, 4);
    assert_string_equal(d[0].state, "running");
    vr_wire_array_free(&vr_wire_domain, d, n);
    const char *cut = "{\"keys\":[\"name\"],\"domains\":[[\"x\"";
    assert_null(vr_wire_array_parse(&vr_wire_domain, cut, strlen(cut), "domains", &n, &err));
    assert_non_null(strstr(err, "not valid JSON"));
    free(err);

    /* Every prefix of both forms, and every byte replaced by each of a few
     * structural ones: read or refused, never more (the ASan build checks
     * the memory); what is read is freed. */
    char *fix = fixture("domain.json");
    for (int form = 0; form < 2; form++) {
        vireo_domain one;
        json_object *o = json_tokener_parse(fix);
        vr_wire_from_json(&vr_wire_domain, o, &one);
        json_object_put(o);
        vr_strbuf b = {0};
        vr_wire_list l;
        vr_wire_list_begin(&l, &b, &vr_wire_domain, "domains", form);
        vr_wire_list_add(&l, &one);
        vr_wire_list_add(&l, &one);
        vr_wire_list_end(&l);
        vr_wire_clear(&vr_wire_domain, &one);
        char *text = vr_strbuf_take(&b);
        size_t len = strlen(text);
        static const char subst[] = "[]{}\",:1n";
        for (size_t i = 0; i <= len; i++) {
            for (size_t k = 0; k <= sizeof(subst) - 1; k++) {
                if (i == len && k < sizeof(subst) - 1)
                    continue; /* no byte there to replace */
                char *t = vr_strdup(text);
                size_t tlen = len;
                if (k == sizeof(subst) - 1)
                    tlen = i; /* the prefix */
                else
                    t[i] = subst[k];
                err = NULL;
                n = 0;
                vireo_domain *got = vr_wire_array_parse(&vr_wire_domain, t, tlen, "domains", &n, &err);
                if (got)
                    vr_wire_array_free(&vr_wire_domain, got, n);
                else
                    assert_non_null(err);
                free(err);
                free(t);
            }
        }
        free(text);
    }
    free(fix);
}

/* The example object that follows `marker` in docs/api.md has exactly
 * the schema's keys (the "…" elisions aside, it parses as JSON). */
static void doc_matches(const char *doc, const char *marker, const vr_wire_schema *s)
{
    const char *at = strstr(doc, marker);
    if (!at)
        fail_msg("docs/api.md has no '%s'", marker);
    /* The object's examples: every JSON block after the marker up to the
     * next heading (a network shows a NAT and a macvtap one). Together
     * they name every key of the schema, and each names only its keys. */
    const char *heading = strstr(at, "\n#");
    bool *seen = vr_calloc(s->n_fields ? s->n_fields : 1, sizeof(bool));
    size_t blocks = 0;
    for (const char *open = strstr(at, "```\n{"); open && (!heading || open < heading);
         open = strstr(open, "```\n{")) {
        open += 4;
        const char *close = strstr(open, "}\n```");
        assert_non_null(close);
        char *text = vr_strndup(open, (size_t)(close - open + 1));
        json_object *o = json_tokener_parse(text);
        if (!o)
            fail_msg("the %s object in docs/api.md is not JSON: %s", s->name, text);
        json_object_object_foreach(o, key, val)
        {
            (void)val;
            bool known = false;
            for (size_t i = 0; i < s->n_fields; i++)
                if (strcmp(s->fields[i].key, key) == 0)
                    known = seen[i] = true;
            if (!known)
                fail_msg("docs/api.md's %s object has \"%s\", which src/wire/schemas.c does not", s->name, key);
        }
        json_object_put(o);
        free(text);
        blocks++;
        open = close;
    }
    assert_true(blocks > 0);
    for (size_t i = 0; i < s->n_fields; i++)
        if (!seen[i])
            fail_msg("docs/api.md's %s object lacks \"%s\"", s->name, s->fields[i].key);
    free(seen);
}

/* The key list `{"a","b",…}` that follows `marker` in docs/api.md (the
 * form endpoint rows use) names exactly the schema's keys, in order. */
static void doc_keys_match(const char *doc, const char *marker, const vr_wire_schema *s)
{
    const char *at = strstr(doc, marker);
    if (!at)
        fail_msg("docs/api.md has no '%s'", marker);
    at += strlen(marker);
    const char *end = strchr(at, '}');
    assert_non_null(end);
    size_t i = 0;
    for (const char *q = strchr(at, '"'); q && q < end; q = strchr(q, '"')) {
        const char *close = strchr(q + 1, '"');
        assert_non_null(close);
        char *key = vr_strndup(q + 1, (size_t)(close - q - 1));
        if (i >= s->n_fields || strcmp(key, s->fields[i].key) != 0)
            fail_msg("docs/api.md lists \"%s\" for a %s where src/wire/schemas.c has \"%s\"", key, s->name,
                     i < s->n_fields ? s->fields[i].key : "(nothing more)");
        free(key);
        i++;
        q = close + 1;
    }
    assert_int_equal(i, s->n_fields);
}

static void api_doc(void **state)
{
    char *path = vr_asprintf("%s/../../docs/api.md", FIXTURES);
    char *doc = vr_file_read(path, NULL);
    if (!doc)
        fail_msg("cannot read %s", path);
    doc_matches(doc, "A domain object", &vr_wire_domain);
    doc_matches(doc, "A pool object", &vr_wire_pool);
    doc_matches(doc, "A network object", &vr_wire_network);
    doc_matches(doc, "A volume object", &vr_wire_vol);
    doc_matches(doc, "A snapshot object", &vr_wire_snapshot);
    doc_matches(doc, "A checkpoint object", &vr_wire_checkpoint);
    doc_matches(doc, "Long operations (volume copies", &vr_wire_job);
    doc_matches(doc, "An install request object", &vr_wire_install_request);
    doc_matches(doc, "### GET /v1/version", &vr_wire_version);
    doc_matches(doc, "### GET /v1/host\n", &vr_wire_host);
    doc_matches(doc, "### GET /v1/host/stats", &vr_wire_host_stats);
    doc_matches(doc, "A USB device object", &vr_wire_usb_device);
    doc_matches(doc, "A node device object", &vr_wire_nodedev);
    doc_matches(doc, "### GET /v1/events", &vr_wire_event);
    doc_matches(doc, "An install plan object", &vr_wire_install_plan);
    doc_matches(doc, "An OS variant object", &vr_wire_os_variant);
    doc_keys_match(doc, "`{\"leases\":[{", &vr_wire_lease);
    doc_keys_match(doc, "`{\"interfaces\":[{", &vr_wire_interface);
    doc_keys_match(doc, "(read-only), the block iotune object, libvirt's order:\n`{", &vr_wire_block_iotune);
    doc_keys_match(doc, "(`domif-getlink`, read-only): `{", &vr_wire_link);
    doc_keys_match(doc, "A bandwidth direction is `{", &vr_wire_bandwidth);
    doc_keys_match(doc, "/v1/domains/DOMAIN/iftune?interface=…[&config=1]` (read-only): `{", &vr_wire_iftune);
    doc_keys_match(doc, "/v1/domains/DOMAIN/schedinfo[?config=1]` (read-only): `{", &vr_wire_sched);
    doc_keys_match(doc, "`GET …/fsinfo`: `{\"filesystems\":[{", &vr_wire_fs_info);
    doc_keys_match(doc, "SECRET = `{", &vr_wire_secret);
    doc_keys_match(doc, "(`vcpucount`): `{", &vr_wire_vcpu_count);
    doc_keys_match(doc, "VCPU_INFO = `{", &vr_wire_vcpu_info);
    doc_keys_match(doc, "VCPU = `{", &vr_wire_vcpu);
    doc_keys_match(doc, "IOTHREAD_INFO = `{", &vr_wire_iothread_info);
    doc_keys_match(doc, "IOTHREAD = `{", &vr_wire_iothread);
    free(doc);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(domain_fixtures),
        cmocka_unit_test(pool_fixture),
        cmocka_unit_test(network_fixtures),
        cmocka_unit_test(vol_fixtures),
        cmocka_unit_test(lease_fixtures),
        cmocka_unit_test(snapshot_fixture),
        cmocka_unit_test(checkpoint_fixture),
        cmocka_unit_test(job_fixtures),
        cmocka_unit_test(interface_fixture),
        cmocka_unit_test(install_fixtures),
        cmocka_unit_test(block_iotune_fixture),
        cmocka_unit_test(host_fixtures),
        cmocka_unit_test(settings_fixtures),
        cmocka_unit_test(vcpu_fixtures),
        cmocka_unit_test(bad_lists),
        cmocka_unit_test(api_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
