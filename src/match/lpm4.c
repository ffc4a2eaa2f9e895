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
 * Build: the IPv6 builder of lpm6.c (ent_lpm_build128) with each network
 * in the top 32 bits of 128, then the boundaries narrowed back to 32 bits:
 * sort by (address, length, ref), so a network comes right after the
 * networks containing it; a sweep with a stack of the open networks assigns
 * parents and emits the boundaries in ascending order.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

int ent_lpm4_build(struct ent_lpm4 *t, struct ent_lpm4_rec *recs, size_t n, char *errbuf)
{
	struct ent_lpm6 wide;
	struct ent_lpm6_rec *w;
	int ret;

	memset(t, 0, sizeof *t);
	if (n == 0)
		return 0;
	if (n > ENT_MATCH_ENTRIES_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "too many IPv4 networks: %zu", n);
	/* each network in the top 32 bits of 128: the same prefix, and every
	 * boundary the builder makes has its low 96 bits clear */
	w = malloc(n * sizeof *w);
	if (w == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory building %zu IPv4 networks", n);
	for (size_t i = 0; i < n; i++)
		w[i] = (struct ent_lpm6_rec){.addr = {.hi = (uint64_t)recs[i].addr << 32},
		                             .len = recs[i].len,
		                             .ref = recs[i].ref};
	ret = ent_lpm_build128(&wide, w, n, "IPv4", errbuf);
	free(w);
	if (ret < 0)
		return ret;
	t->bpos = malloc((wide.nbounds > 0 ? wide.nbounds : 1) * sizeof *t->bpos);
	if (t->bpos == NULL) {
		ent_lpm6_free(&wide);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory building %zu IPv4 networks", n);
	}
	for (uint32_t i = 0; i < wide.nbounds; i++)
		t->bpos[i] = (uint32_t)(wide.bpos[i].hi >> 32);
	free(wide.bpos);
	t->nnodes = wide.nnodes;
	t->nbounds = wide.nbounds;
	t->nodes = wide.nodes;
	t->bnode = wide.bnode;
	t->multi = wide.multi;
	t->nmulti = wide.nmulti;
	t->nentries = wide.nentries;
	return 0;
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
