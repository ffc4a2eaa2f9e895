/*
 * jsonlist.h - values out of a JSON document that is a plain list.
 *
 * Many publishers ship lists as JSON rather than text: an array of strings,
 * {"items": [{"ip": "..."}, ...]}, {"details": {"blockList": [...]}}. Such a
 * document is neither STIX nor MISP; its values are the strings in its
 * arrays: an array of strings gives each string; an array of objects gives,
 * from each object, the member named key (--column NAME) or else the first
 * string member that looks like an observable. Strings outside arrays
 * (titles, tokens, generation dates) are not values. The values are then
 * imported exactly like the lines of a plain list.
 */
#ifndef ENT_FEED_JSONLIST_H
#define ENT_FEED_JSONLIST_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Appends the values of root to out, one per line; returns how many, or a
 * negative ENT_E* code when out's limit is reached. key may be NULL. */
long ent_jsonlist_extract(json_t *root, const char *key, struct ent_buf *out);

#endif
