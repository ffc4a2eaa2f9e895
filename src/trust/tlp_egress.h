/*
 * tlp_egress.h - the one decision every egress asks: may this object go to
 * that destination? (TAXII responses, sync pushes, exports, sightings sent
 * back.) docs/policy.md has the table.
 *
 * Destinations:
 *   OWN_ORG  our own organization: the node's own exports and its other
 *            sensors/hubs (never a peer, however trusted)
 *   PEER     an authenticated peer of the store's peers table, with its
 *            sharing groups (peers.groups, comma-separated); every such peer
 *            is a community peer
 *   PUBLIC   anyone else: unauthenticated clients, public exports
 *
 * Rules, by the object's effective TLP:
 *   RED           never leaves the node (not even to OWN_ORG)
 *   AMBER+STRICT  OWN_ORG only
 *   AMBER         OWN_ORG, and PEERs with the object's sharing group among
 *                 their groups; an AMBER object without a sharing group
 *                 goes to no peer (fail closed)
 *   GREEN         OWN_ORG and every PEER
 *   CLEAR         anyone
 *   NONE          (no marking and no default) nobody: fail closed
 *
 * Effective TLP: the most restrictive TLP marking of the object
 * (object_marking_refs; non-TLP markings are ignored), or the given default
 * when it has none. A sighting is marked at least as its indicator
 * (ent_tlp_max of the two).
 */
#ifndef ENT_TRUST_TLP_EGRESS_H
#define ENT_TRUST_TLP_EGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/json.h"
#include "stix/tlp.h"

enum ent_egress_kind {
	ENT_EGRESS_OWN_ORG,
	ENT_EGRESS_PEER,
	ENT_EGRESS_PUBLIC,
};

struct ent_egress_dest {
	enum ent_egress_kind kind;
	const char *groups; /* PEER: its sharing groups, comma-separated; may be NULL */
};

/* The more restrictive of two levels (NONE counts as no marking). */
enum ent_tlp ent_tlp_max(enum ent_tlp a, enum ent_tlp b);

/* The effective TLP of n marking levels: the most restrictive, or dflt when
 * none is a TLP level. */
enum ent_tlp ent_tlp_effective(const enum ent_tlp *marks, size_t n, enum ent_tlp dflt);

/*
 * The effective TLP of object token obj of a parsed document, from its
 * object_marking_refs (strings naming TLP 1.0 or 2.0 marking definitions).
 */
enum ent_tlp ent_tlp_effective_json(struct ent_json *j, unsigned obj, enum ent_tlp dflt);

/* The same from a STIX object's JSON text. ENT_EPARSE if not an object. */
int ent_tlp_effective_text(const char *text, size_t len, enum ent_tlp dflt, enum ent_tlp *out,
                           char *errbuf) ENT_MUST_CHECK;

/* True when groups (comma-separated, spaces around names ignored) holds
 * group. */
bool ent_egress_group_member(const char *groups, const char *group);

/*
 * The egress decision. tlp is the object's effective TLP; object_group is
 * the sharing group the object was given (may be NULL; it matters only for
 * AMBER). A broken dest (NULL) is refused.
 */
bool ent_egress_allowed(enum ent_tlp tlp, const char *object_group,
                        const struct ent_egress_dest *dest);

/* Why ent_egress_allowed said what it said, for logs: a static string. */
const char *ent_egress_reason(enum ent_tlp tlp, const char *object_group,
                              const struct ent_egress_dest *dest);

#endif
