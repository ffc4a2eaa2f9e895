/*
 * store_sighting.c - what the sensor reads from the store (the active
 * indicators' observables) and what it writes back (scans, sightings).
 */
#include "store/storeInt.h"

#include <string.h>

#include "core/timefmt.h"

int ent_store_active_observables_foreach(struct ent_store *s, int64_t now_ms,
                                         int (*fn)(void *ctx, const struct ent_store_active_obs *o),
                                         void *ctx, char *errbuf)
{
	static const char *const sql =
	    "SELECT o.stix_id, o.name,"
	    " (SELECT name FROM sources WHERE id = o.source_id),"
	    " o.created_by_ref, o.tlp, o.confidence, b.kind, b.value, o.version_ms"
	    " FROM objects o JOIN observables b ON b.object_rowid = o.rowid"
	    " WHERE o.type = 'indicator' AND o.is_current = 1 AND o.revoked = 0"
	    " AND (o.valid_from IS NULL OR o.valid_from <= ?1)"
	    " AND (o.valid_until IS NULL OR o.valid_until > ?1)"
	    " ORDER BY o.rowid";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading active indicators");
	sqlite3_bind_int64(st, 1, now_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_store_active_obs o = {
		    .stix_id = (const char *)sqlite3_column_text(st, 0),
		    .name = (const char *)sqlite3_column_text(st, 1),
		    .source = (const char *)sqlite3_column_text(st, 2),
		    .created_by_ref = (const char *)sqlite3_column_text(st, 3),
		    .tlp = (const char *)sqlite3_column_text(st, 4),
		    .confidence =
		        sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5),
		    .kind = ent_obs_kind_from_name((const char *)sqlite3_column_text(st, 6)),
		    .value = (const char *)sqlite3_column_text(st, 7),
		    .version_ms = sqlite3_column_int64(st, 8),
		};
		int r;

		if (o.kind == ENT_OBS_NONE || o.value == NULL)
			continue;
		r = fn(ctx, &o);
		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "reading active indicators");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return ENT_OK;
}

int ent_store_scan_begin(struct ent_store *s, const char *inputs, int64_t *scan_id, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO scans (started_ms, inputs) VALUES (?1, ?2)", -1,
	                       &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "scan");
	sqlite3_bind_int64(st, 1, ent_time_now_ms());
	sqlite3_bind_text(st, 2, inputs, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "scan");
	else
		*scan_id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

int ent_store_scan_end(struct ent_store *s, int64_t scan_id, uint64_t packets, uint64_t bytes,
                       uint64_t flows, uint64_t alerts, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "UPDATE scans SET packets = ?2, bytes = ?3, flows = ?4, alerts = ?5 "
	                       "WHERE id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "scan");
	sqlite3_bind_int64(st, 1, scan_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)packets);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)bytes);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)flows);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)alerts);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "scan");
	sqlite3_finalize(st);
	return rc;
}

int ent_store_sighting_put(struct ent_store *s, int64_t scan_id, const char *indicator_id,
                           uint64_t count, int64_t first_ms, int64_t last_ms,
                           const struct ent_store_sighting_flow *flows, size_t n_flows,
                           char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int64_t sid;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms,"
	                       " last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "sighting");
	sqlite3_bind_text(st, 1, indicator_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scan_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)count);
	sqlite3_bind_int64(st, 4, first_ms);
	sqlite3_bind_int64(st, 5, last_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "sighting");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	sid = sqlite3_last_insert_rowid(s->db);
	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT OR IGNORE INTO sighting_flows (sighting_id, flow_id, seen_ms,"
	        " src, src_port, dst, dst_port, proto, where_seen, kind, value)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "sighting flow");
	for (size_t i = 0; i < n_flows && i < ENT_SIGHTING_MAX_FLOWS; i++) {
		const struct ent_store_sighting_flow *f = &flows[i];

		sqlite3_bind_int64(st, 1, sid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)f->flow_id);
		sqlite3_bind_int64(st, 3, f->seen_ms);
		sqlite3_bind_text(st, 4, f->src, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, f->src_port);
		sqlite3_bind_text(st, 6, f->dst, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, f->dst_port);
		sqlite3_bind_int(st, 8, f->proto);
		sqlite3_bind_text(st, 9, f->where, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, ent_obs_kind_name(f->kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, f->value, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = ent_store_sqlerr(s, errbuf, "sighting flow");
			break;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int ent_store_sightings_foreach(struct ent_store *s,
                                int (*fn)(void *ctx, const struct ent_store_sighting *sg),
                                void *ctx, char *errbuf)
{
	static const char *const sql =
	    "SELECT g.indicator_id, o.name,"
	    " (SELECT name FROM sources WHERE id = o.source_id),"
	    " o.created_by_ref, sum(g.count), min(g.first_seen_ms), max(g.last_seen_ms),"
	    " count(*),"
	    " (SELECT group_concat(line, char(10)) FROM (SELECT f.src || ':' || f.src_port"
	    "   || ' -> ' || f.dst || ':' || f.dst_port || ' proto ' || f.proto || ' '"
	    "   || f.where_seen || ' ' || f.value AS line"
	    "   FROM sighting_flows f JOIN sightings g2 ON g2.id = f.sighting_id"
	    "   WHERE g2.indicator_id = g.indicator_id ORDER BY f.seen_ms DESC LIMIT 20))"
	    " FROM sightings g LEFT JOIN objects o ON o.rowid ="
	    "  (SELECT c.rowid FROM object_ids i JOIN objects c ON c.rowid = i.object_rowid"
	    "   WHERE i.id_hash = ent_id_hash(g.indicator_id) AND c.stix_id = g.indicator_id"
	    "   AND c.is_current = 1)"
	    "  AND o.is_current = 1"
	    " GROUP BY g.indicator_id ORDER BY max(g.last_seen_ms) DESC, g.indicator_id";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading sightings");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_store_sighting sg = {
		    .indicator_id = (const char *)sqlite3_column_text(st, 0),
		    .name = (const char *)sqlite3_column_text(st, 1),
		    .source = (const char *)sqlite3_column_text(st, 2),
		    .created_by_ref = (const char *)sqlite3_column_text(st, 3),
		    .count = (uint64_t)sqlite3_column_int64(st, 4),
		    .first_seen_ms = sqlite3_column_int64(st, 5),
		    .last_seen_ms = sqlite3_column_int64(st, 6),
		    .scans = (uint64_t)sqlite3_column_int64(st, 7),
		    .flows = (const char *)sqlite3_column_text(st, 8),
		};
		int r = fn(ctx, &sg);

		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "reading sightings");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return ENT_OK;
}
