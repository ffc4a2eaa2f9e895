/*
 * lookup.c - the matcher's lookups: raw values from traffic in, refs out.
 *
 * Only reads the matcher and never allocates: a value that needs folding
 * (domain, e-mail and JA4 case; IP text) is copied into a bounded stack
 * buffer first. Values that cannot be of their kind match nothing.
 */
#include "match/match_int.h"

#include <arpa/inet.h>
#include <string.h>

static void emit_fixed(const struct ent_matcher *m, int id, const uint8_t *key, uint64_t h,
                       struct ent_match_out *o)
{
	const struct ent_fixtab *t = &m->fix[id];
	uint32_t c = ent_fixtab_find(t, key, h);

	if (c != ENT_MATCH_NONE)
		ent_match_out_code(o, c, t->multi);
}

static void emit_string(const struct ent_matcher *m, int id, const char *s, size_t len, uint64_t h,
                        struct ent_match_out *o)
{
	const struct ent_strtab *t = &m->str[id];
	uint32_t c = ent_strtab_find(t, s, len, h);

	if (c != ENT_MATCH_NONE)
		ent_match_out_code(o, c, t->multi);
}

size_t ent_matcher_lookup_ip4(const struct ent_matcher *m, uint32_t addr, uint32_t *refs,
                              size_t max)
{
	struct ent_match_out o = {refs, max, 0};

	if (m == NULL)
		return 0;
	if (m->fix[ENT_MATCH_FIX_IP4].n > 0)
		emit_fixed(m, ENT_MATCH_FIX_IP4, (const uint8_t *)&addr,
		           ent_match_hash_ip4(&m->keys, addr), &o);
	ent_lpm4_emit(&m->net4, addr, &o);
	return o.n;
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

size_t ent_matcher_lookup_ip6(const struct ent_matcher *m, const uint8_t addr[16], uint32_t *refs,
                              size_t max)
{
	struct ent_match_out o = {refs, max, 0};

	if (m == NULL)
		return 0;
	if (m->fix[ENT_MATCH_FIX_IP6].n > 0)
		emit_fixed(m, ENT_MATCH_FIX_IP6, addr, ent_match_hash_bytes(&m->keys, addr, 16),
		           &o);
	if (m->net6.nbounds > 0) {
		struct ent_u128 a = {load_be64(addr), load_be64(addr + 8)};
		ent_lpm6_emit(&m->net6, a, &o);
	}
	return o.n;
}

static void lower(char *dst, const char *src, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
	}
}

static size_t lookup_domain(const struct ent_matcher *m, const char *v, size_t len,
                            struct ent_match_out *o)
{
	const struct ent_strtab *exact = &m->str[ENT_MATCH_STR_DOMAIN];
	const struct ent_strtab *sub = &m->str[ENT_MATCH_STR_DOMAIN_SUB];
	uint64_t hashes[ENT_MATCH_LABELS_MAX];
	size_t starts[ENT_MATCH_LABELS_MAX];
	char buf[254];

	if (exact->n == 0 && sub->n == 0)
		return 0;
	if (len > 0 && v[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	/*
	 * A stored domain has at most 253 bytes: of a longer name only parent
	 * domains within its last 254 bytes can match.
	 */
	bool whole = len <= 253;
	size_t n = whole ? len : sizeof buf;
	lower(buf, v + (len - n), n);
	size_t nh = ent_match_hash_domain(&m->keys, buf, n, whole, hashes, starts);
	if (nh == 0)
		return 0;
	if (starts[nh - 1] == 0 && exact->n > 0)
		emit_string(m, ENT_MATCH_STR_DOMAIN, buf, n, hashes[nh - 1], o);
	if (sub->n > 0)
		for (size_t i = nh; i-- > 0;)
			emit_string(m, ENT_MATCH_STR_DOMAIN_SUB, buf + starts[i], n - starts[i],
			            hashes[i], o);
	return o->n;
}

size_t ent_matcher_lookup(const struct ent_matcher *m, enum ent_obs_kind kind, const char *value,
                          size_t len, uint32_t *refs, size_t max)
{
	struct ent_match_out o = {refs, max, 0};
	uint8_t key[32];
	uint32_t width;
	int id;

	if (m == NULL || (value == NULL && len > 0))
		return 0;
	switch (kind) {
	case ENT_OBS_IPV4: {
		char buf[INET_ADDRSTRLEN];
		struct in_addr a;
		if (len == 0 || len >= sizeof buf || memchr(value, '\0', len) != NULL)
			return 0;
		memcpy(buf, value, len);
		buf[len] = '\0';
		if (inet_pton(AF_INET, buf, &a) != 1)
			return 0;
		return ent_matcher_lookup_ip4(m, ntohl(a.s_addr), refs, max);
	}
	case ENT_OBS_IPV6: {
		char buf[INET6_ADDRSTRLEN];
		uint8_t a[16];
		if (len == 0 || len >= sizeof buf || memchr(value, '\0', len) != NULL)
			return 0;
		memcpy(buf, value, len);
		buf[len] = '\0';
		if (inet_pton(AF_INET6, buf, a) != 1)
			return 0;
		return ent_matcher_lookup_ip6(m, a, refs, max);
	}
	case ENT_OBS_DOMAIN:
		return lookup_domain(m, value, len, &o);
	default:
		break;
	}
	if ((id = ent_match_digest_table(kind, &width)) >= 0) {
		if (m->fix[id].n == 0 || !ent_match_hex_decode(value, len, key, width))
			return 0;
		emit_fixed(m, id, key, ent_match_hash_bytes(&m->keys, key, width), &o);
		return o.n;
	}
	if ((id = ent_match_string_table(kind)) >= 0) {
		char buf[ENT_OBS_VALUE_MAX];
		const char *s = value;
		if (m->str[id].n == 0 || len == 0 || len > ENT_OBS_VALUE_MAX)
			return 0;
		if (id != ENT_MATCH_STR_URL) {
			/* e-mail and JA4 fold case; copy only when needed */
			for (size_t i = 0; i < len; i++) {
				if (value[i] >= 'A' && value[i] <= 'Z') {
					lower(buf, value, len);
					s = buf;
					break;
				}
			}
		}
		emit_string(m, id, s, len, ent_match_hash_bytes(&m->keys, s, len), &o);
		return o.n;
	}
	return 0;
}
