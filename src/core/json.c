/*
 * json.c - the validating tokenizer of json.h.
 *
 * One pass over the text with an explicit stack (no recursion), so depth
 * and token count are bounded and hostile input cannot exhaust the C stack.
 * Duplicate member names are found when an object closes: by comparing
 * every pair for small objects, by sorting for large ones.
 */
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/json_text.h"

#define SMALL_OBJECT 32

void ent_json_init(struct ent_json *j, uint32_t max_tokens)
{
	memset(j, 0, sizeof(*j));
	j->max = max_tokens;
}

void ent_json_free(struct ent_json *j)
{
	free(j->tok);
	free(j->scratch);
	memset(j, 0, sizeof(*j));
}

const char *ent_json_type_name(enum ent_json_type type)
{
	switch (type) {
	case ENT_JSON_NULL:
		return "null";
	case ENT_JSON_FALSE:
	case ENT_JSON_TRUE:
		return "a boolean";
	case ENT_JSON_NUMBER:
		return "a number";
	case ENT_JSON_STRING:
		return "a string";
	case ENT_JSON_ARRAY:
		return "an array";
	default:
		return "an object";
	}
}

struct parser {
	struct ent_json *j;
	const unsigned char *p;
	size_t pos, len;
	size_t err_off;
	char *errbuf;
};

static int fail(struct parser *ps, size_t at, const char *msg)
{
	ps->err_off = at;
	return ent_errf(ps->errbuf, ENT_EPARSE, "%s", msg);
}

static int new_tok(struct parser *ps, uint8_t type, uint32_t *out)
{
	struct ent_json *j = ps->j;

	if (j->n == j->cap) {
		uint32_t cap = j->cap ? j->cap * 2 : 256;
		struct ent_json_tok *t;

		if (j->n >= j->max)
			return fail(ps, ps->pos, "too many values in one document");
		if (cap > j->max)
			cap = j->max;
		t = realloc(j->tok, (size_t)cap * sizeof(*t));
		if (t == NULL)
			return ent_errf(ps->errbuf, ENT_ENOMEM, "out of memory");
		j->tok = t;
		j->cap = cap;
	}
	memset(&j->tok[j->n], 0, sizeof(j->tok[0]));
	j->tok[j->n].type = type;
	j->tok[j->n].start = (uint32_t)ps->pos;
	j->tok[j->n].str = UINT32_MAX;
	*out = j->n++;
	return ENT_OK;
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		ps->pos++;
	}
}

static int hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t need;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* A string starting at the opening quote: validated, token filled. */
static int parse_string(struct parser *ps, uint32_t t)
{
	struct ent_json_tok *tok = &ps->j->tok[t];
	size_t start = ps->pos;

	ps->pos++;
	tok->start = (uint32_t)ps->pos;
	while (ps->pos < ps->len) {
		unsigned char c;

		ps->pos = ent_json_plain_run((const unsigned char *)ps->p, ps->pos, ps->len);
		if (ps->pos >= ps->len)
			break;
		c = ps->p[ps->pos];
		if (c == '"') {
			tok->len = (uint32_t)(ps->pos - tok->start);
			ps->pos++;
			return ENT_OK;
		}
		if (c < 0x20)
			return fail(ps, ps->pos, "control character in a string");
		if (c == '\\') {
			unsigned u, lo;

			tok->escaped = 1;
			if (ps->pos + 1 >= ps->len)
				break;
			c = ps->p[ps->pos + 1];
			if (c != 'u') {
				if (!strchr("\"\\/bfnrt", c) || c == '\0')
					return fail(ps, ps->pos, "invalid escape in a string");
				ps->pos += 2;
				continue;
			}
			if (ps->pos + 6 > ps->len || hex4(ps->p + ps->pos + 2, &u) != 0)
				return fail(ps, ps->pos, "invalid \\u escape");
			if (u == 0)
				return fail(ps, ps->pos, "\\u0000 is not allowed in a string");
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(ps, ps->pos, "lone low surrogate in a \\u escape");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (ps->pos + 12 > ps->len || ps->p[ps->pos + 6] != '\\' ||
				    ps->p[ps->pos + 7] != 'u' ||
				    hex4(ps->p + ps->pos + 8, &lo) != 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					return fail(ps, ps->pos,
					            "unpaired surrogate in a \\u escape");
				ps->pos += 6;
			}
			ps->pos += 6;
			continue;
		}
		if (c < 0x80) {
			ps->pos++;
			continue;
		}
		{
			size_t n = utf8_len(ps->p + ps->pos, ps->len - ps->pos);

			if (n == 0)
				return fail(ps, ps->pos, "invalid UTF-8 in a string");
			ps->pos += n;
		}
	}
	return fail(ps, start, "unterminated string");
}

static int parse_number(struct parser *ps, uint32_t t)
{
	const unsigned char *p = ps->p;
	size_t i = ps->pos, start = ps->pos;
	bool is_int = true;

	if (i < ps->len && p[i] == '-')
		i++;
	if (i < ps->len && p[i] == '0') {
		i++;
	} else if (i < ps->len && p[i] >= '1' && p[i] <= '9') {
		while (i < ps->len && p[i] >= '0' && p[i] <= '9')
			i++;
	} else {
		return fail(ps, start, "invalid number");
	}
	if (i < ps->len && p[i] == '.') {
		is_int = false;
		if (++i >= ps->len || p[i] < '0' || p[i] > '9')
			return fail(ps, i, "invalid number: digits must follow '.'");
		while (i < ps->len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	if (i < ps->len && (p[i] == 'e' || p[i] == 'E')) {
		is_int = false;
		i++;
		if (i < ps->len && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= ps->len || p[i] < '0' || p[i] > '9')
			return fail(ps, i, "invalid number: digits must follow the exponent");
		while (i < ps->len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	ps->j->tok[t].len = (uint32_t)(i - start);
	ps->j->tok[t].is_int = is_int;
	ps->pos = i;
	return ENT_OK;
}

static int parse_literal(struct parser *ps, uint32_t t, const char *word, uint8_t type)
{
	size_t n = strlen(word);

	if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
		return fail(ps, ps->pos, "invalid literal");
	ps->j->tok[t].type = type;
	ps->j->tok[t].len = (uint32_t)n;
	ps->pos += n;
	return ENT_OK;
}

/* Decodes the string token t into out (which has room for len + 1). */
static size_t decode(const struct ent_json *j, uint32_t t, char *out)
{
	const struct ent_json_tok *tok = &j->tok[t];
	const unsigned char *s = (const unsigned char *)j->text + tok->start;
	size_t n = 0;

	if (!tok->escaped) {
		memcpy(out, s, tok->len);
		out[tok->len] = '\0';
		return tok->len;
	}
	for (size_t i = 0; i < tok->len;) {
		unsigned u = 0, lo = 0;

		if (s[i] != '\\') {
			out[n++] = (char)s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			hex4(s + i + 2, &u);
			if (u >= 0xd800 && u <= 0xdbff) {
				hex4(s + i + 8, &lo);
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			if (u < 0x80) {
				out[n++] = (char)u;
			} else if (u < 0x800) {
				out[n++] = (char)(0xc0 | u >> 6);
				out[n++] = (char)(0x80 | (u & 0x3f));
			} else if (u < 0x10000) {
				out[n++] = (char)(0xe0 | u >> 12);
				out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
				out[n++] = (char)(0x80 | (u & 0x3f));
			} else {
				out[n++] = (char)(0xf0 | u >> 18);
				out[n++] = (char)(0x80 | ((u >> 12) & 0x3f));
				out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
				out[n++] = (char)(0x80 | (u & 0x3f));
			}
			i += 6;
			continue;
		default: /* '"', '\\', '/' */
			out[n++] = (char)s[i + 1];
			break;
		}
		i += 2;
	}
	out[n] = '\0';
	return n;
}

const char *ent_json_string(struct ent_json *j, uint32_t t, size_t *len)
{
	struct ent_json_tok *tok;
	size_t n;

	if (t >= j->n || j->tok[t].type != ENT_JSON_STRING)
		return NULL;
	tok = &j->tok[t];
	if (tok->str == UINT32_MAX) {
		/* sized at parse time for every string decoded once */
		n = decode(j, t, j->scratch + j->scratch_len);
		tok->str = (uint32_t)j->scratch_len;
		j->scratch_len += n + 1;
	}
	if (len != NULL)
		*len = strlen(j->scratch + tok->str);
	return j->scratch + tok->str;
}

/* Key equality of two string tokens. */
static bool key_eq(struct ent_json *j, uint32_t a, uint32_t b)
{
	const struct ent_json_tok *x = &j->tok[a], *y = &j->tok[b];

	if (!x->escaped && !y->escaped)
		return x->len == y->len &&
		       memcmp(j->text + x->start, j->text + y->start, x->len) == 0;
	return strcmp(ent_json_string(j, a, NULL), ent_json_string(j, b, NULL)) == 0;
}

static int cmp_keys(const void *a, const void *b, void *ctx)
{
	struct ent_json *j = ctx;

	return strcmp(ent_json_string(j, *(const uint32_t *)a, NULL),
	              ent_json_string(j, *(const uint32_t *)b, NULL));
}

/* Checks the members of object token t for a repeated name. */
static int check_duplicates(struct parser *ps, uint32_t t)
{
	struct ent_json *j = ps->j;
	uint32_t count = j->tok[t].count, *keys;
	uint32_t small[SMALL_OBJECT];
	int rc = ENT_OK;

	if (count < 2)
		return ENT_OK;
	keys = count <= SMALL_OBJECT ? small : malloc(count * sizeof(*keys));
	if (keys == NULL)
		return ent_errf(ps->errbuf, ENT_ENOMEM, "out of memory");
	for (uint32_t c = t + 1, k = 0; k < count; k++) {
		keys[k] = c;
		c = j->tok[c + 1].next;
	}
	if (count <= SMALL_OBJECT) {
		for (uint32_t a = 0; a < count && rc == ENT_OK; a++)
			for (uint32_t b = a + 1; b < count; b++)
				if (key_eq(j, keys[a], keys[b])) {
					rc = fail(ps, j->tok[keys[b]].start - 1,
					          "duplicate object key");
					break;
				}
		return rc;
	}
	qsort_r(keys, count, sizeof(*keys), cmp_keys, j);
	for (uint32_t k = 1; k < count; k++)
		if (key_eq(j, keys[k - 1], keys[k])) {
			rc = fail(ps, j->tok[keys[k]].start - 1, "duplicate object key");
			break;
		}
	free(keys);
	return rc;
}

int ent_json_parse(struct ent_json *j, const char *text, size_t len, size_t *err_off, char *errbuf)
{
	struct parser ps = {.j = j, .p = (const unsigned char *)text, .len = len, .errbuf = errbuf};
	uint32_t stack[ENT_JSON_DEPTH_MAX + 1];
	int depth = 0, rc = ENT_OK;

	j->text = text;
	j->len = len;
	j->n = 0;
	j->scratch_len = 0;
	if (len >= UINT32_MAX - 1) {
		rc = fail(&ps, 0, "document larger than 4 GiB");
		goto out;
	}
	/* a decoded string and its NUL never take more than its quoted text,
	 * so len + 1 bytes hold every string decoded once: the scratch never
	 * moves while pointers into it are out */
	if (j->scratch_cap < len + 1) {
		char *sc = realloc(j->scratch, len + 1);

		if (sc == NULL) {
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			goto out;
		}
		j->scratch = sc;
		j->scratch_cap = len + 1;
	}
	for (;;) {
		uint32_t t;
		unsigned char c;

		/* a value */
		skip_ws(&ps);
		if (ps.pos >= len) {
			rc =
			    fail(&ps, ps.pos, depth ? "unexpected end of input" : "empty document");
			goto out;
		}
		c = ps.p[ps.pos];
		rc = new_tok(&ps, ENT_JSON_NULL, &t);
		if (rc != ENT_OK)
			goto out;
		if (depth > 0)
			j->tok[stack[depth - 1]].count++;
		if (c == '{' || c == '[') {
			if (depth == ENT_JSON_DEPTH_MAX) {
				rc = fail(&ps, ps.pos, "nesting deeper than 64 levels");
				goto out;
			}
			j->tok[t].type = c == '{' ? ENT_JSON_OBJECT : ENT_JSON_ARRAY;
			stack[depth++] = t;
			ps.pos++;
			skip_ws(&ps);
			if (ps.pos < len && ps.p[ps.pos] == (c == '{' ? '}' : ']')) {
				ps.pos++;
				depth--;
				j->tok[t].len = (uint32_t)(ps.pos - j->tok[t].start);
				j->tok[t].next = j->n;
				goto after_value;
			}
			if (c == '{')
				goto member_key;
			continue;
		}
		if (c == '"')
			rc = parse_string(&ps, t), j->tok[t].type = ENT_JSON_STRING;
		else if (c == '-' || (c >= '0' && c <= '9'))
			rc = parse_number(&ps, t), j->tok[t].type = ENT_JSON_NUMBER;
		else if (c == 't')
			rc = parse_literal(&ps, t, "true", ENT_JSON_TRUE);
		else if (c == 'f')
			rc = parse_literal(&ps, t, "false", ENT_JSON_FALSE);
		else if (c == 'n')
			rc = parse_literal(&ps, t, "null", ENT_JSON_NULL);
		else
			rc = fail(&ps, ps.pos, "unexpected character, expected a value");
		if (rc != ENT_OK)
			goto out;
		j->tok[t].next = j->n;
	after_value:
		/* what follows a value: ',' or the container's end */
		for (;;) {
			struct ent_json_tok *ct;

			skip_ws(&ps);
			if (depth == 0)
				goto done;
			ct = &j->tok[stack[depth - 1]];
			if (ps.pos >= len) {
				rc = fail(&ps, ps.pos, "unexpected end of input");
				goto out;
			}
			c = ps.p[ps.pos];
			if (c == ',') {
				ps.pos++;
				if (ct->type == ENT_JSON_OBJECT)
					goto member_key;
				break; /* next element */
			}
			if (c != (ct->type == ENT_JSON_OBJECT ? '}' : ']')) {
				rc = fail(&ps, ps.pos,
				          ct->type == ENT_JSON_OBJECT ? "expected ',' or '}'"
				                                      : "expected ',' or ']'");
				goto out;
			}
			ps.pos++;
			ct->len = (uint32_t)(ps.pos - ct->start);
			ct->next = j->n;
			if (ct->type == ENT_JSON_OBJECT) {
				/* count held members; check their names once, here */
				rc = check_duplicates(&ps, stack[depth - 1]);
				if (rc != ENT_OK)
					goto out;
			}
			depth--;
		}
		continue;
	member_key:
		/* an object member: "key" ':' then the value */
		skip_ws(&ps);
		if (ps.pos >= len || ps.p[ps.pos] != '"') {
			rc = fail(&ps, ps.pos, "expected a member name");
			goto out;
		}
		rc = new_tok(&ps, ENT_JSON_STRING, &t);
		if (rc == ENT_OK)
			rc = parse_string(&ps, t);
		if (rc != ENT_OK)
			goto out;
		j->tok[t].next = j->n;
		skip_ws(&ps);
		if (ps.pos >= len || ps.p[ps.pos] != ':') {
			rc = fail(&ps, ps.pos, "expected ':'");
			goto out;
		}
		ps.pos++; /* the value that follows counts the member */
	}
done:
	if (ps.pos != len) {
		rc = fail(&ps, ps.pos, "unexpected data after the document");
		goto out;
	}
out:
	if (rc != ENT_OK) {
		j->n = 0;
		if (err_off != NULL)
			*err_off = ps.err_off;
	}
	return rc;
}

long ent_json_member(const struct ent_json *j, uint32_t obj, const char *key)
{
	size_t klen = strlen(key);

	if (obj >= j->n || j->tok[obj].type != ENT_JSON_OBJECT)
		return -1;
	for (uint32_t c = obj + 1, k = 0; k < j->tok[obj].count; k++) {
		const struct ent_json_tok *kt = &j->tok[c];

		/* names with escapes are rare: compare them decoded */
		if (kt->escaped ? strcmp(ent_json_string((struct ent_json *)j, c, NULL), key) == 0
		                : kt->len == klen && memcmp(j->text + kt->start, key, klen) == 0)
			return (long)c + 1;
		c = j->tok[c + 1].next;
	}
	return -1;
}

bool ent_json_int(const struct ent_json *j, uint32_t t, int64_t *out)
{
	const struct ent_json_tok *tok = &j->tok[t];
	const char *s = j->text + tok->start;
	bool neg = false;
	uint64_t v = 0;
	uint32_t i = 0;

	if (tok->type != ENT_JSON_NUMBER || !tok->is_int)
		return false;
	if (s[0] == '-')
		neg = true, i = 1;
	for (; i < tok->len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}
