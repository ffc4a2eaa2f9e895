/*
 * auth.c - checking peers' credentials (see auth.h).
 *
 * A check goes:
 *   1. parse the header (ent_auth_parse) into a kind, a user (a Basic user
 *      name, or a token's public id) and a secret;
 *   2. digest = BLAKE2b(key, kind | user | 0 | secret), key random per
 *      process; look for the digest in the cache (sodium_memcmp against
 *      every live entry, under cache_lock);
 *   3. on a hit, read the account again by id (under db_lock): it must
 *      still exist with the hash it had when the secret verified, so that
 *      `peer deny` or a new password takes effect at once, and the
 *      principal reflects the peer's current name and groups;
 *   4. otherwise read the account by kind and user (under db_lock), then
 *      crypto_pwhash_str_verify with no lock held (it takes tens of
 *      milliseconds and 64 MiB), and remember the digest on success.
 * Unknown users cost a verification against a dummy hash, so that the time
 * of an answer does not say whether a user exists. Failed checks are not
 * remembered.
 *
 * Invariants: the cache holds digests, never secrets; secrets are wiped
 * from the stack before returning; neither lock is held during a hash
 * verification; the store connection (not thread-safe) is used only
 * under db_lock.
 */
#include "trust/auth.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/peers.h"

#define CACHE_SLOTS  256
#define CACHE_TTL_MS (5 * 60 * 1000) /* a remembered credential lasts five minutes */
#define DIGEST_BYTES 32

struct cache_entry {
	uint8_t digest[DIGEST_BYTES];   /* of the credential presented */
	uint8_t hash_tag[DIGEST_BYTES]; /* of the account's stored hash when it verified */
	int64_t account_id;
	int64_t expires_ms; /* monotonic; 0 = free slot */
};

struct ent_auth {
	pthread_mutex_t db_lock;
	struct ent_store *store;
	pthread_mutex_t cache_lock;
	uint8_t key[crypto_generichash_KEYBYTES];
	struct cache_entry cache[CACHE_SLOTS];
	unsigned long verifications; /* under cache_lock */
};

/* ---- parsing ---- */

static bool is_b64url(int c)
{
	return isalnum(c) || c == '-' || c == '_';
}

bool ent_auth_token_id(const char *token, char *id)
{
	size_t n, secret_len;

	if (token == NULL || strncmp(token, "ent_", 4) != 0)
		return false;
	for (n = 4; n < ENT_AUTH_TOKEN_ID_LEN; n++)
		if (!((token[n] >= 'a' && token[n] <= 'z') || (token[n] >= '0' && token[n] <= '9')))
			return false;
	if (token[n] != '_')
		return false;
	for (secret_len = 0; token[n + 1 + secret_len] != '\0'; secret_len++)
		if (!is_b64url((unsigned char)token[n + 1 + secret_len]))
			return false;
	if (secret_len < 20 || secret_len > 256)
		return false;
	if (id != NULL) {
		memcpy(id, token, ENT_AUTH_TOKEN_ID_LEN);
		id[ENT_AUTH_TOKEN_ID_LEN] = '\0';
	}
	return true;
}

void ent_auth_token_new(char *out)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t secret[32];
	size_t n = 0;

	if (sodium_init() < 0)
		abort(); /* start-up failure: no randomness */
	memcpy(out, "ent_", 4);
	for (n = 4; n < ENT_AUTH_TOKEN_ID_LEN; n++)
		out[n] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	out[n++] = '_';
	randombytes_buf(secret, sizeof(secret));
	sodium_bin2base64(out + n, ENT_AUTH_TOKEN_MAX - n, secret, sizeof(secret),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof(secret));
}

bool ent_auth_user_ok(const char *user)
{
	size_t n;

	if (user == NULL)
		return false;
	for (n = 0; user[n] != '\0'; n++)
		if (user[n] <= ' ' || user[n] > '~' || user[n] == ':')
			return false;
	return n >= 1 && n < ENT_AUTH_USER_MAX;
}

/* Basic's token68: base64 with its padding; a missing padding is tolerated. */
static int parse_basic(const char *b64, struct ent_auth_cred *out)
{
	unsigned char bin[ENT_AUTH_USER_MAX + ENT_AUTH_SECRET_MAX];
	size_t len = strlen(b64), bin_len = 0, ulen;
	unsigned char *colon;
	int rc = ENT_EAUTH;

	if (len == 0 || len > (sizeof(bin) / 3) * 4)
		return ENT_EAUTH;
	if (sodium_base642bin(bin, sizeof(bin) - 1, b64, len, NULL, &bin_len, NULL,
	                      len % 4 == 0 ? sodium_base64_VARIANT_ORIGINAL
	                                   : sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		goto out;
	colon = memchr(bin, ':', bin_len);
	if (colon == NULL || memchr(bin, '\0', bin_len) != NULL)
		goto out;
	ulen = (size_t)(colon - bin);
	if (ulen == 0 || ulen >= sizeof(out->user) || bin_len - ulen - 1 >= sizeof(out->secret) ||
	    bin_len - ulen - 1 == 0)
		goto out;
	memcpy(out->user, bin, ulen);
	out->user[ulen] = '\0';
	memcpy(out->secret, colon + 1, bin_len - ulen - 1);
	out->secret[bin_len - ulen - 1] = '\0';
	if (!ent_auth_user_ok(out->user))
		goto out;
	out->kind = ENT_AUTH_BASIC;
	rc = ENT_OK;
out:
	sodium_memzero(bin, sizeof(bin));
	return rc;
}

int ent_auth_parse(const char *h, struct ent_auth_cred *out)
{
	const char *p;
	size_t n;
	int rc = ENT_EAUTH;

	memset(out, 0, sizeof(*out));
	if (h == NULL)
		return ENT_EAUTH;
	while (*h == ' ' || *h == '\t')
		h++;
	for (p = h; *p != '\0' && *p != ' ' && *p != '\t'; p++)
		;
	n = (size_t)(p - h);
	while (*p == ' ' || *p == '\t')
		p++;
	/* the credentials: one token68, optional trailing white space */
	{
		size_t len = strcspn(p, " \t");

		if (len == 0 || len >= ENT_AUTH_SECRET_MAX + ENT_AUTH_USER_MAX)
			return ENT_EAUTH;
		for (size_t i = len; p[i] != '\0'; i++)
			if (p[i] != ' ' && p[i] != '\t')
				return ENT_EAUTH;
		char cred[ENT_AUTH_SECRET_MAX + ENT_AUTH_USER_MAX];

		memcpy(cred, p, len);
		cred[len] = '\0';
		if (n == 5 && strncasecmp(h, "Basic", 5) == 0) {
			rc = parse_basic(cred, out);
		} else if (n == 6 && strncasecmp(h, "Bearer", 6) == 0 &&
		           len < sizeof(out->secret) && ent_auth_token_id(cred, out->user)) {
			memcpy(out->secret, cred, len + 1);
			out->kind = ENT_AUTH_BEARER;
			rc = ENT_OK;
		}
		sodium_memzero(cred, sizeof(cred));
	}
	if (rc != ENT_OK)
		sodium_memzero(out, sizeof(*out));
	return rc;
}

/* ---- the authenticator ---- */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void make_dummy_hash(void)
{
	static const char pw[] = "entente: no such account";

	if (crypto_pwhash_str(dummy_hash, pw, sizeof(pw) - 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
}

int ent_auth_new(const char *store_path, struct ent_auth **out, char *errbuf)
{
	struct ent_auth *a;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = ent_store_open(store_path, 0, &a->store, errbuf);
	if (rc != ENT_OK) {
		free(a);
		return rc;
	}
	pthread_mutex_init(&a->db_lock, NULL);
	pthread_mutex_init(&a->cache_lock, NULL);
	crypto_generichash_keygen(a->key);
	*out = a;
	return ENT_OK;
}

void ent_auth_free(struct ent_auth *a)
{
	if (a == NULL)
		return;
	ent_store_close(a->store);
	pthread_mutex_destroy(&a->db_lock);
	pthread_mutex_destroy(&a->cache_lock);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

void ent_auth_reload(struct ent_auth *a)
{
	pthread_mutex_lock(&a->cache_lock);
	sodium_memzero(a->cache, sizeof(a->cache));
	pthread_mutex_unlock(&a->cache_lock);
}

unsigned long ent_auth_verifications(struct ent_auth *a)
{
	unsigned long n;

	pthread_mutex_lock(&a->cache_lock);
	n = a->verifications;
	pthread_mutex_unlock(&a->cache_lock);
	return n;
}

static void count_verification(struct ent_auth *a)
{
	pthread_mutex_lock(&a->cache_lock);
	a->verifications++;
	pthread_mutex_unlock(&a->cache_lock);
}

static void cred_digest(const struct ent_auth *a, const struct ent_auth_cred *c,
                        uint8_t out[DIGEST_BYTES])
{
	crypto_generichash_state st;
	uint8_t kind = (uint8_t)c->kind;

	crypto_generichash_init(&st, a->key, sizeof(a->key), DIGEST_BYTES);
	crypto_generichash_update(&st, &kind, 1);
	crypto_generichash_update(&st, (const uint8_t *)c->user, strlen(c->user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)c->secret, strlen(c->secret));
	crypto_generichash_final(&st, out, DIGEST_BYTES);
	sodium_memzero(&st, sizeof(st));
}

static void hash_tag(const struct ent_auth *a, const char *secret_hash, uint8_t out[DIGEST_BYTES])
{
	crypto_generichash(out, DIGEST_BYTES, (const uint8_t *)secret_hash, strlen(secret_hash),
	                   a->key, sizeof(a->key));
}

/* The live entry holding digest, or NULL. Under cache_lock. */
static struct cache_entry *cache_find(struct ent_auth *a, const uint8_t *digest, int64_t now)
{
	struct cache_entry *found = NULL;

	/* every live slot is compared, in constant time each */
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct cache_entry *e = &a->cache[i];

		if (e->expires_ms > now && sodium_memcmp(e->digest, digest, DIGEST_BYTES) == 0)
			found = e;
	}
	return found;
}

static void cache_put(struct ent_auth *a, const uint8_t *digest, const uint8_t *tag,
                      int64_t account_id)
{
	int64_t now = mono_ms();
	struct cache_entry *e;

	pthread_mutex_lock(&a->cache_lock);
	e = cache_find(a, digest, now);
	if (e == NULL) {
		/* a free or expired slot, else the one that expires first */
		e = &a->cache[0];
		for (size_t i = 0; i < CACHE_SLOTS; i++) {
			if (a->cache[i].expires_ms <= now) {
				e = &a->cache[i];
				break;
			}
			if (a->cache[i].expires_ms < e->expires_ms)
				e = &a->cache[i];
		}
	}
	memcpy(e->digest, digest, DIGEST_BYTES);
	memcpy(e->hash_tag, tag, DIGEST_BYTES);
	e->account_id = account_id;
	e->expires_ms = now + CACHE_TTL_MS;
	pthread_mutex_unlock(&a->cache_lock);
}

static void cache_drop(struct ent_auth *a, const uint8_t *digest)
{
	struct cache_entry *e;

	pthread_mutex_lock(&a->cache_lock);
	e = cache_find(a, digest, mono_ms());
	if (e != NULL)
		sodium_memzero(e, sizeof(*e));
	pthread_mutex_unlock(&a->cache_lock);
}

static void fill_who(const struct ent_peer_account_auth *acc, struct ent_http_principal *who)
{
	memset(who, 0, sizeof(*who));
	who->peer_id = acc->peer_id;
	snprintf(who->peer, sizeof(who->peer), "%s", acc->peer);
	snprintf(who->groups, sizeof(who->groups), "%s", acc->groups);
}

int ent_auth_check(struct ent_auth *a, const char *authorization, struct ent_http_principal *who,
                   char *errbuf)
{
	struct ent_auth_cred cred;
	struct ent_peer_account_auth acc;
	uint8_t digest[DIGEST_BYTES], tag[DIGEST_BYTES];
	int64_t account_id = -1;
	bool hit = false;
	int rc;

	if (ent_auth_parse(authorization, &cred) != ENT_OK)
		return ent_errf(errbuf, ENT_EAUTH, "credentials not valid");
	cred_digest(a, &cred, digest);

	pthread_mutex_lock(&a->cache_lock);
	{
		struct cache_entry *e = cache_find(a, digest, mono_ms());

		if (e != NULL) {
			hit = true;
			account_id = e->account_id;
			memcpy(tag, e->hash_tag, DIGEST_BYTES);
		}
	}
	pthread_mutex_unlock(&a->cache_lock);

	if (hit) {
		uint8_t now_tag[DIGEST_BYTES];

		pthread_mutex_lock(&a->db_lock);
		rc = ent_store_account_by_id(a->store, account_id, &acc, NULL);
		pthread_mutex_unlock(&a->db_lock);
		if (rc == ENT_OK) {
			hash_tag(a, acc.secret_hash, now_tag);
			if (sodium_memcmp(now_tag, tag, DIGEST_BYTES) == 0) {
				fill_who(&acc, who);
				rc = ENT_OK;
				goto out;
			}
		}
		/* the account is gone or has a new secret: check afresh */
		cache_drop(a, digest);
	}

	pthread_mutex_lock(&a->db_lock);
	rc = ent_store_account_lookup(a->store, cred.kind == ENT_AUTH_BASIC ? "basic" : "token",
	                              cred.user, &acc, NULL);
	pthread_mutex_unlock(&a->db_lock);
	if (rc == ENT_ENOTFOUND) {
		/* as long as a wrong password would take */
		pthread_once(&dummy_once, make_dummy_hash);
		count_verification(a);
		if (dummy_hash[0] != '\0')
			(void)!crypto_pwhash_str_verify(dummy_hash, cred.secret,
			                                strlen(cred.secret));
		rc = ent_errf(errbuf, ENT_EAUTH, "credentials not valid");
		goto out;
	}
	if (rc != ENT_OK) {
		rc = ent_errf(errbuf, ENT_EAUTH, "credentials could not be checked");
		goto out;
	}
	count_verification(a);
	if (crypto_pwhash_str_verify(acc.secret_hash, cred.secret, strlen(cred.secret)) != 0) {
		rc = ent_errf(errbuf, ENT_EAUTH, "credentials not valid");
		goto out;
	}
	hash_tag(a, acc.secret_hash, tag);
	cache_put(a, digest, tag, acc.account_id);
	fill_who(&acc, who);
	rc = ENT_OK;
out:
	sodium_memzero(&cred, sizeof(cred));
	sodium_memzero(digest, sizeof(digest));
	return rc;
}
