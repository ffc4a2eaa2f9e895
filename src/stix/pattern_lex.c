/*
 * pattern_lex.c - the tokens of the STIX patterning language.
 *
 * Follows the lexer rules of OASIS STIXPattern.g4 (STIX 2.1): keywords are
 * upper case and case-sensitive, true/false lower case; whitespace
 * (including the Unicode spaces the grammar lists) and comments (slash-star
 * and double-slash) are skipped; identifiers may contain '-' (the parser
 * allows that in object types only); a string escapes only \' and \\;
 * h'..' is an even number of hex digits, b'..' padded base64, t'..' an
 * RFC 3339 UTC timestamp checked against the calendar. Integers have no
 * leading zeros and must fit int64.
 *
 * The lexer reads the caller's text and writes only into the pattern's
 * copy of it, where each string literal is unescaped in place (the result
 * is never longer than the literal) and NUL-terminated over its closing
 * quote. Token values point into that copy.
 */
#include "stix/pattern_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"

int pat_error(struct pat_lexer *lx, size_t off, const char *fmt, ...)
{
	char msg[ENT_ERRBUF_SIZE - 32]; /* leaves room for "offset N: " */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lx->err_off = off;
	if (lx->errbuf != NULL)
		snprintf(lx->errbuf, ENT_ERRBUF_SIZE, "offset %zu: %s", off, msg);
	return ENT_EPARSE;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_b64(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
	       c == '/';
}

/* A byte for a message: "'g'" when printable, "byte 0x01" otherwise. */
static const char *byte_desc(unsigned char c, char out[16])
{
	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(out, 16, "'%c'", c);
	else
		snprintf(out, 16, "byte 0x%02x", c);
	return out;
}

static const struct {
	const char *s;
	uint8_t len;
	uint8_t type;
} keywords[] = {
    {"AND", 3, T_AND},
    {"OR", 2, T_OR},
    {"NOT", 3, T_NOT},
    {"FOLLOWEDBY", 10, T_FOLLOWEDBY},
    {"LIKE", 4, T_LIKE},
    {"MATCHES", 7, T_MATCHES},
    {"ISSUBSET", 8, T_ISSUBSET},
    {"ISSUPERSET", 10, T_ISSUPERSET},
    {"IN", 2, T_IN},
    {"EXISTS", 6, T_EXISTS},
    {"START", 5, T_START},
    {"STOP", 4, T_STOP},
    {"SECONDS", 7, T_SECONDS},
    {"WITHIN", 6, T_WITHIN},
    {"REPEATS", 7, T_REPEATS},
    {"TIMES", 5, T_TIMES},
    {"LAST", 4, T_LAST},
    {"true", 4, T_BOOL},
    {"false", 5, T_BOOL},
};

/* The keyword token for s[0..n), or T_IDENT. */
static enum pat_tok_type keyword(const char *s, size_t n)
{
	/* every keyword starts with an upper-case letter, 't' or 'f' */
	if (!((s[0] >= 'A' && s[0] <= 'Z') || s[0] == 't' || s[0] == 'f'))
		return T_IDENT;
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (keywords[k].len == n && memcmp(keywords[k].s, s, n) == 0)
			return (enum pat_tok_type)keywords[k].type;
	return T_IDENT;
}

bool pat_is_plain_ident(const char *s, size_t n)
{
	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]))
			return false;
	return keyword(s, n) == T_IDENT;
}

bool pat_timestamp_parse(const char *s, size_t n, int64_t *ms)
{
	static const unsigned char digit_at[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
	size_t i;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return false;
	for (i = 0; i < sizeof(digit_at); i++)
		if (!is_digit((unsigned char)s[digit_at[i]]))
			return false;
	i = 19;
	if (s[i] == '.') {
		size_t start = ++i;

		while (i < n && is_digit((unsigned char)s[i]))
			i++;
		if (i == start)
			return false;
	}
	if (i + 1 != n || s[i] != 'Z')
		return false;
	/* ranges: month, day of that month, hour <= 23, minute <= 59, second <= 60 */
	return ent_time_parse(s, n, ms) == ENT_OK;
}

/* Skips whitespace and comments. */
static size_t unicode_space(const unsigned char *s, size_t n)
{
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2; /* U+0085, U+00A0 */
	if (n < 3)
		return 0;
	if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3; /* U+1680 */
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3; /* U+205F */
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

static int skip_space(struct pat_lexer *lx)
{
	const unsigned char *s = (const unsigned char *)lx->src;
	uint32_t i = lx->pos, n = lx->len;
	size_t u;

	while (i < n) {
		unsigned char c = s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
			i++;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			uint32_t start = i;

			for (i += 2; i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'); i++)
				;
			if (i + 1 >= n)
				return pat_error(lx, start, "unterminated comment");
			i += 2;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\n' && s[i] != '\r')
				i++;
		} else if (c >= 0x80 && (u = unicode_space(s + i, n - i)) > 0) {
			i += (uint32_t)u;
		} else {
			break;
		}
	}
	lx->pos = i;
	return ENT_OK;
}

static int lex_string(struct pat_lexer *lx, struct pat_tok *t)
{
	const char *s = lx->src;
	uint32_t start = lx->pos, i = start + 1, n = lx->len;
	char *out = lx->copy + start + 1, *o = out;
	char cb[16];

	while (i < n) {
		char c = s[i];

		if (c == '\'') {
			*o = '\0'; /* at most over the closing quote */
			t->type = T_STRING;
			t->val = out;
			t->vlen = (uint32_t)(o - out);
			lx->pos = i + 1;
			return ENT_OK;
		}
		if (c == '\\') {
			if (i + 1 >= n)
				break;
			if (s[i + 1] != '\'' && s[i + 1] != '\\')
				return pat_error(lx, i,
				                 "invalid escape '\\' + %s in string literal "
				                 "(only \\' and \\\\ are allowed)",
				                 byte_desc((unsigned char)s[i + 1], cb));
			*o++ = s[i + 1];
			i += 2;
			continue;
		}
		if (c == '\0')
			return pat_error(lx, i, "NUL byte in string literal");
		*o++ = c;
		i++;
	}
	return pat_error(lx, start, "unterminated string literal");
}

/* h'..', b'..' or t'..': lx->pos is at the prefix letter. */
static int lex_prefixed(struct pat_lexer *lx, struct pat_tok *t)
{
	const char *s = lx->src;
	uint32_t start = lx->pos, body = start + 2, i = body, n = lx->len;
	char prefix = s[start];
	char cb[16];

	while (i < n && s[i] != '\'')
		i++;
	if (i >= n)
		return pat_error(lx, start, "unterminated %s literal",
		                 prefix == 'h'   ? "hex"
		                 : prefix == 'b' ? "binary"
		                                 : "timestamp");
	t->val = lx->copy + body;
	t->vlen = i - body;
	lx->pos = i + 1;
	if (prefix == 'h') {
		for (uint32_t k = body; k < i; k++)
			if (!is_hex((unsigned char)s[k]))
				return pat_error(lx, k,
				                 "invalid hex literal: %s is not a hex digit",
				                 byte_desc((unsigned char)s[k], cb));
		if (t->vlen % 2 != 0)
			return pat_error(lx, start, "invalid hex literal: odd number of digits");
		t->type = T_HEX;
	} else if (prefix == 'b') {
		uint32_t pad = 0;

		for (uint32_t k = body; k < i; k++) {
			unsigned char c = (unsigned char)s[k];

			if (c == '=') {
				pad++;
			} else if (!is_b64(c) || pad > 0) {
				return pat_error(lx, k, "invalid binary literal: %s is not base64",
				                 byte_desc(c, cb));
			}
		}
		if (t->vlen == 0 || t->vlen % 4 != 0 || pad > 2)
			return pat_error(lx, start,
			                 "invalid binary literal: not padded base64 of 4-character "
			                 "groups");
		t->type = T_BINARY;
	} else {
		if (!pat_timestamp_parse(t->val, t->vlen, &t->i))
			return pat_error(lx, start,
			                 "invalid timestamp literal: expected "
			                 "t'YYYY-MM-DDTHH:MM:SS[.s+]Z' with a real date and time");
		t->type = T_TIMESTAMP;
	}
	return ENT_OK;
}

static int lex_number(struct pat_lexer *lx, struct pat_tok *t)
{
	const char *s = lx->src;
	uint32_t start = lx->pos, i = start, n = lx->len, ds;
	bool neg = false;

	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	ds = i;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	t->neg = neg;
	if (i + 1 < n && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
		for (i++; i < n && is_digit((unsigned char)s[i]);)
			i++;
		t->type = T_FLOAT;
		/* a '+' adds nothing; the canonical text drops it */
		t->val = lx->copy + (s[start] == '+' ? start + 1 : start);
		t->vlen = i - (uint32_t)(t->val - lx->copy);
		lx->pos = i;
		return ENT_OK;
	}
	if (i == ds) { /* a lone sign or dot */
		t->type = T_INVALID;
		lx->pos = start + 1;
		return ENT_OK;
	}
	if (i - ds > 1 && s[ds] == '0')
		return pat_error(lx, start, "invalid integer literal: leading zero");
	{
		uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

		for (uint32_t k = ds; k < i; k++) {
			unsigned d = (unsigned)(s[k] - '0');

			if (v > (lim - d) / 10)
				return pat_error(lx, start, "integer literal out of range");
			v = v * 10 + d;
		}
		t->i = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	}
	t->type = T_INT;
	t->val = lx->copy + start;
	t->vlen = i - start;
	lx->pos = i;
	return ENT_OK;
}

int pat_lex_next(struct pat_lexer *lx, struct pat_tok *t)
{
	const char *s = lx->src;
	uint32_t n = lx->len, i;
	unsigned char c, d;
	int rc;

	if ((rc = skip_space(lx)) != ENT_OK)
		return rc;
	i = lx->pos;
	t->start = i;
	t->val = NULL;
	t->vlen = 0;
	t->i = 0;
	t->neg = false;
	t->hyphen = false;
	if (i >= n) {
		t->type = T_EOF;
		t->end = i;
		return ENT_OK;
	}
	c = (unsigned char)s[i];
	d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
	if ((c == 'h' || c == 'b' || c == 't') && d == '\'') {
		rc = lex_prefixed(lx, t);
	} else if (is_alpha(c)) {
		uint32_t k = i + 1;

		while (k < n && (is_alpha((unsigned char)s[k]) || is_digit((unsigned char)s[k]) ||
		                 s[k] == '-')) {
			t->hyphen |= s[k] == '-';
			k++;
		}
		t->type = keyword(s + i, k - i);
		t->val = lx->copy + i;
		t->vlen = k - i;
		t->i = t->type == T_BOOL && s[i] == 't';
		lx->pos = k;
		rc = ENT_OK;
	} else if (c == '\'') {
		rc = lex_string(lx, t);
	} else if (is_digit(c) ||
	           ((c == '+' || c == '-' || c == '.') && (is_digit(d) || d == '.'))) {
		rc = lex_number(lx, t);
	} else {
		uint32_t w = 1;

		switch (c) {
		case '[':
			t->type = T_LBRACK;
			break;
		case ']':
			t->type = T_RBRACK;
			break;
		case '(':
			t->type = T_LPAREN;
			break;
		case ')':
			t->type = T_RPAREN;
			break;
		case ':':
			t->type = T_COLON;
			break;
		case '.':
			t->type = T_DOT;
			break;
		case ',':
			t->type = T_COMMA;
			break;
		case '*':
			t->type = T_STAR;
			break;
		case '=':
			t->type = T_EQ;
			w = d == '=' ? 2 : 1;
			break;
		case '!':
			t->type = d == '=' ? T_NEQ : T_INVALID;
			w = d == '=' ? 2 : 1;
			break;
		case '<':
			t->type = d == '=' ? T_LE : d == '>' ? T_NEQ : T_LT;
			w = d == '=' || d == '>' ? 2 : 1;
			break;
		case '>':
			t->type = d == '=' ? T_GE : T_GT;
			w = d == '=' ? 2 : 1;
			break;
		case '\0':
			return pat_error(lx, i, "NUL byte in pattern");
		default:
			t->type = T_INVALID;
			break;
		}
		lx->pos = i + w;
		rc = ENT_OK;
	}
	t->end = lx->pos;
	return rc;
}

void pat_tok_describe(const struct pat_lexer *lx, const struct pat_tok *t, char *out, size_t outsz)
{
	enum { SHOW = 32 };
	char text[SHOW * 4 + 8];
	size_t k = 0, n = t->end - t->start;
	const unsigned char *s = (const unsigned char *)lx->src + t->start;

	if (t->type == T_EOF) {
		snprintf(out, outsz, "end of pattern");
		return;
	}
	for (size_t i = 0; i < n && i < SHOW; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			text[k++] = (char)s[i];
		else
			k += (size_t)snprintf(text + k, sizeof(text) - k, "\\x%02x", s[i]);
	}
	if (n > SHOW)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "...");
	text[k] = '\0';
	if (t->type == T_STRING)
		snprintf(out, outsz, "string %s", text);
	else
		snprintf(out, outsz, "'%s'", text);
}
