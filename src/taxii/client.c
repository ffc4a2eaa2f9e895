/*
 * client.c - the TAXII 2.1 client (see client.h).
 *
 * One curl easy handle per client, reused for every request to the peer
 * (one connection, kept alive). A request is: set the options, perform,
 * and if the answer is a redirect to the same origin, perform again (at
 * most MAX_REDIRECTS times); curl itself never follows a redirect. The
 * response body lands in c->body (bounded by max_response), the two TAXII
 * date headers in c->date_first / c->date_last.
 *
 * Responses are parsed with the project's validating tokenizer (core/json.h),
 * so the objects of a page are handed over as the exact text received.
 */
#include "taxii/client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "trust/keys.h"

#define MAX_REDIRECTS 5
#define MAX_SECRET    4096
/* tokens of one response: bounds the tokenizer's memory (28 bytes each) */
#define MAX_TOKENS (4u << 20)

enum auth { AUTH_NONE, AUTH_BASIC, AUTH_TOKEN };

struct ent_taxii_client {
	CURL *curl;
	char peer[64];
	enum auth auth;
	char user[128];
	char *secret; /* sodium_malloc'd, wiped on free */
	char ca_path[4096];
	long timeout_s;
	struct ent_buf body;
	bool too_big;
	long status;
	char date_first[64], date_last[64];
	char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static int sodium_init_rc;

/* Once per process: libcurl's global state, and libsodium's (the secret
 * lives in sodium_malloc'd memory). */
static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	sodium_init_rc = sodium_init();
}

static int read_secret(const char *path, char **out, char *errbuf)
{
	char *s;
	size_t n;
	FILE *f;
	int rc;

	rc = ent_keys_check_secrecy(path, errbuf);
	if (rc != ENT_OK)
		return rc;
	f = fopen(path, "r");
	if (f == NULL)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	s = sodium_malloc(MAX_SECRET + 1);
	if (s == NULL) {
		fclose(f);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	n = fread(s, 1, MAX_SECRET + 1, f);
	fclose(f);
	if (n > MAX_SECRET) {
		sodium_free(s);
		return ent_errf(errbuf, ENT_ELIMIT, "%s: longer than %d bytes", path, MAX_SECRET);
	}
	s[n] = '\0';
	/* one line: the trailing newline (and any CR) is not part of it */
	s[strcspn(s, "\r\n")] = '\0';
	if (s[0] == '\0') {
		sodium_free(s);
		return ent_errf(errbuf, ENT_EAUTH, "%s: empty secret", path);
	}
	*out = s;
	return ENT_OK;
}

int ent_taxii_client_new(const struct ent_taxii_client_opts *o, struct ent_taxii_client **out,
                         char *errbuf)
{
	struct ent_taxii_client *c;
	int rc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return ent_errf(errbuf, ENT_ENET, "libcurl: %s", curl_easy_strerror(curl_init_rc));
	if (sodium_init_rc < 0)
		return ent_errf(errbuf, ENT_ENOMEM, "libsodium did not initialise");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	snprintf(c->peer, sizeof(c->peer), "%s", o->peer ? o->peer : "?");
	c->timeout_s = o->timeout_s > 0 ? o->timeout_s : 60;
	ent_buf_init(&c->body, o->max_response ? o->max_response : ENT_TAXII_MAX_RESPONSE);
	if (o->ca_path != NULL)
		snprintf(c->ca_path, sizeof(c->ca_path), "%s", o->ca_path);
	if (o->auth_kind == NULL || o->auth_kind[0] == '\0' || strcmp(o->auth_kind, "none") == 0) {
		c->auth = AUTH_NONE;
	} else if (strcmp(o->auth_kind, "basic") == 0 || strcmp(o->auth_kind, "token") == 0) {
		c->auth = o->auth_kind[0] == 'b' ? AUTH_BASIC : AUTH_TOKEN;
		if (c->auth == AUTH_BASIC)
			snprintf(c->user, sizeof(c->user), "%s", o->user ? o->user : "");
		if (o->secret_path == NULL || o->secret_path[0] == '\0') {
			rc = ent_errf(errbuf, ENT_EAUTH,
			              "peer %s: %s authentication without a secret file", c->peer,
			              o->auth_kind);
			goto fail;
		}
		rc = read_secret(o->secret_path, &c->secret, errbuf);
		if (rc != ENT_OK) {
			ent_err_prefix(errbuf, "peer %s", c->peer);
			goto fail;
		}
	} else {
		rc = ent_errf(errbuf, ENT_EINVAL, "peer %s: unknown authentication '%s'", c->peer,
		              o->auth_kind);
		goto fail;
	}
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto fail;
	}
	*out = c;
	return ENT_OK;
fail:
	ent_taxii_client_free(c);
	return rc;
}

void ent_taxii_client_free(struct ent_taxii_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	if (c->secret != NULL)
		sodium_free(c->secret); /* sodium_free wipes */
	ent_buf_free(&c->body);
	free(c);
}

long ent_taxii_client_last_status(const struct ent_taxii_client *c)
{
	return c->status;
}

/* ---- one request ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct ent_taxii_client *c = ud;

	if (ent_buf_append(&c->body, p, size * n) != ENT_OK) {
		c->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	return size * n;
}

static void take_header(char *dst, size_t dstsz, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= dstsz)
		n = dstsz - 1; /* a longer value is no timestamp: it will not parse */
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	static const char first[] = "X-TAXII-Date-Added-First:";
	static const char last[] = "X-TAXII-Date-Added-Last:";
	struct ent_taxii_client *c = ud;
	size_t len = size * n;

	if (len > sizeof(first) - 1 && strncasecmp(p, first, sizeof(first) - 1) == 0)
		take_header(c->date_first, sizeof(c->date_first), p + sizeof(first) - 1,
		            len - (sizeof(first) - 1));
	else if (len > sizeof(last) - 1 && strncasecmp(p, last, sizeof(last) - 1) == 0)
		take_header(c->date_last, sizeof(c->date_last), p + sizeof(last) - 1,
		            len - (sizeof(last) - 1));
	return len;
}

/* True when a and b have the same scheme, host and port. */
static bool same_origin(const char *a, const char *b)
{
	CURLU *ua = curl_url(), *ub = curl_url();
	static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
	bool same = false;

	if (ua == NULL || ub == NULL || curl_url_set(ua, CURLUPART_URL, a, 0) != CURLUE_OK ||
	    curl_url_set(ub, CURLUPART_URL, b, 0) != CURLUE_OK)
		goto out;
	same = true;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && same; i++) {
		char *x = NULL, *y = NULL;

		if (curl_url_get(ua, parts[i], &x, CURLU_DEFAULT_PORT) != CURLUE_OK ||
		    curl_url_get(ub, parts[i], &y, CURLU_DEFAULT_PORT) != CURLUE_OK ||
		    strcasecmp(x, y) != 0)
			same = false;
		curl_free(x);
		curl_free(y);
	}
out:
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}

int ent_taxii_url_resolve(const char *base, const char *ref, char *out, size_t outsz, char *errbuf)
{
	CURLU *u = curl_url();
	char *s = NULL;
	int rc = ENT_OK;

	if (u == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	if ((base != NULL && curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK) ||
	    curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		rc = ent_errf(errbuf, ENT_EINVAL, "'%.200s' is not a valid URL", ref);
		goto out;
	}
	if (strncasecmp(s, "https://", 8) != 0 && strncasecmp(s, "http://", 7) != 0) {
		rc = ent_errf(errbuf, ENT_EINVAL, "'%.200s': only http and https URLs", s);
		goto out;
	}
	if (strlen(s) >= outsz)
		rc = ent_errf(errbuf, ENT_ELIMIT, "URL longer than %zu bytes", outsz - 1);
	else
		memcpy(out, s, strlen(s) + 1);
out:
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

static int set_options(struct ent_taxii_client *c, const char *method, const char *url,
                       const char *body, size_t body_len, struct curl_slist *hdrs)
{
	CURL *h = c->curl;
	CURLcode e = CURLE_OK;

	curl_easy_reset(h);
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (e == CURLE_OK)                                                                 \
			e = curl_easy_setopt(h, opt, val);                                         \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, c->curl_err);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_path[0] != '\0') {
		/* pinned: this file alone is trusted, not the system's store */
		SET(CURLOPT_CAINFO, c->ca_path);
		SET(CURLOPT_CAPATH, NULL);
	}
	SET(CURLOPT_TIMEOUT, c->timeout_s);
	SET(CURLOPT_CONNECTTIMEOUT, c->timeout_s < 30 ? c->timeout_s : 30L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, c);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, c);
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_USERAGENT, "entente/0.1");
	SET(CURLOPT_ACCEPT_ENCODING, NULL);
	if (c->auth == AUTH_BASIC) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, c->user);
		SET(CURLOPT_PASSWORD, c->secret);
	} else if (c->auth == AUTH_TOKEN) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		SET(CURLOPT_XOAUTH2_BEARER, c->secret);
	}
	if (strcmp(method, "POST") == 0) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
#undef SET
	return e == CURLE_OK ? ENT_OK : ENT_ENET;
}

/* A one-line HTTP error naming the peer, the request and the status. */
static int http_error(struct ent_taxii_client *c, const char *method, const char *url, char *errbuf)
{
	char title[160];

	ent_taxii_parse_error_title(c->body.data ? c->body.data : "", c->body.len, title,
	                            sizeof(title));
	if (c->status == 401 || c->status == 403)
		return ent_errf(errbuf, ENT_EAUTH, "peer %s: %s %s: HTTP %ld%s%s", c->peer, method,
		                url, c->status, title[0] ? ": " : "", title);
	return ent_errf(errbuf, ENT_ENET, "peer %s: %s %s: HTTP %ld%s%s", c->peer, method, url,
	                c->status, title[0] ? ": " : "", title);
}

/*
 * Performs one request; on 2xx the body is in c->body. want is the status
 * the caller needs (0 = any 2xx).
 */
static int request(struct ent_taxii_client *c, const char *method, const char *url0,
                   const char *body, size_t body_len, long want, char *errbuf)
{
	struct curl_slist *hdrs = NULL, *h2;
	char url[2048];
	int rc;

	if (strlen(url0) >= sizeof(url))
		return ent_errf(errbuf, ENT_ELIMIT, "peer %s: URL too long", c->peer);
	memcpy(url, url0, strlen(url0) + 1);
	hdrs = curl_slist_append(hdrs, "Accept: " ENT_TAXII_MEDIA_TYPE);
	if (hdrs != NULL && body != NULL) {
		h2 = curl_slist_append(hdrs, "Content-Type: " ENT_TAXII_MEDIA_TYPE);
		hdrs = h2 ? h2 : (curl_slist_free_all(hdrs), NULL);
	}
	if (hdrs == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	for (int hop = 0;; hop++) {
		CURLcode e;
		char *loc = NULL;

		ent_buf_reset(&c->body);
		c->too_big = false;
		c->status = 0;
		c->date_first[0] = c->date_last[0] = '\0';
		c->curl_err[0] = '\0';
		if (set_options(c, method, url, body, body_len, hdrs) != ENT_OK) {
			rc = ent_errf(errbuf, ENT_ENET, "peer %s: libcurl refused an option",
			              c->peer);
			goto out;
		}
		e = curl_easy_perform(c->curl);
		if (c->too_big) {
			rc = ent_errf(errbuf, ENT_ELIMIT,
			              "peer %s: %s %s: response larger than %zu bytes", c->peer,
			              method, url, c->body.max);
			goto out;
		}
		if (e != CURLE_OK) {
			rc = ent_errf(errbuf, ENT_ENET, "peer %s: %s %s: %s", c->peer, method, url,
			              c->curl_err[0] ? c->curl_err : curl_easy_strerror(e));
			goto out;
		}
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
		if (c->status >= 300 && c->status < 400 &&
		    curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
		    loc != NULL) {
			if (hop >= MAX_REDIRECTS) {
				rc =
				    ent_errf(errbuf, ENT_ENET, "peer %s: %s %s: too many redirects",
				             c->peer, method, url0);
				goto out;
			}
			if (!same_origin(url, loc)) {
				rc = ent_errf(
				    errbuf, ENT_ENET,
				    "peer %s: %s %s: redirect to another host refused (%.200s)",
				    c->peer, method, url, loc);
				goto out;
			}
			if (strlen(loc) >= sizeof(url)) {
				rc = ent_errf(errbuf, ENT_ELIMIT, "peer %s: redirect URL too long",
				              c->peer);
				goto out;
			}
			memmove(url, loc, strlen(loc) + 1);
			continue;
		}
		break;
	}
	if ((want != 0 && c->status != want) || c->status < 200 || c->status > 299) {
		rc = http_error(c, method, url, errbuf);
		if (want != 0 && c->status >= 200 && c->status <= 299)
			rc = ent_errf(errbuf, ENT_ENET, "peer %s: %s %s: HTTP %ld, expected %ld",
			              c->peer, method, url, c->status, want);
		goto out;
	}
	rc = ENT_OK;
out:
	curl_slist_free_all(hdrs);
	return rc;
}

static const char *body_text(struct ent_taxii_client *c)
{
	return c->body.data ? c->body.data : "";
}

/* ---- parsers ---- */

static int parse_doc(struct ent_json *j, const char *text, size_t len, const char *what,
                     char *errbuf)
{
	size_t off = 0;
	int rc;

	rc = ent_json_parse(j, text, len, &off, errbuf);
	if (rc != ENT_OK) {
		ent_err_prefix(errbuf, "%s: byte %zu", what, off);
		return rc;
	}
	if (ent_json_type(j, 0) != ENT_JSON_OBJECT)
		return ent_errf(errbuf, ENT_EPARSE, "%s: not a JSON object", what);
	return ENT_OK;
}

/* The string member key of object obj copied into out; false when absent,
 * not a string, empty or too long. */
static bool member_str(struct ent_json *j, uint32_t obj, const char *key, char *out, size_t outsz)
{
	long m = ent_json_member(j, obj, key);
	const char *s;
	size_t n;

	if (m < 0 || ent_json_type(j, (uint32_t)m) != ENT_JSON_STRING)
		return false;
	s = ent_json_string(j, (uint32_t)m, &n);
	if (s == NULL || n == 0 || n >= outsz || memchr(s, '\0', n) != NULL)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

static bool member_bool(const struct ent_json *j, uint32_t obj, const char *key, bool *out)
{
	long m = ent_json_member(j, obj, key);

	if (m < 0)
		return false;
	if (ent_json_type(j, (uint32_t)m) == ENT_JSON_TRUE)
		*out = true;
	else if (ent_json_type(j, (uint32_t)m) == ENT_JSON_FALSE)
		*out = false;
	else
		return false;
	return true;
}

int ent_taxii_parse_discovery(const char *text, size_t len, char *ref, size_t refsz,
                              bool *is_api_root, char *errbuf)
{
	struct ent_json j;
	long roots;
	int rc;

	ent_json_init(&j, MAX_TOKENS);
	rc = parse_doc(&j, text, len, "discovery", errbuf);
	if (rc != ENT_OK)
		goto out;
	roots = ent_json_member(&j, 0, "api_roots");
	*is_api_root = false;
	if (member_str(&j, 0, "default", ref, refsz))
		goto out;
	if (roots >= 0 && ent_json_type(&j, (uint32_t)roots) == ENT_JSON_ARRAY) {
		uint32_t arr = (uint32_t)roots;

		for (uint32_t t = arr + 1, k = 0; k < j.tok[arr].count; k++, t = j.tok[t].next) {
			const char *s;
			size_t n;

			if (ent_json_type(&j, t) != ENT_JSON_STRING)
				continue;
			s = ent_json_string(&j, t, &n);
			if (s != NULL && n > 0 && n < refsz && memchr(s, '\0', n) == NULL) {
				memcpy(ref, s, n + 1);
				goto out;
			}
		}
		rc = ent_errf(errbuf, ENT_ENOTFOUND, "discovery: no API root");
		goto out;
	}
	/* TAXII 2.1 section 4.2: an API root's information has title and versions */
	if (ent_json_member(&j, 0, "versions") >= 0 || ent_json_member(&j, 0, "title") >= 0) {
		*is_api_root = true;
		goto out;
	}
	rc = ent_errf(errbuf, ENT_EPARSE, "neither a discovery nor an API root response");
out:
	ent_json_free(&j);
	return rc;
}

/* Characters kept as they are in a collection id put into a URL path. */
static bool id_char_ok(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

int ent_taxii_parse_collections(const char *text, size_t len, const char *api_root,
                                struct ent_taxii_collection **out, size_t *n_out, char *errbuf)
{
	struct ent_taxii_collection *v = NULL;
	struct ent_json j;
	size_t n = 0;
	long arr;
	int rc;

	*out = NULL;
	*n_out = 0;
	ent_json_init(&j, MAX_TOKENS);
	rc = parse_doc(&j, text, len, "collections", errbuf);
	if (rc != ENT_OK)
		goto out;
	arr = ent_json_member(&j, 0, "collections");
	if (arr < 0)
		goto out; /* section 5.1: an API root without collections sends {} */
	if (ent_json_type(&j, (uint32_t)arr) != ENT_JSON_ARRAY) {
		rc = ent_errf(errbuf, ENT_EPARSE, "collections: 'collections' is not an array");
		goto out;
	}
	if (j.tok[arr].count > 0) {
		size_t cap = j.tok[arr].count < ENT_TAXII_MAX_COLLECTIONS
		                 ? j.tok[arr].count
		                 : ENT_TAXII_MAX_COLLECTIONS;

		v = calloc(cap, sizeof(*v));
		if (v == NULL) {
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			goto out;
		}
		for (uint32_t t = (uint32_t)arr + 1, k = 0; k < j.tok[arr].count && n < cap;
		     k++, t = j.tok[t].next) {
			struct ent_taxii_collection *col = &v[n];
			bool ok = true;

			memset(col, 0, sizeof(*col));
			if (ent_json_type(&j, t) != ENT_JSON_OBJECT ||
			    !member_str(&j, t, "id", col->id, sizeof(col->id)))
				continue;
			for (const char *p = col->id; *p && ok; p++)
				ok = id_char_ok(*p);
			if (!ok)
				continue; /* would not make a safe URL path segment */
			if (!member_bool(&j, t, "can_read", &col->can_read) ||
			    !member_bool(&j, t, "can_write", &col->can_write))
				continue;
			member_str(&j, t, "title", col->title, sizeof(col->title));
			member_str(&j, t, "alias", col->alias, sizeof(col->alias));
			if (api_root != NULL &&
			    (size_t)snprintf(col->url, sizeof(col->url), "%scollections/%s/",
			                     api_root, col->id) >= sizeof(col->url))
				continue;
			n++;
		}
	}
	*out = v;
	*n_out = n;
	v = NULL;
out:
	free(v);
	ent_json_free(&j);
	return rc;
}

void ent_taxii_page_init(struct ent_taxii_page *p)
{
	memset(p, 0, sizeof(*p));
	ent_buf_init(&p->body, ENT_TAXII_MAX_RESPONSE);
}

static void page_clear(struct ent_taxii_page *p)
{
	free(p->next);
	free(p->obj_off);
	free(p->obj_len);
	p->next = NULL;
	p->obj_off = p->obj_len = NULL;
	p->n_objects = 0;
	p->more = false;
	p->date_added_first[0] = p->date_added_last[0] = '\0';
}

void ent_taxii_page_free(struct ent_taxii_page *p)
{
	if (p == NULL)
		return;
	page_clear(p);
	ent_buf_free(&p->body);
}

const char *ent_taxii_page_object(const struct ent_taxii_page *p, size_t i, size_t *len)
{
	*len = p->obj_len[i];
	return p->body.data + p->obj_off[i];
}

int ent_taxii_parse_envelope(struct ent_taxii_page *page, char *errbuf)
{
	struct ent_json j;
	long m;
	int rc;

	free(page->next);
	free(page->obj_off);
	free(page->obj_len);
	page->next = NULL;
	page->obj_off = page->obj_len = NULL;
	page->n_objects = 0;
	page->more = false;
	ent_json_init(&j, MAX_TOKENS);
	rc = parse_doc(&j, page->body.data ? page->body.data : "", page->body.len, "envelope",
	               errbuf);
	if (rc != ENT_OK)
		goto out;
	m = ent_json_member(&j, 0, "more");
	if (m >= 0 && !member_bool(&j, 0, "more", &page->more)) {
		rc = ent_errf(errbuf, ENT_EPARSE, "envelope: 'more' is not a boolean");
		goto out;
	}
	m = ent_json_member(&j, 0, "next");
	if (m >= 0 && ent_json_type(&j, (uint32_t)m) != ENT_JSON_NULL) {
		const char *s;
		size_t n;

		if (ent_json_type(&j, (uint32_t)m) != ENT_JSON_STRING) {
			rc = ent_errf(errbuf, ENT_EPARSE, "envelope: 'next' is not a string");
			goto out;
		}
		s = ent_json_string(&j, (uint32_t)m, &n);
		if (s == NULL || n > 4096 || memchr(s, '\0', n) != NULL) {
			rc = ent_errf(errbuf, ENT_EPARSE, "envelope: 'next' is not a usable token");
			goto out;
		}
		if (n > 0) {
			page->next = strdup(s);
			if (page->next == NULL) {
				rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
				goto out;
			}
		}
	}
	m = ent_json_member(&j, 0, "objects");
	if (m >= 0) {
		uint32_t arr = (uint32_t)m, count;

		if (ent_json_type(&j, arr) != ENT_JSON_ARRAY) {
			rc = ent_errf(errbuf, ENT_EPARSE, "envelope: 'objects' is not an array");
			goto out;
		}
		count = j.tok[arr].count;
		if (count > 0) {
			page->obj_off = calloc(count, sizeof(size_t));
			page->obj_len = calloc(count, sizeof(size_t));
			if (page->obj_off == NULL || page->obj_len == NULL) {
				rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
				goto out;
			}
		}
		for (uint32_t t = arr + 1, k = 0; k < count; k++, t = j.tok[t].next) {
			if (ent_json_type(&j, t) != ENT_JSON_OBJECT) {
				rc = ent_errf(errbuf, ENT_EPARSE, "envelope: objects[%u] is %s", k,
				              ent_json_type_name(ent_json_type(&j, t)));
				goto out;
			}
			page->obj_off[k] = j.tok[t].start;
			page->obj_len[k] = j.tok[t].len;
		}
		page->n_objects = count;
	}
out:
	if (rc != ENT_OK) {
		free(page->next);
		free(page->obj_off);
		free(page->obj_len);
		page->next = NULL;
		page->obj_off = page->obj_len = NULL;
		page->n_objects = 0;
	}
	ent_json_free(&j);
	return rc;
}

void ent_taxii_status_free(struct ent_taxii_status *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n_successes; i++)
		free(st->successes[i]);
	free(st->successes);
	st->successes = NULL;
	st->n_successes = 0;
}

static int64_t member_count(const struct ent_json *j, uint32_t obj, const char *key)
{
	long m = ent_json_member(j, obj, key);
	int64_t v = 0;

	if (m < 0 || !ent_json_int(j, (uint32_t)m, &v) || v < 0)
		return 0;
	return v;
}

int ent_taxii_parse_status(const char *text, size_t len, struct ent_taxii_status *st, char *errbuf)
{
	struct ent_json j;
	long arr;
	int rc;

	memset(st, 0, sizeof(*st));
	ent_json_init(&j, MAX_TOKENS);
	rc = parse_doc(&j, text, len, "status", errbuf);
	if (rc != ENT_OK)
		goto out;
	if (!member_str(&j, 0, "id", st->id, sizeof(st->id)) ||
	    !member_str(&j, 0, "status", st->status, sizeof(st->status))) {
		rc = ent_errf(errbuf, ENT_EPARSE, "status: no 'id' or 'status'");
		goto out;
	}
	st->total = member_count(&j, 0, "total_count");
	st->success = member_count(&j, 0, "success_count");
	st->failure = member_count(&j, 0, "failure_count");
	st->pending = member_count(&j, 0, "pending_count");
	arr = ent_json_member(&j, 0, "successes");
	if (arr >= 0 && ent_json_type(&j, (uint32_t)arr) == ENT_JSON_ARRAY &&
	    j.tok[arr].count > 0) {
		uint32_t count = j.tok[arr].count;

		if (count > ENT_TAXII_MAX_STATUS_IDS)
			count = ENT_TAXII_MAX_STATUS_IDS;
		st->successes = calloc(count, sizeof(char *));
		if (st->successes == NULL) {
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			goto out;
		}
		for (uint32_t t = (uint32_t)arr + 1, k = 0; k < count; k++, t = j.tok[t].next) {
			char id[128];

			/* status details (section 4.3.1.1) are objects with an id;
			 * a bare id string is accepted too */
			if (ent_json_type(&j, t) == ENT_JSON_OBJECT) {
				if (!member_str(&j, t, "id", id, sizeof(id)))
					continue;
			} else if (ent_json_type(&j, t) == ENT_JSON_STRING) {
				const char *s;
				size_t n;

				s = ent_json_string(&j, t, &n);
				if (s == NULL || n == 0 || n >= sizeof(id) || memchr(s, 0, n))
					continue;
				memcpy(id, s, n + 1);
			} else {
				continue;
			}
			st->successes[st->n_successes] = strdup(id);
			if (st->successes[st->n_successes] == NULL) {
				rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
				goto out;
			}
			st->n_successes++;
		}
	}
out:
	if (rc != ENT_OK)
		ent_taxii_status_free(st);
	ent_json_free(&j);
	return rc;
}

void ent_taxii_parse_error_title(const char *text, size_t len, char *out, size_t outsz)
{
	struct ent_json j;
	char title[256];
	size_t o = 0;
	char err[ENT_ERRBUF_SIZE];

	out[0] = '\0';
	if (outsz == 0)
		return;
	ent_json_init(&j, 4096);
	if (parse_doc(&j, text, len, "error", err) == ENT_OK &&
	    member_str(&j, 0, "title", title, sizeof(title))) {
		/* the peer's words go on our terminal: printable ASCII only */
		for (const char *p = title; *p && o + 1 < outsz; p++)
			out[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		out[o] = '\0';
	}
	ent_json_free(&j);
}

/* ---- the endpoints ---- */

static int ensure_slash(char *url, size_t sz, char *errbuf)
{
	size_t n = strlen(url);
	char *q = strchr(url, '?');

	if (q != NULL)
		return ent_errf(errbuf, ENT_EINVAL, "'%.200s': a TAXII URL has no query", url);
	if (n > 0 && url[n - 1] == '/')
		return ENT_OK;
	if (n + 2 > sz)
		return ent_errf(errbuf, ENT_ELIMIT, "URL too long");
	url[n] = '/';
	url[n + 1] = '\0';
	return ENT_OK;
}

int ent_taxii_api_root(struct ent_taxii_client *c, const char *url, char *out, size_t outsz,
                       char *errbuf)
{
	char abs[2048], ref[1024];
	bool is_root = false;
	int rc;

	rc = ent_taxii_url_resolve(NULL, url, abs, sizeof(abs), errbuf);
	if (rc != ENT_OK) {
		ent_err_prefix(errbuf, "peer %s", c->peer);
		return rc;
	}
	rc = ensure_slash(abs, sizeof(abs), errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = request(c, "GET", abs, NULL, 0, 200, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_taxii_parse_discovery(body_text(c), c->body.len, ref, sizeof(ref), &is_root,
	                               errbuf);
	if (rc != ENT_OK) {
		ent_err_prefix(errbuf, "peer %s: GET %s", c->peer, abs);
		return rc;
	}
	if (is_root) {
		if (strlen(abs) >= outsz)
			return ent_errf(errbuf, ENT_ELIMIT, "URL too long");
		memcpy(out, abs, strlen(abs) + 1);
		return ENT_OK;
	}
	rc = ent_taxii_url_resolve(abs, ref, out, outsz, errbuf);
	if (rc == ENT_OK)
		rc = ensure_slash(out, outsz, errbuf);
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "peer %s: API root", c->peer);
	return rc;
}

int ent_taxii_collections(struct ent_taxii_client *c, const char *api_root,
                          struct ent_taxii_collection **out, size_t *n_out, char *errbuf)
{
	char url[2048];
	int rc;

	if ((size_t)snprintf(url, sizeof(url), "%scollections/", api_root) >= sizeof(url))
		return ent_errf(errbuf, ENT_ELIMIT, "URL too long");
	rc = request(c, "GET", url, NULL, 0, 200, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_taxii_parse_collections(body_text(c), c->body.len, api_root, out, n_out, errbuf);
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "peer %s: GET %s", c->peer, url);
	return rc;
}

static int append_param(struct ent_buf *b, const char *name, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);
	int rc;

	if (esc == NULL)
		return ENT_ENOMEM;
	rc = ent_buf_printf(b, "%c%s=%s", strchr(b->data, '?') ? '&' : '?', name, esc);
	curl_free(esc);
	return rc;
}

int ent_taxii_get_objects(struct ent_taxii_client *c, const char *collection_url,
                          const char *added_after, const char *next, int limit,
                          struct ent_taxii_page *page, char *errbuf)
{
	struct ent_buf url;
	int rc;

	page_clear(page);
	ent_buf_init(&url, 8192);
	rc = ent_buf_printf(&url, "%sobjects/", collection_url);
	if (rc == ENT_OK && limit > 0) {
		char n[16];

		snprintf(n, sizeof(n), "%d", limit);
		rc = append_param(&url, "limit", n);
	}
	if (rc == ENT_OK && added_after != NULL && added_after[0] != '\0')
		rc = append_param(&url, "added_after", added_after);
	if (rc == ENT_OK && next != NULL && next[0] != '\0')
		rc = append_param(&url, "next", next);
	if (rc != ENT_OK) {
		rc = ent_errf(errbuf, rc, "peer %s: request URL too long", c->peer);
		goto out;
	}
	rc = request(c, "GET", url.data, NULL, 0, 200, errbuf);
	if (rc != ENT_OK)
		goto out;
	/* the page takes the response: swap the buffers, no copy */
	{
		struct ent_buf tmp = page->body;

		page->body = c->body;
		c->body = tmp;
		ent_buf_reset(&c->body);
		c->body.max = page->body.max;
	}
	snprintf(page->date_added_first, sizeof(page->date_added_first), "%s", c->date_first);
	snprintf(page->date_added_last, sizeof(page->date_added_last), "%s", c->date_last);
	rc = ent_taxii_parse_envelope(page, errbuf);
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "peer %s: GET %s", c->peer, url.data);
out:
	ent_buf_free(&url);
	return rc;
}

int ent_taxii_add_objects(struct ent_taxii_client *c, const char *collection_url,
                          const char *envelope, size_t len, struct ent_taxii_status *st,
                          char *errbuf)
{
	char url[2048];
	int rc;

	memset(st, 0, sizeof(*st));
	if ((size_t)snprintf(url, sizeof(url), "%sobjects/", collection_url) >= sizeof(url))
		return ent_errf(errbuf, ENT_ELIMIT, "URL too long");
	/* section 5.4: the answer to add objects is 202 and a status resource */
	rc = request(c, "POST", url, envelope, len, 202, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_taxii_parse_status(body_text(c), c->body.len, st, errbuf);
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "peer %s: POST %s", c->peer, url);
	return rc;
}

int ent_taxii_get_status(struct ent_taxii_client *c, const char *api_root, const char *status_id,
                         struct ent_taxii_status *st, char *errbuf)
{
	char url[2048], *esc;
	int rc;

	memset(st, 0, sizeof(*st));
	esc = curl_easy_escape(NULL, status_id, 0);
	if (esc == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = (size_t)snprintf(url, sizeof(url), "%sstatus/%s/", api_root, esc) >= sizeof(url)
	         ? ent_errf(errbuf, ENT_ELIMIT, "URL too long")
	         : ENT_OK;
	curl_free(esc);
	if (rc != ENT_OK)
		return rc;
	rc = request(c, "GET", url, NULL, 0, 200, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_taxii_parse_status(body_text(c), c->body.len, st, errbuf);
	if (rc != ENT_OK)
		ent_err_prefix(errbuf, "peer %s: GET %s", c->peer, url);
	return rc;
}
