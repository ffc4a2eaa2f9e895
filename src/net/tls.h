/*
 * tls.h - TLS hello parsing: SNI, JA3, JA4 from a ClientHello and JA3S from
 * a ServerHello, on one direction of a TCP connection or on a ClientHello
 * handed over by the QUIC parser.
 *
 * Observables (struct ent_obs_sink, see obs.h), detail "tcp" or "quic":
 *   tls.sni        ENT_OBS_DOMAIN  each host_name of server_name
 *   tls.ja3        ENT_OBS_JA3     MD5 of tls.ja3_full
 *   tls.ja3_full   ENT_OBS_NONE
 *   tls.ja4        ENT_OBS_JA4
 *   tls.ja3s       ENT_OBS_JA3     (ServerHello)
 *   tls.ja3s_full  ENT_OBS_NONE
 */
#ifndef ENT_NET_TLS_H
#define ENT_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/obs.h"

/* Largest handshake message (ClientHello / ServerHello) we reassemble. */
#define ENT_TLS_HELLO_MAX (128u * 1024u)

struct ent_tls_stream;

/* A parser for one direction of one TCP connection; free with ent_tls_stream_free. NULL on ENOMEM.
 */
struct ent_tls_stream *ent_tls_stream_new(void);
/* Frees s and its buffer; NULL is accepted. */
void ent_tls_stream_free(struct ent_tls_stream *s);

/*
 * Feeds the next in-order bytes of the direction. Records may be split over
 * segments and handshake messages over records; a hello is reassembled up to
 * ENT_TLS_HELLO_MAX bytes. Observables are emitted from the call that
 * completes the hello. Returns 0; ENT_EPARSE once the bytes are not TLS or a
 * hello is malformed (the stream is then done); ENT_ENOMEM. After done, feed
 * returns 0 at once.
 */
int ent_tls_stream_feed(struct ent_tls_stream *s, const uint8_t *p, size_t len,
                        const struct ent_obs_sink *sink);

/* True when nothing more can be found: not TLS, encrypted from here on, or a limit was hit. */
bool ent_tls_stream_done(const struct ent_tls_stream *s);

/* A cheap test of the first bytes of a direction: a TLS handshake record header. */
bool ent_tls_looks_like(const uint8_t *p, size_t len);

/*
 * Parses a ClientHello handshake body (after the 4-byte handshake header)
 * and emits tls.sni, tls.ja3, tls.ja3_full, tls.ja4 with detail transport
 * ("tcp" or "quic"; "quic" also selects JA4's "q"). 0, ENT_EPARSE, ENT_ENOMEM.
 */
int ent_tls_client_hello_parse(const uint8_t *body, size_t len, const char *transport,
                               const struct ent_obs_sink *sink);

/* Parses a ServerHello body and emits tls.ja3s, tls.ja3s_full. 0, ENT_EPARSE, ENT_ENOMEM. */
int ent_tls_server_hello_parse(const uint8_t *body, size_t len, const char *transport,
                               const struct ent_obs_sink *sink);

#endif
