/*
 * sign.c - signatures on STIX objects (see sign.h).
 *
 * Reading uses the validating tokenizer (core/json.h) and JCS; building
 * the signed text goes through jansson (adding one member to an object of
 * arbitrary shape), and the result is canonicalized again, so what leaves
 * here is exactly the bytes a verifier recomputes plus the entry. Numbers
 * survive jansson unchanged in value (it writes doubles with 17 digits and
 * integers exactly), and JCS compares values, not spellings.
 */
#include "trust/sign.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/timefmt.h"
#include "trust/jcs.h"

#define B64_PK_LEN                                                                                 \
	sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)
#define B64_SIG_LEN sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)

static const char *const entry_path[] = {"extensions", ENT_SIGN_EXT_ID, NULL};
static const char *const entry_members[] = {"extension_type", "alg",       "canonicalization",
                                            "public_key",     "signature", "rotation"};

const char *ent_sign_strerror(int err)
{
	switch (err) {
	case ENT_SIGN_EUNSIGNED:
		return "not signed";
	case ENT_SIGN_EBAD:
		return "bad signature";
	case ENT_SIGN_EKEY:
		return "signed by another key than the pinned one";
	default:
		return ent_strerror(err);
	}
}

/* Parses text into j (initialised by the caller) and checks it is an
 * object. */
static int parse_object(struct ent_json *j, const char *text, size_t len, char *errbuf)
{
	size_t off = 0;
	int rc;

	if (len > ENT_SIGN_MAX_BYTES)
		return ent_errf(errbuf, ENT_ELIMIT, "object larger than %u bytes",
		                ENT_SIGN_MAX_BYTES);
	rc = ent_json_parse(j, text, len, &off, errbuf);
	if (rc == ENT_EPARSE)
		ent_err_prefix(errbuf, "offset %zu", off);
	if (rc != ENT_OK)
		return rc;
	if (ent_json_type(j, 0) != ENT_JSON_OBJECT)
		return ent_errf(errbuf, ENT_EPARSE, "not a JSON object");
	return ENT_OK;
}

/* The JCS bytes a signature covers: the object without the entry. */
static int signed_bytes(struct ent_json *j, struct ent_buf *msg, char *errbuf)
{
	ent_buf_init(msg, ENT_SIGN_MAX_BYTES);
	return ent_jcs_write(j, 0, entry_path, msg, errbuf);
}

/* The signature entry's token, or -1 when the object has none. */
static long find_entry(const struct ent_json *j)
{
	long ext = ent_json_member(j, 0, "extensions");

	if (ext < 0)
		return -1;
	return ent_json_member(j, (uint32_t)ext, ENT_SIGN_EXT_ID);
}

/* String member key of object token obj; NULL if absent or not a string. */
static const char *member_str(struct ent_json *j, long obj, const char *key)
{
	long t = obj < 0 ? -1 : ent_json_member(j, (uint32_t)obj, key);

	if (t < 0 || ent_json_type(j, (uint32_t)t) != ENT_JSON_STRING)
		return NULL;
	return ent_json_string(j, (uint32_t)t, NULL);
}

static bool b64_decode(const char *s, uint8_t *out, size_t want)
{
	size_t n = 0;

	return s != NULL &&
	       sodium_base642bin(out, want, s, strlen(s), NULL, &n, NULL,
	                         sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       n == want;
}

static void b64_pk(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char out[B64_PK_LEN])
{
	sodium_bin2base64(out, B64_PK_LEN, pk, crypto_sign_PUBLICKEYBYTES,
	                  sodium_base64_VARIANT_ORIGINAL);
}

bool ent_sign_parse_public_key(const char *text, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
	if (text == NULL)
		return false;
	if (strncmp(text, "ed25519:", 8) == 0)
		text += 8;
	return b64_decode(text, pk, crypto_sign_PUBLICKEYBYTES);
}

/* Signs text with kp and writes the canonical signed object; rotation (may
 * be NULL; stolen) goes into the entry. */
static int sign_with_entry(const char *text, size_t len, const struct ent_keypair *kp,
                           json_t *rotation, struct ent_buf *out, char *errbuf)
{
	uint8_t sig[crypto_sign_BYTES];
	char pk64[B64_PK_LEN], sig64[B64_SIG_LEN];
	struct ent_json j;
	struct ent_buf msg = {0};
	json_error_t jerr;
	json_t *root = NULL, *ext, *entry;
	char *dumped = NULL;
	int rc;

	if (sodium_init() < 0) {
		json_decref(rotation);
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	}
	ent_json_init(&j, ENT_JCS_MAX_TOKENS);
	rc = parse_object(&j, text, len, errbuf);
	if (rc != ENT_OK)
		goto out;
	rc = signed_bytes(&j, &msg, errbuf);
	if (rc != ENT_OK)
		goto out;
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg.data, msg.len, kp->sk);
	b64_pk(kp->pk, pk64);
	sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);

	rc = ENT_EPARSE;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		ent_errf(errbuf, rc, "%s", jerr.text);
		goto out;
	}
	ext = json_object_get(root, "extensions");
	if (ext == NULL) {
		ext = json_object();
		if (json_object_set_new(root, "extensions", ext) != 0)
			goto nomem;
	} else if (!json_is_object(ext)) {
		ent_errf(errbuf, rc, "extensions is not an object");
		goto out;
	}
	entry = json_pack("{s:s, s:s, s:s, s:s, s:s}", "extension_type", "property-extension",
	                  "alg", ENT_SIGN_ALG, "canonicalization", ENT_SIGN_CANON, "public_key",
	                  pk64, "signature", sig64);
	if (entry == NULL || json_object_set_new(ext, ENT_SIGN_EXT_ID, entry) != 0)
		goto nomem;
	if (rotation != NULL) {
		if (json_object_set_new(entry, "rotation", rotation) != 0) {
			rotation = NULL;
			goto nomem;
		}
		rotation = NULL;
	}
	dumped = json_dumps(root, JSON_COMPACT);
	if (dumped == NULL)
		goto nomem;
	rc = ent_jcs_canonicalize(dumped, strlen(dumped), out, errbuf);
	goto out;
nomem:
	rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
out:
	free(dumped);
	json_decref(rotation);
	json_decref(root);
	ent_buf_free(&msg);
	ent_json_free(&j);
	sodium_memzero(sig, sizeof(sig));
	return rc;
}

int ent_sign_object(const char *text, size_t len, const struct ent_keypair *kp, struct ent_buf *out,
                    char *errbuf)
{
	return sign_with_entry(text, len, kp, NULL, out, errbuf);
}

/* Verification on a parsed object; entry is its signature entry. */
static int verify_parsed(struct ent_json *j, long entry, const uint8_t *pinned,
                         uint8_t pk[crypto_sign_PUBLICKEYBYTES], char *errbuf)
{
	uint8_t sig[crypto_sign_BYTES];
	struct ent_buf msg = {0};
	const char *alg, *canon, *type;
	int rc;

	if (entry < 0)
		return ent_errf(errbuf, ENT_SIGN_EUNSIGNED, "no signature (extension %s)",
		                ENT_SIGN_EXT_ID);
	if (ent_json_type(j, (uint32_t)entry) != ENT_JSON_OBJECT)
		return ent_errf(errbuf, ENT_SIGN_EBAD, "signature entry is not an object");
	/* every member of the entry is known and checked: the entry is not
	 * covered by the signature, so nothing in it may go unexamined */
	for (uint32_t c = (uint32_t)entry + 1, k = 0; k < j->tok[entry].count; k++) {
		const char *name = ent_json_string(j, c, NULL);
		bool known = false;

		for (size_t i = 0; i < sizeof(entry_members) / sizeof(entry_members[0]); i++)
			known |= strcmp(name, entry_members[i]) == 0;
		if (!known)
			return ent_errf(errbuf, ENT_SIGN_EBAD,
			                "unknown member '%s' in the signature", name);
		c = j->tok[c + 1].next;
	}
	type = member_str(j, entry, "extension_type");
	if (type == NULL || strcmp(type, "property-extension") != 0)
		return ent_errf(errbuf, ENT_SIGN_EBAD,
		                "signature entry is not a property-extension");
	alg = member_str(j, entry, "alg");
	canon = member_str(j, entry, "canonicalization");
	if (alg == NULL || strcmp(alg, ENT_SIGN_ALG) != 0 || canon == NULL ||
	    strcmp(canon, ENT_SIGN_CANON) != 0)
		return ent_errf(errbuf, ENT_SIGN_EBAD, "signature is not %s over %s", ENT_SIGN_ALG,
		                ENT_SIGN_CANON);
	if (!b64_decode(member_str(j, entry, "public_key"), pk, crypto_sign_PUBLICKEYBYTES))
		return ent_errf(errbuf, ENT_SIGN_EBAD, "public_key is not a base64 Ed25519 key");
	if (!b64_decode(member_str(j, entry, "signature"), sig, sizeof(sig)))
		return ent_errf(errbuf, ENT_SIGN_EBAD,
		                "signature is not a base64 Ed25519 signature");
	if (pinned != NULL && sodium_memcmp(pk, pinned, crypto_sign_PUBLICKEYBYTES) != 0)
		return ent_errf(errbuf, ENT_SIGN_EKEY, "signed by another key than the pinned one");
	rc = signed_bytes(j, &msg, errbuf);
	if (rc == ENT_OK &&
	    crypto_sign_verify_detached(sig, (const unsigned char *)msg.data, msg.len, pk) != 0)
		rc = ent_errf(errbuf, ENT_SIGN_EBAD, "signature does not verify");
	ent_buf_free(&msg);
	return rc;
}

int ent_sign_verify(const char *text, size_t len, const uint8_t *pinned,
                    uint8_t signer[crypto_sign_PUBLICKEYBYTES], char *errbuf)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	struct ent_json j;
	int rc;

	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	ent_json_init(&j, ENT_JCS_MAX_TOKENS);
	memset(pk, 0, sizeof(pk));
	rc = parse_object(&j, text, len, errbuf);
	if (rc == ENT_OK)
		rc = verify_parsed(&j, find_entry(&j), pinned, pk, errbuf);
	if (signer != NULL)
		memcpy(signer, pk, sizeof(pk));
	ent_json_free(&j);
	return rc;
}

int ent_sign_extension_definition(const char *identity_id, int64_t created_ms,
                                  const struct ent_keypair *kp, struct ent_buf *out, char *errbuf)
{
	char when[ENT_TIME_STRLEN], *text;
	json_t *o;
	int rc;

	ent_time_format(created_ms, when);
	o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type",
	    "extension-definition", "spec_version", "2.1", "id", ENT_SIGN_EXT_ID, "created_by_ref",
	    identity_id, "created", when, "modified", when, "name", "entente object signature",
	    "description",
	    "An Ed25519 signature over the RFC 8785 canonical JSON of the object without "
	    "this extension's entry, by the key of the object's creator.",
	    "schema",
	    "Properties: alg (\"Ed25519\"), canonicalization (\"RFC8785\"), public_key "
	    "(base64, 32 bytes), signature (base64, 64 bytes) over the RFC 8785 form of the "
	    "object with this entry removed (and extensions removed when left empty); on an "
	    "identity, rotation {previous_public_key, previous_signature} announces a new key. "
	    "See entente docs/signatures.md.",
	    "version", "1.0", "extension_types", "property-extension");
	if (o == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = ent_sign_object(text, strlen(text), kp, out, errbuf);
	free(text);
	return rc;
}

/* The text the previous key signs in a rotation. */
static int rotation_message(char *buf, size_t bufsz, const char *id, const char *modified,
                            const uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
	char pk64[B64_PK_LEN];
	int n;

	b64_pk(pk, pk64);
	n = snprintf(buf, bufsz, "%s\n%s\n%s\n%s", ENT_SIGN_ROTATION_TAG, id, modified, pk64);
	return n > 0 && (size_t)n < bufsz ? n : -1;
}

int ent_sign_rotation_make(const char *identity_text, size_t len, const struct ent_keypair *old,
                           const struct ent_keypair *next, int64_t modified_ms, struct ent_buf *out,
                           char *errbuf)
{
	char when[ENT_TIME_STRLEN], msg[512], pk64[B64_PK_LEN], sig64[B64_SIG_LEN], *text = NULL;
	uint8_t sig[crypto_sign_BYTES];
	const char *type, *id, *cur;
	json_error_t jerr;
	json_t *root, *rotation;
	int64_t cur_ms;
	int n, rc = ENT_EINVAL;

	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	root = json_loadb(identity_text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return ent_errf(errbuf, ENT_EPARSE, "%s", jerr.text);
	type = json_string_value(json_object_get(root, "type"));
	id = json_string_value(json_object_get(root, "id"));
	cur = json_string_value(json_object_get(root, "modified"));
	if (type == NULL || strcmp(type, "identity") != 0 || id == NULL) {
		ent_errf(errbuf, rc, "not a STIX identity object");
		goto out;
	}
	if (cur != NULL &&
	    (ent_time_parse(cur, strlen(cur), &cur_ms) != ENT_OK || cur_ms >= modified_ms)) {
		ent_errf(errbuf, rc, "the new version must be modified after %s", cur);
		goto out;
	}
	ent_time_format(modified_ms, when);
	n = rotation_message(msg, sizeof(msg), id, when, next->pk);
	if (n < 0) {
		ent_errf(errbuf, rc, "identity id too long");
		goto out;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (size_t)n, old->sk);
	b64_pk(old->pk, pk64);
	sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	rotation =
	    json_pack("{s:s, s:s}", "previous_public_key", pk64, "previous_signature", sig64);
	if (rotation == NULL || json_object_set_new(root, "modified", json_string(when)) != 0 ||
	    (text = json_dumps(root, JSON_COMPACT)) == NULL) {
		json_decref(rotation);
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out;
	}
	rc = sign_with_entry(text, strlen(text), next, rotation, out, errbuf);
out:
	free(text);
	json_decref(root);
	return rc;
}

int ent_sign_rotation_verify(const char *text, size_t len, const uint8_t *pinned,
                             uint8_t next_pk[crypto_sign_PUBLICKEYBYTES], char *errbuf)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], prev[crypto_sign_PUBLICKEYBYTES];
	uint8_t sig[crypto_sign_BYTES];
	const char *type, *id, *modified;
	struct ent_json j;
	long entry, rot;
	char msg[512];
	int n, rc;

	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	ent_json_init(&j, ENT_JCS_MAX_TOKENS);
	rc = parse_object(&j, text, len, errbuf);
	if (rc != ENT_OK)
		goto out;
	entry = find_entry(&j);
	/* the whole object, signed by the new key it names */
	rc = verify_parsed(&j, entry, NULL, pk, errbuf);
	if (rc != ENT_OK)
		goto out;
	rot = ent_json_member(&j, (uint32_t)entry, "rotation");
	if (rot < 0 || ent_json_type(&j, (uint32_t)rot) != ENT_JSON_OBJECT) {
		rc = ent_errf(errbuf, ENT_SIGN_EUNSIGNED, "no key rotation in the signature");
		goto out;
	}
	type = member_str(&j, 0, "type");
	id = member_str(&j, 0, "id");
	modified = member_str(&j, 0, "modified");
	if (type == NULL || strcmp(type, "identity") != 0 || id == NULL || modified == NULL) {
		rc = ent_errf(errbuf, ENT_SIGN_EBAD,
		              "a key rotation must be an identity with id and modified");
		goto out;
	}
	if (j.tok[rot].count != 2 || /* exactly the two below */
	    !b64_decode(member_str(&j, rot, "previous_public_key"), prev, sizeof(prev)) ||
	    !b64_decode(member_str(&j, rot, "previous_signature"), sig, sizeof(sig))) {
		rc = ent_errf(errbuf, ENT_SIGN_EBAD, "malformed key rotation");
		goto out;
	}
	if (sodium_memcmp(prev, pinned, sizeof(prev)) != 0) {
		rc = ent_errf(errbuf, ENT_SIGN_EKEY,
		              "the key rotation is not signed by the pinned key");
		goto out;
	}
	n = rotation_message(msg, sizeof(msg), id, modified, pk);
	if (n < 0 ||
	    crypto_sign_verify_detached(sig, (const unsigned char *)msg, (size_t)n, pinned) != 0) {
		rc = ent_errf(errbuf, ENT_SIGN_EBAD,
		              "the pinned key's signature over the new key does not verify");
		goto out;
	}
	memcpy(next_pk, pk, sizeof(pk));
	rc = ENT_OK;
out:
	ent_json_free(&j);
	return rc;
}
