/* The definition of a clone (virt-clone's job): the original's
 * definition with a new name, disks pointed at their copies, and fresh
 * identity. */
#pragma once
#include "conf/domain_conf.h"

/* `def` is a copy the caller has already renamed and re-pointed. It is
 * written out, its <uuid> and every interface's <mac> dropped, and read
 * back: the parser then generates a new uuid and new MACs exactly as for
 * a definition that never had them. NULL with *err on failure. */
vr_domain_def *vr_domain_def_renew_identity(const vr_domain_def *def, char **err);
