/* libFuzzer target: raw HTTP requests to the read-only socket (the one
 * every local user may reach): libmicrohttpd's request parsing, http.c,
 * the path split, query lookups and route table of api.c, and the GET
 * handlers naming the fixture domain, network, pool and their volumes.
 * A finding: a crash, a sanitizer report, a hang, or a 5xx answer. */
#include "fuzz_server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fz_server_start(NULL, true);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_answer ans[16];
    size_t n = fz_server_roundtrip(data, size, ans, 16);
    fz_expect_no_5xx(ans, n < 16 ? n : 16, size);
    return 0;
}
