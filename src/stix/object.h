/*
 * object.h - checking one STIX 2.1 object and reading the properties the
 * node acts on.
 *
 * Checks the common properties of STIX 2.1 section 3 (type, id, spec_version,
 * created, modified, created_by_ref, revoked, labels, confidence, lang,
 * external_references, object_marking_refs, granular_markings, extensions)
 * and the required properties of the objects the node uses (indicator,
 * sighting, relationship, identity, marking-definition). Other types are
 * accepted with their common properties checked: everything is stored.
 */
#ifndef ENT_STIX_OBJECT_H
#define ENT_STIX_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/json.h"
#include "stix/tlp.h"

struct ent_stix_object {
	/* strings borrowed from the parsed document (core/json.h), valid until
	 * it is parsed again */
	const char *type;
	const char *id;
	int64_t created;    /* ENT_TIME_NONE (store.h) when absent */
	int64_t modified;   /* ENT_TIME_NONE when absent */
	int64_t version_ms; /* modified, else created, else 0 */
	bool revoked;
	bool has_extensions; /* an "extensions" member: it may carry a signature */
	const char *created_by_ref;
	int confidence;   /* -1 when absent */
	enum ent_tlp tlp; /* most restrictive TLP marking, or NONE */
	/* indicator only */
	const char *name;
	const char *pattern;
	size_t pattern_len;
	const char *pattern_type;
	int64_t valid_from;
	int64_t valid_until;
};

/* Checks the object at token obj of j and fills out. ENT_EINVAL with e.g.
 * "'confidence' must be an integer from 0 to 100" in errbuf when the object
 * is not valid STIX 2.1. */
int ent_stix_object_check(struct ent_json *j, uint32_t obj, struct ent_stix_object *out,
                          char *errbuf) ENT_MUST_CHECK;

/* True if id is "<type>--<uuid>" (type given, or any valid type if NULL). */
bool ent_stix_id_valid(const char *id, const char *type);

/* The rule id an indicator's alerts and exported Suricata rules carry: a
 * 32-bit FNV-1a of its STIX id, moved into [1000000, 1000000 + 2^30). */
uint32_t ent_stix_signature_id(const char *stix_id);

#endif
