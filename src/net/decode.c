/*
 * decode.c - link layers and Ethernet types (see decode.h for the whole
 * decoder; decode_ip.c does IP, transports and tunnels).
 *
 * Link layers: Ethernet (with 802.3 LLC/SNAP), Linux cooked SLL and SLL2,
 * raw IP (DLT 12/14, LINKTYPE 101, 228, 229), BSD null and loop. Ethernet
 * types: IPv4, IPv6, 802.1Q / 802.1ad / 0x9100 tags (at most 8), MPLS (at
 * most 16 labels), PPPoE session.
 */
#include <stdlib.h>
#include <string.h>

#include "net/decode_int.h"

#define ETH_IPV4       0x0800
#define ETH_IPV6       0x86dd
#define ETH_VLAN       0x8100
#define ETH_QINQ       0x88a8
#define ETH_QINQ_OLD   0x9100
#define ETH_MPLS_UC    0x8847
#define ETH_MPLS_MC    0x8848
#define ETH_PPPOE_SESS 0x8864

#define MAX_VLAN_TAGS   8
#define MAX_MPLS_LABELS 16

struct ent_decoder *ent_decoder_new(const struct ent_defrag_config *dcfg, uint64_t *counters)
{
	struct ent_decoder *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->defrag = ent_defrag_new(dcfg);
	if (d->defrag == NULL) {
		free(d);
		return NULL;
	}
	d->c = counters;
	return d;
}

void ent_decoder_free(struct ent_decoder *d)
{
	if (d == NULL)
		return;
	ent_defrag_free(d->defrag);
	free(d);
}

uint32_t ent_decoder_frags_held(const struct ent_decoder *d)
{
	return ent_defrag_held(d->defrag);
}

bool ent_decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case ENT_LINK_NULL:
	case ENT_LINK_ETHERNET:
	case ENT_LINK_RAW_DLT12:
	case ENT_LINK_RAW_DLT14:
	case ENT_LINK_RAW:
	case ENT_LINK_LOOP:
	case ENT_LINK_SLL:
	case ENT_LINK_IPV4:
	case ENT_LINK_IPV6:
	case ENT_LINK_SLL2:
		return true;
	default:
		return false;
	}
}

static void dec_mpls(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	for (int i = 0;; i++) {
		if (i == MAX_MPLS_LABELS) {
			d->c[ENT_NC_MPLS_TOO_MANY]++;
			return;
		}
		if (len < 4) {
			d->c[ENT_NC_MPLS_TRUNC]++;
			return;
		}
		bool bottom = p[2] & 0x01;
		p += 4;
		len -= 4;
		if (bottom)
			break;
	}
	if (len < 1) {
		d->c[ENT_NC_MPLS_TRUNC]++;
		return;
	}
	switch (p[0] >> 4) {
	case 4:
	case 6:
		ent_dec_ip(d, p, len, false);
		return;
	case 0: /* pseudowire control word, then Ethernet */
		if (len < 4) {
			d->c[ENT_NC_MPLS_TRUNC]++;
			return;
		}
		ent_dec_ether(d, p + 4, len - 4);
		return;
	default:
		d->c[ENT_NC_MPLS_UNKNOWN_PAYLOAD]++;
		return;
	}
}

static void dec_pppoe(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	uint16_t plen, proto;

	if (len < 8) {
		d->c[ENT_NC_PPPOE_TRUNC]++;
		return;
	}
	plen = dec_be16(p + 4);
	p += 6;
	len -= 6;
	if (plen < len)
		len = plen;
	if (len < 1 || ((p[0] & 1) == 0 && len < 2)) {
		d->c[ENT_NC_PPPOE_TRUNC]++;
		return;
	}
	if (p[0] & 1) { /* protocol field compression (RFC 1661 6.5): one byte */
		proto = p[0];
		p += 1;
		len -= 1;
	} else {
		proto = dec_be16(p);
		p += 2;
		len -= 2;
	}
	switch (proto) {
	case 0x0021:
		ent_dec_ipv4(d, p, len, false);
		return;
	case 0x0057:
		ent_dec_ipv6(d, p, len, false);
		return;
	default:
		d->c[ENT_NC_PPP_UNSUPPORTED]++;
		return;
	}
}

void ent_dec_ethertype(struct ent_decoder *d, uint16_t type, const uint8_t *p, size_t len)
{
	int tags = 0;

	while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
		if (++tags > MAX_VLAN_TAGS) {
			d->c[ENT_NC_VLAN_TOO_MANY]++;
			return;
		}
		if (len < 4) {
			d->c[ENT_NC_VLAN_TRUNC]++;
			return;
		}
		if (!d->vlan_seen) {
			d->pkt->vlan = dec_be16(p) & 0x0fff;
			d->vlan_seen = true;
		}
		type = dec_be16(p + 2);
		p += 4;
		len -= 4;
	}
	switch (type) {
	case ETH_IPV4:
		ent_dec_ipv4(d, p, len, false);
		return;
	case ETH_IPV6:
		ent_dec_ipv6(d, p, len, false);
		return;
	case ETH_MPLS_UC:
	case ETH_MPLS_MC:
		dec_mpls(d, p, len);
		return;
	case ETH_PPPOE_SESS:
		dec_pppoe(d, p, len);
		return;
	default:
		if (type <= 1500 && len >= 8 && p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03) {
			/* 802.3 with LLC/SNAP: the Ethernet type follows the OUI */
			ent_dec_ethertype(d, dec_be16(p + 6), p + 8, len - 8);
			return;
		}
		d->c[ENT_NC_NOT_IP]++;
		return;
	}
}

void ent_dec_ether(struct ent_decoder *d, const uint8_t *p, size_t len)
{
	if (len < 14) {
		d->c[ENT_NC_ETH_TRUNC]++;
		return;
	}
	ent_dec_ethertype(d, dec_be16(p + 12), p + 14, len - 14);
}

static void dec_null(struct ent_decoder *d, const uint8_t *p, size_t len, bool network_order)
{
	uint32_t le, be;

	if (len < 4) {
		d->c[ENT_NC_NULL_TRUNC]++;
		return;
	}
	be = dec_be32(p);
	le = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	     ((uint32_t)p[3] << 24);
	if (network_order)
		le = be;
	/* AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD),
	 * 30 (macOS) depending on the capturing host */
	if (le == 2 || be == 2)
		ent_dec_ipv4(d, p + 4, len - 4, false);
	else if (le == 24 || le == 28 || le == 30 || be == 24 || be == 28 || be == 30)
		ent_dec_ipv6(d, p + 4, len - 4, false);
	else
		d->c[ENT_NC_NULL_BAD_FAMILY]++;
}

bool ent_decode_frame(struct ent_decoder *d, int linktype, const uint8_t *data, uint32_t caplen,
                      uint64_t now_sec, struct ent_packet *pkt)
{
	ent_defrag_release(d->defrag);
	pkt->nips = 0;
	pkt->l3 = 0;
	pkt->vlan = 0;
	pkt->proto = 0;
	pkt->frag_held = false;
	pkt->reassembled = false;
	pkt->has_l4 = false;
	pkt->payload = NULL;
	pkt->payload_len = 0;
	pkt->payload_wire_len = 0;
	pkt->quoted_payload = NULL;
	pkt->quoted_len = 0;
	d->pkt = pkt;
	d->now = now_sec;
	d->depth = 0;
	d->vlan_seen = false;

	switch (linktype) {
	case ENT_LINK_ETHERNET:
		ent_dec_ether(d, data, caplen);
		break;
	case ENT_LINK_RAW:
	case ENT_LINK_RAW_DLT12:
	case ENT_LINK_RAW_DLT14:
		ent_dec_ip(d, data, caplen, false);
		break;
	case ENT_LINK_IPV4:
		ent_dec_ipv4(d, data, caplen, false);
		break;
	case ENT_LINK_IPV6:
		ent_dec_ipv6(d, data, caplen, false);
		break;
	case ENT_LINK_SLL:
		if (caplen < 16) {
			d->c[ENT_NC_SLL_TRUNC]++;
			break;
		}
		ent_dec_ethertype(d, dec_be16(data + 14), data + 16, caplen - 16);
		break;
	case ENT_LINK_SLL2:
		if (caplen < 20) {
			d->c[ENT_NC_SLL_TRUNC]++;
			break;
		}
		ent_dec_ethertype(d, dec_be16(data), data + 20, caplen - 20);
		break;
	case ENT_LINK_NULL:
		dec_null(d, data, caplen, false);
		break;
	case ENT_LINK_LOOP:
		dec_null(d, data, caplen, true);
		break;
	default:
		d->c[ENT_NC_LINKTYPE_UNSUPPORTED]++;
		break;
	}
	d->pkt = NULL;
	return pkt->nips > 0;
}
