/* Host resources and kernel features that matter to a VM host. Each
 * reader is a small function so host-validate and the daemon share them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Total RAM in bytes from a /proc/meminfo text; 0 when absent. */
uint64_t vr_meminfo_total(const char *meminfo_text);
/* One field of a /proc/meminfo text ("MemAvailable"), in KiB; 0 when absent. */
uint64_t vr_meminfo_kib(const char *meminfo_text, const char *field);

/* Free bytes on the filesystem holding `path` (or its nearest existing
 * parent, so it works before the state directory is made). */
int vr_disk_free(const char *path, uint64_t *free_bytes, char **measured_at);

/* First line of `prog --version`, or NULL when prog is not on PATH. */
char *vr_tool_version(const char *prog);
/* Run argv (argv[0] a full path) with stdout captured, at most `max`
 * bytes of it, stderr to /dev/null; returns the exit status or -1, and
 * the output (malloc'ed) in *out. */
int vr_tool_run(char *const argv[], size_t max, char **out);
/* Full path of prog on PATH, or NULL. */
char *vr_which(const char *prog);

/* Controllers enabled in the cgroup v2 hierarchy. Returns the version
 * of the mount found (2 = unified at /sys/fs/cgroup, 1 = v1/hybrid), and
 * the space-separated v2 controllers (possibly empty). */
int vr_cgroup_controllers(char **controllers);

/* Loaded KVM vendor module (kvm_intel, kvm_amd, or another kvm_* such
 * as kvm_pvm) and its nested parameter: 1 on, 0 off, -1 unknown. */
char *vr_kvm_module(int *nested);

/* Can this kernel make a bridge? Tried for real in a throw-away network
 * namespace so the host's own links are never touched. 1 yes, 0 no,
 * -1 could not tell (not root, no `ip`). Otherwise than yes, *why says
 * why in English and *why_code as a stable word (not-root, no-ip-tool,
 * fork-failed, no-netns, refused) for clients that word it themselves. */
int vr_bridge_probe(char **why, const char **why_code);
