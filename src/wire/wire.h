/* One schema per resource: the JSON form of a struct, written once as a
 * table of fields (JSON key, kind, offset in the struct), and generic
 * code that writes it, reads it back and frees it. The daemon's answers,
 * libvireo's decoders and the CLI's --json all go through these tables,
 * so a key is named in one place (schemas.c) and docs/api.md is checked
 * against them (tests/unit/test_wire.c).
 *
 * The structs are libvireo's public ones (include/vireo/vireo.h): the
 * daemon fills one as a borrowed view of its objects (src/core/views.c),
 * the client owns the copies it decodes. */
#pragma once
#include "common/strbuf.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    VR_WIRE_STR,    /* char *: a JSON string, or null for NULL */
    VR_WIRE_CHARS,  /* char[size]: a JSON string ("" never null) */
    VR_WIRE_BOOL,   /* bool */
    VR_WIRE_INT,    /* int */
    VR_WIRE_UINT,   /* unsigned */
    VR_WIRE_I64,    /* long long */
    VR_WIRE_U64,    /* unsigned long long */
    VR_WIRE_DOUBLE, /* double */
    VR_WIRE_STRV,   /* char ** with its count (size_t) at `count_off`: an array of strings */
    VR_WIRE_TRIBOOL, /* int: 1 true, 0 false, -1 unknown (null) */
    VR_WIRE_LIST,   /* an array of `sub` structs (pointer) with its count at `count_off`:
                       an array of objects (read through json-c only; the list
                       reader skips it) */
    VR_WIRE_JSON,   /* char *: JSON text, written as the value it is (null for NULL);
                       read back as its compact text (through json-c only) */
    VR_WIRE_ENUM,   /* unsigned, written as the name `names` gives its value (null
                       for a value it does not name; an unknown name reads as 0) */
    VR_WIRE_GROUP,  /* a nested object whose fields (`sub`, offsets into this same
                       struct) are members here: null when its first field (a
                       string) is NULL; read through json-c only */
    VR_WIRE_STRUCT, /* a struct of `sub`'s schema embedded at `off`: a nested object,
                       always written (absent or null reads as zeros); read through
                       json-c only (an interface's two bandwidth directions) */
} vr_wire_kind;

typedef struct vr_wire_schema vr_wire_schema;

typedef struct {
    unsigned value;
    const char *name;
} vr_wire_name;

typedef struct {
    const char *key;
    vr_wire_kind kind;
    size_t off;
    size_t size;      /* VR_WIRE_CHARS: the array's size */
    size_t count_off; /* VR_WIRE_STRV: offset of the size_t count */
    /* Integers and doubles: `none` is the value written as null (and read back from
     * null or a missing key), when has_none. */
    bool has_none;
    long long none;
    /* The key is left out (not written null) when the value is empty: a
     * NULL string or list, an integer at its `none`, a TRIBOOL at -1. */
    bool omit;
    const vr_wire_schema *sub; /* VR_WIRE_LIST: the elements' schema */
    const vr_wire_name *names; /* VR_WIRE_ENUM: the names, ending with {0, NULL} */
} vr_wire_field;

struct vr_wire_schema {
    const char *name; /* "domain", "pool": in messages and docs/api.md */
    const vr_wire_field *fields;
    size_t n_fields;
    size_t size; /* sizeof the struct */
};

/* One line per field, in the order the JSON shows them. */
#define VR_WIRE_FIELD(T, k, kd, member) {.key = k, .kind = kd, .off = offsetof(T, member)}
/* An integer written null at `none_value` (and read back so). */
#define VR_WIRE_OPT(T, k, kd, member, none_value) \
    {.key = k, .kind = kd, .off = offsetof(T, member), .has_none = true, .none = none_value}
/* The same, left out instead of null. */
#define VR_WIRE_OMIT(T, k, kd, member, none_value) \
    {.key = k, .kind = kd, .off = offsetof(T, member), .has_none = true, .none = none_value, .omit = true}
#define VR_WIRE_CHARS_FIELD(T, k, member) \
    {.key = k, .kind = VR_WIRE_CHARS, .off = offsetof(T, member), .size = sizeof(((T *)0)->member)}
#define VR_WIRE_STRV_FIELD(T, k, member, count) \
    {.key = k, .kind = VR_WIRE_STRV, .off = offsetof(T, member), .count_off = offsetof(T, count)}
#define VR_WIRE_LIST_FIELD(T, k, member, count, schema) \
    {.key = k, .kind = VR_WIRE_LIST, .off = offsetof(T, member), .count_off = offsetof(T, count), \
     .omit = true, .sub = &(schema)}
#define VR_WIRE_ENUM_FIELD(T, k, member, table) \
    {.key = k, .kind = VR_WIRE_ENUM, .off = offsetof(T, member), .names = table}
#define VR_WIRE_GROUP_FIELD(k, schema) {.key = k, .kind = VR_WIRE_GROUP, .sub = &(schema)}
#define VR_WIRE_STRUCT_FIELD(T, k, member, schema) \
    {.key = k, .kind = VR_WIRE_STRUCT, .off = offsetof(T, member), .sub = &(schema)}
#define VR_WIRE_SCHEMA(T, nm, f) {.name = nm, .fields = f, .n_fields = sizeof(f) / sizeof((f)[0]), .size = sizeof(T)}

/* The object as compact JSON text appended to b, without a json-c tree:
 * what lists of thousands are written with. */
void vr_wire_write(vr_strbuf *b, const vr_wire_schema *s, const void *obj);
/* A list answer written straight into a text buffer, in one of two forms
 * of the same schema:
 *   objects  {"KEY":[{...},{...}]}, each element as vr_wire_write writes it;
 *   rows     {"keys":["name","uuid",...],"KEY":[[...],[...]]}: the keys once,
 *            then each element as an array of its values in the schema's
 *            order, written as in the object form (a key the object form
 *            leaves out is null). About half the bytes, and a reader maps a
 *            value to its field by position instead of looking its key up:
 *            what libvireo asks for (GET /v1/domains?rows=1).
 * vr_wire_array_parse reads both. */
typedef struct {
    vr_strbuf *b;
    const vr_wire_schema *s;
    bool rows;
    size_t n;
} vr_wire_list;
void vr_wire_list_begin(vr_wire_list *l, vr_strbuf *b, const vr_wire_schema *s, const char *key, bool rows);
void vr_wire_list_add(vr_wire_list *l, const void *obj);
void vr_wire_list_end(vr_wire_list *l);
/* One element in the rows form: [v1,v2,...]. */
void vr_wire_write_row(vr_strbuf *b, const vr_wire_schema *s, const void *obj);

/* The same as a json-c object, for answers built around it. */
json_object *vr_wire_to_json(const vr_wire_schema *s, const void *obj);
/* Fill obj (zeroed first) from a JSON object: a missing or null key
 * leaves the field empty (or its `none`). Strings are copied. */
void vr_wire_from_json(const vr_wire_schema *s, json_object *o, void *obj);
/* Free what vr_wire_from_json allocated, and zero the struct. */
void vr_wire_clear(const vr_wire_schema *s, void *obj);
/* A JSON array of objects into a newly allocated array of structs
 * (*n of them; at least one element allocated, so never NULL). */
void *vr_wire_array_from_json(const vr_wire_schema *s, json_object *arr, size_t *n);
/* A list answer already parsed (root), in either form of vr_wire_list,
 * into a new array of structs: objects inside an element (a network's
 * dhcp, a volume's backing) included, which the event reader below
 * leaves empty. Free with vr_wire_array_free. */
void *vr_wire_list_from_json(const vr_wire_schema *s, json_object *root, const char *key, size_t *n);
/* Does an element hold objects (VR_WIRE_LIST, GROUP, STRUCT or JSON fields), which
 * only vr_wire_list_from_json reads? */
bool vr_wire_schema_nested(const vr_wire_schema *s);
void vr_wire_array_free(const vr_wire_schema *s, void *list, size_t n);

/* A list answer, either form above, read straight into a new array of
 * structs (wire_stream.c: an event parser, no tree per element): what
 * libvireo reads lists of thousands with. In the rows form the "keys"
 * map positions to fields (a key this schema lacks is skipped, a field
 * the keys lack stays empty). NULL with *err when the text is not JSON.
 * Free with vr_wire_array_free. */
void *vr_wire_array_parse(const vr_wire_schema *s, const char *text, size_t len, const char *key, size_t *n,
                          char **err);

/* The same read piece by piece as the answer arrives (libvireo feeds it
 * from the socket: no copy of the whole text is kept): feed every piece,
 * then end, which frees the reader and returns what vr_wire_array_parse
 * would have. */
typedef struct vr_wire_reader vr_wire_reader;
vr_wire_reader *vr_wire_reader_new(const vr_wire_schema *s, const char *key);
void vr_wire_reader_feed(vr_wire_reader *w, const char *text, size_t len);
void *vr_wire_reader_end(vr_wire_reader *w, size_t *n, char **err);

/* Set an integer field (any of the integer kinds) from v. */
void vr_wire_set_int(const vr_wire_field *f, void *obj, long long v);

/* A JSON string literal for s (quotes included) appended to b. */
void vr_wire_write_string(vr_strbuf *b, const char *s);
