/*
 * gen_traffic.c - a deterministic pcap traffic generator for bench/run and
 * the demo, with planted indicators and the exact alerts they must raise.
 *
 *   gen_traffic --out FILE.pcap --bytes N [--seed S] [--flows N]
 *               [--planted FILE.csv] [--planted-stix FILE.json] [--expected FILE.tsv]
 *   gen_traffic --demo --out FILE.pcap [--expected FILE.tsv]
 *
 * Output: classic pcap, Ethernet, microsecond timestamps, snaplen 65535.
 * The same arguments give the same bytes. docs/bench-generators.md describes
 * the traffic mix, the planted set and the expected-alerts format.
 *
 * How it works. A fixed universe is drawn from the seed: 4000 web sites
 * (name, IPv4, some IPv6, CNAME chains, HTTP paths, a TLS server profile),
 * 2000 DNS-only names and 4096 clients, each with one of eight common TLS
 * client profiles; six "infected" clients use six rare profiles. Up to
 * --flows flows are active at once; each step picks one at random and sends
 * its next packet, so flows interleave. A flow is a script of messages
 * (struct msg) written when the flow starts; TCP cuts the messages into
 * MSS-sized segments with consistent sequence and acknowledgement numbers
 * and closes with FIN (or RST). When --bytes is reached no new flow starts
 * and active flows drop their remaining bulk data and close.
 *
 * Truth. Every observable that entente can take from a message (flow
 * addresses, DNS names and answers, TLS SNI, JA3 and JA3S, HTTP Host and
 * URL) is checked against the planted set when the script is written; a
 * hit is recorded with the message and written to --expected when the last
 * byte of that message is sent, at most once per flow and indicator. So the
 * expected file describes the packets actually written, whatever truncation
 * happened. Each planted value is also given one "forced" flow that is never
 * truncated, so that every planted value occurs.
 *
 * JA3 strings are computed here from the profile tables (docs/fingerprints
 * definition: version, ciphers, extensions, groups, point formats, GREASE
 * left out) and hashed with nettle's MD5; at start-up each profile's hello is
 * also run through the library's ent_ja3_string, and a disagreement stops
 * the program.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/md5.h>

#include "core/buf.h"
#include "core/observable.h"
#include "net/addr_fmt.h"
#include "net/ja.h"

#define NSITES       4000
#define NDNSONLY     2000
#define NCLIENTS     4096
#define NINFECTED    6
#define INFECTED0    5000 /* client index of the first infected client */
#define NPATHS       32
#define MAX_MSGS     48
#define MAX_FLOWS    200000
#define POOL_SIZE    (1u << 20)
#define FRAME_MAX    1600
#define OUT_BUF_SIZE (8u << 20)
#define START_SEC    1793610000ull /* 2026-11-02T09:00:00Z */
#define MSG_FIRST    0xff          /* hits fired by a flow's first packet */
#define PENDING_MAX  256
#define TLSREC_BODY  16401u
#define TLSREC_FULL  (TLSREC_BODY + 5u)
#define G            0x0a0a /* a GREASE value in the profile tables */

/* ---------------------------------------------------------------------- */
/* deterministic randomness (xorshift64*: fast, not for secrets)          */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n). */
static uint32_t rndn(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * n) >> 32);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---------------------------------------------------------------------- */
/* TLS client and server profiles                                         */

struct tls_profile {
	const char *name;
	uint16_t rec_ver, version;
	bool grease, sid, tls13;
	const uint16_t *ciphers;
	size_t nciphers;
	const uint16_t *exts;
	size_t nexts;
	const uint16_t *groups;
	size_t ngroups;
	const uint8_t *pf;
	size_t npf;
	const char *ua; /* HTTP User-Agent of this client, NULL: no plain HTTP */
};

#define L16(...) (const uint16_t[]){__VA_ARGS__}, sizeof((const uint16_t[]){__VA_ARGS__}) / 2
#define L8(...)  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* The first NCOMMON are browsers and libraries; the rest are the rare
 * clients of the infected hosts (candidates for planted JA3s). */
#define NCOMMON   8
#define NPROFILES 14
#define P_TOR     8
static const struct tls_profile PROFILES[NPROFILES] = {
    {"chrome", 0x0301, 0x0303, true, true, true,
     L16(G, 4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392, 49171, 49172, 156, 157, 47,
         53),
     L16(G, 0, 23, 65281, 10, 11, 35, 16, 5, 13, 18, 51, 45, 43, 27, 17513, G, 21),
     L16(G, 29, 23, 24), L8(0),
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36"},
    {"firefox", 0x0301, 0x0303, false, true, true,
     L16(4865, 4867, 4866, 49195, 49199, 52393, 52392, 49196, 49200, 49162, 49161, 49171, 49172,
         156, 157, 47, 53),
     L16(0, 23, 65281, 10, 11, 35, 16, 5, 34, 51, 43, 13, 45, 28, 21),
     L16(29, 23, 24, 25, 256, 257), L8(0),
     "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"},
    {"safari", 0x0301, 0x0303, true, true, true,
     L16(G, 4865, 4866, 4867, 49196, 49195, 52393, 49200, 49199, 52392, 49162, 49161, 49172, 49171,
         157, 156, 53, 47, 49160, 49170, 10),
     L16(G, 0, 23, 65281, 10, 11, 16, 5, 13, 18, 51, 45, 43, 27, 21, G), L16(G, 29, 23, 24, 25),
     L8(0),
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.0 Safari/605.1.15"},
    {"curl", 0x0301, 0x0303, false, true, true,
     L16(4866, 4867, 4865, 49196, 49200, 159, 52393, 52392, 52394, 49195, 49199, 158, 49188, 49192,
         107, 49187, 49191, 103, 49162, 49172, 57, 49161, 49171, 51, 157, 156, 61, 60, 53, 47, 255),
     L16(0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51),
     L16(29, 23, 30, 25, 24, 256, 257, 258, 259, 260), L8(0, 1, 2), "curl/8.5.0"},
    {"python-requests", 0x0301, 0x0303, false, true, true,
     L16(4866, 4867, 4865, 49196, 49200, 49195, 49199, 52393, 52392, 163, 159, 162, 158, 52394,
         49327, 49325, 49188, 49192, 49162, 49172, 49315, 49311, 107, 106, 57, 56, 49326, 49324,
         49187, 49191, 49161, 49171, 49314, 49310, 103, 64, 51, 50, 157, 156, 49313, 49309, 49312,
         49308, 61, 60, 53, 47, 255),
     L16(0, 11, 10, 35, 22, 23, 13, 43, 45, 51), L16(29, 23, 30, 25, 24), L8(0, 1, 2),
     "python-requests/2.32.3"},
    {"go", 0x0301, 0x0303, false, true, true,
     L16(49195, 49199, 49196, 49200, 52393, 52392, 49161, 49171, 49162, 49172, 156, 157, 47, 53,
         49170, 10, 4865, 4866, 4867),
     L16(0, 5, 10, 11, 13, 65281, 18, 43, 51), L16(29, 23, 24, 25), L8(0), "Go-http-client/1.1"},
    {"java", 0x0303, 0x0303, false, true, true,
     L16(4866, 4865, 4867, 49196, 49195, 52393, 49200, 52392, 49199, 159, 52394, 163, 158, 162,
         49188, 49192, 49187, 49191, 107, 106, 103, 64, 49198, 49202, 49197, 49201, 49190, 49194,
         49189, 49193, 49162, 49172, 49161, 49171, 57, 56, 51, 50, 49157, 49167, 49156, 49166, 157,
         156, 61, 60, 53, 47, 255),
     L16(0, 5, 10, 11, 13, 50, 16, 17, 23, 43, 45, 51, 65281),
     L16(29, 23, 24, 25, 30, 256, 257, 258, 259, 260), L8(0), "Java/21.0.5"},
    {"schannel", 0x0303, 0x0303, false, false, false,
     L16(49196, 49195, 49200, 49199, 159, 158, 49188, 49187, 49192, 49191, 49162, 49161, 49172,
         49171, 157, 156, 61, 60, 53, 47, 10),
     L16(0, 5, 10, 11, 13, 35, 16, 23, 65281), L16(29, 23, 24), L8(0),
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko"},
    /* rare: a Tor client on OpenSSL 1.0 (JA3 e7d705a3286e19ea42f587b344ee6865) */
    {"tor", 0x0301, 0x0303, false, false, false,
     L16(49195, 49199, 49162, 49161, 49171, 49172, 49170, 49159, 49169, 51, 50, 69, 57, 56, 136, 22,
         47, 65, 53, 132, 10, 5, 4, 255),
     L16(0, 11, 10, 35, 13, 15), L16(23, 25, 28, 27, 24, 26, 22, 14, 13, 11, 12, 9, 10),
     L8(0, 1, 2), NULL},
    {"nosni-loader", 0x0301, 0x0303, false, false, false,
     L16(49200, 49196, 49192, 49188, 49172, 49162, 163, 159, 107, 106, 57, 56, 136, 135, 49202,
         49198, 49194, 49190, 49167, 49157, 157, 61, 53, 132, 49199, 49195, 49191, 49187, 49171,
         49161, 162, 158, 103, 64, 51, 50, 154, 153, 69, 68, 49201, 49197, 49193, 49189, 49166,
         49156, 156, 60, 47, 150, 65, 7, 49169, 49159, 49164, 49154, 5, 4, 49170, 49160, 22, 19,
         49165, 49155, 10, 255),
     L16(11, 10, 35, 13, 15),
     L16(14, 13, 25, 11, 12, 24, 9, 10, 22, 23, 8, 6, 7, 20, 21, 4, 5, 18, 19, 1, 2, 3, 15, 16, 17),
     L8(0, 1, 2), NULL},
    {"beacon", 0x0303, 0x0303, false, false, false,
     L16(49192, 49191, 49172, 49171, 159, 158, 57, 51, 157, 156, 61, 60, 53, 47, 49196, 49195,
         49188, 49187, 49162, 49161, 106, 64, 56, 50, 10, 19),
     L16(0, 10, 11, 13, 35, 23, 65281), L16(29, 23, 24), L8(0), NULL},
    {"python2-urllib", 0x0301, 0x0303, false, false, false,
     L16(49200, 49196, 49192, 49188, 49172, 49162, 165, 163, 161, 159, 107, 106, 105, 104, 57, 56,
         55, 54, 136, 135, 134, 133, 49202, 49198, 49194, 49190, 49167, 49157, 157, 61, 53, 132,
         49199, 49195, 49191, 49187, 49171, 49161, 164, 162, 160, 158, 103, 64, 63, 62, 51, 50, 49,
         48, 154, 153, 152, 151, 69, 68, 67, 66, 49201, 49197, 49193, 49189, 49166, 49156, 156, 60,
         47, 150, 65, 7, 49169, 49159, 49164, 49154, 5, 4, 49170, 49160, 22, 19, 16, 13, 49165,
         49155, 10, 255),
     L16(0, 11, 10, 35, 13, 15), L16(23, 25, 28, 27, 24, 26, 22, 14, 13, 11, 12, 9, 10),
     L8(0, 1, 2), NULL},
    {"tls10-legacy", 0x0301, 0x0301, false, false, false,
     L16(49162, 49161, 49172, 49171, 57, 51, 53, 47, 10, 5, 4), L16(0, 10, 11, 35, 65281),
     L16(23, 24, 25), L8(0), NULL},
    {"iot-mbedtls", 0x0303, 0x0303, false, false, false,
     L16(49199, 49195, 49171, 49161, 156, 47, 53, 10), L16(0, 10, 11, 13), L16(23, 24), L8(0),
     NULL},
};

/* Shares of the common profiles among clients, in per mille. */
static const uint16_t PROFILE_SHARE[NCOMMON] = {420, 120, 150, 50, 50, 50, 30, 130};

static const uint16_t SIGALGS[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805,
                                   0x0501, 0x0806, 0x0601, 0x0203, 0x0201};
static const uint16_t SIGALGS_OLD[] = {0x0601, 0x0602, 0x0603, 0x0501, 0x0502, 0x0503,
                                       0x0401, 0x0402, 0x0403, 0x0301, 0x0302, 0x0303,
                                       0x0201, 0x0202, 0x0203, 0x0101};

/* The random parts of one hello. */
struct hello_rand {
	uint16_t g_cipher, g_ext1, g_ext2, g_group, g_version;
	uint8_t random[32], sid[32], key[32];
};

static uint16_t grease_value(struct rng *r)
{
	return (uint16_t)(0x0a0a + 0x1010 * rndn(r, 16));
}

static void hello_rand_init(struct hello_rand *h, struct rng *r)
{
	h->g_cipher = grease_value(r);
	h->g_ext1 = grease_value(r);
	do
		h->g_ext2 = grease_value(r);
	while (h->g_ext2 == h->g_ext1);
	h->g_group = grease_value(r);
	h->g_version = grease_value(r);
	for (int i = 0; i < 32; i++) {
		h->random[i] = (uint8_t)rnd(r);
		h->sid[i] = (uint8_t)rnd(r);
		h->key[i] = (uint8_t)rnd(r);
	}
}

/* One extension of a ClientHello at p; returns its size. first_grease tells
 * which GREASE extension this is (Chrome sends the first empty and the last
 * with one zero byte). */
static size_t put_ext(uint8_t *p, uint16_t type, const struct tls_profile *pr, const char *sni,
                      const struct hello_rand *hr, bool first_grease, size_t padlen)
{
	uint8_t *b = p + 4;
	size_t n = 0;

	switch (type) {
	case G:
		type = first_grease ? hr->g_ext1 : hr->g_ext2;
		if (!first_grease)
			b[n++] = 0;
		break;
	case 0: { /* server_name */
		size_t sl = strlen(sni);

		put16(b, (uint32_t)(sl + 3));
		b[2] = 0;
		put16(b + 3, (uint32_t)sl);
		memcpy(b + 5, sni, sl);
		n = sl + 5;
		break;
	}
	case 5: /* status_request */
		memcpy(b, "\x01\x00\x00\x00\x00", 5);
		n = 5;
		break;
	case 10: /* supported_groups */
		for (size_t i = 0; i < pr->ngroups; i++)
			put16(b + 2 + 2 * i, pr->groups[i] == G ? hr->g_group : pr->groups[i]);
		put16(b, (uint32_t)(2 * pr->ngroups));
		n = 2 + 2 * pr->ngroups;
		break;
	case 11: /* ec_point_formats */
		b[0] = (uint8_t)pr->npf;
		memcpy(b + 1, pr->pf, pr->npf);
		n = 1 + pr->npf;
		break;
	case 13: /* signature_algorithms */
	case 50: /* signature_algorithms_cert */
	case 34: /* delegated_credentials */ {
		bool old = !pr->tls13;
		const uint16_t *s = old ? SIGALGS_OLD : SIGALGS;
		size_t ns = old ? sizeof(SIGALGS_OLD) / 2 : sizeof(SIGALGS) / 2;

		if (type == 34)
			ns = 4;
		for (size_t i = 0; i < ns; i++)
			put16(b + 2 + 2 * i, s[i]);
		put16(b, (uint32_t)(2 * ns));
		n = 2 + 2 * ns;
		break;
	}
	case 15: /* heartbeat */
		b[0] = 1;
		n = 1;
		break;
	case 16: /* ALPN */
		memcpy(b, "\x00\x0c\x02h2\x08http/1.1", 14);
		n = 14;
		break;
	case 17: /* status_request_v2 */
		memcpy(b, "\x00\x07\x02\x00\x04\x00\x00\x00\x00", 9);
		n = 9;
		break;
	case 21: /* padding */
		memset(b, 0, padlen);
		n = padlen;
		break;
	case 27: /* compress_certificate: brotli */
		memcpy(b, "\x02\x00\x02", 3);
		n = 3;
		break;
	case 28: /* record_size_limit */
		put16(b, 0x4001);
		n = 2;
		break;
	case 43: /* supported_versions */
		if (pr->grease)
			put16(b + 1 + n, hr->g_version), n += 2;
		put16(b + 1 + n, 0x0304), n += 2;
		put16(b + 1 + n, 0x0303), n += 2;
		b[0] = (uint8_t)n;
		n += 1;
		break;
	case 45: /* psk_key_exchange_modes */
		b[0] = 1;
		b[1] = 1;
		n = 2;
		break;
	case 51: /* key_share: GREASE (1 byte) and x25519 */
		n = 2;
		if (pr->grease) {
			put16(b + n, hr->g_group);
			put16(b + n + 2, 1);
			b[n + 4] = 0;
			n += 5;
		}
		put16(b + n, 29);
		put16(b + n + 2, 32);
		memcpy(b + n + 4, hr->key, 32);
		n += 36;
		put16(b, (uint32_t)(n - 2));
		break;
	case 17513: /* application_settings */
		memcpy(b, "\x00\x03\x02h2", 5);
		n = 5;
		break;
	case 65281: /* renegotiation_info */
		b[0] = 0;
		n = 1;
		break;
	default: /* empty: 18 SCT, 22 EtM, 23 EMS, 35 session_ticket */
		break;
	}
	put16(p, type);
	put16(p + 2, (uint32_t)n);
	return 4 + n;
}

/* Where the JA3 fields of a built hello are (offsets into the record). */
struct hello_layout {
	size_t body, ciphers, nciphers, exts, nexts;
};

/* Writes one TLS record holding a ClientHello of profile pr into out (at
 * least 2048 bytes); sni NULL for none (only for profiles without ext 0).
 * Returns the record length. */
static size_t build_client_hello(uint8_t *out, const struct tls_profile *pr, const char *sni,
                                 const struct hello_rand *hr, struct hello_layout *lay)
{
	size_t off = 9, ext_start, hs_len, padlen = 0;
	bool first_g = true;

	out[0] = 22;
	put16(out + 1, pr->rec_ver);
	out[5] = 1;
	put16(out + off, pr->version);
	off += 2;
	memcpy(out + off, hr->random, 32);
	off += 32;
	out[off++] = pr->sid ? 32 : 0;
	if (pr->sid) {
		memcpy(out + off, hr->sid, 32);
		off += 32;
	}
	put16(out + off, (uint32_t)(2 * pr->nciphers));
	off += 2;
	lay->ciphers = off;
	for (size_t i = 0; i < pr->nciphers; i++, off += 2)
		put16(out + off, pr->ciphers[i] == G ? hr->g_cipher : pr->ciphers[i]);
	lay->nciphers = off - lay->ciphers;
	out[off++] = 1; /* compression methods: null */
	out[off++] = 0;
	off += 2;
	ext_start = off;
	/* two passes: the padding extension (21) brings the hello to 512 bytes */
	for (int pass = 0; pass < 2; pass++) {
		off = ext_start;
		first_g = true;
		for (size_t i = 0; i < pr->nexts; i++) {
			off += put_ext(out + off, pr->exts[i], pr, sni, hr, first_g, padlen);
			if (pr->exts[i] == G)
				first_g = false;
		}
		hs_len = off - 5; /* handshake header + body */
		if (pass == 0) {
			if (hs_len < 512)
				padlen = 512 - hs_len;
			else
				padlen = 1;
		}
	}
	put16(out + ext_start - 2, (uint32_t)(off - ext_start));
	lay->exts = ext_start;
	lay->nexts = off - ext_start;
	lay->body = 9;
	out[6] = (uint8_t)((off - 9) >> 16);
	put16(out + 7, (uint32_t)(off - 9));
	put16(out + 3, (uint32_t)(off - 5));
	return off;
}

static void md5_hex(const char *s, size_t len, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];

	md5_init(&ctx);
	md5_update(&ctx, len, (const uint8_t *)s);
	md5_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
}

static size_t join16(char *out, size_t outsz, const uint16_t *v, size_t n)
{
	size_t used = 0;
	bool first = true;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < outsz; i++) {
		if (v[i] == G)
			continue;
		used += (size_t)snprintf(out + used, outsz - used, first ? "%u" : "-%u", v[i]);
		first = false;
	}
	return used;
}

/* The JA3 string of a profile, from the tables (independent of the bytes). */
static void profile_ja3_string(const struct tls_profile *pr, char *out, size_t outsz)
{
	char c[1024], e[512], g[512], f[64];
	size_t used = 0;

	join16(c, sizeof(c), pr->ciphers, pr->nciphers);
	join16(e, sizeof(e), pr->exts, pr->nexts);
	join16(g, sizeof(g), pr->groups, pr->ngroups);
	f[0] = '\0';
	for (size_t i = 0; i < pr->npf; i++)
		used += (size_t)snprintf(f + used, sizeof(f) - used, i ? "-%u" : "%u", pr->pf[i]);
	snprintf(out, outsz, "%u,%s,%s,%s,%s", pr->version, c, e, g, f);
}

/* The certificate chain of every TLS 1.2 server: two self-signed test
 * certificates made for this generator with `openssl req -x509` (P-256 leaf
 * "gen-traffic.invalid", RSA-2048 "gen-traffic intermediate CA"); their
 * keys were not kept. */
static const uint8_t CERT_LEAF[435] = {
    0x30, 0x82, 0x01, 0xaf, 0x30, 0x82, 0x01, 0x55, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x02, 0x10,
    0x92, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x36, 0x31,
    0x1c, 0x30, 0x1a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x13, 0x67, 0x65, 0x6e, 0x2d, 0x74, 0x72,
    0x61, 0x66, 0x66, 0x69, 0x63, 0x2e, 0x69, 0x6e, 0x76, 0x61, 0x6c, 0x69, 0x64, 0x31, 0x16, 0x30,
    0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0d, 0x65, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x65, 0x20,
    0x62, 0x65, 0x6e, 0x63, 0x68, 0x30, 0x1e, 0x17, 0x0d, 0x32, 0x36, 0x31, 0x31, 0x32, 0x32, 0x30,
    0x32, 0x32, 0x34, 0x34, 0x39, 0x5a, 0x17, 0x0d, 0x33, 0x36, 0x31, 0x31, 0x31, 0x39, 0x30, 0x32,
    0x32, 0x34, 0x34, 0x39, 0x5a, 0x30, 0x36, 0x31, 0x1c, 0x30, 0x1a, 0x06, 0x03, 0x55, 0x04, 0x03,
    0x0c, 0x13, 0x67, 0x65, 0x6e, 0x2d, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63, 0x2e, 0x69, 0x6e,
    0x76, 0x61, 0x6c, 0x69, 0x64, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0d,
    0x65, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x65, 0x20, 0x62, 0x65, 0x6e, 0x63, 0x68, 0x30, 0x59, 0x30,
    0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0xf8, 0xa5, 0xca, 0x48, 0x75, 0xc5, 0xe4, 0x46,
    0xec, 0x64, 0x84, 0x36, 0xa1, 0x48, 0xd0, 0xab, 0x7c, 0x38, 0x89, 0x46, 0x98, 0x14, 0x4b, 0x94,
    0xcf, 0x8a, 0x1e, 0x28, 0x1b, 0x1d, 0x29, 0x72, 0x57, 0xe1, 0xd0, 0x05, 0x9b, 0x7b, 0xed, 0xe3,
    0xeb, 0xd4, 0xc7, 0x07, 0x86, 0x82, 0x6d, 0x34, 0x2a, 0xfa, 0xbe, 0xa3, 0x81, 0x02, 0xdd, 0xdc,
    0x86, 0xd9, 0xae, 0x28, 0xe0, 0x52, 0x3e, 0x4f, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03,
    0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0xc7, 0x20, 0x74, 0xe2, 0x9a, 0xe0, 0xcd, 0x37, 0xab,
    0x0c, 0xab, 0x08, 0xf6, 0x4a, 0x9a, 0xee, 0xfb, 0xeb, 0xf6, 0xd3, 0x30, 0x1f, 0x06, 0x03, 0x55,
    0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0xc7, 0x20, 0x74, 0xe2, 0x9a, 0xe0, 0xcd, 0x37,
    0xab, 0x0c, 0xab, 0x08, 0xf6, 0x4a, 0x9a, 0xee, 0xfb, 0xeb, 0xf6, 0xd3, 0x30, 0x0f, 0x06, 0x03,
    0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x0a, 0x06,
    0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x48, 0x00, 0x30, 0x45, 0x02, 0x20,
    0x6d, 0x2b, 0x3a, 0xe3, 0xff, 0x84, 0x12, 0x6c, 0xa4, 0xd9, 0x9c, 0x42, 0x71, 0xb3, 0x35, 0x05,
    0x4f, 0xe9, 0x21, 0x5c, 0x38, 0x66, 0xdc, 0x56, 0x2d, 0xfd, 0xdb, 0xb3, 0xee, 0xbd, 0x30, 0xa5,
    0x02, 0x21, 0x00, 0xf4, 0x9b, 0x02, 0x40, 0x4e, 0x97, 0xad, 0xdd, 0xb5, 0x21, 0x22, 0x34, 0x8a,
    0xb2, 0x7a, 0x79, 0xa7, 0x9e, 0x73, 0x26, 0x2e, 0x4c, 0x14, 0xf1, 0xa7, 0x94, 0x1e, 0xb5, 0xfa,
    0x55, 0x05, 0x27,
};

static const uint8_t CERT_CA[847] = {
    0x30, 0x82, 0x03, 0x4b, 0x30, 0x82, 0x02, 0x33, 0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x02, 0x10,
    0x93, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
    0x30, 0x3e, 0x31, 0x24, 0x30, 0x22, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x1b, 0x67, 0x65, 0x6e,
    0x2d, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63, 0x20, 0x69, 0x6e, 0x74, 0x65, 0x72, 0x6d, 0x65,
    0x64, 0x69, 0x61, 0x74, 0x65, 0x20, 0x43, 0x41, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04,
    0x0a, 0x0c, 0x0d, 0x65, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x65, 0x20, 0x62, 0x65, 0x6e, 0x63, 0x68,
    0x30, 0x1e, 0x17, 0x0d, 0x32, 0x36, 0x31, 0x31, 0x32, 0x32, 0x30, 0x32, 0x32, 0x34, 0x35, 0x35,
    0x5a, 0x17, 0x0d, 0x33, 0x36, 0x31, 0x31, 0x31, 0x39, 0x30, 0x32, 0x32, 0x34, 0x35, 0x35, 0x5a,
    0x30, 0x3e, 0x31, 0x24, 0x30, 0x22, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x1b, 0x67, 0x65, 0x6e,
    0x2d, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63, 0x20, 0x69, 0x6e, 0x74, 0x65, 0x72, 0x6d, 0x65,
    0x64, 0x69, 0x61, 0x74, 0x65, 0x20, 0x43, 0x41, 0x31, 0x16, 0x30, 0x14, 0x06, 0x03, 0x55, 0x04,
    0x0a, 0x0c, 0x0d, 0x65, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x65, 0x20, 0x62, 0x65, 0x6e, 0x63, 0x68,
    0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
    0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01,
    0x00, 0xbf, 0x89, 0x9a, 0xd2, 0x18, 0x7f, 0x40, 0xb0, 0x7c, 0xe9, 0xfd, 0x29, 0xc7, 0xcf, 0xeb,
    0x08, 0x41, 0xa3, 0xee, 0x5d, 0xfe, 0xb0, 0xe6, 0xe3, 0xd6, 0xed, 0x69, 0xec, 0xf0, 0x3a, 0xe3,
    0x9e, 0x0b, 0xb1, 0x89, 0x10, 0x47, 0x3c, 0x67, 0x9d, 0xf8, 0x53, 0x52, 0x09, 0xf1, 0x43, 0xee,
    0x44, 0x0f, 0xe8, 0x5d, 0x0d, 0xe2, 0x11, 0x3f, 0x69, 0x09, 0x84, 0x45, 0x36, 0x48, 0x05, 0x64,
    0xb9, 0x8c, 0xfb, 0x4e, 0xec, 0xcd, 0xd5, 0x30, 0x1b, 0xa7, 0x8c, 0xf8, 0x5b, 0x46, 0x98, 0x00,
    0xe6, 0xa8, 0x5f, 0xc4, 0x71, 0xb9, 0x92, 0xd4, 0x74, 0x7d, 0x9c, 0xbe, 0x99, 0x5e, 0x34, 0xf4,
    0xce, 0xc9, 0xc1, 0x27, 0x8f, 0x8e, 0x2b, 0x1f, 0xb9, 0x2b, 0xc9, 0x08, 0x5a, 0xa4, 0x70, 0x74,
    0xa2, 0x23, 0x6d, 0xf7, 0x60, 0x09, 0xf3, 0x7f, 0x5e, 0x4d, 0xc4, 0xf1, 0x41, 0xee, 0x03, 0x2f,
    0xcc, 0x9b, 0x5a, 0xfe, 0x72, 0xb3, 0x57, 0x18, 0xe6, 0x98, 0x49, 0xa9, 0x61, 0x5d, 0xbf, 0xb5,
    0xf5, 0x19, 0xb7, 0x56, 0xf3, 0xb2, 0x79, 0x4a, 0xaf, 0x2d, 0x69, 0xaf, 0xd0, 0x0b, 0x39, 0x90,
    0x6a, 0xb0, 0x85, 0x28, 0x99, 0x8d, 0x52, 0xc1, 0x7f, 0xd3, 0x7e, 0xdf, 0x6c, 0x47, 0xf4, 0xb4,
    0xd3, 0xc2, 0x6d, 0xd3, 0x80, 0x3f, 0xb0, 0xde, 0x01, 0xaa, 0xd9, 0x7f, 0x6b, 0xcc, 0x15, 0x96,
    0xee, 0x2e, 0x20, 0xfd, 0x58, 0xbf, 0xd7, 0xf6, 0x8d, 0x5e, 0x5c, 0x3e, 0x0e, 0xf0, 0xa5, 0x5a,
    0x00, 0xca, 0x15, 0x49, 0xa7, 0x6b, 0xf8, 0x0e, 0x4b, 0x03, 0x97, 0x00, 0x3f, 0x35, 0xbc, 0xe0,
    0xb0, 0x51, 0x88, 0x39, 0xd9, 0xe8, 0xa9, 0xe3, 0x0b, 0x71, 0xfb, 0x3a, 0x2e, 0x13, 0x52, 0x76,
    0xeb, 0x0b, 0x72, 0x81, 0x1e, 0xb7, 0xc3, 0xb9, 0xb1, 0x9d, 0x33, 0x00, 0xa7, 0xdc, 0x8e, 0xa2,
    0x43, 0x02, 0x03, 0x01, 0x00, 0x01, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d,
    0x0e, 0x04, 0x16, 0x04, 0x14, 0x96, 0x66, 0xb7, 0x53, 0x79, 0x70, 0x46, 0xda, 0x0a, 0x98, 0xf0,
    0x6e, 0xdf, 0xeb, 0x62, 0x60, 0x3f, 0xf8, 0x41, 0x5e, 0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23,
    0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0x96, 0x66, 0xb7, 0x53, 0x79, 0x70, 0x46, 0xda, 0x0a, 0x98,
    0xf0, 0x6e, 0xdf, 0xeb, 0x62, 0x60, 0x3f, 0xf8, 0x41, 0x5e, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d,
    0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x0d, 0x06, 0x09, 0x2a,
    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, 0x03, 0x82, 0x01, 0x01, 0x00, 0x1e,
    0x3d, 0xc0, 0xe0, 0x53, 0xa9, 0xe0, 0xa2, 0xa5, 0x35, 0xa3, 0x38, 0x6d, 0x57, 0x1a, 0x2f, 0xf6,
    0x01, 0x44, 0x99, 0x05, 0x21, 0x1b, 0x03, 0xb7, 0x05, 0x9f, 0xa4, 0xdb, 0x1c, 0xcb, 0xbb, 0xcc,
    0x6c, 0xcb, 0xe6, 0x60, 0x59, 0x78, 0x48, 0xf1, 0xe0, 0xe4, 0x73, 0x84, 0x9f, 0x72, 0xdb, 0x69,
    0x9c, 0xd5, 0x9e, 0x12, 0x1e, 0x65, 0x70, 0x47, 0xc7, 0x7d, 0xc8, 0xec, 0x96, 0xf9, 0xa0, 0x79,
    0xe3, 0x45, 0x6d, 0xe5, 0x24, 0x65, 0x7a, 0x19, 0xdb, 0xe7, 0x19, 0x98, 0x0b, 0x6b, 0x4f, 0xbe,
    0x00, 0x02, 0xad, 0x4f, 0x2c, 0x97, 0x79, 0xcc, 0xed, 0x28, 0x2d, 0x3a, 0xd7, 0xea, 0x0d, 0x4b,
    0x5c, 0xf9, 0x37, 0x85, 0xd0, 0x78, 0x3c, 0xc2, 0xb0, 0xdb, 0x98, 0x7e, 0xff, 0xf7, 0xcd, 0x7b,
    0xe6, 0x05, 0x34, 0x2b, 0x84, 0x92, 0x6d, 0xa9, 0x21, 0x4e, 0x42, 0xbd, 0x87, 0x68, 0x08, 0x86,
    0x57, 0x26, 0x10, 0x04, 0x37, 0xca, 0xf8, 0x53, 0xb4, 0x75, 0x74, 0xae, 0x61, 0x17, 0xb6, 0xb5,
    0x6d, 0x71, 0x16, 0x25, 0x7b, 0x43, 0xbc, 0xa7, 0x74, 0x7e, 0xa6, 0x00, 0x89, 0xca, 0xce, 0x45,
    0xac, 0x73, 0xbb, 0x59, 0xe3, 0x5c, 0x31, 0x44, 0xa6, 0xc1, 0x62, 0x56, 0xdf, 0xd3, 0x9a, 0x85,
    0x94, 0x6b, 0xfe, 0x0f, 0x1d, 0x18, 0xe5, 0x45, 0x82, 0x5f, 0x1d, 0xdb, 0x4a, 0xc8, 0x61, 0xc2,
    0x03, 0xb5, 0xda, 0x06, 0x49, 0x95, 0xad, 0x13, 0x0d, 0x77, 0xf5, 0xd6, 0x0a, 0x1e, 0x8f, 0x1b,
    0x1f, 0x01, 0x17, 0x36, 0xd3, 0x1f, 0x73, 0xef, 0xa0, 0xdb, 0x0d, 0x76, 0x03, 0x76, 0xec, 0x57,
    0x76, 0x9d, 0xc7, 0xb0, 0xd6, 0x7f, 0xb1, 0xc2, 0x08, 0xe0, 0xc7, 0x5e, 0x81, 0x2d, 0x22, 0x94,
    0xb5, 0xc6, 0x78, 0x2e, 0xb0, 0x12, 0x12, 0x22, 0x80, 0x50, 0xbd, 0xbc, 0x01, 0xdf, 0x33,
};

/* Server side: legacy_version 0x0303 (0x0301 to a TLS 1.0 client). */
struct srv_profile {
	bool tls13;
	uint16_t c13, c12;
	const uint16_t *e13;
	size_t ne13;
	const uint16_t *e12;
	size_t ne12;
};

#define NSRV 4
static const struct srv_profile SRV[NSRV] = {
    {true, 4866, 49199, L16(43, 51), L16(65281, 11, 35, 23)},
    {true, 4865, 49195, L16(51, 43), L16(65281, 23, 11)},
    {false, 0, 49200, NULL, 0, L16(65281, 11, 35, 23)},
    {false, 0, 49200, NULL, 0, L16(65281, 23)},
};

/* ---------------------------------------------------------------------- */
/* the universe: sites, DNS-only names, clients                           */

#define SVC_HTTPS 1
#define SVC_HTTP  2
#define SVC_SSH   4

struct site {
	char name[64];
	char cname[2][64]; /* CNAME chain: name -> cname[0] -> cname[1] */
	uint8_t ncname;
	uint8_t svc;
	uint8_t srv; /* index into SRV */
	bool has_v4, has_v6;
	bool domain_used; /* already planted as a domain */
	uint8_t v4[4];
	uint8_t v6[16];
};

static const char *const SYL[64] = {
    "ba", "be", "bi", "bo", "bu", "da", "de", "di", "do", "du", "fa", "fe", "fi", "fo", "ka", "ke",
    "ki", "ko", "ku", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni",
    "no", "nu", "pa", "pe", "pi", "po", "pu", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so",
    "su", "ta", "te", "ti", "to", "tu", "va", "ve", "vi", "vo", "za", "ze", "zi", "zo", "xa", "xo"};

/* A pronounceable word, distinct for distinct i < 2^18 (3 syllables of a
 * bijective scramble of i). */
static void word(uint32_t i, char out[7])
{
	uint32_t x = (i * 0x9E3Bu + 0x1234u) & 0x3ffffu;

	memcpy(out, SYL[x & 63], 2);
	memcpy(out + 2, SYL[(x >> 6) & 63], 2);
	memcpy(out + 4, SYL[(x >> 12) & 63], 2);
	out[6] = '\0';
}

static const char *const SUBS[] = {"www",  "api",  "cdn",  "static", "img",    "app",    "m",
                                   "news", "shop", "docs", "login",  "update", "assets", "portal"};
static const char *const TLDS[] = {"com", "net", "org", "io", "de", "fr", "co.uk", "nl", "eu"};
static const uint8_t V4_NETS[] = {23, 31, 45, 52, 62, 77, 81, 91, 104, 141, 151, 185, 193, 212};

static void make_sites(struct site *s, uint32_t n, uint64_t seed)
{
	struct rng r = {seed * 0x9E3779B97F4A7C15ULL ^ 0x5175u};

	for (uint32_t i = 0; i < n; i++, s++) {
		char w[7], w2[7];
		uint32_t lo =
		    (uint32_t)(((uint64_t)(i / 14) * 2654435761u) ^ (seed * 0x2545u)) & 0xffffffu;
		uint32_t x = (uint32_t)mix64(i + seed * 7919u);

		word(i, w);
		snprintf(s->name, sizeof(s->name), "%s.%s.%s", SUBS[x % 14], w, TLDS[(x >> 8) % 9]);
		s->has_v4 = true;
		s->v4[0] = V4_NETS[i % 14];
		s->v4[1] = (uint8_t)(lo >> 16);
		s->v4[2] = (uint8_t)(lo >> 8);
		s->v4[3] = (uint8_t)lo;
		s->has_v6 = rndn(&r, 100) < 30;
		memcpy(s->v6, "\x2a\x02\x26\xf0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01",
		       16);
		put16(s->v6 + 4, 0x1000 + (i >> 4));
		put16(s->v6 + 6, (uint32_t)(mix64(i) & 0xffff));
		s->v6[15] = (uint8_t)(1 + (i & 15));
		x = rndn(&r, 100);
		s->svc = x < 60 ? SVC_HTTPS : x < 85 ? SVC_HTTPS | SVC_HTTP : SVC_HTTP;
		if (rndn(&r, 100) < 5)
			s->svc |= SVC_SSH;
		x = rndn(&r, 100);
		s->ncname = x < 25 ? 1 : x < 35 ? 2 : 0;
		word(50000 + 2 * i, w);
		word(50001 + 2 * i, w2);
		snprintf(s->cname[0], sizeof(s->cname[0]), "%s.edgesuite-cdn.net", w);
		snprintf(s->cname[1], sizeof(s->cname[1]), "%s.a.edge-lb.net", w2);
		s->srv = (uint8_t)rndn(&r, NSRV);
		s->domain_used = false;
	}
}

static void dnsonly_name(uint32_t j, char *out, size_t outsz)
{
	char w[7];

	word(100000 + j, w);
	snprintf(out, outsz, "%s.%s", w, TLDS[mix64(j) % 9]);
}

/* DNS-only names: one in ten does not exist. */
static bool dnsonly_nx(uint32_t j)
{
	return j % 10 == 3;
}

/* The HTTP path k of a site; fixed for (site, k). */
static void site_path(uint32_t site, uint32_t k, char *out, size_t outsz)
{
	uint64_t h = mix64(((uint64_t)site << 8) | k);
	uint32_t a = (uint32_t)h, b = (uint32_t)(h >> 32);
	char w[7];

	word(200000 + a % 60000, w);
	switch (k < 3 ? k : 3 + (b % 8)) {
	case 0:
		snprintf(out, outsz, "/");
		break;
	case 1:
		snprintf(out, outsz, "/index.html");
		break;
	case 2:
		snprintf(out, outsz, "/favicon.ico");
		break;
	case 3:
		snprintf(out, outsz, "/static/css/main.%06x.css", a & 0xffffff);
		break;
	case 4:
		snprintf(out, outsz, "/static/js/app.%06x.js", a & 0xffffff);
		break;
	case 5:
		snprintf(out, outsz, "/images/%s-%u.webp", w, k);
		break;
	case 6:
		snprintf(out, outsz, "/api/v1/%s/%u", w, a % 100000);
		break;
	case 7:
		snprintf(out, outsz, "/search?q=%s&page=%u", w, 1 + a % 9);
		break;
	case 8:
		snprintf(out, outsz, "/update/check?v=%u.%u.%u&id=%u", a % 9, (a >> 8) % 20,
		         (a >> 16) % 100, k);
		break;
	case 9:
		snprintf(out, outsz, "/download/%s-%u.zip", w, a % 1000);
		break;
	default:
		snprintf(out, outsz, "/news/%u/%s.html", 2020 + a % 7, w);
		break;
	}
}

static void client_addr(int family, uint32_t i, uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == 4) {
		out[0] = 10;
		out[1] = 1;
		if (i >= INFECTED0) {
			out[2] = 200;
			out[3] = (uint8_t)(10 + i - INFECTED0);
		} else {
			out[2] = (uint8_t)(i / 250);
			out[3] = (uint8_t)(1 + i % 250);
		}
	} else {
		memcpy(out, "\xfd\x12\x34\x56\x78\x9a\x00\x01", 8);
		put16(out + 10, 0x5e00 + (i >> 16));
		put16(out + 12, (uint32_t)(mix64(i) & 0xffff));
		put16(out + 14, i & 0xffff);
	}
}

/* The common TLS profile a client always uses. */
static int client_profile(uint32_t client)
{
	uint32_t x = (uint32_t)(mix64(client ^ 0xc11e) % 1000), acc = 0;

	if (client >= INFECTED0)
		return NCOMMON + (int)(client - INFECTED0);
	for (int p = 0; p < NCOMMON; p++) {
		acc += PROFILE_SHARE[p];
		if (x < acc)
			return p;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* the planted set                                                        */

struct planted {
	enum ent_obs_kind kind;
	char value[160];      /* normalized; for networks "addr/len" */
	uint8_t family, plen; /* addresses */
	uint8_t addr[16];
	uint32_t ind; /* indicator number (the demo's OR pattern shares one) */
	bool in_csv;
};

#define PTAB_SIZE 4096 /* open addressing for the (few hundred) non-address values */

/* ---------------------------------------------------------------------- */
/* flows                                                                  */

enum ftype {
	FT_DNS,
	FT_HTTPS,
	FT_HTTP,
	FT_SSH,
	FT_ICMP,
	FT_NTP,
	FT_RTP,
	FT_REJECT,
	FT_SYSLOG,
	FT_SMB,
	FT_COUNT
};
static const char *const FT_NAMES[FT_COUNT] = {"dns", "https", "http",   "ssh",    "icmp",
                                               "ntp", "rtp",   "reject", "syslog", "smb"};
/* New flows by type, per mille. */
static const uint16_t FT_SHARE[FT_COUNT] = {360, 360, 120, 10, 30, 50, 20, 20, 30, 0};

/* What to start: the random choices, or fixed ones for forced flows. */
struct spec {
	uint8_t type;
	uint8_t family;
	int32_t site;      /* -1: none */
	int32_t dnsonly;   /* DNS: a DNS-only name instead of a site */
	int32_t client;    /* -1: pick one */
	int16_t path;      /* HTTP: the first path, -1: random */
	uint8_t qtypes;    /* DNS: 1 A, 2 AAAA, 3 both */
	uint16_t dport;    /* REJECT, SMB */
	bool keep;         /* forced: winding down drops only its bulk data */
	bool ovr;          /* explicit addresses (demo) */
	const char *upath; /* HTTP: the first path (demo) */
	uint8_t ocli[16], osrv[16];
};

enum { SRC_ARENA, SRC_POOL, SRC_TLSREC, SRC_RTP, SRC_ICMP };

struct msg {
	uint32_t off, len;
	uint8_t dir; /* 0 client to server, 1 back */
	uint8_t src;
	bool bulk; /* dropped when the generator winds down */
};

struct hit {
	const char *where;
	enum ent_obs_kind kind;
	uint32_t ind;  /* indicator number */
	uint32_t pidx; /* the planted entry that matched */
	uint8_t msg;
	bool fired;
	char value[160];
};

/* TCP: SYN -> SYNACK -> ACK -> DATA (messages, pure ACKs) -> FIN1 -> FIN2 -> FIN3, or
 * DATA -> server RST; a rejected connection is SYN -> RST. tcp_step moves. */
enum tstate { TS_SYN, TS_SYNACK, TS_ACK, TS_DATA, TS_FIN1, TS_FIN2, TS_FIN3, TS_RST };

struct flow {
	uint8_t type, family, proto, state;
	bool keep, truncated, first_sent, rst_close;
	uint8_t cli[16], srv[16];
	uint16_t cport, sport;
	uint8_t cmac[6];
	uint8_t ttl[2];
	uint16_t ipid[2];
	uint32_t label[2];
	uint32_t isn[2], seq[2];
	uint16_t mss, ack_every, unacked;
	bool ack_due;
	uint8_t ack_dir;
	uint16_t icmp_id;
	uint32_t rtp_ssrc, rtp_ts;
	uint16_t rtp_seq;
	uint32_t rtp_left; /* RTP datagrams still to send (msgs[0] is their template) */
	uint8_t nmsg, cur; /* the script, and the message being sent */
	uint32_t moff;     /* bytes of msgs[cur] already sent */
	struct msg msgs[MAX_MSGS];
	uint8_t *arena; /* bytes of SRC_ARENA messages; owned, kept for the slot's next flow */
	uint32_t alen, acap;
	struct hit *hits; /* planted values the messages carry; owned like arena */
	uint16_t nhits, chits;
};

struct gen {
	uint64_t seed, target;
	uint32_t nflows;
	bool demo;
	struct rng r;
	FILE *out, *exp;
	const char *out_path;
	uint8_t *obuf;
	size_t olen;
	uint64_t total, pkts, now_ns, alerts, flows_done;
	uint64_t hist[5];
	uint64_t started[FT_COUNT];
	uint8_t *pool;
	struct site *sites;
	uint32_t nsites, nrandom; /* random flows use sites [0, nrandom) */
	uint16_t *cport;
	uint32_t icmp_n;
	struct planted *pl;
	size_t npl, cappl;
	int32_t ptab[PTAB_SIZE];
	uint32_t nind;
	char ja3[NPROFILES][33];
	struct spec *forced;
	size_t nforced, iforced, capforced;
	struct spec pending[PENDING_MAX];
	size_t phead, ptail;
	struct flow *slots;
	size_t nactive;
	bool finishing;
	bool io_error;
};

/* ---------------------------------------------------------------------- */
/* planted-set lookups                                                    */

static uint32_t str_hash(enum ent_obs_kind k, const char *s)
{
	uint32_t h = 2166136261u ^ (uint32_t)k;

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

/* The planted entry for a non-address value, or -1. */
static int planted_find(const struct gen *g, enum ent_obs_kind k, const char *v)
{
	for (uint32_t i = str_hash(k, v) & (PTAB_SIZE - 1);; i = (i + 1) & (PTAB_SIZE - 1)) {
		int32_t e = g->ptab[i];

		if (e < 0)
			return -1;
		if (g->pl[e].kind == k && strcmp(g->pl[e].value, v) == 0)
			return e;
	}
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned plen)
{
	unsigned bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, net, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ net[bytes]) & (0xff00u >> bits)) == 0;
}

/* The planted entry covering an address, or -1 (the first one: planted
 * networks never overlap). */
static int planted_find_ip(const struct gen *g, int family, const uint8_t *a)
{
	for (size_t i = 0; i < g->npl; i++) {
		const struct planted *p = &g->pl[i];

		if ((p->kind == ENT_OBS_IPV4 || p->kind == ENT_OBS_IPV6) && p->family == family &&
		    prefix_match(a, p->addr, p->plen))
			return (int)i;
	}
	return -1;
}

/* Adds a planted value; -1 if the same (kind, value) is already there.
 * new_ind false: the value belongs to the previous indicator (an OR). */
static int planted_add(struct gen *g, enum ent_obs_kind k, const char *value, bool new_ind,
                       bool in_csv)
{
	struct planted *p;
	char err[ENT_ERRBUF_SIZE], norm[ENT_OBS_VALUE_MAX];

	if (ent_obs_normalize(k, value, strlen(value), norm, sizeof(norm), err) != ENT_OK) {
		fprintf(stderr, "gen_traffic: planted value %s: %s\n", value, err);
		exit(1);
	}
	if (planted_find(g, k, norm) >= 0)
		return -1;
	if (g->npl == g->cappl) {
		g->cappl = g->cappl ? 2 * g->cappl : 256;
		g->pl = realloc(g->pl, g->cappl * sizeof(*g->pl));
		if (g->pl == NULL) {
			perror("gen_traffic");
			exit(1);
		}
	}
	p = &g->pl[g->npl];
	memset(p, 0, sizeof(*p));
	p->kind = k;
	snprintf(p->value, sizeof(p->value), "%s", norm);
	p->in_csv = in_csv;
	if (new_ind || g->nind == 0)
		g->nind++;
	p->ind = g->nind - 1;
	if (k == ENT_OBS_IPV4 || k == ENT_OBS_IPV6) {
		char a[64], *slash;

		snprintf(a, sizeof(a), "%s", norm);
		slash = strchr(a, '/');
		p->family = k == ENT_OBS_IPV4 ? 4 : 6;
		p->plen = (uint8_t)(slash ? atoi(slash + 1) : (p->family == 4 ? 32 : 128));
		if (slash)
			*slash = '\0';
		if (inet_pton(p->family == 4 ? AF_INET : AF_INET6, a, p->addr) != 1) {
			fprintf(stderr, "gen_traffic: bad planted address %s\n", norm);
			exit(1);
		}
	} else {
		uint32_t i = str_hash(k, p->value) & (PTAB_SIZE - 1);

		while (g->ptab[i] >= 0)
			i = (i + 1) & (PTAB_SIZE - 1);
		g->ptab[i] = (int32_t)g->npl;
	}
	return (int)g->npl++;
}

/* ---------------------------------------------------------------------- */
/* hits: planted values a flow's messages carry                           */

static void hit_add(const struct gen *g, struct flow *f, uint8_t msg, const char *where,
                    enum ent_obs_kind k, const char *value, const struct planted *p)
{
	struct hit *h;

	if (f->nhits == f->chits) {
		f->chits = f->chits ? 2 * f->chits : 4;
		f->hits = realloc(f->hits, f->chits * sizeof(*f->hits));
		if (f->hits == NULL) {
			perror("gen_traffic");
			exit(1);
		}
	}
	h = &f->hits[f->nhits++];
	h->where = where;
	h->kind = k;
	h->ind = p->ind;
	h->pidx = (uint32_t)(p - g->pl);
	h->msg = msg;
	h->fired = false;
	snprintf(h->value, sizeof(h->value), "%s", value);
}

static void check_str(struct gen *g, struct flow *f, uint8_t msg, const char *where,
                      enum ent_obs_kind k, const char *value)
{
	int e = planted_find(g, k, value);

	if (e >= 0)
		hit_add(g, f, msg, where, k, value, &g->pl[e]);
}

/* An address observable; text is how entente prints it (NULL: RFC 5952). */
static void check_ip(struct gen *g, struct flow *f, uint8_t msg, const char *where, int family,
                     const uint8_t *a, const char *text)
{
	char buf[ENT_ADDR_STRLEN];
	int e = planted_find_ip(g, family, a);

	if (e < 0)
		return;
	if (text == NULL) {
		ent_addr_fmt(family, a, buf);
		text = buf;
	}
	hit_add(g, f, msg, where, family == 4 ? ENT_OBS_IPV4 : ENT_OBS_IPV6, text, &g->pl[e]);
}

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "TCP" : p == 17 ? "UDP" : p == 1 ? "ICMP" : "IPv6-ICMP";
}

/* Message msg has been sent completely: its hits become expected alerts. */
static void hits_fire(struct gen *g, struct flow *f, uint8_t msg)
{
	for (uint16_t i = 0; i < f->nhits; i++) {
		struct hit *h = &f->hits[i];
		char c[ENT_ADDR_STRLEN], s[ENT_ADDR_STRLEN];
		bool dup = false;

		if (h->msg != msg || h->fired)
			continue;
		h->fired = true;
		for (uint16_t j = 0; j < f->nhits; j++)
			if (j != i && f->hits[j].fired && f->hits[j].ind == h->ind &&
			    (j < i || f->hits[j].msg != msg))
				dup = true;
		if (dup)
			continue;
		g->alerts++;
		if (g->exp == NULL)
			continue;
		ent_addr_fmt(f->family, f->cli, c);
		ent_addr_fmt(f->family, f->srv, s);
		fprintf(g->exp, "%s\t%s\t%u\t%s\t%u\t%s\t%s\t%s\t%s\n", proto_name(f->proto), c,
		        f->cport, s, f->sport, ent_obs_kind_name(h->kind), h->value, h->where,
		        g->pl[h->pidx].value);
	}
}

/* ---------------------------------------------------------------------- */
/* messages                                                               */

static uint32_t arena_put(struct flow *f, const void *p, size_t n)
{
	uint32_t off = f->alen;

	if (f->alen + n > f->acap) {
		uint32_t cap = f->acap ? f->acap : 1024;

		while (cap < f->alen + n)
			cap *= 2;
		f->arena = realloc(f->arena, cap);
		if (f->arena == NULL) {
			perror("gen_traffic");
			exit(1);
		}
		f->acap = cap;
	}
	memcpy(f->arena + f->alen, p, n);
	f->alen += (uint32_t)n;
	return off;
}

/* Appends a message; returns its index. */
static uint8_t msg_add(struct flow *f, uint8_t dir, uint8_t src, uint32_t off, uint32_t len,
                       bool bulk)
{
	struct msg *m;

	if (f->nmsg >= MAX_MSGS) {
		fprintf(stderr, "gen_traffic: internal error: too many messages\n");
		exit(1);
	}
	m = &f->msgs[f->nmsg];
	m->off = off;
	m->len = len;
	m->dir = dir;
	m->src = src;
	m->bulk = bulk;
	return f->nmsg++;
}

static uint8_t msg_bytes(struct flow *f, uint8_t dir, const void *p, size_t n)
{
	return msg_add(f, dir, SRC_ARENA, arena_put(f, p, n), (uint32_t)n, false);
}

static uint8_t msg_pool(struct gen *g, struct flow *f, uint8_t dir, uint32_t n, bool bulk)
{
	return msg_add(f, dir, SRC_POOL, rndn(&g->r, POOL_SIZE), n, bulk);
}

/* Bulk TLS application data: n bytes of records (at most 16401 bytes each). */
static uint8_t msg_tlsrec(struct gen *g, struct flow *f, uint8_t dir, uint32_t n)
{
	if (n % TLSREC_FULL != 0 && n % TLSREC_FULL < 32)
		n += 32;
	return msg_add(f, dir, SRC_TLSREC, rndn(&g->r, POOL_SIZE), n, true);
}

static void pool_copy(const struct gen *g, uint32_t pos, uint8_t *dst, uint32_t n)
{
	memcpy(dst, g->pool + pos % POOL_SIZE, n); /* the pool has FRAME_MAX bytes of slack */
}

/* Bytes [off, off + n) of message m into dst. */
static void msg_fill(const struct gen *g, const struct flow *f, const struct msg *m, uint32_t off,
                     uint8_t *dst, uint32_t n)
{
	switch (m->src) {
	case SRC_ARENA:
		memcpy(dst, f->arena + m->off + off, n);
		break;
	case SRC_TLSREC:
		while (n > 0) {
			uint32_t start = off / TLSREC_FULL * TLSREC_FULL, in = off - start;
			uint32_t rlen = m->len - start < TLSREC_FULL ? m->len - start : TLSREC_FULL;
			uint32_t k;

			if (in < 5) {
				uint8_t h[5] = {23, 3, 3, (uint8_t)((rlen - 5) >> 8),
				                (uint8_t)(rlen - 5)};

				k = 5 - in < n ? 5 - in : n;
				memcpy(dst, h + in, k);
			} else {
				k = rlen - in < n ? rlen - in : n;
				pool_copy(g, m->off + off, dst, k);
			}
			dst += k;
			off += k;
			n -= k;
		}
		break;
	default:
		pool_copy(g, m->off + off, dst, n);
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* packets                                                                */

static void out_flush(struct gen *g)
{
	if (g->olen > 0 && fwrite(g->obuf, 1, g->olen, g->out) != g->olen)
		g->io_error = true;
	g->olen = 0;
}

/* Where the next frame goes (after its 16-byte record header). */
static uint8_t *frame_begin(struct gen *g)
{
	if (g->olen + 16 + FRAME_MAX > OUT_BUF_SIZE)
		out_flush(g);
	return g->obuf + g->olen + 16;
}

static void frame_commit(struct gen *g, uint32_t len)
{
	uint8_t *rec = g->obuf + g->olen;
	/* about 1 Gbit/s: the frame's time on the wire, +-50%, at least 1 us */
	uint64_t gap = (uint64_t)(len + 24) * 8 * (64 + rndn(&g->r, 129)) / 128;
	uint32_t h[4];

	if (g->demo)
		gap *= 2000; /* a demo spread over seconds, not milliseconds */
	g->now_ns += gap < 1000 ? 1000 : gap;
	h[0] = (uint32_t)(START_SEC + g->now_ns / 1000000000u);
	h[1] = (uint32_t)(g->now_ns % 1000000000u / 1000u);
	h[2] = len;
	h[3] = len;
	memcpy(rec, h, 16);
	g->olen += 16 + len;
	g->total += 16 + len;
	g->pkts++;
	g->hist[len <= 100 ? 0 : len <= 400 ? 1 : len <= 700 ? 2 : len <= 1200 ? 3 : 4]++;
}

/* One's complement sum (RFC 1071) in host order: store the folded,
 * complemented result with memcpy and the bytes are right. */
static uint64_t sum_add(uint64_t s, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		s += (v & 0xffffffffu) + (v >> 32);
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		s += v;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t v;

		memcpy(&v, p, 2);
		s += v;
		p += 2;
		n -= 2;
	}
	if (n == 1) {
		uint8_t t[2] = {p[0], 0};
		uint16_t v;

		memcpy(&v, t, 2);
		s += v;
	}
	return s;
}

static void sum_store(uint8_t *at, uint64_t s)
{
	uint16_t c;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	c = (uint16_t)~s;
	memcpy(at, &c, 2);
}

static const uint8_t GW_MAC[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x5d};

/* Ethernet and IP headers of a packet of f in direction dir with l4len
 * bytes of protocol f->proto; returns the length of the headers. */
static size_t put_l2l3(struct flow *f, int dir, uint8_t *fr, size_t l4len)
{
	const uint8_t *src = dir ? f->srv : f->cli, *dst = dir ? f->cli : f->srv;

	memcpy(fr, dir ? f->cmac : GW_MAC, 6);
	memcpy(fr + 6, dir ? GW_MAC : f->cmac, 6);
	if (f->family == 4) {
		uint8_t *ip = fr + 14;

		fr[12] = 0x08;
		fr[13] = 0x00;
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint32_t)(20 + l4len));
		put16(ip + 4, f->ipid[dir]++);
		put16(ip + 6, f->proto == 6 ? 0x4000 : 0);
		ip[8] = f->ttl[dir];
		ip[9] = f->proto;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		sum_store(ip + 10, sum_add(0, ip, 20));
		return 34;
	} else {
		uint8_t *ip = fr + 14;

		fr[12] = 0x86;
		fr[13] = 0xdd;
		put32(ip, 0x60000000u | f->label[dir]);
		put16(ip + 4, (uint32_t)l4len);
		ip[6] = f->proto;
		ip[7] = f->ttl[dir];
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		return 54;
	}
}

/* The pseudo-header sum for the transport checksum. */
static uint64_t pseudo_sum(const struct flow *f, int dir, size_t l4len)
{
	uint8_t ph[40];
	size_t alen = f->family == 4 ? 4 : 16;

	memcpy(ph, dir ? f->srv : f->cli, alen);
	memcpy(ph + alen, dir ? f->cli : f->srv, alen);
	if (f->family == 4) {
		ph[8] = 0;
		ph[9] = f->proto;
		put16(ph + 10, (uint32_t)l4len);
		return sum_add(0, ph, 12);
	}
	put32(ph + 32, (uint32_t)l4len);
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = f->proto;
	return sum_add(0, ph, 40);
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static size_t l3_len(const struct flow *f)
{
	return f->family == 4 ? 34 : 54;
}

/* Sends a TCP segment whose payload (plen bytes) is already in place. */
static void tcp_send(struct gen *g, struct flow *f, int dir, uint8_t flags, uint8_t *fr,
                     size_t plen)
{
	bool syn = (flags & TH_SYN) != 0;
	size_t hl = syn ? 32 : 20, h;
	uint8_t *t;
	uint32_t seq = f->seq[dir];

	h = put_l2l3(f, dir, fr, hl + plen);
	t = fr + h;
	put16(t, dir ? f->sport : f->cport);
	put16(t + 2, dir ? f->cport : f->sport);
	put32(t + 4, syn ? f->isn[dir] : seq);
	put32(t + 8, flags & TH_ACK ? f->seq[!dir] : 0);
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	put16(t + 14, syn ? (dir ? 65535 : 64240) : (dir ? 501 : 2053));
	t[16] = t[17] = t[18] = t[19] = 0;
	if (syn) {
		uint16_t mss = f->family == 4 ? 1460 : 1440;

		if (dir)
			mss = f->mss;
		t[20] = 2;
		t[21] = 4;
		put16(t + 22, mss);
		if (dir == 0)
			memcpy(t + 24, "\x01\x03\x03\x08\x01\x01\x04\x02", 8);
		else
			memcpy(t + 24, "\x01\x01\x04\x02\x01\x03\x03\x07", 8);
	}
	sum_store(t + 16, sum_add(pseudo_sum(f, dir, hl + plen), t, hl + plen));
	frame_commit(g, (uint32_t)(h + hl + plen));
	if (syn)
		f->seq[dir] = f->isn[dir] + 1;
	else
		f->seq[dir] += (uint32_t)plen + ((flags & TH_FIN) ? 1 : 0);
}

/* The first packet of a flow fires the flow.src / flow.dst hits. */
static void first_packet(struct gen *g, struct flow *f)
{
	if (!f->first_sent) {
		f->first_sent = true;
		hits_fire(g, f, MSG_FIRST);
	}
}

/* Past --bytes, flows drop their bulk data (the demo sends everything). */
static bool winding_down(const struct gen *g)
{
	return !g->demo && g->total >= g->target;
}

/* Winding down: a flow drops what is left of its script; a forced flow
 * only its bulk data, so that its planted values still go out. */
static void truncate_flow(struct flow *f)
{
	uint8_t keep = 0;

	f->truncated = true;
	if (f->cur >= f->nmsg)
		return;
	if (f->moff > 0 && f->msgs[f->cur].bulk) {
		f->msgs[f->cur].len = f->moff; /* cut here: the message is complete */
		f->cur++;
		f->moff = 0;
	}
	keep = (uint8_t)(f->cur + (f->moff > 0 ? 1 : 0));
	/* a flight that has begun is finished (no record cut in two) */
	if (f->moff > 0)
		while (keep < f->nmsg && f->msgs[keep].dir == f->msgs[f->cur].dir &&
		       !f->msgs[keep].bulk)
			keep++;
	if (!f->keep) {
		f->nmsg = keep;
		return;
	}
	for (uint8_t i = keep; i < f->nmsg; i++) {
		if (f->msgs[i].bulk)
			continue;
		for (uint16_t h = 0; h < f->nhits; h++)
			if (f->hits[h].msg == i)
				f->hits[h].msg = keep;
		f->msgs[keep++] = f->msgs[i];
	}
	f->nmsg = keep;
}

/* One data segment from the side whose message is next. */
static void tcp_data(struct gen *g, struct flow *f)
{
	uint8_t dir = f->msgs[f->cur].dir;
	uint8_t *fr = frame_begin(g), *pl = fr + l3_len(f) + 20;
	uint32_t n = 0;
	bool run_end;

	while (n < f->mss && f->cur < f->nmsg && f->msgs[f->cur].dir == dir) {
		const struct msg *m = &f->msgs[f->cur];
		uint32_t take = m->len - f->moff;

		if (take > f->mss - n)
			take = f->mss - n;
		msg_fill(g, f, m, f->moff, pl + n, take);
		n += take;
		f->moff += take;
		if (f->moff == m->len) {
			hits_fire(g, f, f->cur);
			f->cur++;
			f->moff = 0;
		}
	}
	run_end = f->cur >= f->nmsg || f->msgs[f->cur].dir != dir;
	tcp_send(g, f, dir, TH_ACK | (run_end ? TH_PSH : 0), fr, n);
	if (run_end) {
		f->unacked = 0;
		if (f->cur >= f->nmsg) {
			f->ack_due = true;
			f->ack_dir = (uint8_t)!dir;
		}
	} else if (++f->unacked >= f->ack_every) {
		f->unacked = 0;
		f->ack_due = true;
		f->ack_dir = (uint8_t)!dir;
	}
}

/* Sends the next packet of a TCP flow; true when the flow is over. */
static bool tcp_step(struct gen *g, struct flow *f)
{
	uint8_t *fr;

	if (winding_down(g) && !f->truncated)
		truncate_flow(f);
	switch (f->state) {
	case TS_SYN:
		tcp_send(g, f, 0, TH_SYN, frame_begin(g), 0);
		first_packet(g, f);
		f->state = f->type == FT_REJECT ? TS_RST : TS_SYNACK;
		return false;
	case TS_SYNACK:
		tcp_send(g, f, 1, TH_SYN | TH_ACK, frame_begin(g), 0);
		f->state = TS_ACK;
		return false;
	case TS_ACK:
		tcp_send(g, f, 0, TH_ACK, frame_begin(g), 0);
		f->state = TS_DATA;
		return false;
	case TS_DATA:
		if (f->ack_due) {
			f->ack_due = false;
			tcp_send(g, f, f->ack_dir, TH_ACK, frame_begin(g), 0);
			return false;
		}
		if (f->cur < f->nmsg) {
			tcp_data(g, f);
			return false;
		}
		if (f->rst_close) {
			tcp_send(g, f, 1, TH_RST | TH_ACK, frame_begin(g), 0);
			return true;
		}
		f->state = TS_FIN1;
		/* fall through */
	case TS_FIN1:
		tcp_send(g, f, 0, TH_FIN | TH_ACK, frame_begin(g), 0);
		f->state = TS_FIN2;
		return false;
	case TS_FIN2:
		tcp_send(g, f, 1, TH_FIN | TH_ACK, frame_begin(g), 0);
		f->state = TS_FIN3;
		return false;
	case TS_FIN3:
		tcp_send(g, f, 0, TH_ACK, frame_begin(g), 0);
		return true;
	case TS_RST:
		fr = frame_begin(g);
		f->seq[1] = 0;
		tcp_send(g, f, 1, TH_RST | TH_ACK, fr, 0);
		return true;
	default:
		return true;
	}
}

/* Sends the next datagram of a UDP or ICMP flow; true when the flow is over. */
static bool dgram_step(struct gen *g, struct flow *f)
{
	const struct msg *m;
	uint8_t *fr, *l4;
	size_t h, n;
	int dir;
	uint64_t s;
	uint16_t c;

	if (winding_down(g) && !f->truncated)
		truncate_flow(f);
	if (f->cur >= f->nmsg)
		return true;
	m = &f->msgs[f->cur];
	dir = m->src == SRC_RTP ? (int)(f->rtp_left & 1) : m->dir;
	fr = frame_begin(g);
	l4 = fr + l3_len(f);
	n = m->len; /* after the 8-byte UDP or ICMP echo header */
	if (m->src == SRC_RTP) {
		l4[8] = 0x80;
		l4[9] = 0; /* PCMU */
		put16(l4 + 10, f->rtp_seq);
		put32(l4 + 12, f->rtp_ts);
		put32(l4 + 16, f->rtp_ssrc + (uint32_t)dir);
		if (dir) {
			f->rtp_seq++;
			f->rtp_ts += 160;
		}
		pool_copy(g, m->off + f->rtp_left * 160, l4 + 20, m->len - 12);
	} else if (m->src == SRC_ICMP) {
		uint64_t t = START_SEC + g->now_ns / 1000000000u;

		memcpy(l4 + 8, &t, 8);
		for (size_t i = 8; i < n; i++)
			l4[8 + i] = (uint8_t)(0x10 + i - 8);
	} else {
		msg_fill(g, f, m, 0, l4 + 8, m->len);
	}
	if (f->proto == 17) {
		put16(l4, dir ? f->sport : f->cport);
		put16(l4 + 2, dir ? f->cport : f->sport);
		put16(l4 + 4, (uint32_t)(8 + n));
		l4[6] = l4[7] = 0;
	} else {
		l4[0] = f->proto == 1 ? (dir ? 0 : 8) : (dir ? 129 : 128);
		l4[1] = 0;
		l4[2] = l4[3] = 0;
		put16(l4 + 4, f->icmp_id);
		put16(l4 + 6, (uint32_t)(f->cur / 2 + 1));
	}
	h = put_l2l3(f, dir, fr, 8 + n);
	/* ICMPv4 has no pseudo-header; UDP and ICMPv6 do */
	s = sum_add(f->proto == 1 ? 0 : pseudo_sum(f, dir, 8 + n), l4, 8 + n);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	c = (uint16_t)~s;
	if (c == 0 && f->proto == 17)
		c = 0xffff;
	memcpy(l4 + (f->proto == 17 ? 6 : 2), &c, 2);
	frame_commit(g, (uint32_t)(h + 8 + n));
	first_packet(g, f);
	if (m->src == SRC_RTP && --f->rtp_left > 0)
		return false;
	hits_fire(g, f, f->cur);
	f->cur++;
	return f->cur >= f->nmsg;
}

/* ---------------------------------------------------------------------- */
/* scripts: what each kind of flow says                                   */

static size_t dns_put_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[n++] = (uint8_t)l;
		memcpy(p + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

/* A DNS query (qtype 1 or 28) as one message of f, with its hits. */
static void dns_query(struct gen *g, struct flow *f, uint16_t id, const char *name, uint16_t qtype,
                      bool edns)
{
	uint8_t b[512];
	size_t n = 12;
	uint8_t mi;

	memset(b, 0, 12);
	put16(b, id);
	put16(b + 2, 0x0100);
	put16(b + 4, 1);
	put16(b + 10, edns ? 1 : 0);
	n += dns_put_name(b + n, name);
	put16(b + n, qtype);
	put16(b + n + 2, 1);
	n += 4;
	if (edns) {
		memcpy(b + n, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
		n += 11;
	}
	mi = msg_bytes(f, 0, b, n);
	check_str(g, f, mi, "dns.qry.name", ENT_OBS_DOMAIN, name);
}

/* The answer to a query of a site (site >= 0) or a DNS-only name. */
static void dns_answer(struct gen *g, struct flow *f, uint16_t id, const char *name, uint16_t qtype,
                       const struct site *s, int32_t dnsonly, bool edns)
{
	uint8_t b[1024];
	size_t n = 12, owner = 12;
	uint16_t an = 0, rcode = 0;
	uint8_t mi = f->nmsg;
	/* hits are added after the message, in wire order: collect them first */
	const char *hw[8];
	enum ent_obs_kind hk[8];
	char hv[8][160];
	uint8_t ha[8][16];
	int hf[8], nh = 0;

	memset(b, 0, 12);
	put16(b, id);
	n += dns_put_name(b + n, name);
	put16(b + n, qtype);
	put16(b + n + 2, 1);
	n += 4;
	if (s != NULL) {
		for (int k = 0; k < s->ncname; k++) {
			size_t tgt;

			put16(b + n, 0xc000 | (uint32_t)owner);
			put16(b + n + 2, 5);
			put16(b + n + 4, 1);
			put32(b + n + 6, 60 + rndn(&g->r, 3600));
			tgt = n + 12;
			put16(b + n + 10, (uint32_t)dns_put_name(b + tgt, s->cname[k]));
			n = tgt + dns_put_name(b + tgt, s->cname[k]);
			owner = tgt;
			an++;
			hw[nh] = "dns.cname";
			hk[nh] = ENT_OBS_DOMAIN;
			hf[nh] = 0;
			snprintf(hv[nh++], sizeof(hv[0]), "%s", s->cname[k]);
		}
		if ((qtype == 1 && s->has_v4) || (qtype == 28 && s->has_v6)) {
			put16(b + n, 0xc000 | (uint32_t)owner);
			put16(b + n + 2, qtype);
			put16(b + n + 4, 1);
			put32(b + n + 6, 20 + rndn(&g->r, 300));
			put16(b + n + 10, qtype == 1 ? 4 : 16);
			memcpy(b + n + 12, qtype == 1 ? s->v4 : s->v6, qtype == 1 ? 4 : 16);
			n += 12 + (qtype == 1 ? 4 : 16);
			an++;
			hw[nh] = qtype == 1 ? "dns.a" : "dns.aaaa";
			hf[nh] = qtype == 1 ? 4 : 6;
			memcpy(ha[nh], qtype == 1 ? s->v4 : s->v6, qtype == 1 ? 4 : 16);
			inet_ntop(qtype == 1 ? AF_INET : AF_INET6, ha[nh], hv[nh], sizeof(hv[0]));
			nh++;
		}
	} else if (dnsonly_nx((uint32_t)dnsonly)) {
		rcode = 3;
	} else if (qtype == 1) {
		int na = 1 + (int)(mix64((uint64_t)dnsonly) % 2);

		for (int k = 0; k < na; k++) {
			uint8_t a[4] = {34, (uint8_t)(dnsonly >> 8), (uint8_t)dnsonly,
			                (uint8_t)(10 + k)};

			put16(b + n, 0xc00c);
			put16(b + n + 2, 1);
			put16(b + n + 4, 1);
			put32(b + n + 6, 300);
			put16(b + n + 10, 4);
			memcpy(b + n + 12, a, 4);
			n += 16;
			an++;
			hw[nh] = "dns.a";
			hf[nh] = 4;
			memcpy(ha[nh], a, 4);
			inet_ntop(AF_INET, a, hv[nh], sizeof(hv[0]));
			nh++;
		}
	}
	put16(b + 2, 0x8180 | rcode);
	put16(b + 4, 1);
	put16(b + 6, an);
	if (edns) {
		put16(b + 10, 1);
		memcpy(b + n, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
		n += 11;
	}
	mi = msg_bytes(f, 1, b, n);
	check_str(g, f, mi, "dns.resp.qry.name", ENT_OBS_DOMAIN, name);
	for (int i = 0; i < nh; i++) {
		if (hf[i] == 0)
			check_str(g, f, mi, hw[i], hk[i], hv[i]);
		else
			check_ip(g, f, mi, hw[i], hf[i], ha[i], hv[i]);
	}
}

static void script_dns(struct gen *g, struct flow *f, const struct spec *sp)
{
	char name[128];
	const struct site *s = sp->site >= 0 ? &g->sites[sp->site] : NULL;
	uint16_t id1 = (uint16_t)rnd(&g->r), id2 = (uint16_t)rnd(&g->r);
	bool edns = rndn(&g->r, 100) < 60;

	if (s != NULL)
		snprintf(name, sizeof(name), "%s", s->name);
	else
		dnsonly_name((uint32_t)sp->dnsonly, name, sizeof(name));
	if (sp->qtypes == 3) {
		/* A and AAAA in parallel from one socket, as glibc does */
		dns_query(g, f, id1, name, 1, edns);
		dns_query(g, f, id2, name, 28, edns);
		dns_answer(g, f, id1, name, 1, s, sp->dnsonly, edns);
		dns_answer(g, f, id2, name, 28, s, sp->dnsonly, edns);
	} else {
		uint16_t qt = sp->qtypes == 2 ? 28 : 1;

		dns_query(g, f, id1, name, qt, edns);
		dns_answer(g, f, id1, name, qt, s, sp->dnsonly, edns);
	}
}

/* Size of a response body: mostly small, a heavy tail. */
static uint32_t body_size(struct gen *g)
{
	uint32_t r = rndn(&g->r, 1000);

	if (g->demo)
		return 100 + rndn(&g->r, 500);
	if (r < 500)
		return 200 + rndn(&g->r, 3800);
	if (r < 850)
		return 4096 + rndn(&g->r, 60000);
	if (r < 985)
		return 65536 + rndn(&g->r, 960000);
	return (1u << 20) + rndn(&g->r, 7u << 20);
}

static void script_https(struct gen *g, struct flow *f, const struct spec *sp, uint32_t client)
{
	const struct site *s = &g->sites[sp->site];
	int pi = client_profile(client);
	const struct tls_profile *pr = &PROFILES[pi];
	const struct srv_profile *sv = &SRV[s->srv];
	bool has_sni = false, tls13 = pr->tls13 && sv->tls13;
	struct hello_rand hr;
	struct hello_layout lay;
	uint8_t b[2048], mi;
	size_t n, k;
	uint16_t ver = pr->version < 0x0303 ? pr->version : 0x0303, cipher;
	const uint16_t *se;
	size_t nse;
	char js[512], md5[33];
	int rounds;

	for (size_t i = 0; i < pr->nexts; i++)
		if (pr->exts[i] == 0)
			has_sni = true;
	hello_rand_init(&hr, &g->r);
	n = build_client_hello(b, pr, s->name, &hr, &lay);
	mi = msg_bytes(f, 0, b, n);
	if (has_sni)
		check_str(g, f, mi, "tls.sni", ENT_OBS_DOMAIN, s->name);
	check_str(g, f, mi, "tls.ja3", ENT_OBS_JA3, g->ja3[pi]);

	/* ServerHello */
	cipher = tls13 ? sv->c13 : sv->c12;
	if (!tls13) {
		bool offered = false;

		for (size_t i = 0; i < pr->nciphers; i++)
			offered |= pr->ciphers[i] == cipher;
		if (!offered)
			cipher = pr->ciphers[pr->ciphers[0] == G ? 1 : 0];
	}
	se = tls13 ? sv->e13 : sv->e12;
	nse = tls13 ? sv->ne13 : sv->ne12;
	if (ver == 0x0301)
		nse = 1; /* renegotiation_info only */
	n = 9;
	put16(b + n, ver);
	n += 2;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)rnd(&g->r);
	b[n++] = 32;
	memcpy(b + n, pr->sid && tls13 ? hr.sid : hr.key, 32); /* echo, or a new session id */
	n += 32;
	put16(b + n, cipher);
	b[n + 2] = 0;
	n += 5;
	k = n;
	for (size_t i = 0; i < nse; i++) {
		put16(b + n, se[i]);
		switch (se[i]) {
		case 43:
			put16(b + n + 2, 2);
			put16(b + n + 4, 0x0304);
			n += 6;
			break;
		case 51:
			put16(b + n + 2, 36);
			put16(b + n + 4, 29);
			put16(b + n + 6, 32);
			for (int j = 0; j < 32; j++)
				b[n + 8 + j] = (uint8_t)rnd(&g->r);
			n += 40;
			break;
		case 11:
			memcpy(b + n + 2, "\x00\x02\x01\x00", 4);
			n += 6;
			break;
		case 65281:
			memcpy(b + n + 2, "\x00\x01\x00", 3);
			n += 5;
			break;
		default:
			put16(b + n + 2, 0);
			n += 4;
			break;
		}
	}
	put16(b + k - 2, (uint32_t)(n - k));
	b[0] = 22;
	put16(b + 1, ver);
	put16(b + 3, (uint32_t)(n - 5));
	b[5] = 2;
	b[6] = 0;
	put16(b + 7, (uint32_t)(n - 9));
	mi = msg_bytes(f, 1, b, n);
	{
		size_t used = (size_t)snprintf(js, sizeof(js), "%u,%u,", ver, cipher);

		for (size_t i = 0; i < nse; i++)
			used +=
			    (size_t)snprintf(js + used, sizeof(js) - used, i ? "-%u" : "%u", se[i]);
		md5_hex(js, used, md5);
		check_str(g, f, mi, "tls.ja3s", ENT_OBS_JA3, md5);
	}
	if (tls13) {
		uint32_t flight = g->demo ? 600 : 2200 + rndn(&g->r, 2500);

		memcpy(b, "\x14\x03\x03\x00\x01\x01\x17\x03\x03", 9);
		put16(b + 9, flight);
		msg_bytes(f, 1, b, 11);
		msg_pool(g, f, 1, flight, false);
		memcpy(b, "\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x35", 11);
		msg_bytes(f, 0, b, 11);
		msg_pool(g, f, 0, 53, false);
	} else {
		/* TLS 1.0 signatures have no algorithm field */
		uint32_t cert = 3 + 3 + sizeof(CERT_LEAF) + 3 + sizeof(CERT_CA);
		uint32_t ske = ver < 0x0303 ? 109 : 111;
		uint8_t *p;

		/* Certificate, ServerKeyExchange (ECDHE x25519, ECDSA), ServerHelloDone */
		b[0] = 22;
		put16(b + 1, ver);
		put16(b + 3, 4 + cert + 4 + ske + 4);
		b[5] = 11;
		b[6] = 0;
		put16(b + 7, cert);
		b[9] = 0;
		put16(b + 10, cert - 3);
		b[12] = 0;
		put16(b + 13, sizeof(CERT_LEAF));
		msg_bytes(f, 1, b, 15);
		msg_bytes(f, 1, CERT_LEAF, sizeof(CERT_LEAF));
		b[0] = 0;
		put16(b + 1, sizeof(CERT_CA));
		msg_bytes(f, 1, b, 3);
		msg_bytes(f, 1, CERT_CA, sizeof(CERT_CA));
		p = b;
		*p++ = 12;
		*p++ = 0;
		put16(p, ske);
		p += 2;
		memcpy(p, "\x03\x00\x1d\x20", 4);
		p += 4;
		for (int i = 0; i < 32; i++)
			*p++ = (uint8_t)rnd(&g->r);
		if (ver >= 0x0303) {
			memcpy(p, "\x04\x03", 2);
			p += 2;
		}
		memcpy(p, "\x00\x47\x30\x45\x02\x20", 6);
		p += 6;
		for (int i = 0; i < 32; i++)
			*p++ = (uint8_t)(i ? rnd(&g->r) : 0x10 + rndn(&g->r, 0x60));
		memcpy(p, "\x02\x21\x00", 3);
		p += 3;
		for (int i = 0; i < 32; i++)
			*p++ = (uint8_t)(i ? rnd(&g->r) : 0x80 | rnd(&g->r));
		memcpy(p, "\x0e\x00\x00\x00", 4);
		p += 4;
		msg_bytes(f, 1, b, (size_t)(p - b));
		/* ClientKeyExchange, ChangeCipherSpec, Finished (explicit nonce 0) */
		b[0] = 22;
		put16(b + 1, ver);
		put16(b + 3, 37);
		b[5] = 16;
		b[6] = 0;
		put16(b + 7, 33);
		b[9] = 32;
		memcpy(b + 10, hr.key, 32);
		memcpy(b + 42, "\x14\x03\x03\x00\x01\x01\x16\x03\x03\x00\x28", 11);
		put16(b + 43, ver);
		put16(b + 49, ver);
		memset(b + 53, 0, 8);
		msg_bytes(f, 0, b, 61);
		msg_pool(g, f, 0, 32, false);
		memcpy(b, "\x14\x03\x03\x00\x01\x01\x16\x03\x03\x00\x28", 11);
		put16(b + 1, ver);
		put16(b + 7, ver);
		memset(b + 11, 0, 8);
		msg_bytes(f, 1, b, 19);
		msg_pool(g, f, 1, 32, false);
	}
	/* application data: requests and responses */
	rounds = 1 + (int)rndn(&g->r, g->demo ? 1 : 3);
	for (int i = 0; i < rounds; i++) {
		uint32_t q = 120 + rndn(&g->r, 700);

		b[0] = 23;
		put16(b + 1, 0x0303);
		put16(b + 3, q);
		msg_bytes(f, 0, b, 5);
		msg_pool(g, f, 0, q, false);
		msg_tlsrec(g, f, 1, body_size(g) + 22);
	}
}

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL || strchr(path, '?') != NULL)
		return strncmp(path, "/api/", 5) == 0 ? "application/json"
		                                      : "text/html; charset=utf-8";
	if (strcmp(dot, ".css") == 0)
		return "text/css";
	if (strcmp(dot, ".js") == 0)
		return "application/javascript";
	if (strcmp(dot, ".webp") == 0)
		return "image/webp";
	if (strcmp(dot, ".ico") == 0)
		return "image/x-icon";
	if (strcmp(dot, ".zip") == 0)
		return "application/zip";
	return "text/html; charset=utf-8";
}

/* One HTTP request for path (and its response) as messages of f. */
static void http_exchange(struct gen *g, struct flow *f, const struct site *s, const char *path,
                          const char *ua, bool last)
{
	char req[2048], body[1600], resp[512], date[64], url[300];
	bool post = rndn(&g->r, 100) < 12, nm = !post && rndn(&g->r, 100) < 6;
	size_t n, bl = 0;
	uint8_t mi;
	uint32_t clen = nm ? 0 : body_size(g);
	time_t t = (time_t)(START_SEC + g->now_ns / 1000000000u);
	struct tm tm;

	if (post) {
		uint32_t id = rndn(&g->r, 100000), token = (uint32_t)rnd(&g->r);

		/* (random draws out of argument lists: their order is unspecified) */
		bl = (size_t)snprintf(body, sizeof(body), "id=%u&token=%08x&data=", id, token);
		for (uint32_t i = 0, k = 20 + rndn(&g->r, 1200); i < k; i++)
			body[bl++] = "abcdefghijklmnopqrstuvwxyz0123456789"[rndn(&g->r, 36)];
		n = (size_t)snprintf(
		    req, sizeof(req),
		    "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		    "Accept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		    "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
		    path, s->name, ua, bl, last ? "close" : "keep-alive");
		memcpy(req + n, body, bl);
		n += bl;
	} else {
		n = (size_t)snprintf(
		    req, sizeof(req),
		    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		    "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
		    "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9"
		    "\r\n%sConnection: keep-alive\r\n\r\n",
		    path, s->name, ua, nm ? "If-None-Match: \"5f3c-62a1\"\r\n" : "");
	}
	mi = msg_bytes(f, 0, req, n);
	check_str(g, f, mi, "http.host", ENT_OBS_DOMAIN, s->name);
	snprintf(url, sizeof(url), "http://%s%s", s->name, path);
	check_str(g, f, mi, "http.request.full_uri", ENT_OBS_URL, url);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (nm)
		n = (size_t)snprintf(
		    resp, sizeof(resp),
		    "HTTP/1.1 304 Not Modified\r\nDate: %s\r\nServer: nginx/1.24.0\r\n"
		    "ETag: \"5f3c-62a1\"\r\n\r\n",
		    date);
	else
		n = (size_t)snprintf(
		    resp, sizeof(resp),
		    "HTTP/1.1 200 OK\r\nDate: %s\r\nServer: nginx/1.24.0\r\n"
		    "Content-Type: %s\r\nContent-Length: %u\r\n"
		    "Cache-Control: max-age=3600\r\nConnection: keep-alive\r\n\r\n",
		    date, content_type(path), clen);
	msg_bytes(f, 1, resp, n);
	if (clen > 0)
		msg_pool(g, f, 1, clen, true);
}

static void script_http(struct gen *g, struct flow *f, const struct spec *sp, uint32_t client)
{
	const struct site *s = &g->sites[sp->site];
	const char *ua = PROFILES[client_profile(client)].ua;
	int nreq = g->demo ? 1 : 1 + (int)rndn(&g->r, 4);
	char path[160];

	if (ua == NULL)
		ua = "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)";
	for (int i = 0; i < nreq; i++) {
		uint32_t k = (uint32_t)rndn(&g->r, NPATHS);

		if (i == 0 && sp->path >= 0)
			k = (uint32_t)sp->path;
		if (i == 0 && sp->upath != NULL)
			snprintf(path, sizeof(path), "%s", sp->upath);
		else
			site_path((uint32_t)sp->site, k, path, sizeof(path));
		http_exchange(g, f, s, path, ua, i == nreq - 1);
	}
}

static void script_ssh(struct gen *g, struct flow *f)
{
	static const char sb[] = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n";
	static const char cb[] = "SSH-2.0-OpenSSH_9.6\r\n";
	int rounds = g->demo ? 1 : 1 + (int)rndn(&g->r, 6);

	msg_bytes(f, 1, sb, sizeof(sb) - 1);
	msg_bytes(f, 0, cb, sizeof(cb) - 1);
	msg_pool(g, f, 0, 1400 + rndn(&g->r, 200), false); /* KEXINIT */
	msg_pool(g, f, 1, 1000 + rndn(&g->r, 200), false);
	msg_pool(g, f, 0, 48, false); /* KEX_ECDH_INIT */
	msg_pool(g, f, 1, 800 + rndn(&g->r, 400), false);
	for (int i = 0; i < rounds; i++) {
		msg_pool(g, f, 0, 36 + rndn(&g->r, 2000), true);
		msg_pool(g, f, 1, body_size(g), true);
	}
}

/* SMB2 over NetBIOS session service (the demo's port 445 flow). */
static void script_smb(struct gen *g, struct flow *f)
{
	uint8_t b[112];

	memset(b, 0, sizeof(b));
	put32(b, 108);
	memcpy(b + 4, "\xfeSMB\x40\x00", 6);
	msg_bytes(f, 0, b, sizeof(b));
	msg_pool(g, f, 1, 300, false);
	msg_pool(g, f, 0, 160, false);
	msg_pool(g, f, 1, 240, false);
	msg_pool(g, f, 0, 400 + rndn(&g->r, 400), true);
	msg_pool(g, f, 1, body_size(g), true);
}

static void script_icmp(struct gen *g, struct flow *f)
{
	int n = g->demo ? 2 : 4;

	f->icmp_id = (uint16_t)rnd(&g->r);
	for (int i = 0; i < n; i++) {
		msg_add(f, 0, SRC_ICMP, 0, 56, false);
		msg_add(f, 1, SRC_ICMP, 0, 56, false);
	}
}

static void script_ntp(struct gen *g, struct flow *f)
{
	uint8_t b[48];

	memset(b, 0, sizeof(b));
	b[0] = 0x23; /* version 4, client */
	for (int i = 40; i < 48; i++)
		b[i] = (uint8_t)rnd(&g->r);
	msg_bytes(f, 0, b, 48);
	b[0] = 0x24; /* server */
	b[1] = 2;
	b[2] = 3;
	b[3] = 0xe9;
	memcpy(b + 12, "\xc0\x24\x5e\x01", 4);
	for (int i = 16; i < 48; i++)
		b[i] = (uint8_t)rnd(&g->r);
	msg_bytes(f, 1, b, 48);
}

static void script_syslog(struct gen *g, struct flow *f, uint32_t client)
{
	static const char *const what[] = {"session opened for user backup by (uid=0)",
	                                   "Accepted publickey for deploy from 10.1.3.7 port 51234",
	                                   "pam_unix(cron:session): session closed for user root",
	                                   "kernel: [UFW BLOCK] IN=eth0 OUT= PROTO=TCP DPT=23"};
	char b[300];
	int n = 1 + (int)rndn(&g->r, 4);

	for (int i = 0; i < n; i++) {
		uint32_t pri = 80 + rndn(&g->r, 60), mm = rndn(&g->r, 60), ss = rndn(&g->r, 60);
		uint32_t pid = 1000 + rndn(&g->r, 60000), w = rndn(&g->r, 4);
		int len = snprintf(b, sizeof(b), "<%u>Nov  2 09:%02u:%02u host%u sshd[%u]: %s", pri,
		                   mm, ss, client, pid, what[w]);

		msg_bytes(f, 0, b, (size_t)len);
	}
}

/* ---------------------------------------------------------------------- */
/* starting flows                                                         */

static uint16_t next_cport(struct gen *g, uint32_t client)
{
	uint32_t i = client < NCLIENTS ? client : NCLIENTS + (client - INFECTED0) % NINFECTED;
	uint16_t p = g->cport[i];

	g->cport[i] = (uint16_t)(p >= 60999 ? 32768 : p + 1);
	return p;
}

static const uint8_t RESOLVER4[4] = {10, 0, 0, 53};
static const uint8_t RESOLVER6[16] = {0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 0,
                                      0,    0,    0,    0,    0,    0,    0, 0x53};

static void flow_start(struct gen *g, struct flow *f, const struct spec *sp)
{
	uint8_t *arena = f->arena;
	uint32_t acap = f->acap;
	struct hit *hits = f->hits;
	uint16_t chits = f->chits;
	uint32_t client = sp->client >= 0 ? (uint32_t)sp->client : rndn(&g->r, NCLIENTS);
	const struct site *s = sp->site >= 0 ? &g->sites[sp->site] : NULL;
	uint32_t x;

	memset(f, 0, sizeof(*f));
	f->arena = arena;
	f->acap = acap;
	f->hits = hits;
	f->chits = chits;
	f->type = sp->type;
	f->family = sp->family;
	f->keep = sp->keep;
	f->proto = 6;
	client_addr(f->family, client, f->cli);
	if (s != NULL)
		memcpy(f->srv, f->family == 4 ? s->v4 : s->v6, f->family == 4 ? 4 : 16);
	f->cport = next_cport(g, client);
	switch (f->type) {
	case FT_DNS:
		f->proto = 17;
		memcpy(f->srv, f->family == 4 ? RESOLVER4 : RESOLVER6, f->family == 4 ? 4 : 16);
		f->sport = 53;
		break;
	case FT_HTTPS:
		f->sport = 443;
		break;
	case FT_HTTP:
		f->sport = 80;
		break;
	case FT_SSH:
		f->sport = 22;
		break;
	case FT_REJECT:
	case FT_SMB:
		f->sport = sp->dport;
		break;
	case FT_ICMP:
		f->proto = f->family == 4 ? 1 : 58;
		x = ++g->icmp_n;
		if (f->family == 4) {
			f->cli[1] = (uint8_t)(16 + ((x >> 16) & 15));
			f->cli[2] = (uint8_t)(x >> 8);
			f->cli[3] = (uint8_t)x;
		} else {
			put16(f->cli + 8, 0x1c00 + ((x >> 16) & 0xff));
			put16(f->cli + 10, 0);
			put32(f->cli + 12, x);
		}
		f->cport = f->sport = 0;
		break;
	case FT_NTP:
		f->proto = 17;
		memcpy(f->srv, "\xa2\x9f\xc8\x01", 4);
		f->srv[3] = (uint8_t)(1 + rndn(&g->r, 8) * 16 + 7);
		f->sport = 123;
		break;
	case FT_RTP:
		f->proto = 17;
		memcpy(f->srv, "\x8e\xfa\x52\x00", 4);
		f->srv[3] = (uint8_t)(10 + rndn(&g->r, 20));
		f->sport = (uint16_t)(16384 + 2 * rndn(&g->r, 8191));
		f->cport &= 0xfffe;
		break;
	case FT_SYSLOG:
		f->proto = 17;
		memcpy(f->srv, "\x0a\x00\x00\x05", 4);
		f->sport = 514;
		break;
	default:
		break;
	}
	if (sp->ovr) {
		memcpy(f->cli, sp->ocli, 16);
		memcpy(f->srv, sp->osrv, 16);
	}
	f->cmac[0] = 0x02;
	memcpy(f->cmac + 2, f->family == 4 ? f->cli : f->cli + 12, 4);
	f->ttl[0] = 64;
	f->ttl[1] =
	    f->srv[0] == 10 || f->srv[0] == 0xfd ? 64 : (uint8_t)(44 + mix64(f->srv[3]) % 16);
	f->ipid[0] = (uint16_t)rnd(&g->r);
	f->ipid[1] = (uint16_t)rnd(&g->r);
	f->label[0] = (uint32_t)rnd(&g->r) & 0xfffff;
	f->label[1] = (uint32_t)rnd(&g->r) & 0xfffff;
	f->isn[0] = (uint32_t)rnd(&g->r);
	f->isn[1] = (uint32_t)rnd(&g->r);
	x = rndn(&g->r, 100);
	f->mss = x < 60 ? 1460 : x < 70 ? 1400 : 536;
	if (f->family == 6)
		f->mss = (uint16_t)(f->mss - 20);
	f->ack_every = (uint16_t)(1 + rndn(&g->r, 2));
	f->rst_close = !f->keep && f->proto == 6 && rndn(&g->r, 100) < 2;
	f->state = TS_SYN;
	check_ip(g, f, MSG_FIRST, "flow.src", f->family, f->cli, NULL);
	check_ip(g, f, MSG_FIRST, "flow.dst", f->family, f->srv, NULL);
	switch (f->type) {
	case FT_DNS:
		script_dns(g, f, sp);
		break;
	case FT_HTTPS:
		script_https(g, f, sp, client);
		break;
	case FT_HTTP:
		script_http(g, f, sp, client);
		break;
	case FT_SSH:
		script_ssh(g, f);
		break;
	case FT_SMB:
		script_smb(g, f);
		break;
	case FT_ICMP:
		script_icmp(g, f);
		break;
	case FT_NTP:
		script_ntp(g, f);
		break;
	case FT_RTP:
		f->rtp_ssrc = (uint32_t)rnd(&g->r);
		f->rtp_seq = (uint16_t)(0x4000 + rndn(&g->r, 0x3000)); /* never taken for DNS */
		f->rtp_ts = (uint32_t)rnd(&g->r);
		msg_add(f, 0, SRC_RTP, rndn(&g->r, POOL_SIZE), 172, true);
		f->rtp_left = 2 * (50 + rndn(&g->r, 250));
		break;
	case FT_SYSLOG:
		script_syslog(g, f, client);
		break;
	default:
		break;
	}
	g->started[f->type]++;
}

/* A site by popularity: a few are very popular, most are not. */
static uint32_t pick_site(struct gen *g, uint8_t svc)
{
	for (int tries = 0;; tries++) {
		/* u^3 in 32-bit fixed point: integers only, the same on every machine */
		uint64_t u = rnd(&g->r) >> 32, u3 = (((u * u) >> 32) * u) >> 32;
		uint32_t i = (uint32_t)((u3 * g->nrandom) >> 32);

		if (i >= g->nrandom)
			i = g->nrandom - 1;
		if ((g->sites[i].svc & svc) == svc || tries > 50)
			return i;
	}
}

static void spec_clear(struct spec *sp, uint8_t type)
{
	memset(sp, 0, sizeof(*sp));
	sp->type = type;
	sp->family = 4;
	sp->site = -1;
	sp->dnsonly = -1;
	sp->client = -1;
	sp->path = -1;
	sp->qtypes = 1;
}

static void pending_push(struct gen *g, const struct spec *sp)
{
	if (g->ptail - g->phead < PENDING_MAX)
		g->pending[g->ptail++ % PENDING_MAX] = *sp;
}

/* A random flow. An HTTP(S) flow is sometimes preceded by its DNS lookup:
 * then the lookup is returned and the connection queued behind it. */
static void spec_random(struct gen *g, struct spec *sp)
{
	uint32_t r = rndn(&g->r, 1000), acc = 0;
	uint8_t t = FT_DNS;
	const struct site *s;

	for (int i = 0; i < FT_COUNT; i++) {
		acc += FT_SHARE[i];
		if (r < acc) {
			t = (uint8_t)i;
			break;
		}
	}
	spec_clear(sp, t);
	switch (t) {
	case FT_DNS:
		if (rndn(&g->r, 100) < 40)
			sp->dnsonly = (int32_t)rndn(&g->r, NDNSONLY);
		else
			sp->site = (int32_t)pick_site(g, 0);
		r = rndn(&g->r, 100);
		sp->qtypes = r < 50 ? 1 : r < 85 ? 3 : 2;
		if (rndn(&g->r, 100) < 20)
			sp->family = 6;
		break;
	case FT_HTTPS:
	case FT_HTTP:
		sp->site = (int32_t)pick_site(g, t == FT_HTTPS ? SVC_HTTPS : SVC_HTTP);
		s = &g->sites[sp->site];
		if (s->has_v6 && rndn(&g->r, 100) < 40)
			sp->family = 6;
		if (t == FT_HTTPS && rndn(&g->r, 1000) < 3) {
			sp->client = (int32_t)(INFECTED0 + rndn(&g->r, NINFECTED));
			sp->family = 4;
		} else {
			sp->client = (int32_t)rndn(&g->r, NCLIENTS);
		}
		if (!g->demo && rndn(&g->r, 100) < 30) {
			struct spec d;

			spec_clear(&d, FT_DNS);
			d.site = sp->site;
			d.client = sp->client;
			d.qtypes = s->has_v6 ? 3 : 1;
			pending_push(g, sp);
			*sp = d;
		}
		break;
	case FT_SSH:
		sp->site = (int32_t)pick_site(g, SVC_SSH);
		break;
	case FT_ICMP:
		sp->site = (int32_t)pick_site(g, 0);
		if (g->sites[sp->site].has_v6 && rndn(&g->r, 100) < 20)
			sp->family = 6;
		break;
	case FT_REJECT:
		sp->site = (int32_t)pick_site(g, 0);
		sp->dport = (uint16_t[]){23, 25, 3389, 8443}[rndn(&g->r, 4)];
		break;
	default:
		break;
	}
}

static void next_spec(struct gen *g, struct spec *sp)
{
	if (g->phead != g->ptail) {
		*sp = g->pending[g->phead++ % PENDING_MAX];
		return;
	}
	if (g->iforced < g->nforced && (g->demo || winding_down(g) || rndn(&g->r, 2) == 0)) {
		*sp = g->forced[g->iforced++];
		return;
	}
	spec_random(g, sp);
}

static void forced_push(struct gen *g, const struct spec *sp)
{
	if (g->nforced == g->capforced) {
		g->capforced = g->capforced ? 2 * g->capforced : 256;
		g->forced = realloc(g->forced, g->capforced * sizeof(*g->forced));
		if (g->forced == NULL) {
			perror("gen_traffic");
			exit(1);
		}
	}
	g->forced[g->nforced] = *sp;
	g->forced[g->nforced++].keep = true;
}

/* ---------------------------------------------------------------------- */
/* the planted set of the benchmark and of the demo                       */

/* A not-so-popular site (the top tenth is left out) passing svc, not yet
 * used[] for this purpose. */
static uint32_t tail_site(struct gen *g, struct rng *ur, uint8_t svc, bool v6, bool *used)
{
	for (;;) {
		uint32_t i = NSITES / 10 + rndn(ur, NSITES - NSITES / 10);
		const struct site *s = &g->sites[i];

		if ((s->svc & svc) == svc && (!v6 || s->has_v6) && !used[i]) {
			used[i] = true;
			return i;
		}
	}
}

static void plant_bench(struct gen *g)
{
	struct rng ur = {g->seed * 0xD1B54A32D192ED03ULL + 0x7a11};
	bool *used = calloc(NSITES, sizeof(bool));
	char v[200], path[160];
	struct spec sp;
	int skip = (int)(g->seed % NINFECTED);

	if (used == NULL) {
		perror("gen_traffic");
		exit(1);
	}
	for (int i = 0; i < 50; i++) { /* server IPv4 addresses */
		uint32_t s = tail_site(g, &ur, 0, false, used);

		ent_addr_fmt(4, g->sites[s].v4, v);
		planted_add(g, ENT_OBS_IPV4, v, true, true);
		spec_clear(&sp, g->sites[s].svc & SVC_HTTPS ? FT_HTTPS : FT_HTTP);
		sp.site = (int32_t)s;
		forced_push(g, &sp);
	}
	memset(used, 0, NSITES * sizeof(bool));
	for (int i = 0; i < 10; i++) { /* server IPv6 addresses */
		uint32_t s = tail_site(g, &ur, 0, true, used);

		ent_addr_fmt(6, g->sites[s].v6, v);
		planted_add(g, ENT_OBS_IPV6, v, true, true);
		spec_clear(&sp, g->sites[s].svc & SVC_HTTPS ? FT_HTTPS : FT_HTTP);
		sp.site = (int32_t)s;
		sp.family = 6;
		forced_push(g, &sp);
	}
	memset(used, 0, NSITES * sizeof(bool));
	for (int i = 0; i < 50; i++) { /* DNS query names: sites, CNAME targets, DNS-only */
		spec_clear(&sp, FT_DNS);
		if (i < 35) {
			uint32_t s = tail_site(g, &ur, 0, false, used);

			sp.site = (int32_t)s;
			planted_add(g, ENT_OBS_DOMAIN, g->sites[s].name, true, true);
		} else if (i < 45) {
			uint32_t s;

			do
				s = tail_site(g, &ur, 0, false, used);
			while (g->sites[s].ncname == 0);
			sp.site = (int32_t)s;
			planted_add(g, ENT_OBS_DOMAIN,
			            g->sites[s].cname[rndn(&ur, g->sites[s].ncname)], true, true);
		} else {
			sp.dnsonly = (int32_t)rndn(&ur, NDNSONLY);
			dnsonly_name((uint32_t)sp.dnsonly, v, sizeof(v));
			if (planted_add(g, ENT_OBS_DOMAIN, v, true, true) < 0) {
				i--;
				continue;
			}
		}
		forced_push(g, &sp);
	}
	for (int i = 0; i < 30; i++) { /* TLS SNIs */
		uint32_t s = tail_site(g, &ur, SVC_HTTPS, false, used);

		planted_add(g, ENT_OBS_DOMAIN, g->sites[s].name, true, true);
		spec_clear(&sp, FT_HTTPS);
		sp.site = (int32_t)s;
		forced_push(g, &sp);
	}
	memset(used, 0, NSITES * sizeof(bool));
	for (int i = 0; i < 30; i++) { /* HTTP URLs */
		uint32_t s = tail_site(g, &ur, SVC_HTTP, false, used), k = rndn(&ur, NPATHS);

		site_path(s, k, path, sizeof(path));
		snprintf(v, sizeof(v), "http://%s%s", g->sites[s].name, path);
		if (planted_add(g, ENT_OBS_URL, v, true, true) < 0) {
			i--;
			continue;
		}
		spec_clear(&sp, FT_HTTP);
		sp.site = (int32_t)s;
		sp.path = (int16_t)k;
		forced_push(g, &sp);
	}
	memset(used, 0, NSITES * sizeof(bool));
	for (int i = 0; i < NINFECTED; i++) { /* JA3s of five of the six rare clients */
		if (i == skip)
			continue;
		planted_add(g, ENT_OBS_JA3, g->ja3[NCOMMON + i], true, false);
		spec_clear(&sp, FT_HTTPS);
		sp.site = (int32_t)tail_site(g, &ur, SVC_HTTPS, false, used);
		sp.client = INFECTED0 + i;
		forced_push(g, &sp);
	}
	/* spread the forced flows */
	for (size_t i = g->nforced; i > 1; i--) {
		size_t j = rndn(&ur, (uint32_t)i);
		struct spec t = g->forced[i - 1];

		g->forced[i - 1] = g->forced[j];
		g->forced[j] = t;
	}
	free(used);
}

struct demo_site {
	const char *name;
	const char *v4, *v6;
	uint8_t svc, srv;
};

/* The observables of examples/demo/intel.json (active, expired, revoked and
 * not matchable alike): index 0.. after the random sites. */
static const struct demo_site DEMO_SITES[] = {
    {"update.malware-c2.example", "198.51.100.23", NULL, SVC_HTTPS | SVC_HTTP, 2},
    {"login-portal.phish.example", "192.0.2.77", NULL, SVC_HTTP, 2},
    {"files.example.net", NULL, "2001:db8:bad::7", SVC_HTTPS, 0},
    {"www.example.org", "192.0.2.10", NULL, SVC_HTTPS | SVC_HTTP, 0},
    {"sinkhole.example.net", "198.51.100.200", NULL, SVC_HTTPS, 1},
    {"exfil.malware-c2.example", "198.51.100.99", NULL, SVC_HTTPS, 0},
    {"fs01.corp.example", "198.51.100.5", NULL, 0, 0},
};
#define NDEMO (sizeof(DEMO_SITES) / sizeof(DEMO_SITES[0]))

static void demo_flow(struct gen *g, uint8_t type, int site, int32_t client, uint8_t family,
                      uint8_t qtypes, const char *upath)
{
	struct spec sp;

	spec_clear(&sp, type);
	sp.site = site >= 0 ? (int32_t)(g->nrandom + (uint32_t)site) : -1;
	sp.client = client;
	sp.family = family;
	sp.qtypes = qtypes;
	sp.upath = upath;
	sp.dport = 445;
	forced_push(g, &sp);
}

static void plant_demo(struct gen *g)
{
	struct spec sp;

	for (size_t i = 0; i < NDEMO; i++) {
		struct site *s = &g->sites[g->nrandom + i];

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", DEMO_SITES[i].name);
		s->has_v4 = DEMO_SITES[i].v4 != NULL;
		s->has_v6 = DEMO_SITES[i].v6 != NULL;
		if (s->has_v4)
			inet_pton(AF_INET, DEMO_SITES[i].v4, s->v4);
		if (s->has_v6)
			inet_pton(AF_INET6, DEMO_SITES[i].v6, s->v6);
		s->svc = DEMO_SITES[i].svc;
		s->srv = DEMO_SITES[i].srv;
	}
	g->nsites = g->nrandom + (uint32_t)NDEMO;
	/* the active, matchable indicators of the demo bundle */
	planted_add(g, ENT_OBS_IPV4, "198.51.100.23", true, false);
	planted_add(g, ENT_OBS_IPV4, "203.0.113.0/24", true, false);
	planted_add(g, ENT_OBS_DOMAIN, "update.malware-c2.example", true, false);
	planted_add(g, ENT_OBS_URL, "http://update.malware-c2.example/gate.php", true, false);
	planted_add(g, ENT_OBS_DOMAIN, "login-portal.phish.example", true, false);
	planted_add(g, ENT_OBS_IPV4, "192.0.2.77", false, false); /* same indicator (OR) */
	planted_add(g, ENT_OBS_IPV6, "2001:db8:bad::/48", true, false);
	planted_add(g, ENT_OBS_JA3, "e7d705a3286e19ea42f587b344ee6865", true, false);
	planted_add(g, ENT_OBS_IPV4, "198.51.100.5", true, false);

	/* the infected host: resolves the C2, then TLS (Tor's JA3) and HTTP to it */
	demo_flow(g, FT_DNS, 0, INFECTED0, 4, 1, NULL);
	demo_flow(g, FT_HTTPS, 0, INFECTED0, 4, 1, NULL);
	demo_flow(g, FT_HTTP, 0, INFECTED0, 4, 1, "/gate.php");
	/* phishing: the name resolves to the kit's address */
	demo_flow(g, FT_DNS, 1, 11, 4, 1, NULL);
	demo_flow(g, FT_HTTP, 1, 11, 4, 1, "/account/verify.php");
	/* the IPv6 C2 */
	demo_flow(g, FT_DNS, 2, 12, 4, 2, NULL);
	demo_flow(g, FT_HTTPS, 2, 12, 6, 1, NULL);
	/* a scanner from 203.0.113.0/24 knocks on 22 and 445 */
	for (int i = 0; i < 2; i++) {
		spec_clear(&sp, FT_REJECT);
		sp.ovr = true;
		inet_pton(AF_INET, "203.0.113.45", sp.ocli);
		inet_pton(AF_INET, "10.1.0.20", sp.osrv);
		sp.client = 13;
		sp.dport = i ? 445 : 22;
		forced_push(g, &sp);
	}
	/* file sharing with the victim address */
	demo_flow(g, FT_SMB, 6, 14, 4, 1, NULL);
	/* silent: expired, revoked, not matchable (FOLLOWEDBY) */
	demo_flow(g, FT_HTTPS, 4, 15, 4, 1, NULL);
	demo_flow(g, FT_DNS, 3, 16, 4, 1, NULL);
	demo_flow(g, FT_HTTP, 3, 16, 4, 1, "/");
	demo_flow(g, FT_DNS, 5, 17, 4, 1, NULL);
	demo_flow(g, FT_HTTPS, 5, 17, 4, 1, NULL);
	/* background */
	for (int i = 0; i < 16; i++) {
		static const uint8_t types[] = {FT_DNS,  FT_DNS, FT_HTTPS, FT_DNS,
		                                FT_HTTP, FT_DNS, FT_ICMP,  FT_HTTPS,
		                                FT_NTP,  FT_DNS, FT_HTTPS, FT_SYSLOG};

		do
			spec_random(g, &sp);
		while (sp.type != types[i % sizeof(types)]);
		if (sp.client >= INFECTED0)
			sp.client = 20 + i;
		forced_push(g, &sp);
	}
}

/* ---------------------------------------------------------------------- */
/* output files                                                           */

static bool write_csv(const struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return false;
	fprintf(f, "# planted by bench/gen_traffic, seed %" PRIu64 ": one value per line\n",
	        g->seed);
	for (size_t i = 0; i < g->npl; i++) {
		if (g->pl[i].in_csv)
			fprintf(f, "%s\n", g->pl[i].value);
		else if (g->pl[i].kind == ENT_OBS_JA3)
			fprintf(
			    f,
			    "# ja3 %s (in the STIX bundle only: a bare 32-hex value is an MD5)\n",
			    g->pl[i].value);
	}
	return fclose(f) == 0;
}

static const char *stix_object(enum ent_obs_kind k)
{
	switch (k) {
	case ENT_OBS_IPV4:
		return "ipv4-addr:value";
	case ENT_OBS_IPV6:
		return "ipv6-addr:value";
	case ENT_OBS_DOMAIN:
		return "domain-name:value";
	case ENT_OBS_URL:
		return "url:value";
	default:
		return "x-tls-fingerprint:ja3";
	}
}

static bool write_stix(const struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return false;
	fprintf(f,
	        "{\"type\": \"bundle\", \"id\": \"bundle--%08" PRIx64
	        "-0000-4000-8000-00000000ffff\", \"objects\": [\n",
	        g->seed & 0xffffffffu);
	for (uint32_t ind = 0; ind < g->nind; ind++) {
		fprintf(f,
		        "%s{\"type\": \"indicator\", \"spec_version\": \"2.1\", "
		        "\"id\": \"indicator--%08" PRIx64 "-0000-4000-8000-%012x\", "
		        "\"created\": \"2026-01-01T00:00:00.000Z\", "
		        "\"modified\": \"2026-01-01T00:00:00.000Z\", "
		        "\"name\": \"gen_traffic planted %u\", \"pattern\": \"[",
		        ind ? ",\n" : "", g->seed & 0xffffffffu, ind, ind);
		for (size_t i = 0, n = 0; i < g->npl; i++)
			if (g->pl[i].ind == ind)
				fprintf(f, "%s%s = '%s'", n++ ? " OR " : "",
				        stix_object(g->pl[i].kind), g->pl[i].value);
		fprintf(f, "]\", \"pattern_type\": \"stix\", "
		           "\"valid_from\": \"2026-01-01T00:00:00Z\", \"confidence\": 80}");
	}
	fprintf(f, "\n]}\n");
	return fclose(f) == 0;
}

/* ---------------------------------------------------------------------- */
/* start-up checks and main                                               */

/* Computes each profile's JA3 from its tables and checks it against the
 * library's JA3 of a hello built from the same profile. */
static void ja3_init(struct gen *g)
{
	struct rng r = {42};

	for (int p = 0; p < NPROFILES; p++) {
		char js[2048], lib_md5[ENT_JA3_HEX_SIZE];
		uint8_t b[2048];
		struct hello_rand hr;
		struct hello_layout lay;
		struct ent_ja_hello h;
		struct ent_buf s;

		profile_ja3_string(&PROFILES[p], js, sizeof(js));
		md5_hex(js, strlen(js), g->ja3[p]);
		hello_rand_init(&hr, &r);
		build_client_hello(b, &PROFILES[p], "check.example.com", &hr, &lay);
		h.version = PROFILES[p].version;
		h.ciphers = b + lay.ciphers;
		h.ciphers_len = lay.nciphers;
		h.exts = b + lay.exts;
		h.exts_len = lay.nexts;
		ent_buf_init(&s, 1u << 16);
		if (ent_ja3_string(&h, &s) != ENT_OK || s.len != strlen(js) ||
		    memcmp(s.data, js, s.len) != 0) {
			fprintf(stderr,
			        "gen_traffic: JA3 of profile %s differs:\n  here:    %s\n  "
			        "library: %.*s\n",
			        PROFILES[p].name, js, (int)s.len, s.data ? s.data : "");
			exit(1);
		}
		ent_ja_md5_hex(s.data, s.len, lib_md5);
		if (strcmp(lib_md5, g->ja3[p]) != 0) {
			fprintf(stderr, "gen_traffic: JA3 MD5 of profile %s differs\n",
			        PROFILES[p].name);
			exit(1);
		}
		ent_buf_free(&s);
	}
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k':
	case 'K':
		return v << 10;
	case 'm':
	case 'M':
		return v << 20;
	case 'g':
	case 'G':
		return v << 30;
	default:
		return v;
	}
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: gen_traffic --out FILE.pcap --bytes N[K|M|G] [--seed S] [--flows N]\n"
	        "                   [--planted FILE.csv] [--planted-stix FILE.json]\n"
	        "                   [--expected FILE.tsv]\n"
	        "       gen_traffic --demo --out FILE.pcap [--expected FILE.tsv]\n"
	        "       gen_traffic --ja3     (the JA3 of each TLS client profile)\n");
}

static bool step(struct gen *g, struct flow *f)
{
	if (f->proto == 6)
		return tcp_step(g, f);
	return dgram_step(g, f);
}

int main(int argc, char **argv)
{
	static struct gen gen;
	struct gen *g = &gen;
	const char *csv = NULL, *stix = NULL, *expected = NULL;
	struct spec sp;
	struct timespec t0, t1;
	double secs;
	uint32_t hdr[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};

	g->seed = 1;
	g->nflows = 1000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--demo") == 0) {
			g->demo = true;
			continue;
		}
		if (strcmp(a, "--ja3") == 0) {
			ja3_init(g);
			for (int p = 0; p < NPROFILES; p++)
				printf("%s\t%s\t%s\n", g->ja3[p], PROFILES[p].name,
				       p < NCOMMON ? "common" : "rare");
			return 0;
		}
		if (v == NULL) {
			usage();
			return 2;
		}
		i++;
		if (strcmp(a, "--out") == 0)
			g->out_path = v;
		else if (strcmp(a, "--bytes") == 0)
			g->target = parse_size(v);
		else if (strcmp(a, "--seed") == 0)
			g->seed = strtoull(v, NULL, 10);
		else if (strcmp(a, "--flows") == 0)
			g->nflows = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(a, "--planted") == 0)
			csv = v;
		else if (strcmp(a, "--planted-stix") == 0)
			stix = v;
		else if (strcmp(a, "--expected") == 0)
			expected = v;
		else {
			usage();
			return 2;
		}
	}
	if (g->out_path == NULL || (!g->demo && g->target == 0) || g->nflows == 0 ||
	    g->nflows > MAX_FLOWS || (g->demo && (csv || stix))) {
		usage();
		return 2;
	}
	if (g->demo) {
		g->nflows = 6;
		g->target = 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	g->r.s = g->seed * 0x9E3779B97F4A7C15ULL + 1;
	g->pool = malloc(POOL_SIZE + FRAME_MAX);
	g->obuf = malloc(OUT_BUF_SIZE);
	g->sites = calloc(NSITES + NDEMO, sizeof(*g->sites));
	g->cport = calloc(NCLIENTS + NINFECTED, sizeof(*g->cport));
	g->slots = calloc(g->nflows, sizeof(*g->slots));
	if (!g->pool || !g->obuf || !g->sites || !g->cport || !g->slots) {
		perror("gen_traffic");
		return 1;
	}
	for (uint32_t i = 0; i < POOL_SIZE; i += 8) {
		uint64_t x = rnd(&g->r);

		memcpy(g->pool + i, &x, 8);
	}
	memcpy(g->pool + POOL_SIZE, g->pool, FRAME_MAX);
	for (uint32_t i = 0; i < NCLIENTS + NINFECTED; i++)
		g->cport[i] = (uint16_t)(32768 + mix64(i ^ g->seed) % 20000);
	g->nrandom = g->nsites = NSITES;
	make_sites(g->sites, NSITES, g->seed);
	for (size_t i = 0; i < PTAB_SIZE; i++)
		g->ptab[i] = -1;
	ja3_init(g);
	if (g->demo) {
		plant_demo(g);
		fprintf(stderr, "gen_traffic: the demo's Tor-profile ClientHello has JA3 %s\n",
		        g->ja3[P_TOR]);
	} else {
		plant_bench(g);
	}
	g->out = fopen(g->out_path, "wb");
	if (g->out == NULL || (expected && (g->exp = fopen(expected, "w")) == NULL)) {
		fprintf(stderr, "gen_traffic: %s: %s\n", g->out == NULL ? g->out_path : expected,
		        strerror(errno));
		return 1;
	}
	if (g->exp != NULL)
		fprintf(g->exp,
		        "# alerts entente scan must raise on %s (bench/gen_traffic%s, seed %" PRIu64
		        ")\n# proto\tcli_ip\tcli_port\tsrv_ip\tsrv_port\tkind\tvalue\twhere\t"
		        "indicator\n",
		        g->out_path, g->demo ? " --demo" : "", g->seed);
	memcpy(g->obuf, hdr, sizeof(hdr));
	g->olen = sizeof(hdr);
	g->total = sizeof(hdr);

	for (;;) {
		size_t i;

		if (!g->finishing && (g->demo || winding_down(g)) && g->iforced >= g->nforced &&
		    g->phead == g->ptail)
			g->finishing = true;
		while (!g->finishing && g->nactive < g->nflows) {
			next_spec(g, &sp);
			flow_start(g, &g->slots[g->nactive++], &sp);
		}
		if (g->nactive == 0)
			break;
		i = rndn(&g->r, (uint32_t)g->nactive);
		if (!step(g, &g->slots[i]))
			continue;
		g->flows_done++;
		if (!g->finishing) {
			next_spec(g, &sp);
			flow_start(g, &g->slots[i], &sp);
		} else {
			struct flow t = g->slots[i];

			g->slots[i] = g->slots[g->nactive - 1];
			g->slots[g->nactive - 1] = t;
			g->nactive--;
		}
	}
	out_flush(g);
	if (fclose(g->out) != 0 || g->io_error) {
		fprintf(stderr, "gen_traffic: %s: write failed\n", g->out_path);
		return 1;
	}
	if (g->exp != NULL && fclose(g->exp) != 0) {
		fprintf(stderr, "gen_traffic: %s: write failed\n", expected);
		return 1;
	}
	if ((csv && !write_csv(g, csv)) || (stix && !write_stix(g, stix))) {
		fprintf(stderr, "gen_traffic: cannot write the planted set\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr,
	        "gen_traffic: %s: %" PRIu64 " bytes, %" PRIu64 " packets, %" PRIu64
	        " flows, %.1f s of traffic; %" PRIu64 " expected alerts from %u planted indicators;"
	        " %.2f s, %.0f MB/s\n",
	        g->out_path, g->total, g->pkts, g->flows_done, (double)g->now_ns / 1e9, g->alerts,
	        g->nind, secs, (double)g->total / 1e6 / (secs > 0 ? secs : 1e-9));
	fprintf(stderr,
	        "  frames <=100: %.1f%%, 101-400: %.1f%%, 401-700: %.1f%%, 701-1200: %.1f%%,"
	        " >1200: %.1f%%\n  flows:",
	        100.0 * (double)g->hist[0] / (double)g->pkts,
	        100.0 * (double)g->hist[1] / (double)g->pkts,
	        100.0 * (double)g->hist[2] / (double)g->pkts,
	        100.0 * (double)g->hist[3] / (double)g->pkts,
	        100.0 * (double)g->hist[4] / (double)g->pkts);
	for (int t = 0; t < FT_COUNT; t++)
		if (g->started[t])
			fprintf(stderr, " %s %" PRIu64, FT_NAMES[t], g->started[t]);
	fputc('\n', stderr);
	for (size_t i = 0; i < g->nflows; i++) {
		free(g->slots[i].arena);
		free(g->slots[i].hits);
	}
	free(g->slots);
	free(g->forced);
	free(g->pl);
	free(g->cport);
	free(g->sites);
	free(g->obuf);
	free(g->pool);
	return 0;
}
