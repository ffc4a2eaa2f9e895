/*
 * test_match_diff.c - differential test of the compiled matcher against a
 * deliberately naive reference: a linear list of entries compared one by one
 * (address & mask == network; name == domain or name ends in "." domain;
 * string equality).
 *
 * Randomized with fixed seeds: overlapping networks of every length
 * (/0 included) built by extending earlier networks, domains over a small
 * alphabet so that parents, siblings and look-alikes ("bad" + domain) occur,
 * digests, URLs, e-mail, JA4, with duplicate values and refs. Lookups: inside
 * random networks, at and next to their first and last address, random
 * addresses; random subdomains of inserted domains with random case and
 * trailing dots; mutated strings. Each lookup must return exactly the
 * reference's refs in the documented order (addresses: longest prefix first;
 * domains: whole name exact, whole name with subdomains, then parents from
 * the longest; refs of one entry ascending), also when truncated by max.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "match/matcher.h"

#define VMAX 300
#define RMAX 4096

/* ---- a small fixed-seed generator (xorshift64*) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ---- the naive reference ---- */

struct ref_entry {
	enum ent_obs_kind kind;
	char value[VMAX]; /* normalized text, "*." stripped */
	uint8_t addr[16]; /* addresses: network, network byte order */
	unsigned plen;
	uint32_t ref;
	bool sub;
};

struct ref_list {
	struct ref_entry *e;
	size_t n, cap;
};

static bool same_entry(const struct ref_entry *a, const struct ref_entry *b)
{
	if (a->kind != b->kind || a->ref != b->ref)
		return false;
	if (a->kind == ENT_OBS_IPV4 || a->kind == ENT_OBS_IPV6)
		return a->plen == b->plen && memcmp(a->addr, b->addr, 16) == 0;
	return strcmp(a->value, b->value) == 0;
}

/* Adds an entry, collapsing duplicates (a domain's subdomain flag is OR-ed). */
static void ref_add(struct ref_list *l, const struct ref_entry *x)
{
	for (size_t i = 0; i < l->n; i++) {
		if (same_entry(&l->e[i], x)) {
			l->e[i].sub |= x->sub;
			return;
		}
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->e = realloc(l->e, l->cap * sizeof *l->e);
		assert_non_null(l->e);
	}
	l->e[l->n++] = *x;
}

static bool prefix_covers(const uint8_t *net, unsigned plen, const uint8_t *a)
{
	for (unsigned i = 0; i < plen; i++) {
		unsigned bit = 7 - i % 8;
		if (((net[i / 8] >> bit) & 1) != ((a[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

static void lower_copy(char *dst, const char *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] + 32) : src[i];
	dst[len] = '\0';
}

struct hit {
	uint32_t ref;
	int k1, k2; /* order keys: smaller first */
};

static int hit_cmp(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;
	if (a->k1 != b->k1)
		return a->k1 < b->k1 ? -1 : 1;
	if (a->k2 != b->k2)
		return a->k2 < b->k2 ? -1 : 1;
	return a->ref < b->ref ? -1 : a->ref > b->ref;
}

/* The reference lookup: refs in documented order into out; returns count. */
static size_t ref_lookup(const struct ref_list *l, enum ent_obs_kind kind, const char *q,
                         size_t qlen, const uint8_t *addr, uint32_t *out)
{
	static struct hit hits[RMAX];
	char lq[8192];
	size_t n = 0;

	if (kind == ENT_OBS_DOMAIN && qlen > 0 && q[qlen - 1] == '.')
		qlen--;
	if (q != NULL)
		lower_copy(lq, q, qlen);
	for (size_t i = 0; i < l->n; i++) {
		const struct ref_entry *e = &l->e[i];
		bool match = false;
		int k1 = 0, k2 = 0;
		if (e->kind != kind)
			continue;
		switch (kind) {
		case ENT_OBS_IPV4:
		case ENT_OBS_IPV6:
			match = prefix_covers(e->addr, e->plen, addr);
			k1 = -(int)e->plen;
			break;
		case ENT_OBS_DOMAIN: {
			size_t vl = strlen(e->value);
			if (qlen == 0)
				break;
			if (vl == qlen && memcmp(lq, e->value, vl) == 0)
				match = true;
			else if (e->sub && qlen > vl && lq[qlen - vl - 1] == '.' &&
			         memcmp(lq + qlen - vl, e->value, vl) == 0)
				match = true;
			k1 = -(int)vl;
			k2 = e->sub;
			break;
		}
		case ENT_OBS_URL:
			match = strlen(e->value) == qlen && memcmp(q, e->value, qlen) == 0;
			break;
		default: /* digests, e-mail, JA4: case-insensitive equality */
			match = strlen(e->value) == qlen && memcmp(lq, e->value, qlen) == 0;
			break;
		}
		if (match) {
			assert_true(n < RMAX);
			hits[n++] = (struct hit){e->ref, k1, k2};
		}
	}
	qsort(hits, n, sizeof *hits, hit_cmp);
	for (size_t i = 0; i < n; i++)
		out[i] = hits[i].ref;
	return n;
}

/* ---- random indicators ---- */

static const char *const labels[] = {"a", "b", "ab", "ba", "c", "www", "mail", "x1", "z-z", "q_"};
static const char *const tlds[] = {"com", "net", "b", "a"};

static void rand_domain(char *out, size_t outsz)
{
	int nl = 1 + (int)rn(3);
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < nl; i++)
		n += (size_t)snprintf(out + n, outsz - n, "%s.", labels[rn(10)]);
	snprintf(out + n, outsz - n, "%s", tlds[rn(4)]);
}

static void rand_hex(char *out, size_t digits, unsigned pool)
{
	/* a small pool of values so that duplicates and shared prefixes occur */
	uint64_t s = rn(pool) * 0x9E3779B97F4A7C15ULL + 1;
	for (size_t i = 0; i < digits; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		out[i] = "0123456789abcdef"[s & 15];
	}
	out[digits] = '\0';
}

/* Networks: extend an earlier network, or start a random one. */
static void rand_net(struct ref_list *nets, enum ent_obs_kind kind, struct ref_entry *e)
{
	unsigned bits = kind == ENT_OBS_IPV4 ? 32 : 128;
	uint8_t a[16] = {0};
	unsigned base = 0;

	if (nets->n > 0 && rn(4) != 0) {
		const struct ref_entry *p = &nets->e[rn((uint32_t)nets->n)];
		memcpy(a, p->addr, 16);
		base = p->plen;
	}
	for (unsigned i = base; i < bits; i++) {
		unsigned bit = 7 - i % 8;
		a[i / 8] = (uint8_t)((a[i / 8] & ~(1u << bit)) | ((unsigned)rn(2) << bit));
	}
	unsigned plen;
	uint32_t c = rn(10);
	if (c < 4)
		plen = bits; /* hosts are most entries */
	else if (c == 4 && rn(20) == 0)
		plen = 0;
	else
		plen = base + rn(bits - base + 1);
	for (unsigned i = plen; i < bits; i++)
		a[i / 8] &= (uint8_t) ~(1u << (7 - i % 8));
	memset(e, 0, sizeof *e);
	e->kind = kind;
	memcpy(e->addr, a, 16);
	e->plen = plen;
	char txt[INET6_ADDRSTRLEN];
	inet_ntop(kind == ENT_OBS_IPV4 ? AF_INET : AF_INET6, a, txt, sizeof txt);
	if (plen == bits && rn(2))
		snprintf(e->value, sizeof e->value, "%s", txt);
	else
		snprintf(e->value, sizeof e->value, "%s/%u", txt, plen);
}

struct round {
	struct ref_list ref;
	struct ref_list nets4, nets6; /* the networks, for lookups near them */
	struct ref_list strs;         /* the non-address entries, for lookups */
};

static void gen_entry(struct round *r, struct ent_matcher_builder *b, uint32_t nrefs)
{
	static const enum ent_obs_kind kinds[] = {
	    ENT_OBS_IPV4,   ENT_OBS_IPV4,   ENT_OBS_IPV4,  ENT_OBS_IPV6, ENT_OBS_IPV6,
	    ENT_OBS_DOMAIN, ENT_OBS_DOMAIN, ENT_OBS_URL,   ENT_OBS_MD5,  ENT_OBS_SHA1,
	    ENT_OBS_SHA256, ENT_OBS_JA3,    ENT_OBS_EMAIL, ENT_OBS_JA4,  ENT_OBS_X509_SHA256,
	};
	enum ent_obs_kind kind = kinds[rn(sizeof kinds / sizeof *kinds)];
	struct ref_entry e;
	char add[VMAX + 2];
	unsigned flags = 0;

	memset(&e, 0, sizeof e);
	e.kind = kind;
	switch (kind) {
	case ENT_OBS_IPV4:
	case ENT_OBS_IPV6:
		rand_net(kind == ENT_OBS_IPV4 ? &r->nets4 : &r->nets6, kind, &e);
		break;
	case ENT_OBS_DOMAIN:
		rand_domain(e.value, sizeof e.value);
		e.sub = rn(2);
		break;
	case ENT_OBS_URL:
		snprintf(e.value, sizeof e.value, "http://%s/%s%s", labels[rn(10)], labels[rn(10)],
		         rn(2) ? "?Q=1" : "");
		break;
	case ENT_OBS_MD5:
	case ENT_OBS_JA3:
		rand_hex(e.value, 32, 64);
		break;
	case ENT_OBS_SHA1:
		rand_hex(e.value, 40, 64);
		break;
	case ENT_OBS_SHA256:
	case ENT_OBS_X509_SHA256:
		rand_hex(e.value, 64, 64);
		break;
	case ENT_OBS_EMAIL:
		snprintf(e.value, sizeof e.value, "%s@%s.com", labels[rn(10)], labels[rn(10)]);
		break;
	default:
		snprintf(e.value, sizeof e.value, "t13d%02u_%s", rn(30), labels[rn(10)]);
		break;
	}
	e.ref = rn(nrefs);
	if (e.sub && rn(2))
		snprintf(add, sizeof add, "*.%s", e.value);
	else {
		snprintf(add, sizeof add, "%s", e.value);
		flags = e.sub ? ENT_MATCH_SUBDOMAINS : 0;
	}
	int rc = ent_matcher_builder_add(b, kind, add, strlen(add), e.ref, flags);
	if (rc != 0)
		fail_msg("add %s: %d", add, rc);
	ref_add(&r->ref, &e);
	if (kind == ENT_OBS_IPV4)
		ref_add(&r->nets4, &e);
	else if (kind == ENT_OBS_IPV6)
		ref_add(&r->nets6, &e);
	else
		ref_add(&r->strs, &e);
}

/* ---- lookups ---- */

static size_t nlookups, nhit, nmulti;

static void compare(const struct ent_matcher *m, const struct round *r, enum ent_obs_kind kind,
                    const char *q, size_t qlen, const uint8_t *addr)
{
	static uint32_t want[RMAX], got[RMAX];
	size_t nw = ref_lookup(&r->ref, kind, q, qlen, addr, want);
	size_t ng;
	char what[VMAX * 2];

	if (kind == ENT_OBS_IPV4) {
		uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
		             (uint32_t)addr[2] << 8 | addr[3];
		ng = ent_matcher_lookup_ip4(m, a, got, RMAX);
		inet_ntop(AF_INET, addr, what, sizeof what);
	} else if (kind == ENT_OBS_IPV6) {
		ng = ent_matcher_lookup_ip6(m, addr, got, RMAX);
		inet_ntop(AF_INET6, addr, what, sizeof what);
	} else {
		ng = ent_matcher_lookup(m, kind, q, qlen, got, RMAX);
		snprintf(what, sizeof what, "%.*s", (int)qlen, q);
	}
	nlookups++;
	nhit += nw > 0;
	nmulti += nw > 1;
	if (ng != nw)
		fail_msg("kind %d %s: %zu matches, reference %zu", kind, what, ng, nw);
	for (size_t i = 0; i < nw; i++)
		if (got[i] != want[i])
			fail_msg("kind %d %s: ref[%zu] = %u, reference %u", kind, what, i, got[i],
			         want[i]);
	/* a truncated lookup gives the same total and a prefix of the refs */
	if (nw > 1) {
		size_t max = 1 + rn((uint32_t)nw - 1);
		uint32_t small[RMAX];
		size_t nt;
		if (kind == ENT_OBS_IPV6)
			nt = ent_matcher_lookup_ip6(m, addr, small, max);
		else if (kind == ENT_OBS_IPV4)
			nt = ent_matcher_lookup(m, kind, what, strlen(what), small, max);
		else
			nt = ent_matcher_lookup(m, kind, q, qlen, small, max);
		assert_int_equal(nt, nw);
		assert_memory_equal(small, want, max * sizeof *small);
	}
}

static void lookup_addr(const struct ent_matcher *m, const struct round *r, enum ent_obs_kind kind)
{
	const struct ref_list *nets = kind == ENT_OBS_IPV4 ? &r->nets4 : &r->nets6;
	unsigned bits = kind == ENT_OBS_IPV4 ? 32 : 128;
	uint8_t a[16] = {0};
	uint32_t how = rn(4);

	for (unsigned i = 0; i < bits / 8; i++)
		a[i] = (uint8_t)rn(256);
	if (nets->n > 0 && how != 0) {
		const struct ref_entry *p = &nets->e[rn((uint32_t)nets->n)];
		bool last = rn(2);
		/* inside (random host bits), or at its first / last address ... */
		for (unsigned i = 0; i < bits; i++) {
			unsigned bit = 7 - i % 8;
			unsigned v = i < p->plen ? (p->addr[i / 8] >> bit) & 1
			                         : (how == 1 ? (a[i / 8] >> bit) & 1 : last);
			a[i / 8] = (uint8_t)((a[i / 8] & ~(1u << bit)) | (v << bit));
		}
		/* ... or one past either end */
		if (how == 3) {
			int d = last ? 1 : -1;
			for (int i = (int)bits / 8 - 1; i >= 0; i--) {
				int v = a[i] + d;
				a[i] = (uint8_t)v;
				if (v >= 0 && v <= 255)
					break;
			}
		}
	}
	compare(m, r, kind, NULL, 0, a);
	if (kind == ENT_OBS_IPV4) {
		/* the text form must agree with the binary one */
		char txt[INET_ADDRSTRLEN];
		uint32_t x[RMAX], y[RMAX];
		inet_ntop(AF_INET, a, txt, sizeof txt);
		uint32_t h =
		    (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		size_t n1 = ent_matcher_lookup_ip4(m, h, x, RMAX);
		size_t n2 = ent_matcher_lookup(m, ENT_OBS_IPV4, txt, strlen(txt), y, RMAX);
		assert_int_equal(n1, n2);
		assert_memory_equal(x, y, n1 * sizeof *x);
	}
}

static void mutate_case(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z' && rn(3) == 0)
			*s = (char)(*s - 32);
}

static void lookup_string(const struct ent_matcher *m, const struct round *r)
{
	char q[2 * VMAX];
	enum ent_obs_kind kind;

	if (r->strs.n == 0 || rn(8) == 0) {
		kind = rn(2) ? ENT_OBS_DOMAIN : ENT_OBS_URL;
		if (kind == ENT_OBS_DOMAIN)
			rand_domain(q, sizeof q);
		else
			snprintf(q, sizeof q, "http://%s/", labels[rn(10)]);
	} else {
		const struct ref_entry *e = &r->strs.e[rn((uint32_t)r->strs.n)];
		kind = e->kind;
		snprintf(q, sizeof q, "%s", e->value);
		if (kind == ENT_OBS_DOMAIN) {
			uint32_t how = rn(6);
			char tmp[2 * VMAX];
			if (how == 0 || how == 1) { /* random subdomain */
				char d[VMAX];
				rand_domain(d, sizeof d);
				snprintf(tmp, sizeof tmp, "%s.%s", d, q);
				snprintf(q, sizeof q, "%s", tmp);
			} else if (how == 2) { /* look-alike */
				snprintf(tmp, sizeof tmp, "%s%s", labels[rn(10)], q);
				snprintf(q, sizeof q, "%s", tmp);
			} else if (how == 3) { /* a parent */
				char *dot = strchr(q, '.');
				if (dot != NULL)
					memmove(q, dot + 1, strlen(dot + 1) + 1);
			}
			if (rn(4) == 0)
				strcat(q, rn(4) ? "." : "..");
		}
		if (kind != ENT_OBS_URL && rn(2))
			mutate_case(q);
		if (rn(5) == 0 && q[0] != '\0') /* a one-byte change */
			q[rn((uint32_t)strlen(q))] ^= (char)(1 + rn(2));
	}
	compare(m, r, kind, q, strlen(q), NULL);
}

static void run_round(uint64_t seed, size_t nentries, uint32_t nrefs, size_t nlook)
{
	struct round r;
	char err[ENT_ERRBUF_SIZE];

	memset(&r, 0, sizeof r);
	rng_state = seed;
	struct ent_matcher_builder *b = ent_matcher_builder_new(nentries ? nentries : 1);
	assert_non_null(b);
	for (size_t i = 0; i < nentries; i++)
		gen_entry(&r, b, nrefs);
	struct ent_matcher *m = ent_matcher_build(b, err);
	if (m == NULL)
		fail_msg("seed %llu: %s", (unsigned long long)seed, err);
	assert_int_equal(ent_matcher_count(m), r.ref.n);
	for (int k = 0; k < ENT_OBS_KIND_COUNT; k++) {
		size_t c = 0;
		for (size_t i = 0; i < r.ref.n; i++)
			c += r.ref.e[i].kind == (enum ent_obs_kind)k;
		assert_int_equal(ent_matcher_kind_count(m, (enum ent_obs_kind)k), c);
	}
	for (size_t i = 0; i < nlook; i++) {
		uint32_t c = rn(4);
		if (c == 0)
			lookup_addr(m, &r, ENT_OBS_IPV4);
		else if (c == 1)
			lookup_addr(m, &r, ENT_OBS_IPV6);
		else
			lookup_string(m, &r);
	}
	ent_matcher_free(m);
	free(r.ref.e);
	free(r.nets4.e);
	free(r.nets6.e);
	free(r.strs.e);
}

static void test_diff_small(void **state)
{
	(void)state;
	/* tiny sets: empty tables, single entries, one bucket */
	for (uint64_t seed = 1; seed <= 200; seed++)
		run_round(seed, seed % 12, 1 + (uint32_t)(seed % 5), 300);
}

static void test_diff_medium(void **state)
{
	(void)state;
	/* many duplicate values and refs */
	for (uint64_t seed = 1000; seed < 1010; seed++)
		run_round(seed, 400, 8, 10000);
}

static void test_diff_large(void **state)
{
	(void)state;
	for (uint64_t seed = 2000; seed < 2004; seed++)
		run_round(seed, 3000, 1000000, 25000);
	printf("[ INFO     ] %zu lookups compared, %zu with a match, %zu with several\n", nlookups,
	       nhit, nmulti);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_small),
	    cmocka_unit_test(test_diff_medium),
	    cmocka_unit_test(test_diff_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
