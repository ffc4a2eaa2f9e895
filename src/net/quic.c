/*
 * quic.c - decrypting client Initial packets for their ClientHello (quic.h).
 *
 * Steps per packet (RFC 9000 section 17.2.2, RFC 9001 section 5):
 *   1. long header: flags, version, DCID, SCID, token, Length;
 *   2. keys: initial_secret = HKDF-Extract(salt(version), DCID),
 *      client_initial_secret = HKDF-Expand-Label(., "client in", "", 32),
 *      key / iv / hp = HKDF-Expand-Label(., "quic key" / "quic iv" /
 *      "quic hp") ("quicv2 ..." for v2);
 *   3. header protection: mask = AES-128-ECB(hp, 16-byte sample taken 4
 *      bytes after the start of the packet number); unmask the low 4 bits of
 *      the first byte, then the 1..4 packet number bytes;
 *   4. AES-128-GCM open with nonce = iv XOR packet number, AAD = the
 *      unprotected header;
 *   5. frames: PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE are allowed in
 *      Initial packets; CRYPTO data is copied to its offset in a bounded
 *      reassembly buffer; anything else ends the packet.
 * The packet number is used as sent (truncated): a client's first Initial
 * packets have small numbers, so no reconstruction is needed.
 * Invariants: no read outside the datagram; CRYPTO data only below
 * CRYPTO_MAX is kept; one heap buffer per call, freed before returning.
 */
#include "net/quic.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "net/tls.h"

#define QUIC_V1    0x00000001u
#define QUIC_V2    0x6b3343cfu
#define CRYPTO_MAX (16u * 1024u) /* a ClientHello with post-quantum key shares is ~2 KiB */
#define TAG_LEN    16

static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Salt and label prefix of a version; NULL when we cannot read it. */
static const uint8_t *version_salt(uint32_t v, bool *v2)
{
	*v2 = false;
	if (v == QUIC_V1)
		return salt_v1;
	if (v == QUIC_V2) {
		*v2 = true;
		return salt_v2;
	}
	if (v >= 0xff00001du && v <= 0xff000020u) /* drafts 29..32 */
		return salt_d29;
	return NULL;
}

/* The packet type bits of an Initial for a version (v2 renumbered them). */
static unsigned initial_type(bool v2)
{
	return v2 ? 1u : 0u;
}

/* HKDF-Expand-Label(secret, label, "", out_len) of TLS 1.3 with SHA-256. */
static void expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t out_len)
{
	struct hmac_sha256_ctx ctx;
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen(label), n = 0;

	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0; /* empty context */
	hmac_sha256_set_key(&ctx, 32, secret);
	hkdf_expand(&ctx, (nettle_hash_update_func *)hmac_sha256_update,
	            (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE, n, info,
	            out_len, out);
}

/* Initial keys of one side: "client in" or "server in". */
static int initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
                        uint8_t key[16], uint8_t iv[12], uint8_t hp[16])
{
	struct hmac_sha256_ctx ctx;
	uint8_t initial[32], client[32];
	bool v2;
	const uint8_t *salt = version_salt(version, &v2);

	if (salt == NULL)
		return ENT_EUNSUPPORTED;
	hmac_sha256_set_key(&ctx, 20, salt);
	hkdf_extract(&ctx, (nettle_hash_update_func *)hmac_sha256_update,
	             (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE, dcid_len,
	             dcid, initial);
	expand_label(initial, server ? "server in" : "client in", client, 32);
	expand_label(client, v2 ? "quicv2 key" : "quic key", key, 16);
	expand_label(client, v2 ? "quicv2 iv" : "quic iv", iv, 12);
	expand_label(client, v2 ? "quicv2 hp" : "quic hp", hp, 16);
	return ENT_OK;
}

int ent_quic_client_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                                 uint8_t key[16], uint8_t iv[12], uint8_t hp[16])
{
	return initial_keys(version, dcid, dcid_len, false, key, iv, hp);
}

/* A QUIC variable-length integer at p[*off]; false when it does not fit. */
static bool varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	size_t n;

	if (*off >= len)
		return false;
	n = (size_t)1 << (p[*off] >> 6);
	if (n > len - *off)
		return false;
	*v = p[*off] & 0x3f;
	for (size_t i = 1; i < n; i++)
		*v = (*v << 8) | p[*off + i];
	*off += n;
	return true;
}

bool ent_quic_looks_like_initial(const uint8_t *p, size_t len)
{
	bool v2;

	if (len < 7 || (p[0] & 0x80) == 0)
		return false;
	if (version_salt(get32(p + 1), &v2) == NULL)
		return false;
	return ((p[0] >> 4) & 3) == initial_type(v2);
}

/* Reassembly of the CRYPTO stream of one datagram. */
struct crypto_buf {
	uint8_t *data; /* CRYPTO_MAX bytes */
	uint8_t *have; /* CRYPTO_MAX flags: byte present */
	size_t contig; /* bytes present from offset 0 (computed at the end) */
};

/* Frames of one decrypted packet; false on a malformed or disallowed frame. */
static bool read_frames(const uint8_t *p, size_t len, struct crypto_buf *cb)
{
	size_t off = 0;
	uint64_t t, a, b, c, n;

	while (off < len) {
		if (!varint(p, len, &off, &t))
			return false;
		switch (t) {
		case 0x00: /* PADDING */
		case 0x01: /* PING */
			break;
		case 0x02: /* ACK */
		case 0x03:
			if (!varint(p, len, &off, &a) || !varint(p, len, &off, &b) ||
			    !varint(p, len, &off, &n) || !varint(p, len, &off, &c))
				return false;
			for (uint64_t i = 0; i < n; i++)
				if (!varint(p, len, &off, &a) || !varint(p, len, &off, &b))
					return false;
			if (t == 0x03)
				for (int i = 0; i < 3; i++)
					if (!varint(p, len, &off, &a))
						return false;
			break;
		case 0x06: /* CRYPTO */
			if (!varint(p, len, &off, &a) || !varint(p, len, &off, &n))
				return false;
			if (n > len - off)
				return false;
			for (uint64_t i = 0; i < n; i++) {
				uint64_t at = a + i;

				if (at >= CRYPTO_MAX)
					break;
				cb->data[at] = p[off + i];
				cb->have[at] = 1;
			}
			off += (size_t)n;
			break;
		case 0x1c: /* CONNECTION_CLOSE */
			if (!varint(p, len, &off, &a) || !varint(p, len, &off, &b) ||
			    !varint(p, len, &off, &n) || n > len - off)
				return false;
			off += (size_t)n;
			break;
		default:
			return false;
		}
	}
	return true;
}

/*
 * One long-header packet at d[0..len): *pkt_len gets its size. Decrypts it
 * into plain and gathers its CRYPTO frames when it is a readable client
 * Initial. ENT_OK when it was one; ENT_ENOTFOUND for another long-header
 * packet type; ENT_EPARSE otherwise.
 */
/* Which keys open the packets: the client's from the packet's own DCID, or the server's. */
struct key_source {
	bool server;
	const uint8_t *odcid; /* server: the client's original DCID */
	size_t odcid_len;
};

static int one_packet(const uint8_t *d, size_t len, size_t *pkt_len, uint8_t *plain, uint8_t *hdr,
                      struct crypto_buf *cb, const struct key_source *ks)
{
	struct aes128_ctx hp_ctx;
	struct gcm_aes128_ctx gcm;
	uint8_t key[16], iv[12], hp[16], mask[16], tag[TAG_LEN];
	uint64_t tok_len, length, pn = 0;
	size_t off, pn_off, pn_len, hdr_len, ct_len;
	uint32_t version;
	bool v2;
	unsigned type;

	if (len < 7 || (d[0] & 0x80) == 0)
		return ENT_EPARSE;
	version = get32(d + 1);
	if (version_salt(version, &v2) == NULL)
		return ENT_EPARSE;
	type = (d[0] >> 4) & 3;
	off = 5;
	if (d[off] > 20 || (size_t)d[off] + 1 > len - off)
		return ENT_EPARSE;
	const uint8_t *dcid = d + off + 1;
	size_t dcid_len = d[off];

	off += 1 + dcid_len;
	if (off >= len || d[off] > 20 || (size_t)d[off] + 1 > len - off)
		return ENT_EPARSE;
	off += 1 + d[off];
	if (type == initial_type(v2)) {
		if (!varint(d, len, &off, &tok_len) || tok_len > len - off)
			return ENT_EPARSE;
		off += (size_t)tok_len;
	} else if (type == 3) {
		return ENT_EPARSE; /* Retry: no Length field, ends the datagram */
	}
	if (!varint(d, len, &off, &length) || length > len - off)
		return ENT_EPARSE;
	*pkt_len = off + (size_t)length;
	if (type != initial_type(v2))
		return ENT_ENOTFOUND;
	pn_off = off;
	if (length < 4 + 16 || pn_off + 4 + 16 > len)
		return ENT_EPARSE;

	if (ks->server)
		initial_keys(version, ks->odcid, ks->odcid_len, true, key, iv, hp);
	else
		initial_keys(version, dcid, dcid_len, false, key, iv, hp);
	aes128_set_encrypt_key(&hp_ctx, hp);
	aes128_encrypt(&hp_ctx, 16, mask, d + pn_off + 4);

	/* hdr (len bytes) gets the unprotected header, the AEAD's associated data */
	hdr_len = pn_off;
	memcpy(hdr, d, hdr_len);
	hdr[0] ^= mask[0] & 0x0f;
	pn_len = (size_t)(hdr[0] & 3) + 1;
	for (size_t i = 0; i < pn_len; i++) {
		hdr[pn_off + i] = d[pn_off + i] ^ mask[1 + i];
		pn = (pn << 8) | hdr[pn_off + i];
	}
	hdr_len = pn_off + pn_len;
	if ((size_t)length < pn_len + TAG_LEN)
		return ENT_EPARSE;
	ct_len = (size_t)length - pn_len - TAG_LEN;

	for (size_t i = 0; i < 8; i++)
		iv[11 - i] ^= (uint8_t)(pn >> (8 * i));
	gcm_aes128_set_key(&gcm, key);
	gcm_aes128_set_iv(&gcm, sizeof(iv), iv);
	gcm_aes128_update(&gcm, hdr_len, hdr);
	gcm_aes128_decrypt(&gcm, ct_len, plain, d + hdr_len);
	gcm_aes128_digest(&gcm, TAG_LEN, tag);
	if (!memeql_sec(tag, d + hdr_len + ct_len, TAG_LEN))
		return ENT_EPARSE; /* not a client Initial, or damaged */
	if (!read_frames(plain, ct_len, cb))
		return ENT_EPARSE;
	return ENT_OK;
}

/* Decrypts the Initial packets of a datagram and reports the hello they start with. */
static int parse_datagram(const uint8_t *udp_payload, size_t len, const struct key_source *ks,
                          const struct ent_obs_sink *sink)
{
	struct crypto_buf cb;
	uint8_t *mem;
	size_t off = 0, pkt_len, hs_len;
	bool any = false;
	int rc;

	if (!ent_quic_looks_like_initial(udp_payload, len))
		return ENT_EPARSE;
	/* plaintext and header copy (each at most the datagram), CRYPTO data, presence flags */
	mem = malloc(2 * len + 2 * (size_t)CRYPTO_MAX);
	if (mem == NULL)
		return ENT_ENOMEM;
	cb.data = mem + 2 * len;
	cb.have = cb.data + CRYPTO_MAX;
	memset(cb.have, 0, CRYPTO_MAX);
	while (off < len && (udp_payload[off] & 0x80) != 0) {
		rc = one_packet(udp_payload + off, len - off, &pkt_len, mem, mem + len, &cb, ks);
		if (rc == ENT_OK)
			any = true;
		else if (rc != ENT_ENOTFOUND)
			break;
		off += pkt_len;
	}
	rc = ENT_EPARSE;
	if (!any)
		goto out;
	cb.contig = 0;
	while (cb.contig < CRYPTO_MAX && cb.have[cb.contig])
		cb.contig++;
	rc = ENT_ENOTFOUND;
	if (cb.contig < 4 || cb.data[0] != (ks->server ? 2 : 1))
		goto out;
	hs_len = ((size_t)cb.data[1] << 16) | ((size_t)cb.data[2] << 8) | cb.data[3];
	if (hs_len > cb.contig - 4)
		goto out;
	if (ks->server)
		rc = ent_tls_server_hello_parse(cb.data + 4, hs_len, "quic", sink);
	else
		rc = ent_tls_client_hello_parse(cb.data + 4, hs_len, "quic", sink);
out:
	free(mem);
	return rc;
}

int ent_quic_initial_parse(const uint8_t *udp_payload, size_t len, const struct ent_obs_sink *sink)
{
	struct key_source ks = {false, NULL, 0};

	return parse_datagram(udp_payload, len, &ks, sink);
}

int ent_quic_server_initial_parse(const uint8_t *udp_payload, size_t len, const uint8_t *odcid,
                                  size_t odcid_len, const struct ent_obs_sink *sink)
{
	struct key_source ks = {true, odcid, odcid_len};

	if (odcid == NULL || odcid_len > 20)
		return ENT_EINVAL;
	return parse_datagram(udp_payload, len, &ks, sink);
}

int ent_quic_initial_dcid(const uint8_t *p, size_t len, uint8_t dcid[20], size_t *dcid_len)
{
	if (!ent_quic_looks_like_initial(p, len) || p[5] > 20 || (size_t)p[5] + 6 > len)
		return ENT_EPARSE;
	memcpy(dcid, p + 6, p[5]);
	*dcid_len = p[5];
	return ENT_OK;
}
