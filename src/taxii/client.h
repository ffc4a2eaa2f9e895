/*
 * client.h - a TAXII 2.1 client over libcurl: what `entente sync` uses to
 * pull from a peer's collections and to push to its inbox.
 *
 * Safety, whatever the peer does:
 *   - TLS is always verified (peer and host name), against the system's CAs
 *     or, when the peer has a pinned CA or certificate, against that file
 *     alone;
 *   - only http and https; a redirect is followed only within the same
 *     scheme, host and port (credentials never go to another host);
 *   - every response is read into a buffer with a hard maximum, and every
 *     request has a timeout;
 *   - an HTTP error becomes one line naming the peer, the method and URL,
 *     the status and the title of the TAXII error body when there is one.
 *
 * The parsers (ent_taxii_parse_*) take untrusted bytes and never need a
 * network; fuzz/fuzz_taxii_client.c feeds them arbitrary input.
 */
#ifndef ENT_TAXII_CLIENT_H
#define ENT_TAXII_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* TAXII 2.1 section 1.6.8: the media type of every request and response. */
#define ENT_TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"

/* Largest response accepted by default, in bytes. */
#define ENT_TAXII_MAX_RESPONSE (64u << 20)
/* Most collections taken from one API root, most ids read from a status. */
#define ENT_TAXII_MAX_COLLECTIONS 1000
#define ENT_TAXII_MAX_STATUS_IDS  100000

struct ent_taxii_client;

struct ent_taxii_client_opts {
	const char *peer;        /* name used in messages */
	const char *auth_kind;   /* "none" (or NULL), "basic", "token" */
	const char *user;        /* basic only */
	const char *secret_path; /* basic: the password; token: the bearer token */
	const char *ca_path;     /* pinned CA / certificate (PEM); NULL or "" = system CAs */
	long timeout_s;          /* whole-request timeout; <= 0 means 60 */
	size_t max_response;     /* 0 means ENT_TAXII_MAX_RESPONSE */
};

/*
 * Makes a client. The secret file is read now, and refused when group or
 * others may read it. Caller frees with ent_taxii_client_free (which wipes
 * the secret).
 */
int ent_taxii_client_new(const struct ent_taxii_client_opts *o, struct ent_taxii_client **out,
                         char *errbuf) ENT_MUST_CHECK;
void ent_taxii_client_free(struct ent_taxii_client *c);
/* The HTTP status of the last response (0 when none came). */
long ent_taxii_client_last_status(const struct ent_taxii_client *c);

/*
 * The API root a URL leads to: url is either a discovery URL (its
 * `default` API root is taken, else the first of `api_roots`) or an API
 * root itself. out receives an absolute URL ending in '/'.
 */
int ent_taxii_api_root(struct ent_taxii_client *c, const char *url, char *out, size_t outsz,
                       char *errbuf) ENT_MUST_CHECK;

struct ent_taxii_collection {
	char id[128];
	char title[256];
	char alias[128];
	bool can_read, can_write;
	char url[1024]; /* <api-root>/collections/<id>/ */
};

/* The collections of an API root; *out is an array the caller frees with
 * free(). Collections whose entry is malformed are left out. */
int ent_taxii_collections(struct ent_taxii_client *c, const char *api_root,
                          struct ent_taxii_collection **out, size_t *n_out,
                          char *errbuf) ENT_MUST_CHECK;

/* One page of a get-objects request (TAXII 2.1 section 5.3). */
struct ent_taxii_page {
	bool more;
	char *next;                /* owned; NULL when the server gave none */
	char date_added_first[64]; /* X-TAXII-Date-Added-First; "" when absent */
	char date_added_last[64];  /* X-TAXII-Date-Added-Last; "" when absent */
	size_t n_objects;
	size_t *obj_off, *obj_len; /* owned: each object's JSON text in body */
	struct ent_buf body;       /* owned: the response as received */
};

void ent_taxii_page_init(struct ent_taxii_page *p);
void ent_taxii_page_free(struct ent_taxii_page *p);
/* The JSON text of object i of the page (not NUL-terminated; len in *len). */
const char *ent_taxii_page_object(const struct ent_taxii_page *p, size_t i, size_t *len);

/*
 * GET <collection_url>objects/ with limit (> 0 to send it), added_after
 * (NULL or "" for none) and next (NULL or "" for none). The page is
 * (re)filled; it is the caller's to free.
 */
int ent_taxii_get_objects(struct ent_taxii_client *c, const char *collection_url,
                          const char *added_after, const char *next, int limit,
                          struct ent_taxii_page *page, char *errbuf) ENT_MUST_CHECK;

/* A status resource (TAXII 2.1 section 4.3.1). */
struct ent_taxii_status {
	char id[128];
	char status[16]; /* "complete" or "pending" */
	int64_t total, success, failure, pending;
	char **successes; /* owned: the ids in `successes` */
	size_t n_successes;
};

void ent_taxii_status_free(struct ent_taxii_status *st);

/*
 * POST an envelope (the JSON text of {"objects": [...]}) to
 * <collection_url>objects/. The server must answer 202 with a status
 * resource, which fills *st (caller frees with ent_taxii_status_free).
 */
int ent_taxii_add_objects(struct ent_taxii_client *c, const char *collection_url,
                          const char *envelope, size_t len, struct ent_taxii_status *st,
                          char *errbuf) ENT_MUST_CHECK;

/* GET <api_root>status/<id>/. */
int ent_taxii_get_status(struct ent_taxii_client *c, const char *api_root, const char *status_id,
                         struct ent_taxii_status *st, char *errbuf) ENT_MUST_CHECK;

/* ---- the parsers, on untrusted bytes ---- */

/*
 * A discovery or API root information response: *is_api_root tells which;
 * for discovery, ref receives the chosen API root as written (it may be
 * relative to the discovery URL).
 */
int ent_taxii_parse_discovery(const char *text, size_t len, char *ref, size_t refsz,
                              bool *is_api_root, char *errbuf) ENT_MUST_CHECK;
/* A collections response; URLs are built from api_root (may be NULL). */
int ent_taxii_parse_collections(const char *text, size_t len, const char *api_root,
                                struct ent_taxii_collection **out, size_t *n_out,
                                char *errbuf) ENT_MUST_CHECK;
/* An envelope already in page->body: fills more, next and the objects. */
int ent_taxii_parse_envelope(struct ent_taxii_page *page, char *errbuf) ENT_MUST_CHECK;
int ent_taxii_parse_status(const char *text, size_t len, struct ent_taxii_status *st,
                           char *errbuf) ENT_MUST_CHECK;
/* The `title` of a TAXII error body, made printable, into out ("" if none). */
void ent_taxii_parse_error_title(const char *text, size_t len, char *out, size_t outsz);

/* Resolves ref against base (RFC 3986) into out. */
int ent_taxii_url_resolve(const char *base, const char *ref, char *out, size_t outsz,
                          char *errbuf) ENT_MUST_CHECK;

#endif
