/*
 * matcher.h - the compiled indicator matcher.
 *
 * The sensor looks up every observable it finds in traffic against the
 * node's active indicators. The indicators are compiled once per scan into
 * an immutable struct ent_matcher, which worker threads then share read-only
 * without locks: every lookup function only reads the matcher and allocates
 * nothing.
 *
 * Life cycle (the only state machine):
 *   ent_matcher_builder_new  -> COLLECTING
 *   ent_matcher_builder_add  COLLECTING -> COLLECTING (validates one entry)
 *   ent_matcher_build        COLLECTING -> (builder gone) compiled matcher
 *   ent_matcher_builder_free COLLECTING -> (builder gone), nothing compiled
 *   ent_matcher_free         compiled matcher -> gone
 *
 * An entry is (kind, normalized value, ref, flags). The ref is the caller's
 * index of the indicator; lookups return the refs of all matching entries.
 * Semantics (docs/matching.md has the user's view):
 *   - ENT_OBS_IPV4 / ENT_OBS_IPV6: an address or a CIDR network; an address
 *     matches every network that covers it, and all of them are reported,
 *     most specific (longest prefix) first. IPv4 and IPv6 are separate
 *     spaces: ::ffff:a.b.c.d is an IPv6 address and never matches IPv4
 *     entries (nor the reverse).
 *   - ENT_OBS_DOMAIN: exact, or the domain and all its subdomains when the
 *     entry has ENT_MATCH_SUBDOMAINS or its value starts with "*.";
 *     "example.com" + subdomains matches example.com and a.b.example.com,
 *     not badexample.com. Lookups ignore ASCII case and one trailing dot.
 *   - ENT_OBS_URL: exact byte comparison of the normalized URL.
 *   - ENT_OBS_EMAIL, ENT_OBS_JA4: exact, lookups ignore ASCII case.
 *   - hashes (MD5, SHA-1, SHA-256, JA3, X.509 fingerprints): exact, compared
 *     in binary, so lookups ignore hex case.
 * A lookup returns each matching entry's ref once: adding the same (kind,
 * value, ref) twice stores one entry, and a domain added both exactly and
 * with subdomains under the same ref is one entry with subdomains. A ref
 * given to two different entries that both match (10.0.0.0/8 and
 * 10.1.0.0/16 with ref 7) is returned once per entry.
 */
#ifndef ENT_MATCH_MATCHER_H
#define ENT_MATCH_MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/observable.h"

/* The entry matches the domain and all its subdomains (ENT_OBS_DOMAIN only). */
#define ENT_MATCH_SUBDOMAINS 0x1u

/* Largest ref accepted: refs are 31-bit. */
#define ENT_MATCH_REF_MAX 0x7fffffffu

/* Hard maximum of max_entries (refs and internal offsets are 32-bit). */
#define ENT_MATCH_ENTRIES_MAX 0x7fffffffu

struct ent_matcher_builder;
struct ent_matcher;

/*
 * A builder that accepts at most max_entries successful adds (duplicates
 * count; 1 <= max_entries <= ENT_MATCH_ENTRIES_MAX). NULL on allocation
 * failure or a bad max_entries. Caller hands it to ent_matcher_build or frees
 * it with ent_matcher_builder_free.
 */
struct ent_matcher_builder *ent_matcher_builder_new(size_t max_entries);

/* Frees a builder that will not be built. Accepts NULL. */
void ent_matcher_builder_free(struct ent_matcher_builder *b);

/*
 * Adds one entry. value (len bytes, need not be NUL-terminated; copied) is
 * normalized as src/core/observable.h defines: "a.b.c.d", "a.b.c.d/len",
 * RFC 5952 IPv6 with optional "/len" (host bits are ignored), lower-case
 * domain (optionally "*."-prefixed), normalized URL, lower-case e-mail and
 * JA4, hex digests of the kind's length. flags: 0 or ENT_MATCH_SUBDOMAINS
 * (domains only); ref <= ENT_MATCH_REF_MAX.
 * Returns 0; ENT_EINVAL when the kind, flags, ref or value are not valid
 * (nothing of the value could ever match, e.g. upper case in a domain);
 * ENT_ELIMIT after max_entries adds or when the values exceed 4 GiB;
 * ENT_ENOMEM. A failed add leaves the builder as it was.
 */
int ent_matcher_builder_add(struct ent_matcher_builder *b, enum ent_obs_kind kind,
                            const char *value, size_t len, uint32_t ref,
                            unsigned flags) ENT_MUST_CHECK;

/* Number of successful adds so far. */
size_t ent_matcher_builder_count(const struct ent_matcher_builder *b);

/*
 * Compiles the entries of b into an immutable matcher with a fresh random
 * hash key. Consumes b, also on failure. NULL with a message in errbuf
 * (ENT_ERRBUF_SIZE bytes, may be NULL) on failure. Caller frees the result
 * with ent_matcher_free; it may be shared by any number of threads.
 */
struct ent_matcher *ent_matcher_build(struct ent_matcher_builder *b, char *errbuf);

/* Accepts NULL. */
void ent_matcher_free(struct ent_matcher *m);

/*
 * Lookups. Each writes the refs of the matching entries into refs[0..max)
 * (refs may be NULL when max is 0) and returns the total number of matches,
 * which may exceed max: call again with a larger array to get them all.
 * Order: addresses most specific first (refs of one entry ascending);
 * domains: exact name first, then the parent domains from the longest.
 * m may be NULL (nothing matches). Thread-safe, allocation-free.
 */
size_t ent_matcher_lookup_ip4(const struct ent_matcher *m, uint32_t addr_host_order, uint32_t *refs,
                              size_t max);
size_t ent_matcher_lookup_ip6(const struct ent_matcher *m, const uint8_t addr[16], uint32_t *refs,
                              size_t max);
/*
 * A raw value of the given kind as seen in traffic (len bytes, need not be
 * NUL-terminated). IPv4 / IPv6 addresses as text are parsed (not networks).
 * A value that cannot be of that kind (bad hex, address syntax, too long)
 * matches nothing.
 */
size_t ent_matcher_lookup(const struct ent_matcher *m, enum ent_obs_kind kind, const char *value,
                          size_t len, uint32_t *refs, size_t max);

/* Distinct entries compiled (after collapsing duplicates). 0 for NULL. */
size_t ent_matcher_count(const struct ent_matcher *m);
/* Distinct entries of one kind, e.g. to skip computing JA3 when there is none. */
size_t ent_matcher_kind_count(const struct ent_matcher *m, enum ent_obs_kind kind);
/* Bytes allocated by the compiled structure, the struct itself included. */
size_t ent_matcher_memory(const struct ent_matcher *m);

#endif
