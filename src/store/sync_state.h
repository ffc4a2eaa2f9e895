/*
 * sync_state.h - what `entente sync` remembers between runs: where each
 * pull from a peer's collection stands (sync_cursors) and which of our
 * objects each peer has received (sync_pushed). Tables: schema.c,
 * migration 3.
 *
 * The cursor of a collection is written in the same transaction as the
 * objects of the page it follows, so a sync interrupted at any point
 * resumes from the last page stored: nothing lost, nothing stored twice.
 */
#ifndef ENT_STORE_SYNC_STATE_H
#define ENT_STORE_SYNC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/peers.h"
#include "store/store.h"

/* The source name of the objects this node makes itself (our sightings). */
#define ENT_SYNC_LOCAL_SOURCE "local"

#define ENT_SYNC_NEXT_MAX 4096

struct ent_sync_cursor {
	char added_after[64];             /* "" = from the beginning */
	char next[ENT_SYNC_NEXT_MAX + 1]; /* "" = no walk in progress */
};

/* The cursor of (peer, collection_url); an empty one when there is none. */
int ent_sync_cursor_get(struct ent_store *s, int64_t peer_id, const char *collection_url,
                        struct ent_sync_cursor *out, char *errbuf) ENT_MUST_CHECK;
/* Writes the cursor (insert or replace). Call inside the page's transaction. */
int ent_sync_cursor_put(struct ent_store *s, int64_t peer_id, const char *collection_url,
                        const struct ent_sync_cursor *c, char *errbuf) ENT_MUST_CHECK;

/* Records that peer_id has received the object version at object_rowid. */
int ent_sync_pushed_mark(struct ent_store *s, int64_t peer_id, int64_t object_rowid,
                         char *errbuf) ENT_MUST_CHECK;

/* One object version to push to a peer; borrowed for the callback. */
struct ent_sync_push_obj {
	int64_t rowid;
	const char *stix_id;
	const char *type;
	const char *json;
};

/*
 * Calls fn, in row order, for every current sighting or opinion version
 * that peer_id should receive and has not received yet (sync_pushed):
 *   - ours (source ENT_SYNC_LOCAL_SOURCE), or written to one of our
 *     collections (an inbox) by another peer than peer_id: relayed;
 *   - about an indicator (sighting_of_ref, or one of an opinion's
 *     object_refs) that the peer's source delivered (objects.source_id or
 *     a provenance row);
 *   - not TLP:RED.
 * peer_source is the peer's source name ("peer:NAME").
 */
int ent_sync_push_foreach(struct ent_store *s, int64_t peer_id, const char *peer_source,
                          int (*fn)(void *ctx, const struct ent_sync_push_obj *o), void *ctx,
                          char *errbuf) ENT_MUST_CHECK;

#endif
