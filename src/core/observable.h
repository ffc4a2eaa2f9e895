/*
 * observable.h - the kinds of matchable observables and their normal form.
 *
 * An observable is what a sensor can find in traffic: an address or network,
 * a domain name, a URL, a file hash, an e-mail address, a TLS fingerprint.
 * Indicators from every source (STIX patterns, MISP attributes, CSV lines)
 * are reduced to (kind, normalized value) pairs, and the matcher compares
 * normalized values only, so normalization is defined once, here:
 *   ipv4/ipv6  address "a.b.c.d" / RFC 5952 text, or network "addr/len" with
 *              the host bits cleared; a /32 (/128) is written as an address
 *   domain     lower case, no trailing dot, labels 1..63 of [a-z0-9_-],
 *              at most 253 characters; a leading "*." means "and subdomains"
 *   url        scheme and host lower case, default port dropped, percent
 *              escapes of unreserved characters decoded, empty path -> "/"
 *   md5/sha1/sha256/ja3, x509-*  lower-case hex of the right length
 *   ja4        lower case, the a_b_c form of the JA4 definition
 *   email      lower case
 */
#ifndef ENT_CORE_OBSERVABLE_H
#define ENT_CORE_OBSERVABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum ent_obs_kind {
	ENT_OBS_NONE = 0,
	ENT_OBS_IPV4,
	ENT_OBS_IPV6,
	ENT_OBS_DOMAIN,
	ENT_OBS_URL,
	ENT_OBS_MD5,
	ENT_OBS_SHA1,
	ENT_OBS_SHA256,
	ENT_OBS_EMAIL,
	ENT_OBS_JA3,
	ENT_OBS_JA4,
	ENT_OBS_X509_MD5,
	ENT_OBS_X509_SHA1,
	ENT_OBS_X509_SHA256,
	ENT_OBS_KIND_COUNT
};

/* Longest normalized value accepted (URLs are the long ones). */
#define ENT_OBS_VALUE_MAX 4096

/* "ipv4", "domain", ...: the names used in the store, CLI and JSON. */
const char *ent_obs_kind_name(enum ent_obs_kind kind);
/* The kind for a name of ent_obs_kind_name (also accepts "ip" for either
 * address family is NOT done here); ENT_OBS_NONE if unknown. */
enum ent_obs_kind ent_obs_kind_from_name(const char *name);

/*
 * Normalizes value (len bytes, not necessarily NUL-terminated) as an
 * observable of the given kind into out (outsz bytes, NUL-terminated).
 * ENT_EINVAL with a message in errbuf when the value is not a valid
 * observable of that kind (e.g. "invalid domain name: contains ' '").
 * For ENT_OBS_IPV4 and ENT_OBS_IPV6 a CIDR network is accepted.
 */
int ent_obs_normalize(enum ent_obs_kind kind, const char *value, size_t len, char *out,
                      size_t outsz, char *errbuf) ENT_MUST_CHECK;

/*
 * Guesses the kind of a bare value as found in a plain list: IPv4 / IPv6
 * address or CIDR, URL (has a scheme, or host/path), MD5 / SHA-1 / SHA-256
 * (32 / 40 / 64 hex digits), e-mail address, domain name. ENT_OBS_NONE if
 * nothing fits.
 */
enum ent_obs_kind ent_obs_detect(const char *value, size_t len);

/*
 * ent_obs_detect and ent_obs_normalize in one pass: returns the detected
 * kind and leaves the normalized value in out (outsz bytes, NUL-terminated),
 * or returns ENT_OBS_NONE with out set to "". Detection does not accept a
 * port after an address ("1.2.3.4:80"); callers that meet that form (plain
 * lists) strip it first.
 */
enum ent_obs_kind ent_obs_detect_normalize(const char *value, size_t len, char *out, size_t outsz);

#endif
