/*
 * import.c - one input path -> one store transaction (see import.h).
 *
 * Every format ends in process_object(): a STIX 2.1 object is checked, its
 * pattern parsed and reduced to normalized observables, and the version is
 * put into the store. STIX bundles are streamed object by object
 * (stix/bundle.c); MISP and CSV converters hand over the objects they
 * derive through a struct ent_feed_sink. Any error rolls the whole file back.
 */
#include "feed/import.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/progress.h"
#include "core/timefmt.h"
#include "feed/csv.h"
#include "feed/misp.h"
#include "feed/sink.h"
#include "stix/bundle.h"
#include "stix/object.h"
#include "stix/pattern.h"

#define MAX_OBS_PER_INDICATOR 256

struct import_ctx {
	struct ent_store *store;
	int64_t source_id;
	int64_t import_id;
	const struct ent_import_opts *opts;
	struct ent_import_summary *sum;
	const char *data; /* the mapped file, for positions and progress */
	size_t len;
	struct ent_progress progress;
	/* scratch for normalized observable values, reused for every object */
	char (*values)[ENT_OBS_VALUE_MAX];
	struct ent_store_obs obs[MAX_OBS_PER_INDICATOR];
	struct ent_pattern_obs pobs[MAX_OBS_PER_INDICATOR];
};

static void count_reason(struct ent_import_summary *sum, const char *reason)
{
	size_t i;

	for (i = 0; i < sum->n_reasons; i++)
		if (strcmp(sum->reasons[i].reason, reason) == 0)
			break;
	if (i == sum->n_reasons) {
		if (i == ENT_IMPORT_MAX_REASONS) {
			i--; /* the last slot collects the rest */
			snprintf(sum->reasons[i].reason, sizeof(sum->reasons[i].reason), "other");
		} else {
			snprintf(sum->reasons[i].reason, sizeof(sum->reasons[i].reason), "%s",
				 reason);
			sum->reasons[i].count = 0;
			sum->n_reasons++;
		}
	}
	sum->reasons[i].count++;
	sum->not_matchable++;
}

/* Reduces an indicator's pattern to normalized observables in ctx->obs.
 * Sets *not_matchable to a reason when none is left. */
static int indicator_observables(struct import_ctx *ctx, const struct ent_stix_object *so,
				 size_t *n_obs, const char **not_matchable, char *reason,
				 size_t reasonsz, char *errbuf)
{
	struct ent_pattern *p;
	size_t n, kept = 0, off = 0;
	char perr[ENT_ERRBUF_SIZE];

	*n_obs = 0;
	*not_matchable = NULL;
	if (strcmp(so->pattern_type, "stix") != 0) {
		snprintf(reason, reasonsz, "pattern_type '%.40s'", so->pattern_type);
		*not_matchable = reason;
		return ENT_OK;
	}
	p = ent_pattern_parse(so->pattern, so->pattern_len, &off, perr);
	if (p == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "invalid pattern: %s", perr);
	n = ent_pattern_observables(p, ctx->pobs, MAX_OBS_PER_INDICATOR, reason, reasonsz);
	if (n == 0) {
		*not_matchable = reason;
		ent_pattern_free(p);
		return ENT_OK;
	}
	for (size_t i = 0; i < n && i < MAX_OBS_PER_INDICATOR; i++) {
		const struct ent_pattern_obs *po = &ctx->pobs[i];
		char why[ENT_ERRBUF_SIZE];

		if (ent_obs_normalize(po->kind, po->value, po->len, ctx->values[kept],
				      ENT_OBS_VALUE_MAX, why) != ENT_OK) {
			char r[96];

			snprintf(r, sizeof(r), "invalid %s value", ent_obs_kind_name(po->kind));
			count_reason(ctx->sum, r);
			continue;
		}
		ctx->obs[kept].kind = po->kind;
		ctx->obs[kept].value = ctx->values[kept];
		kept++;
	}
	ent_pattern_free(p);
	if (kept == 0) {
		snprintf(reason, reasonsz, "no valid observable value");
		*not_matchable = reason;
	}
	*n_obs = kept;
	return ENT_OK;
}

/* Checks, reduces and stores one object. where names it for errors. */
static int process_object(struct import_ctx *ctx, json_t *obj, const char *json, size_t jlen,
			  const char *where, char *errbuf)
{
	struct ent_import_summary *sum = ctx->sum;
	struct ent_stix_object so;
	struct ent_store_object o;
	enum ent_store_put_result res;
	const char *not_matchable = NULL;
	char reason[128];
	size_t n_obs = 0;
	bool is_indicator;
	int rc;

	rc = ent_stix_object_check(obj, &so, errbuf);
	if (rc != ENT_OK)
		goto fail;
	sum->objects++;
	is_indicator = strcmp(so.type, "indicator") == 0;
	if (is_indicator) {
		rc = indicator_observables(ctx, &so, &n_obs, &not_matchable, reason,
					   sizeof(reason), errbuf);
		if (rc != ENT_OK)
			goto fail;
		sum->indicators++;
		sum->observables += n_obs;
		if (not_matchable != NULL)
			count_reason(sum, not_matchable);
	}
	o = (struct ent_store_object){
		.stix_id = so.id,
		.type = so.type,
		.version_ms = so.version_ms,
		.revoked = so.revoked,
		.created_by_ref = so.created_by_ref,
		.confidence = so.confidence >= 0 ? so.confidence : ctx->opts->default_confidence,
		.tlp = ent_tlp_name(so.tlp != ENT_TLP_NONE ? so.tlp : ctx->opts->default_tlp),
		.json = json,
		.json_len = jlen,
		.name = so.name,
		.pattern_type = so.pattern_type,
		.valid_from = so.valid_from,
		.valid_until = so.valid_until,
		.not_matchable = is_indicator ? not_matchable : NULL,
		.obs = ctx->obs,
		.n_obs = n_obs,
	};
	rc = ent_store_object_put(ctx->store, ctx->import_id, ctx->source_id, &o, &res, errbuf);
	if (rc != ENT_OK)
		goto fail;
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

		ent_time_format(so.version_ms, t);
		rc = ent_errf(errbuf, ENT_EINVAL,
			      "duplicate object: %s version %s occurs twice in this input with different content", so.id,
			      t);
		goto fail;
	}
	}
	if (so.revoked && (res == ENT_PUT_NEW || res == ENT_PUT_SUPERSEDED))
		sum->revoked++;
	return ENT_OK;
fail:
	if (so.id != NULL && rc != ENT_ESTORE)
		ent_err_prefix(errbuf, "%s (%s)", where, so.id);
	else
		ent_err_prefix(errbuf, "%s", where);
	return rc;
}

/* ---- STIX bundles ---- */

static int stix_object_cb(void *vctx, size_t index, const char *json, size_t len, size_t offset,
			  char *errbuf)
{
	struct import_ctx *ctx = vctx;
	json_error_t jerr;
	char where[160], pos[96];
	json_t *obj;
	int rc;

	snprintf(where, sizeof(where), "objects[%zu]", index);
	obj = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (obj == NULL) {
		size_t at = offset + (jerr.position > 0 ? (size_t)jerr.position - 1 : 0);

		ent_json_position(ctx->data, ctx->len, at, pos, sizeof(pos));
		return ent_errf(errbuf, ENT_EPARSE, "%s: %s: %s", pos, where, jerr.text);
	}
	rc = process_object(ctx, obj, json, len, where, errbuf);
	json_decref(obj);
	if (rc != ENT_OK) {
		ent_json_position(ctx->data, ctx->len, offset, pos, sizeof(pos));
		ent_err_prefix(errbuf, "%s", pos);
		return rc;
	}
	ent_progress_update(&ctx->progress, offset + len, NULL);
	return ENT_OK;
}

/* ---- MISP and CSV through the feed sink ---- */

static int sink_object(void *vctx, json_t *obj, const char *where, char *errbuf)
{
	struct import_ctx *ctx = vctx;
	char *json = json_dumps(obj, JSON_COMPACT);
	int rc;

	if (json == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "%s: out of memory", where);
	rc = process_object(ctx, obj, json, strlen(json), where, errbuf);
	free(json);
	return rc;
}

static void sink_skip(void *vctx, const char *reason, const char *where)
{
	struct import_ctx *ctx = vctx;

	(void)where;
	count_reason(ctx->sum, reason);
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

static int import_file(struct import_ctx *ctx, const char *path, const char *source,
		       char *errbuf)
{
	struct mapped m = {0};
	struct ent_feed_opts fo;
	struct ent_feed_sink sink = {.object = sink_object, .skip = sink_skip, .ctx = ctx};
	char top[64];
	int rc;

	rc = map_file(path, &m, errbuf);
	if (rc != ENT_OK)
		return rc;
	ctx->data = m.data;
	ctx->len = m.len;
	feed_opts_from(ctx->opts, source, m.mtime_ms, &fo);
	ent_progress_init(&ctx->progress, "importing", m.len, ctx->opts->progress);
	if (is_json_start(m.data, m.len) &&
	    ent_bundle_top_type(m.data, m.len, top, sizeof(top)) == ENT_OK && top[0] != '\0') {
		snprintf(ctx->sum->format, sizeof(ctx->sum->format), "stix");
		rc = ent_bundle_scan(m.data, m.len, stix_object_cb, ctx, errbuf);
	} else if (is_json_start(m.data, m.len)) {
		json_error_t jerr;
		json_t *root = json_loadb(m.data, m.len, JSON_REJECT_DUPLICATES, &jerr);
		char pos[96];

		if (root == NULL) {
			ent_json_position(m.data, m.len,
					  jerr.position > 0 ? (size_t)jerr.position - 1 : 0, pos,
					  sizeof(pos));
			rc = ent_errf(errbuf, ENT_EPARSE, "%s: %s", pos, jerr.text);
		} else if (ent_misp_looks_like(root)) {
			snprintf(ctx->sum->format, sizeof(ctx->sum->format), "misp");
			rc = ent_misp_convert_event(root, &fo, &sink, errbuf);
		} else {
			rc = ent_errf(errbuf, ENT_EINVAL,
				      "JSON that is neither STIX 2.1 (no top-level 'type') nor a "
				      "MISP event");
		}
		json_decref(root);
	} else {
		snprintf(ctx->sum->format, sizeof(ctx->sum->format), "csv");
		rc = ent_csv_convert(m.data, m.len, &fo, &sink, errbuf);
	}
	ent_progress_end(&ctx->progress);
	munmap((void *)m.data, m.len);
	ctx->data = NULL;
	ctx->len = 0;
	return rc;
}

static int import_dir(struct import_ctx *ctx, const char *path, const char *source,
		      char *errbuf)
{
	struct ent_feed_opts fo;
	struct ent_feed_sink sink = {.object = sink_object, .skip = sink_skip, .ctx = ctx};
	char manifest[4096];
	struct stat st;

	snprintf(manifest, sizeof(manifest), "%s/manifest.json", path);
	if (stat(manifest, &st) != 0)
		return ent_errf(errbuf, ENT_EINVAL,
				"a directory, but not a MISP feed (no manifest.json)");
	snprintf(ctx->sum->format, sizeof(ctx->sum->format), "misp-feed");
	feed_opts_from(ctx->opts, source, (int64_t)st.st_mtim.tv_sec * 1000, &fo);
	return ent_misp_convert_feed_dir(path, &fo, &sink, errbuf);
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
	struct import_ctx ctx = {.store = s, .opts = opts, .sum = sum};
	char source[256];
	struct stat st;
	uint64_t t0 = ent_time_mono_ns();
	int rc;

	memset(sum, 0, sizeof(*sum));
	if (opts->source != NULL)
		snprintf(source, sizeof(source), "%s", opts->source);
	else
		default_source(path, source, sizeof(source));
	if (stat(path, &st) != 0) {
		rc = ent_errf(errbuf, ENT_EIO, "cannot open: %s", strerror(errno));
		goto out_prefix;
	}
	ctx.values = malloc(sizeof(*ctx.values) * MAX_OBS_PER_INDICATOR);
	if (ctx.values == NULL) {
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out_prefix;
	}
	rc = ent_store_begin(s, errbuf);
	if (rc != ENT_OK)
		goto out_free;
	rc = ent_store_source_id(s, source, S_ISDIR(st.st_mode) ? "misp-feed" : "file",
				 &ctx.source_id, errbuf);
	if (rc == ENT_OK)
		rc = ent_store_import_begin(s, ctx.source_id, path, &ctx.import_id, errbuf);
	if (rc == ENT_OK)
		rc = S_ISDIR(st.st_mode) ? import_dir(&ctx, path, source, errbuf)
					 : import_file(&ctx, path, source, errbuf);
	if (rc == ENT_OK)
		rc = ent_store_commit(s, errbuf);
	else
		ent_store_rollback(s);
out_free:
	free(ctx.values);
out_prefix:
	sum->elapsed_s = (double)(ent_time_mono_ns() - t0) / 1e9;
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "%s", path);
	return rc;
}
