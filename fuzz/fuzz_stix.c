/*
 * fuzz_stix.c - arbitrary bytes as a STIX document: the bundle scanner, the
 * top-level type probe, the JSON tokenizer on each object, the object checks, the
 * pattern parser and normalization (everything an import does before the
 * store).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "feed/prepare.h"
#include "stix/bundle.h"

static int on_object(void *ctx, size_t index, const char *json, size_t len, size_t offset,
                     char *errbuf)
{
	struct ent_prepared *p = ctx;
	struct ent_import_summary sum = {0};
	size_t err_off;

	(void)index;
	(void)offset;
	ent_prepared_clear(p);
	return ent_prepare_object(p, json, len, &sum, &err_off, errbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ent_prepared p;
	static int ready;
	char err[ENT_ERRBUF_SIZE], top[64];

	if (!ready) {
		ent_prepared_init(&p);
		ready = 1;
	}
	(void)ent_bundle_top_type((const char *)data, size, top, sizeof(top));
	(void)ent_bundle_scan((const char *)data, size, on_object, &p, err);
	ent_prepared_clear(&p);
	return 0;
}
