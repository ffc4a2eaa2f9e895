/*
 * sink.h - how the feed converters (MISP, CSV / plain lists) hand their
 * output to the importer.
 *
 * A converter reads one input and calls sink->object once per STIX 2.1
 * object it derives (identities first, then indicators), and sink->skip once
 * per input value it does not turn into an indicator. The importer behind
 * the sink owns everything else: the store, the transaction, the counts.
 * Objects are borrowed for the duration of the call: a sink that keeps one
 * takes its own reference (json_incref) or a copy.
 */
#ifndef ENT_FEED_SINK_H
#define ENT_FEED_SINK_H

#include <jansson.h>
#include <stdint.h>

#include "core/observable.h"

/* The lead's agreed text, kept as written. */
/* clang-format off */
struct ent_feed_opts {
	const char *source;       /* provenance name, e.g. "crowdsec"; part of derived ids */
	const char *default_tlp;  /* "clear","green","amber","amber+strict","red" or NULL: used when the input carries none */
	int default_confidence;   /* -1 = none */
	enum ent_obs_kind forced_kind; /* CSV --type, ENT_OBS_NONE = detect */
	int column;               /* CSV --column, 1-based; 0 = auto */
	const char *column_name;  /* CSV --column given as a header name, or NULL */
	int64_t timestamp_ms;     /* created/modified for objects derived from a list (the file's mtime) */
};
/* An indicator of one observable, as a list converter builds it; every
 * pointer is borrowed for the call. */
struct ent_feed_indicator {
	const char *json; /* the complete STIX object, compact */
	size_t json_len;
	const char *id;
	enum ent_obs_kind kind;
	const char *value; /* normalized; also the indicator's name */
	int64_t time_ms;   /* created = modified = valid_from */
	int confidence;    /* -1 = none */
	const char *tlp;   /* TLP name in the object's marking, or NULL */
};

struct ent_feed_sink {
	/* One STIX 2.1 object (borrowed for the call). where: "line 12" / "event 5a0a... attribute 17 (uuid)". Returns 0 or a negative ENT_E* code with errbuf filled; a failure aborts the conversion, which returns that code. */
	int (*object)(void *ctx, json_t *obj, const char *where, char *errbuf);
	/* A value that is not turned into an indicator, with a short stable reason ("to_ids is false", "unsupported MISP type 'text'", "invalid ip-dst value"). */
	void (*skip)(void *ctx, const char *reason, const char *where);
	void *ctx;
	/* Optional (may be NULL): the same as object, given as compact JSON text (borrowed for the call). Converters that can write the text directly use it and skip building a tree. Last, so that {object, skip, ctx} initializers leave it NULL. */
	int (*object_text)(void *ctx, const char *json, size_t len, const char *where, char *errbuf);
	/* Optional (may be NULL): an indicator the converter built itself, with the facts the importer would otherwise parse back out of its JSON text. Used by the list converters, whose millions of values are the largest imports. */
	int (*indicator)(void *ctx, const struct ent_feed_indicator *ind, const char *where, char *errbuf);
};
/* clang-format on */

#endif
