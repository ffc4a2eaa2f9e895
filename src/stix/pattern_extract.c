/*
 * pattern_extract.c - the sensor-matchable observables of a STIX pattern.
 *
 * A sensor sees one packet or one flow at a time and knows nothing of
 * time windows, so it can act on a pattern only when every way the pattern
 * can match is "this one value was seen": an OR of observation expressions
 * without qualifiers, each an OR of `path = 'string'` or
 * `path IN ('a', 'b')` on a supported path (table below). Anything else
 * is refused as a whole, with a short stable reason, never trimmed to the
 * part that fits: dropping the AND half of "A AND B" would alert on A alone.
 *
 *   path                                              kind
 *   ipv4-addr:value / ipv6-addr:value                 IPV4 / IPV6
 *   domain-name:value, url:value, email-addr:value    DOMAIN, URL, EMAIL
 *   file:hashes.MD5|'SHA-1'|SHA1|'SHA-256'|SHA256     MD5, SHA1, SHA256
 *   x509-certificate:hashes.(same names)              X509_MD5/SHA1/SHA256
 *   email-message:from_ref.value, sender_ref.value,   EMAIL
 *     to_refs[*].value, cc_refs[*].value, bcc_refs[*].value
 *   network-traffic:src_ref.value, dst_ref.value      IPV4 if the value is
 *                                                     dotted digits, IPV6 if
 *                                                     it has ':', else DOMAIN
 *   x-tls-fingerprint:ja3 / :ja4, and                 JA3 / JA4
 *   network-traffic:extensions.'x-tls-fingerprint'.ja3 / .ja4
 *
 * Hash names compare case-insensitively (apt1.json writes hashes.md5).
 * Values are returned as written (unescaped), for the importer to
 * normalize with core/observable.h.
 */
#include "stix/pattern_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A pseudo-kind: network-traffic src_ref/dst_ref, decided per value. */
#define KIND_ADDR_OR_DOMAIN ENT_OBS_KIND_COUNT

struct extract {
	struct ent_pattern_obs *out;
	size_t max;
	size_t n;
	char *reason;
	size_t reasonsz;
};

static bool refuse(struct extract *ex, const char *fmt, ...) ENT_PRINTF(2, 3);

static bool refuse(struct extract *ex, const char *fmt, ...)
{
	va_list ap;

	if (ex->reason != NULL && ex->reasonsz > 0) {
		va_start(ap, fmt);
		vsnprintf(ex->reason, ex->reasonsz, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool key_is(const struct pat_step *st, const char *name)
{
	size_t n = strlen(name);

	return st != NULL && st->kind == PS_KEY && st->len == n && memcmp(st->name, name, n) == 0;
}

static bool key_is_nocase(const struct pat_step *st, const char *name)
{
	size_t n = strlen(name);

	return st != NULL && st->kind == PS_KEY && st->len == n &&
	       strncasecmp(st->name, name, n) == 0;
}

/* The hash kind of the last step of "<type>:hashes.<name>". */
static enum ent_obs_kind hash_kind(const struct pat_step *st, bool x509)
{
	if (st == NULL || st->next != NULL)
		return ENT_OBS_NONE;
	if (key_is_nocase(st, "MD5"))
		return x509 ? ENT_OBS_X509_MD5 : ENT_OBS_MD5;
	if (key_is_nocase(st, "SHA-1") || key_is_nocase(st, "SHA1"))
		return x509 ? ENT_OBS_X509_SHA1 : ENT_OBS_SHA1;
	if (key_is_nocase(st, "SHA-256") || key_is_nocase(st, "SHA256"))
		return x509 ? ENT_OBS_X509_SHA256 : ENT_OBS_SHA256;
	return ENT_OBS_NONE;
}

static bool type_is(const struct pat_path *p, const char *type)
{
	size_t n = strlen(type);

	return p->type_len == n && memcmp(p->type, type, n) == 0;
}

/* "<name>.value" with nothing after. */
static bool ref_value(const struct pat_step *s1, const char *name)
{
	return key_is(s1, name) && key_is(s1->next, "value") && s1->next->next == NULL;
}

/* "<name>[*].value" with nothing after. */
static bool refs_value(const struct pat_step *s1, const char *name)
{
	const struct pat_step *s2 = s1 != NULL ? s1->next : NULL;

	return key_is(s1, name) && s2 != NULL && s2->kind == PS_ANY && key_is(s2->next, "value") &&
	       s2->next->next == NULL;
}

static enum ent_obs_kind ja_kind(const struct pat_step *st)
{
	if (st == NULL || st->next != NULL)
		return ENT_OBS_NONE;
	if (key_is(st, "ja3"))
		return ENT_OBS_JA3;
	if (key_is(st, "ja4"))
		return ENT_OBS_JA4;
	return ENT_OBS_NONE;
}

static int path_kind(const struct pat_path *p)
{
	const struct pat_step *s1 = p->steps;
	bool only_value = key_is(s1, "value") && s1->next == NULL;

	if (type_is(p, "ipv4-addr"))
		return only_value ? ENT_OBS_IPV4 : ENT_OBS_NONE;
	if (type_is(p, "ipv6-addr"))
		return only_value ? ENT_OBS_IPV6 : ENT_OBS_NONE;
	if (type_is(p, "domain-name"))
		return only_value ? ENT_OBS_DOMAIN : ENT_OBS_NONE;
	if (type_is(p, "url"))
		return only_value ? ENT_OBS_URL : ENT_OBS_NONE;
	if (type_is(p, "email-addr"))
		return only_value ? ENT_OBS_EMAIL : ENT_OBS_NONE;
	if (type_is(p, "file") || type_is(p, "x509-certificate"))
		return key_is(s1, "hashes") ? hash_kind(s1->next, type_is(p, "x509-certificate"))
		                            : ENT_OBS_NONE;
	if (type_is(p, "email-message"))
		return ref_value(s1, "from_ref") || ref_value(s1, "sender_ref") ||
		               refs_value(s1, "to_refs") || refs_value(s1, "cc_refs") ||
		               refs_value(s1, "bcc_refs")
		           ? ENT_OBS_EMAIL
		           : ENT_OBS_NONE;
	if (type_is(p, "network-traffic")) {
		if (ref_value(s1, "src_ref") || ref_value(s1, "dst_ref"))
			return KIND_ADDR_OR_DOMAIN;
		if (key_is(s1, "extensions") && key_is(s1->next, "x-tls-fingerprint"))
			return ja_kind(s1->next->next);
		return ENT_OBS_NONE;
	}
	if (type_is(p, "x-tls-fingerprint"))
		return ja_kind(s1);
	return ENT_OBS_NONE;
}

/* network-traffic:*_ref.value may be either address family or a domain. */
static enum ent_obs_kind addr_kind(const char *v, size_t n)
{
	size_t dots = 0;

	if (memchr(v, ':', n) != NULL)
		return ENT_OBS_IPV6;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '.')
			dots++;
		else if ((v[i] < '0' || v[i] > '9') && v[i] != '/')
			return ENT_OBS_DOMAIN;
	}
	return dots == 3 ? ENT_OBS_IPV4 : ENT_OBS_DOMAIN;
}

static bool add(struct extract *ex, int kind, const struct pat_lit *l)
{
	if (l->type != PL_STRING)
		return refuse(ex, "non-string literal");
	if (ex->n >= ex->max)
		return refuse(ex, "more than %zu observables", ex->max);
	ex->out[ex->n].kind =
	    kind == KIND_ADDR_OR_DOMAIN ? addr_kind(l->text, l->len) : (enum ent_obs_kind)kind;
	ex->out[ex->n].value = l->text;
	ex->out[ex->n].len = l->len;
	ex->n++;
	return true;
}

static bool walk_test(struct extract *ex, const struct pat_node *n)
{
	int kind;

	if (n->u.test.negated)
		return refuse(ex, "negated comparison");
	if (n->u.test.op != PO_EQ && n->u.test.op != PO_IN)
		return refuse(ex, "operator %s", pat_op_name(n->u.test.op));
	kind = path_kind(&n->u.test.path);
	if (kind == ENT_OBS_NONE) {
		struct ent_buf b;
		bool r;

		/* the reason buffer bounds what is worth printing; a longer
		 * path is cut where it stopped fitting */
		ent_buf_init(&b, ex->reasonsz > 0 ? ex->reasonsz : 1);
		if (pat_format_path(&n->u.test.path, &b) != ENT_OK && b.data == NULL)
			r = refuse(ex, "unsupported object path");
		else
			r = refuse(ex, "unsupported object path %s", b.data);
		ent_buf_free(&b);
		return r;
	}
	if (n->u.test.op == PO_EQ)
		return add(ex, kind, n->u.test.lit);
	for (const struct pat_lit *l = n->u.test.lit->set; l != NULL; l = l->next)
		if (!add(ex, kind, l))
			return false;
	return true;
}

static bool walk_cmp(struct extract *ex, const struct pat_node *n)
{
	switch (n->kind) {
	case PN_CMP_OR:
		for (const struct pat_node *c = n->u.first; c != NULL; c = c->next)
			if (!walk_cmp(ex, c))
				return false;
		return true;
	case PN_CMP_AND:
		return refuse(ex, "AND of comparisons");
	case PN_CMP_TEST:
		return walk_test(ex, n);
	default:
		return refuse(ex, "internal error: unexpected node");
	}
}

static bool walk_obs(struct extract *ex, const struct pat_node *n)
{
	switch (n->kind) {
	case PN_OBS_OR:
		for (const struct pat_node *c = n->u.first; c != NULL; c = c->next)
			if (!walk_obs(ex, c))
				return false;
		return true;
	case PN_OBS_AND:
		return refuse(ex, "AND across observations");
	case PN_OBS_FOLLOWEDBY:
		return refuse(ex, "FOLLOWEDBY");
	case PN_QUAL_WITHIN:
		return refuse(ex, "qualifier WITHIN");
	case PN_QUAL_REPEATS:
		return refuse(ex, "qualifier REPEATS");
	case PN_QUAL_STARTSTOP:
		return refuse(ex, "qualifier START/STOP");
	case PN_OBS_SIMPLE:
		return walk_cmp(ex, n->u.child);
	default:
		return refuse(ex, "internal error: unexpected node");
	}
}

size_t ent_pattern_observables(const struct ent_pattern *p, struct ent_pattern_obs *out, size_t max,
                               char *reason, size_t reasonsz)
{
	struct extract ex = {out, out != NULL ? max : 0, 0, reason, reasonsz};

	if (reason != NULL && reasonsz > 0)
		reason[0] = '\0';
	if (p == NULL || p->root == NULL) {
		refuse(&ex, "no pattern");
		return 0;
	}
	if (!walk_obs(&ex, p->root))
		return 0;
	if (ex.n == 0) {
		refuse(&ex, "no observables");
		return 0;
	}
	return ex.n;
}
