/* storeInt.h - the store's private parts, shared by its own files only. */
#ifndef ENT_STORE_STOREINT_H
#define ENT_STORE_STOREINT_H

#include <sqlite3.h>

#include "store/store.h"

enum store_stmt {
	ST_OBJ_FIND,
	ST_OBJ_BY_ROWID,
	ST_IDS_INSERT,
	ST_OBJ_INSERT,
	ST_OBJ_UNSET_CURRENT,
	ST_OBS_INSERT,
	ST_PROV_INSERT,
	ST_COUNT
};

/* The id hash and row of every stored version, kept in memory during a
 * bulk import: a new id is known to be new without asking SQLite, and a
 * known one is read by rowid, so the import's object_ids rows can wait
 * until the commit and go in sorted. */
struct id_slot {
	uint64_t hash; /* 0 = empty; stored with its top bit set */
	int64_t rowid;
};

struct id_map {
	struct id_slot *slots;
	size_t cap, used;
	bool active;
	/* switched out of WAL for the bulk import */
	bool rollback_journal;
	/* foreign key checks off for the bulk import */
	bool no_fk_checks;
	/* writeback_fd is open: the store file, to start its writeback */
	bool has_writeback_fd;
	int writeback_fd;
	/* new versions stored by this bulk import, counted by start_writeback */
	size_t new_versions;
	/* id rows of this import, written at the commit */
	struct id_slot *pending;
	size_t n_pending, cap_pending;
};

struct ent_store {
	sqlite3 *db;
	struct id_map bulk;
	int64_t import_ms;        /* start of the current import: when its versions arrived */
	int64_t next_added_us;    /* date_added of the next version stored (TAXII) */
	unsigned char id_key[16]; /* SipHash key of id_hash, kept in the meta table */
	int schema_version;
	int64_t last_put_rowid; /* the row ent_store_object_put stored or found */
	sqlite3_stmt *stmt[ST_COUNT];
};

/* schema.c: brings the database to the latest schema version. */
int ent_store_migrate(struct ent_store *s, char *errbuf);

/* The first date_added (us) free in table (objects or collection_objects):
 * now, or just after the last one when the clock is behind it. */
int ent_store_next_added_us(struct ent_store *s, const char *table, int64_t *out, char *errbuf);

/* Formats the SQLite error of s->db into errbuf and returns ENT_ESTORE. */
int ent_store_sqlerr(struct ent_store *s, char *errbuf, const char *what);

#endif
