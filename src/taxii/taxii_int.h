/* taxii_int.h - what the TAXII endpoint files share. */
#ifndef ENT_TAXII_TAXII_INT_H
#define ENT_TAXII_TAXII_INT_H

#include <pthread.h>

#include "core/buf.h"
#include "store/store.h"
#include "store/taxii.h"
#include "taxii/taxii.h"

#define TAXII_API_ROOT "/api/"

struct taxii_store_slot {
	struct ent_store *store;
	struct taxii_store_slot *next;
};

struct ent_taxii {
	struct ent_taxii_opts opts;
	struct ent_taxii_collections collections;
	char *store_path, *identity_id, *title, *description;
	pthread_key_t key; /* this thread's struct taxii_store_slot */
	pthread_mutex_t lock;
	struct taxii_store_slot *slots; /* every thread's, closed at the end */
};

/* One request being answered. */
struct taxii_call {
	struct ent_taxii *t;
	const struct ent_http_request *req;
	struct ent_http_response *resp;
	struct ent_store *store;
	struct ent_buf *out; /* where the JSON helpers write: the body unless redirected */
};

/* This thread's store connection; NULL after answering 500. */
struct ent_store *taxii_store(struct taxii_call *c);

/* Answers with a TAXII error resource (section 3.6.1). */
void taxii_error(struct taxii_call *c, int status, const char *title, const char *description);
/* Starts a 200 (or status) response with the TAXII media type. */
void taxii_ok(struct taxii_call *c, int status);
/* Appends s as a JSON string (quoted, escaped). */
void taxii_json_str(struct taxii_call *c, const char *s);
void taxii_puts(struct taxii_call *c, const char *s);
void taxii_append(struct taxii_call *c, const char *p, size_t n);
/* Appends a TAXII timestamp (microseconds). */
void taxii_json_time_us(struct taxii_call *c, int64_t us);
/* Sets a response header (drops it silently past the limit). */
void taxii_header(struct taxii_call *c, const char *name, const char *value);
/* True when the response body overflowed its limit (500 was answered). */
bool taxii_failed(struct taxii_call *c);

/* Content-Type of a POST (section 3.1): the TAXII media type, version 2.1
 * or none. */
bool taxii_content_type_ok(const char *ct);

/* Parses the URL filters an endpoint accepts (TAXII 2.1 section 3.4):
 * allowed is a mask of TAXII_Q_*. Answers 400 and returns false when a
 * parameter is malformed or repeated. */
#define TAXII_Q_ADDED_AFTER  0x01
#define TAXII_Q_LIMIT        0x02
#define TAXII_Q_NEXT         0x04
#define TAXII_Q_ID           0x08
#define TAXII_Q_TYPE         0x10
#define TAXII_Q_VERSION      0x20
#define TAXII_Q_SPEC_VERSION 0x40
bool taxii_parse_filter(struct taxii_call *c, unsigned allowed, struct ent_taxii_filter *f,
                        char *scratch, size_t scratch_len, bool *spec_none);

/* The object endpoints (objects.c). */
void taxii_get_objects(struct taxii_call *c, const struct ent_taxii_collection *col,
                       const char *object_id, bool manifest);
void taxii_get_versions(struct taxii_call *c, const struct ent_taxii_collection *col,
                        const char *object_id);
void taxii_add_objects(struct taxii_call *c, const struct ent_taxii_collection *col);
void taxii_delete_object(struct taxii_call *c, const struct ent_taxii_collection *col,
                         const char *object_id);

#endif
