/*
 * counters.h - what the packet path counts: decode errors by kind, and the
 * events of defragmentation, flows and stream reassembly.
 *
 * Every counter has a stable dotted name ("decode.ipv4.bad_hlen") that the
 * CLI and the stats output print; names never change meaning once released.
 * A bad checksum is not an error and is not counted here. A packet cut by the
 * snap length is decoded as far as it goes and counted under
 * "decode.snaplen_truncated", which is informational.
 *
 * Counters are plain uint64_t arrays owned by one pipeline (one thread); sum
 * them across workers with ent_net_counters_add.
 */
#ifndef ENT_NET_COUNTERS_H
#define ENT_NET_COUNTERS_H

#include <stdint.h>

/* X-macro: enum constant, stable name. */
#define ENT_NET_COUNTER_LIST(X)                                                                    \
	X(ENT_NC_PACKETS, "packets")                                                               \
	X(ENT_NC_BYTES, "bytes")                                                                   \
	X(ENT_NC_LINKTYPE_UNSUPPORTED, "decode.linktype_unsupported")                              \
	X(ENT_NC_SNAPLEN_TRUNCATED, "decode.snaplen_truncated")                                    \
	X(ENT_NC_NOT_IP, "decode.not_ip")                                                          \
	X(ENT_NC_ETH_TRUNC, "decode.ethernet.truncated")                                           \
	X(ENT_NC_SLL_TRUNC, "decode.sll.truncated")                                                \
	X(ENT_NC_NULL_TRUNC, "decode.null.truncated")                                              \
	X(ENT_NC_NULL_BAD_FAMILY, "decode.null.bad_family")                                        \
	X(ENT_NC_VLAN_TRUNC, "decode.vlan.truncated")                                              \
	X(ENT_NC_VLAN_TOO_MANY, "decode.vlan.too_many_tags")                                       \
	X(ENT_NC_MPLS_TRUNC, "decode.mpls.truncated")                                              \
	X(ENT_NC_MPLS_TOO_MANY, "decode.mpls.too_many_labels")                                     \
	X(ENT_NC_MPLS_UNKNOWN_PAYLOAD, "decode.mpls.unknown_payload")                              \
	X(ENT_NC_PPPOE_TRUNC, "decode.pppoe.truncated")                                            \
	X(ENT_NC_PPP_UNSUPPORTED, "decode.ppp.unsupported_protocol")                               \
	X(ENT_NC_IPV4_TRUNC, "decode.ipv4.truncated")                                              \
	X(ENT_NC_IPV4_BAD_VERSION, "decode.ipv4.bad_version")                                      \
	X(ENT_NC_IPV4_BAD_HLEN, "decode.ipv4.bad_hlen")                                            \
	X(ENT_NC_IPV4_BAD_TOTLEN, "decode.ipv4.bad_total_length")                                  \
	X(ENT_NC_IPV6_TRUNC, "decode.ipv6.truncated")                                              \
	X(ENT_NC_IPV6_BAD_VERSION, "decode.ipv6.bad_version")                                      \
	X(ENT_NC_IPV6_EXTHDR_TRUNC, "decode.ipv6.exthdr_truncated")                                \
	X(ENT_NC_IPV6_EXTHDR_TOO_MANY, "decode.ipv6.too_many_exthdrs")                             \
	X(ENT_NC_TCP_TRUNC, "decode.tcp.truncated")                                                \
	X(ENT_NC_TCP_BAD_HLEN, "decode.tcp.bad_hlen")                                              \
	X(ENT_NC_UDP_TRUNC, "decode.udp.truncated")                                                \
	X(ENT_NC_UDP_BAD_LEN, "decode.udp.bad_length")                                             \
	X(ENT_NC_ICMP_TRUNC, "decode.icmp.truncated")                                              \
	X(ENT_NC_ICMPV6_TRUNC, "decode.icmpv6.truncated")                                          \
	X(ENT_NC_GRE_TRUNC, "decode.gre.truncated")                                                \
	X(ENT_NC_GRE_UNSUPPORTED, "decode.gre.unsupported")                                        \
	X(ENT_NC_ERSPAN_TRUNC, "decode.erspan.truncated")                                          \
	X(ENT_NC_VXLAN_TRUNC, "decode.vxlan.truncated")                                            \
	X(ENT_NC_GTP_TRUNC, "decode.gtpu.truncated")                                               \
	X(ENT_NC_TEREDO_TRUNC, "decode.teredo.truncated")                                          \
	X(ENT_NC_TUNNEL_TOO_DEEP, "decode.tunnel.too_deep")                                        \
	X(ENT_NC_TOO_MANY_IP_LAYERS, "decode.too_many_ip_layers")                                  \
	X(ENT_NC_FRAG_SEEN, "defrag.fragments")                                                    \
	X(ENT_NC_FRAG_REASSEMBLED, "defrag.reassembled")                                           \
	X(ENT_NC_FRAG_OVERLAP, "defrag.overlap")                                                   \
	X(ENT_NC_FRAG_TOO_MANY, "defrag.too_many_fragments")                                       \
	X(ENT_NC_FRAG_TOO_BIG, "defrag.datagram_too_big")                                          \
	X(ENT_NC_FRAG_BAD_LEN, "defrag.bad_fragment_length")                                       \
	X(ENT_NC_FRAG_TIMEOUT, "defrag.timeout")                                                   \
	X(ENT_NC_FRAG_EVICTED, "defrag.evicted")                                                   \
	X(ENT_NC_FRAG_NOMEM, "defrag.memcap")                                                      \
	X(ENT_NC_FLOWS, "flow.created")                                                            \
	X(ENT_NC_FLOW_TIMEOUT, "flow.timeout")                                                     \
	X(ENT_NC_FLOW_EVICTED, "flow.evicted")                                                     \
	X(ENT_NC_FLOW_NOMEM, "flow.nomem")                                                         \
	X(ENT_NC_TCP_RETRANS, "stream.retransmission")                                             \
	X(ENT_NC_TCP_OVERLAP, "stream.overlap")                                                    \
	X(ENT_NC_TCP_OOO, "stream.out_of_order")                                                   \
	X(ENT_NC_TCP_GAP, "stream.gap")                                                            \
	X(ENT_NC_TCP_MEMCAP, "stream.memcap")                                                      \
	X(ENT_NC_APP_TLS, "app.tls")                                                               \
	X(ENT_NC_APP_HTTP, "app.http")                                                             \
	X(ENT_NC_APP_DNS_TCP, "app.dns_tcp")                                                       \
	X(ENT_NC_APP_DNS_UDP, "app.dns_udp")                                                       \
	X(ENT_NC_APP_QUIC, "app.quic")                                                             \
	X(ENT_NC_APP_PARSE_ERROR, "app.parse_error")                                               \
	X(ENT_NC_DNS_TCP_BAD_FRAME, "app.dns_tcp.bad_frame")

#define ENT_NC_ENUM_(e, n) e,
enum ent_net_counter { ENT_NET_COUNTER_LIST(ENT_NC_ENUM_) ENT_NC_COUNT };
#undef ENT_NC_ENUM_

struct ent_net_counters {
	uint64_t v[ENT_NC_COUNT];
};

/* The stable name of a counter; "?" for an out-of-range value. */
const char *ent_net_counter_name(enum ent_net_counter c);
/* dst += src, counter by counter (to sum the workers). */
void ent_net_counters_add(struct ent_net_counters *dst, const struct ent_net_counters *src);

#endif
