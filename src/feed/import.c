/*
 * import.c - one input path -> one store transaction (see import.h).
 *
 * Two threads share the work of one import. The preparing thread reads the
 * input in its format (a STIX bundle streamed object by object, a MISP event
 * or feed, a CSV list), checks every object and reduces indicator patterns
 * to normalized observables (prepare.c); the calling thread stores them in
 * order inside one transaction. They meet in a bounded queue
 * (import_queue.c). Either side's error stops both and rolls the whole
 * input back, so the store sees all of a file or none of it.
 */
#include "feed/import.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/label.h"
#include "core/progress.h"
#include "core/timefmt.h"
#include "feed/csv.h"
#include "feed/import_queue.h"
#include "feed/jsonlist.h"
#include "feed/misp.h"
#include "feed/prepare.h"
#include "feed/sink.h"
#include "stix/bundle.h"

#define QUEUE_SLOTS      4096
#define QUEUE_BUDGET     (128u << 20) /* heap held by objects in flight */
#define POP_BATCH        64
#define BULK_INPUT_BYTES (4u << 20)

struct import_ctx {
	struct ent_store *store;
	int64_t source_id;
	int64_t import_id;
	const struct ent_import_opts *opts;
	struct ent_import_summary *sum;
	struct ent_import_queue *queue;
	const char *path;
	const char *source;
	bool is_dir;
	const char *data; /* the mapped file, for positions and progress */
	size_t len;
	int64_t mtime_ms;
	struct ent_progress progress;
	/* the preparing thread's outcome */
	int prep_rc;
	char prep_err[ENT_ERRBUF_SIZE];
};

/* ---- the preparing thread ---- */

/* Prepares the object text json into the next queue slot, taking
 * owned_text when not NULL (then json == owned_text). where names it for
 * errors; a JSON syntax error's offset within json goes to *err_off. */
static int prepare_into_queue(struct import_ctx *ctx, const char *json, size_t jlen,
                              char *owned_text, const char *where, size_t offset, bool has_offset,
                              size_t *err_off, char *errbuf)
{
	struct ent_prepared *p = ent_import_queue_slot(ctx->queue);
	int rc;

	if (p == NULL) {
		free(owned_text);
		return ent_errf(errbuf, ENT_EINVAL, "stopped");
	}
	p->json_owned = owned_text;
	ent_label_copy(p->where, sizeof(p->where), where);
	p->offset = offset;
	p->has_offset = has_offset;
	rc = ent_prepare_object(p, json, jlen, ctx->sum, err_off, errbuf);
	if (rc != ENT_OK) {
		if (p->so.id != NULL)
			ent_err_prefix(errbuf, "%s (%s)", where, p->so.id);
		else
			ent_err_prefix(errbuf, "%s", where);
		return rc;
	}
	p->json = json;
	p->json_len = jlen;
	p->id_hash = ent_store_id_hash(ctx->store, p->so.id);
	ent_import_queue_push(ctx->queue);
	return ENT_OK;
}

static int stix_object_cb(void *vctx, size_t index, const char *json, size_t len, size_t offset,
                          char *errbuf)
{
	struct import_ctx *ctx = vctx;
	char where[64], pos[96];
	size_t err_off = 0;
	int rc;

	ent_label(where, sizeof(where), "objects[", index, "]");
	/* the text stays valid: it is in the mapped file until the import ends */
	rc = prepare_into_queue(ctx, json, len, NULL, where, offset, true, &err_off, errbuf);
	if (rc != ENT_OK) {
		ent_json_position(ctx->data, ctx->len, offset + (rc == ENT_EPARSE ? err_off : 0),
		                  pos, sizeof(pos));
		ent_err_prefix(errbuf, "%s", pos);
		return rc;
	}
	ent_progress_update(&ctx->progress, offset + len, NULL);
	return ENT_OK;
}

/* MISP and CSV converters hand over objects through the feed sink. */
static int sink_object(void *vctx, json_t *obj, const char *where, char *errbuf)
{
	struct import_ctx *ctx = vctx;
	char *json = json_dumps(obj, JSON_COMPACT);
	size_t err_off;

	if (json == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "%s: out of memory", where);
	return prepare_into_queue(ctx, json, strlen(json), json, where, 0, false, &err_off, errbuf);
}

static int sink_object_text(void *vctx, const char *text, size_t len, const char *where,
                            char *errbuf)
{
	struct import_ctx *ctx = vctx;
	char *json = malloc(len + 1);
	size_t err_off;

	if (json == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "%s: out of memory", where);
	memcpy(json, text, len);
	json[len] = '\0';
	return prepare_into_queue(ctx, json, len, json, where, 0, false, &err_off, errbuf);
}

/* A list converter's indicator: the slot is filled from the facts it
 * hands over, as ent_prepare_object would have found them in its text. */
static int sink_indicator(void *vctx, const struct ent_feed_indicator *fi, const char *where,
                          char *errbuf)
{
	struct import_ctx *ctx = vctx;
	struct ent_prepared *p = ent_import_queue_slot(ctx->queue);
	size_t id_len = strlen(fi->id), v_len = strlen(fi->value);

	if (p == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "stopped");
	p->json_owned = malloc(fi->json_len + 1);
	if (p->json_owned == NULL || ent_buf_append(&p->values, fi->value, v_len + 1) != ENT_OK ||
	    ent_buf_append(&p->values, fi->id, id_len + 1) != ENT_OK)
		return ent_errf(errbuf, ENT_ENOMEM, "%s: out of memory", where);
	memcpy(p->json_owned, fi->json, fi->json_len);
	p->json_owned[fi->json_len] = '\0';
	p->json = p->json_owned;
	p->json_len = fi->json_len;
	ent_label_copy(p->where, sizeof(p->where), where);
	memset(&p->so, 0, sizeof(p->so));
	p->so.type = "indicator";
	p->so.id = p->values.data + v_len + 1;
	p->so.created = p->so.modified = p->so.version_ms = fi->time_ms;
	p->so.valid_from = fi->time_ms;
	p->so.valid_until = ENT_TIME_NONE;
	p->so.confidence = fi->confidence;
	p->so.tlp = ent_tlp_parse(fi->tlp);
	p->so.name = p->values.data;
	p->so.pattern_type = "stix";
	p->obs[0].kind = fi->kind;
	p->obs[0].value = p->values.data;
	p->n_obs = 1;
	ctx->sum->objects++;
	ctx->sum->indicators++;
	ctx->sum->observables++;
	p->id_hash = ent_store_id_hash(ctx->store, p->so.id);
	ent_import_queue_push(ctx->queue);
	return ENT_OK;
}

static void sink_skip(void *vctx, const char *reason, const char *where)
{
	struct import_ctx *ctx = vctx;

	(void)where;
	ent_import_count_reason(ctx->sum, reason);
}

static void feed_opts_from(const struct ent_import_opts *o, const char *source, int64_t ts,
                           struct ent_feed_opts *f)
{
	*f = (struct ent_feed_opts){
	    .source = source,
	    .default_tlp = ent_tlp_name(o->default_tlp),
	    .default_confidence = o->default_confidence,
	    .forced_kind = o->forced_kind,
	    .column = o->column,
	    .column_name = o->column_name,
	    .timestamp_ms = ts,
	};
}

/* ---- files ---- */

struct mapped {
	const char *data;
	size_t len;
	int64_t mtime_ms;
};

static int map_file(const char *path, struct mapped *m, char *errbuf)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ent_errf(errbuf, ENT_EIO, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ent_errf(errbuf, ENT_EIO, "cannot stat: %s", strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ent_errf(errbuf, ENT_EINVAL, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return ent_errf(errbuf, ENT_EINVAL, "empty file");
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return ent_errf(errbuf, ENT_EIO, "cannot map: %s", strerror(errno));
	madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	m->data = p;
	m->len = (size_t)st.st_size;
	m->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	return ENT_OK;
}

static bool is_json_start(const char *d, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	return i < len && (d[i] == '{' || d[i] == '[');
}

/* A JSON document that is a plain list: its values, imported as lines. */
static int import_json_list(struct import_ctx *ctx, json_t *root, const struct ent_feed_opts *fo,
                            const struct ent_feed_sink *sink, char *errbuf)
{
	struct ent_buf lines;
	long n;
	int rc;

	ent_buf_init(&lines, ctx->len + 64);
	n = ent_jsonlist_extract(root, ctx->opts->column_name, &lines);
	if (n <= 0) {
		ent_buf_free(&lines);
		return ent_errf(errbuf, ENT_EINVAL,
		                "JSON that is neither STIX 2.1 (no top-level 'type'), nor a MISP "
		                "event, nor a list (no array of values)");
	}
	snprintf(ctx->sum->format, sizeof(ctx->sum->format), "json-list");
	rc = ent_csv_convert(lines.data, lines.len, fo, sink, errbuf);
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "the list's values");
	ent_buf_free(&lines);
	return rc;
}

/* The "type" of a MISP warninglist, which no STIX object has. */
static bool is_warninglist_type(const char *t)
{
	return strcmp(t, "cidr") == 0 || strcmp(t, "string") == 0 || strcmp(t, "hostname") == 0 ||
	       strcmp(t, "substring") == 0 || strcmp(t, "regex") == 0;
}

/* Runs the input's converter; every object goes into the queue. */
static int produce(struct import_ctx *ctx, char *errbuf)
{
	struct ent_feed_opts fo;
	struct ent_feed_sink sink = {.object = sink_object,
	                             .skip = sink_skip,
	                             .object_text = sink_object_text,
	                             .indicator = ctx->opts->via_json ? NULL : sink_indicator,
	                             .ctx = ctx};
	char top[64];

	feed_opts_from(ctx->opts, ctx->source, ctx->mtime_ms, &fo);
	if (ctx->is_dir) {
		snprintf(ctx->sum->format, sizeof(ctx->sum->format), "misp-feed");
		return ent_misp_convert_feed_dir(ctx->path, &fo, &sink, errbuf);
	}
	if (is_json_start(ctx->data, ctx->len) &&
	    ent_bundle_top_type(ctx->data, ctx->len, top, sizeof(top)) == ENT_OK &&
	    is_warninglist_type(top))
		return ent_errf(
		    errbuf, ENT_EINVAL,
		    "a MISP warninglist (type '%s'): an allowlist for the node's policy, "
		    "not intelligence to import",
		    top);
	if (is_json_start(ctx->data, ctx->len) &&
	    ent_bundle_top_type(ctx->data, ctx->len, top, sizeof(top)) == ENT_OK &&
	    top[0] != '\0') {
		snprintf(ctx->sum->format, sizeof(ctx->sum->format), "stix");
		return ent_bundle_scan(ctx->data, ctx->len, stix_object_cb, ctx, errbuf);
	}
	if (is_json_start(ctx->data, ctx->len)) {
		json_error_t jerr;
		json_t *root = json_loadb(ctx->data, ctx->len, JSON_REJECT_DUPLICATES, &jerr);
		char pos[96];
		int rc;

		if (root == NULL) {
			ent_json_position(ctx->data, ctx->len,
			                  jerr.position > 0 ? (size_t)jerr.position - 1 : 0, pos,
			                  sizeof(pos));
			return ent_errf(errbuf, ENT_EPARSE, "%s: %s", pos, jerr.text);
		}
		if (ent_misp_looks_like(root)) {
			snprintf(ctx->sum->format, sizeof(ctx->sum->format), "misp");
			rc = ent_misp_convert_event(root, &fo, &sink, errbuf);
		} else {
			rc = import_json_list(ctx, root, &fo, &sink, errbuf);
		}
		json_decref(root);
		return rc;
	}
	snprintf(ctx->sum->format, sizeof(ctx->sum->format), "csv");
	return ent_csv_convert(ctx->data, ctx->len, &fo, &sink, errbuf);
}

static void *producer_main(void *vctx)
{
	struct import_ctx *ctx = vctx;

	pthread_setname_np(pthread_self(), "ent-prepare");
	ctx->prep_rc = produce(ctx, ctx->prep_err);
	ent_progress_end(&ctx->progress);
	ent_import_queue_close(ctx->queue);
	return NULL;
}

/* Stores one prepared object (o: its store view, prefetched); counts the
 * outcome. */
static int store_prepared(struct import_ctx *ctx, struct ent_prepared *p,
                          struct ent_store_object *o, char *errbuf)
{
	struct ent_import_summary *sum = ctx->sum;
	const struct ent_stix_object *so = &p->so;
	enum ent_store_put_result res;

	if (ctx->opts->gate != NULL) {
		int grc = ent_ingest_judge(ctx->store, ctx->opts->gate, NULL,
		                           ctx->opts->unsigned_action, p, o, errbuf);

		if (grc != ENT_OK)
			return grc;
	}
	int rc = ent_store_object_put(ctx->store, ctx->import_id, ctx->source_id, o, &res, errbuf);

	if (rc != ENT_OK)
		return rc;
	switch (res) {
	case ENT_PUT_NEW:
		sum->added++;
		break;
	case ENT_PUT_SUPERSEDED:
		sum->superseded++;
		break;
	case ENT_PUT_HISTORY:
		sum->history++;
		break;
	case ENT_PUT_UNCHANGED:
		sum->unchanged++;
		break;
	case ENT_PUT_DUPLICATE: {
		char t[ENT_TIME_STRLEN];

		ent_time_format(so->version_ms, t);
		return ent_errf(errbuf, ENT_EINVAL,
		                "duplicate object: %s version %s occurs twice in this input with "
		                "different content",
		                so->id, t);
	}
	}
	if (so->revoked && (res == ENT_PUT_NEW || res == ENT_PUT_SUPERSEDED))
		sum->revoked++;
	return ENT_OK;
}

/* Runs the preparing thread and stores what it hands over, in order. */
static int import_input(struct import_ctx *ctx, char *errbuf)
{
	struct ent_prepared *p;
	pthread_t producer;
	int rc = ENT_OK;

	ctx->queue = ent_import_queue_new(QUEUE_SLOTS, QUEUE_BUDGET);
	if (ctx->queue == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	ent_progress_init(&ctx->progress, "importing", ctx->len, ctx->opts->progress);
	if (pthread_create(&producer, NULL, producer_main, ctx) != 0) {
		ent_import_queue_free(ctx->queue);
		return ent_errf(errbuf, ENT_ENOMEM, "cannot start the import thread");
	}
	for (;;) {
		struct ent_prepared *batch[POP_BATCH];
		struct ent_store_object objs[POP_BATCH];
		size_t n = ent_import_queue_pop(ctx->queue, batch, POP_BATCH), i;

		if (n == 0)
			break;
		/* the whole batch's memory (written by the preparing thread) and
		 * its lookups are on their way before the first put */
		for (i = 0; i < n; i++)
			ent_prepared_prefetch(batch[i]);
		for (i = 0; i < n; i++) {
			ent_prepared_to_store(batch[i], ctx->opts->default_tlp,
			                      ctx->opts->default_confidence, &objs[i]);
			ent_store_object_prefetch(ctx->store, &objs[i]);
		}
		for (i = 0; i < n && rc == ENT_OK; i++) {
			p = batch[i];
			rc = store_prepared(ctx, p, &objs[i], errbuf);
		}
		if (rc != ENT_OK) {
			char pos[96] = "";

			if (p->has_offset)
				ent_json_position(ctx->data, ctx->len, p->offset, pos, sizeof(pos));
			if (rc == ENT_ESTORE)
				ent_err_prefix(errbuf, "%s%s%s", pos, pos[0] ? ": " : "", p->where);
			else
				ent_err_prefix(errbuf, "%s%s%s (%s)", pos, pos[0] ? ": " : "",
				               p->where, p->so.id);
			ent_import_queue_release(ctx->queue, n);
			ent_import_queue_abort(ctx->queue);
			break;
		}
		ent_import_queue_release(ctx->queue, n);
	}
	pthread_join(producer, NULL);
	ent_import_queue_free(ctx->queue);
	ctx->queue = NULL;
	if (rc == ENT_OK && ctx->prep_rc != ENT_OK) {
		rc = ctx->prep_rc;
		snprintf(errbuf, ENT_ERRBUF_SIZE, "%s", ctx->prep_err);
	}
	return rc;
}

/* The default source name: the path's last component. */
static void default_source(const char *path, char *out, size_t outsz)
{
	char tmp[4096];
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", path);
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	snprintf(out, outsz, "%s", basename(tmp));
}

int ent_import_path(struct ent_store *s, const char *path, const struct ent_import_opts *opts,
                    struct ent_import_summary *sum, char *errbuf)
{
	struct import_ctx ctx = {.store = s, .opts = opts, .sum = sum, .path = path};
	struct mapped m = {0};
	char source[256], manifest[4096];
	struct stat st;
	uint64_t t0 = ent_time_mono_ns();
	int rc;

	memset(sum, 0, sizeof(*sum));
	if (opts->source != NULL)
		snprintf(source, sizeof(source), "%s", opts->source);
	else
		default_source(path, source, sizeof(source));
	ctx.source = source;
	if (stat(path, &st) != 0) {
		rc = ent_errf(errbuf, ENT_EIO, "cannot open: %s", strerror(errno));
		goto out;
	}
	ctx.is_dir = S_ISDIR(st.st_mode);
	if (ctx.is_dir) {
		snprintf(manifest, sizeof(manifest), "%s/manifest.json", path);
		if (stat(manifest, &st) != 0) {
			rc = ent_errf(errbuf, ENT_EINVAL,
			              "a directory, but not a MISP feed (no manifest.json)");
			goto out;
		}
		ctx.mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	} else {
		rc = map_file(path, &m, errbuf);
		if (rc != ENT_OK)
			goto out;
		ctx.data = m.data;
		ctx.len = m.len;
		ctx.mtime_ms = m.mtime_ms;
	}
	/* a large input: know every stored id up front (see ent_store_bulk_begin) */
	if (ctx.is_dir ||
	    ctx.len >= (opts->bulk_min_bytes ? opts->bulk_min_bytes : BULK_INPUT_BYTES)) {
		rc = ent_store_bulk_begin(s, errbuf);
		if (rc != ENT_OK)
			goto out_unmap;
	}
	rc = ent_store_begin(s, errbuf);
	if (rc != ENT_OK)
		goto out_unmap;
	rc = ent_store_source_id(s, source, ctx.is_dir ? "misp-feed" : "file", &ctx.source_id,
	                         errbuf);
	if (rc == ENT_OK)
		rc = ent_store_import_begin(s, ctx.source_id, path, &ctx.import_id, errbuf);
	if (rc == ENT_OK)
		rc = import_input(&ctx, errbuf);
	if (rc == ENT_OK)
		rc = ent_store_commit(s, errbuf);
	else
		ent_store_rollback(s);
out_unmap:
	ent_store_bulk_end(s);
	if (m.data != NULL)
		munmap((void *)m.data, m.len);
out:
	sum->elapsed_s = (double)(ent_time_mono_ns() - t0) / 1e9;
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "%s", path);
	return rc;
}
