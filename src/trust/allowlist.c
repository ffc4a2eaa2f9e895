/*
 * allowlist.c - allowlists (see allowlist.h).
 *
 * Per list, by type:
 *   EXACT, SUFFIX  a sorted array of strings, searched with bsearch; a
 *                  suffix lookup tries the host and each parent domain
 *   CIDR           per prefix length, a sorted array of networks; a lookup
 *                  masks the address to each length present and searches
 *                  (at most 33 / 129 searches)
 *   SUBSTRING      a list of strings, each tried with strcasestr
 *   REGEX          a list of compiled regexes, each tried
 * Lists are small beside the indicator sets, and the scan consults them
 * only on a match, so simple sorted arrays are enough.
 */
#include "trust/allowlist.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"

#define ALL_KINDS (((1u << ENT_OBS_KIND_COUNT) - 1) & ~1u)
#define KIND(k)   (1u << (k))

struct v6net {
	uint8_t b[16];
};

struct list {
	char name[ENT_ALLOWLIST_NAME_MAX];
	char *source, *title;
	enum ent_allowlist_type type;
	enum ent_allowlist_action action;
	int lower;
	unsigned kinds;
	size_t entries, skipped;
	char **str; /* EXACT, SUFFIX (sorted), SUBSTRING */
	size_t n_str, cap_str;
	uint32_t *v4[33]; /* CIDR: networks by prefix length, sorted */
	size_t n4[33], cap4[33];
	struct v6net *v6[129];
	size_t n6[129], cap6[129];
	regex_t *re; /* REGEX */
	size_t n_re;
};

struct ent_allowlists {
	struct list *l[ENT_ALLOWLIST_MAX_LISTS];
	size_t n;
};

struct ent_allowlists *ent_allowlists_new(void)
{
	return calloc(1, sizeof(struct ent_allowlists));
}

static void list_free(struct list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n_str; i++)
		free(l->str[i]);
	free(l->str);
	for (int i = 0; i <= 32; i++)
		free(l->v4[i]);
	for (int i = 0; i <= 128; i++)
		free(l->v6[i]);
	for (size_t i = 0; i < l->n_re; i++)
		regfree(&l->re[i]);
	free(l->re);
	free(l->source);
	free(l->title);
	free(l);
}

void ent_allowlists_free(struct ent_allowlists *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		list_free(a->l[i]);
	free(a);
}

static const char *const type_names[] = {"exact", "suffix", "cidr", "substring", "regex"};

const char *ent_allowlist_type_name(enum ent_allowlist_type t)
{
	return (unsigned)t < 5 ? type_names[t] : "?";
}

bool ent_allowlist_type_parse(const char *s, enum ent_allowlist_type *out)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum ent_allowlist_type)i;
			return true;
		}
	if (strcmp(s, "string") == 0)
		*out = ENT_AL_EXACT;
	else if (strcmp(s, "hostname") == 0)
		*out = ENT_AL_SUFFIX;
	else
		return false;
	return true;
}

const char *ent_allowlist_action_name(enum ent_allowlist_action a)
{
	switch (a) {
	case ENT_AL_INFORM:
		return "inform";
	case ENT_AL_LOWER:
		return "lower";
	default:
		return "suppress";
	}
}

/* ---- building ---- */

static int push_str(struct list *l, const char *s, size_t n, char *errbuf)
{
	char *copy;

	if (l->n_str == l->cap_str) {
		size_t cap = l->cap_str ? l->cap_str * 2 : 64;
		char **p = realloc(l->str, cap * sizeof(*p));

		if (p == NULL)
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		l->str = p;
		l->cap_str = cap;
	}
	copy = strndup(s, n);
	if (copy == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	l->str[l->n_str++] = copy;
	return ENT_OK;
}

static void lower_in_place(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Parses "addr" or "addr/len" (v4 or v6) into bytes; *v6 says which. */
static bool parse_net(const char *s, uint8_t out[16], int *len, bool *v6)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int max;

	if (n >= INET6_ADDRSTRLEN)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v6 = strchr(buf, ':') != NULL;
	if (inet_pton(*v6 ? AF_INET6 : AF_INET, buf, out) != 1)
		return false;
	max = *v6 ? 128 : 32;
	*len = max;
	if (slash != NULL) {
		char *end;
		long v;

		if (slash[1] < '0' || slash[1] > '9')
			return false;
		errno = 0;
		v = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || v > max)
			return false;
		*len = (int)v;
	}
	return true;
}

static void mask_bytes(uint8_t *b, int nbytes, int len)
{
	for (int i = 0; i < nbytes; i++) {
		int keep = len - i * 8;

		if (keep <= 0)
			b[i] = 0;
		else if (keep < 8)
			b[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static int add_cidr(struct list *l, const char *s, char *errbuf)
{
	uint8_t b[16];
	int len;
	bool v6;

	if (!parse_net(s, b, &len, &v6)) {
		l->skipped++;
		return ENT_OK;
	}
	mask_bytes(b, v6 ? 16 : 4, len);
	if (!v6) {
		uint32_t net =
		    (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];

		if (l->n4[len] == l->cap4[len]) {
			size_t cap = l->cap4[len] ? l->cap4[len] * 2 : 16;
			uint32_t *p = realloc(l->v4[len], cap * sizeof(*p));

			if (p == NULL)
				return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			l->v4[len] = p;
			l->cap4[len] = cap;
		}
		l->v4[len][l->n4[len]++] = net;
	} else {
		if (l->n6[len] == l->cap6[len]) {
			size_t cap = l->cap6[len] ? l->cap6[len] * 2 : 16;
			struct v6net *p = realloc(l->v6[len], cap * sizeof(*p));

			if (p == NULL)
				return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			l->v6[len] = p;
			l->cap6[len] = cap;
		}
		memcpy(l->v6[len][l->n6[len]++].b, b, 16);
	}
	l->entries++;
	return ENT_OK;
}

/*
 * Refuses what makes POSIX regexes expensive to compile: glibc copies the
 * operand of '+' and of {n,m} (a+ is aa*), so nested repetitions multiply.
 * The estimate is the pattern's length times the product of its
 * repetition factors (2 for '+', m+1 for {n,m}), bounded by
 * ENT_ALLOWLIST_REGEX_COST; counts above 100, a quantifier directly after
 * another, and back-references are refused outright.
 */
#define ENT_ALLOWLIST_REGEX_COST 200000.0
static bool regex_bounded(const char *s)
{
	double cost = (double)strlen(s);
	bool after_quantifier = false;

	for (const char *c = s; *c != '\0'; c++) {
		bool quantifier = *c == '*' || *c == '+' || *c == '?' || *c == '{';

		if (quantifier && after_quantifier)
			return false;
		after_quantifier = quantifier;
		if (c[0] == '\\') {
			if (c[1] >= '1' && c[1] <= '9')
				return false;
			if (c[1] != '\0')
				c++;
		} else if (*c == '[') { /* a bracket expression: skip it whole */
			const char *e = c + 1;

			if (*e == '^')
				e++;
			if (*e == ']')
				e++;
			e = strchr(e, ']');
			if (e == NULL)
				return false;
			c = e;
		} else if (*c == '+') {
			cost *= 2;
		} else if (*c == '{') {
			char *end;
			long n = strtol(c + 1, &end, 10), m = n;

			if (*end == ',')
				m = end[1] == '}' ? n : strtol(end + 1, &end, 10);
			if (n < 0 || n > 100 || m < 0 || m > 100)
				return false;
			cost *= (double)(m + 1);
		}
		if (cost > ENT_ALLOWLIST_REGEX_COST)
			return false;
	}
	return true;
}

static int add_regex(struct list *l, const char *s, char *errbuf)
{
	regex_t *p;

	if (strlen(s) > ENT_ALLOWLIST_REGEX_LEN) {
		l->skipped++;
		return ENT_OK;
	}
	if (!regex_bounded(s)) {
		l->skipped++;
		return ENT_OK;
	}
	if (l->n_re == ENT_ALLOWLIST_REGEX_MAX)
		return ent_errf(errbuf, ENT_ELIMIT, "more than %d regexes in one list",
		                ENT_ALLOWLIST_REGEX_MAX);
	if (l->re == NULL && (l->re = calloc(ENT_ALLOWLIST_REGEX_MAX, sizeof(*l->re))) == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	p = &l->re[l->n_re];
	if (regcomp(p, s, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0) {
		l->skipped++;
		return ENT_OK;
	}
	l->n_re++;
	l->entries++;
	return ENT_OK;
}

/* Adds one entry (n bytes at s, not NUL-terminated) to l. */
static int add_entry(struct list *l, const char *s, size_t n, char *errbuf)
{
	char buf[ENT_OBS_VALUE_MAX + 1], norm[ENT_OBS_VALUE_MAX + 1];
	size_t total = l->entries + l->skipped;
	int rc;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return ENT_OK;
	if (total >= ENT_ALLOWLIST_MAX_ENTRIES)
		return ent_errf(errbuf, ENT_ELIMIT, "more than %u entries",
		                ENT_ALLOWLIST_MAX_ENTRIES);
	if (n > ENT_OBS_VALUE_MAX || memchr(s, '\0', n) != NULL) {
		l->skipped++;
		return ENT_OK;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	switch (l->type) {
	case ENT_AL_CIDR:
		return add_cidr(l, buf, errbuf);
	case ENT_AL_REGEX:
		return add_regex(l, buf, errbuf);
	case ENT_AL_SUBSTRING:
		rc = push_str(l, buf, n, errbuf);
		break;
	case ENT_AL_SUFFIX: {
		char *h = buf;

		lower_in_place(h);
		if (h[0] == '*' && h[1] == '.')
			h += 2;
		while (*h == '.')
			h++;
		n = strlen(h);
		while (n > 0 && h[n - 1] == '.')
			h[--n] = '\0';
		if (n == 0) {
			l->skipped++;
			return ENT_OK;
		}
		rc = push_str(l, h, n, errbuf);
		break;
	}
	default: /* EXACT: the normal form when it is an observable */
		if (ent_obs_detect_normalize(buf, n, norm, sizeof(norm)) != ENT_OBS_NONE) {
			rc = push_str(l, norm, strlen(norm), errbuf);
		} else {
			lower_in_place(buf);
			rc = push_str(l, buf, n, errbuf);
		}
	}
	if (rc == ENT_OK)
		l->entries++;
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_v6(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void finish(struct list *l)
{
	/* qsort wants a non-NULL base even for no elements */
	if ((l->type == ENT_AL_EXACT || l->type == ENT_AL_SUFFIX) && l->n_str > 0)
		qsort(l->str, l->n_str, sizeof(*l->str), cmp_str);
	for (int i = 0; i <= 32; i++)
		if (l->n4[i] > 0)
			qsort(l->v4[i], l->n4[i], sizeof(uint32_t), cmp_u32);
	for (int i = 0; i <= 128; i++)
		if (l->n6[i] > 0)
			qsort(l->v6[i], l->n6[i], sizeof(struct v6net), cmp_v6);
}

static int new_list(struct ent_allowlists *a, const char *name, enum ent_allowlist_type type,
                    enum ent_allowlist_action action, int lower, struct list **out, char *errbuf)
{
	struct list *l;

	if (name == NULL || *name == '\0' || strlen(name) >= ENT_ALLOWLIST_NAME_MAX)
		return ent_errf(errbuf, ENT_EINVAL, "a list needs a name of 1 to %d bytes",
		                ENT_ALLOWLIST_NAME_MAX - 1);
	if (a->n == ENT_ALLOWLIST_MAX_LISTS)
		return ent_errf(errbuf, ENT_ELIMIT, "more than %d allowlists",
		                ENT_ALLOWLIST_MAX_LISTS);
	if (action == ENT_AL_LOWER && (lower < 1 || lower > 100))
		return ent_errf(errbuf, ENT_EINVAL, "lower:N needs N from 1 to 100");
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->type = type;
	l->action = action;
	l->lower = action == ENT_AL_LOWER ? lower : 0;
	l->kinds = ALL_KINDS;
	*out = l;
	return ENT_OK;
}

int ent_allowlists_add_text(struct ent_allowlists *a, const char *name, const char *text,
                            size_t len, enum ent_allowlist_type type,
                            enum ent_allowlist_action action, int lower, char *errbuf)
{
	struct list *l = NULL;
	int rc = new_list(a, name, type, action, lower, &l, errbuf);

	for (size_t pos = 0; rc == ENT_OK && pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		size_t skip = 0;

		while (skip < n && (text[pos + skip] == ' ' || text[pos + skip] == '\t'))
			skip++;
		if (skip == n || text[pos + skip] != '#')
			rc = add_entry(l, text + pos, n, errbuf);
		pos += n + 1;
	}
	if (rc != ENT_OK) {
		list_free(l);
		return rc;
	}
	finish(l);
	a->l[a->n++] = l;
	return ENT_OK;
}

/* The kinds a MISP attribute type stands for. */
static unsigned misp_kinds(const char *t)
{
	static const struct {
		const char *name;
		unsigned kinds;
	} map[] = {
	    {"ip-src", KIND(ENT_OBS_IPV4) | KIND(ENT_OBS_IPV6)},
	    {"ip-dst", KIND(ENT_OBS_IPV4) | KIND(ENT_OBS_IPV6)},
	    {"ip-src|port", KIND(ENT_OBS_IPV4) | KIND(ENT_OBS_IPV6)},
	    {"ip-dst|port", KIND(ENT_OBS_IPV4) | KIND(ENT_OBS_IPV6)},
	    {"domain|ip", KIND(ENT_OBS_IPV4) | KIND(ENT_OBS_IPV6) | KIND(ENT_OBS_DOMAIN)},
	    {"hostname", KIND(ENT_OBS_DOMAIN)},
	    {"hostname|port", KIND(ENT_OBS_DOMAIN)},
	    {"domain", KIND(ENT_OBS_DOMAIN)},
	    {"url", KIND(ENT_OBS_URL)},
	    {"uri", KIND(ENT_OBS_URL)},
	    {"link", KIND(ENT_OBS_URL)},
	    {"md5", KIND(ENT_OBS_MD5)},
	    {"filename|md5", KIND(ENT_OBS_MD5)},
	    {"sha1", KIND(ENT_OBS_SHA1)},
	    {"filename|sha1", KIND(ENT_OBS_SHA1)},
	    {"sha256", KIND(ENT_OBS_SHA256)},
	    {"filename|sha256", KIND(ENT_OBS_SHA256)},
	    {"email", KIND(ENT_OBS_EMAIL)},
	    {"email-src", KIND(ENT_OBS_EMAIL)},
	    {"email-dst", KIND(ENT_OBS_EMAIL)},
	    {"target-email", KIND(ENT_OBS_EMAIL)},
	    {"ja3-fingerprint-md5", KIND(ENT_OBS_JA3)},
	    {"ja4-fingerprint", KIND(ENT_OBS_JA4)},
	    {"x509-fingerprint-md5", KIND(ENT_OBS_X509_MD5)},
	    {"x509-fingerprint-sha1", KIND(ENT_OBS_X509_SHA1)},
	    {"x509-fingerprint-sha256", KIND(ENT_OBS_X509_SHA256)},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, t) == 0)
			return map[i].kinds;
	return 0;
}

int ent_allowlists_add_misp(struct ent_allowlists *a, const char *name, const char *json,
                            size_t len, enum ent_allowlist_action action, int lower, char *errbuf)
{
	enum ent_allowlist_type type;
	struct list *l = NULL;
	struct ent_json j;
	const char *tname;
	long t_type, t_list, t_attrs, t_name;
	size_t off = 0;
	int rc;

	ent_json_init(&j, ENT_ALLOWLIST_MAX_ENTRIES + 1024);
	rc = ent_json_parse(&j, json, len, &off, errbuf);
	if (rc != ENT_OK) {
		ent_err_prefix(errbuf, "offset %zu", off);
		goto out;
	}
	rc = ENT_EPARSE;
	if (ent_json_type(&j, 0) != ENT_JSON_OBJECT) {
		ent_errf(errbuf, rc, "a MISP warninglist is a JSON object");
		goto out;
	}
	t_type = ent_json_member(&j, 0, "type");
	t_list = ent_json_member(&j, 0, "list");
	t_attrs = ent_json_member(&j, 0, "matching_attributes");
	t_name = ent_json_member(&j, 0, "name");
	if (t_type < 0 || ent_json_type(&j, (uint32_t)t_type) != ENT_JSON_STRING || t_list < 0 ||
	    ent_json_type(&j, (uint32_t)t_list) != ENT_JSON_ARRAY) {
		ent_errf(errbuf, rc, "a MISP warninglist needs \"type\" and a \"list\" array");
		goto out;
	}
	tname = ent_json_string(&j, (uint32_t)t_type, NULL);
	if (!ent_allowlist_type_parse(tname, &type) ||
	    (strcmp(tname, "string") != 0 && strcmp(tname, "hostname") != 0 &&
	     strcmp(tname, "cidr") != 0 && strcmp(tname, "substring") != 0 &&
	     strcmp(tname, "regex") != 0)) {
		rc = ent_errf(errbuf, ENT_EUNSUPPORTED, "unknown warninglist type '%s'", tname);
		goto out;
	}
	rc = new_list(a, name, type, action, lower, &l, errbuf);
	if (rc != ENT_OK)
		goto out;
	if (t_name >= 0 && ent_json_type(&j, (uint32_t)t_name) == ENT_JSON_STRING &&
	    (l->title = strdup(ent_json_string(&j, (uint32_t)t_name, NULL))) == NULL) {
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out;
	}
	if (t_attrs >= 0 && ent_json_type(&j, (uint32_t)t_attrs) == ENT_JSON_ARRAY) {
		l->kinds = 0;
		for (uint32_t c = (uint32_t)t_attrs + 1, k = 0; k < j.tok[t_attrs].count; k++) {
			if (ent_json_type(&j, c) == ENT_JSON_STRING)
				l->kinds |= misp_kinds(ent_json_string(&j, c, NULL));
			c = j.tok[c].next;
		}
	}
	for (uint32_t c = (uint32_t)t_list + 1, k = 0; k < j.tok[t_list].count && rc == ENT_OK;
	     k++) {
		if (ent_json_type(&j, c) == ENT_JSON_STRING) {
			size_t n;
			const char *s = ent_json_string(&j, c, &n);

			rc = add_entry(l, s, n, errbuf);
		} else {
			l->skipped++;
		}
		c = j.tok[c].next;
	}
	if (rc != ENT_OK)
		goto out;
	finish(l);
	a->l[a->n++] = l;
	l = NULL;
out:
	list_free(l);
	ent_json_free(&j);
	return rc;
}

int ent_allowlist_spec_parse(const char *value, struct ent_allowlist_spec *out, char *errbuf)
{
	char buf[4096 + 256], *save = NULL, *tok;
	bool have_path = false;

	memset(out, 0, sizeof(*out));
	out->type = ENT_AL_EXACT;
	out->action = ENT_AL_SUPPRESS;
	if (strlen(value) >= sizeof(buf))
		return ent_errf(errbuf, ENT_EINVAL, "definition too long");
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (strncmp(tok, "format:", 7) == 0) {
			if (strcmp(tok + 7, "misp") != 0 && strcmp(tok + 7, "text") != 0)
				return ent_errf(errbuf, ENT_EINVAL, "'%s': format is misp or text",
				                tok);
			out->misp = strcmp(tok + 7, "misp") == 0;
		} else if (strncmp(tok, "type:", 5) == 0) {
			if (!ent_allowlist_type_parse(tok + 5, &out->type))
				return ent_errf(
				    errbuf, ENT_EINVAL,
				    "'%s': type is exact, suffix, cidr, substring or regex", tok);
		} else if (strncmp(tok, "action:", 7) == 0) {
			const char *v = tok + 7;

			if (strcmp(v, "inform") == 0) {
				out->action = ENT_AL_INFORM;
			} else if (strcmp(v, "suppress") == 0) {
				out->action = ENT_AL_SUPPRESS;
			} else if (strncmp(v, "lower:", 6) == 0 && v[6] >= '0' && v[6] <= '9') {
				char *end;
				long n = strtol(v + 6, &end, 10);

				if (*end != '\0' || n < 1 || n > 100)
					return ent_errf(errbuf, ENT_EINVAL,
					                "'%s': lower:N needs N from 1 to 100", tok);
				out->action = ENT_AL_LOWER;
				out->lower = (int)n;
			} else {
				return ent_errf(errbuf, ENT_EINVAL,
				                "'%s': action is inform, lower:N or suppress", tok);
			}
		} else if (!have_path) {
			snprintf(out->path, sizeof(out->path), "%s", tok);
			have_path = true;
		} else {
			return ent_errf(errbuf, ENT_EINVAL, "'%s': unexpected", tok);
		}
	}
	if (!have_path)
		return ent_errf(errbuf, ENT_EINVAL, "no file named");
	return ENT_OK;
}

static int read_file(const char *path, char **out, size_t *len, char *errbuf)
{
	struct stat st;
	char *data;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ent_errf(errbuf, ENT_EIO, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > ENT_ALLOWLIST_MAX_FILE) {
		close(fd);
		return ent_errf(errbuf, ENT_ELIMIT, "%s: larger than %u bytes", path,
		                ENT_ALLOWLIST_MAX_FILE);
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		close(fd);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size && (n = read(fd, data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	data[got] = '\0';
	*out = data;
	*len = got;
	return ENT_OK;
}

int ent_allowlists_add_spec(struct ent_allowlists *a, const char *name,
                            const struct ent_allowlist_spec *spec, const char *base_dir,
                            char *errbuf)
{
	char path[8192], *data = NULL;
	size_t len = 0;
	int rc;

	if (spec->path[0] == '/' || base_dir == NULL)
		snprintf(path, sizeof(path), "%s", spec->path);
	else
		snprintf(path, sizeof(path), "%s/%s", base_dir, spec->path);
	rc = read_file(path, &data, &len, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (spec->misp)
		rc = ent_allowlists_add_misp(a, name, data, len, spec->action, spec->lower, errbuf);
	else
		rc = ent_allowlists_add_text(a, name, data, len, spec->type, spec->action,
		                             spec->lower, errbuf);
	free(data);
	if (rc == ENT_OK && (a->l[a->n - 1]->source = strdup(path)) == NULL)
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	else if (rc != ENT_OK && rc != ENT_ENOMEM)
		ent_err_prefix(errbuf, "%s", path);
	return rc;
}

struct config_ctx {
	struct ent_allowlists *a;
	const char *base_dir;
	char *errbuf;
	int rc;
};

static void config_one(void *vctx, const char *name, const char *value)
{
	struct config_ctx *c = vctx;
	struct ent_allowlist_spec spec;

	if (c->rc != ENT_OK)
		return;
	c->rc = ent_allowlist_spec_parse(value, &spec, c->errbuf);
	if (c->rc == ENT_OK)
		c->rc = ent_allowlists_add_spec(c->a, name, &spec, c->base_dir, c->errbuf);
	if (c->rc != ENT_OK)
		ent_err_prefix(c->errbuf, "allowlists.%s", name);
}

int ent_allowlists_load_config(struct ent_allowlists *a, const struct ent_config *c,
                               const char *base_dir, char *errbuf)
{
	struct config_ctx ctx = {a, base_dir, errbuf, ENT_OK};

	ent_config_foreach_in(c, "allowlists", config_one, &ctx);
	return ctx.rc;
}

/* ---- matching ---- */

static bool has_str(const struct list *l, const char *s)
{
	return l->n_str > 0 && bsearch(&s, l->str, l->n_str, sizeof(*l->str), cmp_str) != NULL;
}

/* The host part of a value of that kind into buf; false if none. */
static bool host_of(enum ent_obs_kind kind, const char *v, char *buf, size_t bufsz)
{
	const char *h = v, *end;
	size_t n;

	if (kind == ENT_OBS_URL) {
		const char *p = strstr(v, "://");

		h = p ? p + 3 : v;
		end = h + strcspn(h, "/?#");
		for (const char *at = h; at < end; at++)
			if (*at == '@')
				h = at + 1;
		n = (size_t)(end - h);
		if (n > 0 && h[0] != '[') { /* drop a port, not inside [v6] */
			const char *colon = memchr(h, ':', n);

			if (colon != NULL)
				n = (size_t)(colon - h);
		}
	} else if (kind == ENT_OBS_EMAIL) {
		const char *at = strrchr(v, '@');

		if (at == NULL)
			return false;
		h = at + 1;
		n = strlen(h);
	} else {
		if (h[0] == '*' && h[1] == '.')
			h += 2;
		n = strlen(h);
	}
	if (n == 0 || n >= bufsz)
		return false;
	memcpy(buf, h, n);
	buf[n] = '\0';
	return true;
}

static bool match_suffix(const struct list *l, enum ent_obs_kind kind, const char *v)
{
	char host[ENT_OBS_VALUE_MAX + 1];

	if (!host_of(kind, v, host, sizeof(host)))
		return false;
	lower_in_place(host);
	for (const char *h = host; h != NULL && *h != '\0';) {
		const char *dot;

		if (has_str(l, h))
			return true;
		dot = strchr(h, '.');
		h = dot ? dot + 1 : NULL;
	}
	return false;
}

static bool match_cidr(const struct list *l, const char *v)
{
	uint8_t b[16];
	int len;
	bool v6;

	if (!parse_net(v, b, &len, &v6))
		return false;
	if (!v6) {
		uint32_t addr =
		    (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];

		for (int p = 0; p <= len; p++) {
			uint32_t net = p == 0 ? 0 : addr & (0xffffffffu << (32 - p));

			if (l->n4[p] > 0 &&
			    bsearch(&net, l->v4[p], l->n4[p], sizeof(uint32_t), cmp_u32))
				return true;
		}
		return false;
	}
	for (int p = 0; p <= len; p++) {
		struct v6net net;

		if (l->n6[p] == 0)
			continue;
		memcpy(net.b, b, 16);
		mask_bytes(net.b, 16, p);
		if (bsearch(&net, l->v6[p], l->n6[p], sizeof(net), cmp_v6))
			return true;
	}
	return false;
}

static bool list_match(const struct list *l, enum ent_obs_kind kind, const char *v)
{
	if (kind <= ENT_OBS_NONE || kind >= ENT_OBS_KIND_COUNT || !(l->kinds & KIND(kind)))
		return false;
	switch (l->type) {
	case ENT_AL_EXACT:
		return has_str(l, v);
	case ENT_AL_SUFFIX:
		return match_suffix(l, kind, v);
	case ENT_AL_CIDR:
		return (kind == ENT_OBS_IPV4 || kind == ENT_OBS_IPV6) && match_cidr(l, v);
	case ENT_AL_SUBSTRING:
		for (size_t i = 0; i < l->n_str; i++)
			if (strcasestr(v, l->str[i]) != NULL)
				return true;
		return false;
	case ENT_AL_REGEX:
		for (size_t i = 0; i < l->n_re; i++)
			if (regexec(&l->re[i], v, 0, NULL, 0) == 0)
				return true;
		return false;
	}
	return false;
}

bool ent_allowlists_match(const struct ent_allowlists *a, enum ent_obs_kind kind, const char *value,
                          struct ent_allowlist_hit *hit)
{
	const struct list *best = NULL;

	for (size_t i = 0; a != NULL && i < a->n; i++) {
		const struct list *l = a->l[i];

		if (best != NULL && (l->action < best->action ||
		                     (l->action == best->action && l->lower <= best->lower)))
			continue;
		if (list_match(l, kind, value))
			best = l;
	}
	if (best != NULL && hit != NULL) {
		hit->list = best->name;
		hit->action = best->action;
		hit->lower = best->lower;
	}
	return best != NULL;
}

size_t ent_allowlists_count(const struct ent_allowlists *a)
{
	return a ? a->n : 0;
}

bool ent_allowlists_info(const struct ent_allowlists *a, size_t i, struct ent_allowlist_info *out)
{
	const struct list *l;

	if (a == NULL || i >= a->n)
		return false;
	l = a->l[i];
	out->name = l->name;
	out->source = l->source ? l->source : "";
	out->title = l->title ? l->title : "";
	out->type = l->type;
	out->action = l->action;
	out->lower = l->lower;
	out->entries = l->entries;
	out->skipped = l->skipped;
	out->kinds = l->kinds;
	return true;
}
