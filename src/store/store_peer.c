/*
 * store_peer.c - peers and their accounts on our server (see peers.h).
 *
 * Secrets never reach the database: ent_store_account_add hashes them with
 * crypto_pwhash_str before the INSERT, and nothing reads a secret back.
 * Text columns that may be NULL in the table read back as "" in the
 * structs, and "" is written back as NULL.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "store/peers.h"
#include "store/storeInt.h"

#define PEER_COLUMNS                                                                               \
	"p.id, p.name, p.url, p.auth_kind, p.auth_user, p.secret_path, p.ca_path,"                 \
	" p.public_key, p.identity_ref, p.trust, p.groups, p.created_ms, p.updated_ms,"            \
	" (SELECT count(*) FROM peer_accounts a WHERE a.peer_id = p.id)"

static void col_text(sqlite3_stmt *st, int col, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, outsz, "%s", t != NULL ? (const char *)t : "");
}

static void bind_text_or_null(sqlite3_stmt *st, int idx, const char *v)
{
	if (v == NULL || v[0] == '\0')
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
}

static void peer_from_row(sqlite3_stmt *st, struct ent_peer *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, p->name, sizeof(p->name));
	col_text(st, 2, p->url, sizeof(p->url));
	col_text(st, 3, p->auth_kind, sizeof(p->auth_kind));
	col_text(st, 4, p->auth_user, sizeof(p->auth_user));
	col_text(st, 5, p->secret_path, sizeof(p->secret_path));
	col_text(st, 6, p->ca_path, sizeof(p->ca_path));
	col_text(st, 7, p->public_key, sizeof(p->public_key));
	col_text(st, 8, p->identity_ref, sizeof(p->identity_ref));
	p->trust = sqlite3_column_int(st, 9);
	col_text(st, 10, p->groups, sizeof(p->groups));
	p->created_ms = sqlite3_column_int64(st, 11);
	p->updated_ms = sqlite3_column_int64(st, 12);
	p->accounts = sqlite3_column_int(st, 13);
}

/* Binds the writable fields of p to ?1..?11 in the order of the INSERT and
 * UPDATE statements below. */
static void bind_peer(sqlite3_stmt *st, const struct ent_peer *p)
{
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 2, p->url);
	sqlite3_bind_text(st, 3, p->auth_kind[0] ? p->auth_kind : "none", -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 4, p->auth_user);
	bind_text_or_null(st, 5, p->secret_path);
	bind_text_or_null(st, 6, p->ca_path);
	bind_text_or_null(st, 7, p->public_key);
	bind_text_or_null(st, 8, p->identity_ref);
	sqlite3_bind_int(st, 9, p->trust);
	sqlite3_bind_text(st, 10, p->groups, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, p->updated_ms);
}

static int step_write(struct ent_store *s, sqlite3_stmt *st, const char *what, char *errbuf)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return ENT_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
		return ent_errf(errbuf, ENT_EEXIST, "%s: already exists", what);
	return ent_store_sqlerr(s, errbuf, what);
}

int ent_store_peer_add(struct ent_store *s, struct ent_peer *p, char *errbuf)
{
	static const char *const sql =
	    "INSERT INTO peers (name, url, auth_kind, auth_user, secret_path, ca_path,"
	    " public_key, identity_ref, trust, groups, updated_ms, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "adding a peer");
	p->created_ms = p->updated_ms = ent_time_now_ms();
	bind_peer(st, p);
	rc = step_write(s, st, p->name, errbuf);
	if (rc == ENT_EEXIST)
		ent_errf(errbuf, ENT_EEXIST, "peer '%s' already exists", p->name);
	if (rc == ENT_OK)
		p->id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

static int peer_get(struct ent_store *s, const char *where, const char *name, int64_t id,
                    struct ent_peer *out, char *errbuf)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT " PEER_COLUMNS " FROM peers p WHERE %s", where);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading a peer");
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		peer_from_row(st, out);
		rc = ENT_OK;
	} else if (rc == SQLITE_DONE) {
		if (name != NULL)
			rc = ent_errf(errbuf, ENT_ENOTFOUND, "no peer called '%s'", name);
		else
			rc = ent_errf(errbuf, ENT_ENOTFOUND, "no peer with id %lld", (long long)id);
	} else {
		rc = ent_store_sqlerr(s, errbuf, "reading a peer");
	}
	sqlite3_finalize(st);
	return rc;
}

int ent_store_peer_get(struct ent_store *s, const char *name, struct ent_peer *out, char *errbuf)
{
	return peer_get(s, "p.name = ?1", name, 0, out, errbuf);
}

int ent_store_peer_get_by_id(struct ent_store *s, int64_t id, struct ent_peer *out, char *errbuf)
{
	return peer_get(s, "p.id = ?1", NULL, id, out, errbuf);
}

int ent_store_peers_foreach(struct ent_store *s, int (*fn)(void *ctx, const struct ent_peer *p),
                            void *ctx, char *errbuf)
{
	static const char *const sql = "SELECT " PEER_COLUMNS " FROM peers p ORDER BY p.name";
	struct ent_peer p;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "listing peers");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r;

		peer_from_row(st, &p);
		r = fn(ctx, &p);
		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	rc = rc == SQLITE_DONE ? ENT_OK : ent_store_sqlerr(s, errbuf, "listing peers");
	sqlite3_finalize(st);
	return rc;
}

int ent_store_peer_update(struct ent_store *s, struct ent_peer *p, char *errbuf)
{
	static const char *const sql =
	    "UPDATE peers SET name = ?1, url = ?2, auth_kind = ?3, auth_user = ?4,"
	    " secret_path = ?5, ca_path = ?6, public_key = ?7, identity_ref = ?8, trust = ?9,"
	    " groups = ?10, updated_ms = ?11 WHERE id = ?12";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "updating a peer");
	p->updated_ms = ent_time_now_ms();
	bind_peer(st, p);
	sqlite3_bind_int64(st, 12, p->id);
	rc = step_write(s, st, p->name, errbuf);
	if (rc == ENT_EEXIST)
		ent_errf(errbuf, ENT_EEXIST, "peer '%s' already exists", p->name);
	else if (rc == ENT_OK && sqlite3_changes(s->db) == 0)
		rc = ent_errf(errbuf, ENT_ENOTFOUND, "no peer with id %lld", (long long)p->id);
	sqlite3_finalize(st);
	return rc;
}

int ent_store_peer_remove(struct ent_store *s, const char *name, char *errbuf)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM peers WHERE name = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "removing a peer");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = step_write(s, st, name, errbuf);
	if (rc == ENT_OK && sqlite3_changes(s->db) == 0)
		rc = ent_errf(errbuf, ENT_ENOTFOUND, "no peer called '%s'", name);
	sqlite3_finalize(st);
	return rc;
}

/* ---- accounts ---- */

static bool kind_ok(const char *kind)
{
	return kind != NULL && (strcmp(kind, "basic") == 0 || strcmp(kind, "token") == 0);
}

int ent_store_account_add(struct ent_store *s, int64_t peer_id, const char *kind, const char *user,
                          const char *secret, int64_t *id_out, char *errbuf)
{
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st = NULL;
	int64_t owner = -1;
	int rc;

	if (!kind_ok(kind) || user == NULL || user[0] == '\0' || secret == NULL ||
	    secret[0] == '\0')
		return ent_errf(errbuf, ENT_EINVAL, "an account needs a kind, a user and a secret");
	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	/* the slow part first, outside any transaction */
	if (crypto_pwhash_str(hash, secret, strlen(secret), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory hashing the secret");

	if (sqlite3_exec(s->db, "SAVEPOINT account_add", NULL, NULL, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "adding an account");
	if (sqlite3_prepare_v2(s->db, "SELECT peer_id FROM peer_accounts WHERE user = ?1", -1, &st,
	                       NULL) != SQLITE_OK) {
		rc = ent_store_sqlerr(s, errbuf, "adding an account");
		goto out;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		owner = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "adding an account");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (owner >= 0 && owner != peer_id) {
		rc = ent_errf(errbuf, ENT_EEXIST, "user '%s' is another peer's account", user);
		goto out;
	}
	if (owner >= 0) {
		/* a new secret for the same account: a new row, so that any
		 * credential remembered for the old one is no longer valid */
		if (sqlite3_prepare_v2(s->db, "DELETE FROM peer_accounts WHERE user = ?1", -1, &st,
		                       NULL) != SQLITE_OK) {
			rc = ent_store_sqlerr(s, errbuf, "replacing an account");
			goto out;
		}
		sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
		rc = step_write(s, st, user, errbuf);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != ENT_OK)
			goto out;
	}
	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO peer_accounts (peer_id, kind, user, secret_hash,"
	                       " created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = ent_store_sqlerr(s, errbuf, "adding an account");
		goto out;
	}
	sqlite3_bind_int64(st, 1, peer_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, ent_time_now_ms());
	rc = step_write(s, st, user, errbuf);
	if (rc == ENT_OK && id_out != NULL)
		*id_out = sqlite3_last_insert_rowid(s->db);
out:
	sqlite3_finalize(st);
	if (rc == ENT_OK) {
		if (sqlite3_exec(s->db, "RELEASE account_add", NULL, NULL, NULL) != SQLITE_OK)
			rc = ent_store_sqlerr(s, errbuf, "adding an account");
	}
	if (rc != ENT_OK) {
		sqlite3_exec(s->db, "ROLLBACK TO account_add", NULL, NULL, NULL);
		sqlite3_exec(s->db, "RELEASE account_add", NULL, NULL, NULL);
	}
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int ent_store_accounts_foreach(struct ent_store *s, int64_t peer_id,
                               int (*fn)(void *ctx, const struct ent_peer_account *a), void *ctx,
                               char *errbuf)
{
	static const char *const sql = "SELECT id, peer_id, kind, user, created_ms"
	                               " FROM peer_accounts WHERE ?1 < 0 OR peer_id = ?1"
	                               " ORDER BY id";
	struct ent_peer_account a;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "listing accounts");
	sqlite3_bind_int64(st, 1, peer_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r;

		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(st, 0);
		a.peer_id = sqlite3_column_int64(st, 1);
		col_text(st, 2, a.kind, sizeof(a.kind));
		col_text(st, 3, a.user, sizeof(a.user));
		a.created_ms = sqlite3_column_int64(st, 4);
		r = fn(ctx, &a);
		if (r != 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	rc = rc == SQLITE_DONE ? ENT_OK : ent_store_sqlerr(s, errbuf, "listing accounts");
	sqlite3_finalize(st);
	return rc;
}

int ent_store_account_remove(struct ent_store *s, int64_t peer_id, const char *user, int *n_removed,
                             char *errbuf)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	                       "DELETE FROM peer_accounts WHERE peer_id = ?1"
	                       " AND (?2 IS NULL OR user = ?2)",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "removing accounts");
	sqlite3_bind_int64(st, 1, peer_id);
	if (user != NULL)
		sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
	rc = step_write(s, st, "removing accounts", errbuf);
	if (rc == ENT_OK && n_removed != NULL)
		*n_removed = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc;
}

static int account_auth(struct ent_store *s, const char *where, const char *kind, const char *user,
                        int64_t id, struct ent_peer_account_auth *out, char *errbuf)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql),
	         "SELECT a.id, a.peer_id, p.name, p.groups, a.secret_hash"
	         " FROM peer_accounts a JOIN peers p ON p.id = a.peer_id WHERE %s",
	         where);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "looking up an account");
	if (kind != NULL) {
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_int64(st, 1, id);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->account_id = sqlite3_column_int64(st, 0);
		out->peer_id = sqlite3_column_int64(st, 1);
		col_text(st, 2, out->peer, sizeof(out->peer));
		col_text(st, 3, out->groups, sizeof(out->groups));
		col_text(st, 4, out->secret_hash, sizeof(out->secret_hash));
		rc = ENT_OK;
	} else if (rc == SQLITE_DONE) {
		rc = ent_errf(errbuf, ENT_ENOTFOUND, "no such account");
	} else {
		rc = ent_store_sqlerr(s, errbuf, "looking up an account");
	}
	sqlite3_finalize(st);
	return rc;
}

int ent_store_account_lookup(struct ent_store *s, const char *kind, const char *user,
                             struct ent_peer_account_auth *out, char *errbuf)
{
	if (kind == NULL || user == NULL)
		return ent_errf(errbuf, ENT_ENOTFOUND, "no such account");
	return account_auth(s, "a.kind = ?1 AND a.user = ?2", kind, user, 0, out, errbuf);
}

int ent_store_account_by_id(struct ent_store *s, int64_t account_id,
                            struct ent_peer_account_auth *out, char *errbuf)
{
	return account_auth(s, "a.id = ?1", NULL, NULL, account_id, out, errbuf);
}
