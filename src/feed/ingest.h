/*
 * ingest.h - storing STIX objects that arrive one by one from the network:
 * the objects of a TAXII envelope that a peer adds to our server, or of a
 * page that `entente sync` fetched from a peer.
 *
 * Each object is checked and reduced exactly as `entente import` does
 * (prepare.c), then stored with its provenance (the source names the peer).
 * The caller owns the store transaction: it validates a whole envelope or
 * page first (ent_ingest_check on each object), then stores them between
 * ent_store_begin and ent_store_commit, so that a bad envelope writes
 * nothing.
 */
#ifndef ENT_FEED_INGEST_H
#define ENT_FEED_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "stix/tlp.h"
#include "trust/gate.h"
#include "store/store.h"

struct ent_ingest;

struct ent_ingest_opts {
	const char *source;       /* provenance name, e.g. "peer:alpha" */
	const char *source_kind;  /* "peer", "taxii" */
	const char *what;         /* recorded as the import's path, e.g. the page URL */
	enum ent_tlp default_tlp; /* for objects without a TLP marking */
	int default_confidence;   /* -1 = none */
	/* the trust gate (trust/gate.h), or NULL to store objects unjudged;
	 * peer is the delivering peer's name, unsigned_action the policy for
	 * unsigned objects of this input */
	struct ent_trust_gate *gate;
	const char *peer;
	enum ent_policy_unsigned unsigned_action;
};

/* Records the import (source, imports row). Call inside a transaction. */
int ent_ingest_begin(struct ent_store *s, const struct ent_ingest_opts *opts,
                     struct ent_ingest **out, char *errbuf) ENT_MUST_CHECK;
void ent_ingest_free(struct ent_ingest *in);

/* Checks one object's JSON text as STIX 2.1 without storing it: ENT_EPARSE
 * or ENT_EINVAL with errbuf saying what is wrong. Stateless, thread-safe. */
int ent_ingest_check(const char *json, size_t len, char *errbuf) ENT_MUST_CHECK;

/* Checks and stores one object; *result says what the store did, and the
 * row of the stored version (0 when unchanged and not looked up) is in
 * *rowid_out (may be NULL). ENT_EPERM when the trust gate rejects it
 * (errbuf says why), ENT_EPARSE / ENT_EINVAL when it is not valid STIX. */
int ent_ingest_object(struct ent_ingest *in, const char *json, size_t len,
                      enum ent_store_put_result *result, int64_t *rowid_out,
                      char *errbuf) ENT_MUST_CHECK;

#endif
