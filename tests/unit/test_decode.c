/*
 * test_decode.c - the decoder on crafted frames: every link type and
 * encapsulation, IPv6 extension headers, ICMP errors, truncation at every
 * length, and IPv4/IPv6 fragment reassembly (in order, out of order,
 * overlap, too many fragments, timeout).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/counters.h"
#include "net/decode.h"
#include "net/defrag.h"

static uint64_t ctr[ENT_NC_COUNT];

/* ---- frame builder -------------------------------------------------------- */

struct fb {
	uint8_t b[4096];
	size_t n;
};

static void put(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	if (n > 0)
		memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct fb *f, uint8_t v)
{
	put(f, &v, 1);
}

static void put16(struct fb *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(f, b, 2);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void eth(struct fb *f, uint16_t type)
{
	static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

	put(f, macs, 12);
	put16(f, type);
}

/* IPv4 header for a payload of plen bytes; addresses 10.0.0.a -> 10.0.0.b */
static void ip4(struct fb *f, uint8_t a, uint8_t b, uint8_t proto, size_t plen, uint16_t id,
                uint16_t fragfield)
{
	put8(f, 0x45);
	put8(f, 0);
	put16(f, (uint16_t)(20 + plen));
	put16(f, id);
	put16(f, fragfield);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0x0a000000u | a);
	put32(f, 0x0a000000u | b);
}

/* IPv6 header, fd00::a -> fd00::b */
static void ip6(struct fb *f, uint8_t a, uint8_t b, uint8_t nh, size_t plen)
{
	uint8_t addr[16] = {0xfd};

	put32(f, 0x60000000u);
	put16(f, (uint16_t)plen);
	put8(f, nh);
	put8(f, 64);
	addr[15] = a;
	put(f, addr, 16);
	addr[15] = b;
	put(f, addr, 16);
}

static void udp(struct fb *f, uint16_t sp, uint16_t dp, const void *payload, size_t n)
{
	put16(f, sp);
	put16(f, dp);
	put16(f, (uint16_t)(8 + n));
	put16(f, 0);
	put(f, payload, n);
}

static void tcp(struct fb *f, uint16_t sp, uint16_t dp, uint32_t seq, uint8_t flags,
                const void *payload, size_t n)
{
	put16(f, sp);
	put16(f, dp);
	put32(f, seq);
	put32(f, 0);
	put8(f, 0x50);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
	put(f, payload, n);
}

static struct ent_decoder *dec;
static struct ent_packet pkt;

static int setup(void **state)
{
	(void)state;
	memset(ctr, 0, sizeof(ctr));
	dec = ent_decoder_new(NULL, ctr);
	return dec == NULL;
}

static int teardown(void **state)
{
	(void)state;
	ent_decoder_free(dec);
	return 0;
}

static bool decode(int lt, const struct fb *f)
{
	return ent_decode_frame(dec, lt, f->b, (uint32_t)f->n, 1000, &pkt);
}

static void assert_pair4(int i, uint8_t a, uint8_t b)
{
	assert_true(i < pkt.nips);
	assert_int_equal(pkt.ips[i].family, 4);
	assert_int_equal(pkt.ips[i].src[3], a);
	assert_int_equal(pkt.ips[i].dst[3], b);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_ether_ipv4_udp(void **state)
{
	struct fb f = {0};

	(void)state;
	eth(&f, 0x0800);
	ip4(&f, 1, 2, 17, 8 + 4, 1, 0);
	udp(&f, 1234, 53, "abcd", 4);
	put(&f, "\0\0\0\0\0\0", 6); /* Ethernet padding is not payload */
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 1);
	assert_pair4(0, 1, 2);
	assert_int_equal(pkt.l3, 4);
	assert_int_equal(pkt.proto, 17);
	assert_true(pkt.has_l4);
	assert_int_equal(pkt.sport, 1234);
	assert_int_equal(pkt.dport, 53);
	assert_int_equal(pkt.payload_len, 4);
	assert_memory_equal(pkt.payload, "abcd", 4);
}

static void test_vlan_qinq_mpls_pppoe(void **state)
{
	struct fb f = {0};

	(void)state;
	/* 802.1ad outer 100, 802.1Q inner 200, then IPv4 */
	eth(&f, 0x88a8);
	put16(&f, 100);
	put16(&f, 0x8100);
	put16(&f, 0x2000 | 200);
	put16(&f, 0x0800);
	ip4(&f, 3, 4, 6, 20, 0, 0);
	tcp(&f, 1, 2, 7, 0x02, NULL, 0);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.vlan, 100);
	assert_pair4(0, 3, 4);
	assert_int_equal(pkt.tcp_flags, 0x02);
	assert_int_equal(pkt.seq, 7);

	/* 0x9100 tag, MPLS with two labels */
	f.n = 0;
	eth(&f, 0x9100);
	put16(&f, 5);
	put16(&f, 0x8847);
	put32(&f, (16u << 12) | 64);
	put32(&f, (17u << 12) | 0x100 | 64);
	ip4(&f, 5, 6, 17, 8, 0, 0);
	udp(&f, 9, 10, NULL, 0);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.vlan, 5);
	assert_pair4(0, 5, 6);

	/* PPPoE session, 2-byte and compressed 1-byte PPP protocol */
	for (int compressed = 0; compressed < 2; compressed++) {
		f.n = 0;
		eth(&f, 0x8864);
		put8(&f, 0x11);
		put8(&f, 0);
		put16(&f, 1);
		put16(&f, (uint16_t)((compressed ? 1 : 2) + 20 + 8));
		if (compressed)
			put8(&f, 0x21);
		else
			put16(&f, 0x0021);
		ip4(&f, 7, 8, 17, 8, 0, 0);
		udp(&f, 1, 2, NULL, 0);
		assert_true(decode(1, &f));
		assert_pair4(0, 7, 8);
	}
}

static void test_link_types(void **state)
{
	struct fb ip = {0}, f = {0};

	(void)state;
	ip4(&ip, 1, 2, 17, 8, 0, 0);
	udp(&ip, 1, 2, NULL, 0);

	/* Linux cooked v1: protocol at offset 14 */
	memset(f.b, 0, 16);
	f.n = 14;
	put16(&f, 0x0800);
	put(&f, ip.b, ip.n);
	assert_true(decode(113, &f));
	assert_pair4(0, 1, 2);

	/* Linux cooked v2: protocol first, 20-byte header */
	f.n = 0;
	put16(&f, 0x0800);
	memset(f.b + 2, 0, 18);
	f.n = 20;
	put(&f, ip.b, ip.n);
	assert_true(decode(276, &f));

	/* BSD null, host order AF_INET (little endian) */
	f.n = 0;
	put(&f, "\x02\0\0\0", 4);
	put(&f, ip.b, ip.n);
	assert_true(decode(0, &f));
	/* raw IP under all its numbers */
	assert_true(ent_decode_frame(dec, 101, ip.b, (uint32_t)ip.n, 0, &pkt));
	assert_true(ent_decode_frame(dec, 12, ip.b, (uint32_t)ip.n, 0, &pkt));
	assert_true(ent_decode_frame(dec, 228, ip.b, (uint32_t)ip.n, 0, &pkt));
	assert_false(ent_decode_frame(dec, 229, ip.b, (uint32_t)ip.n, 0, &pkt));

	/* IPv6 under null (AF_INET6 = 30, macOS) and 229 */
	struct fb ip6f = {0};

	ip6(&ip6f, 1, 2, 17, 8);
	udp(&ip6f, 5, 6, NULL, 0);
	f.n = 0;
	put(&f, "\x1e\0\0\0", 4);
	put(&f, ip6f.b, ip6f.n);
	assert_true(decode(0, &f));
	assert_int_equal(pkt.ips[0].family, 6);
	assert_int_equal(pkt.l3, 6);
	assert_int_equal(pkt.sport, 5);
	assert_true(ent_decode_frame(dec, 229, ip6f.b, (uint32_t)ip6f.n, 0, &pkt));
	assert_true(ent_decode_frame(dec, 101, ip6f.b, (uint32_t)ip6f.n, 0, &pkt));

	/* unknown link type: counted, nothing decoded */
	uint64_t before = ctr[ENT_NC_LINKTYPE_UNSUPPORTED];

	assert_false(ent_decode_frame(dec, 147, ip.b, (uint32_t)ip.n, 0, &pkt));
	assert_int_equal(ctr[ENT_NC_LINKTYPE_UNSUPPORTED], before + 1);
	assert_false(ent_decode_linktype_supported(147));
}

static void test_tunnels(void **state)
{
	struct fb f = {0}, inner = {0};

	(void)state;
	/* inner: IPv4 1->2 UDP */
	ip4(&inner, 21, 22, 17, 12, 0, 0);
	udp(&inner, 1000, 53, "dns!", 4);

	/* GRE with key and sequence */
	eth(&f, 0x0800);
	ip4(&f, 1, 2, 47, 12 + inner.n, 0, 0);
	put16(&f, 0x3000);
	put16(&f, 0x0800);
	put32(&f, 42);
	put32(&f, 1);
	put(&f, inner.b, inner.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_pair4(0, 1, 2);
	assert_pair4(1, 21, 22);
	assert_int_equal(pkt.dport, 53); /* the flow is the innermost */
	assert_memory_equal(pkt.payload, "dns!", 4);

	/* ERSPAN type II (GRE 0x88be with sequence) carrying Ethernet */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 1, 2, 47, 8 + 8 + 14 + inner.n, 0, 0);
	put16(&f, 0x1000);
	put16(&f, 0x88be);
	put32(&f, 1);
	put32(&f, 0x10000000);
	put32(&f, 0);
	eth(&f, 0x0800);
	put(&f, inner.b, inner.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_pair4(1, 21, 22);

	/* VXLAN */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 3, 4, 17, 8 + 8 + 14 + inner.n, 0, 0);
	put16(&f, 50000);
	put16(&f, 4789);
	put16(&f, (uint16_t)(8 + 8 + 14 + inner.n));
	put16(&f, 0);
	put32(&f, 0x08000000);
	put32(&f, 0x00000100);
	eth(&f, 0x0800);
	put(&f, inner.b, inner.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_pair4(0, 3, 4);
	assert_pair4(1, 21, 22);

	/* IP-in-IP */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, 6, 4, inner.n, 0, 0);
	put(&f, inner.b, inner.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_pair4(1, 21, 22);

	/* 6in4 */
	struct fb in6 = {0};

	ip6(&in6, 7, 8, 17, 8);
	udp(&in6, 1, 2, NULL, 0);
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 5, 6, 41, in6.n, 0, 0);
	put(&f, in6.b, in6.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_int_equal(pkt.ips[1].family, 6);
	assert_int_equal(pkt.l3, 6);

	/* Teredo with an origin indication */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 9, 10, 17, 8 + 8 + in6.n, 0, 0);
	udp(&f, 3544, 40000, NULL, 0);
	f.b[f.n - 4] = (uint8_t)((8 + 8 + in6.n) >> 8);
	f.b[f.n - 3] = (uint8_t)(8 + 8 + in6.n);
	put16(&f, 0);
	put16(&f, 0xffff);
	put32(&f, 0xffffffff);
	put(&f, in6.b, in6.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_int_equal(pkt.ips[1].family, 6);

	/* GTP-U G-PDU with a sequence number and one extension header */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 11, 12, 17, 8 + 16 + inner.n, 0, 0);
	udp(&f, 2152, 2152, NULL, 0);
	f.b[f.n - 4] = (uint8_t)((8 + 16 + inner.n) >> 8);
	f.b[f.n - 3] = (uint8_t)(8 + 16 + inner.n);
	put8(&f, 0x36); /* v1, PT, E, S */
	put8(&f, 0xff);
	put16(&f, (uint16_t)(8 + inner.n));
	put32(&f, 1);
	put16(&f, 0);
	put8(&f, 0);
	put8(&f, 0x85); /* next extension: PDU session container */
	put8(&f, 1);    /* 4 bytes */
	put8(&f, 0);
	put8(&f, 0);
	put8(&f, 0); /* no more */
	put(&f, inner.b, inner.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_pair4(1, 21, 22);
}

static void test_tunnel_depth_bound(void **state)
{
	struct fb f = {0};
	int layers = 40;

	(void)state;
	eth(&f, 0x0800);
	for (int i = 0; i < layers; i++)
		ip4(&f, (uint8_t)i, (uint8_t)(i + 1), 4, (size_t)(layers - i - 1) * 20 + 28, 0, 0);
	ip4(&f, 99, 98, 17, 8, 0, 0);
	udp(&f, 1, 2, NULL, 0);
	decode(1, &f);
	assert_true(pkt.nips <= ENT_DECODE_MAX_IPS);
	assert_true(ctr[ENT_NC_TUNNEL_TOO_DEEP] > 0);
}

static void test_icmp_error_quoted(void **state)
{
	struct fb f = {0}, q = {0};

	(void)state;
	ip4(&q, 2, 1, 17, 8 + 4, 0, 0);
	udp(&q, 1000, 53, "abcd", 4);
	eth(&f, 0x0800);
	ip4(&f, 7, 2, 1, 8 + q.n, 0, 0);
	put8(&f, 3); /* destination unreachable */
	put8(&f, 3);
	put16(&f, 0);
	put32(&f, 0);
	put(&f, q.b, q.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_pair4(0, 7, 2);
	assert_pair4(1, 2, 1);
	/* the flow is the ICMP packet, not the quoted one */
	assert_int_equal(pkt.proto, 1);
	assert_int_equal(pkt.src[3], 7);
	assert_int_equal(pkt.icmp_type, 3);
	assert_non_null(pkt.quoted_payload);
	assert_int_equal(pkt.quoted_len, 4);
	assert_int_equal(pkt.quoted_dport, 53);

	/* an echo request quotes nothing */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 7, 2, 1, 8 + q.n, 0, 0);
	put8(&f, 8);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 0);
	put(&f, q.b, q.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 1);

	/* ICMPv6 packet too big quoting an IPv6 header */
	struct fb q6 = {0};

	ip6(&q6, 2, 1, 17, 8);
	udp(&q6, 1, 2, NULL, 0);
	f.n = 0;
	eth(&f, 0x86dd);
	ip6(&f, 9, 2, 58, 8 + q6.n);
	put8(&f, 2);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 1280);
	put(&f, q6.b, q6.n);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.nips, 2);
	assert_int_equal(pkt.ips[1].src[15], 2);
	assert_int_equal(pkt.proto, 58);
}

static void test_ipv6_exthdrs(void **state)
{
	struct fb f = {0};

	(void)state;
	eth(&f, 0x86dd);
	ip6(&f, 1, 2, 0, 8 + 16 + 20 + 3);
	/* hop-by-hop, 8 bytes, next: destination options */
	put8(&f, 60);
	put8(&f, 0);
	put(&f, "\x01\x04\0\0\0\0", 6);
	/* destination options, 16 bytes, next: TCP */
	put8(&f, 6);
	put8(&f, 1);
	put(&f, "\x01\x0c\0\0\0\0\0\0\0\0\0\0\0\0", 14);
	tcp(&f, 443, 5555, 1, 0x18, "xyz", 3);
	assert_true(decode(1, &f));
	assert_int_equal(pkt.l3, 6);
	assert_int_equal(pkt.proto, 6);
	assert_int_equal(pkt.sport, 443);
	assert_int_equal(pkt.payload_len, 3);

	/* a truncated extension header is counted */
	uint64_t before = ctr[ENT_NC_IPV6_EXTHDR_TRUNC];

	f.n = 14 + 40 + 4;
	f.b[14 + 5] = 4;
	assert_true(decode(1, &f));
	assert_int_equal(ctr[ENT_NC_IPV6_EXTHDR_TRUNC], before + 1);
}

static void test_errors_counted(void **state)
{
	struct fb f = {0};

	(void)state;
	/* IPv4 header length 12 bytes */
	eth(&f, 0x0800);
	ip4(&f, 1, 2, 17, 8, 0, 0);
	udp(&f, 1, 2, NULL, 0);
	f.b[14] = 0x43;
	decode(1, &f);
	assert_int_equal(ctr[ENT_NC_IPV4_BAD_HLEN], 1);
	assert_int_equal(pkt.nips, 0);

	/* TCP data offset 4 words */
	f.n = 0;
	eth(&f, 0x0800);
	ip4(&f, 1, 2, 6, 20, 0, 0);
	tcp(&f, 1, 2, 0, 0x02, NULL, 0);
	f.b[14 + 20 + 12] = 0x40;
	decode(1, &f);
	assert_int_equal(ctr[ENT_NC_TCP_BAD_HLEN], 1);
	assert_int_equal(pkt.nips, 1); /* the IP layer still counts */

	/* a bad checksum is not an error: checksums are never checked */
	f.b[14 + 20 + 12] = 0x50;
	f.b[14 + 10] ^= 0xff;
	uint64_t sum = 0;

	for (int i = ENT_NC_LINKTYPE_UNSUPPORTED; i < ENT_NC_FRAG_SEEN; i++)
		sum += ctr[i];
	decode(1, &f);
	for (int i = ENT_NC_LINKTYPE_UNSUPPORTED; i < ENT_NC_FRAG_SEEN; i++)
		sum -= ctr[i];
	assert_int_equal(sum, 0);
	assert_true(pkt.has_l4);

	/* the names are stable and unique */
	assert_string_equal(ent_net_counter_name(ENT_NC_IPV4_BAD_HLEN), "decode.ipv4.bad_hlen");
	assert_string_equal(ent_net_counter_name(ENT_NC_FRAG_OVERLAP), "defrag.overlap");
	for (int i = 0; i < ENT_NC_COUNT; i++)
		for (int j = i + 1; j < ENT_NC_COUNT; j++)
			assert_string_not_equal(ent_net_counter_name(i), ent_net_counter_name(j));
}

static void test_snaplen_truncated(void **state)
{
	struct fb f = {0};
	uint8_t data[100];

	(void)state;
	memset(data, 'x', sizeof(data));
	eth(&f, 0x0800);
	ip4(&f, 1, 2, 6, 20 + sizeof(data), 0, 0);
	tcp(&f, 1, 2, 1, 0x18, data, sizeof(data));
	f.n -= 60; /* the snap length cut 60 bytes */
	assert_true(decode(1, &f));
	assert_int_equal(pkt.payload_len, 40);
	assert_int_equal(pkt.payload_wire_len, 100);
	assert_int_equal(ctr[ENT_NC_SNAPLEN_TRUNCATED], 1);
}

/* Every prefix of every kind of frame decodes without crashing (ASan). */
static void test_all_prefixes(void **state)
{
	struct fb frames[4] = {0}, inner = {0};

	(void)state;
	ip4(&inner, 21, 22, 17, 12, 0, 0);
	udp(&inner, 1000, 53, "dns!", 4);
	eth(&frames[0], 0x8100);
	put16(&frames[0], 7);
	put16(&frames[0], 0x0800);
	ip4(&frames[0], 1, 2, 47, 4 + inner.n, 0, 0);
	put16(&frames[0], 0);
	put16(&frames[0], 0x0800);
	put(&frames[0], inner.b, inner.n);
	eth(&frames[1], 0x86dd);
	ip6(&frames[1], 1, 2, 0, 8 + 20);
	put8(&frames[1], 6);
	put8(&frames[1], 0);
	put(&frames[1], "\x01\x04\0\0\0\0", 6);
	tcp(&frames[1], 1, 2, 3, 0x02, NULL, 0);
	eth(&frames[2], 0x8864);
	put(&frames[2], "\x11\0\0\x01\0\x30\0\x21", 8);
	put(&frames[2], inner.b, inner.n);
	eth(&frames[3], 0x0800);
	ip4(&frames[3], 1, 2, 17, 8 + 8 + 14 + inner.n, 0, 0);
	udp(&frames[3], 1, 4789, NULL, 0);
	put32(&frames[3], 0x08000000);
	put32(&frames[3], 0);
	eth(&frames[3], 0x0800);
	put(&frames[3], inner.b, inner.n);
	for (int k = 0; k < 4; k++) {
		for (size_t n = 0; n <= frames[k].n; n++) {
			uint8_t copy[4096];

			memcpy(copy, frames[k].b, n);
			ent_decode_frame(dec, 1, copy, (uint32_t)n, 0, &pkt);
			assert_true(pkt.nips <= ENT_DECODE_MAX_IPS);
			if (pkt.has_l4 && pkt.payload != NULL)
				assert_true(pkt.payload + pkt.payload_len <= copy + n ||
				            pkt.reassembled);
		}
	}
}

/* ---- defrag ---------------------------------------------------------------- */

/* An IPv4 fragment of a UDP datagram carrying payload[0..total) */
static void frag4(struct fb *f, uint16_t id, const uint8_t *dgram, size_t off, size_t len,
                  bool more)
{
	f->n = 0;
	eth(f, 0x0800);
	ip4(f, 1, 2, 17, len, id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	put(f, dgram + off, len);
}

static void make_dgram(uint8_t *dg, size_t n)
{
	/* UDP header + payload bytes i & 0xff */
	dg[0] = 0x04;
	dg[1] = 0xd2;
	dg[2] = 0;
	dg[3] = 53;
	dg[4] = (uint8_t)(n >> 8);
	dg[5] = (uint8_t)n;
	dg[6] = dg[7] = 0;
	for (size_t i = 8; i < n; i++)
		dg[i] = (uint8_t)i;
}

static void test_defrag_in_and_out_of_order(void **state)
{
	uint8_t dg[1000];
	struct fb f;
	const size_t offs[] = {0, 400, 800}, lens[] = {400, 400, 200};
	const int orders[][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}};

	(void)state;
	make_dgram(dg, sizeof(dg));
	for (int o = 0; o < 3; o++) {
		for (int i = 0; i < 3; i++) {
			int k = orders[o][i];

			frag4(&f, (uint16_t)(100 + o), dg, offs[k], lens[k], k != 2);
			assert_true(decode(1, &f));
			if (i < 2) {
				assert_true(pkt.frag_held);
				assert_false(pkt.has_l4);
			}
		}
		assert_true(pkt.reassembled);
		assert_true(pkt.has_l4);
		assert_int_equal(pkt.dport, 53);
		assert_int_equal(pkt.payload_len, sizeof(dg) - 8);
		assert_memory_equal(pkt.payload, dg + 8, sizeof(dg) - 8);
	}
	assert_int_equal(ent_decoder_frags_held(dec), 0);
	assert_int_equal(ctr[ENT_NC_FRAG_REASSEMBLED], 3);
}

static void test_defrag_overlap_first_wins(void **state)
{
	uint8_t dg[800], evil[800];
	struct fb f;

	(void)state;
	make_dgram(dg, sizeof(dg));
	memcpy(evil, dg, sizeof(dg));
	memset(evil + 200, 'E', 400);
	frag4(&f, 7, dg, 0, 400, true);
	decode(1, &f);
	frag4(&f, 7, evil, 200, 400, true); /* overlaps [200,400) and adds [400,600) */
	decode(1, &f);
	frag4(&f, 7, dg, 400, 400, false); /* overlaps [400,600) */
	decode(1, &f);
	assert_true(pkt.reassembled);
	assert_int_equal(ctr[ENT_NC_FRAG_OVERLAP], 2);
	/* [0,400) from the first, [400,600) from the evil one, [600,800) from the last */
	assert_memory_equal(pkt.payload, dg + 8, 392);
	assert_memory_equal(pkt.payload + 392, evil + 400, 200);
	assert_memory_equal(pkt.payload + 592, dg + 600, 200);
}

static void test_defrag_limits(void **state)
{
	uint8_t dg[2000];
	struct fb f;
	struct ent_defrag_config cfg = {.max_fragments = 4, .max_datagrams = 2, .timeout_sec = 5};

	(void)state;
	ent_decoder_free(dec);
	dec = ent_decoder_new(&cfg, ctr);
	assert_non_null(dec);
	make_dgram(dg, sizeof(dg));
	/* too many fragments: the datagram is dropped */
	for (int i = 0; i < 6; i++) {
		frag4(&f, 1, dg, (size_t)i * 8, 8, true);
		decode(1, &f);
	}
	assert_int_equal(ctr[ENT_NC_FRAG_TOO_MANY], 1);
	/* at most two datagrams held: a third evicts the oldest */
	frag4(&f, 2, dg, 0, 8, true);
	ent_decode_frame(dec, 1, f.b, (uint32_t)f.n, 100, &pkt);
	frag4(&f, 3, dg, 0, 8, true);
	ent_decode_frame(dec, 1, f.b, (uint32_t)f.n, 100, &pkt);
	frag4(&f, 4, dg, 0, 8, true);
	ent_decode_frame(dec, 1, f.b, (uint32_t)f.n, 100, &pkt);
	assert_true(ent_decoder_frags_held(dec) <= 2);
	assert_true(ctr[ENT_NC_FRAG_EVICTED] >= 1);
	/* timeout by packet time */
	frag4(&f, 5, dg, 0, 8, true);
	ent_decode_frame(dec, 1, f.b, (uint32_t)f.n, 200, &pkt);
	assert_int_equal(ent_decoder_frags_held(dec), 1);
	assert_true(ctr[ENT_NC_FRAG_TIMEOUT] >= 2);
	/* a fragment past 65535 bytes */
	frag4(&f, 6, dg, 0, 8, true);
	f.b[14 + 6] = 0x1f;
	f.b[14 + 7] = 0xff;
	ent_decode_frame(dec, 1, f.b, (uint32_t)f.n, 200, &pkt);
	assert_int_equal(ctr[ENT_NC_FRAG_TOO_BIG], 1);
}

static void test_defrag_ipv6(void **state)
{
	uint8_t dg[600];
	struct fb f;

	(void)state;
	make_dgram(dg, sizeof(dg));
	for (int i = 1; i >= 0; i--) {
		size_t off = (size_t)i * 304, len = i ? sizeof(dg) - 304 : 304;

		f.n = 0;
		eth(&f, 0x86dd);
		ip6(&f, 1, 2, 44, 8 + len);
		put8(&f, 17);
		put8(&f, 0);
		put16(&f, (uint16_t)(off | (i ? 0 : 1)));
		put32(&f, 0xdeadbeef);
		put(&f, dg + off, len);
		assert_true(decode(1, &f));
	}
	assert_true(pkt.reassembled);
	assert_int_equal(pkt.l3, 6);
	assert_int_equal(pkt.proto, 17);
	assert_int_equal(pkt.dport, 53);
	assert_memory_equal(pkt.payload, dg + 8, sizeof(dg) - 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ether_ipv4_udp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vlan_qinq_mpls_pppoe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tunnels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tunnel_depth_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icmp_error_quoted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6_exthdrs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snaplen_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_all_prefixes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defrag_in_and_out_of_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defrag_overlap_first_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defrag_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defrag_ipv6, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
