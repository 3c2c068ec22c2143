/* Shared by api_vireo.c and api_libvirt.c: the same subcommands on both
 * systems, so that bench/run drives them alike.
 *
 *   ready URI TIMEOUT_S [XML]   connect + list every domain, retried every 2 ms
 *                               until answered; print the wall clock (µs) then;
 *                               with XML, define it next and print the wall
 *                               clock once that is answered too
 *   list URI CALLS [state]      on one open connection: one warm-up list, then
 *                               CALLS timed lists; print the mean µs per call.
 *                               "state": also the state of every domain (what
 *                               `list --all` shows); libvireo's list has it already
 *   define URI TEMPLATE PREFIX FROM TO
 *                               define PREFIX-FROM .. PREFIX-TO (4 digits) from
 *                               TEMPLATE with @NAME@ replaced; print total µs
 *   undefine URI PREFIX         destroy (if running) and undefine every domain
 *                               whose name starts with PREFIX; print the count
 *   waitstate URI NAME STATE TIMEOUT_S
 *                               poll every 2 ms until NAME is in STATE ("shut
 *                               off", "running"...); print the wall clock (µs)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_us(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[8192];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, r, m);
    fclose(m);
    fclose(f);
    return buf;
}

/* TEMPLATE with every @NAME@ replaced by name. */
static char *instantiate(const char *tmpl, const char *name)
{
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    const char *p = tmpl, *q;
    while ((q = strstr(p, "@NAME@"))) {
        fwrite(p, 1, (size_t)(q - p), m);
        fputs(name, m);
        p = q + 6;
    }
    fputs(p, m);
    fclose(m);
    return out;
}

static void usage(void)
{
    fprintf(stderr, "usage: ready URI T [XML] | list URI CALLS [state] | define URI TEMPLATE PREFIX FROM TO |"
                    " undefine URI PREFIX | waitstate URI NAME STATE T\n");
    exit(2);
}
