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

#endif
