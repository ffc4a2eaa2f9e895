/*
 * sign.h - Ed25519 signatures on STIX 2.1 objects, carried in a STIX
 * property extension (STIX 2.1 section 7.3), over RFC 8785 canonical JSON.
 *
 * A signed object carries one extension entry (docs/signatures.md):
 *
 *   "extensions": {
 *     "extension-definition--f2919cd5-b6ca-4bf7-9890-60202e444790": {
 *       "extension_type": "property-extension",
 *       "alg": "Ed25519",
 *       "canonicalization": "RFC8785",
 *       "public_key": "<base64 of the 32-byte key>",
 *       "signature": "<base64 of the 64-byte signature>"
 *     }
 *   }
 *
 * The signed bytes are the JCS form (trust/jcs.h) of the object with that
 * one entry removed, and "extensions" removed too when it held nothing
 * else. Whitespace, member order and number spelling do not matter, so an
 * object relayed by a node that re-serialized it still verifies; any change
 * of content does not. Signing an already signed object replaces the entry.
 *
 * Key rotation: the node's identity object, as a new version, signed by the
 * new key and carrying in the entry
 *     "rotation": {"previous_public_key": "<old key>",
 *                  "previous_signature": "<old key's signature>"}
 * where the old key signs the text ENT_SIGN_ROTATION_TAG "\n" id "\n"
 * modified "\n" base64(new key). A peer that pinned the old key accepts the
 * new one only when both signatures verify.
 */
#ifndef ENT_TRUST_SIGN_H
#define ENT_TRUST_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "trust/keys.h"

#define ENT_SIGN_EXT_ID       "extension-definition--f2919cd5-b6ca-4bf7-9890-60202e444790"
#define ENT_SIGN_ALG          "Ed25519"
#define ENT_SIGN_CANON        "RFC8785"
#define ENT_SIGN_ROTATION_TAG "entente-key-rotation-v1"

/* Largest object signed or verified, in bytes (of its text). */
#define ENT_SIGN_MAX_BYTES (16u << 20)

/* Verification outcomes besides ENT_OK, beyond the ENT_E* range of
 * core/error.h; ent_sign_strerror names them (and the ENT_E* codes). */
enum ent_sign_error {
	ENT_SIGN_EUNSIGNED = -101, /* no signature entry in the object */
	ENT_SIGN_EBAD = -102,      /* an entry, but it does not verify (or is malformed) */
	ENT_SIGN_EKEY = -103,      /* signed by another key than the pinned one */
};

const char *ent_sign_strerror(int err);

/*
 * Decodes a public key as peers are configured with it: base64 of the 32
 * bytes, optionally prefixed "ed25519:" (the form of node.pub). false when
 * it is not one.
 */
bool ent_sign_parse_public_key(const char *text, uint8_t pk[crypto_sign_PUBLICKEYBYTES]);

/*
 * Signs the STIX object in text (len bytes, one JSON object) with kp.
 * Appends the signed object, in canonical (JCS) form, to out (the caller's
 * buffer; ENT_SIGN_MAX_BYTES is a sensible maximum).
 */
int ent_sign_object(const char *text, size_t len, const struct ent_keypair *kp, struct ent_buf *out,
                    char *errbuf) ENT_MUST_CHECK;

/*
 * Verifies the signature of the object in text. pinned (may be NULL) is the
 * creator's pinned public key: when given, the object must be signed by that
 * key (ENT_SIGN_EKEY otherwise); when NULL, the signature is checked against
 * the key the entry names, which proves integrity but not provenance.
 * Returns ENT_OK, ENT_SIGN_EUNSIGNED, ENT_SIGN_EBAD, ENT_SIGN_EKEY, or
 * ENT_EPARSE when the text is not a JSON object. OUT: signer (may be NULL)
 * receives the key the entry names whenever there is an entry with one.
 */
int ent_sign_verify(const char *text, size_t len, const uint8_t *pinned,
                    uint8_t signer[crypto_sign_PUBLICKEYBYTES], char *errbuf) ENT_MUST_CHECK;

/*
 * The node's extension-definition object for the signature extension
 * (id ENT_SIGN_EXT_ID, created_by_ref identity_id, created and modified at
 * created_ms), signed with kp. Appended to out in canonical form.
 */
int ent_sign_extension_definition(const char *identity_id, int64_t created_ms,
                                  const struct ent_keypair *kp, struct ent_buf *out,
                                  char *errbuf) ENT_MUST_CHECK;

/*
 * A key rotation announcement: the identity object in identity_text as a
 * new version (modified set to modified_ms, which must be later than its
 * current modified), signed by next and carrying old's signature over the
 * new key. Appended to out in canonical form.
 */
int ent_sign_rotation_make(const char *identity_text, size_t len, const struct ent_keypair *old,
                           const struct ent_keypair *next, int64_t modified_ms, struct ent_buf *out,
                           char *errbuf) ENT_MUST_CHECK;

/*
 * Checks a rotation announcement against the pinned (old) key. ENT_OK only
 * when it is an identity whose entry names pinned as the previous key,
 * pinned's signature over the new key verifies, and the new key's signature
 * over the object verifies; then OUT: next_pk is the new key to pin.
 * Otherwise ENT_SIGN_EUNSIGNED (not signed, or no rotation), ENT_SIGN_EKEY
 * (the previous key is not the pinned one), ENT_SIGN_EBAD, or ENT_EPARSE.
 */
int ent_sign_rotation_verify(const char *text, size_t len, const uint8_t *pinned,
                             uint8_t next_pk[crypto_sign_PUBLICKEYBYTES],
                             char *errbuf) ENT_MUST_CHECK;

#endif
