/* self.c - the node's identity and signature extension, signed (self.h). */
#include "node/self.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/timefmt.h"
#include "feed/ingest.h"
#include "stix/tlp.h"
#include "trust/keys.h"
#include "trust/sign.h"

/* identity.json as published: marked TLP:CLEAR, compact. Caller frees. */
static char *published_identity(struct ent_home *h, int64_t *created_ms, int64_t *modified_ms,
                                char *errbuf)
{
	json_error_t jerr;
	json_t *id = json_load_file(h->identity_path, JSON_REJECT_DUPLICATES, &jerr);
	const char *created, *modified;
	char *text;

	if (id == NULL) {
		ent_errf(errbuf, ENT_EPARSE, "%s: line %d: %s", h->identity_path, jerr.line,
		         jerr.text);
		return NULL;
	}
	created = json_string_value(json_object_get(id, "created"));
	modified = json_string_value(json_object_get(id, "modified"));
	if (created == NULL || ent_time_parse(created, strlen(created), created_ms) != ENT_OK ||
	    modified == NULL || ent_time_parse(modified, strlen(modified), modified_ms) != ENT_OK) {
		json_decref(id);
		ent_errf(errbuf, ENT_EINVAL, "%s: no valid created or modified time",
		         h->identity_path);
		return NULL;
	}
	json_object_set_new(id, "object_marking_refs",
	                    json_pack("[s]", ent_tlp_to_marking_id(ENT_TLP_CLEAR)));
	text = json_dumps(id, JSON_COMPACT);
	json_decref(id);
	if (text == NULL)
		ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	return text;
}

/* identity.json, marked TLP:CLEAR, signed into out. */
static int signed_identity(struct ent_home *h, const struct ent_keypair *kp, struct ent_buf *out,
                           int64_t *created_ms, char *errbuf)
{
	int64_t modified;
	char *text = published_identity(h, created_ms, &modified, errbuf);
	int rc;

	if (text == NULL)
		return ENT_EINVAL;
	rc = ent_sign_object(text, strlen(text), kp, out, errbuf);
	free(text);
	return rc;
}

/* Stores objects of ours (texts), in one transaction. */
static int store_own(struct ent_store *s, const struct ent_buf *objs, size_t n, char *errbuf)
{
	struct ent_ingest *in = NULL;
	enum ent_store_put_result res;
	int rc = ent_store_begin(s, errbuf);

	if (rc != ENT_OK)
		return rc;
	rc = ent_ingest_begin(s,
	                      &(struct ent_ingest_opts){.source = "local",
	                                                .source_kind = "local",
	                                                .what = "the node itself",
	                                                .default_tlp = ENT_TLP_CLEAR,
	                                                .default_confidence = -1},
	                      &in, errbuf);
	for (size_t i = 0; i < n && rc == ENT_OK; i++)
		rc = ent_ingest_object(in, objs[i].data, objs[i].len, &res, NULL, errbuf);
	ent_ingest_free(in);
	if (rc == ENT_OK)
		return ent_store_commit(s, errbuf);
	ent_store_rollback(s);
	return rc;
}

int ent_node_publish_self(struct ent_home *h, struct ent_store *s, char *errbuf)
{
	const char *identity = ent_config_get(h->config, "node.identity", NULL);
	struct ent_buf ident, ext;
	struct ent_keypair kp;
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
	if (rc == ENT_OK) {
		struct ent_buf both[2] = {ident, ext};

		rc = store_own(s, both, 2, errbuf);
	}
	ent_buf_free(&ident);
	ent_buf_free(&ext);
	return rc;
}

/* Writes text to path through a temporary file and a rename. */
static int replace_file(const char *path, const char *text, mode_t mode, char *errbuf)
{
	char tmp[PATH_MAX + 32];
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return ent_errf(errbuf, ENT_EIO, "%s: %s", tmp, strerror(errno));
	}
	if (fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	}
	return ENT_OK;
}

int ent_node_rotate_key(struct ent_home *h, struct ent_store *s, char *old_pk, char *new_pk,
                        size_t pk_sz, char *errbuf)
{
	struct ent_keypair old, next;
	struct ent_buf ann;
	char sk_new[PATH_MAX + 32], pk_new[PATH_MAX + 32], prev[PATH_MAX + 32], t[ENT_TIME_STRLEN];
	int64_t created = 0, modified = 0, now = ent_time_now_ms();
	char *text = NULL, *file_text = NULL;
	json_t *file = NULL;
	int rc;

	rc = ent_keys_load(h->sk_path, &old, errbuf);
	if (rc != ENT_OK)
		return rc;
	snprintf(sk_new, sizeof(sk_new), "%s.next", h->sk_path);
	snprintf(pk_new, sizeof(pk_new), "%s.next", h->pk_path);
	rc = ent_keys_generate(sk_new, pk_new, 1, &next, errbuf);
	ent_buf_init(&ann, 1 << 20);
	if (rc == ENT_OK) {
		text = published_identity(h, &created, &modified, errbuf);
		rc = text != NULL ? ENT_OK : ENT_EINVAL;
	}
	/* the new version is strictly later than the current one */
	if (now <= modified)
		now = modified + 1;
	if (rc == ENT_OK)
		rc = ent_sign_rotation_make(text, strlen(text), &old, &next, now, &ann, errbuf);
	if (rc == ENT_OK) {
		struct ent_buf one[1] = {ann};

		rc = store_own(s, one, 1, errbuf);
	}
	/* the identity file follows: its new modified time */
	if (rc == ENT_OK) {
		json_error_t jerr;

		file = json_load_file(h->identity_path, 0, &jerr);
		ent_time_format(now, t);
		if (file == NULL || json_object_set_new(file, "modified", json_string(t)) != 0 ||
		    (file_text = json_dumps(file, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL)
			rc = ent_errf(errbuf, ENT_EIO, "%s: cannot rewrite", h->identity_path);
	}
	if (rc == ENT_OK)
		rc = replace_file(h->identity_path, file_text, 0644, errbuf);
	if (rc == ENT_OK) {
		snprintf(prev, sizeof(prev), "%s.previous", h->pk_path);
		ent_keys_pk_text(old.pk, old_pk, pk_sz);
		ent_keys_pk_text(next.pk, new_pk, pk_sz);
		if (rename(h->pk_path, prev) != 0 || rename(sk_new, h->sk_path) != 0 ||
		    rename(pk_new, h->pk_path) != 0)
			rc = ent_errf(errbuf, ENT_EIO, "installing the new key: %s",
			              strerror(errno));
	} else {
		unlink(sk_new);
		unlink(pk_new);
	}
	ent_keys_wipe(&old);
	ent_keys_wipe(&next);
	ent_buf_free(&ann);
	json_decref(file);
	free(file_text);
	free(text);
	return rc;
}
