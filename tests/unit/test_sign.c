/*
 * test_sign.c - signatures on STIX objects (trust/sign.h): round trip,
 * every single-bit change of a signed object rejected, relayed
 * re-serialized text still verifying, pinned-key mismatch, the node's
 * extension-definition, and key rotation accepted only with the old key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "trust/sign.h"

#define INDICATOR                                                                                  \
	"{\"type\": \"indicator\", \"spec_version\": \"2.1\",\n"                                   \
	" \"id\": \"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\n"                          \
	" \"created_by_ref\": \"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff\",\n"               \
	" \"created\": \"2024-05-01T10:00:00.000Z\", \"modified\": "                               \
	"\"2024-05-01T10:00:00.000Z\",\n"                                                          \
	" \"pattern\": \"[ipv4-addr:value = '198.51.100.7']\", \"pattern_type\": \"stix\",\n"      \
	" \"valid_from\": \"2024-05-01T10:00:00Z\", \"confidence\": 80,\n"                         \
	" \"object_marking_refs\": "                                                               \
	"[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]}"

#define IDENTITY                                                                                   \
	"{\"type\":\"identity\",\"spec_version\":\"2.1\","                                         \
	"\"id\":\"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff\","                               \
	"\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","      \
	"\"name\":\"CERT-A\",\"identity_class\":\"organization\"}"

static struct ent_keypair ka, kb, kc;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(ka.pk, ka.sk);
	crypto_sign_keypair(kb.pk, kb.sk);
	crypto_sign_keypair(kc.pk, kc.sk);
	return 0;
}

static char *sign_text(const char *text, const struct ent_keypair *kp)
{
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];

	ent_buf_init(&b, ENT_SIGN_MAX_BYTES);
	if (ent_sign_object(text, strlen(text), kp, &b, err) != ENT_OK)
		fail_msg("sign: %s", err);
	return ent_buf_steal(&b);
}

static int verify(const char *text, const uint8_t *pinned)
{
	char err[ENT_ERRBUF_SIZE];

	return ent_sign_verify(text, strlen(text), pinned, NULL, err);
}

static void test_round_trip(void **state)
{
	uint8_t signer[crypto_sign_PUBLICKEYBYTES];
	char err[ENT_ERRBUF_SIZE];
	char *s = sign_text(INDICATOR, &ka);

	(void)state;
	assert_non_null(strstr(s, "\"extensions\":{\"" ENT_SIGN_EXT_ID "\":{"));
	assert_non_null(strstr(s, "\"alg\":\"Ed25519\""));
	assert_int_equal(ent_sign_verify(s, strlen(s), ka.pk, signer, err), ENT_OK);
	assert_memory_equal(signer, ka.pk, sizeof(signer));
	assert_int_equal(verify(s, NULL), ENT_OK);
	assert_int_equal(verify(s, kb.pk), ENT_SIGN_EKEY);
	assert_int_equal(verify(INDICATOR, ka.pk), ENT_SIGN_EUNSIGNED);
	assert_int_equal(verify(INDICATOR, NULL), ENT_SIGN_EUNSIGNED);
	assert_int_equal(verify("[1,2]", NULL), ENT_EPARSE);
	assert_int_equal(verify("{\"a\":1,\"a\":2}", NULL), ENT_EPARSE);
	assert_string_equal(ent_sign_strerror(ENT_SIGN_EKEY),
	                    "signed by another key than the pinned one");
	free(s);
}

static void test_every_bit_flip_rejected(void **state)
{
	char *s = sign_text(INDICATOR, &ka);
	size_t n = strlen(s), tried = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			char saved = s[i];
			int rc;

			s[i] = (char)(s[i] ^ (1 << bit));
			if (s[i] != '\0') {
				rc = ent_sign_verify(s, n, ka.pk, NULL, NULL);
				if (rc == ENT_OK)
					fail_msg("byte %zu bit %d changed and still verifies:\n%s",
					         i, bit, s);
				/* without a pinned key the change is caught too */
				assert_int_not_equal(ent_sign_verify(s, n, NULL, NULL, NULL),
				                     ENT_OK);
				tried++;
			}
			s[i] = saved;
		}
	}
	assert_true(tried > 8 * 400);
	assert_int_equal(verify(s, ka.pk), ENT_OK);
	free(s);
}

/* The object as another implementation might relay it: indented, members
 * in reverse order, 80 written 80.0. */
static char *reserialize(const char *text)
{
	json_t *in = json_loads(text, 0, NULL), *out = json_object();
	const char *keys[64];
	size_t n = 0;
	const char *k;
	json_t *v;
	char *s;

	assert_non_null(in);
	json_object_foreach(in, k, v) keys[n++] = k;
	while (n-- > 0) {
		v = json_object_get(in, keys[n]);
		if (strcmp(keys[n], "confidence") == 0)
			v = json_real((double)json_integer_value(v));
		else
			json_incref(v);
		json_object_set_new(out, keys[n], v);
	}
	s = json_dumps(out, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
	json_decref(in);
	json_decref(out);
	return s;
}

static void test_relayed_reserialized_verifies(void **state)
{
	char *s = sign_text(INDICATOR, &ka), *r = reserialize(s);

	(void)state;
	assert_string_not_equal(s, r);
	assert_non_null(strstr(r, "80.0"));
	assert_int_equal(verify(r, ka.pk), ENT_OK);
	free(r);
	free(s);
}

static void test_resign_and_other_extensions(void **state)
{
	const char *with_ext = "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"extensions\":"
	                       "{\"extension-definition--0c9fd1b4-7b6b-4f8d-9f35-5c5ba8e2c6c0\":"
	                       "{\"extension_type\":\"property-extension\",\"rank\":5}}}";
	char *s = sign_text(with_ext, &ka), *t, *u;
	json_t *o;

	(void)state;
	assert_int_equal(verify(s, ka.pk), ENT_OK);
	/* the other extension is covered by the signature */
	t = strdup(s);
	memcpy(strstr(t, "\"rank\":5"), "\"rank\":6", 8);
	assert_int_equal(verify(t, ka.pk), ENT_SIGN_EBAD);
	free(t);
	/* re-signing by another key replaces the entry */
	u = sign_text(s, &kb);
	assert_int_equal(verify(u, kb.pk), ENT_OK);
	assert_int_equal(verify(u, ka.pk), ENT_SIGN_EKEY);
	o = json_loads(u, 0, NULL);
	assert_int_equal(json_object_size(json_object_get(o, "extensions")), 2);
	json_decref(o);
	free(u);
	free(s);
}

static void test_entry_checked(void **state)
{
	char *s = sign_text(INDICATOR, &ka), *t;
	json_t *o, *e;

	(void)state;
	/* an unknown member in the (unsigned) entry is refused */
	o = json_loads(s, 0, NULL);
	e = json_object_get(json_object_get(o, "extensions"), ENT_SIGN_EXT_ID);
	json_object_set_new(e, "note", json_string("x"));
	t = json_dumps(o, 0);
	assert_int_equal(verify(t, ka.pk), ENT_SIGN_EBAD);
	free(t);
	json_object_del(e, "note");
	json_object_set_new(e, "alg", json_string("none"));
	t = json_dumps(o, 0);
	assert_int_equal(verify(t, ka.pk), ENT_SIGN_EBAD);
	free(t);
	json_object_set_new(e, "alg", json_string("Ed25519"));
	json_object_set_new(e, "signature", json_string("AAAA"));
	t = json_dumps(o, 0);
	assert_int_equal(verify(t, ka.pk), ENT_SIGN_EBAD);
	free(t);
	json_decref(o);
	free(s);
}

static void test_extension_definition(void **state)
{
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];
	json_t *o;

	(void)state;
	ent_buf_init(&b, 1 << 20);
	assert_int_equal(
	    ent_sign_extension_definition("identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
	                                  1714557600000, &ka, &b, err),
	    ENT_OK);
	assert_int_equal(verify(b.data, ka.pk), ENT_OK);
	o = json_loads(b.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "extension-definition");
	assert_string_equal(json_string_value(json_object_get(o, "id")), ENT_SIGN_EXT_ID);
	assert_string_equal(json_string_value(json_object_get(o, "created_by_ref")),
	                    "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff");
	assert_string_equal(json_string_value(json_object_get(o, "created")),
	                    "2024-05-01T10:00:00.000Z");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(o, "extension_types"), 0)),
	    "property-extension");
	json_decref(o);
	ent_buf_free(&b);
}

static char *rotate(const char *identity, const struct ent_keypair *old,
                    const struct ent_keypair *next, int64_t when, int *rc)
{
	struct ent_buf b;
	char err[ENT_ERRBUF_SIZE];

	ent_buf_init(&b, 1 << 20);
	*rc = ent_sign_rotation_make(identity, strlen(identity), old, next, when, &b, err);
	if (*rc != ENT_OK) {
		ent_buf_free(&b);
		return NULL;
	}
	return ent_buf_steal(&b);
}

static int rot_verify(const char *text, const uint8_t *pinned, uint8_t *next)
{
	char err[ENT_ERRBUF_SIZE];

	return ent_sign_rotation_verify(text, strlen(text), pinned, next, err);
}

static void test_rotation(void **state)
{
	uint8_t next[crypto_sign_PUBLICKEYBYTES];
	int64_t when = 1717200000000; /* 2024-06-01 */
	char *signed_id = sign_text(IDENTITY, &ka), *r, *forged, *t;
	json_t *o, *rot;
	char pk64[64];
	int rc;

	(void)state;
	/* A's identity, signed by its current key: no rotation in it */
	assert_int_equal(rot_verify(signed_id, ka.pk, next), ENT_SIGN_EUNSIGNED);
	/* A rotates from ka to kb */
	r = rotate(signed_id, &ka, &kb, when, &rc);
	assert_int_equal(rc, ENT_OK);
	memset(next, 0, sizeof(next));
	assert_int_equal(rot_verify(r, ka.pk, next), ENT_OK);
	assert_memory_equal(next, kb.pk, sizeof(next));
	/* it is an ordinary object signed by the new key as well */
	assert_int_equal(verify(r, kb.pk), ENT_OK);
	assert_non_null(strstr(r, "\"modified\":\"2024-06-01T00:00:00.000Z\""));
	/* a peer that pinned another key does not accept it */
	assert_int_equal(rot_verify(r, kc.pk, next), ENT_SIGN_EKEY);
	/* an attacker holding only kc announces kc as A's next key */
	forged = rotate(signed_id, &kc, &kc, when, &rc);
	assert_int_equal(rc, ENT_OK);
	assert_int_equal(rot_verify(forged, ka.pk, next), ENT_SIGN_EKEY);
	/* ... and claims ka as the previous key: the old signature fails */
	o = json_loads(forged, 0, NULL);
	rot = json_object_get(json_object_get(json_object_get(o, "extensions"), ENT_SIGN_EXT_ID),
	                      "rotation");
	sodium_bin2base64(pk64, sizeof(pk64), ka.pk, sizeof(ka.pk), sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(rot, "previous_public_key", json_string(pk64));
	t = json_dumps(o, 0);
	assert_int_equal(rot_verify(t, ka.pk, next), ENT_SIGN_EBAD);
	free(t);
	json_decref(o);
	free(forged);
	/* the old key's signature binds the new key: swapping in kc's entry
	 * signature over the same body fails */
	t = sign_text(r, &kc);
	assert_int_not_equal(rot_verify(t, ka.pk, next), ENT_OK);
	free(t);
	/* a new version must be later than the current one */
	assert_null(rotate(signed_id, &ka, &kb, 1704067200000, &rc));
	assert_int_equal(rc, ENT_EINVAL);
	assert_null(rotate(INDICATOR, &ka, &kb, when, &rc));
	/* every bit of the announcement matters */
	for (size_t i = 0, n = strlen(r); i < n; i++) {
		char saved = r[i];

		r[i] = (char)(r[i] ^ 0x04);
		if (ent_sign_rotation_verify(r, n, ka.pk, next, NULL) == ENT_OK)
			fail_msg("rotation byte %zu changed and still accepted", i);
		r[i] = saved;
	}
	free(r);
	free(signed_id);
}

static void test_parse_public_key(void **state)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char text[80];

	(void)state;
	ent_keys_pk_text(ka.pk, text, sizeof(text)); /* "ed25519:<base64>" */
	assert_true(ent_sign_parse_public_key(text, pk));
	assert_memory_equal(pk, ka.pk, sizeof(pk));
	memset(pk, 0, sizeof(pk));
	assert_true(ent_sign_parse_public_key(text + 8, pk));
	assert_memory_equal(pk, ka.pk, sizeof(pk));
	assert_false(ent_sign_parse_public_key("AAAA", pk));
	assert_false(ent_sign_parse_public_key("", pk));
	assert_false(ent_sign_parse_public_key(NULL, pk));
	text[20] = '!';
	assert_false(ent_sign_parse_public_key(text, pk));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_every_bit_flip_rejected),
	    cmocka_unit_test(test_relayed_reserialized_verifies),
	    cmocka_unit_test(test_resign_and_other_extensions),
	    cmocka_unit_test(test_entry_checked),
	    cmocka_unit_test(test_extension_definition),
	    cmocka_unit_test(test_rotation),
	    cmocka_unit_test(test_parse_public_key),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
