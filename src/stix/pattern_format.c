/*
 * pattern_format.c - the canonical text of a parsed STIX pattern.
 *
 * The output is built so that parsing it gives back the same tree, which
 * makes format a fixpoint: format(parse(format(x))) == format(x).
 *  - A list child is parenthesized when it binds no tighter than its
 *    parent (FOLLOWEDBY < OR < AND among observations, OR < AND among
 *    comparisons); a same-kind child exists only where the source had
 *    parentheses (pattern_int.h, invariant 2), so they come back.
 *  - A qualified list is parenthesized: "([a] OR [b]) WITHIN 5 SECONDS",
 *    and so is a qualified observation that had parentheses under another
 *    qualifier: "([a] REPEATS 2 TIMES) REPEATS 3 TIMES".
 *  - Property names are quoted only when they are not plain identifiers;
 *    strings escape ' and \ only; integers are printed from their value,
 *    floats, hex, binary and timestamps from their (validated) text.
 */
#include "stix/pattern_int.h"

#include <inttypes.h>
#include <string.h>

static int put(struct ent_buf *out, const char *s)
{
	return ent_buf_puts(out, s);
}

static int put_n(struct ent_buf *out, const char *s, size_t n)
{
	return ent_buf_append(out, s, n);
}

static int put_quoted(struct ent_buf *out, const char *s, size_t n)
{
	size_t run = 0;
	int rc;

	if ((rc = put(out, "'")) != ENT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\'' && s[i] != '\\')
			continue;
		if ((rc = put_n(out, s + run, i - run)) != ENT_OK || (rc = put(out, "\\")) != 0)
			return rc;
		run = i; /* the quote or backslash itself goes out with the next run */
	}
	if ((rc = put_n(out, s + run, n - run)) != ENT_OK)
		return rc;
	return put(out, "'");
}

static int put_literal(struct ent_buf *out, const struct pat_lit *l)
{
	int rc;

	switch (l->type) {
	case PL_STRING:
		return put_quoted(out, l->text, l->len);
	case PL_INT:
		return ent_buf_printf(out, "%" PRId64, l->i);
	case PL_FLOAT:
		return put_n(out, l->text, l->len);
	case PL_BOOL:
		return put(out, l->i ? "true" : "false");
	case PL_HEX:
	case PL_BINARY:
	case PL_TIMESTAMP:
		if ((rc = put(out, l->type == PL_HEX      ? "h'"
		                   : l->type == PL_BINARY ? "b'"
		                                          : "t'")) != ENT_OK ||
		    (rc = put_n(out, l->text, l->len)) != ENT_OK)
			return rc;
		return put(out, "'");
	case PL_SET:
		if ((rc = put(out, "(")) != ENT_OK)
			return rc;
		for (const struct pat_lit *e = l->set; e != NULL; e = e->next) {
			if (e != l->set && (rc = put(out, ", ")) != ENT_OK)
				return rc;
			if ((rc = put_literal(out, e)) != ENT_OK)
				return rc;
		}
		return put(out, ")");
	default:
		return ENT_EINVAL;
	}
}

static int put_key(struct ent_buf *out, const struct pat_step *st)
{
	if (pat_is_plain_ident(st->name, st->len))
		return put_n(out, st->name, st->len);
	return put_quoted(out, st->name, st->len);
}

int pat_format_path(const struct pat_path *path, struct ent_buf *out)
{
	int rc;

	if ((rc = put_n(out, path->type, path->type_len)) != ENT_OK ||
	    (rc = put(out, ":")) != ENT_OK)
		return rc;
	for (const struct pat_step *st = path->steps; st != NULL; st = st->next) {
		if (st->kind == PS_KEY) {
			if (st != path->steps && (rc = put(out, ".")) != ENT_OK)
				return rc;
			rc = put_key(out, st);
		} else if (st->kind == PS_INDEX) {
			rc = ent_buf_printf(out, "[%" PRId64 "]", st->index);
		} else {
			rc = put(out, "[*]");
		}
		if (rc != ENT_OK)
			return rc;
	}
	return ENT_OK;
}

static bool is_list(const struct pat_node *n)
{
	return n->kind == PN_OBS_FOLLOWEDBY || n->kind == PN_OBS_OR || n->kind == PN_OBS_AND ||
	       n->kind == PN_CMP_OR || n->kind == PN_CMP_AND;
}

static bool is_qualified(const struct pat_node *n)
{
	return n->kind == PN_QUAL_WITHIN || n->kind == PN_QUAL_REPEATS ||
	       n->kind == PN_QUAL_STARTSTOP;
}

/* How tightly a node binds; atoms (tests, simple and qualified
 * observations) bind tightest. */
static int binding(const struct pat_node *n)
{
	switch (n->kind) {
	case PN_OBS_FOLLOWEDBY:
	case PN_CMP_OR:
		return 1;
	case PN_OBS_OR:
	case PN_CMP_AND:
		return 2;
	case PN_OBS_AND:
		return 3;
	default:
		return 4;
	}
}

static int put_node(struct ent_buf *out, const struct pat_node *n);

static int put_operand(struct ent_buf *out, const struct pat_node *n, bool paren)
{
	int rc;

	if (!paren)
		return put_node(out, n);
	if ((rc = put(out, "(")) != ENT_OK || (rc = put_node(out, n)) != ENT_OK)
		return rc;
	return put(out, ")");
}

static int put_node(struct ent_buf *out, const struct pat_node *n)
{
	const struct pat_node *c;
	const char *sep;
	int rc;

	switch (n->kind) {
	case PN_OBS_FOLLOWEDBY:
	case PN_OBS_OR:
	case PN_OBS_AND:
	case PN_CMP_OR:
	case PN_CMP_AND:
		sep = n->kind == PN_OBS_FOLLOWEDBY                   ? " FOLLOWEDBY "
		      : n->kind == PN_OBS_OR || n->kind == PN_CMP_OR ? " OR "
		                                                     : " AND ";
		for (c = n->u.first; c != NULL; c = c->next) {
			if (c != n->u.first && (rc = put(out, sep)) != ENT_OK)
				return rc;
			if ((rc = put_operand(out, c, binding(c) <= binding(n))) != ENT_OK)
				return rc;
		}
		return ENT_OK;
	case PN_OBS_SIMPLE:
		if ((rc = put(out, "[")) != ENT_OK || (rc = put_node(out, n->u.child)) != ENT_OK)
			return rc;
		return put(out, "]");
	case PN_QUAL_WITHIN:
	case PN_QUAL_REPEATS:
	case PN_QUAL_STARTSTOP:
		c = n->u.qual.child;
		if ((rc = put_operand(out, c, is_list(c) || (is_qualified(c) && c->paren))) !=
		    ENT_OK)
			return rc;
		if (n->kind == PN_QUAL_WITHIN) {
			if ((rc = put(out, " WITHIN ")) != ENT_OK ||
			    (rc = put_literal(out, n->u.qual.a)) != ENT_OK)
				return rc;
			return put(out, " SECONDS");
		}
		if (n->kind == PN_QUAL_REPEATS) {
			if ((rc = put(out, " REPEATS ")) != ENT_OK ||
			    (rc = put_literal(out, n->u.qual.a)) != ENT_OK)
				return rc;
			return put(out, " TIMES");
		}
		if ((rc = put(out, " START ")) != ENT_OK ||
		    (rc = put_literal(out, n->u.qual.a)) != ENT_OK ||
		    (rc = put(out, " STOP ")) != ENT_OK)
			return rc;
		return put_literal(out, n->u.qual.b);
	case PN_CMP_TEST:
		if (n->u.test.op == PO_EXISTS) {
			if ((rc = put(out, n->u.test.negated ? "NOT EXISTS " : "EXISTS ")) !=
			    ENT_OK)
				return rc;
			return pat_format_path(&n->u.test.path, out);
		}
		if ((rc = pat_format_path(&n->u.test.path, out)) != ENT_OK ||
		    (rc = put(out, n->u.test.negated ? " NOT " : " ")) != ENT_OK ||
		    (rc = put(out, pat_op_name(n->u.test.op))) != ENT_OK ||
		    (rc = put(out, " ")) != ENT_OK)
			return rc;
		return put_literal(out, n->u.test.lit);
	default:
		return ENT_EINVAL;
	}
}

int ent_pattern_format(const struct ent_pattern *p, struct ent_buf *out)
{
	if (p == NULL || p->root == NULL)
		return ENT_EINVAL;
	return put_node(out, p->root);
}
