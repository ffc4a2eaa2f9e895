/* test_misp.c - MISP event and feed conversion (feed/misp.h, feed/pattern_build.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "feed/misp.h"
#include "feed/pattern_build.h"
#include "testutil.h"

#define TLP_CLEAR        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP_GREEN        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define TLP_AMBER        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TLP_AMBER_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define TLP_RED          "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

/* ---- a collecting sink -------------------------------------------------- */

struct collect {
	json_t *objects; /* array of the objects received */
	json_t *skips;   /* array of "reason|where" strings */
	int fail_at;     /* return ENT_ESTORE on this object (1-based), 0 = never */
};

static int collect_object(void *ctx, json_t *obj, const char *where, char *errbuf)
{
	struct collect *c = ctx;

	assert_non_null(where);
	json_array_append(c->objects, obj);
	if (c->fail_at > 0 && (int)json_array_size(c->objects) == c->fail_at)
		return ent_errf(errbuf, ENT_ESTORE, "store said no");
	return 0;
}

static void collect_skip(void *ctx, const char *reason, const char *where)
{
	struct collect *c = ctx;
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s|%s", reason, where);
	json_array_append_new(c->skips, json_string(buf));
}

static void collect_init(struct collect *c, struct ent_feed_sink *s)
{
	c->objects = json_array();
	c->skips = json_array();
	c->fail_at = 0;
	s->object = collect_object;
	s->skip = collect_skip;
	s->ctx = c;
}

static void collect_free(struct collect *c)
{
	json_decref(c->objects);
	json_decref(c->skips);
}

static size_t count_type(struct collect *c, const char *type)
{
	size_t i, n = 0;
	json_t *o;

	json_array_foreach(c->objects, i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0)
			n++;
	}
	return n;
}

static json_t *find_id(struct collect *c, const char *id)
{
	size_t i;
	json_t *o;

	json_array_foreach(c->objects, i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			return o;
	}
	return NULL;
}

static size_t count_skips(struct collect *c, const char *reason_prefix)
{
	size_t i, n = 0;
	json_t *s;

	json_array_foreach(c->skips, i, s)
	{
		if (strncmp(json_string_value(s), reason_prefix, strlen(reason_prefix)) == 0)
			n++;
	}
	return n;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL)
		fail_msg("no string '%s'", key);
	return s;
}

static const char *marking(json_t *o)
{
	json_t *m = json_object_get(o, "object_marking_refs");

	if (m == NULL)
		return NULL;
	assert_int_equal(json_array_size(m), 1);
	return json_string_value(json_array_get(m, 0));
}

static const struct ent_feed_opts default_opts = {
    .source = "test",
    .default_tlp = NULL,
    .default_confidence = -1,
    .forced_kind = ENT_OBS_NONE,
    .column = 0,
    .column_name = NULL,
    .timestamp_ms = 1700000000000,
};

static int convert_text(const char *text, const struct ent_feed_opts *opts, struct collect *c,
                        char *errbuf)
{
	struct ent_feed_sink sink;
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	int rc;

	if (root == NULL)
		fail_msg("test JSON: line %d: %s", jerr.line, jerr.text);
	collect_init(c, &sink);
	rc = ent_misp_convert_event(root, opts, &sink, errbuf);
	json_decref(root);
	return rc;
}

/* ---- patterns, TLP, indicator builder ----------------------------------- */

static void test_pattern_build(void **state)
{
	static const struct {
		enum ent_obs_kind kind;
		const char *value, *want;
	} c[] = {
	    {ENT_OBS_IPV4, "1.2.3.4", "[ipv4-addr:value = '1.2.3.4']"},
	    {ENT_OBS_IPV4, "10.0.0.0/8", "[ipv4-addr:value = '10.0.0.0/8']"},
	    {ENT_OBS_IPV6, "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"},
	    {ENT_OBS_DOMAIN, "example.com", "[domain-name:value = 'example.com']"},
	    {ENT_OBS_URL, "http://x.example/it's\\", "[url:value = 'http://x.example/it\\'s\\\\']"},
	    {ENT_OBS_EMAIL, "a@b.example", "[email-addr:value = 'a@b.example']"},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e",
	     "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']"},
	    {ENT_OBS_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	     "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"},
	    {ENT_OBS_SHA256, "ab", "[file:hashes.'SHA-256' = 'ab']"},
	    {ENT_OBS_JA3, "e7d705a3286e19ea42f587b344ee6865",
	     "[x-tls-fingerprint:ja3 = 'e7d705a3286e19ea42f587b344ee6865']"},
	    {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_b186095e22b6",
	     "[x-tls-fingerprint:ja4 = 't13d1516h2_8daaf6152771_b186095e22b6']"},
	    {ENT_OBS_X509_SHA1, "ab", "[x509-certificate:hashes.'SHA-1' = 'ab']"},
	    {ENT_OBS_X509_MD5, "ab", "[x509-certificate:hashes.'MD5' = 'ab']"},
	    {ENT_OBS_X509_SHA256, "ab", "[x509-certificate:hashes.'SHA-256' = 'ab']"},
	};
	struct ent_buf b;
	enum ent_obs_kind kinds[2] = {ENT_OBS_DOMAIN, ENT_OBS_IPV4};
	const char *vals[2] = {"a.example", "192.0.2.1"};
	(void)state;

	ent_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ent_buf_reset(&b);
		assert_int_equal(ent_pattern_build(c[i].kind, c[i].value, &b), ENT_OK);
		assert_string_equal(b.data, c[i].want);
	}
	ent_buf_reset(&b);
	assert_int_equal(ent_pattern_build_or(2, kinds, vals, &b), ENT_OK);
	assert_string_equal(b.data,
	                    "[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1']");
	assert_int_equal(ent_pattern_build(ENT_OBS_NONE, "x", &b), ENT_EINVAL);
	assert_int_equal(ent_pattern_build_or(0, kinds, vals, &b), ENT_EINVAL);
	ent_buf_free(&b);
	/* the buffer limit is honoured */
	ent_buf_init(&b, 10);
	assert_int_equal(ent_pattern_build(ENT_OBS_DOMAIN, "example.com", &b), ENT_ELIMIT);
	ent_buf_free(&b);
}

static void test_indicator_build(void **state)
{
	const char *labels[] = {"a", "b"};
	struct ent_indicator_spec s = {
	    .id = "indicator--11111111-2222-4333-8444-555555555555",
	    .created = "2020-01-01T00:00:00.000Z",
	    .modified = "2020-01-02T00:00:00.000Z",
	    .valid_from = "2020-01-03T00:00:00.000Z",
	    .name = "n",
	    .pattern = "[ipv4-addr:value = '1.2.3.4']",
	    .confidence = 70,
	    .tlp = "amber+strict",
	    .created_by_ref = "identity--11111111-2222-4333-8444-555555555555",
	    .labels = labels,
	    .n_labels = 2,
	    .description = "d",
	};
	char err[ENT_ERRBUF_SIZE];
	json_t *o = NULL, *custom = json_pack("{s:s}", "x_foo", "bar");
	(void)state;

	s.custom = custom;
	assert_int_equal(ent_indicator_build(&s, &o, err), ENT_OK);
	assert_string_equal(str(o, "type"), "indicator");
	assert_string_equal(str(o, "spec_version"), "2.1");
	assert_string_equal(str(o, "id"), s.id);
	assert_string_equal(str(o, "created"), s.created);
	assert_string_equal(str(o, "modified"), s.modified);
	assert_string_equal(str(o, "valid_from"), s.valid_from);
	assert_string_equal(str(o, "pattern"), s.pattern);
	assert_string_equal(str(o, "pattern_type"), "stix");
	assert_string_equal(str(o, "pattern_version"), "2.1");
	assert_string_equal(str(o, "description"), "d");
	assert_string_equal(str(o, "created_by_ref"), s.created_by_ref);
	assert_string_equal(str(o, "x_foo"), "bar");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(o, "indicator_types"), 0)),
	    "malicious-activity");
	assert_int_equal(json_integer_value(json_object_get(o, "confidence")), 70);
	assert_int_equal(json_array_size(json_object_get(o, "labels")), 2);
	assert_string_equal(marking(o), TLP_AMBER_STRICT);
	json_decref(o);

	/* optional parts absent */
	s.confidence = -1, s.tlp = NULL, s.created_by_ref = NULL, s.labels = NULL, s.n_labels = 0;
	s.description = NULL, s.custom = NULL;
	assert_int_equal(ent_indicator_build(&s, &o, err), ENT_OK);
	assert_null(json_object_get(o, "confidence"));
	assert_null(json_object_get(o, "object_marking_refs"));
	assert_null(json_object_get(o, "labels"));
	assert_null(json_object_get(o, "created_by_ref"));
	assert_null(json_object_get(o, "description"));
	json_decref(o);

	/* refusals */
	s.tlp = "purple";
	assert_int_equal(ent_indicator_build(&s, &o, err), ENT_EINVAL);
	assert_null(o);
	assert_string_equal(err, "unknown TLP level 'purple'");
	s.tlp = NULL;
	s.pattern = NULL;
	assert_int_equal(ent_indicator_build(&s, &o, err), ENT_EINVAL);
	assert_string_equal(err, "indicator: no pattern");
	s.pattern = "[x:y = 'z']";
	s.confidence = 101;
	assert_int_equal(ent_indicator_build(&s, &o, err), ENT_EINVAL);
	s.confidence = -1;
	json_object_set_new(custom, "bad", json_true());
	s.custom = custom;
	assert_int_equal(ent_indicator_build(&s, &o, err), ENT_EINVAL);
	assert_string_equal(err, "indicator: custom property 'bad' not named x_*");
	json_decref(custom);
}

/* ---- crafted events ----------------------------------------------------- */

#define EV_UUID  "5a0a9aa9-23a4-4607-b6df-41a9950d210f"
#define ORG_UUID "55f6ea5e-2c60-40e5-964f-47a8950d210f"

/* One event exercising the type mapping; every attribute to_ids. */
static const char event_body[] =
    "{\"uuid\":\"" EV_UUID "\",\"info\":\"crafted\",\"distribution\":\"1\","
    "\"timestamp\":\"1510000000\",\"date\":\"2017-11-06\","
    "\"Orgc\":{\"name\":\"CIRCL\",\"uuid\":\"" ORG_UUID "\"},"
    "\"Tag\":[{\"name\":\"tlp:amber\"},{\"name\":\"type:OSINT\"}],"
    "\"Attribute\":["
    /* 0 */ "{\"type\":\"ip-dst\",\"value\":\"192.0.2.1\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000000\",\"timestamp\":\"1510000100\","
    "\"category\":\"Network activity\",\"comment\":\"C2\",\"distribution\":\"5\"},"
    /* 1 */ "{\"type\":\"ip-src\",\"value\":\"10.1.2.3/8\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000001\",\"distribution\":\"0\"},"
    /* 2 */ "{\"type\":\"ip-dst|port\",\"value\":\"2001:DB8::1|443\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000002\"},"
    /* 3 */ "{\"type\":\"domain|ip\",\"value\":\"Evil.example|198.51.100.7\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000003\"},"
    /* 4 */ "{\"type\":\"hostname|port\",\"value\":\"c2.evil.example|8080\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000004\"},"
    /* 5 */ "{\"type\":\"filename|sha256\",\"value\":\"a|b.exe|"
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000005\"},"
    /* 6 */ "{\"type\":\"url\",\"value\":\"HTTP://Evil.example:80/a%7Eb\",\"to_ids\":1,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000006\","
    "\"first_seen\":\"2017-11-06T12:00:00.000000+02:00\"},"
    /* 7 */ "{\"type\":\"email-src\",\"value\":\"Bad@Evil.example\",\"to_ids\":\"1\","
    "\"uuid\":\"00000000-0000-4000-8000-000000000007\"},"
    /* 8 */ "{\"type\":\"ja3-fingerprint-md5\",\"value\":\"E7D705A3286E19EA42F587B344EE6865\","
    "\"to_ids\":true,\"uuid\":\"00000000-0000-4000-8000-000000000008\"},"
    /* 9 */ "{\"type\":\"x509-fingerprint-sha1\","
    "\"value\":\"A9:4A:8F:E5:CC:B1:9B:A6:1C:4C:08:73:D3:91:E9:87:98:2F:BB:D3\","
    "\"to_ids\":true,\"uuid\":\"00000000-0000-4000-8000-000000000009\","
    "\"Tag\":[{\"name\":\"tlp:red\"},{\"name\":\"kill-chain:c2\"}]},"
    /* 10 */ "{\"type\":\"md5\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\",\"to_ids\":true,"
    "\"uuid\":\"not-a-uuid\"},"
    /* 11 */ "{\"type\":\"ip-dst\",\"value\":\"192.0.2.99\",\"to_ids\":false,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000011\"},"
    /* 12 */ "{\"type\":\"ip-dst\",\"value\":\"192.0.2.98\",\"to_ids\":true,\"deleted\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000012\"},"
    /* 13 */ "{\"type\":\"text\",\"value\":\"hello\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000013\"},"
    /* 14 */ "{\"type\":\"link\",\"value\":\"https://blog.example/post\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000014\"},"
    /* 15 */ "{\"type\":\"ip-dst\",\"value\":\"999.1.1.1\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000015\"},"
    /* 16 */ "{\"type\":\"domain|ip\",\"value\":\"no-ip-part.example\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000016\"}"
    "],"
    "\"Object\":[{\"name\":\"domain-ip\",\"Attribute\":["
    "{\"type\":\"domain\",\"value\":\"obj.evil.example\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000100\",\"object_relation\":\"domain\"}]},"
    "{\"name\":\"gone\",\"deleted\":true,\"Attribute\":["
    "{\"type\":\"domain\",\"value\":\"gone.evil.example\",\"to_ids\":true,"
    "\"uuid\":\"00000000-0000-4000-8000-000000000101\"}]}]}";

static json_t *ind_of(struct collect *c, const char *uuid)
{
	char id[64];
	json_t *o;

	snprintf(id, sizeof(id), "indicator--%s", uuid);
	o = find_id(c, id);
	if (o == NULL)
		fail_msg("no %s", id);
	return o;
}

/* The text path writes the same indicator as the tree path. */
static void test_indicator_build_text(void **state)
{
	struct ent_indicator_spec spec = {
	    .id = "indicator--8a3f2c4e-5b1d-4e6f-9a7b-0c2d4e6f8a1b",
	    .created = "2026-01-02T03:04:05.678Z",
	    .modified = "2026-01-02T03:04:05.678Z",
	    .valid_from = "2026-01-02T03:04:05.678Z",
	    .name = "a \"quoted\" \\ name\twith\x01controls",
	    .pattern = "[url:value = 'http://x.example/a\\'b']",
	    .description = "desc",
	    .confidence = 42,
	    .tlp = "amber+strict",
	    .created_by_ref = "identity--8a3f2c4e-5b1d-4e6f-9a7b-0c2d4e6f8a1b",
	};
	char err[ENT_ERRBUF_SIZE];
	struct ent_buf text;
	json_t *tree, *parsed;
	json_error_t jerr;

	(void)state;
	ent_buf_init(&text, 1 << 16);
	for (int variant = 0; variant < 3; variant++) {
		if (variant == 1)
			spec.confidence = -1, spec.tlp = NULL, spec.description = NULL;
		if (variant == 2)
			spec.created_by_ref = NULL, spec.indicator_type = "anomalous-activity";
		assert_int_equal(ent_indicator_build(&spec, &tree, err), ENT_OK);
		assert_int_equal(ent_indicator_build_text(&spec, &text, err), ENT_OK);
		parsed = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
		assert_non_null(parsed);
		assert_true(json_equal(tree, parsed));
		json_decref(tree);
		json_decref(parsed);
	}
	/* what the text path leaves to the tree path */
	spec.name = "caf\xc3\xa9";
	assert_int_equal(ent_indicator_build_text(&spec, &text, err), ENT_EUNSUPPORTED);
	ent_buf_free(&text);
}

static void test_crafted_event(void **state)
{
	char err[ENT_ERRBUF_SIZE], *text = malloc(sizeof(event_body) + 64);
	struct collect c;
	json_t *o, *idn;
	(void)state;

	snprintf(text, sizeof(event_body) + 64, "{\"Event\":%s}", event_body);
	assert_int_equal(convert_text(text, &default_opts, &c, err), ENT_OK);
	assert_int_equal(count_type(&c, "identity"), 1);
	/* 11 usable attributes (0-10) and 1 object attribute */
	assert_int_equal(count_type(&c, "indicator"), 12);
	assert_int_equal(json_array_size(c.skips), 7);
	assert_int_equal(count_skips(&c, "to_ids is false|event " EV_UUID " attribute 11 ("), 1);
	assert_int_equal(count_skips(&c, "deleted|event " EV_UUID " attribute 12"), 1);
	assert_int_equal(count_skips(&c, "unsupported MISP type 'text'|"), 1);
	assert_int_equal(count_skips(&c, "unsupported MISP type 'link'|"), 1);
	assert_int_equal(count_skips(&c, "invalid ip-dst value|event " EV_UUID " attribute 15"), 1);
	assert_int_equal(count_skips(&c, "invalid domain|ip value|"), 1);
	assert_int_equal(count_skips(&c, "object deleted|event " EV_UUID " object 1 attribute 0"),
	                 1);

	idn = find_id(&c, "identity--" ORG_UUID);
	assert_non_null(idn);
	assert_string_equal(str(idn, "name"), "CIRCL");
	assert_string_equal(str(idn, "identity_class"), "organization");
	/* the identity comes before the indicators that refer to it */
	assert_ptr_equal(json_array_get(c.objects, 0), idn);

	o = ind_of(&c, "00000000-0000-4000-8000-000000000000");
	assert_string_equal(str(o, "pattern"), "[ipv4-addr:value = '192.0.2.1']");
	assert_string_equal(str(o, "created"), "2017-11-06T20:28:20.000Z");
	assert_string_equal(str(o, "modified"), "2017-11-06T20:28:20.000Z");
	assert_string_equal(str(o, "valid_from"), "2017-11-06T20:28:20.000Z");
	assert_string_equal(str(o, "description"), "C2");
	assert_string_equal(str(o, "created_by_ref"), "identity--" ORG_UUID);
	assert_string_equal(str(o, "x_misp_event_uuid"), EV_UUID);
	assert_string_equal(str(o, "x_misp_event_info"), "crafted");
	assert_string_equal(str(o, "x_misp_type"), "ip-dst");
	assert_string_equal(str(o, "x_misp_category"), "Network activity");
	assert_int_equal(json_integer_value(json_object_get(o, "x_misp_distribution")), 1);
	assert_null(json_object_get(o, "x_misp_attribute_distribution")); /* 5 = inherit */
	assert_string_equal(marking(o), TLP_AMBER);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "labels"), 0)),
	                    "type:OSINT");
	assert_null(json_object_get(o, "confidence"));

	o = ind_of(&c, "00000000-0000-4000-8000-000000000001");
	assert_string_equal(str(o, "pattern"), "[ipv4-addr:value = '10.0.0.0/8']");
	assert_int_equal(json_integer_value(json_object_get(o, "x_misp_attribute_distribution")),
	                 0);
	/* no attribute timestamp: the event's */
	assert_string_equal(str(o, "created"), "2017-11-06T20:26:40.000Z");
	assert_string_equal(str(ind_of(&c, "00000000-0000-4000-8000-000000000002"), "pattern"),
	                    "[ipv6-addr:value = '2001:db8::1']");
	assert_string_equal(str(ind_of(&c, "00000000-0000-4000-8000-000000000003"), "pattern"),
	                    "[domain-name:value = 'evil.example' OR ipv4-addr:value = "
	                    "'198.51.100.7']");
	assert_string_equal(str(ind_of(&c, "00000000-0000-4000-8000-000000000004"), "pattern"),
	                    "[domain-name:value = 'c2.evil.example']");
	assert_string_equal(str(ind_of(&c, "00000000-0000-4000-8000-000000000005"), "pattern"),
	                    "[file:hashes.'SHA-256' = "
	                    "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
	o = ind_of(&c, "00000000-0000-4000-8000-000000000006");
	assert_string_equal(str(o, "pattern"), "[url:value = 'http://evil.example/a~b']");
	assert_string_equal(str(o, "valid_from"), "2017-11-06T10:00:00.000Z"); /* +02:00 */
	assert_string_equal(str(ind_of(&c, "00000000-0000-4000-8000-000000000007"), "pattern"),
	                    "[email-addr:value = 'bad@evil.example']");
	assert_string_equal(str(ind_of(&c, "00000000-0000-4000-8000-000000000008"), "pattern"),
	                    "[x-tls-fingerprint:ja3 = 'e7d705a3286e19ea42f587b344ee6865']");
	o = ind_of(&c, "00000000-0000-4000-8000-000000000009");
	assert_string_equal(str(o, "pattern"), "[x509-certificate:hashes.'SHA-1' = "
	                                       "'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3']");
	assert_string_equal(marking(o), TLP_RED); /* the attribute's own tag wins */
	assert_int_equal(json_array_size(json_object_get(o, "labels")), 2);
	o = ind_of(&c, "00000000-0000-4000-8000-000000000100");
	assert_string_equal(str(o, "pattern"), "[domain-name:value = 'obj.evil.example']");
	assert_string_equal(str(o, "x_misp_object_name"), "domain-ip");

	/* a non-UUID attribute uuid gives a v5 id, the same on every run */
	{
		size_t i;
		json_t *x;
		const char *v5 = NULL;

		json_array_foreach(c.objects, i, x)
		{
			const char *pat = json_string_value(json_object_get(x, "pattern"));

			if (pat != NULL && strstr(pat, "d41d8cd98f00b204e9800998ecf8427e") != NULL)
				v5 = str(x, "id");
		}
		assert_non_null(v5);
		assert_int_equal(strlen(v5), strlen("indicator--") + 36);
		assert_int_equal(v5[strlen("indicator--") + 14], '5');
		struct collect c2;
		char *keep = strdup(v5);

		assert_int_equal(convert_text(text, &default_opts, &c2, err), ENT_OK);
		assert_non_null(find_id(&c2, keep));
		free(keep);
		collect_free(&c2);
	}
	collect_free(&c);
	free(text);
}

static void test_wrappers(void **state)
{
	char err[ENT_ERRBUF_SIZE], *text = malloc(2 * sizeof(event_body) + 64);
	struct collect c;
	json_t *root;
	(void)state;

	/* bare event */
	assert_int_equal(convert_text(event_body, &default_opts, &c, err), ENT_OK);
	assert_int_equal(count_type(&c, "indicator"), 12);
	collect_free(&c);
	/* a response with the same event twice: the identity is emitted once */
	snprintf(text, 2 * sizeof(event_body) + 64,
	         "{\"response\":[{\"Event\":%s},{\"Event\":%s}]}", event_body, event_body);
	assert_int_equal(convert_text(text, &default_opts, &c, err), ENT_OK);
	assert_int_equal(count_type(&c, "indicator"), 24);
	assert_int_equal(count_type(&c, "identity"), 1);
	collect_free(&c);

	root = json_loads(text, 0, NULL);
	assert_true(ent_misp_looks_like(root));
	json_decref(root);
	root = json_loads(event_body, 0, NULL);
	assert_true(ent_misp_looks_like(root));
	json_decref(root);
	snprintf(text, 2 * sizeof(event_body) + 64, "{\"Event\":%s}", event_body);
	root = json_loads(text, 0, NULL);
	assert_true(ent_misp_looks_like(root));
	json_decref(root);
	root = json_loads("{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":[]}", 0, NULL);
	assert_false(ent_misp_looks_like(root));
	json_decref(root);
	root = json_loads("[1,2]", 0, NULL);
	assert_false(ent_misp_looks_like(root));
	json_decref(root);
	assert_false(ent_misp_looks_like(NULL));
	free(text);
}

static void test_default_tlp_and_confidence(void **state)
{
	static const char ev[] =
	    "{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Orgc\":{\"name\":\"X\"},"
	    "\"Tag\":[{\"name\":\"tlp:green\"},{\"name\":\"TLP:AMBER+STRICT\"}],"
	    "\"Attribute\":[{\"type\":\"domain\",\"value\":\"a.example\",\"to_ids\":true}]}}";
	static const char ev_notlp[] =
	    "{\"Event\":{\"uuid\":\"" EV_UUID "\",\"info\":\"x\","
	    "\"Attribute\":[{\"type\":\"domain\",\"value\":\"a.example\",\"to_ids\":true}]}}";
	struct ent_feed_opts o = default_opts;
	char err[ENT_ERRBUF_SIZE];
	struct collect c;
	json_t *ind, *idn;
	(void)state;

	o.default_tlp = "red";
	o.default_confidence = 40;
	/* the most restrictive tlp tag of the event wins over the default */
	assert_int_equal(convert_text(ev, &o, &c, err), ENT_OK);
	assert_int_equal(json_array_size(c.objects), 2);
	idn = json_array_get(c.objects, 0);
	ind = json_array_get(c.objects, 1);
	/* Orgc without uuid: a derived identity id */
	assert_string_equal(str(idn, "type"), "identity");
	assert_string_equal(str(ind, "created_by_ref"), str(idn, "id"));
	assert_string_equal(marking(ind), TLP_AMBER_STRICT);
	assert_int_equal(json_integer_value(json_object_get(ind, "confidence")), 40);
	/* no uuid and no timestamps: derived id, the list timestamp */
	assert_string_equal(str(ind, "created"), "2023-11-14T22:13:20.000Z");
	collect_free(&c);

	assert_int_equal(convert_text(ev_notlp, &o, &c, err), ENT_OK);
	assert_int_equal(json_array_size(c.objects), 1); /* no Orgc, no identity */
	ind = json_array_get(c.objects, 0);
	assert_string_equal(marking(ind), TLP_RED);
	assert_null(json_object_get(ind, "created_by_ref"));
	assert_null(json_object_get(ind, "x_misp_distribution"));
	collect_free(&c);

	/* an Orgc with an empty name and no uuid still makes a valid identity */
	assert_int_equal(
	    convert_text("{\"Orgc\":{\"name\":\"\"},\"info\":\"i\",\"Attribute\":[]}", &o, &c, err),
	    ENT_OK);
	assert_int_equal(json_array_size(c.objects), 1);
	assert_string_equal(str(json_array_get(c.objects, 0), "name"), "unnamed organisation");
	collect_free(&c);

	o.default_tlp = NULL;
	assert_int_equal(convert_text(ev_notlp, &o, &c, err), ENT_OK);
	assert_null(json_object_get(json_array_get(c.objects, 0), "object_marking_refs"));
	collect_free(&c);

	o.default_tlp = "mauve";
	assert_int_equal(convert_text(ev_notlp, &o, &c, err), ENT_EINVAL);
	collect_free(&c);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *json;
		int rc;
		const char *msg;
	} c[] = {
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Attribute\":{}}}", ENT_EPARSE,
	     "event " EV_UUID ": 'Attribute' is not an array"},
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Attribute\":["
	     "{\"type\":\"ip-dst\",\"value\":\"1.2.3.4\",\"to_ids\":true},"
	     "{\"type\":\"ip-dst\",\"value\":17,\"to_ids\":true}]}}",
	     ENT_EPARSE, "event " EV_UUID " attribute 1: 'value' is not a string"},
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Attribute\":[{\"value\":\"x\"}]}}", ENT_EPARSE,
	     "event " EV_UUID " attribute 0: 'type' is not a string"},
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Attribute\":[3]}}", ENT_EPARSE,
	     "event " EV_UUID " attribute 0: not an object"},
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Attribute\":[],\"Object\":[{\"Attribute\":"
	     "[{\"type\":\"url\",\"value\":null}]}]}}",
	     ENT_EPARSE, "event " EV_UUID " object 0 attribute 0: 'value' is not a string"},
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Object\":{}}}", ENT_EPARSE,
	     "event " EV_UUID ": 'Object' is not an array"},
	    {"{\"Event\":{\"uuid\":\"" EV_UUID "\",\"Tag\":\"tlp:red\",\"Attribute\":[]}}",
	     ENT_EPARSE, "event " EV_UUID ": 'Tag' is not an array"},
	    {"{\"Event\":[]}", ENT_EPARSE, "Event: 'Event' is not an object"},
	    {"{\"response\":{}}", ENT_EPARSE, "'response' is not an array of events"},
	    {"{\"response\":[{\"Event\":{\"Attribute\":[]}},{}]}", ENT_EPARSE,
	     "response[1]: no 'Event'"},
	    {"{\"type\":\"bundle\"}", ENT_EPARSE,
	     "not a MISP event: no 'response', 'Event' or 'Attribute'"},
	    {"[]", ENT_EPARSE, "not a MISP event: not a JSON object"},
	};
	char err[ENT_ERRBUF_SIZE];
	struct collect col;
	(void)state;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		err[0] = '\0';
		assert_int_equal(convert_text(c[i].json, &default_opts, &col, err), c[i].rc);
		assert_string_equal(err, c[i].msg);
		collect_free(&col);
	}
}

static void test_sink_failure(void **state)
{
	char err[ENT_ERRBUF_SIZE];
	struct ent_feed_sink sink;
	struct collect c;
	json_t *root = json_loads(event_body, 0, NULL);
	(void)state;

	collect_init(&c, &sink);
	c.fail_at = 3;
	assert_int_equal(ent_misp_convert_event(root, &default_opts, &sink, err), ENT_ESTORE);
	assert_string_equal(err, "store said no");
	assert_int_equal(json_array_size(c.objects), 3); /* stopped at once */
	collect_free(&c);
	/* a sink without skip callback is fine */
	collect_init(&c, &sink);
	sink.skip = NULL;
	assert_int_equal(ent_misp_convert_event(root, &default_opts, &sink, err), ENT_OK);
	collect_free(&c);
	json_decref(root);
}

/* ---- feed directories --------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_feed_dir_crafted(void **state)
{
	char err[ENT_ERRBUF_SIZE], *dir = tu_mkdtemp(), path[512];
	struct ent_feed_sink sink;
	struct collect c;
	(void)state;

	assert_non_null(dir);
	assert_false(ent_misp_looks_like_feed_dir(dir));
	write_file(dir, "manifest.json",
	           "{\"11111111-1111-4111-8111-111111111111\":{\"info\":\"a\"},"
	           "\"22222222-2222-4222-8222-222222222222\":{\"info\":\"b\"}}");
	write_file(dir, "11111111-1111-4111-8111-111111111111.json",
	           "{\"Event\":{\"uuid\":\"11111111-1111-4111-8111-111111111111\","
	           "\"Orgc\":{\"name\":\"O\",\"uuid\":\"" ORG_UUID "\"},\"Attribute\":["
	           "{\"type\":\"ip-src\",\"value\":\"192.0.2.1\",\"to_ids\":true}]}}");
	assert_true(ent_misp_looks_like_feed_dir(dir));

	/* the second event file is missing: an error naming it */
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_EIO);
	assert_string_equal(err,
	                    "22222222-2222-4222-8222-222222222222.json: No such file or directory");
	collect_free(&c);

	/* malformed JSON: an error naming the file and the line */
	write_file(dir, "22222222-2222-4222-8222-222222222222.json", "{\"Event\":\n{,}}");
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_EPARSE);
	assert_true(strncmp(err, "22222222-2222-4222-8222-222222222222.json: line 2", 49) == 0);
	collect_free(&c);

	/* malformed MISP: the file name prefixes the place */
	write_file(dir, "22222222-2222-4222-8222-222222222222.json",
	           "{\"Event\":{\"uuid\":\"22222222-2222-4222-8222-222222222222\","
	           "\"Attribute\":7}}");
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_EPARSE);
	assert_string_equal(err, "22222222-2222-4222-8222-222222222222.json: event "
	                         "22222222-2222-4222-8222-222222222222: 'Attribute' is not an "
	                         "array");
	collect_free(&c);

	/* both fine: one identity for the two events of the same organisation */
	write_file(dir, "22222222-2222-4222-8222-222222222222.json",
	           "{\"uuid\":\"22222222-2222-4222-8222-222222222222\",\"info\":\"b\","
	           "\"Orgc\":{\"name\":\"O\",\"uuid\":\"" ORG_UUID "\"},\"Attribute\":["
	           "{\"type\":\"domain\",\"value\":\"b.example\",\"to_ids\":true},"
	           "{\"type\":\"domain\",\"value\":\"c.example\",\"to_ids\":false}]}");
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_OK);
	assert_int_equal(count_type(&c, "identity"), 1);
	assert_int_equal(count_type(&c, "indicator"), 2);
	assert_int_equal(json_array_size(c.skips), 1);
	collect_free(&c);

	/* a manifest key that is not a UUID never becomes a path */
	write_file(dir, "manifest.json", "{\"../../etc/passwd\":{}}");
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_EPARSE);
	assert_string_equal(err, "manifest.json: key '../../etc/passwd' is not a UUID");
	collect_free(&c);
	write_file(dir, "manifest.json", "[]");
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_EPARSE);
	collect_free(&c);

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	unlink(path);
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(dir, &default_opts, &sink, err), ENT_EIO);
	assert_string_equal(err, "manifest.json: No such file or directory");
	collect_free(&c);
	snprintf(path, sizeof(path), "%s/11111111-1111-4111-8111-111111111111.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/22222222-2222-4222-8222-222222222222.json", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* ---- the corpus --------------------------------------------------------- */

/*
 * Expected counts per corpus file. "indicators" was counted independently
 * with a Python script over the JSON (attributes of Attribute[] and
 * Object[].Attribute[] with to_ids true, not deleted, of a type in the
 * mapping of docs/import-formats.md), "skips" is all other attributes; one
 * value fails validation: 57153590 attribute 0, a "url" whose value is
 * "107.183.86", so the script's 250 becomes 249 and its 120 skips 121.
 * Every file has one Orgc, hence one identity.
 */
static const struct corpus_event {
	const char *path;
	size_t indicators, skips;
} corpus_events[] = {
    {"misp/events-eset/dukes_misp-dukes-operation-ghost-event.json", 0, 101},
    {"misp/events-eset/glupteba_glupteba.misp-event.json", 320, 1},
    {"misp/events-eset/mozi_mozi.misp-event.json", 74, 77},
    {"misp/events-eset/oceanlotus_oceanlotus-wateringhole-2018.misp.event.json", 0, 75},
    {"misp/events-eset/oceanlotus_oceanlotus.misp.event.json", 0, 111},
    {"misp/events-eset/sshdoor_misp-events_borleias.json", 0, 3},
    {"misp/events-eset/sshdoor_misp-events_coruscant.json", 0, 4},
    {"misp/events-eset/stantinko_stantinko.misp-event.json", 217, 46},
    {"misp/events-eset/swc-candiru_swc-candiru_misp.json", 12, 88},
    {"misp/events-eset/telebots_misp-telebots.json", 69, 26},
    {"misp/events-eset/turla_misp-turla-comrat-v4-event.json", 0, 37},
    {"misp/events-pymisp-testdata/56e12e66-f01c-41be-afea-4d9a950d210f.json", 4, 9},
    {"misp/events-pymisp-testdata/57153590-f73c-49fa-be4b-4737950d210f.json", 249, 121},
    {"misp/events-pymisp-testdata/57c4445b-c548-4654-af0b-4be3950d210f.json", 3, 6},
    {"misp/events-pymisp-testdata/5a0a9aa9-23a4-4607-b6df-41a9950d210f.json", 50, 25},
    {"misp/events-pymisp-testdata/5a0ac036-6fbc-4855-83af-422b950d210f.json", 58, 38},
    {"misp/events-pymisp-testdata/5a0d5bf4-99c8-4f15-9879-22b1950d210f.json", 113, 15},
    {"misp/events-pymisp-testdata/5a3c2fcd-8328-42bb-a95e-4f4402de0b81.json", 68, 54},
    {"misp/events-pymisp-testdata/5b646415-7b48-40d5-86b4-c0070acd0835.json", 5, 0},
    {"misp/feed-crowdsec-alerts/6a10e5d8-f1cd-42b0-8240-a4650efd83d6.json", 155, 0},
    {"misp/feed-crowdsec-alerts/8f09de10-6867-45c6-814d-3d91a33d3af7.json", 201, 0},
    {"misp/feed-crowdsec-alerts/d177856e-6e46-44ee-8eb5-83ef1c7452c7.json", 508, 0},
};

static int convert_corpus(const char *rel, const struct ent_feed_opts *o, struct collect *c,
                          char *err)
{
	struct ent_feed_sink sink;
	json_error_t jerr;
	json_t *root = json_load_file(tu_corpus(rel), 0, &jerr);
	int rc;

	if (root == NULL)
		fail_msg("%s: %s", rel, jerr.text);
	assert_true(ent_misp_looks_like(root));
	collect_init(c, &sink);
	rc = ent_misp_convert_event(root, o, &sink, err);
	json_decref(root);
	return rc;
}

static void test_corpus_events(void **state)
{
	char err[ENT_ERRBUF_SIZE];
	struct collect c;
	(void)state;

	for (size_t i = 0; i < sizeof(corpus_events) / sizeof(corpus_events[0]); i++) {
		const struct corpus_event *e = &corpus_events[i];

		if (convert_corpus(e->path, &default_opts, &c, err) != ENT_OK)
			fail_msg("%s: %s", e->path, err);
		if (count_type(&c, "indicator") != e->indicators ||
		    json_array_size(c.skips) != e->skips || count_type(&c, "identity") != 1)
			fail_msg("%s: %zu indicators, %zu skips, %zu identities", e->path,
			         count_type(&c, "indicator"), json_array_size(c.skips),
			         count_type(&c, "identity"));
		collect_free(&c);
	}
}

/* Specific indicators, checked by reading the files. */
static void test_corpus_specific(void **state)
{
	struct ent_feed_opts o = default_opts;
	char err[ENT_ERRBUF_SIZE];
	struct collect c;
	json_t *x;
	(void)state;

	o.default_tlp = "amber";
	/* telebots: event tagged tlp:white (-> TLP 2.0 clear, overriding the
	 * default); ip-dst 93.190.137.212, comment "C&C Server", timestamp
	 * 1481654074, created by CIRCL */
	assert_int_equal(
	    convert_corpus("misp/events-eset/telebots_misp-telebots.json", &o, &c, err), ENT_OK);
	x = ind_of(&c, "58503f3a-4414-4e2c-9562-424302de0b81");
	assert_string_equal(str(x, "pattern"), "[ipv4-addr:value = '93.190.137.212']");
	assert_string_equal(marking(x), TLP_CLEAR);
	assert_string_equal(str(x, "description"), "C&C Server");
	assert_string_equal(str(x, "created"), "2016-12-13T18:34:34.000Z");
	assert_string_equal(str(x, "created_by_ref"),
	                    "identity--55f6ea5e-2c60-40e5-964f-47a8950d210f");
	assert_string_equal(str(x, "x_misp_event_uuid"), "58503e2f-4c78-442d-833f-8ad202de0b81");
	assert_int_equal(json_integer_value(json_object_get(x, "x_misp_distribution")), 3);
	collect_free(&c);

	/* glupteba: no tlp tag, so the default; domain|ip becomes an OR */
	assert_int_equal(
	    convert_corpus("misp/events-eset/glupteba_glupteba.misp-event.json", &o, &c, err),
	    ENT_OK);
	x = ind_of(&c, "5aa2e347-f2a0-480a-b03e-35f00a016219");
	assert_string_equal(str(x, "pattern"), "[domain-name:value = 'burnandfire5.com' OR "
	                                       "ipv4-addr:value = '104.31.89.75']");
	assert_string_equal(marking(x), TLP_AMBER);
	assert_string_equal(str(x, "x_misp_type"), "domain|ip");
	collect_free(&c);

	/* mozi: an attribute of object 6 ("url"), first_seen with an offset */
	assert_int_equal(convert_corpus("misp/events-eset/mozi_mozi.misp-event.json", &o, &c, err),
	                 ENT_OK);
	x = ind_of(&c, "28250573-e9ca-4914-a70d-96e56d4099aa");
	assert_string_equal(str(x, "pattern"), "[url:value = 'http://157.119.75.16/Mozi.6']");
	assert_string_equal(str(x, "valid_from"), "2023-09-29T11:42:22.000Z");
	assert_string_equal(str(x, "created"), "2023-10-27T14:03:14.000Z");
	assert_string_equal(str(x, "x_misp_object_name"), "url");
	assert_string_equal(str(x, "x_misp_event_info"),
	                    "Who killed Mozi? Finally putting the IoT zombie botnet in its grave");
	assert_int_equal(json_integer_value(json_object_get(x, "x_misp_distribution")), 1);
	assert_null(json_object_get(x, "x_misp_attribute_distribution"));
	collect_free(&c);

	/* 57153590: the invalid url value is skipped with its reason */
	assert_int_equal(convert_corpus("misp/events-pymisp-testdata/"
	                                "57153590-f73c-49fa-be4b-4737950d210f.json",
	                                &o, &c, err),
	                 ENT_OK);
	assert_int_equal(count_skips(&c, "invalid url value|event "
	                                 "57153590-f73c-49fa-be4b-4737950d210f attribute 0 "
	                                 "(571620b0-5e38-4e8c-9c29-416d950d210f)"),
	                 1);
	collect_free(&c);
}

static void test_corpus_feed_dir(void **state)
{
	char err[ENT_ERRBUF_SIZE];
	struct ent_feed_sink sink;
	struct collect c;
	json_t *x;
	(void)state;

	assert_true(ent_misp_looks_like_feed_dir(tu_corpus("misp/feed-crowdsec-alerts")));
	collect_init(&c, &sink);
	assert_int_equal(ent_misp_convert_feed_dir(tu_corpus("misp/feed-crowdsec-alerts"),
	                                           &default_opts, &sink, err),
	                 ENT_OK);
	/* 155 + 201 + 508 ip-src attributes, all to_ids (see corpus_events);
	 * the three events share one Orgc (cyberdefense.blue) */
	assert_int_equal(count_type(&c, "indicator"), 864);
	assert_int_equal(count_type(&c, "identity"), 1);
	assert_int_equal(json_array_size(c.skips), 0);
	x = ind_of(&c, "78e2df5a-2d18-40ed-8677-fa1e55b5624a");
	assert_string_equal(str(x, "pattern"), "[ipv4-addr:value = '104.28.235.59']");
	assert_string_equal(str(x, "x_misp_type"), "ip-src");
	assert_string_equal(str(x, "created_by_ref"),
	                    "identity--465c0f1d-a9cb-40fb-9ac0-2aeba492ef16");
	assert_true(strncmp(str(x, "description"), "Sources: crowdsec | first_seen:", 31) == 0);
	collect_free(&c);
}

/* The corpus group runs as its own ctest (ENT_TEST_HAS_CORPUS, see testutil.h). */
int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
	    cmocka_unit_test(test_pattern_build),
	    cmocka_unit_test(test_indicator_build),
	    cmocka_unit_test(test_indicator_build_text),
	    cmocka_unit_test(test_crafted_event),
	    cmocka_unit_test(test_wrappers),
	    cmocka_unit_test(test_default_tlp_and_confidence),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_sink_failure),
	    cmocka_unit_test(test_feed_dir_crafted),
	};
	const struct CMUnitTest corpus[] = {
	    cmocka_unit_test(test_corpus_events),
	    cmocka_unit_test(test_corpus_specific),
	    cmocka_unit_test(test_corpus_feed_dir),
	};

	return tu_run_groups(argc, argv, unit, sizeof(unit) / sizeof(unit[0]), corpus,
	                     sizeof(corpus) / sizeof(corpus[0]));
}
