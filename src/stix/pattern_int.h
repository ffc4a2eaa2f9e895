/*
 * pattern_int.h - private structures of the STIX pattern module: tokens,
 * the lexer, the syntax tree and the per-pattern arena.
 *
 * Shared by pattern_lex.c (text -> tokens), pattern_parse.c (tokens -> tree,
 * the arena, ent_pattern_parse/free), pattern_format.c (tree -> canonical
 * text) and pattern_extract.c (tree -> observables). Nothing outside
 * src/stix/pattern_*.c includes it.
 *
 * Invariants of a parsed tree:
 *  1. Every node, literal, path step and string lives in the pattern's arena
 *     and dies with ent_pattern_free; nothing in the tree is freed alone.
 *  2. A list node (PN_OBS_FOLLOWEDBY/OR/AND, PN_CMP_OR/AND) has at least two
 *     children, chained through ->next. A child of the same kind as its
 *     parent list only exists when the text had parentheses there.
 *  3. The tree is at most about 6 * ENT_PATTERN_MAX_DEPTH + 4 levels deep
 *     (inside each '(' or '[' there are at most three list levels and a
 *     chain of three qualifiers), so recursive walks are bounded.
 *  4. String values (string literals and quoted property names) are
 *     unescaped and NUL-terminated in the pattern's copy of the text.
 */
#ifndef ENT_STIX_PATTERN_INT_H
#define ENT_STIX_PATTERN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stix/pattern.h"

/* ---- tokens ---- */

enum pat_tok_type {
	T_EOF,
	T_INVALID, /* a character no token starts with */
	T_LBRACK,
	T_RBRACK,
	T_LPAREN,
	T_RPAREN,
	T_COLON,
	T_DOT,
	T_COMMA,
	T_STAR,
	T_EQ,  /* = or == */
	T_NEQ, /* != or <> */
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_IDENT, /* [A-Za-z_][A-Za-z0-9_-]*, not a keyword */
	T_STRING,
	T_INT,
	T_FLOAT,
	T_BOOL,
	T_HEX,
	T_BINARY,
	T_TIMESTAMP,
	/* keywords (case-sensitive, as in STIXPattern.g4) */
	T_AND,
	T_OR,
	T_NOT,
	T_FOLLOWEDBY,
	T_LIKE,
	T_MATCHES,
	T_ISSUBSET,
	T_ISSUPERSET,
	T_IN,
	T_EXISTS,
	T_START,
	T_STOP,
	T_SECONDS,
	T_WITHIN,
	T_REPEATS,
	T_TIMES,
	T_LAST, /* reserved by the grammar, used nowhere */
};

struct pat_tok {
	enum pat_tok_type type;
	uint32_t start; /* offset of the first byte in the text */
	uint32_t end;   /* offset one past the last byte */
	/* T_STRING: unescaped value in the copy; T_HEX/T_BINARY/T_TIMESTAMP:
	 * the text between the quotes; T_IDENT/T_INT/T_FLOAT: the lexeme */
	const char *val;
	uint32_t vlen;
	int64_t i;   /* T_INT value, T_BOOL 0/1, T_TIMESTAMP milliseconds */
	bool neg;    /* T_INT/T_FLOAT written with a leading '-' */
	bool hyphen; /* T_IDENT contains '-' */
};

struct pat_lexer {
	const char *src; /* the caller's text, read-only */
	uint32_t len;
	uint32_t pos;
	char *copy;   /* the pattern's copy of src, where strings are unescaped */
	char *errbuf; /* may be NULL */
	size_t err_off;
};

/* Reads the next token into *t. 0, or ENT_EPARSE with the message set by
 * pat_error (unterminated literal, bad escape, bad timestamp, ...). */
int pat_lex_next(struct pat_lexer *lx, struct pat_tok *t);

/* Sets "offset N: <msg>" in lx->errbuf and lx->err_off = N; ENT_EPARSE. */
int pat_error(struct pat_lexer *lx, size_t off, const char *fmt, ...) ENT_PRINTF(3, 4);

/* Describes t for an error message: "end of pattern", "'OR'",
 * "string 'abc'"; written into out[outsz]. */
void pat_tok_describe(const struct pat_lexer *lx, const struct pat_tok *t, char *out, size_t outsz);

/* True when s[0..n) is an unquoted property name the lexer reads back as
 * T_IDENT without '-': [A-Za-z_][A-Za-z0-9_]* and not a keyword or bool. */
bool pat_is_plain_ident(const char *s, size_t n);

/* ---- syntax tree ---- */

enum pat_node_kind {
	PN_OBS_FOLLOWEDBY, /* list */
	PN_OBS_OR,         /* list */
	PN_OBS_AND,        /* list */
	PN_OBS_SIMPLE,     /* [ comparison ]: u.child */
	PN_QUAL_WITHIN,    /* u.qual: a = seconds (int or float) */
	PN_QUAL_REPEATS,   /* u.qual: a = times (int) */
	PN_QUAL_STARTSTOP, /* u.qual: a = start, b = stop (timestamps) */
	PN_CMP_OR,         /* list */
	PN_CMP_AND,        /* list */
	PN_CMP_TEST,       /* u.test */
};

enum pat_op {
	PO_EQ,
	PO_NEQ,
	PO_LT,
	PO_LE,
	PO_GT,
	PO_GE,
	PO_IN,
	PO_LIKE,
	PO_MATCHES,
	PO_ISSUBSET,
	PO_ISSUPERSET,
	PO_EXISTS,
};

enum pat_lit_type {
	PL_STRING,
	PL_INT,
	PL_FLOAT,
	PL_BOOL,
	PL_HEX,
	PL_BINARY,
	PL_TIMESTAMP,
	PL_SET, /* the ( ... ) of IN: elements chained from ->set */
};

struct pat_lit {
	struct pat_lit *next; /* next element of the enclosing set */
	struct pat_lit *set;  /* PL_SET: first element, NULL for () */
	const char *text;     /* see pat_tok.val; PL_FLOAT without a '+' sign */
	uint32_t len;
	uint8_t type; /* enum pat_lit_type */
	int64_t i;    /* PL_INT value, PL_BOOL 0/1, PL_TIMESTAMP ms */
};

enum pat_step_kind {
	PS_KEY,   /* .name or .'quoted name' */
	PS_INDEX, /* [n] */
	PS_ANY,   /* [*] */
};

struct pat_step {
	struct pat_step *next;
	const char *name; /* PS_KEY: the (unescaped) name; NUL-terminated only
	                     when it was quoted */
	uint32_t len;
	uint8_t kind;  /* enum pat_step_kind */
	int64_t index; /* PS_INDEX */
};

struct pat_path {
	const char *type; /* object type, e.g. "ipv4-addr" (not NUL-terminated) */
	uint32_t type_len;
	struct pat_step *steps; /* at least one: the first property */
};

struct pat_node {
	struct pat_node *next; /* next child of the parent list */
	uint32_t offset;       /* where the node starts in the text */
	uint8_t kind;          /* enum pat_node_kind */
	bool paren;            /* the text had it in parentheses; matters for a
	                          qualified observation, whose parentheses scope
	                          the one-qualifier-of-each-type rule */
	union {
		struct pat_node *first; /* lists: first child */
		struct pat_node *child; /* PN_OBS_SIMPLE */
		struct {
			struct pat_node *child;
			struct pat_lit *a, *b;
		} qual;
		struct {
			struct pat_path path;
			struct pat_lit *lit; /* NULL for EXISTS */
			uint8_t op;          /* enum pat_op */
			bool negated;        /* NOT before the operator */
		} test;
	} u;
};

struct pat_chunk {
	struct pat_chunk *next;
	size_t cap;
	size_t used;
	max_align_t data[]; /* cap bytes */
};

struct ent_pattern {
	struct pat_node *root;
	char *copy; /* the text, with strings unescaped in place */
	uint32_t len;
	uint32_t nodes;          /* arena objects handed out, for the limit */
	struct pat_chunk *chunk; /* current chunk; older ones chained by next */
};

/* The operator's text: "=", "!=", "IN", "MATCHES", ... */
const char *pat_op_name(enum pat_op op);

/* Appends the canonical text of an object path ("file:hashes.'SHA-256'"). */
int pat_format_path(const struct pat_path *path, struct ent_buf *out) ENT_MUST_CHECK;

/* Strictly validates a STIX timestamp body (what is between t' and '):
 * YYYY-MM-DDTHH:MM:SS[.s+]Z with upper-case T and Z and real calendar
 * dates; *ms gets milliseconds since the epoch. */
bool pat_timestamp_parse(const char *s, size_t n, int64_t *ms);

#endif
