/*
 * flow.h - the flow table: one entry per conversation, keyed by the
 * symmetric 5-tuple plus the outer VLAN id.
 *
 * struct ent_flow_info is the public face of a flow (events carry a pointer
 * to it). struct ent_flow and the table functions are internal to the
 * packet path (pipeline.c, app.c).
 *
 * Bounds: at most max_flows entries; every entry's size is charged to a byte
 * budget shared with the stream buffers, and when a new flow would pass
 * either bound the least recently active flow is evicted. Idle flows expire
 * by packet time (a capture replays its own clock). Every removal goes
 * through the table's on_end callback first, so the owner can flush
 * parsers and report the flow.
 *
 * TCP states: NONE -> SYN_SENT (client SYN) -> SYN_RECV (server SYN+ACK) ->
 * ESTABLISHED (client ACK, or data seen both ways) -> CLOSING (one FIN) ->
 * CLOSED (both FINs, or a RST). A flow picked up mid-stream starts in
 * ESTABLISHED. A client SYN on a CLOSED flow ends it and starts a new one.
 */
#ifndef ENT_NET_FLOW_H
#define ENT_NET_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "net/decode.h"
#include "net/tcp_reasm.h"

enum ent_app_proto {
	ENT_APP_UNKNOWN = 0, /* not decided yet */
	ENT_APP_NONE,        /* nothing we parse */
	ENT_APP_TLS,
	ENT_APP_HTTP,
	ENT_APP_DNS,
	ENT_APP_QUIC,
};

/* "unknown", "none", "tls", "http", "dns", "quic" */
const char *ent_app_proto_name(enum ent_app_proto p);

enum ent_tcp_state {
	ENT_TCP_NONE = 0,
	ENT_TCP_SYN_SENT,
	ENT_TCP_SYN_RECV,
	ENT_TCP_ESTABLISHED,
	ENT_TCP_CLOSING,
	ENT_TCP_CLOSED,
};

/* "none", "syn_sent", ... */
const char *ent_tcp_state_name(enum ent_tcp_state s);

enum ent_flow_end_reason {
	ENT_FLOW_END_TIMEOUT,
	ENT_FLOW_END_EVICTED, /* a bound was reached */
	ENT_FLOW_END_REUSED,  /* a new connection on the same 5-tuple */
	ENT_FLOW_END_FINISH,  /* end of input */
};

#define ENT_FLOW_ADDRSTRLEN 46

struct ent_flow_info {
	uint64_t flow_id; /* unique per process run: worker id in the top byte */
	uint8_t family;   /* 4 or 6 */
	uint8_t proto;    /* IP protocol */
	uint16_t vlan;    /* outer 802.1Q id, 0 = none */
	uint16_t cli_port, srv_port;
	enum ent_app_proto app_proto;
	enum ent_tcp_state tcp_state;
	uint64_t pkts[2]; /* [0] client to server, [1] server to client */
	uint64_t bytes[2];
	struct timeval first_ts, last_ts;
	uint8_t cli_addr[16]; /* the client: the SYN sender, else the first sender */
	uint8_t srv_addr[16];
	/* the fields above are read on every packet, these only for events */
	char cli_str[ENT_FLOW_ADDRSTRLEN]; /* addresses as text (RFC 5952 for IPv6) */
	char srv_str[ENT_FLOW_ADDRSTRLEN];
};

/* Per-flow state of the application dispatch (app.c). */
struct ent_app_flow {
	struct ent_tls_stream *tls[2]; /* owned; [0] client to server */
	struct ent_http_stream *http;  /* owned; client to server */
	uint8_t *dns_buf[2];           /* owned; DNS over TCP framing buffer */
	uint32_t dns_len[2];
	bool dir_done[2]; /* nothing more wanted in this direction */
	bool decided;     /* TCP: TLS/HTTP/DNS/none decided */
};

/* Laid out for the packet path: the lookup reads the first cache line
 * (64-byte aligned), the packet's work the next four; the address strings
 * at the end are read only for events. */
struct ent_flow {
	uint8_t key[40];  /* canonical (sorted) key bytes */
	uint32_t hash;    /* low bits of the key's hash */
	uint32_t timeout; /* seconds of idleness before expiry */
	uint64_t last_sec;
	uint8_t fin[2];
	struct ent_flow *older, *newer; /* activity list, least recent first */
	struct ent_reasm_dir reasm[2];  /* [0] client to server */
	struct ent_app_flow app;
	struct ent_flow_info info; /* events point here */
};

struct ent_flow_table;

struct ent_flow_timeouts {
	uint32_t tcp;        /* 0 = 600 */
	uint32_t tcp_closed; /* 0 = 30 */
	uint32_t udp;        /* 0 = 120 */
	uint32_t other;      /* 0 = 60 */
};

typedef void (*ent_flow_end_cb)(void *ctx, struct ent_flow *f, enum ent_flow_end_reason why);

/*
 * A table of at most max_flows flows (0 = 65536). used/max_used: the shared
 * byte budget (each flow charges sizeof(struct ent_flow)). worker_id goes
 * into the top byte of flow ids. Caller frees with ent_flow_table_free.
 */
struct ent_flow_table *ent_flow_table_new(uint32_t max_flows, size_t *used, size_t max_used,
                                          const struct ent_flow_timeouts *to, uint8_t worker_id,
                                          ent_flow_end_cb on_end, void *ctx);
/* Frees the table; calls on_end (FINISH) for the flows still in it first. */
void ent_flow_table_free(struct ent_flow_table *t);

/*
 * The flow of a decoded packet (pkt->l3 != 0), created if new. *dir (OUT):
 * 0 if the packet goes client to server, 1 otherwise; *created (OUT) tells a
 * new flow. Updates counters, timestamps and TCP state. NULL only when
 * allocation fails (counted).
 */
struct ent_flow *ent_flow_get(struct ent_flow_table *t, const struct ent_packet *pkt,
                              const struct timeval *ts, uint32_t wirelen, int *dir, bool *created,
                              uint64_t *counters);
/*
 * Hints: the packet path can look a few packets ahead and warm the cache
 * lines their flows live in (the flow table is far bigger than the caches,
 * and a lookup is otherwise two cache misses). A hint is only a hint: the
 * lookup uses its hash only if its key is the packet's, so a wrong tuple
 * costs time, never a wrong flow.
 */
struct ent_flow_tuple {
	uint8_t l3; /* 4 or 6 */
	uint8_t proto;
	uint16_t vlan;
	uint16_t sport, dport;
	const uint8_t *src, *dst; /* 4 or 16 bytes */
};

struct ent_flow_hint {
	bool valid;
	uint32_t hash;
	uint8_t key[40];
};

/* Fills *h for tu and prefetches its bucket. */
void ent_flow_hint_init(const struct ent_flow_table *t, const struct ent_flow_tuple *tu,
                        struct ent_flow_hint *h);
/* Prefetches the first flow of the hint's bucket (call some packets after
 * ent_flow_hint_init, when the bucket is in the cache). */
void ent_flow_hint_prefetch(const struct ent_flow_table *t, const struct ent_flow_hint *h);
/* ent_flow_get with a hint (NULL: none). */
struct ent_flow *ent_flow_get_hinted(struct ent_flow_table *t, const struct ent_packet *pkt,
                                     const struct timeval *ts, uint32_t wirelen, int *dir,
                                     bool *created, uint64_t *counters,
                                     const struct ent_flow_hint *hint);

/* Expires flows idle since before now_sec. */
void ent_flow_table_expire(struct ent_flow_table *t, uint64_t now_sec, uint64_t *counters);
/* Evicts the least recently active flow; false if the table is empty. */
bool ent_flow_table_evict_oldest(struct ent_flow_table *t, uint64_t *counters);
/* Ends every flow (FINISH). */
void ent_flow_table_flush(struct ent_flow_table *t);
uint32_t ent_flow_table_count(const struct ent_flow_table *t);

#endif
