/*
 * jcs.c - RFC 8785 canonical JSON (see jcs.h).
 *
 * The text is validated and tokenized by core/json.h (UTF-8, escapes,
 * surrogate pairs, duplicate names after decoding, depth); this file only
 * writes the tokens back in canonical form. Recursion follows the document's
 * nesting, which the tokenizer bounds at ENT_JSON_DEPTH_MAX.
 *
 * Numbers: the shortest decimal that reads back as the same double is found
 * by trying 1..17 significant digits. For each length the correctly rounded
 * candidate (printf "%.*e") is the nearest one; at a power of two the
 * interval of decimals that read back is lopsided, so when the nearest one
 * does not read back its neighbour on the other side of the value is tried
 * too. glibc's printf and strtod are correctly rounded, which this relies on.
 */
#include "trust/jcs.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_OBJECT 32

static bool reads_back(unsigned long long m, int e10, double d)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%llue%d", m, e10);
	return strtod(buf, NULL) == d;
}

/* Shortest (m, e10) with m * 10^e10 == d, d finite and > 0. */
static void shortest(double d, unsigned long long *m_out, int *e10_out)
{
	char buf[48];

	for (int p = 1; p <= 17; p++) {
		unsigned long long m = 0;
		char *e;
		int exp10;

		snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
		for (e = buf; *e != 'e'; e++)
			if (*e >= '0' && *e <= '9')
				m = m * 10 + (unsigned long long)(*e - '0');
		exp10 = atoi(e + 1) - (p - 1);
		if (reads_back(m, exp10, d)) {
			*m_out = m, *e10_out = exp10;
			return;
		}
		if (reads_back(m + 1, exp10, d)) {
			*m_out = m + 1, *e10_out = exp10;
			return;
		}
		if (m > 1 && reads_back(m - 1, exp10, d)) {
			*m_out = m - 1, *e10_out = exp10;
			return;
		}
	}
	/* unreachable: 17 digits always read back; keep the 17-digit form */
	snprintf(buf, sizeof(buf), "%.16e", d);
	*m_out = 0;
	for (char *c = buf; *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			*m_out = *m_out * 10 + (unsigned long long)(*c - '0');
	*e10_out = atoi(strchr(buf, 'e') + 1) - 16;
}

int ent_jcs_number(double d, char out[ENT_JCS_NUMBER_MAX])
{
	unsigned long long m;
	char digits[24], *o = out;
	int e10, k, n;

	if (!isfinite(d))
		return ENT_EINVAL;
	if (d == 0) { /* +0 and -0 */
		strcpy(out, "0");
		return ENT_OK;
	}
	if (d < 0) {
		*o++ = '-';
		d = -d;
	}
	shortest(d, &m, &e10);
	while (m % 10 == 0) {
		m /= 10;
		e10++;
	}
	k = snprintf(digits, sizeof(digits), "%llu", m);
	n = k + e10; /* d = 0.digits * 10^n */
	if (k <= n && n <= 21) {
		memcpy(o, digits, (size_t)k);
		o += k;
		for (int i = 0; i < n - k; i++)
			*o++ = '0';
		*o = '\0';
	} else if (0 < n && n <= 21) {
		memcpy(o, digits, (size_t)n);
		o += n;
		*o++ = '.';
		memcpy(o, digits + n, (size_t)(k - n));
		o[k - n] = '\0';
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -n; i++)
			*o++ = '0';
		memcpy(o, digits, (size_t)k + 1);
	} else {
		*o++ = digits[0];
		if (k > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, (size_t)k - 1);
			o += k - 1;
		}
		snprintf(o, (size_t)(ENT_JCS_NUMBER_MAX - (o - out)), "e%c%d",
		         n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	return ENT_OK;
}

static int put(struct ent_buf *out, const char *s, size_t n, char *errbuf)
{
	int rc = ent_buf_append(out, s, n);

	if (rc == ENT_ELIMIT)
		return ent_errf(errbuf, rc, "canonical form larger than %zu bytes", out->max);
	if (rc != ENT_OK)
		return ent_errf(errbuf, rc, "out of memory");
	return ENT_OK;
}

static int write_string(const char *s, size_t len, struct ent_buf *out, char *errbuf)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int rc = put(out, "\"", 1, errbuf);

	for (size_t i = 0; i < len && rc == ENT_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = put(out, s + run, i - run, errbuf);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if (rc == ENT_OK)
			rc = put(out, esc, n, errbuf);
	}
	if (rc == ENT_OK)
		rc = put(out, s + run, len - run, errbuf);
	if (rc == ENT_OK)
		rc = put(out, "\"", 1, errbuf);
	return rc;
}

static int write_number(const struct ent_json *j, uint32_t t, struct ent_buf *out, char *errbuf)
{
	const struct ent_json_tok *tok = &j->tok[t];
	char small[64], *copy = small, num[ENT_JCS_NUMBER_MAX];
	double d;

	if (tok->len >= sizeof(small) && (copy = malloc(tok->len + 1)) == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	memcpy(copy, j->text + tok->start, tok->len);
	copy[tok->len] = '\0';
	d = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	if (ent_jcs_number(d, num) != ENT_OK)
		return ent_errf(errbuf, ENT_EPARSE,
		                "offset %u: number out of the range of an IEEE 754 double",
		                tok->start);
	return put(out, num, strlen(num), errbuf);
}

/* The code point of the UTF-8 sequence at *p (valid, as decoded by the
 * tokenizer), advancing *p. */
static unsigned next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned c = s[0];

	if (c < 0x80) {
		*p += 1;
		return c;
	}
	if (c < 0xe0) {
		*p += 2;
		return ((c & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (c < 0xf0) {
		*p += 3;
		return ((c & 0x0f) << 12) | ((s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*p += 4;
	return ((c & 0x07) << 18) | ((s[1] & 0x3f) << 12) | ((s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/* strcmp for UTF-8 strings, in the order of their UTF-16 code units. */
static int utf16_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x != '\0' && *y != '\0') {
		unsigned cx = next_cp(&x), cy = next_cp(&y);

		if (cx == cy)
			continue;
		/* a supplementary code point is a high surrogate (D800-DBFF)
		 * first: above U+D7FF, below U+E000..U+FFFF */
		if ((cx >= 0x10000) != (cy >= 0x10000)) {
			unsigned ux = cx >= 0x10000 ? 0xd800 : cx;
			unsigned uy = cy >= 0x10000 ? 0xd800 : cy;

			return ux < uy ? -1 : 1;
		}
		return cx < cy ? -1 : 1;
	}
	return (*x != '\0') - (*y != '\0');
}

struct member {
	const char *key;
	size_t key_len;
	uint32_t val;
	const char *const *skip;
};

static int cmp_members(const void *a, const void *b)
{
	return utf16_cmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

/* True when omitting the member at path from object t leaves it empty. */
static bool emptied_by(struct ent_json *j, uint32_t t, const char *const *path)
{
	uint32_t key = t + 1, val = t + 2;

	if (ent_json_type(j, t) != ENT_JSON_OBJECT || j->tok[t].count != 1)
		return false;
	if (strcmp(ent_json_string(j, key, NULL), path[0]) != 0)
		return false;
	return path[1] == NULL || emptied_by(j, val, path + 1);
}

static int write_value(struct ent_json *j, uint32_t t, const char *const *skip, struct ent_buf *out,
                       char *errbuf);

static int write_object(struct ent_json *j, uint32_t t, const char *const *skip,
                        struct ent_buf *out, char *errbuf)
{
	struct member small[SMALL_OBJECT], *m = small;
	uint32_t count = j->tok[t].count, n = 0;
	int rc;

	if (count > SMALL_OBJECT && (m = malloc(count * sizeof(*m))) == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	for (uint32_t c = t + 1, k = 0; k < count; k++) {
		uint32_t key = c, val = c + 1;
		const char *name = ent_json_string(j, key, &m[n].key_len);

		c = j->tok[val].next;
		m[n].key = name;
		m[n].val = val;
		m[n].skip = NULL;
		if (skip != NULL && skip[0] != NULL && strcmp(name, skip[0]) == 0) {
			if (skip[1] == NULL || emptied_by(j, val, skip + 1))
				continue;
			m[n].skip = skip + 1;
		}
		n++;
	}
	qsort(m, n, sizeof(*m), cmp_members);
	rc = put(out, "{", 1, errbuf);
	for (uint32_t i = 0; i < n && rc == ENT_OK; i++) {
		if (i > 0)
			rc = put(out, ",", 1, errbuf);
		if (rc == ENT_OK)
			rc = write_string(m[i].key, m[i].key_len, out, errbuf);
		if (rc == ENT_OK)
			rc = put(out, ":", 1, errbuf);
		if (rc == ENT_OK)
			rc = write_value(j, m[i].val, m[i].skip, out, errbuf);
	}
	if (rc == ENT_OK)
		rc = put(out, "}", 1, errbuf);
	if (m != small)
		free(m);
	return rc;
}

static int write_value(struct ent_json *j, uint32_t t, const char *const *skip, struct ent_buf *out,
                       char *errbuf)
{
	int rc;

	switch (ent_json_type(j, t)) {
	case ENT_JSON_NULL:
		return put(out, "null", 4, errbuf);
	case ENT_JSON_FALSE:
		return put(out, "false", 5, errbuf);
	case ENT_JSON_TRUE:
		return put(out, "true", 4, errbuf);
	case ENT_JSON_NUMBER:
		return write_number(j, t, out, errbuf);
	case ENT_JSON_STRING: {
		size_t len;
		const char *s = ent_json_string(j, t, &len);

		return write_string(s, len, out, errbuf);
	}
	case ENT_JSON_ARRAY:
		rc = put(out, "[", 1, errbuf);
		for (uint32_t c = t + 1, k = 0; k < j->tok[t].count && rc == ENT_OK; k++) {
			if (k > 0)
				rc = put(out, ",", 1, errbuf);
			if (rc == ENT_OK)
				rc = write_value(j, c, NULL, out, errbuf);
			c = j->tok[c].next;
		}
		return rc == ENT_OK ? put(out, "]", 1, errbuf) : rc;
	case ENT_JSON_OBJECT:
		return write_object(j, t, skip, out, errbuf);
	}
	return ent_errf(errbuf, ENT_EINVAL, "unknown token type");
}

int ent_jcs_write(struct ent_json *j, uint32_t t, const char *const *skip, struct ent_buf *out,
                  char *errbuf)
{
	if (t >= j->n)
		return ent_errf(errbuf, ENT_EINVAL, "no such token");
	return write_value(j, t, skip, out, errbuf);
}

int ent_jcs_canonicalize(const char *text, size_t len, struct ent_buf *out, char *errbuf)
{
	struct ent_json j;
	size_t off = 0;
	int rc;

	ent_json_init(&j, ENT_JCS_MAX_TOKENS);
	rc = ent_json_parse(&j, text, len, &off, errbuf);
	if (rc != ENT_OK) {
		if (rc == ENT_EPARSE)
			ent_err_prefix(errbuf, "offset %zu", off);
		goto out;
	}
	rc = write_value(&j, 0, NULL, out, errbuf);
out:
	ent_json_free(&j);
	return rc;
}
