/*
 * test_json.c - the tokenizer (core/json.h) on strings: what it decodes is
 * what jansson decodes, for text with escapes, multi-byte UTF-8 and
 * special bytes at every place of the 8-byte words it reads strings in
 * (core/json_text.h); and what jansson refuses, it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_text.h"
#include "testutil.h"

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Exact on a little-endian host; elsewhere the run may stop short. */
static void expect_run(size_t got, size_t want)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_int_equal(got, want);
#else
	assert_true(got <= want);
#endif
}

/* The word-at-a-time run agrees with a byte-at-a-time one: every start and
 * length, one special byte (each kind) at every place, and random text. */
static void test_plain_run(void **state)
{
	static const unsigned char specials[] = {'"', '\\', 0x00, 0x1f, 0x80, 0xc3, 0xff};
	unsigned char buf[40];
	uint64_t x = 12345;

	(void)state;
	for (size_t k = 0; k < sizeof(specials); k++) {
		for (size_t at = 0; at < sizeof(buf); at++) {
			/* plain bytes next to the special ones: ' ', '!', '#', '[', ']', '~' */
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = "\x20\x21\x23\x5b\x5d\x7e"[i % 6];
			buf[at] = specials[k];
			for (size_t i = 0; i <= sizeof(buf); i++) {
				size_t j = ent_json_plain_run(buf, i, sizeof(buf));
				size_t want = i;

				while (want < sizeof(buf) && plain(buf[want]))
					want++;
				expect_run(j, want);
			}
		}
	}
	for (int round = 0; round < 2000; round++) {
		size_t n = next_rand(&x) % sizeof(buf), i = next_rand(&x) % (n + 1), want = i;

		for (size_t k = 0; k < n; k++) {
			uint64_t r = next_rand(&x);

			/* mostly plain, as real text is */
			buf[k] = r % 8 ? (unsigned char)(0x20 + (r >> 8) % 0x5f)
			               : (unsigned char)(r >> 16);
		}
		while (want < n && plain(buf[want]))
			want++;
		expect_run(ent_json_plain_run(buf, i, n), want);
	}
}

/* String bodies from pieces that are valid, and some that are not (a raw
 * control byte, a lone continuation byte, a bad escape). */
static void random_body(uint64_t *x, char *out, size_t max_pieces)
{
	static const char *const pieces[] = {"a",
	                                     "bc",
	                                     "0123456",
	                                     " ",
	                                     "~",
	                                     "\\\"",
	                                     "\\\\",
	                                     "\\n",
	                                     "\\u00e9",
	                                     "\\ud83d\\ude00",
	                                     "\xc3\xa9",
	                                     "\xe2\x82\xac",
	                                     "\xf0\x9f\x98\x80",
	                                     "/",
	                                     "\\/",
	                                     "\x01",
	                                     "\x80",
	                                     "\\x",
	                                     "\x7f"};
	size_t n = next_rand(x) % max_pieces;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		strcat(out, pieces[next_rand(x) % (sizeof(pieces) / sizeof(pieces[0]))]);
}

static void test_strings_as_jansson(void **state)
{
	struct ent_json j;
	uint64_t x = 777;
	char body[512], text[600], err[ENT_ERRBUF_SIZE];
	size_t valid = 0;

	(void)state;
	ent_json_init(&j, 64);
	for (int round = 0; round < 5000; round++) {
		json_error_t jerr;
		json_t *want;
		size_t off, len;
		int rc;

		random_body(&x, body, 12);
		snprintf(text, sizeof(text), "{\"k\":\"%s\"}", body);
		want = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
		rc = ent_json_parse(&j, text, strlen(text), &off, err);
		if (want == NULL) {
			assert_int_not_equal(rc, ENT_OK);
			continue;
		}
		assert_int_equal(rc, ENT_OK);
		{
			const char *w = json_string_value(json_object_get(want, "k"));
			long t = ent_json_member(&j, 0, "k");
			const char *got;

			assert_true(t > 0);
			got = ent_json_string(&j, (uint32_t)t, &len);
			assert_non_null(got);
			assert_int_equal(len, strlen(w));
			assert_memory_equal(got, w, len);
		}
		valid++;
		json_decref(want);
	}
	/* both kinds were met */
	assert_true(valid > 1000 && valid < 4900);
	ent_json_free(&j);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_run),
	    cmocka_unit_test(test_strings_as_jansson),
	};

	return tu_run_groups(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), NULL, 0);
}
