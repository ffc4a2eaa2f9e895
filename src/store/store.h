/*
 * store.h - the node's store: every STIX object with all its versions, its
 * provenance, and the matchable observables of indicators.
 *
 * All writes to the database go through this module. The backend is SQLite
 * in WAL mode with foreign keys on; the schema carries a version and
 * forward migrations are applied when the store is opened (schema.c).
 *
 * Versions: an object is identified by its STIX id; each version by the id
 * and its `modified` time (milliseconds; `created` for objects that have no
 * `modified`, 0 for those with neither). Exactly one version per id is
 * "current": the one with the latest time. A newer version supersedes the
 * current one; an older one is kept as history; the same version again
 * changes nothing but may add a provenance row (another source delivered it).
 *
 * Transactions: the importer wraps one input file in ent_store_begin /
 * ent_store_commit, and calls ent_store_rollback on any failure, so a file
 * that fails leaves the store exactly as it was.
 */
#ifndef ENT_STORE_STORE_H
#define ENT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/observable.h"

struct ent_store;

#define ENT_STORE_CREATE   0x1 /* create the database file if missing */
#define ENT_STORE_READONLY 0x2 /* open for reading only */

#define ENT_TIME_NONE INT64_MIN /* an absent optional time */

/* Opens (and migrates) the store at path. Caller closes with ent_store_close. */
int ent_store_open(const char *path, int flags, struct ent_store **out,
                   char *errbuf) ENT_MUST_CHECK;
void ent_store_close(struct ent_store *s);
/* The schema version the store is at after opening. */
int ent_store_schema_version(const struct ent_store *s);

int ent_store_begin(struct ent_store *s, char *errbuf) ENT_MUST_CHECK;
int ent_store_commit(struct ent_store *s, char *errbuf) ENT_MUST_CHECK;
void ent_store_rollback(struct ent_store *s);

/*
 * Bulk mode, for large imports, begun outside a transaction: the store
 * loads the id hash of every object into memory once (8-16 bytes per
 * object), so that putting an object whose id is new needs no lookup, and
 * when no other connection has the store open it uses a rollback journal
 * instead of WAL until ent_store_bulk_end (new pages are then written once,
 * not twice). Ends with ent_store_bulk_end, after the commit or rollback;
 * ent_store_close ends it too.
 */
int ent_store_bulk_begin(struct ent_store *s, char *errbuf) ENT_MUST_CHECK;
void ent_store_bulk_end(struct ent_store *s);

/* The id of the source called name, created (with kind, e.g. "file",
 * "misp-feed", "peer") if it does not exist yet. */
int ent_store_source_id(struct ent_store *s, const char *name, const char *kind, int64_t *id_out,
                        char *errbuf) ENT_MUST_CHECK;
/* Records the start of one import of path from a source; the id tags every
 * object version that this import adds. */
int ent_store_import_begin(struct ent_store *s, int64_t source_id, const char *path,
                           int64_t *import_id_out, char *errbuf) ENT_MUST_CHECK;

struct ent_store_obs {
	enum ent_obs_kind kind;
	const char *value; /* normalized */
};

/* One version of one STIX object, as the importer hands it over. All
 * pointers are borrowed for the duration of the call. */
struct ent_store_object {
	const char *stix_id;
	const char *type;
	int64_t version_ms;
	bool revoked;
	const char *created_by_ref; /* may be NULL */
	int confidence;             /* 0..100, or -1 when absent */
	const char *tlp;            /* effective TLP name, or NULL */
	const char *json;           /* the object's JSON text */
	size_t json_len;
	/* indicators only (NULL / ENT_TIME_NONE otherwise): */
	const char *name;
	const char *pattern_type;
	int64_t valid_from;
	int64_t valid_until;
	const char *not_matchable; /* reason, or NULL when it has observables */
	const struct ent_store_obs *obs;
	size_t n_obs;
	/* ent_store_id_hash(stix_id), from the caller or set by
	 * ent_store_object_prefetch; 0: put computes it */
	int64_t id_hash;
};

enum ent_store_put_result {
	ENT_PUT_NEW,        /* first version of this id */
	ENT_PUT_SUPERSEDED, /* a newer version replaced the current one */
	ENT_PUT_HISTORY,    /* an older version, kept as history */
	ENT_PUT_UNCHANGED,  /* this exact version was already stored */
	ENT_PUT_DUPLICATE,  /* this import already gave this version a different content */
};

/* The keyed 63-bit hash of a STIX id that versions are found by (SQL sees
 * it as ent_id_hash(text)). It reads only the store's key, fixed at open:
 * any thread may call it while another uses the store. */
int64_t ent_store_id_hash(const struct ent_store *s, const char *stix_id);

/* Computes o->id_hash (unless set) and starts bringing what ent_store_object_put will
 * look up for o into the cache: called a few objects ahead of the put, it
 * hides the memory latency of a bulk import's id map. */
void ent_store_object_prefetch(struct ent_store *s, struct ent_store_object *o);

/* Stores one object version (see the version rules above). */
int ent_store_object_put(struct ent_store *s, int64_t import_id, int64_t source_id,
                         const struct ent_store_object *o, enum ent_store_put_result *result,
                         char *errbuf) ENT_MUST_CHECK;

/* The row of the version the last ent_store_object_put stored or found
 * (objects.rowid), for tables that refer to it. */
int64_t ent_store_last_put_rowid(const struct ent_store *s);

/* ---- reading ---- */

struct ent_store_indicator {
	const char *stix_id;
	const char *name;
	const char *source; /* the source that first delivered this version */
	const char *created_by_ref;
	const char *tlp;
	int confidence; /* -1 when absent */
	bool revoked;
	int64_t modified_ms;
	int64_t valid_from;
	int64_t valid_until;
	const char *pattern;
	const char *not_matchable;
	const char *kinds; /* comma-separated observable kinds */
};

struct ent_store_indicator_filter {
	enum ent_obs_kind kind; /* ENT_OBS_NONE = any */
	const char *source;     /* NULL = any */
	bool all;               /* include revoked and expired */
	int64_t now_ms;         /* reference time for expiry */
};

/* Calls fn once per current indicator version that passes the filter, in
 * STIX id order. The record is borrowed for the call. A non-zero return
 * from fn stops the walk and is returned. */
int ent_store_indicators_foreach(struct ent_store *s, const struct ent_store_indicator_filter *f,
                                 int (*fn)(void *ctx, const struct ent_store_indicator *ind),
                                 void *ctx, char *errbuf) ENT_MUST_CHECK;

struct ent_store_version {
	int64_t version_ms;
	bool is_current;
	bool revoked;
	const char *json;
	const char *not_matchable;
	const char *provenance;  /* "source@time, ..." */
	const char *observables; /* "kind value\n..." */
};

/* Calls fn once per stored version of stix_id, newest first.
 * ENT_ENOTFOUND when the store has no object with that id. */
int ent_store_versions_foreach(struct ent_store *s, const char *stix_id,
                               int (*fn)(void *ctx, const struct ent_store_version *v), void *ctx,
                               char *errbuf) ENT_MUST_CHECK;

/* ---- what the sensor matches, and what it saw ---- */

/* One observable of one active indicator: the current version, not
 * revoked, valid at now (valid_from <= now < valid_until). Borrowed. */
struct ent_store_active_obs {
	const char *stix_id;
	const char *name;
	const char *source;
	const char *created_by_ref;
	const char *tlp;
	int confidence;     /* -1 when absent */
	int64_t version_ms; /* modified (or created) of the version */
	enum ent_obs_kind kind;
	const char *value;
};

/* Calls fn for every observable of every active indicator, grouped by
 * indicator (consecutive calls with the same stix_id). */
int ent_store_active_observables_foreach(struct ent_store *s, int64_t now_ms,
                                         int (*fn)(void *ctx, const struct ent_store_active_obs *o),
                                         void *ctx, char *errbuf) ENT_MUST_CHECK;

/* Most flows kept per sighting; the count goes on beyond it. */
#define ENT_SIGHTING_MAX_FLOWS 1000

/* Records the start of a scan over inputs (a human-readable list). */
int ent_store_scan_begin(struct ent_store *s, const char *inputs, int64_t *scan_id,
                         char *errbuf) ENT_MUST_CHECK;
int ent_store_scan_end(struct ent_store *s, int64_t scan_id, uint64_t packets, uint64_t bytes,
                       uint64_t flows, uint64_t alerts, char *errbuf) ENT_MUST_CHECK;

struct ent_store_sighting_flow {
	uint64_t flow_id;
	int64_t seen_ms;
	const char *src, *dst;
	uint16_t src_port, dst_port;
	uint8_t proto;
	const char *where; /* "flow", "dns.qry.name", "tls.sni", ... */
	enum ent_obs_kind kind;
	const char *value;
};

/* Records what one scan saw of one indicator: count alerts (flows) between
 * first_ms and last_ms, and up to ENT_SIGHTING_MAX_FLOWS of the flows. */
int ent_store_sighting_put(struct ent_store *s, int64_t scan_id, const char *indicator_id,
                           uint64_t count, int64_t first_ms, int64_t last_ms,
                           const struct ent_store_sighting_flow *flows, size_t n_flows,
                           char *errbuf) ENT_MUST_CHECK;

/* A sighting aggregated over every scan: STIX Sighting semantics. */
struct ent_store_sighting {
	const char *indicator_id;
	const char *name;   /* the indicator's current name, may be NULL */
	const char *source; /* who delivered the indicator */
	const char *created_by_ref;
	uint64_t count;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	uint64_t scans;
	const char *flows; /* "src:port -> dst:port proto where value\n..." (the latest 20) */
};

int ent_store_sightings_foreach(struct ent_store *s,
                                int (*fn)(void *ctx, const struct ent_store_sighting *sg),
                                void *ctx, char *errbuf) ENT_MUST_CHECK;

/* Row counts of every table, for tests that check a failed import changed
 * nothing: fills up to max "table=count" pairs, returns how many. */
struct ent_store_table_count {
	char table[32];
	int64_t rows;
	uint64_t checksum; /* order-independent hash of every row's content */
};
int ent_store_table_counts(struct ent_store *s, struct ent_store_table_count *out, size_t max,
                           size_t *n_out, char *errbuf) ENT_MUST_CHECK;

#endif
