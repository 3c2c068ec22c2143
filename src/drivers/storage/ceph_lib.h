/* librados and librbd, opened at first use (common/dlib.h says why):
 * the functions the rbd backend calls, typed from Ceph's own headers. */
#ifndef VR_STORAGE_CEPH_LIB_H
#define VR_STORAGE_CEPH_LIB_H

#include "common/dlib.h"

#include <rados/librados.h>
#include <rbd/librbd.h>
#include <stdbool.h>

#define VR_CEPH_FUNCS(X)                                                                                            \
    X(rados_create) X(rados_conf_set) X(rados_connect) X(rados_shutdown) X(rados_cluster_stat)                      \
    X(rados_ioctx_create) X(rados_ioctx_destroy) X(rados_ioctx_pool_stat) X(rados_pool_list) X(rados_application_list) \
    X(rbd_open) X(rbd_open_read_only) X(rbd_close) X(rbd_create2) X(rbd_remove) X(rbd_resize) X(rbd_stat)           \
    X(rbd_get_size) X(rbd_list2) X(rbd_image_spec_list_cleanup) X(rbd_read) X(rbd_write) X(rbd_write_zeroes)        \
    X(rbd_flush) X(rbd_clone) X(rbd_snap_create) X(rbd_snap_remove) X(rbd_snap_list) X(rbd_snap_list_end)           \
    X(rbd_snap_protect) X(rbd_snap_unprotect) X(rbd_snap_is_protected)

/* vr_ceph, filled by vr_ceph_load from librados.so.2 and librbd.so.1. */
VR_DLIB_EXTERN(VR_CEPH_FUNCS, vr_ceph_lib, vr_ceph, vr_ceph_load);

#endif
