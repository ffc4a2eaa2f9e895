/*
 * intel.h - the intelligence a scan matches against: the active indicators
 * of the store compiled into an immutable matcher, and a table of what
 * each matcher reference stands for (the indicator and its context).
 *
 * Built once per scan, then shared read-only by every worker thread.
 */
#ifndef ENT_SENSOR_INTEL_H
#define ENT_SENSOR_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "match/matcher.h"
#include "store/store.h"
#include "trust/allowlist.h"
#include "trust/policy.h"

struct ent_intel_indicator {
	char *stix_id;
	char *name; /* may be NULL */
	char *source;
	char *created_by_ref; /* may be NULL */
	char *tlp;            /* may be NULL */
	int confidence;       /* -1 when absent; the effective one at the scan with a policy */
};

/* What the allowlists did during a scan; counted by every worker at once. */
struct ent_intel_allow_counts {
	uint64_t hits[ENT_ALLOWLIST_MAX_LISTS]; /* per list, matches of (flow, indicator) */
	uint64_t suppressed;                    /* of which did not alert */
};

struct ent_intel {
	struct ent_matcher *matcher;
	struct ent_intel_indicator *ind; /* indexed by matcher ref */
	size_t n_ind;
	size_t n_obs;
	size_t skipped_confidence; /* indicators below min_confidence (all their observables) */
	/* the node's allowlists (trust/allowlist.h), checked against what the
	 * traffic showed when it matches; NULL = none. Set by the caller. */
	const struct ent_allowlists *allow;
	struct ent_intel_allow_counts *allow_counts; /* with allow */
	int min_confidence;                          /* the threshold the intel was compiled with */
};

struct ent_intel_policy {
	int64_t now_ms;     /* validity is judged at this time */
	bool subdomains;    /* domain indicators also match subdomains */
	int min_confidence; /* below it an indicator never alerts; absent counts as 100 */
	/* the node's policy (trust/policy.h), or NULL: then the stored
	 * confidence is used as it is. With it, each observable's confidence
	 * decays with the half-life of its kind since the version was
	 * modified, an absent one counts as policy.unknown_confidence, and the
	 * threshold is policy.min_confidence_alert. */
	const struct ent_policy *policy;
};

/* Compiles the store's active indicators. Caller frees with ent_intel_free. */
int ent_intel_load(struct ent_store *s, const struct ent_intel_policy *policy,
                   struct ent_intel **out, char *errbuf) ENT_MUST_CHECK;
void ent_intel_free(struct ent_intel *in);

#endif
