/*
 * store.c - opening the store, transactions, and every write (see store.h).
 *
 * Invariants kept by ent_store_object_put:
 *   1. (stix_id, version_ms) is unique.
 *   2. For each stix_id exactly one row has is_current = 1: the one with the
 *      greatest version_ms.
 *   3. A version's first delivery is recorded in its row (source_id,
 *      received_ms); provenance holds only deliveries by other sources.
 *   4. Observables rows exist only for indicator versions that have them;
 *      a version is never changed once written (history is immutable).
 * Writes use prepared statements kept for the life of the handle: an import
 * of a million objects prepares nothing per object.
 */
#include "store/storeInt.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "core/timefmt.h"

static const char *const stmt_sql[ST_COUNT] = {
    /* every version of an id: usually none or one, so one probe decides */
    [ST_OBJ_FIND] = "SELECT o.rowid, o.version_ms, o.is_current, o.import_id, o.json = ?2, "
                    "o.source_id FROM object_ids i JOIN objects o ON o.rowid = i.object_rowid "
                    "WHERE i.id_hash = ?3 AND o.stix_id = ?1",
    [ST_IDS_INSERT] = "INSERT OR IGNORE INTO object_ids (id_hash, object_rowid) VALUES (?1, ?2)",
    /* the same, for one row the bulk map points at */
    [ST_OBJ_BY_ROWID] = "SELECT rowid, version_ms, is_current, import_id, json = ?2, source_id "
                        "FROM objects WHERE rowid = ?3 AND stix_id = ?1",
    [ST_OBJ_INSERT] =
        "INSERT INTO objects (stix_id, type, version_ms, is_current, revoked, "
        "created_by_ref, confidence, tlp, name, pattern_type, valid_from, "
        "valid_until, not_matchable, import_id, json, source_id, received_ms, added_us) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
        "?16, ?17, ?18)",
    [ST_OBJ_UNSET_CURRENT] = "UPDATE objects SET is_current = 0 WHERE rowid = ?1",
    [ST_OBS_INSERT] = "INSERT OR IGNORE INTO observables (object_rowid, kind, value) "
                      "VALUES (?1, ?2, ?3)",
    [ST_PROV_INSERT] = "INSERT OR IGNORE INTO provenance "
                       "(object_rowid, source_id, import_id, received_ms) VALUES (?1, ?2, ?3, ?4)",
};

int64_t ent_store_id_hash(const struct ent_store *s, const char *stix_id)
{
	uint64_t h;

	crypto_shorthash((unsigned char *)&h, (const unsigned char *)stix_id, strlen(stix_id),
	                 s->id_key);
	return (int64_t)(h >> 1);
}

static void sql_id_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct ent_store *s = sqlite3_user_data(ctx);
	const char *id = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	if (id == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, ent_store_id_hash(s, id));
}

/* Reads the store's id_hash key, creating it in a new store. */
static int load_id_key(struct ent_store *s, bool readonly, char *errbuf)
{
	char hex[sizeof(s->id_key) * 2 + 1];
	sqlite3_stmt *st = NULL;
	size_t len = 0;
	int rc = ENT_OK;

	if (!readonly) {
		randombytes_buf(s->id_key, sizeof(s->id_key));
		sodium_bin2hex(hex, sizeof(hex), s->id_key, sizeof(s->id_key));
		if (sqlite3_prepare_v2(
		        s->db, "INSERT OR IGNORE INTO meta (key, value) VALUES ('id_hash_key', ?1)",
		        -1, &st, NULL) != SQLITE_OK)
			return ent_store_sqlerr(s, errbuf, "meta");
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? ENT_OK : ent_store_sqlerr(s, errbuf, "meta");
		sqlite3_finalize(st);
		if (rc != ENT_OK)
			return rc;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'id_hash_key'", -1, &st,
	                       NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "meta");
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sodium_hex2bin(s->id_key, sizeof(s->id_key), (const char *)sqlite3_column_text(st, 0),
	                   (size_t)sqlite3_column_bytes(st, 0), NULL, &len, NULL) != 0 ||
	    len != sizeof(s->id_key))
		rc = ent_errf(errbuf, ENT_ESTORE, "store: the meta table has no valid id_hash_key");
	sqlite3_finalize(st);
	if (rc != ENT_OK)
		return rc;
	if (sqlite3_create_function(s->db, "ent_id_hash", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
	                            sql_id_hash, NULL, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "registering ent_id_hash");
	return ENT_OK;
}

int ent_store_sqlerr(struct ent_store *s, char *errbuf, const char *what)
{
	return ent_errf(errbuf, ENT_ESTORE, "store: %s: %s", what,
	                s->db ? sqlite3_errmsg(s->db) : "no database");
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* Before SQLite's first use: no memory statistics, which take a global
 * mutex on every allocation SQLite makes (a few percent of an import). If
 * SQLite was already in use the call is refused, which changes nothing. */
static void sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int ent_store_open(const char *path, int flags, struct ent_store **out, char *errbuf)
{
	static const char *const pragmas = "PRAGMA foreign_keys = ON;"
	                                   "PRAGMA synchronous = NORMAL;"
	                                   "PRAGMA temp_store = MEMORY;"
	                                   "PRAGMA cache_size = -131072;"
	                                   "PRAGMA busy_timeout = 10000;";
	struct ent_store *s;
	int oflags, rc = ENT_ESTORE;
	char *mode = NULL;

	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "store: out of memory");
	oflags = (flags & ENT_STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & ENT_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = ent_errf(errbuf, ENT_ESTORE, "%s: cannot open store: %s", path,
		              s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out_free;
	}
	if (!(flags & ENT_STORE_READONLY)) {
		sqlite3_stmt *st;

		/* larger pages: fewer B-tree levels and WAL frames for rows of a few
		 * hundred bytes; takes effect only when the file is new */
		sqlite3_exec(s->db, "PRAGMA page_size = 16384", NULL, NULL, NULL);
		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) !=
		    SQLITE_OK) {
			rc = ent_store_sqlerr(s, errbuf, path);
			goto out_free;
		}
		if (sqlite3_step(st) == SQLITE_ROW)
			mode = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (mode == NULL || strcmp(mode, "wal") != 0) {
			rc = ent_errf(errbuf, ENT_ESTORE, "%s: cannot switch the store to WAL mode",
			              path);
			goto out_free;
		}
	}
	if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		rc = ent_store_sqlerr(s, errbuf, path);
		goto out_free;
	}
	if (!(flags & ENT_STORE_READONLY)) {
		rc = ent_store_migrate(s, errbuf);
		if (rc != ENT_OK)
			goto out_free;
	}
	rc = load_id_key(s, flags & ENT_STORE_READONLY, errbuf);
	if (rc != ENT_OK)
		goto out_free;
	for (int i = 0; i < ST_COUNT; i++) {
		if (flags & ENT_STORE_READONLY)
			break;
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &s->stmt[i], NULL) != SQLITE_OK) {
			rc = ent_store_sqlerr(s, errbuf, "preparing statements");
			goto out_free;
		}
	}
	free(mode);
	*out = s;
	return ENT_OK;

out_free:
	free(mode);
	ent_store_close(s);
	return rc;
}

void ent_store_close(struct ent_store *s)
{
	if (s == NULL)
		return;
	ent_store_bulk_end(s);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s);
}

int ent_store_schema_version(const struct ent_store *s)
{
	return s->schema_version;
}

static int put_id(struct ent_store *s, int64_t id_hash, int64_t rowid, char *errbuf);
static int step_done(struct ent_store *s, sqlite3_stmt *st, char *errbuf, const char *what);

/* Sorts the pending id rows by hash, keeping the order of rows with equal
 * hashes (their rowids, which grow as they are stored): an LSD radix sort
 * of 11-bit digits, a pass skipped when every row has the same digit. A
 * million rows take a few tens of milliseconds, where qsort took 150.
 * false if out of memory. */
#define RADIX_BITS 11
#define RADIX      (1u << RADIX_BITS)

static bool sort_pending(struct id_map *m)
{
	struct id_slot *src = m->pending, *dst = malloc(m->n_pending * sizeof(*dst)), *t;
	size_t *count = malloc(RADIX * sizeof(*count));

	if (dst == NULL || count == NULL) {
		free(dst);
		free(count);
		return false;
	}
	for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
		size_t sum = 0;
		bool one_digit = false;

		memset(count, 0, RADIX * sizeof(*count));
		for (size_t i = 0; i < m->n_pending; i++)
			count[(src[i].hash >> shift) & (RADIX - 1)]++;
		for (unsigned d = 0; d < RADIX; d++) {
			size_t c = count[d];

			one_digit |= c == m->n_pending;
			count[d] = sum;
			sum += c;
		}
		if (one_digit)
			continue;
		for (size_t i = 0; i < m->n_pending; i++)
			dst[count[(src[i].hash >> shift) & (RADIX - 1)]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* src holds the sorted rows: make it the pending array */
	if (src != m->pending) {
		free(m->pending);
		m->pending = src;
		m->cap_pending = m->n_pending;
	} else {
		free(dst);
	}
	free(count);
	return true;
}

/* Writes the id rows of a bulk import, sorted so that they append. */
#define ID_BATCH 64

static int flush_pending(struct ent_store *s, char *errbuf)
{
	struct id_map *m = &s->bulk;
	size_t i = 0;
	int rc = ENT_OK;

	if (m->n_pending == 0)
		return ENT_OK;
	if (!sort_pending(m))
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	/* 64 rows per statement: for rows this small the per-statement work
	 * costs more than the B-tree appends */
	if (m->n_pending >= ID_BATCH) {
		char sql[64 + ID_BATCH * 8] = "INSERT OR IGNORE INTO object_ids VALUES (?,?)";
		sqlite3_stmt *st = NULL;

		for (int k = 1; k < ID_BATCH; k++)
			strcat(sql, ",(?,?)");
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			rc = ent_store_sqlerr(s, errbuf, "id index");
		for (; rc == ENT_OK && i + ID_BATCH <= m->n_pending; i += ID_BATCH) {
			for (int k = 0; k < ID_BATCH; k++) {
				sqlite3_bind_int64(st, 2 * k + 1, (int64_t)m->pending[i + k].hash);
				sqlite3_bind_int64(st, 2 * k + 2, m->pending[i + k].rowid);
			}
			rc = step_done(s, st, errbuf, "id index");
		}
		sqlite3_finalize(st);
	}
	for (; i < m->n_pending && rc == ENT_OK; i++)
		rc = put_id(s, (int64_t)m->pending[i].hash, m->pending[i].rowid, errbuf);
	m->n_pending = 0;
	return rc;
}

int ent_store_begin(struct ent_store *s, char *errbuf)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "begin");
	return ENT_OK;
}

int ent_store_commit(struct ent_store *s, char *errbuf)
{
	int rc = flush_pending(s, errbuf);

	if (rc != ENT_OK) {
		ent_store_rollback(s);
		return rc;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = ent_store_sqlerr(s, errbuf, "commit");

		ent_store_rollback(s);
		return rc;
	}
	return ENT_OK;
}

void ent_store_rollback(struct ent_store *s)
{
	s->bulk.n_pending = 0; /* their objects are rolled back too */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int ent_store_source_id(struct ent_store *s, const char *name, const char *kind, int64_t *id_out,
                        char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc = ENT_ESTORE;

	if (sqlite3_prepare_v2(s->db,
	                       "INSERT INTO sources (name, kind, created_ms) VALUES (?1, ?2, ?3) "
	                       "ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "source");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ent_time_now_ms());
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = ent_store_sqlerr(s, errbuf, "source");
		goto out;
	}
	*id_out = sqlite3_column_int64(st, 0);
	rc = ENT_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

int ent_store_import_begin(struct ent_store *s, int64_t source_id, const char *path,
                           int64_t *import_id_out, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc = ent_store_next_added_us(s, "objects", &s->next_added_us, errbuf);

	if (rc != ENT_OK)
		return rc;
	rc = ENT_ESTORE;
	if (sqlite3_prepare_v2(
	        s->db, "INSERT INTO imports (source_id, path, started_ms) VALUES (?1, ?2, ?3)", -1,
	        &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "import");
	/* every version this import delivers is received at its start */
	s->import_ms = ent_time_now_ms();
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->import_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = ent_store_sqlerr(s, errbuf, "import");
		goto out;
	}
	*import_id_out = sqlite3_last_insert_rowid(s->db);
	rc = ENT_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The bulk map's table: tens of MiB probed at random, once per object. Huge
 * pages, where the kernel gives them on request, turn most of those probes'
 * TLB misses into hits. Zeroed, as mmap's pages are. */
static struct id_slot *slots_alloc(size_t cap)
{
	void *p = mmap(NULL, cap * sizeof(struct id_slot), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, cap * sizeof(struct id_slot), MADV_HUGEPAGE);
#endif
	return p;
}

static void slots_free(struct id_slot *slots, size_t cap)
{
	if (slots != NULL)
		munmap(slots, cap * sizeof(*slots));
}

/* The bulk map: open addressing over (hash, rowid) pairs; a hash may occur
 * several times (versions of one id, or two ids that share a hash). */
static bool idmap_add(struct id_map *m, uint64_t h, int64_t rowid)
{
	size_t i;

	h |= 1ULL << 63;
	if (m->used * 2 >= m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1 << 16;
		struct id_slot *ns = slots_alloc(ncap);

		if (ns == NULL)
			return false;
		for (size_t k = 0; k < m->cap; k++) {
			if (m->slots[k].hash == 0)
				continue;
			for (i = m->slots[k].hash & (ncap - 1); ns[i].hash;
			     i = (i + 1) & (ncap - 1))
				;
			ns[i] = m->slots[k];
		}
		slots_free(m->slots, m->cap);
		m->slots = ns;
		m->cap = ncap;
	}
	for (i = h & (m->cap - 1); m->slots[i].hash; i = (i + 1) & (m->cap - 1))
		;
	m->slots[i].hash = h;
	m->slots[i].rowid = rowid;
	m->used++;
	return true;
}

static bool pending_add(struct id_map *m, uint64_t h, int64_t rowid)
{
	if (m->n_pending == m->cap_pending) {
		size_t cap = m->cap_pending ? m->cap_pending * 2 : 1 << 16;
		struct id_slot *p = realloc(m->pending, cap * sizeof(*p));

		if (p == NULL)
			return false;
		m->pending = p;
		m->cap_pending = cap;
	}
	m->pending[m->n_pending].hash = h;
	m->pending[m->n_pending].rowid = rowid;
	m->n_pending++;
	return true;
}

/* The slot after `from` (exclusive; SIZE_MAX starts) holding hash h, or
 * SIZE_MAX. */
static size_t idmap_scan(const struct id_map *m, uint64_t h, size_t i)
{
	for (; m->slots[i].hash; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == (h | 1ULL << 63))
			return i;
	return SIZE_MAX;
}

static size_t idmap_first(const struct id_map *m, uint64_t h)
{
	return idmap_scan(m, h, (h | 1ULL << 63) & (m->cap - 1));
}

static size_t idmap_next(const struct id_map *m, uint64_t h, size_t i)
{
	return idmap_scan(m, h, (i + 1) & (m->cap - 1));
}

/* A bulk import writes hundreds of megabytes that the kernel keeps dirty
 * until the commit's fdatasync, which then waits for all of it (0.3 s of
 * a million-indicator import). Every WRITEBACK_EVERY versions the kernel
 * is asked to start writing what is already there, without waiting, as
 * PostgreSQL's *_flush_after settings do. Linux only; elsewhere a no-op. */
#define WRITEBACK_EVERY 4096

static void open_writeback(struct ent_store *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
	const char *path = sqlite3_db_filename(s->db, "main");

	if (path != NULL && path[0] != '\0') {
		s->bulk.writeback_fd = open(path, O_RDONLY | O_CLOEXEC);
		s->bulk.has_writeback_fd = s->bulk.writeback_fd >= 0;
	}
#else
	(void)s;
#endif
}

static void start_writeback(struct ent_store *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (++s->bulk.new_versions % WRITEBACK_EVERY == 0 && s->bulk.has_writeback_fd)
		(void)sync_file_range(s->bulk.writeback_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)s;
#endif
}

/* Sets the journal mode; true if the store is in that mode afterwards. */
static bool journal_mode(struct ent_store *s, const char *mode)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	bool ok = false;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcasecmp((const char *)sqlite3_column_text(st, 0), mode) == 0;
	sqlite3_finalize(st);
	return ok;
}

int ent_store_bulk_begin(struct ent_store *s, char *errbuf)
{
	sqlite3_stmt *st = NULL;
	int rc;

	ent_store_bulk_end(s);
	/* A rollback journal writes new pages once; WAL writes them to the log
	 * and again to the database. When another connection holds the store
	 * the switch is refused and the import simply runs in WAL mode. */
	s->bulk.rollback_journal = journal_mode(s, "delete");
	/* The rows a bulk import writes refer to the import and source rows it
	 * made itself and to the object row it has just inserted: checking
	 * that was three B-tree lookups per indicator. Only outside a
	 * transaction does this take effect (ent_store_bulk_end turns the
	 * checks back on). */
	s->bulk.no_fk_checks =
	    sqlite3_get_autocommit(s->db) &&
	    sqlite3_exec(s->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) == SQLITE_OK;
	if (sqlite3_prepare_v2(s->db, "SELECT id_hash, object_rowid FROM object_ids", -1, &st,
	                       NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "bulk");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!idmap_add(&s->bulk, (uint64_t)sqlite3_column_int64(st, 0),
		               sqlite3_column_int64(st, 1))) {
			sqlite3_finalize(st);
			ent_store_bulk_end(s);
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ent_store_bulk_end(s);
		return ent_store_sqlerr(s, errbuf, "bulk");
	}
	/* an empty store still gets a table: lookups need a capacity */
	if (s->bulk.cap == 0) {
		s->bulk.slots = slots_alloc(1 << 16);
		if (s->bulk.slots == NULL)
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		s->bulk.cap = 1 << 16;
	}
	open_writeback(s);
	s->bulk.active = true;
	return ENT_OK;
}

void ent_store_bulk_end(struct ent_store *s)
{
	free(s->bulk.pending);
	if (s->bulk.rollback_journal && !journal_mode(s, "wal"))
		fprintf(stderr, "entente: warning: the store stayed in rollback-journal mode\n");
	if (s->bulk.no_fk_checks &&
	    sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "entente: warning: foreign key checks stayed off\n");
	if (s->bulk.has_writeback_fd)
		close(s->bulk.writeback_fd);
	slots_free(s->bulk.slots, s->bulk.cap);
	memset(&s->bulk, 0, sizeof(s->bulk));
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_opt_time(sqlite3_stmt *st, int i, int64_t v)
{
	if (v != ENT_TIME_NONE)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a one-shot statement to completion, resetting it for the next use. */
static int step_done(struct ent_store *s, sqlite3_stmt *st, char *errbuf, const char *what)
{
	int rc = sqlite3_step(st);

	/* every statement binds all its parameters each time: no clearing */
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ent_store_sqlerr(s, errbuf, what);
	return ENT_OK;
}

static int add_provenance(struct ent_store *s, int64_t rowid, int64_t source_id, int64_t import_id,
                          char *errbuf)
{
	sqlite3_stmt *st = s->stmt[ST_PROV_INSERT];

	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int64(st, 3, import_id);
	sqlite3_bind_int64(st, 4, s->import_ms);
	return step_done(s, st, errbuf, "provenance");
}

static int put_id(struct ent_store *s, int64_t id_hash, int64_t rowid, char *errbuf)
{
	sqlite3_stmt *st = s->stmt[ST_IDS_INSERT];

	sqlite3_bind_int64(st, 1, id_hash);
	sqlite3_bind_int64(st, 2, rowid);
	return step_done(s, st, errbuf, "id index");
}

/* What the lookup of an object's stored versions found. */
struct versions_seen {
	int64_t cur_rowid, cur_version;
	bool done; /* this exact version is stored: *result is final */
};

/* Considers one stored version (a row of ST_OBJ_FIND's shape). */
static int consider_row(struct ent_store *s, sqlite3_stmt *st, const struct ent_store_object *o,
                        int64_t import_id, int64_t source_id, struct versions_seen *vs,
                        enum ent_store_put_result *result, char *errbuf)
{
	int64_t found = sqlite3_column_int64(st, 0);
	int64_t version = sqlite3_column_int64(st, 1);

	if (sqlite3_column_int(st, 2)) {
		vs->cur_rowid = found;
		vs->cur_version = version;
	}
	if (version != o->version_ms)
		return ENT_OK;
	vs->done = true;
	s->last_put_rowid = found;
	/* the same input repeating itself word for word is harmless; two
	 * different objects claiming one version are not */
	if (sqlite3_column_int64(st, 3) == import_id) {
		*result = sqlite3_column_int(st, 4) ? ENT_PUT_UNCHANGED : ENT_PUT_DUPLICATE;
		return ENT_OK;
	}
	*result = ENT_PUT_UNCHANGED;
	if (sqlite3_column_int64(st, 5) == source_id)
		return ENT_OK;
	return add_provenance(s, found, source_id, import_id, errbuf);
}

/* Runs a lookup statement (bound) over the stored versions of o. */
static int scan_versions(struct ent_store *s, sqlite3_stmt *st, const struct ent_store_object *o,
                         int64_t import_id, int64_t source_id, struct versions_seen *vs,
                         enum ent_store_put_result *result, char *errbuf)
{
	int rc, r = ENT_OK;

	while (!vs->done && r == ENT_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = consider_row(s, st, o, import_id, source_id, vs, result, errbuf);
	if (!vs->done && r == ENT_OK && rc != SQLITE_DONE)
		r = ent_store_sqlerr(s, errbuf, "object lookup");
	sqlite3_reset(st);
	return r;
}

void ent_store_object_prefetch(struct ent_store *s, struct ent_store_object *o)
{
	if (o->id_hash == 0)
		o->id_hash = ent_store_id_hash(s, o->stix_id);
	if (s->bulk.active)
		__builtin_prefetch(
		    &s->bulk.slots[((uint64_t)o->id_hash | 1ULL << 63) & (s->bulk.cap - 1)]);
}

int ent_store_object_put(struct ent_store *s, int64_t import_id, int64_t source_id,
                         const struct ent_store_object *o, enum ent_store_put_result *result,
                         char *errbuf)
{
	struct versions_seen vs = {.cur_rowid = -1};
	sqlite3_stmt *st;
	int64_t cur_rowid, cur_version, rowid;
	int64_t id_hash = o->id_hash != 0 ? o->id_hash : ent_store_id_hash(s, o->stix_id);
	bool is_current;
	int rc;

	s->last_put_rowid = 0;
	if (s->bulk.active) {
		/* the in-memory map knows every stored version's row: an id never
		 * seen needs no lookup, a known one is read by rowid */
		st = s->stmt[ST_OBJ_BY_ROWID];
		for (size_t i = idmap_first(&s->bulk, (uint64_t)id_hash); i != SIZE_MAX && !vs.done;
		     i = idmap_next(&s->bulk, (uint64_t)id_hash, i)) {
			sqlite3_bind_text(st, 1, o->stix_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, o->json, (int)o->json_len, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, s->bulk.slots[i].rowid);
			rc = scan_versions(s, st, o, import_id, source_id, &vs, result, errbuf);
			if (rc != ENT_OK)
				return rc;
		}
	} else {
		st = s->stmt[ST_OBJ_FIND];
		sqlite3_bind_text(st, 1, o->stix_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, o->json, (int)o->json_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, id_hash);
		rc = scan_versions(s, st, o, import_id, source_id, &vs, result, errbuf);
		if (rc != ENT_OK)
			return rc;
	}
	if (vs.done)
		return ENT_OK;
	cur_rowid = vs.cur_rowid;
	cur_version = vs.cur_version;
	is_current = cur_rowid < 0 || o->version_ms > cur_version;
	if (cur_rowid >= 0 && is_current) {
		st = s->stmt[ST_OBJ_UNSET_CURRENT];
		sqlite3_bind_int64(st, 1, cur_rowid);
		rc = step_done(s, st, errbuf, "supersede");
		if (rc != ENT_OK)
			return rc;
	}

	st = s->stmt[ST_OBJ_INSERT];
	sqlite3_bind_text(st, 1, o->stix_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, o->version_ms);
	sqlite3_bind_int(st, 4, is_current);
	sqlite3_bind_int(st, 5, o->revoked);
	bind_opt_text(st, 6, o->created_by_ref);
	if (o->confidence >= 0)
		sqlite3_bind_int(st, 7, o->confidence);
	else
		sqlite3_bind_null(st, 7);
	bind_opt_text(st, 8, o->tlp);
	bind_opt_text(st, 9, o->name);
	bind_opt_text(st, 10, o->pattern_type);
	bind_opt_time(st, 11, o->valid_from);
	bind_opt_time(st, 12, o->valid_until);
	bind_opt_text(st, 13, o->not_matchable);
	sqlite3_bind_int64(st, 14, import_id);
	sqlite3_bind_text(st, 15, o->json, (int)o->json_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, source_id);
	sqlite3_bind_int64(st, 17, s->import_ms);
	sqlite3_bind_int64(st, 18, s->next_added_us++);
	rc = step_done(s, st, errbuf, "object insert");
	if (rc != ENT_OK)
		return rc;
	rowid = sqlite3_last_insert_rowid(s->db);
	s->last_put_rowid = rowid;
	if (s->bulk.active) {
		/* the id rows are written sorted at the commit: appends, not seeks */
		if (!idmap_add(&s->bulk, (uint64_t)id_hash, rowid) ||
		    !pending_add(&s->bulk, (uint64_t)id_hash, rowid))
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		start_writeback(s);
	} else {
		rc = put_id(s, id_hash, rowid, errbuf);
		if (rc != ENT_OK)
			return rc;
	}

	st = s->stmt[ST_OBS_INSERT];
	for (size_t i = 0; i < o->n_obs; i++) {
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, ent_obs_kind_name(o->obs[i].kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, o->obs[i].value, -1, SQLITE_STATIC);
		rc = step_done(s, st, errbuf, "observable insert");
		if (rc != ENT_OK)
			return rc;
	}
	*result = cur_rowid < 0 ? ENT_PUT_NEW : is_current ? ENT_PUT_SUPERSEDED : ENT_PUT_HISTORY;
	return ENT_OK;
}

int64_t ent_store_last_put_rowid(const struct ent_store *s)
{
	return s->last_put_rowid;
}

int ent_store_next_added_us(struct ent_store *s, const char *table, int64_t *out, char *errbuf)
{
	char sql[96];
	sqlite3_stmt *st;
	int64_t now = ent_time_now_us(), last = 0;
	int rc;

	/* added_us grows with the row (see schema.c): the last row has the
	 * latest, found without an index on it */
	snprintf(sql, sizeof(sql), "SELECT added_us FROM %s ORDER BY rowid DESC LIMIT 1", table);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "reading the last date added");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ent_store_sqlerr(s, errbuf, "reading the last date added");
	*out = now > last ? now : last + 1;
	return ENT_OK;
}
