/*
 * match_int.h - the matcher's own structures; nothing outside src/match/
 * includes this file.
 *
 * A compiled matcher is a set of immutable tables, one per kind of key:
 *   fixtab  fixed-width binary keys (IPv4 /32, IPv6 /128, digests): keys
 *           grouped by hash bucket in one array (refs.c, fixtab.c)
 *   strtab  strings (domains, URLs, e-mail, JA4): the strings once in one
 *           arena, 32-bit offsets, a tag byte per string (strtab.c)
 *   lpm4/6  networks: sorted interval boundaries, each naming the innermost
 *           covering network; a network names its parent (lpm4.c, lpm6.c)
 * Every table is built from an input array in one pass after a counting
 * sort by bucket (bucket.c), and allocates exactly what it keeps.
 *
 * Invariants shared by all tables:
 *   1. A key's refs are a "ref code": a ref <= ENT_MATCH_REF_MAX itself when
 *      the key has one ref, else ENT_MATCH_MULTI | i where multi[i] is the
 *      count and multi[i+1..] the refs, ascending and distinct.
 *   2. Buckets are contiguous ranges [bucket[b], bucket[b+1]) of the key
 *      arrays; a key's bucket is ent_match_bucket(hash, nbuckets).
 *   3. A table's hash is computed by its caller (matcher.c, hash.c): tables
 *      never hash, so one table type serves differently-hashed kinds.
 */
#ifndef ENT_MATCH_INT_H
#define ENT_MATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "match/matcher.h"

#define ENT_MATCH_MULTI 0x80000000u
#define ENT_MATCH_NONE  UINT32_MAX
/* Average keys per hash bucket: 4 keeps the bucket index at 1 byte/key. */
#define ENT_MATCH_BUCKET_LOAD 4u

/* The result array of a lookup being filled. */
struct ent_match_out {
	uint32_t *refs; /* caller's array */
	size_t max;     /* its size */
	size_t n;       /* matches so far (may exceed max) */
};

static inline void ent_match_out_code(struct ent_match_out *o, uint32_t code, const uint32_t *multi)
{
	if (!(code & ENT_MATCH_MULTI)) {
		if (o->n < o->max)
			o->refs[o->n] = code;
		o->n++;
		return;
	}
	/* copy what fits, count the rest without touching it */
	const uint32_t *l = multi + (code & ~ENT_MATCH_MULTI);
	size_t room = o->n < o->max ? o->max - o->n : 0;
	size_t k = l[0] < room ? l[0] : room;
	if (k > 0)
		memcpy(o->refs + o->n, l + 1, k * sizeof *l);
	o->n += l[0];
}

/* True when the ref code names ref. */
bool ent_match_code_has(uint32_t code, const uint32_t *multi, uint32_t ref);

/* Lemire's multiply-shift range reduction of the hash's high 32 bits. */
static inline uint32_t ent_match_bucket(uint64_t h, uint32_t nbuckets)
{
	return (uint32_t)(((h >> 32) * (uint64_t)nbuckets) >> 32);
}

static inline uint32_t ent_match_nbuckets(size_t n)
{
	size_t nb = n / ENT_MATCH_BUCKET_LOAD;
	return nb == 0 ? 1 : (uint32_t)nb;
}

/* ---- refs.c: the multi-ref lists while a table is built ---- */

struct ent_match_multi {
	uint32_t *v;
	size_t n, cap;
};

/*
 * Sorts refs[0..n) (n >= 1), drops duplicates and returns the code for them
 * in *code (OUT). *distinct (OUT) is the number of distinct refs.
 * ENT_ENOMEM, ENT_ELIMIT when the multi lists outgrow 31 bits.
 */
int ent_match_multi_encode(struct ent_match_multi *mm, uint32_t *refs, size_t n, uint32_t *code,
                           size_t *distinct) ENT_MUST_CHECK;
/* Shrinks the lists to their size and hands them out (caller frees). */
uint32_t *ent_match_multi_finish(struct ent_match_multi *mm, size_t *n);

/* ---- bucket.c: counting sort by bucket, then an order inside buckets ---- */

typedef int (*ent_match_cmp_fn)(uint32_t a, uint32_t b, const void *ctx);

/*
 * Fills order[0..n) with 0..n-1 sorted by bucket (of hashes[i]) and, inside
 * a bucket, by cmp; start[0..nbuckets] (OUT) receives the bucket ranges of
 * order. Equal keys must compare by hash first so they end up adjacent.
 */
int ent_match_bucket_sort(const uint64_t *hashes, size_t n, uint32_t nbuckets, uint32_t *order,
                          uint32_t *start, ent_match_cmp_fn cmp, const void *ctx) ENT_MUST_CHECK;
/* Sorts idx[0..n) by cmp: insertion sort when short, qsort_r otherwise. */
void ent_match_sort_idx(uint32_t *idx, size_t n, ent_match_cmp_fn cmp, const void *ctx);

/* ---- fixtab.c ---- */

struct ent_fixtab {
	uint32_t n; /* distinct keys */
	uint32_t nbuckets;
	uint32_t width;   /* key bytes: 4, 16, 20 or 32 */
	uint32_t *bucket; /* nbuckets + 1 offsets into keys and codes */
	uint8_t *keys;    /* n * width bytes */
	uint32_t *codes;  /* n ref codes */
	uint32_t *multi;  /* ref lists of keys with several refs */
	size_t nmulti;
	size_t nentries; /* distinct (key, ref) pairs */
};

/*
 * Builds t from n input keys (keys: n * width bytes) with refs and their
 * hashes; the inputs stay the caller's. An empty table (n = 0) allocates
 * nothing. ENT_ENOMEM / ENT_ELIMIT with errbuf.
 */
int ent_fixtab_build(struct ent_fixtab *t, uint32_t width, const uint8_t *keys,
                     const uint32_t *refs, const uint64_t *hashes, size_t n,
                     char *errbuf) ENT_MUST_CHECK;
void ent_fixtab_free(struct ent_fixtab *t);
size_t ent_fixtab_memory(const struct ent_fixtab *t);
/* The ref code of key, or ENT_MATCH_NONE. */
uint32_t ent_fixtab_find(const struct ent_fixtab *t, const uint8_t *key, uint64_t hash);

/* ---- strtab.c ---- */

/* A string of a build input: bytes [off, off + len) of the caller's arena. */
struct ent_strtab_rec {
	uint32_t off;
	uint32_t len;
	uint32_t ref;
};

struct ent_strtab {
	uint32_t n; /* distinct strings */
	uint32_t nbuckets;
	uint32_t *bucket; /* nbuckets + 1 offsets into off, codes and tags */
	uint32_t *off;    /* n + 1: string i is arena[off[i] .. off[i + 1]) */
	uint32_t *codes;  /* n ref codes */
	uint8_t *tags;    /* n bytes of hash, to skip most string compares */
	char *arena;
	uint32_t *multi;
	size_t nmulti;
	size_t arena_len;
	size_t nentries; /* distinct (string, ref) pairs */
};

int ent_strtab_build(struct ent_strtab *t, const char *src, const struct ent_strtab_rec *recs,
                     const uint64_t *hashes, size_t n, char *errbuf) ENT_MUST_CHECK;
void ent_strtab_free(struct ent_strtab *t);
size_t ent_strtab_memory(const struct ent_strtab *t);
/* The ref code of the string s (len bytes), or ENT_MATCH_NONE. */
uint32_t ent_strtab_find(const struct ent_strtab *t, const char *s, size_t len, uint64_t hash);

/* ---- lpm4.c / lpm6.c: networks ---- */

struct ent_lpm_node {
	uint32_t code;   /* refs of the network */
	uint32_t parent; /* index of the next shorter covering network or ENT_MATCH_NONE */
};

struct ent_lpm4_rec {
	uint32_t addr; /* host order, host bits clear */
	uint32_t len;  /* 0..31 (the /32s live in a fixtab) */
	uint32_t ref;
};

struct ent_lpm4 {
	uint32_t nnodes;
	uint32_t nbounds;
	struct ent_lpm_node *nodes;
	uint32_t *bpos;  /* ascending interval starts */
	uint32_t *bnode; /* innermost network of [bpos[i], bpos[i + 1]) or ENT_MATCH_NONE */
	uint32_t *multi;
	size_t nmulti;
	size_t nentries;
};

/* Builds from recs (sorted in place). ENT_ENOMEM / ENT_ELIMIT with errbuf. */
int ent_lpm4_build(struct ent_lpm4 *t, struct ent_lpm4_rec *recs, size_t n,
                   char *errbuf) ENT_MUST_CHECK;
void ent_lpm4_free(struct ent_lpm4 *t);
size_t ent_lpm4_memory(const struct ent_lpm4 *t);
/* Appends the refs of every network covering addr, longest first. */
void ent_lpm4_emit(const struct ent_lpm4 *t, uint32_t addr, struct ent_match_out *o);

struct ent_u128 {
	uint64_t hi, lo;
};

struct ent_lpm6_rec {
	struct ent_u128 addr; /* host bits clear */
	uint32_t len;         /* 0..127 */
	uint32_t ref;
};

struct ent_lpm6 {
	uint32_t nnodes;
	uint32_t nbounds;
	struct ent_lpm_node *nodes;
	struct ent_u128 *bpos;
	uint32_t *bnode;
	uint32_t *multi;
	size_t nmulti;
	size_t nentries;
};

int ent_lpm6_build(struct ent_lpm6 *t, struct ent_lpm6_rec *recs, size_t n,
                   char *errbuf) ENT_MUST_CHECK;
void ent_lpm6_free(struct ent_lpm6 *t);
size_t ent_lpm6_memory(const struct ent_lpm6 *t);
void ent_lpm6_emit(const struct ent_lpm6 *t, struct ent_u128 addr, struct ent_match_out *o);
/* Builds t from recs (sorted here): the IPv6 table, and the IPv4 one with
 * its networks in the top 32 bits (lpm4.c). family ("IPv4", "IPv6") names
 * them in errors. */
int ent_lpm_build128(struct ent_lpm6 *t, struct ent_lpm6_rec *recs, size_t n, const char *family,
                     char *errbuf) ENT_MUST_CHECK;

/* ---- hash.c: the keyed hashes ---- */

struct ent_match_keys {
	unsigned char sip[crypto_shorthash_KEYBYTES];
	uint64_t tab4[4][256]; /* simple tabulation for IPv4 /32 keys */
};

/* Fresh random keys. ENT_EIO when libsodium cannot start. */
int ent_match_keys_init(struct ent_match_keys *k) ENT_MUST_CHECK;
uint64_t ent_match_hash_bytes(const struct ent_match_keys *k, const void *p, size_t len);
static inline uint64_t ent_match_hash_ip4(const struct ent_match_keys *k, uint32_t a)
{
	return k->tab4[0][a & 0xff] ^ k->tab4[1][(a >> 8) & 0xff] ^ k->tab4[2][(a >> 16) & 0xff] ^
	       k->tab4[3][a >> 24];
}

/* The most labels a domain of 253 bytes can have. */
#define ENT_MATCH_LABELS_MAX 127

/*
 * Hashes the domain name s (len <= 254 bytes, lower case) label by label
 * from the right, so that the hash of every suffix that starts a label comes
 * out on the way: hashes[i] (OUT) is the hash of the suffix starting at
 * starts[i] (OUT), i = 0 the last label. Returns the count. Stops before a
 * label that no stored domain can contain (empty or longer than 63 bytes),
 * and before the leftmost label when !whole (s is then only the tail of a
 * longer name). The whole name was hashed when starts[count - 1] == 0.
 */
size_t ent_match_hash_domain(const struct ent_match_keys *k, const char *s, size_t len, bool whole,
                             uint64_t hashes[ENT_MATCH_LABELS_MAX],
                             size_t starts[ENT_MATCH_LABELS_MAX]);

/* ---- the builder and the matcher (builder.c, compile.c, lookup.c) ---- */

/* The fixed-width tables, one per kind of key. */
enum ent_match_fix_id {
	ENT_MATCH_FIX_IP4, /* IPv4 /32, 4 bytes host order, tabulation hash */
	ENT_MATCH_FIX_IP6, /* IPv6 /128, 16 bytes network order */
	ENT_MATCH_FIX_MD5,
	ENT_MATCH_FIX_SHA1,
	ENT_MATCH_FIX_SHA256,
	ENT_MATCH_FIX_JA3,
	ENT_MATCH_FIX_X509_MD5,
	ENT_MATCH_FIX_X509_SHA1,
	ENT_MATCH_FIX_X509_SHA256,
	ENT_MATCH_FIX_COUNT
};

/* The string tables. */
enum ent_match_str_id {
	ENT_MATCH_STR_DOMAIN,     /* exact domains */
	ENT_MATCH_STR_DOMAIN_SUB, /* domains with their subdomains */
	ENT_MATCH_STR_URL,
	ENT_MATCH_STR_EMAIL,
	ENT_MATCH_STR_JA4,
	ENT_MATCH_STR_COUNT
};

/* The digest table of a kind and its binary width; -1 if not a digest kind. */
int ent_match_digest_table(enum ent_obs_kind kind, uint32_t *width);
/* The string table of a string kind other than domain; -1 otherwise. */
int ent_match_string_table(enum ent_obs_kind kind);
/* Decodes exactly 2 * width hex digits (either case) into out. */
bool ent_match_hex_decode(const char *s, size_t len, uint8_t *out, uint32_t width);

struct ent_match_fixin {
	uint8_t *keys; /* n * width bytes */
	uint32_t *refs;
	size_t n, cap;
};

struct ent_match_strin {
	struct ent_strtab_rec *recs; /* into the builder's arena */
	size_t n, cap;
};

struct ent_matcher_builder {
	size_t max_entries;
	size_t count; /* successful adds */
	struct ent_match_fixin fix[ENT_MATCH_FIX_COUNT];
	struct ent_match_strin str[ENT_MATCH_STR_COUNT];
	struct ent_lpm4_rec *net4;
	size_t nnet4, capnet4;
	struct ent_lpm6_rec *net6;
	size_t nnet6, capnet6;
	char *arena; /* the strings of all string tables */
	size_t arena_len, arena_cap;
};

struct ent_matcher {
	struct ent_match_keys keys;
	struct ent_fixtab fix[ENT_MATCH_FIX_COUNT];
	struct ent_strtab str[ENT_MATCH_STR_COUNT];
	struct ent_lpm4 net4;
	struct ent_lpm6 net6;
	size_t count;
	size_t kind_count[ENT_OBS_KIND_COUNT];
	size_t memory;
};

/* The hash a table of the matcher is keyed with. */
uint64_t ent_match_hash_domain_full(const struct ent_match_keys *k, const char *s, size_t len);

#endif
