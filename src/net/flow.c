/*
 * flow.c - the flow table (see flow.h).
 *
 * Invariants:
 *  1. A flow is in exactly one slot and in the activity list; the
 *     list is ordered by the second of the last packet (tail = most recent;
 *     a flow moves to the tail when that second changes).
 *  2. count <= max_flows; *used includes sizeof(struct ent_flow) per flow.
 *  3. on_end is called exactly once per flow, right before it is freed.
 *  4. Slots: open addressing with linear probing, at most half full; a
 *     flow sits between its home slot (hash & mask) and the first empty
 *     slot after it (removal shifts the followers back, no tombstones).
 *     A slot holds the hash next to the pointer, so a probe reads the
 *     flow itself only when the hash matches.
 * The hash is SipHash-1-3 with a random key: flow keys are attacker chosen.
 */
#include "net/flow.h"

#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "net/addr_fmt.h"
#include "net/counters.h"
#include "net/siphash.h"

struct slot {
	uint32_t hash;
	struct ent_flow *f; /* NULL: empty */
};

/* Flows live in 2 MiB chunks (huge pages where the kernel gives them):
 * scattered small allocations made every flow lookup a TLB miss as well as
 * a cache miss. A chunk stays until the table is freed; ended flows go on a
 * free list and are reused first. */
#define CHUNK_BYTES (2u << 20)

/* Under AddressSanitizer a free flow is poisoned as a freed malloc block
 * would be; its first word (the free list link) stays readable. */
#if defined(__SANITIZE_ADDRESS__)
#define ENT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ENT_ASAN 1
#endif
#endif
#ifdef ENT_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((char *)(p) + sizeof(void *), (n) - sizeof(void *))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct chunk {
	struct chunk *next;
};

struct free_flow {
	struct free_flow *next;
};

struct ent_flow_table {
	struct chunk *chunks;
	struct free_flow *free_flows;
	struct slot *slots;
	uint32_t nslots; /* power of two */
	uint32_t count, max_flows;
	size_t *used;
	size_t max_used;
	struct ent_flow_timeouts to;
	uint64_t next_id;
	uint8_t worker_id;
	struct ent_flow *oldest, *newest;
	ent_flow_end_cb on_end;
	void *ctx;
	uint64_t hkey[2];
};

const char *ent_app_proto_name(enum ent_app_proto p)
{
	switch (p) {
	case ENT_APP_UNKNOWN:
		return "unknown";
	case ENT_APP_NONE:
		return "none";
	case ENT_APP_TLS:
		return "tls";
	case ENT_APP_HTTP:
		return "http";
	case ENT_APP_DNS:
		return "dns";
	case ENT_APP_QUIC:
		return "quic";
	}
	return "?";
}

const char *ent_tcp_state_name(enum ent_tcp_state s)
{
	static const char *const names[] = {"none",        "syn_sent", "syn_recv",
	                                    "established", "closing",  "closed"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

struct ent_flow_table *ent_flow_table_new(uint32_t max_flows, size_t *used, size_t max_used,
                                          const struct ent_flow_timeouts *to, uint8_t worker_id,
                                          ent_flow_end_cb on_end, void *ctx)
{
	struct ent_flow_table *t;

	if (sodium_init() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->max_flows = max_flows ? max_flows : 65536;
	/* start small and double with the flows (table_grow): a table sized
	 * for a million flows while ten thousand are live spends every lookup
	 * on a cache miss */
	t->nslots = 1024;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	t->used = used;
	t->max_used = max_used;
	if (to != NULL)
		t->to = *to;
	if (t->to.tcp == 0)
		t->to.tcp = 600;
	if (t->to.tcp_closed == 0)
		t->to.tcp_closed = 30;
	if (t->to.udp == 0)
		t->to.udp = 120;
	if (t->to.other == 0)
		t->to.other = 60;
	t->worker_id = worker_id;
	t->on_end = on_end;
	t->ctx = ctx;
	randombytes_buf(t->hkey, sizeof(t->hkey));
	return t;
}

static uint32_t hash_key(const struct ent_flow_table *t, const uint8_t key[40])
{
	uint64_t w[5];

	memcpy(w, key, 40);
	if (key[0] == 4) {
		/* an IPv4 key is mostly zeros: hash the 16 bytes that are not */
		uint32_t b, ports;

		memcpy(&b, key + 20, 4);
		memcpy(&ports, key + 36, 4);
		w[1] = (uint64_t)b | (uint64_t)ports << 32;
		return (uint32_t)ent_siphash(1, 3, t->hkey, w, 2);
	}
	return (uint32_t)ent_siphash(1, 3, t->hkey, w, 5);
}

static bool key_eq(const uint8_t a[40], const uint8_t b[40])
{
	uint64_t x[5], y[5];

	memcpy(x, a, 40);
	memcpy(y, b, 40);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

static void slot_put(struct slot *slots, uint32_t mask, uint32_t hash, struct ent_flow *f)
{
	uint32_t i = hash & mask;

	while (slots[i].f != NULL)
		i = (i + 1) & mask;
	slots[i].hash = hash;
	slots[i].f = f;
}

/* Doubles the slots while they are more than half full (up to what
 * max_flows needs); keeps the old ones if memory runs out. */
static void table_grow(struct ent_flow_table *t)
{
	uint32_t n = t->nslots * 2;
	struct slot *ns, *old = t->slots;

	if ((uint64_t)t->count * 2 <= t->nslots || t->nslots >= 2 * (uint64_t)t->max_flows ||
	    t->nslots >= (1u << 27))
		return;
	ns = calloc(n, sizeof(*ns));
	if (ns == NULL)
		return;
	for (uint32_t i = 0; i < t->nslots; i++)
		if (old[i].f != NULL)
			slot_put(ns, n - 1, old[i].hash, old[i].f);
	t->slots = ns;
	t->nslots = n;
	free(old);
}

/* Takes f out of its slot and shifts back the flows that probed past it. */
static void slot_remove(struct ent_flow_table *t, const struct ent_flow *f)
{
	uint32_t mask = t->nslots - 1, i = f->hash & mask, j;

	while (t->slots[i].f != f) {
		if (t->slots[i].f == NULL)
			return; /* cannot happen (invariant 1) */
		i = (i + 1) & mask;
	}
	for (j = (i + 1) & mask; t->slots[j].f != NULL; j = (j + 1) & mask) {
		uint32_t home = t->slots[j].hash & mask;

		/* j's flow may move to i unless its home lies in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].f = NULL;
	t->slots[i].hash = 0;
}

static void list_unlink(struct ent_flow_table *t, struct ent_flow *f)
{
	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void list_append(struct ent_flow_table *t, struct ent_flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

/* A zeroed, 64-byte aligned flow from the chunks; NULL without memory. */
static struct ent_flow *flow_alloc(struct ent_flow_table *t)
{
	const size_t size = (sizeof(struct ent_flow) + 63) & ~(size_t)63;
	struct free_flow *ff = t->free_flows;

	if (ff == NULL) {
		struct chunk *c = NULL;

		if (posix_memalign((void **)&c, CHUNK_BYTES, CHUNK_BYTES) != 0 || c == NULL)
			return NULL;
#ifdef MADV_HUGEPAGE
		(void)madvise(c, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
		c->next = t->chunks;
		t->chunks = c;
		/* the first 64 bytes hold the chunk header; the rest is handed
		 * out lowest address first */
		for (size_t i = (CHUNK_BYTES - 64) / size; i-- > 0;) {
			ff = (struct free_flow *)((char *)c + 64 + i * size);
			ff->next = t->free_flows;
			t->free_flows = ff;
			POISON(ff, size);
		}
		ff = t->free_flows;
	}
	UNPOISON(ff, size);
	t->free_flows = ff->next;
	memset(ff, 0, sizeof(struct ent_flow));
	return (struct ent_flow *)ff;
}

static void flow_release(struct ent_flow_table *t, struct ent_flow *f)
{
	struct free_flow *ff = (struct free_flow *)f;

	ff->next = t->free_flows;
	t->free_flows = ff;
	POISON(ff, (sizeof(struct ent_flow) + 63) & ~(size_t)63);
}

static void flow_remove(struct ent_flow_table *t, struct ent_flow *f, enum ent_flow_end_reason why)
{
	if (t->on_end != NULL)
		t->on_end(t->ctx, f, why);
	slot_remove(t, f);
	list_unlink(t, f);
	t->count--;
	if (t->used != NULL)
		*t->used -= sizeof(*f);
	flow_release(t, f);
}

void ent_flow_table_flush(struct ent_flow_table *t)
{
	while (t->oldest != NULL)
		flow_remove(t, t->oldest, ENT_FLOW_END_FINISH);
}

void ent_flow_table_free(struct ent_flow_table *t)
{
	if (t == NULL)
		return;
	ent_flow_table_flush(t);
	while (t->chunks != NULL) {
		struct chunk *c = t->chunks;

		t->chunks = c->next;
		free(c);
	}
	free(t->slots);
	free(t);
}

uint32_t ent_flow_table_count(const struct ent_flow_table *t)
{
	return t->count;
}

bool ent_flow_table_evict_oldest(struct ent_flow_table *t, uint64_t *counters)
{
	if (t->oldest == NULL)
		return false;
	counters[ENT_NC_FLOW_EVICTED]++;
	flow_remove(t, t->oldest, ENT_FLOW_END_EVICTED);
	return true;
}

void ent_flow_table_expire(struct ent_flow_table *t, uint64_t now_sec, uint64_t *counters)
{
	while (t->oldest != NULL && t->oldest->last_sec + t->oldest->timeout < now_sec) {
		counters[ENT_NC_FLOW_TIMEOUT]++;
		flow_remove(t, t->oldest, ENT_FLOW_END_TIMEOUT);
	}
}

/* memcmp of two 4- or 16-byte addresses, inline (memcmp with a length
 * unknown at compile time is a call, twice per packet) */
static int addr_cmp(const uint8_t *a, const uint8_t *b, size_t alen)
{
	uint64_t x, y;

	if (alen == 4) {
		uint32_t u, v;

		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		u = __builtin_bswap32(u);
		v = __builtin_bswap32(v);
		return u < v ? -1 : u > v;
	}
	for (size_t i = 0; i < 16; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y) {
			x = __builtin_bswap64(x);
			y = __builtin_bswap64(y);
			return x < y ? -1 : 1;
		}
	}
	return 0;
}

/* The canonical key: the lower (address, port) end first. *swapped tells
 * whether the packet's source is the second end. */
static void make_key(const struct ent_flow_tuple *tu, uint8_t key[40], bool *swapped)
{
	size_t alen = tu->l3 == 6 ? 16 : 4;
	int c = addr_cmp(tu->src, tu->dst, alen);

	if (c == 0)
		c = tu->sport < tu->dport ? -1 : tu->sport > tu->dport;
	*swapped = c > 0;
	memset(key, 0, 40);
	key[0] = tu->l3;
	key[1] = tu->proto;
	key[2] = (uint8_t)(tu->vlan >> 8);
	key[3] = (uint8_t)tu->vlan;
	memcpy(key + 4, *swapped ? tu->dst : tu->src, alen);
	memcpy(key + 20, *swapped ? tu->src : tu->dst, alen);
	key[36] = (uint8_t)((*swapped ? tu->dport : tu->sport) >> 8);
	key[37] = (uint8_t)(*swapped ? tu->dport : tu->sport);
	key[38] = (uint8_t)((*swapped ? tu->sport : tu->dport) >> 8);
	key[39] = (uint8_t)(*swapped ? tu->sport : tu->dport);
}

void ent_flow_hint_init(const struct ent_flow_table *t, const struct ent_flow_tuple *tu,
                        struct ent_flow_hint *h)
{
	bool swapped;

	make_key(tu, h->key, &swapped);
	h->hash = hash_key(t, h->key);
	h->valid = true;
	__builtin_prefetch(&t->slots[h->hash & (t->nslots - 1)]);
}

void ent_flow_hint_prefetch(const struct ent_flow_table *t, const struct ent_flow_hint *h)
{
	uint32_t mask = t->nslots - 1;

	if (!h->valid)
		return;
	for (uint32_t i = h->hash & mask; t->slots[i].f != NULL; i = (i + 1) & mask) {
		const struct ent_flow *f = t->slots[i].f;

		if (t->slots[i].hash != h->hash)
			continue;
		/* the lines the packet path reads (see struct ent_flow) */
		for (size_t off = 0; off < offsetof(struct ent_flow, info.cli_str); off += 64)
			__builtin_prefetch((const char *)f + off, 1);
		return;
	}
}

static struct ent_flow *flow_create(struct ent_flow_table *t, const struct ent_packet *pkt,
                                    const uint8_t key[40], uint32_t hash, const struct timeval *ts,
                                    uint64_t *counters)
{
	size_t alen = pkt->l3 == 6 ? 16 : 4;
	bool sender_is_client = true;
	struct ent_flow *f;

	while (t->oldest != NULL &&
	       (t->count >= t->max_flows ||
	        (t->used != NULL && t->max_used != 0 && *t->used + sizeof(*f) > t->max_used)))
		ent_flow_table_evict_oldest(t, counters);
	table_grow(t);
	if ((uint64_t)t->count * 4 >= (uint64_t)t->nslots * 3) {
		counters[ENT_NC_FLOW_NOMEM]++; /* the slots could not grow */
		return NULL;
	}
	if (t->used != NULL && t->max_used != 0 && *t->used + sizeof(*f) > t->max_used) {
		counters[ENT_NC_FLOW_NOMEM]++;
		return NULL;
	}
	f = flow_alloc(t);
	if (f == NULL) {
		counters[ENT_NC_FLOW_NOMEM]++;
		return NULL;
	}
	if (pkt->proto == 6 &&
	    (pkt->tcp_flags & (ENT_TCP_SYN | ENT_TCP_ACK)) == (ENT_TCP_SYN | ENT_TCP_ACK))
		sender_is_client = false; /* we missed the SYN: the SYN+ACK goes to the client */
	memcpy(f->key, key, 40);
	f->hash = hash;
	f->info.flow_id = ((uint64_t)t->worker_id << 56) | (++t->next_id & 0x00ffffffffffffffull);
	f->info.family = (uint8_t)pkt->l3;
	f->info.proto = pkt->proto;
	f->info.vlan = pkt->vlan;
	memcpy(f->info.cli_addr, sender_is_client ? pkt->src : pkt->dst, alen);
	memcpy(f->info.srv_addr, sender_is_client ? pkt->dst : pkt->src, alen);
	f->info.cli_port = sender_is_client ? pkt->sport : pkt->dport;
	f->info.srv_port = sender_is_client ? pkt->dport : pkt->sport;
	ent_addr_fmt(pkt->l3, f->info.cli_addr, f->info.cli_str);
	ent_addr_fmt(pkt->l3, f->info.srv_addr, f->info.srv_str);
	f->info.first_ts = *ts;
	ent_reasm_init(&f->reasm[0]);
	ent_reasm_init(&f->reasm[1]);
	slot_put(t->slots, t->nslots - 1, hash, f);
	list_append(t, f);
	t->count++;
	if (t->used != NULL)
		*t->used += sizeof(*f);
	counters[ENT_NC_FLOWS]++;
	return f;
}

static void tcp_track(struct ent_flow_table *t, struct ent_flow *f, const struct ent_packet *pkt,
                      int dir)
{
	uint8_t fl = pkt->tcp_flags;
	enum ent_tcp_state *st = &f->info.tcp_state;

	if (fl & ENT_TCP_RST) {
		*st = ENT_TCP_CLOSED;
	} else if (fl & ENT_TCP_SYN) {
		if (!(fl & ENT_TCP_ACK) && dir == 0 && *st == ENT_TCP_NONE)
			*st = ENT_TCP_SYN_SENT;
		else if ((fl & ENT_TCP_ACK) && dir == 1 &&
		         (*st == ENT_TCP_NONE || *st == ENT_TCP_SYN_SENT))
			*st = ENT_TCP_SYN_RECV;
	} else if (fl & ENT_TCP_FIN) {
		f->fin[dir] = 1;
		*st = f->fin[0] && f->fin[1] ? ENT_TCP_CLOSED : ENT_TCP_CLOSING;
	} else if (*st == ENT_TCP_SYN_RECV && dir == 0 && (fl & ENT_TCP_ACK)) {
		*st = ENT_TCP_ESTABLISHED;
	} else if (*st == ENT_TCP_NONE && f->info.pkts[0] && f->info.pkts[1]) {
		*st = ENT_TCP_ESTABLISHED; /* picked up mid-stream */
	}
	f->timeout = *st == ENT_TCP_CLOSED ? t->to.tcp_closed : t->to.tcp;
}

struct ent_flow *ent_flow_get(struct ent_flow_table *t, const struct ent_packet *pkt,
                              const struct timeval *ts, uint32_t wirelen, int *dir, bool *created,
                              uint64_t *counters)
{
	return ent_flow_get_hinted(t, pkt, ts, wirelen, dir, created, counters, NULL);
}

struct ent_flow *ent_flow_get_hinted(struct ent_flow_table *t, const struct ent_packet *pkt,
                                     const struct timeval *ts, uint32_t wirelen, int *dir,
                                     bool *created, uint64_t *counters,
                                     const struct ent_flow_hint *hint)
{
	const struct ent_flow_tuple tu = {
	    .l3 = (uint8_t)pkt->l3,
	    .proto = pkt->proto,
	    .vlan = pkt->vlan,
	    .sport = pkt->sport,
	    .dport = pkt->dport,
	    .src = pkt->src,
	    .dst = pkt->dst,
	};
	uint8_t key[40];
	bool swapped;
	uint32_t hash;
	struct ent_flow *f;
	size_t alen = pkt->l3 == 6 ? 16 : 4;

	make_key(&tu, key, &swapped);
	if (hint != NULL && hint->valid && key_eq(hint->key, key))
		hash = hint->hash;
	else
		hash = hash_key(t, key);
	f = NULL;
	for (uint32_t i = hash & (t->nslots - 1); t->slots[i].f != NULL;
	     i = (i + 1) & (t->nslots - 1))
		if (t->slots[i].hash == hash && key_eq(t->slots[i].f->key, key)) {
			f = t->slots[i].f;
			break;
		}
	*created = false;
	if (f != NULL && pkt->proto == 6 && f->info.tcp_state == ENT_TCP_CLOSED &&
	    (pkt->tcp_flags & (ENT_TCP_SYN | ENT_TCP_ACK)) == ENT_TCP_SYN) {
		flow_remove(t, f, ENT_FLOW_END_REUSED);
		f = NULL;
	}
	if (f == NULL) {
		f = flow_create(t, pkt, key, hash, ts, counters);
		if (f == NULL)
			return NULL;
		*created = true;
	} else if (f->last_sec != (ts->tv_sec > 0 ? (uint64_t)ts->tv_sec : 0)) {
		/* the activity list is ordered by last second of activity: a
		 * flow moves to its end only when that second changes, not on
		 * every packet (the order stays the same, the cache misses go) */
		list_unlink(t, f);
		list_append(t, f);
	}
	*dir = addr_cmp(pkt->src, f->info.cli_addr, alen) == 0 && pkt->sport == f->info.cli_port
	           ? 0
	           : 1;
	f->info.pkts[*dir]++;
	f->info.bytes[*dir] += wirelen;
	f->info.last_ts = *ts;
	f->last_sec = ts->tv_sec > 0 ? (uint64_t)ts->tv_sec : 0;
	if (pkt->proto == 6)
		tcp_track(t, f, pkt, *dir);
	else
		f->timeout = pkt->proto == 17 ? t->to.udp : t->to.other;
	return f;
}
