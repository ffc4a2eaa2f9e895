/* home.c - creating and opening a node home (see home.h). */
#include "node/home.h"

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/timefmt.h"
#include "core/uuid.h"
#include "trust/cert.h"
#include "trust/keys.h"

int ent_home_resolve(const char *opt, char *out, size_t outsz, char *errbuf)
{
	const char *env = getenv("ENTENTE_HOME"), *home;

	if (opt != NULL && opt[0] != '\0') {
		snprintf(out, outsz, "%s", opt);
		return ENT_OK;
	}
	if (env != NULL && env[0] != '\0') {
		snprintf(out, outsz, "%s", env);
		return ENT_OK;
	}
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		return ent_errf(errbuf, ENT_EINVAL,
		                "no node home: give --home DIR or set ENTENTE_HOME");
	snprintf(out, outsz, "%s/.entente", home);
	return ENT_OK;
}

static void home_paths(struct ent_home *h, const char *dir)
{
	snprintf(h->dir, sizeof(h->dir), "%s", dir);
	snprintf(h->store_path, sizeof(h->store_path), "%s/store.db", dir);
	snprintf(h->config_path, sizeof(h->config_path), "%s/entente.conf", dir);
	snprintf(h->sk_path, sizeof(h->sk_path), "%s/node.key", dir);
	snprintf(h->pk_path, sizeof(h->pk_path), "%s/node.pub", dir);
	snprintf(h->identity_path, sizeof(h->identity_path), "%s/identity.json", dir);
	snprintf(h->tls_cert_path, sizeof(h->tls_cert_path), "%s/tls.crt", dir);
	snprintf(h->tls_key_path, sizeof(h->tls_key_path), "%s/tls.key", dir);
}

/* A configured path, relative to the home unless absolute. */
static void home_relative(const struct ent_home *h, const char *value, char *out, size_t outsz)
{
	if (value[0] == '/')
		snprintf(out, outsz, "%s", value);
	else
		snprintf(out, outsz, "%s/%s", h->dir, value);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool is_home(const char *dir)
{
	char p[PATH_MAX + 16];
	struct stat st;

	snprintf(p, sizeof(p), "%s/entente.conf", dir);
	if (stat(p, &st) == 0)
		return true;
	snprintf(p, sizeof(p), "%s/store.db", dir);
	return stat(p, &st) == 0;
}

static bool dir_is_empty(const char *dir)
{
	char cmd[PATH_MAX + 16];
	struct stat st;

	/* only the files a home holds matter; anything else stays */
	snprintf(cmd, sizeof(cmd), "%s/node.key", dir);
	return stat(cmd, &st) != 0;
}

static int write_identity(struct ent_home *h, const char *name, char *id_out, size_t idsz,
                          char *errbuf)
{
	char uuid[ENT_UUID_STRLEN], now[ENT_TIME_STRLEN], id[64];
	json_t *obj;
	int rc;

	ent_uuid_v4(uuid);
	snprintf(id, sizeof(id), "identity--%s", uuid);
	ent_time_format(ent_time_now_ms(), now);
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
	                "2.1", "id", id, "created", now, "modified", now, "name", name,
	                "identity_class", "organization");
	if (obj == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = json_dump_file(obj, h->identity_path, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(obj);
	if (rc != 0)
		return ent_errf(errbuf, ENT_EIO, "%s: cannot write", h->identity_path);
	snprintf(id_out, idsz, "%s", id);
	return ENT_OK;
}

int ent_home_init(const char *dir, const char *name, bool force, struct ent_home_init_info *info,
                  char *errbuf)
{
	char tmp[PATH_MAX], old[PATH_MAX];
	struct ent_home h;
	struct ent_keypair kp;
	struct ent_store *s = NULL;
	struct stat st;
	bool exists = stat(dir, &st) == 0;
	int rc;

	if (exists && !S_ISDIR(st.st_mode))
		return ent_errf(errbuf, ENT_EEXIST, "%s exists and is not a directory", dir);
	if (exists && (is_home(dir) || !dir_is_empty(dir)) && !force)
		return ent_errf(errbuf, ENT_EEXIST,
		                "%s is already a node home; use --force to replace it (this "
		                "destroys its store and keys)",
		                dir);
	snprintf(tmp, sizeof(tmp), "%s.new-%ld", dir, (long)getpid());
	rm_tree(tmp);
	if (mkdir(tmp, 0700) != 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", tmp, strerror(errno));
	home_paths(&h, tmp);
	h.config = NULL;
	rc = ent_keys_generate(h.sk_path, h.pk_path, 0, &kp, errbuf);
	if (rc != ENT_OK)
		goto fail;
	ent_keys_pk_text(kp.pk, info->public_key, sizeof(info->public_key));
	ent_keys_wipe(&kp);
	rc = ent_cert_generate(h.tls_cert_path, h.tls_key_path, name, ENT_CERT_DAYS, errbuf);
	if (rc == ENT_OK)
		rc = ent_cert_fingerprint(h.tls_cert_path, info->tls_fingerprint,
		                          sizeof(info->tls_fingerprint), errbuf);
	if (rc != ENT_OK)
		goto fail;
	rc = write_identity(&h, name, info->identity_id, sizeof(info->identity_id), errbuf);
	if (rc != ENT_OK)
		goto fail;
	rc = ent_config_write_default(h.config_path, name, info->identity_id, errbuf);
	if (rc != ENT_OK)
		goto fail;
	rc = ent_store_open(h.store_path, ENT_STORE_CREATE, &s, errbuf);
	ent_store_close(s);
	if (rc != ENT_OK)
		goto fail;
	if (exists) {
		snprintf(old, sizeof(old), "%s.old-%ld", dir, (long)getpid());
		if (rename(dir, old) != 0) {
			rc = ent_errf(errbuf, ENT_EIO, "%s: %s", dir, strerror(errno));
			goto fail;
		}
		if (rename(tmp, dir) != 0) {
			rc = ent_errf(errbuf, ENT_EIO, "%s: %s", dir, strerror(errno));
			if (rename(old, dir) != 0)
				fprintf(stderr, "entente: the old home is at %s\n", old);
			goto fail;
		}
		rm_tree(old);
	} else if (rename(tmp, dir) != 0) {
		rc = ent_errf(errbuf, ENT_EIO, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	return ENT_OK;
fail:
	rm_tree(tmp);
	return rc;
}

int ent_home_open(const char *dir, struct ent_home **out, char *errbuf)
{
	struct ent_home *h;
	int rc;

	*out = NULL;
	if (!is_home(dir))
		return ent_errf(errbuf, ENT_ENOTFOUND,
		                "%s is not a node home; create one with: entente init --home %s",
		                dir, dir);
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	home_paths(h, dir);
	rc = ent_keys_check_secrecy(h->sk_path, errbuf);
	if (rc == ENT_OK)
		rc = ent_config_load(h->config_path, &h->config, errbuf);
	if (rc == ENT_OK) {
		home_relative(h, ent_config_get(h->config, "serve.tls_cert", "tls.crt"),
		              h->tls_cert_path, sizeof(h->tls_cert_path));
		home_relative(h, ent_config_get(h->config, "serve.tls_key", "tls.key"),
		              h->tls_key_path, sizeof(h->tls_key_path));
	}
	if (rc != ENT_OK) {
		ent_home_close(h);
		return rc;
	}
	*out = h;
	return ENT_OK;
}

void ent_home_close(struct ent_home *h)
{
	if (h == NULL)
		return;
	ent_config_free(h->config);
	free(h);
}

int ent_home_store(struct ent_home *h, int flags, struct ent_store **out, char *errbuf)
{
	return ent_store_open(h->store_path, flags, out, errbuf);
}
