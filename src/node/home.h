/*
 * home.h - the node home: the directory that holds one node's state.
 *
 *   store.db        the SQLite store (WAL files beside it)
 *   node.key        Ed25519 secret key, mode 0600
 *   node.pub        Ed25519 public key
 *   identity.json   the node's STIX 2.1 identity object
 *   entente.conf    the configuration, every setting commented
 *   tls.crt         the TLS certificate of `entente serve` (self-signed by init)
 *   tls.key         its key, mode 0600
 *   peers/          the secrets we present to peers (NAME.secret, mode 0600)
 *
 * Where it is: --home DIR, else $ENTENTE_HOME, else ~/.entente. Opening a
 * home refuses a secret key readable by group or others.
 */
#ifndef ENT_NODE_HOME_H
#define ENT_NODE_HOME_H

#include <limits.h>
#include <stdbool.h>

#include "core/error.h"
#include "node/config.h"
#include "store/store.h"

struct ent_home {
	char dir[PATH_MAX];
	char store_path[PATH_MAX + 16];
	char config_path[PATH_MAX + 16];
	char sk_path[PATH_MAX + 16];
	char pk_path[PATH_MAX + 16];
	char identity_path[PATH_MAX + 16];
	/* serve.tls_cert and serve.tls_key, resolved against dir */
	char tls_cert_path[PATH_MAX + 16];
	char tls_key_path[PATH_MAX + 16];
	struct ent_config *config;
};

/* Picks the home directory: opt (may be NULL), $ENTENTE_HOME, ~/.entente. */
int ent_home_resolve(const char *opt, char *out, size_t outsz, char *errbuf) ENT_MUST_CHECK;

struct ent_home_init_info {
	char identity_id[64];
	char public_key[64];
	char tls_fingerprint[100]; /* SHA-256 of tls.crt, "AB:CD:..." */
};

/* Creates a new home in dir. An existing home is replaced only with force;
 * the new home is built beside it and renamed into place, so a failure
 * leaves the old one intact. */
int ent_home_init(const char *dir, const char *name, bool force, struct ent_home_init_info *info,
                  char *errbuf) ENT_MUST_CHECK;

/* Opens an existing home (checks the key's permissions, loads the config).
 * Caller frees with ent_home_close. */
int ent_home_open(const char *dir, struct ent_home **out, char *errbuf) ENT_MUST_CHECK;
void ent_home_close(struct ent_home *h);
/* Opens the home's store. */
int ent_home_store(struct ent_home *h, int flags, struct ent_store **out,
                   char *errbuf) ENT_MUST_CHECK;

#endif
