/*
 * test_match.c - unit tests of the compiled indicator matcher (src/match/):
 * every kind, the semantics of docs/matching.md (all covering networks most
 * specific first, /0, IPv4-mapped IPv6 kept apart, subdomain boundaries, case
 * and trailing dot), duplicate collapsing, result truncation, the builder's
 * validation and limits, and the empty matcher.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "match/matcher.h"

#define MAXR 64

struct tm_entry {
	enum ent_obs_kind kind;
	const char *value;
	uint32_t ref;
	unsigned flags;
};

static struct ent_matcher *build(const struct tm_entry *e, size_t n)
{
	char err[ENT_ERRBUF_SIZE] = "";
	struct ent_matcher_builder *b = ent_matcher_builder_new(n ? n : 1);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		int r = ent_matcher_builder_add(b, e[i].kind, e[i].value, strlen(e[i].value),
		                                e[i].ref, e[i].flags);
		if (r != 0)
			fail_msg("add %s failed: %d", e[i].value, r);
	}
	struct ent_matcher *m = ent_matcher_build(b, err);
	if (m == NULL)
		fail_msg("build failed: %s", err);
	return m;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/* Asserts that the lookup's refs are exactly want (in order), n of them. */
static void expect(const uint32_t *got, size_t ngot, const uint32_t *want, size_t nwant,
                   const char *what)
{
	if (ngot != nwant)
		fail_msg("%s: %zu matches, want %zu", what, ngot, nwant);
	for (size_t i = 0; i < nwant; i++)
		if (got[i] != want[i])
			fail_msg("%s: ref[%zu] = %u, want %u", what, i, got[i], want[i]);
}

#define EXPECT_IP4(m, addr, ...)                                                                   \
	do {                                                                                       \
		uint32_t got_[MAXR], want_[] = {__VA_ARGS__};                                      \
		size_t n_ = ent_matcher_lookup_ip4(m, ip4(addr), got_, MAXR);                      \
		expect(got_, n_, want_ + 1, sizeof want_ / sizeof *want_ - 1, addr);               \
	} while (0)

#define EXPECT_STR(m, kind, s, ...)                                                                \
	do {                                                                                       \
		uint32_t got_[MAXR], want_[] = {__VA_ARGS__};                                      \
		size_t n_ = ent_matcher_lookup(m, kind, s, strlen(s), got_, MAXR);                 \
		expect(got_, n_, want_ + 1, sizeof want_ / sizeof *want_ - 1, s);                  \
	} while (0)

/* The first element of the want list is a dummy so that "no match" is empty. */
#define NONE_ 0

static void test_empty(void **state)
{
	(void)state;
	struct ent_matcher *m = build(NULL, 0);
	uint8_t a6[16] = {0};
	uint32_t r[4];

	assert_int_equal(ent_matcher_count(m), 0);
	assert_true(ent_matcher_memory(m) > 0);
	assert_int_equal(ent_matcher_lookup_ip4(m, 0, r, 4), 0);
	assert_int_equal(ent_matcher_lookup_ip4(m, UINT32_MAX, r, 4), 0);
	assert_int_equal(ent_matcher_lookup_ip6(m, a6, r, 4), 0);
	for (int k = 0; k < ENT_OBS_KIND_COUNT; k++) {
		assert_int_equal(ent_matcher_lookup(m, (enum ent_obs_kind)k, "x", 1, r, 4), 0);
		assert_int_equal(ent_matcher_lookup(m, (enum ent_obs_kind)k, "", 0, r, 4), 0);
		assert_int_equal(ent_matcher_kind_count(m, (enum ent_obs_kind)k), 0);
	}
	ent_matcher_free(m);

	/* a NULL matcher matches nothing and frees */
	assert_int_equal(ent_matcher_lookup_ip4(NULL, 1, r, 4), 0);
	assert_int_equal(ent_matcher_lookup(NULL, ENT_OBS_DOMAIN, "a.com", 5, r, 4), 0);
	assert_int_equal(ent_matcher_count(NULL), 0);
	ent_matcher_free(NULL);
	ent_matcher_builder_free(NULL);
}

static void test_ip4_overlaps(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_IPV4, "10.0.0.0/8", 1, 0},     {ENT_OBS_IPV4, "10.1.0.0/16", 2, 0},
	    {ENT_OBS_IPV4, "10.1.2.3", 3, 0},       {ENT_OBS_IPV4, "10.1.2.0/24", 4, 0},
	    {ENT_OBS_IPV4, "10.1.2.3/32", 5, 0},    {ENT_OBS_IPV4, "10.2.0.0/15", 6, 0},
	    {ENT_OBS_IPV4, "192.168.1.0/24", 7, 0}, {ENT_OBS_IPV4, "192.168.1.128/25", 8, 0},
	    {ENT_OBS_IPV4, "10.1.0.0/16", 9, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	/* every covering network, most specific first; refs of one entry ascending */
	EXPECT_IP4(m, "10.1.2.3", NONE_, 3, 5, 4, 2, 9, 1);
	EXPECT_IP4(m, "10.1.2.4", NONE_, 4, 2, 9, 1);
	EXPECT_IP4(m, "10.1.2.0", NONE_, 4, 2, 9, 1);
	EXPECT_IP4(m, "10.1.2.255", NONE_, 4, 2, 9, 1);
	EXPECT_IP4(m, "10.1.3.0", NONE_, 2, 9, 1);
	EXPECT_IP4(m, "10.1.255.255", NONE_, 2, 9, 1);
	EXPECT_IP4(m, "10.0.255.255", NONE_, 1);
	EXPECT_IP4(m, "10.2.0.0", NONE_, 6, 1);
	EXPECT_IP4(m, "10.3.255.255", NONE_, 6, 1);
	EXPECT_IP4(m, "10.4.0.0", NONE_, 1);
	EXPECT_IP4(m, "10.255.255.255", NONE_, 1);
	EXPECT_IP4(m, "11.0.0.0", NONE_);
	EXPECT_IP4(m, "9.255.255.255", NONE_);
	EXPECT_IP4(m, "192.168.1.127", NONE_, 7);
	EXPECT_IP4(m, "192.168.1.128", NONE_, 8, 7);
	EXPECT_IP4(m, "192.168.1.255", NONE_, 8, 7);
	EXPECT_IP4(m, "192.168.2.0", NONE_);
	EXPECT_IP4(m, "0.0.0.0", NONE_);
	EXPECT_IP4(m, "255.255.255.255", NONE_);
	/* text lookups parse the address */
	EXPECT_STR(m, ENT_OBS_IPV4, "10.1.2.3", NONE_, 3, 5, 4, 2, 9, 1);
	EXPECT_STR(m, ENT_OBS_IPV4, "10.1.2.3/32", NONE_);
	EXPECT_STR(m, ENT_OBS_IPV4, "10.1.2", NONE_);
	EXPECT_STR(m, ENT_OBS_IPV4, "010.001.002.003 ", NONE_);
	assert_int_equal(ent_matcher_count(m), 9);
	assert_int_equal(ent_matcher_kind_count(m, ENT_OBS_IPV4), 9);
	ent_matcher_free(m);
}

static void test_ip4_zero_and_edges(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_IPV4, "0.0.0.0/0", 1, 0},
	    {ENT_OBS_IPV4, "128.0.0.0/1", 2, 0},
	    {ENT_OBS_IPV4, "255.255.255.255", 3, 0},
	    {ENT_OBS_IPV4, "255.255.255.254/31", 4, 0},
	    {ENT_OBS_IPV4, "0.0.0.0", 5, 0},
	    {ENT_OBS_IPV4, "0.0.0.0/8", 6, 0},
	    /* host bits are cleared: this is 172.16.0.0/12 */
	    {ENT_OBS_IPV4, "172.16.5.4/12", 7, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	EXPECT_IP4(m, "255.255.255.255", NONE_, 3, 4, 2, 1);
	EXPECT_IP4(m, "255.255.255.254", NONE_, 4, 2, 1);
	EXPECT_IP4(m, "255.255.255.253", NONE_, 2, 1);
	EXPECT_IP4(m, "128.0.0.0", NONE_, 2, 1);
	EXPECT_IP4(m, "127.255.255.255", NONE_, 1);
	EXPECT_IP4(m, "0.0.0.0", NONE_, 5, 6, 1);
	EXPECT_IP4(m, "0.255.255.255", NONE_, 6, 1);
	EXPECT_IP4(m, "1.0.0.0", NONE_, 1);
	EXPECT_IP4(m, "172.31.255.255", NONE_, 7, 2, 1);
	EXPECT_IP4(m, "172.32.0.0", NONE_, 2, 1);
	EXPECT_IP4(m, "127.16.0.1", NONE_, 1);
	ent_matcher_free(m);
}

static void test_ip6(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_IPV6, "2001:db8::/32", 1, 0},
	    {ENT_OBS_IPV6, "2001:db8:1::/48", 2, 0},
	    {ENT_OBS_IPV6, "2001:db8:1::1", 3, 0},
	    {ENT_OBS_IPV6, "2001:db8:1::1/128", 4, 0},
	    {ENT_OBS_IPV6, "2001:db8:1:2:3:4:5:0/112", 5, 0},
	    {ENT_OBS_IPV6, "::ffff:10.0.0.0/104", 6, 0},
	    {ENT_OBS_IPV6, "::ffff:192.0.2.1", 7, 0},
	    {ENT_OBS_IPV4, "10.0.0.0/8", 8, 0},
	    {ENT_OBS_IPV4, "192.0.2.1", 9, 0},
	    {ENT_OBS_IPV6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", 10, 0},
	    {ENT_OBS_IPV6, "8000::/1", 11, 0},
	    {ENT_OBS_IPV6, "2001:db8:0:0:8000::/65", 12, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db8:1::1", NONE_, 3, 4, 2, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:DB8:1::2", NONE_, 2, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db8:1:2:3:4:5:ffff", NONE_, 5, 2, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db8:1:2:3:4:6:0", NONE_, 2, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db8:2::", NONE_, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db8::8000:0:0:0", NONE_, 12, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db8::7fff:0:0:0", NONE_, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "2001:db9::", NONE_);
	EXPECT_STR(m, ENT_OBS_IPV6, "::", NONE_);
	EXPECT_STR(m, ENT_OBS_IPV6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE_, 10, 11);
	EXPECT_STR(m, ENT_OBS_IPV6, "8000::", NONE_, 11);
	/* IPv4-mapped IPv6 is IPv6 only, and IPv4 never matches IPv6 entries */
	EXPECT_STR(m, ENT_OBS_IPV6, "::ffff:10.1.2.3", NONE_, 6);
	EXPECT_STR(m, ENT_OBS_IPV6, "::ffff:192.0.2.1", NONE_, 7);
	EXPECT_IP4(m, "10.1.2.3", NONE_, 8);
	EXPECT_IP4(m, "192.0.2.1", NONE_, 9);
	EXPECT_STR(m, ENT_OBS_IPV6, "10.1.2.3", NONE_);
	EXPECT_STR(m, ENT_OBS_IPV4, "::ffff:10.1.2.3", NONE_);
	EXPECT_STR(m, ENT_OBS_IPV6, "fe80::1%eth0", NONE_);

	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1};
	uint32_t r[MAXR];
	assert_int_equal(ent_matcher_lookup_ip6(m, a, r, MAXR), 4);
	assert_int_equal(r[0], 3);
	assert_int_equal(ent_matcher_kind_count(m, ENT_OBS_IPV6), 10);
	ent_matcher_free(m);
}

static void test_ip6_zero(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_IPV6, "::/0", 1, 0},
	    {ENT_OBS_IPV6, "::", 2, 0},
	    {ENT_OBS_IPV6, "::1", 3, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	EXPECT_STR(m, ENT_OBS_IPV6, "::", NONE_, 2, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "::1", NONE_, 3, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "::2", NONE_, 1);
	EXPECT_STR(m, ENT_OBS_IPV6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE_, 1);
	/* the IPv6 /0 does not cover IPv4 */
	EXPECT_IP4(m, "1.2.3.4", NONE_);
	ent_matcher_free(m);
}

static void test_domains(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_DOMAIN, "example.com", 1, ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "exact.org", 2, 0},
	    {ENT_OBS_DOMAIN, "*.wild.net", 3, 0},
	    {ENT_OBS_DOMAIN, "a.b.example.com", 4, 0},
	    {ENT_OBS_DOMAIN, "b.example.com", 5, ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "exact.org", 6, ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "com", 7, ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "under_score-1.io", 8, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	EXPECT_STR(m, ENT_OBS_DOMAIN, "example.com", NONE_, 1, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "www.example.com", NONE_, 1, 7);
	/* exact name first, then parents from the longest */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "a.b.example.com", NONE_, 4, 5, 1, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "x.a.b.example.com", NONE_, 5, 1, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "b.example.com", NONE_, 5, 1, 7);
	/* label boundaries */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "badexample.com", NONE_, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "example.com.evil", NONE_);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "xample.com", NONE_, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "ab.example.com", NONE_, 1, 7);
	/* exact without the flag */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "exact.org", NONE_, 2, 6);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "www.exact.org", NONE_, 6);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "under_score-1.io", NONE_, 8);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "x.under_score-1.io", NONE_);
	/* "*." means the domain and its subdomains */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "wild.net", NONE_, 3);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "deep.er.wild.net", NONE_, 3);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "*.wild.net", NONE_, 3);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "notwild.net", NONE_);
	/* case and one trailing dot are ignored */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "WWW.Example.COM", NONE_, 1, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "Exact.ORG.", NONE_, 2, 6);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "exact.org..", NONE_);
	EXPECT_STR(m, ENT_OBS_DOMAIN, ".", NONE_);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "", NONE_);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "net", NONE_);
	/* empty labels in traffic: the parents right of them still match */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "a..example.com", NONE_, 1, 7);
	EXPECT_STR(m, ENT_OBS_DOMAIN, ".exact.org", NONE_, 6);
	ent_matcher_free(m);
}

static void test_domain_long_names(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_DOMAIN, "evil.com", 1, ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "exact.com", 2, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);
	char name[1200];
	uint32_t r[4];

	/* a name longer than 253 bytes still matches its parent domains */
	memset(name, 'a', sizeof name);
	for (size_t i = 50; i < 1000; i += 50)
		name[i] = '.';
	memcpy(name + 1000, ".evil.com", 10);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, name, strlen(name), r, 4), 1);
	assert_int_equal(r[0], 1);
	/* a label over 63 bytes in front does not hide the parent */
	memset(name, 'b', 100);
	memcpy(name + 100, ".evil.com.", 11);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, name, strlen(name), r, 4), 1);
	/* nor does one between the parent and the name */
	memcpy(name, "x.", 2);
	memset(name + 2, 'c', 100);
	memcpy(name + 102, ".evil.com", 10);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, name, strlen(name), r, 4), 1);
	/* an exact entry matches only the whole name */
	memcpy(name + 102, ".exact.com", 11);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, name, strlen(name), r, 4), 0);
	assert_int_equal(
	    ent_matcher_lookup(m, ENT_OBS_DOMAIN, name + 103, strlen(name + 103), r, 4), 1);
	assert_int_equal(r[0], 2);
	/* 127 one-letter labels */
	size_t n = 0;
	for (int i = 0; i < 125; i++) {
		name[n++] = 'q';
		name[n++] = '.';
	}
	memcpy(name + n, "evil.com", 9);
	assert_true(strlen(name) > 253);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, name, strlen(name), r, 4), 1);
	ent_matcher_free(m);
}

static void test_domain_collapse(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_DOMAIN, "example.com", 1, 0},
	    {ENT_OBS_DOMAIN, "*.example.com", 1, 0},
	    {ENT_OBS_DOMAIN, "example.com", 1, ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "example.com", 2, 0},
	    {ENT_OBS_DOMAIN, "example.com", 2, 0},
	    {ENT_OBS_DOMAIN, "example.com", 3, ENT_MATCH_SUBDOMAINS},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	/* (example.com, 1) exact + subdomains is one entry, with subdomains */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "example.com", NONE_, 2, 1, 3);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "a.example.com", NONE_, 1, 3);
	assert_int_equal(ent_matcher_count(m), 3);
	ent_matcher_free(m);
}

static void test_domain_collapse_many(void **state)
{
	(void)state;
	struct ent_matcher_builder *b = ent_matcher_builder_new(20000);
	uint32_t *r = calloc(20000, sizeof *r);

	/* refs 0..9999 exact, the even ones also with subdomains */
	for (uint32_t i = 0; i < 10000; i++) {
		assert_int_equal(
		    ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "dup.example", 11, i, 0), 0);
		if (i % 2 == 0)
			assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "dup.example",
			                                         11, i, ENT_MATCH_SUBDOMAINS),
			                 0);
	}
	struct ent_matcher *m = ent_matcher_build(b, NULL);
	assert_non_null(m);
	assert_int_equal(ent_matcher_count(m), 10000);
	/* exact (the odd refs) first, then with subdomains (the even ones) */
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, "dup.example", 11, r, 20000), 10000);
	for (uint32_t i = 0; i < 5000; i++) {
		assert_int_equal(r[i], 2 * i + 1);
		assert_int_equal(r[5000 + i], 2 * i);
	}
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, "a.dup.example", 13, r, 3), 5000);
	assert_int_equal(r[0], 0);
	assert_int_equal(r[2], 4);
	ent_matcher_free(m);
	free(r);
}

static void test_strings(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_URL, "http://example.com/Path?q=1", 1, 0},
	    {ENT_OBS_URL, "http://example.com/", 2, 0},
	    {ENT_OBS_EMAIL, "bad.actor@example.com", 3, 0},
	    {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", 4, 0},
	    {ENT_OBS_URL, "http://example.com/Path?q=1", 5, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	EXPECT_STR(m, ENT_OBS_URL, "http://example.com/Path?q=1", NONE_, 1, 5);
	EXPECT_STR(m, ENT_OBS_URL, "http://example.com/path?q=1", NONE_);
	EXPECT_STR(m, ENT_OBS_URL, "http://example.com/Path?q=", NONE_);
	EXPECT_STR(m, ENT_OBS_URL, "http://example.com/", NONE_, 2);
	EXPECT_STR(m, ENT_OBS_URL, "http://example.com", NONE_);
	EXPECT_STR(m, ENT_OBS_EMAIL, "Bad.Actor@EXAMPLE.com", NONE_, 3);
	EXPECT_STR(m, ENT_OBS_EMAIL, "bad.actor@example.co", NONE_);
	EXPECT_STR(m, ENT_OBS_JA4, "T13D1516H2_8DAAF6152771_E5627EFA2AB1", NONE_, 4);
	EXPECT_STR(m, ENT_OBS_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1", NONE_, 4);
	/* kinds do not mix */
	EXPECT_STR(m, ENT_OBS_DOMAIN, "example.com", NONE_);
	EXPECT_STR(m, ENT_OBS_EMAIL, "http://example.com/", NONE_);
	assert_int_equal(ent_matcher_kind_count(m, ENT_OBS_URL), 3);
	ent_matcher_free(m);
}

static void test_hashes(void **state)
{
	(void)state;
	const char *md5 = "d41d8cd98f00b204e9800998ecf8427e";
	const char *sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
	const char *sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const struct tm_entry e[] = {
	    {ENT_OBS_MD5, md5, 1, 0},        {ENT_OBS_SHA1, sha1, 2, 0},
	    {ENT_OBS_SHA256, sha256, 3, 0},  {ENT_OBS_JA3, md5, 4, 0},
	    {ENT_OBS_X509_SHA1, sha1, 5, 0}, {ENT_OBS_MD5, md5, 6, 0},
	    {ENT_OBS_MD5, md5, 1, 0},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);

	EXPECT_STR(m, ENT_OBS_MD5, md5, NONE_, 1, 6);
	EXPECT_STR(m, ENT_OBS_MD5, "D41D8CD98F00B204E9800998ECF8427E", NONE_, 1, 6);
	EXPECT_STR(m, ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427f", NONE_);
	EXPECT_STR(m, ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427", NONE_);
	EXPECT_STR(m, ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e0", NONE_);
	EXPECT_STR(m, ENT_OBS_MD5, "g41d8cd98f00b204e9800998ecf8427e", NONE_);
	EXPECT_STR(m, ENT_OBS_SHA1, sha1, NONE_, 2);
	EXPECT_STR(m, ENT_OBS_SHA256, sha256, NONE_, 3);
	EXPECT_STR(m, ENT_OBS_JA3, md5, NONE_, 4);
	EXPECT_STR(m, ENT_OBS_X509_SHA1, sha1, NONE_, 5);
	EXPECT_STR(m, ENT_OBS_X509_MD5, md5, NONE_);
	EXPECT_STR(m, ENT_OBS_X509_SHA256, sha256, NONE_);
	assert_int_equal(ent_matcher_count(m), 6);
	assert_int_equal(ent_matcher_kind_count(m, ENT_OBS_MD5), 2);
	ent_matcher_free(m);
}

static void test_truncation(void **state)
{
	(void)state;
	const struct tm_entry e[] = {
	    {ENT_OBS_IPV4, "10.0.0.0/8", 1, 0},
	    {ENT_OBS_IPV4, "10.0.0.0/16", 2, 0},
	    {ENT_OBS_IPV4, "10.0.0.0/24", 3, 0},
	    {ENT_OBS_IPV4, "10.0.0.1", 4, 0},
	    {ENT_OBS_DOMAIN, "a.b.c", 10, 0},
	    {ENT_OBS_DOMAIN, "a.b.c", 11, 0},
	    {ENT_OBS_DOMAIN, "b.c", 12, ENT_MATCH_SUBDOMAINS},
	};
	struct ent_matcher *m = build(e, sizeof e / sizeof *e);
	uint32_t r[8] = {0};

	assert_int_equal(ent_matcher_lookup_ip4(m, ip4("10.0.0.1"), r, 2), 4);
	assert_int_equal(r[0], 4);
	assert_int_equal(r[1], 3);
	assert_int_equal(r[2], 0); /* untouched */
	assert_int_equal(ent_matcher_lookup_ip4(m, ip4("10.0.0.1"), NULL, 0), 4);
	memset(r, 0, sizeof r);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, "a.b.c", 5, r, 1), 3);
	assert_int_equal(r[0], 10);
	assert_int_equal(r[1], 0);
	ent_matcher_free(m);
}

static void test_builder_validation(void **state)
{
	(void)state;
	struct ent_matcher_builder *b = ent_matcher_builder_new(100);
	static const struct {
		enum ent_obs_kind kind;
		const char *v;
		unsigned flags;
	} bad[] = {
	    {ENT_OBS_IPV4, "10.0.0.256", 0},
	    {ENT_OBS_IPV4, "10.0.0.0/33", 0},
	    {ENT_OBS_IPV4, "10.0.0.0/", 0},
	    {ENT_OBS_IPV4, "10.0.0.0/-1", 0},
	    {ENT_OBS_IPV4, "/8", 0},
	    {ENT_OBS_IPV4, "::1", 0},
	    {ENT_OBS_IPV6, "10.0.0.1", 0},
	    {ENT_OBS_IPV6, "::/129", 0},
	    {ENT_OBS_IPV6, "2001:db8::/1000", 0},
	    {ENT_OBS_DOMAIN, "Example.com", 0},
	    {ENT_OBS_DOMAIN, "example.com.", 0},
	    {ENT_OBS_DOMAIN, ".example.com", 0},
	    {ENT_OBS_DOMAIN, "a..com", 0},
	    {ENT_OBS_DOMAIN, "*.", 0},
	    {ENT_OBS_DOMAIN, "*.*.", 0},
	    {ENT_OBS_DOMAIN, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	     0},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427", 0},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427x", 0},
	    {ENT_OBS_SHA1, "d41d8cd98f00b204e9800998ecf8427e", 0},
	    {ENT_OBS_SHA256, "d41d8cd98f00b204e9800998ecf8427e", 0},
	    {ENT_OBS_EMAIL, "A@b.c", 0},
	    {ENT_OBS_JA4, "T13d", 0},
	    {ENT_OBS_URL, "http://a/", ENT_MATCH_SUBDOMAINS},
	    {ENT_OBS_DOMAIN, "a.com", 0x2},
	    {ENT_OBS_NONE, "x", 0},
	    {ENT_OBS_KIND_COUNT, "x", 0},
	    {ENT_OBS_URL, "", 0},
	};
	assert_non_null(b);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int r = ent_matcher_builder_add(b, bad[i].kind, bad[i].v, strlen(bad[i].v), 1,
		                                bad[i].flags);
		if (r != ENT_EINVAL)
			fail_msg("bad[%zu] %s: %d, want ENT_EINVAL", i, bad[i].v, r);
	}
	assert_int_equal(
	    ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "a.com", 5, ENT_MATCH_REF_MAX + 1u, 0),
	    ENT_EINVAL);
	assert_int_equal(
	    ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "a.com", 5, ENT_MATCH_REF_MAX, 0), 0);
	/* values need not be NUL-terminated */
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_IPV4, "10.0.0.1xyz", 8, 7, 0), 0);
	assert_int_equal(ent_matcher_builder_count(b), 2);

	char big[ENT_OBS_VALUE_MAX + 2];
	memset(big, 'a', sizeof big);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_URL, big, ENT_OBS_VALUE_MAX + 1, 1, 0),
	                 ENT_EINVAL);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_URL, big, ENT_OBS_VALUE_MAX, 1, 0), 0);

	struct ent_matcher *m = ent_matcher_build(b, NULL);
	assert_non_null(m);
	assert_int_equal(ent_matcher_count(m), 3);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "a.com", NONE_, ENT_MATCH_REF_MAX);
	EXPECT_IP4(m, "10.0.0.1", NONE_, 7);
	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_URL, big, ENT_OBS_VALUE_MAX, NULL, 0), 1);
	ent_matcher_free(m);

	assert_null(ent_matcher_builder_new(0));
	assert_null(ent_matcher_build(NULL, NULL));
}

static void test_builder_limit(void **state)
{
	(void)state;
	struct ent_matcher_builder *b = ent_matcher_builder_new(3);
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_IPV4, "1.2.3.4", 7, 1, 0), 0);
	/* duplicates count against the limit */
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_IPV4, "1.2.3.4", 7, 1, 0), 0);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "Bad", 3, 1, 0), ENT_EINVAL);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "a.b", 3, 2, 0), 0);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "c.d", 3, 3, 0), ENT_ELIMIT);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_IPV4, "1.0.0.0/8", 9, 3, 0),
	                 ENT_ELIMIT);
	assert_int_equal(ent_matcher_builder_count(b), 3);
	struct ent_matcher *m = ent_matcher_build(b, err);
	assert_non_null(m);
	assert_int_equal(ent_matcher_count(m), 2);
	EXPECT_STR(m, ENT_OBS_DOMAIN, "c.d", NONE_);
	EXPECT_IP4(m, "1.2.3.4", NONE_, 1);
	ent_matcher_free(m);

	/* a builder freed without building */
	b = ent_matcher_builder_new(10);
	assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_URL, "http://x/", 9, 1, 0), 0);
	ent_matcher_builder_free(b);
}

static void test_many_refs_and_memory(void **state)
{
	(void)state;
	struct ent_matcher_builder *b = ent_matcher_builder_new(100000);
	char v[64];

	/* one value with many refs, added in descending order, plus many values */
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(
		    ent_matcher_builder_add(b, ENT_OBS_DOMAIN, "many.example", 12, 999 - i, 0), 0);
	for (uint32_t i = 0; i < 20000; i++) {
		int n = snprintf(v, sizeof v, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(ent_matcher_builder_add(b, ENT_OBS_IPV4, v, (size_t)n, i, 0), 0);
	}
	struct ent_matcher *m = ent_matcher_build(b, NULL);
	uint32_t r[1000];

	assert_int_equal(ent_matcher_lookup(m, ENT_OBS_DOMAIN, "many.example", 12, r, 1000), 1000);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(r[i], i);
	for (uint32_t i = 0; i < 20000; i += 97) {
		uint32_t a = (10u << 24) | i;
		assert_int_equal(ent_matcher_lookup_ip4(m, a, r, 4), 1);
		assert_int_equal(r[0], i);
	}
	assert_int_equal(ent_matcher_lookup_ip4(m, (10u << 24) | 20000, r, 4), 0);
	assert_int_equal(ent_matcher_count(m), 21000);
	/* the IPv4 /32s cost well under 16 bytes each */
	size_t mem = ent_matcher_memory(m);
	assert_true(mem > 20000 * 8);
	assert_true(mem < 20000 * 16 + 12 * 1024);
	ent_matcher_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_ip4_overlaps),
	    cmocka_unit_test(test_ip4_zero_and_edges),
	    cmocka_unit_test(test_ip6),
	    cmocka_unit_test(test_ip6_zero),
	    cmocka_unit_test(test_domains),
	    cmocka_unit_test(test_domain_long_names),
	    cmocka_unit_test(test_domain_collapse),
	    cmocka_unit_test(test_domain_collapse_many),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_hashes),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_builder_validation),
	    cmocka_unit_test(test_builder_limit),
	    cmocka_unit_test(test_many_refs_and_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
