/*
 * test_feedback.c - the indicator lifecycle and feedback to producers:
 * revoking our own indicators (feed/lifecycle.h), disputing others' with a
 * signed opinion that is selected for push to the producer's peer and no
 * other, our sightings marked with their indicator's TLP and signed
 * (feed/sync.h), and the producer's view of what came back
 * (store/feedback.h) from two different reporters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/ingest.h"
#include "feed/lifecycle.h"
#include "feed/sync.h"
#include "stix/tlp.h"
#include "store/feedback.h"
#include "store/sync_state.h"
#include "trust/sign.h"
#include "testutil.h"

#define ID_ME "identity--bbbbbbbb-0000-4000-8000-00000000000b"
#define ID_A  "identity--aaaaaaaa-0000-4000-8000-00000000000a"
#define ID_C  "identity--cccccccc-0000-4000-8000-00000000000c"
#define ID_D  "identity--dddddddd-0000-4000-8000-00000000000d"

#define IND_OWN   "indicator--bbbbbbbb-0000-4000-8000-000000000001"
#define IND_LOCAL "indicator--bbbbbbbb-0000-4000-8000-000000000002"
#define IND_A     "indicator--aaaaaaaa-0000-4000-8000-000000000001"
#define IND_RED   "indicator--aaaaaaaa-0000-4000-8000-000000000002"
#define IND_UNM   "indicator--aaaaaaaa-0000-4000-8000-000000000003"

#define M_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define M_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define M_RED   "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

#define T0    1704067200000LL /* 2024-01-01T00:00:00Z */
#define TS(t) "\"created\": \"" t "\", \"modified\": \"" t "\""
#define JAN1  TS("2024-01-01T00:00:00.000Z")

struct fx {
	char *dir;
	char path[512];
	struct ent_store *store;
	struct ent_keypair kp, other;
	struct ent_lifecycle_node node;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[ENT_ERRBUF_SIZE];

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	assert_int_equal(ent_store_open(f->path, ENT_STORE_CREATE, &f->store, err), ENT_OK);
	assert_int_equal(crypto_sign_keypair(f->kp.pk, f->kp.sk), 0);
	assert_int_equal(crypto_sign_keypair(f->other.pk, f->other.sk), 0);
	f->node.identity_id = ID_ME;
	f->node.kp = &f->kp;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ent_store_close(f->store);
	free(f->dir);
	free(f);
	return 0;
}

static void exec(const struct fx *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void ingest_tlp(struct fx *f, const char *source, const char *json, enum ent_tlp dflt)
{
	struct ent_ingest_opts io = {.source = source,
	                             .source_kind = "peer",
	                             .what = "test",
	                             .default_tlp = dflt,
	                             .default_confidence = -1};
	struct ent_ingest *in;
	enum ent_store_put_result res;
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ent_store_begin(f->store, err), ENT_OK);
	assert_int_equal(ent_ingest_begin(f->store, &io, &in, err), ENT_OK);
	if (ent_ingest_object(in, json, strlen(json), &res, NULL, err) != ENT_OK)
		fail_msg("%s", err);
	ent_ingest_free(in);
	assert_int_equal(ent_store_commit(f->store, err), ENT_OK);
}

static void ingest(struct fx *f, const char *source, const char *json)
{
	ingest_tlp(f, source, json, ENT_TLP_AMBER);
}

/* An indicator of id by creator (NULL: none), with one marking (NULL:
 * none). */
static void put_indicator(struct fx *f, const char *source, const char *id, const char *creator,
                          const char *marking, enum ent_tlp dflt)
{
	char json[1024];

	snprintf(json, sizeof(json),
	         "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"%s\", " JAN1
	         "%s%s%s, \"pattern_type\": \"stix\", \"pattern\": \"[domain-name:value ="
	         " 'x.example']\", \"valid_from\": \"2024-01-01T00:00:00Z\"%s%s%s}",
	         id, creator ? ", \"created_by_ref\": \"" : "", creator ? creator : "",
	         creator ? "\"" : "", marking ? ", \"object_marking_refs\": [\"" : "",
	         marking ? marking : "", marking ? "\"]" : "");
	ingest_tlp(f, source, json, dflt);
}

static int count_version(void *ctx, const struct ent_store_version *v)
{
	(void)v;
	(*(int *)ctx)++;
	return 0;
}

static int versions(struct fx *f, const char *id)
{
	char err[ENT_ERRBUF_SIZE];
	int n = 0;

	assert_int_equal(ent_store_versions_foreach(f->store, id, count_version, &n, err), ENT_OK);
	return n;
}

static void current(struct fx *f, const char *id, struct ent_feedback_object *o)
{
	char err[ENT_ERRBUF_SIZE];

	if (ent_feedback_object_get(f->store, id, o, err) != ENT_OK)
		fail_msg("%s: %s", id, err);
}

static int verify(const char *json, const uint8_t *pk)
{
	char err[ENT_ERRBUF_SIZE];

	return ent_sign_verify(json, strlen(json), pk, NULL, err);
}

/* The string member key of the object text json (a copy in out, "" when
 * absent or not a string). */
static void member(const char *json, const char *key, char *out, size_t outsz)
{
	json_t *o = json_loads(json, 0, NULL);
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(out, outsz, "%s", v ? v : "");
	json_decref(o);
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

static void add_peers(struct fx *f)
{
	exec(f, "INSERT INTO peers (id, name, url, trust, created_ms, updated_ms) VALUES"
	        " (1, 'a', 'https://a/taxii2/', 50, 0, 0), (3, 'c', 'https://c/', 50, 0, 0)");
}

static int count_active(void *ctx, const struct ent_store_indicator *ind)
{
	(void)ind;
	(*(int *)ctx)++;
	return 0;
}

/* ---- revoke ---- */

static void test_revoke(void **state)
{
	struct fx *f = *state;
	struct ent_store_indicator_filter flt = {.kind = ENT_OBS_NONE, .now_ms = T0 + 1000};
	struct ent_lifecycle_result r;
	struct ent_feedback_object o;
	char err[ENT_ERRBUF_SIZE], s[128];
	int n = 0;

	/* ours by created_by_ref (imported from a file), ours by source, A's */
	put_indicator(f, "our-list.json", IND_OWN, ID_ME, M_GREEN, ENT_TLP_AMBER);
	put_indicator(f, ENT_SYNC_LOCAL_SOURCE, IND_LOCAL, NULL, NULL, ENT_TLP_CLEAR);
	put_indicator(f, "peer:a", IND_A, ID_A, NULL, ENT_TLP_AMBER);

	/* the clock is behind the current version: the new one is still later */
	assert_int_equal(ent_lifecycle_revoke(f->store, &f->node, IND_OWN, T0 - 5000, &r, err),
	                 ENT_OK);
	assert_string_equal(r.stix_id, IND_OWN);
	assert_int_equal(r.version_ms, T0 + 1);
	assert_string_equal(r.tlp, "green");
	assert_int_equal(versions(f, IND_OWN), 2);
	current(f, IND_OWN, &o);
	assert_true(o.revoked);
	assert_int_equal(o.version_ms, T0 + 1);
	assert_string_equal(o.source, ENT_SYNC_LOCAL_SOURCE);
	assert_string_equal(o.tlp, "green");
	member(o.json, "modified", s, sizeof(s));
	assert_string_equal(s, "2024-01-01T00:00:00.001Z");
	member(o.json, "created", s, sizeof(s));
	assert_string_equal(s, "2024-01-01T00:00:00.000Z");
	assert_non_null(strstr(o.json, "\"revoked\":true"));
	/* signed by the node: verifies with its key, not with another */
	assert_int_equal(verify(o.json, f->kp.pk), ENT_OK);
	assert_int_equal(verify(o.json, f->other.pk), ENT_SIGN_EKEY);
	ent_feedback_object_clear(&o);

	/* ours by source, unmarked: keeps the TLP it was stored with; now
	 * is later than the current version, so modified = now */
	assert_int_equal(
	    ent_lifecycle_revoke(f->store, &f->node, IND_LOCAL, T0 + 86400000, &r, err), ENT_OK);
	assert_int_equal(r.version_ms, T0 + 86400000);
	current(f, IND_LOCAL, &o);
	assert_true(o.revoked);
	assert_string_equal(o.tlp, "clear");
	assert_int_equal(verify(o.json, f->kp.pk), ENT_OK);
	ent_feedback_object_clear(&o);

	/* only A's is still active */
	assert_int_equal(ent_store_indicators_foreach(f->store, &flt, count_active, &n, err),
	                 ENT_OK);
	assert_int_equal(n, 1);

	/* refused, and nothing written: already revoked, another producer's,
	 * unknown, not an indicator */
	assert_int_equal(ent_lifecycle_revoke(f->store, &f->node, IND_OWN, T0 + 9000, &r, err),
	                 ENT_EEXIST);
	assert_int_equal(versions(f, IND_OWN), 2);
	assert_int_equal(ent_lifecycle_revoke(f->store, &f->node, IND_A, T0 + 9000, &r, err),
	                 ENT_EPERM);
	assert_non_null(strstr(err, ID_A));
	assert_int_equal(versions(f, IND_A), 1);
	current(f, IND_A, &o);
	assert_false(o.revoked);
	ent_feedback_object_clear(&o);
	assert_int_equal(ent_lifecycle_revoke(f->store, &f->node,
	                                      "indicator--00000000-0000-4000-8000-000000000000", T0,
	                                      &r, err),
	                 ENT_ENOTFOUND);
	ingest(f, "peer:a",
	       "{\"type\": \"identity\", \"spec_version\": \"2.1\", \"id\": \"" ID_A "\", " JAN1
	       ", \"name\": \"A\"}");
	assert_int_equal(ent_lifecycle_revoke(f->store, &f->node, ID_A, T0, &r, err), ENT_EINVAL);
	/* a node without an identity writes nothing */
	f->node.identity_id = "bogus";
	assert_int_equal(ent_lifecycle_revoke(f->store, &f->node, IND_A, T0, &r, err), ENT_EINVAL);
}

/* ---- dispute ---- */

static void test_dispute(void **state)
{
	struct fx *f = *state;
	struct ent_lifecycle_result r, r_red;
	struct ent_feedback_object o;
	char err[ENT_ERRBUF_SIZE], ids[1024], s[256];
	json_t *j;

	add_peers(f);
	put_indicator(f, "peer:a", IND_A, ID_A, M_GREEN, ENT_TLP_AMBER);
	put_indicator(f, "peer:a", IND_RED, ID_A, M_RED, ENT_TLP_AMBER);
	put_indicator(f, "our-list.json", IND_OWN, ID_ME, NULL, ENT_TLP_AMBER);

	assert_int_equal(ent_lifecycle_dispute(f->store, &f->node, IND_A, "our CDN's address",
	                                       T0 + 60000, &r, err),
	                 ENT_OK);
	assert_true(strncmp(r.stix_id, "opinion--", 9) == 0);
	assert_string_equal(r.indicator, IND_A);
	assert_string_equal(r.tlp, "green");
	current(f, r.stix_id, &o);
	assert_string_equal(o.type, "opinion");
	assert_string_equal(o.source, ENT_SYNC_LOCAL_SOURCE);
	assert_string_equal(o.created_by_ref, ID_ME);
	assert_string_equal(o.tlp, "green");
	assert_int_equal(o.version_ms, T0 + 60000);
	assert_int_equal(verify(o.json, f->kp.pk), ENT_OK);
	j = json_loads(o.json, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "opinion")), "strongly-disagree");
	assert_string_equal(json_string_value(json_object_get(j, "explanation")),
	                    "our CDN's address");
	assert_int_equal(json_array_size(json_object_get(j, "object_refs")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "object_refs"), 0)),
	                    IND_A);
	/* the TLP 2.0 GREEN marking (the indicator had GREEN) */
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(j, "object_marking_refs"), 0)),
	    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
	member(o.json, "created", s, sizeof(s));
	assert_string_equal(s, "2024-01-01T00:01:00.000Z");
	json_decref(j);
	ent_feedback_object_clear(&o);

	/* a TLP:RED indicator's dispute is RED, and stays here */
	assert_int_equal(
	    ent_lifecycle_dispute(f->store, &f->node, IND_RED, "no", T0 + 60000, &r_red, err),
	    ENT_OK);
	assert_string_equal(r_red.tlp, "red");
	assert_string_not_equal(r_red.stix_id, r.stix_id);

	/* sync pushes it to A, which delivered the indicator, not to C */
	pushable(f, 1, "peer:a", ids);
	snprintf(s, sizeof(s), "%s ", r.stix_id);
	assert_string_equal(ids, s);
	pushable(f, 3, "peer:c", ids);
	assert_string_equal(ids, "");
	/* C delivers the same indicator too: then C gets it as well */
	put_indicator(f, "peer:c", IND_A, ID_A, M_GREEN, ENT_TLP_AMBER);
	pushable(f, 3, "peer:c", ids);
	assert_string_equal(ids, s);

	/* refused: empty, too long or non-UTF-8 reasons, unknown ids, our own */
	{
		char *big = malloc(ENT_DISPUTE_REASON_MAX + 2);

		assert_non_null(big);
		memset(big, 'x', ENT_DISPUTE_REASON_MAX + 1);
		big[ENT_DISPUTE_REASON_MAX + 1] = '\0';
		assert_int_equal(ent_lifecycle_dispute(f->store, &f->node, IND_A, big, T0, &r, err),
		                 ENT_EINVAL);
		free(big);
	}
	assert_int_equal(ent_lifecycle_dispute(f->store, &f->node, IND_A, "", T0, &r, err),
	                 ENT_EINVAL);
	assert_int_equal(ent_lifecycle_dispute(f->store, &f->node, IND_A, "bad \xff", T0, &r, err),
	                 ENT_EINVAL);
	assert_int_equal(ent_lifecycle_dispute(f->store, &f->node,
	                                       "indicator--00000000-0000-4000-8000-000000000000",
	                                       "x", T0, &r, err),
	                 ENT_ENOTFOUND);
	assert_int_equal(ent_lifecycle_dispute(f->store, &f->node, IND_OWN, "x", T0, &r, err),
	                 ENT_EPERM);
}

/* ---- our sightings ---- */

struct sg_seen {
	int n;
	char id[80];
	char tlp[16];
};

static int one_sighting(void *ctx, const struct ent_feedback_sighting *sg)
{
	struct sg_seen *seen = ctx;

	seen->n++;
	snprintf(seen->id, sizeof(seen->id), "%s", sg->stix_id);
	snprintf(seen->tlp, sizeof(seen->tlp), "%s", sg->tlp ? sg->tlp : "");
	return 0;
}

/* Our one sighting of indicator: its id and stored TLP; checks its marking
 * and signature (or that it is anonymous and unsigned). */
static void our_sighting(struct fx *f, const char *indicator, const char *want_tlp,
                         const char *want_marking, bool anonymous, char *id_out)
{
	struct sg_seen seen = {0};
	struct ent_feedback_object o;
	char err[ENT_ERRBUF_SIZE];
	json_t *j;

	assert_int_equal(
	    ent_feedback_sightings_foreach(f->store, indicator, one_sighting, &seen, err), ENT_OK);
	assert_int_equal(seen.n, anonymous ? 2 : 1); /* anonymous: the named one stays */
	assert_string_equal(seen.tlp, want_tlp);
	current(f, seen.id, &o);
	j = json_loads(o.json, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "object_marking_refs")), 1);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(j, "object_marking_refs"), 0)),
	    want_marking);
	if (anonymous) {
		assert_null(json_object_get(j, "created_by_ref"));
		assert_null(json_object_get(j, "where_sighted_refs"));
		assert_int_equal(verify(o.json, NULL), ENT_SIGN_EUNSIGNED);
		assert_null(strstr(o.json, ID_ME));
	} else {
		assert_string_equal(json_string_value(json_object_get(j, "created_by_ref")), ID_ME);
		assert_int_equal(verify(o.json, f->kp.pk), ENT_OK);
	}
	json_decref(j);
	ent_feedback_object_clear(&o);
	strcpy(id_out, seen.id);
}

static void test_sightings_tlp(void **state)
{
	struct fx *f = *state;
	char err[ENT_ERRBUF_SIZE], ids[2048], sg_a[80], sg_red[80], sg_unm[80], anon_a[80];
	size_t n;

	add_peers(f);
	put_indicator(f, "peer:a", IND_A, ID_A, M_GREEN, ENT_TLP_AMBER);
	put_indicator(f, "peer:a", IND_RED, ID_A, M_RED, ENT_TLP_AMBER);
	/* unmarked, stored as the import's default: CLEAR */
	put_indicator(f, "peer:a", IND_UNM, ID_A, NULL, ENT_TLP_CLEAR);
	exec(f, "INSERT INTO scans (id, started_ms, inputs) VALUES (1, 0, 'x');"
	        " INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms, last_seen_ms)"
	        " VALUES ('" IND_A "', 1, 4, 1704067200000, 1704067260000),"
	        " ('" IND_RED "', 1, 2, 1704067200000, 1704067200000),"
	        " ('" IND_UNM "', 1, 1, 1704067200000, 1704067200000)");

	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->kp, false, &n, err),
	                 ENT_OK);
	assert_int_equal(n, 3);
	our_sighting(f, IND_A, "green", ent_tlp_to_marking_id(ENT_TLP_GREEN), false, sg_a);
	our_sighting(f, IND_RED, "red", ent_tlp_to_marking_id(ENT_TLP_RED), false, sg_red);
	our_sighting(f, IND_UNM, "clear", ent_tlp_to_marking_id(ENT_TLP_CLEAR), false, sg_unm);
	/* unchanged: no new versions */
	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->kp, false, &n, err),
	                 ENT_OK);
	assert_int_equal(n, 0);

	/* the RED one never goes out; the others go to A, which delivered them */
	pushable(f, 1, "peer:a", ids);
	assert_non_null(strstr(ids, sg_a));
	assert_non_null(strstr(ids, sg_unm));
	assert_null(strstr(ids, sg_red));
	pushable(f, 3, "peer:c", ids);
	assert_string_equal(ids, "");

	/* the indicator becomes RED in a new version: so does our sighting,
	 * and it is no longer pushed */
	ingest(f, "peer:a",
	       "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"" IND_A
	       "\", \"created\": \"2024-01-01T00:00:00.000Z\", \"modified\":"
	       " \"2024-01-02T00:00:00.000Z\", \"created_by_ref\": \"" ID_A
	       "\", \"pattern_type\": \"stix\", \"pattern\": \"[domain-name:value ="
	       " 'x.example']\", \"valid_from\": \"2024-01-01T00:00:00Z\","
	       " \"object_marking_refs\": [\"" M_RED "\"]}");
	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->kp, false, &n, err),
	                 ENT_OK);
	assert_int_equal(n, 1);
	our_sighting(f, IND_A, "red", ent_tlp_to_marking_id(ENT_TLP_RED), false, ids);
	assert_string_equal(ids, sg_a); /* the same sighting, a new version */
	pushable(f, 1, "peer:a", ids);
	assert_null(strstr(ids, sg_a));
	assert_non_null(strstr(ids, sg_unm));

	/* policy.sightings = anonymous: other ids, nobody named, unsigned;
	 * stable from one run to the next */
	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->kp, true, &n, err), ENT_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->kp, true, &n, err), ENT_OK);
	assert_int_equal(n, 0);
	pushable(f, 1, "peer:a", ids);
	assert_int_equal(strlen(ids), 2 * 47); /* the named UNM one and the anonymous one */
	{
		struct sg_seen seen = {0};

		/* the anonymous sighting of IND_UNM: the one that is not sg_unm */
		assert_int_equal(
		    ent_feedback_sightings_foreach(f->store, IND_UNM, one_sighting, &seen, err),
		    ENT_OK);
		assert_int_equal(seen.n, 2);
		assert_string_not_equal(seen.id, sg_unm);
		strcpy(anon_a, seen.id);
		assert_non_null(strstr(ids, anon_a));
		our_sighting(f, IND_UNM, "clear", ent_tlp_to_marking_id(ENT_TLP_CLEAR), true,
		             anon_a);
	}
	/* another node key: other anonymous ids */
	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->other, true, &n, err),
	                 ENT_OK);
	assert_int_equal(n, 3);
	/* no key, no sightings */
	assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, NULL, false, &n, err),
	                 ENT_EINVAL);
}

/* ---- what the producer sees ---- */

struct who_list {
	char text[1024];
};

static int list_sighting(void *ctx, const struct ent_feedback_sighting *sg)
{
	struct who_list *w = ctx;
	char line[256];

	snprintf(line, sizeof(line), "%s/%s/%lld;", sg->created_by_ref ? sg->created_by_ref : "-",
	         sg->source, (long long)sg->count);
	strcat(w->text, line);
	return 0;
}

static int list_opinion(void *ctx, const struct ent_feedback_opinion *op)
{
	struct who_list *w = ctx;
	char line[256];

	snprintf(line, sizeof(line), "%s/%s/%s;", op->created_by_ref ? op->created_by_ref : "-",
	         op->opinion ? op->opinion : "-", op->explanation ? op->explanation : "-");
	strcat(w->text, line);
	return 0;
}

#define SIGHTING(id, creator, of, extra)                                                           \
	"{\"type\": \"sighting\", \"spec_version\": \"2.1\", \"id\": \"" id "\", " creator         \
	"\"sighting_of_ref\": \"" of "\"" extra "}"
#define BY(who) "\"created_by_ref\": \"" who "\", "

static void test_aggregate(void **state)
{
	struct fx *f = *state;
	struct ent_feedback_summary sum;
	struct who_list w = {{0}};
	char err[ENT_ERRBUF_SIZE];

	put_indicator(f, ENT_SYNC_LOCAL_SOURCE, IND_OWN, ID_ME, M_GREEN, ENT_TLP_AMBER);
	put_indicator(f, "peer:a", IND_A, ID_A, NULL, ENT_TLP_AMBER);

	/* nothing came back yet */
	assert_int_equal(ent_feedback_summarize(f->store, IND_OWN, &sum, err), ENT_OK);
	assert_int_equal(sum.sightings, 0);
	assert_int_equal(sum.count, 0);
	assert_int_equal(sum.first_seen, ENT_TIME_NONE);
	assert_int_equal(sum.opinions, 0);

	/* C: two versions of one sighting (only the latest counts) */
	ingest(f, "peer:c",
	       SIGHTING("sighting--cccccccc-0000-4000-8000-000000000001", BY(ID_C) JAN1 ", ",
	                IND_OWN,
	                ", \"count\": 1, \"first_seen\": \"2024-01-03T00:00:00Z\","
	                " \"last_seen\": \"2024-01-03T00:00:00Z\""));
	ingest(f, "peer:c",
	       SIGHTING("sighting--cccccccc-0000-4000-8000-000000000001",
	                BY(ID_C) TS("2024-01-05T00:00:00.000Z") ", ", IND_OWN,
	                ", \"count\": 3, \"first_seen\": \"2024-01-03T00:00:00Z\","
	                " \"last_seen\": \"2024-01-05T00:00:00Z\""));
	/* D, relayed through C: seen earlier and later */
	ingest(f, "peer:c",
	       SIGHTING("sighting--dddddddd-0000-4000-8000-000000000001", BY(ID_D) JAN1 ", ",
	                IND_OWN,
	                ", \"count\": 4, \"first_seen\": \"2024-01-02T00:00:00Z\","
	                " \"last_seen\": \"2024-01-09T00:00:00Z\""));
	/* an anonymous one without a count: counts once, "who" is its source */
	ingest(
	    f, "peer:c",
	    SIGHTING("sighting--eeeeeeee-0000-4000-8000-000000000001", "" JAN1 ", ", IND_OWN, ""));
	/* not counted: a revoked one, one of another indicator */
	ingest(f, "peer:c",
	       SIGHTING("sighting--dddddddd-0000-4000-8000-000000000002", BY(ID_D) JAN1 ", ",
	                IND_OWN, ", \"count\": 100, \"revoked\": true"));
	ingest(f, "peer:c",
	       SIGHTING("sighting--dddddddd-0000-4000-8000-000000000003", BY(ID_D) JAN1 ", ", IND_A,
	                ", \"count\": 100"));
	/* opinions: C disagrees strongly, D agrees (IND_OWN among other refs),
	 * one is about another indicator */
	ingest(f, "peer:c",
	       "{\"type\": \"opinion\", \"spec_version\": \"2.1\", \"id\":"
	       " \"opinion--cccccccc-0000-4000-8000-000000000001\", " BY(ID_C) JAN1
	       ", \"opinion\": \"strongly-disagree\", \"explanation\": \"a CDN\","
	       " \"object_refs\": [\"" IND_OWN "\"]}");
	ingest(f, "peer:c",
	       "{\"type\": \"opinion\", \"spec_version\": \"2.1\", \"id\":"
	       " \"opinion--dddddddd-0000-4000-8000-000000000001\", " BY(ID_D) JAN1
	       ", \"opinion\": \"agree\", \"object_refs\": [\"" IND_A "\", \"" IND_OWN "\"]}");
	ingest(f, "peer:c",
	       "{\"type\": \"opinion\", \"spec_version\": \"2.1\", \"id\":"
	       " \"opinion--dddddddd-0000-4000-8000-000000000002\", " BY(ID_D) JAN1
	       ", \"opinion\": \"disagree\", \"object_refs\": [\"" IND_A "\"]}");

	assert_int_equal(ent_feedback_summarize(f->store, IND_OWN, &sum, err), ENT_OK);
	assert_int_equal(sum.sightings, 3);
	assert_int_equal(sum.count, 3 + 4 + 1);
	assert_int_equal(sum.first_seen, T0 + 1 * 86400000LL);
	assert_int_equal(sum.last_seen, T0 + 8 * 86400000LL);
	assert_int_equal(sum.opinions, 2);
	assert_int_equal(sum.per_opinion[ENT_OPINION_STRONGLY_DISAGREE], 1);
	assert_int_equal(sum.per_opinion[ENT_OPINION_AGREE], 1);
	assert_int_equal(sum.per_opinion[ENT_OPINION_DISAGREE], 0);

	assert_int_equal(ent_feedback_sightings_foreach(f->store, IND_OWN, list_sighting, &w, err),
	                 ENT_OK);
	assert_string_equal(w.text, ID_C "/peer:c/3;" ID_D "/peer:c/4;-/peer:c/-1;");
	w.text[0] = '\0';
	assert_int_equal(ent_feedback_opinions_foreach(f->store, IND_OWN, list_opinion, &w, err),
	                 ENT_OK);
	assert_string_equal(w.text, ID_C "/strongly-disagree/a CDN;" ID_D "/agree/-;");

	/* the other indicator sees only its own */
	assert_int_equal(ent_feedback_summarize(f->store, IND_A, &sum, err), ENT_OK);
	assert_int_equal(sum.sightings, 1);
	assert_int_equal(sum.count, 100);
	assert_int_equal(sum.opinions, 2);
	assert_int_equal(sum.per_opinion[ENT_OPINION_DISAGREE], 1);

	/* our own sighting of our own indicator counts too */
	exec(f, "INSERT INTO scans (id, started_ms, inputs) VALUES (1, 0, 'x');"
	        " INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms, last_seen_ms)"
	        " VALUES ('" IND_OWN "', 1, 2, 1704067200000, 1704067200000)");
	{
		size_t n;

		assert_int_equal(ent_sync_sightings_update(f->store, ID_ME, &f->kp, false, &n, err),
		                 ENT_OK);
	}
	assert_int_equal(ent_feedback_summarize(f->store, IND_OWN, &sum, err), ENT_OK);
	assert_int_equal(sum.sightings, 4);
	assert_int_equal(sum.count, 3 + 4 + 1 + 2);
	assert_int_equal(sum.first_seen, T0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dispute, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sightings_tlp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aggregate, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
