/*
 * test_peers.c - the store's peers and their accounts (store/peers.h):
 * add, get, list, update, remove; accounts hold only crypto_pwhash_str
 * hashes, which verify the secret and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/peers.h"
#include "testutil.h"

struct names {
	char list[512];
	int accounts;
};

static int collect(void *ctx, const struct ent_peer *p)
{
	struct names *n = ctx;

	strcat(n->list, p->name);
	strcat(n->list, ",");
	n->accounts += p->accounts;
	return 0;
}

static int count_accounts(void *ctx, const struct ent_peer_account *a)
{
	int *n = ctx;

	assert_true(strcmp(a->kind, "basic") == 0 || strcmp(a->kind, "token") == 0);
	(*n)++;
	return 0;
}

static struct ent_store *open_store(char **dir_out, char *path, size_t pathsz)
{
	char err[ENT_ERRBUF_SIZE];
	struct ent_store *s = NULL;

	*dir_out = tu_mkdtemp();
	snprintf(path, pathsz, "%s/store.db", *dir_out);
	if (ent_store_open(path, ENT_STORE_CREATE, &s, err) != ENT_OK)
		fail_msg("%s", err);
	return s;
}

static void test_peer_crud(void **state)
{
	char path[512], err[ENT_ERRBUF_SIZE], *dir;
	struct ent_store *s = open_store(&dir, path, sizeof(path));
	struct ent_peer a = {0}, b = {0}, got;
	struct names n = {0};

	(void)state;
	snprintf(a.name, sizeof(a.name), "cert-a");
	snprintf(a.url, sizeof(a.url), "https://a.example:8443/taxii2/");
	snprintf(a.auth_kind, sizeof(a.auth_kind), "basic");
	snprintf(a.auth_user, sizeof(a.auth_user), "us");
	snprintf(a.secret_path, sizeof(a.secret_path), "/home/x/peers/cert-a.secret");
	snprintf(a.public_key, sizeof(a.public_key),
	         "W0uCvUaFr5QDceoJ+zkTP70se8hkUfz8lnoL9hY3qhU=");
	snprintf(a.groups, sizeof(a.groups), "community");
	a.trust = 80;
	assert_int_equal(ent_store_peer_add(s, &a, err), ENT_OK);
	assert_true(a.id > 0);
	snprintf(b.name, sizeof(b.name), "b-isp");
	b.trust = 10;
	assert_int_equal(ent_store_peer_add(s, &b, err), ENT_OK);
	/* names are unique */
	assert_int_equal(ent_store_peer_add(s, &b, err), ENT_EEXIST);

	assert_int_equal(ent_store_peer_get(s, "cert-a", &got, err), ENT_OK);
	assert_int_equal(got.id, a.id);
	assert_string_equal(got.url, a.url);
	assert_string_equal(got.auth_kind, "basic");
	assert_string_equal(got.auth_user, "us");
	assert_string_equal(got.secret_path, a.secret_path);
	assert_string_equal(got.ca_path, "");
	assert_string_equal(got.public_key, a.public_key);
	assert_string_equal(got.groups, "community");
	assert_int_equal(got.trust, 80);
	assert_true(got.created_ms > 0);
	/* defaults of an almost empty peer */
	assert_int_equal(ent_store_peer_get_by_id(s, b.id, &got, err), ENT_OK);
	assert_string_equal(got.name, "b-isp");
	assert_string_equal(got.auth_kind, "none");
	assert_string_equal(got.url, "");
	assert_int_equal(ent_store_peer_get(s, "nobody", &got, err), ENT_ENOTFOUND);

	assert_int_equal(ent_store_peers_foreach(s, collect, &n, err), ENT_OK);
	assert_string_equal(n.list, "b-isp,cert-a,");

	/* update: every field, the name too; onto an existing name is refused */
	a.trust = 55;
	snprintf(a.ca_path, sizeof(a.ca_path), "/etc/a.pem");
	snprintf(a.name, sizeof(a.name), "cert-a2");
	assert_int_equal(ent_store_peer_update(s, &a, err), ENT_OK);
	assert_int_equal(ent_store_peer_get(s, "cert-a2", &got, err), ENT_OK);
	assert_int_equal(got.trust, 55);
	assert_string_equal(got.ca_path, "/etc/a.pem");
	snprintf(a.name, sizeof(a.name), "b-isp");
	assert_int_equal(ent_store_peer_update(s, &a, err), ENT_EEXIST);

	assert_int_equal(ent_store_peer_remove(s, "b-isp", err), ENT_OK);
	assert_int_equal(ent_store_peer_remove(s, "b-isp", err), ENT_ENOTFOUND);
	memset(&n, 0, sizeof(n));
	assert_int_equal(ent_store_peers_foreach(s, collect, &n, err), ENT_OK);
	assert_string_equal(n.list, "cert-a2,");
	ent_store_close(s);
	free(dir);
}

static void test_accounts_hashed(void **state)
{
	char path[512], err[ENT_ERRBUF_SIZE], *dir;
	struct ent_store *s = open_store(&dir, path, sizeof(path));
	struct ent_peer a = {0}, b = {0}, got;
	struct ent_peer_account_auth acc, acc2;
	int64_t id1 = 0, id2 = 0;
	int n = 0, removed = -1;
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	snprintf(a.name, sizeof(a.name), "a");
	snprintf(b.name, sizeof(b.name), "b");
	assert_int_equal(ent_store_peer_add(s, &a, err), ENT_OK);
	assert_int_equal(ent_store_peer_add(s, &b, err), ENT_OK);
	assert_int_equal(
	    ent_store_account_add(s, a.id, "basic", "alice", "correct horse", &id1, err), ENT_OK);
	assert_int_equal(ent_store_account_add(s, a.id, "token", "ent_0123456789abcdef",
	                                       "ent_0123456789abcdef_secretsecretsecretsecret",
	                                       &id2, err),
	                 ENT_OK);
	/* a user belongs to one peer */
	assert_int_equal(ent_store_account_add(s, b.id, "basic", "alice", "x", NULL, err),
	                 ENT_EEXIST);
	assert_int_equal(ent_store_account_add(s, a.id, "bogus", "u", "x", NULL, err), ENT_EINVAL);
	assert_int_equal(ent_store_account_add(s, a.id, "basic", "u", "", NULL, err), ENT_EINVAL);

	assert_int_equal(ent_store_account_lookup(s, "basic", "alice", &acc, err), ENT_OK);
	assert_int_equal(acc.account_id, id1);
	assert_int_equal(acc.peer_id, a.id);
	assert_string_equal(acc.peer, "a");
	/* the hash is not the secret, and verifies it and nothing else */
	assert_null(strstr(acc.secret_hash, "correct horse"));
	assert_memory_equal(acc.secret_hash, "$argon2id$", 10);
	assert_int_equal(crypto_pwhash_str_verify(acc.secret_hash, "correct horse", 13), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(acc.secret_hash, "correct horsf", 13), 0);
	/* the kind is part of the lookup */
	assert_int_equal(ent_store_account_lookup(s, "token", "alice", &acc2, err), ENT_ENOTFOUND);
	assert_int_equal(ent_store_account_by_id(s, id2, &acc2, err), ENT_OK);
	assert_int_equal(crypto_pwhash_str_verify(
	                     acc2.secret_hash, "ent_0123456789abcdef_secretsecretsecretsecret", 45),
	                 0);

	/* nothing in the database holds a secret in clear */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT count(*) FROM peer_accounts WHERE"
	                       " instr(secret_hash, 'correct') OR instr(secret_hash,"
	                       " 'secretsecret') OR secret_hash NOT LIKE '$argon2id$%'",
	                       -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* a new password for alice: a new row, the old secret no longer verifies */
	assert_int_equal(
	    ent_store_account_add(s, a.id, "basic", "alice", "battery staple", &id1, err), ENT_OK);
	assert_int_equal(ent_store_account_lookup(s, "basic", "alice", &acc2, err), ENT_OK);
	assert_int_not_equal(acc2.account_id, acc.account_id);
	assert_int_not_equal(crypto_pwhash_str_verify(acc2.secret_hash, "correct horse", 13), 0);
	assert_int_equal(ent_store_peer_get(s, "a", &got, err), ENT_OK);
	assert_int_equal(got.accounts, 2);
	assert_int_equal(ent_store_accounts_foreach(s, a.id, count_accounts, &n, err), ENT_OK);
	assert_int_equal(n, 2);

	/* remove one by user, then all; removing the peer removes its accounts */
	assert_int_equal(ent_store_account_remove(s, a.id, "alice", &removed, err), ENT_OK);
	assert_int_equal(removed, 1);
	assert_int_equal(ent_store_account_lookup(s, "basic", "alice", &acc, err), ENT_ENOTFOUND);
	assert_int_equal(ent_store_account_add(s, b.id, "basic", "bob", "pw", NULL, err), ENT_OK);
	assert_int_equal(ent_store_peer_remove(s, "b", err), ENT_OK);
	assert_int_equal(ent_store_account_lookup(s, "basic", "bob", &acc, err), ENT_ENOTFOUND);
	assert_int_equal(ent_store_account_remove(s, a.id, NULL, &removed, err), ENT_OK);
	assert_int_equal(removed, 1);
	n = 0;
	assert_int_equal(ent_store_accounts_foreach(s, -1, count_accounts, &n, err), ENT_OK);
	assert_int_equal(n, 0);
	ent_store_close(s);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_crud),
	    cmocka_unit_test(test_accounts_hashed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
