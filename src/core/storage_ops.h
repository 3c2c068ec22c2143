/* Storage operations shared by the transports. */
#pragma once
#include "drivers/storage/storage_driver.h"

/* vol-create: a volume from its XML (<volume>) in pool p; *out describes
 * it (clear with vr_vol_info_clear). An XML that does not parse is
 * VR_ERR_INVALID. */
vr_err vr_core_vol_create_xml(vr_pool *p, const char *xml, vr_vol_info *out, char **err);
