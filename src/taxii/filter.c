/*
 * filter.c - the URL filtering parameters of TAXII 2.1 (section 3.4):
 * added_after, limit, next, match[id], match[type], match[version],
 * match[spec_version]. Malformed or repeated parameters get 400 (3.4);
 * match fields the server does not know are ignored, as 3.4.1 allows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "taxii/taxii_int.h"

struct parse {
	struct taxii_call *c;
	unsigned allowed, seen;
	struct ent_taxii_filter *f;
	char *scratch;
	size_t scratch_len, used;
	bool *spec_none;
	char error[160];
};

/* Copies value into the scratch space and splits it at commas into out. */
static bool split(struct parse *p, const char *key, const char *value, const char **out, size_t max,
                  size_t *n)
{
	size_t len = strlen(value);
	char *s, *save = NULL;

	if (p->used + len + 1 > p->scratch_len) {
		snprintf(p->error, sizeof(p->error), "%s is too long", key);
		return false;
	}
	s = p->scratch + p->used;
	memcpy(s, value, len + 1);
	p->used += len + 1;
	*n = 0;
	if (len == 0 || value[0] == ',' || value[len - 1] == ',' || strstr(value, ",,") != NULL) {
		snprintf(p->error, sizeof(p->error), "%s has an empty value", key);
		return false;
	}
	for (char *w = strtok_r(s, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		if (*n == max) {
			snprintf(p->error, sizeof(p->error), "%s has more than %zu values", key,
			         max);
			return false;
		}
		out[(*n)++] = w;
	}
	return true;
}

static bool parse_next(struct parse *p, const char *v)
{
	char *end;
	long long a, b;

	a = strtoll(v, &end, 10);
	if (end == v || *end != '.' || a < 0)
		return false;
	b = strtoll(end + 1, &end, 10);
	if (*end != '\0' || b < a)
		return false;
	p->f->after_seq = a;
	p->f->ceiling = b;
	return true;
}

static bool parse_versions(struct parse *p, const char *v)
{
	const char *vals[ENT_TAXII_MAX_MATCH];
	size_t n;

	if (!split(p, "match[version]", v, vals, ENT_TAXII_MAX_MATCH, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		int64_t ms;

		if (strcmp(vals[i], "last") == 0) {
			p->f->versions |= ENT_TAXII_V_LAST;
		} else if (strcmp(vals[i], "first") == 0) {
			p->f->versions |= ENT_TAXII_V_FIRST;
		} else if (strcmp(vals[i], "all") == 0) {
			if (n != 1) {
				snprintf(
				    p->error, sizeof(p->error),
				    "match[version]: all cannot be combined with other values");
				return false;
			}
			p->f->versions |= ENT_TAXII_V_ALL;
		} else if (ent_time_parse(vals[i], strlen(vals[i]), &ms) == ENT_OK) {
			p->f->at[p->f->n_at++] = ms;
		} else {
			snprintf(p->error, sizeof(p->error),
			         "match[version]: '%.60s' is not first, last, all or a timestamp",
			         vals[i]);
			return false;
		}
	}
	return true;
}

static bool parse_one(struct parse *p, const char *key, const char *value)
{
	static const struct {
		const char *key;
		unsigned bit;
	} known[] = {
	    {"added_after", TAXII_Q_ADDED_AFTER},
	    {"limit", TAXII_Q_LIMIT},
	    {"next", TAXII_Q_NEXT},
	    {"match[id]", TAXII_Q_ID},
	    {"match[type]", TAXII_Q_TYPE},
	    {"match[version]", TAXII_Q_VERSION},
	    {"match[spec_version]", TAXII_Q_SPEC_VERSION},
	};
	unsigned bit = 0;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(key, known[i].key) == 0)
			bit = known[i].bit;
	if (bit == 0 || !(p->allowed & bit))
		return true; /* not a filter of this endpoint: ignored (3.4.1) */
	if (p->seen & bit) {
		snprintf(p->error, sizeof(p->error), "%s is given more than once", key);
		return false;
	}
	p->seen |= bit;
	switch (bit) {
	case TAXII_Q_ADDED_AFTER:
		if (ent_time_parse_us(value, strlen(value), &p->f->added_after) != ENT_OK) {
			snprintf(p->error, sizeof(p->error), "added_after is not a timestamp");
			return false;
		}
		return true;
	case TAXII_Q_LIMIT: {
		char *end;
		long long n = strtoll(value, &end, 10);

		if (end == value || *end != '\0' || n < 1) {
			snprintf(p->error, sizeof(p->error), "limit must be a positive integer");
			return false;
		}
		/* the server may give fewer than asked (3.4.2) */
		p->f->limit = (unsigned long long)n < p->c->t->opts.max_page
		                  ? (size_t)n
		                  : p->c->t->opts.max_page;
		return true;
	}
	case TAXII_Q_NEXT:
		if (!parse_next(p, value)) {
			snprintf(p->error, sizeof(p->error),
			         "next is not a token this server gave");
			return false;
		}
		return true;
	case TAXII_Q_ID:
		return split(p, key, value, p->f->ids, ENT_TAXII_MAX_MATCH, &p->f->n_ids);
	case TAXII_Q_TYPE:
		return split(p, key, value, p->f->types, ENT_TAXII_MAX_MATCH, &p->f->n_types);
	case TAXII_Q_VERSION:
		return parse_versions(p, value);
	case TAXII_Q_SPEC_VERSION: {
		const char *vals[8];
		size_t n;

		if (!split(p, key, value, vals, 8, &n))
			return false;
		*p->spec_none = true;
		for (size_t i = 0; i < n; i++)
			if (strcmp(vals[i], "2.1") == 0)
				*p->spec_none = false;
		return true;
	}
	}
	return true;
}

static void each_arg(void *ctx, const char *key, const char *value)
{
	struct parse *p = ctx;

	if (p->error[0] == '\0' && !parse_one(p, key, value != NULL ? value : "") &&
	    p->error[0] == '\0')
		snprintf(p->error, sizeof(p->error), "%s is malformed", key);
}

bool taxii_parse_filter(struct taxii_call *c, unsigned allowed, struct ent_taxii_filter *f,
                        char *scratch, size_t scratch_len, bool *spec_none)
{
	struct parse p = {
	    .c = c,
	    .allowed = allowed,
	    .f = f,
	    .scratch = scratch,
	    .scratch_len = scratch_len,
	    .spec_none = spec_none,
	};

	*spec_none = false;
	ent_http_query_each(c->req, each_arg, &p);
	if (p.error[0] != '\0') {
		taxii_error(c, 400, "Bad filter parameter", p.error);
		return false;
	}
	return true;
}
