/*
 * fuzz_taxii_client.c - arbitrary bytes through every parser of the TAXII
 * client (taxii/client.h), as if a hostile peer had sent them: discovery or
 * API root, collections, envelope, status, error title. Each accepted
 * result is checked for the invariants sync relies on: an envelope's
 * objects lie inside the body and are JSON objects, a collection's URL is
 * made from a safe id, strings are NUL-terminated within their fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[ENT_ERRBUF_SIZE], ref[1024], title[160];
	struct ent_taxii_collection *cols = NULL;
	struct ent_taxii_status st;
	struct ent_taxii_page page;
	bool is_root;
	size_t n = 0;

	if (ent_taxii_parse_discovery(text, size, ref, sizeof(ref), &is_root, err) == ENT_OK &&
	    !is_root && strlen(ref) == 0)
		abort();
	if (ent_taxii_parse_collections(text, size, "https://peer.example/api/", &cols, &n, err) ==
	    ENT_OK) {
		for (size_t i = 0; i < n; i++) {
			if (cols[i].id[0] == '\0' || strchr(cols[i].id, '/') != NULL ||
			    strncmp(cols[i].url, "https://peer.example/api/collections/", 37) != 0)
				abort();
		}
		free(cols);
	}
	if (ent_taxii_parse_status(text, size, &st, err) == ENT_OK) {
		if (st.n_successes > ENT_TAXII_MAX_STATUS_IDS)
			abort();
		for (size_t i = 0; i < st.n_successes; i++)
			if (st.successes[i] == NULL || st.successes[i][0] == '\0')
				abort();
		ent_taxii_status_free(&st);
	}
	ent_taxii_parse_error_title(text, size, title, sizeof(title));
	for (const char *p = title; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();

	ent_taxii_page_init(&page);
	if (ent_buf_append(&page.body, data, size) == ENT_OK &&
	    ent_taxii_parse_envelope(&page, err) == ENT_OK) {
		for (size_t i = 0; i < page.n_objects; i++) {
			size_t len;
			const char *o = ent_taxii_page_object(&page, i, &len);

			if (o < page.body.data || o + len > page.body.data + page.body.len ||
			    len < 2 || o[0] != '{' || o[len - 1] != '}')
				abort();
		}
	}
	ent_taxii_page_free(&page);
	return 0;
}
