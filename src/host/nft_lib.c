/* libnftables at first use: see nft_lib.h. */
#include "host/nft_lib.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

vr_nftables_lib vr_nftables;

#define VR_NFT_SYM(f) VR_DLIB_SYM(vr_nftables, f),
static const vr_dlib_sym syms[] = {VR_NFT_FUNCS(VR_NFT_SYM)};
static const char *const sonames[] = {"libnftables.so.1"};
static vr_dlib lib = VR_DLIB_INIT(sonames, syms, "libnftables1");

bool vr_nftables_load(char **err)
{
    return vr_dlib_load(&lib, err);
}

int vr_nftables_run(const char *cmd, unsigned flags, char **out, const char *what, char **err)
{
    if (!vr_nftables_load(err))
        return -1;
    struct nft_ctx *ctx = vr_nftables.nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) {
        vr_set_error(err, "%s: cannot initialise libnftables", what);
        return -1;
    }
    vr_nftables.nft_ctx_output_set_flags(ctx, flags);
    vr_nftables.nft_ctx_buffer_output(ctx);
    vr_nftables.nft_ctx_buffer_error(ctx);
    int rc = vr_nftables.nft_run_cmd_from_buffer(ctx, cmd) == 0 ? 0 : -1;
    if (rc < 0) {
        const char *msg = vr_nftables.nft_ctx_get_error_buffer(ctx);
        char *line = vr_strdup(msg && *msg ? msg : "unknown error");
        line[strcspn(line, "\n")] = '\0';
        vr_set_error(err, "%s: %s", what, line);
        free(line);
    } else if (out) {
        const char *o = vr_nftables.nft_ctx_get_output_buffer(ctx);
        *out = vr_strdup(o ? o : "");
    }
    vr_nftables.nft_ctx_free(ctx);
    return rc;
}
