/*
 * collections.c - the [collections] section, and who may use each one.
 */
#include "taxii/collections.h"

#include <stdio.h>
#include <string.h>

#include "core/uuid.h"

/* The namespace of collection ids (a UUIDv5 of the node identity + name). */
#define COLLECTION_NS "6f1f4c52-5b39-4b6e-9f2c-2f0f3c1d7a11"

static const char *const defaults[][2] = {
    {"public", "tlp:clear read:* write:-"},
    {"community", "tlp:green read:community,partners write:-"},
    {"partners", "tlp:amber read:partners write:-"},
    {"inbox", "read:- write:*"},
};

static bool groups_ok(const char *g)
{
	if (strcmp(g, "*") == 0 || strcmp(g, "-") == 0)
		return true;
	if (*g == '\0' || *g == ',')
		return false;
	for (; *g != '\0'; g++)
		if (!((*g >= 'a' && *g <= 'z') || (*g >= 'A' && *g <= 'Z') ||
		      (*g >= '0' && *g <= '9') || *g == '_' || *g == '-' ||
		      (*g == ',' && g[1] != ',' && g[1] != '\0')))
			return false;
	return true;
}

static int parse_one(struct ent_taxii_collection *c, const char *name, const char *spec,
                     const char *identity_id, enum ent_tlp default_tlp, char *errbuf)
{
	char buf[600], *save = NULL;
	bool has_read = false, has_write = false;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (strlen(spec) >= sizeof(buf))
		return ent_errf(errbuf, ENT_EINVAL, "collections.%s: too long", name);
	strcpy(buf, spec);
	for (char *w = strtok_r(buf, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (strncmp(w, "tlp:", 4) == 0) {
			c->max_tlp = ent_tlp_parse(w + 4);
			if (c->max_tlp == ENT_TLP_NONE || c->max_tlp > ENT_TLP_AMBER)
				return ent_errf(errbuf, ENT_EINVAL,
				                "collections.%s: '%s': a collection holds at most "
				                "tlp:clear, tlp:green or tlp:amber",
				                name, w);
		} else if (strncmp(w, "read:", 5) == 0 && groups_ok(w + 5) &&
		           strlen(w + 5) < sizeof(c->read)) {
			strcpy(c->read, w + 5);
			has_read = true;
		} else if (strncmp(w, "write:", 6) == 0 && groups_ok(w + 6) &&
		           strlen(w + 6) < sizeof(c->write)) {
			strcpy(c->write, w + 6);
			has_write = true;
		} else {
			return ent_errf(errbuf, ENT_EINVAL,
			                "collections.%s: '%s' is not tlp:LEVEL, read:GROUPS or "
			                "write:GROUPS",
			                name, w);
		}
	}
	if (!has_read || !has_write)
		return ent_errf(errbuf, ENT_EINVAL,
		                "collections.%s: needs both read: and write:", name);
	if (c->max_tlp != ENT_TLP_NONE && strcmp(c->write, "-") != 0)
		return ent_errf(
		    errbuf, ENT_EINVAL,
		    "collections.%s: a TLP view is read-only (write:-); peers write to an "
		    "inbox",
		    name);
	{
		char seed[256];
		int n = snprintf(seed, sizeof(seed), "%s/%s", identity_id, name);

		ent_uuid_v5(COLLECTION_NS, seed, (size_t)n, c->id);
	}
	if (c->max_tlp == ENT_TLP_NONE) {
		c->view.inbox = c->name;
	} else {
		size_t k = 0;

		for (enum ent_tlp t = ENT_TLP_CLEAR; t <= c->max_tlp; t++)
			c->view.tlps[k++] = ent_tlp_name(t);
		c->view.tlps[k] = NULL;
		c->view.unmarked = default_tlp != ENT_TLP_NONE && default_tlp <= c->max_tlp;
	}
	return ENT_OK;
}

struct load_ctx {
	struct ent_taxii_collections *out;
	const char *identity_id;
	enum ent_tlp default_tlp;
	int rc;
	char *errbuf;
};

static void load_one(void *vctx, const char *name, const char *spec)
{
	struct load_ctx *x = vctx;

	if (x->rc != ENT_OK)
		return;
	if (x->out->n == ENT_TAXII_MAX_COLLECTIONS) {
		x->rc = ent_errf(x->errbuf, ENT_ELIMIT, "more than %d collections",
		                 ENT_TAXII_MAX_COLLECTIONS);
		return;
	}
	x->rc =
	    parse_one(&x->out->c[x->out->n], name, spec, x->identity_id, x->default_tlp, x->errbuf);
	if (x->rc == ENT_OK)
		x->out->n++;
}

int ent_taxii_collections_load(const struct ent_config *cfg, const char *identity_id,
                               enum ent_tlp default_tlp, struct ent_taxii_collections *out,
                               char *errbuf)
{
	struct load_ctx x = {out, identity_id, default_tlp, ENT_OK, errbuf};

	out->n = 0;
	ent_config_foreach_in(cfg, "collections", load_one, &x);
	/* an empty section: the defaults */
	if (x.rc == ENT_OK && out->n == 0)
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			load_one(&x, defaults[i][0], defaults[i][1]);
	return x.rc;
}

const struct ent_taxii_collection *ent_taxii_collection_find(const struct ent_taxii_collections *cs,
                                                             const char *id)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].id, id) == 0)
			return &cs->c[i];
	return NULL;
}

/* Whether the comma-separated lists a and b share a name. */
static bool lists_meet(const char *a, const char *b)
{
	for (const char *p = a; *p != '\0';) {
		size_t len = strcspn(p, ",");

		for (const char *q = b; *q != '\0';) {
			size_t qlen = strcspn(q, ",");

			if (qlen == len && qlen > 0 && strncmp(p, q, len) == 0)
				return true;
			q += qlen + (q[qlen] == ',');
		}
		p += len + (p[len] == ',');
	}
	return false;
}

static bool allowed(const char *groups, const struct ent_http_principal *who)
{
	if (who == NULL || strcmp(groups, "-") == 0)
		return false;
	return strcmp(groups, "*") == 0 || lists_meet(groups, who->groups);
}

bool ent_taxii_can_read(const struct ent_taxii_collection *c, const struct ent_http_principal *who)
{
	return allowed(c->read, who);
}

bool ent_taxii_can_write(const struct ent_taxii_collection *c, const struct ent_http_principal *who)
{
	return allowed(c->write, who);
}
