/* store_read.c - the store's read queries (see store.h). */
#include "store/storeInt.h"

#include <stdio.h>
#include <string.h>

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? ENT_TIME_NONE
	                                                 : sqlite3_column_int64(st, i);
}

int ent_store_indicators_foreach(struct ent_store *s, const struct ent_store_indicator_filter *f,
                                 int (*fn)(void *ctx, const struct ent_store_indicator *ind),
                                 void *ctx, char *errbuf)
{
	static const char *const sql =
	    "SELECT o.stix_id, o.name,"
	    " (SELECT name FROM sources WHERE id = o.source_id),"
	    " o.created_by_ref, o.tlp, o.confidence, o.revoked, o.version_ms,"
	    " o.valid_from, o.valid_until, json_extract(o.json, '$.pattern'), o.not_matchable,"
	    " (SELECT group_concat(kind, ',') FROM"
	    "   (SELECT DISTINCT kind FROM observables WHERE object_rowid = o.rowid ORDER BY kind))"
	    " FROM objects o WHERE o.type = 'indicator' AND o.is_current = 1"
	    " AND (?1 IS NULL OR EXISTS (SELECT 1 FROM observables b"
	    "      WHERE b.object_rowid = o.rowid AND b.kind = ?1))"
	    " AND (?2 IS NULL OR o.source_id = (SELECT id FROM sources WHERE name = ?2)"
	    "      OR EXISTS (SELECT 1 FROM provenance p JOIN sources s"
	    "      ON s.id = p.source_id WHERE p.object_rowid = o.rowid AND s.name = ?2))"
	    " AND (?3 OR (o.revoked = 0 AND (o.valid_until IS NULL OR o.valid_until > ?4)))"
	    " ORDER BY o.stix_id";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "listing indicators");
	if (f->kind != ENT_OBS_NONE)
		sqlite3_bind_text(st, 1, ent_obs_kind_name(f->kind), -1, SQLITE_STATIC);
	if (f->source != NULL)
		sqlite3_bind_text(st, 2, f->source, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->all);
	sqlite3_bind_int64(st, 4, f->now_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_store_indicator ind = {
		    .stix_id = col_text(st, 0),
		    .name = col_text(st, 1),
		    .source = col_text(st, 2),
		    .created_by_ref = col_text(st, 3),
		    .tlp = col_text(st, 4),
		    .confidence =
		        sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5),
		    .revoked = sqlite3_column_int(st, 6) != 0,
		    .modified_ms = sqlite3_column_int64(st, 7),
		    .valid_from = col_time(st, 8),
		    .valid_until = col_time(st, 9),
		    .pattern = col_text(st, 10),
		    .not_matchable = col_text(st, 11),
		    .kinds = col_text(st, 12),
		};
		int r = fn(ctx, &ind);

		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "listing indicators");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return ENT_OK;
}

int ent_store_versions_foreach(struct ent_store *s, const char *stix_id,
                               int (*fn)(void *ctx, const struct ent_store_version *v), void *ctx,
                               char *errbuf)
{
	static const char *const sql =
	    "SELECT o.version_ms, o.is_current, o.revoked, o.json, o.not_matchable,"
	    " (SELECT name FROM sources WHERE id = o.source_id) || '@' ||"
	    "  strftime('%Y-%m-%dT%H:%M:%fZ', o.received_ms / 1000.0, 'unixepoch') ||"
	    "  coalesce((SELECT ', ' || group_concat(s.name || '@' ||"
	    "    strftime('%Y-%m-%dT%H:%M:%fZ', p.received_ms / 1000.0, 'unixepoch'), ', ')"
	    "   FROM provenance p JOIN sources s ON s.id = p.source_id"
	    "   WHERE p.object_rowid = o.rowid), ''),"
	    " (SELECT group_concat(kind || ' ' || value, char(10)) FROM observables"
	    "  WHERE object_rowid = o.rowid)"
	    " FROM object_ids i JOIN objects o ON o.rowid = i.object_rowid"
	    " WHERE i.id_hash = ent_id_hash(?1) AND o.stix_id = ?1"
	    " ORDER BY o.version_ms DESC";
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading versions");
	sqlite3_bind_text(st, 1, stix_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_store_version v = {
		    .version_ms = sqlite3_column_int64(st, 0),
		    .is_current = sqlite3_column_int(st, 1) != 0,
		    .revoked = sqlite3_column_int(st, 2) != 0,
		    .json = col_text(st, 3),
		    .not_matchable = col_text(st, 4),
		    .provenance = col_text(st, 5),
		    .observables = col_text(st, 6),
		};
		int r = fn(ctx, &v);

		n++;
		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "reading versions");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (n == 0)
		return ent_errf(errbuf, ENT_ENOTFOUND, "no object with id %s", stix_id);
	return ENT_OK;
}

/* FNV-1a: a fixed, unkeyed hash is right here, the input is our own tables. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int ent_store_table_counts(struct ent_store *s, struct ent_store_table_count *out, size_t max,
                           size_t *n_out, char *errbuf)
{
	sqlite3_stmt *tables = NULL;
	size_t n = 0;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "SELECT name FROM sqlite_schema WHERE type = 'table' "
	                       "AND name NOT LIKE 'sqlite_%' ORDER BY name",
	                       -1, &tables, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "listing tables");
	while (n < max && sqlite3_step(tables) == SQLITE_ROW) {
		char sql[128];
		sqlite3_stmt *rows = NULL;
		const char *name = col_text(tables, 0);
		int ncol;

		snprintf(out[n].table, sizeof(out[n].table), "%s", name);
		out[n].rows = 0;
		out[n].checksum = 0;
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", out[n].table);
		if (sqlite3_prepare_v2(s->db, sql, -1, &rows, NULL) != SQLITE_OK) {
			rc = ent_store_sqlerr(s, errbuf, "reading a table");
			break;
		}
		ncol = sqlite3_column_count(rows);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			uint64_t h = 0xcbf29ce484222325ULL;

			for (int c = 0; c < ncol; c++) {
				const unsigned char *t = sqlite3_column_text(rows, c);
				int len = sqlite3_column_bytes(rows, c);

				h = fnv1a(h, t ? (const void *)t : "\x01", t ? (size_t)len : 1);
				h = fnv1a(h, "\x1f", 1);
			}
			out[n].rows++;
			out[n].checksum += h;
		}
		sqlite3_finalize(rows);
		n++;
	}
	sqlite3_finalize(tables);
	*n_out = n;
	return rc;
}
