/*
 * bucket.c - the ordering every hashed table is built in.
 *
 * A table stores its keys grouped by hash bucket (match_int.h, invariant 2).
 * A counting sort by bucket puts the inputs in that order in O(n); a short
 * sort inside each bucket (hash, then key, then ref) makes equal keys and
 * their refs adjacent, so duplicates collapse in one linear pass. No input
 * order can make this quadratic: long buckets fall back to qsort_r.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

struct qs_ctx {
	ent_match_cmp_fn cmp;
	const void *ctx;
};

static int qs_cmp(const void *a, const void *b, void *arg)
{
	const struct qs_ctx *c = arg;
	return c->cmp(*(const uint32_t *)a, *(const uint32_t *)b, c->ctx);
}

void ent_match_sort_idx(uint32_t *idx, size_t n, ent_match_cmp_fn cmp, const void *ctx)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			uint32_t v = idx[i];
			size_t k = i;
			for (; k > 0 && cmp(idx[k - 1], v, ctx) > 0; k--)
				idx[k] = idx[k - 1];
			idx[k] = v;
		}
		return;
	}
	struct qs_ctx c = {cmp, ctx};
	qsort_r(idx, n, sizeof *idx, qs_cmp, &c);
}

int ent_match_bucket_sort(const uint64_t *hashes, size_t n, uint32_t nbuckets, uint32_t *order,
                          uint32_t *start, ent_match_cmp_fn cmp, const void *ctx)
{
	if (n > ENT_MATCH_ENTRIES_MAX)
		return ENT_ELIMIT;
	memset(start, 0, ((size_t)nbuckets + 1) * sizeof *start);
	for (size_t i = 0; i < n; i++)
		start[ent_match_bucket(hashes[i], nbuckets)]++;
	/* start[b] becomes the end of bucket b ... */
	uint32_t sum = 0;
	for (uint32_t b = 0; b < nbuckets; b++) {
		sum += start[b];
		start[b] = sum;
	}
	start[nbuckets] = sum;
	/* ... and, filled from the back, its beginning */
	for (size_t i = n; i-- > 0;)
		order[--start[ent_match_bucket(hashes[i], nbuckets)]] = (uint32_t)i;
	for (uint32_t b = 0; b < nbuckets; b++)
		if (start[b + 1] - start[b] > 1)
			ent_match_sort_idx(order + start[b], start[b + 1] - start[b], cmp, ctx);
	return 0;
}
