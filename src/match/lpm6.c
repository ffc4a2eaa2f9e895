/*
 * lpm6.c - IPv6 networks: every covering network of an address, longest
 * first; and the builder that the IPv4 table (lpm4.c) uses too.
 *
 * The same structure as lpm4.c (read its header comment): distinct networks
 * as nodes with a parent link, and the address space cut into intervals at
 * every network's first address and one past its last, each interval naming
 * its innermost network. Addresses are 128-bit numbers (hi, lo); a walk up
 * the parent chain is at most 128 steps. The /128 addresses are in a fixtab.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

static inline int u128_cmp(struct ent_u128 a, struct ent_u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static int rec_cmp(const void *pa, const void *pb)
{
	const struct ent_lpm6_rec *a = pa, *b = pb;
	int r = u128_cmp(a->addr, b->addr);

	if (r != 0)
		return r;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->ref != b->ref)
		return a->ref < b->ref ? -1 : 1;
	return 0;
}

/* Last address of the network. */
static struct ent_u128 net_end(const struct ent_lpm6_rec *r)
{
	struct ent_u128 e = r->addr;

	if (r->len == 0) {
		e.hi = e.lo = UINT64_MAX;
	} else if (r->len < 64) {
		e.hi |= UINT64_MAX >> r->len;
		e.lo = UINT64_MAX;
	} else if (r->len < 128) {
		e.lo |= UINT64_MAX >> (r->len - 64);
	}
	return e;
}

static bool is_max(struct ent_u128 a)
{
	return a.hi == UINT64_MAX && a.lo == UINT64_MAX;
}

static struct ent_u128 plus_one(struct ent_u128 a)
{
	a.lo++;
	if (a.lo == 0)
		a.hi++;
	return a;
}

static void bound_add(struct ent_lpm6 *t, struct ent_u128 pos, uint32_t node)
{
	if (t->nbounds > 0 && u128_cmp(t->bpos[t->nbounds - 1], pos) == 0) {
		t->bnode[t->nbounds - 1] = node;
		return;
	}
	t->bpos[t->nbounds] = pos;
	t->bnode[t->nbounds] = node;
	t->nbounds++;
}

int ent_lpm_build128(struct ent_lpm6 *t, struct ent_lpm6_rec *recs, size_t n, const char *family,
                     char *errbuf)
{
	struct ent_match_multi mm = {0};
	uint32_t *scratch = NULL;
	int ret = ENT_ENOMEM;

	memset(t, 0, sizeof *t);
	if (n == 0)
		return 0;
	if (n > ENT_MATCH_ENTRIES_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "too many %s networks: %zu", family, n);
	qsort(recs, n, sizeof *recs, rec_cmp);

	scratch = malloc(n * sizeof *scratch);
	t->nodes = malloc(n * sizeof *t->nodes);
	t->bpos = malloc(2 * n * sizeof *t->bpos);
	t->bnode = malloc(2 * n * sizeof *t->bnode);
	if (!scratch || !t->nodes || !t->bpos || !t->bnode)
		goto out;

	/* distinct networks to nodes; recs[0..nn) keeps one rec per node */
	size_t nn = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && u128_cmp(recs[j].addr, recs[i].addr) == 0 &&
		       recs[j].len == recs[i].len)
			j++;
		for (size_t x = i; x < j; x++)
			scratch[x - i] = recs[x].ref;
		size_t distinct;
		ret = ent_match_multi_encode(&mm, scratch, j - i, &t->nodes[nn].code, &distinct);
		if (ret < 0)
			goto out;
		t->nentries += distinct;
		recs[nn] = recs[i];
		nn++;
		i = j;
	}
	t->nnodes = (uint32_t)nn;

	uint32_t stack[129];
	size_t sp = 0;
	for (uint32_t p = 0; p < nn; p++) {
		while (sp > 0 && u128_cmp(net_end(&recs[stack[sp - 1]]), recs[p].addr) < 0) {
			uint32_t q = stack[--sp];
			bound_add(t, plus_one(net_end(&recs[q])),
			          sp > 0 ? stack[sp - 1] : ENT_MATCH_NONE);
		}
		t->nodes[p].parent = sp > 0 ? stack[sp - 1] : ENT_MATCH_NONE;
		stack[sp++] = p;
		bound_add(t, recs[p].addr, p);
	}
	while (sp > 0) {
		uint32_t q = stack[--sp];
		if (!is_max(net_end(&recs[q])))
			bound_add(t, plus_one(net_end(&recs[q])),
			          sp > 0 ? stack[sp - 1] : ENT_MATCH_NONE);
	}
	/* drop boundaries that do not change the innermost network */
	uint32_t k = 0;
	for (uint32_t i = 0; i < t->nbounds; i++) {
		if (k > 0 && t->bnode[k - 1] == t->bnode[i])
			continue;
		if (k == 0 && t->bnode[i] == ENT_MATCH_NONE)
			continue;
		t->bpos[k] = t->bpos[i];
		t->bnode[k] = t->bnode[i];
		k++;
	}
	t->nbounds = k;

	struct ent_lpm_node *nd = realloc(t->nodes, nn * sizeof *nd);
	if (nd != NULL)
		t->nodes = nd;
	struct ent_u128 *bp = realloc(t->bpos, (size_t)k * sizeof *bp);
	if (bp != NULL)
		t->bpos = bp;
	uint32_t *bn = realloc(t->bnode, (size_t)k * sizeof *bn);
	if (bn != NULL)
		t->bnode = bn;
	t->multi = ent_match_multi_finish(&mm, &t->nmulti);
	ret = 0;
out:
	if (ret < 0) {
		free(mm.v);
		ent_lpm6_free(t);
		ent_errf(errbuf, ret, "%s building %zu %s networks",
		         ret == ENT_ENOMEM ? "out of memory" : "too many refs", n, family);
	}
	free(scratch);
	return ret;
}

int ent_lpm6_build(struct ent_lpm6 *t, struct ent_lpm6_rec *recs, size_t n, char *errbuf)
{
	return ent_lpm_build128(t, recs, n, "IPv6", errbuf);
}

void ent_lpm6_free(struct ent_lpm6 *t)
{
	free(t->nodes);
	free(t->bpos);
	free(t->bnode);
	free(t->multi);
	memset(t, 0, sizeof *t);
}

size_t ent_lpm6_memory(const struct ent_lpm6 *t)
{
	if (t->nnodes == 0)
		return 0;
	return (size_t)t->nnodes * sizeof(struct ent_lpm_node) +
	       (size_t)t->nbounds * (sizeof(struct ent_u128) + sizeof(uint32_t)) +
	       t->nmulti * sizeof(uint32_t);
}

void ent_lpm6_emit(const struct ent_lpm6 *t, struct ent_u128 addr, struct ent_match_out *o)
{
	if (t->nbounds == 0 || u128_cmp(addr, t->bpos[0]) < 0)
		return;
	const struct ent_u128 *base = t->bpos;
	size_t len = t->nbounds;
	while (len > 1) {
		size_t half = len / 2;
		base = u128_cmp(base[half], addr) <= 0 ? base + half : base;
		len -= half;
	}
	for (uint32_t nd = t->bnode[base - t->bpos]; nd != ENT_MATCH_NONE; nd = t->nodes[nd].parent)
		ent_match_out_code(o, t->nodes[nd].code, t->multi);
}
