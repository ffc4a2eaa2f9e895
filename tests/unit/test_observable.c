/* test_observable.c - normal forms and detection of observables (core/observable.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/observable.h"

struct ncase {
	enum ent_obs_kind kind;
	const char *in;
	const char *want; /* NULL: must be rejected */
};

static void check_cases(const struct ncase *cases, size_t n)
{
	char out[ENT_OBS_VALUE_MAX], err[ENT_ERRBUF_SIZE];

	for (size_t i = 0; i < n; i++) {
		int rc = ent_obs_normalize(cases[i].kind, cases[i].in, strlen(cases[i].in), out,
		                           sizeof(out), err);
		if (cases[i].want == NULL) {
			if (rc != ENT_EINVAL)
				fail_msg("%s '%s' accepted as '%s'",
				         ent_obs_kind_name(cases[i].kind), cases[i].in, out);
			assert_true(err[0] != '\0');
			assert_string_equal(out, "");
		} else {
			if (rc != ENT_OK)
				fail_msg("%s '%s' rejected: %s", ent_obs_kind_name(cases[i].kind),
				         cases[i].in, err);
			assert_string_equal(out, cases[i].want);
			/* a normal form is a fixpoint */
			{
				char again[ENT_OBS_VALUE_MAX];

				assert_int_equal(ent_obs_normalize(cases[i].kind, out, strlen(out),
				                                   again, sizeof(again), NULL),
				                 ENT_OK);
				assert_string_equal(again, out);
			}
		}
	}
}

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = ENT_OBS_NONE + 1; k < ENT_OBS_KIND_COUNT; k++) {
		const char *name = ent_obs_kind_name((enum ent_obs_kind)k);

		assert_non_null(name);
		assert_int_equal(ent_obs_kind_from_name(name), k);
	}
	assert_string_equal(ent_obs_kind_name(ENT_OBS_IPV4), "ipv4");
	assert_string_equal(ent_obs_kind_name(ENT_OBS_DOMAIN), "domain");
	assert_string_equal(ent_obs_kind_name(ENT_OBS_X509_SHA256), "x509-sha256");
	assert_int_equal(ent_obs_kind_from_name("SHA256"), ENT_OBS_SHA256);
	assert_int_equal(ent_obs_kind_from_name("ip"), ENT_OBS_NONE);
	assert_int_equal(ent_obs_kind_from_name("none"), ENT_OBS_NONE);
	assert_int_equal(ent_obs_kind_from_name(NULL), ENT_OBS_NONE);
	assert_string_equal(ent_obs_kind_name((enum ent_obs_kind)999), "none");
}

static void test_ipv4(void **state)
{
	static const struct ncase c[] = {
	    {ENT_OBS_IPV4, "1.2.3.4", "1.2.3.4"},
	    {ENT_OBS_IPV4, " 192.0.2.1\t", "192.0.2.1"},
	    {ENT_OBS_IPV4, "0.0.0.0", "0.0.0.0"},
	    {ENT_OBS_IPV4, "255.255.255.255", "255.255.255.255"},
	    {ENT_OBS_IPV4, "10.1.2.3/8", "10.0.0.0/8"},
	    {ENT_OBS_IPV4, "192.168.1.255/24", "192.168.1.0/24"},
	    {ENT_OBS_IPV4, "192.168.1.77/31", "192.168.1.76/31"},
	    {ENT_OBS_IPV4, "1.2.3.4/32", "1.2.3.4"},
	    {ENT_OBS_IPV4, "9.9.9.9/0", "0.0.0.0/0"},
	    {ENT_OBS_IPV4, "5.63.151.0/24", "5.63.151.0/24"},
	    {ENT_OBS_IPV4, "256.1.1.1", NULL},
	    {ENT_OBS_IPV4, "1.2.3", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4.5", NULL},
	    {ENT_OBS_IPV4, "01.2.3.4", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4/33", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4/", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4/-1", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4/2a", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4/0032", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4:80", NULL},
	    {ENT_OBS_IPV4, "::1", NULL},
	    {ENT_OBS_IPV4, "", NULL},
	    {ENT_OBS_IPV4, "   ", NULL},
	    {ENT_OBS_IPV4, "1.2.3.4 5", NULL},
	};
	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_ipv6(void **state)
{
	static const struct ncase c[] = {
	    /* RFC 5952 section 4: leading zeros dropped, longest run of zeros
	     * shortened (the first on a tie), one zero field never, lower case */
	    {ENT_OBS_IPV6, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
	    {ENT_OBS_IPV6, "2001:DB8::AAAA", "2001:db8::aaaa"},
	    {ENT_OBS_IPV6, "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
	    {ENT_OBS_IPV6, "2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
	    {ENT_OBS_IPV6, "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
	    {ENT_OBS_IPV6, "2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
	    {ENT_OBS_IPV6, "0:0:0:0:0:0:0:0", "::"},
	    {ENT_OBS_IPV6, "::1", "::1"},
	    {ENT_OBS_IPV6, "1::", "1::"},
	    {ENT_OBS_IPV6, "::1:2", "::1:2"}, /* glibc would say ::0.1.0.2 */
	    {ENT_OBS_IPV6, "::ffff:192.0.2.1", "::ffff:192.0.2.1"},
	    {ENT_OBS_IPV6, "::FFFF:c000:0201", "::ffff:192.0.2.1"},
	    {ENT_OBS_IPV6, "fe80::1:2:3:4", "fe80::1:2:3:4"},
	    {ENT_OBS_IPV6, "2001:db8::/32", "2001:db8::/32"},
	    {ENT_OBS_IPV6, "2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64"},
	    {ENT_OBS_IPV6, "2001:db8::1/128", "2001:db8::1"},
	    {ENT_OBS_IPV6, "2001:db8::1/127", "2001:db8::/127"},
	    {ENT_OBS_IPV6, "::/0", "::/0"},
	    {ENT_OBS_IPV6, "2001:db8::1/129", NULL},
	    {ENT_OBS_IPV6, "fe80::1%eth0", NULL},
	    {ENT_OBS_IPV6, "1::2::3", NULL},
	    {ENT_OBS_IPV6, ":::", NULL},
	    {ENT_OBS_IPV6, "12345::", NULL},
	    {ENT_OBS_IPV6, "1.2.3.4", NULL},
	    {ENT_OBS_IPV6, "[2001:db8::1]", NULL},
	};
	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

/* Differential: outside ::/96 our formatter must agree with inet_ntop. */
static void test_ipv6_vs_inet_ntop(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	(void)state;
	for (int n = 0; n < 20000; n++) {
		uint8_t a[16];
		char txt[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN], got[ENT_OBS_VALUE_MAX];

		for (int i = 0; i < 16; i += 2) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* zero words often, so runs of zeros of every length occur */
			if ((x & 3) != 0) {
				a[i] = a[i + 1] = 0;
			} else {
				a[i] = (uint8_t)(x >> 8);
				a[i + 1] = (uint8_t)(x >> 16);
			}
		}
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0)
			continue; /* ::/96, where glibc prints the deprecated dotted form */
		assert_non_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
		/* feed an uncompressed, upper-case spelling */
		snprintf(txt, sizeof(txt), "%X:%X:%X:%X:%X:%X:%X:%X", a[0] << 8 | a[1],
		         a[2] << 8 | a[3], a[4] << 8 | a[5], a[6] << 8 | a[7], a[8] << 8 | a[9],
		         a[10] << 8 | a[11], a[12] << 8 | a[13], a[14] << 8 | a[15]);
		assert_int_equal(
		    ent_obs_normalize(ENT_OBS_IPV6, txt, strlen(txt), got, sizeof(got), NULL),
		    ENT_OK);
		assert_string_equal(got, want);
	}
}

static void test_domain(void **state)
{
	static const struct ncase c[] = {
	    {ENT_OBS_DOMAIN, "Example.COM", "example.com"},
	    {ENT_OBS_DOMAIN, "example.com.", "example.com"},
	    {ENT_OBS_DOMAIN, "  a-b.example.org ", "a-b.example.org"},
	    {ENT_OBS_DOMAIN, "_dmarc.example.com", "_dmarc.example.com"},
	    {ENT_OBS_DOMAIN, "*.Evil.example", "*.evil.example"},
	    {ENT_OBS_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example"},
	    {ENT_OBS_DOMAIN, "localhost", "localhost"},
	    {ENT_OBS_DOMAIN, "3com.com", "3com.com"},
	    {ENT_OBS_DOMAIN, "exa mple.com", NULL},
	    {ENT_OBS_DOMAIN, "a..b", NULL},
	    {ENT_OBS_DOMAIN, ".example.com", NULL},
	    {ENT_OBS_DOMAIN, "example.com..", NULL},
	    {ENT_OBS_DOMAIN, ".", NULL},
	    {ENT_OBS_DOMAIN, "ex!ample.com", NULL},
	    {ENT_OBS_DOMAIN,
	     "b\xc3\xbc"
	     "cher.example",
	     NULL},
	    {ENT_OBS_DOMAIN, "1.2.3.4", NULL},
	    {ENT_OBS_DOMAIN, "example.123", NULL},
	    {ENT_OBS_DOMAIN, "a.*.example", NULL},
	    {ENT_OBS_DOMAIN, "example.com/path", NULL},
	    {ENT_OBS_DOMAIN,
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", NULL},
	};
	char err[ENT_ERRBUF_SIZE], out[300], long_name[300];
	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
	/* the message says what is wrong */
	assert_int_equal(
	    ent_obs_normalize(ENT_OBS_DOMAIN, "exa mple.com", 12, out, sizeof(out), err),
	    ENT_EINVAL);
	assert_string_equal(err, "invalid domain name: contains 'space'");
	/* 63-byte labels are fine, 253 bytes in all is the limit */
	memset(long_name, 'a', sizeof(long_name));
	for (int i = 63; i < 300; i += 64)
		long_name[i] = '.';
	assert_int_equal(ent_obs_normalize(ENT_OBS_DOMAIN, long_name, 253, out, sizeof(out), NULL),
	                 ENT_OK);
	assert_int_equal(strlen(out), 253);
	assert_int_equal(ent_obs_normalize(ENT_OBS_DOMAIN, long_name, 254, out, sizeof(out), err),
	                 ENT_EINVAL);
}

static void test_url(void **state)
{
	static const struct ncase c[] = {
	    /* DESIGN.md: scheme and host lower-case, default port dropped,
	     * unreserved percent-escapes decoded; empty path -> "/" */
	    {ENT_OBS_URL, "HTTP://Example.COM", "http://example.com/"},
	    {ENT_OBS_URL, "http://example.com:80/a", "http://example.com/a"},
	    {ENT_OBS_URL, "https://example.com:443/", "https://example.com/"},
	    {ENT_OBS_URL, "http://example.com:443/", "http://example.com:443/"},
	    {ENT_OBS_URL, "https://example.com:8443", "https://example.com:8443/"},
	    {ENT_OBS_URL, "http://example.com:0080/", "http://example.com/"},
	    {ENT_OBS_URL, "ftp://files.example:21/x", "ftp://files.example/x"},
	    {ENT_OBS_URL, "http://example.com/%7Euser/%41%62c", "http://example.com/~user/Abc"},
	    {ENT_OBS_URL, "http://example.com/a%2fb%3F?q=%2d%2E%5F",
	     "http://example.com/a%2Fb%3F?q=-._"},
	    {ENT_OBS_URL, "http://example.com/Path/CASE", "http://example.com/Path/CASE"},
	    {ENT_OBS_URL, "http://example.com?q=1", "http://example.com/?q=1"},
	    {ENT_OBS_URL, "http://example.com/x#frag", "http://example.com/x"},
	    {ENT_OBS_URL, "http://example.com/a b", "http://example.com/a%20b"},
	    {ENT_OBS_URL, "http://example.com/\xc3\xbc", "http://example.com/%C3%BC"},
	    {ENT_OBS_URL, "http://example.com/100%", "http://example.com/100%25"},
	    {ENT_OBS_URL, "http://example.com/%%61b", "http://example.com/%25ab"},
	    {ENT_OBS_URL, "http://example.com/%zz%4", "http://example.com/%25zz%254"},
	    {ENT_OBS_URL, "http://User:Pw@Example.com/", "http://User:Pw@example.com/"},
	    {ENT_OBS_URL, "http://192.0.2.1:8080/x", "http://192.0.2.1:8080/x"},
	    {ENT_OBS_URL, "http://[2001:DB8:0::1]:80/", "http://[2001:db8::1]/"},
	    {ENT_OBS_URL, "http://Example.com./", "http://example.com/"},
	    /* scheme-less forms of plain lists */
	    {ENT_OBS_URL, "example.com/path/x.php", "http://example.com/path/x.php"},
	    {ENT_OBS_URL, "1.2.3.4:8080/x", "http://1.2.3.4:8080/x"},
	    {ENT_OBS_URL, "//example.com/", "http://example.com/"},
	    {ENT_OBS_URL, "http://", NULL},
	    {ENT_OBS_URL, "http:///path", NULL},
	    {ENT_OBS_URL, "http://exa mple.com/", NULL},
	    {ENT_OBS_URL, "http://example.com:99999/", NULL},
	    {ENT_OBS_URL, "http://example.com:8a/", NULL},
	    {ENT_OBS_URL, "http://[2001:db8::1/", NULL},
	    {ENT_OBS_URL, "http://example.com/a\x01", NULL},
	    {ENT_OBS_URL, "/path/only", NULL},
	};
	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_email(void **state)
{
	static const struct ncase c[] = {
	    {ENT_OBS_EMAIL, "User.Name+tag@Example.COM", "user.name+tag@example.com"},
	    {ENT_OBS_EMAIL, "mailto:a@b.example", "a@b.example"},
	    {ENT_OBS_EMAIL, "a@b@c.example", NULL},
	    {ENT_OBS_EMAIL, "@example.com", NULL},
	    {ENT_OBS_EMAIL, "user@", NULL},
	    {ENT_OBS_EMAIL, "us er@example.com", NULL},
	    {ENT_OBS_EMAIL, "user@exa mple.com", NULL},
	    {ENT_OBS_EMAIL, "user.example.com", NULL},
	};
	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_hashes(void **state)
{
	static const struct ncase c[] = {
	    {ENT_OBS_MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427", NULL},
	    {ENT_OBS_MD5, "g41d8cd98f00b204e9800998ecf8427e", NULL},
	    {ENT_OBS_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	     "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	    {ENT_OBS_SHA1, "d41d8cd98f00b204e9800998ecf8427e", NULL},
	    {ENT_OBS_SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
	     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {ENT_OBS_JA3, "e7d705a3286e19ea42f587b344ee6865", "e7d705a3286e19ea42f587b344ee6865"},
	    {ENT_OBS_JA3, "771,4865-4866,0-23,29-23,0", NULL},
	    {ENT_OBS_X509_SHA1, "A9:4A:8F:E5:CC:B1:9B:A6:1C:4C:08:73:D3:91:E9:87:98:2F:BB:D3",
	     "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"},
	    {ENT_OBS_X509_SHA1, "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
	     "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"},
	    {ENT_OBS_X509_SHA1, "A9:4A:8F:E5:CC:B1:9B:A6:1C:4C:08:73:D3:91:E9:87:98:2F:BB:Z3",
	     NULL},
	    {ENT_OBS_X509_MD5, "d41d8cd98f00b204e9800998ecf8427e",
	     "d41d8cd98f00b204e9800998ecf8427e"},
	    {ENT_OBS_X509_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
	     NULL},
	    /* JA4 (FoxIO JA4.md) */
	    {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_b186095e22b6",
	     "t13d1516h2_8daaf6152771_b186095e22b6"},
	    {ENT_OBS_JA4, "Q13D0312H3_55B375C5D22E_06CDA9E17597",
	     "q13d0312h3_55b375c5d22e_06cda9e17597"},
	    {ENT_OBS_JA4, "t13i000000_000000000000_000000000000",
	     "t13i000000_000000000000_000000000000"},
	    {ENT_OBS_JA4, "x13d1516h2_8daaf6152771_b186095e22b6", NULL},
	    {ENT_OBS_JA4, "t13x1516h2_8daaf6152771_b186095e22b6", NULL},
	    {ENT_OBS_JA4, "t13d15a6h2_8daaf6152771_b186095e22b6", NULL},
	    {ENT_OBS_JA4, "t13d1516h2_8daaf615277z_b186095e22b6", NULL},
	    {ENT_OBS_JA4, "t13d1516h2-8daaf6152771-b186095e22b6", NULL},
	    {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_b186095e22b", NULL},
	};
	(void)state;
	check_cases(c, sizeof(c) / sizeof(c[0]));
}

static void test_detect(void **state)
{
	static const struct {
		const char *in;
		enum ent_obs_kind want;
	} c[] = {
	    {"1.2.3.4", ENT_OBS_IPV4},
	    {"10.0.0.0/8", ENT_OBS_IPV4},
	    {"10.0.0.0/33", ENT_OBS_NONE},
	    {"2001:db8::1", ENT_OBS_IPV6},
	    {"2001:db8::/32", ENT_OBS_IPV6},
	    {"::ffff:1.2.3.4", ENT_OBS_IPV6},
	    {"example.com", ENT_OBS_DOMAIN},
	    {"*.example.com", ENT_OBS_DOMAIN},
	    {"Sub.Example.COM.", ENT_OBS_DOMAIN},
	    {"http://example.com", ENT_OBS_URL},
	    {"example.com/index.php", ENT_OBS_URL},
	    {"1.2.3.4/index.php", ENT_OBS_URL},
	    {"1.2.3.4:8080/x", ENT_OBS_URL},
	    {"user@example.com", ENT_OBS_EMAIL},
	    {"d41d8cd98f00b204e9800998ecf8427e", ENT_OBS_MD5},
	    {"da39a3ee5e6b4b0d3255bfef95601890afd80709", ENT_OBS_SHA1},
	    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ENT_OBS_SHA256},
	    {"deadbeef", ENT_OBS_NONE},
	    {"localhost", ENT_OBS_NONE},
	    {"ip", ENT_OBS_NONE},
	    {"1.5", ENT_OBS_NONE},
	    {"2024-01-01", ENT_OBS_NONE},
	    {"1.2.3.4:8080", ENT_OBS_NONE},
	    {"/ringin/merge/", ENT_OBS_NONE},
	    {"exa mple.com", ENT_OBS_NONE},
	    {"", ENT_OBS_NONE},
	    {"   ", ENT_OBS_NONE},
	};
	char out[ENT_OBS_VALUE_MAX], want[ENT_OBS_VALUE_MAX];
	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum ent_obs_kind k = ent_obs_detect(c[i].in, strlen(c[i].in));

		if (k != c[i].want)
			fail_msg("detect '%s': %s, expected %s", c[i].in, ent_obs_kind_name(k),
			         ent_obs_kind_name(c[i].want));
		/* detect_normalize agrees with detect + normalize */
		assert_int_equal(
		    ent_obs_detect_normalize(c[i].in, strlen(c[i].in), out, sizeof(out)), k);
		if (k == ENT_OBS_NONE) {
			assert_string_equal(out, "");
		} else {
			assert_int_equal(ent_obs_normalize(k, c[i].in, strlen(c[i].in), want,
			                                   sizeof(want), NULL),
			                 ENT_OK);
			assert_string_equal(out, want);
		}
	}
	assert_int_equal(ent_obs_detect(NULL, 0), ENT_OBS_NONE);
	/* length is honoured: no NUL terminator needed */
	assert_int_equal(ent_obs_detect("1.2.3.4garbage", 7), ENT_OBS_IPV4);
}

/* Hostile input: every small output size, long values, every byte. */
static void test_bounds(void **state)
{
	static const struct {
		enum ent_obs_kind kind;
		const char *in;
	} c[] = {
	    {ENT_OBS_IPV4, "192.168.100.200/24"},
	    {ENT_OBS_IPV6, "2001:db8:1:2:3:4:5:6"},
	    {ENT_OBS_DOMAIN, "*.www.example.com"},
	    {ENT_OBS_URL, "http://user@www.example.com:8080/a%20b?c#d"},
	    {ENT_OBS_EMAIL, "someone@example.com"},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e"},
	    {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_b186095e22b6"},
	    {ENT_OBS_X509_SHA1, "A9:4A:8F:E5:CC:B1:9B:A6:1C:4C:08:73:D3:91:E9:87:98:2F:BB:D3"},
	};
	char *big = malloc(3 * ENT_OBS_VALUE_MAX);
	char out[ENT_OBS_VALUE_MAX + 16], full[ENT_OBS_VALUE_MAX];
	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t need;

		assert_int_equal(ent_obs_normalize(c[i].kind, c[i].in, strlen(c[i].in), full,
		                                   sizeof(full), NULL),
		                 ENT_OK);
		need = strlen(full) + 1;
		for (size_t sz = 1; sz <= need; sz++) {
			int rc;

			memset(out, 0x5a, sizeof(out));
			rc = ent_obs_normalize(c[i].kind, c[i].in, strlen(c[i].in), out, sz, NULL);
			assert_int_equal(rc, sz == need ? ENT_OK : ENT_EINVAL);
			for (size_t k = sz; k < sizeof(out); k++)
				assert_int_equal((unsigned char)out[k], 0x5a);
		}
	}
	/* a URL whose encoding grows past the limit is refused, not truncated */
	memcpy(big, "http://example.com/", 19);
	memset(big + 19, 0xff, 2 * ENT_OBS_VALUE_MAX);
	assert_int_equal(ent_obs_normalize(ENT_OBS_URL, big, ENT_OBS_VALUE_MAX - 1, out,
	                                   ENT_OBS_VALUE_MAX, NULL),
	                 ENT_EINVAL);
	assert_int_equal(ent_obs_detect(big, 3 * ENT_OBS_VALUE_MAX), ENT_OBS_NONE);
	memset(big, 'a', 3 * ENT_OBS_VALUE_MAX);
	assert_int_equal(
	    ent_obs_normalize(ENT_OBS_DOMAIN, big, 3 * ENT_OBS_VALUE_MAX, out, sizeof(out), NULL),
	    ENT_EINVAL);
	/* every single byte and every byte pair around a dot, for every kind */
	for (int k = ENT_OBS_NONE; k <= ENT_OBS_KIND_COUNT; k++) {
		for (int b = 0; b < 256; b++) {
			char one[4] = {(char)b, '.', (char)(255 - b), 0};

			int rc =
			    ent_obs_normalize((enum ent_obs_kind)k, one, 3, out, sizeof(out), NULL);

			assert_true(rc == ENT_OK || rc == ENT_EINVAL);
			(void)ent_obs_detect(one, 3);
		}
	}
	/* fuzz finding: a NUL first byte once passed the JA4 protocol check
	 * (strchr finds the terminator) and gave an empty normal form */
	assert_int_equal(ent_obs_normalize(ENT_OBS_JA4, "\0ed1516h2_8daaf6152771_b196095e22b6", 36,
	                                   out, sizeof(out), NULL),
	                 ENT_EINVAL);
	assert_int_equal(ent_obs_normalize(ENT_OBS_NONE, "x", 1, out, sizeof(out), NULL),
	                 ENT_EINVAL);
	assert_int_equal(ent_obs_normalize(ENT_OBS_IPV4, NULL, 0, out, sizeof(out), NULL),
	                 ENT_EINVAL);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_names), cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_ipv6),       cmocka_unit_test(test_ipv6_vs_inet_ntop),
	    cmocka_unit_test(test_domain),     cmocka_unit_test(test_url),
	    cmocka_unit_test(test_email),      cmocka_unit_test(test_hashes),
	    cmocka_unit_test(test_detect),     cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
