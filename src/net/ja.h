/*
 * ja.h - TLS hello fingerprints: JA3, JA3S (Salesforce) and JA4 (FoxIO).
 *
 * The TLS parser (tls.c) locates the fields of a ClientHello or ServerHello
 * and hands them here as borrowed slices of the handshake message; nothing
 * in this module reads outside those slices, and every length inside the
 * extensions block is checked before it is trusted. docs/fingerprints.md
 * gives the definitions as we compute them and where they come from.
 *
 *   JA3   "SSLVersion,Ciphers,Extensions,EllipticCurves,PointFormats", decimal
 *         values joined by '-', GREASE values left out, then MD5 (lower hex).
 *         This is also what tshark 4.0 prints as tls.handshake.ja3(_full).
 *   JA3S  "SSLVersion,Cipher,Extensions" of a ServerHello, then MD5.
 *   JA4   a_b_c: protocol, version, SNI, counts, ALPN; truncated SHA-256 of
 *         the sorted ciphers; of the sorted extensions and signature
 *         algorithms.
 */
#ifndef ENT_NET_JA_H
#define ENT_NET_JA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* 32 hex digits of an MD5 plus the NUL. */
#define ENT_JA3_HEX_SIZE 33
/* "t13d1516h2_8daaf6152771_e5627efa2ab1" plus the NUL. */
#define ENT_JA4_SIZE 37

/* The fields of one hello; all pointers borrowed from the handshake body. */
struct ent_ja_hello {
	uint16_t version;       /* legacy_version (client_version / server_version) */
	const uint8_t *ciphers; /* ClientHello: cipher_suites body; ServerHello: the 2 bytes */
	size_t ciphers_len;
	const uint8_t *exts; /* extensions block without its length prefix; may be NULL */
	size_t exts_len;
};

/* True for the 16 reserved GREASE values 0x0a0a, 0x1a1a, ... 0xfafa (RFC 8701). */
bool ent_ja_is_grease(uint16_t v);

/*
 * Appends the JA3 string of a ClientHello to out (caller-owned, bounded).
 * ENT_ELIMIT / ENT_ENOMEM from the buffer.
 */
int ent_ja3_string(const struct ent_ja_hello *h, struct ent_buf *out) ENT_MUST_CHECK;

/* Appends the JA3S string of a ServerHello to out. */
int ent_ja3s_string(const struct ent_ja_hello *h, struct ent_buf *out) ENT_MUST_CHECK;

/* MD5 of s[0..len) as 32 lower-case hex digits into out. */
void ent_ja_md5_hex(const char *s, size_t len, char out[ENT_JA3_HEX_SIZE]);

/*
 * Computes the JA4 fingerprint of a ClientHello into out. quic selects the
 * "q" protocol letter instead of "t". ENT_ENOMEM if the cipher or extension
 * list cannot be copied for sorting.
 */
int ent_ja4(const struct ent_ja_hello *h, bool quic, char out[ENT_JA4_SIZE]) ENT_MUST_CHECK;

/*
 * The hash part of JA4: the first 12 hex digits of SHA-256(s), or
 * "000000000000" when len is 0. Exposed for the tests (spec examples).
 */
void ent_ja4_hash12(const char *s, size_t len, char out[13]);

#endif
