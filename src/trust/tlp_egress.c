/* tlp_egress.c - the TLP egress filter (see tlp_egress.h). */
#include "trust/tlp_egress.h"

#include <stdlib.h>
#include <string.h>

enum ent_tlp ent_tlp_max(enum ent_tlp a, enum ent_tlp b)
{
	return a > b ? a : b;
}

enum ent_tlp ent_tlp_effective(const enum ent_tlp *marks, size_t n, enum ent_tlp dflt)
{
	enum ent_tlp e = ENT_TLP_NONE;

	for (size_t i = 0; i < n; i++)
		e = ent_tlp_max(e, marks[i]);
	return e != ENT_TLP_NONE ? e : dflt;
}

enum ent_tlp ent_tlp_effective_json(struct ent_json *j, unsigned obj, enum ent_tlp dflt)
{
	enum ent_tlp e = ENT_TLP_NONE;
	long refs = ent_json_member(j, obj, "object_marking_refs");

	if (refs >= 0 && ent_json_type(j, (uint32_t)refs) == ENT_JSON_ARRAY)
		for (uint32_t c = (uint32_t)refs + 1, k = 0; k < j->tok[refs].count; k++) {
			if (ent_json_type(j, c) == ENT_JSON_STRING)
				e = ent_tlp_max(
				    e, ent_tlp_from_marking_id(ent_json_string(j, c, NULL)));
			c = j->tok[c].next;
		}
	return e != ENT_TLP_NONE ? e : dflt;
}

int ent_tlp_effective_text(const char *text, size_t len, enum ent_tlp dflt, enum ent_tlp *out,
                           char *errbuf)
{
	struct ent_json j;
	size_t off;
	int rc;

	ent_json_init(&j, 1u << 20);
	rc = ent_json_parse(&j, text, len, &off, errbuf);
	if (rc == ENT_OK && ent_json_type(&j, 0) != ENT_JSON_OBJECT)
		rc = ent_errf(errbuf, ENT_EPARSE, "not a JSON object");
	if (rc == ENT_OK)
		*out = ent_tlp_effective_json(&j, 0, dflt);
	ent_json_free(&j);
	return rc;
}

bool ent_egress_group_member(const char *groups, const char *group)
{
	size_t glen;

	if (groups == NULL || group == NULL || (glen = strlen(group)) == 0)
		return false;
	for (const char *p = groups; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == glen && memcmp(p, group, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

/* The decision and its reason (a static string, for logs). */
static bool decide(enum ent_tlp tlp, const char *object_group, const struct ent_egress_dest *dest,
                   const char **why)
{
#define ANSWER(ok, text) return (*why = (text), (ok))
	if (dest == NULL)
		ANSWER(false, "deny: no destination");
	switch (tlp) {
	case ENT_TLP_RED:
		ANSWER(false, "deny: TLP:RED never leaves the node");
	case ENT_TLP_AMBER_STRICT:
		if (dest->kind == ENT_EGRESS_OWN_ORG)
			ANSWER(true, "allow: TLP:AMBER+STRICT to the own organization");
		ANSWER(false, "deny: TLP:AMBER+STRICT only to the own organization");
	case ENT_TLP_AMBER:
		if (dest->kind == ENT_EGRESS_OWN_ORG)
			ANSWER(true, "allow: TLP:AMBER to the own organization");
		if (dest->kind != ENT_EGRESS_PEER)
			ANSWER(false,
			       "deny: TLP:AMBER only to peers in the object's sharing group");
		if (object_group == NULL || *object_group == '\0')
			ANSWER(false, "deny: TLP:AMBER object without a sharing group");
		if (ent_egress_group_member(dest->groups, object_group))
			ANSWER(true, "allow: TLP:AMBER to a peer in the object's sharing group");
		ANSWER(false, "deny: TLP:AMBER, peer not in the object's sharing group");
	case ENT_TLP_GREEN:
		if (dest->kind == ENT_EGRESS_OWN_ORG || dest->kind == ENT_EGRESS_PEER)
			ANSWER(true, "allow: TLP:GREEN to the community");
		ANSWER(false, "deny: TLP:GREEN only to community peers");
	case ENT_TLP_CLEAR:
		ANSWER(true, "allow: TLP:CLEAR");
	default:
		ANSWER(false, "deny: no TLP marking and no default");
	}
#undef ANSWER
}

const char *ent_egress_reason(enum ent_tlp tlp, const char *object_group,
                              const struct ent_egress_dest *dest)
{
	const char *why;

	(void)decide(tlp, object_group, dest, &why);
	return why;
}

bool ent_egress_allowed(enum ent_tlp tlp, const char *object_group,
                        const struct ent_egress_dest *dest)
{
	const char *why;

	return decide(tlp, object_group, dest, &why);
}
