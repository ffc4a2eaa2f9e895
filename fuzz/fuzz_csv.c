/*
 * fuzz_csv.c - libFuzzer target for feed/csv.c.
 *
 * Input: one byte of options (forced kind, column number, a column name,
 * tree, text or direct output), then the file. The sink checks that objects and skips come with a
 * "line N" place, and that line numbers never go backwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "feed/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long last_line;

static void check_where(const char *where)
{
	unsigned long n;

	if (where == NULL || sscanf(where, "line %lu", &n) != 1 || n == 0 || n < last_line)
		abort();
	last_line = n;
}

static int check_object(void *ctx, json_t *obj, const char *where, char *errbuf)
{
	(void)ctx;
	(void)errbuf;
	check_where(where);
	if (json_string_value(json_object_get(obj, "pattern")) == NULL)
		abort();
	return 0;
}

/* The text path must always write valid JSON with a pattern. */
static int check_object_text(void *ctx, const char *text, size_t len, const char *where,
                             char *errbuf)
{
	static struct ent_json j;
	static int ready;
	size_t off;
	long pat;

	(void)ctx;
	if (!ready) {
		ent_json_init(&j, 4096);
		ready = 1;
	}
	check_where(where);
	if (ent_json_parse(&j, text, len, &off, errbuf) != ENT_OK)
		abort();
	pat = ent_json_member(&j, 0, "pattern");
	if (pat < 0 || ent_json_type(&j, (uint32_t)pat) != ENT_JSON_STRING)
		abort();
	return 0;
}

/* The direct path: the facts must agree with the text they come with. */
static int check_indicator(void *ctx, const struct ent_feed_indicator *fi, const char *where,
                           char *errbuf)
{
	char norm[ENT_OBS_VALUE_MAX];

	if (fi->kind == ENT_OBS_NONE || fi->value[0] == '\0' ||
	    strncmp(fi->id, "indicator--", 11) != 0 ||
	    ent_obs_normalize(fi->kind, fi->value, strlen(fi->value), norm, sizeof(norm), errbuf) !=
	        ENT_OK ||
	    strcmp(norm, fi->value) != 0 || strstr(fi->json, fi->id) == NULL)
		abort();
	return check_object_text(ctx, fi->json, fi->json_len, where, errbuf);
}

static void check_skip(void *ctx, const char *reason, const char *where)
{
	(void)ctx;
	if (reason == NULL || reason[0] == '\0')
		abort();
	check_where(where);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ent_feed_opts opts = {
	    .source = "fuzz",
	    .default_tlp = NULL,
	    .default_confidence = -1,
	    .timestamp_ms = 1700000000000,
	};
	struct ent_feed_sink sink = {check_object, check_skip, NULL, check_object_text, NULL};
	char err[ENT_ERRBUF_SIZE];
	int rc;

	if (size < 1)
		return 0;
	opts.forced_kind = (enum ent_obs_kind)(data[0] & 15) < ENT_OBS_KIND_COUNT
	                       ? (enum ent_obs_kind)(data[0] & 15)
	                       : ENT_OBS_NONE;
	opts.column = (data[0] >> 4) & 3;
	if (data[0] & 0x40)
		opts.column_name = "ip";
	if (data[0] & 0x80) /* the tree path instead of the text path */
		sink.object_text = NULL;
	else if (data[0] & 0x20) /* the direct path */
		sink.indicator = check_indicator;
	last_line = 0;
	err[0] = '\0';
	(void)ent_csv_looks_like((const char *)data + 1, size - 1);
	rc = ent_csv_convert((const char *)data + 1, size - 1, &opts, &sink, err);
	if (rc != ENT_OK && err[0] == '\0')
		abort();
	return 0;
}
