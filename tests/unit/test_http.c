/*
 * test_http.c - HTTP/1.x request parsing.
 *
 * Crafted streams: pipelined requests with Content-Length and chunked
 * bodies fed whole and byte by byte, headers split over segments,
 * absolute-form and CONNECT targets, bodies without a length (skipped as
 * tshark skips them), non-HTTP bytes, the header limit, SSDP datagrams;
 * and, when the corpus is present, the http.* rows of the tshark truth of
 * the HTTP captures, found by walking them with libpcap.
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

#include "net/http.h"
#include "obs_rows.h"
#include "testutil.h"

static void check_rows(const struct rows *rs, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n && i < rs->n; i++)
		assert_string_equal(rs->r[i], want[i]);
	assert_int_equal(rs->n, n);
}

static int feed_str(struct ent_http_stream *s, const char *str, const struct ent_obs_sink *sink)
{
	return ent_http_stream_feed(s, (const uint8_t *)str, strlen(str), sink);
}

static const char PIPELINE[] =
    "GET /a?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: t/1.0\r\n\r\n"
    "POST /form HTTP/1.1\r\nHost: www.example.com:8080\r\nContent-Length: 11\r\n\r\n"
    "hello=world"
    "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost:  h.example \r\n\r\n"
    "5;ext=1\r\nGET /\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n"
    "\r\nGET http://proxy.example/p HTTP/1.0\r\nHost: other\r\n\r\n";

static const char *const PIPELINE_ROWS[] = {
    "http.host\twww.example.com\tGET",
    "http.request.uri\t/a?x=1\tGET",
    "http.request.full_uri\thttp://www.example.com/a?x=1\tGET",
    "http.user_agent\tt/1.0\tGET",
    "http.host\twww.example.com:8080\tPOST",
    "http.request.uri\t/form\tPOST",
    "http.request.full_uri\thttp://www.example.com:8080/form\tPOST",
    "http.host\th.example \tPUT",
    "http.request.uri\t/up\tPUT",
    "http.request.full_uri\thttp://h.example/up\tPUT",
    "http.host\tother\tGET",
    "http.request.uri\thttp://proxy.example/p\tGET",
    "http.request.full_uri\thttp://proxy.example/p\tGET",
};

static void test_pipeline_whole(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct ent_http_stream *s = ent_http_stream_new();

	(void)state;
	assert_true(ent_http_looks_like_request((const uint8_t *)PIPELINE, sizeof(PIPELINE) - 1));
	assert_int_equal(feed_str(s, PIPELINE, &sink), 0);
	check_rows(&rs, PIPELINE_ROWS, sizeof(PIPELINE_ROWS) / sizeof(PIPELINE_ROWS[0]));
	assert_false(ent_http_stream_done(s));
	ent_http_stream_free(s);
	rows_free(&rs);
}

/*
 * Byte by byte, each request is reported exactly when its last byte (end of
 * headers, of the body, of the chunked trailer) arrives.
 */
static void test_pipeline_byte_by_byte(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct ent_http_stream *s = ent_http_stream_new();
	const char *ends[] = {"t/1.0\r\n\r\n", "hello=world", "Trailer: x\r\n\r\n",
	                      "other\r\n\r\n"};
	size_t end_at[4], n = sizeof(PIPELINE) - 1, k = 0;
	size_t rows_after[4] = {4, 7, 10, 13};

	(void)state;
	for (int i = 0; i < 4; i++)
		end_at[i] = (size_t)(strstr(PIPELINE, ends[i]) - PIPELINE) + strlen(ends[i]);
	for (size_t i = 0; i < n; i++) {
		/* one byte per call would make tshark's "rest of the segment" rule
		 * drop nothing here: every message start is a request */
		assert_int_equal(ent_http_stream_feed(s, (const uint8_t *)PIPELINE + i, 1, &sink),
		                 0);
		if (k < 4 && i + 1 == end_at[k])
			k++;
		assert_int_equal(rs.n, k ? rows_after[k - 1] : 0);
	}
	check_rows(&rs, PIPELINE_ROWS, sizeof(PIPELINE_ROWS) / sizeof(PIPELINE_ROWS[0]));
	ent_http_stream_free(s);
	rows_free(&rs);
}

static void test_split_headers(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct ent_http_stream *s = ent_http_stream_new();
	static const char *const want[] = {
	    "http.host\tua.example\tGET",
	    "http.request.uri\t/t\tGET",
	    "http.request.full_uri\thttp://ua.example/t\tGET",
	    "http.user_agent\tMozilla/5.0 (X11)\tGET",
	};

	(void)state;
	assert_int_equal(
	    feed_str(s, "GET /t HTTP/1.1\r\nHost: ua.example\r\nUser-Agent: Moz", &sink), 0);
	assert_int_equal(rs.n, 0);
	assert_int_equal(feed_str(s, "illa/5.0 (X11)\r\n", &sink), 0);
	assert_int_equal(rs.n, 0);
	assert_int_equal(feed_str(s, "\r\n", &sink), 0);
	check_rows(&rs, want, 4);
	ent_http_stream_free(s);
	rows_free(&rs);
}

/* A body without Content-Length is not a request: tshark skips to the segment's end. */
static void test_unframed_body_and_junk(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct ent_http_stream *s = ent_http_stream_new();
	static const uint8_t bin[] = {0x16, 0x03, 0x01, 0x00, 0x10, 'G', 'E', 'T', ' '};

	(void)state;
	assert_int_equal(
	    feed_str(s,
	             "POST /i HTTP/1.1\r\nHost: a\r\n\r\nlogin=foo\r\nGET /no HTTP/1.1\r\n"
	             "Host: b\r\n\r\n",
	             &sink),
	    0);
	assert_int_equal(rs.n, 3); /* only the POST */
	assert_int_equal(feed_str(s, "GET /yes HTTP/1.1\r\nHost: c\r\n\r\n", &sink), 0);
	assert_int_equal(rs.n, 6);
	assert_string_equal(rs.r[4], "http.request.uri\t/yes\tGET");
	/* NOTIFY is a notification, not a request; "HTTP/" lines are responses */
	assert_int_equal(feed_str(s, "NOTIFY * HTTP/1.1\r\nHost: d\r\n\r\n", &sink), 0);
	assert_int_equal(feed_str(s, "HTTP/1.1 200 OK\r\nHost: e\r\n\r\n", &sink), 0);
	assert_int_equal(rs.n, 6);
	rows_free(&rs);
	ent_http_stream_free(s);

	/* a stream that never shows a request gives up */
	s = ent_http_stream_new();
	for (int i = 0; i < 16; i++)
		assert_int_equal(ent_http_stream_feed(s, bin, sizeof(bin), &sink), 0);
	assert_true(ent_http_stream_done(s));
	assert_false(ent_http_looks_like_request(bin, sizeof(bin)));
	ent_http_stream_free(s);
	ent_http_stream_free(NULL);
	assert_int_equal(rs.n, 0);
}

static void test_connect_and_limits(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct ent_http_stream *s = ent_http_stream_new();
	static const char *const want[] = {
	    "http.host\tmail.example:443\tCONNECT",
	    "http.request.uri\tmail.example:443\tCONNECT",
	    "http.request.full_uri\tmail.example:443\tCONNECT",
	};
	char *big;

	(void)state;
	assert_int_equal(
	    feed_str(s, "CONNECT mail.example:443 HTTP/1.1\r\nHost: mail.example:443\r\n\r\n",
	             &sink),
	    0);
	check_rows(&rs, want, 3);
	assert_true(ent_http_stream_done(s));
	assert_int_equal(feed_str(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &sink), 0);
	assert_int_equal(rs.n, 3);
	ent_http_stream_free(s);
	rows_free(&rs);

	/* a header block over the limit ends the stream */
	s = ent_http_stream_new();
	big = malloc(ENT_HTTP_HEADER_MAX + 64);
	assert_non_null(big);
	memset(big, 'a', ENT_HTTP_HEADER_MAX + 63);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	big[ENT_HTTP_HEADER_MAX + 63] = '\0';
	assert_int_equal(feed_str(s, big, &sink), ENT_ELIMIT);
	assert_true(ent_http_stream_done(s));
	free(big);
	ent_http_stream_free(s);
	assert_int_equal(rs.n, 0);
}

static void test_datagram(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	static const char ssdp[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
	                           "MAN: \"ssdp:discover\"\r\nMX: 1\r\n\r\n";
	static const char *const want[] = {
	    "http.host\t239.255.255.250:1900\tM-SEARCH",
	    "http.request.uri\t*\tM-SEARCH",
	    "http.request.full_uri\thttp://239.255.255.250:1900*\tM-SEARCH",
	};

	(void)state;
	assert_int_equal(ent_http_datagram_parse((const uint8_t *)ssdp, sizeof(ssdp) - 1, &sink),
	                 0);
	check_rows(&rs, want, 3);
	rows_free(&rs);
	assert_int_equal(
	    ent_http_datagram_parse((const uint8_t *)"NOTIFY * HTTP/1.1\r\n", 19, &sink),
	    ENT_EPARSE);
	assert_int_equal(rs.n, 0);
}

/* ---- corpus ---- */

struct hflow {
	uint8_t key[36];
	size_t klen;
	uint32_t next;
	bool have_seq;
	struct ent_http_stream *http;
};

struct walk {
	struct hflow f[256];
	size_t nf;
	struct rows rows;
	struct ent_obs_sink sink;
};

static void walk_tcp(struct walk *w, const uint8_t *src, const uint8_t *dst, size_t alen,
                     const uint8_t *p, size_t n)
{
	uint8_t key[36];
	struct hflow *f = NULL;
	uint32_t seq;
	size_t off;
	int32_t d;

	if (n < 20 || (off = (size_t)(p[12] >> 4) * 4) > n)
		return;
	memcpy(key, src, alen);
	memcpy(key + alen, dst, alen);
	memcpy(key + 2 * alen, p, 4);
	for (size_t i = 0; i < w->nf && f == NULL; i++)
		if (w->f[i].klen == 2 * alen + 4 && memcmp(w->f[i].key, key, 2 * alen + 4) == 0)
			f = &w->f[i];
	if (f == NULL) {
		if (w->nf == sizeof(w->f) / sizeof(w->f[0]))
			return;
		f = &w->f[w->nf++];
		memset(f, 0, sizeof(*f));
		memcpy(f->key, key, 2 * alen + 4);
		f->klen = 2 * alen + 4;
		f->http = ent_http_stream_new();
	}
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
		return;
	if (d < 0) {
		if ((size_t)-d >= n)
			return;
		p += -d;
		n -= (size_t)-d;
	}
	f->next += (uint32_t)n;
	if (!ent_http_stream_done(f->http))
		(void)ent_http_stream_feed(f->http, p, n, &w->sink);
}

static void walk_l4(struct walk *w, int proto, const uint8_t *src, const uint8_t *dst, size_t alen,
                    const uint8_t *p, size_t n)
{
	if (proto == 6) {
		walk_tcp(w, src, dst, alen, p, n);
	} else if (proto == 17 && n > 8 && ((((unsigned)p[2] << 8) | p[3]) == 1900)) {
		size_t ul = ((size_t)p[4] << 8) | p[5];

		if (ul > n)
			ul = n;
		if (ul > 8)
			(void)ent_http_datagram_parse(p + 8, ul - 8, &w->sink);
	}
}

static void walk_ip(struct walk *w, const uint8_t *p, size_t n)
{
	if (n >= 20 && (p[0] >> 4) == 4) {
		size_t hl = (size_t)(p[0] & 15) * 4, tl = ((size_t)p[2] << 8) | p[3];

		if (tl > n)
			tl = n;
		if (hl >= 20 && hl <= tl && (((p[6] << 8) | p[7]) & 0x3fff) == 0)
			walk_l4(w, p[9], p + 12, p + 16, 4, p + hl, tl - hl);
	} else if (n >= 40 && (p[0] >> 4) == 6) {
		size_t pl = ((size_t)p[4] << 8) | p[5];

		if (pl + 40 < n)
			n = pl + 40;
		walk_l4(w, p[6], p + 8, p + 24, 16, p + 40, n - 40);
	}
}

static void walk_frame(struct walk *w, int dlt, const uint8_t *p, size_t n)
{
	size_t o = 14;
	unsigned et;

	if (dlt == DLT_NULL) {
		if (n > 4)
			walk_ip(w, p + 4, n - 4);
		return;
	}
	if (dlt == 276) { /* Linux cooked v2 */
		if (n > 20)
			walk_ip(w, p + 20, n - 20);
		return;
	}
	if (dlt != DLT_EN10MB) {
		walk_ip(w, p, n);
		return;
	}
	if (n < 14)
		return;
	et = ((unsigned)p[12] << 8) | p[13];
	while ((et == 0x8100 || et == 0x88a8) && o + 4 <= n) {
		et = ((unsigned)p[o + 2] << 8) | p[o + 3];
		o += 4;
	}
	if (et == 0x0800 || et == 0x86dd)
		walk_ip(w, p + o, n - o);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_capture(const char *cap)
{
	char err[PCAP_ERRBUF_SIZE], path[256], *data, *line, *save = NULL, *want[256], *got[256];
	struct walk *w = calloc(1, sizeof(*w));
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t nw = 0, ng = 0;
	pcap_t *pc;

	assert_non_null(w);
	w->sink = (struct ent_obs_sink){rows_emit, &w->rows};
	snprintf(path, sizeof(path), "pcap/%s", cap);
	pc = pcap_open_offline(tu_corpus(path), err);
	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &d) == 1) {
		w->rows.frame++;
		walk_frame(w, pcap_datalink(pc), d, h->caplen);
	}
	pcap_close(pc);
	for (size_t i = 0; i < w->rows.n; i++)
		if (strstr(w->rows.r[i], "\thttp.user_agent\t") == NULL && ng < 256)
			got[ng++] = w->rows.r[i];
	snprintf(path, sizeof(path), "truth/%s.tsv", cap);
	data = tu_read_file(tu_corpus(path), NULL);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (line[0] != '#' && tab != NULL && strncmp(tab + 1, "http.", 5) == 0 && nw < 256)
			want[nw++] = line;
	}
	qsort(want, nw, sizeof(*want), cmp_str);
	qsort(got, ng, sizeof(*got), cmp_str);
	for (size_t i = 0; i < nw && i < ng; i++)
		if (strcmp(want[i], got[i]) != 0)
			fail_msg("%s: want '%s' got '%s'", cap, want[i], got[i]);
	assert_int_equal(nw, ng);
	free(data);
	for (size_t i = 0; i < w->nf; i++)
		ent_http_stream_free(w->f[i].http);
	rows_free(&w->rows);
	free(w);
}

static void test_corpus_truth(void **state)
{
	static const char *const caps[] = {
	    "nd-http_ua_splitted_in_two_pkts.pcapng",
	    "sv-http-request-invalid.pcap",
	    "nd-http-proxy.pcapng",
	    "nd-http.pcapng",
	    "sv-http-brotli-ce.pcap",
	    "sv-http-post-file-ipv6-null.pcap",
	    "sv-decode-sll2-01-http.pcap",
	    "td-ipv4_tcp_http_xml.pcap",
	    "sv-detect-bytetest-02-vlan-ipv6-http.pcap",
	    "sv-datasets-04-http-dns-vlan.pcap",
	    "sv-http-mime-truncated-cut-short.pcap",
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
	    cmocka_unit_test(test_pipeline_whole),
	    cmocka_unit_test(test_pipeline_byte_by_byte),
	    cmocka_unit_test(test_split_headers),
	    cmocka_unit_test(test_unframed_body_and_junk),
	    cmocka_unit_test(test_connect_and_limits),
	    cmocka_unit_test(test_datagram),
	    cmocka_unit_test(test_corpus_truth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
