/* uuid.c - UUID validation and generation (see uuid.h). */
#include "core/uuid.h"

#include <nettle/sha1.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool ent_uuid_valid(const char *s, size_t len)
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (hexval(s[i]) < 0) {
			return false;
		}
	}
	return true;
}

static void uuid_format(const uint8_t b[16], char out[ENT_UUID_STRLEN])
{
	snprintf(out, ENT_UUID_STRLEN,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	         b[15]);
}

void ent_uuid_v4(char out[ENT_UUID_STRLEN])
{
	uint8_t b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	uuid_format(b, out);
}

void ent_uuid_v5(const char *ns, const void *name, size_t len, char out[ENT_UUID_STRLEN])
{
	struct sha1_ctx ctx;
	uint8_t nsb[16] = {0}, digest[SHA1_DIGEST_SIZE];
	size_t k = 0;

	for (size_t i = 0; ns[i] != '\0' && k < 32; i++) {
		int v = hexval(ns[i]);

		if (v < 0)
			continue;
		nsb[k / 2] = (uint8_t)(nsb[k / 2] | (k % 2 ? v : v << 4));
		k++;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, sizeof(nsb), nsb);
	sha1_update(&ctx, len, name);
	sha1_digest(&ctx, sizeof(digest), digest);
	digest[6] = (uint8_t)((digest[6] & 0x0f) | 0x50);
	digest[8] = (uint8_t)((digest[8] & 0x3f) | 0x80);
	uuid_format(digest, out);
}
