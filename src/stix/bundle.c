/*
 * bundle.c - a streaming scanner over the top level of a STIX bundle.
 *
 * skip_value() finds where a JSON value ends without building it: strings
 * (with escapes) and nesting are tracked, depth is bounded. It does not
 * validate numbers or literals; the spans it yields are then parsed by
 * jansson, which does. So every byte of the document is validated once.
 */
#include "stix/bundle.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct scanner {
	const char *p;
	size_t len;
	size_t pos;
	char *errbuf;
	const char *data; /* the whole document, for positions */
	size_t data_len;
};

void ent_json_position(const char *data, size_t len, size_t offset, char *out, size_t outsz)
{
	size_t line = 1, col = 1;

	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (data[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(out, outsz, "line %zu, column %zu (byte %zu)", line, col, offset);
}

static int scan_err(struct scanner *sc, int err, size_t at, const char *what)
{
	char where[96];

	ent_json_position(sc->data, sc->data_len, at, where, sizeof(where));
	return ent_errf(sc->errbuf, err, "%s: %s", where, what);
}

static void skip_ws(struct scanner *sc)
{
	while (sc->pos < sc->len) {
		char c = sc->p[sc->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->pos++;
	}
}

/* Skips a string starting at the opening quote. */
static int skip_string(struct scanner *sc)
{
	size_t start = sc->pos;

	sc->pos++;
	while (sc->pos < sc->len) {
		const char *q = memchr(sc->p + sc->pos, '"', sc->len - sc->pos);
		size_t bs = 0;

		if (q == NULL)
			break;
		sc->pos = (size_t)(q - sc->p);
		/* count the backslashes before the quote: odd means escaped */
		while (bs < sc->pos - start && sc->p[sc->pos - 1 - bs] == '\\')
			bs++;
		sc->pos++;
		if (bs % 2 == 0)
			return ENT_OK;
	}
	return scan_err(sc, ENT_EPARSE, start, "unterminated string");
}

static int skip_value(struct scanner *sc)
{
	char stack[ENT_JSON_MAX_DEPTH];
	int depth = 0;

	skip_ws(sc);
	if (sc->pos >= sc->len)
		return scan_err(sc, ENT_EPARSE, sc->pos,
		                "unexpected end of input, expected a value");
	do {
		char c;

		if (sc->pos >= sc->len)
			return scan_err(sc, ENT_EPARSE, sc->pos,
			                depth ? "unexpected end of input inside a value"
			                      : "unexpected end of input");
		c = sc->p[sc->pos];
		if (c == '"') {
			int rc = skip_string(sc);

			if (rc != ENT_OK)
				return rc;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == ENT_JSON_MAX_DEPTH)
				return scan_err(sc, ENT_ELIMIT, sc->pos,
				                "nesting deeper than 64 levels");
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != c)
				return scan_err(sc, ENT_EPARSE, sc->pos, "unbalanced bracket");
			depth--;
		}
		sc->pos++;
		/* a scalar at depth 0 ends at the next delimiter */
		if (depth == 0 && c != '}' && c != ']') {
			while (sc->pos < sc->len && !strchr(",}] \t\r\n", sc->p[sc->pos]))
				sc->pos++;
		}
	} while (depth > 0);
	return ENT_OK;
}

/* Parses the span [start, end) with jansson; the caller owns the result. */
static json_t *parse_span(struct scanner *sc, size_t start, size_t end, int *rc)
{
	json_error_t jerr;
	json_t *v = json_loadb(sc->p + start, end - start,
	                       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);

	if (v == NULL) {
		size_t at = start + (jerr.position > 0 ? (size_t)jerr.position - 1 : 0);

		*rc = scan_err(sc, ENT_EPARSE, at, jerr.text);
	}
	return v;
}

static int scan_objects_array(struct scanner *sc, ent_bundle_object_fn fn, void *ctx)
{
	size_t index = 0;

	sc->pos++; /* '[' */
	skip_ws(sc);
	if (sc->pos < sc->len && sc->p[sc->pos] == ']') {
		sc->pos++;
		return ENT_OK;
	}
	for (;;) {
		size_t start;
		int rc;

		skip_ws(sc);
		start = sc->pos;
		if (start < sc->len && sc->p[start] != '{')
			return scan_err(sc, ENT_EINVAL, start,
			                "objects[] element is not an object");
		rc = skip_value(sc);
		if (rc != ENT_OK)
			return rc;
		rc = fn(ctx, index++, sc->p + start, sc->pos - start, start, sc->errbuf);
		if (rc != ENT_OK)
			return rc;
		skip_ws(sc);
		if (sc->pos < sc->len && sc->p[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->p[sc->pos] == ']') {
			sc->pos++;
			return ENT_OK;
		}
		return scan_err(sc, ENT_EPARSE, sc->pos, "expected ',' or ']' in objects");
	}
}

static int check_string_member(struct scanner *sc, json_t *v, size_t at, const char *key,
                               const char *want_prefix)
{
	char msg[160];

	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), "bundle '%s' is not a string", key);
		return scan_err(sc, ENT_EINVAL, at, msg);
	}
	if (want_prefix != NULL &&
	    strncmp(json_string_value(v), want_prefix, strlen(want_prefix)) != 0) {
		snprintf(msg, sizeof(msg), "bundle '%s' must start with '%s', found '%.60s'", key,
		         want_prefix, json_string_value(v));
		return scan_err(sc, ENT_EINVAL, at, msg);
	}
	return ENT_OK;
}

/* The top level is an object: a bundle, or a single STIX object. */
static int scan_top_object(struct scanner *sc, ent_bundle_object_fn fn, void *ctx)
{
	size_t top = sc->pos, objects_at = 0;
	bool have_objects = false, is_bundle = false, have_type = false;
	int rc;

	sc->pos++; /* '{' */
	skip_ws(sc);
	if (sc->pos < sc->len && sc->p[sc->pos] == '}')
		return scan_err(sc, ENT_EINVAL, top,
		                "empty object: neither a bundle nor a STIX object");
	for (;;) {
		size_t kstart, vstart;
		json_t *key, *val;
		const char *k;

		skip_ws(sc);
		kstart = sc->pos;
		if (kstart >= sc->len || sc->p[kstart] != '"')
			return scan_err(sc, ENT_EPARSE, kstart, "expected a member name");
		rc = skip_string(sc);
		if (rc != ENT_OK)
			return rc;
		key = parse_span(sc, kstart, sc->pos, &rc);
		if (key == NULL)
			return rc;
		skip_ws(sc);
		if (sc->pos >= sc->len || sc->p[sc->pos] != ':') {
			json_decref(key);
			return scan_err(sc, ENT_EPARSE, sc->pos, "expected ':'");
		}
		sc->pos++;
		skip_ws(sc);
		vstart = sc->pos;
		k = json_string_value(key);
		if (strcmp(k, "objects") == 0 && vstart < sc->len && sc->p[vstart] == '[' &&
		    (is_bundle || !have_type)) {
			/* objects may come before "type": remember, decide at the end */
			if (have_objects) {
				json_decref(key);
				return scan_err(sc, ENT_EPARSE, vstart,
				                "duplicate member 'objects'");
			}
			have_objects = true;
			objects_at = vstart;
			rc = skip_value(sc);
		} else {
			rc = skip_value(sc);
			if (rc == ENT_OK) {
				val = parse_span(sc, vstart, sc->pos, &rc);
				if (val != NULL && strcmp(k, "type") == 0) {
					have_type = true;
					is_bundle = json_is_string(val) &&
					            strcmp(json_string_value(val), "bundle") == 0;
				} else if (val != NULL && strcmp(k, "id") == 0 && is_bundle) {
					rc = check_string_member(sc, val, vstart, "id", "bundle--");
				}
				json_decref(val);
			}
		}
		json_decref(key);
		if (rc != ENT_OK)
			return rc;
		skip_ws(sc);
		if (sc->pos < sc->len && sc->p[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->p[sc->pos] == '}') {
			sc->pos++;
			break;
		}
		return scan_err(sc, ENT_EPARSE, sc->pos, "expected ',' or '}'");
	}
	if (!have_type)
		return scan_err(sc, ENT_EINVAL, top, "top-level object has no 'type'");
	if (!is_bundle) {
		/* a single STIX object: the callback validates it */
		return fn(ctx, 0, sc->p + top, sc->pos - top, top, sc->errbuf);
	}
	if (have_objects) {
		size_t end = sc->pos;

		sc->pos = objects_at;
		rc = scan_objects_array(sc, fn, ctx);
		sc->pos = end;
		return rc;
	}
	return ENT_OK; /* a bundle without objects is valid and empty */
}

int ent_bundle_scan(const char *data, size_t len, ent_bundle_object_fn fn, void *ctx, char *errbuf)
{
	struct scanner sc = {
	    .p = data, .len = len, .pos = 0, .errbuf = errbuf, .data = data, .data_len = len};
	int rc;

	/* a UTF-8 byte order mark is tolerated */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		sc.pos = 3;
	skip_ws(&sc);
	if (sc.pos >= len)
		return scan_err(&sc, ENT_EPARSE, sc.pos, "empty document");
	if (data[sc.pos] == '{') {
		/* scan_top_object passes over every member (checking its
		 * structure) before it hands over any object: a truncated file
		 * fails before that, with no pass of its own */
		rc = scan_top_object(&sc, fn, ctx);
	} else if (data[sc.pos] == '[') {
		size_t start = sc.pos;

		rc = skip_value(&sc);
		if (rc != ENT_OK)
			return rc;
		sc.len = sc.pos;
		sc.pos = start;
		rc = scan_objects_array(&sc, fn, ctx);
	} else {
		return scan_err(&sc, ENT_EINVAL, sc.pos,
		                "not a STIX document: expected '{' or '['");
	}
	if (rc != ENT_OK)
		return rc;
	sc.len = len;
	skip_ws(&sc);
	if (sc.pos != len)
		return scan_err(&sc, ENT_EPARSE, sc.pos, "unexpected data after the document");
	return ENT_OK;
}

int ent_bundle_top_type(const char *data, size_t len, char *out, size_t outsz)
{
	struct scanner sc = {
	    .p = data, .len = len, .pos = 0, .errbuf = NULL, .data = data, .data_len = len};

	out[0] = '\0';
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		sc.pos = 3;
	skip_ws(&sc);
	if (sc.pos < len && data[sc.pos] == '[') {
		snprintf(out, outsz, "[");
		return ENT_OK;
	}
	if (sc.pos >= len || data[sc.pos] != '{')
		return ENT_EPARSE;
	sc.pos++;
	for (;;) {
		size_t kstart, vstart;
		bool is_type;

		skip_ws(&sc);
		if (sc.pos < len && data[sc.pos] == '}')
			return ENT_OK;
		kstart = sc.pos;
		if (kstart >= len || data[kstart] != '"' || skip_string(&sc) != ENT_OK)
			return ENT_EPARSE;
		is_type = sc.pos - kstart == 6 && memcmp(data + kstart, "\"type\"", 6) == 0;
		skip_ws(&sc);
		if (sc.pos >= len || data[sc.pos] != ':')
			return ENT_EPARSE;
		sc.pos++;
		skip_ws(&sc);
		vstart = sc.pos;
		if (skip_value(&sc) != ENT_OK)
			return ENT_EPARSE;
		if (is_type) {
			int rc;
			json_t *v = parse_span(&sc, vstart, sc.pos, &rc);

			if (json_is_string(v))
				snprintf(out, outsz, "%s", json_string_value(v));
			json_decref(v);
			return ENT_OK;
		}
		skip_ws(&sc);
		if (sc.pos < len && data[sc.pos] == ',')
			sc.pos++;
		else if (sc.pos < len && data[sc.pos] == '}')
			return ENT_OK;
		else
			return ENT_EPARSE;
	}
}
