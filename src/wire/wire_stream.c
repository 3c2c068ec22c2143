/* Reading a list answer ({"KEY":[{...},{...}]}, or the rows form
 * {"keys":[...],"KEY":[[...],[...]]}, wire.h) straight into an array of
 * structs with yajl's event parser: no tree of thousands of objects is
 * built and torn down (json-c's tokener spent 9 ms on 1000 domains; this
 * takes a fraction). Keys not in the schema are skipped, with whatever
 * they hold. */
#include "wire/wire.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

typedef struct {
    const vr_wire_schema *s;
    const char *list_key;
    int depth;                  /* maps and the list entered (skipped ones not counted) */
    int skip;                   /* > 0: inside a value nobody reads */
    bool key_is_list, key_is_keys, in_list, in_keys, in_strv;
    bool row;                   /* the current element is a row (an array), not an object */
    const vr_wire_field *field; /* the current value's, in an element; NULL unknown */
    size_t next_field;          /* object form: keys usually come in table order */
    const vr_wire_field **cols; /* rows form: the field of each position ("keys") */
    size_t n_cols, col;         /* ... how many, and the next value's position */
    bool have_keys;
    char *items;
    size_t n, cap;
} reader;

static void *cur(reader *r) { return r->items + (r->n - 1) * r->s->size; }
static bool in_element(const reader *r) { return r->in_list && r->depth == 3 && !r->skip; }

static void new_element(reader *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->items = vr_realloc(r->items, r->cap * r->s->size);
    }
    r->n++;
    void *obj = cur(r);
    memset(obj, 0, r->s->size);
    /* Missing keys read as their `none`, as vr_wire_from_json does. */
    for (size_t i = 0; i < r->s->n_fields; i++) {
        const vr_wire_field *f = &r->s->fields[i];
        if (f->has_none && f->kind == VR_WIRE_DOUBLE)
            *(double *)((char *)obj + f->off) = (double)f->none;
        else if (f->has_none)
            vr_wire_set_int(f, obj, f->none);
        else if (f->kind == VR_WIRE_TRIBOOL)
            vr_wire_set_int(f, obj, -1);
    }
    r->field = NULL;
    r->next_field = 0;
    r->col = 0;
}

static const vr_wire_field *field_named(reader *r, const unsigned char *key, size_t len)
{
    for (size_t k = 0; k < r->s->n_fields; k++) {
        size_t i = (r->next_field + k) % r->s->n_fields;
        const vr_wire_field *f = &r->s->fields[i];
        if (strncmp(f->key, (const char *)key, len) == 0 && f->key[len] == '\0') {
            r->next_field = i + 1;
            return f;
        }
    }
    return NULL;
}

/* A value starts directly in a row: it is the field of the next position
 * (the schema's order when the answer named no keys). */
static void row_value(reader *r)
{
    if (!r->row || !in_element(r) || r->in_strv)
        return;
    size_t i = r->col++;
    if (r->have_keys)
        r->field = i < r->n_cols ? r->cols[i] : NULL;
    else
        r->field = i < r->s->n_fields ? &r->s->fields[i] : NULL;
}

static int on_start_map(void *ctx)
{
    reader *r = ctx;
    row_value(r);
    if (r->skip || (r->depth == 3 && r->in_list) || r->in_keys || r->in_strv) {
        r->skip++; /* a nested object: no field the list reader fills holds one */
        return 1;
    }
    r->depth++;
    if (r->in_list && r->depth == 3) {
        new_element(r);
        r->row = false;
    }
    return 1;
}

static int on_end_map(void *ctx)
{
    reader *r = ctx;
    if (r->skip)
        r->skip--;
    else
        r->depth--;
    return 1;
}

static int on_start_array(void *ctx)
{
    reader *r = ctx;
    row_value(r);
    if (r->skip) {
        r->skip++;
    } else if (r->depth == 1 && r->key_is_list && !r->in_list) {
        r->in_list = true;
        r->depth++;
    } else if (r->depth == 1 && r->key_is_keys && !r->in_keys && !r->have_keys) {
        r->in_keys = true;
        r->have_keys = true;
    } else if (r->in_list && r->depth == 2) {
        r->depth++;
        new_element(r);
        r->row = true;
    } else if (in_element(r) && r->field && r->field->kind == VR_WIRE_STRV && !r->in_strv) {
        r->in_strv = true;
    } else {
        r->skip++;
    }
    return 1;
}

static int on_end_array(void *ctx)
{
    reader *r = ctx;
    if (r->skip)
        r->skip--;
    else if (r->in_strv)
        r->in_strv = false;
    else if (r->in_keys)
        r->in_keys = false;
    else if (r->in_list && r->depth == 3 && r->row) {
        r->row = false;
        r->depth--;
    } else if (r->in_list && r->depth == 2) {
        r->in_list = false;
        r->depth--;
    }
    return 1;
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    reader *r = ctx;
    if (r->skip)
        return 1;
    if (r->depth == 1) {
        r->key_is_list = strlen(r->list_key) == len && memcmp(r->list_key, key, len) == 0;
        r->key_is_keys = len == 4 && memcmp("keys", key, len) == 0;
        return 1;
    }
    if (in_element(r) && !r->row)
        r->field = field_named(r, key, len);
    return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    reader *r = ctx;
    if (r->in_keys && !r->skip) {
        r->cols = vr_realloc(r->cols, (r->n_cols + 1) * sizeof(*r->cols));
        r->next_field = 0;
        r->cols[r->n_cols++] = field_named(r, s, len);
        return 1;
    }
    row_value(r);
    if (r->skip || !r->in_list || !r->field)
        return 1;
    const vr_wire_field *f = r->field;
    void *obj = cur(r);
    if (r->in_strv) {
        char ***list = (char ***)((char *)obj + f->off);
        size_t *count = (size_t *)((char *)obj + f->count_off);
        *list = vr_realloc(*list, (*count + 2) * sizeof(char *));
        (*list)[(*count)++] = vr_strndup((const char *)s, len);
        (*list)[*count] = NULL;
    } else if (in_element(r) && f->kind == VR_WIRE_STR) {
        char **dst = (char **)((char *)obj + f->off);
        free(*dst);
        *dst = vr_strndup((const char *)s, len);
    } else if (in_element(r) && f->kind == VR_WIRE_ENUM) {
        *(unsigned *)((char *)obj + f->off) = 0;
        for (const vr_wire_name *e = f->names; e->name; e++)
            if (strncmp(e->name, (const char *)s, len) == 0 && e->name[len] == '\0')
                *(unsigned *)((char *)obj + f->off) = e->value;
    } else if (in_element(r) && f->kind == VR_WIRE_CHARS) {
        size_t n = len < f->size - 1 ? len : f->size - 1;
        memcpy((char *)obj + f->off, s, n);
        ((char *)obj + f->off)[n] = '\0';
    }
    return 1;
}

static int on_number(void *ctx, const char *s, size_t len)
{
    reader *r = ctx;
    row_value(r);
    if (!in_element(r) || !r->field || r->in_strv || len >= 64)
        return 1;
    const vr_wire_field *f = r->field;
    /* A plain integer of up to 18 digits (every count, size and id the
     * daemon writes) without strtoll's locale and checks. */
    bool neg = s[0] == '-';
    size_t digits = len - neg;
    if (f->kind != VR_WIRE_DOUBLE && digits > 0 && digits <= 18) {
        long long v = 0;
        size_t i = neg;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (s[i++] - '0');
        if (i == len) {
            vr_wire_set_int(f, cur(r), neg ? -v : v);
            return 1;
        }
    }
    char num[64];
    memcpy(num, s, len);
    num[len] = '\0';
    if (f->kind == VR_WIRE_DOUBLE)
        *(double *)((char *)cur(r) + f->off) = strtod(num, NULL);
    else if (f->kind == VR_WIRE_U64)
        vr_wire_set_int(f, cur(r), (long long)strtoull(num, NULL, 10));
    else
        vr_wire_set_int(f, cur(r), strtoll(num, NULL, 10));
    return 1;
}

static int on_boolean(void *ctx, int v)
{
    reader *r = ctx;
    row_value(r);
    if (in_element(r) && r->field && r->field->kind == VR_WIRE_BOOL)
        *(bool *)((char *)cur(r) + r->field->off) = v;
    else if (in_element(r) && r->field && r->field->kind == VR_WIRE_TRIBOOL)
        *(int *)((char *)cur(r) + r->field->off) = v;
    return 1;
}

static int on_null(void *ctx)
{
    row_value(ctx); /* every field starts empty (or at its none) */
    return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

struct vr_wire_reader {
    reader r;
    yajl_handle h;
    yajl_status st;
};

vr_wire_reader *vr_wire_reader_new(const vr_wire_schema *s, const char *key)
{
    vr_wire_reader *w = vr_calloc(1, sizeof(*w));
    w->r = (reader){.s = s, .list_key = key};
    w->h = yajl_alloc(&callbacks, NULL, &w->r);
    w->st = yajl_status_ok;
    return w;
}

void vr_wire_reader_feed(vr_wire_reader *w, const char *text, size_t len)
{
    if (w->st == yajl_status_ok)
        w->st = yajl_parse(w->h, (const unsigned char *)text, len);
}

void *vr_wire_reader_end(vr_wire_reader *w, size_t *n, char **err)
{
    reader *r = &w->r;
    if (w->st == yajl_status_ok)
        w->st = yajl_complete_parse(w->h);
    void *items = NULL;
    if (w->st != yajl_status_ok) {
        unsigned char *why = yajl_get_error(w->h, 0, NULL, 0);
        vr_set_error(err, "the daemon's list of %ss is not valid JSON: %s", r->s->name, (const char *)why);
        yajl_free_error(w->h, why);
        vr_wire_array_free(r->s, r->items, r->n);
    } else {
        *n = r->n;
        items = r->items ? r->items : vr_calloc(1, r->s->size);
    }
    yajl_free(w->h);
    free(r->cols);
    free(w);
    return items;
}

void *vr_wire_array_parse(const vr_wire_schema *s, const char *text, size_t len, const char *key, size_t *n,
                          char **err)
{
    vr_wire_reader *w = vr_wire_reader_new(s, key);
    vr_wire_reader_feed(w, text, len);
    return vr_wire_reader_end(w, n, err);
}
