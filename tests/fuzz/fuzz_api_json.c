/* libFuzzer target: the JSON request bodies the daemon decodes. Each
 * input is one POST through the real HTTP server (fuzz_server.c); its
 * first byte picks the decoder, the rest is the body:
 *   0  api_json.c's readers: the body object, a string, a size, a ranged
 *      number, an object, a flag (what every route's decoding is made of)
 *   1  vol-create-as's body (vr_api_vol_json)
 *   2  POST /v1/install's body, read and checked against the fixtures'
 *      pool and network, nothing made (vr_api_install_check)
 * The decoders run on the daemon's real request object. A finding: a
 * crash, a sanitizer report, a decoder that refuses without answering
 * (a 500) or answers and still accepts. */
#include "fuzz_server.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool helpers(vr_api_call *c, json_object *o)
{
    const char *s = NULL;
    unsigned long long size = 0, n = 0;
    json_object *inner = NULL;
    return vr_api_str(c, o, "name", &s) >= 0 && vr_api_size(c, o, "capacity", &size) >= 0 &&
           vr_api_uint(c, o, "vcpus", 1, 255, &n) >= 0 && vr_api_obj(c, o, "source", &inner) >= 0 &&
           (!inner || vr_api_str(c, inner, "path", &s) >= 0) && (vr_api_bool(o, "start"), true);
}

static bool vol(vr_api_call *c, json_object *o)
{
    const char *backing = NULL;
    vr_vol_def *def = vr_api_vol_json(c, o, &backing);
    vr_vol_def_free(def);
    return def != NULL;
}

static bool (*const decoders[])(vr_api_call *c, json_object *o) = {helpers, vol, vr_api_install_check};

/* The handler every fuzz request reaches: /DECODER. */
static void dispatch(vr_req *req, void *opaque)
{
    vr_api_call c = {.api = opaque, .req = req};
    const char *path = vr_req_path(req);
    size_t which = strtoul(path + 1, NULL, 10) % VR_ARRAY_LEN(decoders);
    json_object *o = vr_api_body_json(&c);
    if (!o)
        return;
    bool ok = decoders[which](&c, o);
    json_object_put(o);
    if (ok && vr_req_answered(req)) {
        fprintf(stderr, "fuzz api_json: decoder %zu answered an error and still accepted the body\n", which);
        abort();
    }
    if (ok)
        vr_req_reply_json(req, 200, vr_api_ok());
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fz_server_start(dispatch, false);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t body = size - 1;
    char *head = vr_asprintf("POST /%u HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n", data[0], body);
    size_t hl = strlen(head);
    uint8_t *req = vr_malloc(hl + body);
    memcpy(req, head, hl);
    memcpy(req + hl, data + 1, body);
    fz_answer ans[2];
    size_t n = fz_server_roundtrip(req, hl + body, ans, 2);
    if (n != 1) {
        fprintf(stderr, "fuzz api_json: %zu answers to one request\n", n);
        abort();
    }
    fz_expect_no_5xx(ans, 1, size);
    free(head);
    free(req);
    return 0;
}
