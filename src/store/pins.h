/*
 * pins.h - what the trust gate needs of the peers table: each peer's trust,
 * and the Ed25519 key pinned for its identity (peer add --key), which a
 * verified key rotation may replace.
 */
#ifndef ENT_STORE_PINS_H
#define ENT_STORE_PINS_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct ent_store_pin {
	int64_t peer_id;
	const char *name;
	const char *identity_ref; /* NULL when not known yet */
	const char *public_key;   /* base64 Ed25519 key, NULL when none is pinned */
	int trust;
};

/* Calls fn for every peer; the record is borrowed for the call. */
int ent_store_pins_foreach(struct ent_store *s, int (*fn)(void *ctx, const struct ent_store_pin *p),
                           void *ctx, char *errbuf) ENT_MUST_CHECK;

/* Records what a verified object taught about a peer: its identity id
 * (identity_ref, may be NULL to keep it) and its key (public_key, base64,
 * may be NULL to keep it). */
int ent_store_pin_update(struct ent_store *s, int64_t peer_id, const char *identity_ref,
                         const char *public_key, char *errbuf) ENT_MUST_CHECK;

#endif
