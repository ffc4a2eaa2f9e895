/*
 * refs.c - ref codes: the refs of one key in 32 bits.
 *
 * Most keys carry one ref (one indicator per value), so a key's code is that
 * ref itself. A key with several refs gets ENT_MATCH_MULTI | i, where the
 * table's multi array holds, from index i, the count and then the refs in
 * ascending order (match_int.h, invariant 1). This keeps every table at one
 * 32-bit word per key while allowing any number of refs per value.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

bool ent_match_code_has(uint32_t code, const uint32_t *multi, uint32_t ref)
{
	if (!(code & ENT_MATCH_MULTI))
		return code == ref;
	/* the list is sorted: binary search, so no list length is quadratic */
	const uint32_t *l = multi + (code & ~ENT_MATCH_MULTI);
	size_t lo = 1, hi = (size_t)l[0] + 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l[mid] == ref)
			return true;
		if (l[mid] < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int ent_match_multi_encode(struct ent_match_multi *mm, uint32_t *refs, size_t n, uint32_t *code,
                           size_t *distinct)
{
	size_t d = 1;

	/* callers pass refs sorted already; keep the cheap check honest */
	for (size_t i = 1; i < n; i++) {
		if (refs[i] < refs[i - 1]) {
			/* insertion sort: only reached by careless callers */
			for (size_t j = 1; j < n; j++) {
				uint32_t v = refs[j];
				size_t k = j;
				for (; k > 0 && refs[k - 1] > v; k--)
					refs[k] = refs[k - 1];
				refs[k] = v;
			}
			break;
		}
	}
	for (size_t i = 1; i < n; i++)
		if (refs[i] != refs[d - 1])
			refs[d++] = refs[i];
	*distinct = d;
	if (d == 1) {
		*code = refs[0];
		return 0;
	}
	if (mm->n + d + 1 > ENT_MATCH_REF_MAX)
		return ENT_ELIMIT;
	if (mm->n + d + 1 > mm->cap) {
		size_t cap = mm->cap ? mm->cap * 2 : 256;
		while (cap < mm->n + d + 1)
			cap *= 2;
		uint32_t *v = realloc(mm->v, cap * sizeof *v);
		if (v == NULL)
			return ENT_ENOMEM;
		mm->v = v;
		mm->cap = cap;
	}
	*code = ENT_MATCH_MULTI | (uint32_t)mm->n;
	mm->v[mm->n] = (uint32_t)d;
	memcpy(mm->v + mm->n + 1, refs, d * sizeof *refs);
	mm->n += d + 1;
	return 0;
}

uint32_t *ent_match_multi_finish(struct ent_match_multi *mm, size_t *n)
{
	uint32_t *v = mm->v;

	*n = mm->n;
	if (mm->n == 0) {
		free(v);
		v = NULL;
	} else if (mm->n < mm->cap) {
		uint32_t *s = realloc(v, mm->n * sizeof *v);
		if (s != NULL)
			v = s;
	}
	mm->v = NULL;
	mm->n = mm->cap = 0;
	return v;
}
