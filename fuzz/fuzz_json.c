/*
 * fuzz_json.c - arbitrary bytes through the JSON tokenizer (core/json.h):
 * parse, then walk every token, decode every string and integer, and look
 * up a member of every object. A document jansson rejects as malformed
 * must not be accepted (the reverse may differ: \u0000 and huge integers).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ent_json j;
	static int ready;
	char err[ENT_ERRBUF_SIZE];
	size_t off;
	int64_t n;

	if (!ready) {
		ent_json_init(&j, 1u << 16);
		ready = 1;
	}
	if (ent_json_parse(&j, (const char *)data, size, &off, err) != ENT_OK) {
		if (off > size)
			abort();
		return 0;
	}
	for (uint32_t t = 0; t < j.n; t++) {
		if (j.tok[t].next <= t || j.tok[t].next > j.n)
			abort();
		if (ent_json_type(&j, t) == ENT_JSON_STRING) {
			size_t len;
			const char *s = ent_json_string(&j, t, &len);

			if (s == NULL || strlen(s) != len)
				abort();
		}
		if (ent_json_type(&j, t) == ENT_JSON_OBJECT)
			(void)ent_json_member(&j, t, "type");
		(void)ent_json_int(&j, t, &n);
	}
	{
		json_error_t jerr;
		json_t *v =
		    json_loadb((const char *)data, size,
		               JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);

		/* jansson refuses numbers beyond int64 or double ("too big", "overflow");
		 * we keep them as text and only read int64 ones */
		if (v == NULL && strstr(jerr.text, "too big") == NULL &&
		    strstr(jerr.text, "overflow") == NULL &&
		    strstr(jerr.text, "maximum parsing depth") == NULL)
			abort();
		json_decref(v);
	}
	return 0;
}
