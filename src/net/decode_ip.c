/*
 * decode_ip.c - IPv4, IPv6 (extension headers), fragment hand-off to
 * defrag, TCP, UDP, ICMP, ICMPv6, SCTP ports, and the tunnels GRE (ERSPAN
 * II/III, transparent Ethernet, PPTP's enhanced GRE), VXLAN, IP-in-IP, 6in4,
 * Teredo and GTP-U.
 *
 * Every IP header that decodes as far as its addresses is recorded in
 * pkt->ips[] (outermost first). A header quoted in an ICMP error is recorded
 * but not decoded further and never defines the flow: tshark lists its
 * addresses, and nothing else about it matters to us.
 */
#include <string.h>

#include "net/decode_int.h"

#define MAX_IPV6_EXTHDRS 16

#define UDP_PORT_VXLAN  4789
#define UDP_PORT_TEREDO 3544
#define UDP_PORT_GTPU   2152

static void record_pair(struct ent_decoder *d, int family, const uint8_t *src, const uint8_t *dst,
                        bool quoted)
{
	struct ent_packet *pkt = d->pkt;
	size_t alen = family == 6 ? 16 : 4;

	if (pkt->nips < ENT_DECODE_MAX_IPS) {
		struct ent_ip_pair *ip = &pkt->ips[pkt->nips++];

		ip->family = (uint8_t)family;
		memcpy(ip->src, src, alen);
		memcpy(ip->dst, dst, alen);
	} else {
		d->c[ENT_NC_TOO_MANY_IP_LAYERS]++;
	}
	if (quoted)
		return;
	/* this layer is now the innermost one: it defines the flow */
	pkt->l3 = family;
	memcpy(pkt->src, src, alen);
	memcpy(pkt->dst, dst, alen);
	pkt->proto = 0;
	pkt->frag_held = false;
	pkt->reassembled = false;
	pkt->has_l4 = false;
	pkt->sport = pkt->dport = 0;
	pkt->icmp_type = pkt->icmp_code = 0;
	pkt->seq = pkt->ack = 0;
	pkt->tcp_flags = 0;
	pkt->payload = NULL;
	pkt->payload_len = pkt->payload_wire_len = 0;
}

/* The transport of a datagram quoted in an ICMP error: a UDP payload is
 * kept for the application dispatch, as tshark dissects it. */
static void dec_quoted_l4(struct ent_decoder *d, uint8_t proto, const uint8_t *p, size_t len,
                          size_t wire_len)
{
	struct ent_packet *pkt = d->pkt;
	size_t ulen;

	if (proto != 17 || len < 8 || pkt->quoted_payload != NULL)
		return;
	ulen = dec_be16(p + 4);
	if (ulen < 8 || ulen > wire_len)
		return;
	pkt->quoted_payload = p + 8;
	pkt->quoted_len = ulen - 8 < len - 8 ? ulen - 8 : len - 8;
	pkt->quoted_sport = dec_be16(p);
	pkt->quoted_dport = dec_be16(p + 2);
}

static bool tunnel_enter(struct ent_decoder *d)
{
	if (d->depth >= ENT_DECODE_MAX_DEPTH) {
		d->c[ENT_NC_TUNNEL_TOO_DEEP]++;
		return false;
	}
	d->depth++;
	return true;
}

static void dec_vxlan(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	if (len < 8) {
		d->c[ENT_NC_VXLAN_TRUNC]++;
		return;
	}
	if (!tunnel_enter(d))
		return;
	ent_dec_ether(d, p + 8, len - 8);
}

/* Teredo (RFC 4380): optional authentication and origin indication headers,
 * then an IPv6 packet. Anything else on the port is left alone. */
static void dec_teredo(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x00 && p[1] == 0x01) {
		size_t hl;

		if (len < 4) {
			d->c[ENT_NC_TEREDO_TRUNC]++;
			return;
		}
		hl = 4 + (size_t)p[2] + p[3] + 8 + 1;
		if (len < hl) {
			d->c[ENT_NC_TEREDO_TRUNC]++;
			return;
		}
		p += hl;
		len -= hl;
	}
	if (len >= 2 && p[0] == 0x00 && p[1] == 0x00) {
		if (len < 8) {
			d->c[ENT_NC_TEREDO_TRUNC]++;
			return;
		}
		p += 8;
		len -= 8;
	}
	if (len < 40 || (p[0] >> 4) != 6)
		return; /* not an IPv6 packet: not Teredo data */
	/* the IPv6 payload length must fit what is there, or it is not IPv6 */
	if ((size_t)dec_be16(p + 4) + 40 > len)
		return;
	if (!tunnel_enter(d))
		return;
	ent_dec_ipv6(d, p, len, false);
}

/* GTP-U (3GPP TS 29.281): a G-PDU (message type 255) carries an IP packet. */
static void dec_gtpu(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	size_t hl = 8;

	if (len < 8) {
		d->c[ENT_NC_GTP_TRUNC]++;
		return;
	}
	if ((p[0] >> 5) != 1 || !(p[0] & 0x10) || p[1] != 0xff)
		return; /* not GTPv1-U user data */
	if (p[0] & 0x07) {
		uint8_t next;

		if (len < 12) {
			d->c[ENT_NC_GTP_TRUNC]++;
			return;
		}
		next = p[11];
		hl = 12;
		while ((p[0] & 0x04) && next != 0) {
			size_t elen;

			if (len < hl + 1 || p[hl] == 0) {
				d->c[ENT_NC_GTP_TRUNC]++;
				return;
			}
			elen = (size_t)p[hl] * 4;
			if (len < hl + elen) {
				d->c[ENT_NC_GTP_TRUNC]++;
				return;
			}
			next = p[hl + elen - 1];
			hl += elen;
		}
	}
	if (len <= hl)
		return;
	if (!tunnel_enter(d))
		return;
	ent_dec_ip(d, p + hl, len - hl, false);
}

static void dec_gre(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	uint16_t flags, proto;
	size_t hl = 4;

	if (len < 4) {
		d->c[ENT_NC_GRE_TRUNC]++;
		return;
	}
	flags = dec_be16(p);
	proto = dec_be16(p + 2);
	switch (flags & 0x7) {
	case 0:
		if (flags & 0xc000) /* checksum and/or routing: checksum + offset */
			hl += 4;
		if (flags & 0x2000) /* key */
			hl += 4;
		if (flags & 0x1000) /* sequence number */
			hl += 4;
		break;
	case 1: /* enhanced GRE (PPTP): key always present, optional seq and ack */
		hl = 8;
		if (flags & 0x1000)
			hl += 4;
		if (flags & 0x0080)
			hl += 4;
		break;
	default:
		d->c[ENT_NC_GRE_UNSUPPORTED]++;
		return;
	}
	if (len < hl) {
		d->c[ENT_NC_GRE_TRUNC]++;
		return;
	}
	p += hl;
	len -= hl;
	if (!tunnel_enter(d))
		return;
	switch (proto) {
	case 0x6558: /* transparent Ethernet bridging */
		ent_dec_ether(d, p, len);
		return;
	case 0x88be: /* ERSPAN type II has a sequence number and an 8-byte header; type I neither */
		if (flags & 0x1000) {
			if (len < 8) {
				d->c[ENT_NC_ERSPAN_TRUNC]++;
				return;
			}
			p += 8;
			len -= 8;
		}
		ent_dec_ether(d, p, len);
		return;
	case 0x22eb: /* ERSPAN type III: 12 bytes, 8 more with the O flag */
		if (len < 12 || ((p[11] & 0x01) && len < 20)) {
			d->c[ENT_NC_ERSPAN_TRUNC]++;
			return;
		}
		hl = (p[11] & 0x01) ? 20 : 12;
		ent_dec_ether(d, p + hl, len - hl);
		return;
	case 0x880b: /* PPP */
		if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
			p += 2;
			len -= 2;
		}
		if (len < 2) {
			d->c[ENT_NC_GRE_TRUNC]++;
			return;
		}
		if (dec_be16(p) == 0x0021)
			ent_dec_ipv4(d, p + 2, len - 2, false);
		else if (dec_be16(p) == 0x0057)
			ent_dec_ipv6(d, p + 2, len - 2, false);
		else
			d->c[ENT_NC_PPP_UNSUPPORTED]++;
		return;
	default:
		ent_dec_ethertype(d, proto, p, len);
		return;
	}
}

static void dec_tcp(struct ent_decoder *d, const uint8_t *p, size_t len, size_t wire_len)
{
	struct ent_packet *pkt = d->pkt;
	size_t hl;

	if (len < 20) {
		d->c[ENT_NC_TCP_TRUNC]++;
		return;
	}
	hl = (size_t)(p[12] >> 4) * 4;
	if (hl < 20) {
		d->c[ENT_NC_TCP_BAD_HLEN]++;
		return;
	}
	if (hl > len) {
		d->c[hl > wire_len ? ENT_NC_TCP_BAD_HLEN : ENT_NC_TCP_TRUNC]++;
		return;
	}
	pkt->has_l4 = true;
	pkt->sport = dec_be16(p);
	pkt->dport = dec_be16(p + 2);
	pkt->seq = dec_be32(p + 4);
	pkt->ack = dec_be32(p + 8);
	pkt->tcp_flags = p[13];
	pkt->payload = p + hl;
	pkt->payload_len = len - hl;
	pkt->payload_wire_len = wire_len > hl ? wire_len - hl : 0;
	if (pkt->payload_wire_len < pkt->payload_len)
		pkt->payload_wire_len = pkt->payload_len;
}

static void dec_udp(struct ent_decoder *d, const uint8_t *p, size_t len, size_t wire_len)
{
	struct ent_packet *pkt = d->pkt;
	uint16_t ulen, sport, dport;
	size_t plen;

	if (len < 8) {
		d->c[ENT_NC_UDP_TRUNC]++;
		return;
	}
	ulen = dec_be16(p + 4);
	if (ulen < 8 || ulen > wire_len) {
		/* tshark keeps the ports of such a datagram but no payload */
		d->c[ENT_NC_UDP_BAD_LEN]++;
		ulen = 8;
	}
	sport = dec_be16(p);
	dport = dec_be16(p + 2);
	plen = (size_t)ulen - 8;
	pkt->has_l4 = true;
	pkt->sport = sport;
	pkt->dport = dport;
	pkt->payload = p + 8;
	pkt->payload_wire_len = plen;
	pkt->payload_len = plen < len - 8 ? plen : len - 8;
	p += 8;
	len = pkt->payload_len;
	if (dport == UDP_PORT_VXLAN)
		dec_vxlan(d, p, len);
	else if (sport == UDP_PORT_TEREDO || dport == UDP_PORT_TEREDO)
		dec_teredo(d, p, len);
	else if (sport == UDP_PORT_GTPU || dport == UDP_PORT_GTPU)
		dec_gtpu(d, p, len);
}

static void dec_icmp(struct ent_decoder *d, int family, const uint8_t *p, size_t len)
{
	struct ent_packet *pkt = d->pkt;
	bool error;

	if (len < 4) {
		d->c[family == 4 ? ENT_NC_ICMP_TRUNC : ENT_NC_ICMPV6_TRUNC]++;
		return;
	}
	pkt->has_l4 = true;
	pkt->icmp_type = p[0];
	pkt->icmp_code = p[1];
	pkt->payload = p;
	pkt->payload_len = len;
	pkt->payload_wire_len = len;
	if (family == 4)
		error = p[0] == 3 || p[0] == 4 || p[0] == 5 || p[0] == 11 || p[0] == 12;
	else
		error = p[0] >= 1 && p[0] <= 4;
	if (error && len > 8) {
		if (family == 4)
			ent_dec_ip(d, p + 8, len - 8, true);
		else
			ent_dec_ipv6(d, p + 8, len - 8, true);
	}
}

/* The transport of an IP datagram: p/len as captured, wire_len as the IP
 * header says. */
static void dec_l4(struct ent_decoder *d, int family, uint8_t proto, const uint8_t *p, size_t len,
                   size_t wire_len)
{
	struct ent_packet *pkt = d->pkt;

	pkt->proto = proto;
	switch (proto) {
	case 6:
		dec_tcp(d, p, len, wire_len);
		return;
	case 17:
		dec_udp(d, p, len, wire_len);
		return;
	case 1:
		if (family == 4)
			dec_icmp(d, 4, p, len);
		else
			pkt->has_l4 = true;
		return;
	case 58:
		dec_icmp(d, 6, p, len);
		return;
	case 47:
		pkt->has_l4 = true;
		dec_gre(d, p, len);
		return;
	case 4:
		pkt->has_l4 = true;
		if (tunnel_enter(d))
			ent_dec_ipv4(d, p, len, false);
		return;
	case 41:
		pkt->has_l4 = true;
		if (tunnel_enter(d))
			ent_dec_ipv6(d, p, len, false);
		return;
	case 132: /* SCTP: ports only */
		pkt->has_l4 = true;
		if (len >= 4) {
			pkt->sport = dec_be16(p);
			pkt->dport = dec_be16(p + 2);
		}
		return;
	default:
		pkt->has_l4 = true;
		return;
	}
}

void ent_dec_ip(struct ent_decoder *d, const uint8_t *p, size_t len, bool quoted)
{
	if (len >= 1 && (p[0] >> 4) == 6)
		ent_dec_ipv6(d, p, len, quoted);
	else
		ent_dec_ipv4(d, p, len, quoted);
}

void ent_dec_ipv4(struct ent_decoder *d, const uint8_t *p, size_t len, bool quoted)
{
	size_t hl, totlen, avail;
	uint16_t fo;
	uint8_t proto;

	if (len < 20) {
		d->c[ENT_NC_IPV4_TRUNC]++;
		return;
	}
	if ((p[0] >> 4) != 4) {
		d->c[ENT_NC_IPV4_BAD_VERSION]++;
		return;
	}
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < 20) {
		d->c[ENT_NC_IPV4_BAD_HLEN]++;
		return;
	}
	if (hl > len) {
		d->c[ENT_NC_IPV4_TRUNC]++;
		return;
	}
	totlen = dec_be16(p + 2);
	if (totlen == 0 && !quoted) {
		totlen = len; /* TCP segmentation offload: the length is not filled in */
	} else if (totlen < hl) {
		d->c[ENT_NC_IPV4_BAD_TOTLEN]++;
		return;
	}
	avail = len;
	if (totlen < avail)
		avail = totlen; /* link-layer padding */
	else if (totlen > avail && !quoted)
		d->c[ENT_NC_SNAPLEN_TRUNCATED]++;
	record_pair(d, 4, p + 12, p + 16, quoted);
	if (quoted) {
		if ((dec_be16(p + 6) & 0x1fff) == 0)
			dec_quoted_l4(d, p[9], p + hl, avail - hl, totlen - hl);
		return;
	}
	d->pkt->ip_len = (uint32_t)totlen;
	fo = dec_be16(p + 6);
	proto = p[9];
	if ((fo & 0x2000) || (fo & 0x1fff)) {
		struct ent_frag f = {
		    .family = 4,
		    .src = p + 12,
		    .dst = p + 16,
		    .id = dec_be16(p + 4),
		    .proto = proto,
		    .offset = (uint32_t)(fo & 0x1fff) * 8,
		    .more = (fo & 0x2000) != 0,
		    .data = p + hl,
		    .len = avail - hl,
		    .now = d->now,
		};
		const uint8_t *out;
		size_t outlen;

		d->pkt->proto = proto;
		d->pkt->frag_held = true;
		if (avail < totlen)
			return; /* a fragment cut by the snap length cannot be reassembled */
		if (ent_defrag_add(d->defrag, &f, &out, &outlen, &proto, d->c) != 1)
			return;
		d->pkt->frag_held = false;
		d->pkt->reassembled = true;
		dec_l4(d, 4, proto, out, outlen, outlen);
		return;
	}
	dec_l4(d, 4, proto, p + hl, avail - hl, totlen - hl);
}

void ent_dec_ipv6(struct ent_decoder *d, const uint8_t *p, size_t len, bool quoted)
{
	size_t plen, avail, wire;
	uint8_t nh;
	int i;

	if (len < 40) {
		d->c[ENT_NC_IPV6_TRUNC]++;
		return;
	}
	if ((p[0] >> 4) != 6) {
		d->c[ENT_NC_IPV6_BAD_VERSION]++;
		return;
	}
	plen = dec_be16(p + 4);
	nh = p[6];
	avail = len - 40;
	if (plen == 0 && nh == 0)
		plen = avail; /* jumbogram: the length is in a hop-by-hop option */
	if (plen < avail)
		avail = plen;
	else if (plen > avail && !quoted)
		d->c[ENT_NC_SNAPLEN_TRUNCATED]++;
	record_pair(d, 6, p + 8, p + 24, quoted);
	if (quoted) {
		dec_quoted_l4(d, nh, p + 40, avail, plen);
		return;
	}
	d->pkt->ip_len = (uint32_t)(plen + 40);
	wire = plen;
	const uint8_t *src = p + 8, *dst = p + 24;
	p += 40;
	for (i = 0; i < MAX_IPV6_EXTHDRS; i++) {
		size_t hl;

		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
		case 51:  /* AH */
			if (avail < 2) {
				d->c[ENT_NC_IPV6_EXTHDR_TRUNC]++;
				return;
			}
			hl = nh == 51 ? ((size_t)p[1] + 2) * 4 : ((size_t)p[1] + 1) * 8;
			if (hl > avail) {
				d->c[ENT_NC_IPV6_EXTHDR_TRUNC]++;
				return;
			}
			nh = p[0];
			p += hl;
			avail -= hl;
			wire = wire > hl ? wire - hl : 0;
			continue;
		case 44: { /* fragment */
			uint16_t offlg;

			if (avail < 8) {
				d->c[ENT_NC_IPV6_EXTHDR_TRUNC]++;
				return;
			}
			offlg = dec_be16(p + 2);
			nh = p[0];
			if ((offlg & 0xfff8) == 0 && !(offlg & 1)) {
				/* atomic fragment (RFC 6946): no reassembly needed */
				p += 8;
				avail -= 8;
				wire = wire > 8 ? wire - 8 : 0;
				continue;
			}
			struct ent_frag f = {
			    .family = 6,
			    .src = src,
			    .dst = dst,
			    .id = dec_be32(p + 4),
			    .proto = nh,
			    .offset = offlg & 0xfff8,
			    .more = (offlg & 1) != 0,
			    .data = p + 8,
			    .len = avail - 8,
			    .now = d->now,
			};
			const uint8_t *out;
			size_t outlen;

			d->pkt->proto = nh;
			d->pkt->frag_held = true;
			if (wire > avail)
				return; /* cut by the snap length */
			if (ent_defrag_add(d->defrag, &f, &out, &outlen, &nh, d->c) != 1)
				return;
			d->pkt->frag_held = false;
			d->pkt->reassembled = true;
			p = out;
			avail = wire = outlen;
			continue;
		}
		case 59: /* no next header */
			d->pkt->proto = nh;
			d->pkt->has_l4 = true;
			return;
		default:
			dec_l4(d, 6, nh, p, avail, wire);
			return;
		}
	}
	d->c[ENT_NC_IPV6_EXTHDR_TOO_MANY]++;
}
