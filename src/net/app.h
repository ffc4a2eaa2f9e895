/*
 * app.h - which application parser sees which bytes.
 *
 * UDP: ports 53, 5353, 5355 -> DNS; port 443 with a QUIC long header ->
 * QUIC Initial; other datagrams that look like DNS -> DNS.
 * TCP: the first bytes of the client decide (content, not ports): a TLS
 * handshake record -> TLS both ways (ClientHello, ServerHello); an HTTP
 * request line -> HTTP (client to server); port 53 -> DNS over TCP (2-byte
 * length framing; several messages per segment; messages split across
 * segments); anything else -> none. A direction is fed until its parser is
 * done; then the stream reassembly of that direction is stopped, so a long
 * TLS session costs nothing after the hello.
 * A gap in a stream ends the parsing of that direction (the parsers cannot
 * resynchronise).
 */
#ifndef ENT_NET_APP_H
#define ENT_NET_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/decode.h"
#include "net/flow.h"
#include "net/obs.h"

struct ent_app_env {
	const struct ent_obs_sink *sink; /* where the parsers emit */
	uint64_t *counters;              /* enum ent_net_counter */
	size_t *used;                    /* shared byte budget (DNS framing buffers) */
	size_t max_used;                 /* 0 = none */
};

/* One UDP datagram of flow f (pkt->payload). */
void ent_app_udp(const struct ent_app_env *env, struct ent_flow *f, const struct ent_packet *pkt);
/* The UDP datagram quoted in an ICMP error of pkt (pkt->quoted_payload set):
 * DNS ports only, no flow state. */
void ent_app_udp_quoted(const struct ent_app_env *env, const struct ent_packet *pkt);
/* In-order bytes of direction dir (0 = client to server) of TCP flow f, or a
 * gap of len bytes when p is NULL. */
void ent_app_tcp(const struct ent_app_env *env, struct ent_flow *f, int dir, const uint8_t *p,
                 size_t len);
/* True while direction dir of TCP flow f still wants bytes. */
bool ent_app_tcp_wants(const struct ent_flow *f, int dir);
/* Frees the parser state of f (the flow ends). */
void ent_app_flow_free(const struct ent_app_env *env, struct ent_flow *f);

#endif
