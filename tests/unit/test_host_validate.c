/* host-validate verdicts on recorded facts: the KVM verdict for each
 * probe outcome, and the course's resource recommendations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "host/resources.h"
#include "host/validate.h"

static vr_cpuinfo cpu_from(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/cpuinfo/%s", FIXTURES, name);
    char *text = vr_file_read(path, NULL);
    assert_non_null(text);
    vr_cpuinfo c;
    assert_int_equal(vr_cpuinfo_parse(text, &c), 0);
    free(text);
    return c;
}

/* Recorded on the build host (kvm_pvm): 100000 loops in 141 ms. */
static const vr_kvm_probe pvm_probe = {
    .status = VR_KVM_RAN, .api_version = 12, .exit_reason = 5,
    .iterations = 100000, .elapsed_ms = 141.0,
};
/* What VT-x/AMD-V does with the same loop: well under a millisecond. */
static const vr_kvm_probe hw_probe = {
    .status = VR_KVM_RAN, .api_version = 12, .exit_reason = 5,
    .iterations = 100000, .elapsed_ms = 0.21,
};

static void pvm_host_is_tcg(void **state)
{
    vr_cpuinfo cpu = cpu_from("amd-epyc-pvm-guest.txt");
    vr_check c;
    assert_int_equal(vr_kvm_verdict(&cpu, true, &pvm_probe, &c), VR_ACCEL_TCG);
    assert_int_equal(c.status, VR_CHECK_WARN);
    assert_non_null(strstr(c.detail, "KVM not usable for full guests here; VMs will run under TCG emulation"));
    assert_non_null(strstr(c.hint, "outer hypervisor"));
    /* The same verdict as a code and the numbers the English names. */
    assert_string_equal(c.code, "kvm.slow");
    assert_string_equal(c.hint_code, "nested-outer");
    assert_string_equal(json_object_to_json_string_ext(c.params, JSON_C_TO_STRING_PLAIN),
                        "{\"mloops\":0.71,\"slower\":705}");
    assert_non_null(strstr(c.detail, "0.71 M loops/s, about 705x slower"));
    vr_check_clear(&c);
}

static void hardware_is_kvm(void **state)
{
    vr_cpuinfo cpu = cpu_from("intel-vtx-baremetal.txt");
    vr_check c;
    assert_int_equal(vr_kvm_verdict(&cpu, true, &hw_probe, &c), VR_ACCEL_KVM);
    assert_int_equal(c.status, VR_CHECK_PASS);
    assert_null(c.hint);
    vr_check_clear(&c);
}

static void fast_probe_without_flags_is_still_tcg(void **state)
{
    /* A paravirtual KVM that happens to run the loop fast still stops
     * on what full guests do: no vmx/svm, no KVM. */
    vr_cpuinfo cpu = cpu_from("amd-epyc-pvm-guest.txt");
    vr_check c;
    assert_int_equal(vr_kvm_verdict(&cpu, true, &hw_probe, &c), VR_ACCEL_TCG);
    assert_int_equal(c.status, VR_CHECK_WARN);
    assert_non_null(strstr(c.detail, "KVM not usable for full guests here"));
    vr_check_clear(&c);
}

static void absent_and_denied(void **state)
{
    vr_cpuinfo cpu = cpu_from("intel-vtx-baremetal.txt");
    vr_kvm_probe p = {.status = VR_KVM_ABSENT, .err = ENOENT, .step = "open"};
    vr_check c;
    assert_int_equal(vr_kvm_verdict(&cpu, true, &p, &c), VR_ACCEL_TCG);
    assert_non_null(strstr(c.detail, "/dev/kvm is missing"));
    assert_non_null(strstr(c.hint, "modprobe"));
    vr_check_clear(&c);
    p = (vr_kvm_probe){.status = VR_KVM_NO_ACCESS, .err = EACCES, .step = "open"};
    assert_int_equal(vr_kvm_verdict(&cpu, true, &p, &c), VR_ACCEL_TCG);
    assert_non_null(strstr(c.detail, "Permission denied"));
    assert_non_null(strstr(c.hint, "group kvm"));
    vr_check_clear(&c);
}

static void run_failure(void **state)
{
    vr_cpuinfo cpu = cpu_from("amd-epyc-pvm-guest.txt");
    /* KVM_EXIT_INTERNAL_ERROR (17): the vCPU hit something it cannot do. */
    vr_kvm_probe p = {.status = VR_KVM_RUN_FAILED, .api_version = 12, .step = "KVM_RUN exit",
                      .exit_reason = 17};
    vr_check c;
    assert_int_equal(vr_kvm_verdict(&cpu, true, &p, &c), VR_ACCEL_TCG);
    assert_non_null(strstr(c.detail, "exit reason 17"));
    vr_check_clear(&c);
}

static const vr_check *find(const vr_checklist *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].id, id) == 0)
            return &l->v[i];
    return NULL;
}

static vr_host_facts build_host_facts(void)
{
    /* This build host as host-validate saw it. */
    return (vr_host_facts){
        .cpu_ok = true, .cpu = cpu_from("amd-epyc-pvm-guest.txt"), .kvm = pvm_probe,
        .kvm_module = "kvm_pvm", .nested = -1, .tun = 1, .bridge = 1,
        .cgroup_version = 1, .cgroup_controllers = "",
        .qemu = "QEMU emulator version 7.2.22", .qemu_img = "qemu-img version 7.2.22",
        .dnsmasq = NULL, .mem_bytes = 24ull << 30, .cores = 2,
        .disk_free = 80ull * 1000 * 1000 * 1000, .disk_path = "/var/lib",
    };
}

static void whole_list(void **state)
{
    vr_host_facts f = build_host_facts();
    vr_checklist l;
    vr_host_validate(&f, &l);
    assert_int_equal(find(&l, "cpu.virt")->status, VR_CHECK_WARN);
    assert_non_null(strstr(find(&l, "cpu.virt")->detail, "itself a virtual machine"));
    assert_int_equal(find(&l, "kvm.usable")->status, VR_CHECK_WARN);
    assert_null(find(&l, "kvm.nested")); /* not kvm_intel/kvm_amd */
    assert_int_equal(find(&l, "tool.qemu")->status, VR_CHECK_PASS);
    assert_int_equal(find(&l, "tool.dnsmasq")->status, VR_CHECK_WARN);
    assert_non_null(strstr(find(&l, "tool.dnsmasq")->hint, "dnsmasq-base"));
    assert_int_equal(find(&l, "cgroup.v2")->status, VR_CHECK_WARN);
    assert_int_equal(find(&l, "host.memory")->status, VR_CHECK_PASS);
    assert_int_equal(find(&l, "host.cores")->status, VR_CHECK_WARN);
    assert_int_equal(find(&l, "host.disk")->status, VR_CHECK_WARN);
    for (size_t i = 0; i < l.n; i++) {
        assert_int_not_equal(l.v[i].status, VR_CHECK_FAIL);
        if (l.v[i].status != VR_CHECK_PASS)
            assert_non_null(l.v[i].hint); /* every warning says what to do */
        /* Every verdict has a code, and a hint has one exactly when there is a hint. */
        assert_non_null(l.v[i].code);
        assert_int_equal(l.v[i].hint != NULL, l.v[i].hint_code != NULL);
    }
    assert_string_equal(find(&l, "cpu.virt")->code, "cpu.in-vm");
    /* Storage kinds: not root (the recorded facts say so), no mkfs, no block-iscsi. */
    assert_string_equal(find(&l, "storage.disk")->code, "storage.not-root");
    assert_string_equal(find(&l, "storage.mkfs")->hint, "apt-get install e2fsprogs (or: make deps)");
    assert_string_equal(find(&l, "storage.iscsi")->hint_code, "apt-install");
    assert_string_equal(find(&l, "cgroup.v2")->code, "cgroup.missing-v1");
    assert_string_equal(json_object_to_json_string_ext(find(&l, "cgroup.v2")->params, JSON_C_TO_STRING_PLAIN),
                        "{\"missing\":[\"cpu\",\"memory\"]}");
    assert_string_equal(find(&l, "tool.dnsmasq")->code, "tool.dnsmasq-missing");
    assert_string_equal(json_object_to_json_string_ext(find(&l, "host.memory")->params, JSON_C_TO_STRING_PLAIN),
                        "{\"gib\":24.0,\"small\":47,\"large\":11}");
    assert_non_null(strstr(find(&l, "host.memory")->detail, "24.0 GiB: room for about 47 guests"));
    assert_string_equal(find(&l, "host.cores")->hint_code, "cores-advice");
    vr_checklist_free(&l);
}

/* The bridge probe's reasons: a code each, any other named in `why`. */
static void bridge_codes(void **state)
{
    vr_host_facts f = build_host_facts();
    f.bridge = -1;
    f.bridge_why = "only root can test it";
    f.bridge_why_code = "not-root";
    vr_checklist l;
    vr_host_validate(&f, &l);
    assert_string_equal(find(&l, "net.bridge")->detail, "not tested: only root can test it");
    assert_string_equal(find(&l, "net.bridge")->code, "bridge.untested-not-root");
    assert_string_equal(find(&l, "net.bridge")->hint_code, "root-test");
    vr_checklist_free(&l);
    f.bridge = 0;
    f.bridge_why = "the kernel refused to create a bridge (module `bridge` missing?)";
    f.bridge_why_code = "refused";
    vr_host_validate(&f, &l);
    assert_string_equal(find(&l, "net.bridge")->code, "bridge.refused");
    vr_checklist_free(&l);
    f.bridge = -1;
    f.bridge_why = "fork: Resource temporarily unavailable";
    f.bridge_why_code = "fork-failed";
    vr_host_validate(&f, &l);
    assert_string_equal(find(&l, "net.bridge")->code, "bridge.untested");
    assert_string_equal(json_object_to_json_string_ext(find(&l, "net.bridge")->params, JSON_C_TO_STRING_PLAIN),
                        "{\"why\":\"fork: Resource temporarily unavailable\"}");
    vr_checklist_free(&l);
}

static void missing_qemu_fails_and_nested_off_warns(void **state)
{
    vr_host_facts f = build_host_facts();
    f.cpu = cpu_from("intel-vtx-baremetal.txt");
    f.kvm = hw_probe;
    f.kvm_module = "kvm_intel";
    f.nested = 0;
    f.qemu = NULL;
    f.cgroup_version = 2;
    f.cgroup_controllers = "cpuset cpu io memory pids";
    vr_checklist l;
    vr_host_validate(&f, &l);
    assert_int_equal(find(&l, "tool.qemu")->status, VR_CHECK_FAIL);
    assert_non_null(strstr(find(&l, "tool.qemu")->hint, "qemu-system-x86"));
    assert_int_equal(find(&l, "kvm.usable")->status, VR_CHECK_PASS);
    assert_int_equal(find(&l, "kvm.nested")->status, VR_CHECK_WARN);
    assert_non_null(strstr(find(&l, "kvm.nested")->hint, "nested=1"));
    assert_int_equal(find(&l, "cgroup.v2")->status, VR_CHECK_PASS);
    vr_checklist_free(&l);
}

/* The host page's memory numbers: a field is matched whole, at a line's start. */
static void meminfo_fields(void **state)
{
    const char *text = "MemTotal:       24684096 kB\nMemFree:         1000 kB\n"
                       "MemAvailable:   22294224 kB\nActive(anon):      512 kB\nActive:           2048 kB\n"
                       "SwapTotal:             7 kB\n";
    assert_int_equal(vr_meminfo_kib(text, "MemTotal"), 24684096);
    assert_int_equal(vr_meminfo_kib(text, "MemAvailable"), 22294224);
    assert_int_equal(vr_meminfo_kib(text, "Active"), 2048);
    assert_int_equal(vr_meminfo_kib(text, "Total"), 0);
    assert_int_equal(vr_meminfo_kib(NULL, "MemTotal"), 0);
    assert_int_equal(vr_meminfo_total(text), 24684096ull * 1024);
}

/* The one JSON form of the CLI's --json and GET /v1/host/validate. */
static void checklist_json(void **state)
{
    vr_host_facts f = build_host_facts();
    f.cpu = cpu_from("intel-vtx-baremetal.txt");
    f.kvm = hw_probe;
    f.qemu = NULL;
    vr_checklist l;
    vr_host_validate(&f, &l);
    json_object *o = vr_checklist_json(&l, VR_ACCEL_KVM), *v, *sum;
    assert_true(json_object_object_get_ex(o, "accelerator", &v));
    assert_string_equal(json_object_get_string(v), "kvm");
    assert_true(json_object_object_get_ex(o, "checks", &v));
    assert_int_equal(json_object_array_length(v), l.n);
    assert_true(json_object_object_get_ex(o, "summary", &sum));
    assert_true(json_object_object_get_ex(sum, "fail", &v));
    assert_true(json_object_get_int(v) >= 1); /* QEMU missing */
    /* Each check carries its verdict's code beside the English words. */
    assert_true(json_object_object_get_ex(o, "checks", &v));
    json_object *qemu = NULL, *x;
    for (size_t i = 0; i < json_object_array_length(v); i++)
        if (json_object_object_get_ex(json_object_array_get_idx(v, i), "id", &x) &&
            strcmp(json_object_get_string(x), "tool.qemu") == 0)
            qemu = json_object_array_get_idx(v, i);
    assert_non_null(qemu);
    assert_true(json_object_object_get_ex(qemu, "code", &x));
    assert_string_equal(json_object_get_string(x), "tool.qemu-missing");
    assert_true(json_object_object_get_ex(qemu, "hint_code", &x));
    assert_string_equal(json_object_get_string(x), "apt-install");
    assert_true(json_object_object_get_ex(qemu, "params", &x));
    assert_string_equal(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN), "{\"package\":\"qemu-system-x86\"}");
    assert_true(json_object_object_get_ex(qemu, "hint", &x));
    assert_string_equal(json_object_get_string(x), "apt-get install qemu-system-x86 (or: make deps)");
    json_object_put(o);
    vr_checklist_free(&l);
}

/* Other firewalls, from rulesets listed by nft -j (recorded in namespaces). */
static void fw_scan_fixture(const char *name, vr_fw_scan *s)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/firewall/%s", FIXTURES, name);
    char *json = vr_file_read(path, NULL);
    assert_non_null(json);
    char *err = NULL;
    assert_int_equal(vr_fw_scan_parse(json, s, &err), 0);
    assert_null(err);
    free(json);
}

static void firewall_nft_and_firewalld(void **state)
{
    vr_fw_scan s;
    fw_scan_fixture("inet-drop-and-firewalld.json", &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.n_bridges, 0);
    const vr_fw_block *drop = &s.blocks[0], *fwd = &s.blocks[1];
    /* inet filter forward: policy drop, accepts virbr1 in and virbr* out. */
    assert_string_equal(drop->table, "filter");
    assert_true(drop->policy_drop);
    assert_false(drop->iptables);
    assert_true(vr_fw_block_lets(drop, "virbr1"));
    assert_false(vr_fw_block_lets(drop, "virbr2")); /* out only */
    assert_false(vr_fw_block_lets(drop, "vireo0"));
    /* firewalld: policy accept, but ends in an unconditional reject. */
    assert_string_equal(fwd->chain, "filter_FORWARD");
    assert_false(fwd->policy_drop);
    assert_int_equal(fwd->rule_handle, 3);
    char *what = vr_fw_block_what(fwd), *fix = vr_fw_block_fix(fwd, "virbr1");
    assert_string_equal(what, "table inet firewalld, chain filter_FORWARD (hook forward) ends in an "
                              "unconditional drop or reject (rule handle 3)");
    assert_string_equal(fix, "nft insert rule inet firewalld filter_FORWARD iifname \"virbr1\" accept; "
                             "nft insert rule inet firewalld filter_FORWARD oifname \"virbr1\" accept");
    free(what);
    free(fix);

    /* The verdict: the first chain that drops, no bridge yet. */
    vr_host_facts f = build_host_facts();
    f.firewall = 1;
    f.fw = s;
    vr_checklist l;
    vr_host_validate(&f, &l);
    const vr_check *c = find(&l, "net.firewall");
    assert_int_equal(c->status, VR_CHECK_WARN);
    assert_string_equal(c->code, "firewall.forward-drop");
    assert_string_equal(c->hint_code, "firewall-accept-nft");
    assert_non_null(strstr(c->detail, "table inet filter, chain forward (hook forward) has policy drop: it "
                                      "drops what guests on NAT and routed networks send out (and other"));
    assert_non_null(strstr(c->hint, "iifname \"BRIDGE\" accept"));
    vr_checklist_free(&l);
    vr_fw_scan_free(&s);
}

static void firewall_docker(void **state)
{
    vr_fw_scan s;
    fw_scan_fixture("docker.json", &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.n_bridges, 2); /* Vireo's tables vireo_virbr1, vireo_vireo0 */
    const vr_fw_block *b = &s.blocks[0];
    assert_true(b->iptables);
    assert_true(b->docker_user);
    /* DOCKER-USER accepts virbr1 in, nothing out: not yet enough. */
    assert_false(vr_fw_block_lets(b, "virbr1"));
    char *fix = vr_fw_block_fix(b, "vireo0");
    assert_string_equal(fix, "iptables -I DOCKER-USER -i vireo0 -j ACCEPT; iptables -I DOCKER-USER -o vireo0 -j ACCEPT");
    free(fix);
    vr_host_facts f = build_host_facts();
    f.firewall = 1;
    f.fw = s;
    vr_checklist l;
    vr_host_validate(&f, &l);
    const vr_check *c = find(&l, "net.firewall");
    assert_string_equal(c->hint_code, "firewall-accept-iptables");
    assert_string_equal(json_object_to_json_string_ext(c->params, JSON_C_TO_STRING_PLAIN),
                        "{\"family\":\"ip\",\"table\":\"filter\",\"chain\":\"FORWARD\",\"rule_handle\":null,"
                        "\"bridge\":\"virbr1\",\"command\":\"iptables -I DOCKER-USER -i virbr1 -j ACCEPT; "
                        "iptables -I DOCKER-USER -o virbr1 -j ACCEPT\",\"more\":0}");
    vr_checklist_free(&l);
    vr_fw_scan_free(&s);

    char *err = NULL;
    assert_int_equal(vr_fw_scan_parse("[1,2]", &s, &err), -1);
    assert_non_null(strstr(err, "not JSON of the form"));
    free(err);
}

/* Facts gathered without root: the check says so instead of guessing. */
static void firewall_untested(void **state)
{
    vr_host_facts f = build_host_facts();
    f.firewall_why = "only root can read the nftables ruleset";
    vr_checklist l;
    vr_host_validate(&f, &l);
    const vr_check *c = find(&l, "net.firewall");
    assert_int_equal(c->status, VR_CHECK_WARN);
    assert_string_equal(c->code, "firewall.untested");
    assert_string_equal(c->detail, "not tested: only root can read the nftables ruleset");
    vr_checklist_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pvm_host_is_tcg),
        cmocka_unit_test(hardware_is_kvm),
        cmocka_unit_test(fast_probe_without_flags_is_still_tcg),
        cmocka_unit_test(absent_and_denied),
        cmocka_unit_test(run_failure),
        cmocka_unit_test(whole_list),
        cmocka_unit_test(bridge_codes),
        cmocka_unit_test(firewall_nft_and_firewalld),
        cmocka_unit_test(firewall_docker),
        cmocka_unit_test(firewall_untested),
        cmocka_unit_test(missing_qemu_fails_and_nested_off_warns),
        cmocka_unit_test(meminfo_fields),
        cmocka_unit_test(checklist_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
