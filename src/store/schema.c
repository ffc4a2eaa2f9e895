/*
 * schema.c - the store's schema and its forward migrations.
 *
 * PRAGMA user_version holds the schema version. Each entry of migrations[]
 * takes the schema from version i to i + 1; all pending ones run in one
 * transaction at open, so a store is never left between two versions.
 * Never edit a released migration: append a new one.
 */
#include "store/storeInt.h"

#include <stdio.h>

static const char *const migrations[] = {
    /* 0 -> 1: objects, versions, provenance, observables */
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL);"
    "CREATE TABLE sources ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE imports ("
    "  id INTEGER PRIMARY KEY,"
    "  source_id INTEGER NOT NULL REFERENCES sources(id),"
    "  path TEXT,"
    "  started_ms INTEGER NOT NULL);"
    /* one row per version of a STIX object; json is the object as received.
     * (stix_id, version_ms) is unique (store.c keeps it so); versions are
     * found through object_ids below */
    "CREATE TABLE objects ("
    "  rowid INTEGER PRIMARY KEY,"
    "  stix_id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  version_ms INTEGER NOT NULL,"
    "  is_current INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL,"
    "  created_by_ref TEXT,"
    "  confidence INTEGER,"
    "  tlp TEXT,"
    "  name TEXT,"
    "  pattern_type TEXT,"
    "  valid_from INTEGER,"
    "  valid_until INTEGER,"
    "  not_matchable TEXT,"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),"
    /* the first delivery of this version; later ones are in provenance */
    "  source_id INTEGER NOT NULL REFERENCES sources(id),"
    "  received_ms INTEGER NOT NULL,"
    "  json TEXT NOT NULL);"
    /* versions by id: (id_hash, row), a keyed hash of stix_id kept narrow
     * so that it stays in cache and can be appended to in sorted order */
    "CREATE TABLE object_ids ("
    "  id_hash INTEGER NOT NULL,"
    "  object_rowid INTEGER NOT NULL,"
    "  PRIMARY KEY (id_hash, object_rowid)) WITHOUT ROWID;"
    /* the same version delivered again by another source, and when */
    "CREATE TABLE provenance ("
    "  object_rowid INTEGER NOT NULL REFERENCES objects(rowid) ON DELETE CASCADE,"
    "  source_id INTEGER NOT NULL REFERENCES sources(id),"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),"
    "  received_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (object_rowid, source_id)) WITHOUT ROWID;"
    /* the sensor-matchable observables of each indicator version */
    "CREATE TABLE observables ("
    "  object_rowid INTEGER NOT NULL REFERENCES objects(rowid) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (object_rowid, kind, value)) WITHOUT ROWID;",

    /* 1 -> 2: scans and the sightings they made */
    "CREATE TABLE scans ("
    "  id INTEGER PRIMARY KEY,"
    "  started_ms INTEGER NOT NULL,"
    "  inputs TEXT NOT NULL,"
    "  packets INTEGER, bytes INTEGER, flows INTEGER, alerts INTEGER);"
    /* per indicator (by STIX id, so sightings outlive new versions) and scan */
    "CREATE TABLE sightings ("
    "  id INTEGER PRIMARY KEY,"
    "  indicator_id TEXT NOT NULL,"
    "  scan_id INTEGER NOT NULL REFERENCES scans(id),"
    "  count INTEGER NOT NULL,"
    "  first_seen_ms INTEGER NOT NULL,"
    "  last_seen_ms INTEGER NOT NULL,"
    "  UNIQUE (indicator_id, scan_id));"
    /* the flows of a sighting (the first ENT_SIGHTING_MAX_FLOWS of them) */
    "CREATE TABLE sighting_flows ("
    "  sighting_id INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,"
    "  flow_id INTEGER NOT NULL,"
    "  seen_ms INTEGER NOT NULL,"
    "  src TEXT NOT NULL, src_port INTEGER NOT NULL,"
    "  dst TEXT NOT NULL, dst_port INTEGER NOT NULL,"
    "  proto INTEGER NOT NULL,"
    "  where_seen TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (sighting_id, flow_id, where_seen, value)) WITHOUT ROWID;",

    /* 2 -> 3: federation: peers, their accounts on our server, sync state,
     * what peers wrote to our writable collections, TAXII status resources */
    /* a peer: how we reach its TAXII server (url, auth, pinned CA), what we
     * think of it (trust, its Ed25519 key) and its sharing groups */
    /* TAXII's date_added: microseconds, unique and increasing with the row
     * (each import starts after the last one and counts up), so a client
     * that pages with added_after alone never skips objects that share a
     * millisecond. Not indexed: it grows with rowid, so the row where a
     * date starts is found by a binary search over rowids (store_taxii.c),
     * and an index would cost a quarter of a bulk import */
    "ALTER TABLE objects ADD COLUMN added_us INTEGER NOT NULL DEFAULT 0;"
    "UPDATE objects SET added_us = received_ms * 1000 + rowid % 1000;"
    "CREATE TABLE peers ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  url TEXT,"
    "  auth_kind TEXT NOT NULL DEFAULT 'none'," /* none | basic | token */
    "  auth_user TEXT,"
    "  secret_path TEXT," /* file holding the password or token we send */
    "  ca_path TEXT,"
    "  public_key TEXT,"   /* base64 Ed25519 public key, entente peers only */
    "  identity_ref TEXT," /* the peer's STIX identity id, once known */
    "  trust INTEGER NOT NULL,"
    "  groups TEXT NOT NULL DEFAULT ''," /* comma-separated */
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL);"
    /* the accounts with which peers use our server; secrets only as
     * crypto_pwhash_str hashes */
    "CREATE TABLE peer_accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  peer_id INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL," /* basic | token */
    "  user TEXT,"          /* basic only */
    "  secret_hash TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX peer_accounts_user ON peer_accounts(user) WHERE user IS NOT NULL;"
    /* where each pull from a peer's collection stands */
    "CREATE TABLE sync_cursors ("
    "  peer_id INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,"
    "  collection_url TEXT NOT NULL,"
    "  added_after TEXT," /* X-TAXII-Date-Added-Last of the last page stored */
    "  next TEXT,"        /* the server's next token of a walk in progress */
    "  updated_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (peer_id, collection_url)) WITHOUT ROWID;"
    /* which of our objects (sightings, opinions) each peer has received */
    "CREATE TABLE sync_pushed ("
    "  peer_id INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,"
    "  object_rowid INTEGER NOT NULL REFERENCES objects(rowid) ON DELETE CASCADE,"
    "  pushed_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (peer_id, object_rowid)) WITHOUT ROWID;"
    /* objects peers added to a writable collection (an inbox); seq orders
     * the collection for paging */
    "CREATE TABLE collection_objects ("
    "  seq INTEGER PRIMARY KEY,"
    "  collection TEXT NOT NULL,"
    "  object_rowid INTEGER NOT NULL REFERENCES objects(rowid) ON DELETE CASCADE,"
    "  peer_id INTEGER REFERENCES peers(id) ON DELETE SET NULL,"
    "  added_us INTEGER NOT NULL," /* date_added, as objects.added_us */
    "  UNIQUE (collection, object_rowid));"
    "CREATE INDEX collection_objects_added ON collection_objects(added_us);"
    /* TAXII status resources of add-objects requests */
    "CREATE TABLE taxii_status ("
    "  id TEXT PRIMARY KEY,"
    "  peer_id INTEGER REFERENCES peers(id) ON DELETE SET NULL,"
    "  collection TEXT NOT NULL,"
    "  request_ms INTEGER NOT NULL,"
    "  total INTEGER NOT NULL,"
    "  success INTEGER NOT NULL,"
    "  failure INTEGER NOT NULL,"
    "  pending INTEGER NOT NULL,"
    "  details TEXT NOT NULL);", /* JSON: successes, failures, pendings */
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int pragma_int(struct ent_store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ENT_ESTORE;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? ENT_OK : ENT_ESTORE;
}

int ent_store_migrate(struct ent_store *s, char *errbuf)
{
	char sql[64];
	int version;

	if (pragma_int(s, "PRAGMA user_version", &version) != ENT_OK)
		return ent_store_sqlerr(s, errbuf, "reading the schema version");
	if (version < 0 || (size_t)version > N_MIGRATIONS)
		return ent_errf(errbuf, ENT_ESTORE,
		                "store schema version %d is newer than this entente (%zu)", version,
		                N_MIGRATIONS);
	if ((size_t)version == N_MIGRATIONS) {
		s->schema_version = version;
		return ENT_OK;
	}
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "starting the migration");
	for (size_t i = (size_t)version; i < N_MIGRATIONS; i++) {
		if (sqlite3_exec(s->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			int rc = ent_store_sqlerr(s, errbuf, "migrating the schema");

			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", N_MIGRATIONS);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = ent_store_sqlerr(s, errbuf, "migrating the schema");

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	s->schema_version = (int)N_MIGRATIONS;
	return ENT_OK;
}
