/*
 * store_feedback.c - the current version of an object, and the sightings
 * and opinions that came back about an indicator (see feedback.h).
 *
 * Stored JSON was checked by our own parser when it arrived; SQLite's JSON
 * functions are asked about a row only once json_valid() agreed, so one
 * row SQLite reads differently cannot make a whole query fail.
 */
#include "store/feedback.h"

#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "store/storeInt.h"

static const char *const opinion_names[ENT_OPINION_COUNT] = {
    "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree",
};

const char *ent_opinion_name(enum ent_opinion op)
{
	return (unsigned)op < ENT_OPINION_COUNT ? opinion_names[op] : NULL;
}

enum ent_opinion ent_opinion_parse(const char *s)
{
	for (int i = 0; s != NULL && i < ENT_OPINION_COUNT; i++)
		if (strcmp(s, opinion_names[i]) == 0)
			return (enum ent_opinion)i;
	return ENT_OPINION_OTHER;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A copy of column i, NULL when it is NULL. *ok turns false when the copy
 * could not be made. */
static char *col_dup(sqlite3_stmt *st, int i, bool *ok)
{
	const char *v = col_text(st, i);
	char *d;

	if (v == NULL)
		return NULL;
	d = strdup(v);
	if (d == NULL)
		*ok = false;
	return d;
}

void ent_feedback_object_clear(struct ent_feedback_object *o)
{
	if (o == NULL)
		return;
	free(o->stix_id);
	free(o->type);
	free(o->created_by_ref);
	free(o->tlp);
	free(o->source);
	free(o->json);
	memset(o, 0, sizeof(*o));
}

int ent_feedback_object_get(struct ent_store *s, const char *stix_id,
                            struct ent_feedback_object *out, char *errbuf)
{
	static const char *const sql =
	    "SELECT o.stix_id, o.type, o.version_ms, o.revoked, o.created_by_ref, o.tlp,"
	    " (SELECT name FROM sources WHERE id = o.source_id), o.json"
	    " FROM object_ids i JOIN objects o ON o.rowid = i.object_rowid"
	    " WHERE i.id_hash = ent_id_hash(?1) AND o.stix_id = ?1 AND o.is_current = 1";
	sqlite3_stmt *st = NULL;
	bool ok = true;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading an object");
	sqlite3_bind_text(st, 1, stix_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = ent_errf(errbuf, ENT_ENOTFOUND, "no object with id '%s'", stix_id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = ent_store_sqlerr(s, errbuf, "reading an object");
		goto out;
	}
	out->stix_id = col_dup(st, 0, &ok);
	out->type = col_dup(st, 1, &ok);
	out->version_ms = sqlite3_column_int64(st, 2);
	out->revoked = sqlite3_column_int(st, 3) != 0;
	out->created_by_ref = col_dup(st, 4, &ok);
	out->tlp = col_dup(st, 5, &ok);
	out->source = col_dup(st, 6, &ok);
	out->json = col_dup(st, 7, &ok);
	if (!ok || out->stix_id == NULL || out->type == NULL || out->json == NULL) {
		ent_feedback_object_clear(out);
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out;
	}
	rc = ENT_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* A STIX timestamp column, ENT_TIME_NONE when absent or not one. */
static int64_t col_time(sqlite3_stmt *st, int i)
{
	const char *v = col_text(st, i);
	int64_t ms;

	if (v == NULL || sqlite3_column_type(st, i) != SQLITE_TEXT ||
	    ent_time_parse(v, strlen(v), &ms) != ENT_OK)
		return ENT_TIME_NONE;
	return ms;
}

int ent_feedback_sightings_foreach(struct ent_store *s, const char *indicator_id,
                                   int (*fn)(void *ctx, const struct ent_feedback_sighting *sg),
                                   void *ctx, char *errbuf)
{
	static const char *const sql =
	    "SELECT o.stix_id, o.created_by_ref, (SELECT name FROM sources WHERE id = o.source_id),"
	    " o.tlp, json_extract(o.json, '$.count'), json_extract(o.json, '$.first_seen'),"
	    " json_extract(o.json, '$.last_seen'), o.version_ms"
	    " FROM objects o"
	    " WHERE o.type = 'sighting' AND o.is_current = 1 AND o.revoked = 0"
	    " AND CASE WHEN json_valid(o.json)"
	    "     THEN json_extract(o.json, '$.sighting_of_ref') = ?1 ELSE 0 END"
	    " ORDER BY o.rowid";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading sightings");
	sqlite3_bind_text(st, 1, indicator_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_feedback_sighting sg = {
		    .stix_id = col_text(st, 0),
		    .created_by_ref = col_text(st, 1),
		    .source = col_text(st, 2),
		    .tlp = col_text(st, 3),
		    .count = sqlite3_column_type(st, 4) == SQLITE_INTEGER
		                 ? sqlite3_column_int64(st, 4)
		                 : -1,
		    .first_seen = col_time(st, 5),
		    .last_seen = col_time(st, 6),
		    .modified_ms = sqlite3_column_int64(st, 7),
		};
		int r;

		if (sg.count < -1)
			sg.count = -1; /* a negative count is no count */
		r = fn(ctx, &sg);
		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "reading sightings");
	else
		rc = ENT_OK;
	sqlite3_finalize(st);
	return rc;
}

int ent_feedback_opinions_foreach(struct ent_store *s, const char *indicator_id,
                                  int (*fn)(void *ctx, const struct ent_feedback_opinion *op),
                                  void *ctx, char *errbuf)
{
	static const char *const sql =
	    "SELECT o.stix_id, o.created_by_ref, (SELECT name FROM sources WHERE id = o.source_id),"
	    " o.tlp, json_extract(o.json, '$.opinion'), json_extract(o.json, '$.explanation'),"
	    " o.version_ms"
	    " FROM objects o"
	    " WHERE o.type = 'opinion' AND o.is_current = 1 AND o.revoked = 0"
	    " AND CASE WHEN json_valid(o.json) AND json_type(o.json, '$.object_refs') = 'array'"
	    "     THEN EXISTS (SELECT 1 FROM json_each(o.json, '$.object_refs') r"
	    "       WHERE r.value = ?1) ELSE 0 END"
	    " ORDER BY o.rowid";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading opinions");
	sqlite3_bind_text(st, 1, indicator_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_feedback_opinion op = {
		    .stix_id = col_text(st, 0),
		    .created_by_ref = col_text(st, 1),
		    .source = col_text(st, 2),
		    .tlp = col_text(st, 3),
		    .opinion = sqlite3_column_type(st, 4) == SQLITE_TEXT ? col_text(st, 4) : NULL,
		    .explanation =
		        sqlite3_column_type(st, 5) == SQLITE_TEXT ? col_text(st, 5) : NULL,
		    .modified_ms = sqlite3_column_int64(st, 6),
		};
		int r;

		op.value = ent_opinion_parse(op.opinion);
		r = fn(ctx, &op);
		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "reading opinions");
	else
		rc = ENT_OK;
	sqlite3_finalize(st);
	return rc;
}

static int sum_sighting(void *ctx, const struct ent_feedback_sighting *sg)
{
	struct ent_feedback_summary *sum = ctx;

	sum->sightings++;
	sum->count += sg->count < 0 ? 1 : (uint64_t)sg->count;
	if (sg->first_seen != ENT_TIME_NONE &&
	    (sum->first_seen == ENT_TIME_NONE || sg->first_seen < sum->first_seen))
		sum->first_seen = sg->first_seen;
	if (sg->last_seen != ENT_TIME_NONE &&
	    (sum->last_seen == ENT_TIME_NONE || sg->last_seen > sum->last_seen))
		sum->last_seen = sg->last_seen;
	return 0;
}

static int sum_opinion(void *ctx, const struct ent_feedback_opinion *op)
{
	struct ent_feedback_summary *sum = ctx;

	sum->opinions++;
	sum->per_opinion[op->value]++;
	return 0;
}

int ent_feedback_summarize(struct ent_store *s, const char *indicator_id,
                           struct ent_feedback_summary *out, char *errbuf)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->first_seen = ENT_TIME_NONE;
	out->last_seen = ENT_TIME_NONE;
	rc = ent_feedback_sightings_foreach(s, indicator_id, sum_sighting, out, errbuf);
	if (rc == ENT_OK)
		rc = ent_feedback_opinions_foreach(s, indicator_id, sum_opinion, out, errbuf);
	return rc;
}
