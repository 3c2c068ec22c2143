/* Templates (vireo template): a domain sealed with sysprep whose disks
 * are the read-only bases of linked clones. The mark lives in the
 * definition itself, as an element of Vireo's namespace in <metadata>
 * (where libvirt lets applications keep their own data), so it survives
 * dumpxml/define round trips and libvirt clients ignore it:
 *   <metadata><vireo:template xmlns:vireo="https://vireo.dev/xmlns/template/1"/></metadata>
 * A template does not start (the QEMU driver refuses); clones made from
 * it do not carry the mark. */
#pragma once
#include "conf/domain_conf.h"

#include <stdbool.h>

#define VR_TEMPLATE_NS "https://vireo.dev/xmlns/template/1"

bool vr_domain_def_is_template(const vr_domain_def *def);
/* Add or remove the mark in def->metadata, keeping everything else
 * there. 0, or -1 with *err. */
int vr_domain_def_set_template(vr_domain_def *def, bool on, char **err);
