/*
 * pattern_build.h - STIX 2.1 patterns and indicators from normalized
 * observables, shared by the MISP and CSV converters.
 *
 * A pattern is built from values already in the normal form of
 * core/observable.h; only quoting is done here (' and \ escaped inside the
 * string literal, STIX 2.1 section 9.2). The object paths are the ones the
 * pattern reducer (stix/pattern.h) maps back to observable kinds:
 *   ipv4 / ipv6        [ipv4-addr:value = '...'] / [ipv6-addr:value = '...']
 *   domain             [domain-name:value = '...'] ("*.x" kept: entente's
 *                      "and subdomains" form, see observable.h)
 *   url                [url:value = '...']
 *   email              [email-addr:value = '...']
 *   md5/sha1/sha256    [file:hashes.'MD5' / 'SHA-1' / 'SHA-256' = '...']
 *   ja3 / ja4          [x-tls-fingerprint:ja3 = '...'] / ...:ja4
 *   x509-*             [x509-certificate:hashes.'MD5' / 'SHA-1' / 'SHA-256' = '...']
 *
 * TLP markings: see stix/tlp.h.
 */
#ifndef ENT_FEED_PATTERN_BUILD_H
#define ENT_FEED_PATTERN_BUILD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/observable.h"

/*
 * Appends "[<path> = '<value>']" for one observable to out. ENT_EINVAL for
 * ENT_OBS_NONE or an unknown kind, ENT_ELIMIT / ENT_ENOMEM from the buffer.
 */
int ent_pattern_build(enum ent_obs_kind kind, const char *normalized_value,
                      struct ent_buf *out) ENT_MUST_CHECK;

/*
 * Appends one observation expression that ORs n >= 1 observables:
 * "[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1']"
 * (MISP domain|ip). Errors as ent_pattern_build.
 */
int ent_pattern_build_or(size_t n, const enum ent_obs_kind *kinds, const char *const *values,
                         struct ent_buf *out) ENT_MUST_CHECK;

/* What ent_indicator_build needs; strings are borrowed for the call. */
struct ent_indicator_spec {
	const char *id;      /* "indicator--<uuid>" */
	const char *created; /* STIX timestamps ("...Z"), see core/timefmt.h */
	const char *modified;
	const char *valid_from;
	const char *name;
	const char *pattern;
	const char *indicator_type; /* indicator-type-ov; NULL = "malicious-activity" */
	const char *description;    /* NULL = none */
	int confidence;             /* 0..100, or -1 = none */
	const char *tlp;            /* TLP name for ent_tlp_marking_id, or NULL = none */
	const char *created_by_ref; /* "identity--...", or NULL */
	const char *const *labels;  /* n_labels strings, or NULL */
	size_t n_labels;
	json_t *custom; /* object of x_* properties merged in, or NULL; borrowed */
};

/*
 * Builds a complete STIX 2.1 indicator (type, spec_version "2.1", id,
 * created, modified, name, pattern, pattern_type "stix", pattern_version
 * "2.1", valid_from, indicator_types, and the optional properties present
 * in spec). On success *out is a new object the caller owns (json_decref).
 * ENT_EINVAL with errbuf for a missing required field, an unknown TLP name,
 * a confidence out of range or a custom property not named x_*;
 * ENT_ENOMEM if jansson fails.
 */
int ent_indicator_build(const struct ent_indicator_spec *spec, json_t **out,
                        char *errbuf) ENT_MUST_CHECK;

/*
 * The same indicator as ent_indicator_build, written directly as compact
 * JSON text into out (reset first): for the list converters' hot path,
 * which hands text to the importer instead of a tree. ENT_EUNSUPPORTED
 * when the spec needs the tree path (labels, custom properties, or strings
 * with non-ASCII bytes, whose UTF-8 the tree path checks).
 */
int ent_indicator_build_text(const struct ent_indicator_spec *spec, struct ent_buf *out,
                             char *errbuf) ENT_MUST_CHECK;

#endif
