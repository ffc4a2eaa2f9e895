/*
 * dns.c - DNS message parsing (see dns.h).
 *
 * The aim is to list what tshark 4.0 lists, so the name expansion follows
 * the rules of its DNS dissector (packet-dns.c, expand_dns_name and
 * get_dns_name), written here from their described behaviour:
 *   - a name has room for 255 bytes including the terminator; labels are
 *     copied while there is room, the rest is still walked; a name that did
 *     not fit is "<Name too long>";
 *   - compression pointers are followed anywhere in the message; more than
 *     255 pointers, or a pointer to (its own offset + 4), give
 *     "<Name contains a pointer that loops>";
 *   - label type 0x80 and any read past the message are faults that end the
 *     dissection of the message; extended label 0x41 is a bit-string label
 *     printed "\[x<hex>/<bits>]", other 0x40 types "<Unknown extended label>";
 *   - an empty name of at most 2 wire bytes is "<Root>";
 *   - bytes are shown through format_text(): printable ASCII as is, C escapes
 *     \a \b \f \n \r \t \v, other ASCII controls as \ooo, UTF-8 sequences
 *     decoded (printable ones kept, others \uXXXX, invalid ones U+FFFD).
 * Record data: A and AAAA read 4 / 16 bytes at the start of RDATA whenever
 * RDLENGTH is not 0 (tshark does not compare RDLENGTH with the size); name
 * bearing types (NS, CNAME, SOA, PTR, MX and the old mail types) have their
 * names expanded so that a fault there ends the message as in tshark.
 * Dynamic updates (opcode 5) name their sections Zone / Prerequisites /
 * Updates, which the truth does not list; only their additional records are.
 *
 * Work bound: a message may contain many names that each chase up to 255
 * pointers; the label steps of one message are capped at DNS_STEP_BUDGET,
 * past which the message counts as malformed.
 */
#include "net/dns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "net/addr_fmt.h"

#define MAX_DNAME_LEN   255
#define MIN_DNAME_LEN   2
#define MAX_POINTERS    255
#define DNS_STEP_BUDGET 65536u
/* format_text() writes at most 4 bytes per input byte. */
#define NAME_TEXT_MAX (MAX_DNAME_LEN * 4 + 16)

#define T_A     1
#define T_NS    2
#define T_MD    3
#define T_MF    4
#define T_CNAME 5
#define T_SOA   6
#define T_MB    7
#define T_MG    8
#define T_MR    9
#define T_PTR   12
#define T_MX    15
#define T_AAAA  28

#define OPCODE_UPDATE 5

struct dns_ctx {
	const uint8_t *msg;
	size_t len;
	unsigned steps; /* label / pointer steps taken in this message */
	const char *transport;
	const struct ent_obs_sink *sink;
};

/* An expanded name: either raw label bytes or a fixed placeholder. */
struct dns_name {
	char raw[MAX_DNAME_LEN];
	size_t raw_len;
	const char *special; /* "<Root>" etc., or NULL for raw */
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void emit(const struct dns_ctx *c, const char *where, enum ent_obs_kind kind,
                 const char *value, const char *section)
{
	char detail[32];
	size_t tl = strlen(c->transport), sl = strlen(section);
	struct ent_obs o;

	/* "transport:section", without snprintf (one per DNS observable) */
	if (tl + 1 + sl >= sizeof(detail))
		tl = sl = 0;
	memcpy(detail, c->transport, tl);
	detail[tl] = ':';
	memcpy(detail + tl + 1, section, sl);
	detail[tl + 1 + sl] = '\0';
	o = (struct ent_obs){where, kind, value, detail};
	if (c->sink != NULL && c->sink->emit != NULL)
		c->sink->emit(c->sink->ctx, &o);
}

/*
 * expand_dns_name(): the name at off. *used gets the wire length of the name
 * at off (up to and including the first pointer). -1 on a fault.
 */
static int expand_name(struct dns_ctx *c, size_t off, size_t *used, struct dns_name *nm)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = off;
	long len = -1;
	int maxname = MAX_DNAME_LEN;
	unsigned pointers = 0;

	nm->raw_len = 0;
	nm->special = NULL;
	for (;;) {
		uint8_t clen;

		if (++c->steps > DNS_STEP_BUDGET || off >= c->len)
			return -1;
		clen = c->msg[off++];
		if (clen == 0)
			break;
		switch (clen & 0xc0) {
		case 0x00:
			if (nm->raw_len != 0) {
				if (maxname > 0) {
					nm->raw[nm->raw_len++] = '.';
					maxname--;
				}
			} else {
				maxname--;
			}
			if (clen > c->len - off)
				return -1;
			for (uint8_t i = 0; i < clen && maxname > 0; i++) {
				nm->raw[nm->raw_len++] = (char)c->msg[off + i];
				maxname--;
			}
			off += clen;
			break;
		case 0x40:
			if ((clen & 0x3f) == 0x01) {
				/* bit-string label (RFC 2673) */
				char tmp[16];
				int bits, lablen, n;

				if (off >= c->len)
					return -1;
				bits = c->msg[off++];
				lablen = (bits - 1) / 8 + 1;
				if ((size_t)lablen > c->len - off)
					return -1;
				if (maxname > 0) {
					if (3 <= maxname) {
						memcpy(nm->raw + nm->raw_len, "\\[x", 3);
						nm->raw_len += 3;
						maxname -= 3;
					} else {
						maxname = 0;
					}
				}
				for (int i = 0; i < lablen; i++) {
					if (maxname > 0) {
						if (2 <= maxname) {
							nm->raw[nm->raw_len++] =
							    hex[c->msg[off] >> 4];
							nm->raw[nm->raw_len++] =
							    hex[c->msg[off] & 15];
							maxname -= 2;
						} else {
							maxname = 0;
						}
					}
					off++;
				}
				if (maxname > 0) {
					n = snprintf(tmp, sizeof(tmp), "/%d]", bits);
					if (n <= maxname) {
						memcpy(nm->raw + nm->raw_len, tmp, (size_t)n);
						nm->raw_len += (size_t)n;
						maxname -= n;
					} else {
						maxname = 0;
					}
				}
				break;
			}
			nm->special = "<Unknown extended label>";
			len = (long)(off - start);
			if (len < 1)
				return -1;
			*used = (size_t)len;
			return 0;
		case 0x80:
			return -1;
		default: { /* 0xc0: compression pointer */
			size_t indir;

			if (off >= c->len)
				return -1;
			indir = ((size_t)(clen & 0x3f) << 8) | c->msg[off];
			off++;
			pointers++;
			if (len < 0)
				len = (long)(off - start);
			if (indir == off + 2 || pointers > MAX_POINTERS) {
				nm->special = "<Name contains a pointer that loops>";
				*used = (size_t)len;
				return 0;
			}
			off = indir;
			break;
		}
		}
	}
	if (maxname <= 0)
		nm->special = "<Name too long>";
	if (len < 0)
		len = (long)(off - start);
	*used = (size_t)len;
	return 0;
}

/* get_dns_name(): expand_name plus the "<Root>" rule and its sanity checks. */
static int get_name(struct dns_ctx *c, size_t off, size_t *used, struct dns_name *nm)
{
	size_t name_len;

	if (expand_name(c, off, used, nm) != 0)
		return -1;
	if (nm->special == NULL && (nm->raw_len == 0 || nm->raw[0] == '\0') &&
	    *used <= MIN_DNAME_LEN) {
		nm->special = "<Root>";
		return 0;
	}
	name_len = nm->special != NULL ? strlen(nm->special) : nm->raw_len;
	if (*used < MIN_DNAME_LEN || (*used > MIN_DNAME_LEN && name_len == 0))
		return -1;
	return 0;
}

/* Is uc a character glib would call printable? (Cc, Cf, Cn approximated.) */
static bool uni_isprint(uint32_t uc)
{
	if (uc < 0x20 || (uc >= 0x7f && uc < 0xa0))
		return false;
	if (uc == 0xad || (uc >= 0x600 && uc <= 0x605) || uc == 0x61c || uc == 0x6dd ||
	    uc == 0x70f || uc == 0x180e || (uc >= 0x200b && uc <= 0x200f) ||
	    (uc >= 0x202a && uc <= 0x202e) || (uc >= 0x2060 && uc <= 0x2064) ||
	    (uc >= 0x2066 && uc <= 0x206f) || uc == 0xfeff || (uc >= 0xfff9 && uc <= 0xfffb))
		return false; /* format characters */
	if ((uc >= 0xfdd0 && uc <= 0xfdef) || (uc & 0xfffe) == 0xfffe)
		return false; /* noncharacters */
	if (uc >= 0xe0000 && uc <= 0xe007f)
		return false; /* tags */
	return true;
}

static size_t put_ascii_escape(char *o, uint8_t ch)
{
	static const char *const esc = "\a\b\f\n\r\t\v";
	static const char *const let = "abfnrtv";
	const char *e = ch != 0 ? strchr(esc, ch) : NULL;

	o[0] = '\\';
	if (e != NULL) {
		o[1] = let[e - esc];
		return 2;
	}
	o[1] = (char)('0' + ((ch >> 6) & 3));
	o[2] = (char)('0' + ((ch >> 3) & 7));
	o[3] = (char)('0' + (ch & 7));
	return 4;
}

/* format_text() of wireshark's str_util.c, as described in the file comment. */
static void format_text(const char *in, size_t n, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = (const uint8_t *)in, *end = s + n;
	size_t col = 0;

	while (s < end && col + 12 < outsz) {
		uint8_t ch = *s++;
		uint32_t uc;
		int more;
		uint8_t mask;

		if (ch >= 0x20 && ch < 0x7f) {
			out[col++] = (char)ch;
			continue;
		}
		if (ch < 0x80) {
			col += put_ascii_escape(out + col, ch);
			continue;
		}
		if ((ch & 0xe0) == 0xc0) {
			more = 1, mask = 0x1f;
		} else if ((ch & 0xf0) == 0xe0) {
			more = 2, mask = 0x0f;
		} else if ((ch & 0xf8) == 0xf0) {
			more = 3, mask = 0x07;
		} else if ((ch & 0xfc) == 0xf8) {
			more = 4, mask = 0x03;
		} else if ((ch & 0xfe) == 0xfc) {
			more = 5, mask = 0x01;
		} else {
			more = -1, mask = 0;
		}
		if (more > 0) {
			uc = ch & mask;
			for (int i = 0; i < more; i++) {
				if (s >= end || (*s & 0xc0) != 0x80) {
					uc = 0xfffd; /* re-read this byte as a new character */
					break;
				}
				ch = *s++;
				uc = (uc << 6) | (ch & 0x3f);
			}
			if (uc >= 0x110000 || (uc & 0xfffff800) == 0xd800)
				uc = 0xfffd;
		} else {
			uc = 0xfffd;
		}
		if (uni_isprint(uc)) {
			if (uc < 0x80) {
				out[col++] = (char)uc;
			} else if (uc < 0x800) {
				out[col++] = (char)(0xc0 | (uc >> 6));
				out[col++] = (char)(0x80 | (uc & 0x3f));
			} else if (uc < 0x10000) {
				out[col++] = (char)(0xe0 | (uc >> 12));
				out[col++] = (char)(0x80 | ((uc >> 6) & 0x3f));
				out[col++] = (char)(0x80 | (uc & 0x3f));
			} else {
				out[col++] = (char)(0xf0 | (uc >> 18));
				out[col++] = (char)(0x80 | ((uc >> 12) & 0x3f));
				out[col++] = (char)(0x80 | ((uc >> 6) & 0x3f));
				out[col++] = (char)(0x80 | (uc & 0x3f));
			}
		} else {
			/* tshark tests the last byte read here, never < 0x80 */
			int digits = uc <= 0xffff ? 4 : 8;

			out[col++] = '\\';
			out[col++] = uc <= 0xffff ? 'u' : 'U';
			for (int i = digits - 1; i >= 0; i--)
				out[col++] = hex[(uc >> (4 * i)) & 15];
		}
	}
	out[col] = '\0';
}

static void name_text(const struct dns_name *nm, char *out, size_t outsz)
{
	if (nm->special != NULL)
		snprintf(out, outsz, "%s", nm->special);
	else
		format_text(nm->raw, nm->raw_len, out, outsz);
}

/* One question; -1 on a fault. */
static int parse_question(struct dns_ctx *c, size_t *off, bool response, bool listed)
{
	struct dns_name nm;
	char text[NAME_TEXT_MAX];
	size_t used;

	if (get_name(c, *off, &used, &nm) != 0)
		return -1;
	if (used > c->len - *off || c->len - *off - used < 4)
		return -1;
	*off += used + 4;
	if (listed) {
		name_text(&nm, text, sizeof(text));
		emit(c, response ? "dns.resp.qry.name" : "dns.qry.name", ENT_OBS_DOMAIN, text,
		     "qd");
	}
	return 0;
}

/* A name inside RDATA at off; emitted as dns.cname when where is set. -1 on a fault. */
static int rdata_name(struct dns_ctx *c, size_t off, const char *where, const char *section)
{
	struct dns_name nm;
	char text[NAME_TEXT_MAX];
	size_t used;

	if (get_name(c, off, &used, &nm) != 0)
		return -1;
	if (where != NULL) {
		name_text(&nm, text, sizeof(text));
		emit(c, where, ENT_OBS_DOMAIN, text, section);
	}
	return (int)used;
}

/* One resource record; -1 on a fault. */
static int parse_rr(struct dns_ctx *c, size_t *off, const char *section, bool listed)
{
	struct dns_name nm;
	size_t used, rd, rdlen;
	uint16_t type;
	char text[64];
	int n;

	if (get_name(c, *off, &used, &nm) != 0)
		return -1;
	if (used > c->len - *off || c->len - *off - used < 10)
		return -1;
	rd = *off + used + 10;
	type = get16(c->msg + *off + used);
	rdlen = get16(c->msg + rd - 2);
	*off = rd + rdlen; /* may pass the end: the next read faults */
	if (rdlen == 0)
		return 0;
	switch (type) {
	case T_A:
		if (rd > c->len || c->len - rd < 4)
			return -1;
		if (listed) {
			ent_addr_fmt(4, c->msg + rd, text);
			emit(c, "dns.a", ENT_OBS_IPV4, text, section);
		}
		return 0;
	case T_AAAA:
		if (rd > c->len || c->len - rd < 16)
			return -1;
		if (listed && inet_ntop(AF_INET6, c->msg + rd, text, sizeof(text)) != NULL)
			emit(c, "dns.aaaa", ENT_OBS_IPV6, text, section);
		return 0;
	case T_CNAME:
		return rdata_name(c, rd, listed ? "dns.cname" : NULL, section) < 0 ? -1 : 0;
	case T_NS:
	case T_MD:
	case T_MF:
	case T_MB:
	case T_MG:
	case T_MR:
	case T_PTR:
		return rdata_name(c, rd, NULL, section) < 0 ? -1 : 0;
	case T_MX:
		if (rd > c->len || c->len - rd < 2)
			return -1;
		return rdata_name(c, rd + 2, NULL, section) < 0 ? -1 : 0;
	case T_SOA:
		n = rdata_name(c, rd, NULL, section);
		if (n < 0)
			return -1;
		return rdata_name(c, rd + (size_t)n, NULL, section) < 0 ? -1 : 0;
	default:
		return 0;
	}
}

int ent_dns_parse(const uint8_t *p, size_t len, const char *transport,
                  const struct ent_obs_sink *sink)
{
	static const char *const sections[3] = {"an", "ns", "ar"};
	struct dns_ctx c = {p, len, 0, transport != NULL ? transport : "udp", sink};
	uint16_t flags, count[4];
	bool response, update;
	size_t off = 12;

	if (p == NULL || len < 12)
		return ENT_EPARSE;
	flags = get16(p + 2);
	for (int i = 0; i < 4; i++)
		count[i] = get16(p + 4 + 2 * i);
	response = (flags & 0x8000) != 0;
	update = ((flags >> 11) & 0xf) == OPCODE_UPDATE;
	for (unsigned i = 0; i < count[0]; i++)
		if (parse_question(&c, &off, response, !update) != 0)
			return ENT_EPARSE;
	for (int s = 0; s < 3; s++)
		for (unsigned i = 0; i < count[s + 1]; i++)
			if (parse_rr(&c, &off, sections[s], !update || s == 2) != 0)
				return ENT_EPARSE;
	return ENT_OK;
}

bool ent_dns_looks_like(const uint8_t *p, size_t len)
{
	uint16_t flags, qd, an, ns, ar;
	unsigned opcode;

	if (p == NULL || len < 12)
		return false;
	flags = get16(p + 2);
	opcode = (flags >> 11) & 0xf;
	qd = get16(p + 4);
	an = get16(p + 6);
	ns = get16(p + 8);
	ar = get16(p + 10);
	if (opcode == 3 || opcode > 6)
		return false;
	if ((flags & 0x0040) != 0) /* Z bit */
		return false;
	if (qd == 0 && an == 0 && ns == 0 && ar == 0)
		return false;
	/* each question takes >= 5 bytes, each record >= 11 */
	if ((size_t)qd * 5 + ((size_t)an + ns + ar) * 11 > len - 12)
		return false;
	return true;
}
