/*
 * fixtab.c - a read-only hash set of fixed-width binary keys with refs.
 *
 * Used for IPv4 /32 and IPv6 /128 addresses and for binary digests (a
 * SHA-256 is stored as its 32 bytes, not 64 hex characters). Layout:
 *   keys[n * width]  the distinct keys, grouped by bucket
 *   codes[n]         their ref codes (refs.c)
 *   bucket[nb + 1]   bucket b is keys [bucket[b], bucket[b + 1])
 * with nb = n / 4 buckets, i.e. width + 5 bytes per key and no empty slots.
 * A lookup computes the bucket from the caller's keyed hash and compares the
 * few keys of that bucket, which sit next to each other in memory.
 */
#include "match/match_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fix_ctx {
	const uint8_t *keys;
	const uint32_t *refs;
	const uint64_t *hashes;
	uint32_t width;
};

static int fix_cmp(uint32_t a, uint32_t b, const void *arg)
{
	const struct fix_ctx *c = arg;

	if (c->hashes[a] != c->hashes[b])
		return c->hashes[a] < c->hashes[b] ? -1 : 1;
	int r = memcmp(c->keys + (size_t)a * c->width, c->keys + (size_t)b * c->width, c->width);
	if (r != 0)
		return r;
	if (c->refs[a] != c->refs[b])
		return c->refs[a] < c->refs[b] ? -1 : 1;
	return 0;
}

static inline bool key_eq(const uint8_t *a, const uint8_t *b, uint32_t width)
{
	/* constant sizes let the compiler inline the compares */
	switch (width) {
	case 4:
		return memcmp(a, b, 4) == 0;
	case 16:
		return memcmp(a, b, 16) == 0;
	case 20:
		return memcmp(a, b, 20) == 0;
	case 32:
		return memcmp(a, b, 32) == 0;
	default:
		return memcmp(a, b, width) == 0;
	}
}

int ent_fixtab_build(struct ent_fixtab *t, uint32_t width, const uint8_t *keys,
                     const uint32_t *refs, const uint64_t *hashes, size_t n, char *errbuf)
{
	struct ent_match_multi mm = {0};
	uint32_t *order = NULL, *start = NULL, *scratch = NULL;
	int ret = ENT_ENOMEM;

	memset(t, 0, sizeof *t);
	t->width = width;
	if (n == 0)
		return 0;
	if (n > ENT_MATCH_ENTRIES_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "too many keys: %zu", n);

	uint32_t nb = ent_match_nbuckets(n);
	order = malloc(n * sizeof *order);
	start = malloc(((size_t)nb + 1) * sizeof *start);
	scratch = malloc(n * sizeof *scratch);
	t->keys = malloc(n * width);
	t->codes = malloc(n * sizeof *t->codes);
	t->bucket = malloc(((size_t)nb + 1) * sizeof *t->bucket);
	if (!order || !start || !scratch || !t->keys || !t->codes || !t->bucket)
		goto out;
	t->nbuckets = nb;

	struct fix_ctx c = {keys, refs, hashes, width};
	ret = ent_match_bucket_sort(hashes, n, nb, order, start, fix_cmp, &c);
	if (ret < 0)
		goto out;

	uint32_t u = 0;
	for (uint32_t b = 0; b < nb; b++) {
		t->bucket[b] = u;
		for (uint32_t i = start[b]; i < start[b + 1];) {
			const uint8_t *k = keys + (size_t)order[i] * width;
			uint32_t j = i + 1;
			while (j < start[b + 1] && hashes[order[j]] == hashes[order[i]] &&
			       key_eq(keys + (size_t)order[j] * width, k, width))
				j++;
			for (uint32_t x = i; x < j; x++)
				scratch[x - i] = refs[order[x]];
			size_t distinct;
			ret = ent_match_multi_encode(&mm, scratch, j - i, &t->codes[u], &distinct);
			if (ret < 0)
				goto out;
			t->nentries += distinct;
			memcpy(t->keys + (size_t)u * width, k, width);
			u++;
			i = j;
		}
	}
	t->bucket[nb] = u;
	t->n = u;
	if (u < n) {
		uint8_t *k = realloc(t->keys, (size_t)u * width);
		uint32_t *cd = realloc(t->codes, (size_t)u * sizeof *cd);
		if (k != NULL)
			t->keys = k;
		if (cd != NULL)
			t->codes = cd;
	}
	t->multi = ent_match_multi_finish(&mm, &t->nmulti);
	ret = 0;
out:
	if (ret < 0) {
		free(mm.v);
		ent_fixtab_free(t);
		if (ret == ENT_ENOMEM)
			ent_errf(errbuf, ret, "out of memory building a table of %zu keys", n);
		else
			ent_errf(errbuf, ret, "too many refs in a table of %zu keys", n);
	}
	free(order);
	free(start);
	free(scratch);
	return ret;
}

void ent_fixtab_free(struct ent_fixtab *t)
{
	free(t->bucket);
	free(t->keys);
	free(t->codes);
	free(t->multi);
	uint32_t width = t->width;
	memset(t, 0, sizeof *t);
	t->width = width;
}

size_t ent_fixtab_memory(const struct ent_fixtab *t)
{
	if (t->n == 0)
		return 0;
	return ((size_t)t->nbuckets + 1) * sizeof(uint32_t) + (size_t)t->n * t->width +
	       (size_t)t->n * sizeof(uint32_t) + t->nmulti * sizeof(uint32_t);
}

uint32_t ent_fixtab_find(const struct ent_fixtab *t, const uint8_t *key, uint64_t hash)
{
	if (t->n == 0)
		return ENT_MATCH_NONE;
	uint32_t b = ent_match_bucket(hash, t->nbuckets);
	const uint32_t w = t->width;
	for (uint32_t i = t->bucket[b]; i < t->bucket[b + 1]; i++)
		if (key_eq(t->keys + (size_t)i * w, key, w))
			return t->codes[i];
	return ENT_MATCH_NONE;
}
