/*
 * peers.h - the store's peers (how we reach them, what we think of them)
 * and their accounts on our TAXII server (secrets only as hashes).
 * Tables: peers, peer_accounts (schema.c, migration 3).
 */
#ifndef ENT_STORE_PEERS_H
#define ENT_STORE_PEERS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct ent_peer {
	int64_t id;
	char name[64];
	char url[512];          /* the peer's TAXII discovery (or API root) URL; "" = none */
	char auth_kind[8];      /* "none", "basic", "token" */
	char auth_user[128];    /* basic only */
	char secret_path[4096]; /* file with the password or token we send */
	char ca_path[4096];     /* pinned CA / certificate; "" = the system's CAs */
	char public_key[64];    /* base64 Ed25519 public key; "" = none */
	char identity_ref[64];  /* the peer's STIX identity id; "" = not known yet */
	int trust;              /* 0..100 */
	char groups[256];       /* comma-separated sharing groups */
	int64_t created_ms, updated_ms;
	int accounts; /* how many accounts it has on our server (read only) */
};

/* One account with which a peer uses our server. The secret is never here:
 * the store keeps only its crypto_pwhash_str hash. */
struct ent_peer_account {
	int64_t id;
	int64_t peer_id;
	char kind[8];   /* "basic" or "token" */
	char user[128]; /* basic: the user name; token: the token's public id ("ent_...") */
	int64_t created_ms;
};

/* What the authenticator needs to check a credential: the account, its
 * hash, and who it belongs to. */
struct ent_peer_account_auth {
	int64_t account_id;
	int64_t peer_id;
	char peer[64];
	char groups[256];
	char secret_hash[128]; /* crypto_pwhash_str output */
};

/* Adds peer p (name, url, auth_*, secret_path, ca_path, public_key,
 * identity_ref, trust, groups); sets p->id, created_ms and updated_ms.
 * ENT_EEXIST when a peer of that name exists. */
int ent_store_peer_add(struct ent_store *s, struct ent_peer *p, char *errbuf) ENT_MUST_CHECK;
/* Fills *out with the peer called name; ENT_ENOTFOUND when there is none. */
int ent_store_peer_get(struct ent_store *s, const char *name, struct ent_peer *out,
                       char *errbuf) ENT_MUST_CHECK;
/* The same by row id (a principal's peer_id). */
int ent_store_peer_get_by_id(struct ent_store *s, int64_t id, struct ent_peer *out,
                             char *errbuf) ENT_MUST_CHECK;
/* Calls fn for every peer, by name. The record is borrowed for the call; a
 * non-zero return from fn stops the walk and is returned. */
int ent_store_peers_foreach(struct ent_store *s, int (*fn)(void *ctx, const struct ent_peer *p),
                            void *ctx, char *errbuf) ENT_MUST_CHECK;
/* Rewrites every field of the peer with id p->id (the name too) and sets
 * p->updated_ms. ENT_ENOTFOUND, or ENT_EEXIST when renamed onto another. */
int ent_store_peer_update(struct ent_store *s, struct ent_peer *p, char *errbuf) ENT_MUST_CHECK;
/* Removes the peer called name with its accounts, cursors and push records
 * (ON DELETE CASCADE). ENT_ENOTFOUND when there is none. */
int ent_store_peer_remove(struct ent_store *s, const char *name, char *errbuf) ENT_MUST_CHECK;

/* Adds an account of kind "basic" (user = the user name) or "token" (user
 * = the token's public id) to a peer, storing only crypto_pwhash_str of
 * secret (OPSLIMIT/MEMLIMIT_INTERACTIVE: tens of milliseconds, 64 MiB).
 * An existing account with the same user is replaced when it belongs to
 * the same peer (a new password), ENT_EEXIST when it belongs to another.
 * *id_out (may be NULL) gets the account's id. */
int ent_store_account_add(struct ent_store *s, int64_t peer_id, const char *kind, const char *user,
                          const char *secret, int64_t *id_out, char *errbuf) ENT_MUST_CHECK;
/* Calls fn for every account of peer_id (every account when peer_id < 0),
 * by id. Borrowed record; a non-zero return from fn stops and is returned. */
int ent_store_accounts_foreach(struct ent_store *s, int64_t peer_id,
                               int (*fn)(void *ctx, const struct ent_peer_account *a), void *ctx,
                               char *errbuf) ENT_MUST_CHECK;
/* Removes the accounts of peer_id with that user (every account of the
 * peer when user is NULL); *n_removed (may be NULL) says how many. */
int ent_store_account_remove(struct ent_store *s, int64_t peer_id, const char *user, int *n_removed,
                             char *errbuf) ENT_MUST_CHECK;
/* The account of that kind and user, with its hash and peer, for checking
 * a credential. ENT_ENOTFOUND when there is none. */
int ent_store_account_lookup(struct ent_store *s, const char *kind, const char *user,
                             struct ent_peer_account_auth *out, char *errbuf) ENT_MUST_CHECK;
/* The same by account id (a remembered credential still valid?). */
int ent_store_account_by_id(struct ent_store *s, int64_t account_id,
                            struct ent_peer_account_auth *out, char *errbuf) ENT_MUST_CHECK;

#endif
