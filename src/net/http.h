/*
 * http.h - HTTP/1.x request parsing for the client-to-server direction.
 *
 * Observables (obs.h), detail = the request method ("GET", "M-SEARCH"):
 *   http.host              ENT_OBS_DOMAIN  the Host header value as sent
 *                                          (may carry ":port"; the matcher
 *                                          normalizes)
 *   http.request.uri       ENT_OBS_NONE    request-target exactly as sent
 *   http.request.full_uri  ENT_OBS_URL     tshark's "http://" + Host + URI, or
 *                                          the URI itself in absolute form
 *   http.user_agent        ENT_OBS_NONE
 * A request is reported once its header block and, when it declares one,
 * its body (Content-Length or chunked) are complete, which is when tshark
 * reports it.
 */
#ifndef ENT_NET_HTTP_H
#define ENT_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/obs.h"

/* Longest request header block (request line + headers) we assemble. */
#define ENT_HTTP_HEADER_MAX (64u * 1024u)

struct ent_http_stream;

/* A parser for the client side of one TCP connection; NULL on ENOMEM. */
struct ent_http_stream *ent_http_stream_new(void);
/* Frees s; NULL is accepted. */
void ent_http_stream_free(struct ent_http_stream *s);

/*
 * Feeds the next in-order client-to-server bytes (one TCP segment's payload
 * per call gives tshark's results: like tshark, bytes that do not start a
 * request where one is expected are skipped to the end of the call).
 * Handles every request of a keep-alive or pipelined connection; skips
 * bodies by Content-Length and chunked encoding. Returns 0, ENT_ELIMIT when
 * a header block passes ENT_HTTP_HEADER_MAX (the stream is then done), or
 * ENT_ENOMEM.
 */
int ent_http_stream_feed(struct ent_http_stream *s, const uint8_t *p, size_t len,
                         const struct ent_obs_sink *sink);

/* True when nothing more will be found (a CONNECT tunnel, a limit, or a long run of non-HTTP). */
bool ent_http_stream_done(const struct ent_http_stream *s);

/* True when p starts with a request method tshark knows followed by a space. */
bool ent_http_looks_like_request(const uint8_t *p, size_t len);

/*
 * Parses one request carried whole in a datagram (SSDP's M-SEARCH over
 * UDP): the header lines present are used even without the final blank
 * line, and any body is ignored. 0, ENT_EPARSE when it is not a request, ENT_ENOMEM.
 */
int ent_http_datagram_parse(const uint8_t *p, size_t len, const struct ent_obs_sink *sink);

#endif
