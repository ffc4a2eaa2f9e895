/*
 * policy.h - the node's local policy: how much to believe what peers send,
 * how belief fades with time, and what confidence it takes to alert and to
 * export. Read from the [policy] section of the configuration; the formulas
 * and their worked values are in docs/policy.md.
 *
 * Effective confidence of an indicator (0..100):
 *
 *   relayed  = round(c * t1/100 * t2/100 * ... * tn/100)
 *   decayed  = round(relayed * 2^(-age / half_life(kind)))
 *
 * c is the producer's confidence (the STIX "confidence" property; when
 * absent, policy.unknown_confidence), t1..tn the trust (0..100) of each
 * peer the object came through (none for our own objects), age the time
 * since the version we hold was modified, half_life the setting for the
 * indicator's observable kind (0 = no decay). round() is half-up; the
 * relayed product is computed exactly in integers. A chain of more than
 * ENT_POLICY_MAX_HOPS peers gives 0.
 */
#ifndef ENT_TRUST_POLICY_H
#define ENT_TRUST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/observable.h"
#include "node/config.h"
#include "stix/tlp.h"

#define ENT_POLICY_MAX_HOPS 8

/* What to do with an object that is unsigned, or whose creator has no
 * pinned key (an object whose signature fails is always rejected). */
enum ent_policy_unsigned {
	ENT_UNSIGNED_ACCEPT, /* as if signed */
	ENT_UNSIGNED_LOWER,  /* accept, with unsigned_trust as one more hop */
	ENT_UNSIGNED_REJECT,
};

/* The values of the [policy] section, resolved; a plain value. */
struct ent_policy {
	int min_confidence_alert;  /* below this an indicator never alerts */
	int min_confidence_export; /* below this it is never exported or served */
	int unknown_confidence;    /* producer confidence when the object has none */
	enum ent_policy_unsigned unsigned_action;
	int unsigned_trust;                      /* the hop's trust for ENT_UNSIGNED_LOWER */
	bool sightings_anonymous;                /* sightings sent back without our identity */
	enum ent_tlp default_tlp;                /* of unmarked objects (import.default_tlp) */
	int64_t half_life_s[ENT_OBS_KIND_COUNT]; /* per kind; 0 = no decay */
};

/* The built-in defaults (docs/policy.md). */
void ent_policy_defaults(struct ent_policy *p);

/*
 * Reads the [policy] settings (and import.default_tlp, match.min_confidence
 * as the default of min_confidence_alert) over the defaults. c may be NULL
 * (defaults only). ENT_EINVAL naming the setting when one is malformed.
 */
int ent_policy_load(const struct ent_config *c, struct ent_policy *out,
                    char *errbuf) ENT_MUST_CHECK;

/* A duration: "0", "3600" (seconds), "90s", "30m", "12h", "30d", "2w".
 * ENT_EINVAL when malformed or above 100 years. */
int ent_policy_parse_duration(const char *s, int64_t *out_s) ENT_MUST_CHECK;
/* The shortest of those spellings that is exact, into out (24 bytes). */
void ent_policy_format_duration(int64_t s, char out[24]);

/* relayed, above: producer confidence (< 0: unknown_confidence is the
 * caller's business; clamped to 0..100) through n hops of trust. */
int ent_policy_relayed(int producer_confidence, const int *trust, size_t n);
/* decayed, above, for an age in seconds (negative ages count as 0). */
int ent_policy_decay(int confidence, int64_t age_s, int64_t half_life_s);

/*
 * The effective confidence, both steps: producer_confidence < 0 means the
 * object carries none; trust[0..n) the peers it came through; unsigned_lower
 * adds the unsigned_trust hop (the object was unsigned or unpinned and the
 * policy is ENT_UNSIGNED_LOWER).
 */
int ent_policy_effective(const struct ent_policy *p, enum ent_obs_kind kind,
                         int producer_confidence, const int *trust, size_t n, bool unsigned_lower,
                         int64_t age_s);

bool ent_policy_may_alert(const struct ent_policy *p, int effective_confidence);
bool ent_policy_may_export(const struct ent_policy *p, int effective_confidence);

/* "accept", "lower", "reject". */
const char *ent_policy_unsigned_name(enum ent_policy_unsigned u);

#endif
