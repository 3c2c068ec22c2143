/* A throwaway directory tree for the unit tests of code that reads sysfs
 * (src/core/nodedev.c, src/host/vfio.c take their sysfs root as a
 * parameter, since this host has neither the devices nor an IOMMU):
 * files, directories and symlinks by their path under fake_root, parents
 * made as needed. Each helper fails the test (cmocka) when it cannot. */
#pragma once

extern char fake_root[64];

/* A new tree at /tmp/PREFIX-XXXXXX (fake_root); removed, whole, by fake_tree_remove. */
void fake_tree_make(const char *prefix);
void fake_tree_remove(void);
void fake_put(const char *rel, const char *content);
void fake_dir(const char *rel);
void fake_link(const char *target, const char *rel);
/* The test fails unless the file holds exactly `want`. */
void fake_expect(const char *rel, const char *want);
