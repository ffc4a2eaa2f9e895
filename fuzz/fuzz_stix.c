/*
 * fuzz_stix.c - arbitrary bytes as a STIX document: the bundle scanner, the
 * top-level type probe, jansson on each object, the object checks, the
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
	json_t *obj;
	int rc;

	(void)index;
	(void)offset;
	obj = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	if (obj == NULL)
		return ENT_EPARSE;
	ent_prepared_clear(p);
	rc = ent_prepare_object(p, obj, &sum, errbuf);
	return rc == ENT_OK ? ENT_OK : rc;
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
