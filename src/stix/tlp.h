/*
 * tlp.h - Traffic Light Protocol levels and their STIX marking definitions.
 *
 * Levels are ordered from least to most restrictive, so the effective TLP
 * of an object with several markings is the maximum. Both the TLP 1.0
 * marking definitions built into STIX 2.1 (section 7.2.1.4) and the TLP 2.0
 * ones published by the OASIS CTI TC are recognized; TLP:WHITE is CLEAR.
 */
#ifndef ENT_STIX_TLP_H
#define ENT_STIX_TLP_H

#include <stdbool.h>
#include <stddef.h>

enum ent_tlp {
	ENT_TLP_NONE = 0, /* unmarked: the config's default applies */
	ENT_TLP_CLEAR,
	ENT_TLP_GREEN,
	ENT_TLP_AMBER,
	ENT_TLP_AMBER_STRICT,
	ENT_TLP_RED,
};

/* "clear", "green", "amber", "amber+strict", "red"; NULL for NONE. */
const char *ent_tlp_name(enum ent_tlp tlp);
/* Parses "red", "TLP:RED", "tlp:white", "amber+strict" (any case);
 * ENT_TLP_NONE when it is not a TLP name. */
enum ent_tlp ent_tlp_parse(const char *s);
/* The level a marking-definition id stands for; NONE if not a TLP one. */
enum ent_tlp ent_tlp_from_marking_id(const char *id);
/* The TLP 2.0 marking-definition id of a level (NULL for NONE). */
const char *ent_tlp_to_marking_id(enum ent_tlp tlp);

#endif
