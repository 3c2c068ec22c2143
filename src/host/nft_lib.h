/* libnftables, opened at first use (common/dlib.h says why): the
 * functions host-validate's firewall scan (firewall.c) and the network
 * driver's rules (drivers/network/nft.c) call, typed from its own
 * header. A session daemon, a CLI command and a system daemon whose
 * networks have no firewall of their own never load it. */
#ifndef VR_HOST_NFT_LIB_H
#define VR_HOST_NFT_LIB_H

#include "common/dlib.h"

#include <nftables/libnftables.h>
#include <stdbool.h>

#define VR_NFT_FUNCS(X)                                                                                             \
    X(nft_ctx_new) X(nft_ctx_free) X(nft_ctx_output_set_flags) X(nft_ctx_buffer_output) X(nft_ctx_buffer_error)     \
    X(nft_run_cmd_from_buffer) X(nft_ctx_get_output_buffer) X(nft_ctx_get_error_buffer)

/* vr_nftables, filled by vr_nftables_load from libnftables.so.1. */
VR_DLIB_EXTERN(VR_NFT_FUNCS, vr_nftables_lib, vr_nftables, vr_nftables_load);

/* Runs `cmd` (nft's language) with the output flags `flags`
 * (NFT_CTX_OUTPUT_*): 0, with *out (when out is not NULL) what it
 * printed, or -1 with *err: `what`, then the first line of nft's error
 * (or why libnftables could not be loaded). */
int vr_nftables_run(const char *cmd, unsigned flags, char **out, const char *what, char **err);

#endif
