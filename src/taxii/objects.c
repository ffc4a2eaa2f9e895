/*
 * objects.c - the object endpoints of a TAXII 2.1 collection: get object
 * manifests (section 5.3), get objects (5.4), add objects (5.5), get an
 * object (5.6), delete an object (5.7) and get object versions (5.8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/timefmt.h"
#include "core/uuid.h"
#include "feed/ingest.h"
#include "taxii/taxii_int.h"
#include "trust/tlp_egress.h"

#define FILTER_SCRATCH      16384
#define ENVELOPE_MAX_TOKENS (8u << 20)

/* A STIX identifier: "type--uuid". */
static bool stix_id_ok(const char *id)
{
	const char *sep = strstr(id, "--");

	return sep != NULL && sep != id && ent_uuid_valid(sep + 2, strlen(sep + 2));
}

static void date_headers(struct taxii_call *c, const struct ent_taxii_page_info *info)
{
	char t[ENT_TIME_STRLEN];

	/* on the four paged endpoints (section 3.2); a page without objects
	 * has no first or last date, and gets neither header */
	if (info->rows == 0)
		return;
	ent_time_format_us(info->first_added, t);
	taxii_header(c, "X-TAXII-Date-Added-First", t);
	ent_time_format_us(info->last_added, t);
	taxii_header(c, "X-TAXII-Date-Added-Last", t);
}

struct page_out {
	struct taxii_call *c;
	bool manifest, versions;
	size_t n;
};

static int page_row(void *ctx, const struct ent_taxii_row *r)
{
	struct page_out *o = ctx;
	struct taxii_call *c = o->c;
	char v[ENT_TIME_STRLEN];

	/* lists are left out when empty (section 2), so each opens lazily */
	if (o->n++ == 0)
		taxii_puts(c, o->versions ? "\"versions\":[" : "\"objects\":[");
	else
		taxii_puts(c, ",");
	ent_time_format(r->version_ms, v);
	if (o->versions) {
		taxii_json_str(c, v);
	} else if (o->manifest) {
		taxii_puts(c, "{\"id\":");
		taxii_json_str(c, r->stix_id);
		taxii_puts(c, ",\"date_added\":");
		taxii_json_time_us(c, r->added_us);
		taxii_puts(c, ",\"version\":");
		taxii_json_str(c, v);
		taxii_puts(c, ",\"media_type\":\"" ENT_STIX_MEDIA "\"}");
	} else {
		taxii_append(c, r->json, r->json_len);
	}
	return taxii_failed(c) ? ENT_ELIMIT : ENT_OK;
}

/* The levels of col this client may receive: every TLP view's levels pass
 * the one egress filter (trust/tlp_egress.h) for this peer, the collection
 * standing for the sharing group of its AMBER objects. */
static void egress_view(struct taxii_call *c, const struct ent_taxii_collection *col,
                        struct ent_taxii_view *v)
{
	struct ent_egress_dest dest = {.kind = ENT_EGRESS_PEER, .groups = c->req->who->groups};
	char group[64] = "";
	size_t k = 0;

	*v = col->view;
	if (col->view.inbox != NULL)
		return;
	v->min_confidence = c->t->opts.min_export_confidence;
	v->unknown_confidence = c->t->opts.unknown_confidence;
	/* the first of the collection's groups this peer is in */
	for (const char *p = col->read; *p != '\0' && group[0] == '\0';) {
		size_t len = strcspn(p, ",");

		if (len < sizeof(group)) {
			memcpy(group, p, len);
			group[len] = '\0';
			if (!ent_egress_group_member(c->req->who->groups, group))
				group[0] = '\0';
		}
		p += len + (p[len] == ',');
	}
	for (size_t i = 0; col->view.tlps[i] != NULL; i++) {
		enum ent_tlp t = ent_tlp_parse(col->view.tlps[i]);

		if (ent_egress_allowed(t, group[0] ? group : NULL, &dest))
			v->tlps[k++] = col->view.tlps[i];
	}
	v->tlps[k] = NULL;
	v->unmarked = col->view.unmarked &&
	              ent_egress_allowed(c->t->opts.default_tlp, group[0] ? group : NULL, &dest);
}

/* Answers one page; the envelope (or manifest, or versions) resource. */
static void answer_page(struct taxii_call *c, const struct ent_taxii_collection *col,
                        struct ent_taxii_filter *f, bool spec_none, bool manifest, bool versions,
                        bool not_found_if_empty)
{
	struct page_out o = {.c = c, .manifest = manifest, .versions = versions};
	struct ent_taxii_page_info info = {0};
	struct ent_store *s = taxii_store(c);
	struct ent_taxii_view view;
	char errbuf[ENT_ERRBUF_SIZE];
	int rc = ENT_OK;

	if (s == NULL)
		return;
	egress_view(c, col, &view);
	taxii_ok(c, 200);
	taxii_puts(c, "{");
	/* nothing at all may go to this client: an empty page, no query */
	if (!spec_none && (view.inbox != NULL || view.tlps[0] != NULL || view.unmarked))
		rc = ent_store_taxii_page(s, &view, f, page_row, &o, &info, errbuf);
	if (taxii_failed(c))
		return;
	if (rc != ENT_OK) {
		taxii_error(c, 500, "Store error", NULL);
		return;
	}
	if (o.n == 0 && not_found_if_empty && f->after_seq == 0) {
		taxii_error(c, 404, "Not found", "No such object, or no access to it");
		return;
	}
	taxii_puts(c, o.n > 0 ? "]" : "");
	if (info.more) {
		taxii_puts(c, o.n > 0 ? ",\"more\":true" : "\"more\":true");
		/* next on envelopes only (3.7); the manifest and versions
		 * resources have none, and continue with added_after */
		if (!manifest && !versions) {
			char next[64];

			snprintf(next, sizeof(next), ",\"next\":\"%lld.%lld\"",
			         (long long)info.last_seq, (long long)info.ceiling);
			taxii_puts(c, next);
		}
	}
	taxii_puts(c, "}");
	date_headers(c, &info);
}

static bool read_allowed(struct taxii_call *c, const struct ent_taxii_collection *col)
{
	if (ent_taxii_can_read(col, c->req->who))
		return true;
	taxii_error(c, 403, "Forbidden", "No read access to this collection");
	return false;
}

void taxii_get_objects(struct taxii_call *c, const struct ent_taxii_collection *col,
                       const char *object_id, bool manifest)
{
	struct ent_taxii_filter f = {.added_after = ENT_TIME_NONE,
	                             .limit = c->t->opts.default_page};
	unsigned allowed = TAXII_Q_ADDED_AFTER | TAXII_Q_LIMIT | TAXII_Q_NEXT | TAXII_Q_VERSION |
	                   TAXII_Q_SPEC_VERSION;
	char *scratch;
	bool spec_none;

	if (!read_allowed(c, col))
		return;
	if (object_id != NULL && !stix_id_ok(object_id)) {
		taxii_error(c, 404, "Not found", "No such object, or no access to it");
		return;
	}
	if (object_id == NULL)
		allowed |= TAXII_Q_ID | TAXII_Q_TYPE;
	scratch = malloc(FILTER_SCRATCH);
	if (scratch == NULL) {
		taxii_error(c, 500, "Out of memory", NULL);
		return;
	}
	if (taxii_parse_filter(c, allowed, &f, scratch, FILTER_SCRATCH, &spec_none)) {
		if (object_id != NULL) {
			f.ids[0] = object_id;
			f.n_ids = 1;
		}
		answer_page(c, col, &f, spec_none, manifest, false, object_id != NULL);
	}
	free(scratch);
}

void taxii_get_versions(struct taxii_call *c, const struct ent_taxii_collection *col,
                        const char *object_id)
{
	struct ent_taxii_filter f = {.added_after = ENT_TIME_NONE,
	                             .limit = c->t->opts.default_page,
	                             .versions = ENT_TAXII_V_ALL};
	char scratch[1024];
	bool spec_none;

	if (!read_allowed(c, col))
		return;
	if (!stix_id_ok(object_id)) {
		taxii_error(c, 404, "Not found", "No such object, or no access to it");
		return;
	}
	if (!taxii_parse_filter(
	        c, TAXII_Q_ADDED_AFTER | TAXII_Q_LIMIT | TAXII_Q_NEXT | TAXII_Q_SPEC_VERSION, &f,
	        scratch, sizeof(scratch), &spec_none))
		return;
	f.ids[0] = object_id;
	f.n_ids = 1;
	answer_page(c, col, &f, spec_none, false, true, true);
}

void taxii_delete_object(struct taxii_call *c, const struct ent_taxii_collection *col,
                         const char *object_id)
{
	struct ent_taxii_filter f = {.added_after = ENT_TIME_NONE, .limit = 1};
	struct ent_store *s;
	char scratch[4096], errbuf[ENT_ERRBUF_SIZE];
	bool spec_none;
	size_t removed = 0;
	int rc;

	/* both rights, or 403: the collection is visible, so one of them is
	 * there (section 5.7's table) */
	if (!ent_taxii_can_read(col, c->req->who) || !ent_taxii_can_write(col, c->req->who)) {
		taxii_error(c, 403, "Forbidden", "No right to delete from this collection");
		return;
	}
	if (!stix_id_ok(object_id)) {
		taxii_error(c, 404, "Not found", "No such object, or no access to it");
		return;
	}
	if (!taxii_parse_filter(c, TAXII_Q_VERSION | TAXII_Q_SPEC_VERSION, &f, scratch,
	                        sizeof(scratch), &spec_none))
		return;
	/* without match[version], every version goes */
	if (f.versions == 0 && f.n_at == 0)
		f.versions = ENT_TAXII_V_ALL;
	s = taxii_store(c);
	if (s == NULL)
		return;
	if (!spec_none && col->view.inbox != NULL) {
		rc = ent_store_begin(s, errbuf);
		if (rc == ENT_OK)
			rc = ent_store_inbox_delete(s, col->view.inbox, object_id, &f, &removed,
			                            errbuf);
		if (rc == ENT_OK)
			rc = ent_store_commit(s, errbuf);
		if (rc != ENT_OK) {
			ent_store_rollback(s);
			taxii_error(c, 500, "Store error", NULL);
			return;
		}
	}
	if (removed == 0) {
		taxii_error(c, 404, "Not found", "No such object, or no access to it");
		return;
	}
	taxii_ok(c, 200);
}

/* ---- add objects (5.5) ---- */

struct add_state {
	struct taxii_call *c;
	struct ent_buf ok, failed; /* status-details, comma-separated */
	int64_t n_ok, n_failed;
};

/* Appends {"id":..,"version":..[,"message":..]} to list. */
static void status_detail(struct add_state *a, struct ent_buf *list, const char *id,
                          const char *version, const char *message)
{
	struct taxii_call *c = a->c;

	c->out = list;
	if (list->len > 0)
		taxii_puts(c, ",");
	taxii_puts(c, "{\"id\":");
	taxii_json_str(c, id != NULL ? id : "");
	taxii_puts(c, ",\"version\":");
	taxii_json_str(c, version != NULL ? version : "");
	if (message != NULL) {
		taxii_puts(c, ",\"message\":");
		taxii_json_str(c, message);
	}
	taxii_puts(c, "}");
	c->out = &c->resp->body;
}

/* The id and version of element t of the objects array, for status details,
 * read as far as the object allows. */
static void element_id(struct ent_json *j, uint32_t t, char *id, size_t idsz, char *ver,
                       size_t versz)
{
	long m;
	const char *s;

	id[0] = ver[0] = '\0';
	if (ent_json_type(j, t) != ENT_JSON_OBJECT)
		return;
	m = ent_json_member(j, t, "id");
	if (m >= 0 && (s = ent_json_string(j, (uint32_t)m, NULL)) != NULL)
		snprintf(id, idsz, "%s", s);
	m = ent_json_member(j, t, "modified");
	if (m < 0)
		m = ent_json_member(j, t, "created");
	if (m >= 0 && (s = ent_json_string(j, (uint32_t)m, NULL)) != NULL)
		snprintf(ver, versz, "%s", s);
}

/* Checks, then stores the valid objects of the envelope in one
 * transaction with the status resource. */
static int store_envelope(struct add_state *a, const struct ent_taxii_collection *col,
                          struct ent_json *j, uint32_t arr, struct ent_taxii_status *st,
                          char *errbuf)
{
	struct taxii_call *c = a->c;
	struct ent_store *s = c->store;
	struct ent_ingest *in = NULL;
	char source[96], what[160];
	int rc;

	snprintf(source, sizeof(source), "peer:%s", c->req->who->peer);
	snprintf(what, sizeof(what), "taxii %s%s", TAXII_API_ROOT "collections/", col->name);
	rc = ent_store_begin(s, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_ingest_begin(
	    s,
	    &(struct ent_ingest_opts){
	        .source = source,
	        .source_kind = "peer",
	        .what = what,
	        .default_tlp = c->t->opts.default_tlp,
	        .default_confidence = c->t->opts.default_confidence,
	        .gate = c->t->opts.gate,
	        .peer = c->req->who->peer,
	        .unsigned_action = c->t->opts.gate != NULL
	                               ? ent_gate_policy(c->t->opts.gate)->unsigned_action
	                               : ENT_UNSIGNED_ACCEPT,
	    },
	    &in, errbuf);
	for (uint32_t t = arr + 1, k = 0; rc == ENT_OK && k < j->tok[arr].count;
	     k++, t = j->tok[t].next) {
		const char *text = j->text + j->tok[t].start;
		size_t len = j->tok[t].len;
		char id[128], ver[64], why[ENT_ERRBUF_SIZE];
		enum ent_store_put_result res;
		int64_t rowid = 0;
		int orc;

		element_id(j, t, id, sizeof(id), ver, sizeof(ver));
		if (ent_json_type(j, t) != ENT_JSON_OBJECT) {
			status_detail(a, &a->failed, id, ver, "not a JSON object");
			a->n_failed++;
			continue;
		}
		orc = ent_ingest_object(in, text, len, &res, &rowid, why);
		if (orc == ENT_EPARSE || orc == ENT_EINVAL || orc == ENT_EPERM) {
			/* this object fails; the others go on (section 5.5) */
			status_detail(a, &a->failed, id, ver, why);
			a->n_failed++;
			continue;
		}
		rc = orc;
		if (rc == ENT_OK)
			rc = ent_store_inbox_add(s, col->view.inbox, rowid, c->req->who->peer_id,
			                         errbuf);
		if (rc == ENT_OK) {
			status_detail(a, &a->ok, id, ver, NULL);
			a->n_ok++;
		}
	}
	ent_ingest_free(in);
	if (rc == ENT_OK && taxii_failed(c))
		rc = ent_errf(errbuf, ENT_ELIMIT, "status too large");
	if (rc == ENT_OK) {
		struct ent_buf details;

		ent_buf_init(&details, a->ok.max + a->failed.max + 64);
		if ((a->ok.len == 0 || (ent_buf_puts(&details, ",\"successes\":[") == ENT_OK &&
		                        ent_buf_append(&details, a->ok.data, a->ok.len) == ENT_OK &&
		                        ent_buf_puts(&details, "]") == ENT_OK)) &&
		    (a->failed.len == 0 ||
		     (ent_buf_puts(&details, ",\"failures\":[") == ENT_OK &&
		      ent_buf_append(&details, a->failed.data, a->failed.len) == ENT_OK &&
		      ent_buf_puts(&details, "]") == ENT_OK))) {
			st->success = a->n_ok;
			st->failure = a->n_failed;
			st->details = details.data != NULL ? details.data : "";
			rc = ent_store_taxii_status_put(s, st, errbuf);
		} else {
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		}
		ent_buf_free(&details);
	}
	if (rc == ENT_OK)
		rc = ent_store_commit(s, errbuf);
	if (rc != ENT_OK)
		ent_store_rollback(s);
	return rc;
}

static int status_answer(void *ctx, const struct ent_taxii_status *st)
{
	struct taxii_call *c = ctx;
	char n[160];

	taxii_ok(c, 202);
	taxii_puts(c, "{\"id\":");
	taxii_json_str(c, st->id);
	taxii_puts(c, ",\"status\":\"complete\",\"request_timestamp\":");
	taxii_json_time_us(c, st->request_ms * 1000);
	snprintf(n, sizeof(n),
	         ",\"total_count\":%lld,\"success_count\":%lld,\"failure_count\":%lld,"
	         "\"pending_count\":0",
	         (long long)st->total, (long long)st->success, (long long)st->failure);
	taxii_puts(c, n);
	taxii_puts(c, st->details);
	taxii_puts(c, "}");
	return ENT_OK;
}

void taxii_add_objects(struct taxii_call *c, const struct ent_taxii_collection *col)
{
	struct ent_json j;
	struct add_state a = {.c = c};
	struct ent_taxii_status st = {0};
	char errbuf[ENT_ERRBUF_SIZE], msg[ENT_ERRBUF_SIZE + 64];
	size_t err_off = 0;
	long arr;
	int rc;

	if (!ent_taxii_can_write(col, c->req->who) || col->view.inbox == NULL) {
		taxii_error(c, 403, "Forbidden", "No write access to this collection");
		return;
	}
	if (!taxii_content_type_ok(c->req->content_type)) {
		taxii_error(c, 415, "Unsupported media type",
		            "Send an envelope as " ENT_TAXII_MEDIA);
		return;
	}
	if (taxii_store(c) == NULL)
		return;
	ent_json_init(&j, ENVELOPE_MAX_TOKENS);
	rc = ent_json_parse(&j, c->req->body, c->req->body_len, &err_off, errbuf);
	if (rc != ENT_OK) {
		snprintf(msg, sizeof(msg), "byte %zu: %s", err_off, errbuf);
		taxii_error(c, rc == ENT_ELIMIT ? 413 : 400, "Malformed envelope", msg);
		goto out;
	}
	if (ent_json_type(&j, 0) != ENT_JSON_OBJECT) {
		taxii_error(c, 422, "Not an envelope",
		            "The body must be a JSON object (section 3.7)");
		goto out;
	}
	arr = ent_json_member(&j, 0, "objects");
	if (arr >= 0 && ent_json_type(&j, (uint32_t)arr) != ENT_JSON_ARRAY) {
		taxii_error(c, 422, "Not an envelope", "objects must be a list of STIX objects");
		goto out;
	}
	if (arr >= 0 && j.tok[arr].count > c->t->opts.max_objects) {
		snprintf(msg, sizeof(msg), "%u objects; at most %zu per envelope", j.tok[arr].count,
		         c->t->opts.max_objects);
		taxii_error(c, 413, "Too many objects", msg);
		goto out;
	}
	ent_uuid_v4(st.id);
	st.peer_id = c->req->who->peer_id;
	st.collection = col->name;
	st.request_ms = ent_time_now_ms();
	st.total = arr >= 0 ? j.tok[arr].count : 0;
	ent_buf_init(&a.ok, c->resp->body.max / 2);
	ent_buf_init(&a.failed, c->resp->body.max / 2);
	if (arr >= 0)
		rc = store_envelope(&a, col, &j, (uint32_t)arr, &st, errbuf);
	else {
		st.details = ""; /* an empty envelope: nothing to do, still a status */
		rc = ent_store_taxii_status_put(c->store, &st, errbuf);
	}
	if (rc == ENT_OK)
		rc = ent_store_taxii_status_get(c->store, st.id, status_answer, c, errbuf);
	if (rc != ENT_OK && !taxii_failed(c))
		taxii_error(c, 500, "Store error", NULL);
	ent_buf_free(&a.ok);
	ent_buf_free(&a.failed);
out:
	ent_json_free(&j);
}
