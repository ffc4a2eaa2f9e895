/*
 * hash.c - the keyed hashes of the matcher's tables.
 *
 * Indicator values come from feeds and peers, and looked-up values from
 * traffic: both are attacker-controlled, so every table is hashed with a key
 * drawn at random for each compiled matcher (randombytes_buf).
 *   - Strings and digests: SipHash-2-4 (libsodium crypto_shorthash).
 *   - Domains: SipHash chained label by label from the right,
 *     h(label . suffix) = SipHash(k, h(suffix) || label), so that one pass
 *     over a looked-up name yields the hash of every parent domain, in
 *     O(length) instead of O(length x labels).
 *   - IPv4 /32 keys, the one hot path hashed per packet direction: simple
 *     tabulation hashing with random tables (four lookups and three XORs).
 *     It is 3-independent, and Patrascu and Thorup ("The Power of Simple
 *     Tabulation Hashing", STOC 2011) show that with chaining it gives
 *     O(log n / log log n) longest buckets w.h.p. for ANY set of keys, so a
 *     feed cannot build long buckets without knowing the random tables, and
 *     lookups (which do not change the table) can at worst hit the longest.
 */
#include "match/match_int.h"

#include <string.h>

int ent_match_keys_init(struct ent_match_keys *k)
{
	if (sodium_init() < 0)
		return ENT_EIO;
	crypto_shorthash_keygen(k->sip);
	randombytes_buf(k->tab4, sizeof k->tab4);
	return 0;
}

uint64_t ent_match_hash_bytes(const struct ent_match_keys *k, const void *p, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, p, len, k->sip);
	memcpy(&h, out, sizeof h);
	return h;
}

size_t ent_match_hash_domain(const struct ent_match_keys *k, const char *s, size_t len, bool whole,
                             uint64_t hashes[ENT_MATCH_LABELS_MAX],
                             size_t starts[ENT_MATCH_LABELS_MAX])
{
	unsigned char buf[sizeof(uint64_t) + 63];
	uint64_t h = 0;
	size_t n = 0, end = len;

	if (len == 0 || len > 254)
		return 0;
	while (n < ENT_MATCH_LABELS_MAX) {
		size_t p = end;
		while (p > 0 && s[p - 1] != '.')
			p--;
		size_t lablen = end - p;
		if (lablen == 0 || lablen > 63 || (p == 0 && !whole))
			break;
		memcpy(buf, &h, sizeof h);
		memcpy(buf + sizeof h, s + p, lablen);
		h = ent_match_hash_bytes(k, buf, sizeof h + lablen);
		hashes[n] = h;
		starts[n] = p;
		n++;
		if (p == 0)
			break;
		end = p - 1;
	}
	return n;
}

uint64_t ent_match_hash_domain_full(const struct ent_match_keys *k, const char *s, size_t len)
{
	uint64_t hashes[ENT_MATCH_LABELS_MAX];
	size_t starts[ENT_MATCH_LABELS_MAX];
	size_t n = ent_match_hash_domain(k, s, len, true, hashes, starts);

	/* the builder only accepts names whose every label hashes */
	return n > 0 ? hashes[n - 1] : 0;
}
