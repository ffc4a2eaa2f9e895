/*
 * csv.c - CSV and plain-list conversion (see csv.h).
 *
 * Three passes over the borrowed input, none of which copies it:
 *   1. check: no NUL byte anywhere (a binary file is refused, naming the
 *      line of the first NUL);
 *   2. sample: the first SAMPLE_LINES data lines (neither blank nor '#'
 *      comments) decide the delimiter, whether line 1 is a header, and which
 *      column holds the values;
 *   3. convert: every data line yields exactly one sink->object or one
 *      sink->skip (the header line is skipped as "header line"), so
 *      objects + skips = data lines.
 * Per line the work is: split (quote-aware), strip a maltrail ":port",
 * detect and normalize (one pass), build pattern and indicator. Memory is
 * one field buffer of ENT_CSV_LINE_MAX bytes and one pattern buffer, both
 * allocated once per call.
 */
#include "feed/csv.h"

#include <nettle/sha1.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/label.h"
#include "core/timefmt.h"
#include "core/uuid.h"
#include "feed/pattern_build.h"
#include "stix/tlp.h"

#define SAMPLE_LINES 32 /* data lines looked at to choose delimiter and column */
#define MAX_COLS     64 /* columns considered by the automatic column choice */
#define NO_DELIM     '\0'
#define SOURCE_MAX   256 /* bytes of opts->source */

struct line {
	const char *p;
	size_t len; /* without the line end */
	size_t no;  /* 1-based */
};

struct csv {
	const struct ent_feed_opts *opts;
	const struct ent_feed_sink *sink;
	char *errbuf;
	char delim;         /* ',', ';', '\t' or NO_DELIM */
	size_t col;         /* 0-based value column */
	size_t header_line; /* line number of the header, 0 if none */
	char ts[ENT_TIME_STRLEN];
	uint8_t ns[16]; /* ENT_UUID_NAMESPACE */
	char *field;    /* ENT_CSV_LINE_MAX + 1 bytes */
	char norm[ENT_OBS_VALUE_MAX];
	struct ent_buf pattern;
	struct ent_buf text; /* the indicator's JSON, for sink->object_text */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **v, size_t *len)
{
	while (*len > 0 && is_blank(**v))
		(*v)++, (*len)--;
	while (*len > 0 && is_blank((*v)[*len - 1]))
		(*len)--;
}

/* The next line at *pos (advanced past its '\n'); false at the end. */
static bool next_line(const char **pos, const char *end, size_t *lineno, struct line *l)
{
	const char *nl;

	if (*pos >= end)
		return false;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	l->p = *pos;
	l->len = (size_t)((nl ? nl : end) - *pos);
	l->no = ++*lineno;
	if (l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	*pos = nl ? nl + 1 : end;
	return true;
}

static bool is_data_line(const struct line *l)
{
	const char *p = l->p;
	size_t n = l->len;

	trim(&p, &n);
	return n > 0 && p[0] != '#';
}

/*
 * Reads the field at *i of s[0..len) for delimiter d (NO_DELIM: the whole
 * rest). A field that starts with '"' is quoted, with "" standing for '"'.
 * The content goes to out (if not NULL; at least len bytes) and its length
 * to *olen. *more tells whether a delimiter followed. -1 for an
 * unterminated quote.
 */
static int field_next(const char *s, size_t len, size_t *i, char d, char *out, size_t *olen,
                      bool *more)
{
	size_t k = *i, n = 0;

	while (k < len && s[k] == ' ')
		k++;
	if (k < len && s[k] == '"') {
		for (k++;; k++) {
			if (k >= len)
				return -1;
			if (s[k] == '"') {
				if (k + 1 < len && s[k + 1] == '"') {
					k++;
				} else {
					k++;
					break;
				}
			}
			if (out)
				out[n] = s[k];
			n++;
		}
		while (k < len && s[k] != d) /* tolerated: text after the closing quote */
			k++;
	} else {
		k = *i;
		while (k < len && s[k] != d) {
			if (out)
				out[n] = s[k];
			n++, k++;
		}
	}
	*olen = n;
	*more = d != NO_DELIM && k < len;
	*i = k + 1;
	return 0;
}

/* Number of fields of a line, or -1 for an unterminated quote. */
static int count_fields(const struct line *l, char d)
{
	size_t i = 0, olen;
	bool more = true;
	int n = 0;

	while (more) {
		if (field_next(l->p, l->len, &i, d, NULL, &olen, &more) < 0)
			return -1;
		if (n < INT32_MAX)
			n++;
	}
	return n;
}

/* Field idx of a line into out: 0, 1 if the line has fewer fields, -1 for a
 * bad quote. */
static int get_field(const struct line *l, char d, size_t idx, char *out, size_t *olen)
{
	size_t i = 0;
	bool more = true;

	for (size_t f = 0; more; f++) {
		if (field_next(l->p, l->len, &i, d, out, olen, &more) < 0)
			return -1;
		if (f == idx)
			return 0;
	}
	return 1;
}

/*
 * The maltrail address forms: "1.2.3.4:8080" -> "1.2.3.4",
 * "[2001:db8::1]:443" and "[2001:db8::1]" -> "2001:db8::1".
 */
static void strip_port(const char **v, size_t *len)
{
	const char *s = *v;
	size_t n = *len, colon = 0, digits = 0;

	if (n > 2 && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		size_t after;

		if (rb == NULL)
			return;
		after = n - (size_t)(rb + 1 - s);
		if (after > 0) {
			if (after < 2 || after > 6 || rb[1] != ':')
				return;
			for (size_t k = 2; k <= after; k++)
				if (rb[k] < '0' || rb[k] > '9')
					return;
		}
		*v = s + 1;
		*len = (size_t)(rb - s - 1);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		if (s[k] == ':') {
			if (colon)
				return; /* two colons: IPv6, not addr:port */
			colon = k;
		} else if (colon) {
			if (s[k] < '0' || s[k] > '9')
				return;
			digits++;
		} else if ((s[k] < '0' || s[k] > '9') && s[k] != '.') {
			return;
		}
	}
	if (colon > 0 && digits >= 1 && digits <= 5)
		*len = colon;
}

/* The kind and normal form (in c->norm) of a field value, or ENT_OBS_NONE. */
static enum ent_obs_kind classify(struct csv *c, const char *v, size_t len)
{
	enum ent_obs_kind forced = c->opts->forced_kind;

	trim(&v, &len);
	if (forced == ENT_OBS_NONE || forced == ENT_OBS_IPV4 || forced == ENT_OBS_IPV6)
		strip_port(&v, &len);
	if (forced == ENT_OBS_NONE)
		return ent_obs_detect_normalize(v, len, c->norm, sizeof(c->norm));
	if (ent_obs_normalize(forced, v, len, c->norm, sizeof(c->norm), NULL) != ENT_OK)
		return ENT_OBS_NONE;
	return forced;
}

/* True if some field of the line is a value. */
static bool line_has_value(struct csv *c, const struct line *l, char d)
{
	size_t i = 0, olen;
	bool more = true;

	while (more) {
		if (field_next(l->p, l->len, &i, d, c->field, &olen, &more) < 0)
			return false;
		if (classify(c, c->field, olen) != ENT_OBS_NONE)
			return true;
	}
	return false;
}

/* A plain-list header is a column title: letters, digits, ' ', '_', '-'. */
static bool looks_like_title(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++) {
		char ch = l->p[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == ' ' || ch == '_' || ch == '-' ||
		      ch == '\t'))
			return false;
	}
	return true;
}

static char choose_delim(const struct line *sample, size_t n)
{
	static const char cands[] = {',', ';', '\t'};
	char best = NO_DELIM;
	int best_min = 1;

	for (size_t k = 0; k < sizeof(cands); k++) {
		int min = INT32_MAX;

		for (size_t i = 0; i < n && min > 1; i++) {
			int f = count_fields(&sample[i], cands[k]);

			if (f >= 0 && f < min) /* a bad quote (-1) says nothing */
				min = f;
		}
		if (min != INT32_MAX && min > best_min)
			best = cands[k], best_min = min;
	}
	return best;
}

/* Passes 2: delimiter, header, column. */
static int choose_layout(struct csv *c, const struct line *sample, size_t n)
{
	const struct ent_feed_opts *o = c->opts;
	size_t first_data = 0;

	c->delim = choose_delim(sample, n);
	c->col = 0;
	c->header_line = 0;
	if (n == 0)
		return ENT_OK;
	if (o->column_name != NULL) {
		size_t i = 0, olen;
		bool more = true;

		for (size_t f = 0; more; f++) {
			const char *v = c->field;

			if (field_next(sample[0].p, sample[0].len, &i, c->delim, c->field, &olen,
			               &more) < 0)
				break;
			trim(&v, &olen);
			if (olen == strlen(o->column_name) &&
			    strncasecmp(v, o->column_name, olen) == 0) {
				c->col = f;
				c->header_line = sample[0].no;
				return ENT_OK;
			}
		}
		return ent_errf(c->errbuf, ENT_EPARSE,
		                "line %zu: no column named '%s' in the header", sample[0].no,
		                o->column_name);
	}
	if (n >= 2 && !line_has_value(c, &sample[0], c->delim) &&
	    line_has_value(c, &sample[1], c->delim) &&
	    (c->delim != NO_DELIM || looks_like_title(&sample[0]))) {
		c->header_line = sample[0].no;
		first_data = 1;
	}
	if (o->column > 0) {
		if (c->delim == NO_DELIM && o->column > 1)
			return ent_errf(c->errbuf, ENT_EPARSE,
			                "column %d requested, but the file has a single column",
			                o->column);
		c->col = (size_t)o->column - 1;
		return ENT_OK;
	}
	if (c->delim != NO_DELIM) {
		unsigned counts[MAX_COLS] = {0}, best = 0;

		for (size_t s = first_data; s < n; s++) {
			size_t i = 0, olen;
			bool more = true;

			for (size_t f = 0; more && f < MAX_COLS; f++) {
				if (field_next(sample[s].p, sample[s].len, &i, c->delim, c->field,
				               &olen, &more) < 0)
					break;
				if (classify(c, c->field, olen) != ENT_OBS_NONE)
					counts[f]++;
			}
		}
		for (size_t f = 0; f < MAX_COLS; f++)
			if (counts[f] > best)
				best = counts[f], c->col = f;
	}
	return ENT_OK;
}

/*
 * UUIDv5 (RFC 4122 4.3) of name in the ENT_UUID_NAMESPACE namespace: the
 * same value as ent_uuid_v5, whose per-call namespace parsing and snprintf
 * formatting took a third of the per-line time of a bulk import. ns is the
 * namespace's 16 bytes, parsed once per conversion.
 */
static void uuid_v5_fast(const uint8_t ns[16], const char *name, size_t len,
                         char out[ENT_UUID_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	struct sha1_ctx ctx;
	uint8_t d[SHA1_DIGEST_SIZE];
	char *p = out;

	sha1_init(&ctx);
	sha1_update(&ctx, 16, ns);
	sha1_update(&ctx, len, (const uint8_t *)name);
	sha1_digest(&ctx, sizeof(d), d);
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[d[i] >> 4];
		*p++ = hex[d[i] & 15];
	}
	*p = '\0';
}

static void uuid_parse(const char *s, uint8_t out[16])
{
	size_t k = 0;

	memset(out, 0, 16);
	for (; *s != '\0' && k < 32; s++) {
		int v = *s >= '0' && *s <= '9'   ? *s - '0'
		        : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
		        : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
		                                 : -1;
		if (v < 0)
			continue;
		out[k / 2] = (uint8_t)(out[k / 2] | (k % 2 ? v : v << 4));
		k++;
	}
}

/* Pass 3 for one data line. */
static int convert_line(struct csv *c, const struct line *l)
{
	char where[32], reason[64], id[64], uuid[ENT_UUID_STRLEN];
	char name[SOURCE_MAX + 32 + ENT_OBS_VALUE_MAX];
	size_t len = l->len, olen, nlen, klen, slen;
	struct line cut = *l;
	enum ent_obs_kind kind;
	struct ent_indicator_spec spec;
	const char *kname, *v;
	json_t *ind = NULL;
	int rc;

	ent_label(where, sizeof(where), "line ", l->no, "");
	if (l->no == c->header_line) {
		if (c->sink->skip)
			c->sink->skip(c->sink->ctx, "header line", where);
		return ENT_OK;
	}
	if (c->delim == NO_DELIM) /* "5.63.151.0/24 # scanner": a trailing comment */
		for (size_t k = 1; k < len; k++)
			if (l->p[k] == '#' && (l->p[k - 1] == ' ' || l->p[k - 1] == '\t')) {
				cut.len = k;
				break;
			}
	rc = get_field(&cut, c->delim, c->col, c->field, &olen);
	if (rc != 0) {
		if (rc < 0)
			snprintf(reason, sizeof(reason), "unterminated quoted field");
		else
			snprintf(reason, sizeof(reason), "no column %zu", c->col + 1);
		if (c->sink->skip)
			c->sink->skip(c->sink->ctx, reason, where);
		return ENT_OK;
	}
	v = c->field;
	trim(&v, &olen);
	if (olen == 0) {
		if (c->sink->skip)
			c->sink->skip(c->sink->ctx, "empty value", where);
		return ENT_OK;
	}
	kind = classify(c, v, olen);
	if (kind == ENT_OBS_NONE) {
		if (c->opts->forced_kind != ENT_OBS_NONE)
			snprintf(reason, sizeof(reason), "invalid %s value",
			         ent_obs_kind_name(c->opts->forced_kind));
		else
			snprintf(reason, sizeof(reason), "unrecognized value");
		if (c->sink->skip)
			c->sink->skip(c->sink->ctx, reason, where);
		return ENT_OK;
	}
	ent_buf_reset(&c->pattern);
	if ((rc = ent_pattern_build(kind, c->norm, &c->pattern)) != ENT_OK)
		return ent_errf(c->errbuf, rc, "%s: cannot build the pattern", where);

	/* id: UUIDv5 of source NUL kind NUL value */
	kname = ent_obs_kind_name(kind);
	slen = c->opts->source ? strlen(c->opts->source) : 0;
	klen = strlen(kname);
	nlen = strlen(c->norm);
	memcpy(name, c->opts->source ? c->opts->source : "", slen);
	name[slen] = '\0';
	memcpy(name + slen + 1, kname, klen);
	name[slen + 1 + klen] = '\0';
	memcpy(name + slen + klen + 2, c->norm, nlen);
	uuid_v5_fast(c->ns, name, slen + klen + 2 + nlen, uuid);
	memcpy(id, "indicator--", 11);
	memcpy(id + 11, uuid, ENT_UUID_STRLEN);

	memset(&spec, 0, sizeof(spec));
	spec.id = id;
	spec.created = spec.modified = spec.valid_from = c->ts;
	spec.name = c->norm;
	spec.pattern = c->pattern.data;
	spec.confidence = c->opts->default_confidence < 0 ? -1 : c->opts->default_confidence;
	spec.tlp = c->opts->default_tlp;
	/* the fast paths: JSON text straight to the importer, no tree; and
	 * with it the facts, so that nothing is parsed back out of the text */
	if (c->sink->indicator != NULL || c->sink->object_text != NULL) {
		rc = ent_indicator_build_text(&spec, &c->text, c->errbuf);
		if (rc == ENT_OK && c->sink->indicator != NULL) {
			struct ent_feed_indicator fi = {
			    .json = c->text.data,
			    .json_len = c->text.len,
			    .id = id,
			    .kind = kind,
			    .value = c->norm,
			    .time_ms = c->opts->timestamp_ms,
			    .confidence = spec.confidence,
			    .tlp = spec.tlp,
			};

			return c->sink->indicator(c->sink->ctx, &fi, where, c->errbuf);
		}
		if (rc == ENT_OK)
			return c->sink->object_text(c->sink->ctx, c->text.data, c->text.len, where,
			                            c->errbuf);
		if (rc != ENT_EUNSUPPORTED) {
			ent_err_prefix(c->errbuf, "%s", where);
			return rc;
		}
	}
	if ((rc = ent_indicator_build(&spec, &ind, c->errbuf)) != ENT_OK) {
		ent_err_prefix(c->errbuf, "%s", where);
		return rc;
	}
	rc = c->sink->object(c->sink->ctx, ind, where, c->errbuf);
	json_decref(ind);
	return rc;
}

bool ent_csv_looks_like(const char *data, size_t len)
{
	size_t i = 0;

	if (data == NULL || len == 0)
		return false;
	if (memchr(data, '\0', len < 65536 ? len : 65536) != NULL)
		return false;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (is_blank(data[i]) || data[i] == '\n'))
		i++;
	return i < len && data[i] != '{' && data[i] != '[' && data[i] != '<';
}

int ent_csv_convert(const char *data, size_t len, const struct ent_feed_opts *opts,
                    const struct ent_feed_sink *sink, char *errbuf)
{
	struct line sample[SAMPLE_LINES], l;
	const char *pos, *end, *nul;
	size_t n = 0, lineno = 0;
	struct csv *c = NULL;
	int rc;

	if (opts == NULL || sink == NULL || sink->object == NULL || (data == NULL && len > 0))
		return ent_errf(errbuf, ENT_EINVAL, "no options, sink or data");
	if (opts->default_tlp != NULL && ent_tlp_parse(opts->default_tlp) == ENT_TLP_NONE)
		return ent_errf(errbuf, ENT_EINVAL, "unknown TLP level '%s'", opts->default_tlp);
	if (opts->default_confidence > 100)
		return ent_errf(errbuf, ENT_EINVAL, "confidence %d not in 0..100",
		                opts->default_confidence);
	if (opts->source != NULL && strlen(opts->source) > SOURCE_MAX)
		return ent_errf(errbuf, ENT_EINVAL, "source name longer than %d bytes", SOURCE_MAX);
	if (opts->column < 0)
		return ent_errf(errbuf, ENT_EINVAL, "column %d: columns count from 1",
		                opts->column);
	if (len == 0)
		return ENT_OK;
	end = data + len;
	/* pass 1: a binary file is not a list */
	if ((nul = memchr(data, '\0', len)) != NULL) {
		size_t no = 1;

		for (const char *p = data; (p = memchr(p, '\n', (size_t)(nul - p))) != NULL; p++)
			no++;
		return ent_errf(errbuf, ENT_EPARSE,
		                "line %zu: binary data (NUL byte), not a text list", no);
	}
	pos = data;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos += 3;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->field = malloc(ENT_CSV_LINE_MAX + 1)) == NULL) {
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out;
	}
	c->opts = opts;
	c->sink = sink;
	c->errbuf = errbuf;
	ent_buf_init(&c->pattern, 3 * ENT_OBS_VALUE_MAX);
	ent_buf_init(&c->text, 16 * ENT_OBS_VALUE_MAX);
	ent_time_format(opts->timestamp_ms, c->ts);
	uuid_parse(ENT_UUID_NAMESPACE, c->ns);

	/* pass 2: sample the first data lines */
	{
		const char *p = pos;
		size_t no = 0;

		while (n < SAMPLE_LINES && next_line(&p, end, &no, &l)) {
			if (l.len > ENT_CSV_LINE_MAX) {
				rc = ent_errf(errbuf, ENT_ELIMIT, "line %zu: longer than %d bytes",
				              l.no, ENT_CSV_LINE_MAX);
				goto out;
			}
			if (is_data_line(&l))
				sample[n++] = l;
		}
	}
	if ((rc = choose_layout(c, sample, n)) != ENT_OK)
		goto out;

	/* pass 3 */
	while (next_line(&pos, end, &lineno, &l)) {
		if (l.len > ENT_CSV_LINE_MAX) {
			rc = ent_errf(errbuf, ENT_ELIMIT, "line %zu: longer than %d bytes", l.no,
			              ENT_CSV_LINE_MAX);
			goto out;
		}
		if (!is_data_line(&l))
			continue;
		if ((rc = convert_line(c, &l)) != ENT_OK)
			goto out;
	}
	rc = ENT_OK;
out:
	if (c != NULL) {
		ent_buf_free(&c->pattern);
		ent_buf_free(&c->text);
		free(c->field);
		free(c);
	}
	return rc;
}
