/*
 * test_dns.c - DNS message parsing.
 *
 * Crafted messages: every section, compression pointers, pointer loops,
 * names too long, <Root>, escaped bytes, bad label types, truncation at
 * every length, dynamic updates; and, when the corpus is present, the dns.*
 * rows of the tshark truth of the UDP DNS captures (malformed ones
 * included), found by walking the captures with libpcap.
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

#include "net/dns.h"
#include "obs_rows.h"
#include "testutil.h"

struct msg {
	uint8_t b[2048];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	if (n > 0)
		memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put16(struct msg *m, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(m, b, 2);
}

static void header(struct msg *m, unsigned flags, unsigned qd, unsigned an, unsigned ns,
                   unsigned ar)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* A name in wire form from "www.example.com" (no compression). */
static void name(struct msg *m, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
		uint8_t lb = (uint8_t)l;

		put(m, &lb, 1);
		put(m, dotted, l);
		dotted += l + (dot ? 1 : 0);
	}
	put(m, "", 1);
}

static void rr_head(struct msg *m, unsigned type, unsigned rdlen)
{
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 60);
	put16(m, rdlen);
}

static void check_rows(const struct rows *rs, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n && i < rs->n; i++)
		assert_string_equal(rs->r[i], want[i]);
	assert_int_equal(rs->n, n);
}

static void test_query(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct msg m;
	static const char *const want[] = {"dns.qry.name\twww.example.com\tudp:qd"};

	(void)state;
	header(&m, 0x0100, 1, 0, 0, 0);
	name(&m, "www.example.com");
	put16(&m, 1);
	put16(&m, 1);
	assert_true(ent_dns_looks_like(m.b, m.n));
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &sink), 0);
	check_rows(&rs, want, 1);
	rows_free(&rs);
}

/* A response with compression and records in all three sections. */
static void build_response(struct msg *m)
{
	static const uint8_t a1[] = {192, 0, 2, 1};
	static const uint8_t a2[] = {198, 51, 100, 7};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	size_t cname_at;

	header(m, 0x8180, 1, 2, 1, 1);
	name(m, "www.example.com"); /* at 12 */
	put16(m, 1);
	put16(m, 1);
	/* an: www.example.com CNAME cdn.<example.com> */
	put16(m, 0xc00c);
	rr_head(m, 5, 6);
	cname_at = m->n;
	put(m,
	    "\x03"
	    "cdn\xc0\x10",
	    6); /* "cdn" + pointer to "example.com" at 16 */
	/* an: cdn.example.com A 192.0.2.1 (name is a pointer to the cname) */
	put16(m, 0xc000 | (unsigned)cname_at);
	rr_head(m, 1, 4);
	put(m, a1, 4);
	/* ns: example.com AAAA 2001:db8::1 */
	put16(m, 0xc010);
	rr_head(m, 28, 16);
	put(m, v6, 16);
	/* ar: <Root> A 198.51.100.7 */
	put(m, "", 1);
	rr_head(m, 1, 4);
	put(m, a2, 4);
}

static void test_response_all_sections(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct msg m;
	static const char *const want[] = {
	    "dns.resp.qry.name\twww.example.com\ttcp:qd",
	    "dns.cname\tcdn.example.com\ttcp:an",
	    "dns.a\t192.0.2.1\ttcp:an",
	    "dns.aaaa\t2001:db8::1\ttcp:ns",
	    "dns.a\t198.51.100.7\ttcp:ar",
	};

	(void)state;
	build_response(&m);
	assert_int_equal(ent_dns_parse(m.b, m.n, "tcp", &sink), 0);
	check_rows(&rs, want, 5);
	rows_free(&rs);
}

/* Every truncation: no read past the end (ASan), EPARSE, a prefix of the rows. */
static void test_truncation(void **state)
{
	struct rows full = {.n = 0}, rs = {.n = 0};
	struct ent_obs_sink fsink = {rows_emit, &full}, sink = {rows_emit, &rs};
	struct msg m;

	(void)state;
	build_response(&m);
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &fsink), 0);
	for (size_t n = 0; n < m.n; n++) {
		uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees overreads */

		memcpy(copy, m.b, n);
		assert_int_equal(ent_dns_parse(copy, n, "udp", &sink), ENT_EPARSE);
		assert_true(rs.n < full.n);
		for (size_t i = 0; i < rs.n; i++)
			assert_string_equal(rs.r[i], full.r[i]);
		rows_free(&rs);
		free(copy);
	}
	rows_free(&full);
}

static void test_pointer_loops(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct msg m;
	static const char *const want[] = {
	    "dns.resp.qry.name\t<Name contains a pointer that loops>\tudp:qd",
	    "dns.resp.qry.name\t<Name contains a pointer that loops>\tudp:qd",
	};

	(void)state;
	header(&m, 0x8180, 2, 0, 0, 0);
	put16(&m, 0xc00c); /* at 12: points to itself */
	put16(&m, 1);
	put16(&m, 1);
	put(&m, "\x01x", 2); /* at 18: "x" then a pointer back to 18 */
	put16(&m, 0xc012);
	put16(&m, 1);
	put16(&m, 1);
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &sink), 0);
	check_rows(&rs, want, 2);
	rows_free(&rs);
}

static void test_long_root_escapes(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct msg m;
	uint8_t label[64];
	static const char *const want[] = {
	    "dns.qry.name\t<Name too long>\tudp:qd",
	    "dns.qry.name\t<Root>\tudp:qd",
	    "dns.qry.name\ta\\001b\\t..\xc3\xa9\\177\xef\xbf\xbd.x y\tudp:qd",
	    "dns.qry.name\t" /* 253 characters: fits */
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tudp:qd",
	};

	(void)state;
	header(&m, 0x0000, 4, 0, 0, 0);
	memset(label, 'a', sizeof(label));
	label[0] = 63;
	for (int i = 0; i < 5; i++) /* 5 * 64 bytes: over 255 */
		put(&m, label, 64);
	put(&m, "", 1);
	put16(&m, 1);
	put16(&m, 1);
	put(&m, "", 1); /* root */
	put16(&m, 2);
	put16(&m, 1);
	put(&m,
	    "\x05"
	    "a\x01"
	    "b\t.",
	    6);
	put(&m, "\x04\xc3\xa9\x7f\xff", 5);
	put(&m, "\x03x y", 4);
	put(&m, "", 1);
	put16(&m, 1);
	put16(&m, 1);
	for (int i = 0; i < 3; i++)
		put(&m, label, 64);
	label[0] = 61;
	put(&m, label, 62);
	put(&m, "", 1);
	put16(&m, 1);
	put16(&m, 1);
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &sink), 0);
	check_rows(&rs, want, 4);
	rows_free(&rs);

	/* one more character and the same name is too long */
	m.b[m.n - 5 - 62] = 62;
	m.n -= 5;
	put(&m, "a", 1);
	put(&m, "", 1);
	put16(&m, 1);
	put16(&m, 1);
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &sink), 0);
	assert_int_equal(rs.n, 4);
	assert_string_equal(rs.r[3], "dns.qry.name\t<Name too long>\tudp:qd");
	rows_free(&rs);
}

static void test_bad_label_and_rdata(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct msg m;
	static const uint8_t a[] = {10, 0, 0, 1};

	(void)state;
	/* label type 0x80 in the second question: the first stays reported */
	header(&m, 0x0000, 2, 0, 0, 0);
	name(&m, "ok.example");
	put16(&m, 1);
	put16(&m, 1);
	put(&m, "\x80\x01", 2);
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &sink), ENT_EPARSE);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0], "dns.qry.name\tok.example\tudp:qd");
	rows_free(&rs);

	/* an A record with RDLENGTH 0 gives no address; an update lists only ar */
	header(&m, 0x2800, 1, 1, 0, 1); /* opcode 5 */
	name(&m, "zone.example");
	put16(&m, 6);
	put16(&m, 1);
	put16(&m, 0xc00c);
	rr_head(&m, 1, 0);
	put16(&m, 0xc00c);
	rr_head(&m, 1, 4);
	put(&m, a, 4);
	assert_int_equal(ent_dns_parse(m.b, m.n, "udp", &sink), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.r[0], "dns.a\t10.0.0.1\tudp:ar");
	rows_free(&rs);

	/* garbage: never crashes, header too short */
	assert_int_equal(ent_dns_parse(a, 4, "udp", &sink), ENT_EPARSE);
	assert_false(ent_dns_looks_like(a, 4));
	assert_int_equal(rs.n, 0);
}

/* ---- corpus ---- */

static void walk_udp(struct rows *rs, const uint8_t *p, size_t n)
{
	struct ent_obs_sink sink = {rows_emit, rs};
	size_t ul;

	if (n < 8)
		return;
	ul = ((size_t)p[4] << 8) | p[5];
	if (ul < 8)
		return;
	if (ul > n)
		ul = n; /* cut by the snapshot length */
	if ((((unsigned)p[0] << 8) | p[1]) != 53 && (((unsigned)p[2] << 8) | p[3]) != 53)
		return;
	if (ul > 8)
		(void)ent_dns_parse(p + 8, ul - 8, "udp", &sink);
}

static void walk_ip(struct rows *rs, const uint8_t *p, size_t n)
{
	if (n >= 20 && (p[0] >> 4) == 4) {
		size_t hl = (size_t)(p[0] & 15) * 4, tl = ((size_t)p[2] << 8) | p[3];

		if (tl > n)
			tl = n;
		if (hl >= 20 && hl <= tl && (((p[6] << 8) | p[7]) & 0x3fff) == 0 && p[9] == 17)
			walk_udp(rs, p + hl, tl - hl);
	} else if (n >= 40 && (p[0] >> 4) == 6 && p[6] == 17) {
		walk_udp(rs, p + 40, n - 40);
	}
}

static void walk_frame(struct rows *rs, int dlt, const uint8_t *p, size_t n)
{
	size_t o = 14;
	unsigned et;

	if (dlt != DLT_EN10MB) {
		walk_ip(rs, p, n);
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
		walk_ip(rs, p + o, n - o);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_capture(const char *cap)
{
	char err[PCAP_ERRBUF_SIZE], path[256], *data, *line, *save = NULL, *want[512];
	struct rows *rs = calloc(1, sizeof(*rs));
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t nw = 0;
	pcap_t *pc;

	assert_non_null(rs);
	snprintf(path, sizeof(path), "pcap/%s", cap);
	pc = pcap_open_offline(tu_corpus(path), err);
	assert_non_null(pc);
	while (pcap_next_ex(pc, &h, &d) == 1) {
		rs->frame++;
		walk_frame(rs, pcap_datalink(pc), d, h->caplen);
	}
	pcap_close(pc);
	snprintf(path, sizeof(path), "truth/%s.tsv", cap);
	data = tu_read_file(tu_corpus(path), NULL);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (line[0] != '#' && tab != NULL && strncmp(tab + 1, "dns.", 4) == 0 && nw < 512)
			want[nw++] = line;
	}
	qsort(want, nw, sizeof(*want), cmp_str);
	qsort(rs->r, rs->n, sizeof(*rs->r), cmp_str);
	for (size_t i = 0; i < nw && i < rs->n; i++)
		if (strcmp(want[i], rs->r[i]) != 0)
			fail_msg("%s: want '%s' got '%s'", cap, want[i], rs->r[i]);
	assert_int_equal(nw, rs->n);
	free(data);
	rows_free(rs);
	free(rs);
}

static void test_corpus_truth(void **state)
{
	static const char *const caps[] = {
	    "td-dns_udp.pcap",
	    "sv-dns-udp-google-a-aaaa-mx.pcap",
	    "sv-dns-with-additionals.pcap",
	    "sv-dns-additionals-with-cname.pcap",
	    "nd-malformed_dns.pcap",
	    "td-dns-badlabel.pcap",
	    "td-dns-zlip-1.pcap",
	    "nd-dns_ambiguous_names.pcap",
	    "sv-detect-dotprefix-02.pcap",
	    "nd-dns-google-nsid.pcapng",
	    "td-dns_udp_2-snaplen.pcap",
	    "td-linktype-ipv6-dns.pcap",
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
	    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_response_all_sections),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_pointer_loops),
	    cmocka_unit_test(test_long_root_escapes),
	    cmocka_unit_test(test_bad_label_and_rdata),
	    cmocka_unit_test(test_corpus_truth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
