/* The HTTP route tables (src/daemon/api_*.c): every route declares its
 * access, so the read-only socket's rule holds for routes added later.
 * A GET route is VR_API_READ, VR_API_CONSOLE or VR_API_GUEST (asks the
 * guest's agent: read-write only, core/access.h) unless it is one of the
 * few GETs that write (a WebSocket upload); no other method is ever
 * VR_API_READ; no method and pattern is routed twice; only whole
 * definitions take more than VR_API_BODY_SMALL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/api.h"

/* The router's own list of tables (src/daemon/api.c). */
#define tables vr_api_route_tables

/* GETs that change something: refused on the read-only socket. */
static const char *const writing_gets[] = {
    "pools/*/volumes/*/upload",
    "secrets/*/value", /* it reads, but only for read-write peers: a secret's value */
};

static void access_declared(void **state)
{
    size_t routes = 0;
    for (size_t t = 0; tables[t]; t++) {
        for (const vr_api_route *r = tables[t]; r->method; r++, routes++) {
            bool get = strcmp(r->method, "GET") == 0, writes = false;
            for (size_t i = 0; i < sizeof(writing_gets) / sizeof(writing_gets[0]); i++)
                writes |= strcmp(r->pattern, writing_gets[i]) == 0;
            if (get && !writes && r->access != VR_API_READ && r->access != VR_API_CONSOLE &&
                r->access != VR_API_GUEST)
                fail_msg("GET %s declares no read access: add VR_API_READ (or VR_API_CONSOLE, VR_API_GUEST) to its line, "
                         "or the read-only socket refuses it",
                         r->pattern);
            if (get && writes && r->access != VR_API_WRITE)
                fail_msg("GET %s writes, but is declared readable", r->pattern);
            if (!get && r->access != VR_API_WRITE)
                fail_msg("%s %s changes something, but is declared to only read", r->method, r->pattern);
        }
    }
    assert_true(routes > 50);
}

static void routed_once(void **state)
{
    for (size_t t = 0; tables[t]; t++)
        for (const vr_api_route *r = tables[t]; r->method; r++)
            for (size_t u = t; tables[u]; u++)
                for (const vr_api_route *q = u == t ? r + 1 : tables[u]; q->method; q++)
                    if (strcmp(r->method, q->method) == 0 && strcmp(r->pattern, q->pattern) == 0)
                        fail_msg("%s %s is routed twice", r->method, r->pattern);
}

static void large_bodies(void **state)
{
    const char *const definitions[] = {"domains", "networks", "pools"};
    size_t large = 0;
    for (size_t t = 0; tables[t]; t++) {
        for (const vr_api_route *r = tables[t]; r->method; r++) {
            if (!r->max_body)
                continue;
            bool definition = false;
            for (size_t i = 0; i < 3; i++)
                definition |= strcmp(r->pattern, definitions[i]) == 0 && strcmp(r->method, "POST") == 0;
            if (!definition || r->max_body != VR_API_BODY_DEFINITION)
                fail_msg("%s %s takes a body of %zu bytes; only definitions take more than the small limit",
                         r->method, r->pattern, r->max_body);
            large++;
        }
    }
    assert_int_equal(large, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(access_declared),
        cmocka_unit_test(routed_once),
        cmocka_unit_test(large_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
