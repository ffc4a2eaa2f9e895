/*
 * fuzz_taxii.c - libFuzzer target for the TAXII 2.1 endpoints (routing,
 * filter parameters, envelopes added to an inbox), behind the HTTP layer.
 *
 * Input: "METHOD\nPATH[?QUERY]\nCONTENT-TYPE\nBODY". The server runs over a
 * store in a temporary directory with a few objects and a collection every
 * principal may read and write. Every answer must be a known status with a
 * TAXII error or resource that is valid JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "feed/ingest.h"
#include "node/config.h"
#include "store/store.h"
#include "taxii/taxii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ent_taxii *taxii;
static struct ent_taxii_collections cols;
static const struct ent_http_principal who = {.peer_id = 0, .peer = "fuzz", .groups = "community"};

static void setup(void)
{
	static char dir[] = "/tmp/fuzz-taxii-XXXXXX";
	char path[128], conf[128], err[ENT_ERRBUF_SIZE];
	const char *obj =
	    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
	    "\"id\":\"indicator--00000000-0000-4000-8000-000000000001\","
	    "\"created\":\"2024-01-01T00:00:00.000Z\","
	    "\"modified\":\"2024-01-01T00:00:00.000Z\","
	    "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
	    "\"valid_from\":\"2024-01-01T00:00:00Z\"}";
	struct ent_store *s;
	struct ent_ingest *in;
	struct ent_config *cfg;
	enum ent_store_put_result res;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/store.db", dir);
	snprintf(conf, sizeof(conf), "%s/entente.conf", dir);
	f = fopen(conf, "w");
	if (f == NULL)
		abort();
	fputs("[collections]\npublic = tlp:amber read:* write:-\nshared = read:* write:*\n", f);
	fclose(f);
	if (ent_store_open(path, ENT_STORE_CREATE, &s, err) != ENT_OK ||
	    ent_store_begin(s, err) != ENT_OK ||
	    ent_ingest_begin(s,
	                     &(struct ent_ingest_opts){.source = "seed",
	                                               .source_kind = "file",
	                                               .what = "seed",
	                                               .default_tlp = ENT_TLP_GREEN,
	                                               .default_confidence = -1},
	                     &in, err) != ENT_OK ||
	    ent_ingest_object(in, obj, strlen(obj), &res, NULL, err) != ENT_OK ||
	    ent_store_commit(s, err) != ENT_OK)
		abort();
	ent_ingest_free(in);
	ent_store_close(s);
	if (ent_config_load(conf, &cfg, err) != ENT_OK ||
	    ent_taxii_collections_load(cfg, "identity--11111111-1111-4111-8111-111111111111",
	                               ENT_TLP_GREEN, &cols, err) != ENT_OK)
		abort();
	ent_config_free(cfg);
	if (ent_taxii_new(&(struct ent_taxii_opts){.store_path = path,
	                                           .identity_id =
	                                               "identity--11111111-1111-4111-8111-"
	                                               "111111111111",
	                                           .collections = &cols,
	                                           .max_page = 50,
	                                           .default_page = 10,
	                                           .max_objects = 20,
	                                           .max_body = 1 << 20,
	                                           .default_tlp = ENT_TLP_GREEN,
	                                           .default_confidence = -1},
	                  &taxii, err) != ENT_OK)
		abort();
}

/* Cuts the next line off *p (NUL-terminating it in place). */
static char *line(char **p, char *end)
{
	char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));

	if (nl == NULL) {
		*p = end;
		return s;
	}
	*nl = '\0';
	*p = nl + 1;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ent_json j;
	char *buf = malloc(size + 1), *p = buf, *end = buf + size, *method, *path, *ctype, *q;
	struct ent_http_arg args[16];
	struct ent_http_request req = {
	    .args = args, .who = &who, .credentials_given = true, .accept = ENT_TAXII_MEDIA};
	struct ent_http_response resp = {0};
	size_t off;
	char err[ENT_ERRBUF_SIZE];

	if (taxii == NULL) {
		setup();
		ent_json_init(&j, 1u << 20);
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	method = line(&p, end);
	path = line(&p, end);
	ctype = line(&p, end);
	q = strchr(path, '?');
	if (q != NULL) {
		char *save = NULL;

		*q++ = '\0';
		for (char *w = strtok_r(q, "&", &save); w != NULL && req.n_args < 16;
		     w = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(w, '=');

			if (eq != NULL)
				*eq++ = '\0';
			args[req.n_args++] = (struct ent_http_arg){w, eq != NULL ? eq : ""};
		}
	}
	req.method = method;
	req.path = path;
	req.content_type = ctype;
	req.body = p;
	req.body_len = (size_t)(end - p);
	ent_buf_init(&resp.body, 8u << 20);
	ent_taxii_handle(taxii, &req, &resp);
	switch (resp.status) {
	case 200:
	case 202:
	case 400:
	case 401:
	case 403:
	case 404:
	case 405:
	case 406:
	case 413:
	case 415:
	case 422:
	case 500:
		break;
	default:
		abort();
	}
	if (resp.body.len > 0 &&
	    ent_json_parse(&j, resp.body.data, resp.body.len, &off, err) != ENT_OK)
		abort();
	ent_buf_free(&resp.body);
	free(buf);
	return 0;
}
