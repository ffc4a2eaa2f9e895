/*
 * lifecycle.h - what the node says about indicators after they exist:
 * it revokes its own, and disputes other producers' (a false positive).
 *
 * Both write one new STIX object version, signed with the node's key
 * (trust/sign.h), stored with source ENT_SYNC_LOCAL_SOURCE in one store
 * transaction. They travel on their own: a revocation is a new version of
 * the indicator, so the TAXII collections serve it (within its TLP) and
 * peers pull it on their next sync; a dispute is an opinion object, which
 * `entente sync` pushes to the peer that delivered the indicator
 * (store/sync_state.h, ent_sync_push_foreach), and which relays pass on
 * towards the producer. docs/feedback.md tells the whole story.
 */
#ifndef ENT_FEED_LIFECYCLE_H
#define ENT_FEED_LIFECYCLE_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"
#include "trust/keys.h"

/* Longest dispute reason, in bytes. */
#define ENT_DISPUTE_REASON_MAX 4096

/* Who the node is, for the objects it writes. */
struct ent_lifecycle_node {
	const char *identity_id; /* node.identity */
	const struct ent_keypair *kp;
};

/* What was written. */
struct ent_lifecycle_result {
	char stix_id[128];   /* the indicator (revoke) or the new opinion (dispute) */
	int64_t version_ms;  /* its `modified` */
	char tlp[16];        /* its effective TLP name */
	char indicator[128]; /* the indicator it is about */
};

/*
 * Revokes one of the node's own indicators: a new version of the current
 * one with "revoked": true and `modified` = now_ms (or 1 ms after the
 * current version when the clock is behind it), everything else as it was,
 * signed. The node's own: created_by_ref is node->identity_id, or the
 * current version was stored with source ENT_SYNC_LOCAL_SOURCE.
 * ENT_ENOTFOUND (unknown id), ENT_EINVAL (not an indicator), ENT_EPERM
 * (another producer's), ENT_EEXIST (already revoked); errbuf says which.
 */
int ent_lifecycle_revoke(struct ent_store *s, const struct ent_lifecycle_node *node,
                         const char *indicator_id, int64_t now_ms, struct ent_lifecycle_result *out,
                         char *errbuf) ENT_MUST_CHECK;

/*
 * Disputes another producer's indicator: a new opinion object (random id)
 * "strongly-disagree", object_refs [indicator_id], explanation reason,
 * created_by_ref the node, marked with the indicator's effective TLP
 * (AMBER when the indicator has none), created and modified now_ms, signed.
 * ENT_ENOTFOUND (unknown id), ENT_EINVAL (not an indicator; an empty,
 * too long or non-UTF-8 reason), ENT_EPERM (the node's own indicator:
 * revoke it instead).
 */
int ent_lifecycle_dispute(struct ent_store *s, const struct ent_lifecycle_node *node,
                          const char *indicator_id, const char *reason, int64_t now_ms,
                          struct ent_lifecycle_result *out, char *errbuf) ENT_MUST_CHECK;

#endif
