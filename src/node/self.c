/* self.c - the node's identity and signature extension, signed (self.h). */
#include "node/self.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timefmt.h"
#include "feed/ingest.h"
#include "stix/tlp.h"
#include "trust/keys.h"
#include "trust/sign.h"

/* identity.json, marked TLP:CLEAR, signed into out. */
static int signed_identity(struct ent_home *h, const struct ent_keypair *kp, struct ent_buf *out,
                           int64_t *created_ms, char *errbuf)
{
	json_error_t jerr;
	json_t *id = json_load_file(h->identity_path, JSON_REJECT_DUPLICATES, &jerr);
	const char *created;
	char *text;
	int rc;

	if (id == NULL)
		return ent_errf(errbuf, ENT_EPARSE, "%s: line %d: %s", h->identity_path, jerr.line,
		                jerr.text);
	created = json_string_value(json_object_get(id, "created"));
	if (created == NULL || ent_time_parse(created, strlen(created), created_ms) != ENT_OK) {
		json_decref(id);
		return ent_errf(errbuf, ENT_EINVAL, "%s: no valid created time", h->identity_path);
	}
	json_object_set_new(id, "object_marking_refs",
	                    json_pack("[s]", ent_tlp_to_marking_id(ENT_TLP_CLEAR)));
	text = json_dumps(id, JSON_COMPACT);
	json_decref(id);
	if (text == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = ent_sign_object(text, strlen(text), kp, out, errbuf);
	free(text);
	return rc;
}

int ent_node_publish_self(struct ent_home *h, struct ent_store *s, char *errbuf)
{
	const char *identity = ent_config_get(h->config, "node.identity", NULL);
	struct ent_buf ident, ext;
	struct ent_keypair kp;
	struct ent_ingest *in = NULL;
	enum ent_store_put_result res;
	int64_t created = 0;
	int rc;

	if (identity == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "%s: node.identity is not set", h->config_path);
	rc = ent_keys_load(h->sk_path, &kp, errbuf);
	if (rc != ENT_OK)
		return rc;
	ent_buf_init(&ident, 1 << 20);
	ent_buf_init(&ext, 1 << 20);
	rc = signed_identity(h, &kp, &ident, &created, errbuf);
	if (rc == ENT_OK)
		rc = ent_sign_extension_definition(identity, created, &kp, &ext, errbuf);
	ent_keys_wipe(&kp);
	if (rc == ENT_OK)
		rc = ent_store_begin(s, errbuf);
	if (rc == ENT_OK) {
		rc = ent_ingest_begin(s,
		                      &(struct ent_ingest_opts){.source = "local",
		                                                .source_kind = "local",
		                                                .what = "the node itself",
		                                                .default_tlp = ENT_TLP_CLEAR,
		                                                .default_confidence = -1},
		                      &in, errbuf);
		if (rc == ENT_OK)
			rc = ent_ingest_object(in, ident.data, ident.len, &res, NULL, errbuf);
		if (rc == ENT_OK)
			rc = ent_ingest_object(in, ext.data, ext.len, &res, NULL, errbuf);
		ent_ingest_free(in);
		if (rc == ENT_OK)
			rc = ent_store_commit(s, errbuf);
		else
			ent_store_rollback(s);
	}
	ent_buf_free(&ident);
	ent_buf_free(&ext);
	return rc;
}
