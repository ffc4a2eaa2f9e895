/*
 * json.h - a validating JSON tokenizer for the import hot path.
 *
 * jansson builds a tree of allocated nodes and hash tables; for the million
 * small objects of a bundle that was most of the import's time. This parser
 * validates a document completely (RFC 8259 grammar, UTF-8, escapes,
 * duplicate member names, depth) into a flat array of tokens that is reused
 * from one document to the next, and decodes string values only when asked.
 *
 * Tokens are in document order. An object token is followed by its members,
 * each a key token (a string) and the value's tokens; an array token by its
 * elements. tok[i].next is the index just past the subtree of token i, so a
 * walk skips a value in one step:
 *
 *     for (uint32_t c = t + 1, k = 0; k < j->tok[t].count; k++) {
 *             key = c; val = c + 1; c = j->tok[val].next;   (objects)
 *     }
 */
#ifndef ENT_CORE_JSON_H
#define ENT_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define ENT_JSON_DEPTH_MAX 64

enum ent_json_type {
	ENT_JSON_NULL,
	ENT_JSON_FALSE,
	ENT_JSON_TRUE,
	ENT_JSON_NUMBER,
	ENT_JSON_STRING,
	ENT_JSON_ARRAY,
	ENT_JSON_OBJECT,
};

struct ent_json_tok {
	uint32_t start;  /* byte offset of the value (strings: after the quote) */
	uint32_t len;    /* bytes of the value (strings: between the quotes) */
	uint32_t next;   /* index of the first token after this subtree */
	uint32_t count;  /* arrays: elements; objects: members */
	uint32_t str;    /* decoded string's offset in scratch, or UINT32_MAX */
	uint8_t type;    /* enum ent_json_type */
	uint8_t escaped; /* strings: contains a backslash escape */
	uint8_t is_int;  /* numbers: no fraction or exponent */
};

struct ent_json {
	const char *text; /* borrowed: the parsed document */
	size_t len;
	struct ent_json_tok *tok; /* owned */
	uint32_t n, cap, max;
	char *scratch; /* owned: decoded strings, never moved while in use */
	size_t scratch_len, scratch_cap;
};

/* max_tokens bounds the tokens of one document (ENT_ELIMIT beyond). */
void ent_json_init(struct ent_json *j, uint32_t max_tokens);
void ent_json_free(struct ent_json *j);

/*
 * Parses text (len bytes; it must stay alive while j is used). On error
 * *err_off is the byte offset of the problem and errbuf says what it is.
 * Documents larger than 4 GiB are refused.
 */
int ent_json_parse(struct ent_json *j, const char *text, size_t len, size_t *err_off,
                   char *errbuf) ENT_MUST_CHECK;

static inline enum ent_json_type ent_json_type(const struct ent_json *j, uint32_t t)
{
	return (enum ent_json_type)j->tok[t].type;
}

/* The value of member key of object token obj, or -1 when absent (or obj
 * is not an object). */
long ent_json_member(const struct ent_json *j, uint32_t obj, const char *key);

/* The decoded, NUL-terminated value of string token t (NULL if t is not a
 * string); borrowed until the next parse. *len may be NULL. */
const char *ent_json_string(struct ent_json *j, uint32_t t, size_t *len);

/* An integer number token within int64; false otherwise. */
bool ent_json_int(const struct ent_json *j, uint32_t t, int64_t *out);

/* "a string", "an object", ...: for error messages. */
const char *ent_json_type_name(enum ent_json_type type);

#endif
