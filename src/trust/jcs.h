/*
 * jcs.h - RFC 8785 JSON Canonicalization Scheme: the one byte form of a
 * JSON value that signatures are computed over.
 *
 * Input is I-JSON (RFC 7493): duplicate member names, invalid UTF-8, lone
 * surrogates and numbers beyond the IEEE 754 double range are refused.
 * Output (RFC 8785 section 3.2):
 *   - no whitespace;
 *   - literals as null, true, false;
 *   - strings in UTF-8 with only '"', '\\' and the controls below U+0020
 *     escaped: \b \t \n \f \r in short form, the others as \u00xx
 *     (lower-case hex); everything else, '/' and U+2028 included, as is;
 *   - numbers parsed as IEEE 754 doubles and written as ECMAScript's
 *     Number.prototype.toString writes them (shortest digits that read back
 *     as the same double; plain notation for 1e-6 <= |x| < 1e21, otherwise
 *     "de+N" / "d.ddde-N"); -0 is written 0;
 *   - object members sorted by their names compared as arrays of UTF-16
 *     code units (so U+1F600, a surrogate pair, sorts before U+FB33).
 * Limitation: the tokenizer (core/json.h) refuses \u0000 in strings, so a
 * document with one is refused rather than canonicalized; STIX has no use
 * for it. Nesting is bounded by ENT_JSON_DEPTH_MAX.
 */
#ifndef ENT_TRUST_JCS_H
#define ENT_TRUST_JCS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

/* Most JSON values (tokens) in one document canonicalized by
 * ent_jcs_canonicalize. */
#define ENT_JCS_MAX_TOKENS (1u << 20)

/* Longest text of one number written by ent_jcs_number, NUL included. */
#define ENT_JCS_NUMBER_MAX 32

/*
 * Canonicalizes the JSON text (len bytes) and appends the canonical UTF-8
 * bytes to out (which the caller owns, and whose maximum bounds the output).
 * ENT_EPARSE with a message "offset N: what" in errbuf when the text is not
 * I-JSON; ENT_ELIMIT past ENT_JCS_MAX_TOKENS or out's maximum.
 */
int ent_jcs_canonicalize(const char *text, size_t len, struct ent_buf *out,
                         char *errbuf) ENT_MUST_CHECK;

/*
 * Appends the canonical form of token t of an already parsed document j,
 * leaving out one member named by skip: skip is a NULL-terminated path of
 * member names from t ({"extensions", "extension-definition--...", NULL}
 * omits that one extension entry). An object that the omission leaves empty
 * is omitted as well (so "extensions" disappears with its last entry).
 * skip may be NULL. j's string scratch is used (ent_json_string).
 */
int ent_jcs_write(struct ent_json *j, uint32_t t, const char *const *skip, struct ent_buf *out,
                  char *errbuf) ENT_MUST_CHECK;

/*
 * Writes the ECMAScript string form of the double d into out
 * (ENT_JCS_NUMBER_MAX bytes). ENT_EINVAL for NaN and infinities, which
 * JSON cannot carry.
 */
int ent_jcs_number(double d, char out[ENT_JCS_NUMBER_MAX]) ENT_MUST_CHECK;

#endif
