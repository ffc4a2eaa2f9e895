/*
 * prepare.h - turning one STIX object into what the store needs.
 *
 * Preparing is the CPU-heavy half of an import (JSON checks, the pattern
 * parser, normalization); storing is the other half. The importer runs
 * them on two threads, handing prepared objects over a bounded queue.
 */
#ifndef ENT_FEED_PREPARE_H
#define ENT_FEED_PREPARE_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/json.h"
#include "feed/import.h"
#include "stix/object.h"
#include "store/store.h"
#include "trust/policy.h"

#define ENT_PREPARED_MAX_OBS 256

struct ent_prepared {
	struct ent_json doc; /* the parsed object, reused: so's strings point into it */
	char *json_owned;    /* owned text when it is not borrowed from the input */
	const char *json;    /* the object's text as stored */
	size_t json_len;
	struct ent_stix_object so;
	struct ent_store_obs obs[ENT_PREPARED_MAX_OBS];
	size_t n_obs;
	const char *not_matchable; /* NULL, or points to reason */
	char reason[128];
	char where[160]; /* "objects[3]", "line 12", ... */
	size_t offset;   /* byte offset in the input, when has_offset */
	bool has_offset;
	/* ent_store_id_hash(so.id), worked out by the preparing thread so
	 * that the storing one need not; 0: not known */
	int64_t id_hash;
	struct ent_buf values; /* the normalized values, NUL-separated */
};

void ent_prepared_init(struct ent_prepared *p);
/* Starts bringing the slot's text (strings, JSON, values) into this core's
 * cache: another thread wrote it, and every first touch was a miss. */
void ent_prepared_prefetch(const struct ent_prepared *p);
/* The heap the slot holds now, in bytes. */
size_t ent_prepared_footprint(const struct ent_prepared *p);
/* Releases what the slot holds, keeping its buffers for reuse (unless they
 * grew large for one big object: those are given back). */
void ent_prepared_clear(struct ent_prepared *p);
void ent_prepared_free(struct ent_prepared *p);

/*
 * Parses the object text json (len bytes, which must outlive the slot's
 * use: the mapped input, or p->json_owned), checks it as a STIX object and
 * reduces an indicator's pattern to normalized observables. Counts objects,
 * indicators, observables and not-matchable reasons into sum. ENT_EPARSE
 * (malformed JSON, *err_off set to the offset in json) or ENT_EINVAL (not
 * valid STIX) with errbuf filled.
 */
int ent_prepare_object(struct ent_prepared *p, const char *json, size_t len,
                       struct ent_import_summary *sum, size_t *err_off,
                       char *errbuf) ENT_MUST_CHECK;

/* The store's view of a prepared object (pointers borrowed from p); objects
 * without a TLP marking or confidence get the defaults. */
void ent_prepared_to_store(const struct ent_prepared *p, enum ent_tlp default_tlp,
                           int default_confidence, struct ent_store_object *o);

/* Passes a prepared object through the trust gate (trust/gate.h): sets the
 * confidence to store in o, records what the gate learned about a peer,
 * or returns ENT_EPERM with the reason when the object is rejected. The
 * importer and ingest.c share it. */
struct ent_trust_gate;
int ent_ingest_judge(struct ent_store *s, struct ent_trust_gate *gate, const char *peer,
                     enum ent_policy_unsigned unsigned_action, const struct ent_prepared *p,
                     struct ent_store_object *o, char *errbuf) ENT_MUST_CHECK;

/* Adds one to the count of a not-matchable reason. */
void ent_import_count_reason(struct ent_import_summary *sum, const char *reason);

#endif
