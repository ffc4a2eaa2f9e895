/*
 * test_auth.c - credential checks (trust/auth.h): the Authorization header
 * parser (RFC 7617 Basic, RFC 6750 Bearer), entente's token form, and the
 * verified-credential cache: a second check of a good credential needs no
 * hash verification but a wrong secret is still refused, and a removed
 * account or a new password takes effect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/peers.h"
#include "testutil.h"
#include "trust/auth.h"

static void basic_header(const char *userpass, char *out, size_t outsz)
{
	char b64[512];

	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)userpass, strlen(userpass),
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outsz, "Basic %s", b64);
}

static void test_parse(void **state)
{
	struct ent_auth_cred c;
	char h[600], tok[ENT_AUTH_TOKEN_MAX], id[ENT_AUTH_TOKEN_ID_LEN + 1];

	(void)state;
	/* RFC 7617 section 2's example: Aladdin / open sesame */
	assert_int_equal(ent_auth_parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", &c), ENT_OK);
	assert_int_equal(c.kind, ENT_AUTH_BASIC);
	assert_string_equal(c.user, "Aladdin");
	assert_string_equal(c.secret, "open sesame");
	/* the scheme is case-insensitive (RFC 9110 11.1); white space around */
	assert_int_equal(ent_auth_parse("  bAsIc   QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ", &c), ENT_OK);
	assert_string_equal(c.user, "Aladdin");
	/* the password may hold colons: only the first one splits */
	basic_header("u:a:b", h, sizeof(h));
	assert_int_equal(ent_auth_parse(h, &c), ENT_OK);
	assert_string_equal(c.user, "u");
	assert_string_equal(c.secret, "a:b");
	/* malformed */
	assert_int_equal(ent_auth_parse("Basic", &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse("Basic !!!!", &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== x", &c), ENT_EAUTH);
	basic_header("nocolon", h, sizeof(h));
	assert_int_equal(ent_auth_parse(h, &c), ENT_EAUTH);
	basic_header(":pw", h, sizeof(h));
	assert_int_equal(ent_auth_parse(h, &c), ENT_EAUTH);
	basic_header("u:", h, sizeof(h));
	assert_int_equal(ent_auth_parse(h, &c), ENT_EAUTH);
	basic_header("sp ace:pw", h, sizeof(h));
	assert_int_equal(ent_auth_parse(h, &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse("Digest x", &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse("", &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse(NULL, &c), ENT_EAUTH);
	/* an embedded NUL in the decoded credentials */
	assert_int_equal(ent_auth_parse("Basic dQB4OnB3", &c), ENT_EAUTH);

	/* Bearer: entente's tokens only */
	ent_auth_token_new(tok);
	assert_int_equal(strlen(tok), 20 + 1 + 43);
	assert_true(ent_auth_token_id(tok, id));
	assert_memory_equal(id, tok, 20);
	assert_int_equal(strlen(id), 20);
	snprintf(h, sizeof(h), "Bearer %s", tok);
	assert_int_equal(ent_auth_parse(h, &c), ENT_OK);
	assert_int_equal(c.kind, ENT_AUTH_BEARER);
	assert_string_equal(c.user, id);
	assert_string_equal(c.secret, tok);
	assert_int_equal(ent_auth_parse("Bearer abc", &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse("Bearer ent_0123456789abcdeF_aaaaaaaaaaaaaaaaaaaaaa", &c),
	                 ENT_EAUTH);
	assert_int_equal(ent_auth_parse("Bearer ent_0123456789abcdef_short", &c), ENT_EAUTH);
	assert_int_equal(ent_auth_parse("Bearer ent_0123456789abcdef_aaaaaaaaaaaaaaaaaaaa", &c),
	                 ENT_OK);
	/* two tokens differ */
	{
		char tok2[ENT_AUTH_TOKEN_MAX];

		ent_auth_token_new(tok2);
		assert_string_not_equal(tok, tok2);
	}
	assert_true(ent_auth_user_ok("peer-b.example_1"));
	assert_false(ent_auth_user_ok("a:b"));
	assert_false(ent_auth_user_ok(""));
}

/* The fast path is observed through ent_auth_verifications: how many
 * pwhash verifications ran. */
static void test_cache(void **state)
{
	char *dir = tu_mkdtemp(), path[512], err[ENT_ERRBUF_SIZE], good[600], bad[600];
	struct ent_store *s;
	struct ent_peer p = {0};
	struct ent_auth *auth;
	struct ent_http_principal who;

	(void)state;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	assert_int_equal(ent_store_open(path, ENT_STORE_CREATE, &s, err), ENT_OK);
	snprintf(p.name, sizeof(p.name), "peer-a");
	snprintf(p.groups, sizeof(p.groups), "community");
	assert_int_equal(ent_store_peer_add(s, &p, err), ENT_OK);
	assert_int_equal(ent_store_account_add(s, p.id, "basic", "alice", "pw-1", NULL, err),
	                 ENT_OK);
	assert_int_equal(ent_auth_new(path, &auth, err), ENT_OK);

	basic_header("alice:pw-1", good, sizeof(good));
	basic_header("alice:pw-2", bad, sizeof(bad));
	assert_int_equal(ent_auth_verifications(auth), 0);
	assert_int_equal(ent_auth_check(auth, good, &who, err), ENT_OK);
	assert_string_equal(who.peer, "peer-a");
	assert_string_equal(who.groups, "community");
	assert_int_equal(who.peer_id, p.id);
	assert_int_equal(ent_auth_verifications(auth), 1);
	/* second time: from the cache, no verification */
	assert_int_equal(ent_auth_check(auth, good, &who, err), ENT_OK);
	assert_int_equal(ent_auth_verifications(auth), 1);
	/* a wrong secret is not in the cache: verified, and refused, every time */
	assert_int_equal(ent_auth_check(auth, bad, &who, err), ENT_EAUTH);
	assert_int_equal(ent_auth_check(auth, bad, &who, err), ENT_EAUTH);
	assert_int_equal(ent_auth_verifications(auth), 3);
	/* an unknown user costs a verification too (against a dummy hash) */
	assert_int_equal(ent_auth_check(auth, "Basic bm9ib2R5OnB3", &who, err), ENT_EAUTH);
	assert_int_equal(ent_auth_verifications(auth), 4);
	/* a malformed header costs nothing */
	assert_int_equal(ent_auth_check(auth, "Basic %%%", &who, err), ENT_EAUTH);
	assert_int_equal(ent_auth_verifications(auth), 4);
	/* after a reload the credential is verified again */
	ent_auth_reload(auth);
	assert_int_equal(ent_auth_check(auth, good, &who, err), ENT_OK);
	assert_int_equal(ent_auth_verifications(auth), 5);

	/* the peer's groups change: the remembered credential reports the new ones */
	snprintf(p.groups, sizeof(p.groups), "partners");
	assert_int_equal(ent_store_peer_update(s, &p, err), ENT_OK);
	assert_int_equal(ent_auth_check(auth, good, &who, err), ENT_OK);
	assert_string_equal(who.groups, "partners");

	/* a new password takes effect at once: the old one is refused */
	assert_int_equal(ent_store_account_add(s, p.id, "basic", "alice", "pw-2", NULL, err),
	                 ENT_OK);
	assert_int_equal(ent_auth_check(auth, good, &who, err), ENT_EAUTH);
	assert_int_equal(ent_auth_check(auth, bad, &who, err), ENT_OK);

	/* removed: refused, with or without a reload */
	assert_int_equal(ent_store_account_remove(s, p.id, "alice", NULL, err), ENT_OK);
	assert_int_equal(ent_auth_check(auth, bad, &who, err), ENT_EAUTH);
	ent_auth_reload(auth);
	assert_int_equal(ent_auth_check(auth, bad, &who, err), ENT_EAUTH);

	/* a token account */
	{
		char tok[ENT_AUTH_TOKEN_MAX], id[ENT_AUTH_TOKEN_ID_LEN + 1], h[400];

		ent_auth_token_new(tok);
		assert_true(ent_auth_token_id(tok, id));
		assert_int_equal(ent_store_account_add(s, p.id, "token", id, tok, NULL, err),
		                 ENT_OK);
		snprintf(h, sizeof(h), "Bearer %s", tok);
		assert_int_equal(ent_auth_check(auth, h, &who, err), ENT_OK);
		assert_int_equal(ent_auth_check(auth, h, &who, err), ENT_OK);
		h[strlen(h) - 1] ^= 1;
		assert_int_equal(ent_auth_check(auth, h, &who, err), ENT_EAUTH);
		/* a Basic login with the token's id as user is another account kind */
		snprintf(h, sizeof(h), "%s:%s", id, tok);
		basic_header(h, good, sizeof(good));
		assert_int_equal(ent_auth_check(auth, good, &who, err), ENT_EAUTH);
	}
	ent_auth_free(auth);
	ent_store_close(s);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
