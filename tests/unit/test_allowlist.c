/*
 * test_allowlist.c - allowlists (trust/allowlist.h): each matching type on
 * small crafted MISP warninglists and own lists (tests/data/allowlist/),
 * the per-kind scope of a MISP list, the strongest action winning, list
 * definitions from the configuration, CIDR lookups against a naive scan of
 * random networks, and (corpus group) the real MISP warninglists.
 * ENT_TEST_HAS_CORPUS
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "trust/allowlist.h"

#define DATA ENT_TEST_DATA "/allowlist"

static struct ent_allowlists *misp(const char *file, enum ent_allowlist_action action, int lower)
{
	struct ent_allowlists *a = ent_allowlists_new();
	struct ent_allowlist_spec spec = {.misp = true, .action = action, .lower = lower};
	char err[ENT_ERRBUF_SIZE];

	assert_non_null(a);
	snprintf(spec.path, sizeof(spec.path), "%s", file);
	if (ent_allowlists_add_spec(a, "t", &spec, DATA, err) != ENT_OK)
		fail_msg("%s: %s", file, err);
	return a;
}

static bool hit(const struct ent_allowlists *a, enum ent_obs_kind kind, const char *v)
{
	return ent_allowlists_match(a, kind, v, NULL);
}

static void test_cidr(void **state)
{
	struct ent_allowlists *a = misp("cidr.json", ENT_AL_SUPPRESS, 0);
	struct ent_allowlist_info info;

	(void)state;
	assert_true(hit(a, ENT_OBS_IPV4, "10.1.2.3"));
	assert_true(hit(a, ENT_OBS_IPV4, "10.0.0.0"));
	assert_true(hit(a, ENT_OBS_IPV4, "10.255.255.255"));
	assert_false(hit(a, ENT_OBS_IPV4, "11.0.0.1"));
	assert_false(hit(a, ENT_OBS_IPV4, "9.255.255.255"));
	assert_true(hit(a, ENT_OBS_IPV4, "192.168.1.1")); /* a bare address is a /32 */
	assert_false(hit(a, ENT_OBS_IPV4, "192.168.1.2"));
	assert_true(hit(a, ENT_OBS_IPV6, "2001:db8::1"));
	assert_true(hit(a, ENT_OBS_IPV6, "2001:db8:ffff::"));
	assert_false(hit(a, ENT_OBS_IPV6, "2001:db9::"));
	/* a network inside a listed one is covered; a wider one is not */
	assert_true(hit(a, ENT_OBS_IPV4, "10.5.0.0/16"));
	assert_false(hit(a, ENT_OBS_IPV4, "8.0.0.0/6"));
	/* a CIDR list says nothing about domains */
	assert_false(hit(a, ENT_OBS_DOMAIN, "10.1.2.3"));
	assert_true(ent_allowlists_info(a, 0, &info));
	assert_string_equal(info.title, "Test networks");
	assert_int_equal(info.type, ENT_AL_CIDR);
	assert_int_equal(info.entries, 3);
	assert_int_equal(info.skipped, 2); /* "/33" and a number */
	assert_false(ent_allowlists_info(a, 1, &info));
	ent_allowlists_free(a);
}

static void test_hostname(void **state)
{
	struct ent_allowlists *a = misp("hostname.json", ENT_AL_INFORM, 0);
	struct ent_allowlist_hit h;

	(void)state;
	assert_true(ent_allowlists_match(a, ENT_OBS_DOMAIN, "example.com", &h));
	assert_string_equal(h.list, "t");
	assert_int_equal(h.action, ENT_AL_INFORM);
	assert_true(hit(a, ENT_OBS_DOMAIN, "www.example.com"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "a.b.cdn.example.net"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "cdn.example.net"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "example.net"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "badexample.com"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "example.com.evil.net"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "x.mixed.case.test"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "*.example.com")); /* a wildcard indicator */
	/* URLs by their host */
	assert_true(hit(a, ENT_OBS_URL, "http://a.cdn.example.net:8080/x?y=example.org"));
	assert_true(hit(a, ENT_OBS_URL, "https://user@example.com/"));
	assert_false(hit(a, ENT_OBS_URL, "http://evil.test/example.com"));
	/* e-mail is not among the list's matching_attributes */
	assert_false(hit(a, ENT_OBS_EMAIL, "user@example.com"));
	ent_allowlists_free(a);
}

static void test_string_regex_substring(void **state)
{
	struct ent_allowlists *a = misp("string.json", ENT_AL_SUPPRESS, 0);
	struct ent_allowlist_info info;

	(void)state;
	assert_true(hit(a, ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
	assert_false(hit(a, ENT_OBS_SHA1, "d41d8cd98f00b204e9800998ecf8427e"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "exact.example.org"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "www.exact.example.org")); /* exact only */
	ent_allowlists_free(a);

	a = misp("regex.json", ENT_AL_SUPPRESS, 0);
	assert_true(hit(a, ENT_OBS_DOMAIN, "build-01.internal"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "build-01.internal.evil.test"));
	assert_true(ent_allowlists_info(a, 0, &info));
	assert_int_equal(info.entries, 1);
	assert_int_equal(info.skipped, 3); /* back-reference, {200}, unclosed */
	ent_allowlists_free(a);

	a = misp("substring.json", ENT_AL_SUPPRESS, 0);
	assert_true(hit(a, ENT_OBS_URL, "https://x.test/SafeBrowsing/v4"));
	assert_false(hit(a, ENT_OBS_URL, "https://x.test/safebrowsing"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "safebrowsing"));
	ent_allowlists_free(a);
}

static void test_refusals(void **state)
{
	struct ent_allowlists *a = ent_allowlists_new();
	struct ent_allowlist_spec spec = {.misp = true, .action = ENT_AL_SUPPRESS};
	char err[ENT_ERRBUF_SIZE];

	(void)state;
	snprintf(spec.path, sizeof(spec.path), "unknown-type.json");
	assert_int_equal(ent_allowlists_add_spec(a, "odd", &spec, DATA, err), ENT_EUNSUPPORTED);
	assert_non_null(strstr(err, "soundex"));
	snprintf(spec.path, sizeof(spec.path), "absent.json");
	assert_int_equal(ent_allowlists_add_spec(a, "odd", &spec, DATA, err), ENT_EIO);
	assert_int_equal(ent_allowlists_add_misp(a, "x", "[1]", 3, ENT_AL_SUPPRESS, 0, err),
	                 ENT_EPARSE);
	assert_int_equal(
	    ent_allowlists_add_misp(a, "x", "{\"type\":\"cidr\"}", 15, ENT_AL_SUPPRESS, 0, err),
	    ENT_EPARSE);
	assert_int_equal(
	    ent_allowlists_add_misp(a, "x", "{\"a\":1,\"a\":1}", 13, ENT_AL_SUPPRESS, 0, err),
	    ENT_EPARSE);
	assert_int_equal(
	    ent_allowlists_add_text(a, "x", "a", 1, ENT_AL_EXACT, ENT_AL_LOWER, 0, err),
	    ENT_EINVAL);
	assert_int_equal(
	    ent_allowlists_add_text(a, "", "a", 1, ENT_AL_EXACT, ENT_AL_INFORM, 0, err),
	    ENT_EINVAL);
	assert_int_equal(ent_allowlists_count(a), 0);
	for (int i = 0; i < ENT_ALLOWLIST_MAX_LISTS; i++)
		assert_int_equal(
		    ent_allowlists_add_text(a, "x", "a", 1, ENT_AL_EXACT, ENT_AL_INFORM, 0, err),
		    ENT_OK);
	assert_int_equal(
	    ent_allowlists_add_text(a, "x", "a", 1, ENT_AL_EXACT, ENT_AL_INFORM, 0, err),
	    ENT_ELIMIT);
	ent_allowlists_free(a);
}

static void test_own_lists_and_actions(void **state)
{
	struct ent_allowlists *a = ent_allowlists_new();
	struct ent_allowlist_spec s1 = {.type = ENT_AL_SUFFIX, .action = ENT_AL_INFORM};
	struct ent_allowlist_spec s2 = {.type = ENT_AL_CIDR, .action = ENT_AL_LOWER, .lower = 20};
	struct ent_allowlist_hit h;
	char err[ENT_ERRBUF_SIZE];

	(void)state;
	snprintf(s1.path, sizeof(s1.path), "own-suffix.txt");
	snprintf(s2.path, sizeof(s2.path), "own-cidr.txt");
	assert_int_equal(ent_allowlists_add_spec(a, "ours", &s1, DATA, err), ENT_OK);
	assert_int_equal(ent_allowlists_add_spec(a, "net", &s2, DATA, err), ENT_OK);
	assert_true(hit(a, ENT_OBS_DOMAIN, "mail.corp.example"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "intranet.test"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "partner.example"));
	assert_true(hit(a, ENT_OBS_EMAIL, "ceo@corp.example")); /* own lists: every kind */
	assert_false(hit(a, ENT_OBS_DOMAIN, "corp.example.org"));
	assert_true(ent_allowlists_match(a, ENT_OBS_IPV4, "198.51.100.77", &h));
	assert_string_equal(h.list, "net");
	assert_int_equal(h.action, ENT_AL_LOWER);
	assert_int_equal(h.lower, 20);
	assert_true(hit(a, ENT_OBS_IPV6, "2001:db8:1:ff::1"));
	assert_false(hit(a, ENT_OBS_IPV6, "2001:db8:2::1"));

	/* several lists: the strongest action is reported */
	assert_int_equal(
	    ent_allowlists_add_text(a, "l5", "x.test\n", 7, ENT_AL_SUFFIX, ENT_AL_LOWER, 5, err),
	    ENT_OK);
	assert_int_equal(
	    ent_allowlists_add_text(a, "i", "x.test", 6, ENT_AL_EXACT, ENT_AL_INFORM, 0, err),
	    ENT_OK);
	assert_int_equal(
	    ent_allowlists_add_text(a, "l30", "x.test", 6, ENT_AL_EXACT, ENT_AL_LOWER, 30, err),
	    ENT_OK);
	assert_true(ent_allowlists_match(a, ENT_OBS_DOMAIN, "x.test", &h));
	assert_string_equal(h.list, "l30");
	assert_int_equal(h.lower, 30);
	assert_int_equal(
	    ent_allowlists_add_text(a, "s", "*.test", 6, ENT_AL_SUFFIX, ENT_AL_SUPPRESS, 0, err),
	    ENT_OK);
	assert_true(ent_allowlists_match(a, ENT_OBS_DOMAIN, "x.test", &h));
	assert_string_equal(h.list, "s");
	assert_int_equal(h.action, ENT_AL_SUPPRESS);
	assert_int_equal(ent_allowlists_count(a), 6);
	ent_allowlists_free(a);
}

static void test_spec_and_config(void **state)
{
	struct ent_allowlist_spec s;
	struct ent_allowlist_info info;
	struct ent_allowlists *a;
	struct ent_config *c;
	char err[ENT_ERRBUF_SIZE], *dir = tu_mkdtemp(), path[512];
	FILE *f;

	(void)state;
	assert_int_equal(
	    ent_allowlist_spec_parse("lists/a.json format:misp action:lower:15", &s, err), ENT_OK);
	assert_string_equal(s.path, "lists/a.json");
	assert_true(s.misp);
	assert_int_equal(s.action, ENT_AL_LOWER);
	assert_int_equal(s.lower, 15);
	assert_int_equal(ent_allowlist_spec_parse("a.txt type:hostname", &s, err), ENT_OK);
	assert_false(s.misp);
	assert_int_equal(s.type, ENT_AL_SUFFIX);
	assert_int_equal(s.action, ENT_AL_SUPPRESS);
	assert_int_equal(ent_allowlist_spec_parse("a.txt action:lower:0", &s, err), ENT_EINVAL);
	assert_int_equal(ent_allowlist_spec_parse("a.txt action:block", &s, err), ENT_EINVAL);
	assert_int_equal(ent_allowlist_spec_parse("a.txt type:glob", &s, err), ENT_EINVAL);
	assert_int_equal(ent_allowlist_spec_parse("a.txt b.txt", &s, err), ENT_EINVAL);
	assert_int_equal(ent_allowlist_spec_parse("format:misp", &s, err), ENT_EINVAL);

	snprintf(path, sizeof(path), "%s/entente.conf", dir);
	f = fopen(path, "w");
	fputs("[allowlists]\n"
	      "nets = cidr.json format:misp action:inform\n"
	      "ours = own-suffix.txt type:suffix\n",
	      f);
	fclose(f);
	assert_int_equal(ent_config_load(path, &c, err), ENT_OK);
	a = ent_allowlists_new();
	assert_int_equal(ent_allowlists_load_config(a, c, DATA, err), ENT_OK);
	assert_int_equal(ent_allowlists_count(a), 2);
	assert_true(ent_allowlists_info(a, 1, &info));
	assert_string_equal(info.name, "ours");
	assert_int_equal(info.entries, 3);
	assert_non_null(strstr(info.source, "own-suffix.txt"));
	assert_true(hit(a, ENT_OBS_IPV4, "10.9.9.9"));
	ent_allowlists_free(a);
	ent_config_free(c);

	f = fopen(path, "w");
	fputs("[allowlists]\nbroken = nothere.txt\n", f);
	fclose(f);
	assert_int_equal(ent_config_load(path, &c, err), ENT_OK);
	a = ent_allowlists_new();
	assert_int_equal(ent_allowlists_load_config(a, c, DATA, err), ENT_EIO);
	assert_non_null(strstr(err, "allowlists.broken"));
	ent_allowlists_free(a);
	ent_config_free(c);
	remove(path);
	rmdir(dir);
	free(dir);
}

/* CIDR lookups against a naive scan over random networks. */
static void test_cidr_differential(void **state)
{
	enum { N = 300 };
	static uint32_t net[N];
	static int len[N];
	char text[N * 24], *p = text, addr[INET_ADDRSTRLEN + 4], err[ENT_ERRBUF_SIZE];
	uint64_t x = 88172645463325252ull;
	struct ent_allowlists *a = ent_allowlists_new();

	(void)state;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	for (int i = 0; i < N; i++) {
		len[i] = (int)(RND() % 25) + 8;
		net[i] = (uint32_t)RND() & (0xffffffffu << (32 - len[i]));
		p += sprintf(p, "%u.%u.%u.%u/%d\n", net[i] >> 24, (net[i] >> 16) & 255,
		             (net[i] >> 8) & 255, net[i] & 255, len[i]);
	}
	assert_int_equal(ent_allowlists_add_text(a, "r", text, (size_t)(p - text), ENT_AL_CIDR,
	                                         ENT_AL_SUPPRESS, 0, err),
	                 ENT_OK);
	for (int k = 0; k < 20000; k++) {
		/* half the probes near a listed network */
		uint32_t v = (uint32_t)RND();
		bool want = false;

		if (k & 1)
			v = net[k % N] ^ (v & 0x3ff);
		for (int i = 0; i < N && !want; i++)
			want = (v & (0xffffffffu << (32 - len[i]))) == net[i];
		sprintf(addr, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
		if (hit(a, ENT_OBS_IPV4, addr) != want)
			fail_msg("%s: naive says %d", addr, want);
	}
#undef RND
	ent_allowlists_free(a);
}

/* ---- corpus: the real MISP warninglists ---- */

static void test_corpus_warninglists(void **state)
{
	static const char *const files[] = {
	    "rfc1918.json",       "public-dns-v4.json",  "public-dns-v6.json", "tranco10k.json",
	    "empty-hashes.json",  "ipv6-linklocal.json", "multicast.json",     "tlds.json",
	    "url-shortener.json", "cisco_top1000.json",  "sinkholes.json",     "rfc6761.json"};
	struct ent_allowlists *a = ent_allowlists_new();
	char err[ENT_ERRBUF_SIZE], dir[4096];
	struct ent_allowlist_hit h;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", tu_corpus("misp/warninglists"));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct ent_allowlist_spec s = {.misp = true, .action = ENT_AL_INFORM};
		char name[64];

		snprintf(s.path, sizeof(s.path), "%s", files[i]);
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(files[i]) - 5), files[i]);
		if (ent_allowlists_add_spec(a, name, &s, dir, err) != ENT_OK)
			fail_msg("%s: %s", files[i], err);
	}
	assert_true(ent_allowlists_match(a, ENT_OBS_IPV4, "192.168.3.4", &h));
	assert_string_equal(h.list, "rfc1918");
	assert_true(ent_allowlists_match(a, ENT_OBS_IPV4, "9.9.9.9", &h));
	assert_string_equal(h.list, "public-dns-v4");
	assert_true(hit(a, ENT_OBS_IPV4, "239.1.2.3"));
	assert_true(hit(a, ENT_OBS_IPV6, "fe80::1"));
	assert_true(hit(a, ENT_OBS_DOMAIN, "www.google.com"));
	assert_true(hit(a, ENT_OBS_URL, "https://bit.ly/abc"));
	assert_true(hit(a, ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e"));
	assert_true(hit(a, ENT_OBS_SHA256,
	                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	assert_true(ent_allowlists_match(a, ENT_OBS_DOMAIN, "aaa", &h)); /* tlds: "AAA" */
	assert_false(hit(a, ENT_OBS_IPV4, "203.0.113.250"));
	assert_false(hit(a, ENT_OBS_DOMAIN, "surely-not-listed-anywhere.invalid-tld-x"));
	ent_allowlists_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_hostname),
	    cmocka_unit_test(test_string_regex_substring),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_own_lists_and_actions),
	    cmocka_unit_test(test_spec_and_config),
	    cmocka_unit_test(test_cidr_differential),
	};
	const struct CMUnitTest corpus[] = {
	    cmocka_unit_test(test_corpus_warninglists),
	};

	return tu_run_groups(argc, argv, unit, sizeof(unit) / sizeof(unit[0]), corpus,
	                     sizeof(corpus) / sizeof(corpus[0]));
}
