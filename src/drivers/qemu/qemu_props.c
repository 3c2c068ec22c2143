/* QEMU option properties: one list, two renderings (qemu_props.h). */
#include "drivers/qemu/qemu_props.h"
#include "drivers/qemu/qemu_command.h"
#include "common/strbuf.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef enum { PROP_STR, PROP_UINT, PROP_BOOL, PROP_BOOL_WORD } prop_kind;

typedef struct {
    char *key;
    prop_kind kind;
    char *s;
    unsigned long long u;
    bool b;
} prop;

struct vr_qprops {
    char *head_key, *head;
    prop *v;
    size_t n;
};

vr_qprops *vr_qp_new(const char *head_key, const char *head)
{
    vr_qprops *p = vr_calloc(1, sizeof(*p));
    vr_qp_head(p, head_key, head);
    return p;
}

void vr_qp_head(vr_qprops *p, const char *head_key, const char *head)
{
    free(p->head_key);
    free(p->head);
    p->head_key = head ? vr_strdup(head_key) : NULL;
    p->head = head ? vr_strdup(head) : NULL;
}

bool vr_qp_has_head(const vr_qprops *p)
{
    return p->head != NULL;
}

bool vr_qp_empty(const vr_qprops *p)
{
    return !p->head && !p->n;
}

static prop *add(vr_qprops *p, const char *key, prop_kind kind)
{
    p->v = vr_realloc(p->v, (p->n + 1) * sizeof(*p->v));
    prop *e = &p->v[p->n++];
    *e = (prop){.key = vr_strdup(key), .kind = kind};
    return e;
}

void vr_qp_str(vr_qprops *p, const char *key, const char *value)
{
    if (value)
        add(p, key, PROP_STR)->s = vr_strdup(value);
}

void vr_qp_strf(vr_qprops *p, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(p, key, PROP_STR)->s = vr_vasprintf(fmt, ap);
    va_end(ap);
}

void vr_qp_uint(vr_qprops *p, const char *key, unsigned long long value)
{
    add(p, key, PROP_UINT)->u = value;
}

void vr_qp_bool(vr_qprops *p, const char *key, bool value)
{
    add(p, key, PROP_BOOL)->b = value;
}

void vr_qp_bool_word(vr_qprops *p, const char *key, bool value)
{
    add(p, key, PROP_BOOL_WORD)->b = value;
}

void vr_qp_append(vr_qprops *p, vr_qprops *from)
{
    if (!from)
        return;
    for (size_t i = 0; i < from->n; i++) {
        p->v = vr_realloc(p->v, (p->n + 1) * sizeof(*p->v));
        p->v[p->n++] = from->v[i]; /* the key and string move over */
    }
    from->n = 0;
    vr_qp_free(from);
}

/* A value with each ',' doubled: QEMU's escape for its key=value lists. */
static void add_escaped(vr_strbuf *b, const char *s)
{
    for (const char *c = strchr(s, ','); c; s = c + 1, c = strchr(s, ',')) {
        vr_strbuf_addn(b, s, (size_t)(c - s) + 1);
        vr_strbuf_add(b, ",");
    }
    vr_strbuf_add(b, s);
}

char *vr_qemu_quote(const char *s)
{
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "");
    add_escaped(&b, s);
    return vr_strbuf_take(&b);
}

char *vr_qp_keyval(const vr_qprops *p)
{
    vr_strbuf b = {0};
    vr_strbuf_add(&b, ""); /* "" rather than NULL when empty */
    if (p->head)
        add_escaped(&b, p->head);
    for (size_t i = 0; i < p->n; i++) {
        const prop *e = &p->v[i];
        vr_strbuf_addf(&b, "%s%s=", b.len ? "," : "", e->key);
        switch (e->kind) {
        case PROP_STR:
            add_escaped(&b, e->s);
            break;
        case PROP_UINT:
            vr_strbuf_addf(&b, "%llu", e->u);
            break;
        case PROP_BOOL:
            vr_strbuf_add(&b, e->b ? "on" : "off");
            break;
        case PROP_BOOL_WORD:
            vr_strbuf_add(&b, e->b ? "true" : "false");
            break;
        }
    }
    return vr_strbuf_take(&b);
}

/* The object a dotted key's last part goes in ("cache.direct": the
 * object at "cache", made when missing), and that part. */
static json_object *parent_of(json_object *root, const char *key, const char **leaf)
{
    json_object *o = root;
    const char *dot;
    while ((dot = strchr(key, '.'))) {
        char *part = vr_strndup(key, (size_t)(dot - key));
        json_object *child;
        if (!json_object_object_get_ex(o, part, &child) ||
            !json_object_is_type(child, json_type_object)) {
            child = json_object_new_object();
            json_object_object_add(o, part, child);
        }
        free(part);
        o = child;
        key = dot + 1;
    }
    *leaf = key;
    return o;
}

/* QEMU's keyval form writes a list as numbered keys (server.0.host,
 * auth-client-required.1): an object whose keys are 0..n-1 becomes the
 * JSON array QMP wants, depth first. Takes `o`; returns what replaces it. */
static json_object *lists_of(json_object *o)
{
    if (!json_object_is_type(o, json_type_object))
        return o;
    size_t n = 0;
    bool numbered = json_object_object_length(o) > 0;
    json_object_object_foreach(o, k, v) {
        json_object *w = lists_of(json_object_get(v));
        if (w != v)
            json_object_object_add(o, k, w); /* in place: the old value is put */
        else
            json_object_put(w);
        char want[24];
        snprintf(want, sizeof(want), "%zu", n++);
        numbered = numbered && strcmp(k, want) == 0;
    }
    if (!numbered)
        return o;
    json_object *a = json_object_new_array();
    json_object_object_foreach(o, k2, v2) {
        (void)k2;
        json_object_array_add(a, json_object_get(v2));
    }
    json_object_put(o);
    return a;
}

json_object *vr_qp_json(const vr_qprops *p)
{
    json_object *root = json_object_new_object();
    if (p->head)
        json_object_object_add(root, p->head_key, json_object_new_string(p->head));
    for (size_t i = 0; i < p->n; i++) {
        const prop *e = &p->v[i];
        const char *leaf;
        json_object *o = parent_of(root, e->key, &leaf);
        json_object *v = e->kind == PROP_STR    ? json_object_new_string(e->s)
                         : e->kind == PROP_UINT ? json_object_new_uint64(e->u)
                                                : json_object_new_boolean(e->b);
        json_object_object_add(o, leaf, v);
    }
    return lists_of(root);
}

void vr_qp_free(vr_qprops *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].s);
    }
    free(p->v);
    free(p->head_key);
    free(p->head);
    free(p);
}
