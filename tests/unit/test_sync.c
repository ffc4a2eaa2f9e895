/*
 * test_sync.c - the TAXII client's parsers (taxii/client.h) on responses
 * written from TAXII 2.1 (discovery 4.1, API root 4.2, status 4.3.1,
 * collections 5.1, envelope 3.7 / get objects 5.3, error 3.6.1), the sync
 * state (store/sync_state.h) and which objects go to which peer (relay).
 * The network side is tested end to end by tests/e2e/sync_fixture.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/ingest.h"
#include "feed/sync.h"
#include "store/peers.h"
#include "store/sync_state.h"
#include "taxii/client.h"
#include "testutil.h"

static void test_discovery(void **state)
{
	static const char disc[] =
	    "{\"title\": \"Some TAXII Server\", \"default\": "
	    "\"https://example.com/api2/\", \"api_roots\": "
	    "[\"https://example.com/api1/\", \"https://example.com/api2/\"]}";
	static const char roots_only[] = "{\"title\": \"t\", \"api_roots\": [7, \"/api1/\"]}";
	static const char root_info[] = "{\"title\": \"Malware Research Group\", \"versions\": "
	                                "[\"application/taxii+json;version=2.1\"], "
	                                "\"max_content_length\": 104857600}";
	char ref[256], err[ENT_ERRBUF_SIZE], url[256];
	bool is_root;

	(void)state;
	assert_int_equal(
	    ent_taxii_parse_discovery(disc, strlen(disc), ref, sizeof(ref), &is_root, err), ENT_OK);
	assert_false(is_root);
	assert_string_equal(ref, "https://example.com/api2/"); /* default first */
	assert_int_equal(ent_taxii_parse_discovery(roots_only, strlen(roots_only), ref, sizeof(ref),
	                                           &is_root, err),
	                 ENT_OK);
	assert_string_equal(ref, "/api1/"); /* the first string of api_roots */
	assert_int_equal(
	    ent_taxii_url_resolve("https://h.example:8443/taxii2/", ref, url, sizeof(url), err),
	    ENT_OK);
	assert_string_equal(url, "https://h.example:8443/api1/");
	assert_int_equal(
	    ent_taxii_url_resolve("https://h.example/taxii2/", "../r/", url, sizeof(url), err),
	    ENT_OK);
	assert_string_equal(url, "https://h.example/r/");
	/* only http and https */
	assert_int_equal(ent_taxii_url_resolve(NULL, "file:///etc/passwd", url, sizeof(url), err),
	                 ENT_EINVAL);
	assert_int_equal(ent_taxii_parse_discovery(root_info, strlen(root_info), ref, sizeof(ref),
	                                           &is_root, err),
	                 ENT_OK);
	assert_true(is_root);
	assert_int_not_equal(
	    ent_taxii_parse_discovery("{\"api_roots\": []}", 17, ref, sizeof(ref), &is_root, err),
	    ENT_OK);
	assert_int_not_equal(ent_taxii_parse_discovery("[1]", 3, ref, sizeof(ref), &is_root, err),
	                     ENT_OK);
	assert_int_not_equal(
	    ent_taxii_parse_discovery("{\"x\":", 5, ref, sizeof(ref), &is_root, err), ENT_OK);
}

static void test_collections(void **state)
{
	static const char text[] =
	    "{\"collections\": ["
	    "{\"id\": \"91a7b528-80eb-42ed-a74d-c6fbd5a26116\", \"title\": \"High Value Indicator "
	    "Collection\", \"can_read\": true, \"can_write\": false, \"media_types\": "
	    "[\"application/stix+json;version=2.1\"]},"
	    "{\"id\": \"52892447-4d7e-4f70-b94d-d7f22742ff63\", \"title\": \"Inbox\", \"alias\": "
	    "\"inbox\", \"can_read\": false, \"can_write\": true},"
	    "{\"id\": \"../../etc\", \"title\": \"bad id\", \"can_read\": true, \"can_write\": "
	    "true},"
	    "{\"id\": \"no-rights\", \"title\": \"missing can_read\"},"
	    "\"not an object\"]}";
	struct ent_taxii_collection *c = NULL;
	char err[ENT_ERRBUF_SIZE];
	size_t n = 0;

	(void)state;
	assert_int_equal(
	    ent_taxii_parse_collections(text, strlen(text), "https://h/api1/", &c, &n, err),
	    ENT_OK);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].id, "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
	assert_true(c[0].can_read);
	assert_false(c[0].can_write);
	assert_string_equal(c[0].url,
	                    "https://h/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/");
	assert_string_equal(c[1].alias, "inbox");
	assert_true(c[1].can_write);
	free(c);
	/* section 5.1: no collections is an empty object */
	assert_int_equal(ent_taxii_parse_collections("{}", 2, NULL, &c, &n, err), ENT_OK);
	assert_int_equal(n, 0);
	free(c);
	assert_int_not_equal(
	    ent_taxii_parse_collections("{\"collections\": 1}", 18, NULL, &c, &n, err), ENT_OK);
}

static void fill(struct ent_taxii_page *p, const char *text)
{
	ent_buf_reset(&p->body);
	assert_int_equal(ent_buf_puts(&p->body, text), ENT_OK);
}

static void test_envelope(void **state)
{
	/* objects are handed over as their exact text, spacing and order kept */
	static const char o1[] = "{ \"type\":\"indicator\", \"id\" : \"indicator--1\" }";
	static const char o2[] = "{\"z\":1,\"a\":[1,{\"b\":\"\\u00e9\"}]}";
	struct ent_taxii_page p;
	char err[ENT_ERRBUF_SIZE], text[512];
	const char *obj;
	size_t len;

	(void)state;
	ent_taxii_page_init(&p);
	snprintf(text, sizeof(text),
	         "{\"more\": true, \"next\": \"abc 1\", \"objects\": [%s,\n%s]}", o1, o2);
	fill(&p, text);
	assert_int_equal(ent_taxii_parse_envelope(&p, err), ENT_OK);
	assert_true(p.more);
	assert_string_equal(p.next, "abc 1");
	assert_int_equal(p.n_objects, 2);
	obj = ent_taxii_page_object(&p, 0, &len);
	assert_int_equal(len, strlen(o1));
	assert_memory_equal(obj, o1, len);
	obj = ent_taxii_page_object(&p, 1, &len);
	assert_int_equal(len, strlen(o2));
	assert_memory_equal(obj, o2, len);
	/* an empty envelope (section 3.7: every property optional) */
	fill(&p, "{}");
	assert_int_equal(ent_taxii_parse_envelope(&p, err), ENT_OK);
	assert_false(p.more);
	assert_null(p.next);
	assert_int_equal(p.n_objects, 0);
	/* malformed ones are refused whole */
	fill(&p, "{\"objects\": [{}, 3]}");
	assert_int_equal(ent_taxii_parse_envelope(&p, err), ENT_EPARSE);
	assert_int_equal(p.n_objects, 0);
	fill(&p, "{\"more\": \"yes\"}");
	assert_int_equal(ent_taxii_parse_envelope(&p, err), ENT_EPARSE);
	fill(&p, "{\"next\": 5}");
	assert_int_equal(ent_taxii_parse_envelope(&p, err), ENT_EPARSE);
	fill(&p, "{\"objects\": [{\"a\": 1}");
	assert_int_equal(ent_taxii_parse_envelope(&p, err), ENT_EPARSE);
	ent_taxii_page_free(&p);
}

static void test_status_and_error(void **state)
{
	static const char st_text[] =
	    "{\"id\": \"2d086da7-4bdc-4f91-900e-d77486753710\", \"status\": \"complete\","
	    " \"request_timestamp\": \"2016-11-02T12:34:34.12345Z\", \"total_count\": 3,"
	    " \"success_count\": 2, \"successes\": [{\"id\": \"sighting--1\", \"version\":"
	    " \"2016-11-02T12:34:34.123Z\"}, {\"id\": \"opinion--2\"}], \"failure_count\": 1,"
	    " \"failures\": [{\"id\": \"sighting--3\", \"message\": \"no\"}], \"pending_count\": "
	    "0}";
	static const char e[] = "{\"title\": \"Error condition\\nXYZ\", \"http_status\": \"401\"}";
	struct ent_taxii_status st;
	char err[ENT_ERRBUF_SIZE], title[64];

	(void)state;
	assert_int_equal(ent_taxii_parse_status(st_text, strlen(st_text), &st, err), ENT_OK);
	assert_string_equal(st.status, "complete");
	assert_int_equal(st.total, 3);
	assert_int_equal(st.success, 2);
	assert_int_equal(st.failure, 1);
	assert_int_equal(st.n_successes, 2);
	assert_string_equal(st.successes[0], "sighting--1");
	assert_string_equal(st.successes[1], "opinion--2");
	ent_taxii_status_free(&st);
	assert_int_not_equal(ent_taxii_parse_status("{\"status\": \"complete\"}", 22, &st, err),
	                     ENT_OK);
	/* the peer's title, made printable (no terminal escapes, no newline) */
	ent_taxii_parse_error_title(e, strlen(e), title, sizeof(title));
	assert_string_equal(title, "Error condition?XYZ");
	ent_taxii_parse_error_title("<html>", 6, title, sizeof(title));
	assert_string_equal(title, "");
}

/* ---- the store side ---- */

struct fx {
	char *dir;
	char path[512];
	struct ent_store *store;
};

static void exec(const struct fx *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void ingest(struct fx *f, const char *source, const char *json, int64_t *rowid)
{
	struct ent_ingest_opts io = {.source = source,
	                             .source_kind = "peer",
	                             .what = "test",
	                             .default_tlp = ENT_TLP_AMBER,
	                             .default_confidence = -1};
	struct ent_ingest *in;
	enum ent_store_put_result res;
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ent_store_begin(f->store, err), ENT_OK);
	assert_int_equal(ent_ingest_begin(f->store, &io, &in, err), ENT_OK);
	if (ent_ingest_object(in, json, strlen(json), &res, rowid, err) != ENT_OK)
		fail_msg("%s", err);
	ent_ingest_free(in);
	assert_int_equal(ent_store_commit(f->store, err), ENT_OK);
}

static int collect(void *ctx, const struct ent_sync_push_obj *o)
{
	char *ids = ctx;

	strcat(ids, o->stix_id);
	strcat(ids, " ");
	return 0;
}

static void pushable(struct fx *f, int64_t peer_id, const char *source, char *ids)
{
	char err[ENT_ERRBUF_SIZE];

	ids[0] = '\0';
	assert_int_equal(ent_sync_push_foreach(f->store, peer_id, source, collect, ids, err),
	                 ENT_OK);
}

#define IND_A  "indicator--aaaaaaaa-0000-4000-8000-000000000001"
#define ID_A   "identity--aaaaaaaa-0000-4000-8000-00000000000a"
#define ID_C   "identity--cccccccc-0000-4000-8000-00000000000c"
#define ID_ME  "identity--bbbbbbbb-0000-4000-8000-00000000000b"
#define SG_C   "sighting--cccccccc-0000-4000-8000-000000000001"
#define SG_RED "sighting--cccccccc-0000-4000-8000-000000000002"
#define OP_C   "opinion--cccccccc-0000-4000-8000-000000000003"
#define TS     "\"created\": \"2024-01-01T00:00:00.000Z\", \"modified\": \"2024-01-01T00:00:00.000Z\""

static void test_push_selection(void **state)
{
	struct fx f = {0};
	struct ent_sync_cursor c, c2;
	char err[ENT_ERRBUF_SIZE], ids[1024], sql[512], mine[64];
	int64_t rowid, rowid_red, rowid_op;
	struct ent_keypair kp;
	size_t n;

	(void)state;
	assert_int_equal(crypto_sign_keypair(kp.pk, kp.sk), 0);
	f.dir = tu_mkdtemp();
	snprintf(f.path, sizeof(f.path), "%s/store.db", f.dir);
	assert_int_equal(ent_store_open(f.path, ENT_STORE_CREATE, &f.store, err), ENT_OK);
	exec(&f, "INSERT INTO peers (id, name, url, trust, created_ms, updated_ms) VALUES"
	         " (1, 'a', 'https://a/taxii2/', 50, 0, 0), (3, 'c', 'https://c/', 50, 0, 0)");

	/* cursors: none yet, then what was written */
	assert_int_equal(ent_sync_cursor_get(f.store, 1, "https://a/c1/", &c, err), ENT_OK);
	assert_string_equal(c.added_after, "");
	assert_string_equal(c.next, "");
	snprintf(c.added_after, sizeof(c.added_after), "2024-01-01T00:00:00.000Z");
	snprintf(c.next, sizeof(c.next), "tok");
	assert_int_equal(ent_sync_cursor_put(f.store, 1, "https://a/c1/", &c, err), ENT_OK);
	c.next[0] = '\0';
	assert_int_equal(ent_sync_cursor_put(f.store, 1, "https://a/c2/", &c, err), ENT_OK);
	assert_int_equal(ent_sync_cursor_get(f.store, 1, "https://a/c1/", &c2, err), ENT_OK);
	assert_string_equal(c2.added_after, "2024-01-01T00:00:00.000Z");
	assert_string_equal(c2.next, "tok");
	assert_int_equal(ent_sync_cursor_get(f.store, 1, "https://a/c2/", &c2, err), ENT_OK);
	assert_string_equal(c2.next, "");
	assert_int_equal(ent_sync_cursor_get(f.store, 3, "https://a/c1/", &c2, err), ENT_OK);
	assert_string_equal(c2.added_after, "");

	/* A delivered an indicator; C wrote a sighting and an opinion of it to
	 * our inbox, and a TLP:RED sighting */
	ingest(&f, "peer:a",
	       "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"" IND_A "\", " TS
	       ", \"created_by_ref\": \"" ID_A "\", \"pattern_type\": \"stix\", \"pattern\": "
	       "\"[domain-name:value = 'evil.example']\", \"valid_from\": "
	       "\"2024-01-01T00:00:00Z\"}",
	       &rowid);
	ingest(&f, "peer:c",
	       "{\"type\": \"sighting\", \"spec_version\": \"2.1\", \"id\": \"" SG_C "\", " TS
	       ", \"created_by_ref\": \"" ID_C "\", \"sighting_of_ref\": \"" IND_A
	       "\", \"count\": 2}",
	       &rowid);
	ingest(&f, "peer:c",
	       "{\"type\": \"sighting\", \"spec_version\": \"2.1\", \"id\": \"" SG_RED "\", " TS
	       ", \"sighting_of_ref\": \"" IND_A "\", \"object_marking_refs\": "
	       "[\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]}",
	       &rowid_red);
	ingest(&f, "peer:c",
	       "{\"type\": \"opinion\", \"spec_version\": \"2.1\", \"id\": \"" OP_C "\", " TS
	       ", \"opinion\": \"strongly-disagree\", \"object_refs\": "
	       "[\"identity--00000000-0000-4000-8000-000000000000\", \"" IND_A "\"]}",
	       &rowid_op);
	/* received, but not in an inbox: not relayed */
	pushable(&f, 1, "peer:a", ids);
	assert_string_equal(ids, "");
	snprintf(sql, sizeof(sql),
	         "INSERT INTO collection_objects (collection, object_rowid, peer_id, added_us)"
	         " VALUES ('inbox', %lld, 3, 0), ('inbox', %lld, 3, 0), ('inbox', %lld, 3, 0)",
	         (long long)rowid, (long long)rowid_red, (long long)rowid_op);
	exec(&f, sql);
	/* relayed to A (the producer), never TLP:RED; nothing goes back to C,
	 * which wrote them and did not deliver the indicator */
	pushable(&f, 1, "peer:a", ids);
	assert_string_equal(ids, SG_C " " OP_C " ");
	pushable(&f, 3, "peer:c", ids);
	assert_string_equal(ids, "");

	/* our own sighting of A's indicator (as `entente sync` makes it) */
	exec(&f, "INSERT INTO scans (id, started_ms, inputs) VALUES (1, 0, 'x');"
	         " INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms,"
	         " last_seen_ms) VALUES ('" IND_A "', 1, 4, 1704067200000, 1704067260000)");
	assert_int_equal(ent_sync_sightings_update(f.store, ID_ME, &kp, false, &n, err), ENT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ent_sync_sightings_update(f.store, ID_ME, &kp, false, &n, err), ENT_OK);
	assert_int_equal(n, 0); /* unchanged: no new version */
	pushable(&f, 1, "peer:a", ids);
	/* in row order: C's sighting, C's opinion, ours (ids of 46, 45, 46) */
	assert_int_equal(strlen(ids), 47 + 46 + 47);
	strncpy(mine, ids + 47 + 46, 46);
	mine[46] = '\0';
	assert_true(strncmp(mine, "sighting--", 10) == 0);
	assert_true(strcmp(mine, SG_C) != 0);

	/* what A confirmed is not pushed again */
	assert_int_equal(ent_sync_pushed_mark(f.store, 1, rowid_op, err), ENT_OK);
	pushable(&f, 1, "peer:a", ids);
	assert_null(strstr(ids, OP_C));
	assert_non_null(strstr(ids, SG_C));
	/* more seen: a new version of our sighting, the same id */
	exec(&f, "INSERT INTO scans (id, started_ms, inputs) VALUES (2, 0, 'y');"
	         " INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms,"
	         " last_seen_ms) VALUES ('" IND_A "', 2, 1, 1704067300000, 1704067300000)");
	assert_int_equal(ent_sync_sightings_update(f.store, ID_ME, &kp, false, &n, err), ENT_OK);
	assert_int_equal(n, 1);
	pushable(&f, 1, "peer:a", ids);
	assert_non_null(strstr(ids, mine));

	/* peers read from the store */
	{
		struct ent_peer p;

		assert_int_equal(ent_store_peer_get(f.store, "a", &p, err), ENT_OK);
		assert_int_equal(p.id, 1);
		assert_string_equal(p.url, "https://a/taxii2/");
		assert_string_equal(p.auth_kind, "none");
		assert_int_equal(ent_store_peer_get(f.store, "zz", &p, err), ENT_ENOTFOUND);
	}
	ent_store_close(f.store);
	free(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_discovery),      cmocka_unit_test(test_collections),
	    cmocka_unit_test(test_envelope),       cmocka_unit_test(test_status_and_error),
	    cmocka_unit_test(test_push_selection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
