/*
 * compile.c - turns a builder into an immutable matcher.
 *
 * Draws the matcher's random hash keys, hashes every input key and builds
 * each table (fixtab.c, strtab.c, lpm4.c, lpm6.c) from the builder's arrays,
 * freeing each input as soon as its table is built to keep the peak low.
 * A domain entry present both exactly and with subdomains under the same ref
 * is kept only with subdomains (one entry, returned once).
 * After ent_matcher_build returns, nothing writes to the matcher until
 * ent_matcher_free: threads may share it without locks.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

static const enum ent_obs_kind fix_kind[ENT_MATCH_FIX_COUNT] = {
    [ENT_MATCH_FIX_IP4] = ENT_OBS_IPV4,
    [ENT_MATCH_FIX_IP6] = ENT_OBS_IPV6,
    [ENT_MATCH_FIX_MD5] = ENT_OBS_MD5,
    [ENT_MATCH_FIX_SHA1] = ENT_OBS_SHA1,
    [ENT_MATCH_FIX_SHA256] = ENT_OBS_SHA256,
    [ENT_MATCH_FIX_JA3] = ENT_OBS_JA3,
    [ENT_MATCH_FIX_X509_MD5] = ENT_OBS_X509_MD5,
    [ENT_MATCH_FIX_X509_SHA1] = ENT_OBS_X509_SHA1,
    [ENT_MATCH_FIX_X509_SHA256] = ENT_OBS_X509_SHA256,
};

static const uint32_t fix_width[ENT_MATCH_FIX_COUNT] = {
    [ENT_MATCH_FIX_IP4] = 4,       [ENT_MATCH_FIX_IP6] = 16,       [ENT_MATCH_FIX_MD5] = 16,
    [ENT_MATCH_FIX_SHA1] = 20,     [ENT_MATCH_FIX_SHA256] = 32,    [ENT_MATCH_FIX_JA3] = 16,
    [ENT_MATCH_FIX_X509_MD5] = 16, [ENT_MATCH_FIX_X509_SHA1] = 20, [ENT_MATCH_FIX_X509_SHA256] = 32,
};

static const enum ent_obs_kind str_kind[ENT_MATCH_STR_COUNT] = {
    [ENT_MATCH_STR_DOMAIN] = ENT_OBS_DOMAIN, [ENT_MATCH_STR_DOMAIN_SUB] = ENT_OBS_DOMAIN,
    [ENT_MATCH_STR_URL] = ENT_OBS_URL,       [ENT_MATCH_STR_EMAIL] = ENT_OBS_EMAIL,
    [ENT_MATCH_STR_JA4] = ENT_OBS_JA4,
};

static int build_fixed(struct ent_matcher *m, struct ent_matcher_builder *b, int id, char *errbuf)
{
	struct ent_match_fixin *f = &b->fix[id];
	uint32_t w = fix_width[id];
	uint64_t *h = NULL;
	int ret;

	if (f->n > 0) {
		h = malloc(f->n * sizeof *h);
		if (h == NULL)
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory hashing %zu keys", f->n);
	}
	for (size_t i = 0; i < f->n; i++) {
		if (id == ENT_MATCH_FIX_IP4) {
			uint32_t a;
			memcpy(&a, f->keys + i * 4, 4);
			h[i] = ent_match_hash_ip4(&m->keys, a);
		} else {
			h[i] = ent_match_hash_bytes(&m->keys, f->keys + i * w, w);
		}
	}
	ret = ent_fixtab_build(&m->fix[id], w, f->keys, f->refs, h, f->n, errbuf);
	free(h);
	free(f->keys);
	free(f->refs);
	memset(f, 0, sizeof *f);
	return ret;
}

static int build_string(struct ent_matcher *m, struct ent_matcher_builder *b, int id, char *errbuf)
{
	struct ent_match_strin *s = &b->str[id];
	uint64_t *h = NULL;
	int ret;

	if (s->n > 0) {
		h = malloc(s->n * sizeof *h);
		if (h == NULL)
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory hashing %zu strings",
			                s->n);
	}
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct ent_strtab_rec *r = &s->recs[i];
		const char *v = b->arena + r->off;
		uint64_t hv;
		if (id == ENT_MATCH_STR_DOMAIN || id == ENT_MATCH_STR_DOMAIN_SUB)
			hv = ent_match_hash_domain_full(&m->keys, v, r->len);
		else
			hv = ent_match_hash_bytes(&m->keys, v, r->len);
		if (id == ENT_MATCH_STR_DOMAIN) {
			/* exact + subdomains under one ref: the subdomain entry covers it */
			uint32_t c =
			    ent_strtab_find(&m->str[ENT_MATCH_STR_DOMAIN_SUB], v, r->len, hv);
			if (c != ENT_MATCH_NONE &&
			    ent_match_code_has(c, m->str[ENT_MATCH_STR_DOMAIN_SUB].multi, r->ref))
				continue;
		}
		s->recs[k] = *r;
		h[k++] = hv;
	}
	ret = ent_strtab_build(&m->str[id], b->arena, s->recs, h, k, errbuf);
	free(h);
	free(s->recs);
	memset(s, 0, sizeof *s);
	return ret;
}

struct ent_matcher *ent_matcher_build(struct ent_matcher_builder *b, char *errbuf)
{
	struct ent_matcher *m = NULL;
	int ret;

	if (b == NULL) {
		ent_errf(errbuf, ENT_EINVAL, "no matcher builder");
		return NULL;
	}
	m = calloc(1, sizeof *m);
	if (m == NULL) {
		ent_errf(errbuf, ENT_ENOMEM, "out of memory allocating the matcher");
		goto out;
	}
	if (ent_match_keys_init(&m->keys) < 0) {
		ent_errf(errbuf, ENT_EIO, "libsodium failed to initialize");
		goto out_free_m;
	}
	for (int id = 0; id < ENT_MATCH_FIX_COUNT; id++) {
		ret = build_fixed(m, b, id, errbuf);
		if (ret < 0)
			goto out_free_m;
	}
	ret = ent_lpm4_build(&m->net4, b->net4, b->nnet4, errbuf);
	if (ret < 0)
		goto out_free_m;
	ret = ent_lpm6_build(&m->net6, b->net6, b->nnet6, errbuf);
	if (ret < 0)
		goto out_free_m;
	/* the subdomain table first: the exact one is filtered against it */
	static const int str_order[ENT_MATCH_STR_COUNT] = {ENT_MATCH_STR_DOMAIN_SUB,
	                                                   ENT_MATCH_STR_DOMAIN, ENT_MATCH_STR_URL,
	                                                   ENT_MATCH_STR_EMAIL, ENT_MATCH_STR_JA4};
	for (int i = 0; i < ENT_MATCH_STR_COUNT; i++) {
		ret = build_string(m, b, str_order[i], errbuf);
		if (ret < 0)
			goto out_free_m;
	}

	m->memory = sizeof *m;
	for (int id = 0; id < ENT_MATCH_FIX_COUNT; id++) {
		m->kind_count[fix_kind[id]] += m->fix[id].nentries;
		m->memory += ent_fixtab_memory(&m->fix[id]);
	}
	for (int id = 0; id < ENT_MATCH_STR_COUNT; id++) {
		m->kind_count[str_kind[id]] += m->str[id].nentries;
		m->memory += ent_strtab_memory(&m->str[id]);
	}
	m->kind_count[ENT_OBS_IPV4] += m->net4.nentries;
	m->kind_count[ENT_OBS_IPV6] += m->net6.nentries;
	m->memory += ent_lpm4_memory(&m->net4) + ent_lpm6_memory(&m->net6);
	for (int k = 0; k < ENT_OBS_KIND_COUNT; k++)
		m->count += m->kind_count[k];
	goto out;

out_free_m:
	ent_matcher_free(m);
	m = NULL;
out:
	ent_matcher_builder_free(b);
	return m;
}

void ent_matcher_free(struct ent_matcher *m)
{
	if (m == NULL)
		return;
	for (int id = 0; id < ENT_MATCH_FIX_COUNT; id++)
		ent_fixtab_free(&m->fix[id]);
	for (int id = 0; id < ENT_MATCH_STR_COUNT; id++)
		ent_strtab_free(&m->str[id]);
	ent_lpm4_free(&m->net4);
	ent_lpm6_free(&m->net6);
	sodium_memzero(&m->keys, sizeof m->keys);
	free(m);
}

size_t ent_matcher_count(const struct ent_matcher *m)
{
	return m == NULL ? 0 : m->count;
}

size_t ent_matcher_kind_count(const struct ent_matcher *m, enum ent_obs_kind kind)
{
	if (m == NULL || (unsigned)kind >= ENT_OBS_KIND_COUNT)
		return 0;
	return m->kind_count[kind];
}

size_t ent_matcher_memory(const struct ent_matcher *m)
{
	return m == NULL ? 0 : m->memory;
}
