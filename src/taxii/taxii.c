/*
 * taxii.c - TAXII 2.1 routing, access and the server-level endpoints:
 * discovery (section 4.1), API root (4.2), status (4.3), collections (5.1)
 * and collection (5.2). The object endpoints are in objects.c.
 */
#include "taxii/taxii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timefmt.h"
#include "taxii/taxii_int.h"

/* ---- setup ---- */

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int ent_taxii_new(const struct ent_taxii_opts *opts, struct ent_taxii **out, char *errbuf)
{
	struct ent_taxii *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	t->opts = *opts;
	t->collections = *opts->collections;
	t->store_path = dup_or_null(opts->store_path);
	t->identity_id = dup_or_null(opts->identity_id);
	t->title = dup_or_null(opts->title != NULL ? opts->title : "entente");
	t->description = dup_or_null(opts->description);
	t->opts.collections = &t->collections;
	if (t->store_path == NULL || t->identity_id == NULL || t->title == NULL ||
	    pthread_key_create(&t->key, NULL) != 0) {
		free(t->store_path);
		free(t->identity_id);
		free(t->title);
		free(t->description);
		free(t);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&t->lock, NULL);
	if (t->opts.max_page == 0)
		t->opts.max_page = 1000;
	if (t->opts.default_page == 0 || t->opts.default_page > t->opts.max_page)
		t->opts.default_page = t->opts.max_page < 100 ? t->opts.max_page : 100;
	*out = t;
	return ENT_OK;
}

void ent_taxii_free(struct ent_taxii *t)
{
	if (t == NULL)
		return;
	for (struct taxii_store_slot *s = t->slots, *next; s != NULL; s = next) {
		next = s->next;
		ent_store_close(s->store);
		free(s);
	}
	pthread_key_delete(t->key);
	pthread_mutex_destroy(&t->lock);
	free(t->store_path);
	free(t->identity_id);
	free(t->title);
	free(t->description);
	free(t);
}

struct ent_store *taxii_store(struct taxii_call *c)
{
	struct taxii_store_slot *slot;
	char errbuf[ENT_ERRBUF_SIZE];

	if (c->store != NULL)
		return c->store;
	slot = pthread_getspecific(c->t->key);
	if (slot == NULL) {
		slot = calloc(1, sizeof(*slot));
		if (slot == NULL ||
		    ent_store_open(c->t->store_path, 0, &slot->store, errbuf) != ENT_OK) {
			free(slot);
			taxii_error(c, 500, "Store unavailable", NULL);
			return NULL;
		}
		pthread_setspecific(c->t->key, slot);
		pthread_mutex_lock(&c->t->lock);
		slot->next = c->t->slots;
		c->t->slots = slot;
		pthread_mutex_unlock(&c->t->lock);
	}
	c->store = slot->store;
	return c->store;
}

/* ---- responses ---- */

static void body_put(struct taxii_call *c, const char *p, size_t n)
{
	if (c->resp->status == 500)
		return;
	if (c->out != NULL && c->out != &c->resp->body) {
		if (ent_buf_append(c->out, p, n) != ENT_OK)
			taxii_error(c, 500, "Response too large", NULL);
		return;
	}
	if (ent_buf_append(&c->resp->body, p, n) != ENT_OK) {
		/* the response outgrew its limit: say so instead of a cut body */
		ent_buf_reset(&c->resp->body);
		c->resp->n_headers = 0;
		c->resp->status = 500;
		if (ent_buf_puts(&c->resp->body,
		                 "{\"title\":\"Response too large\",\"http_status\":\"500\"}") !=
		    ENT_OK)
			c->resp->content_type = NULL;
	}
}

bool taxii_failed(struct taxii_call *c)
{
	return c->resp->status == 500;
}

void taxii_append(struct taxii_call *c, const char *p, size_t n)
{
	body_put(c, p, n);
}

void taxii_puts(struct taxii_call *c, const char *s)
{
	body_put(c, s, strlen(s));
}

/* The length of the valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Strings in our answers may echo what a client sent (a bad parameter):
 * escaped as JSON, and invalid UTF-8 replaced by U+FFFD. */
void taxii_json_str(struct taxii_call *c, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	body_put(c, "\"", 1);
	while (*s != '\0') {
		unsigned char ch = (unsigned char)*s;
		char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
		size_t n = utf8_len((const unsigned char *)s);

		if (n > 1 || (n == 1 && ch >= 0x20 && ch != '"' && ch != '\\')) {
			s += n;
			continue;
		}
		body_put(c, run, (size_t)(s - run));
		if (n == 0)
			body_put(c, "\\ufffd", 6);
		else if (ch == '"' || ch == '\\') {
			esc[1] = (char)ch;
			body_put(c, esc, 2);
		} else {
			body_put(c, esc, 6);
		}
		run = ++s;
	}
	body_put(c, run, (size_t)(s - run));
	body_put(c, "\"", 1);
}

void taxii_json_time_us(struct taxii_call *c, int64_t us)
{
	char t[ENT_TIME_STRLEN];

	ent_time_format_us(us, t);
	taxii_json_str(c, t);
}

void taxii_header(struct taxii_call *c, const char *name, const char *value)
{
	/* the few headers TAXII needs fit; one more is dropped, not fatal */
	if (ent_http_response_header(c->resp, name, value) != ENT_OK)
		return;
}

void taxii_ok(struct taxii_call *c, int status)
{
	c->resp->status = status;
	c->resp->content_type = ENT_TAXII_MEDIA;
}

void taxii_error(struct taxii_call *c, int status, const char *title, const char *description)
{
	char code[8];

	ent_buf_reset(&c->resp->body);
	c->out = &c->resp->body;
	c->resp->n_headers = 0;
	c->resp->status = 0; /* let body_put write */
	c->resp->content_type = ENT_TAXII_MEDIA;
	snprintf(code, sizeof(code), "%d", status);
	taxii_puts(c, "{\"title\":");
	taxii_json_str(c, title);
	if (description != NULL) {
		taxii_puts(c, ",\"description\":");
		taxii_json_str(c, description);
	}
	taxii_puts(c, ",\"http_status\":");
	taxii_json_str(c, code);
	taxii_puts(c, "}");
	c->resp->status = status;
}

/* ---- content negotiation (section 3.1) ---- */

/* Whether one media range (type and parameters) is one we can answer. */
static bool range_ok(const char *r, size_t len, bool stix_too)
{
	char buf[128], *params, *type;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, r, len);
	buf[len] = '\0';
	type = buf;
	params = strchr(buf, ';');
	if (params != NULL)
		*params++ = '\0';
	while (*type == ' ' || *type == '\t')
		type++;
	for (char *e = type + strlen(type); e > type && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	if (strcmp(type, "*/*") == 0 || strcasecmp(type, "application/*") == 0)
		return true;
	if (strcasecmp(type, "application/taxii+json") != 0 &&
	    !(stix_too && strcasecmp(type, "application/stix+json") == 0))
		return false;
	/* a version, when given, must be 2.1 */
	for (char *p = params, *save = NULL, *w; p != NULL || save != NULL; p = NULL) {
		w = strtok_r(p, ";", &save);
		if (w == NULL)
			break;
		while (*w == ' ')
			w++;
		if (strncasecmp(w, "version=", 8) == 0 && strcmp(w + 8, "2.1") != 0)
			return false;
	}
	return true;
}

/* Accept (section 3.1): absent, or one range we can answer. */
static bool accept_ok(const char *accept, bool stix_too)
{
	if (accept == NULL || *accept == '\0')
		return true;
	for (const char *p = accept;;) {
		size_t len = strcspn(p, ",");

		if (range_ok(p, len, stix_too))
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

bool taxii_content_type_ok(const char *ct)
{
	size_t len;

	if (ct == NULL)
		return false;
	len = strcspn(ct, ",");
	return len == strlen(ct) && !(strncmp(ct, "*/*", 3) == 0) && range_ok(ct, len, false) &&
	       strncasecmp(ct, "application/taxii+json", 22) == 0;
}

/* ---- server-level endpoints ---- */

static void discovery(struct taxii_call *c)
{
	taxii_ok(c, 200);
	taxii_puts(c, "{\"title\":");
	taxii_json_str(c, c->t->title);
	if (c->t->description != NULL) {
		taxii_puts(c, ",\"description\":");
		taxii_json_str(c, c->t->description);
	}
	/* relative URLs, as section 4.1.1 allows: right whatever name or
	 * address the client reached us by */
	taxii_puts(c,
	           ",\"default\":\"" TAXII_API_ROOT "\",\"api_roots\":[\"" TAXII_API_ROOT "\"]}");
}

static void api_root(struct taxii_call *c)
{
	char n[32];

	taxii_ok(c, 200);
	taxii_puts(c, "{\"title\":");
	taxii_json_str(c, c->t->title);
	taxii_puts(c, ",\"description\":\"Intelligence of this entente node\"");
	taxii_puts(c, ",\"versions\":[\"" ENT_TAXII_MEDIA "\"],\"max_content_length\":");
	snprintf(n, sizeof(n), "%zu", c->t->opts.max_body);
	taxii_puts(c, n);
	taxii_puts(c, "}");
}

static void collection_json(struct taxii_call *c, const struct ent_taxii_collection *col)
{
	const struct ent_http_principal *who = c->req->who;

	taxii_puts(c, "{\"id\":");
	taxii_json_str(c, col->id);
	taxii_puts(c, ",\"title\":");
	taxii_json_str(c, col->name);
	taxii_puts(c, ",\"alias\":");
	taxii_json_str(c, col->name);
	taxii_puts(c, ",\"description\":");
	if (col->max_tlp == ENT_TLP_NONE) {
		taxii_json_str(c, "Inbox: sightings and opinions from peers");
	} else {
		char d[96];

		snprintf(d, sizeof(d), "Every object of this node up to TLP:%s",
		         ent_tlp_name(col->max_tlp));
		for (char *p = d; *p != '\0'; p++)
			if (p > d + 22 && *p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		taxii_json_str(c, d);
	}
	taxii_puts(c, ent_taxii_can_read(col, who) ? ",\"can_read\":true" : ",\"can_read\":false");
	taxii_puts(c,
	           ent_taxii_can_write(col, who) ? ",\"can_write\":true" : ",\"can_write\":false");
	taxii_puts(c, ",\"media_types\":[\"" ENT_STIX_MEDIA "\"]}");
}

static bool visible(const struct ent_taxii_collection *col, const struct ent_http_principal *who)
{
	return ent_taxii_can_read(col, who) || ent_taxii_can_write(col, who);
}

static void collections(struct taxii_call *c)
{
	bool any = false;

	taxii_ok(c, 200);
	taxii_puts(c, "{");
	for (size_t i = 0; i < c->t->collections.n; i++) {
		const struct ent_taxii_collection *col = &c->t->collections.c[i];

		if (!visible(col, c->req->who))
			continue;
		/* an empty list is left out (section 5.1.1) */
		taxii_puts(c, any ? "," : "\"collections\":[");
		collection_json(c, col);
		any = true;
	}
	taxii_puts(c, any ? "]}" : "}");
}

struct status_ctx {
	struct taxii_call *c;
	bool found;
};

static int status_cb(void *vctx, const struct ent_taxii_status *st)
{
	struct status_ctx *x = vctx;
	struct taxii_call *c = x->c;
	char n[128];

	/* a status is its requester's alone: others cannot tell it exists */
	if (st->peer_id != c->req->who->peer_id)
		return ENT_OK;
	x->found = true;
	taxii_ok(c, 200);
	taxii_puts(c, "{\"id\":");
	taxii_json_str(c, st->id);
	taxii_puts(c, st->pending > 0 ? ",\"status\":\"pending\"" : ",\"status\":\"complete\"");
	taxii_puts(c, ",\"request_timestamp\":");
	taxii_json_time_us(c, st->request_ms * 1000);
	snprintf(n, sizeof(n),
	         ",\"total_count\":%lld,\"success_count\":%lld,\"failure_count\":%lld,"
	         "\"pending_count\":%lld",
	         (long long)st->total, (long long)st->success, (long long)st->failure,
	         (long long)st->pending);
	taxii_puts(c, n);
	taxii_puts(c, st->details);
	taxii_puts(c, "}");
	return ENT_OK;
}

static void status(struct taxii_call *c, const char *id)
{
	struct status_ctx x = {.c = c};
	struct ent_store *s = taxii_store(c);
	char errbuf[ENT_ERRBUF_SIZE];
	int rc;

	if (s == NULL)
		return;
	rc = ent_store_taxii_status_get(s, id, status_cb, &x, errbuf);
	if (rc == ENT_OK && x.found)
		return;
	if (rc != ENT_OK && rc != ENT_ENOTFOUND)
		taxii_error(c, 500, "Store error", NULL);
	else
		taxii_error(c, 404, "Not found", "No such status, or no access to it");
}

/* ---- routing ---- */

/* Splits path ("/a/b/c/") into at most max segments; false when it does
 * not end in '/' (section 3.1), has an empty or overlong segment, or more
 * segments than max. */
static bool split_path(const char *path, char seg[][128], size_t max, size_t *n)
{
	size_t len = strlen(path);

	*n = 0;
	if (len == 0 || path[0] != '/' || path[len - 1] != '/')
		return false;
	for (const char *p = path + 1; *p != '\0';) {
		size_t l = strcspn(p, "/");

		if (l == 0 || l >= 128 || *n == max)
			return false;
		memcpy(seg[*n], p, l);
		seg[*n][l] = '\0';
		(*n)++;
		p += l + 1;
	}
	return true;
}

static const struct ent_taxii_collection *find_collection(struct taxii_call *c, const char *id)
{
	for (size_t i = 0; i < c->t->collections.n; i++) {
		const struct ent_taxii_collection *col = &c->t->collections.c[i];

		/* by id, or by alias (section 5.2.1) */
		if (strcmp(col->id, id) == 0 || strcmp(col->name, id) == 0)
			return visible(col, c->req->who) ? col : NULL;
	}
	return NULL;
}

static void not_found(struct taxii_call *c)
{
	taxii_error(c, 404, "Not found",
	            "The resource does not exist, or there is no access to it");
}

static void bad_method(struct taxii_call *c, const char *allow)
{
	taxii_error(c, 405, "Method not allowed", allow);
	taxii_header(c, "Allow", allow);
}

static void route_collection(struct taxii_call *c, char seg[][128], size_t n)
{
	const char *m = c->req->method;
	const struct ent_taxii_collection *col = find_collection(c, seg[2]);
	bool get = strcmp(m, "GET") == 0;

	if (col == NULL) {
		not_found(c);
		return;
	}
	if (n == 3) {
		if (!get)
			return bad_method(c, "GET");
		taxii_ok(c, 200);
		collection_json(c, col);
	} else if (n == 4 && strcmp(seg[3], "manifest") == 0) {
		if (!get)
			return bad_method(c, "GET");
		taxii_get_objects(c, col, NULL, true);
	} else if (n == 4 && strcmp(seg[3], "objects") == 0) {
		if (get)
			taxii_get_objects(c, col, NULL, false);
		else if (strcmp(m, "POST") == 0)
			taxii_add_objects(c, col);
		else
			bad_method(c, "GET, POST");
	} else if (n == 5 && strcmp(seg[3], "objects") == 0) {
		if (get)
			taxii_get_objects(c, col, seg[4], false);
		else if (strcmp(m, "DELETE") == 0)
			taxii_delete_object(c, col, seg[4]);
		else
			bad_method(c, "GET, DELETE");
	} else if (n == 6 && strcmp(seg[3], "objects") == 0 && strcmp(seg[5], "versions") == 0) {
		if (!get)
			return bad_method(c, "GET");
		taxii_get_versions(c, col, seg[4]);
	} else {
		not_found(c);
	}
}

static void route(struct taxii_call *c)
{
	char seg[6][128];
	size_t n;
	const char *m = c->req->method;
	bool get = strcmp(m, "GET") == 0;
	bool manifest;

	/* nothing is looked up before the client is known (section 1.6.9) */
	if (c->req->who == NULL) {
		taxii_error(c, 401, "Authentication required",
		            c->req->credentials_given ? "The credentials are not valid" : NULL);
		return;
	}
	if (!split_path(c->req->path, seg, 6, &n)) {
		not_found(c);
		return;
	}
	manifest = n == 4 && strcmp(seg[0], "api") == 0 && strcmp(seg[3], "manifest") == 0;
	if (!accept_ok(c->req->accept, manifest)) {
		taxii_error(c, 406, "Not acceptable", "This server answers with " ENT_TAXII_MEDIA);
		return;
	}
	if (n == 1 && strcmp(seg[0], "taxii2") == 0) {
		if (!get)
			return bad_method(c, "GET");
		discovery(c);
	} else if (n >= 1 && strcmp(seg[0], "api") == 0) {
		if (n == 1) {
			if (!get)
				return bad_method(c, "GET");
			api_root(c);
		} else if (n == 3 && strcmp(seg[1], "status") == 0) {
			if (!get)
				return bad_method(c, "GET");
			status(c, seg[2]);
		} else if (n == 2 && strcmp(seg[1], "collections") == 0) {
			if (!get)
				return bad_method(c, "GET");
			collections(c);
		} else if (n >= 3 && strcmp(seg[1], "collections") == 0) {
			route_collection(c, seg, n);
		} else {
			not_found(c);
		}
	} else {
		not_found(c);
	}
}

void ent_taxii_handle(void *ctx, const struct ent_http_request *req, struct ent_http_response *resp)
{
	struct taxii_call c = {.t = ctx, .req = req, .resp = resp, .out = &resp->body};

	route(&c);
}
