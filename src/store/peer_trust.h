/*
 * peer_trust.h - what the local policy needs of the peers table (schema 3):
 * each peer's trust, sharing groups and whether its key is pinned.
 *
 * A narrow read for `entente policy show` and the policy's confidence
 * function; the full peer records (store/peers.h) are managed elsewhere.
 */
#ifndef ENT_STORE_PEER_TRUST_H
#define ENT_STORE_PEER_TRUST_H

#include <stdbool.h>

#include "core/error.h"
#include "store/store.h"

struct ent_peer_trust {
	const char *name;
	int trust;                /* 0..100 */
	const char *groups;       /* comma-separated; "" for none */
	bool key_pinned;          /* a public key is configured */
	const char *identity_ref; /* "" when not known yet */
};

/* Calls fn for every peer, by name; the record is borrowed for the call. A
 * non-zero return from fn stops the walk and is returned. */
int ent_store_peer_trust_foreach(struct ent_store *s,
                                 int (*fn)(void *ctx, const struct ent_peer_trust *p), void *ctx,
                                 char *errbuf) ENT_MUST_CHECK;

#endif
