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

#include <stdbool.h>

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

/* How many hash verifications this authenticator has run (cache misses,
 * unknown users included): for statistics, and for tests of the cache. */
unsigned long ent_auth_verifications(struct ent_auth *a);

/* ---- credentials (exposed for the CLI, the tests and the fuzzer) ---- */

/*
 * Bearer tokens made by entente have the form ent_<id>_<secret>: <id> is 16
 * characters [a-z0-9], public, and names the account (peer_accounts.user
 * holds "ent_<id>"), so a token is checked against one hash, not against
 * every account's; <secret> is 20 to 256 characters of base64url. The
 * whole token is what is hashed. Tokens of any other form are refused.
 */
#define ENT_AUTH_TOKEN_ID_LEN 20  /* "ent_" and 16 characters */
#define ENT_AUTH_TOKEN_MAX    300 /* bytes, with the NUL */
#define ENT_AUTH_USER_MAX     128 /* bytes, with the NUL */
#define ENT_AUTH_SECRET_MAX   512 /* bytes, with the NUL */

enum ent_auth_kind { ENT_AUTH_BASIC = 1, ENT_AUTH_BEARER = 2 };

struct ent_auth_cred {
	enum ent_auth_kind kind;
	char user[ENT_AUTH_USER_MAX];     /* basic: the user; bearer: the token's id */
	char secret[ENT_AUTH_SECRET_MAX]; /* basic: the password; bearer: the token */
};

/* Parses an Authorization header value: "Basic <base64 user:password>"
 * (RFC 7617) or "Bearer <token>" (RFC 6750), scheme case-insensitive.
 * ENT_OK, or ENT_EAUTH for anything malformed or too long. The caller
 * wipes out->secret (sodium_memzero) when done. */
int ent_auth_parse(const char *authorization, struct ent_auth_cred *out) ENT_MUST_CHECK;
/* True if token has entente's form; id (ENT_AUTH_TOKEN_ID_LEN + 1 bytes)
 * gets its public id. */
bool ent_auth_token_id(const char *token, char *id);
/* A new random token into out (ENT_AUTH_TOKEN_MAX bytes). */
void ent_auth_token_new(char *out);
/* True if user is acceptable as a Basic user name: 1 to 127 printable
 * ASCII characters, no ':' (RFC 7617), no space. */
bool ent_auth_user_ok(const char *user);

#endif
