/*
 * pattern_parse.c - recursive-descent parser of STIX 2.1 patterns, and the
 * per-pattern arena.
 *
 * The grammar (OASIS STIXPattern.g4 for STIX 2.1, plus EXISTS), from the
 * loosest binding to the tightest:
 *
 *   pattern     := obs_fb EOF
 *   obs_fb      := obs_or  (FOLLOWEDBY obs_or)*
 *   obs_or      := obs_and (OR obs_and)*
 *   obs_and     := obs_atom (AND obs_atom)*
 *   obs_atom    := ( '[' cmp_or ']' | '(' obs_fb ')' ) qualifier*
 *   qualifier   := WITHIN number SECONDS | REPEATS int TIMES
 *                | START timestamp STOP timestamp
 *   cmp_or      := cmp_and (OR cmp_and)*
 *   cmp_and     := cmp_atom (AND cmp_atom)*
 *   cmp_atom    := '(' cmp_or ')' | [NOT] EXISTS path
 *                | path [NOT] op literal
 *   path        := type ':' (ident | string) ('.' (ident | string)
 *                | '[' (int | '*') ']')*
 *
 * A chain of the same operator becomes one list node, so a flat
 * "a OR b OR ... OR z" is one level deep however long it is; only '(' and
 * '[' deepen the tree and the recursion, and both count against
 * ENT_PATTERN_MAX_DEPTH. Every node, literal and path step counts against
 * ENT_PATTERN_MAX_NODES. The first error stops the parse.
 *
 * Memory: ent_pattern_parse makes one allocation holding the pattern, the
 * first arena chunk (sized from the text length, enough for typical
 * patterns) and the copy of the text; larger patterns chain more chunks.
 */
#include "stix/pattern_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct pat_lexer lx;
	struct pat_tok tok; /* the current token, not yet consumed */
	struct ent_pattern *p;
	unsigned depth;
};

#define CHUNK_MAX (256u * 1024u)

static size_t round_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

static void *arena_alloc(struct parser *ps, size_t n)
{
	struct ent_pattern *p = ps->p;
	struct pat_chunk *c = p->chunk;
	void *r;

	if (++p->nodes > ENT_PATTERN_MAX_NODES) {
		pat_error(&ps->lx, ps->tok.start, "pattern has more than %d nodes",
		          ENT_PATTERN_MAX_NODES);
		return NULL;
	}
	n = round_up(n, sizeof(max_align_t));
	if (c->cap - c->used < n) {
		size_t cap = c->cap * 2;

		if (cap > CHUNK_MAX)
			cap = CHUNK_MAX;
		if (cap < n)
			cap = n;
		c = malloc(sizeof(*c) + cap);
		if (c == NULL) {
			pat_error(&ps->lx, ps->tok.start, "out of memory");
			return NULL;
		}
		c->next = p->chunk;
		c->cap = cap;
		c->used = 0;
		p->chunk = c;
	}
	r = (unsigned char *)c->data + c->used;
	c->used += n;
	memset(r, 0, n);
	return r;
}

static int advance(struct parser *ps)
{
	return pat_lex_next(&ps->lx, &ps->tok);
}

/* "offset N: expected <what>, found <token>"; returns NULL for the caller. */
static void *expected(struct parser *ps, const char *what)
{
	char found[160];

	pat_tok_describe(&ps->lx, &ps->tok, found, sizeof(found));
	pat_error(&ps->lx, ps->tok.start, "expected %s, found %s", what, found);
	return NULL;
}

static int enter(struct parser *ps)
{
	if (++ps->depth > ENT_PATTERN_MAX_DEPTH)
		return pat_error(&ps->lx, ps->tok.start, "nesting deeper than %d levels",
		                 ENT_PATTERN_MAX_DEPTH);
	return ENT_OK;
}

static struct pat_node *new_node(struct parser *ps, enum pat_node_kind kind, uint32_t off)
{
	struct pat_node *n = arena_alloc(ps, sizeof(*n));

	if (n != NULL) {
		n->kind = (uint8_t)kind;
		n->offset = off;
	}
	return n;
}

typedef struct pat_node *(*sub_parser)(struct parser *);

/* sub (op sub)*: one operand alone, or a list node of kind over them all. */
static struct pat_node *parse_list(struct parser *ps, sub_parser sub, enum pat_tok_type op,
                                   enum pat_node_kind kind)
{
	struct pat_node *first, *list, *tail, *n;

	if ((first = sub(ps)) == NULL)
		return NULL;
	if (ps->tok.type != op)
		return first;
	if ((list = new_node(ps, kind, first->offset)) == NULL)
		return NULL;
	list->u.first = tail = first;
	while (ps->tok.type == op) {
		if (advance(ps) != ENT_OK || (n = sub(ps)) == NULL)
			return NULL;
		tail->next = n;
		tail = n;
	}
	return list;
}

/* ---- literals ---- */

static struct pat_lit *take_literal(struct parser *ps, enum pat_lit_type type)
{
	struct pat_lit *l = arena_alloc(ps, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->type = (uint8_t)type;
	l->text = ps->tok.val;
	l->len = ps->tok.vlen;
	l->i = ps->tok.i;
	if (advance(ps) != ENT_OK)
		return NULL;
	return l;
}

/* "a string literal after 'LIKE'": what an operator takes, for errors. */
static void *expected_after_op(struct parser *ps, enum pat_op op)
{
	char what[48];

	snprintf(what, sizeof(what), "a %sliteral after '%s'",
	         op >= PO_LIKE ? "string "
	         : op >= PO_LT ? "non-boolean "
	                       : "",
	         pat_op_name(op));
	return expected(ps, what);
}

/* A single literal; bool only when allowed (equality and sets). what is
 * the expectation for the error message, or NULL to derive it from op. */
static struct pat_lit *parse_literal(struct parser *ps, bool allow_bool, const char *what,
                                     enum pat_op op)
{
	switch (ps->tok.type) {
	case T_STRING:
		return take_literal(ps, PL_STRING);
	case T_INT:
		return take_literal(ps, PL_INT);
	case T_FLOAT:
		return take_literal(ps, PL_FLOAT);
	case T_HEX:
		return take_literal(ps, PL_HEX);
	case T_BINARY:
		return take_literal(ps, PL_BINARY);
	case T_TIMESTAMP:
		return take_literal(ps, PL_TIMESTAMP);
	case T_BOOL:
		if (allow_bool)
			return take_literal(ps, PL_BOOL);
		break;
	default:
		break;
	}
	return what != NULL ? expected(ps, what) : expected_after_op(ps, op);
}

static struct pat_lit *parse_set(struct parser *ps)
{
	struct pat_lit *set, *tail = NULL, *l;

	if (ps->tok.type != T_LPAREN)
		return expected(ps, "'(' after IN");
	if ((set = arena_alloc(ps, sizeof(*set))) == NULL)
		return NULL;
	set->type = PL_SET;
	if (advance(ps) != ENT_OK)
		return NULL;
	if (ps->tok.type == T_RPAREN)
		return advance(ps) == ENT_OK ? set : NULL;
	for (;;) {
		if ((l = parse_literal(ps, true, "a literal in the IN set", PO_IN)) == NULL)
			return NULL;
		if (tail == NULL)
			set->set = l;
		else
			tail->next = l;
		tail = l;
		if (ps->tok.type == T_RPAREN)
			break;
		if (ps->tok.type != T_COMMA)
			return expected(ps, "',' or ')' in the IN set");
		if (advance(ps) != ENT_OK)
			return NULL;
	}
	return advance(ps) == ENT_OK ? set : NULL;
}

/* ---- object paths ---- */

static struct pat_step *key_step(struct parser *ps, const char *what)
{
	struct pat_step *st;

	if (ps->tok.type == T_IDENT && ps->tok.hyphen) {
		pat_error(&ps->lx, ps->tok.start,
		          "property name '%.*s' contains '-'; quote it as '%.*s'",
		          (int)ps->tok.vlen, ps->tok.val, (int)ps->tok.vlen, ps->tok.val);
		return NULL;
	}
	if (ps->tok.type != T_IDENT && ps->tok.type != T_STRING)
		return expected(ps, what);
	if ((st = arena_alloc(ps, sizeof(*st))) == NULL)
		return NULL;
	st->kind = PS_KEY;
	st->name = ps->tok.val;
	st->len = ps->tok.vlen;
	return advance(ps) == ENT_OK ? st : NULL;
}

static int parse_path(struct parser *ps, struct pat_path *path)
{
	struct pat_step *tail, *st;

	if (ps->tok.type != T_IDENT) {
		expected(ps, "an object type");
		return ENT_EPARSE;
	}
	path->type = ps->tok.val;
	path->type_len = ps->tok.vlen;
	if (advance(ps) != ENT_OK)
		return ENT_EPARSE;
	if (ps->tok.type != T_COLON) {
		char what[96];

		snprintf(what, sizeof(what), "':' after object type '%.*s'",
		         (int)(path->type_len > 40 ? 40 : path->type_len), path->type);
		expected(ps, what);
		return ENT_EPARSE;
	}
	if (advance(ps) != ENT_OK)
		return ENT_EPARSE;
	if ((st = key_step(ps, "a property name after ':'")) == NULL)
		return ENT_EPARSE;
	path->steps = tail = st;
	for (;;) {
		if (ps->tok.type == T_DOT) {
			if (advance(ps) != ENT_OK ||
			    (st = key_step(ps, "a property name after '.'")) == NULL)
				return ENT_EPARSE;
		} else if (ps->tok.type == T_LBRACK) {
			if (advance(ps) != ENT_OK || (st = arena_alloc(ps, sizeof(*st))) == NULL)
				return ENT_EPARSE;
			if (ps->tok.type == T_INT) {
				st->kind = PS_INDEX;
				st->index = ps->tok.i;
			} else if (ps->tok.type == T_STAR) {
				st->kind = PS_ANY;
			} else {
				expected(ps, "a list index or '*' after '['");
				return ENT_EPARSE;
			}
			if (advance(ps) != ENT_OK)
				return ENT_EPARSE;
			if (ps->tok.type != T_RBRACK) {
				expected(ps, "']' after the list index");
				return ENT_EPARSE;
			}
			if (advance(ps) != ENT_OK)
				return ENT_EPARSE;
		} else {
			return ENT_OK;
		}
		tail->next = st;
		tail = st;
	}
}

/* ---- comparison expressions ---- */

static struct pat_node *parse_cmp_or(struct parser *ps);

static struct pat_node *parse_test(struct parser *ps)
{
	struct pat_node *n;
	uint32_t off = ps->tok.start;

	if ((n = new_node(ps, PN_CMP_TEST, off)) == NULL)
		return NULL;
	if (ps->tok.type == T_NOT) {
		if (advance(ps) != ENT_OK)
			return NULL;
		if (ps->tok.type != T_EXISTS)
			return expected(ps, "EXISTS after a leading NOT");
		n->u.test.negated = true;
	}
	if (ps->tok.type == T_EXISTS) {
		n->u.test.op = PO_EXISTS;
		if (advance(ps) != ENT_OK || parse_path(ps, &n->u.test.path) != ENT_OK)
			return NULL;
		return n;
	}
	if (ps->tok.type != T_IDENT)
		return expected(ps, "an object path, EXISTS or '(' to start a comparison");
	if (parse_path(ps, &n->u.test.path) != ENT_OK)
		return NULL;
	if (ps->tok.type == T_NOT) {
		n->u.test.negated = true;
		if (advance(ps) != ENT_OK)
			return NULL;
	}
	switch (ps->tok.type) {
	case T_EQ:
		n->u.test.op = PO_EQ;
		break;
	case T_NEQ:
		n->u.test.op = PO_NEQ;
		break;
	case T_LT:
		n->u.test.op = PO_LT;
		break;
	case T_LE:
		n->u.test.op = PO_LE;
		break;
	case T_GT:
		n->u.test.op = PO_GT;
		break;
	case T_GE:
		n->u.test.op = PO_GE;
		break;
	case T_IN:
		n->u.test.op = PO_IN;
		break;
	case T_LIKE:
		n->u.test.op = PO_LIKE;
		break;
	case T_MATCHES:
		n->u.test.op = PO_MATCHES;
		break;
	case T_ISSUBSET:
		n->u.test.op = PO_ISSUBSET;
		break;
	case T_ISSUPERSET:
		n->u.test.op = PO_ISSUPERSET;
		break;
	default:
		return expected(ps, n->u.test.negated
		                        ? "a comparison operator after NOT"
		                        : "a comparison operator after the object path");
	}
	if (advance(ps) != ENT_OK)
		return NULL;
	switch (n->u.test.op) {
	case PO_EQ:
	case PO_NEQ:
		n->u.test.lit = parse_literal(ps, true, NULL, n->u.test.op);
		break;
	case PO_LT:
	case PO_LE:
	case PO_GT:
	case PO_GE:
		n->u.test.lit = parse_literal(ps, false, NULL, n->u.test.op);
		break;
	case PO_IN:
		n->u.test.lit = parse_set(ps);
		break;
	default:
		if (ps->tok.type != T_STRING)
			return expected_after_op(ps, n->u.test.op);
		n->u.test.lit = take_literal(ps, PL_STRING);
		break;
	}
	return n->u.test.lit != NULL ? n : NULL;
}

static struct pat_node *parse_cmp_atom(struct parser *ps)
{
	struct pat_node *n;

	if (ps->tok.type != T_LPAREN)
		return parse_test(ps);
	if (enter(ps) != ENT_OK || advance(ps) != ENT_OK || (n = parse_cmp_or(ps)) == NULL)
		return NULL;
	if (ps->tok.type != T_RPAREN)
		return expected(ps, "')' after comparison");
	ps->depth--;
	return advance(ps) == ENT_OK ? n : NULL;
}

static struct pat_node *parse_cmp_and(struct parser *ps)
{
	return parse_list(ps, parse_cmp_atom, T_AND, PN_CMP_AND);
}

static struct pat_node *parse_cmp_or(struct parser *ps)
{
	return parse_list(ps, parse_cmp_and, T_OR, PN_CMP_OR);
}

/* ---- observation expressions ---- */

static struct pat_node *parse_obs_fb(struct parser *ps);

static const char *qual_name(enum pat_node_kind k)
{
	return k == PN_QUAL_WITHIN ? "WITHIN" : k == PN_QUAL_REPEATS ? "REPEATS" : "START/STOP";
}

static bool is_zero(const struct pat_tok *t)
{
	for (uint32_t i = 0; i < t->vlen; i++)
		if (t->val[i] >= '1' && t->val[i] <= '9')
			return false;
	return true;
}

/* A timestamp after START or STOP: t'...' or, as STIX 2.0 wrote it, '...'. */
static struct pat_lit *parse_time(struct parser *ps, const char *what)
{
	int64_t ms;

	if (ps->tok.type == T_STRING) {
		if (!pat_timestamp_parse(ps->tok.val, ps->tok.vlen, &ms)) {
			pat_error(&ps->lx, ps->tok.start, "invalid timestamp after %s", what);
			return NULL;
		}
		ps->tok.i = ms;
	} else if (ps->tok.type != T_TIMESTAMP) {
		char e[48];

		snprintf(e, sizeof(e), "a timestamp after %s", what);
		return expected(ps, e);
	}
	return take_literal(ps, PL_TIMESTAMP);
}

static struct pat_node *parse_qualifiers(struct parser *ps, struct pat_node *n)
{
	for (;;) {
		enum pat_node_kind kind;
		struct pat_node *q;

		switch (ps->tok.type) {
		case T_WITHIN:
			kind = PN_QUAL_WITHIN;
			break;
		case T_REPEATS:
			kind = PN_QUAL_REPEATS;
			break;
		case T_START:
			kind = PN_QUAL_STARTSTOP;
			break;
		default:
			return n;
		}
		/* one qualifier of each type per observation; parentheses
		 * start a new observation: "([a] REPEATS 2 TIMES) REPEATS 3
		 * TIMES" is allowed (as cti-pattern-validator allows it) */
		for (q = n; q->kind >= PN_QUAL_WITHIN && q->kind <= PN_QUAL_STARTSTOP && !q->paren;
		     q = q->u.qual.child)
			if (q->kind == kind) {
				pat_error(&ps->lx, ps->tok.start, "duplicate qualifier %s",
				          qual_name(kind));
				return NULL;
			}
		if ((q = new_node(ps, kind, n->offset)) == NULL || advance(ps) != ENT_OK)
			return NULL;
		q->u.qual.child = n;
		if (kind == PN_QUAL_WITHIN) {
			if ((ps->tok.type != T_INT && ps->tok.type != T_FLOAT) || ps->tok.neg ||
			    is_zero(&ps->tok))
				return expected(ps, "a positive number after WITHIN");
			if ((q->u.qual.a = take_literal(
			         ps, ps->tok.type == T_INT ? PL_INT : PL_FLOAT)) == NULL)
				return NULL;
			if (ps->tok.type != T_SECONDS)
				return expected(ps, "SECONDS after WITHIN <number>");
		} else if (kind == PN_QUAL_REPEATS) {
			if (ps->tok.type != T_INT || ps->tok.i <= 0)
				return expected(ps, "a positive integer after REPEATS");
			if ((q->u.qual.a = take_literal(ps, PL_INT)) == NULL)
				return NULL;
			if (ps->tok.type != T_TIMES)
				return expected(ps, "TIMES after REPEATS <integer>");
		} else {
			if ((q->u.qual.a = parse_time(ps, "START")) == NULL)
				return NULL;
			if (ps->tok.type != T_STOP)
				return expected(ps, "STOP after START <timestamp>");
			if (advance(ps) != ENT_OK || (q->u.qual.b = parse_time(ps, "STOP")) == NULL)
				return NULL;
		}
		if (kind != PN_QUAL_STARTSTOP && advance(ps) != ENT_OK)
			return NULL;
		n = q;
	}
}

static struct pat_node *parse_obs_atom(struct parser *ps)
{
	uint32_t off = ps->tok.start;
	struct pat_node *n, *cmp;

	if (ps->tok.type == T_LBRACK) {
		if (enter(ps) != ENT_OK || advance(ps) != ENT_OK ||
		    (cmp = parse_cmp_or(ps)) == NULL)
			return NULL;
		if (ps->tok.type != T_RBRACK)
			return expected(ps, "']' after comparison");
		if ((n = new_node(ps, PN_OBS_SIMPLE, off)) == NULL)
			return NULL;
		n->u.child = cmp;
	} else if (ps->tok.type == T_LPAREN) {
		if (enter(ps) != ENT_OK || advance(ps) != ENT_OK || (n = parse_obs_fb(ps)) == NULL)
			return NULL;
		if (ps->tok.type != T_RPAREN)
			return expected(ps, "')' after observation expression");
		n->paren = true;
	} else {
		return expected(ps, "'[' or '(' to start an observation expression");
	}
	ps->depth--;
	if (advance(ps) != ENT_OK)
		return NULL;
	return parse_qualifiers(ps, n);
}

static struct pat_node *parse_obs_and(struct parser *ps)
{
	return parse_list(ps, parse_obs_atom, T_AND, PN_OBS_AND);
}

static struct pat_node *parse_obs_or(struct parser *ps)
{
	return parse_list(ps, parse_obs_and, T_OR, PN_OBS_OR);
}

static struct pat_node *parse_obs_fb(struct parser *ps)
{
	return parse_list(ps, parse_obs_or, T_FOLLOWEDBY, PN_OBS_FOLLOWEDBY);
}

/* ---- entry points ---- */

static void set_error(size_t off, size_t *err_offset, char *errbuf, const char *msg)
{
	if (err_offset != NULL)
		*err_offset = off;
	if (errbuf != NULL)
		snprintf(errbuf, ENT_ERRBUF_SIZE, "offset %zu: %s", off, msg);
}

struct ent_pattern *ent_pattern_parse(const char *text, size_t len, size_t *err_offset,
                                      char *errbuf)
{
	struct parser ps;
	struct ent_pattern *p;
	struct pat_chunk *first;
	size_t head, cap;

	if (errbuf != NULL)
		errbuf[0] = '\0';
	if (text == NULL)
		len = 0;
	if (len > ENT_PATTERN_MAX_LEN) {
		set_error(ENT_PATTERN_MAX_LEN, err_offset, errbuf,
		          "pattern longer than the limit of 65536 bytes");
		return NULL;
	}
	/* one allocation: pattern, first arena chunk, copy of the text */
	head = round_up(sizeof(*p), sizeof(max_align_t));
	cap = round_up(384 + 8 * len, sizeof(max_align_t));
	if (cap > CHUNK_MAX)
		cap = CHUNK_MAX;
	p = malloc(head + sizeof(*first) + cap + len + 1);
	if (p == NULL) {
		set_error(0, err_offset, errbuf, "out of memory");
		return NULL;
	}
	first = (struct pat_chunk *)((unsigned char *)p + head);
	first->next = NULL;
	first->cap = cap;
	first->used = 0;
	p->root = NULL;
	p->copy = (char *)first->data + cap;
	if (len > 0)
		memcpy(p->copy, text, len);
	p->copy[len] = '\0';
	p->len = (uint32_t)len;
	p->nodes = 0;
	p->chunk = first;

	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.lx.src = text;
	ps.lx.len = (uint32_t)len;
	ps.lx.copy = p->copy;
	ps.lx.errbuf = errbuf;
	if (advance(&ps) != ENT_OK)
		goto out_fail;
	if (ps.tok.type == T_EOF) {
		pat_error(&ps.lx, ps.tok.start, "empty pattern");
		goto out_fail;
	}
	if ((p->root = parse_obs_fb(&ps)) == NULL)
		goto out_fail;
	if (ps.tok.type != T_EOF) {
		expected(&ps, "AND, OR, FOLLOWEDBY, a qualifier or end of pattern");
		goto out_fail;
	}
	return p;

out_fail:
	if (err_offset != NULL)
		*err_offset = ps.lx.err_off;
	ent_pattern_free(p);
	return NULL;
}

void ent_pattern_free(struct ent_pattern *p)
{
	struct pat_chunk *c, *next;
	struct pat_chunk *inline_chunk;

	if (p == NULL)
		return;
	inline_chunk =
	    (struct pat_chunk *)((unsigned char *)p + round_up(sizeof(*p), sizeof(max_align_t)));
	for (c = p->chunk; c != NULL && c != inline_chunk; c = next) {
		next = c->next;
		free(c);
	}
	free(p);
}

const char *pat_op_name(enum pat_op op)
{
	static const char *const names[] = {
	    [PO_EQ] = "=",
	    [PO_NEQ] = "!=",
	    [PO_LT] = "<",
	    [PO_LE] = "<=",
	    [PO_GT] = ">",
	    [PO_GE] = ">=",
	    [PO_IN] = "IN",
	    [PO_LIKE] = "LIKE",
	    [PO_MATCHES] = "MATCHES",
	    [PO_ISSUBSET] = "ISSUBSET",
	    [PO_ISSUPERSET] = "ISSUPERSET",
	    [PO_EXISTS] = "EXISTS",
	};

	return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}
