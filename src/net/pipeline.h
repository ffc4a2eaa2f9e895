/*
 * pipeline.h - the packet path of `entente scan`: frames in, observables
 * with their context out.
 *
 * One pipeline decodes frames (decode.h), reassembles IP fragments
 * (defrag.h), tracks flows (flow.h), reassembles TCP streams
 * (tcp_reasm.h), hands payload to the application parsers (app.h) and
 * delivers every observable as a struct ent_pkt_event to the caller's
 * callback, with the frame number, the packet time and the flow.
 *
 * Per frame, in this order:
 *   "ip.pair" / "ipv6.pair"  one per IP header, outermost first (value =
 *                            source, detail = destination), unless
 *                            cfg.no_ip_pairs;
 *   "flow.src", "flow.dst"   once per flow, in the frame that creates it
 *                            (kind ENT_OBS_IPV4/IPV6, value = the client /
 *                            server address, detail = the port as text);
 *   application observables  (dns.*, tls.*, http.*), at the frame where the
 *                            bytes that complete them arrive.
 * With cfg.flow_end_events, an ENT_PKT_EV_FLOW_END event reports each flow
 * as it ends (timeout, eviction, reuse, or ent_pipeline_finish).
 *
 * Threads: a pipeline is used by one thread at a time; run one per worker
 * thread and route frames with ent_pipeline_shard_hash so that both
 * directions and all fragments of a conversation reach the same worker.
 * Memory: bounded by cfg (flows, stream bytes, fragments); nothing is
 * allocated per packet on the common path.
 */
#ifndef ENT_NET_PIPELINE_H
#define ENT_NET_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "core/error.h"
#include "net/counters.h"
#include "net/defrag.h"
#include "net/flow.h"
#include "net/obs.h"

struct ent_pipeline;

struct ent_pipeline_config {
	uint8_t worker_id;  /* top byte of flow ids: unique per worker */
	uint32_t max_flows; /* 0 = 65536 */
	size_t max_bytes;   /* flows + stream buffers; 0 = 256 MiB */
	struct ent_flow_timeouts timeouts;
	uint32_t reasm_window;   /* per TCP direction; 0 = 256 KiB */
	uint32_t reasm_max_segs; /* per TCP direction; 0 = 64 */
	struct ent_defrag_config defrag;
	bool no_ip_pairs;     /* skip ip.pair/ipv6.pair events */
	bool flow_end_events; /* deliver ENT_PKT_EV_FLOW_END */
};

enum ent_pkt_event_type {
	ENT_PKT_EV_OBS,      /* obs is set */
	ENT_PKT_EV_FLOW_END, /* obs is NULL; flow and end_reason are set */
};

struct ent_pkt_event {
	enum ent_pkt_event_type type;
	uint64_t frame;                      /* 1-based frame number (as given) */
	struct timeval ts;                   /* packet time (FLOW_END: the flow's last packet) */
	const struct ent_obs *obs;           /* borrowed for the call */
	const struct ent_flow_info *flow;    /* borrowed for the call; NULL if the frame has
	                                        no flow (not IP, or a fragment still held) */
	bool to_server;                      /* the frame goes client to server */
	enum ent_flow_end_reason end_reason; /* FLOW_END only */
};

typedef void (*ent_pkt_event_cb)(void *ctx, const struct ent_pkt_event *ev);

/* cfg may be NULL for the defaults. Caller frees with ent_pipeline_free. NULL
 * with a message in errbuf on failure. */
struct ent_pipeline *ent_pipeline_new(const struct ent_pipeline_config *cfg, ent_pkt_event_cb cb,
                                      void *ctx, char *errbuf);

/*
 * Processes one frame. linktype is the capture's LINKTYPE_/DLT_ value; data
 * has caplen bytes, wirelen is the frame's length on the wire. Events are
 * delivered from inside this call. Returns 0; ENT_EUNSUPPORTED for a link
 * type the decoder does not know (counted, nothing else happens). Malformed
 * frames are not errors: they are counted (ent_pipeline_counters).
 */
int ent_pipeline_packet(struct ent_pipeline *p, uint64_t frame, const struct timeval *ts,
                        int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* One frame for ent_pipeline_packets. */
struct ent_pipeline_frame {
	uint64_t frame;
	struct timeval ts;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	int linktype;
};

/*
 * Processes n frames in order, exactly as n calls of ent_pipeline_packet
 * would, but looks a few frames ahead to bring their flows into the cache
 * first. The data of all n frames must stay valid for the call.
 */
void ent_pipeline_packets(struct ent_pipeline *p, const struct ent_pipeline_frame *fr, size_t n);

/* Ends every flow (delivering what the parsers still have and the FLOW_END
 * events). The pipeline may be used again afterwards. */
void ent_pipeline_finish(struct ent_pipeline *p);

/* Counters so far; borrowed, valid until ent_pipeline_free. */
const struct ent_net_counters *ent_pipeline_counters(const struct ent_pipeline *p);

/* Flows currently tracked, and bytes charged to the budget (for tests). */
uint32_t ent_pipeline_flow_count(const struct ent_pipeline *p);
size_t ent_pipeline_bytes_used(const struct ent_pipeline *p);

/* Finishes nothing: frees everything (call ent_pipeline_finish first to get
 * the remaining events). Accepts NULL. */
void ent_pipeline_free(struct ent_pipeline *p);

/*
 * A shard hash of a frame, symmetric in the outermost IP address pair (the
 * same for both directions and for every fragment of a datagram; VLAN,
 * MPLS, PPPoE are looked through). Frames without IP hash to 0. Keyed with a
 * per-process random key, so it cannot be steered from outside.
 */
uint32_t ent_pipeline_shard_hash(int linktype, const uint8_t *data, uint32_t caplen);

#endif
