/*
 * fuzz_misp.c - libFuzzer target for feed/misp.c (and through it
 * feed/pattern_build.c and core/observable.c).
 *
 * Input: JSON bytes, parsed with json_loadb and converted with a sink that
 * checks what it is handed (an object with a type and an id) and drops it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed/misp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_object(void *ctx, json_t *obj, const char *where, char *errbuf)
{
	(void)ctx;
	(void)errbuf;
	if (!json_is_object(obj) || where == NULL ||
	    json_string_value(json_object_get(obj, "type")) == NULL ||
	    json_string_value(json_object_get(obj, "id")) == NULL)
		abort();
	return 0;
}

static void check_skip(void *ctx, const char *reason, const char *where)
{
	(void)ctx;
	if (reason == NULL || where == NULL || reason[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ent_feed_opts opts = {
	    .source = "fuzz",
	    .default_tlp = "green",
	    .default_confidence = 50,
	    .forced_kind = ENT_OBS_NONE,
	    .timestamp_ms = 1700000000000,
	};
	struct ent_feed_sink sink = {check_object, check_skip, NULL, NULL, NULL};
	char err[ENT_ERRBUF_SIZE];
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, 0, &jerr);
	int rc;

	if (root == NULL)
		return 0;
	(void)ent_misp_looks_like(root);
	err[0] = '\0';
	rc = ent_misp_convert_event(root, &opts, &sink, err);
	if (rc != ENT_OK && err[0] == '\0')
		abort(); /* every failure says why */
	json_decref(root);
	return 0;
}
