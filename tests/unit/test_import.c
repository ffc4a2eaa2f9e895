/*
 * test_import.c - importing into the store: versions, idempotence, errors
 * that leave the store untouched, and every corpus file (ENT_TEST_HAS_CORPUS).
 */
#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/import.h"
#include "store/store.h"
#include "store/storeInt.h"
#include "testutil.h"

#define DATA ENT_TEST_DATA "/stix/"

struct fixture {
	char *dir;
	struct ent_store *store;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512], err[ENT_ERRBUF_SIZE];

	f->dir = tu_mkdtemp();
	snprintf(path, sizeof(path), "%s/store.db", f->dir);
	if (ent_store_open(path, ENT_STORE_CREATE, &f->store, err) != ENT_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	ent_store_close(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f->dir);
	free(f);
	return 0;
}

static struct ent_import_opts default_opts = {.default_confidence = -1};

/* The same tests again with every input in the store's bulk mode (which
 * large inputs use: in-memory id map, rollback journal, sorted id rows). */
static int setup_bulk(void **state)
{
	default_opts.bulk_min_bytes = 1;
	return setup(state);
}

static int teardown_bulk(void **state)
{
	default_opts.bulk_min_bytes = 0;
	return teardown(state);
}

static int import(struct fixture *f, const char *path, struct ent_import_summary *sum, char *err)
{
	return ent_import_path(f->store, path, &default_opts, sum, err);
}

static void must_import(struct fixture *f, const char *path, struct ent_import_summary *sum)
{
	char err[ENT_ERRBUF_SIZE] = "";
	int rc = import(f, path, sum, err);

	if (rc != ENT_OK)
		fail_msg("%s: %s", path, err);
}

struct snapshot {
	struct ent_store_table_count t[16];
	size_t n;
};

static void snap(struct fixture *f, struct snapshot *s)
{
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ent_store_table_counts(f->store, s->t, 16, &s->n, err), ENT_OK);
	assert_true(s->n >= 5);
}

static void assert_same(const struct snapshot *a, const struct snapshot *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->t[i].table, b->t[i].table);
		if (a->t[i].rows != b->t[i].rows || a->t[i].checksum != b->t[i].checksum)
			fail_msg("table %s changed: %lld -> %lld rows", a->t[i].table,
			         (long long)a->t[i].rows, (long long)b->t[i].rows);
	}
}

static int64_t rows(const struct snapshot *s, const char *table)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].table, table) == 0)
			return s->t[i].rows;
	return -1;
}

struct collect {
	char ids[64][80];
	char status[64][16];
	size_t n;
};

static int collect_cb(void *ctx, const struct ent_store_indicator *ind)
{
	struct collect *c = ctx;

	if (c->n < 64) {
		snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", ind->stix_id);
		snprintf(c->status[c->n], sizeof(c->status[0]), "%s",
		         ind->revoked ? "revoked" : "active");
		c->n++;
	}
	return 0;
}

static size_t list(struct fixture *f, bool all, struct collect *c)
{
	struct ent_store_indicator_filter flt = {.kind = ENT_OBS_NONE, .all = all, .now_ms = 0};
	char err[ENT_ERRBUF_SIZE];

	memset(c, 0, sizeof(*c));
	assert_int_equal(ent_store_indicators_foreach(f->store, &flt, collect_cb, c, err), ENT_OK);
	return c->n;
}

struct versions_prov {
	char text[256];
};

static int prov_cb(void *ctx, const struct ent_store_version *v)
{
	struct versions_prov *vp = ctx;

	snprintf(vp->text, sizeof(vp->text), "%s", v->provenance ? v->provenance : "");
	return 0;
}

static void test_base_and_idempotence(void **state)
{
	struct fixture *f = *state;
	struct ent_import_summary s;
	struct snapshot a, b;
	struct collect c;

	must_import(f, DATA "base.json", &s);
	assert_string_equal(s.format, "stix");
	assert_int_equal(s.objects, 3);
	assert_int_equal(s.indicators, 3);
	assert_int_equal(s.observables, 4); /* the OR gives two */
	assert_int_equal(s.added, 3);
	assert_int_equal(list(f, false, &c), 3);
	snap(f, &a);
	assert_int_equal(rows(&a, "observables"), 4);

	/* the same file again adds nothing */
	must_import(f, DATA "base.json", &s);
	assert_int_equal(s.unchanged, 3);
	assert_int_equal(s.added, 0);
	snap(f, &b);
	assert_int_equal(rows(&b, "objects"), rows(&a, "objects"));
	assert_int_equal(rows(&b, "observables"), rows(&a, "observables"));
	assert_int_equal(rows(&b, "provenance"), rows(&a, "provenance"));

	/* another source delivering the same versions adds provenance only */
	{
		struct ent_import_opts o = default_opts;
		char err[ENT_ERRBUF_SIZE];
		struct versions_prov vp = {0};

		o.source = "partner-b";
		assert_int_equal(ent_import_path(f->store, DATA "base.json", &o, &s, err), ENT_OK);
		assert_int_equal(s.unchanged, 3);
		snap(f, &b);
		assert_int_equal(rows(&b, "objects"), rows(&a, "objects"));
		assert_int_equal(rows(&b, "provenance"), 3);
		assert_int_equal(ent_store_versions_foreach(
		                     f->store, "indicator--00000001-0000-4000-8000-000000000000",
		                     prov_cb, &vp, err),
		                 ENT_OK);
		assert_non_null(strstr(vp.text, "base.json@"));
		assert_non_null(strstr(vp.text, "partner-b@"));
	}
}

struct versions {
	int n, current;
	bool current_revoked;
	char current_obs[128];
};

static int version_cb(void *ctx, const struct ent_store_version *v)
{
	struct versions *vs = ctx;

	vs->n++;
	if (v->is_current) {
		vs->current++;
		vs->current_revoked = v->revoked;
		snprintf(vs->current_obs, sizeof(vs->current_obs), "%s",
		         v->observables ? v->observables : "");
	}
	return 0;
}

static void versions_of(struct fixture *f, const char *id, struct versions *vs)
{
	char err[ENT_ERRBUF_SIZE];

	memset(vs, 0, sizeof(*vs));
	assert_int_equal(ent_store_versions_foreach(f->store, id, version_cb, vs, err), ENT_OK);
}

static void test_supersede_history_revoke(void **state)
{
	struct fixture *f = *state;
	const char *id1 = "indicator--00000001-0000-4000-8000-000000000000";
	const char *id2 = "indicator--00000002-0000-4000-8000-000000000000";
	struct ent_import_summary s;
	struct versions vs;
	struct collect c;

	must_import(f, DATA "base.json", &s);
	must_import(f, DATA "newer.json", &s);
	assert_int_equal(s.superseded, 1);
	versions_of(f, id1, &vs);
	assert_int_equal(vs.n, 2);
	assert_int_equal(vs.current, 1);
	assert_string_equal(vs.current_obs, "ipv4 10.0.0.2");

	/* an older version is history: the current one stays */
	must_import(f, DATA "older.json", &s);
	assert_int_equal(s.history, 1);
	assert_int_equal(s.superseded, 0);
	versions_of(f, id1, &vs);
	assert_int_equal(vs.n, 3);
	assert_int_equal(vs.current, 1);
	assert_string_equal(vs.current_obs, "ipv4 10.0.0.2");

	must_import(f, DATA "revoke.json", &s);
	assert_int_equal(s.revoked, 1);
	versions_of(f, id2, &vs);
	assert_true(vs.current_revoked);
	assert_int_equal(list(f, false, &c), 2); /* the revoked one is gone */
	for (size_t i = 0; i < c.n; i++)
		assert_string_not_equal(c.ids[i], id2);
	assert_int_equal(list(f, true, &c), 3); /* --all shows it */

	{
		char err[ENT_ERRBUF_SIZE];

		assert_int_equal(ent_store_versions_foreach(
		                     f->store, "indicator--99999999-0000-4000-8000-000000000000",
		                     version_cb, &vs, err),
		                 ENT_ENOTFOUND);
	}
}

/* Every invalid file fails with its message and leaves every table as it was. */
static void test_failures_change_nothing(void **state)
{
	static const struct {
		const char *file;
		const char *expect;
	} cases[] = {
	    {"bad-type-confidence.json",
	     "line 15, column 3 (byte 415): objects[1] (indicator--00000005-0000-4000-8000-"
	     "000000000000): 'confidence' must be an integer from 0 to 100, found a string"},
	    {"bad-spec-version.json", "'spec_version' is '2.0'; only '2.1' is supported"},
	    {"bad-pattern.json", "invalid pattern: offset 29: expected ']'"},
	    {"bad-duplicate.json", "objects[1] (indicator--00000008-0000-4000-8000-000000000000): "
	                           "duplicate object"},
	    {"bad-revoked-type.json", "'revoked' must be a boolean, found a string"},
	    {"bad-id.json", "'id' must be 'indicator--<UUID>'"},
	    {"bad-valid-until.json", "'valid_until' must be later than 'valid_from'"},
	    {"bad-deep.json", "nesting deeper than 64 levels"},
	    {"bad-truncated.json", "line 23, column 4 (byte 692): unterminated string"},
	};
	struct fixture *f = *state;
	struct ent_import_summary s;
	struct snapshot before, after;

	must_import(f, DATA "base.json", &s);
	snap(f, &before);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512], err[ENT_ERRBUF_SIZE] = "";
		int rc;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		rc = import(f, path, &s, err);
		if (rc == ENT_OK)
			fail_msg("%s imported but must fail", cases[i].file);
		if (strstr(err, cases[i].expect) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", cases[i].file, err,
			         cases[i].expect);
		/* the message names the file first */
		assert_true(strncmp(err, path, strlen(path)) == 0);
		snap(f, &after);
		assert_same(&before, &after);
	}
}

static void test_json_list(void **state)
{
	struct fixture *f = *state;
	struct ent_import_summary s;
	char path[512], err[ENT_ERRBUF_SIZE];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/list.json", f->dir);
	fp = fopen(path, "w");
	fputs("{\"generated\": \"2026-01-01\", \"token\": \"evil.example\",\n"
	      " \"items\": [{\"family\": \"v4\", \"ip\": \"192.0.2.1\"},\n"
	      "           {\"ip\": \"192.0.2.2\", \"note\": \"x\"}],\n"
	      " \"more\": {\"blockList\": [\"bad.example\", \"http://bad.example/x\"]}}\n",
	      fp);
	fclose(fp);
	must_import(f, path, &s);
	assert_string_equal(s.format, "json-list");
	/* the two items and the two strings of blockList; not the token */
	assert_int_equal(s.indicators, 4);
	assert_int_equal(s.observables, 4);
	/* a JSON document with no list in it is refused */
	fp = fopen(path, "w");
	fputs("{\"a\": {\"b\": 1}}", fp);
	fclose(fp);
	assert_int_equal(import(f, path, &s, err), ENT_EINVAL);
	assert_non_null(strstr(err, "nor a list"));
}

/* Lists reach the store two ways: the converter's facts handed over
 * directly, or its JSON text parsed back. Both must store the same. */
struct listing {
	char text[64 * 1024];
	size_t len;
	struct ent_store *store;
};

static int listing_version(void *ctx, const struct ent_store_version *v)
{
	struct listing *l = ctx;

	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "  %lld %d %s %s\n",
	                           (long long)v->version_ms, v->is_current, v->json,
	                           v->observables ? v->observables : "-");
	return 0;
}

static int listing_indicator(void *ctx, const struct ent_store_indicator *ind)
{
	struct listing *l = ctx;
	char err[ENT_ERRBUF_SIZE];

	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len,
	                           "%s %s %s %s %d %lld %lld %s %s\n", ind->stix_id, ind->name,
	                           ind->source, ind->tlp ? ind->tlp : "-", ind->confidence,
	                           (long long)ind->modified_ms, (long long)ind->valid_from,
	                           ind->pattern, ind->kinds ? ind->kinds : "-");
	return ent_store_versions_foreach(l->store, ind->stix_id, listing_version, l, err);
}

static void list_all(struct ent_store *store, struct listing *l)
{
	struct ent_store_indicator_filter flt = {.kind = ENT_OBS_NONE, .all = true};
	char err[ENT_ERRBUF_SIZE];

	l->len = 0;
	l->text[0] = '\0';
	l->store = store;
	assert_int_equal(ent_store_indicators_foreach(store, &flt, listing_indicator, l, err),
	                 ENT_OK);
}

static void test_list_paths_agree(void **state)
{
	struct fixture *f = *state;
	struct ent_import_opts o = default_opts;
	struct ent_import_summary sa, sb;
	static struct listing la, lb;
	char path[512], dbpath[512], err[ENT_ERRBUF_SIZE];
	struct ent_store *other;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/list.txt", f->dir);
	fp = fopen(path, "w");
	fputs("# a list\n192.0.2.1\n198.51.100.0/24\n192.0.2.1:8080\nBad.Example.\n"
	      "http://Evil.example:80/a%7Eb\nd41d8cd98f00b204e9800998ecf8427e\n"
	      "user@Example.org\n2001:DB8::1\nnot a value\n",
	      fp);
	fclose(fp);
	o.source = "same-source";
	o.default_confidence = 70;
	o.default_tlp = ENT_TLP_GREEN;
	assert_int_equal(ent_import_path(f->store, path, &o, &sa, err), ENT_OK);
	snprintf(dbpath, sizeof(dbpath), "%s/other.db", f->dir);
	assert_int_equal(ent_store_open(dbpath, ENT_STORE_CREATE, &other, err), ENT_OK);
	o.via_json = true;
	assert_int_equal(ent_import_path(other, path, &o, &sb, err), ENT_OK);
	assert_int_equal(sa.objects, sb.objects);
	assert_int_equal(sa.indicators, sb.indicators);
	assert_int_equal(sa.observables, sb.observables);
	assert_int_equal(sa.unchanged, sb.unchanged); /* 192.0.2.1 twice */
	assert_int_equal(sa.not_matchable, sb.not_matchable);
	assert_true(sa.indicators >= 7);
	list_all(f->store, &la);
	list_all(other, &lb);
	assert_string_equal(la.text, lb.text);
	ent_store_close(other);
}

/* A bulk import's id rows (written in batches at the commit) find every
 * version again, in bulk mode and in the ordinary one. */
static void test_ids_found_again(void **state)
{
	struct fixture *f = *state;
	struct ent_import_opts o = default_opts;
	struct ent_import_summary s;
	char path[512], err[ENT_ERRBUF_SIZE];
	struct snapshot a, b;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/many.txt", f->dir);
	fp = fopen(path, "w");
	for (int i = 0; i < 300; i++)
		fprintf(fp, "10.%d.%d.%d\n", i / 65536, (i / 256) % 256, i % 256);
	fclose(fp);
	o.bulk_min_bytes = 1;
	assert_int_equal(ent_import_path(f->store, path, &o, &s, err), ENT_OK);
	assert_int_equal(s.added, 300);
	snap(f, &a);
	assert_int_equal(rows(&a, "object_ids"), 300);
	assert_int_equal(ent_import_path(f->store, path, &o, &s, err), ENT_OK);
	assert_int_equal(s.unchanged, 300);
	o.bulk_min_bytes = SIZE_MAX;
	assert_int_equal(ent_import_path(f->store, path, &o, &s, err), ENT_OK);
	assert_int_equal(s.unchanged, 300);
	snap(f, &b);
	assert_int_equal(rows(&b, "objects"), rows(&a, "objects"));
	assert_int_equal(rows(&b, "object_ids"), 300);
}

/* A bulk import runs without foreign key checks (its rows refer to rows it
 * made itself), and the store has them back afterwards: a row that refers
 * to no object is refused again, on the same connection. */
static void test_bulk_restores_foreign_keys(void **state)
{
	struct fixture *f = *state;
	struct ent_import_opts o = default_opts;
	struct ent_import_summary s;
	char path[512], err[ENT_ERRBUF_SIZE];
	sqlite3 *db = f->store->db;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/fk.txt", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 50; i++)
		fprintf(fp, "192.0.2.%d\n", i);
	fclose(fp);
	o.bulk_min_bytes = 1;
	assert_int_equal(ent_import_path(f->store, path, &o, &s, err), ENT_OK);
	assert_int_equal(s.added, 50);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO observables(object_rowid, kind, value) "
	                              "VALUES (999999999, 'ipv4', '192.0.2.1')",
	                              NULL, NULL, NULL),
	                 SQLITE_CONSTRAINT);
	/* and a failed bulk import leaves them on too */
	assert_int_not_equal(ent_import_path(f->store, DATA "bad-pattern.json", &o, &s, err),
	                     ENT_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "INSERT INTO observables(object_rowid, kind, value) "
	                              "VALUES (999999999, 'ipv4', '192.0.2.2')",
	                              NULL, NULL, NULL),
	                 SQLITE_CONSTRAINT);
}

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	if (d == NULL)
		return 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* Bulk mode opens the store file once more, to start its writeback while
 * the import runs (more than 4,096 versions here, so it is asked to), and
 * closes it at the end, whether the import worked or not. */
static void test_bulk_writeback_closes_its_file(void **state)
{
	struct fixture *f = *state;
	struct ent_import_opts o = default_opts;
	struct ent_import_summary s;
	char path[512], err[ENT_ERRBUF_SIZE];
	size_t before;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/wb.txt", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 10000; i++)
		fprintf(fp, "10.%d.%d.%d\n", i >> 16, (i >> 8) & 255, i & 255);
	fclose(fp);
	o.bulk_min_bytes = 1;
	/* a first import opens what the store keeps open (its WAL) */
	assert_int_equal(ent_import_path(f->store, DATA "base.json", &o, &s, err), ENT_OK);
	before = open_fds();
	if (before == 0)
		skip(); /* no /proc */
	assert_int_equal(ent_store_bulk_begin(f->store, err), ENT_OK);
	assert_int_equal(open_fds(), before + 1);
	ent_store_bulk_end(f->store);
	assert_int_equal(open_fds(), before);
	assert_int_equal(ent_import_path(f->store, path, &o, &s, err), ENT_OK);
	assert_int_equal(s.added, 10000);
	assert_int_equal(open_fds(), before);
	assert_int_not_equal(ent_import_path(f->store, DATA "bad-pattern.json", &o, &s, err),
	                     ENT_OK);
	assert_int_equal(open_fds(), before);
}

static void test_missing_and_empty(void **state)
{
	struct fixture *f = *state;
	struct ent_import_summary s;
	char err[ENT_ERRBUF_SIZE], path[512];
	FILE *fp;

	assert_int_equal(import(f, DATA "does-not-exist.json", &s, err), ENT_EIO);
	assert_non_null(strstr(err, "does-not-exist.json: cannot open"));
	snprintf(path, sizeof(path), "%s/empty", f->dir);
	fp = fopen(path, "w");
	fclose(fp);
	assert_int_equal(import(f, path, &s, err), ENT_EINVAL);
	assert_non_null(strstr(err, "empty file"));
}

/* ---- the corpus ---- */

static void import_dir_files(struct fixture *f, const char *rel, size_t *ok, size_t *failed,
                             bool expect_ok)
{
	char dirpath[1024];
	struct dirent **names;
	int n;

	snprintf(dirpath, sizeof(dirpath), "%s", tu_corpus(rel));
	n = scandir(dirpath, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char path[2048], err[ENT_ERRBUF_SIZE] = "";
		struct ent_import_summary s;
		const char *name = names[i]->d_name;

		if (strstr(name, ".json") == NULL) {
			free(names[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dirpath, name);
		if (import(f, path, &s, err) == ENT_OK) {
			if (!expect_ok)
				fail_msg("%s imported but is not STIX", path);
			++*ok;
		} else {
			if (expect_ok)
				fail_msg("%s: %s", path, err);
			++*failed;
		}
		free(names[i]);
	}
	free(names);
}

static void test_corpus_stix(void **state)
{
	struct fixture *f = *state;
	struct ent_import_summary s;
	size_t ok = 0, failed = 0;

	import_dir_files(f, "stix/cti-stix2-json-schemas/examples", &ok, &failed, true);
	import_dir_files(f, "stix/cti-stix2-json-schemas/examples/threat-reports", &ok, &failed,
	                 true);
	import_dir_files(f, "stix/cti-documentation", &ok, &failed, true);
	assert_int_equal(ok, 6 + 2 + 9);

	/* ATT&CK for ICS: 1,826 objects, counted independently with
	 * python3 -c "import json; print(len(json.load(open(F))['objects']))" */
	must_import(f, tu_corpus("stix/attack/ics-attack-18.1.json"), &s);
	assert_int_equal(s.objects, 1826);
	assert_int_equal(s.added, 1826);

	/* apt1: 12 indicators; two of them are ANDs of file hashes */
	must_import(f, tu_corpus("stix/cti-stix2-json-schemas/examples/threat-reports/apt1.json"),
	            &s);
	assert_int_equal(s.indicators, 12);
	assert_int_equal(s.unchanged, s.objects);
}

static void test_corpus_schemas_are_not_stix(void **state)
{
	struct fixture *f = *state;
	struct snapshot before, after;
	size_t ok = 0, failed = 0;

	snap(f, &before);
	/* JSON Schema documents are JSON but not STIX objects: each is refused */
	import_dir_files(f, "stix/cti-stix2-json-schemas/schemas/sdos", &ok, &failed, false);
	import_dir_files(f, "stix/cti-stix2-json-schemas/schemas/common", &ok, &failed, false);
	assert_true(failed >= 19);
	snap(f, &after);
	assert_same(&before, &after);
}

static void test_corpus_misp(void **state)
{
	struct fixture *f = *state;
	struct ent_import_summary s;
	size_t ok = 0, failed = 0;

	import_dir_files(f, "misp/events-eset", &ok, &failed, true);
	import_dir_files(f, "misp/events-pymisp-testdata", &ok, &failed, true);
	assert_int_equal(ok, 11 + 8);
	must_import(f, tu_corpus("misp/feed-crowdsec-alerts"), &s);
	assert_string_equal(s.format, "misp-feed");
	assert_true(s.indicators > 0);
	assert_int_equal(s.indicators, s.observables);
	/* again: nothing new */
	must_import(f, tu_corpus("misp/feed-crowdsec-alerts"), &s);
	assert_int_equal(s.added, 0);
	assert_int_equal(s.unchanged, s.objects);
}

/* Every file of corpus/stix and corpus/misp either imports, or is not
 * intelligence and fails with the message that says why. */
static struct fixture *walk_fixture;
static size_t walk_ok, walk_refused;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct ent_import_summary s;
	char err[ENT_ERRBUF_SIZE] = "";
	bool schema = strstr(path, "/schemas/") != NULL;
	bool warninglist = strstr(path, "/warninglists/") != NULL;
	bool in_feed = strstr(path, "/feed-crowdsec-alerts/") != NULL;
	int rc;

	(void)st;
	(void)ftw;
	if (flag != FTW_F || strstr(path, "/LICENSES") != NULL)
		return 0;
	if (in_feed && strstr(path, "manifest.json") != NULL)
		return 0; /* the feed is imported as a directory */
	rc = import(walk_fixture, path, &s, err);
	if (schema || (warninglist && strstr(path, "schema.json") != NULL)) {
		/* JSON Schema documents are JSON, not STIX */
		if (rc == ENT_OK)
			fail_msg("%s imported but is a JSON schema", path);
		walk_refused++;
	} else if (warninglist) {
		if (rc == ENT_OK || strstr(err, "a MISP warninglist (type '") == NULL)
			fail_msg("%s: expected the warninglist refusal, got '%s'", path, err);
		walk_refused++;
	} else {
		if (rc != ENT_OK)
			fail_msg("%s: %s", path, err);
		walk_ok++;
	}
	return 0;
}

static void test_corpus_every_file(void **state)
{
	walk_fixture = *state;
	walk_ok = walk_refused = 0;
	assert_int_equal(nftw(tu_corpus("stix"), walk_one, 16, FTW_PHYS), 0);
	assert_int_equal(nftw(tu_corpus("misp"), walk_one, 16, FTW_PHYS), 0);
	/* 75 STIX files (57 of them schemas) and 58 MISP files (19 warninglist
	 * files with its schema, 1 manifest imported with its directory) */
	assert_int_equal(walk_ok + walk_refused, 75 + 58 - 1);
	assert_int_equal(walk_refused, 57 + 19);
}

static void test_corpus_lists(void **state)
{
	static const char *const lists[] = {
	    "crowdsec-feed-all-7d.txt",       "crowdsec-feed-all-7d_v4.txt",
	    "eset-glupteba_samples.md5",      "eset-glupteba_samples.sha1",
	    "eset-glupteba_samples.sha256",   "eset-oceanlotus_samples.md5",
	    "eset-oceanlotus_samples.sha1",   "eset-oceanlotus_samples.sha256",
	    "maltrail-malware_emotet.txt",    "maltrail-malware_qakbot.txt",
	    "maltrail-mass_scanner_cidr.txt", "maltrail-suspicious_dns_tunneling_service.txt",
	    "maltrail-suspicious_ipinfo.txt",
	};
	struct fixture *f = *state;
	struct ent_import_summary s;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "misp/lists/%s", lists[i]);
		must_import(f, tu_corpus(rel), &s);
		assert_string_equal(s.format, "csv");
		assert_true(s.indicators > 0);
	}
	/* JSON lists: 60 items (python3: len(d['items'])) and 503 domains
	 * (len(d['duvelDetails']['blockList'])) */
	must_import(f, tu_corpus("misp/lists/crowdsec-feed-all-7d.json"), &s);
	assert_string_equal(s.format, "json-list");
	assert_int_equal(s.indicators, 60);
	must_import(f, tu_corpus("misp/lists/eset-dnsbirthday_rqz-dnsduvel_blocklist.json"), &s);
	assert_int_equal(s.indicators, 503);
	assert_int_equal(s.observables, 503);
	/* the same addresses as the text list: the same indicators */
	must_import(f, tu_corpus("misp/lists/crowdsec-feed-all-7d.txt"), &s);
	assert_true(s.unchanged > 0 || s.added > 0);
	/* 60 addresses, one per line (wc -l) */
	must_import(f, tu_corpus("misp/lists/crowdsec-feed-all-7d_v4.txt"), &s);
	assert_int_equal(s.objects, 60);
	assert_int_equal(s.unchanged, 60);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
	    cmocka_unit_test_setup_teardown(test_base_and_idempotence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_supersede_history_revoke, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failures_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_and_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_paths_agree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ids_found_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk_restores_foreign_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk_writeback_closes_its_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_paths_agree, setup_bulk, teardown_bulk),
	    cmocka_unit_test_setup_teardown(test_base_and_idempotence, setup_bulk, teardown_bulk),
	    cmocka_unit_test_setup_teardown(test_supersede_history_revoke, setup_bulk,
	                                    teardown_bulk),
	    cmocka_unit_test_setup_teardown(test_failures_change_nothing, setup_bulk,
	                                    teardown_bulk),
	    cmocka_unit_test_setup_teardown(test_json_list, setup_bulk, teardown_bulk),
	};
	const struct CMUnitTest corpus[] = {
	    cmocka_unit_test_setup_teardown(test_corpus_stix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corpus_schemas_are_not_stix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corpus_misp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corpus_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corpus_every_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corpus_misp, setup_bulk, teardown_bulk),
	    cmocka_unit_test_setup_teardown(test_corpus_lists, setup_bulk, teardown_bulk),
	};

	return tu_run_groups(argc, argv, unit, sizeof(unit) / sizeof(unit[0]), corpus,
	                     sizeof(corpus) / sizeof(corpus[0]));
}
