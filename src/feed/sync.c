/*
 * sync.c - one sync with one peer (see sync.h).
 *
 * The cursor of a collection moves only inside the transaction that
 * stores the page it points past:
 *
 *   (added_after=A, next="")  --page, more, next N-->  (A, N)      walk in progress
 *   (A, N)                    --page, more, next M-->  (A, M)
 *   (A, N)                    --page, no more------->  (L, "")     L = last Date-Added-Last
 *   (A, "")                   --page, more, no next->  (L, "")     added_after paging
 *
 * `added_after` stays the walk's original one while `next` is used, since
 * TAXII 2.1 section 3.4 pairs `next` with the same query options. When the
 * server no longer knows a `next` token (4xx), the walk restarts from
 * added_after: what comes again is stored as "unchanged", never twice.
 */
#include "feed/sync.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/timefmt.h"
#include "core/uuid.h"
#include "feed/ingest.h"
#include "store/feedback.h"
#include "store/sync_state.h"
#include "taxii/client.h"
#include "trust/sign.h"
#include "trust/tlp_egress.h"

/* pages walked in one collection in one run, against a server that never
 * says "no more" */
#define MAX_PAGES_PER_RUN 1000000
/* objects collected for pushing in one run; the rest go next time */
#define MAX_PUSH_PER_RUN 100000
#define MAX_ENVELOPE     (16u << 20)

static void note_error(struct ent_sync_result *r, int rc, const char *msg, int *first_rc)
{
	r->errors++;
	if (r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s", msg);
	if (*first_rc == ENT_OK)
		*first_rc = rc;
}

/* ---- our sightings as STIX objects ---- */

struct sg_row {
	char *indicator_id;
	uint64_t count;
	int64_t first_ms, last_ms;
};

struct sg_list {
	struct sg_row *v;
	size_t n, cap;
};

static int collect_sighting(void *ctx, const struct ent_store_sighting *sg)
{
	struct sg_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sg_row *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return ENT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].indicator_id = strdup(sg->indicator_id);
	if (l->v[l->n].indicator_id == NULL)
		return ENT_ENOMEM;
	l->v[l->n].count = sg->count;
	l->v[l->n].first_ms = sg->first_seen_ms;
	l->v[l->n].last_ms = sg->last_seen_ms;
	l->n++;
	return 0;
}

/* What the current version of one of our sightings says. */
struct sg_current {
	bool found;
	bool is_signed;
	enum ent_tlp tlp;
	int64_t created_ms, modified_ms, first_ms, last_ms;
	json_int_t count;
};

static int64_t time_member(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	int64_t ms;

	if (s == NULL || ent_time_parse(s, strlen(s), &ms) != ENT_OK)
		return ENT_TIME_NONE;
	return ms;
}

static int read_current(void *ctx, const struct ent_store_version *v)
{
	struct sg_current *cur = ctx;
	json_t *o, *marks, *m;
	size_t i;

	if (!v->is_current)
		return 0;
	o = json_loads(v->json, 0, NULL);
	if (o == NULL)
		return 0;
	cur->found = true;
	cur->created_ms = time_member(o, "created");
	cur->modified_ms = time_member(o, "modified");
	cur->first_ms = time_member(o, "first_seen");
	cur->last_ms = time_member(o, "last_seen");
	cur->count = json_integer_value(json_object_get(o, "count"));
	cur->is_signed = json_object_get(json_object_get(o, "extensions"), ENT_SIGN_EXT_ID) != NULL;
	cur->tlp = ENT_TLP_NONE;
	marks = json_object_get(o, "object_marking_refs");
	json_array_foreach(marks, i, m)
	{
		enum ent_tlp t = ent_tlp_from_marking_id(json_string_value(m));

		if (t > cur->tlp)
			cur->tlp = t;
	}
	json_decref(o);
	return 1; /* found: stop */
}

/* STIX 2.1 section 5.2: count is at most 999,999,999. */
#define STIX_COUNT_MAX 999999999

/* Who the sighting names: our identity, or nobody (policy.sightings =
 * anonymous; then it is not signed either, since the signature carries
 * our public key). */
struct sg_author {
	const char *identity_id; /* NULL when anonymous */
	const struct ent_keypair *kp;
};

/* The sighting's text, signed unless anonymous. Caller frees *out. */
static int sighting_json(const struct sg_author *who, const char *id, const struct sg_row *row,
                         enum ent_tlp tlp, int64_t created_ms, int64_t modified_ms, char **out,
                         char *errbuf)
{
	char created[ENT_TIME_STRLEN], modified[ENT_TIME_STRLEN], first[ENT_TIME_STRLEN],
	    last[ENT_TIME_STRLEN];
	json_t *o = json_object();
	uint64_t count = row->count > STIX_COUNT_MAX ? STIX_COUNT_MAX : row->count;
	struct ent_buf sig;
	char *text;
	int rc;

	*out = NULL;
	if (o == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	ent_time_format(created_ms, created);
	ent_time_format(modified_ms, modified);
	ent_time_format(row->first_ms, first);
	ent_time_format(row->last_ms, last);
	json_object_set_new(o, "type", json_string("sighting"));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "modified", json_string(modified));
	if (who->identity_id != NULL)
		json_object_set_new(o, "created_by_ref", json_string(who->identity_id));
	json_object_set_new(o, "sighting_of_ref", json_string(row->indicator_id));
	if (who->identity_id != NULL)
		json_object_set_new(o, "where_sighted_refs", json_pack("[s]", who->identity_id));
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	json_object_set_new(o, "first_seen", json_string(first));
	json_object_set_new(o, "last_seen", json_string(last));
	/* what we saw is as restricted as the indicator we saw */
	json_object_set_new(o, "object_marking_refs", json_pack("[s]", ent_tlp_to_marking_id(tlp)));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	if (who->identity_id == NULL) {
		*out = text;
		return ENT_OK;
	}
	ent_buf_init(&sig, ENT_SIGN_MAX_BYTES);
	rc = ent_sign_object(text, strlen(text), who->kp, &sig, errbuf);
	free(text);
	if (rc == ENT_OK) {
		*out = ent_buf_steal(&sig);
		if (*out == NULL)
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	ent_buf_free(&sig);
	return rc;
}

/* The effective TLP of the indicator we sighted: as stored with it, AMBER
 * when the store has no TLP for it (or no longer has it). */
static int indicator_tlp(struct ent_store *s, const char *indicator_id, enum ent_tlp *out,
                         char *errbuf)
{
	struct ent_feedback_object ind;
	int rc = ent_feedback_object_get(s, indicator_id, &ind, errbuf);

	*out = ENT_TLP_AMBER;
	if (rc == ENT_ENOTFOUND)
		return ENT_OK;
	if (rc == ENT_OK && ind.tlp != NULL && ent_tlp_parse(ind.tlp) != ENT_TLP_NONE)
		*out = ent_tlp_parse(ind.tlp);
	ent_feedback_object_clear(&ind);
	return rc;
}

/* The name our sighting ids derive from: our identity id, or, anonymous,
 * a keyed hash of the secret key, so that nobody can tell from the id
 * whose sighting it is, and the same node keeps the same ids. */
static void anonymous_name(const struct ent_keypair *kp, char out[2 * 32 + 1])
{
	static const char label[] = "entente anonymous sightings v1";
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1, kp->sk,
	                   crypto_generichash_KEYBYTES_MAX);
	sodium_bin2hex(out, 2 * 32 + 1, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

int ent_sync_sightings_update(struct ent_store *s, const char *identity_id,
                              const struct ent_keypair *kp, bool anonymous, size_t *n_versions,
                              char *errbuf)
{
	struct ent_ingest_opts io = {.source = ENT_SYNC_LOCAL_SOURCE,
	                             .source_kind = ENT_SYNC_LOCAL_SOURCE,
	                             .what = "sightings",
	                             .default_tlp = ENT_TLP_AMBER,
	                             .default_confidence = -1};
	struct sg_author who = {.identity_id = anonymous ? NULL : identity_id, .kp = kp};
	struct ent_ingest *in = NULL;
	struct sg_list l = {0};
	char anon[2 * 32 + 1];
	const char *id_name = identity_id;
	int64_t now = ent_time_now_ms();
	size_t written = 0;
	int rc;

	if (n_versions != NULL)
		*n_versions = 0;
	if (identity_id == NULL || strncmp(identity_id, "identity--", 10) != 0)
		return ent_errf(errbuf, ENT_EINVAL, "node.identity is not a STIX identity id");
	if (kp == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "no node key to sign our sightings with");
	if (anonymous) {
		if (sodium_init() < 0)
			return ent_errf(errbuf, ENT_EINVAL, "libsodium failed to initialise");
		anonymous_name(kp, anon);
		id_name = anon;
	}
	rc = ent_store_sightings_foreach(s, collect_sighting, &l, errbuf);
	if (rc == ENT_ENOMEM)
		ent_errf(errbuf, rc, "out of memory");
	if (rc != ENT_OK || l.n == 0)
		goto out;
	rc = ent_store_begin(s, errbuf);
	if (rc != ENT_OK)
		goto out;
	rc = ent_ingest_begin(s, &io, &in, errbuf);
	for (size_t i = 0; i < l.n && rc == ENT_OK; i++) {
		struct sg_current cur = {0};
		char uuid[ENT_UUID_STRLEN], id[64], *json = NULL;
		struct ent_buf name;
		enum ent_store_put_result res;
		enum ent_tlp tlp;
		int64_t created, modified;

		ent_buf_init(&name, 512);
		if (ent_buf_puts(&name, id_name) != ENT_OK ||
		    ent_buf_puts(&name, l.v[i].indicator_id) != ENT_OK) {
			ent_buf_free(&name);
			continue; /* ids too long to be real ones */
		}
		ent_uuid_v5(ENT_UUID_NAMESPACE, name.data, name.len, uuid);
		ent_buf_free(&name);
		snprintf(id, sizeof(id), "sighting--%s", uuid);
		rc = indicator_tlp(s, l.v[i].indicator_id, &tlp, errbuf);
		if (rc != ENT_OK)
			break;
		rc = ent_store_versions_foreach(s, id, read_current, &cur, errbuf);
		if (rc == ENT_ENOTFOUND || rc == 1)
			rc = ENT_OK;
		if (rc != ENT_OK)
			break;
		if (cur.found &&
		    cur.count == (json_int_t)(l.v[i].count > STIX_COUNT_MAX ? STIX_COUNT_MAX
		                                                            : l.v[i].count) &&
		    cur.first_ms == l.v[i].first_ms && cur.last_ms == l.v[i].last_ms &&
		    cur.tlp == tlp && cur.is_signed == !anonymous)
			continue;
		created = cur.found && cur.created_ms != ENT_TIME_NONE ? cur.created_ms : now;
		modified = now;
		if (cur.found && cur.modified_ms != ENT_TIME_NONE && modified <= cur.modified_ms)
			modified = cur.modified_ms + 1; /* a new version is always later */
		if (modified < created)
			modified = created;
		rc = sighting_json(&who, id, &l.v[i], tlp, created, modified, &json, errbuf);
		if (rc != ENT_OK)
			break;
		rc = ent_ingest_object(in, json, strlen(json), &res, NULL, errbuf);
		free(json);
		if (rc != ENT_OK) {
			ent_err_prefix(errbuf, "our sighting of %s", l.v[i].indicator_id);
			break;
		}
		written++;
	}
	if (rc == ENT_OK)
		rc = ent_store_commit(s, errbuf);
	if (rc != ENT_OK)
		ent_store_rollback(s);
	else if (n_versions != NULL)
		*n_versions = written;
out:
	ent_ingest_free(in);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].indicator_id);
	free(l.v);
	sodium_memzero(anon, sizeof(anon));
	return rc;
}

/* ---- pull ---- */

struct peer_ctx {
	struct ent_store *store;
	const struct ent_peer *peer;
	const struct ent_sync_opts *o;
	struct ent_sync_result *r;
	struct ent_taxii_client *client;
	char source[80];
	int first_rc;
};

static void progress(struct peer_ctx *pc)
{
	if (pc->o->progress != NULL)
		pc->o->progress(pc->o->progress_ctx, pc->peer->name, pc->r->pulled, pc->r->pushed);
}

/* Stores one page and the cursor after it, in one transaction. */
static int store_page(struct peer_ctx *pc, const char *coll_url, struct ent_taxii_page *page,
                      const struct ent_sync_cursor *next_cursor, char *errbuf)
{
	struct ent_ingest_opts io = {
	    .source = pc->source,
	    .source_kind = "peer",
	    .what = coll_url,
	    .default_tlp = pc->o->default_tlp,
	    .default_confidence = -1,
	    .gate = pc->o->gate,
	    .peer = pc->peer->name,
	    .unsigned_action = pc->o->gate != NULL ? ent_gate_policy(pc->o->gate)->unsigned_action
	                                           : ENT_UNSIGNED_ACCEPT,
	};
	struct ent_ingest *in = NULL;
	bool *bad = NULL;
	size_t n_bad = 0;
	int rc;

	/* the whole page is checked before anything is written */
	if (page->n_objects > 0) {
		bad = calloc(page->n_objects, sizeof(bool));
		if (bad == NULL)
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < page->n_objects; i++) {
		char err[ENT_ERRBUF_SIZE];
		size_t len;
		const char *obj = ent_taxii_page_object(page, i, &len);

		if (ent_ingest_check(obj, len, err) != ENT_OK) {
			bad[i] = true;
			n_bad++;
			if (pc->r->error[0] == '\0')
				snprintf(pc->r->error, sizeof(pc->r->error),
				         "peer %s: %s: object %zu of a page left out: %s",
				         pc->peer->name, coll_url, i, err);
		}
	}
	rc = ent_store_begin(pc->store, errbuf);
	if (rc != ENT_OK)
		goto out;
	if (page->n_objects > n_bad)
		rc = ent_ingest_begin(pc->store, &io, &in, errbuf);
	for (size_t i = 0; i < page->n_objects && rc == ENT_OK; i++) {
		enum ent_store_put_result res;
		char err[ENT_ERRBUF_SIZE];
		size_t len;
		const char *obj;

		if (bad[i])
			continue;
		obj = ent_taxii_page_object(page, i, &len);
		rc = ent_ingest_object(in, obj, len, &res, NULL, err);
		if (rc == ENT_ESTORE || rc == ENT_ENOMEM) {
			snprintf(errbuf, ENT_ERRBUF_SIZE, "%s", err);
			break;
		}
		if (rc != ENT_OK) {
			/* the trust gate refused it (a signature that does not verify,
			 * an unsigned object the policy rejects), or the same version
			 * twice in one page with two contents: left out, and said */
			if (pc->r->error[0] == '\0')
				snprintf(pc->r->error, sizeof(pc->r->error), "peer %s: %s",
				         pc->peer->name, err);
			rc = ENT_OK;
			bad[i] = true;
			n_bad++;
			continue;
		}
		if (res == ENT_PUT_UNCHANGED)
			pc->r->unchanged++;
		else
			pc->r->added++;
	}
	if (rc == ENT_OK)
		rc = ent_sync_cursor_put(pc->store, pc->peer->id, coll_url, next_cursor, errbuf);
	if (rc == ENT_OK)
		rc = ent_store_commit(pc->store, errbuf);
	if (rc != ENT_OK) {
		ent_store_rollback(pc->store);
		/* nothing of the page was kept: do not count it */
		goto out;
	}
	pc->r->pulled += page->n_objects;
	pc->r->rejected += n_bad;
	pc->r->pages++;
out:
	ent_ingest_free(in);
	free(bad);
	return rc;
}

static bool next_token_unknown(long status)
{
	return status == 400 || status == 404 || status == 410 || status == 416 || status == 422;
}

static void pull_collection(struct peer_ctx *pc, const struct ent_taxii_collection *col)
{
	struct ent_sync_cursor cur, nc;
	struct ent_taxii_page page;
	char err[ENT_ERRBUF_SIZE], walk_last[64] = "";
	bool restarted = false;
	int rc;

	pc->r->collections++;
	ent_taxii_page_init(&page);
	rc = ent_sync_cursor_get(pc->store, pc->peer->id, col->url, &cur, err);
	if (rc != ENT_OK)
		goto fail;
	for (long n = 0; n < MAX_PAGES_PER_RUN; n++) {
		rc = ent_taxii_get_objects(pc->client, col->url, cur.added_after, cur.next,
		                           pc->o->page_size, &page, err);
		if (rc != ENT_OK && cur.next[0] != '\0' && !restarted &&
		    next_token_unknown(ent_taxii_client_last_status(pc->client))) {
			/* the server forgot the walk: start again from added_after */
			restarted = true;
			cur.next[0] = '\0';
			continue;
		}
		if (rc != ENT_OK)
			goto fail;
		if (page.date_added_last[0] != '\0')
			snprintf(walk_last, sizeof(walk_last), "%s", page.date_added_last);
		nc = cur;
		if (page.more && page.next != NULL) {
			if (strlen(page.next) > ENT_SYNC_NEXT_MAX) {
				rc = ent_errf(err, ENT_ELIMIT, "peer %s: %s: next token too long",
				              pc->peer->name, col->url);
				goto fail;
			}
			if (strcmp(page.next, cur.next) == 0 && page.n_objects == 0) {
				rc = ent_errf(err, ENT_ENET,
				              "peer %s: %s: the server repeats the same empty page",
				              pc->peer->name, col->url);
				goto fail;
			}
			snprintf(nc.next, sizeof(nc.next), "%s", page.next);
		} else {
			nc.next[0] = '\0';
			if (walk_last[0] != '\0')
				snprintf(nc.added_after, sizeof(nc.added_after), "%s", walk_last);
			if (page.more && (walk_last[0] == '\0' ||
			                  strcmp(nc.added_after, cur.added_after) == 0)) {
				rc = ent_errf(
				    err, ENT_ENET,
				    "peer %s: %s: more objects announced, but no next token"
				    " nor a later X-TAXII-Date-Added-Last",
				    pc->peer->name, col->url);
				goto fail;
			}
		}
		rc = store_page(pc, col->url, &page, &nc, err);
		if (rc != ENT_OK)
			goto fail;
		cur = nc;
		progress(pc);
		if (!page.more)
			break;
	}
	ent_taxii_page_free(&page);
	return;
fail:
	note_error(pc->r, rc, err, &pc->first_rc);
	ent_taxii_page_free(&page);
}

/* ---- push ---- */

struct push_item {
	int64_t rowid;
	char *stix_id;
	char *json;
};

struct push_list {
	struct push_item *v;
	size_t n, cap;
};

/* Feedback goes back to the peers that shared the indicator with us:
 * such a peer is in the indicator's sharing group by definition, so the
 * egress filter sees the object's group among the destination's. */
static bool feedback_may_leave(const struct ent_sync_push_obj *o)
{
	static const struct ent_egress_dest producer = {.kind = ENT_EGRESS_PEER,
	                                                .groups = "indicator-producer"};
	enum ent_tlp tlp;
	char err[ENT_ERRBUF_SIZE];

	if (ent_tlp_effective_text(o->json, strlen(o->json), ENT_TLP_AMBER, &tlp, err) != ENT_OK)
		return false;
	return ent_egress_allowed(tlp, "indicator-producer", &producer);
}

static int collect_push(void *ctx, const struct ent_sync_push_obj *o)
{
	struct push_list *l = ctx;

	if (!feedback_may_leave(o))
		return 0; /* TLP:RED and AMBER+STRICT stay here */

	if (l->n >= MAX_PUSH_PER_RUN)
		return 1; /* enough for one run */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct push_item *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return ENT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].rowid = o->rowid;
	l->v[l->n].stix_id = strdup(o->stix_id);
	l->v[l->n].json = strdup(o->json);
	if (l->v[l->n].stix_id == NULL || l->v[l->n].json == NULL) {
		free(l->v[l->n].stix_id);
		free(l->v[l->n].json);
		return ENT_ENOMEM;
	}
	l->n++;
	return 0;
}

static void push_list_free(struct push_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].stix_id);
		free(l->v[i].json);
	}
	free(l->v);
}

static const struct ent_taxii_collection *inbox_of(const struct ent_taxii_collection *cols,
                                                   size_t n)
{
	const struct ent_taxii_collection *any = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!cols[i].can_write)
			continue;
		if (strcasecmp(cols[i].title, "inbox") == 0 ||
		    strcasecmp(cols[i].alias, "inbox") == 0)
			return &cols[i];
		if (any == NULL)
			any = &cols[i];
	}
	return any;
}

/* Pushes items [from, to) in one envelope; marks what the peer confirmed. */
static int push_batch(struct peer_ctx *pc, const struct ent_taxii_collection *inbox,
                      struct push_list *l, size_t from, size_t to, char *errbuf)
{
	struct ent_taxii_status st;
	struct ent_buf env;
	size_t confirmed = 0;
	int rc;

	ent_buf_init(&env, MAX_ENVELOPE);
	rc = ent_buf_puts(&env, "{\"objects\":[");
	for (size_t i = from; i < to && rc == ENT_OK; i++) {
		if (i > from)
			rc = ent_buf_puts(&env, ",");
		if (rc == ENT_OK)
			rc = ent_buf_puts(&env, l->v[i].json);
	}
	if (rc == ENT_OK)
		rc = ent_buf_puts(&env, "]}");
	if (rc != ENT_OK) {
		ent_buf_free(&env);
		return ent_errf(errbuf, rc, "peer %s: envelope too large", pc->peer->name);
	}
	rc = ent_taxii_add_objects(pc->client, inbox->url, env.data, env.len, &st, errbuf);
	ent_buf_free(&env);
	if (rc != ENT_OK)
		return rc;
	rc = ent_store_begin(pc->store, errbuf);
	for (size_t k = 0; k < st.n_successes && rc == ENT_OK; k++) {
		for (size_t i = from; i < to; i++) {
			if (l->v[i].rowid != 0 && strcmp(l->v[i].stix_id, st.successes[k]) == 0) {
				rc = ent_sync_pushed_mark(pc->store, pc->peer->id, l->v[i].rowid,
				                          errbuf);
				l->v[i].rowid = 0; /* once */
				confirmed++;
				break;
			}
		}
	}
	if (rc == ENT_OK)
		rc = ent_store_commit(pc->store, errbuf);
	if (rc != ENT_OK) {
		ent_store_rollback(pc->store);
		confirmed = 0;
	}
	pc->r->pushed += confirmed;
	if (rc == ENT_OK && st.failure > 0)
		rc = ent_errf(errbuf, ENT_ENET, "peer %s: %s: %lld of %zu objects refused",
		              pc->peer->name, inbox->url, (long long)st.failure, to - from);
	ent_taxii_status_free(&st);
	return rc;
}

static void push(struct peer_ctx *pc, const struct ent_taxii_collection *cols, size_t n_cols)
{
	const struct ent_taxii_collection *inbox;
	struct push_list l = {0};
	char err[ENT_ERRBUF_SIZE];
	int rc;

	rc = ent_sync_push_foreach(pc->store, pc->peer->id, pc->source, collect_push, &l, err);
	if (rc == 1)
		rc = ENT_OK;
	if (rc == ENT_ENOMEM)
		ent_errf(err, rc, "out of memory");
	if (rc != ENT_OK) {
		note_error(pc->r, rc, err, &pc->first_rc);
		goto out;
	}
	if (l.n == 0)
		goto out;
	inbox = inbox_of(cols, n_cols);
	if (inbox == NULL) {
		snprintf(err, sizeof(err),
		         "peer %s: %zu objects to push, but no collection we may write to",
		         pc->peer->name, l.n);
		note_error(pc->r, ENT_ENOTFOUND, err, &pc->first_rc);
		goto out;
	}
	for (size_t i = 0; i < l.n; i += ENT_SYNC_PUSH_BATCH) {
		size_t to = i + ENT_SYNC_PUSH_BATCH < l.n ? i + ENT_SYNC_PUSH_BATCH : l.n;

		rc = push_batch(pc, inbox, &l, i, to, err);
		progress(pc);
		if (rc != ENT_OK) {
			note_error(pc->r, rc, err, &pc->first_rc);
			break;
		}
	}
out:
	push_list_free(&l);
}

int ent_sync_peer(struct ent_store *s, const struct ent_peer *peer, const struct ent_sync_opts *o,
                  struct ent_sync_result *r)
{
	struct ent_taxii_client_opts co = {
	    .peer = peer->name,
	    .auth_kind = peer->auth_kind,
	    .user = peer->auth_user,
	    .secret_path = peer->secret_path,
	    .ca_path = peer->ca_path,
	    .timeout_s = o->timeout_s,
	};
	struct peer_ctx pc = {.store = s, .peer = peer, .o = o, .r = r, .first_rc = ENT_OK};
	struct ent_taxii_collection *cols = NULL;
	char err[ENT_ERRBUF_SIZE], root[2048];
	size_t n_cols = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(pc.source, sizeof(pc.source), "peer:%s", peer->name);
	if (peer->url[0] == '\0') {
		ent_errf(err, ENT_EINVAL, "peer %s has no URL", peer->name);
		note_error(r, ENT_EINVAL, err, &pc.first_rc);
		return pc.first_rc;
	}
	rc = ent_taxii_client_new(&co, &pc.client, err);
	if (rc == ENT_OK)
		rc = ent_taxii_api_root(pc.client, peer->url, root, sizeof(root), err);
	if (rc == ENT_OK)
		rc = ent_taxii_collections(pc.client, root, &cols, &n_cols, err);
	if (rc != ENT_OK) {
		note_error(r, rc, err, &pc.first_rc);
		goto out;
	}
	for (size_t i = 0; i < n_cols; i++)
		if (cols[i].can_read)
			pull_collection(&pc, &cols[i]);
	push(&pc, cols, n_cols);
out:
	free(cols);
	ent_taxii_client_free(pc.client);
	return pc.first_rc;
}
