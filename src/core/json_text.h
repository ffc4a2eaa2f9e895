/*
 * json_text.h - passing over the plain bytes of a JSON string, eight at a
 * time.
 *
 * A STIX bundle is nearly all string contents, and the tokenizer
 * (core/json.c) looked at them one byte at a time, with four tests per
 * byte. A byte is plain when it needs no attention inside a string:
 * printable ASCII other than '"' and '\\'. Eight of them are recognized
 * together with word arithmetic (the "has a zero byte" test of Hacker's
 * Delight, 6-1), in portable C.
 */
#ifndef ENT_CORE_JSON_TEXT_H
#define ENT_CORE_JSON_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Returns j >= i such that p[i, j) are all plain; on a little-endian host,
 * j is the first byte in [i, n) that is not plain (n if there is none).
 * On other hosts it may stop up to 7 bytes short: callers look at p[j]
 * themselves. */
static inline size_t ent_json_plain_run(const unsigned char *p, size_t i, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones << 7;

	while (n - i >= 8) {
		uint64_t w, q, b, special;

		memcpy(&w, p + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* per byte: a quote, a backslash, non-ASCII, or below 0x20; the
		 * lowest flagged byte is exact (borrows only run upwards) */
		special = (((q - ones) & ~q) | ((b - ones) & ~b) | w | (w - ones * 0x20)) & highs;
		if (special != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return i + (size_t)__builtin_ctzll(special) / 8;
#else
			return i;
#endif
		}
		i += 8;
	}
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
		i++;
	return i;
}

#endif
