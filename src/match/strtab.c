/*
 * strtab.c - a read-only hash set of strings with refs.
 *
 * Used for domains, URLs, e-mail addresses and JA4 fingerprints. Layout:
 *   arena            the distinct strings once, back to back, no terminator
 *   off[n + 1]       string i is arena[off[i] .. off[i + 1]), so its length
 *                    costs nothing
 *   codes[n]         ref codes (refs.c)
 *   tags[n]          8 bits of each string's hash
 *   bucket[nb + 1]   bucket b is strings [bucket[b], bucket[b + 1])
 * with nb = n / 4: string bytes + 10 bytes per string. A lookup scans the
 * tags of one bucket (4 on average, contiguous) and touches the arena only
 * on a tag hit, i.e. for the match and 1 in 256 of the other strings.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

struct str_ctx {
	const char *src;
	const struct ent_strtab_rec *recs;
	const uint64_t *hashes;
};

static int str_cmp(uint32_t a, uint32_t b, const void *arg)
{
	const struct str_ctx *c = arg;
	const struct ent_strtab_rec *ra = &c->recs[a], *rb = &c->recs[b];

	if (c->hashes[a] != c->hashes[b])
		return c->hashes[a] < c->hashes[b] ? -1 : 1;
	if (ra->len != rb->len)
		return ra->len < rb->len ? -1 : 1;
	int r = memcmp(c->src + ra->off, c->src + rb->off, ra->len);
	if (r != 0)
		return r;
	if (ra->ref != rb->ref)
		return ra->ref < rb->ref ? -1 : 1;
	return 0;
}

static inline uint8_t tag_of(uint64_t h)
{
	return (uint8_t)h;
}

int ent_strtab_build(struct ent_strtab *t, const char *src, const struct ent_strtab_rec *recs,
                     const uint64_t *hashes, size_t n, char *errbuf)
{
	struct ent_match_multi mm = {0};
	uint32_t *order = NULL, *start = NULL, *scratch = NULL;
	size_t bytes = 0;
	int ret = ENT_ENOMEM;

	memset(t, 0, sizeof *t);
	if (n == 0)
		return 0;
	if (n > ENT_MATCH_ENTRIES_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "too many strings: %zu", n);
	for (size_t i = 0; i < n; i++)
		bytes += recs[i].len;
	if (bytes > UINT32_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "strings too long: %zu bytes", bytes);

	uint32_t nb = ent_match_nbuckets(n);
	order = malloc(n * sizeof *order);
	start = malloc(((size_t)nb + 1) * sizeof *start);
	scratch = malloc(n * sizeof *scratch);
	t->arena = malloc(bytes ? bytes : 1);
	t->off = malloc((n + 1) * sizeof *t->off);
	t->codes = malloc(n * sizeof *t->codes);
	t->tags = malloc(n);
	t->bucket = malloc(((size_t)nb + 1) * sizeof *t->bucket);
	if (!order || !start || !scratch || !t->arena || !t->off || !t->codes || !t->tags ||
	    !t->bucket)
		goto out;
	t->nbuckets = nb;

	struct str_ctx c = {src, recs, hashes};
	ret = ent_match_bucket_sort(hashes, n, nb, order, start, str_cmp, &c);
	if (ret < 0)
		goto out;

	uint32_t u = 0, pos = 0;
	for (uint32_t b = 0; b < nb; b++) {
		t->bucket[b] = u;
		for (uint32_t i = start[b]; i < start[b + 1];) {
			const struct ent_strtab_rec *r = &recs[order[i]];
			uint32_t j = i + 1;
			while (j < start[b + 1] && hashes[order[j]] == hashes[order[i]] &&
			       recs[order[j]].len == r->len &&
			       memcmp(src + recs[order[j]].off, src + r->off, r->len) == 0)
				j++;
			for (uint32_t x = i; x < j; x++)
				scratch[x - i] = recs[order[x]].ref;
			size_t distinct;
			ret = ent_match_multi_encode(&mm, scratch, j - i, &t->codes[u], &distinct);
			if (ret < 0)
				goto out;
			t->nentries += distinct;
			t->off[u] = pos;
			t->tags[u] = tag_of(hashes[order[i]]);
			memcpy(t->arena + pos, src + r->off, r->len);
			pos += r->len;
			u++;
			i = j;
		}
	}
	t->bucket[nb] = u;
	t->off[u] = pos;
	t->n = u;
	t->arena_len = pos;
	if (u < n) {
		uint32_t *o = realloc(t->off, ((size_t)u + 1) * sizeof *o);
		uint32_t *cd = realloc(t->codes, (size_t)u * sizeof *cd);
		uint8_t *tg = realloc(t->tags, u);
		if (o != NULL)
			t->off = o;
		if (cd != NULL)
			t->codes = cd;
		if (tg != NULL)
			t->tags = tg;
	}
	if (pos < bytes && pos > 0) {
		char *a = realloc(t->arena, pos);
		if (a != NULL)
			t->arena = a;
	}
	t->multi = ent_match_multi_finish(&mm, &t->nmulti);
	ret = 0;
out:
	if (ret < 0) {
		free(mm.v);
		ent_strtab_free(t);
		if (ret == ENT_ENOMEM)
			ent_errf(errbuf, ret, "out of memory building a table of %zu strings", n);
		else
			ent_errf(errbuf, ret, "too many refs in a table of %zu strings", n);
	}
	free(order);
	free(start);
	free(scratch);
	return ret;
}

void ent_strtab_free(struct ent_strtab *t)
{
	free(t->bucket);
	free(t->off);
	free(t->codes);
	free(t->tags);
	free(t->arena);
	free(t->multi);
	memset(t, 0, sizeof *t);
}

size_t ent_strtab_memory(const struct ent_strtab *t)
{
	if (t->n == 0)
		return 0;
	return ((size_t)t->nbuckets + 1) * sizeof(uint32_t) +
	       ((size_t)t->n + 1) * sizeof(uint32_t) + (size_t)t->n * sizeof(uint32_t) +
	       (size_t)t->n + (t->arena_len ? t->arena_len : 1) + t->nmulti * sizeof(uint32_t);
}

uint32_t ent_strtab_find(const struct ent_strtab *t, const char *s, size_t len, uint64_t hash)
{
	if (t->n == 0)
		return ENT_MATCH_NONE;
	uint32_t b = ent_match_bucket(hash, t->nbuckets);
	uint8_t tag = tag_of(hash);
	for (uint32_t i = t->bucket[b]; i < t->bucket[b + 1]; i++) {
		if (t->tags[i] != tag)
			continue;
		if (t->off[i + 1] - t->off[i] == len && memcmp(t->arena + t->off[i], s, len) == 0)
			return t->codes[i];
	}
	return ENT_MATCH_NONE;
}
