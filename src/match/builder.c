/*
 * builder.c - collects and validates the entries of a matcher to be built.
 *
 * Each add parses the normalized value into the form its table keeps:
 * addresses and digests to binary keys, networks to (address, length),
 * strings into one growing arena. Every array has the hard limit
 * max_entries (all adds together), the arena 4 GiB (32-bit offsets).
 * An add either succeeds entirely or changes nothing.
 */
#include "match/match_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

struct ent_matcher_builder *ent_matcher_builder_new(size_t max_entries)
{
	struct ent_matcher_builder *b;

	if (max_entries == 0 || max_entries > ENT_MATCH_ENTRIES_MAX)
		return NULL;
	b = calloc(1, sizeof *b);
	if (b != NULL)
		b->max_entries = max_entries;
	return b;
}

void ent_matcher_builder_free(struct ent_matcher_builder *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < ENT_MATCH_FIX_COUNT; i++) {
		free(b->fix[i].keys);
		free(b->fix[i].refs);
	}
	for (int i = 0; i < ENT_MATCH_STR_COUNT; i++)
		free(b->str[i].recs);
	free(b->net4);
	free(b->net6);
	free(b->arena);
	free(b);
}

size_t ent_matcher_builder_count(const struct ent_matcher_builder *b)
{
	return b == NULL ? 0 : b->count;
}

/*
 * The capacity for one more element than n (current capacity cap) under the
 * limit max: cap itself when there is room, else doubled; 0 past max.
 */
static size_t next_cap(size_t cap, size_t n, size_t max)
{
	if (n < cap)
		return cap;
	size_t c = cap ? cap * 2 : 64;
	if (c > max)
		c = max;
	return c > n ? c : 0;
}

/* Reallocates *p (a pointer to any object pointer) to c elements of size el. */
#define GROW(p, c, el) grow_to((void *)(p), sizeof *(p), (c), (el))

static int grow_to(void *pp, size_t psize, size_t c, size_t el)
{
	void *old, *q;

	/* copy the pointer in and out as bytes: no access through a void ** */
	memcpy(&old, pp, psize);
	q = realloc(old, c * el);
	if (q == NULL)
		return ENT_ENOMEM;
	memcpy(pp, &q, psize);
	return 0;
}

int ent_match_digest_table(enum ent_obs_kind kind, uint32_t *width)
{
	switch (kind) {
	case ENT_OBS_MD5:
		*width = 16;
		return ENT_MATCH_FIX_MD5;
	case ENT_OBS_SHA1:
		*width = 20;
		return ENT_MATCH_FIX_SHA1;
	case ENT_OBS_SHA256:
		*width = 32;
		return ENT_MATCH_FIX_SHA256;
	case ENT_OBS_JA3:
		*width = 16;
		return ENT_MATCH_FIX_JA3;
	case ENT_OBS_X509_MD5:
		*width = 16;
		return ENT_MATCH_FIX_X509_MD5;
	case ENT_OBS_X509_SHA1:
		*width = 20;
		return ENT_MATCH_FIX_X509_SHA1;
	case ENT_OBS_X509_SHA256:
		*width = 32;
		return ENT_MATCH_FIX_X509_SHA256;
	default:
		return -1;
	}
}

int ent_match_string_table(enum ent_obs_kind kind)
{
	switch (kind) {
	case ENT_OBS_URL:
		return ENT_MATCH_STR_URL;
	case ENT_OBS_EMAIL:
		return ENT_MATCH_STR_EMAIL;
	case ENT_OBS_JA4:
		return ENT_MATCH_STR_JA4;
	default:
		return -1;
	}
}

/* Hex digit values, -1 for other bytes: a table keeps random digits branch-free. */
static const int8_t hexval[256] = {
    ['0'] = 0,  ['1'] = 1,  ['2'] = 2,  ['3'] = 3,  ['4'] = 4,  ['5'] = 5,  ['6'] = 6,  ['7'] = 7,
    ['8'] = 8,  ['9'] = 9,  ['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15,
    ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

/* hexval with 0 for non-digits is ambiguous; this marks the digits */
static const uint8_t hexdigit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
};

bool ent_match_hex_decode(const char *s, size_t len, uint8_t *out, uint32_t width)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned ok = 1;

	if (len != 2 * (size_t)width)
		return false;
	for (uint32_t i = 0; i < width; i++) {
		unsigned char a = u[2 * i], b = u[2 * i + 1];
		ok &= hexdigit[a] & hexdigit[b];
		out[i] = (uint8_t)(hexval[a] << 4 | hexval[b]);
	}
	return ok != 0;
}

/*
 * Splits "addr[/len]" into a NUL-terminated copy of the address in buf
 * (bufsz bytes) and the prefix length (*plen = maxlen without "/").
 */
static bool split_cidr(const char *v, size_t len, char *buf, size_t bufsz, unsigned maxlen,
                       unsigned *plen)
{
	const char *slash = memchr(v, '/', len);
	size_t alen = slash ? (size_t)(slash - v) : len;

	if (alen == 0 || alen >= bufsz || memchr(v, '\0', alen) != NULL)
		return false;
	memcpy(buf, v, alen);
	buf[alen] = '\0';
	*plen = maxlen;
	if (slash != NULL) {
		size_t dl = len - alen - 1;
		unsigned p = 0;
		if (dl == 0 || dl > 3)
			return false;
		for (size_t i = 0; i < dl; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9')
				return false;
			p = p * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (p > maxlen)
			return false;
		*plen = p;
	}
	return true;
}

static int add_fixed(struct ent_matcher_builder *b, int id, const uint8_t *key, uint32_t width,
                     uint32_t ref)
{
	struct ent_match_fixin *f = &b->fix[id];
	int ret;

	if (f->n == f->cap) {
		size_t c = next_cap(f->cap, f->n, b->max_entries);
		if (c == 0)
			return ENT_ELIMIT;
		/* a failure leaves a larger refs array: harmless, cap is unchanged */
		ret = GROW(&f->refs, c, sizeof *f->refs);
		if (ret == 0)
			ret = GROW(&f->keys, c, width);
		if (ret < 0)
			return ret;
		f->cap = c;
	}
	memcpy(f->keys + f->n * width, key, width);
	f->refs[f->n++] = ref;
	return 0;
}

static int add_ip4(struct ent_matcher_builder *b, const char *v, size_t len, uint32_t ref)
{
	char buf[INET_ADDRSTRLEN];
	unsigned plen;
	struct in_addr a;

	if (!split_cidr(v, len, buf, sizeof buf, 32, &plen) || inet_pton(AF_INET, buf, &a) != 1)
		return ENT_EINVAL;
	uint32_t addr = ntohl(a.s_addr);
	if (plen == 32)
		return add_fixed(b, ENT_MATCH_FIX_IP4, (const uint8_t *)&addr, 4, ref);
	addr &= plen == 0 ? 0 : UINT32_MAX << (32 - plen);
	if (b->nnet4 == b->capnet4) {
		size_t c = next_cap(b->capnet4, b->nnet4, b->max_entries);
		if (c == 0)
			return ENT_ELIMIT;
		int ret = GROW(&b->net4, c, sizeof *b->net4);
		if (ret < 0)
			return ret;
		b->capnet4 = c;
	}
	b->net4[b->nnet4++] = (struct ent_lpm4_rec){addr, plen, ref};
	return 0;
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int add_ip6(struct ent_matcher_builder *b, const char *v, size_t len, uint32_t ref)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned plen;
	uint8_t a[16];

	if (!split_cidr(v, len, buf, sizeof buf, 128, &plen) || inet_pton(AF_INET6, buf, a) != 1)
		return ENT_EINVAL;
	if (plen == 128)
		return add_fixed(b, ENT_MATCH_FIX_IP6, a, 16, ref);
	struct ent_u128 x = {load_be64(a), load_be64(a + 8)};
	if (plen == 0) {
		x.hi = x.lo = 0;
	} else if (plen <= 64) {
		x.hi &= UINT64_MAX << (64 - plen);
		x.lo = 0;
	} else {
		x.lo &= UINT64_MAX << (128 - plen);
	}
	if (b->nnet6 == b->capnet6) {
		size_t c = next_cap(b->capnet6, b->nnet6, b->max_entries);
		if (c == 0)
			return ENT_ELIMIT;
		int ret = GROW(&b->net6, c, sizeof *b->net6);
		if (ret < 0)
			return ret;
		b->capnet6 = c;
	}
	b->net6[b->nnet6++] = (struct ent_lpm6_rec){x, plen, ref};
	return 0;
}

static bool has_upper(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (v[i] >= 'A' && v[i] <= 'Z')
			return true;
	return false;
}

/* A domain every label of which can be hashed: 1..63-byte labels, <= 253. */
static bool domain_ok(const char *v, size_t len)
{
	size_t lab = 0;

	if (len == 0 || len > 253 || has_upper(v, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if (++lab > 63) {
			return false;
		}
	}
	return lab > 0;
}

static int add_string(struct ent_matcher_builder *b, int id, const char *v, size_t len,
                      uint32_t ref)
{
	struct ent_match_strin *s = &b->str[id];

	if (len > UINT32_MAX - b->arena_len)
		return ENT_ELIMIT;
	if (b->arena_len + len > b->arena_cap) {
		size_t c = b->arena_cap ? b->arena_cap * 2 : 4096;
		while (c < b->arena_len + len)
			c *= 2;
		if (c > (size_t)UINT32_MAX)
			c = UINT32_MAX;
		char *a = realloc(b->arena, c);
		if (a == NULL)
			return ENT_ENOMEM;
		b->arena = a;
		b->arena_cap = c;
	}
	if (s->n == s->cap) {
		size_t c = next_cap(s->cap, s->n, b->max_entries);
		if (c == 0)
			return ENT_ELIMIT;
		int ret = GROW(&s->recs, c, sizeof *s->recs);
		if (ret < 0)
			return ret;
		s->cap = c;
	}
	memcpy(b->arena + b->arena_len, v, len);
	s->recs[s->n++] = (struct ent_strtab_rec){(uint32_t)b->arena_len, (uint32_t)len, ref};
	b->arena_len += len;
	return 0;
}

int ent_matcher_builder_add(struct ent_matcher_builder *b, enum ent_obs_kind kind,
                            const char *value, size_t len, uint32_t ref, unsigned flags)
{
	uint8_t key[32];
	uint32_t width;
	int id, ret;

	if (b == NULL || (value == NULL && len > 0) || ref > ENT_MATCH_REF_MAX ||
	    (flags & ~ENT_MATCH_SUBDOMAINS) != 0 ||
	    ((flags & ENT_MATCH_SUBDOMAINS) && kind != ENT_OBS_DOMAIN) || len == 0 ||
	    len > ENT_OBS_VALUE_MAX)
		return ENT_EINVAL;
	if (b->count >= b->max_entries)
		return ENT_ELIMIT;

	if (kind == ENT_OBS_IPV4) {
		ret = add_ip4(b, value, len, ref);
	} else if (kind == ENT_OBS_IPV6) {
		ret = add_ip6(b, value, len, ref);
	} else if (kind == ENT_OBS_DOMAIN) {
		if (len > 2 && value[0] == '*' && value[1] == '.') {
			value += 2;
			len -= 2;
			flags |= ENT_MATCH_SUBDOMAINS;
		}
		if (!domain_ok(value, len))
			return ENT_EINVAL;
		ret = add_string(b,
		                 (flags & ENT_MATCH_SUBDOMAINS) ? ENT_MATCH_STR_DOMAIN_SUB
		                                                : ENT_MATCH_STR_DOMAIN,
		                 value, len, ref);
	} else if ((id = ent_match_digest_table(kind, &width)) >= 0) {
		if (!ent_match_hex_decode(value, len, key, width))
			return ENT_EINVAL;
		ret = add_fixed(b, id, key, width, ref);
	} else if ((id = ent_match_string_table(kind)) >= 0) {
		/* e-mail and JA4 lookups fold case: upper case could never match */
		if (id != ENT_MATCH_STR_URL && has_upper(value, len))
			return ENT_EINVAL;
		ret = add_string(b, id, value, len, ref);
	} else {
		return ENT_EINVAL;
	}
	if (ret == 0)
		b->count++;
	return ret;
}
