/* store_sync.c - sync cursors, what was pushed to whom (see sync_state.h). */
#include "store/sync_state.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "store/storeInt.h"

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", v ? v : "");
}

int ent_sync_cursor_get(struct ent_store *s, int64_t peer_id, const char *collection_url,
                        struct ent_sync_cursor *out, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(s->db,
	                       "SELECT added_after, next FROM sync_cursors"
	                       " WHERE peer_id = ?1 AND collection_url = ?2",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading a sync cursor");
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_text(st, 2, collection_url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		copy_col(st, 0, out->added_after, sizeof(out->added_after));
		copy_col(st, 1, out->next, sizeof(out->next));
		rc = ENT_OK;
	} else if (rc == SQLITE_DONE) {
		rc = ENT_OK;
	} else {
		rc = ent_store_sqlerr(s, errbuf, "reading a sync cursor");
	}
	sqlite3_finalize(st);
	return rc;
}

int ent_sync_cursor_put(struct ent_store *s, int64_t peer_id, const char *collection_url,
                        const struct ent_sync_cursor *c, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "INSERT OR REPLACE INTO sync_cursors"
	                       " (peer_id, collection_url, added_after, next, updated_ms)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5)",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "writing a sync cursor");
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_text(st, 2, collection_url, -1, SQLITE_STATIC);
	if (c->added_after[0] != '\0')
		sqlite3_bind_text(st, 3, c->added_after, -1, SQLITE_STATIC);
	if (c->next[0] != '\0')
		sqlite3_bind_text(st, 4, c->next, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ent_time_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "writing a sync cursor");
	sqlite3_finalize(st);
	return rc;
}

int ent_sync_pushed_mark(struct ent_store *s, int64_t peer_id, int64_t object_rowid, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT OR IGNORE INTO sync_pushed (peer_id, object_rowid, pushed_ms)"
	        " VALUES (?1, ?2, ?3)",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "recording a push");
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_int64(st, 2, object_rowid);
	sqlite3_bind_int64(st, 3, ent_time_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "recording a push");
	sqlite3_finalize(st);
	return rc;
}

int ent_sync_push_foreach(struct ent_store *s, int64_t peer_id, const char *peer_source,
                          int (*fn)(void *ctx, const struct ent_sync_push_obj *o), void *ctx,
                          char *errbuf)
{
	/* ?1 the peer, ?2 its source, ?3 our own source */
	static const char *const sql =
	    "WITH src(id) AS (SELECT id FROM sources WHERE name = ?2),"
	    " mine(id) AS (SELECT id FROM sources WHERE name = ?3)"
	    " SELECT o.rowid, o.stix_id, o.type, o.json FROM objects o"
	    " WHERE o.is_current = 1 AND o.type IN ('sighting', 'opinion')"
	    " AND (o.tlp IS NULL OR o.tlp <> 'red')"
	    " AND NOT EXISTS (SELECT 1 FROM sync_pushed p"
	    "     WHERE p.peer_id = ?1 AND p.object_rowid = o.rowid)"
	    /* ours, or relayed: some version of it was written to one of our
	     * collections by a peer other than this one */
	    " AND (o.source_id IN (SELECT id FROM mine)"
	    "   OR EXISTS (SELECT 1 FROM object_ids i JOIN objects v ON v.rowid = i.object_rowid"
	    "     JOIN collection_objects c ON c.object_rowid = v.rowid"
	    "     WHERE i.id_hash = ent_id_hash(o.stix_id) AND v.stix_id = o.stix_id"
	    "     AND (c.peer_id IS NULL OR c.peer_id <> ?1)))"
	    /* about an indicator this peer delivered */
	    " AND EXISTS (SELECT 1 FROM json_each(CASE o.type"
	    "     WHEN 'sighting' THEN json_array(json_extract(o.json, '$.sighting_of_ref'))"
	    "     ELSE json_extract(o.json, '$.object_refs') END) r"
	    "   JOIN object_ids i ON i.id_hash = ent_id_hash(r.value)"
	    "   JOIN objects d ON d.rowid = i.object_rowid"
	    "   WHERE d.stix_id = r.value AND d.type = 'indicator'"
	    "   AND (d.source_id IN (SELECT id FROM src) OR EXISTS (SELECT 1 FROM provenance pv"
	    "     WHERE pv.object_rowid = d.rowid AND pv.source_id IN (SELECT id FROM src))))"
	    " ORDER BY o.rowid";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "finding objects to push");
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_text(st, 2, peer_source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ENT_SYNC_LOCAL_SOURCE, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_sync_push_obj o = {
		    .rowid = sqlite3_column_int64(st, 0),
		    .stix_id = (const char *)sqlite3_column_text(st, 1),
		    .type = (const char *)sqlite3_column_text(st, 2),
		    .json = (const char *)sqlite3_column_text(st, 3),
		};
		int r = fn(ctx, &o);

		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "finding objects to push");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return ENT_OK;
}
