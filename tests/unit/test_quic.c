/*
 * test_quic.c - QUIC Initial decryption and the ClientHello inside.
 *
 * The key schedule against RFC 9001 appendix A.1; Initial packets built and
 * protected here (with nettle, the inverse of the parser's path) carrying
 * CRYPTO frames out of order, split over coalesced packets, with a damaged
 * tag, truncated; and, when the corpus is present, the tshark truth of
 * sv-ja4-quic.pcap (plus the JA4 that suricata-verify's ja4-quic test
 * expects from Suricata for the same capture) and the QUIC rows of
 * nd-sites.pcapng, ServerHello included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <pcap/pcap.h>

#include "net/ja.h"
#include "net/quic.h"
#include "obs_rows.h"
#include "testutil.h"

static void hex_eq(const uint8_t *b, size_t n, const char *want)
{
	char got[80];

	for (size_t i = 0; i < n; i++)
		snprintf(got + 2 * i, 3, "%02x", b[i]);
	assert_string_equal(got, want);
}

static void test_rfc9001_keys(void **state)
{
	static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
	uint8_t key[16], iv[12], hp[16];

	(void)state;
	assert_int_equal(ent_quic_client_initial_keys(1, dcid, 8, key, iv, hp), 0);
	hex_eq(key, 16, "1f369613dd76d5467730efcbe3b1a22d");
	hex_eq(iv, 12, "fa044b2f42a3fd3b46fb255c");
	hex_eq(hp, 16, "9f50449e04a0e810283a1e9933adedd2");
	assert_int_equal(ent_quic_client_initial_keys(0x0a0a0a0a, dcid, 8, key, iv, hp),
	                 ENT_EUNSUPPORTED);
}

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	if (n > 0)
		memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put8(struct buf *o, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(o, &b, 1);
}

static void put16(struct buf *o, unsigned v)
{
	put8(o, v >> 8);
	put8(o, v);
}

/* Handshake message: ClientHello with SNI quic.example, TLS 1.3, ALPN h3, one cipher. */
static void client_hello_msg(struct buf *m)
{
	static const uint8_t sni[] = {0x00, 0x0f, 0x00, 0x00, 0x0c, 'q', 'u', 'i', 'c',
	                              '.',  'e',  'x',  'a',  'm',  'p', 'l', 'e'};
	static const uint8_t sv[] = {0x02, 0x03, 0x04};
	static const uint8_t alpn[] = {0x00, 0x03, 0x02, 'h', '3'};
	struct buf b = {.n = 0};
	uint8_t rnd[32] = {7};

	put16(&b, 0x0303);
	put(&b, rnd, 32);
	put8(&b, 0);
	put16(&b, 2);
	put16(&b, 0x1301);
	put8(&b, 1);
	put8(&b, 0);
	put16(&b, 4 + sizeof(sni) + 4 + sizeof(sv) + 4 + sizeof(alpn));
	put16(&b, 0x0000);
	put16(&b, sizeof(sni));
	put(&b, sni, sizeof(sni));
	put16(&b, 0x002b);
	put16(&b, sizeof(sv));
	put(&b, sv, sizeof(sv));
	put16(&b, 0x0010);
	put16(&b, sizeof(alpn));
	put(&b, alpn, sizeof(alpn));
	m->n = 0;
	put8(m, 1);
	put8(m, 0);
	put16(m, (unsigned)b.n);
	put(m, b.b, b.n);
}

static void crypto_frame(struct buf *f, size_t offset, const uint8_t *p, size_t n)
{
	put8(f, 0x06);
	put16(f, 0x4000 | (unsigned)offset); /* 2-byte varints */
	put16(f, 0x4000 | (unsigned)n);
	put(f, p, n);
}

/* Protects frames into a client Initial of QUIC v1 (RFC 9001 section 5) appended to out. */
static void protect(struct buf *out, const uint8_t *dcid, size_t dcid_len, uint32_t pn,
                    const struct buf *frames, size_t pad_to)
{
	uint8_t key[16], iv[12], hp[16], mask[16];
	struct gcm_aes128_ctx gcm;
	struct aes128_ctx aes;
	struct buf pl = *frames;
	size_t start = out->n, pn_off, len;

	while (pl.n < pad_to)
		put8(&pl, 0); /* PADDING */
	assert_int_equal(ent_quic_client_initial_keys(1, dcid, dcid_len, key, iv, hp), 0);
	put8(out, 0xc3); /* long header, Initial, 4-byte packet number */
	put16(out, 0);
	put16(out, 1);
	put8(out, (unsigned)dcid_len);
	put(out, dcid, dcid_len);
	put8(out, 0); /* SCID */
	put8(out, 0); /* token */
	len = 4 + pl.n + 16;
	put16(out, 0x4000 | (unsigned)len);
	pn_off = out->n;
	put16(out, pn >> 16);
	put16(out, pn & 0xffff);
	for (int i = 0; i < 4; i++)
		iv[8 + i] ^= (uint8_t)(pn >> (24 - 8 * i));
	gcm_aes128_set_key(&gcm, key);
	gcm_aes128_set_iv(&gcm, 12, iv);
	gcm_aes128_update(&gcm, out->n - start, out->b + start);
	assert_true(out->n + pl.n + 16 <= sizeof(out->b));
	gcm_aes128_encrypt(&gcm, pl.n, out->b + out->n, pl.b);
	out->n += pl.n;
	gcm_aes128_digest(&gcm, 16, out->b + out->n);
	out->n += 16;
	aes128_set_encrypt_key(&aes, hp);
	aes128_encrypt(&aes, 16, mask, out->b + pn_off + 4);
	out->b[start] ^= mask[0] & 0x0f;
	for (int i = 0; i < 4; i++)
		out->b[pn_off + i] ^= mask[1 + i];
}

static const uint8_t DCID[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void check_hello_rows(const struct rows *rs)
{
	char ja4[64], hb[13], hc[13];

	ent_ja4_hash12("1301", 4, hb);
	ent_ja4_hash12("002b", 4, hc);
	snprintf(ja4, sizeof(ja4), "tls.ja4\tq13d0103h3_%s_%s\tquic", hb, hc);
	assert_int_equal(rs->n, 4);
	assert_string_equal(rs->r[0], "tls.sni\tquic.example\tquic");
	assert_string_equal(rs->r[2], "tls.ja3_full\t771,4865,0-43-16,,\tquic");
	assert_string_equal(rs->r[3], ja4);
}

static void test_initial_out_of_order(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct buf ch, fr = {.n = 0}, pkt = {.n = 0};

	(void)state;
	client_hello_msg(&ch);
	crypto_frame(&fr, 20, ch.b + 20, ch.n - 20);
	put8(&fr, 0x01); /* PING */
	put8(&fr, 0x02); /* ACK: largest 0, delay 0, 0 ranges, first range 0 */
	put8(&fr, 0);
	put8(&fr, 0);
	put8(&fr, 0);
	put8(&fr, 0);
	crypto_frame(&fr, 0, ch.b, 20);
	protect(&pkt, DCID, sizeof(DCID), 0, &fr, 1100);
	assert_true(ent_quic_looks_like_initial(pkt.b, pkt.n));
	assert_int_equal(ent_quic_initial_parse(pkt.b, pkt.n, &sink), 0);
	check_hello_rows(&rs);
	rows_free(&rs);

	/* a damaged tag: nothing */
	pkt.b[pkt.n - 1] ^= 1;
	assert_int_equal(ent_quic_initial_parse(pkt.b, pkt.n, &sink), ENT_EPARSE);
	assert_int_equal(rs.n, 0);
}

/* Two coalesced Initials each carrying half of the hello, then a Handshake packet. */
static void test_coalesced(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct buf ch, f1 = {.n = 0}, f2 = {.n = 0}, pkt = {.n = 0};
	uint8_t dcid[20];
	size_t dlen;
	static const uint8_t hs[] = {0xe0, 0, 0, 0, 1, 0, 0, 0x05, 1, 2, 3, 4, 5};

	(void)state;
	client_hello_msg(&ch);
	crypto_frame(&f1, 0, ch.b, 30);
	crypto_frame(&f2, 30, ch.b + 30, ch.n - 30);
	protect(&pkt, DCID, sizeof(DCID), 0, &f2, 40); /* second half first */
	protect(&pkt, DCID, sizeof(DCID), 1, &f1, 40);
	put(&pkt, hs, sizeof(hs));
	assert_int_equal(ent_quic_initial_parse(pkt.b, pkt.n, &sink), 0);
	check_hello_rows(&rs);
	rows_free(&rs);

	assert_int_equal(ent_quic_initial_dcid(pkt.b, pkt.n, dcid, &dlen), 0);
	assert_int_equal(dlen, 8);
	assert_memory_equal(dcid, DCID, 8);

	/* only the first half: decrypts, but no complete ClientHello */
	pkt.n = 0;
	protect(&pkt, DCID, sizeof(DCID), 0, &f1, 40);
	assert_int_equal(ent_quic_initial_parse(pkt.b, pkt.n, &sink), ENT_ENOTFOUND);
	assert_int_equal(rs.n, 0);
}

static void test_garbage_and_truncation(void **state)
{
	struct rows rs = {.n = 0};
	struct ent_obs_sink sink = {rows_emit, &rs};
	struct buf ch, fr = {.n = 0}, pkt = {.n = 0};
	static const uint8_t short_hdr[] = {0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t odd_version[] = {0xc0, 0x0a, 0x0a, 0x0a, 0x0a, 0, 0, 0, 0};

	(void)state;
	assert_int_equal(ent_quic_initial_parse(short_hdr, sizeof(short_hdr), &sink), ENT_EPARSE);
	assert_int_equal(ent_quic_initial_parse(odd_version, sizeof(odd_version), &sink),
	                 ENT_EPARSE);
	assert_false(ent_quic_looks_like_initial(short_hdr, sizeof(short_hdr)));
	client_hello_msg(&ch);
	crypto_frame(&fr, 0, ch.b, ch.n);
	protect(&pkt, DCID, sizeof(DCID), 0, &fr, 200);
	for (size_t n = 0; n < pkt.n; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, pkt.b, n);
		assert_int_not_equal(ent_quic_initial_parse(copy, n, &sink), 0);
		free(copy);
	}
	assert_int_equal(rs.n, 0);
	assert_int_equal(ent_quic_initial_parse(pkt.b, pkt.n, &sink), 0);
	rows_free(&rs);
}

/* ---- corpus ---- */

struct qflow {
	uint8_t key[36];
	size_t klen;
	uint8_t dcid[20];
	size_t dcid_len;
};

struct walk {
	struct qflow f[128];
	size_t nf;
	struct rows rows;
	struct ent_obs_sink sink;
};

static struct qflow *qflow_get(struct walk *w, const uint8_t *key, size_t klen)
{
	for (size_t i = 0; i < w->nf; i++)
		if (w->f[i].klen == klen && memcmp(w->f[i].key, key, klen) == 0)
			return &w->f[i];
	if (w->nf == sizeof(w->f) / sizeof(w->f[0]))
		return NULL;
	memset(&w->f[w->nf], 0, sizeof(w->f[0]));
	memcpy(w->f[w->nf].key, key, klen);
	w->f[w->nf].klen = klen;
	return &w->f[w->nf++];
}

static void walk_udp(struct walk *w, const uint8_t *src, const uint8_t *dst, size_t alen,
                     const uint8_t *p, size_t n)
{
	unsigned sport, dport;
	uint8_t key[36];
	struct qflow *f;
	size_t ul;

	if (n < 8)
		return;
	sport = ((unsigned)p[0] << 8) | p[1];
	dport = ((unsigned)p[2] << 8) | p[3];
	ul = ((size_t)p[4] << 8) | p[5];
	if (ul < 8 || (sport != 443 && dport != 443))
		return;
	if (ul > n)
		ul = n;
	/* the flow is keyed client -> server */
	memcpy(key, dport == 443 ? src : dst, alen);
	memcpy(key + alen, dport == 443 ? dst : src, alen);
	key[2 * alen] = dport == 443 ? p[0] : p[2];
	key[2 * alen + 1] = dport == 443 ? p[1] : p[3];
	f = qflow_get(w, key, 2 * alen + 2);
	if (f == NULL)
		return;
	if (dport == 443) {
		if (f->dcid_len == 0)
			(void)ent_quic_initial_dcid(p + 8, ul - 8, f->dcid, &f->dcid_len);
		(void)ent_quic_initial_parse(p + 8, ul - 8, &w->sink);
	} else if (f->dcid_len > 0) {
		(void)ent_quic_server_initial_parse(p + 8, ul - 8, f->dcid, f->dcid_len, &w->sink);
	}
}

static void walk_ip(struct walk *w, const uint8_t *p, size_t n)
{
	if (n >= 20 && (p[0] >> 4) == 4) {
		size_t hl = (size_t)(p[0] & 15) * 4, tl = ((size_t)p[2] << 8) | p[3];

		if (tl > n)
			tl = n;
		if (hl >= 20 && hl <= tl && (((p[6] << 8) | p[7]) & 0x3fff) == 0 && p[9] == 17)
			walk_udp(w, p + 12, p + 16, 4, p + hl, tl - hl);
	} else if (n >= 40 && (p[0] >> 4) == 6 && p[6] == 17) {
		walk_udp(w, p + 8, p + 24, 16, p + 40, n - 40);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_capture(const char *cap, size_t *ja4_rows)
{
	char err[PCAP_ERRBUF_SIZE], path[256], *data, *line, *save = NULL, *want[128], *got[128];
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
	assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
	while (pcap_next_ex(pc, &h, &d) == 1) {
		w->rows.frame++;
		if (h->caplen > 14 && (d[12] << 8 | d[13]) == 0x0800)
			walk_ip(w, d + 14, h->caplen - 14);
		else if (h->caplen > 14 && (d[12] << 8 | d[13]) == 0x86dd)
			walk_ip(w, d + 14, h->caplen - 14);
	}
	pcap_close(pc);
	*ja4_rows = 0;
	for (size_t i = 0; i < w->rows.n; i++) {
		if (strstr(w->rows.r[i], "\ttls.ja4\t") != NULL) {
			/* suricata-verify tests/ja4-quic/test.yaml expects this for all 11 */
			if (strcmp(cap, "sv-ja4-quic.pcap") == 0)
				assert_non_null(strstr(w->rows.r[i],
				                       "\tq13d0310h3_55b375c5d22e_cd85d2d88918\t"));
			(*ja4_rows)++;
		} else if (ng < 128) {
			got[ng++] = w->rows.r[i];
		}
	}
	snprintf(path, sizeof(path), "truth/%s.tsv", cap);
	data = tu_read_file(tu_corpus(path), NULL);
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);

		if (line[0] != '#' && l > 5 && strcmp(line + l - 5, "\tquic") == 0 && nw < 128)
			want[nw++] = line;
	}
	qsort(want, nw, sizeof(*want), cmp_str);
	qsort(got, ng, sizeof(*got), cmp_str);
	for (size_t i = 0; i < nw && i < ng; i++)
		if (strcmp(want[i], got[i]) != 0)
			fail_msg("%s: want '%s' got '%s'", cap, want[i], got[i]);
	assert_int_equal(nw, ng);
	free(data);
	rows_free(&w->rows);
	free(w);
}

static void test_corpus_truth(void **state)
{
	size_t ja4;

	(void)state;
	if (!tu_have_corpus())
		skip();
	check_capture("sv-ja4-quic.pcap", &ja4);
	assert_int_equal(ja4, 11);
	check_capture("nd-sites.pcapng", &ja4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc9001_keys), cmocka_unit_test(test_initial_out_of_order),
	    cmocka_unit_test(test_coalesced),    cmocka_unit_test(test_garbage_and_truncation),
	    cmocka_unit_test(test_corpus_truth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
