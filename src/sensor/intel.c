/* intel.c - compiling the store's active indicators for a scan (see intel.h). */
#include "sensor/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INDICATORS 50000000

struct load_ctx {
	struct ent_intel *in;
	struct ent_matcher_builder *b;
	const struct ent_intel_policy *policy;
	size_t cap;
	char current[128];  /* the indicator whose rows are coming */
	bool current_added; /* it has an entry (some observable passed) */
	char *errbuf;
};

static char *dup_opt(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int add_indicator(struct load_ctx *c, const struct ent_store_active_obs *o, int confidence)
{
	struct ent_intel *in = c->in;
	struct ent_intel_indicator *ind;

	if (in->n_ind == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		void *p;

		if (cap > MAX_INDICATORS)
			return ent_errf(c->errbuf, ENT_ELIMIT, "more than %d active indicators",
			                MAX_INDICATORS);
		p = realloc(in->ind, cap * sizeof(*in->ind));
		if (p == NULL)
			return ent_errf(c->errbuf, ENT_ENOMEM, "out of memory");
		in->ind = p;
		c->cap = cap;
	}
	ind = &in->ind[in->n_ind];
	ind->stix_id = strdup(o->stix_id);
	ind->name = dup_opt(o->name);
	ind->source = strdup(o->source ? o->source : "-");
	ind->created_by_ref = dup_opt(o->created_by_ref);
	ind->tlp = dup_opt(o->tlp);
	ind->confidence = confidence;
	in->n_ind++;
	if (ind->stix_id == NULL || ind->source == NULL)
		return ent_errf(c->errbuf, ENT_ENOMEM, "out of memory");
	return ENT_OK;
}

static int on_obs(void *vctx, const struct ent_store_active_obs *o)
{
	struct load_ctx *c = vctx;
	struct ent_intel *in = c->in;
	unsigned flags = 0;
	int rc;

	int conf = o->confidence, min = c->policy->min_confidence;
	const struct ent_policy *p = c->policy->policy;

	/* rows come grouped by indicator */
	if (strncmp(c->current, o->stix_id, sizeof(c->current)) != 0) {
		if (c->current[0] != '\0' && !c->current_added)
			in->skipped_confidence++;
		snprintf(c->current, sizeof(c->current), "%s", o->stix_id);
		c->current_added = false;
	}
	if (p != NULL) {
		/* belief fades with the age of what we hold, per kind */
		conf = ent_policy_decay(conf >= 0 ? conf : p->unknown_confidence,
		                        (c->policy->now_ms - o->version_ms) / 1000,
		                        p->half_life_s[o->kind]);
		min = p->min_confidence_alert;
	} else if (conf < 0) {
		conf = 100;
	}
	if (conf < min)
		return 0;
	if (!c->current_added) {
		rc = add_indicator(c, o, p != NULL || o->confidence >= 0 ? conf : -1);
		if (rc != ENT_OK)
			return rc;
		c->current_added = true;
	}
	if (o->kind == ENT_OBS_DOMAIN && c->policy->subdomains)
		flags |= ENT_MATCH_SUBDOMAINS;
	rc = ent_matcher_builder_add(c->b, o->kind, o->value, strlen(o->value),
	                             (uint32_t)(in->n_ind - 1), flags);
	if (rc != ENT_OK)
		return ent_errf(c->errbuf, rc, "compiling %s %s: %s", ent_obs_kind_name(o->kind),
		                o->value, ent_strerror(rc));
	in->n_obs++;
	return 0;
}

int ent_intel_load(struct ent_store *s, const struct ent_intel_policy *policy,
                   struct ent_intel **out, char *errbuf)
{
	struct ent_intel *in = calloc(1, sizeof(*in));
	struct load_ctx c = {.in = in, .policy = policy, .errbuf = errbuf};
	int rc;

	*out = NULL;
	if (in == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	c.b = ent_matcher_builder_new(MAX_INDICATORS);
	if (c.b == NULL) {
		free(in);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	rc = ent_store_active_observables_foreach(s, policy->now_ms, on_obs, &c, errbuf);
	if (rc == ENT_OK && c.current[0] != '\0' && !c.current_added)
		in->skipped_confidence++;
	if (rc != ENT_OK) {
		ent_matcher_builder_free(c.b);
		ent_intel_free(in);
		return rc;
	}
	in->min_confidence =
	    policy->policy != NULL ? policy->policy->min_confidence_alert : policy->min_confidence;
	in->matcher = ent_matcher_build(c.b, errbuf); /* consumes the builder */
	if (in->matcher == NULL) {
		ent_intel_free(in);
		return ENT_ENOMEM;
	}
	*out = in;
	return ENT_OK;
}

void ent_intel_free(struct ent_intel *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < in->n_ind; i++) {
		free(in->ind[i].stix_id);
		free(in->ind[i].name);
		free(in->ind[i].source);
		free(in->ind[i].created_by_ref);
		free(in->ind[i].tlp);
	}
	free(in->ind);
	ent_matcher_free(in->matcher);
	free(in);
}
