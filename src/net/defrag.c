/*
 * defrag.c - IPv4/IPv6 fragment reassembly (see defrag.h).
 *
 * Invariants:
 *  1. Every held datagram is in exactly one hash chain and in the age list
 *     (oldest first); done[] datagrams are in neither.
 *  2. ranges[] of a datagram is sorted, non-overlapping and non-adjacent;
 *     its length never exceeds nfrags, which never exceeds max_fragments.
 *  3. bytes == sum over held and done datagrams of their allocation sizes,
 *     and never exceeds max_bytes.
 */
#include "net/defrag.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "net/counters.h"

#define DEFRAG_MAX_PAYLOAD 65535u
#define DEFRAG_DONE_MAX    8

struct range {
	uint32_t start, end;
};

struct dgram {
	struct dgram *hnext;         /* hash chain */
	struct dgram *older, *newer; /* age list */
	uint8_t key[40];             /* family, proto, id, src, dst */
	uint64_t first_ts;
	uint8_t *buf; /* owned, cap bytes */
	uint32_t cap;
	uint32_t total; /* payload length, known once the last fragment came */
	bool have_last;
	uint8_t proto; /* from the fragment at offset 0 */
	uint16_t nfrags;
	uint16_t nranges;
	struct range ranges[]; /* max_fragments entries */
};

struct ent_defrag {
	struct ent_defrag_config cfg;
	struct dgram **buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t held;
	size_t bytes;
	struct dgram *oldest, *newest;
	struct dgram *done[DEFRAG_DONE_MAX];
	int ndone;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

struct ent_defrag *ent_defrag_new(const struct ent_defrag_config *cfg)
{
	struct ent_defrag *d;

	if (sodium_init() < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	if (cfg != NULL)
		d->cfg = *cfg;
	if (d->cfg.max_datagrams == 0)
		d->cfg.max_datagrams = 4096;
	if (d->cfg.max_fragments == 0)
		d->cfg.max_fragments = 64;
	if (d->cfg.max_fragments > 8192)
		d->cfg.max_fragments = 8192;
	if (d->cfg.timeout_sec == 0)
		d->cfg.timeout_sec = 30;
	if (d->cfg.max_bytes == 0)
		d->cfg.max_bytes = 16u << 20;
	d->nbuckets = 64;
	while (d->nbuckets < d->cfg.max_datagrams && d->nbuckets < (1u << 24))
		d->nbuckets <<= 1;
	d->buckets = calloc(d->nbuckets, sizeof(*d->buckets));
	if (d->buckets == NULL) {
		free(d);
		return NULL;
	}
	randombytes_buf(d->hkey, sizeof(d->hkey));
	return d;
}

static size_t dgram_size(const struct ent_defrag *d, const struct dgram *g)
{
	return sizeof(*g) + d->cfg.max_fragments * sizeof(struct range) + g->cap;
}

static void dgram_destroy(struct ent_defrag *d, struct dgram *g)
{
	d->bytes -= dgram_size(d, g);
	free(g->buf);
	free(g);
}

static uint32_t key_bucket(const struct ent_defrag *d, const uint8_t key[40])
{
	uint64_t h;

	crypto_shorthash((unsigned char *)&h, key, 40, d->hkey);
	return (uint32_t)h & (d->nbuckets - 1);
}

/* Takes g out of the hash chain and the age list (it stays allocated). */
static void dgram_unlink(struct ent_defrag *d, struct dgram *g)
{
	struct dgram **pp = &d->buckets[key_bucket(d, g->key)];

	while (*pp != NULL && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp == g)
		*pp = g->hnext;
	if (g->older != NULL)
		g->older->newer = g->newer;
	else
		d->oldest = g->newer;
	if (g->newer != NULL)
		g->newer->older = g->older;
	else
		d->newest = g->older;
	g->older = g->newer = NULL;
	g->hnext = NULL;
	d->held--;
}

static void dgram_drop(struct ent_defrag *d, struct dgram *g)
{
	dgram_unlink(d, g);
	dgram_destroy(d, g);
}

void ent_defrag_release(struct ent_defrag *d)
{
	for (int i = 0; i < d->ndone; i++)
		dgram_destroy(d, d->done[i]);
	d->ndone = 0;
}

void ent_defrag_free(struct ent_defrag *d)
{
	if (d == NULL)
		return;
	ent_defrag_release(d);
	while (d->oldest != NULL)
		dgram_drop(d, d->oldest);
	free(d->buckets);
	free(d);
}

uint32_t ent_defrag_held(const struct ent_defrag *d)
{
	return d->held;
}

size_t ent_defrag_bytes(const struct ent_defrag *d)
{
	return d->bytes;
}

static void make_key(const struct ent_frag *f, uint8_t key[40])
{
	size_t alen = f->family == 6 ? 16 : 4;

	memset(key, 0, 40);
	key[0] = (uint8_t)f->family;
	key[1] = f->family == 4 ? f->proto : 0;
	memcpy(key + 2, &f->id, 4);
	memcpy(key + 6, f->src, alen);
	memcpy(key + 22, f->dst, alen);
}

static struct dgram *dgram_find_or_add(struct ent_defrag *d, const struct ent_frag *f,
                                       uint64_t *counters)
{
	uint8_t key[40];
	struct dgram *g;
	uint32_t b;
	size_t need = sizeof(*g) + d->cfg.max_fragments * sizeof(struct range);

	make_key(f, key);
	b = key_bucket(d, key);
	for (g = d->buckets[b]; g != NULL; g = g->hnext)
		if (memcmp(g->key, key, sizeof(key)) == 0)
			return g;
	while (d->oldest != NULL &&
	       (d->held >= d->cfg.max_datagrams || d->bytes + need > d->cfg.max_bytes)) {
		counters[ENT_NC_FRAG_EVICTED]++;
		dgram_drop(d, d->oldest);
	}
	if (d->bytes + need > d->cfg.max_bytes) {
		counters[ENT_NC_FRAG_NOMEM]++;
		return NULL;
	}
	g = calloc(1, need);
	if (g == NULL) {
		counters[ENT_NC_FRAG_NOMEM]++;
		return NULL;
	}
	memcpy(g->key, key, sizeof(key));
	g->first_ts = f->now;
	g->hnext = d->buckets[b];
	d->buckets[b] = g;
	g->older = d->newest;
	if (d->newest != NULL)
		d->newest->newer = g;
	else
		d->oldest = g;
	d->newest = g;
	d->held++;
	d->bytes += need;
	return g;
}

static bool dgram_reserve(struct ent_defrag *d, struct dgram *g, uint32_t end)
{
	uint32_t cap;
	uint8_t *p;

	if (end <= g->cap)
		return true;
	cap = g->cap ? g->cap : 1024;
	while (cap < end)
		cap *= 2;
	if (cap > DEFRAG_MAX_PAYLOAD)
		cap = DEFRAG_MAX_PAYLOAD;
	if (d->bytes + (cap - g->cap) > d->cfg.max_bytes)
		return false;
	p = realloc(g->buf, cap);
	if (p == NULL)
		return false;
	d->bytes += cap - g->cap;
	g->buf = p;
	g->cap = cap;
	return true;
}

/* Copies the bytes of [start,end) not yet covered (first wins) and merges the
 * range into ranges[]. Returns true if it overlapped earlier data. */
static bool dgram_insert(struct dgram *g, uint32_t start, uint32_t end, const uint8_t *data)
{
	uint32_t cur = start;
	bool overlap = false;
	uint16_t i, j;

	for (i = 0; i < g->nranges; i++) {
		const struct range *r = &g->ranges[i];

		if (r->end <= cur)
			continue;
		if (r->start >= end)
			break;
		overlap = true;
		if (r->start > cur)
			memcpy(g->buf + cur, data + (cur - start), r->start - cur);
		if (r->end > cur)
			cur = r->end;
	}
	if (cur < end)
		memcpy(g->buf + cur, data + (cur - start), end - cur);
	/* merge: find first range that ends at or after start */
	for (i = 0; i < g->nranges && g->ranges[i].end < start; i++)
		;
	j = i;
	while (j < g->nranges && g->ranges[j].start <= end) {
		if (g->ranges[j].start < start)
			start = g->ranges[j].start;
		if (g->ranges[j].end > end)
			end = g->ranges[j].end;
		j++;
	}
	/* ranges[i..j) collapse into one */
	if (j == i) {
		memmove(&g->ranges[i + 1], &g->ranges[i], (g->nranges - i) * sizeof(struct range));
		g->nranges++;
	} else if (j > i + 1) {
		memmove(&g->ranges[i + 1], &g->ranges[j], (g->nranges - j) * sizeof(struct range));
		g->nranges = (uint16_t)(g->nranges - (j - i - 1));
	}
	g->ranges[i].start = start;
	g->ranges[i].end = end;
	return overlap;
}

int ent_defrag_add(struct ent_defrag *d, const struct ent_frag *f, const uint8_t **out,
                   size_t *outlen, uint8_t *proto, uint64_t *counters)
{
	struct dgram *g;
	uint32_t end;

	counters[ENT_NC_FRAG_SEEN]++;
	while (d->oldest != NULL && d->oldest->first_ts + d->cfg.timeout_sec < f->now) {
		counters[ENT_NC_FRAG_TIMEOUT]++;
		dgram_drop(d, d->oldest);
	}
	if (f->len > DEFRAG_MAX_PAYLOAD || f->offset > DEFRAG_MAX_PAYLOAD - f->len) {
		counters[ENT_NC_FRAG_TOO_BIG]++;
		return 0;
	}
	if (f->len == 0 && f->more) {
		counters[ENT_NC_FRAG_BAD_LEN]++;
		return 0;
	}
	if (d->ndone >= DEFRAG_DONE_MAX) {
		counters[ENT_NC_FRAG_NOMEM]++;
		return 0;
	}
	end = f->offset + (uint32_t)f->len;
	g = dgram_find_or_add(d, f, counters);
	if (g == NULL)
		return 0;
	if (++g->nfrags > d->cfg.max_fragments) {
		counters[ENT_NC_FRAG_TOO_MANY]++;
		dgram_drop(d, g);
		return 0;
	}
	if (!f->more) {
		if (g->have_last && g->total != end) {
			counters[ENT_NC_FRAG_OVERLAP]++;
			return 0; /* a second, different end: the first one wins */
		}
		if (g->nranges > 0 && g->ranges[g->nranges - 1].end > end) {
			counters[ENT_NC_FRAG_BAD_LEN]++;
			return 0; /* data beyond the end */
		}
		g->have_last = true;
		g->total = end;
	} else if (g->have_last && end > g->total) {
		counters[ENT_NC_FRAG_BAD_LEN]++;
		return 0;
	}
	if (f->len > 0) {
		if (!dgram_reserve(d, g, end)) {
			counters[ENT_NC_FRAG_NOMEM]++;
			dgram_drop(d, g);
			return 0;
		}
		if (dgram_insert(g, f->offset, end, f->data))
			counters[ENT_NC_FRAG_OVERLAP]++;
	}
	if (f->offset == 0)
		g->proto = f->proto;
	if (!(g->have_last && g->nranges == 1 && g->ranges[0].start == 0 &&
	      g->ranges[0].end == g->total) &&
	    !(g->have_last && g->total == 0))
		return 0;
	dgram_unlink(d, g);
	d->done[d->ndone++] = g;
	counters[ENT_NC_FRAG_REASSEMBLED]++;
	*out = g->buf;
	*outlen = g->total;
	*proto = g->proto;
	return 1;
}
