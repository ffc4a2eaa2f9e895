/*
 * taxii.h - what the TAXII server reads from and writes to the store.
 *
 * A collection is a view over the store:
 *   - a TLP view holds every version of every object whose effective TLP is
 *     one of a given set (the objects table, in arrival order: seq is the
 *     object row, date_added its added_us);
 *   - an inbox holds what peers added to it (collection_objects: seq is that
 *     table's row, date_added the time of the add, in us).
 * Pages are walked by seq. A walk fixes its upper bound (the ceiling) on its
 * first page, so objects added while a client pages through a collection
 * are neither skipped nor repeated: they come in the next walk
 * (added_after).
 */
#ifndef ENT_STORE_TAXII_H
#define ENT_STORE_TAXII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define ENT_TAXII_MAX_MATCH 64 /* values of one match[] filter */

struct ent_taxii_view {
	const char *inbox;      /* inbox name, or NULL for a TLP view */
	const char *tlps[6];    /* TLP view: the TLP names it holds, NULL-terminated */
	bool unmarked;          /* TLP view: also objects without a TLP */
	int min_confidence;     /* TLP view: indicators below it are left out (0: none) */
	int unknown_confidence; /* what an indicator without confidence counts as */
};

enum ent_taxii_versions {
	ENT_TAXII_V_LAST = 1,
	ENT_TAXII_V_FIRST = 2,
	ENT_TAXII_V_ALL = 4,
};

struct ent_taxii_filter {
	int64_t added_after; /* ms, or ENT_TIME_NONE */
	const char *ids[ENT_TAXII_MAX_MATCH];
	size_t n_ids;
	const char *types[ENT_TAXII_MAX_MATCH];
	size_t n_types;
	unsigned versions;               /* ENT_TAXII_V_* bits; 0 with n_at == 0 means LAST */
	int64_t at[ENT_TAXII_MAX_MATCH]; /* match[version] timestamps, ms (STIX versions) */
	size_t n_at;
	int64_t after_seq; /* walk position (from next), 0 = start */
	int64_t ceiling;   /* walk bound (from next), 0 = fix it now */
	size_t limit;      /* page size, >= 1 */
};

struct ent_taxii_row {
	int64_t seq;
	const char *stix_id;
	const char *type;
	int64_t version_ms;
	int64_t added_us; /* date_added */
	const char *json;
	size_t json_len;
};

struct ent_taxii_page_info {
	size_t rows;
	bool more;
	int64_t last_seq;                /* of the last row given: the next page starts after it */
	int64_t ceiling;                 /* the walk's bound, to put in next */
	int64_t first_added, last_added; /* date_added (us) of the page's first and last row */
};

/* Calls fn for each row of one page of the view, in seq order. */
int ent_store_taxii_page(struct ent_store *s, const struct ent_taxii_view *v,
                         const struct ent_taxii_filter *f,
                         int (*fn)(void *ctx, const struct ent_taxii_row *r), void *ctx,
                         struct ent_taxii_page_info *info, char *errbuf) ENT_MUST_CHECK;

/* Adds the object version at object_rowid to an inbox (once). */
int ent_store_inbox_add(struct ent_store *s, const char *inbox, int64_t object_rowid,
                        int64_t peer_id, char *errbuf) ENT_MUST_CHECK;
/* Removes the versions of stix_id that f selects (ids/types ignored) from
 * an inbox; *removed counts them. */
int ent_store_inbox_delete(struct ent_store *s, const char *inbox, const char *stix_id,
                           const struct ent_taxii_filter *f, size_t *removed,
                           char *errbuf) ENT_MUST_CHECK;

/* A status resource (TAXII 2.1 section 4.3): details is its JSON text of
 * "successes"/"failures"/"pendings" members. */
struct ent_taxii_status {
	char id[64];
	int64_t peer_id;
	const char *collection;
	int64_t request_ms;
	int64_t total, success, failure, pending;
	const char *details;
};

int ent_store_taxii_status_put(struct ent_store *s, const struct ent_taxii_status *st,
                               char *errbuf) ENT_MUST_CHECK;
/* ENT_ENOTFOUND when there is none with that id; fn gets it borrowed. */
int ent_store_taxii_status_get(struct ent_store *s, const char *id,
                               int (*fn)(void *ctx, const struct ent_taxii_status *st), void *ctx,
                               char *errbuf) ENT_MUST_CHECK;

#endif
