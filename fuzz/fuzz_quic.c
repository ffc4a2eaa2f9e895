/*
 * fuzz_quic.c - libFuzzer harness for the QUIC Initial parser.
 * The input is parsed as a datagram as is, and also used as the plaintext
 * frames of a client Initial that the harness protects with the RFC 9001
 * keys of a fixed DCID, so the fuzzer reaches the frame and ClientHello
 * parsers behind the AEAD.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/gcm.h>

#include "net/quic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink_emit(void *ctx, const struct ent_obs *o)
{
	size_t *total = ctx;

	*total += strlen(o->where) + strlen(o->value) + strlen(o->detail);
}

static uint8_t pkt[4096];

/* A protected Initial around the frames; 0 if they do not fit. */
static size_t protect(const uint8_t *frames, size_t n)
{
	static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
	uint8_t key[16], iv[12], hp[16], mask[16];
	struct gcm_aes128_ctx gcm;
	struct aes128_ctx aes;
	size_t len, pn_off, plen = n < 32 ? 32 : n; /* room for the sample */

	if (plen + 64 > sizeof(pkt) || plen + 20 > 0x3fff)
		return 0;
	if (ent_quic_client_initial_keys(1, dcid, sizeof(dcid), key, iv, hp) != 0)
		return 0;
	len = 0;
	pkt[len++] = 0xc1; /* Initial, 2-byte packet number */
	memcpy(pkt + len, "\x00\x00\x00\x01\x08", 5);
	len += 5;
	memcpy(pkt + len, dcid, 8);
	len += 8;
	pkt[len++] = 0; /* SCID */
	pkt[len++] = 0; /* token */
	pkt[len++] = (uint8_t)(0x40 | ((2 + plen + 16) >> 8));
	pkt[len++] = (uint8_t)(2 + plen + 16);
	pn_off = len;
	pkt[len++] = 0;
	pkt[len++] = 0;
	memset(pkt + len, 0, plen);
	gcm_aes128_set_key(&gcm, key);
	gcm_aes128_set_iv(&gcm, 12, iv);
	gcm_aes128_update(&gcm, len, pkt);
	{
		uint8_t plain[4096];

		memset(plain, 0, plen);
		memcpy(plain, frames, n);
		gcm_aes128_encrypt(&gcm, plen, pkt + len, plain);
	}
	len += plen;
	gcm_aes128_digest(&gcm, 16, pkt + len);
	len += 16;
	aes128_set_encrypt_key(&aes, hp);
	aes128_encrypt(&aes, 16, mask, pkt + pn_off + 4);
	pkt[0] ^= mask[0] & 0x0f;
	pkt[pn_off] ^= mask[1];
	pkt[pn_off + 1] ^= mask[2];
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0, n;
	struct ent_obs_sink sink = {sink_emit, &total};
	uint8_t dcid[20];
	size_t dlen;

	(void)ent_quic_initial_parse(data, size, &sink);
	(void)ent_quic_server_initial_parse(data, size, data, size < 20 ? size : 20, &sink);
	(void)ent_quic_initial_dcid(data, size, dcid, &dlen);
	n = protect(data, size);
	if (n > 0)
		(void)ent_quic_initial_parse(pkt, n, &sink);
	return 0;
}
