/* host-validate: the facts gathered from the host, and the verdicts
 * drawn from them. Gathering and judging are separate so the verdicts can
 * be tested on recorded facts. */
#pragma once
#include "host/cpuinfo.h"
#include "host/firewall.h"
#include "host/kvm_probe.h"

#include <json-c/json.h>

#include <stddef.h>
#include <stdint.h>

typedef enum { VR_CHECK_PASS, VR_CHECK_WARN, VR_CHECK_FAIL } vr_check_status;

/* A verdict in two forms: English words for people (the CLI prints
 * them), and a stable code with the values they name, so that a client
 * (the web page) can say the same in its reader's language. */
typedef struct {
    const char *id;     /* stable key for --json, e.g. "kvm.usable" */
    const char *title;  /* what was checked */
    vr_check_status status;
    char *detail;       /* what was found */
    char *hint;         /* what to do; NULL on PASS */
    const char *code;   /* what was found, e.g. "kvm.slow" */
    const char *hint_code; /* what to do, e.g. "enable-nested"; NULL with hint */
    json_object *params;   /* the values detail and hint name ({"mloops":0.71}), or NULL */
} vr_check;

typedef struct {
    vr_check *v;
    size_t n;
} vr_checklist;

typedef enum { VR_ACCEL_TCG, VR_ACCEL_KVM } vr_accel;

typedef struct {
    bool cpu_ok;
    vr_cpuinfo cpu;
    vr_kvm_probe kvm;
    char *kvm_module;     /* kvm_intel, kvm_amd, kvm_pvm, ... or NULL */
    int nested;           /* -1 unknown, 0 off, 1 on */
    int tun;              /* 1 usable, 0 missing, -1 present but no access */
    int bridge;           /* see vr_bridge_probe */
    char *bridge_why;
    const char *bridge_why_code;
    int cgroup_version;
    char *cgroup_controllers;
    char *qemu, *qemu_img, *dnsmasq; /* version lines, NULL = missing */
    uint64_t mem_bytes;
    int cores;
    uint64_t disk_free;
    char *disk_path;
    /* Storage pool kinds (check "storage.*"): root writes partition
     * tables and mounts (disk, fs); mkfs makes fs pools' file systems;
     * QEMU's block-iscsi module runs guests on iscsi-direct LUNs. */
    bool root, mkfs_ext4, mkfs_xfs, qemu_iscsi, qemu_rbd;
    int firewall;         /* 1: ruleset read into fw; 0: not (firewall_why) */
    char *firewall_why;
    vr_fw_scan fw;
} vr_host_facts;

/* Look at this host. `state_dir` is where images will live (for the
 * free-disk check). Runs the KVM probe (about 0.2 s when KVM is slow). */
void vr_host_facts_gather(vr_host_facts *f, const char *state_dir);
void vr_host_facts_free(vr_host_facts *f);

/* Judge the facts. Never touches the host. */
void vr_host_validate(const vr_host_facts *f, vr_checklist *out);

/* The KVM verdict alone (also used by the daemon to pick the accelerator). */
vr_accel vr_kvm_verdict(const vr_cpuinfo *cpu, bool cpu_ok, const vr_kvm_probe *probe, vr_check *out);

const char *vr_check_status_name(vr_check_status s);
/* Free what a check holds (detail, hint, params). */
void vr_check_clear(vr_check *c);
/* {"checks":[{id,title,status,detail,hint,code,hint_code,params}…],"accelerator",
 * "summary":{pass,warn,fail}} (validate_json.c): the CLI's --json and the daemon's answer. */
json_object *vr_checklist_json(const vr_checklist *l, vr_accel accel);
void vr_checklist_free(vr_checklist *l);
