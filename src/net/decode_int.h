/*
 * decode_int.h - state shared by the decoder's files (decode.c: link layers
 * and Ethernet types; decode_ip.c: IP, transports and tunnels). Not for use
 * outside src/net/decode*.c.
 */
#ifndef ENT_NET_DECODE_INT_H
#define ENT_NET_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/counters.h"
#include "net/decode.h"

struct ent_decoder {
	struct ent_defrag *defrag; /* owned */
	uint64_t *c;               /* borrowed counters, indexed by enum ent_net_counter */
	uint64_t now;              /* packet time, seconds */
	struct ent_packet *pkt;    /* the frame being decoded */
	int depth;                 /* tunnels entered so far */
	bool vlan_seen;            /* pkt->vlan already set by an outer tag */
};

static inline uint16_t dec_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t dec_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* decode.c */
void ent_dec_ether(struct ent_decoder *d, const uint8_t *p, size_t len);
void ent_dec_ethertype(struct ent_decoder *d, uint16_t type, const uint8_t *p, size_t len);
/* decode_ip.c: an IP datagram of either version (by its first nibble). */
void ent_dec_ip(struct ent_decoder *d, const uint8_t *p, size_t len, bool quoted);
void ent_dec_ipv4(struct ent_decoder *d, const uint8_t *p, size_t len, bool quoted);
void ent_dec_ipv6(struct ent_decoder *d, const uint8_t *p, size_t len, bool quoted);

#endif
