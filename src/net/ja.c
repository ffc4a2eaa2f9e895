/*
 * ja.c - JA3, JA3S and JA4 from the fields of a TLS hello (see ja.h).
 *
 * Invariant: the extension walk (ext_next) never reads past exts_len; an
 * extension whose declared length overruns the block ends the walk, as if
 * the block ended there (tshark stops at the same place).
 */
#include "net/ja.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/md5.h>
#include <nettle/sha2.h>

/* Upper bound of a JA3 / JA4 raw string: 32k ciphers * 6 chars and change. */
#define JA_STRING_MAX (512u * 1024u)

#define EXT_SERVER_NAME          0x0000
#define EXT_SUPPORTED_GROUPS     0x000a
#define EXT_EC_POINT_FORMATS     0x000b
#define EXT_SIGNATURE_ALGORITHMS 0x000d
#define EXT_ALPN                 0x0010
#define EXT_SUPPORTED_VERSIONS   0x002b

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

bool ent_ja_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

struct ext_iter {
	const uint8_t *p;
	size_t left;
};

/* Next extension: its type and body. false at the end of a well-formed or cut block. */
static bool ext_next(struct ext_iter *it, uint16_t *type, const uint8_t **body, size_t *len)
{
	size_t n;

	if (it->p == NULL || it->left < 4)
		return false;
	n = get16(it->p + 2);
	if (n > it->left - 4)
		return false;
	*type = get16(it->p);
	*body = it->p + 4;
	*len = n;
	it->p += 4 + n;
	it->left -= 4 + n;
	return true;
}

/* Appends sep (unless it is '\0') and v in decimal. The fingerprints are
 * hundreds of numbers per hello: printf was most of the TLS parser's time. */
static int append_dec(struct ent_buf *out, char sep, unsigned v)
{
	char tmp[8], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (sep != '\0')
		*--p = sep;
	return ent_buf_append(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Appends sep (unless it is '\0') and v as 4 lower-case hex digits. */
static int append_hex4(struct ent_buf *out, char sep, uint16_t v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[5], *p = tmp;

	if (sep != '\0')
		*p++ = sep;
	for (int sh = 12; sh >= 0; sh -= 4)
		*p++ = hex[(v >> sh) & 15];
	return ent_buf_append(out, tmp, (size_t)(p - tmp));
}

/* Appends the non-GREASE 16-bit values of p[0..len) in decimal, '-'-joined. */
static int append_u16_list(struct ent_buf *out, const uint8_t *p, size_t len)
{
	bool first = true;
	int rc = ENT_OK;

	for (size_t i = 0; i + 1 < len && rc == ENT_OK; i += 2) {
		uint16_t v = get16(p + i);

		if (ent_ja_is_grease(v))
			continue;
		rc = append_dec(out, first ? '\0' : '-', v);
		first = false;
	}
	return rc;
}

int ent_ja3_string(const struct ent_ja_hello *h, struct ent_buf *out)
{
	struct ext_iter it = {h->exts, h->exts_len};
	const uint8_t *body;
	size_t len;
	uint16_t type;
	bool first = true;
	int rc;

	rc = append_dec(out, '\0', h->version);
	if (rc == ENT_OK)
		rc = ent_buf_append(out, ",", 1);
	if (rc == ENT_OK)
		rc = append_u16_list(out, h->ciphers, h->ciphers_len);
	if (rc == ENT_OK)
		rc = ent_buf_puts(out, ",");
	while (rc == ENT_OK && ext_next(&it, &type, &body, &len)) {
		if (ent_ja_is_grease(type))
			continue;
		rc = append_dec(out, first ? '\0' : '-', type);
		first = false;
	}
	if (rc == ENT_OK)
		rc = ent_buf_puts(out, ",");
	/* supported_groups: a 2-byte length, then the groups */
	it = (struct ext_iter){h->exts, h->exts_len};
	first = true;
	while (rc == ENT_OK && ext_next(&it, &type, &body, &len)) {
		size_t n;

		if (type != EXT_SUPPORTED_GROUPS || len < 2)
			continue;
		n = get16(body);
		if (n > len - 2)
			n = len - 2;
		for (size_t i = 0; i + 1 < n && rc == ENT_OK; i += 2) {
			uint16_t g = get16(body + 2 + i);

			if (ent_ja_is_grease(g))
				continue;
			rc = append_dec(out, first ? '\0' : '-', g);
			first = false;
		}
	}
	if (rc == ENT_OK)
		rc = ent_buf_puts(out, ",");
	/* ec_point_formats: a 1-byte length, then 1-byte formats */
	it = (struct ext_iter){h->exts, h->exts_len};
	first = true;
	while (rc == ENT_OK && ext_next(&it, &type, &body, &len)) {
		size_t n;

		if (type != EXT_EC_POINT_FORMATS || len < 1)
			continue;
		n = body[0];
		if (n > len - 1)
			n = len - 1;
		for (size_t i = 0; i < n && rc == ENT_OK; i++) {
			rc = append_dec(out, first ? '\0' : '-', body[1 + i]);
			first = false;
		}
	}
	return rc;
}

int ent_ja3s_string(const struct ent_ja_hello *h, struct ent_buf *out)
{
	struct ext_iter it = {h->exts, h->exts_len};
	const uint8_t *body;
	size_t len;
	uint16_t type;
	bool first = true;
	int rc;

	rc =
	    ent_buf_printf(out, "%u,%u,", h->version, h->ciphers_len >= 2 ? get16(h->ciphers) : 0u);
	while (rc == ENT_OK && ext_next(&it, &type, &body, &len)) {
		if (ent_ja_is_grease(type))
			continue;
		rc = append_dec(out, first ? '\0' : '-', type);
		first = false;
	}
	return rc;
}

void ent_ja_md5_hex(const char *s, size_t len, char out[ENT_JA3_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];

	md5_init(&ctx);
	md5_update(&ctx, len, (const uint8_t *)s);
	md5_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
}

void ent_ja4_hash12(const char *s, size_t len, char out[13])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];

	if (len == 0) {
		memcpy(out, "000000000000", 13);
		return;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)s);
	sha256_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < 6; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[12] = '\0';
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

/* JA4 version letters from a 16-bit version number. */
static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* The two ALPN characters of JA4 from the first protocol name p[0..n). */
static void ja4_alpn(const uint8_t *p, size_t n, char out[3])
{
	static const char hex[] = "0123456789abcdef";

	if (n == 0) {
		memcpy(out, "00", 3);
		return;
	}
	if (is_alnum(p[0]) && is_alnum(p[n - 1])) {
		out[0] = (char)p[0];
		out[1] = (char)p[n - 1];
	} else {
		out[0] = hex[p[0] >> 4];
		out[1] = hex[p[n - 1] & 15];
	}
	out[2] = '\0';
}

/* Appends the sorted values as "%04x" joined by ','. */
static int append_hex_list(struct ent_buf *out, const uint16_t *v, size_t n)
{
	int rc = ENT_OK;

	for (size_t i = 0; i < n && rc == ENT_OK; i++)
		rc = append_hex4(out, i ? ',' : '\0', v[i]);
	return rc;
}

int ent_ja4(const struct ent_ja_hello *h, bool quic, char out[ENT_JA4_SIZE])
{
	struct ext_iter it = {h->exts, h->exts_len};
	const uint8_t *body, *alpn = NULL, *sigalgs = NULL;
	size_t len, alpn_len = 0, sigalgs_len = 0, n_ciph = 0, n_ext = 0, n_sorted_ext = 0;
	uint16_t type, version = h->version, best_sv = 0;
	uint16_t *ciph = NULL, *exts = NULL;
	bool sni = false, have_sv = false;
	struct ent_buf s;
	char hb[13], hc[13], al[3];
	int rc = ENT_ENOMEM;

	ent_buf_init(&s, JA_STRING_MAX);
	ciph = malloc((h->ciphers_len / 2 + 1) * sizeof(*ciph));
	exts = malloc((h->exts_len / 4 + 1) * sizeof(*exts));
	if (ciph == NULL || exts == NULL)
		goto out;
	for (size_t i = 0; i + 1 < h->ciphers_len; i += 2) {
		uint16_t c = get16(h->ciphers + i);

		if (!ent_ja_is_grease(c))
			ciph[n_ciph++] = c;
	}
	while (ext_next(&it, &type, &body, &len)) {
		if (ent_ja_is_grease(type))
			continue;
		n_ext++;
		if (type == EXT_SERVER_NAME) {
			sni = true;
			continue;
		}
		if (type == EXT_ALPN) {
			/* protocol_name_list: 2-byte length, then 1-byte-length names */
			if (alpn == NULL && len >= 3 && get16(body) >= 1) {
				size_t l = body[2];

				alpn = body + 3;
				alpn_len = l <= len - 3 ? l : len - 3;
			}
			continue;
		}
		exts[n_sorted_ext++] = type;
		if (type == EXT_SIGNATURE_ALGORITHMS && sigalgs == NULL && len >= 2) {
			size_t l = get16(body);

			sigalgs = body + 2;
			sigalgs_len = l <= len - 2 ? l : len - 2;
		} else if (type == EXT_SUPPORTED_VERSIONS && len >= 1) {
			size_t l = body[0];

			if (l > len - 1)
				l = len - 1;
			for (size_t i = 0; i + 1 < l; i += 2) {
				uint16_t v = get16(body + 1 + i);

				if (ent_ja_is_grease(v))
					continue;
				if (!have_sv || v > best_sv)
					best_sv = v;
				have_sv = true;
			}
		}
	}
	if (have_sv)
		version = best_sv;

	qsort(ciph, n_ciph, sizeof(*ciph), cmp_u16);
	qsort(exts, n_sorted_ext, sizeof(*exts), cmp_u16);

	rc = append_hex_list(&s, ciph, n_ciph);
	if (rc != ENT_OK)
		goto out;
	ent_ja4_hash12(s.data, s.len, hb);

	ent_buf_reset(&s);
	rc = append_hex_list(&s, exts, n_sorted_ext);
	if (rc == ENT_OK && n_sorted_ext > 0 && sigalgs_len >= 2) {
		bool first = true;

		rc = ent_buf_puts(&s, "_");
		for (size_t i = 0; i + 1 < sigalgs_len && rc == ENT_OK; i += 2) {
			uint16_t v = get16(sigalgs + i);

			if (ent_ja_is_grease(v))
				continue;
			rc = append_hex4(&s, first ? '\0' : ',', v);
			first = false;
		}
	}
	if (rc != ENT_OK)
		goto out;
	ent_ja4_hash12(n_sorted_ext > 0 ? s.data : "", n_sorted_ext > 0 ? s.len : 0, hc);

	ja4_alpn(alpn, alpn_len, al);
	/* "%c%s%c%02zu%02zu%s_%s_%s", by hand (one snprintf per hello was
	 * still 2% of the scan's instructions) */
	if (n_ciph > 99)
		n_ciph = 99;
	if (n_ext > 99)
		n_ext = 99;
	out[0] = quic ? 'q' : 't';
	memcpy(out + 1, ja4_version(version), 2);
	out[3] = sni ? 'd' : 'i';
	out[4] = (char)('0' + n_ciph / 10);
	out[5] = (char)('0' + n_ciph % 10);
	out[6] = (char)('0' + n_ext / 10);
	out[7] = (char)('0' + n_ext % 10);
	memcpy(out + 8, al, 2);
	out[10] = '_';
	memcpy(out + 11, hb, 12);
	out[23] = '_';
	memcpy(out + 24, hc, 12);
	out[36] = '\0';
	rc = ENT_OK;
out:
	ent_buf_free(&s);
	free(ciph);
	free(exts);
	return rc;
}
