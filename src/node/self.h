/*
 * self.h - the node's own objects in its store: its identity and the
 * extension definition of its signatures, both signed with its key and
 * marked TLP:CLEAR, so that every peer can fetch them from the public
 * collection and learn (with the key it pinned) who signs what.
 */
#ifndef ENT_NODE_SELF_H
#define ENT_NODE_SELF_H

#include "core/error.h"
#include "node/home.h"
#include "store/store.h"

/* Stores them if they are not there yet (signatures are deterministic:
 * the same identity gives the same objects, stored once). */
int ent_node_publish_self(struct ent_home *h, struct ent_store *s, char *errbuf) ENT_MUST_CHECK;

/*
 * Rotates the node's key: a new key pair, and a new version of the node's
 * identity signed by the new key and carrying the old key's signature
 * over it (trust/sign.h), stored so that peers pull it and re-pin. The
 * identity file gets the new modified time; the old public key is kept as
 * node.pub.previous. OUT: old_pk, new_pk ("ed25519:..." text, 64 bytes).
 */
int ent_node_rotate_key(struct ent_home *h, struct ent_store *s, char *old_pk, char *new_pk,
                        size_t pk_sz, char *errbuf) ENT_MUST_CHECK;

#endif
