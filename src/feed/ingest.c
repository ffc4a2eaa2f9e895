/*
 * ingest.c - objects from the network into the store, one at a time (see
 * ingest.h). The same checks as `entente import`, without its threads:
 * a TAXII envelope or page is small, and its caller holds the transaction.
 */
#include "feed/ingest.h"

#include <stdlib.h>
#include <string.h>

#include "feed/prepare.h"
#include "store/pins.h"

struct ent_ingest {
	struct ent_store *store;
	int64_t source_id, import_id;
	struct ent_ingest_opts opts;
	struct ent_prepared prep;
	struct ent_import_summary sum;
};

int ent_ingest_begin(struct ent_store *s, const struct ent_ingest_opts *opts,
                     struct ent_ingest **out, char *errbuf)
{
	struct ent_ingest *in = calloc(1, sizeof(*in));
	int rc;

	if (in == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	in->store = s;
	in->opts = *opts;
	ent_prepared_init(&in->prep);
	rc = ent_store_source_id(s, opts->source, opts->source_kind, &in->source_id, errbuf);
	if (rc == ENT_OK)
		rc = ent_store_import_begin(s, in->source_id, opts->what, &in->import_id, errbuf);
	if (rc != ENT_OK) {
		ent_ingest_free(in);
		return rc;
	}
	*out = in;
	return ENT_OK;
}

void ent_ingest_free(struct ent_ingest *in)
{
	if (in == NULL)
		return;
	ent_prepared_free(&in->prep);
	free(in);
}

int ent_ingest_check(const char *json, size_t len, char *errbuf)
{
	struct ent_prepared p;
	struct ent_import_summary sum = {0};
	size_t err_off = 0;
	int rc;

	ent_prepared_init(&p);
	rc = ent_prepare_object(&p, json, len, &sum, &err_off, errbuf);
	if (rc == ENT_EPARSE)
		ent_err_prefix(errbuf, "byte %zu", err_off);
	ent_prepared_free(&p);
	return rc;
}

int ent_ingest_object(struct ent_ingest *in, const char *json, size_t len,
                      enum ent_store_put_result *result, int64_t *rowid_out, char *errbuf)
{
	struct ent_store_object o;
	size_t err_off = 0;
	int rc;

	ent_prepared_clear(&in->prep);
	rc = ent_prepare_object(&in->prep, json, len, &in->sum, &err_off, errbuf);
	if (rc != ENT_OK) {
		if (rc == ENT_EPARSE)
			ent_err_prefix(errbuf, "byte %zu", err_off);
		return rc;
	}
	in->prep.json = json;
	in->prep.json_len = len;
	ent_prepared_to_store(&in->prep, in->opts.default_tlp, in->opts.default_confidence, &o);
	if (in->opts.gate != NULL) {
		rc = ent_ingest_judge(in->store, in->opts.gate, in->opts.peer,
		                      in->opts.unsigned_action, &in->prep, &o, errbuf);
		if (rc != ENT_OK) {
			ent_err_prefix(errbuf, "%s", in->prep.so.id);
			return rc;
		}
	}
	rc = ent_store_object_put(in->store, in->import_id, in->source_id, &o, result, errbuf);
	if (rc == ENT_OK && *result == ENT_PUT_DUPLICATE)
		rc = ent_errf(errbuf, ENT_EINVAL,
		              "%s: this version occurs twice in the request with different content",
		              in->prep.so.id);
	if (rc == ENT_OK && rowid_out != NULL)
		*rowid_out = ent_store_last_put_rowid(in->store);
	return rc;
}

int ent_ingest_judge(struct ent_store *s, struct ent_trust_gate *gate, const char *peer,
                     enum ent_policy_unsigned unsigned_action, const struct ent_prepared *p,
                     struct ent_store_object *o, char *errbuf)
{
	const struct ent_stix_object *so = &p->so;
	const char *creator = so->created_by_ref;
	struct ent_gate_verdict v;
	int rc;

	if (creator == NULL && strcmp(so->type, "identity") == 0)
		creator = so->id; /* an identity speaks for itself */
	ent_gate_check(gate, peer, unsigned_action, so->type, creator, o->confidence, p->json,
	               p->json_len, so->has_extensions, &v);
	if (v.reject)
		return ent_errf(errbuf, ENT_EPERM, "rejected: %s", v.why);
	o->confidence = v.stored_confidence >= 0 ? v.stored_confidence : o->confidence;
	if (v.update_peer != 0) {
		rc = ent_store_pin_update(s, v.update_peer,
		                          v.update_identity[0] ? v.update_identity : NULL,
		                          v.update_key[0] ? v.update_key : NULL, errbuf);
		if (rc != ENT_OK)
			return rc;
		ent_gate_apply(gate, &v);
	}
	return ENT_OK;
}
