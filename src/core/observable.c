/*
 * observable.c - validation and normal form of observables (see observable.h).
 *
 * Everything here runs on untrusted text (feed values, decoded packets), once
 * per indicator in bulk imports, so the rules are:
 *   - no allocation: every function works in the caller's buffers or in small
 *     fixed stack buffers, and every write is bounded by outsz;
 *   - one pass over the input per kind (detection tries at most a few kinds);
 *   - a rejected value yields ENT_EINVAL and a one-line reason, never a crash.
 *
 * IPv6 text is printed by our own RFC 5952 formatter rather than inet_ntop:
 * glibc's inet_ntop prints any address of ::/96 with a dotted quad
 * ("::0.1.0.2" for ::1:2), the deprecated IPv4-compatible form, while
 * RFC 5952 section 5 reserves mixed notation for addresses known to embed
 * IPv4. We use it only for IPv4-mapped addresses (::ffff:0:0/96), which is
 * where inet_ntop and we agree. Parsing does use inet_pton.
 */
#include "core/observable.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[ENT_OBS_KIND_COUNT] = {
    [ENT_OBS_NONE] = "none",
    [ENT_OBS_IPV4] = "ipv4",
    [ENT_OBS_IPV6] = "ipv6",
    [ENT_OBS_DOMAIN] = "domain",
    [ENT_OBS_URL] = "url",
    [ENT_OBS_MD5] = "md5",
    [ENT_OBS_SHA1] = "sha1",
    [ENT_OBS_SHA256] = "sha256",
    [ENT_OBS_EMAIL] = "email",
    [ENT_OBS_JA3] = "ja3",
    [ENT_OBS_JA4] = "ja4",
    [ENT_OBS_X509_MD5] = "x509-md5",
    [ENT_OBS_X509_SHA1] = "x509-sha1",
    [ENT_OBS_X509_SHA256] = "x509-sha256",
};

const char *ent_obs_kind_name(enum ent_obs_kind kind)
{
	if ((unsigned)kind >= ENT_OBS_KIND_COUNT)
		return "none";
	return kind_names[kind];
}

enum ent_obs_kind ent_obs_kind_from_name(const char *name)
{
	if (name == NULL)
		return ENT_OBS_NONE;
	for (int k = ENT_OBS_NONE + 1; k < ENT_OBS_KIND_COUNT; k++)
		if (strcasecmp(name, kind_names[k]) == 0)
			return (enum ent_obs_kind)k;
	return ENT_OBS_NONE;
}

/* ---- small helpers ------------------------------------------------------ */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char to_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int hex_val(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void trim(const char **v, size_t *len)
{
	const char *s = *v;
	size_t n = *len;

	while (n > 0 && is_space((unsigned char)s[0]))
		s++, n--;
	while (n > 0 && is_space((unsigned char)s[n - 1]))
		n--;
	*v = s;
	*len = n;
}

/* A printable rendering of one byte for error messages. */
static const char *show_char(unsigned char c, char buf[8])
{
	static const char hex[] = "0123456789abcdef";

	if (c > 0x20 && c < 0x7f) {
		buf[0] = (char)c, buf[1] = '\0';
	} else if (c == ' ') {
		memcpy(buf, "space", 6);
	} else {
		buf[0] = '\\', buf[1] = 'x', buf[2] = hex[c >> 4], buf[3] = hex[c & 15];
		buf[4] = '\0';
	}
	return buf;
}

/* A bounded writer: records overflow instead of writing past cap. */
struct wr {
	char *p;
	size_t n, cap; /* cap includes room for the NUL */
	bool over;
};

static void wr_char(struct wr *w, char c)
{
	if (w->n + 1 >= w->cap) {
		w->over = true;
		return;
	}
	w->p[w->n++] = c;
}

static void wr_mem(struct wr *w, const char *s, size_t n)
{
	if (n >= w->cap - w->n) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
}

static void wr_str(struct wr *w, const char *s)
{
	wr_mem(w, s, strlen(s));
}

static int wr_finish(struct wr *w, const char *what, char *errbuf)
{
	if (w->over || w->n >= ENT_OBS_VALUE_MAX) {
		if (w->cap > 0)
			w->p[0] = '\0';
		return ent_errf(errbuf, ENT_EINVAL, "invalid %s: longer than %d bytes", what,
		                ENT_OBS_VALUE_MAX - 1);
	}
	w->p[w->n] = '\0';
	return ENT_OK;
}

/* ---- addresses ---------------------------------------------------------- */

/* Dotted-quad text of a 4-byte address into out (>= 16 bytes); inet_ntop
 * would do, but goes through sprintf, which shows in bulk imports. */
static void format_ipv4(const uint8_t a[4], char *out)
{
	char *p = out;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i > 0)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = '\0';
}

/* RFC 5952 text of a 16-byte address into out (>= INET6_ADDRSTRLEN bytes). */
static void format_ipv6(const uint8_t a[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	char *p = out;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff) {
		/* IPv4-mapped: the one mixed form we print (RFC 5952 section 5) */
		format_ipv4(a + 12, stpcpy(out, "::ffff:"));
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
			if (cur_len > best_len)
				best = cur, best_len = cur_len;
		} else {
			cur = -1;
		}
	}
	if (best_len < 2) /* RFC 5952 4.2.2: "::" never shortens one 16-bit 0 */
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			*p++ = ':';
		bool lead = true;
		for (int s = 12; s >= 0; s -= 4) {
			unsigned d = (w[i] >> s) & 15;
			if (d == 0 && lead && s > 0)
				continue;
			lead = false;
			*p++ = hex[d];
		}
	}
	*p = '\0';
}

/*
 * Address or network of family af ("a.b.c.d", "a.b.c.d/n", IPv6 likewise).
 * A network has its host bits cleared; a full-length prefix is dropped.
 */
static int norm_ip(int af, const char *v, size_t len, char *out, size_t outsz, char *errbuf)
{
	const char *what = af == AF_INET ? "IPv4 address" : "IPv6 address";
	const unsigned maxbits = af == AF_INET ? 32 : 128;
	char tmp[INET6_ADDRSTRLEN + 8], txt[INET6_ADDRSTRLEN + 8];
	uint8_t addr[16] = {0};
	const char *slash = memchr(v, '/', len);
	size_t alen = slash ? (size_t)(slash - v) : len;
	unsigned prefix = maxbits;

	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return ent_errf(errbuf, ENT_EINVAL, "invalid %s", what);
	memcpy(tmp, v, alen);
	tmp[alen] = '\0';
	if (inet_pton(af, tmp, addr) != 1)
		return ent_errf(errbuf, ENT_EINVAL, "invalid %s", what);
	if (slash) {
		const char *p = slash + 1;
		size_t plen = len - alen - 1;

		if (plen == 0 || plen > 3)
			return ent_errf(errbuf, ENT_EINVAL, "invalid %s: bad prefix length", what);
		prefix = 0;
		for (size_t i = 0; i < plen; i++) {
			if (!is_digit((unsigned char)p[i]))
				return ent_errf(errbuf, ENT_EINVAL, "invalid %s: bad prefix length",
				                what);
			prefix = prefix * 10 + (unsigned)(p[i] - '0');
		}
		if (prefix > maxbits)
			return ent_errf(errbuf, ENT_EINVAL, "invalid %s: prefix /%u longer than %u",
			                what, prefix, maxbits);
		for (unsigned bit = prefix; bit < maxbits; bit++)
			addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	}
	if (af == AF_INET)
		format_ipv4(addr, txt);
	else
		format_ipv6(addr, txt);
	size_t tlen = strlen(txt);
	if (prefix < maxbits) {
		txt[tlen++] = '/';
		if (prefix >= 100)
			txt[tlen++] = (char)('0' + prefix / 100);
		if (prefix >= 10)
			txt[tlen++] = (char)('0' + prefix / 10 % 10);
		txt[tlen++] = (char)('0' + prefix % 10);
		txt[tlen] = '\0';
	}
	if (tlen >= outsz)
		return ent_errf(errbuf, ENT_EINVAL, "output buffer too small");
	memcpy(out, txt, tlen + 1);
	return ENT_OK;
}

/* ---- domain names ------------------------------------------------------- */

/* Appends the normal form of a domain name to w. */
static int norm_domain_wr(const char *v, size_t len, bool allow_wild, struct wr *w, char *errbuf)
{
	char cb[8];
	size_t label = 0;
	bool numeric = true;

	if (len >= 2 && v[0] == '*' && v[1] == '.') {
		if (!allow_wild)
			return ent_errf(errbuf, ENT_EINVAL, "invalid domain name: wildcard");
		wr_mem(w, "*.", 2);
		v += 2, len -= 2;
	}
	if (len > 0 && v[len - 1] == '.')
		len--;
	if (len == 0)
		return ent_errf(errbuf, ENT_EINVAL, "invalid domain name: empty");
	if (len > 253)
		return ent_errf(errbuf, ENT_EINVAL, "invalid domain name: longer than 253 bytes");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = to_lower((unsigned char)v[i]);

		if (c == '.') {
			if (label == 0)
				return ent_errf(errbuf, ENT_EINVAL,
				                "invalid domain name: empty label");
			label = 0;
			numeric = true;
		} else if ((c >= 'a' && c <= 'z') || c == '-' || c == '_' || is_digit(c)) {
			if (++label > 63)
				return ent_errf(errbuf, ENT_EINVAL,
				                "invalid domain name: label longer than 63 bytes");
			if (!is_digit(c))
				numeric = false;
		} else if (c >= 0x80) {
			return ent_errf(errbuf, ENT_EINVAL,
			                "invalid domain name: non-ASCII (use the xn-- form)");
		} else {
			return ent_errf(errbuf, ENT_EINVAL, "invalid domain name: contains '%s'",
			                show_char(c, cb));
		}
		wr_char(w, (char)c);
	}
	if (label == 0)
		return ent_errf(errbuf, ENT_EINVAL, "invalid domain name: empty label");
	if (numeric) /* RFC 3696 2: a top-level domain is never all-numeric */
		return ent_errf(errbuf, ENT_EINVAL,
		                "invalid domain name: numeric last label (an IP address?)");
	return ENT_OK;
}

/* ---- URLs --------------------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static unsigned default_port(const char *scheme, size_t n)
{
	static const struct {
		const char *name;
		unsigned port;
	} tab[] = {{"http", 80}, {"https", 443}, {"ws", 80}, {"wss", 443}, {"ftp", 21}};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == n && memcmp(tab[i].name, scheme, n) == 0)
			return tab[i].port;
	return 0;
}

/* Path, query: percent-escapes of unreserved characters decoded, other
 * escapes' hex upper-cased, a stray '%', the space and bytes outside
 * printable ASCII percent-encoded, the fragment dropped (it never travels
 * in a request). */
static int norm_url_rest(const char *p, size_t n, struct wr *w, char *errbuf)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '#')
			break;
		if (c == '%' && i + 2 < n && hex_val((unsigned char)p[i + 1]) >= 0 &&
		    hex_val((unsigned char)p[i + 2]) >= 0) {
			unsigned char d = (unsigned char)(hex_val((unsigned char)p[i + 1]) << 4 |
			                                  hex_val((unsigned char)p[i + 2]));
			if (is_unreserved(d)) {
				wr_char(w, (char)d);
			} else {
				wr_char(w, '%');
				wr_char(w, hex[d >> 4]);
				wr_char(w, hex[d & 15]);
			}
			i += 2;
		} else if (c == ' ' || c == '%' || c >= 0x80) {
			/* a '%' that starts no escape is written %25, so that the
			 * normal form is a fixpoint ("%%41" -> "%25A", not "%A") */
			wr_char(w, '%');
			wr_char(w, hex[c >> 4]);
			wr_char(w, hex[c & 15]);
		} else if (c < 0x20 || c == 0x7f) {
			return ent_errf(errbuf, ENT_EINVAL, "invalid URL: control character");
		} else {
			wr_char(w, (char)c);
		}
	}
	return ENT_OK;
}

static int norm_url(const char *v, size_t len, char *out, size_t outsz, char *errbuf)
{
	struct wr w = {out, 0, outsz, false};
	size_t i = 0, scheme_len = 0;
	const char *scheme = "http";
	const char *auth, *host, *port = NULL;
	size_t auth_len, host_len, port_len = 0;
	char cb[8];
	int rc;

	if (outsz == 0)
		return ent_errf(errbuf, ENT_EINVAL, "output buffer too small");
	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://" */
	if (len > 0 && is_alpha((unsigned char)v[0])) {
		i = 1;
		while (i < len && (is_alpha((unsigned char)v[i]) || is_digit((unsigned char)v[i]) ||
		                   v[i] == '+' || v[i] == '-' || v[i] == '.'))
			i++;
		if (i + 3 <= len && v[i] == ':' && v[i + 1] == '/' && v[i + 2] == '/') {
			scheme = v;
			scheme_len = i;
			i += 3;
		} else {
			i = 0;
		}
	}
	if (scheme_len == 0) { /* "host/path": a scheme-less URL as plain lists have */
		if (len >= 2 && v[0] == '/' && v[1] == '/')
			i = 2;
		scheme_len = 4;
	}
	if (scheme_len > 32)
		return ent_errf(errbuf, ENT_EINVAL, "invalid URL: scheme too long");
	for (size_t k = 0; k < scheme_len; k++)
		wr_char(&w, (char)to_lower((unsigned char)scheme[k]));
	wr_mem(&w, "://", 3);

	auth = v + i;
	while (i < len && v[i] != '/' && v[i] != '?' && v[i] != '#')
		i++;
	auth_len = (size_t)(v + i - auth);
	host = auth;
	host_len = auth_len;
	for (size_t k = auth_len; k > 0; k--) {
		if (auth[k - 1] == '@') { /* userinfo: kept as written */
			for (size_t u = 0; u + 1 < k; u++) {
				unsigned char c = (unsigned char)auth[u];
				if (c <= 0x20 || c >= 0x7f)
					return ent_errf(errbuf, ENT_EINVAL,
					                "invalid URL: bad user information");
			}
			wr_mem(&w, auth, k);
			host = auth + k;
			host_len = auth_len - k;
			break;
		}
	}
	if (host_len > 0 && host[0] == '[') {
		const char *end = memchr(host, ']', host_len);
		char tmp[INET6_ADDRSTRLEN + 8];

		if (end == NULL)
			return ent_errf(errbuf, ENT_EINVAL, "invalid URL: unterminated '['");
		if (memchr(host + 1, '/', (size_t)(end - host - 1)) != NULL ||
		    norm_ip(AF_INET6, host + 1, (size_t)(end - host - 1), tmp, sizeof(tmp), NULL) !=
		        ENT_OK)
			return ent_errf(errbuf, ENT_EINVAL, "invalid URL: bad IPv6 host");
		wr_char(&w, '[');
		wr_str(&w, tmp);
		wr_char(&w, ']');
		if (end + 1 < host + host_len) {
			if (end[1] != ':')
				return ent_errf(errbuf, ENT_EINVAL,
				                "invalid URL: junk after IPv6 host");
			port = end + 2;
			port_len = (size_t)(host + host_len - port);
		}
	} else {
		const char *colon = memchr(host, ':', host_len);
		size_t hlen = colon ? (size_t)(colon - host) : host_len;
		char tmp[INET_ADDRSTRLEN + 8];

		if (colon) {
			port = colon + 1;
			port_len = host_len - hlen - 1;
		}
		if (hlen == 0)
			return ent_errf(errbuf, ENT_EINVAL, "invalid URL: no host");
		if (memchr(host, '/', hlen) == NULL &&
		    norm_ip(AF_INET, host, hlen, tmp, sizeof(tmp), NULL) == ENT_OK) {
			wr_str(&w, tmp);
		} else if ((rc = norm_domain_wr(host, hlen, false, &w, errbuf)) != ENT_OK) {
			ent_err_prefix(errbuf, "invalid URL host");
			return rc;
		}
	}
	if (port != NULL && port_len > 0) {
		unsigned pv = 0;
		size_t k = 0;

		for (size_t j = 0; j < port_len; j++) {
			if (!is_digit((unsigned char)port[j]))
				return ent_errf(errbuf, ENT_EINVAL, "invalid URL: bad port '%s'",
				                show_char((unsigned char)port[j], cb));
			pv = pv * 10 + (unsigned)(port[j] - '0');
			if (pv > 65535)
				return ent_errf(errbuf, ENT_EINVAL, "invalid URL: port > 65535");
		}
		if (pv != default_port(w.p, scheme_len)) {
			char pb[8];

			wr_char(&w, ':');
			do
				pb[k++] = (char)('0' + pv % 10);
			while ((pv /= 10) > 0);
			while (k > 0)
				wr_char(&w, pb[--k]);
		}
	}
	if (i >= len || v[i] != '/')
		wr_char(&w, '/');
	if ((rc = norm_url_rest(v + i, len - i, &w, errbuf)) != ENT_OK)
		return rc;
	return wr_finish(&w, "URL", errbuf);
}

/* ---- e-mail addresses --------------------------------------------------- */

static bool is_atext(unsigned char c)
{
	if (is_alpha(c) || is_digit(c))
		return true;
	return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

static int norm_email(const char *v, size_t len, char *out, size_t outsz, char *errbuf)
{
	struct wr w = {out, 0, outsz, false};
	const char *at = NULL;
	char cb[8];
	int rc;

	if (outsz == 0)
		return ent_errf(errbuf, ENT_EINVAL, "output buffer too small");
	if (len >= 7 && strncasecmp(v, "mailto:", 7) == 0)
		v += 7, len -= 7;
	for (size_t i = len; i > 0; i--)
		if (v[i - 1] == '@') {
			at = v + i - 1;
			break;
		}
	if (at == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "invalid e-mail address: no '@'");
	if (at == v || at - v > 64)
		return ent_errf(errbuf, ENT_EINVAL,
		                "invalid e-mail address: local part empty or longer than 64");
	for (const char *p = v; p < at; p++) {
		if (!is_atext((unsigned char)*p))
			return ent_errf(errbuf, ENT_EINVAL, "invalid e-mail address: contains '%s'",
			                show_char((unsigned char)*p, cb));
		wr_char(&w, (char)to_lower((unsigned char)*p));
	}
	wr_char(&w, '@');
	if ((rc = norm_domain_wr(at + 1, len - (size_t)(at + 1 - v), false, &w, errbuf)) !=
	    ENT_OK) {
		ent_err_prefix(errbuf, "invalid e-mail address");
		return rc;
	}
	if (w.n > 254)
		return ent_errf(errbuf, ENT_EINVAL, "invalid e-mail address: longer than 254");
	return wr_finish(&w, "e-mail address", errbuf);
}

/* ---- hashes and fingerprints -------------------------------------------- */

static int norm_hex(const char *v, size_t len, size_t digits, bool colons, const char *what,
                    char *out, size_t outsz, char *errbuf)
{
	size_t n = 0;

	/* fingerprints are often written "AB:CD:...": accept that form too */
	if (colons && len == digits + digits / 2 - 1) {
		for (size_t i = 2; i < len; i += 3)
			if (v[i] != ':')
				goto plain;
		if (outsz <= digits)
			return ent_errf(errbuf, ENT_EINVAL, "output buffer too small");
		for (size_t i = 0; i < len; i++) {
			if (i % 3 == 2)
				continue;
			if (hex_val((unsigned char)v[i]) < 0)
				return ent_errf(errbuf, ENT_EINVAL, "invalid %s: not hex", what);
			out[n++] = (char)to_lower((unsigned char)v[i]);
		}
		out[n] = '\0';
		return ENT_OK;
	}
plain:
	if (len != digits)
		return ent_errf(errbuf, ENT_EINVAL, "invalid %s: %zu characters, expected %zu hex",
		                what, len, digits);
	if (outsz <= digits)
		return ent_errf(errbuf, ENT_EINVAL, "output buffer too small");
	for (size_t i = 0; i < len; i++) {
		if (hex_val((unsigned char)v[i]) < 0)
			return ent_errf(errbuf, ENT_EINVAL, "invalid %s: not hex", what);
		out[n++] = (char)to_lower((unsigned char)v[i]);
	}
	out[n] = '\0';
	return ENT_OK;
}

/*
 * JA4 (FoxIO JA4.md): a_b_c, a = protocol [tqd], 2-character TLS version,
 * SNI [di], 2-digit cipher count, 2-digit extension count, 2-character ALPN;
 * b and c = 12 hex digits of truncated SHA-256.
 */
static int norm_ja4(const char *v, size_t len, char *out, size_t outsz, char *errbuf)
{
	char s[37];

	if (len != 36)
		return ent_errf(errbuf, ENT_EINVAL, "invalid JA4: %zu characters, expected 36",
		                len);
	if (outsz < sizeof(s))
		return ent_errf(errbuf, ENT_EINVAL, "output buffer too small");
	for (size_t i = 0; i < 36; i++)
		s[i] = (char)to_lower((unsigned char)v[i]);
	s[36] = '\0';
	bool alnum_ok = true;
	for (int i = 1; i < 10; i++)
		if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]))
			alnum_ok = false;
	if (!alnum_ok || (s[0] != 't' && s[0] != 'q' && s[0] != 'd') ||
	    (s[3] != 'd' && s[3] != 'i') || !is_digit((unsigned char)s[4]) ||
	    !is_digit((unsigned char)s[5]) || !is_digit((unsigned char)s[6]) ||
	    !is_digit((unsigned char)s[7]) || s[10] != '_' || s[23] != '_')
		return ent_errf(errbuf, ENT_EINVAL,
		                "invalid JA4: not of the form "
		                "t13d1516h2_8daaf6152771_b186095e22b6");
	for (int i = 11; i < 36; i++)
		if (i != 23 && hex_val((unsigned char)s[i]) < 0)
			return ent_errf(errbuf, ENT_EINVAL, "invalid JA4: hash part not hex");
	memcpy(out, s, sizeof(s));
	return ENT_OK;
}

/* ---- entry points ------------------------------------------------------- */

int ent_obs_normalize(enum ent_obs_kind kind, const char *value, size_t len, char *out,
                      size_t outsz, char *errbuf)
{
	int rc;

	if (out == NULL || outsz == 0)
		return ent_errf(errbuf, ENT_EINVAL, "no output buffer");
	out[0] = '\0';
	if (value == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "no value");
	trim(&value, &len);
	if (len == 0)
		return ent_errf(errbuf, ENT_EINVAL, "empty value");
	if (len >= ENT_OBS_VALUE_MAX)
		return ent_errf(errbuf, ENT_EINVAL, "value longer than %d bytes",
		                ENT_OBS_VALUE_MAX - 1);
	switch (kind) {
	case ENT_OBS_IPV4:
		rc = norm_ip(AF_INET, value, len, out, outsz, errbuf);
		break;
	case ENT_OBS_IPV6:
		rc = norm_ip(AF_INET6, value, len, out, outsz, errbuf);
		break;
	case ENT_OBS_DOMAIN: {
		struct wr w = {out, 0, outsz, false};

		rc = norm_domain_wr(value, len, true, &w, errbuf);
		if (rc == ENT_OK)
			rc = wr_finish(&w, "domain name", errbuf);
		break;
	}
	case ENT_OBS_URL:
		rc = norm_url(value, len, out, outsz, errbuf);
		break;
	case ENT_OBS_EMAIL:
		rc = norm_email(value, len, out, outsz, errbuf);
		break;
	case ENT_OBS_MD5:
		rc = norm_hex(value, len, 32, false, "MD5", out, outsz, errbuf);
		break;
	case ENT_OBS_SHA1:
		rc = norm_hex(value, len, 40, false, "SHA-1", out, outsz, errbuf);
		break;
	case ENT_OBS_SHA256:
		rc = norm_hex(value, len, 64, false, "SHA-256", out, outsz, errbuf);
		break;
	case ENT_OBS_JA3:
		rc = norm_hex(value, len, 32, false, "JA3", out, outsz, errbuf);
		break;
	case ENT_OBS_JA4:
		rc = norm_ja4(value, len, out, outsz, errbuf);
		break;
	case ENT_OBS_X509_MD5:
		rc = norm_hex(value, len, 32, true, "X.509 MD5 fingerprint", out, outsz, errbuf);
		break;
	case ENT_OBS_X509_SHA1:
		rc = norm_hex(value, len, 40, true, "X.509 SHA-1 fingerprint", out, outsz, errbuf);
		break;
	case ENT_OBS_X509_SHA256:
		rc =
		    norm_hex(value, len, 64, true, "X.509 SHA-256 fingerprint", out, outsz, errbuf);
		break;
	default:
		rc = ent_errf(errbuf, ENT_EINVAL, "unknown observable kind %d", (int)kind);
		break;
	}
	if (rc != ENT_OK)
		out[0] = '\0';
	return rc;
}

/* Detection proper: the kind of value, its normal form left in out. */
static enum ent_obs_kind detect_into(const char *value, size_t len, char *out, size_t outsz)
{
	bool hex = true, ipv4ish = true, ipv6ish = true;
	const char *slash;

	if (value == NULL || out == NULL || outsz == 0)
		return ENT_OBS_NONE;
	out[0] = '\0';
	trim(&value, &len);
	if (len == 0 || len >= ENT_OBS_VALUE_MAX)
		return ENT_OBS_NONE;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (hex_val(c) < 0)
			hex = false;
		if (!is_digit(c) && c != '.' && c != '/')
			ipv4ish = false;
		if (hex_val(c) < 0 && c != ':' && c != '.' && c != '/')
			ipv6ish = false;
	}
	if (hex && (len == 32 || len == 40 || len == 64)) {
		enum ent_obs_kind k = len == 32   ? ENT_OBS_MD5
		                      : len == 40 ? ENT_OBS_SHA1
		                                  : ENT_OBS_SHA256;

		return norm_hex(value, len, len, false, "hash", out, outsz, NULL) == ENT_OK
		           ? k
		           : ENT_OBS_NONE;
	}
	if (ipv4ish)
		return norm_ip(AF_INET, value, len, out, outsz, NULL) == ENT_OK ? ENT_OBS_IPV4
		                                                                : ENT_OBS_NONE;
	if (ipv6ish && memchr(value, ':', len) != NULL)
		return norm_ip(AF_INET6, value, len, out, outsz, NULL) == ENT_OK ? ENT_OBS_IPV6
		                                                                 : ENT_OBS_NONE;
	if (len > 3 && memmem(value, len, "://", 3) != NULL)
		return norm_url(value, len, out, outsz, NULL) == ENT_OK ? ENT_OBS_URL
		                                                        : ENT_OBS_NONE;
	slash = memchr(value, '/', len);
	if (memchr(value, '@', len) != NULL && slash == NULL)
		return norm_email(value, len, out, outsz, NULL) == ENT_OK ? ENT_OBS_EMAIL
		                                                          : ENT_OBS_NONE;
	if (slash != NULL) {
		/* "host/path" or "host:port/path"; never a path alone */
		if (slash == value)
			return ENT_OBS_NONE;
		return norm_url(value, len, out, outsz, NULL) == ENT_OK ? ENT_OBS_URL
		                                                        : ENT_OBS_NONE;
	}
	if (memchr(value, '.', len) == NULL) /* a bare word is not a domain here */
		return ENT_OBS_NONE;
	{
		struct wr w = {out, 0, outsz, false};

		if (norm_domain_wr(value, len, true, &w, NULL) == ENT_OK &&
		    wr_finish(&w, "domain name", NULL) == ENT_OK)
			return ENT_OBS_DOMAIN;
	}
	out[0] = '\0';
	return ENT_OBS_NONE;
}

enum ent_obs_kind ent_obs_detect(const char *value, size_t len)
{
	char tmp[ENT_OBS_VALUE_MAX];

	return detect_into(value, len, tmp, sizeof(tmp));
}

enum ent_obs_kind ent_obs_detect_normalize(const char *value, size_t len, char *out, size_t outsz)
{
	enum ent_obs_kind k = detect_into(value, len, out, outsz);

	if (k == ENT_OBS_NONE && out != NULL && outsz > 0)
		out[0] = '\0';
	return k;
}
