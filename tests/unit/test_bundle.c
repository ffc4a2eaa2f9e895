/*
 * test_bundle.c - the streaming scanner over a STIX document (stix/bundle.h):
 * the spans it hands over must be exactly the elements jansson finds in the
 * same text, whatever the strings hold (escaped quotes, runs of
 * backslashes, brackets), and malformed text must fail at the byte that is
 * wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "stix/bundle.h"
#include "testutil.h"

struct spans {
	const char *doc;
	size_t n;
	size_t off[64], len[64];
};

static int collect(void *ctx, size_t index, const char *json, size_t len, size_t offset,
                   char *errbuf)
{
	struct spans *s = ctx;

	(void)errbuf;
	assert_int_equal(index, s->n);
	assert_true(s->n < 64);
	assert_ptr_equal(json, s->doc + offset);
	s->off[s->n] = offset;
	s->len[s->n++] = len;
	return ENT_OK;
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A string built from the bytes that trouble a scanner. */
static json_t *tricky_string(uint64_t *x)
{
	static const char *const parts[] = {"\"", "\\", "\\\\", "{", "}",        "[", "]",
	                                    ",",  ":",  "a",    " ", "\xc3\xa9", "\n"};
	char buf[64] = "";
	size_t n = next_rand(x) % 8;

	for (size_t i = 0; i < n; i++)
		strcat(buf, parts[next_rand(x) % (sizeof(parts) / sizeof(parts[0]))]);
	return json_string(buf);
}

static json_t *random_value(uint64_t *x, int depth)
{
	switch (next_rand(x) % (depth > 3 ? 4 : 6)) {
	case 0:
		return tricky_string(x);
	case 1:
		return json_integer((json_int_t)(next_rand(x) % 100000) - 50000);
	case 2:
		return json_true();
	case 3:
		return json_null();
	case 4: {
		json_t *a = json_array();

		for (size_t i = next_rand(x) % 4; i > 0; i--)
			json_array_append_new(a, random_value(x, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();

		for (size_t i = next_rand(x) % 4; i > 0; i--) {
			char key[16];

			snprintf(key, sizeof(key), "k%zu", i);
			json_object_set_new(o, key, random_value(x, depth + 1));
		}
		return o;
	}
	}
}

/* Each span equals, as JSON, the element jansson parsed at that index. */
static void test_spans_are_the_elements(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int round = 0; round < 300; round++) {
		json_t *arr = json_array();
		size_t n = 1 + next_rand(&x) % 6;
		char err[ENT_ERRBUF_SIZE];
		struct spans s = {0};
		char *doc;

		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "type", json_string("indicator"));
			json_object_set_new(o, "v", random_value(&x, 0));
			json_object_set_new(o, "w", tricky_string(&x));
			json_array_append_new(arr, o);
		}
		/* compact and indented text: whitespace between tokens varies */
		doc = json_dumps(arr, round % 2 ? JSON_COMPACT : JSON_INDENT(2));
		s.doc = doc;
		assert_int_equal(ent_bundle_scan(doc, strlen(doc), collect, &s, err), ENT_OK);
		assert_int_equal(s.n, n);
		for (size_t i = 0; i < n; i++) {
			json_error_t jerr;
			json_t *got = json_loadb(doc + s.off[i], s.len[i], 0, &jerr);

			assert_non_null(got);
			assert_true(json_equal(got, json_array_get(arr, i)));
			json_decref(got);
		}
		free(doc);
		json_decref(arr);
	}
}

/* An escaped backslash before a quote ends the string; an escaped quote
 * does not. */
static void test_backslash_runs(void **state)
{
	/* the object's string is one backslash; the next object follows */
	const char *doc = "[{\"a\":\"\\\\\"},{\"b\":\"\\\"]\"}]";
	struct spans s = {.doc = doc};
	char err[ENT_ERRBUF_SIZE];

	(void)state;
	assert_int_equal(ent_bundle_scan(doc, strlen(doc), collect, &s, err), ENT_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.off[0], 1);
	assert_int_equal(s.len[0], 10); /* {"a":"\\"} */
	assert_int_equal(s.off[1], 12);
	assert_int_equal(s.len[1], 11); /* {"b":"\"]"} */
}

static void expect_error(const char *doc, int want_rc, const char *want)
{
	struct spans s = {.doc = doc};
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ent_bundle_scan(doc, strlen(doc), collect, &s, err), want_rc);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	/* the whole document is checked before any object is handed over */
	assert_int_equal(s.n, 0);
}

static void test_errors_name_the_byte(void **state)
{
	char deep[200];

	(void)state;
	/* the string that starts at byte 6 runs to the end: its quote is escaped */
	expect_error("[{\"a\":\"x\\\"}]", ENT_EPARSE, "byte 6): unterminated string");
	/* '}' at byte 8 closes the '[' of byte 6 */
	expect_error("[{\"a\":[1}]", ENT_EPARSE, "byte 8): unbalanced bracket");
	expect_error("[{\"a\":1}", ENT_EPARSE, "byte 8): unexpected end of input inside a value");
	/* ']' at byte 7 where the '{' of byte 1 is open */
	expect_error("[{\"a\":1]]", ENT_EPARSE, "byte 7): unbalanced bracket");
	/* brackets inside strings do not count */
	expect_error("[{\"a\":\"]}\"}", ENT_EPARSE, "byte 11): unexpected end of input");
	/* a bundle: whatever the order of its members, none of its objects
	 * is handed over before its end is found */
	expect_error("{\"type\":\"bundle\",\"objects\":[{\"a\":1},{\"b\":", ENT_EPARSE,
	             "byte 41): unexpected end of input inside a value");
	expect_error("{\"objects\":[{\"a\":1}],\"type\":\"bundle\",\"id\":\"x", ENT_EPARSE,
	             "byte 42): unterminated string");
	/* 65 levels: the array and 64 nested ones */
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = '\0';
	expect_error(deep, ENT_ELIMIT, "byte 64): nesting deeper than 64 levels");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spans_are_the_elements),
	    cmocka_unit_test(test_backslash_runs),
	    cmocka_unit_test(test_errors_name_the_byte),
	};

	return tu_run_groups(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), NULL, 0);
}
