/*
 * test_tls.c - TLS hello parsing, JA3 / JA3S / JA4.
 *
 * Crafted hellos (GREASE, SNI or none, split over segments and records,
 * HelloRetryRequest, ChangeCipherSpec followed by encrypted data), the JA4
 * hash examples of FoxIO's specification, and, when the corpus is present,
 * every tls.* row of the tshark truth of the TLS captures, found by walking
 * the captures with libpcap and a small in-test Ethernet/IP/TCP decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "net/ja.h"
#include "net/tls.h"
#include "obs_rows.h"
#include "testutil.h"

static const char *rows_find(const struct rows *rs, const char *where)
{
	size_t wl = strlen(where);

	for (size_t i = 0; i < rs->n; i++)
		if (strncmp(rs->r[i], where, wl) == 0 && rs->r[i][wl] == '\t')
			return rs->r[i] + wl + 1;
	return NULL;
}

/* ---- building hellos ---- */

struct bytes {
	uint8_t b[4096];
	size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	if (n > 0)
		memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put8(struct bytes *o, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(o, &b, 1);
}

static void put16(struct bytes *o, unsigned v)
{
	put8(o, v >> 8);
	put8(o, v);
}

static void put_ext(struct bytes *o, unsigned type, const void *body, size_t n)
{
	put16(o, type);
	put16(o, (unsigned)n);
	put(o, body, n);
}

/* A ClientHello body: GREASE cipher and extension, SNI when sni != NULL. */
static void client_hello(struct bytes *h, const char *sni)
{
	static const uint8_t groups[] = {0x00, 0x06, 0x2a, 0x2a, 0x00, 0x1d, 0x00, 0x17};
	static const uint8_t pf[] = {0x01, 0x00};
	static const uint8_t sig[] = {0x00, 0x06, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01};
	static const uint8_t alpn[] = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h',
	                               't',  't',  'p',  '/', '1', '.',  '1'};
	static const uint8_t sv[] = {0x06, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03};
	static const uint8_t pad[] = {0, 0, 0};
	struct bytes e = {.n = 0};
	uint8_t rnd[32] = {0};

	h->n = 0;
	put16(h, 0x0303);
	put(h, rnd, 32);
	put8(h, 0); /* session id */
	put16(h, 10);
	put16(h, 0x0a0a);
	put16(h, 0x1301);
	put16(h, 0x1302);
	put16(h, 0xc02b);
	put16(h, 0x002f);
	put8(h, 1);
	put8(h, 0);
	put_ext(&e, 0x1a1a, NULL, 0);
	if (sni != NULL) {
		struct bytes s = {.n = 0};

		put16(&s, (unsigned)strlen(sni) + 3);
		put8(&s, 0);
		put16(&s, (unsigned)strlen(sni));
		put(&s, sni, strlen(sni));
		put_ext(&e, 0x0000, s.b, s.n);
	}
	put_ext(&e, 0x000a, groups, sizeof(groups));
	put_ext(&e, 0x000b, pf, sizeof(pf));
	put_ext(&e, 0x000d, sig, sizeof(sig));
	put_ext(&e, 0x0010, alpn, sizeof(alpn));
	put_ext(&e, 0x002b, sv, sizeof(sv));
	put_ext(&e, 0x0015, pad, sizeof(pad));
	put16(h, (unsigned)e.n);
	put(h, e.b, e.n);
}

/* A ServerHello body: TLS 1.3 style, cipher 0x1302, key_share + supported_versions. */
static void server_hello(struct bytes *h, uint8_t rnd0)
{
	static const uint8_t sv[] = {0x03, 0x04};
	static const uint8_t ks[] = {0x00, 0x1d, 0x00, 0x00};
	uint8_t rnd[32] = {rnd0};

	h->n = 0;
	put16(h, 0x0303);
	put(h, rnd, 32);
	put8(h, 0);
	put16(h, 0x1302);
	put8(h, 0);
	put16(h, 16);
	put_ext(h, 0x002b, sv, sizeof(sv));
	put_ext(h, 0x0033, ks, sizeof(ks));
}

/* Wraps a hello body into a handshake message inside one record. */
static void record(struct bytes *o, unsigned hs_type, const struct bytes *body)
{
	put8(o, 22);
	put16(o, 0x0301);
	put16(o, (unsigned)body->n + 4);
	put8(o, hs_type);
	put8(o, (unsigned)(body->n >> 16));
	put16(o, (unsigned)body->n & 0xffff);
	put(o, body->b, body->n);
}

static const char *const CH_JA3 = "771,4865-4866-49195-47,0-10-11-13-16-43-21,29-23,0";

static void check_client_rows(const struct rows *rs, bool sni)
{
	char ja4[ENT_JA4_SIZE], hb[13], hc[13];
	const char *v;

	ent_ja4_hash12("002f,1301,1302,c02b", 19, hb);
	ent_ja4_hash12("000a,000b,000d,0015,002b_0403,0804,0401", 39, hc);
	snprintf(ja4, sizeof(ja4), "t13%c04%02dh2_%s_%s", sni ? 'd' : 'i', sni ? 7 : 6, hb, hc);

	assert_int_equal(rs->n, sni ? 4 : 3);
	v = rows_find(rs, "tls.sni");
	if (sni)
		assert_string_equal(v, "example.com\ttcp");
	else
		assert_null(v);
	v = rows_find(rs, "tls.ja3_full");
	assert_non_null(v);
	if (sni) {
		assert_string_equal(v, "771,4865-4866-49195-47,0-10-11-13-16-43-21,29-23,0\ttcp");
		/* md5 computed independently (Python hashlib) */
		assert_string_equal(rows_find(rs, "tls.ja3"),
		                    "6f1b03bc8d57ccbae353d5786ecc1104\ttcp");
	} else {
		assert_string_equal(v, "771,4865-4866-49195-47,10-11-13-16-43-21,29-23,0\ttcp");
		assert_string_equal(rows_find(rs, "tls.ja3"),
		                    "008eb47787e8e165bbfc1f799b194704\ttcp");
	}
	v = rows_find(rs, "tls.ja4");
	assert_non_null(v);
	assert_int_equal(strncmp(v, ja4, strlen(ja4)), 0);
}

static void test_ja4_spec_hashes(void **state)
{
	char h[13];
	const char *ext = "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01";
	char buf[256];

	(void)state;
	/* the examples of FoxIO's JA4 technical details */
	ent_ja4_hash12("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9",
	               74, h);
	assert_string_equal(h, "8daaf6152771");
	snprintf(buf, sizeof(buf), "%s_0403,0804,0401,0503,0805,0501,0806,0601", ext);
	ent_ja4_hash12(buf, strlen(buf), h);
	assert_string_equal(h, "e5627efa2ab1");
	ent_ja4_hash12(ext, strlen(ext), h);
	assert_string_equal(h, "6d807ffa2a79");
	ent_ja4_hash12("", 0, h);
	assert_string_equal(h, "000000000000");
	assert_true(ent_ja_is_grease(0x0a0a));
	assert_true(ent_ja_is_grease(0xfafa));
	assert_false(ent_ja_is_grease(0x0a1a));
	assert_false(ent_ja_is_grease(0x1301));
}

static void test_client_hello_whole(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct bytes ch, rec = {.n = 0};
	struct ent_tls_stream *s = ent_tls_stream_new();

	(void)state;
	client_hello(&ch, "example.com");
	record(&rec, 1, &ch);
	assert_true(ent_tls_looks_like(rec.b, rec.n));
	assert_int_equal(ent_tls_stream_feed(s, rec.b, rec.n, &sink), 0);
	check_client_rows(&rs, true);
	assert_false(ent_tls_stream_done(s)); /* a second ClientHello may follow an HRR */
	ent_tls_stream_free(s);
	rows_free(&rs);
	(void)CH_JA3;
}

static void test_client_hello_no_sni(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct bytes ch;

	(void)state;
	client_hello(&ch, NULL);
	assert_int_equal(ent_tls_client_hello_parse(ch.b, ch.n, "tcp", &sink), 0);
	check_client_rows(&rs, false);
	rows_free(&rs);
}

static void test_client_hello_byte_by_byte(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct bytes ch, rec = {.n = 0};
	struct ent_tls_stream *s = ent_tls_stream_new();

	(void)state;
	client_hello(&ch, "example.com");
	record(&rec, 1, &ch);
	for (size_t i = 0; i < rec.n; i++) {
		assert_int_equal(ent_tls_stream_feed(s, rec.b + i, 1, &sink), 0);
		if (i + 1 < rec.n)
			assert_int_equal(rs.n, 0); /* nothing before the record is complete */
	}
	check_client_rows(&rs, true);
	ent_tls_stream_free(s);
	rows_free(&rs);
}

/* The handshake message spread over three records, fed in odd-sized pieces. */
static void test_client_hello_split_records(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct bytes ch, msg = {.n = 0}, out = {.n = 0};
	struct ent_tls_stream *s = ent_tls_stream_new();
	size_t cuts[] = {0, 7, 60, 0};

	(void)state;
	client_hello(&ch, "example.com");
	put8(&msg, 1);
	put8(&msg, 0);
	put16(&msg, (unsigned)ch.n);
	put(&msg, ch.b, ch.n);
	cuts[3] = msg.n;
	for (int i = 0; i < 3; i++) {
		put8(&out, 22);
		put16(&out, 0x0303);
		put16(&out, (unsigned)(cuts[i + 1] - cuts[i]));
		put(&out, msg.b + cuts[i], cuts[i + 1] - cuts[i]);
	}
	for (size_t off = 0; off < out.n; off += 13) {
		size_t n = out.n - off < 13 ? out.n - off : 13;

		assert_int_equal(ent_tls_stream_feed(s, out.b + off, n, &sink), 0);
	}
	check_client_rows(&rs, true);
	ent_tls_stream_free(s);
	rows_free(&rs);
}

static void test_server_hello_and_hrr(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct bytes sh, out = {.n = 0};
	struct ent_tls_stream *s = ent_tls_stream_new();
	static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
	static const uint8_t app[] = {23, 3, 3, 0, 2, 0xde, 0xad};

	(void)state;
	server_hello(&sh, 0xcf); /* HelloRetryRequest */
	record(&out, 2, &sh);
	put(&out, ccs, sizeof(ccs));
	server_hello(&sh, 0x11); /* the ServerHello */
	record(&out, 2, &sh);
	put(&out, app, sizeof(app));
	assert_int_equal(ent_tls_stream_feed(s, out.b, out.n, &sink), 0);
	assert_int_equal(rs.n, 4);
	/* "771,4866,43-51" and its MD5 as in the tshark truth of sv-bug-5758-tls13.pcap */
	assert_string_equal(rs.r[0], "tls.ja3s\t15af977ce25de452b96affa2addb1036\ttcp");
	assert_string_equal(rs.r[1], "tls.ja3s_full\t771,4866,43-51\ttcp");
	assert_string_equal(rs.r[2], rs.r[0]);
	assert_true(ent_tls_stream_done(s));
	ent_tls_stream_free(s);
	rows_free(&rs);
}

/* After ChangeCipherSpec, an encrypted Finished in a handshake record is not a hello. */
static void test_encrypted_after_ccs(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct bytes ch, out = {.n = 0};
	struct ent_tls_stream *s = ent_tls_stream_new();
	static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
	uint8_t fin[5 + 40];

	(void)state;
	client_hello(&ch, "example.com");
	record(&out, 1, &ch);
	put(&out, ccs, sizeof(ccs));
	fin[0] = 22, fin[1] = 3, fin[2] = 3, fin[3] = 0, fin[4] = 40;
	for (int i = 0; i < 40; i++)
		fin[5 + i] = (uint8_t)(i == 0 ? 1 : 0x5a + i); /* type 1, then noise */
	put(&out, fin, sizeof(fin));
	assert_int_equal(ent_tls_stream_feed(s, out.b, out.n, &sink), 0);
	assert_int_equal(rs.n, 4); /* only the real ClientHello */
	assert_true(ent_tls_stream_done(s));
	ent_tls_stream_free(s);
	rows_free(&rs);
}

static void test_not_tls_and_truncated(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct ent_tls_stream *s = ent_tls_stream_new();
	struct bytes ch;

	(void)state;
	assert_false(ent_tls_looks_like((const uint8_t *)get, sizeof(get) - 1));
	assert_int_equal(ent_tls_stream_feed(s, (const uint8_t *)get, sizeof(get) - 1, &sink),
	                 ENT_EPARSE);
	assert_true(ent_tls_stream_done(s));
	assert_int_equal(ent_tls_stream_feed(s, (const uint8_t *)get, 4, &sink), 0);
	ent_tls_stream_free(s);
	ent_tls_stream_free(NULL);

	/* every truncation of a ClientHello body: no crash, no rows unless complete */
	client_hello(&ch, "example.com");
	for (size_t n = 0; n < 40; n++)
		assert_int_equal(ent_tls_client_hello_parse(ch.b, n, "tcp", &sink), ENT_EPARSE);
	for (size_t n = 40; n < ch.n; n++)
		(void)ent_tls_client_hello_parse(ch.b, n, "tcp", &sink);
	rows_free(&rs);

	/* a hello longer than the limit ends the stream */
	s = ent_tls_stream_new();
	{
		uint8_t big[] = {22, 3, 1, 0x40, 0x00, 1, 0x10, 0x00, 0x00};

		assert_int_equal(ent_tls_stream_feed(s, big, sizeof(big), &sink), ENT_EPARSE);
		assert_true(ent_tls_stream_done(s));
	}
	ent_tls_stream_free(s);
	assert_int_equal(rs.n, 0);
}

/* ---- corpus: walk captures, feed TCP payloads per direction, compare with truth ---- */

struct tflow {
	uint8_t key[36];
	size_t klen;
	uint32_t next;
	bool have_seq;
	struct ent_tls_stream *tls;
};

struct walk {
	struct tflow f[512];
	size_t nf;
	struct rows rows;
	struct ent_obs_sink sink;
};

static struct tflow *tflow_get(struct walk *w, const uint8_t *key, size_t klen)
{
	for (size_t i = 0; i < w->nf; i++)
		if (w->f[i].klen == klen && memcmp(w->f[i].key, key, klen) == 0)
			return &w->f[i];
	if (w->nf == sizeof(w->f) / sizeof(w->f[0]))
		return NULL;
	memset(&w->f[w->nf], 0, sizeof(w->f[0]));
	memcpy(w->f[w->nf].key, key, klen);
	w->f[w->nf].klen = klen;
	w->f[w->nf].tls = ent_tls_stream_new();
	return &w->f[w->nf++];
}

static void walk_tcp(struct walk *w, const uint8_t *src, const uint8_t *dst, size_t alen,
                     const uint8_t *p, size_t n)
{
	uint8_t key[36];
	struct tflow *f;
	uint32_t seq;
	size_t off;
	int32_t d;

	if (n < 20 || (off = (size_t)(p[12] >> 4) * 4) > n)
		return;
	memcpy(key, src, alen);
	memcpy(key + alen, dst, alen);
	memcpy(key + 2 * alen, p, 4);
	f = tflow_get(w, key, 2 * alen + 4);
	if (f == NULL)
		return;
	seq = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
	if (p[13] & 2) {
		f->next = seq + 1;
		f->have_seq = true;
		return;
	}
	p += off;
	n -= off;
	if (n == 0)
		return;
	if (!f->have_seq) {
		f->next = seq;
		f->have_seq = true;
	}
	d = (int32_t)(seq - f->next);
	if (d > 0)
		return; /* the captures used here are in order */
	if (d < 0) {
		if ((size_t)-d >= n)
			return;
		p += -d;
		n -= (size_t)-d;
	}
	f->next += (uint32_t)n;
	if (!ent_tls_stream_done(f->tls))
		(void)ent_tls_stream_feed(f->tls, p, n, &w->sink);
}

static void walk_ip(struct walk *w, const uint8_t *p, size_t n)
{
	if (n >= 20 && (p[0] >> 4) == 4) {
		size_t hl = (size_t)(p[0] & 15) * 4, tl = ((size_t)p[2] << 8) | p[3];

		if (tl > n)
			tl = n;
		if (hl < 20 || hl > tl || (((p[6] << 8) | p[7]) & 0x3fff) != 0)
			return;
		if (p[9] == 6)
			walk_tcp(w, p + 12, p + 16, 4, p + hl, tl - hl);
	} else if (n >= 40 && (p[0] >> 4) == 6) {
		size_t pl = ((size_t)p[4] << 8) | p[5];

		if (pl + 40 < n)
			n = pl + 40;
		if (p[6] == 6)
			walk_tcp(w, p + 8, p + 24, 16, p + 40, n - 40);
	}
}

static void walk_frame(struct walk *w, int dlt, const uint8_t *p, size_t n)
{
	size_t o = 14;
	unsigned et;

	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return;
		et = ((unsigned)p[12] << 8) | p[13];
		while ((et == 0x8100 || et == 0x88a8) && o + 4 <= n) {
			et = ((unsigned)p[o + 2] << 8) | p[o + 3];
			o += 4;
		}
		if (et == 0x0800 || et == 0x86dd)
			walk_ip(w, p + o, n - o);
		return;
	case DLT_NULL:
		if (n > 4)
			walk_ip(w, p + 4, n - 4);
		return;
	default: /* raw IP link types */
		walk_ip(w, p, n);
		return;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rows of the truth file whose type starts with prefix, as "frame\ttype\tvalue\tvalue2". */
static size_t truth_rows(const char *name, const char *prefix, char **out, size_t max)
{
	char path[512], *data, *line, *save = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "truth/%s.tsv", name);
	data = tu_read_file(tu_corpus(path), NULL);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || tab == NULL || strncmp(tab + 1, prefix, strlen(prefix)) != 0)
			continue;
		if (n < max)
			out[n++] = strdup(line);
	}
	free(data);
	return n;
}

static void check_capture(const char *name)
{
	char err[PCAP_ERRBUF_SIZE], path[256], *want[256];
	struct walk *w = calloc(1, sizeof(*w));
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;
	size_t nw, ng = 0;
	char *got[256];

	assert_non_null(w);
	w->sink = (struct ent_obs_sink){rows_emit, &w->rows};
	snprintf(path, sizeof(path), "pcap/%s", name);
	pc = pcap_open_offline(tu_corpus(path), err);
	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &d) == 1) {
		w->rows.frame++;
		walk_frame(w, pcap_datalink(pc), d, h->caplen);
	}
	pcap_close(pc);
	for (size_t i = 0; i < w->rows.n; i++)
		if (strstr(w->rows.r[i], "\ttls.ja4\t") == NULL && ng < 256)
			got[ng++] = w->rows.r[i];
	nw = truth_rows(name, "tls.", want, 256);
	assert_true(nw > 0);
	qsort(want, nw, sizeof(*want), cmp_str);
	qsort(got, ng, sizeof(*got), cmp_str);
	for (size_t i = 0; i < nw && i < ng; i++) {
		if (strcmp(want[i], got[i]) != 0)
			fail_msg("%s: want '%s' got '%s'", name, want[i], got[i]);
	}
	assert_int_equal(nw, ng);
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	for (size_t i = 0; i < w->nf; i++)
		ent_tls_stream_free(w->f[i].tls);
	rows_free(&w->rows);
	free(w);
}

static void test_corpus_truth(void **state)
{
	static const char *const caps[] = {
	    "nd-ja3_lots_of_cipher_suites.pcap",
	    "sv-tls-client-hello-frag-mtu300.pcap",
	    "nd-tls_with_huge_ch.pcapng",
	    "nd-tls_2_reasms.pcapng",
	    "sv-bug-5758-tls13.pcap",
	    "sv-community-id-ipv6.pcap",
	    "nd-tls_ech.pcapng",
	    "nd-tls_1.2_unidirectional_client.pcapng",
	    "nd-tls_1.3_unidirectional_client.pcapng",
	    "sv-linktype-228-tls.pcap",
	    "sv-tls-issuer-zero-null.pcap",
	    "sv-tls-pre-1970-rawip.pcap",
	    "nd-tls_port_80.pcapng",
	    "sv-tls-der-incomplete-header.pcap",
	};

	(void)state;
	if (!tu_have_corpus())
		skip();
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		check_capture(caps[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ja4_spec_hashes),
	    cmocka_unit_test(test_client_hello_whole),
	    cmocka_unit_test(test_client_hello_no_sni),
	    cmocka_unit_test(test_client_hello_byte_by_byte),
	    cmocka_unit_test(test_client_hello_split_records),
	    cmocka_unit_test(test_server_hello_and_hrr),
	    cmocka_unit_test(test_encrypted_after_ccs),
	    cmocka_unit_test(test_not_tls_and_truncated),
	    cmocka_unit_test(test_corpus_truth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
