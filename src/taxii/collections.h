/*
 * collections.h - the TAXII collections a node serves, from the
 * [collections] section of its configuration:
 *
 *   NAME = [tlp:LEVEL] read:GROUPS write:GROUPS
 *
 * A collection with tlp: is a TLP view: it holds every object of the store
 * whose effective TLP is at most LEVEL (clear, green or amber: amber+strict
 * and red never leave the node). One without is an inbox, holding what
 * peers add to it. GROUPS: comma-separated peer groups, '*' for any
 * authenticated peer, '-' for none. A collection's id is a UUIDv5 of the
 * node identity and its name, so it stays the same across restarts.
 */
#ifndef ENT_TAXII_COLLECTIONS_H
#define ENT_TAXII_COLLECTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "node/config.h"
#include "stix/tlp.h"
#include "store/taxii.h"
#include "taxii/http_server.h"

#define ENT_TAXII_MAX_COLLECTIONS 32

struct ent_taxii_collection {
	char name[64];
	char id[40];          /* UUID */
	enum ent_tlp max_tlp; /* ENT_TLP_NONE: an inbox */
	char read[256];       /* groups: "*", "-" or "a,b" */
	char write[256];
	struct ent_taxii_view view;
};

struct ent_taxii_collections {
	struct ent_taxii_collection c[ENT_TAXII_MAX_COLLECTIONS];
	size_t n;
};

/* Reads [collections] (the defaults when the section is empty). default_tlp
 * is the TLP of objects stored without one. */
int ent_taxii_collections_load(const struct ent_config *cfg, const char *identity_id,
                               enum ent_tlp default_tlp, struct ent_taxii_collections *out,
                               char *errbuf) ENT_MUST_CHECK;

/* The collection with this id, or NULL. */
const struct ent_taxii_collection *ent_taxii_collection_find(const struct ent_taxii_collections *cs,
                                                             const char *id);

/* Whether who (NULL = nobody) may read / write it. */
bool ent_taxii_can_read(const struct ent_taxii_collection *c, const struct ent_http_principal *who);
bool ent_taxii_can_write(const struct ent_taxii_collection *c,
                         const struct ent_http_principal *who);

#endif
