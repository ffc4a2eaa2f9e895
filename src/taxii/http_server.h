/*
 * http_server.h - the HTTP(S) front of `entente serve`: libmicrohttpd with
 * GnuTLS, limits, authentication; the TAXII layer behind it sees one whole
 * request at a time and fills one response.
 *
 * The server owns connections, TLS, the request body (bounded by
 * max_body: larger bodies get 413 without reaching the handler), timeouts
 * and credentials: it checks the Authorization header (Basic or Bearer)
 * with ent_auth and hands the handler the principal, or NULL. It does not
 * decide what a principal may do: the handler does (401 / 403 / 404). Every
 * 401 response gets a WWW-Authenticate header added by the server.
 */
#ifndef ENT_TAXII_HTTP_SERVER_H
#define ENT_TAXII_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

struct ent_auth;

struct ent_http_config {
	const char *listen;   /* "127.0.0.1:8443", "[::1]:8443", "0.0.0.0:0" (0 = any free port) */
	const char *tls_cert; /* PEM file paths; both NULL only when plain_http */
	const char *tls_key;
	bool plain_http;
	unsigned threads;           /* request threads (thread pool size), >= 1 */
	size_t max_body;            /* bytes; a larger body gets 413 */
	unsigned max_connections;   /* at once, in all */
	unsigned max_per_client;    /* at once, from one client address */
	unsigned idle_timeout_s;    /* silence on a connection, headers included */
	unsigned request_timeout_s; /* one request, from its first byte to its last */
	size_t max_response;        /* bytes a handler may write into a response body */
};

/* Who made the request, when its credentials were valid. */
struct ent_http_principal {
	int64_t peer_id;
	char peer[64];    /* the peer's name */
	char groups[256]; /* comma-separated sharing groups */
};

struct ent_http_arg {
	const char *key;
	const char *value; /* "" when the argument has no '=' */
};

struct ent_http_request {
	const char *method;       /* "GET", "POST", "DELETE", ... */
	const char *path;         /* percent-decoded, without the query */
	const char *accept;       /* Accept header, NULL when absent */
	const char *content_type; /* Content-Type header, NULL when absent */
	const char *body;         /* NUL-terminated, body_len bytes; "" when none */
	size_t body_len;
	bool credentials_given;               /* an Authorization header was present */
	const struct ent_http_principal *who; /* NULL: none given, or not valid */
	const struct ent_http_arg *args;      /* the query arguments, in order, decoded */
	size_t n_args;
};

/* (http_request.c) The first value of query argument key, or NULL. */
const char *ent_http_query(const struct ent_http_request *req, const char *key);
/* Calls fn for every query argument (key and value percent-decoded), in
 * order; lets the handler reject unknown or repeated arguments. */
void ent_http_query_each(const struct ent_http_request *req,
                         void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

#define ENT_HTTP_MAX_HEADERS 8

struct ent_http_response {
	int status;               /* set by the handler */
	const char *content_type; /* static string, or NULL for no body */
	struct ent_buf body;      /* initialized by the server with max_response */
	struct {
		char name[48];
		char value[160];
	} headers[ENT_HTTP_MAX_HEADERS];
	size_t n_headers;
};

/* Adds a response header; ENT_ELIMIT when there are too many. */
int ent_http_response_header(struct ent_http_response *resp, const char *name,
                             const char *value) ENT_MUST_CHECK;

/* Called on one of the server's threads, once per complete request. */
typedef void (*ent_http_handler_fn)(void *ctx, const struct ent_http_request *req,
                                    struct ent_http_response *resp);

struct ent_http_server;

/* Starts listening and serving on cfg->threads threads. auth may be NULL
 * (every request then has who == NULL). */
int ent_http_start(const struct ent_http_config *cfg, struct ent_auth *auth,
                   ent_http_handler_fn handler, void *handler_ctx, struct ent_http_server **out,
                   char *errbuf) ENT_MUST_CHECK;
/* The port actually bound (useful with port 0). */
uint16_t ent_http_port(const struct ent_http_server *srv);
/* Stops accepting, finishes nothing further, frees. */
void ent_http_stop(struct ent_http_server *srv);

#endif
