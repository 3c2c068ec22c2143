/* <metadata>: each application's element in its own namespace, as virsh
 * metadata reads and writes them. The definition keeps <metadata> as one
 * serialized element (domain_parse.c); these work on that text. */
#pragma once

/* The element of namespace `uri` under `metadata` (the serialized
 * <metadata>, or NULL), serialized, in *out (NULL when there is none).
 * 0, or -1 with *err. */
int vr_metadata_get(const char *metadata, const char *uri, char **out, char **err);

/* A new <metadata> text (NULL when it is left empty) into *out: the
 * element of namespace `uri` replaced by `xml` (one element, put in that
 * namespace with prefix `key`), or removed when xml is NULL. 0, or -1
 * with *err when `xml` is not one well-formed element or `key` is not a
 * namespace prefix. */
int vr_metadata_set(const char *metadata, const char *uri, const char *key, const char *xml, char **out,
                    char **err);
