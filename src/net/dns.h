/*
 * dns.h - DNS message parsing for the observables the sensor matches.
 *
 * Observables (obs.h), named as in the tshark truth files:
 *   dns.qry.name       ENT_OBS_DOMAIN  question of a query (QR=0), detail "<transport>:qd"
 *   dns.resp.qry.name  ENT_OBS_DOMAIN  question of a response (QR=1)
 *   dns.a              ENT_OBS_IPV4    detail "<transport>:an", ":ns" or ":ar"
 *   dns.aaaa           ENT_OBS_IPV6
 *   dns.cname          ENT_OBS_DOMAIN
 * Names are printed as tshark 4.0 prints them: "<Root>", "<Name too long>",
 * "<Name contains a pointer that loops>", non-printable bytes escaped.
 */
#ifndef ENT_NET_DNS_H
#define ENT_NET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "net/obs.h"

/*
 * Parses one DNS message p[0..len) (for TCP without the 2-byte length
 * prefix; for UDP, len is what the UDP length says) and emits its
 * observables; transport is "udp", "tcp" (or any short tag) and prefixes
 * the detail. Returns 0, or ENT_EPARSE when the message is malformed: like
 * tshark, what was emitted before the fault stays emitted and the rest of
 * the message is not read. Never reads outside p[0..len).
 */
int ent_dns_parse(const uint8_t *p, size_t len, const char *transport,
                  const struct ent_obs_sink *sink);

/* A cheap plausibility test of a DNS header (for heuristics on odd ports). */
bool ent_dns_looks_like(const uint8_t *p, size_t len);

#endif
