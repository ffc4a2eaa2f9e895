/*
 * tcp_reasm.c - TCP stream reassembly for one direction (see tcp_reasm.h).
 *
 * Invariants:
 *  1. segs is sorted by sequence (relative to next_seq), its segments do not
 *     overlap each other, and each starts after next_seq when inserted.
 *  2. held is the sum of their lengths and is at most the window; nsegs is
 *     at most max_segs.
 *  3. *lim->used grows by sizeof(seg) + len for each segment held and
 *     shrinks by the same when it is freed.
 */
#include "net/tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

#include "net/counters.h"

struct ent_reasm_seg {
	struct ent_reasm_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

#define DEFAULT_WINDOW (256u * 1024)
#define DEFAULT_SEGS   64u

static uint32_t lim_window(const struct ent_reasm_limits *lim)
{
	return lim->window ? lim->window : DEFAULT_WINDOW;
}

static uint32_t lim_segs(const struct ent_reasm_limits *lim)
{
	return lim->max_segs ? lim->max_segs : DEFAULT_SEGS;
}

void ent_reasm_init(struct ent_reasm_dir *r)
{
	memset(r, 0, sizeof(*r));
}

void ent_reasm_syn(struct ent_reasm_dir *r, uint32_t seq)
{
	if (r->started)
		return;
	r->next_seq = seq + 1;
	r->started = true;
}

static void seg_free(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim,
                     struct ent_reasm_seg *s)
{
	r->nsegs--;
	r->held -= s->len;
	if (lim->used != NULL)
		*lim->used -= sizeof(*s) + s->len;
	free(s);
}

void ent_reasm_free(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim)
{
	while (r->segs != NULL) {
		struct ent_reasm_seg *s = r->segs;

		r->segs = s->next;
		seg_free(r, lim, s);
	}
}

void ent_reasm_stop(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim)
{
	ent_reasm_free(r, lim);
	r->done = true;
}

/* Delivers the held segments that are now in order. */
static void deliver_ready(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim,
                          ent_reasm_cb cb, void *ctx)
{
	while (r->segs != NULL && (int32_t)(r->segs->seq - r->next_seq) <= 0) {
		struct ent_reasm_seg *s = r->segs;
		uint32_t skip = r->next_seq - s->seq;

		r->segs = s->next;
		if (skip < s->len) {
			cb(ctx, s->data + skip, s->len - skip);
			r->next_seq = s->seq + s->len;
		}
		seg_free(r, lim, s);
		if (r->done)
			return; /* the consumer stopped us from inside cb */
	}
}

/* Skips the hole before the first held segment, then delivers what follows. */
static void skip_to_first(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim,
                          ent_reasm_cb cb, void *ctx, uint64_t *counters)
{
	uint32_t gap = r->segs->seq - r->next_seq;

	counters[ENT_NC_TCP_GAP]++;
	cb(ctx, NULL, gap);
	if (r->done)
		return;
	r->next_seq = r->segs->seq;
	deliver_ready(r, lim, cb, ctx);
}

static bool budget_ok(const struct ent_reasm_limits *lim, size_t n)
{
	return lim->used == NULL || lim->max_used == 0 || *lim->used + n <= lim->max_used;
}

static struct ent_reasm_seg *seg_new(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim,
                                     uint32_t seq, const uint8_t *p, uint32_t len)
{
	struct ent_reasm_seg *s;

	if (!budget_ok(lim, sizeof(*s) + len) || r->nsegs >= lim_segs(lim))
		return NULL;
	s = malloc(sizeof(*s) + len);
	if (s == NULL)
		return NULL;
	s->next = NULL;
	s->seq = seq;
	s->len = len;
	memcpy(s->data, p, len);
	r->nsegs++;
	r->held += len;
	if (lim->used != NULL)
		*lim->used += sizeof(*s) + len;
	return s;
}

/* Holds [seq, seq+len) minus what is already held (first wins). */
static void hold(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim, uint32_t seq,
                 const uint8_t *p, uint32_t len, uint64_t *counters)
{
	struct ent_reasm_seg **pp = &r->segs;
	uint32_t base = r->next_seq;
	uint32_t cur = seq - base, end = cur + len;
	bool overlap = false;

	while (*pp != NULL && cur < end) {
		struct ent_reasm_seg *x = *pp;
		uint32_t xs = x->seq - base, xe = xs + x->len;

		if (xe <= cur) {
			pp = &x->next;
			continue;
		}
		if (xs >= end)
			break;
		if (xs > cur) {
			struct ent_reasm_seg *s =
			    seg_new(r, lim, base + cur, p + (cur - (seq - base)), xs - cur);

			if (s == NULL) {
				counters[ENT_NC_TCP_MEMCAP]++;
				return;
			}
			s->next = x;
			*pp = s;
		}
		overlap = true;
		if (xe > cur)
			cur = xe;
		pp = &x->next;
	}
	if (overlap)
		counters[ENT_NC_TCP_OVERLAP]++;
	if (cur < end) {
		struct ent_reasm_seg *s =
		    seg_new(r, lim, base + cur, p + (cur - (seq - base)), end - cur);

		if (s == NULL) {
			counters[ENT_NC_TCP_MEMCAP]++;
			return;
		}
		s->next = *pp;
		*pp = s;
	}
}

void ent_reasm_data(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim, uint32_t seq,
                    const uint8_t *p, size_t len, size_t wire_len, ent_reasm_cb cb, void *ctx,
                    uint64_t *counters)
{
	uint32_t window = lim_window(lim);
	int32_t off;

	if (r->done || len == 0)
		return;
	if (len > window)
		len = window; /* larger than any real segment; keeps arithmetic in range */
	if (wire_len < len)
		wire_len = len;
	if (!r->started) {
		r->next_seq = seq;
		r->started = true;
	}
	off = (int32_t)(seq - r->next_seq);
	if (off < 0) {
		uint32_t behind = (uint32_t) - (int64_t)off;

		if (behind >= len) {
			counters[ENT_NC_TCP_RETRANS]++;
			return;
		}
		counters[ENT_NC_TCP_OVERLAP]++;
		p += behind;
		len -= behind;
		wire_len -= behind;
		seq = r->next_seq;
		off = 0;
	}
	if (off > 0) {
		uint32_t rel = (uint32_t)off;

		counters[ENT_NC_TCP_OOO]++;
		/* make room by skipping ahead over the oldest hole, while needed */
		while (r->segs != NULL && !r->done &&
		       (rel + len > window || r->held + len > window || r->nsegs >= lim_segs(lim) ||
		        !budget_ok(lim, len + 64))) {
			skip_to_first(r, lim, cb, ctx, counters);
			off = (int32_t)(seq - r->next_seq);
			if (off <= 0)
				break;
			rel = (uint32_t)off;
		}
		if (r->done)
			return;
		if (off < 0) {
			/* the skip delivered part of this segment already: trim it */
			uint32_t behind = (uint32_t) - (int64_t)off;

			if (behind >= len)
				return;
			p += behind;
			len -= behind;
			wire_len -= behind;
			seq = r->next_seq;
			off = 0;
		} else if (off > 0 && (rel + len > window || !budget_ok(lim, len + 64))) {
			/* nothing held and still out of reach: skip to this segment */
			counters[ENT_NC_TCP_GAP]++;
			if (!budget_ok(lim, len + 64))
				counters[ENT_NC_TCP_MEMCAP]++;
			cb(ctx, NULL, rel);
			if (r->done)
				return;
			r->next_seq = seq;
			off = 0;
		}
		if (off > 0) {
			/* a snap-length cut segment is held only up to what was captured */
			hold(r, lim, seq, p, (uint32_t)len, counters);
			return;
		}
	}
	/* in order: deliver it, except where held segments (which came first) cover it */
	uint32_t end = seq + (uint32_t)len;

	while ((int32_t)(end - r->next_seq) > 0) {
		uint32_t avail = end - r->next_seq;

		if (r->segs != NULL && r->segs->seq - r->next_seq < avail)
			avail = r->segs->seq - r->next_seq;
		if (avail > 0) {
			cb(ctx, p + (r->next_seq - seq), avail);
			r->next_seq += avail;
			if (r->done)
				return;
		}
		deliver_ready(r, lim, cb, ctx);
		if (r->done)
			return;
	}
	if (wire_len > len && r->next_seq == end) {
		/* the snap length cut this segment: the rest is a gap */
		counters[ENT_NC_TCP_GAP]++;
		cb(ctx, NULL, wire_len - len);
		r->next_seq += (uint32_t)(wire_len - len);
		if (r->done)
			return;
	}
	deliver_ready(r, lim, cb, ctx);
}
