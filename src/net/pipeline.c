/*
 * pipeline.c - frames to events (see pipeline.h).
 *
 * Per frame: evict flows while the byte budget is exceeded, expire idle
 * flows, decode, find the flow, emit the IP pairs and (for a new flow) its
 * endpoints, then feed the transport payload: TCP through the stream
 * reassembly of its direction, UDP straight to the dispatch. The parsers
 * emit through one sink whose context is the pipeline; it stamps each
 * observable with the current frame, time and flow.
 */
#include "net/pipeline.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/addr_fmt.h"
#include "net/app.h"
#include "net/decode.h"

struct ent_pipeline {
	struct ent_pipeline_config cfg;
	ent_pkt_event_cb cb;
	void *cb_ctx;
	struct ent_net_counters counters;
	struct ent_decoder *dec;
	struct ent_flow_table *flows;
	size_t used; /* bytes charged: flows, stream segments, DNS buffers */
	struct ent_reasm_limits lim;
	struct ent_obs_sink sink;
	struct ent_app_env env;
	uint64_t now;
	/* the frame being processed */
	uint64_t frame;
	struct timeval ts;
	struct ent_flow *flow;
	int dir;
	struct ent_packet pkt;
};

static void emit(struct ent_pipeline *p, const struct ent_obs *obs)
{
	struct ent_pkt_event ev = {
	    .type = ENT_PKT_EV_OBS,
	    .frame = p->frame,
	    .ts = p->ts,
	    .obs = obs,
	    .flow = p->flow != NULL ? &p->flow->info : NULL,
	    .to_server = p->dir == 0,
	};

	p->cb(p->cb_ctx, &ev);
}

static void sink_emit(void *ctx, const struct ent_obs *obs)
{
	emit(ctx, obs);
}

static void on_flow_end(void *ctx, struct ent_flow *f, enum ent_flow_end_reason why)
{
	struct ent_pipeline *p = ctx;

	ent_reasm_free(&f->reasm[0], &p->lim);
	ent_reasm_free(&f->reasm[1], &p->lim);
	ent_app_flow_free(&p->env, f);
	if (p->flow == f)
		p->flow = NULL;
	if (p->cfg.flow_end_events) {
		struct ent_pkt_event ev = {
		    .type = ENT_PKT_EV_FLOW_END,
		    .frame = p->frame,
		    .ts = f->info.last_ts,
		    .flow = &f->info,
		    .end_reason = why,
		};

		p->cb(p->cb_ctx, &ev);
	}
}

struct ent_pipeline *ent_pipeline_new(const struct ent_pipeline_config *cfg, ent_pkt_event_cb cb,
                                      void *ctx, char *errbuf)
{
	struct ent_pipeline *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		ent_errf(errbuf, ENT_ENOMEM, "pipeline: out of memory");
		return NULL;
	}
	if (cfg != NULL)
		p->cfg = *cfg;
	if (p->cfg.max_bytes == 0)
		p->cfg.max_bytes = 256u << 20;
	p->cb = cb;
	p->cb_ctx = ctx;
	p->dec = ent_decoder_new(&p->cfg.defrag, p->counters.v);
	p->flows = ent_flow_table_new(p->cfg.max_flows, &p->used, p->cfg.max_bytes,
	                              &p->cfg.timeouts, p->cfg.worker_id, on_flow_end, p);
	if (p->dec == NULL || p->flows == NULL) {
		ent_errf(errbuf, ENT_ENOMEM, "pipeline: out of memory");
		ent_pipeline_free(p);
		return NULL;
	}
	p->lim.window = p->cfg.reasm_window;
	p->lim.max_segs = p->cfg.reasm_max_segs;
	p->lim.used = &p->used;
	p->lim.max_used = p->cfg.max_bytes;
	p->sink.emit = sink_emit;
	p->sink.ctx = p;
	p->env.sink = &p->sink;
	p->env.counters = p->counters.v;
	p->env.used = &p->used;
	p->env.max_used = p->cfg.max_bytes;
	return p;
}

void ent_pipeline_finish(struct ent_pipeline *p)
{
	struct ent_decoder *fresh;

	p->flow = NULL;
	ent_flow_table_flush(p->flows);
	/* the next capture starts from nothing: its own clock (a capture from
	 * 2106 must not expire the flows of one from 2017) and no fragments
	 * held from this one */
	p->now = 0;
	fresh = ent_decoder_new(&p->cfg.defrag, p->counters.v);
	if (fresh != NULL) {
		ent_decoder_free(p->dec);
		p->dec = fresh;
	}
}

void ent_pipeline_free(struct ent_pipeline *p)
{
	if (p == NULL)
		return;
	if (p->flows != NULL) {
		bool ev = p->cfg.flow_end_events;

		p->cfg.flow_end_events = false; /* no events from a destructor */
		ent_flow_table_free(p->flows);
		p->cfg.flow_end_events = ev;
	}
	ent_decoder_free(p->dec);
	free(p);
}

const struct ent_net_counters *ent_pipeline_counters(const struct ent_pipeline *p)
{
	return &p->counters;
}

uint32_t ent_pipeline_flow_count(const struct ent_pipeline *p)
{
	return ent_flow_table_count(p->flows);
}

size_t ent_pipeline_bytes_used(const struct ent_pipeline *p)
{
	return p->used;
}

static void emit_ip_pairs(struct ent_pipeline *p)
{
	char src[ENT_ADDR_STRLEN], dst[ENT_ADDR_STRLEN];

	for (int i = 0; i < p->pkt.nips; i++) {
		const struct ent_ip_pair *ip = &p->pkt.ips[i];
		struct ent_obs o = {
		    .where = ip->family == 6 ? "ipv6.pair" : "ip.pair",
		    .kind = ip->family == 6 ? ENT_OBS_IPV6 : ENT_OBS_IPV4,
		    .value = src,
		    .detail = dst,
		};

		ent_addr_fmt(ip->family, ip->src, src);
		ent_addr_fmt(ip->family, ip->dst, dst);
		emit(p, &o);
	}
}

static void emit_flow_endpoints(struct ent_pipeline *p)
{
	const struct ent_flow_info *fi = &p->flow->info;
	enum ent_obs_kind kind = fi->family == 6 ? ENT_OBS_IPV6 : ENT_OBS_IPV4;
	char port[8];
	struct ent_obs o = {
	    .where = "flow.src", .kind = kind, .value = fi->cli_str, .detail = port};

	ent_port_fmt(fi->cli_port, port);
	emit(p, &o);
	o.where = "flow.dst";
	o.value = fi->srv_str;
	ent_port_fmt(fi->srv_port, port);
	emit(p, &o);
}

static void stream_cb(void *ctx, const uint8_t *data, size_t len)
{
	struct ent_pipeline *p = ctx;
	struct ent_flow *f = p->flow;

	ent_app_tcp(&p->env, f, p->dir, data, len);
	if (!ent_app_tcp_wants(f, p->dir))
		ent_reasm_stop(&f->reasm[p->dir], &p->lim);
}

static void tcp_packet(struct ent_pipeline *p)
{
	struct ent_flow *f = p->flow;
	const struct ent_packet *pkt = &p->pkt;
	struct ent_reasm_dir *r = &f->reasm[p->dir];
	uint32_t seq = pkt->seq;

	if (r->done)
		return;
	if (!ent_app_tcp_wants(f, p->dir)) {
		ent_reasm_stop(r, &p->lim);
		return;
	}
	if (pkt->tcp_flags & ENT_TCP_SYN) {
		ent_reasm_syn(r, seq);
		seq++;
	}
	if (pkt->payload_len == 0 || (pkt->tcp_flags & ENT_TCP_RST))
		return;
	ent_reasm_data(r, &p->lim, seq, pkt->payload, pkt->payload_len, pkt->payload_wire_len,
	               stream_cb, p, p->counters.v);
}

static int packet_one(struct ent_pipeline *p, uint64_t frame, const struct timeval *ts,
                      int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                      const struct ent_flow_hint *hint)
{
	uint64_t sec = ts->tv_sec > 0 ? (uint64_t)ts->tv_sec : 0;
	bool created = false;

	p->counters.v[ENT_NC_PACKETS]++;
	p->counters.v[ENT_NC_BYTES] += wirelen;
	if (!ent_decode_linktype_supported(linktype)) {
		p->counters.v[ENT_NC_LINKTYPE_UNSUPPORTED]++;
		return ENT_EUNSUPPORTED;
	}
	p->frame = frame;
	p->ts = *ts;
	p->flow = NULL;
	p->dir = 0;
	if (sec > p->now)
		p->now = sec;
	while (p->used > p->cfg.max_bytes && ent_flow_table_evict_oldest(p->flows, p->counters.v))
		;
	ent_flow_table_expire(p->flows, p->now, p->counters.v);

	ent_decode_frame(p->dec, linktype, data, caplen, p->now, &p->pkt);
	if (p->pkt.l3 != 0 && !p->pkt.frag_held)
		p->flow = ent_flow_get_hinted(p->flows, &p->pkt, ts, wirelen, &p->dir, &created,
		                              p->counters.v, hint);
	if (!p->cfg.no_ip_pairs)
		emit_ip_pairs(p);
	if (p->flow == NULL)
		return 0;
	if (created)
		emit_flow_endpoints(p);
	if (p->pkt.quoted_payload != NULL)
		ent_app_udp_quoted(&p->env, &p->pkt);
	if (!p->pkt.has_l4)
		return 0;
	if (p->pkt.proto == 6)
		tcp_packet(p);
	else if (p->pkt.proto == 17)
		ent_app_udp(&p->env, p->flow, &p->pkt);
	return 0;
}

int ent_pipeline_packet(struct ent_pipeline *p, uint64_t frame, const struct timeval *ts,
                        int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	return packet_one(p, frame, ts, linktype, data, caplen, wirelen, NULL);
}

/* ---- looking ahead --------------------------------------------------------- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* The flow tuple of a plain IP packet (no tunnel, no fragment, TCP or UDP
 * right after the IP header); false for anything else. Only a guess: the
 * decoder has the last word (see ent_flow_hint). */
static bool ip_tuple(const uint8_t *p, size_t len, struct ent_flow_tuple *tu)
{
	size_t hl;

	if (len >= 20 && (p[0] >> 4) == 4) {
		hl = (size_t)(p[0] & 15) * 4;
		if (hl < 20 || len < hl + 4 || (be16(p + 6) & 0x3fff) != 0)
			return false;
		tu->l3 = 4;
		tu->proto = p[9];
		tu->src = p + 12;
		tu->dst = p + 16;
	} else if (len >= 44 && (p[0] >> 4) == 6) {
		hl = 40;
		tu->l3 = 6;
		tu->proto = p[6];
		tu->src = p + 8;
		tu->dst = p + 24;
	} else {
		return false;
	}
	if (tu->proto != 6 && tu->proto != 17)
		return false;
	tu->sport = be16(p + hl);
	tu->dport = be16(p + hl + 2);
	return true;
}

static bool frame_tuple(int linktype, const uint8_t *d, uint32_t caplen, struct ent_flow_tuple *tu)
{
	uint16_t type;
	size_t off;

	tu->vlan = 0;
	switch (linktype) {
	case ENT_LINK_ETHERNET:
		if (caplen < 14)
			return false;
		type = be16(d + 12);
		off = 14;
		for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < 2;
		     tags++) {
			if (caplen < off + 4)
				return false;
			if (tags == 0)
				tu->vlan = be16(d + off) & 0x0fff;
			type = be16(d + off + 2);
			off += 4;
		}
		break;
	case ENT_LINK_SLL:
		if (caplen < 16)
			return false;
		type = be16(d + 14);
		off = 16;
		break;
	case ENT_LINK_RAW:
	case ENT_LINK_RAW_DLT12:
	case ENT_LINK_RAW_DLT14:
	case ENT_LINK_IPV4:
	case ENT_LINK_IPV6:
		return ip_tuple(d, caplen, tu);
	default:
		return false;
	}
	if (type != 0x0800 && type != 0x86dd)
		return false;
	return ip_tuple(d + off, caplen - off, tu);
}

/* Frames looked at ahead of the one processed: the bucket of frame i + AHEAD
 * is prefetched, then the flow of frame i + AHEAD / 2. */
#define AHEAD 8

static void hint_frame(struct ent_pipeline *p, const struct ent_pipeline_frame *fr,
                       struct ent_flow_hint *h)
{
	struct ent_flow_tuple tu;

	h->valid = false;
	if (frame_tuple(fr->linktype, fr->data, fr->caplen, &tu))
		ent_flow_hint_init(p->flows, &tu, h);
}

void ent_pipeline_packets(struct ent_pipeline *p, const struct ent_pipeline_frame *fr, size_t n)
{
	struct ent_flow_hint hints[AHEAD + 1];

	for (size_t i = 0; i < n && i < AHEAD; i++)
		hint_frame(p, &fr[i], &hints[i]);
	for (size_t i = 0; i < n && i < AHEAD / 2; i++)
		ent_flow_hint_prefetch(p->flows, &hints[i]);
	for (size_t i = 0; i < n; i++) {
		if (i + AHEAD < n)
			hint_frame(p, &fr[i + AHEAD], &hints[(i + AHEAD) % (AHEAD + 1)]);
		if (i + AHEAD / 2 < n)
			ent_flow_hint_prefetch(p->flows, &hints[(i + AHEAD / 2) % (AHEAD + 1)]);
		packet_one(p, fr[i].frame, &fr[i].ts, fr[i].linktype, fr[i].data, fr[i].caplen,
		           fr[i].wirelen, &hints[i % (AHEAD + 1)]);
	}
}

/* ---- shard hash ---------------------------------------------------------- */

static uint64_t shard_key[3];
static pthread_once_t shard_once = PTHREAD_ONCE_INIT;

static void shard_key_init(void)
{
	if (sodium_init() >= 0)
		randombytes_buf(shard_key, sizeof(shard_key));
	shard_key[1] |= 1;
	shard_key[2] |= 1;
}

static uint64_t shard_mix(uint64_t acc, uint64_t w)
{
	acc = (acc ^ w) * shard_key[1];
	return acc ^ (acc >> 29);
}

/* A keyed multiply-xorshift of the sorted address pair. Every worker
 * computes it for every frame of the capture (to see which are its own),
 * so it must cost next to nothing; it only balances load, and the random
 * key keeps an outsider from choosing which worker a conversation lands on. */
static uint32_t shard_pair(const uint8_t *a, const uint8_t *b, size_t alen)
{
	uint64_t h;

	pthread_once(&shard_once, shard_key_init);
	if (alen == 4) {
		uint32_t x, y;

		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		h = shard_mix(shard_key[0], x < y ? (uint64_t)x | (uint64_t)y << 32
		                                  : (uint64_t)y | (uint64_t)x << 32);
	} else {
		uint64_t w[4];

		if (memcmp(a, b, alen) > 0) {
			const uint8_t *t = a;

			a = b;
			b = t;
		}
		memcpy(w, a, 16);
		memcpy(w + 2, b, 16);
		h = shard_key[0];
		for (int i = 0; i < 4; i++)
			h = shard_mix(h, w[i]);
	}
	h *= shard_key[2];
	return (uint32_t)(h >> 32);
}

static uint32_t shard_ip(const uint8_t *p, size_t len)
{
	if (len >= 20 && (p[0] >> 4) == 4)
		return shard_pair(p + 12, p + 16, 4);
	if (len >= 40 && (p[0] >> 4) == 6)
		return shard_pair(p + 8, p + 24, 16);
	return 0;
}

static uint32_t shard_ethertype(uint16_t type, const uint8_t *p, size_t len)
{
	for (int i = 0; i < 8; i++) {
		switch (type) {
		case 0x8100:
		case 0x88a8:
		case 0x9100:
			if (len < 4)
				return 0;
			type = (uint16_t)((p[2] << 8) | p[3]);
			p += 4;
			len -= 4;
			continue;
		case 0x8847:
		case 0x8848:
			while (len >= 4 && !(p[2] & 1)) {
				p += 4;
				len -= 4;
			}
			return len >= 4 ? shard_ip(p + 4, len - 4) : 0;
		case 0x8864:
			return len >= 8 ? shard_ip(p + 8, len - 8) : 0;
		case 0x0800:
		case 0x86dd:
			return shard_ip(p, len);
		default:
			return 0;
		}
	}
	return 0;
}

uint32_t ent_pipeline_shard_hash(int linktype, const uint8_t *data, uint32_t caplen)
{
	/* the common case first, without the walk: untagged Ethernet, IPv4 */
	if (linktype == ENT_LINK_ETHERNET && caplen >= 34 && data[12] == 0x08 && data[13] == 0 &&
	    (data[14] >> 4) == 4)
		return shard_pair(data + 26, data + 30, 4);
	switch (linktype) {
	case ENT_LINK_ETHERNET:
		return caplen >= 14 ? shard_ethertype((uint16_t)((data[12] << 8) | data[13]),
		                                      data + 14, caplen - 14)
		                    : 0;
	case ENT_LINK_SLL:
		return caplen >= 16 ? shard_ethertype((uint16_t)((data[14] << 8) | data[15]),
		                                      data + 16, caplen - 16)
		                    : 0;
	case ENT_LINK_SLL2:
		return caplen >= 20 ? shard_ethertype((uint16_t)((data[0] << 8) | data[1]),
		                                      data + 20, caplen - 20)
		                    : 0;
	case ENT_LINK_NULL:
	case ENT_LINK_LOOP:
		return caplen >= 4 ? shard_ip(data + 4, caplen - 4) : 0;
	case ENT_LINK_RAW:
	case ENT_LINK_RAW_DLT12:
	case ENT_LINK_RAW_DLT14:
	case ENT_LINK_IPV4:
	case ENT_LINK_IPV6:
		return shard_ip(data, caplen);
	default:
		return 0;
	}
}
