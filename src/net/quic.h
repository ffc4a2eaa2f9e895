/*
 * quic.h - the ClientHello inside a client's QUIC Initial packets.
 *
 * Initial packets are protected with keys anyone can derive from the
 * Destination Connection ID (RFC 9001 section 5.2), so a passive sensor can
 * read the TLS ClientHello and report its SNI, JA3 and JA4 with detail
 * "quic" (see tls.h). Versions: QUIC v1 (RFC 9000), v2 (RFC 9369) and
 * drafts 29 to 32.
 */
#ifndef ENT_NET_QUIC_H
#define ENT_NET_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/obs.h"

/*
 * Parses the Initial packet(s) of one UDP payload (coalesced long-header
 * packets are walked; Handshake and 0-RTT ones are skipped): removes header
 * protection, decrypts, gathers the CRYPTO frames (in any order) and, when
 * they hold a whole ClientHello from offset 0, parses it as
 * ent_tls_client_hello_parse(..., "quic", sink) does.
 * Returns 0 when a ClientHello was reported; ENT_ENOTFOUND when the
 * datagram decrypts but holds no complete ClientHello (a ClientHello spread
 * over several datagrams is not reassembled); ENT_EPARSE when it is not a
 * client Initial we can read (short header, unknown version, server
 * Initial, bad tag, malformed); ENT_ENOMEM.
 */
int ent_quic_initial_parse(const uint8_t *udp_payload, size_t len, const struct ent_obs_sink *sink);

/*
 * The server's Initial packets are protected with keys derived from the
 * client's original DCID, which the caller keeps per UDP flow (take it with
 * ent_quic_initial_dcid from the client's first Initial). Reports
 * tls.ja3s / tls.ja3s_full with detail "quic" from the ServerHello.
 * Same returns as ent_quic_initial_parse; ENT_EINVAL for a DCID over 20 bytes.
 */
int ent_quic_server_initial_parse(const uint8_t *udp_payload, size_t len, const uint8_t *odcid,
                                  size_t odcid_len, const struct ent_obs_sink *sink);

/* Copies the DCID of a long-header Initial packet into dcid (OUT), its length into *dcid_len (OUT).
 */
int ent_quic_initial_dcid(const uint8_t *p, size_t len, uint8_t dcid[20], size_t *dcid_len);

/* A cheap test: a long-header Initial packet of a version we can decrypt. */
bool ent_quic_looks_like_initial(const uint8_t *p, size_t len);

/*
 * Derives the client Initial key (16), IV (12) and header-protection key
 * (16) for a version and DCID. ENT_EUNSUPPORTED for other versions.
 * Exposed for the tests (RFC 9001 appendix A).
 */
int ent_quic_client_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                                 uint8_t key[16], uint8_t iv[12], uint8_t hp[16]);

#endif
