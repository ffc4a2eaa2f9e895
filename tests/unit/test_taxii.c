/*
 * test_taxii.c - the TAXII 2.1 endpoints, driven through the handler
 * without sockets (the HTTP transport has its own tests). Each test names
 * the section of the TAXII 2.1 specification (OASIS Standard, 10 June 2021)
 * whose rule it checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "core/timefmt.h"
#include "feed/ingest.h"
#include "node/config.h"
#include "store/store.h"
#include "taxii/taxii.h"
#include "testutil.h"

#define MEDIA "application/taxii+json;version=2.1"

struct fixture {
	char *dir;
	char store_path[512];
	struct ent_store *store;
	struct ent_taxii *taxii;
	struct ent_taxii_collections cols;
	int counter;    /* makes object ids */
	int min_export; /* policy.min_confidence_export of the server */
};

static const struct ent_http_principal community = {
    .peer_id = 1, .peer = "comm", .groups = "community"};
static const struct ent_http_principal partner = {
    .peer_id = 2, .peer = "part", .groups = "partners,x"};
static const struct ent_http_principal stranger = {.peer_id = 3, .peer = "str", .groups = ""};

/* A response, parsed. */
struct reply {
	int status;
	json_t *json;             /* NULL when the body is empty or not JSON */
	char first[64], last[64]; /* X-TAXII-Date-Added-First / -Last */
	char ctype[80];
	char www_auth[80];
};

static void reply_free(struct reply *r)
{
	json_decref(r->json);
	r->json = NULL;
}

/* Sends one request; args is "k=v&k=v" (values not encoded) or NULL. */
static struct reply call_full(struct fixture *f, const struct ent_http_principal *who,
                              const char *method, const char *path, const char *args,
                              const char *accept, const char *ctype, const char *body)
{
	struct ent_http_arg a[16];
	char abuf[2048];
	struct ent_http_request req = {
	    .method = method,
	    .path = path,
	    .accept = accept,
	    .content_type = ctype,
	    .body = body != NULL ? body : "",
	    .body_len = body != NULL ? strlen(body) : 0,
	    .who = who,
	    .credentials_given = who != NULL,
	    .args = a,
	};
	struct ent_http_response resp = {0};
	struct reply r = {0};

	if (args != NULL) {
		char *save = NULL;

		snprintf(abuf, sizeof(abuf), "%s", args);
		for (char *w = strtok_r(abuf, "&", &save); w != NULL && req.n_args < 16;
		     w = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(w, '=');

			if (eq != NULL)
				*eq++ = '\0';
			a[req.n_args++] = (struct ent_http_arg){w, eq != NULL ? eq : ""};
		}
	}
	ent_buf_init(&resp.body, 64u << 20);
	ent_taxii_handle(f->taxii, &req, &resp);
	r.status = resp.status;
	snprintf(r.ctype, sizeof(r.ctype), "%s", resp.content_type ? resp.content_type : "");
	for (size_t i = 0; i < resp.n_headers; i++) {
		if (strcmp(resp.headers[i].name, "X-TAXII-Date-Added-First") == 0)
			snprintf(r.first, sizeof(r.first), "%s", resp.headers[i].value);
		if (strcmp(resp.headers[i].name, "X-TAXII-Date-Added-Last") == 0)
			snprintf(r.last, sizeof(r.last), "%s", resp.headers[i].value);
	}
	if (resp.body.len > 0)
		r.json = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	if (r.json == NULL && resp.body.len > 0)
		fprintf(stderr, "not JSON: %s\n", resp.body.data);
	ent_buf_free(&resp.body);
	return r;
}

static struct reply call(struct fixture *f, const struct ent_http_principal *who,
                         const char *method, const char *path, const char *args)
{
	return call_full(f, who, method, path, args, MEDIA, NULL, NULL);
}

/* An indicator with the given TLP marking (NULL: unmarked) and modified. */
static void make_indicator(char *out, size_t outsz, int n, const char *tlp_marking,
                           const char *modified)
{
	char marking[160] = "";

	if (tlp_marking != NULL)
		snprintf(marking, sizeof(marking), ",\"object_marking_refs\":[\"%s\"]",
		         tlp_marking);
	snprintf(out, outsz,
	         "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
	         "\"id\":\"indicator--00000000-0000-4000-8000-%012d\","
	         "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"%s\","
	         "\"pattern\":\"[domain-name:value = 'h%d.example']\",\"pattern_type\":\"stix\","
	         "\"valid_from\":\"2024-01-01T00:00:00Z\"%s}",
	         n, modified, n, marking);
}

#define TLP_CLEAR  "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP_GREEN  "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define TLP_AMBER  "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TLP_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define TLP_RED    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

/* Stores objects (JSON texts) in one import. */
static void put(struct fixture *f, const char *const *objs, size_t n)
{
	char err[ENT_ERRBUF_SIZE];
	struct ent_ingest *in;

	assert_int_equal(ent_store_begin(f->store, err), ENT_OK);
	assert_int_equal(ent_ingest_begin(f->store,
	                                  &(struct ent_ingest_opts){.source = "test",
	                                                            .source_kind = "file",
	                                                            .what = "test",
	                                                            .default_tlp = ENT_TLP_AMBER,
	                                                            .default_confidence = -1},
	                                  &in, err),
	                 ENT_OK);
	for (size_t i = 0; i < n; i++) {
		enum ent_store_put_result res;

		if (ent_ingest_object(in, objs[i], strlen(objs[i]), &res, NULL, err) != ENT_OK)
			fail_msg("%s", err);
	}
	ent_ingest_free(in);
	assert_int_equal(ent_store_commit(f->store, err), ENT_OK);
}

/* Stores n new indicators marked tlp, returns the first number used. */
static int put_many(struct fixture *f, size_t n, const char *tlp)
{
	char **objs = calloc(n, sizeof(*objs));
	int first = f->counter;

	for (size_t i = 0; i < n; i++) {
		objs[i] = malloc(700);
		make_indicator(objs[i], 700, f->counter++, tlp, "2024-01-01T00:00:00.000Z");
	}
	put(f, (const char *const *)objs, n);
	for (size_t i = 0; i < n; i++)
		free(objs[i]);
	free(objs);
	return first;
}

static int make_server(struct fixture *f, const char *collections_conf)
{
	char conf[600], err[ENT_ERRBUF_SIZE];
	struct ent_config *cfg;
	FILE *fp;
	int rc;

	snprintf(conf, sizeof(conf), "%s/entente.conf", f->dir);
	fp = fopen(conf, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "[node]\nname = test\n%s", collections_conf != NULL ? collections_conf : "");
	fclose(fp);
	if (ent_config_load(conf, &cfg, err) != ENT_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	rc = ent_taxii_collections_load(cfg, "identity--11111111-1111-4111-8111-111111111111",
	                                ENT_TLP_AMBER, &f->cols, err);
	ent_config_free(cfg);
	if (rc != ENT_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	ent_taxii_free(f->taxii);
	f->taxii = NULL;
	return ent_taxii_new(
	           &(struct ent_taxii_opts){.store_path = f->store_path,
	                                    .identity_id =
	                                        "identity--11111111-1111-4111-8111-111111111111",
	                                    .title = "test node",
	                                    .collections = &f->cols,
	                                    .max_page = 1000,
	                                    .default_page = 100,
	                                    .max_objects = 5,
	                                    .max_body = 1 << 20,
	                                    .default_tlp = ENT_TLP_AMBER,
	                                    .default_confidence = -1,
	                                    .min_export_confidence = f->min_export,
	                                    .unknown_confidence = 50},
	           &f->taxii, err) == ENT_OK
	           ? 0
	           : -1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[ENT_ERRBUF_SIZE];

	f->dir = tu_mkdtemp();
	f->counter = 1;
	snprintf(f->store_path, sizeof(f->store_path), "%s/store.db", f->dir);
	if (ent_store_open(f->store_path, ENT_STORE_CREATE, &f->store, err) != ENT_OK)
		return -1;
	/* the peers the principals stand for */
	{
		sqlite3 *db;
		int rc = sqlite3_open(f->store_path, &db);

		rc |= sqlite3_exec(
		    db,
		    "INSERT INTO peers (id, name, trust, created_ms, updated_ms) VALUES"
		    " (1, 'comm', 50, 0, 0), (2, 'part', 50, 0, 0), (3, 'str', 50, 0, 0)",
		    NULL, NULL, NULL);
		sqlite3_close(db);
		if (rc != SQLITE_OK)
			return -1;
	}
	if (make_server(f, NULL) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	ent_taxii_free(f->taxii);
	ent_store_close(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->dir);
	free(f);
	return 0;
}

/* The collection id of name, as the collections endpoint lists it. */
static const char *col_id(struct fixture *f, const char *name)
{
	for (size_t i = 0; i < f->cols.n; i++)
		if (strcmp(f->cols.c[i].name, name) == 0)
			return f->cols.c[i].id;
	fail_msg("no collection %s", name);
	return NULL;
}

static void objects_path(struct fixture *f, const char *name, const char *tail, char *out,
                         size_t outsz)
{
	snprintf(out, outsz, "/api/collections/%s/%s", col_id(f, name), tail);
}

static size_t n_objects(const struct reply *r)
{
	return json_array_size(json_object_get(r->json, "objects"));
}

/* ---- tests ---- */

/* 1.6.9 / 5.1-5.8: no credentials, 401 everywhere, before any lookup */
static void test_unauthenticated_401(void **state)
{
	struct fixture *f = *state;
	const char *paths[] = {"/taxii2/", "/api/", "/api/collections/",
	                       "/api/collections/no-such-thing/objects/", "/nowhere/"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct reply r = call(f, NULL, "GET", paths[i], NULL);

		assert_int_equal(r.status, 401);
		assert_string_equal(r.ctype, MEDIA);
		assert_string_equal(json_string_value(json_object_get(r.json, "http_status")),
		                    "401");
		reply_free(&r);
	}
}

/* 4.1 discovery, 4.2 API root */
static void test_discovery_and_api_root(void **state)
{
	struct fixture *f = *state;
	struct reply r = call(f, &stranger, "GET", "/taxii2/", NULL);
	json_t *roots;

	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, MEDIA);
	assert_string_equal(json_string_value(json_object_get(r.json, "title")), "test node");
	roots = json_object_get(r.json, "api_roots");
	assert_int_equal(json_array_size(roots), 1);
	/* default MUST be an item of api_roots (4.1.1) */
	assert_string_equal(json_string_value(json_array_get(roots, 0)),
	                    json_string_value(json_object_get(r.json, "default")));
	reply_free(&r);

	r = call(f, &stranger, "GET", "/api/", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(r.json, "versions"), 0)), MEDIA);
	assert_int_equal(json_integer_value(json_object_get(r.json, "max_content_length")),
	                 1 << 20);
	reply_free(&r);
}

/* 3.1: an Accept the server cannot answer gets 406; a path without the
 * trailing slash is not an endpoint */
static void test_accept_406(void **state)
{
	struct fixture *f = *state;
	struct reply r =
	    call_full(f, &stranger, "GET", "/api/", NULL, "application/xml", NULL, NULL);

	assert_int_equal(r.status, 406);
	reply_free(&r);
	r = call_full(f, &stranger, "GET", "/api/", NULL, "application/taxii+json;version=2.0",
	              NULL, NULL);
	assert_int_equal(r.status, 406);
	reply_free(&r);
	r = call_full(f, &stranger, "GET", "/api/", NULL, "text/html, application/taxii+json", NULL,
	              NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	r = call(f, &stranger, "GET", "/api", NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

static bool listed(const struct reply *r, const char *title)
{
	json_t *cols = json_object_get(r->json, "collections");

	for (size_t i = 0; i < json_array_size(cols); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(cols, i), "title")),
		           title) == 0)
			return true;
	return false;
}

/* 5.1, 5.2: each peer sees the collections its groups open, and a hidden
 * one answers exactly like a missing one (404) */
static void test_collections_by_group(void **state)
{
	struct fixture *f = *state;
	struct reply r = call(f, &community, "GET", "/api/collections/", NULL);
	char path[256];
	json_t *col;

	assert_int_equal(r.status, 200);
	assert_true(listed(&r, "public"));
	assert_true(listed(&r, "community"));
	assert_false(listed(&r, "partners"));
	assert_true(listed(&r, "inbox"));
	reply_free(&r);

	/* partners are part of the community too (the default config) */
	r = call(f, &partner, "GET", "/api/collections/", NULL);
	assert_true(listed(&r, "partners"));
	assert_true(listed(&r, "community"));
	reply_free(&r);

	r = call(f, &stranger, "GET", "/api/collections/", NULL);
	assert_true(listed(&r, "public"));
	assert_false(listed(&r, "community") || listed(&r, "partners"));
	reply_free(&r);

	snprintf(path, sizeof(path), "/api/collections/%s/", col_id(f, "inbox"));
	r = call(f, &stranger, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	col = r.json;
	assert_false(json_is_true(json_object_get(col, "can_read")));
	assert_true(json_is_true(json_object_get(col, "can_write")));
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(col, "media_types"), 0)),
	    "application/stix+json;version=2.1");
	reply_free(&r);

	/* hidden (exists) and missing: the same answer */
	snprintf(path, sizeof(path), "/api/collections/%s/", col_id(f, "partners"));
	r = call(f, &community, "GET", path, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	r = call(f, &community, "GET", "/api/collections/00000000-0000-4000-8000-000000000000/",
	         NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	/* by alias (5.2.1) */
	r = call(f, &community, "GET", "/api/collections/community/", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "id")),
	                    col_id(f, "community"));
	reply_free(&r);
}

/* True when the envelope holds an object whose id ends with number n. */
static bool has_number(const struct reply *r, int n)
{
	json_t *objs = json_object_get(r->json, "objects");
	char tail[16];

	snprintf(tail, sizeof(tail), "%012d", n);
	for (size_t i = 0; i < json_array_size(objs); i++) {
		const char *id = json_string_value(json_object_get(json_array_get(objs, i), "id"));

		if (id != NULL && strcmp(id + strlen(id) - 12, tail) == 0)
			return true;
	}
	return false;
}

/* 5.4 with TLP: each collection holds its levels only; RED and AMBER+STRICT
 * never leave, on any collection */
static void test_tlp_views(void **state)
{
	struct fixture *f = *state;
	int clear = put_many(f, 1, TLP_CLEAR), green = put_many(f, 1, TLP_GREEN);
	int amber = put_many(f, 1, TLP_AMBER), strict = put_many(f, 1, TLP_STRICT);
	int red = put_many(f, 1, TLP_RED), unmarked = put_many(f, 1, NULL);
	char path[256];
	struct reply r;

	objects_path(f, "public", "objects/", path, sizeof(path));
	r = call(f, &stranger, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(n_objects(&r), 1);
	assert_true(has_number(&r, clear));
	reply_free(&r);

	objects_path(f, "community", "objects/", path, sizeof(path));
	r = call(f, &community, "GET", path, NULL);
	assert_int_equal(n_objects(&r), 2);
	assert_true(has_number(&r, clear) && has_number(&r, green));
	reply_free(&r);

	objects_path(f, "partners", "objects/", path, sizeof(path));
	r = call(f, &partner, "GET", path, NULL);
	/* the unmarked one follows the default, amber */
	assert_int_equal(n_objects(&r), 4);
	assert_true(has_number(&r, amber) && has_number(&r, unmarked));
	assert_false(has_number(&r, strict) || has_number(&r, red));
	reply_free(&r);

	/* nor in any manifest (5.3), whatever the version filter */
	objects_path(f, "partners", "manifest/", path, sizeof(path));
	r = call(f, &partner, "GET", path, "match[version]=all");
	{
		json_t *recs = json_object_get(r.json, "objects");
		char tail[16];

		assert_int_equal(json_array_size(recs), 4);
		snprintf(tail, sizeof(tail), "%012d", red);
		for (size_t i = 0; i < json_array_size(recs); i++)
			assert_null(strstr(
			    json_string_value(json_object_get(json_array_get(recs, i), "id")),
			    tail));
	}
	reply_free(&r);
	/* nor its versions (5.8) */
	snprintf(path, sizeof(path),
	         "/api/collections/%s/objects/indicator--00000000-0000-4000-8000-%012d/versions/",
	         col_id(f, "partners"), red);
	r = call(f, &partner, "GET", path, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);

	/* by id, red is as absent as a missing object (5.6) */
	snprintf(path, sizeof(path),
	         "/api/collections/%s/objects/indicator--00000000-0000-4000-8000-%012d/",
	         col_id(f, "partners"), red);
	r = call(f, &partner, "GET", path, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

/* 5.4: no read right on a visible collection: 403 */
static void test_write_only_inbox_read_403(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct reply r;

	objects_path(f, "inbox", "objects/", path, sizeof(path));
	r = call(f, &community, "GET", path, NULL);
	assert_int_equal(r.status, 403);
	reply_free(&r);
}

/* 3.4: malformed or repeated filter parameters: 400 */
static void test_bad_filters_400(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"limit=0",     "limit=abc",          "added_after=yesterday",
	                     "next=zzz",    "limit=1&limit=2",    "match[version]=all,last",
	                     "match[id]=,", "match[version]=soon"};
	char path[256];

	objects_path(f, "public", "objects/", path, sizeof(path));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reply r = call(f, &stranger, "GET", path, bad[i]);

		if (r.status != 400)
			fail_msg("%s: %d", bad[i], r.status);
		reply_free(&r);
	}
}

/* 3.4.1 match[id], match[type], match[version]; 5.8 versions; 5.3 manifest */
static void test_match_and_versions(void **state)
{
	struct fixture *f = *state;
	char v1[700], v2[700], v3[700], path[256], args[256];
	const char *objs[3] = {v1, v2, v3};
	struct reply r;
	json_t *rec;

	make_indicator(v1, sizeof(v1), 500, TLP_CLEAR, "2024-01-01T00:00:00.000Z");
	make_indicator(v2, sizeof(v2), 500, TLP_CLEAR, "2024-02-01T00:00:00.000Z");
	make_indicator(v3, sizeof(v3), 501, TLP_CLEAR, "2024-01-01T00:00:00.000Z");
	put(f, objs, 3);
	objects_path(f, "public", "objects/", path, sizeof(path));

	/* default: the last version only */
	r = call(f, &stranger, "GET", path,
	         "match[id]=indicator--00000000-0000-4000-8000-000000000500");
	assert_int_equal(n_objects(&r), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(r.json, "objects"), 0), "modified")),
	                    "2024-02-01T00:00:00.000Z");
	reply_free(&r);

	snprintf(args, sizeof(args),
	         "match[id]=indicator--00000000-0000-4000-8000-000000000500&match[version]=all");
	r = call(f, &stranger, "GET", path, args);
	assert_int_equal(n_objects(&r), 2);
	reply_free(&r);

	snprintf(args, sizeof(args),
	         "match[id]=indicator--00000000-0000-4000-8000-000000000500&match[version]=first");
	r = call(f, &stranger, "GET", path, args);
	assert_int_equal(n_objects(&r), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(r.json, "objects"), 0), "modified")),
	                    "2024-01-01T00:00:00.000Z");
	reply_free(&r);

	r = call(f, &stranger, "GET", path, "match[version]=2024-02-01T00:00:00.000Z");
	assert_int_equal(n_objects(&r), 1);
	reply_free(&r);

	r = call(f, &stranger, "GET", path, "match[type]=malware,identity");
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "objects")); /* empty envelope: no list (5.4) */
	assert_string_equal(r.first, "");
	reply_free(&r);

	r = call(f, &stranger, "GET", path, "match[spec_version]=2.0");
	assert_int_equal(n_objects(&r), 0);
	reply_free(&r);

	/* 5.8: every version, oldest added first */
	snprintf(path, sizeof(path),
	         "/api/collections/%s/objects/indicator--00000000-0000-4000-8000-000000000500/"
	         "versions/",
	         col_id(f, "public"));
	r = call(f, &stranger, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "versions")), 2);
	assert_string_not_equal(r.first, "");
	reply_free(&r);

	/* 5.3: one record per version, with its date_added as a TAXII
	 * timestamp (microseconds, 2) */
	objects_path(f, "public", "manifest/", path, sizeof(path));
	r = call_full(f, &stranger, "GET", path, "match[version]=all",
	              MEDIA ",application/stix+json;version=2.1", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(n_objects(&r), 3);
	rec = json_array_get(json_object_get(r.json, "objects"), 0);
	assert_int_equal(strlen(json_string_value(json_object_get(rec, "date_added"))), 27);
	assert_string_equal(json_string_value(json_object_get(rec, "media_type")),
	                    "application/stix+json;version=2.1");
	assert_string_equal(r.first, json_string_value(json_object_get(rec, "date_added")));
	reply_free(&r);

	/* 5.6: an unknown object is 404 */
	snprintf(path, sizeof(path),
	         "/api/collections/%s/objects/indicator--00000000-0000-4000-8000-000000009999/",
	         col_id(f, "public"));
	r = call(f, &stranger, "GET", path, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

/* 3.5: paging with next over 10,000 objects returns each exactly once,
 * while other objects are added between the pages; the next walk with
 * added_after (the last page's X-TAXII-Date-Added-Last) gets exactly the
 * added ones */
static void test_paging_exactly_once(void **state)
{
	struct fixture *f = *state;
	int first = put_many(f, 10000, TLP_CLEAR);
	unsigned char *seen = calloc(20000, 1);
	char path[256], args[256] = "limit=1000", last[64] = "";
	size_t total = 0, pages = 0;
	int added_first = 0;

	objects_path(f, "public", "objects/", path, sizeof(path));
	for (;;) {
		struct reply r = call(f, &stranger, "GET", path, args);
		json_t *objs = json_object_get(r.json, "objects");

		assert_int_equal(r.status, 200);
		for (size_t i = 0; i < json_array_size(objs); i++) {
			const char *id =
			    json_string_value(json_object_get(json_array_get(objs, i), "id"));
			int n = atoi(id + strlen(id) - 12);

			assert_true(n >= first && n < first + 10000);
			assert_int_equal(seen[n - first]++, 0);
			total++;
		}
		snprintf(last, sizeof(last), "%s", r.last);
		pages++;
		/* someone adds objects while the client pages */
		if (pages == 3)
			added_first = put_many(f, 50, TLP_CLEAR);
		if (!json_is_true(json_object_get(r.json, "more"))) {
			reply_free(&r);
			break;
		}
		snprintf(args, sizeof(args), "limit=1000&next=%s",
		         json_string_value(json_object_get(r.json, "next")));
		reply_free(&r);
		assert_true(pages < 100);
	}
	assert_int_equal(total, 10000);
	assert_int_equal(pages, 10);

	/* the next walk starts after the last date added seen */
	snprintf(args, sizeof(args), "limit=1000&added_after=%s", last);
	{
		struct reply r = call(f, &stranger, "GET", path, args);

		assert_int_equal(n_objects(&r), 50);
		assert_true(has_number(&r, added_first) && has_number(&r, added_first + 49));
		reply_free(&r);
	}
	free(seen);
}

/* 5.5: add objects to the inbox; status resource (4.3) */
static void test_add_objects(void **state)
{
	struct fixture *f = *state;
	char ok[700], path[256], body[2048], status_path[128];
	struct reply r;

	make_indicator(ok, sizeof(ok), 900, NULL, "2024-01-01T00:00:00.000Z");
	snprintf(body, sizeof(body), "{\"objects\":[%s,{\"type\":\"indicator\",\"id\":\"x\"}]}",
	         ok);
	objects_path(f, "inbox", "objects/", path, sizeof(path));
	r = call_full(f, &community, "POST", path, NULL, MEDIA, MEDIA, body);
	assert_int_equal(r.status, 202);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "complete");
	assert_int_equal(json_integer_value(json_object_get(r.json, "total_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(r.json, "success_count")), 1);
	assert_int_equal(json_integer_value(json_object_get(r.json, "failure_count")), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(r.json, "successes"), 0), "id")),
	                    "indicator--00000000-0000-4000-8000-000000000900");
	assert_non_null(
	    json_object_get(json_array_get(json_object_get(r.json, "failures"), 0), "message"));
	snprintf(status_path, sizeof(status_path), "/api/status/%s/",
	         json_string_value(json_object_get(r.json, "id")));
	reply_free(&r);

	/* the status, to its requester (4.3); to another peer it does not exist */
	r = call(f, &community, "GET", status_path, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "success_count")), 1);
	reply_free(&r);
	r = call(f, &partner, "GET", status_path, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);

	/* an exact duplicate is no error (5.5) */
	snprintf(body, sizeof(body), "{\"objects\":[%s]}", ok);
	r = call_full(f, &community, "POST", path, NULL, MEDIA, MEDIA, body);
	assert_int_equal(r.status, 202);
	assert_int_equal(json_integer_value(json_object_get(r.json, "success_count")), 1);
	reply_free(&r);
}

/* 5.5: what is refused, with which code, and writes nothing */
static void test_add_refused(void **state)
{
	struct fixture *f = *state;
	struct ent_store_table_count before[32], after[32];
	size_t nb, na;
	char path[256], ok[700], big[8192], err[ENT_ERRBUF_SIZE];
	struct reply r;
	const struct {
		const char *ctype, *body;
		int status;
	} cases[] = {
	    {"application/json", "{\"objects\":[]}", 415},
	    {MEDIA, "{\"objects\":[", 400},
	    {MEDIA, "[1,2]", 422},
	    {MEDIA, "{\"objects\":{}}", 422},
	    {MEDIA, "\xff\xfe", 400},
	    {MEDIA, big, 413},
	};

	make_indicator(ok, sizeof(ok), 901, NULL, "2024-01-01T00:00:00.000Z");
	/* max_objects is 5 in this fixture */
	snprintf(big, sizeof(big), "{\"objects\":[%s,%s,%s,%s,%s,%s]}", ok, ok, ok, ok, ok, ok);
	assert_int_equal(ent_store_table_counts(f->store, before, 32, &nb, err), ENT_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		objects_path(f, "inbox", "objects/", path, sizeof(path));
		r = call_full(f, &community, "POST", path, NULL, MEDIA, cases[i].ctype,
		              cases[i].body);
		if (r.status != cases[i].status)
			fail_msg("case %zu: %d, not %d", i, r.status, cases[i].status);
		reply_free(&r);
	}
	/* a TLP view is read-only (5.5: 403) */
	snprintf(big, sizeof(big), "{\"objects\":[%s]}", ok);
	objects_path(f, "public", "objects/", path, sizeof(path));
	r = call_full(f, &community, "POST", path, NULL, MEDIA, MEDIA, big);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	assert_int_equal(ent_store_table_counts(f->store, after, 32, &na, err), ENT_OK);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(after[i].table, before[i].table);
		assert_int_equal(after[i].rows, before[i].rows);
		assert_true(after[i].checksum == before[i].checksum);
	}
}

/* 5.7: delete needs both rights (its table); then the object is gone (404) */
static void test_delete(void **state)
{
	struct fixture *f = *state;
	char ok[700], path[256], body[1024], opath[300];
	struct reply r;

	assert_int_equal(make_server(f, "[collections]\nshared = read:* write:*\n"
	                                "public = tlp:clear read:* write:-\n"),
	                 0);
	make_indicator(ok, sizeof(ok), 902, NULL, "2024-01-01T00:00:00.000Z");
	snprintf(body, sizeof(body), "{\"objects\":[%s]}", ok);
	objects_path(f, "shared", "objects/", path, sizeof(path));
	r = call_full(f, &community, "POST", path, NULL, MEDIA, MEDIA, body);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	snprintf(opath, sizeof(opath), "%sindicator--00000000-0000-4000-8000-000000000902/", path);
	r = call(f, &community, "GET", opath, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(n_objects(&r), 1);
	reply_free(&r);

	/* read but no write: 403 */
	snprintf(opath, sizeof(opath),
	         "/api/collections/%s/objects/indicator--00000000-0000-4000-8000-000000000902/",
	         col_id(f, "public"));
	r = call(f, &community, "DELETE", opath, NULL);
	assert_int_equal(r.status, 403);
	reply_free(&r);

	snprintf(opath, sizeof(opath), "%sindicator--00000000-0000-4000-8000-000000000902/", path);
	r = call(f, &community, "DELETE", opath, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	r = call(f, &community, "GET", opath, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	r = call(f, &community, "DELETE", opath, NULL);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

/* policy.min_confidence_export: indicators below it are not served; other
 * objects, and indicators without confidence counting as 50, are */
static void test_min_export_confidence(void **state)
{
	struct fixture *f = *state;
	char lo[800], hi[800], none[800], path[256];
	const char *objs[3] = {lo, hi, none};
	struct reply r;

	make_indicator(lo, sizeof(lo), 700, TLP_CLEAR, "2024-01-01T00:00:00.000Z");
	make_indicator(hi, sizeof(hi), 701, TLP_CLEAR, "2024-01-01T00:00:00.000Z");
	make_indicator(none, sizeof(none), 702, TLP_CLEAR, "2024-01-01T00:00:00.000Z");
	/* give the first two a confidence */
	for (int k = 0; k < 2; k++) {
		char *at = strstr(k == 0 ? lo : hi, "\"pattern\"");
		char tail[800];

		snprintf(tail, sizeof(tail), "%s", at);
		snprintf(at, 300, "\"confidence\":%d,%s", k == 0 ? 40 : 80, tail);
	}
	put(f, objs, 3);
	f->min_export = 50;
	assert_int_equal(make_server(f, NULL), 0);
	objects_path(f, "public", "objects/", path, sizeof(path));
	r = call(f, &stranger, "GET", path, NULL);
	assert_int_equal(r.status, 200);
	assert_false(has_number(&r, 700));
	assert_true(has_number(&r, 701) && has_number(&r, 702));
	reply_free(&r);
	f->min_export = 51;
	assert_int_equal(make_server(f, NULL), 0);
	r = call(f, &stranger, "GET", path, NULL);
	assert_true(has_number(&r, 701));
	assert_false(has_number(&r, 700) || has_number(&r, 702));
	reply_free(&r);
}

/* The [collections] section: what is refused. */
static void test_collections_config_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_not_equal(make_server(f, "[collections]\nx = tlp:red read:* write:-\n"), 0);
	assert_int_not_equal(make_server(f, "[collections]\nx = tlp:clear read:* write:*\n"), 0);
	assert_int_not_equal(make_server(f, "[collections]\nx = read:*\n"), 0);
	assert_int_not_equal(make_server(f, "[collections]\nx = tlp:clear read:a,,b write:-\n"), 0);
	assert_int_equal(make_server(f, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_unauthenticated_401, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_discovery_and_api_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_406, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collections_by_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tlp_views, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_only_inbox_read_403, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_filters_400, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_and_versions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_paging_exactly_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_objects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_collections_config_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_min_export_confidence, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
