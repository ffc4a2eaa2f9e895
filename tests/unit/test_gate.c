/*
 * test_gate.c - the trust gate (trust/gate.h) wired into ingest, and the
 * policy at match time (sensor/intel.c): a changed byte rejects a signed
 * object; A's object relayed by B verifies at C; unsigned objects follow
 * the policy; a key rotation re-pins only with the old key's signature;
 * confidence goes through the delivering peer's trust; decay and expiry
 * decide what the sensor compiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/timefmt.h"
#include "feed/ingest.h"
#include "sensor/intel.h"
#include "store/store.h"
#include "trust/gate.h"
#include "trust/sign.h"
#include "testutil.h"

#define ID_A  "identity--aaaaaaaa-0000-4000-8000-000000000001"
#define ID_B  "identity--bbbbbbbb-0000-4000-8000-000000000002"
#define ID_ME "identity--cccccccc-0000-4000-8000-000000000003"

static struct ent_keypair ka, kb, kme, ka2;

struct fixture {
	char *dir;
	char path[512];
	struct ent_store *store;
	struct ent_policy policy;
	struct ent_trust_gate *gate;
};

static void exec(struct fixture *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void b64(const uint8_t *pk, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, pk, crypto_sign_PUBLICKEYBYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
}

/* Peers: A (producer, key pinned, identity known, trust 80), B (the relay,
 * key pinned, identity to be learned, trust 50). */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[ENT_ERRBUF_SIZE], sql[1024], pa[64], pb[64];

	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(ka.pk, ka.sk);
	crypto_sign_keypair(kb.pk, kb.sk);
	crypto_sign_keypair(kme.pk, kme.sk);
	crypto_sign_keypair(ka2.pk, ka2.sk);
	f->dir = tu_mkdtemp();
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
	if (ent_store_open(f->path, ENT_STORE_CREATE, &f->store, err) != ENT_OK)
		return -1;
	b64(ka.pk, pa, sizeof(pa));
	b64(kb.pk, pb, sizeof(pb));
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO peers (id, name, identity_ref, public_key, trust, created_ms, updated_ms)"
	    " VALUES (1, 'alpha', '" ID_A "', '%s', 80, 0, 0),"
	    " (2, 'bravo', NULL, 'ed25519:%s', 50, 0, 0)",
	    pa, pb);
	exec(f, sql);
	ent_policy_defaults(&f->policy);
	f->policy.unsigned_action = ENT_UNSIGNED_LOWER;
	f->policy.unsigned_trust = 50;
	if (ent_gate_load(f->store, ID_ME, kme.pk, &f->policy, &f->gate, err) != ENT_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	ent_gate_free(f->gate);
	ent_store_close(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->dir);
	free(f);
	return 0;
}

static char *indicator(const char *creator, int n, int confidence, const char *modified)
{
	char *t = malloc(1024);

	snprintf(t, 1024,
	         "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
	         "\"id\":\"indicator--00000000-0000-4000-8000-%012d\",\"created_by_ref\":\"%s\","
	         "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"%s\","
	         "\"pattern\":\"[ipv4-addr:value = '198.51.100.%d']\",\"pattern_type\":\"stix\","
	         "\"valid_from\":\"2024-01-01T00:00:00Z\",\"confidence\":%d}",
	         n, creator, modified, n % 250, confidence);
	return t;
}

static char *sign(char *text, const struct ent_keypair *kp)
{
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];

	ent_buf_init(&b, 1 << 20);
	if (ent_sign_object(text, strlen(text), kp, &b, err) != ENT_OK)
		fail_msg("%s", err);
	free(text);
	return ent_buf_steal(&b);
}

/* Ingests one object as delivered by peer (NULL: a file); the result code. */
static int ingest(struct fixture *f, const char *peer, enum ent_policy_unsigned action,
                  const char *text, char *err)
{
	struct ent_ingest *in;
	enum ent_store_put_result res;
	int rc;

	assert_int_equal(ent_store_begin(f->store, err), ENT_OK);
	assert_int_equal(ent_ingest_begin(f->store,
	                                  &(struct ent_ingest_opts){.source = peer ? peer : "file",
	                                                            .source_kind = "peer",
	                                                            .what = "test",
	                                                            .default_tlp = ENT_TLP_GREEN,
	                                                            .default_confidence = -1,
	                                                            .gate = f->gate,
	                                                            .peer = peer,
	                                                            .unsigned_action = action},
	                                  &in, err),
	                 ENT_OK);
	rc = ent_ingest_object(in, text, strlen(text), &res, NULL, err);
	ent_ingest_free(in);
	if (rc == ENT_OK)
		assert_int_equal(ent_store_commit(f->store, err), ENT_OK);
	else
		ent_store_rollback(f->store);
	return rc;
}

/* The stored confidence of indicator n, -2 when it is not stored. */
static int stored_confidence(struct fixture *f, int n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[200];
	int c = -2;

	snprintf(sql, sizeof(sql),
	         "SELECT coalesce(confidence, -1) FROM objects WHERE stix_id ="
	         " 'indicator--00000000-0000-4000-8000-%012d' AND is_current = 1",
	         n);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		c = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return c;
}

/* Any changed byte of a signed object: it no longer parses, is no longer
 * valid STIX, or the gate rejects it; never is it stored. */
static void test_changed_byte_rejected(void **state)
{
	struct fixture *f = *state;
	char *good = sign(indicator(ID_A, 1, 90, "2024-01-01T00:00:00.000Z"), &ka);
	char err[ENT_ERRBUF_SIZE];
	size_t len = strlen(good), stored = 0;

	for (size_t i = 0; i < len; i++) {
		char *bad = strdup(good);

		bad[i] ^= 0x01;
		if (ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, bad, err) == ENT_OK)
			stored++;
		free(bad);
	}
	assert_int_equal(stored, 0);
	assert_true(ent_gate_rejected(f->gate) > 0);
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, good, err), ENT_OK);
	free(good);
}

/* A -> B -> C: what A signed, delivered here by B, verifies with A's key;
 * the same object signed by B (not A) is rejected */
static void test_relayed_verifies(void **state)
{
	struct fixture *f = *state;
	char *by_a = sign(indicator(ID_A, 2, 90, "2024-01-01T00:00:00.000Z"), &ka);
	char *forged = sign(indicator(ID_A, 3, 90, "2024-01-01T00:00:00.000Z"), &kb);
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ingest(f, "bravo", ENT_UNSIGNED_REJECT, by_a, err), ENT_OK);
	/* confidence through bravo's trust: 90 * 50/100 */
	assert_int_equal(stored_confidence(f, 2), 45);
	assert_int_equal(ingest(f, "bravo", ENT_UNSIGNED_ACCEPT, forged, err), ENT_EPERM);
	assert_non_null(strstr(err, "does not verify"));
	assert_int_equal(stored_confidence(f, 3), -2);
	free(by_a);
	free(forged);
}

/* unsigned in the name of a creator with a pinned key: always rejected;
 * from an unpinned creator: reject, lower or accept, as the policy says */
static void test_unsigned_policy(void **state)
{
	struct fixture *f = *state;
	char *t = indicator(ID_A, 4, 80, "2024-01-01T00:00:00.000Z");
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, t, err), ENT_EPERM);
	assert_int_equal(stored_confidence(f, 4), -2);
	free(t);
	t = indicator("identity--99999999-0000-4000-8000-000000000009", 5, 80,
	              "2024-01-01T00:00:00.000Z");
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_REJECT, t, err), ENT_EPERM);
	assert_int_equal(stored_confidence(f, 5), -2);
	/* lowered: 80 through alpha (80) = 64, then the unsigned hop (50) = 32 */
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_LOWER, t, err), ENT_OK);
	assert_int_equal(stored_confidence(f, 5), 32);
	free(t);
	/* a file the operator vouches for: as it is */
	t = indicator("identity--99999999-0000-4000-8000-000000000009", 14, 70,
	              "2024-01-01T00:00:00.000Z");
	assert_int_equal(ingest(f, NULL, ENT_UNSIGNED_ACCEPT, t, err), ENT_OK);
	assert_int_equal(stored_confidence(f, 14), 70);
	free(t);
}

/* B's identity is learned from an object signed with B's pinned key */
static void test_identity_learned(void **state)
{
	struct fixture *f = *state;
	char *t = sign(indicator(ID_B, 6, 60, "2024-01-01T00:00:00.000Z"), &kb);
	char *forged = sign(indicator(ID_B, 7, 60, "2024-01-01T00:00:00.000Z"), &ka);
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ingest(f, "bravo", ENT_UNSIGNED_REJECT, t, err), ENT_OK);
	/* now B's identity has a pinned key: A's signature on it is refused */
	assert_int_equal(ingest(f, "bravo", ENT_UNSIGNED_ACCEPT, forged, err), ENT_EPERM);
	free(t);
	free(forged);
}

static char *identity_a(void)
{
	return strdup("{\"type\":\"identity\",\"spec_version\":\"2.1\",\"id\":\"" ID_A "\","
	              "\"created\":\"2024-01-01T00:00:00.000Z\","
	              "\"modified\":\"2024-01-01T00:00:00.000Z\",\"name\":\"A\","
	              "\"identity_class\":\"organization\"}");
}

/* a rotation signed by the old key re-pins; one without it does not */
static void test_rotation(void **state)
{
	struct fixture *f = *state;
	char *old_id = identity_a(), err[ENT_ERRBUF_SIZE];
	struct ent_buf rot, fake;
	char *after;

	ent_buf_init(&rot, 1 << 20);
	ent_buf_init(&fake, 1 << 20);
	/* rotation made with the wrong "old" key (B's): refused */
	assert_int_equal(
	    ent_sign_rotation_make(old_id, strlen(old_id), &kb, &ka2, 1735689600000, &fake, err),
	    ENT_OK);
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, fake.data, err), ENT_EPERM);
	after = sign(indicator(ID_A, 8, 60, "2025-02-01T00:00:00.000Z"), &ka2);
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, after, err), ENT_EPERM);
	/* the real one: accepted, and the new key is A's from now on */
	assert_int_equal(
	    ent_sign_rotation_make(old_id, strlen(old_id), &ka, &ka2, 1735689600000, &rot, err),
	    ENT_OK);
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, rot.data, err), ENT_OK);
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, after, err), ENT_OK);
	free(after);
	after = sign(indicator(ID_A, 9, 60, "2025-02-01T00:00:00.000Z"), &ka);
	assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, after, err), ENT_EPERM);
	/* and the store remembers it for the next gate */
	{
		struct ent_trust_gate *g2;

		assert_int_equal(ent_gate_load(f->store, ID_ME, kme.pk, &f->policy, &g2, err),
		                 ENT_OK);
		ent_gate_free(f->gate);
		f->gate = g2;
		assert_int_equal(ingest(f, "alpha", ENT_UNSIGNED_ACCEPT, after, err), ENT_EPERM);
	}
	free(after);
	free(old_id);
	ent_buf_free(&rot);
	ent_buf_free(&fake);
}

/* our own identity is pinned to our own key */
static void test_own_key(void **state)
{
	struct fixture *f = *state;
	char *mine = sign(indicator(ID_ME, 10, 60, "2024-01-01T00:00:00.000Z"), &kme);
	char *forged = sign(indicator(ID_ME, 11, 60, "2024-01-01T00:00:00.000Z"), &ka);
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ingest(f, "bravo", ENT_UNSIGNED_REJECT, mine, err), ENT_OK);
	assert_int_equal(ingest(f, "bravo", ENT_UNSIGNED_ACCEPT, forged, err), ENT_EPERM);
	free(mine);
	free(forged);
}

static size_t compiled(struct fixture *f, const struct ent_policy *p, int64_t now_ms,
                       int *confidence_out)
{
	struct ent_intel *in;
	struct ent_intel_policy ip = {.now_ms = now_ms, .policy = p};
	char err[ENT_ERRBUF_SIZE];
	size_t n;

	assert_int_equal(ent_intel_load(f->store, &ip, &in, err), ENT_OK);
	n = in->n_ind;
	if (n > 0 && confidence_out != NULL)
		*confidence_out = in->ind[0].confidence;
	ent_intel_free(in);
	return n;
}

/* decay at match time: 80, one half-life old, is 40 */
static void test_decay_at_match_time(void **state)
{
	struct fixture *f = *state;
	char *t = indicator("identity--99999999-0000-4000-8000-000000000009", 12, 80,
	                    "2024-01-01T00:00:00.000Z");
	char err[ENT_ERRBUF_SIZE];
	struct ent_policy p = f->policy;
	int64_t modified, conf = 0;
	int c = 0;

	assert_int_equal(ingest(f, NULL, ENT_UNSIGNED_ACCEPT, t, err), ENT_OK);
	assert_int_equal(ent_time_parse("2024-01-01T00:00:00.000Z", 24, &modified), ENT_OK);
	p.half_life_s[ENT_OBS_IPV4] = 30 * 86400;
	p.min_confidence_alert = 40;
	assert_int_equal(compiled(f, &p, modified + 30LL * 86400000, &c), 1);
	assert_int_equal(c, 40);
	p.min_confidence_alert = 41;
	assert_int_equal(compiled(f, &p, modified + 30LL * 86400000, NULL), 0);
	/* no decay configured: as stored */
	p.half_life_s[ENT_OBS_IPV4] = 0;
	assert_int_equal(compiled(f, &p, modified + 3000LL * 86400000, &c), 1);
	assert_int_equal(c, 80);
	(void)conf;
	free(t);
}

/* an expired indicator is never compiled */
static void test_expired_never_matches(void **state)
{
	struct fixture *f = *state;
	const char *t =
	    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
	    "\"id\":\"indicator--00000000-0000-4000-8000-000000000013\","
	    "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
	    "\"pattern\":\"[ipv4-addr:value = '198.51.100.13']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2024-01-01T00:00:00Z\",\"valid_until\":\"2024-06-01T00:00:00Z\"}";
	char err[ENT_ERRBUF_SIZE];
	int64_t before, after;

	assert_int_equal(ingest(f, NULL, ENT_UNSIGNED_ACCEPT, t, err), ENT_OK);
	assert_int_equal(ent_time_parse("2024-03-01T00:00:00Z", 20, &before), ENT_OK);
	assert_int_equal(ent_time_parse("2024-06-01T00:00:00Z", 20, &after), ENT_OK);
	assert_int_equal(compiled(f, &f->policy, before, NULL), 1);
	assert_int_equal(compiled(f, &f->policy, after, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_changed_byte_rejected, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_relayed_verifies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsigned_policy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_identity_learned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_own_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decay_at_match_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expired_never_matches, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
