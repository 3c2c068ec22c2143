/* The generic half of the schemas: write, read and clear any struct
 * from its field table. */
#include "wire/wire.h"
#include "common/util.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(obj, f, T) ((T *)((char *)(obj) + (f)->off))
#define CAT(obj, f, T) ((const T *)((const char *)(obj) + (f)->off))

static long long int_value(const vr_wire_field *f, const void *obj)
{
    switch (f->kind) {
    case VR_WIRE_INT:
    case VR_WIRE_TRIBOOL:
        return *CAT(obj, f, int);
    case VR_WIRE_UINT:
        return *CAT(obj, f, unsigned);
    case VR_WIRE_I64:
        return *CAT(obj, f, long long);
    case VR_WIRE_U64:
        return (long long)*CAT(obj, f, unsigned long long);
    default:
        return 0;
    }
}

void vr_wire_set_int(const vr_wire_field *f, void *obj, long long v)
{
    switch (f->kind) {
    case VR_WIRE_INT:
    case VR_WIRE_TRIBOOL:
        *AT(obj, f, int) = (int)v;
        break;
    case VR_WIRE_UINT:
        *AT(obj, f, unsigned) = (unsigned)v;
        break;
    case VR_WIRE_I64:
        *AT(obj, f, long long) = v;
        break;
    case VR_WIRE_U64:
        *AT(obj, f, unsigned long long) = (unsigned long long)v;
        break;
    default:
        break;
    }
}

static const char *enum_name(const vr_wire_field *f, const void *obj)
{
    unsigned v = *CAT(obj, f, unsigned);
    for (const vr_wire_name *n = f->names; n->name; n++)
        if (n->value == v)
            return n->name;
    return NULL;
}

static unsigned enum_value(const vr_wire_field *f, const char *name)
{
    for (const vr_wire_name *n = f->names; name && n->name; n++)
        if (strcmp(n->name, name) == 0)
            return n->value;
    return 0;
}

/* An empty value: what `omit` leaves out. */
static bool empty(const vr_wire_field *f, const void *obj)
{
    switch (f->kind) {
    case VR_WIRE_STR:
    case VR_WIRE_JSON:
    case VR_WIRE_LIST:
    case VR_WIRE_STRV:
        return *(void *const *)((const char *)obj + f->off) == NULL;
    case VR_WIRE_GROUP:
        return empty(&f->sub->fields[0], obj);
    case VR_WIRE_TRIBOOL:
        return *CAT(obj, f, int) < 0;
    case VR_WIRE_INT:
    case VR_WIRE_UINT:
    case VR_WIRE_I64:
    case VR_WIRE_U64:
        return f->has_none && int_value(f, obj) == f->none;
    case VR_WIRE_DOUBLE:
        return f->has_none && *CAT(obj, f, double) == (double)f->none;
    default:
        return false;
    }
}

static void *list_at(const vr_wire_field *f, const void *obj, size_t *n)
{
    *n = *(const size_t *)((const char *)obj + f->count_off);
    return *(void *const *)((const char *)obj + f->off);
}

/* ---- writing text ---- */

/* vr_strbuf_addn without the call while there is room: a list of
 * thousands is tens of thousands of short pieces. */
static inline void put(vr_strbuf *b, const char *s, size_t n)
{
    if (b->cap - b->len > n) {
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
    } else {
        vr_strbuf_addn(b, s, n);
    }
}
#define PUT(b, lit) put(b, lit, sizeof(lit) - 1)

/* An integer in decimal, without printf. */
static void put_int(vr_strbuf *b, long long v, bool is_unsigned)
{
    char num[24], *p = num + sizeof(num);
    unsigned long long u = is_unsigned || v >= 0 ? (unsigned long long)v : 0ULL - (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (!is_unsigned && v < 0)
        *--p = '-';
    put(b, p, (size_t)(num + sizeof(num) - p));
}

void vr_wire_write_string(vr_strbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    PUT(b, "\"");
    const char *run = s, *p = s;
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(b, run, (size_t)(p - run));
        if (!c)
            break;
        run = p + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        put(b, esc, strlen(esc));
    }
    PUT(b, "\"");
}

static void write_value(vr_strbuf *b, const vr_wire_field *f, const void *obj)
{
    char num[32];
    switch (f->kind) {
    case VR_WIRE_STR: {
        const char *s = *CAT(obj, f, char *);
        if (s)
            vr_wire_write_string(b, s);
        else
            PUT(b, "null");
        return;
    }
    case VR_WIRE_CHARS:
        vr_wire_write_string(b, CAT(obj, f, char));
        return;
    case VR_WIRE_JSON: {
        const char *s = *CAT(obj, f, char *);
        vr_strbuf_add(b, s ? s : "null");
        return;
    }
    case VR_WIRE_BOOL:
        if (*CAT(obj, f, bool))
            PUT(b, "true");
        else
            PUT(b, "false");
        return;
    case VR_WIRE_TRIBOOL:
        vr_strbuf_add(b, *CAT(obj, f, int) < 0 ? "null" : *CAT(obj, f, int) ? "true" : "false");
        return;
    case VR_WIRE_ENUM: {
        const char *name = enum_name(f, obj);
        if (name)
            vr_wire_write_string(b, name);
        else
            PUT(b, "null");
        return;
    }
    case VR_WIRE_GROUP:
        if (empty(f, obj))
            PUT(b, "null");
        else
            vr_wire_write(b, f->sub, obj);
        return;
    case VR_WIRE_STRUCT:
        vr_wire_write(b, f->sub, CAT(obj, f, char));
        return;
    case VR_WIRE_LIST: {
        size_t n;
        const char *items = list_at(f, obj, &n);
        PUT(b, "[");
        for (size_t i = 0; i < n; i++) {
            if (i)
                PUT(b, ",");
            vr_wire_write(b, f->sub, items + i * f->sub->size);
        }
        PUT(b, "]");
        return;
    }
    case VR_WIRE_DOUBLE:
        if (f->has_none && *CAT(obj, f, double) == (double)f->none) {
            PUT(b, "null");
            return;
        }
        snprintf(num, sizeof(num), "%.17g", *CAT(obj, f, double));
        /* As json-c writes it: a whole number stays a double (100.0). */
        if (!strpbrk(num, ".eEn"))
            strcat(num, ".0");
        vr_strbuf_add(b, num);
        return;
    case VR_WIRE_STRV: {
        char *const *v = *(char **const *)((const char *)obj + f->off);
        size_t n = *(const size_t *)((const char *)obj + f->count_off);
        PUT(b, "[");
        for (size_t i = 0; i < n; i++) {
            if (i)
                PUT(b, ",");
            vr_wire_write_string(b, v[i]);
        }
        PUT(b, "]");
        return;
    }
    default:
        break;
    }
    long long v = int_value(f, obj);
    if (f->has_none && v == f->none) {
        PUT(b, "null");
        return;
    }
    put_int(b, v, f->kind == VR_WIRE_U64);
}

void vr_wire_write_row(vr_strbuf *b, const vr_wire_schema *s, const void *obj)
{
    PUT(b, "[");
    for (size_t i = 0; i < s->n_fields; i++) {
        const vr_wire_field *f = &s->fields[i];
        if (i)
            PUT(b, ",");
        if (f->omit && empty(f, obj))
            PUT(b, "null");
        else
            write_value(b, f, obj);
    }
    PUT(b, "]");
}

void vr_wire_list_begin(vr_wire_list *l, vr_strbuf *b, const vr_wire_schema *s, const char *key, bool rows)
{
    *l = (vr_wire_list){.b = b, .s = s, .rows = rows};
    PUT(b, "{");
    if (rows) {
        vr_strbuf_add(b, "\"keys\":[");
        for (size_t i = 0; i < s->n_fields; i++) {
            if (i)
                PUT(b, ",");
            vr_wire_write_string(b, s->fields[i].key);
        }
        vr_strbuf_add(b, "],");
    }
    vr_wire_write_string(b, key);
    PUT(b, ":[");
}

void vr_wire_list_add(vr_wire_list *l, const void *obj)
{
    if (l->n++)
        PUT(l->b, ",");
    if (l->rows)
        vr_wire_write_row(l->b, l->s, obj);
    else
        vr_wire_write(l->b, l->s, obj);
}

void vr_wire_list_end(vr_wire_list *l)
{
    vr_strbuf_add(l->b, "]}\n");
}

void vr_wire_write(vr_strbuf *b, const vr_wire_schema *s, const void *obj)
{
    PUT(b, "{");
    bool first = true;
    for (size_t i = 0; i < s->n_fields; i++) {
        const vr_wire_field *f = &s->fields[i];
        if (f->omit && empty(f, obj))
            continue;
        if (first)
            PUT(b, "\"");
        else
            PUT(b, ",\"");
        first = false;
        put(b, f->key, strlen(f->key));
        PUT(b, "\":");
        write_value(b, f, obj);
    }
    PUT(b, "}");
}

/* ---- json-c ---- */

static json_object *value_json(const vr_wire_field *f, const void *obj)
{
    switch (f->kind) {
    case VR_WIRE_STR: {
        const char *s = *CAT(obj, f, char *);
        return s ? json_object_new_string(s) : NULL;
    }
    case VR_WIRE_CHARS:
        return json_object_new_string(CAT(obj, f, char));
    case VR_WIRE_JSON: {
        const char *s = *CAT(obj, f, char *);
        return s ? json_tokener_parse(s) : NULL;
    }
    case VR_WIRE_BOOL:
        return json_object_new_boolean(*CAT(obj, f, bool));
    case VR_WIRE_TRIBOOL:
        return *CAT(obj, f, int) < 0 ? NULL : json_object_new_boolean(*CAT(obj, f, int));
    case VR_WIRE_ENUM:
        return enum_name(f, obj) ? json_object_new_string(enum_name(f, obj)) : NULL;
    case VR_WIRE_GROUP:
        return empty(f, obj) ? NULL : vr_wire_to_json(f->sub, obj);
    case VR_WIRE_STRUCT:
        return vr_wire_to_json(f->sub, CAT(obj, f, char));
    case VR_WIRE_LIST: {
        size_t n;
        const char *items = list_at(f, obj, &n);
        json_object *arr = json_object_new_array_ext((int)n);
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, vr_wire_to_json(f->sub, items + i * f->sub->size));
        return arr;
    }
    case VR_WIRE_DOUBLE:
        if (f->has_none && *CAT(obj, f, double) == (double)f->none)
            return NULL;
        return json_object_new_double(*CAT(obj, f, double));
    case VR_WIRE_STRV: {
        char *const *v = *(char **const *)((const char *)obj + f->off);
        size_t n = *(const size_t *)((const char *)obj + f->count_off);
        json_object *arr = json_object_new_array_ext((int)n);
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, json_object_new_string(v[i]));
        return arr;
    }
    default:
        break;
    }
    long long v = int_value(f, obj);
    if (f->has_none && v == f->none)
        return NULL;
    if (f->kind == VR_WIRE_U64)
        return json_object_new_uint64((uint64_t)v);
    return json_object_new_int64(v);
}

json_object *vr_wire_to_json(const vr_wire_schema *s, const void *obj)
{
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < s->n_fields; i++)
        if (!s->fields[i].omit || !empty(&s->fields[i], obj))
            json_object_object_add(o, s->fields[i].key, value_json(&s->fields[i], obj));
    return o;
}

static void read_fields(const vr_wire_schema *s, json_object *o, void *obj);

void vr_wire_from_json(const vr_wire_schema *s, json_object *o, void *obj)
{
    memset(obj, 0, s->size);
    read_fields(s, o, obj);
}

static void read_fields(const vr_wire_schema *s, json_object *o, void *obj)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const vr_wire_field *f = &s->fields[i];
        json_object *v = NULL;
        json_object_object_get_ex(o, f->key, &v);
        switch (f->kind) {
        case VR_WIRE_STR:
            *AT(obj, f, char *) = v ? vr_strdup(json_object_get_string(v)) : NULL;
            break;
        case VR_WIRE_JSON:
            *AT(obj, f, char *) = v ? vr_strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                                JSON_C_TO_STRING_NOSLASHESCAPE))
                                    : NULL;
            break;
        case VR_WIRE_CHARS:
            snprintf(AT(obj, f, char), f->size, "%s", v ? json_object_get_string(v) : "");
            break;
        case VR_WIRE_BOOL:
            *AT(obj, f, bool) = v && json_object_get_boolean(v);
            break;
        case VR_WIRE_TRIBOOL:
            *AT(obj, f, int) = v ? json_object_get_boolean(v) : -1;
            break;
        case VR_WIRE_ENUM:
            *AT(obj, f, unsigned) = enum_value(f, v ? json_object_get_string(v) : NULL);
            break;
        case VR_WIRE_GROUP:
            /* Absent or null: its members stay empty. */
            read_fields(f->sub, json_object_is_type(v, json_type_object) ? v : NULL, obj);
            break;
        case VR_WIRE_STRUCT:
            read_fields(f->sub, json_object_is_type(v, json_type_object) ? v : NULL, AT(obj, f, char));
            break;
        case VR_WIRE_LIST:
            if (json_object_is_type(v, json_type_array))
                *AT(obj, f, void *) = vr_wire_array_from_json(f->sub, v, (size_t *)((char *)obj + f->count_off));
            break;
        case VR_WIRE_DOUBLE:
            *AT(obj, f, double) = v ? json_object_get_double(v) : f->has_none ? (double)f->none : 0;
            break;
        case VR_WIRE_STRV: {
            /* A list the answer may leave out stays NULL when it does. */
            if (f->omit && !json_object_is_type(v, json_type_array))
                break;
            size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
            /* NULL-terminated too, for callers that walk it so. */
            char **list = vr_calloc(n + 1, sizeof(char *));
            for (size_t k = 0; k < n; k++)
                list[k] = vr_strdup(json_object_get_string(json_object_array_get_idx(v, k)));
            *AT(obj, f, char **) = list;
            *(size_t *)((char *)obj + f->count_off) = n;
            break;
        }
        case VR_WIRE_U64:
            if (v)
                vr_wire_set_int(f, obj, (long long)json_object_get_uint64(v));
            else
                vr_wire_set_int(f, obj, f->has_none ? f->none : 0);
            break;
        default:
            vr_wire_set_int(f, obj, v ? json_object_get_int64(v) : f->has_none ? f->none : 0);
        }
    }
}

static void clear_fields(const vr_wire_schema *s, void *obj);

void vr_wire_clear(const vr_wire_schema *s, void *obj)
{
    if (!obj)
        return;
    clear_fields(s, obj);
    memset(obj, 0, s->size);
}

static void clear_fields(const vr_wire_schema *s, void *obj)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const vr_wire_field *f = &s->fields[i];
        if (f->kind == VR_WIRE_STR || f->kind == VR_WIRE_JSON) {
            free(*AT(obj, f, char *));
        } else if (f->kind == VR_WIRE_GROUP) {
            clear_fields(f->sub, obj);
        } else if (f->kind == VR_WIRE_STRUCT) {
            clear_fields(f->sub, AT(obj, f, char));
        } else if (f->kind == VR_WIRE_LIST) {
            vr_wire_array_free(f->sub, *AT(obj, f, void *), *(size_t *)((char *)obj + f->count_off));
        } else if (f->kind == VR_WIRE_STRV) {
            char **v = *AT(obj, f, char **);
            size_t n = *(size_t *)((char *)obj + f->count_off);
            for (size_t k = 0; k < n; k++)
                free(v[k]);
            free(v);
        }
    }
}

void *vr_wire_array_from_json(const vr_wire_schema *s, json_object *arr, size_t *n)
{
    size_t len = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    char *list = vr_calloc(len ? len : 1, s->size);
    for (size_t i = 0; i < len; i++)
        vr_wire_from_json(s, json_object_array_get_idx(arr, i), list + i * s->size);
    *n = len;
    return list;
}

void *vr_wire_list_from_json(const vr_wire_schema *s, json_object *root, const char *key, size_t *n)
{
    json_object *arr = NULL, *keys = NULL;
    json_object_object_get_ex(root, key, &arr);
    if (!json_object_object_get_ex(root, "keys", &keys) || !json_object_is_type(keys, json_type_array))
        return vr_wire_array_from_json(s, arr, n);
    /* Rows: each made the object it stands for (values by position). */
    size_t len = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    size_t nkeys = json_object_array_length(keys);
    char *list = vr_calloc(len ? len : 1, s->size);
    for (size_t i = 0; i < len; i++) {
        json_object *row = json_object_array_get_idx(arr, i), *o = json_object_new_object();
        size_t nvals = json_object_is_type(row, json_type_array) ? json_object_array_length(row) : 0;
        for (size_t k = 0; k < nkeys && k < nvals; k++) {
            const char *name = json_object_get_string(json_object_array_get_idx(keys, k));
            if (name)
                json_object_object_add(o, name, json_object_get(json_object_array_get_idx(row, k)));
        }
        vr_wire_from_json(s, o, list + i * s->size);
        json_object_put(o);
    }
    *n = len;
    return list;
}

bool vr_wire_schema_nested(const vr_wire_schema *s)
{
    for (size_t i = 0; i < s->n_fields; i++)
        if (s->fields[i].kind == VR_WIRE_LIST || s->fields[i].kind == VR_WIRE_GROUP ||
            s->fields[i].kind == VR_WIRE_STRUCT || s->fields[i].kind == VR_WIRE_JSON)
            return true;
    return false;
}

void vr_wire_array_free(const vr_wire_schema *s, void *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        vr_wire_clear(s, (char *)list + i * s->size);
    free(list);
}
