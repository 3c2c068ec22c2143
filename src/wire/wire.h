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
} vr_wire_kind;

typedef struct {
    const char *key;
    vr_wire_kind kind;
    size_t off;
    size_t size;      /* VR_WIRE_CHARS: the array's size */
    size_t count_off; /* VR_WIRE_STRV: offset of the size_t count */
    /* Integers: `none` is the value written as null (and read back from
     * null or a missing key), when has_none. */
    bool has_none;
    long long none;
} vr_wire_field;

typedef struct {
    const char *name; /* "domain", "pool": in messages and docs/api.md */
    const vr_wire_field *fields;
    size_t n_fields;
    size_t size; /* sizeof the struct */
} vr_wire_schema;

/* One line per field, in the order the JSON shows them. */
#define VR_WIRE_FIELD(T, key, kind, member) {key, kind, offsetof(T, member), 0, 0, false, 0}
#define VR_WIRE_OPT(T, key, kind, member, none_value) {key, kind, offsetof(T, member), 0, 0, true, none_value}
#define VR_WIRE_CHARS_FIELD(T, key, member) {key, VR_WIRE_CHARS, offsetof(T, member), sizeof(((T *)0)->member), 0, false, 0}
#define VR_WIRE_STRV_FIELD(T, key, member, count) {key, VR_WIRE_STRV, offsetof(T, member), 0, offsetof(T, count), false, 0}
#define VR_WIRE_SCHEMA(T, name, fields) {name, fields, sizeof(fields) / sizeof((fields)[0]), sizeof(T)}

/* The object as compact JSON text appended to b, without a json-c tree:
 * what lists of thousands are written with. */
void vr_wire_write(vr_strbuf *b, const vr_wire_schema *s, const void *obj);
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
void vr_wire_array_free(const vr_wire_schema *s, void *list, size_t n);

/* A list answer {"KEY":[{...}, ...]} read straight into a new array of
 * structs (wire_stream.c: an event parser, no tree per element): what
 * libvireo reads lists of thousands with. NULL with *err when the text
 * is not JSON. Free with vr_wire_array_free. */
void *vr_wire_array_parse(const vr_wire_schema *s, const char *text, size_t len, const char *key, size_t *n,
                          char **err);

/* Set an integer field (any of the integer kinds) from v. */
void vr_wire_set_int(const vr_wire_field *f, void *obj, long long v);

/* A JSON string literal for s (quotes included) appended to b. */
void vr_wire_write_string(vr_strbuf *b, const char *s);
