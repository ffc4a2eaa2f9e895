/*
 * lpm4.c - IPv4 networks: every covering network of an address, longest
 * first.
 *
 * Networks (prefixes) are either nested or disjoint, so the networks that
 * cover an address form a chain: the innermost one, its parent (the next
 * shorter covering network), and so on. The table therefore stores
 *   nodes[]         one per distinct network: its ref code and its parent
 *   bpos[], bnode[] the address space cut into intervals at every network's
 *                   first address and one past its last; bnode[i] is the
 *                   innermost network over [bpos[i], bpos[i + 1]), or
 *                   ENT_MATCH_NONE, and consecutive intervals differ
 * A lookup is a binary search for the last bpos <= addr, then a walk up the
 * parent chain (at most 32 steps). Cost: about 24 bytes per network. The /32
 * addresses, usually most entries, are in a fixtab instead.
 *
 * Build: sort by (address, length, ref), so a network comes right after the
 * networks containing it; a sweep with a stack of the open networks (at most
 * 32 deep, lengths strictly increasing) assigns parents and emits the
 * boundaries in ascending order.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

static int rec_cmp(const void *pa, const void *pb)
{
	const struct ent_lpm4_rec *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->ref != b->ref)
		return a->ref < b->ref ? -1 : 1;
	return 0;
}

/* Last address of the network, as a 64-bit number. */
static uint64_t net_end(const struct ent_lpm4_rec *r)
{
	uint32_t host = r->len == 0 ? UINT32_MAX : (UINT32_MAX >> r->len);
	return (uint64_t)(r->addr | host);
}

static void bound_add(struct ent_lpm4 *t, uint32_t pos, uint32_t node)
{
	if (t->nbounds > 0 && t->bpos[t->nbounds - 1] == pos) {
		t->bnode[t->nbounds - 1] = node;
		return;
	}
	t->bpos[t->nbounds] = pos;
	t->bnode[t->nbounds] = node;
	t->nbounds++;
}

int ent_lpm4_build(struct ent_lpm4 *t, struct ent_lpm4_rec *recs, size_t n, char *errbuf)
{
	struct ent_match_multi mm = {0};
	uint32_t *scratch = NULL;
	int ret = ENT_ENOMEM;

	memset(t, 0, sizeof *t);
	if (n == 0)
		return 0;
	if (n > ENT_MATCH_ENTRIES_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "too many IPv4 networks: %zu", n);
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
		while (j < n && recs[j].addr == recs[i].addr && recs[j].len == recs[i].len)
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

	uint32_t stack[33];
	size_t sp = 0;
	for (uint32_t p = 0; p < nn; p++) {
		while (sp > 0 && net_end(&recs[stack[sp - 1]]) < recs[p].addr) {
			uint32_t q = stack[--sp];
			bound_add(t, (uint32_t)(net_end(&recs[q]) + 1),
			          sp > 0 ? stack[sp - 1] : ENT_MATCH_NONE);
		}
		t->nodes[p].parent = sp > 0 ? stack[sp - 1] : ENT_MATCH_NONE;
		stack[sp++] = p;
		bound_add(t, recs[p].addr, p);
	}
	while (sp > 0) {
		uint32_t q = stack[--sp];
		if (net_end(&recs[q]) < UINT32_MAX)
			bound_add(t, (uint32_t)(net_end(&recs[q]) + 1),
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
	uint32_t *bp = realloc(t->bpos, (size_t)k * sizeof *bp);
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
		ent_lpm4_free(t);
		ent_errf(errbuf, ret, "%s building %zu IPv4 networks",
		         ret == ENT_ENOMEM ? "out of memory" : "too many refs", n);
	}
	free(scratch);
	return ret;
}

void ent_lpm4_free(struct ent_lpm4 *t)
{
	free(t->nodes);
	free(t->bpos);
	free(t->bnode);
	free(t->multi);
	memset(t, 0, sizeof *t);
}

size_t ent_lpm4_memory(const struct ent_lpm4 *t)
{
	if (t->nnodes == 0)
		return 0;
	return (size_t)t->nnodes * sizeof(struct ent_lpm_node) +
	       (size_t)t->nbounds * 2 * sizeof(uint32_t) + t->nmulti * sizeof(uint32_t);
}

void ent_lpm4_emit(const struct ent_lpm4 *t, uint32_t addr, struct ent_match_out *o)
{
	if (t->nbounds == 0 || addr < t->bpos[0])
		return;
	/* branch-free search for the last bpos <= addr */
	const uint32_t *base = t->bpos;
	size_t len = t->nbounds;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half] <= addr ? base + half : base;
		len -= half;
	}
	for (uint32_t nd = t->bnode[base - t->bpos]; nd != ENT_MATCH_NONE; nd = t->nodes[nd].parent)
		ent_match_out_code(o, t->nodes[nd].code, t->multi);
}
