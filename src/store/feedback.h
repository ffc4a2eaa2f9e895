/*
 * feedback.h - what came back about an indicator, and the current version
 * of an object as the lifecycle commands (revoke, dispute) need it.
 *
 * Feedback is STIX: sighting objects whose sighting_of_ref is the indicator
 * (ours, made by `entente sync` from our scans, and those peers pushed to
 * our inbox or that we pulled), and opinion objects whose object_refs hold
 * it. Only the current version of each counts, and not when that version
 * revokes the object: a sighting's count is cumulative in its producer's
 * view (each new version replaces the last), so the sum over the latest
 * versions is the number of times it was seen, each reporter counted once.
 *
 * A sighting without a count counts as 1 (it was seen, how often is not
 * said). "Who" is the object's created_by_ref, or, when it has none (an
 * anonymous sighting), the source that delivered it.
 *
 * The queries read the objects table by type (there is no index on the
 * referenced id): fine for a command run by hand, not for a hot path.
 */
#ifndef ENT_STORE_FEEDBACK_H
#define ENT_STORE_FEEDBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* The current version of one object; strings owned by the struct. */
struct ent_feedback_object {
	char *stix_id;
	char *type;
	int64_t version_ms;
	bool revoked;
	char *created_by_ref; /* NULL when absent */
	char *tlp;            /* effective TLP name as stored, NULL when none */
	char *source;         /* the source that first delivered this version */
	char *json;
};

/*
 * Fills *out with a copy of the current version of stix_id. ENT_ENOTFOUND
 * (errbuf says so) when the store has no object with that id. The caller
 * releases it with ent_feedback_object_clear (also after a failure).
 */
int ent_feedback_object_get(struct ent_store *s, const char *stix_id,
                            struct ent_feedback_object *out, char *errbuf) ENT_MUST_CHECK;
void ent_feedback_object_clear(struct ent_feedback_object *o);

/* One sighting of the indicator: the current version of one sighting
 * object. Borrowed for the callback. */
struct ent_feedback_sighting {
	const char *stix_id;
	const char *created_by_ref; /* NULL when absent */
	const char *source;
	const char *tlp;    /* NULL when none */
	int64_t count;      /* -1 when absent */
	int64_t first_seen; /* ENT_TIME_NONE when absent */
	int64_t last_seen;  /* ENT_TIME_NONE when absent */
	int64_t modified_ms;
};

/* Calls fn for each such sighting, in row order. A non-zero return from
 * fn stops the walk and is returned. */
int ent_feedback_sightings_foreach(struct ent_store *s, const char *indicator_id,
                                   int (*fn)(void *ctx, const struct ent_feedback_sighting *sg),
                                   void *ctx, char *errbuf) ENT_MUST_CHECK;

/* The five values of STIX 2.1 section 4.12's opinion-enum, in order. */
enum ent_opinion {
	ENT_OPINION_STRONGLY_DISAGREE,
	ENT_OPINION_DISAGREE,
	ENT_OPINION_NEUTRAL,
	ENT_OPINION_AGREE,
	ENT_OPINION_STRONGLY_AGREE,
	ENT_OPINION_COUNT,
	ENT_OPINION_OTHER = ENT_OPINION_COUNT, /* not one of the five */
};

/* "strongly-disagree", ...; NULL for OTHER. */
const char *ent_opinion_name(enum ent_opinion op);
enum ent_opinion ent_opinion_parse(const char *s);

/* One opinion about the indicator (current version); borrowed. */
struct ent_feedback_opinion {
	const char *stix_id;
	const char *created_by_ref; /* NULL when absent */
	const char *source;
	const char *tlp;         /* NULL when none */
	const char *opinion;     /* as written; NULL when absent */
	const char *explanation; /* NULL when absent */
	enum ent_opinion value;
	int64_t modified_ms;
};

int ent_feedback_opinions_foreach(struct ent_store *s, const char *indicator_id,
                                  int (*fn)(void *ctx, const struct ent_feedback_opinion *op),
                                  void *ctx, char *errbuf) ENT_MUST_CHECK;

/* Everything that came back about one indicator, summed up. */
struct ent_feedback_summary {
	uint64_t sightings; /* sighting objects */
	uint64_t count;     /* sum of their counts (absent = 1) */
	int64_t first_seen; /* earliest first_seen, ENT_TIME_NONE when none */
	int64_t last_seen;  /* latest last_seen, ENT_TIME_NONE when none */
	uint64_t opinions;  /* opinion objects */
	uint64_t per_opinion[ENT_OPINION_COUNT + 1]; /* by enum ent_opinion, OTHER last */
};

int ent_feedback_summarize(struct ent_store *s, const char *indicator_id,
                           struct ent_feedback_summary *out, char *errbuf) ENT_MUST_CHECK;

#endif
