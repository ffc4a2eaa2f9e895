/*
 * decode.h - one captured frame to its IP layers and innermost transport.
 *
 * The decoder walks link layer (Ethernet, Linux SLL/SLL2, raw IP, BSD null
 * loopback), 802.1Q/802.1ad/QinQ tags, MPLS, PPPoE sessions, IPv4 (with
 * fragment reassembly), IPv6 (extension headers, fragment reassembly), and
 * the tunnels GRE (with ERSPAN II/III), VXLAN, IP-in-IP, 6in4, Teredo and
 * GTP-U, down to TCP, UDP, ICMP or ICMPv6. Every IP header met is recorded,
 * outermost first, including the header quoted in an ICMP error, so that the
 * caller can report ip.pair/ipv6.pair exactly as tshark does. The innermost
 * IP layer that decoded defines the flow.
 *
 * Every length is checked before it is trusted; a malformed frame is counted
 * under its kind (counters.h) and decoded as far as it goes. No allocation
 * happens per packet except inside defrag when a fragment must be held.
 */
#ifndef ENT_NET_DECODE_H
#define ENT_NET_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/defrag.h"

/* Link types (pcap LINKTYPE_ / DLT_ values) the decoder accepts. */
#define ENT_LINK_NULL      0
#define ENT_LINK_ETHERNET  1
#define ENT_LINK_RAW_DLT12 12 /* DLT_RAW on most platforms */
#define ENT_LINK_RAW_DLT14 14 /* DLT_RAW on OpenBSD */
#define ENT_LINK_RAW       101
#define ENT_LINK_LOOP      108
#define ENT_LINK_SLL       113
#define ENT_LINK_IPV4      228
#define ENT_LINK_IPV6      229
#define ENT_LINK_SLL2      276

#define ENT_DECODE_MAX_IPS   16 /* IP headers recorded per frame */
#define ENT_DECODE_MAX_DEPTH 8  /* tunnels inside tunnels */

struct ent_ip_pair {
	uint8_t family; /* 4 or 6 */
	uint8_t src[16], dst[16];
};

/* The result of decoding one frame. The pointers point into the frame or
 * into a reassembled datagram; both stay valid until the next decode call. */
struct ent_packet {
	int nips; /* entries in ips[] */
	struct ent_ip_pair ips[ENT_DECODE_MAX_IPS];

	/* innermost decoded IP layer (l3 == 0: none, e.g. ARP) */
	int l3;                       /* 0, 4 or 6 */
	uint8_t src[16], dst[16];     /* 4 or 16 bytes used */
	uint16_t vlan;                /* first 802.1Q id of the frame's outer link, 0 = none */
	uint8_t proto;                /* IP protocol of the innermost transport */
	bool frag_held;               /* the innermost IP datagram is an incomplete fragment */
	bool reassembled;             /* the innermost datagram came out of defrag */
	bool has_l4;                  /* ports/fields below are valid */
	uint32_t ip_len;              /* wire length of the innermost IP datagram */
	uint16_t sport, dport;        /* TCP/UDP/SCTP ports; 0 for other protocols */
	uint8_t icmp_type, icmp_code; /* ICMP and ICMPv6 */
	uint32_t seq, ack;            /* TCP */
	uint8_t tcp_flags;            /* TCP */
	const uint8_t *payload;       /* transport payload as captured */
	size_t payload_len;           /* captured bytes */
	size_t payload_wire_len;      /* bytes the headers say (>= payload_len) */

	/* a UDP datagram quoted in an ICMP error (tshark dissects its payload) */
	const uint8_t *quoted_payload; /* NULL if none */
	size_t quoted_len;
	uint16_t quoted_sport, quoted_dport;
};

#define ENT_TCP_FIN 0x01
#define ENT_TCP_SYN 0x02
#define ENT_TCP_RST 0x04
#define ENT_TCP_PSH 0x08
#define ENT_TCP_ACK 0x10

struct ent_decoder;

/* counters: array indexed by enum ent_net_counter, owned by the caller and
 * updated by every decode. Caller frees with ent_decoder_free. */
struct ent_decoder *ent_decoder_new(const struct ent_defrag_config *dcfg, uint64_t *counters);
void ent_decoder_free(struct ent_decoder *d);

/*
 * Decodes one frame into *pkt (OUT). now_sec is the packet time (drives
 * fragment timeouts). Returns true if at least one IP header was found.
 */
bool ent_decode_frame(struct ent_decoder *d, int linktype, const uint8_t *data, uint32_t caplen,
                      uint64_t now_sec, struct ent_packet *pkt);

/* True if the decoder knows linktype. */
bool ent_decode_linktype_supported(int linktype);

/* Fragments and bytes held by the decoder's defrag table. */
uint32_t ent_decoder_frags_held(const struct ent_decoder *d);

#endif
