/* libosinfo (and the glib calls its lists need), opened at first use
 * (common/dlib.h says why): the functions osinfo.c calls, typed from
 * libosinfo's own headers. Cast checks are off so that OSINFO_LIST()
 * and its kin are plain casts, not calls into GObject's type system. */
#ifndef VR_INSTALL_OSINFO_LIB_H
#define VR_INSTALL_OSINFO_LIB_H

#include "common/dlib.h"

#define G_DISABLE_CAST_CHECKS 1
#include <osinfo/osinfo.h>
#include <stdbool.h>

#define VR_OSINFO_FUNCS(X)                                                                                          \
    X(g_list_free) X(g_list_length) X(g_object_unref)                                                               \
    X(osinfo_loader_new) X(osinfo_loader_get_db) X(osinfo_loader_process_default_path)                              \
    X(osinfo_loader_process_path) X(osinfo_db_get_os_list) X(osinfo_entity_get_id)                                  \
    X(osinfo_list_find_by_id) X(osinfo_list_get_length) X(osinfo_list_get_nth)                                      \
    X(osinfo_firmware_get_architecture) X(osinfo_firmware_get_firmware_type) X(osinfo_firmware_is_supported)        \
    X(osinfo_os_get_all_devices) X(osinfo_os_get_complete_firmware_list) X(osinfo_os_get_family)                    \
    X(osinfo_os_get_minimum_resources) X(osinfo_os_get_recommended_resources)                                       \
    X(osinfo_product_get_name) X(osinfo_product_get_release_date_string) X(osinfo_product_get_short_id_list)       \
    X(osinfo_resources_get_architecture) X(osinfo_resources_get_n_cpus) X(osinfo_resources_get_ram)                 \
    X(osinfo_resources_get_storage)

/* vr_osi, filled by vr_osinfo_lib_load from libosinfo. */
VR_DLIB_EXTERN(VR_OSINFO_FUNCS, vr_osinfo_lib, vr_osi, vr_osinfo_lib_load);

#endif
