/*
 * http.c - HTTP/1.x request parsing (see http.h).
 *
 * The rules are those of tshark 4.0's HTTP dissector (packet-http.c), as its
 * truth files show them:
 *   - a message starts where one is expected; one leading CRLF is skipped
 *     when more than 3 bytes follow; a first byte that is not printable
 *     ASCII, or a first line whose first token is not a known method, makes
 *     the rest of the fed bytes "continuation" that is skipped;
 *   - "M-" before the method is allowed (RFC 2774: M-SEARCH, M-POST);
 *   - NOTIFY, SUBSCRIBE and UNSUBSCRIBE are notifications, not requests;
 *   - the request-target is the second space-separated token (two spaces
 *     after the method mean an empty target);
 *   - header names are RFC 7230 tokens; a line without ':' ends the
 *     headers that count; values start after the colon and blanks;
 *   - Content-Length counts when it is a non-negative decimal followed by
 *     nothing or a blank; "chunked" in Transfer-Encoding (case-sensitive,
 *     as tshark compares it) wins over Content-Length;
 *   - full_uri is the target itself when it starts with http:// or https://
 *     (any case) or the method is CONNECT, else "http://" + Host with
 *     surrounding white space removed + target; it needs both.
 *
 * State machine of a stream (st):
 *   ST_START   --first line is a request--> ST_HEADERS
 *   ST_HEADERS --blank line--> report, or ST_BODY / ST_CHUNK_SIZE
 *   ST_BODY    --Content-Length bytes skipped--> report, ST_START
 *   ST_CHUNK_SIZE --size n > 0--> ST_CHUNK_DATA (n + CRLF) --> ST_CHUNK_SIZE
 *   ST_CHUNK_SIZE --size 0--> ST_TRAILER --blank line--> report, ST_START
 * Invariants: the header block is at most ENT_HTTP_HEADER_MAX bytes, a
 * chunk-size or trailer line at most LINE_MAX; body bytes are counted,
 * never stored.
 */
#include "net/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define LINE_MAX_LEN 4096u
/* Longest method token including an "M-" prefix. */
#define METHOD_MAX 18
/* Feeds in a row without a request before a stream that never had one gives up. */
#define MAX_MISSES 16
#define VALUE_MAX  (4u * ENT_HTTP_HEADER_MAX)

enum hstate { ST_START, ST_HEADERS, ST_BODY, ST_CHUNK_SIZE, ST_CHUNK_DATA, ST_TRAILER };
enum mkind { MK_NONE, MK_REQUEST, MK_NOTIFY, MK_UNKNOWN };

struct ent_http_stream {
	enum hstate st;
	enum mkind kind;     /* of the message in hdr */
	struct ent_buf hdr;  /* request line and header lines of the current message */
	struct ent_buf line; /* a chunk-size or trailer line */
	uint64_t left;       /* body or chunk bytes still to skip */
	unsigned misses;     /* feeds skipped as continuation since the last request */
	bool seen_request;
	bool done;
};

struct ent_http_stream *ent_http_stream_new(void)
{
	struct ent_http_stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	ent_buf_init(&s->hdr, ENT_HTTP_HEADER_MAX);
	ent_buf_init(&s->line, LINE_MAX_LEN);
	return s;
}

void ent_http_stream_free(struct ent_http_stream *s)
{
	if (s == NULL)
		return;
	ent_buf_free(&s->hdr);
	ent_buf_free(&s->line);
	free(s);
}

bool ent_http_stream_done(const struct ent_http_stream *s)
{
	return s == NULL || s->done;
}

/*
 * is_http_request_or_reply() for a request: the kind of the first line
 * p[0..n). complete says whether n is the whole line; MK_UNKNOWN when more
 * bytes are needed to decide.
 */
static enum mkind classify(const char *p, size_t n, bool complete)
{
	static const char *const req[] = {"GET",
	                                  "PUT",
	                                  "COPY",
	                                  "HEAD",
	                                  "LOCK",
	                                  "MOVE",
	                                  "POLL",
	                                  "POST",
	                                  "BCOPY",
	                                  "BMOVE",
	                                  "MKCOL",
	                                  "TRACE",
	                                  "PATCH",
	                                  "LABEL",
	                                  "MERGE",
	                                  "DELETE",
	                                  "SEARCH",
	                                  "UNLOCK",
	                                  "REPORT",
	                                  "UPDATE",
	                                  "BDELETE",
	                                  "CONNECT",
	                                  "OPTIONS",
	                                  "CHECKIN",
	                                  "PROPFIND",
	                                  "CHECKOUT",
	                                  "CCM_POST",
	                                  "PROPPATCH",
	                                  "BPROPFIND",
	                                  "BPROPPATCH",
	                                  "UNCHECKOUT",
	                                  "MKACTIVITY",
	                                  "MKWORKSPACE",
	                                  "RPC_CONNECT",
	                                  "RPC_IN_DATA",
	                                  "RPC_OUT_DATA",
	                                  "VERSION-CONTROL",
	                                  "BASELINE-CONTROL",
	                                  "SSTP_DUPLEX_POST"};
	static const char *const notify[] = {"NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE"};
	const char *sp;
	size_t tok;

	if (n >= 2 && memcmp(p, "M-", 2) == 0) {
		p += 2;
		n -= 2;
	} else if (n < 2 && !complete) {
		return MK_UNKNOWN;
	}
	if ((n >= 5 && memcmp(p, "HTTP/", 5) == 0) || (n >= 3 && memcmp(p, "ICY", 3) == 0))
		return MK_NONE; /* a response */
	sp = memchr(p, ' ', n);
	if (sp == NULL && !complete)
		return n > METHOD_MAX ? MK_NONE : MK_UNKNOWN;
	tok = sp != NULL ? (size_t)(sp - p) : n;
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (strlen(req[i]) == tok && memcmp(p, req[i], tok) == 0)
			return MK_REQUEST;
	for (size_t i = 0; i < sizeof(notify) / sizeof(notify[0]); i++)
		if (strlen(notify[i]) == tok && memcmp(p, notify[i], tok) == 0)
			return MK_NOTIFY;
	return MK_NONE;
}

bool ent_http_looks_like_request(const uint8_t *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - (const char *)p) : len;

	if (len == 0 || memchr(p, ' ', n) == NULL)
		return false;
	return classify((const char *)p, n, true) == MK_REQUEST;
}

/* Line iteration over a header block: [*start, *start + *n) excludes CR LF. */
static bool next_line(const char *b, size_t len, size_t *off, const char **start, size_t *n)
{
	const char *nl;
	size_t l;

	if (*off >= len)
		return false;
	*start = b + *off;
	nl = memchr(*start, '\n', len - *off);
	l = nl != NULL ? (size_t)(nl - *start) : len - *off;
	*off += nl != NULL ? l + 1 : l;
	if (l > 0 && (*start)[l - 1] == '\r')
		l--;
	*n = l;
	return true;
}

static bool is_token_char(char c)
{
	return isalnum((unsigned char)c) || (c != 0 && strchr("!#$%&\\:*+-.^_`|~", c) != NULL);
}

/* A header line "name: value": true when the name is name (any case); *v / *vn the value. */
static bool header_is(const char *l, size_t n, const char *name, const char **v, size_t *vn)
{
	const char *colon = memchr(l, ':', n);
	size_t nl = strlen(name), i;

	if (colon == NULL || (size_t)(colon - l) != nl || strncasecmp(l, name, nl) != 0)
		return false;
	for (i = 0; i < nl; i++)
		if (!is_token_char(l[i]))
			return false;
	i = nl + 1;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	*v = l + i;
	*vn = n - i;
	return true;
}

/* tshark stops reading headers at a line without a colon. */
static bool header_line_ok(const char *l, size_t n)
{
	return memchr(l, ':', n) != NULL;
}

/* An ASCII string as tshark reads one: >= 0x80 becomes U+FFFD, a NUL ends it. */
static int ascii_value(struct ent_buf *out, const char *p, size_t n)
{
	int rc = ENT_OK;

	for (size_t i = 0; i < n && rc == ENT_OK && p[i] != '\0'; i++) {
		if ((unsigned char)p[i] >= 0x80)
			rc = ent_buf_append(out, "\xef\xbf\xbd", 3);
		else
			rc = ent_buf_append(out, &p[i], 1);
	}
	if (rc == ENT_OK && out->data == NULL)
		rc = ent_buf_append(out, "", 0);
	return rc;
}

static void emit(const struct ent_obs_sink *sink, const char *where, enum ent_obs_kind kind,
                 const char *value, const char *detail)
{
	struct ent_obs o = {where, kind, value, detail};

	if (sink != NULL && sink->emit != NULL)
		sink->emit(sink->ctx, &o);
}

/* The framing headers of a header block. */
struct framing {
	bool chunked;
	bool have_cl;
	uint64_t cl;
};

static void parse_framing(const char *b, size_t len, struct framing *f)
{
	size_t off = 0, n, vn;
	const char *l, *v;

	memset(f, 0, sizeof(*f));
	next_line(b, len, &off, &l, &n); /* the request line */
	while (next_line(b, len, &off, &l, &n)) {
		if (n == 0 || !header_line_ok(l, n))
			break;
		if (header_is(l, n, "Content-Length", &v, &vn)) {
			char tmp[32], *end;
			long long x;

			if (vn >= sizeof(tmp))
				vn = sizeof(tmp) - 1; /* longer values are out of range anyway */
			memcpy(tmp, v, vn);
			tmp[vn] = '\0';
			errno = 0;
			x = strtoll(tmp, &end, 10);
			if (x < 0 || end == tmp || errno == ERANGE ||
			    (*end != '\0' && !isspace((unsigned char)*end))) {
				f->have_cl = false;
			} else {
				f->have_cl = true;
				f->cl = (uint64_t)x;
			}
		} else if (header_is(l, n, "Transfer-Encoding", &v, &vn)) {
			for (size_t i = 0; i + 7 <= vn; i++)
				if (memcmp(v + i, "chunked", 7) == 0)
					f->chunked = true;
		}
	}
}

/* Reports the request whose header block is b[0..len). */
static int report(const char *b, size_t len, const struct ent_obs_sink *sink, bool *connect)
{
	const char *l, *line0, *v, *host = NULL, *tok, *end;
	size_t off = 0, n, n0, vn, hostn = 0, ml;
	char method[METHOD_MAX + 8];
	struct ent_buf val, uri;
	int rc = ENT_OK;

	if (!next_line(b, len, &off, &line0, &n0))
		return ENT_OK;
	/* method: the first token; the target: the next one */
	end = line0 + n0;
	tok = line0;
	while (tok < end && *tok != ' ' && *tok != '\r' && *tok != '\n')
		tok++;
	ml = (size_t)(tok - line0);
	if (ml == 0 || ml > METHOD_MAX)
		return ENT_OK;
	memcpy(method, line0, ml);
	method[ml] = '\0';
	*connect = strncasecmp(method, "CONNECT", 7) == 0;
	while (tok < end && *tok == ' ')
		tok++;
	if (tok - line0 > 2 && tok[-1] == ' ' && tok[-2] == ' ')
		tok--;
	l = tok;
	while (tok < end && *tok != ' ' && *tok != '\r' && *tok != '\n')
		tok++;

	ent_buf_init(&val, VALUE_MAX);
	ent_buf_init(&uri, VALUE_MAX);
	rc = ascii_value(&uri, l, (size_t)(tok - l));
	while (rc == ENT_OK && next_line(b, len, &off, &l, &n)) {
		if (n == 0 || !header_line_ok(l, n))
			break;
		if (header_is(l, n, "Host", &v, &vn)) {
			ent_buf_reset(&val);
			rc = ascii_value(&val, v, vn);
			if (rc == ENT_OK)
				emit(sink, "http.host", ENT_OBS_DOMAIN, val.data, method);
			host = v;
			hostn = vn;
		}
	}
	if (rc != ENT_OK)
		goto out;
	emit(sink, "http.request.uri", ENT_OBS_NONE, uri.data, method);
	if (host != NULL) {
		ent_buf_reset(&val);
		if (strncasecmp(uri.data, "http://", 7) == 0 ||
		    strncasecmp(uri.data, "https://", 8) == 0 || *connect) {
			rc = ent_buf_puts(&val, uri.data);
		} else {
			while (hostn > 0 && isspace((unsigned char)*host))
				host++, hostn--;
			while (hostn > 0 && isspace((unsigned char)host[hostn - 1]))
				hostn--;
			rc = ent_buf_puts(&val, "http://");
			if (rc == ENT_OK)
				rc = ascii_value(&val, host, hostn);
			if (rc == ENT_OK)
				rc = ent_buf_puts(&val, uri.data);
		}
		if (rc == ENT_OK)
			emit(sink, "http.request.full_uri", ENT_OBS_URL, val.data, method);
	}
	/* User-Agent, from a second walk (not part of the tshark truth) */
	off = 0;
	next_line(b, len, &off, &l, &n);
	while (rc == ENT_OK && next_line(b, len, &off, &l, &n)) {
		if (n == 0 || !header_line_ok(l, n))
			break;
		if (header_is(l, n, "User-Agent", &v, &vn)) {
			ent_buf_reset(&val);
			rc = ascii_value(&val, v, vn);
			if (rc == ENT_OK)
				emit(sink, "http.user_agent", ENT_OBS_NONE, val.data, method);
		}
	}
out:
	ent_buf_free(&val);
	ent_buf_free(&uri);
	return rc == ENT_ELIMIT ? ENT_OK : rc;
}

/* The current message is complete: report it if it is a request, start the next. */
static int finish(struct ent_http_stream *s, const struct ent_obs_sink *sink)
{
	bool connect = false;
	int rc = ENT_OK;

	if (s->kind == MK_REQUEST) {
		rc = report(s->hdr.data, s->hdr.len, sink, &connect);
		if (connect)
			s->done = true; /* a tunnel follows */
	}
	ent_buf_reset(&s->hdr);
	ent_buf_reset(&s->line);
	s->st = ST_START;
	s->kind = MK_NONE;
	return rc;
}

/* The blank line ending the header block has been read. */
static int headers_done(struct ent_http_stream *s, const struct ent_obs_sink *sink)
{
	struct framing f;

	parse_framing(s->hdr.data, s->hdr.len, &f);
	if (f.chunked) {
		s->st = ST_CHUNK_SIZE;
		ent_buf_reset(&s->line);
		return ENT_OK;
	}
	if (f.have_cl && f.cl > 0) {
		s->st = ST_BODY;
		s->left = f.cl;
		return ENT_OK;
	}
	return finish(s, sink);
}

/*
 * Appends bytes up to and including the next LF of p[0..len) to b.
 * *used gets the bytes taken; returns 1 when a line was completed, 0 when
 * more is needed, ENT_ELIMIT / ENT_ENOMEM.
 */
static int take_line(struct ent_buf *b, const uint8_t *p, size_t len, size_t *used)
{
	const uint8_t *nl = memchr(p, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - p) + 1 : len;
	int rc = ent_buf_append(b, p, n);

	*used = n;
	if (rc != ENT_OK)
		return rc;
	return nl != NULL ? 1 : 0;
}

/* Length of the last line in b without its CR LF. */
static size_t last_line_len(const struct ent_buf *b)
{
	size_t end = b->len, start;

	if (end > 0 && b->data[end - 1] == '\n')
		end--;
	if (end > 0 && b->data[end - 1] == '\r')
		end--;
	start = end;
	while (start > 0 && b->data[start - 1] != '\n')
		start--;
	return end - start;
}

static bool parse_chunk_size(const char *l, size_t n, uint64_t *size)
{
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	for (; i < n && isxdigit((unsigned char)l[i]); i++, digits++) {
		if (v > (UINT64_MAX >> 4))
			return false;
		v = (v << 4) | (uint64_t)(isdigit((unsigned char)l[i])
		                              ? l[i] - '0'
		                              : (tolower((unsigned char)l[i]) - 'a' + 10));
	}
	if (digits == 0)
		return false;
	*size = v;
	return true;
}

int ent_http_stream_feed(struct ent_http_stream *s, const uint8_t *p, size_t len,
                         const struct ent_obs_sink *sink)
{
	size_t used;
	int rc = ENT_OK, r;

	if (s == NULL)
		return ENT_EINVAL;
	while (len > 0 && !s->done && rc == ENT_OK) {
		switch (s->st) {
		case ST_START:
			if (s->hdr.len == 0) {
				if (len > 3 && p[0] == '\r' && p[1] == '\n') {
					p += 2;
					len -= 2;
				}
				if (p[0] < 0x20 || p[0] > 0x7e)
					goto skip_rest;
			}
			r = take_line(&s->hdr, p, len, &used);
			if (r < 0) {
				if (r != ENT_ELIMIT)
					return r;
				goto skip_rest; /* no line end in sight: not HTTP */
			}
			p += used;
			len -= used;
			s->kind = classify(s->hdr.data,
			                   r == 1 ? last_line_len(&s->hdr) : s->hdr.len, r == 1);
			if (s->kind == MK_NONE)
				goto skip_rest;
			if (r == 1) {
				s->st = ST_HEADERS;
				s->misses = 0;
				if (s->kind == MK_REQUEST)
					s->seen_request = true;
			}
			break;
		case ST_HEADERS:
			r = take_line(&s->hdr, p, len, &used);
			if (r < 0) {
				if (r == ENT_ELIMIT)
					s->done = true;
				return r;
			}
			p += used;
			len -= used;
			if (r == 1 && last_line_len(&s->hdr) == 0)
				rc = headers_done(s, sink);
			break;
		case ST_BODY:
		case ST_CHUNK_DATA:
			used = s->left < len ? (size_t)s->left : len;
			s->left -= used;
			p += used;
			len -= used;
			if (s->left == 0) {
				if (s->st == ST_BODY) {
					rc = finish(s, sink);
				} else {
					s->st = ST_CHUNK_SIZE;
					ent_buf_reset(&s->line);
				}
			}
			break;
		case ST_CHUNK_SIZE:
		case ST_TRAILER:
			r = take_line(&s->line, p, len, &used);
			if (r < 0) {
				/* an absurd chunk line: report what we have, resynchronise */
				rc = finish(s, sink);
				goto skip_rest;
			}
			p += used;
			len -= used;
			if (r == 0)
				break;
			if (s->st == ST_TRAILER) {
				if (last_line_len(&s->line) == 0)
					rc = finish(s, sink);
				ent_buf_reset(&s->line);
				break;
			} else {
				uint64_t size;

				if (!parse_chunk_size(s->line.data, last_line_len(&s->line),
				                      &size)) {
					rc = finish(s, sink);
					goto skip_rest;
				}
				ent_buf_reset(&s->line);
				if (size == 0) {
					s->st = ST_TRAILER;
				} else {
					s->st = ST_CHUNK_DATA;
					s->left = size + 2;
				}
			}
			break;
		}
	}
	return rc;

skip_rest:
	/* tshark: the rest of this PDU is continuation data */
	ent_buf_reset(&s->hdr);
	s->st = ST_START;
	s->kind = MK_NONE;
	if (++s->misses >= MAX_MISSES && !s->seen_request)
		s->done = true;
	return rc;
}

int ent_http_datagram_parse(const uint8_t *p, size_t len, const struct ent_obs_sink *sink)
{
	const char *nl;
	size_t n;
	bool connect = false;

	if (p == NULL || len == 0 || p[0] < 0x20 || p[0] > 0x7e)
		return ENT_EPARSE;
	nl = memchr(p, '\n', len);
	n = nl != NULL ? (size_t)(nl - (const char *)p) : len;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (classify((const char *)p, n, true) != MK_REQUEST)
		return ENT_EPARSE;
	if (len > ENT_HTTP_HEADER_MAX)
		len = ENT_HTTP_HEADER_MAX;
	return report((const char *)p, len, sink, &connect);
}
