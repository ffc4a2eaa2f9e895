/*
 * test_flow.c - flows through the pipeline: one flow for both directions,
 * the client side (SYN sender; receiver of a SYN+ACK seen first; else the
 * first sender), endpoint events once per flow for TCP (also an unanswered
 * SYN), UDP and ICMP, TCP state, port reuse, idle timeout by packet time,
 * the hard bounds (flow count and bytes) with eviction of the oldest, the
 * symmetric shard hash, and DNS over TCP framing through the dispatch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "net/pipeline.h"
#include "net/siphash.h"

#define LT_IPV4 228

struct rec {
	int nobs, nsrc, ndst, nend, npairs, ndns;
	uint64_t last_flow_id;
	bool last_to_server;
	char last_src[64], last_dst[64];
	char dns_names[16][64];
	uint64_t dns_frames[16];
	enum ent_flow_end_reason last_reason;
	struct ent_flow_info last_end;
};

static void on_event(void *ctx, const struct ent_pkt_event *ev)
{
	struct rec *r = ctx;

	if (ev->type == ENT_PKT_EV_FLOW_END) {
		r->nend++;
		r->last_reason = ev->end_reason;
		r->last_end = *ev->flow;
		return;
	}
	r->nobs++;
	if (ev->flow != NULL) {
		r->last_flow_id = ev->flow->flow_id;
		r->last_to_server = ev->to_server;
	}
	if (strcmp(ev->obs->where, "flow.src") == 0) {
		r->nsrc++;
		snprintf(r->last_src, sizeof(r->last_src), "%s:%s", ev->obs->value,
		         ev->obs->detail);
		assert_int_equal(ev->obs->kind, ENT_OBS_IPV4);
	} else if (strcmp(ev->obs->where, "flow.dst") == 0) {
		r->ndst++;
		snprintf(r->last_dst, sizeof(r->last_dst), "%s:%s", ev->obs->value,
		         ev->obs->detail);
	} else if (strcmp(ev->obs->where, "ip.pair") == 0) {
		r->npairs++;
	} else if (strcmp(ev->obs->where, "dns.qry.name") == 0 && r->ndns < 16) {
		snprintf(r->dns_names[r->ndns], 64, "%s", ev->obs->value);
		r->dns_frames[r->ndns++] = ev->frame;
	}
}

static uint8_t frame[2048];

/* IPv4 10.0.0.a -> 10.0.0.b with a TCP/UDP/ICMP header and payload */
static size_t mk(uint8_t a, uint8_t b, uint8_t proto, uint16_t sp, uint16_t dp, uint32_t seq,
                 uint8_t flags, const void *pl, size_t n)
{
	size_t hl = proto == 6 ? 20 : 8, tot = 20 + hl + n;
	uint8_t *l4 = frame + 20;

	memset(frame, 0, 20 + hl);
	frame[0] = 0x45;
	frame[2] = (uint8_t)(tot >> 8);
	frame[3] = (uint8_t)tot;
	frame[8] = 64;
	frame[9] = proto;
	frame[12] = 10;
	frame[15] = a;
	frame[16] = 10;
	frame[19] = b;
	if (proto == 1) {
		l4[0] = 8;
	} else {
		l4[0] = (uint8_t)(sp >> 8);
		l4[1] = (uint8_t)sp;
		l4[2] = (uint8_t)(dp >> 8);
		l4[3] = (uint8_t)dp;
	}
	if (proto == 6) {
		l4[4] = (uint8_t)(seq >> 24);
		l4[5] = (uint8_t)(seq >> 16);
		l4[6] = (uint8_t)(seq >> 8);
		l4[7] = (uint8_t)seq;
		l4[12] = 0x50;
		l4[13] = flags;
	} else if (proto == 17) {
		l4[4] = (uint8_t)((8 + n) >> 8);
		l4[5] = (uint8_t)(8 + n);
	}
	if (n > 0)
		memcpy(l4 + hl, pl, n);
	return tot;
}

static void feed(struct ent_pipeline *p, uint64_t fr, long sec, size_t len)
{
	struct timeval ts = {.tv_sec = sec};

	assert_int_equal(
	    ent_pipeline_packet(p, fr, &ts, LT_IPV4, frame, (uint32_t)len, (uint32_t)len), 0);
}

static void test_handshake_one_flow(void **state)
{
	struct rec r = {0};
	struct ent_pipeline_config cfg = {.flow_end_events = true, .worker_id = 3};
	struct ent_pipeline *p = ent_pipeline_new(&cfg, on_event, &r, NULL);
	uint64_t id;

	(void)state;
	assert_non_null(p);
	feed(p, 1, 100, mk(1, 2, 6, 40000, 80, 1000, 0x02, NULL, 0));
	id = r.last_flow_id;
	assert_true(r.last_to_server);
	assert_int_equal(id >> 56, 3);
	feed(p, 2, 100, mk(2, 1, 6, 80, 40000, 5000, 0x12, NULL, 0));
	assert_int_equal(r.last_flow_id, id);
	assert_false(r.last_to_server);
	feed(p, 3, 100, mk(1, 2, 6, 40000, 80, 1001, 0x10, NULL, 0));
	assert_int_equal(r.nsrc, 1);
	assert_int_equal(r.ndst, 1);
	assert_string_equal(r.last_src, "10.0.0.1:40000");
	assert_string_equal(r.last_dst, "10.0.0.2:80");
	assert_int_equal(r.npairs, 3);
	assert_int_equal(ent_pipeline_flow_count(p), 1);
	ent_pipeline_finish(p);
	assert_int_equal(r.nend, 1);
	assert_int_equal(r.last_reason, ENT_FLOW_END_FINISH);
	assert_int_equal(r.last_end.tcp_state, ENT_TCP_ESTABLISHED);
	assert_int_equal(r.last_end.pkts[0], 2);
	assert_int_equal(r.last_end.pkts[1], 1);
	assert_int_equal(ent_pipeline_flow_count(p), 0);
	ent_pipeline_free(p);
}

static void test_client_side(void **state)
{
	struct rec r = {0};
	struct ent_pipeline *p = ent_pipeline_new(NULL, on_event, &r, NULL);

	(void)state;
	/* SYN+ACK seen first: its receiver is the client */
	feed(p, 1, 1, mk(2, 1, 6, 443, 5555, 1, 0x12, NULL, 0));
	assert_string_equal(r.last_src, "10.0.0.1:5555");
	assert_false(r.last_to_server);
	/* UDP: the first sender */
	feed(p, 2, 1, mk(3, 4, 17, 999, 53, 0, 0, NULL, 0));
	assert_string_equal(r.last_src, "10.0.0.3:999");
	/* an unanswered SYN and an ICMP echo are flows too */
	feed(p, 3, 1, mk(5, 6, 6, 1, 22, 1, 0x02, NULL, 0));
	feed(p, 4, 1, mk(7, 8, 1, 0, 0, 0, 0, "ping", 4));
	assert_int_equal(r.nsrc, 4);
	assert_int_equal(r.ndst, 4);
	assert_string_equal(r.last_src, "10.0.0.7:0");
	assert_int_equal(ent_pipeline_flow_count(p), 4);
	ent_pipeline_free(p);
}

static void test_reuse_and_timeout(void **state)
{
	struct rec r = {0};
	struct ent_pipeline_config cfg = {.flow_end_events = true,
	                                  .timeouts = {.udp = 10, .tcp_closed = 5}};
	struct ent_pipeline *p = ent_pipeline_new(&cfg, on_event, &r, NULL);

	(void)state;
	feed(p, 1, 100, mk(1, 2, 6, 1234, 80, 10, 0x02, NULL, 0));
	feed(p, 2, 100, mk(2, 1, 6, 80, 1234, 20, 0x04 | 0x10, NULL, 0)); /* RST */
	feed(p, 3, 101, mk(1, 2, 6, 1234, 80, 99, 0x02, NULL, 0));        /* new connection */
	assert_int_equal(r.nend, 1);
	assert_int_equal(r.last_reason, ENT_FLOW_END_REUSED);
	assert_int_equal(r.nsrc, 2);
	/* idle timeout by packet time */
	feed(p, 4, 102, mk(3, 4, 17, 5, 6, 0, 0, NULL, 0));
	assert_int_equal(ent_pipeline_flow_count(p), 2);
	feed(p, 5, 2000, mk(9, 9, 17, 5, 6, 0, 0, NULL, 0));
	assert_int_equal(ent_pipeline_flow_count(p), 1);
	assert_int_equal(r.last_reason, ENT_FLOW_END_TIMEOUT);
	assert_int_equal(ent_pipeline_counters(p)->v[ENT_NC_FLOW_TIMEOUT], 2);
	ent_pipeline_free(p);
}

static void test_bounds(void **state)
{
	struct rec r = {0};
	struct ent_pipeline_config cfg = {.max_flows = 16, .flow_end_events = true};
	struct ent_pipeline *p = ent_pipeline_new(&cfg, on_event, &r, NULL);
	uint8_t junk[1000];

	(void)state;
	for (int i = 0; i < 100; i++)
		feed(p, (uint64_t)i + 1, 1, mk(1, 2, 17, (uint16_t)(1000 + i), 9, 0, 0, NULL, 0));
	assert_int_equal(ent_pipeline_flow_count(p), 16);
	assert_int_equal(ent_pipeline_counters(p)->v[ENT_NC_FLOW_EVICTED], 84);
	assert_int_equal(r.nend, 84);
	assert_int_equal(r.last_reason, ENT_FLOW_END_EVICTED);
	/* the oldest went first: port 1083 is the first survivor */
	ent_pipeline_finish(p);
	ent_pipeline_free(p);

	/* the byte budget: out-of-order TCP data on many flows cannot pass it */
	struct ent_pipeline_config cfg2 = {.max_bytes = 64 * 1024, .max_flows = 100000};

	memset(&r, 0, sizeof(r));
	memset(junk, 'j', sizeof(junk));
	p = ent_pipeline_new(&cfg2, on_event, &r, NULL);
	for (int i = 0; i < 2000; i++) {
		uint16_t port = (uint16_t)(2000 + i);

		feed(p, 1, 1, mk(1, 2, 6, port, 443, 100, 0x02, NULL, 0));
		/* TLS-looking first bytes, then a hole and held data */
		feed(p, 2, 1, mk(1, 2, 6, port, 443, 101, 0x18, "\x16\x03\x01\x02\x00\x01", 6));
		feed(p, 3, 1, mk(1, 2, 6, port, 443, 5000, 0x18, junk, sizeof(junk)));
		assert_true(ent_pipeline_bytes_used(p) <= cfg2.max_bytes + 4096);
	}
	assert_true(ent_pipeline_counters(p)->v[ENT_NC_FLOW_EVICTED] > 0);
	ent_pipeline_finish(p);
	assert_int_equal(ent_pipeline_bytes_used(p), 0);
	ent_pipeline_free(p);
}

static void test_shard_hash_symmetric(void **state)
{
	uint32_t a, b, c;

	(void)state;
	mk(1, 2, 6, 1, 2, 0, 0x02, NULL, 0);
	a = ent_pipeline_shard_hash(LT_IPV4, frame, 40);
	mk(2, 1, 6, 2, 1, 0, 0x12, NULL, 0);
	b = ent_pipeline_shard_hash(LT_IPV4, frame, 40);
	mk(2, 3, 6, 2, 1, 0, 0x12, NULL, 0);
	c = ent_pipeline_shard_hash(LT_IPV4, frame, 40);
	assert_int_equal(a, b);
	assert_int_not_equal(a, c);
	assert_int_equal(ent_pipeline_shard_hash(LT_IPV4, frame, 10), 0);
}

/* A DNS query for "a.example" as a DNS/TCP frame: 2-byte length + message */
static size_t dns_query(uint8_t *out, uint16_t id)
{
	static const uint8_t q[] = {0, 0,   0x01, 0x00, 0,   1,   0,   0,   0, 0, 0, 0, 1, 'a',
	                            7, 'e', 'x',  'a',  'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};

	out[0] = 0;
	out[1] = sizeof(q);
	memcpy(out + 2, q, sizeof(q));
	out[2] = (uint8_t)(id >> 8);
	out[3] = (uint8_t)id;
	return sizeof(q) + 2;
}

static void test_dns_over_tcp_framing(void **state)
{
	struct rec r = {0};
	struct ent_pipeline *p = ent_pipeline_new(NULL, on_event, &r, NULL);
	uint8_t buf[256];
	size_t n = 0;

	(void)state;
	/* two messages in one segment, then a third split across three segments */
	n += dns_query(buf + n, 1);
	n += dns_query(buf + n, 2);
	n += dns_query(buf + n, 3);
	feed(p, 1, 1, mk(1, 2, 6, 3333, 53, 10, 0x02, NULL, 0));
	feed(p, 2, 1, mk(1, 2, 6, 3333, 53, 11, 0x18, buf, 2 * 29 + 1));
	feed(p, 3, 1, mk(1, 2, 6, 3333, 53, 11 + 59, 0x18, buf + 59, 10));
	feed(p, 4, 1, mk(1, 2, 6, 3333, 53, 11 + 69, 0x18, buf + 69, n - 69));
	ent_pipeline_free(p);
	if (r.ndns == 0)
		skip(); /* no DNS parser linked in */
	assert_int_equal(r.ndns, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(r.dns_names[i], "a.example");
	assert_int_equal(r.dns_frames[0], 2);
	assert_int_equal(r.dns_frames[1], 2);
	assert_int_equal(r.dns_frames[2], 4);
}

/* Flows come and go (evictions) while others stay: every flow that stays is
 * found again, never created twice, whatever the slots did in between. */
static void test_table_churn(void **state)
{
	struct rec r = {0};
	struct ent_pipeline_config cfg = {.max_flows = 3000};
	struct ent_pipeline *p = ent_pipeline_new(&cfg, on_event, &r, NULL);
	const uint64_t *c = ent_pipeline_counters(p)->v;
	uint64_t fr = 0;

	(void)state;
	for (uint32_t i = 0; i < 3000; i++)
		feed(p, ++fr, 1,
		     mk((uint8_t)(i % 251), 200, 17, (uint16_t)(1000 + i), 53, 0, 0, NULL, 0));
	assert_int_equal(c[ENT_NC_FLOWS], 3000);
	for (uint32_t round = 0; round < 20000; round++) {
		uint32_t i = 3000 + round;

		/* a new flow evicts the oldest... */
		feed(p, ++fr, 1,
		     mk((uint8_t)(i % 251), 200, 17, (uint16_t)(1000 + i % 60000), 53, 0, 0, NULL,
		        0));
		/* ...and three recent ones are found where they are */
		for (uint32_t k = 1; k <= 3; k++) {
			uint32_t j = i - (k * 397) % 2500;

			feed(p, ++fr, 1,
			     mk((uint8_t)(j % 251), 200, 17, (uint16_t)(1000 + j % 60000), 53, 0, 0,
			        NULL, 0));
		}
		assert_int_equal(c[ENT_NC_FLOWS], 3001 + round);
	}
	assert_int_equal(ent_pipeline_flow_count(p), 3000);
	ent_pipeline_finish(p);
	assert_int_equal(ent_pipeline_flow_count(p), 0);
	ent_pipeline_free(p);
}

/* The inline SipHash, run as SipHash-2-4, is libsodium's crypto_shorthash. */
static void test_siphash_matches_libsodium(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	for (int t = 0; t < 200; t++) {
		uint8_t key[16], msg[48], out[8];
		uint64_t k[2] = {0, 0}, m[6], ours = 0;
		size_t n = (size_t)t % 7;

		randombytes_buf(key, sizeof(key));
		randombytes_buf(msg, sizeof(msg));
		for (int i = 0; i < 2; i++)
			for (int b = 7; b >= 0; b--)
				k[i] = (k[i] << 8) | key[8 * i + b];
		for (size_t i = 0; i < n; i++) {
			m[i] = 0;
			for (int b = 7; b >= 0; b--)
				m[i] = (m[i] << 8) | msg[8 * i + (size_t)b];
		}
		crypto_shorthash(out, msg, 8 * n, key);
		for (int b = 7; b >= 0; b--)
			ours = (ours << 8) | out[b];
		assert_int_equal(ent_siphash(2, 4, k, m, n), ours);
	}
}

struct log {
	char lines[4096][96];
	size_t n;
};

static void on_event_log(void *ctx, const struct ent_pkt_event *ev)
{
	struct log *l = ctx;

	if (l->n < 4096)
		snprintf(l->lines[l->n++], sizeof(l->lines[0]), "%d %llu %llx %d %s %s %s",
		         ev->type, (unsigned long long)ev->frame,
		         (unsigned long long)(ev->flow ? ev->flow->flow_id : 0), ev->to_server,
		         ev->obs ? ev->obs->where : "-", ev->obs ? ev->obs->value : "-",
		         ev->obs && ev->obs->detail ? ev->obs->detail : "-");
}

/* Frames handed over in batches give the same events, in the same order, as
 * frames handed over one by one. */
static void test_batches_same_events(void **state)
{
	static uint8_t frames[600][128];
	static struct log one, many;
	struct ent_pipeline_frame fr[600];
	struct ent_pipeline_config cfg = {.flow_end_events = true, .max_flows = 50};
	struct ent_pipeline *p;

	(void)state;
	for (size_t i = 0; i < 600; i++) {
		size_t len = i % 3 == 0 ? mk((uint8_t)(i % 7), 9, 17, (uint16_t)(5000 + i % 40), 53,
		                             0, 0, NULL, 0)
		                        : mk((uint8_t)(i % 5), 9, 6, (uint16_t)(6000 + i % 70), 80,
		                             (uint32_t)i, i % 11 == 0 ? 0x02 : 0x10, NULL, 0);

		memcpy(frames[i], frame, len);
		fr[i] = (struct ent_pipeline_frame){.frame = i + 1,
		                                    .ts = {.tv_sec = 100 + (long)i / 10},
		                                    .data = frames[i],
		                                    .caplen = (uint32_t)len,
		                                    .wirelen = (uint32_t)len,
		                                    .linktype = LT_IPV4};
	}
	p = ent_pipeline_new(&cfg, on_event_log, &one, NULL);
	for (size_t i = 0; i < 600; i++)
		ent_pipeline_packet(p, fr[i].frame, &fr[i].ts, fr[i].linktype, fr[i].data,
		                    fr[i].caplen, fr[i].wirelen);
	ent_pipeline_finish(p);
	ent_pipeline_free(p);
	p = ent_pipeline_new(&cfg, on_event_log, &many, NULL);
	for (size_t i = 0, b = 1; i < 600; i += b, b = b % 37 + 1)
		ent_pipeline_packets(p, fr + i, i + b <= 600 ? b : 600 - i);
	ent_pipeline_finish(p);
	ent_pipeline_free(p);
	assert_true(one.n > 600);
	assert_int_equal(one.n, many.n);
	for (size_t i = 0; i < one.n; i++)
		assert_string_equal(one.lines[i], many.lines[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_one_flow),
	    cmocka_unit_test(test_client_side),
	    cmocka_unit_test(test_reuse_and_timeout),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_shard_hash_symmetric),
	    cmocka_unit_test(test_dns_over_tcp_framing),
	    cmocka_unit_test(test_table_churn),
	    cmocka_unit_test(test_siphash_matches_libsodium),
	    cmocka_unit_test(test_batches_same_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
