/*
 * pins.h - what the trust gate writes to the peers table: the identity a
 * pinned key signed for, and the key a verified rotation hands over to.
 * (It reads peers with ent_store_peers_foreach, store/peers.h.)
 */
#ifndef ENT_STORE_PINS_H
#define ENT_STORE_PINS_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* Records what a verified object taught about a peer: its identity id
 * (identity_ref, may be NULL to keep it) and its key (public_key, base64,
 * may be NULL to keep it). */
int ent_store_pin_update(struct ent_store *s, int64_t peer_id, const char *identity_ref,
                         const char *public_key, char *errbuf) ENT_MUST_CHECK;

#endif
