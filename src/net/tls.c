/*
 * tls.c - TLS record and handshake reassembly for the hellos (see tls.h).
 *
 * A stream is a small state machine over the bytes of one direction:
 *
 *   RECORD HEADER --5 bytes--> RECORD BODY --body consumed--> RECORD HEADER
 *                                  |
 *                 handshake (22) bodies are concatenated and cut into
 *                 handshake messages: 4-byte header, then the body, which
 *                 is buffered only for ClientHello (1) and ServerHello (2)
 *                 and skipped by counting otherwise.
 *
 * The stream is done (stream_done) when the first record is not a handshake
 * record, a record header is not TLS, an application-data or alert record
 * arrives (everything after is encrypted), a hello is malformed or longer
 * than ENT_TLS_HELLO_MAX, or, after a ChangeCipherSpec, the next handshake
 * record does not open with a plausible second ClientHello (TLS 1.3 after a
 * HelloRetryRequest; a TLS 1.2 encrypted Finished must not be read as a
 * hello). Invariants: the hello buffer never holds more than
 * ENT_TLS_HELLO_MAX bytes; every length read from the wire is checked
 * against the bytes present before it is used.
 */
#include "net/tls.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "net/ja.h"

#define REC_CHANGE_CIPHER_SPEC 20
#define REC_ALERT              21
#define REC_HANDSHAKE          22
#define REC_APPLICATION_DATA   23
#define REC_HEARTBEAT          24
/* TLSCiphertext.length may not exceed 2^14 + 2048 (RFC 5246 section 6.2.3). */
#define REC_MAX_LEN (16384u + 2048u)

#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2

/* Longest value we build for an SNI (bytes of the name, escaped). */
#define SNI_VALUE_MAX  (256u * 1024u)
#define JA3_STRING_MAX (512u * 1024u)

struct ent_tls_stream {
	uint8_t rec_hdr[5];
	uint8_t rec_hdr_len; /* bytes of rec_hdr filled */
	uint8_t rec_type;    /* content type of the current record */
	uint32_t rec_left;   /* body bytes of the current record still to come */
	uint8_t hs_hdr[4];
	uint8_t hs_hdr_len; /* bytes of hs_hdr filled */
	uint8_t hs_type;    /* type of the current handshake message */
	uint32_t hs_left;   /* body bytes of the current message still to come */
	bool hs_keep;       /* buffering this message (a hello) */
	bool seen_record;   /* a record header was accepted */
	bool after_ccs;     /* a ChangeCipherSpec went by */
	bool check_record;  /* after_ccs: vet the next handshake message */
	bool vet_hello;     /* the hello being buffered came after a ChangeCipherSpec */
	bool hello_ready;   /* hello holds a complete hello, reported at the record's end */
	uint8_t hello_type; /* its handshake type */
	bool done;
	struct ent_buf hello; /* body of the hello being reassembled */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void emit(const struct ent_obs_sink *sink, const char *where, enum ent_obs_kind kind,
                 const char *value, const char *detail)
{
	struct ent_obs o = {where, kind, value, detail};

	if (sink != NULL && sink->emit != NULL)
		sink->emit(sink->ctx, &o);
}

struct ent_tls_stream *ent_tls_stream_new(void)
{
	struct ent_tls_stream *s = calloc(1, sizeof(*s));

	if (s != NULL)
		ent_buf_init(&s->hello, ENT_TLS_HELLO_MAX);
	return s;
}

void ent_tls_stream_free(struct ent_tls_stream *s)
{
	if (s == NULL)
		return;
	ent_buf_free(&s->hello);
	free(s);
}

bool ent_tls_stream_done(const struct ent_tls_stream *s)
{
	return s == NULL || s->done;
}

bool ent_tls_looks_like(const uint8_t *p, size_t len)
{
	if (len < 3)
		return false;
	/* handshake record, SSL 3.0 .. TLS 1.3 record versions */
	if (p[0] != REC_HANDSHAKE || p[1] != 3 || p[2] > 4)
		return false;
	if (len >= 5 && (get16(p + 3) == 0 || get16(p + 3) > REC_MAX_LEN))
		return false;
	/* a ClientHello or ServerHello first, if we can see it */
	if (len >= 6 && p[5] != HS_CLIENT_HELLO && p[5] != HS_SERVER_HELLO)
		return false;
	return true;
}

/*
 * Splits a hello body into the fields JA3/JA4 use. An extensions block
 * whose length overruns the body is cut to the body (tshark reads what is
 * there). ENT_EPARSE when the fixed part does not fit.
 */
static int hello_fields(const uint8_t *b, size_t len, bool client, struct ent_ja_hello *h)
{
	size_t off, n;

	memset(h, 0, sizeof(*h));
	if (len < 35)
		return ENT_EPARSE;
	h->version = get16(b);
	off = 34; /* version + random */
	n = b[off++];
	if (n > len - off)
		return ENT_EPARSE;
	off += n;
	if (client) {
		if (len - off < 2)
			return ENT_EPARSE;
		n = get16(b + off);
		off += 2;
		if (n > len - off)
			return ENT_EPARSE;
		h->ciphers = b + off;
		h->ciphers_len = n;
		off += n;
		if (len - off < 1)
			return ENT_EPARSE;
		n = b[off++];
		if (n > len - off)
			return ENT_EPARSE;
		off += n;
	} else {
		if (len - off < 3)
			return ENT_EPARSE;
		h->ciphers = b + off;
		h->ciphers_len = 2;
		off += 3; /* cipher_suite + compression_method */
	}
	if (len - off >= 2) {
		n = get16(b + off);
		off += 2;
		h->exts = b + off;
		h->exts_len = n <= len - off ? n : len - off;
	}
	return ENT_OK;
}

/*
 * The SNI as tshark shows a string field read as ASCII: bytes >= 0x80
 * become U+FFFD, the value ends at a NUL.
 */
static int sni_value(struct ent_buf *out, const uint8_t *p, size_t n)
{
	int rc = ENT_OK;

	for (size_t i = 0; i < n && rc == ENT_OK && p[i] != 0; i++) {
		if (p[i] >= 0x80)
			rc = ent_buf_append(out, "\xef\xbf\xbd", 3);
		else
			rc = ent_buf_append(out, &p[i], 1);
	}
	return rc;
}

static int emit_sni(const struct ent_ja_hello *h, const char *transport,
                    const struct ent_obs_sink *sink)
{
	const uint8_t *p = h->exts;
	size_t left = h->exts_len;
	struct ent_buf v;
	int rc = ENT_OK;

	ent_buf_init(&v, SNI_VALUE_MAX);
	while (p != NULL && left >= 4 && rc == ENT_OK) {
		uint16_t type = get16(p);
		size_t n = get16(p + 2), list, off;

		if (n > left - 4)
			break;
		if (type == 0 && n >= 2) {
			list = get16(p + 4);
			if (list > n - 2)
				list = n - 2;
			off = 0;
			while (list - off >= 3 && rc == ENT_OK) {
				const uint8_t *e = p + 6 + off;
				size_t nl = get16(e + 1);

				if (nl > list - off - 3)
					break;
				if (e[0] == 0) {
					ent_buf_reset(&v);
					rc = sni_value(&v, e + 3, nl);
					if (rc == ENT_OK)
						emit(sink, "tls.sni", ENT_OBS_DOMAIN,
						     v.data ? v.data : "", transport);
				}
				off += 3 + nl;
			}
		}
		p += 4 + n;
		left -= 4 + n;
	}
	ent_buf_free(&v);
	return rc;
}

int ent_tls_client_hello_parse(const uint8_t *body, size_t len, const char *transport,
                               const struct ent_obs_sink *sink)
{
	struct ent_ja_hello h;
	struct ent_buf s;
	char md5[ENT_JA3_HEX_SIZE], ja4[ENT_JA4_SIZE];
	bool quic = transport != NULL && strcmp(transport, "quic") == 0;
	int rc;

	if (transport == NULL)
		transport = "tcp";
	rc = hello_fields(body, len, true, &h);
	if (rc != ENT_OK)
		return rc;
	ent_buf_init(&s, JA3_STRING_MAX);
	rc = ent_ja3_string(&h, &s);
	if (rc == ENT_OK)
		rc = ent_ja4(&h, quic, ja4);
	if (rc == ENT_OK)
		rc = emit_sni(&h, transport, sink);
	if (rc == ENT_OK) {
		ent_ja_md5_hex(s.data, s.len, md5);
		emit(sink, "tls.ja3", ENT_OBS_JA3, md5, transport);
		emit(sink, "tls.ja3_full", ENT_OBS_NONE, s.data, transport);
		emit(sink, "tls.ja4", ENT_OBS_JA4, ja4, transport);
	}
	ent_buf_free(&s);
	return rc == ENT_ELIMIT ? ENT_EPARSE : rc;
}

int ent_tls_server_hello_parse(const uint8_t *body, size_t len, const char *transport,
                               const struct ent_obs_sink *sink)
{
	struct ent_ja_hello h;
	struct ent_buf s;
	char md5[ENT_JA3_HEX_SIZE];
	int rc;

	if (transport == NULL)
		transport = "tcp";
	rc = hello_fields(body, len, false, &h);
	if (rc != ENT_OK)
		return rc;
	ent_buf_init(&s, JA3_STRING_MAX);
	rc = ent_ja3s_string(&h, &s);
	if (rc == ENT_OK) {
		ent_ja_md5_hex(s.data, s.len, md5);
		emit(sink, "tls.ja3s", ENT_OBS_JA3, md5, transport);
		emit(sink, "tls.ja3s_full", ENT_OBS_NONE, s.data, transport);
	}
	ent_buf_free(&s);
	return rc == ENT_ELIMIT ? ENT_EPARSE : rc;
}

static int hello_flush(struct ent_tls_stream *s, const struct ent_obs_sink *sink);

/* A complete handshake message header is in s->hs_hdr: decide what to do with the body. */
static int hs_begin(struct ent_tls_stream *s, const struct ent_obs_sink *sink)
{
	uint32_t n = ((uint32_t)s->hs_hdr[1] << 16) | ((uint32_t)s->hs_hdr[2] << 8) | s->hs_hdr[3];

	s->hs_type = s->hs_hdr[0];
	s->hs_left = n;
	s->hs_keep = false;
	if (s->check_record) {
		/* after ChangeCipherSpec only a hello after a HelloRetryRequest is plausible */
		s->check_record = false;
		if ((s->hs_type != HS_CLIENT_HELLO && s->hs_type != HS_SERVER_HELLO) || n < 35 ||
		    n > ENT_TLS_HELLO_MAX) {
			s->done = true;
			return ENT_OK;
		}
		s->vet_hello = true;
	}
	if (s->hs_type == HS_CLIENT_HELLO || s->hs_type == HS_SERVER_HELLO) {
		int rc = hello_flush(s, sink); /* two hellos in one record */

		if (rc != ENT_OK || s->done)
			return rc;
		if (n > ENT_TLS_HELLO_MAX) {
			s->done = true; /* a hello this large is a limit we do not cross */
			return ENT_ELIMIT;
		}
		s->hs_keep = true;
		ent_buf_reset(&s->hello);
	}
	return ENT_OK;
}

/* Parses and reports the buffered hello (at the end of the record that completed it). */
static int hello_flush(struct ent_tls_stream *s, const struct ent_obs_sink *sink)
{
	const uint8_t *b = (const uint8_t *)s->hello.data;
	size_t n = s->hello.len;
	int rc = ENT_OK;

	if (!s->hello_ready)
		return ENT_OK;
	s->hello_ready = false;
	if (s->vet_hello) {
		/* an encrypted Finished that happens to look like a hello header */
		s->vet_hello = false;
		if (n < 2 || b[0] != 3 || b[1] > 4) {
			s->done = true;
			ent_buf_reset(&s->hello);
			return ENT_OK;
		}
	}
	if (s->hello_type == HS_CLIENT_HELLO)
		rc = ent_tls_client_hello_parse(b, n, "tcp", sink);
	else
		rc = ent_tls_server_hello_parse(b, n, "tcp", sink);
	ent_buf_reset(&s->hello);
	if (rc != ENT_OK)
		s->done = true;
	return rc;
}

/*
 * The body of the current handshake message is complete. A hello is
 * reported when its record ends, as tshark reports it once the record is
 * reassembled.
 */
static int hs_end(struct ent_tls_stream *s)
{
	s->hs_hdr_len = 0;
	if (!s->hs_keep)
		return ENT_OK;
	s->hs_keep = false;
	s->hello_ready = true;
	s->hello_type = s->hs_type;
	return ENT_OK;
}

/* Consumes n bytes of handshake-record payload. */
static int hs_consume(struct ent_tls_stream *s, const uint8_t *p, size_t n,
                      const struct ent_obs_sink *sink)
{
	int rc = ENT_OK;

	while (n > 0 && !s->done && rc == ENT_OK) {
		if (s->hs_hdr_len < 4) {
			size_t k = 4u - s->hs_hdr_len;

			if (k > n)
				k = n;
			memcpy(s->hs_hdr + s->hs_hdr_len, p, k);
			s->hs_hdr_len += (uint8_t)k;
			p += k;
			n -= k;
			if (s->hs_hdr_len == 4) {
				rc = hs_begin(s, sink);
				if (rc == ENT_OK && !s->done && s->hs_left == 0)
					rc = hs_end(s);
			}
			continue;
		}
		size_t k = s->hs_left < n ? s->hs_left : n;

		if (s->hs_keep) {
			rc = ent_buf_append(&s->hello, p, k);
			if (rc != ENT_OK) {
				s->done = true;
				break;
			}
		}
		s->hs_left -= (uint32_t)k;
		p += k;
		n -= k;
		if (s->hs_left == 0)
			rc = hs_end(s);
	}
	return rc;
}

/* A complete record header is in s->rec_hdr. */
static int rec_begin(struct ent_tls_stream *s)
{
	uint8_t type = s->rec_hdr[0];
	uint16_t len = get16(s->rec_hdr + 3);

	if (s->rec_hdr[1] != 3 || s->rec_hdr[2] > 4 || len > REC_MAX_LEN ||
	    (!s->seen_record && type != REC_HANDSHAKE)) {
		s->done = true;
		return ENT_EPARSE;
	}
	s->seen_record = true;
	s->rec_type = type;
	s->rec_left = len;
	switch (type) {
	case REC_HANDSHAKE:
		if (s->after_ccs && s->hs_hdr_len == 0)
			s->check_record = true;
		return ENT_OK;
	case REC_CHANGE_CIPHER_SPEC:
		s->after_ccs = true;
		return ENT_OK;
	case REC_HEARTBEAT:
		return ENT_OK;
	case REC_ALERT:
	case REC_APPLICATION_DATA:
		s->done = true;
		return ENT_OK;
	default:
		s->done = true;
		return ENT_EPARSE;
	}
}

int ent_tls_stream_feed(struct ent_tls_stream *s, const uint8_t *p, size_t len,
                        const struct ent_obs_sink *sink)
{
	int rc = ENT_OK;

	if (s == NULL)
		return ENT_EINVAL;
	while (len > 0 && !s->done && rc == ENT_OK) {
		if (s->rec_hdr_len < 5) {
			size_t k = 5u - s->rec_hdr_len;

			if (k > len)
				k = len;
			memcpy(s->rec_hdr + s->rec_hdr_len, p, k);
			s->rec_hdr_len += (uint8_t)k;
			p += k;
			len -= k;
			if (s->rec_hdr_len == 5) {
				rc = rec_begin(s);
				if (rc == ENT_OK && s->rec_left == 0)
					s->rec_hdr_len = 0;
			}
			continue;
		}
		size_t k = s->rec_left < len ? s->rec_left : len;

		if (s->rec_type == REC_HANDSHAKE)
			rc = hs_consume(s, p, k, sink);
		s->rec_left -= (uint32_t)k;
		p += k;
		len -= k;
		if (s->rec_left == 0) {
			s->rec_hdr_len = 0;
			if (rc == ENT_OK)
				rc = hello_flush(s, sink);
		}
	}
	if (rc == ENT_ELIMIT)
		rc = ENT_EPARSE;
	return rc;
}
