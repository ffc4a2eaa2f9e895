/*
 * pattern.h - the STIX 2.1 patterning language (STIX 2.1 section 9).
 *
 * ent_pattern_parse turns the text of an indicator's "pattern" into an
 * opaque syntax tree; ent_pattern_format prints the tree back in a canonical
 * form (parse(format(p)) yields the same tree, so format is a fixpoint);
 * ent_pattern_observables reduces the tree to the (kind, value) pairs a
 * sensor can look for in traffic, or says in a short stable reason why the
 * pattern is not sensor-matchable.
 *
 * The whole grammar of the OASIS STIXPattern.g4 (STIX 2.1) is accepted, plus
 * the 2.1 EXISTS operator. Hostile input is bounded: at most
 * ENT_PATTERN_MAX_LEN bytes of text, ENT_PATTERN_MAX_DEPTH levels of '[' and
 * '(' nesting and ENT_PATTERN_MAX_NODES tree nodes; past any of them the
 * parse fails with an error, never with recursion overflow. Parsing is
 * linear in the length of the text, and every pattern owns one arena that
 * ent_pattern_free releases at once.
 *
 * See docs/patterns.md for what is matchable and why.
 */
#ifndef ENT_STIX_PATTERN_H
#define ENT_STIX_PATTERN_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/observable.h"

#define ENT_PATTERN_MAX_LEN   65536 /* bytes of pattern text */
#define ENT_PATTERN_MAX_DEPTH 64    /* nested '[' and '(' */
#define ENT_PATTERN_MAX_NODES 16384 /* expressions + literals + path steps */

struct ent_pattern;

/*
 * Parses len bytes of text (need not be NUL-terminated). Returns the pattern,
 * which the caller frees with ent_pattern_free, or NULL on error: then
 * errbuf (ENT_ERRBUF_SIZE bytes, may be NULL) holds a one-line message
 * "offset N: expected ']' after comparison, found 'OR'" and *err_offset
 * (err_offset may be NULL) the byte offset N of the error in text.
 * The text is copied; the caller may free it after the call.
 */
struct ent_pattern *ent_pattern_parse(const char *text, size_t len, size_t *err_offset,
                                      char *errbuf) ENT_MUST_CHECK;

/* Frees p and everything borrowed from it. Accepts NULL. */
void ent_pattern_free(struct ent_pattern *p);

/*
 * Appends the canonical text of p to out: single spaces around operators,
 * keywords upper case, no redundant parentheses, property names quoted only
 * when they must be, "==" written "=" and "<>" written "!=". Returns 0, or
 * ENT_ELIMIT / ENT_ENOMEM from the buffer.
 */
int ent_pattern_format(const struct ent_pattern *p, struct ent_buf *out) ENT_MUST_CHECK;

/* One sensor-matchable observable of a pattern. */
struct ent_pattern_obs {
	enum ent_obs_kind kind;
	const char *value; /* the literal's unescaped text, NUL-terminated;
	                      borrowed from the pattern until ent_pattern_free */
	size_t len;        /* bytes in value, without the NUL */
};

/*
 * Fills out[0..max) with the observables of p and returns their count (> 0)
 * when the whole pattern is sensor-matchable: an OR of observation
 * expressions without qualifiers, each an OR of `path = 'string'` or
 * `path IN ('a', ...)` comparisons on supported paths. Otherwise returns 0
 * and writes a short stable reason into reason[reasonsz] (reason may be NULL
 * when reasonsz is 0), e.g. "qualifier WITHIN", "FOLLOWEDBY",
 * "AND across observations", "AND of comparisons", "operator MATCHES",
 * "negated comparison", "non-string literal",
 * "unsupported object path file:name", "more than 16 observables",
 * "no observables". Values are neither validated nor normalized here.
 */
size_t ent_pattern_observables(const struct ent_pattern *p, struct ent_pattern_obs *out, size_t max,
                               char *reason, size_t reasonsz);

#endif
