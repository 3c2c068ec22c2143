/* The daemon's objects as the wire structs (wire/schemas.h): what every
 * transport encodes. A view borrows: its strings point into the object
 * and stay valid until the object changes; never vireo_*_clear a view. */
#pragma once
#include "drivers/qemu/qemu_driver.h"
#include "drivers/storage/storage_driver.h"

#include <vireo/vireo.h>

void vr_core_domain_view(const vr_domain *dom, vireo_domain *out);
/* With the pool's sizes and volume count read now (statvfs, readdir). */
void vr_core_pool_view(vr_pool *p, vireo_pool *out);
