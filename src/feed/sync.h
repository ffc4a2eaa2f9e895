/*
 * sync.h - one sync with one peer: pull what its TAXII collections hold
 * since the last cursor, push our sightings and opinions about its
 * indicators to its inbox.
 *
 * Pull, per readable collection: pages since the cursor (the server's
 * `next` while a walk is in progress, `added_after` = the last
 * X-TAXII-Date-Added-Last across runs). Each page is checked whole, then
 * its objects and the new cursor are written in one store transaction:
 * an interruption at any point resumes from the last page stored, without
 * loss or duplicates. A failed or partial fetch never deletes or expires
 * anything. Objects that fail the STIX checks are left out and counted.
 *
 * Push: the sightings and opinions that ent_sync_push_foreach selects
 * (ours and those other peers wrote to our inbox, about indicators this
 * peer delivered), to the peer's writable collection (the one titled or
 * aliased "inbox" when there are several), in envelopes of at most
 * ENT_SYNC_PUSH_BATCH objects; an object counts as received only once the
 * peer answered 202 with its id among the successes.
 */
#ifndef ENT_FEED_SYNC_H
#define ENT_FEED_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "stix/tlp.h"
#include "store/peers.h"
#include "store/store.h"
#include "trust/gate.h"
#include "trust/keys.h"

#define ENT_SYNC_PUSH_BATCH 100

struct ent_sync_opts {
	const char *identity_id;     /* our STIX identity id (node.identity) */
	int page_size;               /* objects asked per page (sync.page_size) */
	long timeout_s;              /* per request (sync.timeout) */
	enum ent_tlp default_tlp;    /* for pulled objects without a TLP marking */
	struct ent_trust_gate *gate; /* signatures and belief (trust/gate.h); NULL = none */
	/* called after every page and push; may be NULL */
	void (*progress)(void *ctx, const char *peer, uint64_t pulled, uint64_t pushed);
	void *progress_ctx;
};

struct ent_sync_result {
	uint64_t collections; /* readable collections walked */
	uint64_t pages;
	uint64_t pulled;             /* objects received */
	uint64_t added;              /* new object versions stored */
	uint64_t unchanged;          /* versions we already had */
	uint64_t rejected;           /* objects that failed the STIX checks */
	uint64_t pushed;             /* objects the peer confirmed */
	unsigned errors;             /* failed requests or collections */
	char error[ENT_ERRBUF_SIZE]; /* the first error, "" when none */
};

/*
 * Brings our own STIX sightings up to date with what the scans saw: one
 * sighting object per indicator, with count, first_seen and last_seen,
 * marked with the indicator's effective TLP (AMBER when the store has none
 * for it: a sighting carries at least its indicator's TLP), and a new
 * version (later `modified`) when any of these changed. Named: id
 * "sighting--" + UUIDv5(our identity id followed by the indicator id),
 * created_by_ref and where_sighted_refs our identity, signed with kp.
 * anonymous (policy.sightings = anonymous): neither created_by_ref nor
 * where_sighted_refs, not signed (the signature would name our key), and
 * the id derived from a keyed hash of kp's secret key instead of our
 * identity. Stored with source ENT_SYNC_LOCAL_SOURCE in one transaction;
 * *n_versions (may be NULL) counts the versions written.
 */
int ent_sync_sightings_update(struct ent_store *s, const char *identity_id,
                              const struct ent_keypair *kp, bool anonymous, size_t *n_versions,
                              char *errbuf) ENT_MUST_CHECK;

/*
 * Syncs with one peer (pull, then push). Fills *r. Returns ENT_OK when
 * every request succeeded, else the first error's code (r->error says
 * what); what succeeded before and after an error is kept.
 */
int ent_sync_peer(struct ent_store *s, const struct ent_peer *peer, const struct ent_sync_opts *o,
                  struct ent_sync_result *r) ENT_MUST_CHECK;

#endif
