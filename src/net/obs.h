/*
 * obs.h - how decoders hand observables to whoever listens.
 *
 * A decoder (DNS, TLS, HTTP, the IP layer) calls sink->emit once per
 * observable it finds. The listener adds what the decoder does not know
 * (the frame number, the flow) before printing or matching it.
 *
 * "where" names the field, using the same names as the tshark-made truth
 * files (../shared/corpus/README.md): "ip.pair", "ipv6.pair",
 * "dns.qry.name", "dns.resp.qry.name", "dns.a", "dns.aaaa", "dns.cname",
 * "tls.sni", "tls.ja3", "tls.ja3_full", "tls.ja4", "tls.ja3s",
 * "tls.ja3s_full", "http.host", "http.request.uri", "http.request.full_uri",
 * "http.user_agent". "detail" is the truth's value2 column ("udp:an", "tcp",
 * "GET", or the destination address for ip.pair).
 */
#ifndef ENT_NET_OBS_H
#define ENT_NET_OBS_H

#include <stddef.h>

#include "core/observable.h"

struct ent_obs {
	const char *where;      /* static string, see above */
	enum ent_obs_kind kind; /* ENT_OBS_NONE for values that are never matched */
	const char *value;      /* NUL-terminated; borrowed for the call only */
	const char *detail;     /* NUL-terminated, may be ""; borrowed */
};

struct ent_obs_sink {
	void (*emit)(void *ctx, const struct ent_obs *obs);
	void *ctx;
};

#endif
