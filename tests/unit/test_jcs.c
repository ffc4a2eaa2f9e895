/*
 * test_jcs.c - RFC 8785 canonical JSON (trust/jcs.h) against the RFC's own
 * vectors, typed into tests/data/jcs/ from the RFC: the numbers of
 * Appendix B, the sample object of section 3.2.2 (its bytes in 3.2.4) and
 * the sorting example of section 3.2.3; plus the I-JSON refusals and the
 * omission of one member (what signatures are computed over).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "trust/jcs.h"

static double from_bits(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

/* Canonicalizes text; returns a malloc'd string, or NULL (rc in *rc). */
static char *canon(const char *text, int *rc_out)
{
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];
	int rc;

	ent_buf_init(&b, 1 << 20);
	rc = ent_jcs_canonicalize(text, strlen(text), &b, err);
	if (rc_out)
		*rc_out = rc;
	if (rc != ENT_OK) {
		ent_buf_free(&b);
		return NULL;
	}
	if (b.data == NULL)
		return strdup("");
	return ent_buf_steal(&b);
}

static void expect_canon(const char *in, const char *want)
{
	int rc;
	char *got = canon(in, &rc);

	assert_int_equal(rc, ENT_OK);
	assert_string_equal(got, want);
	free(got);
}

static void expect_refused(const char *in)
{
	int rc;
	char *got = canon(in, &rc);

	if (got != NULL)
		fail_msg("accepted %s as %s", in, got);
	assert_true(rc < 0);
}

static void test_appendix_b_numbers(void **state)
{
	char *text = tu_read_file(ENT_TEST_DATA "/jcs/numbers.txt", NULL), *save = NULL;
	int rows = 0;

	(void)state;
	assert_non_null(text);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char want[64], got[ENT_JCS_NUMBER_MAX], json[96], wjson[96];
		unsigned long long bits;
		double d;

		if (l[0] == '#')
			continue;
		assert_int_equal(sscanf(l, "%llx %63s", &bits, want), 2);
		d = from_bits(bits);
		assert_int_equal(ent_jcs_number(d, got), ENT_OK);
		assert_string_equal(got, want);
		/* the same through JSON text: 17 significant digits in, the
		 * canonical form out, and the canonical form is a fixed point */
		snprintf(json, sizeof(json), "[%.17g]", d);
		snprintf(wjson, sizeof(wjson), "[%s]", want);
		expect_canon(json, wjson);
		expect_canon(wjson, wjson);
		rows++;
	}
	assert_int_equal(rows, 24);
	free(text);
}

static void test_non_numbers_refused(void **state)
{
	char out[ENT_JCS_NUMBER_MAX];

	(void)state;
	/* Appendix B: 7fffffffffffffff NaN and 7ff0000000000000 Infinity */
	assert_int_equal(ent_jcs_number(from_bits(0x7fffffffffffffffull), out), ENT_EINVAL);
	assert_int_equal(ent_jcs_number(from_bits(0x7ff0000000000000ull), out), ENT_EINVAL);
	assert_int_equal(ent_jcs_number(-INFINITY, out), ENT_EINVAL);
	expect_refused("[1e400]");
	expect_refused("[-1e309]");
	/* underflow is a number: the nearest double */
	expect_canon("[1e-400]", "[0]");
	expect_canon("[-0.0]", "[0]");
}

static void test_more_numbers(void **state)
{
	(void)state;
	expect_canon("[1, 1.0, 100, 1e2, 12e-1, -7, 0.5]", "[1,1,100,100,1.2,-7,0.5]");
	expect_canon("[1e20, 1e21, 123e18, 1e-6, 1e-7, 1.5e-7, 0.1]",
	             "[100000000000000000000,1e+21,123000000000000000000,0.000001,1e-7,1.5e-7,"
	             "0.1]");
	/* 2^53 + 1 is not a double: it reads as 2^53 */
	expect_canon("[9007199254740993]", "[9007199254740992]");
	expect_canon("[0.30000000000000004]", "[0.30000000000000004]");
}

/* Random doubles: the output reads back as the same double, and has no more
 * digits than the shortest %.{p}g that reads back. */
static void test_random_numbers_round_trip(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		char got[ENT_JCS_NUMBER_MAX], naive[40];
		size_t digits = 0, naive_digits = 0;
		double d;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		d = from_bits(x);
		if (!isfinite(d))
			continue;
		assert_int_equal(ent_jcs_number(d, got), ENT_OK);
		assert_true(strtod(got, NULL) == d);
		for (int p = 1; p <= 17; p++) {
			snprintf(naive, sizeof(naive), "%.*e", p - 1, d);
			if (strtod(naive, NULL) == d) {
				naive_digits = (size_t)p;
				break;
			}
		}
		/* significant digits of got: strip sign, exponent, '.', zeros */
		{
			char *e = strchr(got, 'e'), *s = got + (got[0] == '-');
			size_t end = e ? (size_t)(e - s) : strlen(s), first = 0, last = 0;
			bool seen = false;

			for (size_t k = 0; k < end; k++)
				if (s[k] >= '1' && s[k] <= '9') {
					if (!seen)
						first = k, seen = true;
					last = k;
				}
			for (size_t k = first; seen && k <= last; k++)
				digits += s[k] != '.';
		}
		if (digits > naive_digits)
			fail_msg("%s has more digits than %.17g needs (%zu)", got, d, naive_digits);
	}
}

static void check_file_pair(const char *in_path, const char *canon_path)
{
	char *in = tu_read_file(in_path, NULL);
	size_t want_len;
	char *want = tu_read_file(canon_path, &want_len);
	int rc;
	char *got;

	assert_non_null(in);
	assert_non_null(want);
	got = canon(in, &rc);
	assert_int_equal(rc, ENT_OK);
	assert_int_equal(strlen(got), want_len);
	assert_memory_equal(got, want, want_len);
	/* canonical text is its own canonical form */
	free(in);
	in = canon(got, &rc);
	assert_int_equal(rc, ENT_OK);
	assert_string_equal(in, got);
	free(in);
	free(got);
	free(want);
}

static void test_rfc_sample(void **state)
{
	/* section 3.2.4 gives the bytes; check the first and last few here as
	 * typed from the RFC's hex, the file holds them all */
	static const unsigned char head[] = {0x7b, 0x22, 0x6c, 0x69, 0x74, 0x65, 0x72};
	static const unsigned char tail[] = {0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x22, 0x2f, 0x22, 0x7d};
	size_t n;
	char *want = tu_read_file(ENT_TEST_DATA "/jcs/sample.canon", &n);

	(void)state;
	assert_non_null(want);
	assert_int_equal(n, 0x76);
	assert_memory_equal(want, head, sizeof(head));
	assert_memory_equal(want + n - sizeof(tail), tail, sizeof(tail));
	free(want);
	check_file_pair(ENT_TEST_DATA "/jcs/sample.json", ENT_TEST_DATA "/jcs/sample.canon");
}

static void test_rfc_sorting(void **state)
{
	(void)state;
	check_file_pair(ENT_TEST_DATA "/jcs/sorting.json", ENT_TEST_DATA "/jcs/sorting.canon");
}

static void test_strings(void **state)
{
	(void)state;
	expect_canon("\"\\u0001\\u001f\\u007f\\u2028\\/\\b\\t\\n\\f\\r\\\"\\\\\"",
	             "\"\\u0001\\u001f\x7f\xe2\x80\xa8/\\b\\t\\n\\f\\r\\\"\\\\\"");
	expect_canon("\"\\u00e9\\uD83D\\uDE00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	expect_canon("  { \"b\" : [ ] , \"a\" : { } }  ", "{\"a\":{},\"b\":[]}");
	expect_canon("{\"a\":{\"c\":1,\"b\":2},\"\":0}", "{\"\":0,\"a\":{\"b\":2,\"c\":1}}");
	/* a prefix sorts first */
	expect_canon("{\"ab\":1,\"a\":2}", "{\"a\":2,\"ab\":1}");
}

static void test_refusals(void **state)
{
	char deep[201];

	(void)state;
	expect_refused("{\"a\":1,\"a\":2}");
	expect_refused("{\"a\":1,\"\\u0061\":2}"); /* the same name once decoded */
	expect_refused("\"\\ud800\"");
	expect_refused("\"\\udc00\"");
	expect_refused("\"\\ud800\\u0041\"");
	expect_refused("\"\xed\xa0\x80\""); /* a surrogate encoded in UTF-8 */
	expect_refused("\"\xc3\x28\"");     /* invalid UTF-8 */
	expect_refused("\"\xc0\xaf\"");     /* overlong */
	expect_refused("[1,]");
	expect_refused("{} x");
	expect_refused("");
	expect_refused("[01]");
	expect_refused("[NaN]");
	expect_refused("[[[]]"); /* unbalanced */
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	expect_refused(deep); /* 100 levels, beyond ENT_JSON_DEPTH_MAX */
}

static char *write_skip(const char *text, const char *const *skip)
{
	struct ent_json j;
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];
	size_t off;

	ent_json_init(&j, 1024);
	ent_buf_init(&b, 1 << 16);
	assert_int_equal(ent_json_parse(&j, text, strlen(text), &off, err), ENT_OK);
	assert_int_equal(ent_jcs_write(&j, 0, skip, &b, err), ENT_OK);
	ent_json_free(&j);
	return ent_buf_steal(&b);
}

static void test_skip(void **state)
{
	static const char *const path[] = {"extensions", "sig", NULL};
	char *s;

	(void)state;
	s = write_skip("{\"id\":\"x\",\"extensions\":{\"sig\":{\"v\":1}}}", path);
	assert_string_equal(s, "{\"id\":\"x\"}");
	free(s);
	s = write_skip("{\"id\":\"x\",\"extensions\":{\"sig\":{\"v\":1},\"other\":{\"w\":2}}}",
	               path);
	assert_string_equal(s, "{\"extensions\":{\"other\":{\"w\":2}},\"id\":\"x\"}");
	free(s);
	/* an object that was empty already stays */
	s = write_skip("{\"id\":\"x\",\"extensions\":{}}", path);
	assert_string_equal(s, "{\"extensions\":{},\"id\":\"x\"}");
	free(s);
	/* only the path is skipped: a "sig" elsewhere stays */
	s = write_skip("{\"sig\":1,\"o\":{\"extensions\":{\"sig\":2}}}", path);
	assert_string_equal(s, "{\"o\":{\"extensions\":{\"sig\":2}},\"sig\":1}");
	free(s);
	s = write_skip("[{\"extensions\":{\"sig\":1}}]", path);
	assert_string_equal(s, "[{\"extensions\":{\"sig\":1}}]");
	free(s);
}

static void test_output_limit(void **state)
{
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];
	const char *t = "{\"abcdef\":\"ghijkl\"}";

	(void)state;
	ent_buf_init(&b, 8);
	assert_int_equal(ent_jcs_canonicalize(t, strlen(t), &b, err), ENT_ELIMIT);
	ent_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_appendix_b_numbers),
	    cmocka_unit_test(test_non_numbers_refused),
	    cmocka_unit_test(test_more_numbers),
	    cmocka_unit_test(test_random_numbers_round_trip),
	    cmocka_unit_test(test_rfc_sample),
	    cmocka_unit_test(test_rfc_sorting),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_skip),
	    cmocka_unit_test(test_output_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
