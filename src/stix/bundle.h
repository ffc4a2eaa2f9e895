/*
 * bundle.h - streams the objects out of a STIX 2.1 bundle in memory.
 *
 * A bundle of a million indicators is hundreds of megabytes; parsing it as
 * one JSON tree would need gigabytes. The scanner walks the top level of
 * the document itself, finds each element of "objects", and hands its byte
 * span to the callback, which parses that one object (with jansson). Every
 * other top-level value is parsed and checked too, so the file as a whole
 * must be valid JSON. Accepted shapes: a bundle object; a single STIX
 * object (handed over as objects[0]); a JSON array of objects.
 */
#ifndef ENT_STIX_BUNDLE_H
#define ENT_STIX_BUNDLE_H

#include <stddef.h>

#include "core/error.h"

/* Deepest nesting accepted anywhere in a document. */
#define ENT_JSON_MAX_DEPTH 64

/*
 * Called once per object, in document order. index counts from 0; json/len
 * is the object's text (not NUL-terminated), offset its byte offset in the
 * document. A non-zero return stops the scan and is returned.
 */
typedef int (*ent_bundle_object_fn)(void *ctx, size_t index, const char *json, size_t len,
                                    size_t offset, char *errbuf);

/*
 * Scans data (len bytes). Errors carry the position: "line 3, column 14
 * (byte 57): expected ',' or ']' in objects". ENT_EPARSE for malformed JSON,
 * ENT_ELIMIT for nesting deeper than ENT_JSON_MAX_DEPTH, ENT_EINVAL for a
 * document that is JSON but not a bundle (e.g. "type" is not "bundle").
 */
int ent_bundle_scan(const char *data, size_t len, ent_bundle_object_fn fn, void *ctx,
                    char *errbuf) ENT_MUST_CHECK;

/*
 * Finds the top-level "type" of a JSON object document without parsing the
 * rest: copies its string value into out ("" if the document is an object
 * without one, "[" if it is an array). ENT_EPARSE if it is not JSON-shaped.
 * Used to tell a STIX document from a MISP one before importing.
 */
int ent_bundle_top_type(const char *data, size_t len, char *out, size_t outsz) ENT_MUST_CHECK;

/* Writes "line L, column C (byte N)" for offset into out. */
void ent_json_position(const char *data, size_t len, size_t offset, char *out, size_t outsz);

#endif
