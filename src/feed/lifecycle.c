/*
 * lifecycle.c - revoking our indicators, disputing others' (lifecycle.h).
 *
 * Each action reads the indicator's current version and stores the new
 * object inside one transaction, so two revocations racing each other
 * cannot both succeed, and a failure leaves the store as it was.
 */
#include "feed/lifecycle.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/timefmt.h"
#include "core/uuid.h"
#include "feed/ingest.h"
#include "stix/object.h"
#include "stix/tlp.h"
#include "store/feedback.h"
#include "store/sync_state.h"
#include "trust/sign.h"

static bool is_ours(const struct ent_lifecycle_node *node, const struct ent_feedback_object *o)
{
	return (o->created_by_ref != NULL && strcmp(o->created_by_ref, node->identity_id) == 0) ||
	       (o->source != NULL && strcmp(o->source, ENT_SYNC_LOCAL_SOURCE) == 0);
}

static int check_node(const struct ent_lifecycle_node *node, char *errbuf)
{
	if (node == NULL || node->kp == NULL || node->identity_id == NULL ||
	    !ent_stix_id_valid(node->identity_id, "identity"))
		return ent_errf(errbuf, ENT_EINVAL, "node.identity is not a STIX identity id");
	return ENT_OK;
}

/* Signs the object o and stores it as ours; o is not consumed. An object
 * without a TLP marking is stored as dflt. */
static int sign_and_store(struct ent_store *s, const struct ent_lifecycle_node *node, json_t *o,
                          enum ent_tlp dflt, const char *what, char *errbuf)
{
	struct ent_ingest_opts io = {.source = ENT_SYNC_LOCAL_SOURCE,
	                             .source_kind = ENT_SYNC_LOCAL_SOURCE,
	                             .what = what,
	                             .default_tlp = dflt,
	                             .default_confidence = -1};
	struct ent_ingest *in = NULL;
	enum ent_store_put_result res;
	struct ent_buf signed_text;
	char *text;
	int rc;

	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	ent_buf_init(&signed_text, ENT_SIGN_MAX_BYTES);
	rc = ent_sign_object(text, strlen(text), node->kp, &signed_text, errbuf);
	free(text);
	if (rc == ENT_OK)
		rc = ent_ingest_begin(s, &io, &in, errbuf);
	if (rc == ENT_OK)
		rc = ent_ingest_object(in, signed_text.data, signed_text.len, &res, NULL, errbuf);
	if (rc == ENT_OK && res != ENT_PUT_NEW && res != ENT_PUT_SUPERSEDED)
		rc = ent_errf(errbuf, ENT_EEXIST, "the new version was not stored as current");
	ent_ingest_free(in);
	ent_buf_free(&signed_text);
	return rc;
}

static void fill_result(struct ent_lifecycle_result *out, const char *id, int64_t version_ms,
                        const char *tlp, const char *indicator)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->stix_id, sizeof(out->stix_id), "%s", id);
	out->version_ms = version_ms;
	snprintf(out->tlp, sizeof(out->tlp), "%s", tlp ? tlp : "");
	snprintf(out->indicator, sizeof(out->indicator), "%s", indicator);
}

/* The indicator's current version, checked to be one. */
static int get_indicator(struct ent_store *s, const char *id, struct ent_feedback_object *cur,
                         char *errbuf)
{
	int rc = ent_feedback_object_get(s, id, cur, errbuf);

	if (rc == ENT_ENOTFOUND)
		return ent_errf(errbuf, rc, "no indicator with id '%s'", id);
	if (rc == ENT_OK && strcmp(cur->type, "indicator") != 0)
		return ent_errf(errbuf, ENT_EINVAL, "'%s' is a %s, not an indicator", id,
		                cur->type);
	return rc;
}

int ent_lifecycle_revoke(struct ent_store *s, const struct ent_lifecycle_node *node,
                         const char *indicator_id, int64_t now_ms, struct ent_lifecycle_result *out,
                         char *errbuf)
{
	struct ent_feedback_object cur = {0};
	char modified[ENT_TIME_STRLEN];
	json_t *o = NULL;
	enum ent_tlp dflt;
	int64_t version;
	int rc;

	rc = check_node(node, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_store_begin(s, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = get_indicator(s, indicator_id, &cur, errbuf);
	if (rc != ENT_OK)
		goto out;
	if (!is_ours(node, &cur)) {
		rc = ent_errf(errbuf, ENT_EPERM,
		              "%s was not created by this node (created_by_ref %s, from %s):"
		              " only its producer can revoke it",
		              indicator_id, cur.created_by_ref ? cur.created_by_ref : "none",
		              cur.source ? cur.source : "?");
		goto out;
	}
	if (cur.revoked) {
		rc = ent_errf(errbuf, ENT_EEXIST, "%s is already revoked", indicator_id);
		goto out;
	}
	o = json_loads(cur.json, 0, NULL);
	if (!json_is_object(o)) {
		rc = ent_errf(errbuf, ENT_EPARSE, "%s: the stored version cannot be read back",
		              indicator_id);
		goto out;
	}
	version = now_ms > cur.version_ms ? now_ms : cur.version_ms + 1;
	ent_time_format(version, modified);
	json_object_set_new(o, "revoked", json_true());
	json_object_set_new(o, "modified", json_string(modified));
	/* an unmarked indicator keeps the TLP it was stored with */
	dflt = cur.tlp != NULL ? ent_tlp_parse(cur.tlp) : ENT_TLP_NONE;
	rc = sign_and_store(s, node, o, dflt != ENT_TLP_NONE ? dflt : ENT_TLP_AMBER,
	                    "entente indicators revoke", errbuf);
	if (rc != ENT_OK) {
		ent_err_prefix(errbuf, "revoking %s", indicator_id);
		goto out;
	}
	rc = ent_store_commit(s, errbuf);
	if (rc == ENT_OK)
		fill_result(out, indicator_id, version, cur.tlp, indicator_id);
out:
	if (rc != ENT_OK)
		ent_store_rollback(s);
	json_decref(o);
	ent_feedback_object_clear(&cur);
	return rc;
}

int ent_lifecycle_dispute(struct ent_store *s, const struct ent_lifecycle_node *node,
                          const char *indicator_id, const char *reason, int64_t now_ms,
                          struct ent_lifecycle_result *out, char *errbuf)
{
	struct ent_feedback_object cur = {0};
	char now[ENT_TIME_STRLEN], uuid[ENT_UUID_STRLEN], id[64];
	enum ent_tlp tlp;
	json_t *o = NULL, *expl;
	size_t reason_len = reason ? strlen(reason) : 0;
	int rc;

	rc = check_node(node, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (reason_len == 0)
		return ent_errf(errbuf, ENT_EINVAL, "the reason is empty");
	if (reason_len > ENT_DISPUTE_REASON_MAX)
		return ent_errf(errbuf, ENT_EINVAL, "the reason is longer than %d bytes",
		                ENT_DISPUTE_REASON_MAX);
	expl = json_stringn(reason, reason_len);
	if (expl == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "the reason is not valid UTF-8");
	rc = ent_store_begin(s, errbuf);
	if (rc != ENT_OK) {
		json_decref(expl);
		return rc;
	}
	rc = get_indicator(s, indicator_id, &cur, errbuf);
	if (rc != ENT_OK)
		goto out;
	if (is_ours(node, &cur)) {
		rc = ent_errf(errbuf, ENT_EPERM,
		              "%s is this node's own indicator: revoke it instead", indicator_id);
		goto out;
	}
	/* what we say about it is at least as restricted as it is */
	tlp = cur.tlp != NULL ? ent_tlp_parse(cur.tlp) : ENT_TLP_NONE;
	if (tlp == ENT_TLP_NONE)
		tlp = ENT_TLP_AMBER;
	ent_uuid_v4(uuid);
	snprintf(id, sizeof(id), "opinion--%s", uuid);
	ent_time_format(now_ms, now);
	o = json_object();
	if (o == NULL) {
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out;
	}
	json_object_set_new(o, "type", json_string("opinion"));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "created", json_string(now));
	json_object_set_new(o, "modified", json_string(now));
	json_object_set_new(o, "created_by_ref", json_string(node->identity_id));
	json_object_set_new(o, "opinion", json_string("strongly-disagree"));
	json_object_set(o, "explanation", expl);
	json_object_set_new(o, "object_refs", json_pack("[s]", indicator_id));
	json_object_set_new(o, "object_marking_refs", json_pack("[s]", ent_tlp_to_marking_id(tlp)));
	rc = sign_and_store(s, node, o, tlp, "entente indicators dispute", errbuf);
	if (rc != ENT_OK) {
		ent_err_prefix(errbuf, "disputing %s", indicator_id);
		goto out;
	}
	rc = ent_store_commit(s, errbuf);
	if (rc == ENT_OK)
		fill_result(out, id, now_ms, ent_tlp_name(tlp), indicator_id);
out:
	if (rc != ENT_OK)
		ent_store_rollback(s);
	json_decref(expl);
	json_decref(o);
	ent_feedback_object_clear(&cur);
	return rc;
}
