/*
 * fuzz_match.c - libFuzzer harness of the compiled matcher (src/match/).
 *
 * Input byte 0 chooses the mode:
 *   even  lookup: byte 1 picks a kind, the rest is a raw value looked up in a
 *         fixed matcher holding entries of every kind (and, for IPv4 / IPv6,
 *         also taken as a binary address)
 *   odd   build: the rest is lines "<kind byte><value>", each added to a new
 *         builder with ref = line number; then every value that was accepted
 *         and is not a network must be found again by looking it up as is
 * Any crash, sanitizer report or broken invariant (trap) is a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/matcher.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ent_matcher *fixed;

static void build_fixed(void)
{
	static const struct {
		enum ent_obs_kind kind;
		const char *v;
		unsigned flags;
	} e[] = {
	    {ENT_OBS_IPV4, "10.0.0.0/8", 0},
	    {ENT_OBS_IPV4, "10.1.2.3", 0},
	    {ENT_OBS_IPV4, "0.0.0.0/0", 0},
	    {ENT_OBS_IPV6, "2001:db8::/32", 0},
	    {ENT_OBS_IPV6, "::1", 0},
	    {ENT_OBS_DOMAIN, "example.com", ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "*.a.b", 0},
	    {ENT_OBS_DOMAIN, "exact.org", 0},
	    {ENT_OBS_URL, "http://example.com/", 0},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e", 0},
	    {ENT_OBS_JA3, "d41d8cd98f00b204e9800998ecf8427e", 0},
	    {ENT_OBS_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", 0},
	    {ENT_OBS_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0},
	    {ENT_OBS_EMAIL, "a@b.c", 0},
	    {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", 0},
	};
	struct ent_matcher_builder *b = ent_matcher_builder_new(64);

	for (size_t i = 0; i < sizeof e / sizeof *e; i++)
		if (ent_matcher_builder_add(b, e[i].kind, e[i].v, strlen(e[i].v), (uint32_t)i,
		                            e[i].flags) != 0)
			abort();
	fixed = ent_matcher_build(b, NULL);
	if (fixed == NULL)
		abort();
}

static void lookup_mode(const uint8_t *data, size_t size)
{
	uint32_t refs[4];
	enum ent_obs_kind kind;

	if (size < 1)
		return;
	kind = (enum ent_obs_kind)(data[0] % (ENT_OBS_KIND_COUNT + 1));
	data++;
	size--;
	size_t n = ent_matcher_lookup(fixed, kind, (const char *)data, size, refs, 4);
	size_t n0 = ent_matcher_lookup(fixed, kind, (const char *)data, size, NULL, 0);
	if (n != n0)
		__builtin_trap();
	if (size >= 4) {
		uint32_t a;
		memcpy(&a, data, 4);
		(void)ent_matcher_lookup_ip4(fixed, a, refs, 4);
	}
	if (size >= 16)
		(void)ent_matcher_lookup_ip6(fixed, data, refs, 4);
}

static void build_mode(const uint8_t *data, size_t size)
{
	struct ent_matcher_builder *b = ent_matcher_builder_new(256);
	uint32_t refs[300];
	size_t start = 0;
	uint32_t line = 0;
	struct {
		size_t off, len;
		enum ent_obs_kind kind;
		int ok;
	} added[256];
	size_t nadded = 0;

	while (start < size && nadded < 256) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		if (end > start) {
			enum ent_obs_kind kind =
			    (enum ent_obs_kind)(data[start] % (ENT_OBS_KIND_COUNT + 1));
			unsigned flags = data[start] & 0x80 ? ENT_MATCH_SUBDOMAINS : 0;
			const char *v = (const char *)data + start + 1;
			size_t len = end - start - 1;
			int r = ent_matcher_builder_add(b, kind, v, len, line, flags);
			added[nadded].off = start + 1;
			added[nadded].len = len;
			added[nadded].kind = kind;
			added[nadded].ok = r == 0 && memchr(v, '/', len) == NULL;
			nadded++;
		}
		line++;
		start = end + 1;
	}
	struct ent_matcher *m = ent_matcher_build(b, NULL);
	if (m == NULL)
		__builtin_trap();
	for (size_t i = 0; i < nadded; i++) {
		size_t n = ent_matcher_lookup(m, added[i].kind, (const char *)data + added[i].off,
		                              added[i].len, refs, 300);
		if (added[i].ok && n == 0)
			__builtin_trap(); /* an accepted value must find itself */
	}
	ent_matcher_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fixed == NULL)
		build_fixed();
	if (size < 1)
		return 0;
	if (data[0] & 1)
		build_mode(data + 1, size - 1);
	else
		lookup_mode(data + 1, size - 1);
	return 0;
}
