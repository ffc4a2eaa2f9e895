/* test_csv.c - CSV and plain-list conversion (feed/csv.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/uuid.h"
#include "feed/csv.h"
#include "testutil.h"

/* ---- a recording sink --------------------------------------------------- */

struct rec {
	json_t *objects; /* array of the indicators */
	json_t *wheres;  /* where of each object */
	json_t *skips;   /* "reason|where" */
	int fail_at;
};

static int rec_object(void *ctx, json_t *obj, const char *where, char *errbuf)
{
	struct rec *r = ctx;

	json_array_append(r->objects, obj);
	json_array_append_new(r->wheres, json_string(where));
	if (r->fail_at > 0 && (int)json_array_size(r->objects) == r->fail_at)
		return ent_errf(errbuf, ENT_ESTORE, "disk full");
	return 0;
}

static void rec_skip(void *ctx, const char *reason, const char *where)
{
	struct rec *r = ctx;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s|%s", reason, where);
	json_array_append_new(r->skips, json_string(buf));
}

static void rec_free(struct rec *r)
{
	json_decref(r->objects);
	json_decref(r->wheres);
	json_decref(r->skips);
}

static const struct ent_feed_opts base_opts = {
    .source = "test",
    .default_tlp = NULL,
    .default_confidence = -1,
    .forced_kind = ENT_OBS_NONE,
    .column = 0,
    .column_name = NULL,
    .timestamp_ms = 1700000000000, /* 2023-11-14T22:13:20.000Z */
};

static int run(const char *data, size_t len, const struct ent_feed_opts *o, struct rec *r,
               char *err)
{
	struct ent_feed_sink s = {rec_object, rec_skip, r, NULL, NULL};

	r->objects = json_array();
	r->wheres = json_array();
	r->skips = json_array();
	r->fail_at = 0;
	err[0] = '\0';
	return ent_csv_convert(data, len, o, &s, err);
}

static int runs(const char *text, const struct ent_feed_opts *o, struct rec *r, char *err)
{
	return run(text, strlen(text), o, r, err);
}

static const char *pattern(struct rec *r, size_t i)
{
	json_t *o = json_array_get(r->objects, i);

	if (o == NULL)
		fail_msg("no object %zu (have %zu)", i, json_array_size(r->objects));
	return json_string_value(json_object_get(o, "pattern"));
}

static const char *where(struct rec *r, size_t i)
{
	return json_string_value(json_array_get(r->wheres, i));
}

static const char *skip_at(struct rec *r, size_t i)
{
	json_t *s = json_array_get(r->skips, i);

	if (s == NULL)
		fail_msg("no skip %zu (have %zu)", i, json_array_size(r->skips));
	return json_string_value(s);
}

/* ---- plain lists -------------------------------------------------------- */

static void test_plain_list(void **state)
{
	static const char text[] = "\xef\xbb\xbf# a maltrail-like list\r\n"
	                           "\r\n"
	                           "1.2.3.4:8080\r\n"            /* line 3: address, port dropped */
	                           "evil.example/path/x.php\r\n" /* 4: url */
	                           "10.1.2.3/8 # a network\r\n"  /* 5: CIDR, comment dropped */
	                           "   # indented comment\n"     /* not a data line */
	                           "/only/a/path/\n"             /* 7: skipped */
	                           "Sub.Evil.Example\n"          /* 8: domain */
	                           "[2001:DB8::1]:443\n"         /* 9: IPv6 */
	                           "http://Evil.example:80/%7Ex\n"      /* 10: url */
	                           "d41d8cd98f00b204e9800998ecf8427e\n" /* 11: md5 */
	                           "bad@@example\n"                     /* 12: skipped */
	                           "\t192.0.2.1\t\n"                    /* 13: trimmed */
	                           "no-newline-at-end.example";         /* 14 */
	char err[ENT_ERRBUF_SIZE];
	struct rec r;
	json_t *o;
	(void)state;

	assert_true(ent_csv_looks_like(text, sizeof(text) - 1));
	assert_int_equal(runs(text, &base_opts, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 9);
	assert_int_equal(json_array_size(r.skips), 2);
	assert_string_equal(pattern(&r, 0), "[ipv4-addr:value = '1.2.3.4']");
	assert_string_equal(where(&r, 0), "line 3");
	assert_string_equal(pattern(&r, 1), "[url:value = 'http://evil.example/path/x.php']");
	assert_string_equal(pattern(&r, 2), "[ipv4-addr:value = '10.0.0.0/8']");
	assert_string_equal(where(&r, 2), "line 5");
	assert_string_equal(pattern(&r, 3), "[domain-name:value = 'sub.evil.example']");
	assert_string_equal(pattern(&r, 4), "[ipv6-addr:value = '2001:db8::1']");
	assert_string_equal(pattern(&r, 5), "[url:value = 'http://evil.example/~x']");
	assert_string_equal(pattern(&r, 6),
	                    "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']");
	assert_string_equal(pattern(&r, 7), "[ipv4-addr:value = '192.0.2.1']");
	assert_string_equal(pattern(&r, 8), "[domain-name:value = 'no-newline-at-end.example']");
	assert_string_equal(where(&r, 8), "line 14");
	assert_string_equal(skip_at(&r, 0), "unrecognized value|line 7");
	assert_string_equal(skip_at(&r, 1), "unrecognized value|line 12");

	/* the indicator itself */
	o = json_array_get(r.objects, 0);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "indicator");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "1.2.3.4");
	assert_string_equal(json_string_value(json_object_get(o, "created")),
	                    "2023-11-14T22:13:20.000Z");
	assert_string_equal(json_string_value(json_object_get(o, "modified")),
	                    "2023-11-14T22:13:20.000Z");
	assert_string_equal(json_string_value(json_object_get(o, "valid_from")),
	                    "2023-11-14T22:13:20.000Z");
	assert_null(json_object_get(o, "object_marking_refs"));
	assert_null(json_object_get(o, "confidence"));
	rec_free(&r);
}

static void test_ids_deterministic(void **state)
{
	static const char text[] = "1.2.3.4\nevil.example\n";
	struct ent_feed_opts o = base_opts;
	char err[ENT_ERRBUF_SIZE], uuid[ENT_UUID_STRLEN], want[64], *first;
	struct rec r;
	(void)state;

	assert_int_equal(runs(text, &o, &r, err), ENT_OK);
	/* UUIDv5 of "test" NUL "ipv4" NUL "1.2.3.4" */
	ent_uuid_v5(ENT_UUID_NAMESPACE,
	            "test\0ipv4\0"
	            "1.2.3.4",
	            17, uuid);
	snprintf(want, sizeof(want), "indicator--%s", uuid);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.objects, 0), "id")),
	                    want);
	first = strdup(json_string_value(json_object_get(json_array_get(r.objects, 1), "id")));
	rec_free(&r);

	/* the same list again, even with another timestamp: the same ids */
	o.timestamp_ms = 1;
	assert_int_equal(runs("# again\nEVIL.example.\n", &o, &r, err), ENT_OK);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.objects, 0), "id")),
	                    first);
	rec_free(&r);

	/* another source: other ids */
	o.source = "other";
	assert_int_equal(runs("evil.example\n", &o, &r, err), ENT_OK);
	assert_string_not_equal(
	    json_string_value(json_object_get(json_array_get(r.objects, 0), "id")), first);
	rec_free(&r);
	free(first);
}

static void test_options(void **state)
{
	struct ent_feed_opts o = base_opts;
	char err[ENT_ERRBUF_SIZE];
	struct rec r;
	json_t *x;
	(void)state;

	o.default_tlp = "amber+strict";
	o.default_confidence = 75;
	assert_int_equal(runs("192.0.2.1\n", &o, &r, err), ENT_OK);
	x = json_array_get(r.objects, 0);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(x, "object_marking_refs"), 0)),
	    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
	assert_int_equal(json_integer_value(json_object_get(x, "confidence")), 75);
	rec_free(&r);

	o.default_tlp = "octarine";
	assert_int_equal(runs("192.0.2.1\n", &o, &r, err), ENT_EINVAL);
	rec_free(&r);
	o.default_tlp = NULL;

	/* forced kind: JA4 is never detected, only forced */
	o.forced_kind = ENT_OBS_JA4;
	assert_int_equal(runs("T13D1516H2_8DAAF6152771_B186095E22B6\nevil.example\n", &o, &r, err),
	                 ENT_OK);
	assert_int_equal(json_array_size(r.objects), 1);
	assert_string_equal(pattern(&r, 0),
	                    "[x-tls-fingerprint:ja4 = 't13d1516h2_8daaf6152771_b186095e22b6']");
	assert_string_equal(skip_at(&r, 0), "invalid ja4 value|line 2");
	rec_free(&r);

	/* forced ipv4 still understands the maltrail port form */
	o.forced_kind = ENT_OBS_IPV4;
	assert_int_equal(runs("192.0.2.1:443\n2001:db8::1\n", &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 1);
	assert_string_equal(pattern(&r, 0), "[ipv4-addr:value = '192.0.2.1']");
	assert_string_equal(skip_at(&r, 0), "invalid ipv4 value|line 2");
	rec_free(&r);

	/* a forced hash kind overrides detection (a 32-hex JA3) */
	o.forced_kind = ENT_OBS_JA3;
	assert_int_equal(runs("E7D705A3286E19EA42F587B344EE6865\n", &o, &r, err), ENT_OK);
	assert_string_equal(pattern(&r, 0),
	                    "[x-tls-fingerprint:ja3 = 'e7d705a3286e19ea42f587b344ee6865']");
	rec_free(&r);

	/* --column 2 on a one-column list is refused */
	o.forced_kind = ENT_OBS_NONE;
	o.column = 2;
	assert_int_equal(runs("192.0.2.1\n", &o, &r, err), ENT_EPARSE);
	assert_string_equal(err, "column 2 requested, but the file has a single column");
	rec_free(&r);
	o.column = -1;
	assert_int_equal(runs("192.0.2.1\n", &o, &r, err), ENT_EINVAL);
	rec_free(&r);

	/* empty input and comment-only input: nothing, no error */
	o.column = 0;
	assert_int_equal(run("", 0, &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects) + json_array_size(r.skips), 0);
	rec_free(&r);
	assert_int_equal(runs("# only\n\n#comments\n", &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects) + json_array_size(r.skips), 0);
	rec_free(&r);
}

/* ---- CSV ---------------------------------------------------------------- */

static void test_csv_header_auto_column(void **state)
{
	static const char text[] = "id,first_seen,ip,comment\n"
	                           "1,2024-01-01,192.0.2.1,scanner\n"
	                           "2,2024-01-02,198.51.100.7/24,\"a, b\"\n"
	                           "3,2024-01-03,,empty\n"
	                           "4,2024-01-04\n"
	                           "5,2024-01-05,not an ip,x\n";
	char err[ENT_ERRBUF_SIZE];
	struct rec r;
	(void)state;

	assert_int_equal(runs(text, &base_opts, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 2);
	assert_string_equal(pattern(&r, 0), "[ipv4-addr:value = '192.0.2.1']");
	assert_string_equal(where(&r, 0), "line 2");
	assert_string_equal(pattern(&r, 1), "[ipv4-addr:value = '198.51.100.0/24']");
	assert_int_equal(json_array_size(r.skips), 4);
	assert_string_equal(skip_at(&r, 0), "header line|line 1");
	assert_string_equal(skip_at(&r, 1), "empty value|line 4");
	assert_string_equal(skip_at(&r, 2), "no column 3|line 5");
	assert_string_equal(skip_at(&r, 3), "unrecognized value|line 6");
	rec_free(&r);
}

static void test_csv_quoted(void **state)
{
	static const char text[] = "\"url\";\"note\"\r\n"
	                           "\"http://evil.example/a;b\";\"say \"\"hi\"\"\"\r\n"
	                           "\"http://evil.example/q?x=\"\"y\"\"\";x\r\n"
	                           "  \"evil.example\"  ;y\r\n"
	                           "\"unterminated;z\r\n";
	char err[ENT_ERRBUF_SIZE];
	struct rec r;
	(void)state;

	assert_int_equal(runs(text, &base_opts, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 3);
	assert_string_equal(pattern(&r, 0), "[url:value = 'http://evil.example/a;b']");
	assert_string_equal(pattern(&r, 1), "[url:value = 'http://evil.example/q?x=\"y\"']");
	assert_string_equal(pattern(&r, 2), "[domain-name:value = 'evil.example']");
	assert_string_equal(skip_at(&r, 0), "header line|line 1");
	assert_string_equal(skip_at(&r, 1), "unterminated quoted field|line 5");
	rec_free(&r);
}

static void test_csv_column_choice(void **state)
{
	static const char tsv[] = "domain\tip\n"
	                          "evil.example\t192.0.2.1\n"
	                          "bad.example\t192.0.2.2\n";
	struct ent_feed_opts o = base_opts;
	char err[ENT_ERRBUF_SIZE];
	struct rec r;
	(void)state;

	/* auto: the first column with values */
	assert_int_equal(runs(tsv, &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 2);
	assert_string_equal(pattern(&r, 0), "[domain-name:value = 'evil.example']");
	rec_free(&r);
	/* --column 2 */
	o.column = 2;
	assert_int_equal(runs(tsv, &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 2);
	assert_string_equal(pattern(&r, 1), "[ipv4-addr:value = '192.0.2.2']");
	assert_string_equal(skip_at(&r, 0), "header line|line 1");
	rec_free(&r);
	/* --column IP by name (case-insensitive) */
	o.column = 0;
	o.column_name = "IP";
	assert_int_equal(runs(tsv, &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 2);
	assert_string_equal(pattern(&r, 0), "[ipv4-addr:value = '192.0.2.1']");
	rec_free(&r);
	/* a name the header lacks */
	o.column_name = "url";
	assert_int_equal(runs(tsv, &o, &r, err), ENT_EPARSE);
	assert_string_equal(err, "line 1: no column named 'url' in the header");
	rec_free(&r);
	/* a header-less plain list with a named column that matches */
	assert_int_equal(runs("# c\nurl\nevil.example/x\n", &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 1);
	assert_string_equal(skip_at(&r, 0), "header line|line 2");
	rec_free(&r);
	/* auto column skips a leading non-value column */
	o.column_name = NULL;
	assert_int_equal(runs("a,192.0.2.1\nb,192.0.2.2\n", &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 2);
	assert_string_equal(pattern(&r, 1), "[ipv4-addr:value = '192.0.2.2']");
	rec_free(&r);
	/* a plain list whose URLs have commas is not CSV: not every line splits */
	assert_int_equal(runs("evil.example/a,b\nevil.example/c\n", &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 2);
	assert_string_equal(pattern(&r, 0), "[url:value = 'http://evil.example/a,b']");
	rec_free(&r);
	/* a plain list header is recognised ... */
	assert_int_equal(runs("ip address\n192.0.2.1\n", &o, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 1);
	assert_string_equal(skip_at(&r, 0), "header line|line 1");
	rec_free(&r);
	/* ... but a bad first value is not mistaken for one */
	assert_int_equal(runs("/a/path\n192.0.2.1\n", &o, &r, err), ENT_OK);
	assert_string_equal(skip_at(&r, 0), "unrecognized value|line 1");
	rec_free(&r);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_binary_and_limits(void **state)
{
	static const char bin[] = "192.0.2.1\n192.0.2.2\nab\0cd\n";
	char err[ENT_ERRBUF_SIZE], *big;
	struct rec r;
	struct ent_feed_sink s = {rec_object, rec_skip, &r, NULL, NULL};
	size_t n;
	(void)state;

	assert_int_equal(run(bin, sizeof(bin) - 1, &base_opts, &r, err), ENT_EPARSE);
	assert_string_equal(err, "line 3: binary data (NUL byte), not a text list");
	assert_int_equal(json_array_size(r.objects), 0); /* nothing half-imported */
	rec_free(&r);
	assert_false(ent_csv_looks_like(bin, sizeof(bin) - 1));

	/* a line longer than the limit */
	n = 20 + ENT_CSV_LINE_MAX + 1;
	big = malloc(n);
	memcpy(big, "192.0.2.1\n", 10);
	memset(big + 10, 'a', n - 10);
	assert_int_equal(run(big, n, &base_opts, &r, err), ENT_ELIMIT);
	assert_string_equal(err, "line 2: longer than 65536 bytes");
	rec_free(&r);
	/* exactly at the limit is fine (and skipped: not a value) */
	assert_int_equal(run(big, 10 + ENT_CSV_LINE_MAX, &base_opts, &r, err), ENT_OK);
	assert_int_equal(json_array_size(r.objects), 1);
	assert_string_equal(skip_at(&r, 0), "unrecognized value|line 2");
	rec_free(&r);
	free(big);

	/* a sink failure stops the conversion with its code */
	r.objects = json_array(), r.wheres = json_array(), r.skips = json_array();
	r.fail_at = 2;
	assert_int_equal(
	    ent_csv_convert("192.0.2.1\n192.0.2.2\n192.0.2.3\n", 30, &base_opts, &s, err),
	    ENT_ESTORE);
	assert_string_equal(err, "disk full");
	assert_int_equal(json_array_size(r.objects), 2);
	rec_free(&r);
	s.object = NULL;
	assert_int_equal(ent_csv_convert("x", 1, &base_opts, &s, err), ENT_EINVAL);
}

static void test_looks_like(void **state)
{
	(void)state;
	assert_true(ent_csv_looks_like("1.2.3.4\n", 8));
	assert_true(ent_csv_looks_like("# comment\nevil.example\n", 23));
	assert_true(ent_csv_looks_like("a,b\n", 4));
	assert_false(ent_csv_looks_like("  {\"type\":\"bundle\"}", 19));
	assert_false(ent_csv_looks_like("\n[1,2]", 6));
	assert_false(ent_csv_looks_like("<?xml version=\"1.0\"?>", 21));
	assert_false(ent_csv_looks_like("", 0));
	assert_false(ent_csv_looks_like("  \n\t", 4));
	assert_false(ent_csv_looks_like(NULL, 5));
}

/* ---- the corpus --------------------------------------------------------- */

/*
 * Counts obtained with grep, independently of the converter:
 *   data    = grep -v '^#' FILE | grep -v '^$' | wc -l
 *   paths   = ... | grep -c '^/'            (maltrail path-only trails: no host)
 *   ipv4    = ... | grep -cE '^[0-9.]+(:[0-9]+|/[0-9]+)?( #.*)?$'
 *   url     = ... | grep -v '^/' | grep -v -E '^[0-9.]+/[0-9]+( #.*)?$' | grep -c '/'
 *   domain  = ... | grep -v '/' | grep -vcE '^[0-9.]+(:[0-9]+)?( #.*)?$'
 *   hashes  = wc -l (every line one hash)
 * and data = paths + ipv4 + url + domain (+ hashes) holds for every file.
 */
static const struct corpus_list {
	const char *path;
	size_t data, skipped, ipv4, url, domain, md5, sha1, sha256;
} corpus_lists[] = {
    {"misp/lists/crowdsec-feed-all-7d.txt", 60, 0, 60, 0, 0, 0, 0, 0},
    {"misp/lists/crowdsec-feed-all-7d_v4.txt", 60, 0, 60, 0, 0, 0, 0, 0},
    {"misp/lists/maltrail-malware_emotet.txt", 15034, 4737, 4704, 5361, 232, 0, 0, 0},
    {"misp/lists/maltrail-malware_qakbot.txt", 8808, 567, 6100, 1040, 1101, 0, 0, 0},
    {"misp/lists/maltrail-mass_scanner_cidr.txt", 1106, 0, 1106, 0, 0, 0, 0, 0},
    {"misp/lists/maltrail-suspicious_dns_tunneling_service.txt", 7, 0, 0, 0, 7, 0, 0, 0},
    {"misp/lists/maltrail-suspicious_ipinfo.txt", 306, 0, 1, 12, 293, 0, 0, 0},
    {"misp/lists/eset-glupteba_samples.md5", 6, 0, 0, 0, 0, 6, 0, 0},
    {"misp/lists/eset-glupteba_samples.sha1", 6, 0, 0, 0, 0, 0, 6, 0},
    {"misp/lists/eset-glupteba_samples.sha256", 6, 0, 0, 0, 0, 0, 0, 6},
    {"misp/lists/eset-oceanlotus_samples.md5", 39, 0, 0, 0, 0, 39, 0, 0},
    {"misp/lists/eset-oceanlotus_samples.sha1", 39, 0, 0, 0, 0, 0, 39, 0},
    {"misp/lists/eset-oceanlotus_samples.sha256", 39, 0, 0, 0, 0, 0, 0, 39},
};

static size_t count_prefix(struct rec *r, const char *prefix)
{
	size_t i, n = 0;
	json_t *o;

	json_array_foreach(r->objects, i, o)
	{
		if (strncmp(json_string_value(json_object_get(o, "pattern")), prefix,
		            strlen(prefix)) == 0)
			n++;
	}
	return n;
}

static void test_corpus_lists(void **state)
{
	char err[ENT_ERRBUF_SIZE];
	struct rec r;
	(void)state;

	for (size_t i = 0; i < sizeof(corpus_lists) / sizeof(corpus_lists[0]); i++) {
		const struct corpus_list *l = &corpus_lists[i];
		size_t len;
		char *data = tu_read_file(tu_corpus(l->path), &len);

		assert_non_null(data);
		assert_true(ent_csv_looks_like(data, len));
		if (run(data, len, &base_opts, &r, err) != ENT_OK)
			fail_msg("%s: %s", l->path, err);
		if (json_array_size(r.objects) + json_array_size(r.skips) != l->data ||
		    json_array_size(r.skips) != l->skipped ||
		    count_prefix(&r, "[ipv4-addr:") != l->ipv4 ||
		    count_prefix(&r, "[url:") != l->url ||
		    count_prefix(&r, "[domain-name:") != l->domain ||
		    count_prefix(&r, "[file:hashes.'MD5'") != l->md5 ||
		    count_prefix(&r, "[file:hashes.'SHA-1'") != l->sha1 ||
		    count_prefix(&r, "[file:hashes.'SHA-256'") != l->sha256)
			fail_msg("%s: %zu objects, %zu skips, ipv4 %zu url %zu domain %zu", l->path,
			         json_array_size(r.objects), json_array_size(r.skips),
			         count_prefix(&r, "[ipv4-addr:"), count_prefix(&r, "[url:"),
			         count_prefix(&r, "[domain-name:"));
		rec_free(&r);
		free(data);
	}
}

/* Specific lines, checked by reading the files (grep -n). */
static void test_corpus_specific(void **state)
{
	char err[ENT_ERRBUF_SIZE], *data;
	struct rec r;
	size_t len, i;
	json_t *w;
	bool seen_url = false, seen_dom = false, seen_http = false;
	(void)state;

	/* emotet line 8 "66.210.228.178:443", line 14 "dvr.petcp.com",
	 * line 68 "http://regionsnews.net/OEqhU8Lg5", line 444 "/ringin/merge/" */
	data = tu_read_file(tu_corpus("misp/lists/maltrail-malware_emotet.txt"), &len);
	assert_non_null(data);
	assert_int_equal(run(data, len, &base_opts, &r, err), ENT_OK);
	assert_string_equal(where(&r, 0), "line 8");
	assert_string_equal(pattern(&r, 0), "[ipv4-addr:value = '66.210.228.178']");
	json_array_foreach(r.wheres, i, w)
	{
		if (strcmp(json_string_value(w), "line 14") == 0) {
			assert_string_equal(pattern(&r, i),
			                    "[domain-name:value = 'dvr.petcp.com']");
			seen_dom = true;
		}
		if (strcmp(json_string_value(w), "line 68") == 0) {
			assert_string_equal(pattern(&r, i),
			                    "[url:value = 'http://regionsnews.net/OEqhU8Lg5']");
			seen_http = true;
		}
	}
	assert_true(seen_dom && seen_http);
	assert_string_equal(skip_at(&r, 0), "unrecognized value|line 424");
	rec_free(&r);
	free(data);

	/* qakbot line 539 "wizcapture.com/Branding/444444.png" */
	data = tu_read_file(tu_corpus("misp/lists/maltrail-malware_qakbot.txt"), &len);
	assert_non_null(data);
	assert_int_equal(run(data, len, &base_opts, &r, err), ENT_OK);
	json_array_foreach(r.wheres, i, w)
	{
		if (strcmp(json_string_value(w), "line 539") == 0) {
			assert_string_equal(
			    pattern(&r, i),
			    "[url:value = 'http://wizcapture.com/Branding/444444.png']");
			seen_url = true;
		}
	}
	assert_true(seen_url);
	rec_free(&r);
	free(data);

	/* mass_scanner_cidr line 7 "5.63.151.0/24 # scanners.labs.rapid7.com" */
	data = tu_read_file(tu_corpus("misp/lists/maltrail-mass_scanner_cidr.txt"), &len);
	assert_non_null(data);
	assert_int_equal(run(data, len, &base_opts, &r, err), ENT_OK);
	assert_string_equal(where(&r, 0), "line 7");
	assert_string_equal(pattern(&r, 0), "[ipv4-addr:value = '5.63.151.0/24']");
	rec_free(&r);
	free(data);

	/* eset glupteba sha256, first line */
	data = tu_read_file(tu_corpus("misp/lists/eset-glupteba_samples.sha256"), &len);
	assert_non_null(data);
	assert_int_equal(run(data, len, &base_opts, &r, err), ENT_OK);
	assert_string_equal(pattern(&r, 0),
	                    "[file:hashes.'SHA-256' = "
	                    "'e22b21736d60f9a8535ea70f6c1242cd17f0fdc86d55c3146cfe1da71bc948db']");
	rec_free(&r);
	free(data);
}

/* The corpus group runs as its own ctest (ENT_TEST_HAS_CORPUS, see testutil.h). */
int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
	    cmocka_unit_test(test_plain_list),        cmocka_unit_test(test_ids_deterministic),
	    cmocka_unit_test(test_options),           cmocka_unit_test(test_csv_header_auto_column),
	    cmocka_unit_test(test_csv_quoted),        cmocka_unit_test(test_csv_column_choice),
	    cmocka_unit_test(test_binary_and_limits), cmocka_unit_test(test_looks_like),
	};
	const struct CMUnitTest corpus[] = {
	    cmocka_unit_test(test_corpus_lists),
	    cmocka_unit_test(test_corpus_specific),
	};

	return tu_run_groups(argc, argv, unit, sizeof(unit) / sizeof(unit[0]), corpus,
	                     sizeof(corpus) / sizeof(corpus[0]));
}
