/*
 * gate.h - the trust gate every object passes on its way in (import, sync,
 * the TAXII inbox): is it signed by whom it claims, and how much do we
 * believe it.
 *
 *   - Its creator (created_by_ref) has a pinned key (a peer's, given with
 *     `peer add --key`, or the node's own): the signature must verify with
 *     that key. A bad signature, another key, or no signature rejects the
 *     object: such a creator signs everything it makes, so an unsigned
 *     object in its name was stripped or forged.
 *   - The creator has no pinned key, but the object is signed by a peer's
 *     pinned key whose identity is not known yet: the signature verifies,
 *     so that identity is the peer's from now on (recorded in the store).
 *   - A key rotation (a signed identity naming the pinned key as previous,
 *     with its signature) that verifies replaces the pinned key.
 *   - Otherwise (unsigned, or signed by a key nobody pinned): the policy
 *     decides: accept, lower (one more hop of trust policy.unsigned_trust),
 *     or reject. A signature that is present but broken always rejects.
 *
 * The confidence stored with an object is then the producer's confidence
 * through the trust of the peer that delivered it (trust/policy.h); decay
 * is applied when the sensor compiles the indicators, as it depends on the
 * time of the scan.
 */
#ifndef ENT_TRUST_GATE_H
#define ENT_TRUST_GATE_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"
#include "trust/policy.h"

struct ent_trust_gate;

/* Loads the peers' trust and keys from the store; own_pk (may be NULL) is
 * the node's key, pinned for own_identity. */
int ent_gate_load(struct ent_store *s, const char *own_identity,
                  const uint8_t own_pk[crypto_sign_PUBLICKEYBYTES], const struct ent_policy *policy,
                  struct ent_trust_gate **out, char *errbuf) ENT_MUST_CHECK;
void ent_gate_free(struct ent_trust_gate *g);

struct ent_gate_verdict {
	bool reject;
	char why[192];         /* why it was rejected, or how it was judged */
	bool signature_ok;     /* verified with a pinned key */
	int stored_confidence; /* what to store (-1: none) */
	/* a peer to update in the store (learned identity, rotated key) */
	int64_t update_peer; /* 0: none */
	char update_identity[72];
	char update_key[64]; /* base64 */
};

/*
 * Judges one object. source_peer is the name of the peer that delivered it
 * (NULL for a file the operator imports); unsigned_action what to do with
 * unsigned or unpinned objects from this input. type, created_by_ref and
 * confidence (-1 = absent) are the object's; for an identity without
 * created_by_ref, pass its own id (it speaks for itself). may_be_signed:
 * false when the object has no "extensions" member (then it cannot carry
 * a signature, and its text is not searched for one).
 */
void ent_gate_check(struct ent_trust_gate *g, const char *source_peer,
                    enum ent_policy_unsigned unsigned_action, const char *type,
                    const char *created_by_ref, int confidence, const char *json, size_t len,
                    bool may_be_signed, struct ent_gate_verdict *v);

/* Makes the gate's memory of peers follow a verdict's update (the store is
 * the caller's to update, with ent_store_pin_update). */
void ent_gate_apply(struct ent_trust_gate *g, const struct ent_gate_verdict *v);

/* Reads the peers again (after `entente peer` changed them); safe while
 * other threads use the gate. */
int ent_gate_reload(struct ent_trust_gate *g, struct ent_store *s, char *errbuf) ENT_MUST_CHECK;

/* The policy the gate was loaded with. */
const struct ent_policy *ent_gate_policy(const struct ent_trust_gate *g);

/* Objects the gate rejected since it was loaded. */
uint64_t ent_gate_rejected(const struct ent_trust_gate *g);

#endif
