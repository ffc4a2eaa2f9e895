/*
 * fuzz_jcs.c - arbitrary bytes through RFC 8785 canonicalization
 * (trust/jcs.h). Whatever is accepted must canonicalize to a fixed point:
 * the canonical form, canonicalized again, gives the same bytes. The same
 * holds with the signature member omitted (ent_jcs_write with a path).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const path[] = {"extensions", "extension-definition--x", NULL};
	char err[ENT_ERRBUF_SIZE];
	struct ent_buf a, b;
	struct ent_json j;
	size_t off;

	ent_buf_init(&a, 1u << 22);
	ent_buf_init(&b, 1u << 22);
	if (ent_jcs_canonicalize((const char *)data, size, &a, err) == ENT_OK) {
		if (ent_jcs_canonicalize(a.data, a.len, &b, err) != ENT_OK || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			abort();
	}
	ent_buf_reset(&a);
	ent_buf_reset(&b);
	ent_json_init(&j, 1u << 16);
	if (ent_json_parse(&j, (const char *)data, size, &off, err) == ENT_OK &&
	    ent_jcs_write(&j, 0, path, &a, err) == ENT_OK) {
		if (ent_jcs_canonicalize(a.data, a.len, &b, err) != ENT_OK || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			abort();
	}
	ent_json_free(&j);
	ent_buf_free(&a);
	ent_buf_free(&b);
	return 0;
}
