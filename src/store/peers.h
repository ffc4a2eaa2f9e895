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

#endif
