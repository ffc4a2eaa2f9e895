/*
 * export.h - blocklists made from the node's active indicators, for the
 * tools that enforce them: a DNS response policy zone (RPZ), an nftables
 * ruleset, Suricata rules.
 *
 * What goes out passes the same gates as every other egress: the TLP
 * egress filter for the destination (trust/tlp_egress.h: by default the
 * node's own organization, so TLP:RED never, AMBER+STRICT yes), the
 * policy's minimum confidence to export, with decay (trust/policy.h), and
 * the allowlists: a value on a list is never blocked, whatever its action.
 */
#ifndef ENT_FEED_EXPORT_H
#define ENT_FEED_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"
#include "trust/allowlist.h"
#include "trust/policy.h"
#include "trust/tlp_egress.h"

enum ent_export_format {
	ENT_EXPORT_RPZ,
	ENT_EXPORT_NFTABLES,
	ENT_EXPORT_SURICATA,
};

struct ent_export_opts {
	enum ent_export_format format;
	struct ent_egress_dest dest;        /* who the list is for */
	const struct ent_policy *policy;    /* confidence, decay, default TLP */
	const struct ent_allowlists *allow; /* may be NULL */
	int64_t now_ms;
	const char *zone; /* RPZ: the zone's name, e.g. "rpz.entente." */
};

struct ent_export_summary {
	uint64_t written;       /* entries (names, addresses, rules) written */
	uint64_t by_tlp;        /* observables the egress filter kept back */
	uint64_t by_confidence; /* below the export minimum */
	uint64_t by_allowlist;  /* on an allowlist */
	uint64_t unsupported;   /* kinds the format cannot carry */
};

int ent_export(struct ent_store *s, const struct ent_export_opts *o, FILE *out,
               struct ent_export_summary *sum, char *errbuf) ENT_MUST_CHECK;

/* "rpz", "nftables", "suricata" -> format; false when unknown. */
bool ent_export_format_parse(const char *name, enum ent_export_format *out);

#endif
