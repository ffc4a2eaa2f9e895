/*
 * taxii.h - the TAXII 2.1 endpoints of `entente serve`.
 *
 * One API root, "/api/", under the discovery endpoint "/taxii2/". The
 * handler runs on the HTTP server's threads; each thread opens its own
 * connection to the store (SQLite connections are not shared between
 * threads), kept until ent_taxii_free.
 *
 * Access (who is the principal the HTTP server authenticated):
 *   - no valid credentials: 401 on every endpoint, before anything is
 *     looked up;
 *   - a collection the principal can neither read nor write is answered
 *     exactly like one that does not exist (404), so its existence is not
 *     revealed; one it can see but lacks the right for (reading a
 *     write-only inbox, writing a TLP view) gets 403.
 */
#ifndef ENT_TAXII_TAXII_H
#define ENT_TAXII_TAXII_H

#include <stddef.h>

#include "core/error.h"
#include "stix/tlp.h"
#include "trust/gate.h"
#include "taxii/collections.h"
#include "taxii/http_server.h"

#define ENT_TAXII_MEDIA "application/taxii+json;version=2.1"
#define ENT_STIX_MEDIA  "application/stix+json;version=2.1"

struct ent_taxii_opts {
	const char *store_path;
	const char *identity_id;
	const char *title;
	const char *description;                         /* may be NULL */
	const struct ent_taxii_collections *collections; /* copied */
	size_t max_page;                                 /* limit= is capped here */
	size_t default_page;                             /* page size without limit= */
	size_t max_objects;                              /* per envelope added */
	size_t max_body;                                 /* advertised as max_content_length */
	enum ent_tlp default_tlp;                        /* of objects stored without a TLP */
	int default_confidence;
	struct ent_trust_gate *gate; /* what peers add passes it (trust/gate.h); may be NULL */
	int min_export_confidence; /* policy.min_confidence_export: indicators below are not served
	                            */
	int unknown_confidence;    /* policy.unknown_confidence */
};

struct ent_taxii;

int ent_taxii_new(const struct ent_taxii_opts *opts, struct ent_taxii **out,
                  char *errbuf) ENT_MUST_CHECK;
void ent_taxii_free(struct ent_taxii *t);

/* The ent_http_handler_fn: ctx is the struct ent_taxii. */
void ent_taxii_handle(void *ctx, const struct ent_http_request *req,
                      struct ent_http_response *resp);

#endif
