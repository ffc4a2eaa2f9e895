/*
 * publish.h - taking a STIX bundle as the node's own intelligence
 * (`entente import --publish`): every object the node's organization made
 * gets the node as its creator and the node's signature, so that peers
 * that pinned the node's key can verify it wherever it travels.
 *
 * Identities and marking definitions are left as they are (they describe
 * others, or are standard); every other object gets created_by_ref = the
 * node's identity and is signed (trust/sign.h). The result is a new bundle
 * file, which is then imported like any other.
 */
#ifndef ENT_FEED_PUBLISH_H
#define ENT_FEED_PUBLISH_H

#include <stddef.h>

#include "core/error.h"
#include "trust/keys.h"

/* Largest bundle published at once (it is held in memory). */
#define ENT_PUBLISH_MAX_BYTES (256u << 20)

/* Reads the bundle at in_path, writes the signed bundle to out_path
 * (created 0600); *signed_out counts the objects signed. Errors name the
 * file and the object. */
int ent_publish_bundle(const char *in_path, const char *identity_id, const struct ent_keypair *kp,
                       const char *out_path, size_t *signed_out, char *errbuf) ENT_MUST_CHECK;

#endif
