/*
 * store_taxii.c - collections as views over the store (see taxii.h).
 *
 * One SELECT per page, built from the filters that are set; every value is
 * bound, never written into the SQL text.
 */
#include "store/taxii.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/timefmt.h"
#include "store/storeInt.h"

#define MAX_BINDS (4 * ENT_TAXII_MAX_MATCH + 16)

struct bind {
	bool is_text;
	int64_t i;
	const char *t;
};

struct query {
	struct ent_buf sql;
	struct bind b[MAX_BINDS];
	int n;
	int err;
};

static void q_sql(struct query *q, const char *s)
{
	if (q->err == ENT_OK)
		q->err = ent_buf_puts(&q->sql, s);
}

static void q_int(struct query *q, int64_t v)
{
	if (q->n >= MAX_BINDS) {
		q->err = ENT_ELIMIT;
		return;
	}
	q->b[q->n++] = (struct bind){.i = v};
	q_sql(q, "?");
}

static void q_text(struct query *q, const char *v)
{
	if (q->n >= MAX_BINDS) {
		q->err = ENT_ELIMIT;
		return;
	}
	q->b[q->n++] = (struct bind){.is_text = true, .t = v};
	q_sql(q, "?");
}

/* " AND col IN (?, ?, ...)" over n text values */
static void q_in_text(struct query *q, const char *col, const char *const *v, size_t n)
{
	q_sql(q, " AND ");
	q_sql(q, col);
	q_sql(q, " IN (");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			q_sql(q, ",");
		q_text(q, v[i]);
	}
	q_sql(q, ")");
}

static int q_prepare(struct ent_store *s, struct query *q, sqlite3_stmt **st, char *errbuf)
{
	if (q->err != ENT_OK)
		return ent_errf(errbuf, q->err, "query too large");
	if (sqlite3_prepare_v2(s->db, q->sql.data, -1, st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "preparing a collection query");
	for (int i = 0; i < q->n; i++) {
		if (q->b[i].is_text)
			sqlite3_bind_text(*st, i + 1, q->b[i].t, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(*st, i + 1, q->b[i].i);
	}
	return ENT_OK;
}

/* The highest seq of the view now: the bound of a walk that starts. */
static int view_ceiling(struct ent_store *s, const struct ent_taxii_view *v, int64_t *out,
                        char *errbuf)
{
	sqlite3_stmt *st;
	const char *sql =
	    v->inbox != NULL
	        ? "SELECT coalesce(max(seq), 0) FROM collection_objects WHERE collection = ?1"
	        : "SELECT coalesce(max(rowid), 0) FROM objects";
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading a collection's size");
	if (v->inbox != NULL)
		sqlite3_bind_text(st, 1, v->inbox, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? ENT_OK
	                        : ent_store_sqlerr(s, errbuf, "reading a collection's size");
}

/* The first row of objects whose added_us is after us, as a rowid bound:
 * every row at or above it was added after us, every row below it not.
 * added_us grows with the row (schema.c) and is not indexed, so this is a
 * binary search over rowids (which may have gaps): pred(x) = "the first
 * row at or after x was added after us, or there is none" only turns from
 * false to true once. */
static int first_row_after(struct ent_store *s, int64_t us, int64_t *out, char *errbuf)
{
	sqlite3_stmt *st, *top;
	int64_t lo = 0, hi = 1;
	int rc = ENT_OK;

	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT rowid, added_us FROM objects WHERE rowid >= ?1 ORDER BY rowid "
	        "LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "finding added_after");
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(rowid), 0) + 1 FROM objects", -1, &top,
	                       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return ent_store_sqlerr(s, errbuf, "finding added_after");
	}
	if (sqlite3_step(top) == SQLITE_ROW)
		hi = sqlite3_column_int64(top, 0);
	else
		rc = ENT_ESTORE;
	sqlite3_finalize(top);
	while (rc == ENT_OK && lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		int step;

		sqlite3_bind_int64(st, 1, mid);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW && sqlite3_column_int64(st, 1) <= us)
			lo = sqlite3_column_int64(st, 0) + 1; /* pred false up to that row */
		else if (step == SQLITE_ROW || step == SQLITE_DONE)
			hi = mid;
		else
			rc = ENT_ESTORE;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc != ENT_OK)
		return ent_store_sqlerr(s, errbuf, "finding added_after");
	*out = lo;
	return ENT_OK;
}

/* The version clause: an OR of what match[version] asked for. */
static void q_versions(struct query *q, const struct ent_taxii_view *v,
                       const struct ent_taxii_filter *f)
{
	unsigned want = f->versions;
	bool first = true;

	if (want == 0 && f->n_at == 0)
		want = ENT_TAXII_V_LAST;
	if (want & ENT_TAXII_V_ALL)
		return;
	q_sql(q, " AND (");
	if (want & ENT_TAXII_V_LAST) {
		if (v->inbox == NULL)
			q_sql(q, "o.is_current = 1");
		else
			q_sql(q, "NOT EXISTS (SELECT 1 FROM collection_objects c2 JOIN objects p"
			         " ON p.rowid = c2.object_rowid WHERE c2.collection = c.collection"
			         " AND p.stix_id = o.stix_id AND p.version_ms > o.version_ms)");
		first = false;
	}
	if (want & ENT_TAXII_V_FIRST) {
		if (!first)
			q_sql(q, " OR ");
		if (v->inbox == NULL)
			q_sql(
			    q,
			    "NOT EXISTS (SELECT 1 FROM object_ids i JOIN objects p"
			    " ON p.rowid = i.object_rowid WHERE i.id_hash = ent_id_hash(o.stix_id)"
			    " AND p.stix_id = o.stix_id AND p.version_ms < o.version_ms)");
		else
			q_sql(q, "NOT EXISTS (SELECT 1 FROM collection_objects c2 JOIN objects p"
			         " ON p.rowid = c2.object_rowid WHERE c2.collection = c.collection"
			         " AND p.stix_id = o.stix_id AND p.version_ms < o.version_ms)");
		first = false;
	}
	if (f->n_at > 0) {
		if (!first)
			q_sql(q, " OR ");
		q_sql(q, "o.version_ms IN (");
		for (size_t i = 0; i < f->n_at; i++) {
			if (i > 0)
				q_sql(q, ",");
			q_int(q, f->at[i]);
		}
		q_sql(q, ")");
	}
	q_sql(q, ")");
}

/* The conditions every collection query shares (ids, types, added_after,
 * versions), after "WHERE <seq bounds>". */
static void q_filters(struct query *q, const struct ent_taxii_view *v,
                      const struct ent_taxii_filter *f, const char *added_col)
{
	if (v->inbox == NULL) {
		size_t n = 0;

		while (n < 5 && v->tlps[n] != NULL)
			n++;
		q_sql(q, " AND (o.tlp IN (");
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				q_sql(q, ",");
			q_text(q, v->tlps[i]);
		}
		q_sql(q, v->unmarked ? ") OR o.tlp IS NULL)" : "))");
		if (v->min_confidence > 0) {
			/* policy.min_confidence_export */
			q_sql(q, " AND (o.type <> 'indicator' OR coalesce(o.confidence, ");
			q_int(q, v->unknown_confidence);
			q_sql(q, ") >= ");
			q_int(q, v->min_confidence);
			q_sql(q, ")");
		}
	}
	if (f->added_after != ENT_TIME_NONE) {
		q_sql(q, " AND ");
		q_sql(q, added_col);
		q_sql(q, " > ");
		q_int(q, f->added_after);
	}
	if (f->n_ids > 0) {
		/* found through the id index, then checked exactly */
		q_sql(q, " AND o.rowid IN (SELECT object_rowid FROM object_ids WHERE id_hash IN (");
		for (size_t i = 0; i < f->n_ids; i++) {
			if (i > 0)
				q_sql(q, ",");
			q_sql(q, "ent_id_hash(");
			q_text(q, f->ids[i]);
			q_sql(q, ")");
		}
		q_sql(q, "))");
		q_in_text(q, "o.stix_id", f->ids, f->n_ids);
	}
	if (f->n_types > 0)
		q_in_text(q, "o.type", f->types, f->n_types);
	q_versions(q, v, f);
}

int ent_store_taxii_page(struct ent_store *s, const struct ent_taxii_view *v,
                         const struct ent_taxii_filter *f,
                         int (*fn)(void *ctx, const struct ent_taxii_row *r), void *ctx,
                         struct ent_taxii_page_info *info, char *errbuf)
{
	struct query q = {.err = ENT_OK};
	sqlite3_stmt *st = NULL;
	int rc, step;

	memset(info, 0, sizeof(*info));
	info->ceiling = f->ceiling;
	if (info->ceiling == 0) {
		rc = view_ceiling(s, v, &info->ceiling, errbuf);
		if (rc != ENT_OK)
			return rc;
	}
	ent_buf_init(&q.sql, 64 << 10);
	if (v->inbox == NULL) {
		q_sql(&q, "SELECT o.rowid, o.stix_id, o.type, o.version_ms, o.added_us, o.json"
		          " FROM objects o WHERE o.rowid > ");
		q_int(&q, f->after_seq);
		q_sql(&q, " AND o.rowid <= ");
		q_int(&q, info->ceiling);
		if (f->added_after != ENT_TIME_NONE) {
			/* rows added after the time all lie at or past the first such
			 * row: start there instead of reading the table from the
			 * beginning */
			int64_t from = 0;

			rc = first_row_after(s, f->added_after, &from, errbuf);
			if (rc != ENT_OK) {
				ent_buf_free(&q.sql);
				return rc;
			}
			q_sql(&q, " AND o.rowid >= ");
			q_int(&q, from);
		}
		q_filters(&q, v, f, "o.added_us");
		q_sql(&q, " ORDER BY o.rowid LIMIT ");
	} else {
		q_sql(&q, "SELECT c.seq, o.stix_id, o.type, o.version_ms, c.added_us, o.json"
		          " FROM collection_objects c JOIN objects o ON o.rowid = c.object_rowid"
		          " WHERE c.collection = ");
		q_text(&q, v->inbox);
		q_sql(&q, " AND c.seq > ");
		q_int(&q, f->after_seq);
		q_sql(&q, " AND c.seq <= ");
		q_int(&q, info->ceiling);
		q_filters(&q, v, f, "c.added_us");
		q_sql(&q, " ORDER BY c.seq LIMIT ");
	}
	q_int(&q, (int64_t)f->limit + 1);
	rc = q_prepare(s, &q, &st, errbuf);
	ent_buf_free(&q.sql);
	if (rc != ENT_OK)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_taxii_row r = {
		    .seq = sqlite3_column_int64(st, 0),
		    .stix_id = (const char *)sqlite3_column_text(st, 1),
		    .type = (const char *)sqlite3_column_text(st, 2),
		    .version_ms = sqlite3_column_int64(st, 3),
		    .added_us = sqlite3_column_int64(st, 4),
		    .json = (const char *)sqlite3_column_text(st, 5),
		    .json_len = (size_t)sqlite3_column_bytes(st, 5),
		};

		if (info->rows == f->limit) {
			info->more = true;
			break;
		}
		if (info->rows == 0)
			info->first_added = r.added_us;
		info->last_added = r.added_us;
		info->last_seq = r.seq;
		info->rows++;
		rc = fn(ctx, &r);
		if (rc != ENT_OK)
			break;
	}
	if (rc == ENT_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "reading a collection");
	sqlite3_finalize(st);
	return rc;
}

int ent_store_inbox_add(struct ent_store *s, const char *inbox, int64_t object_rowid,
                        int64_t peer_id, char *errbuf)
{
	sqlite3_stmt *st;
	int64_t added;
	int rc = ent_store_next_added_us(s, "collection_objects", &added, errbuf);

	if (rc != ENT_OK)
		return rc;
	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT OR IGNORE INTO collection_objects"
	        " (collection, object_rowid, peer_id, added_us) VALUES (?1, ?2, ?3, ?4)",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "adding to a collection");
	sqlite3_bind_text(st, 1, inbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, object_rowid);
	if (peer_id > 0)
		sqlite3_bind_int64(st, 3, peer_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, added);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? ENT_OK : ent_store_sqlerr(s, errbuf, "adding to a collection");
}

int ent_store_inbox_delete(struct ent_store *s, const char *inbox, const char *stix_id,
                           const struct ent_taxii_filter *f, size_t *removed, char *errbuf)
{
	struct ent_taxii_view v = {.inbox = inbox};
	struct ent_taxii_filter g = *f;
	struct query q = {.err = ENT_OK};
	sqlite3_stmt *st = NULL;
	int rc;

	g.n_ids = 1;
	g.ids[0] = stix_id;
	g.n_types = 0;
	ent_buf_init(&q.sql, 64 << 10);
	q_sql(&q,
	      "DELETE FROM collection_objects WHERE seq IN (SELECT c.seq FROM collection_objects c"
	      " JOIN objects o ON o.rowid = c.object_rowid WHERE c.collection = ");
	q_text(&q, inbox);
	q_filters(&q, &v, &g, "c.added_us");
	q_sql(&q, ")");
	rc = q_prepare(s, &q, &st, errbuf);
	ent_buf_free(&q.sql);
	if (rc != ENT_OK)
		return rc;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ent_store_sqlerr(s, errbuf, "deleting from a collection");
	*removed = (size_t)sqlite3_changes(s->db);
	return ENT_OK;
}

int ent_store_taxii_status_put(struct ent_store *s, const struct ent_taxii_status *t, char *errbuf)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        s->db,
	        "INSERT INTO taxii_status (id, peer_id, collection, request_ms, total,"
	        " success, failure, pending, details) VALUES (?,?,?,?,?,?,?,?,?)",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "recording a status");
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	if (t->peer_id > 0)
		sqlite3_bind_int64(st, 2, t->peer_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, t->collection, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t->request_ms);
	sqlite3_bind_int64(st, 5, t->total);
	sqlite3_bind_int64(st, 6, t->success);
	sqlite3_bind_int64(st, 7, t->failure);
	sqlite3_bind_int64(st, 8, t->pending);
	sqlite3_bind_text(st, 9, t->details, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? ENT_OK : ent_store_sqlerr(s, errbuf, "recording a status");
}

int ent_store_taxii_status_get(struct ent_store *s, const char *id,
                               int (*fn)(void *ctx, const struct ent_taxii_status *st), void *ctx,
                               char *errbuf)
{
	sqlite3_stmt *st;
	int rc, step;

	if (sqlite3_prepare_v2(
	        s->db,
	        "SELECT id, coalesce(peer_id, 0), collection, request_ms, total, success,"
	        " failure, pending, details FROM taxii_status WHERE id = ?1",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading a status");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		struct ent_taxii_status t = {
		    .peer_id = sqlite3_column_int64(st, 1),
		    .collection = (const char *)sqlite3_column_text(st, 2),
		    .request_ms = sqlite3_column_int64(st, 3),
		    .total = sqlite3_column_int64(st, 4),
		    .success = sqlite3_column_int64(st, 5),
		    .failure = sqlite3_column_int64(st, 6),
		    .pending = sqlite3_column_int64(st, 7),
		    .details = (const char *)sqlite3_column_text(st, 8),
		};

		snprintf(t.id, sizeof(t.id), "%s", (const char *)sqlite3_column_text(st, 0));
		rc = fn(ctx, &t);
	} else if (step == SQLITE_DONE) {
		rc = ent_errf(errbuf, ENT_ENOTFOUND, "no status %s", id);
	} else {
		rc = ent_store_sqlerr(s, errbuf, "reading a status");
	}
	sqlite3_finalize(st);
	return rc;
}
