/*
 * import.h - importing intelligence files into the store.
 *
 * The format is detected from the content, never the name: a JSON document
 * with a top-level "type" (or an array) is STIX 2.1; a JSON object without
 * one that looks like a MISP event is MISP; a directory with manifest.json
 * is a MISP feed; text is a CSV or plain list. Each path is imported in one
 * store transaction: it lands whole or not at all.
 */
#ifndef ENT_FEED_IMPORT_H
#define ENT_FEED_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/observable.h"
#include "stix/tlp.h"
#include "store/store.h"
#include "trust/gate.h"

struct ent_import_opts {
	const char *source;            /* provenance name; NULL = the file's base name */
	enum ent_tlp default_tlp;      /* for objects without a TLP marking */
	int default_confidence;        /* for objects without confidence; -1 = none */
	enum ent_obs_kind forced_kind; /* CSV: force the value type */
	int column;                    /* CSV: 1-based value column, 0 = auto */
	const char *column_name;       /* CSV: value column by header name */
	bool progress;                 /* draw a progress bar on a terminal */
	bool via_json;                 /* lists: hand indicators over as JSON text only (the
	                                  tests compare this path with the direct one) */
	size_t bulk_min_bytes;         /* inputs this large use the store's bulk mode; 0 = 4 MiB
	                                  (the tests set 1 to exercise it) */
	struct ent_trust_gate *gate;   /* signatures and belief (trust/gate.h); NULL = none */
	enum ent_policy_unsigned unsigned_action; /* for unsigned objects of this input */
};

#define ENT_IMPORT_MAX_REASONS 32

struct ent_import_reason {
	char reason[96];
	size_t count;
};

struct ent_import_summary {
	char format[16];      /* "stix", "misp", "misp-feed", "csv" */
	size_t objects;       /* objects read from the input */
	size_t indicators;    /* of which indicators */
	size_t observables;   /* matchable observables of those indicators */
	size_t added;         /* new objects */
	size_t unchanged;     /* versions the store already had */
	size_t superseded;    /* newer versions that replaced the current one */
	size_t history;       /* older versions kept as history */
	size_t revoked;       /* versions that revoke their object */
	size_t not_matchable; /* indicators or values without a matchable observable */
	struct ent_import_reason reasons[ENT_IMPORT_MAX_REASONS];
	size_t n_reasons;
	double elapsed_s;
};

/* Imports path (a file or a MISP feed directory) in one transaction.
 * On failure the store is unchanged and errbuf says where and what:
 * "feed.json: line 3, column 5 (byte 40): objects[0] (indicator--...): ...". */
int ent_import_path(struct ent_store *s, const char *path, const struct ent_import_opts *opts,
                    struct ent_import_summary *sum, char *errbuf) ENT_MUST_CHECK;

#endif
