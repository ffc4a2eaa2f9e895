/*
 * app.c - dispatch of payload to the application parsers (see app.h).
 *
 * Per TCP flow: UNDECIDED -> TLS | HTTP | DNS | NONE, decided by
 * ent_app_tcp on the first client bytes (or the first server bytes that
 * look like TLS); each direction then runs until dir_done.
 */
#include "net/app.h"

#include <stdlib.h>
#include <string.h>

#include "net/counters.h"

#if __has_include("net/dns.h")
#include "net/dns.h"
#define HAVE_DNS 1
#else
#define HAVE_DNS 0
#endif
#if __has_include("net/tls.h")
#include "net/tls.h"
#define HAVE_TLS 1
#else
#define HAVE_TLS 0
#endif
#if __has_include("net/http.h")
#include "net/http.h"
#define HAVE_HTTP 1
#else
#define HAVE_HTTP 0
#endif
#if __has_include("net/quic.h")
#include "net/quic.h"
#define HAVE_QUIC 1
#else
#define HAVE_QUIC 0
#endif

#define DNS_TCP_BUF (2u + 65535u)

static bool is_dns_port(uint16_t port)
{
	return port == 53 || port == 5353 || port == 5355;
}

static void dns_msg(const struct ent_app_env *env, const uint8_t *p, size_t len,
                    const char *transport)
{
#if HAVE_DNS
	if (ent_dns_parse(p, len, transport, env->sink) < 0)
		env->counters[ENT_NC_APP_PARSE_ERROR]++;
#else
	(void)env;
	(void)p;
	(void)len;
	(void)transport;
#endif
}

/* Ports whose datagrams are never taken for DNS by the heuristic: NetBIOS
 * name service (DNS-like, but not DNS), and other well-known UDP services. */
static bool is_heuristic_excluded(uint16_t port)
{
	switch (port) {
	case 67:
	case 68:
	case 111:
	case 123:
	case 137:
	case 138:
	case 161:
	case 162:
	case 500:
	case 514:
	case 1900:
	case 2049:
	case 4500:
		return true;
	default:
		return false;
	}
}

void ent_app_udp_quoted(const struct ent_app_env *env, const struct ent_packet *pkt)
{
	if (is_dns_port(pkt->quoted_sport) || is_dns_port(pkt->quoted_dport))
		dns_msg(env, pkt->quoted_payload, pkt->quoted_len, "udp");
}

void ent_app_udp(const struct ent_app_env *env, struct ent_flow *f, const struct ent_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	size_t len = pkt->payload_len;

	if (len == 0)
		return;
	if (is_dns_port(pkt->sport) || is_dns_port(pkt->dport)) {
		f->info.app_proto = ENT_APP_DNS;
		env->counters[ENT_NC_APP_DNS_UDP]++;
		dns_msg(env, p, len, "udp");
		return;
	}
#if HAVE_QUIC
	if ((pkt->sport == 443 || pkt->dport == 443) && (p[0] & 0x80)) {
		f->info.app_proto = ENT_APP_QUIC;
		env->counters[ENT_NC_APP_QUIC]++;
		if (ent_quic_initial_parse(p, len, env->sink) < 0)
			env->counters[ENT_NC_APP_PARSE_ERROR]++;
		return;
	}
#endif
#if HAVE_HTTP
	if (pkt->sport == 1900 || pkt->dport == 1900) {
		/* SSDP: HTTP requests in datagrams */
		if (ent_http_looks_like_request(p, len)) {
			f->info.app_proto = ENT_APP_HTTP;
			if (ent_http_datagram_parse(p, len, env->sink) < 0)
				env->counters[ENT_NC_APP_PARSE_ERROR]++;
		}
		return;
	}
#endif
#if HAVE_DNS
	if (!is_heuristic_excluded(pkt->sport) && !is_heuristic_excluded(pkt->dport) &&
	    ent_dns_looks_like(p, len)) {
		f->info.app_proto = ENT_APP_DNS;
		env->counters[ENT_NC_APP_DNS_UDP]++;
		dns_msg(env, p, len, "udp");
	}
#endif
}

static void dir_finish(const struct ent_app_env *env, struct ent_flow *f, int dir)
{
	struct ent_app_flow *a = &f->app;

	a->dir_done[dir] = true;
#if HAVE_TLS
	ent_tls_stream_free(a->tls[dir]);
	a->tls[dir] = NULL;
#endif
#if HAVE_HTTP
	if (dir == 0) {
		ent_http_stream_free(a->http);
		a->http = NULL;
	}
#endif
	if (a->dns_buf[dir] != NULL) {
		free(a->dns_buf[dir]);
		a->dns_buf[dir] = NULL;
		if (env->used != NULL)
			*env->used -= DNS_TCP_BUF;
	}
	a->dns_len[dir] = 0;
}

void ent_app_flow_free(const struct ent_app_env *env, struct ent_flow *f)
{
	dir_finish(env, f, 0);
	dir_finish(env, f, 1);
}

bool ent_app_tcp_wants(const struct ent_flow *f, int dir)
{
	return !f->app.dir_done[dir];
}

static void decide(const struct ent_app_env *env, struct ent_flow *f, int dir, const uint8_t *p,
                   size_t len)
{
	struct ent_app_flow *a = &f->app;

#if HAVE_TLS
	if (ent_tls_looks_like(p, len)) {
		a->decided = true;
		f->info.app_proto = ENT_APP_TLS;
		env->counters[ENT_NC_APP_TLS]++;
		a->tls[0] = ent_tls_stream_new();
		a->tls[1] = ent_tls_stream_new();
		if (a->tls[0] == NULL)
			dir_finish(env, f, 0);
		if (a->tls[1] == NULL)
			dir_finish(env, f, 1);
		return;
	}
#endif
#if HAVE_HTTP
	if (dir == 0 && ent_http_looks_like_request(p, len)) {
		a->decided = true;
		f->info.app_proto = ENT_APP_HTTP;
		env->counters[ENT_NC_APP_HTTP]++;
		a->http = ent_http_stream_new();
		if (a->http == NULL)
			dir_finish(env, f, 0);
		dir_finish(env, f, 1);
		return;
	}
#endif
	if (is_dns_port(f->info.srv_port) || is_dns_port(f->info.cli_port)) {
		a->decided = true;
		f->info.app_proto = ENT_APP_DNS;
		env->counters[ENT_NC_APP_DNS_TCP]++;
		return;
	}
	if (dir == 0) {
		/* the client spoke and it is nothing we parse */
		a->decided = true;
		f->info.app_proto = ENT_APP_NONE;
		dir_finish(env, f, 0);
		dir_finish(env, f, 1);
	}
	/* else: server bytes first (a banner): wait for the client */
}

/* DNS over TCP (RFC 1035 4.2.2): 2-byte length, then the message. */
static void dns_tcp(const struct ent_app_env *env, struct ent_flow *f, int dir, const uint8_t *p,
                    size_t len)
{
	struct ent_app_flow *a = &f->app;

	while (len > 0) {
		if (a->dns_len[dir] == 0) {
			/* parse complete messages straight from the segment */
			size_t mlen;

			if (len >= 2 && len >= 2 + (mlen = ((size_t)p[0] << 8) | p[1])) {
				if (mlen == 0)
					env->counters[ENT_NC_DNS_TCP_BAD_FRAME]++;
				else
					dns_msg(env, p + 2, mlen, "tcp");
				p += 2 + mlen;
				len -= 2 + mlen;
				continue;
			}
			if (a->dns_buf[dir] == NULL) {
				if (env->used != NULL && env->max_used != 0 &&
				    *env->used + DNS_TCP_BUF > env->max_used) {
					env->counters[ENT_NC_TCP_MEMCAP]++;
					dir_finish(env, f, dir);
					return;
				}
				a->dns_buf[dir] = malloc(DNS_TCP_BUF);
				if (a->dns_buf[dir] == NULL) {
					dir_finish(env, f, dir);
					return;
				}
				if (env->used != NULL)
					*env->used += DNS_TCP_BUF;
			}
		}
		/* accumulate: first the length, then the message */
		uint32_t have = a->dns_len[dir];
		size_t need =
		    have < 2 ? 2 - have
		             : 2 + (((size_t)a->dns_buf[dir][0] << 8) | a->dns_buf[dir][1]) - have;
		size_t take = len < need ? len : need;

		memcpy(a->dns_buf[dir] + have, p, take);
		a->dns_len[dir] += (uint32_t)take;
		p += take;
		len -= take;
		if (take < need)
			return;
		have = a->dns_len[dir];
		if (have == 2) {
			size_t mlen = ((size_t)a->dns_buf[dir][0] << 8) | a->dns_buf[dir][1];

			if (mlen == 0) {
				env->counters[ENT_NC_DNS_TCP_BAD_FRAME]++;
				a->dns_len[dir] = 0;
			}
			continue;
		}
		dns_msg(env, a->dns_buf[dir] + 2, have - 2, "tcp");
		a->dns_len[dir] = 0;
	}
}

void ent_app_tcp(const struct ent_app_env *env, struct ent_flow *f, int dir, const uint8_t *p,
                 size_t len)
{
	struct ent_app_flow *a = &f->app;

	if (a->dir_done[dir] || len == 0)
		return;
	if (p == NULL) {
		dir_finish(env, f, dir);
		return;
	}
	if (!a->decided) {
		decide(env, f, dir, p, len);
		if (!a->decided || a->dir_done[dir])
			return;
	}
	switch (f->info.app_proto) {
	case ENT_APP_TLS:
#if HAVE_TLS
		if (a->tls[dir] != NULL) {
			if (ent_tls_stream_feed(a->tls[dir], p, len, env->sink) < 0 &&
			    !ent_tls_stream_done(a->tls[dir]))
				env->counters[ENT_NC_APP_PARSE_ERROR]++;
			if (ent_tls_stream_done(a->tls[dir]))
				dir_finish(env, f, dir);
		}
#endif
		break;
	case ENT_APP_HTTP:
#if HAVE_HTTP
		if (dir == 0 && a->http != NULL) {
			if (ent_http_stream_feed(a->http, p, len, env->sink) < 0)
				env->counters[ENT_NC_APP_PARSE_ERROR]++;
			if (ent_http_stream_done(a->http))
				dir_finish(env, f, 0);
		}
#endif
		break;
	case ENT_APP_DNS:
		dns_tcp(env, f, dir, p, len);
		break;
	default:
		dir_finish(env, f, dir);
		break;
	}
}
