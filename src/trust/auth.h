/*
 * auth.h - checking the credentials peers present to our TAXII server.
 *
 * Peers' accounts (peer_accounts in the store) hold only crypto_pwhash_str
 * hashes. Verifying one costs tens of milliseconds on purpose, so a
 * credential that verified is remembered in memory as a keyed BLAKE2b
 * digest (key random per process) and later requests with it are compared
 * to that digest in constant time; the cache forgets an entry after a
 * while and when the account is removed (ent_auth_reload).
 * Thread-safe: the server's threads share one ent_auth.
 */
#ifndef ENT_TRUST_AUTH_H
#define ENT_TRUST_AUTH_H

#include "core/error.h"
#include "taxii/http_server.h"

struct ent_auth;

/* Opens its own connection to the store at store_path. */
int ent_auth_new(const char *store_path, struct ent_auth **out, char *errbuf) ENT_MUST_CHECK;
void ent_auth_free(struct ent_auth *a);
/* Forgets every remembered credential (accounts changed). */
void ent_auth_reload(struct ent_auth *a);

/* Checks an Authorization header value ("Basic ...", "Bearer ..."). ENT_OK
 * with *who filled, or ENT_EAUTH (unknown user, wrong secret, malformed
 * header) without saying which. */
int ent_auth_check(struct ent_auth *a, const char *authorization, struct ent_http_principal *who,
                   char *errbuf) ENT_MUST_CHECK;

#endif
