/*
 * object.c - STIX 2.1 object checks (see object.h).
 *
 * Section numbers refer to STIX Version 2.1 (OASIS Standard, June 2021).
 */
#include "stix/object.h"

#include <string.h>

#include "core/timefmt.h"
#include "core/uuid.h"
#include "store/store.h"

#define TYPE_MIN 3
#define TYPE_MAX 250

/* Section 3.1: "type" - a-z, 0-9 and hyphen, 3 to 250 characters. */
static bool type_valid(const char *t, size_t n)
{
	if (n < TYPE_MIN || n > TYPE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

bool ent_stix_id_valid(const char *id, const char *type)
{
	const char *sep = strstr(id, "--");
	size_t tlen;

	if (sep == NULL)
		return false;
	tlen = (size_t)(sep - id);
	if (type != NULL && (strlen(type) != tlen || memcmp(id, type, tlen) != 0))
		return false;
	if (!type_valid(id, tlen))
		return false;
	return ent_uuid_valid(sep + 2, strlen(sep + 2));
}

/* The checks read an object through its tokens: j the parsed document, o
 * the object's token. */
#define TYPE_OF(v) ent_json_type_name(ent_json_type(j, (uint32_t)(v)))

static int want_string(struct ent_json *j, uint32_t o, const char *key, bool required,
                       const char **out, char *errbuf)
{
	long v = ent_json_member(j, o, key);

	*out = NULL;
	if (v < 0) {
		if (required)
			return ent_errf(errbuf, ENT_EINVAL, "required property '%s' is missing",
			                key);
		return ENT_OK;
	}
	if (ent_json_type(j, (uint32_t)v) != ENT_JSON_STRING)
		return ent_errf(errbuf, ENT_EINVAL, "'%s' must be a string, found %s", key,
		                TYPE_OF(v));
	*out = ent_json_string(j, (uint32_t)v, NULL);
	return ENT_OK;
}

static int want_time(struct ent_json *j, uint32_t o, const char *key, bool required, int64_t *out,
                     char *errbuf)
{
	const char *s;
	int rc = want_string(j, o, key, required, &s, errbuf);

	*out = ENT_TIME_NONE;
	if (rc != ENT_OK) {
		if (strstr(errbuf, "must be a string") != NULL)
			return ent_errf(errbuf, ENT_EINVAL,
			                "'%s' must be a timestamp string, found %s", key,
			                TYPE_OF(ent_json_member(j, o, key)));
		return rc;
	}
	if (s == NULL)
		return ENT_OK;
	if (ent_time_parse(s, strlen(s), out) != ENT_OK)
		return ent_errf(errbuf, ENT_EINVAL,
		                "'%s' is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z): '%.40s'",
		                key, s);
	return ENT_OK;
}

static int want_ref(struct ent_json *j, uint32_t o, const char *key, const char *type,
                    const char **out, char *errbuf)
{
	int rc = want_string(j, o, key, false, out, errbuf);

	if (rc != ENT_OK || *out == NULL)
		return rc;
	if (!ent_stix_id_valid(*out, type))
		return ent_errf(errbuf, ENT_EINVAL, "'%s' is not a%s identifier: '%.80s'", key,
		                type ? " valid" : "n", *out);
	return ENT_OK;
}

/* An optional array whose elements all are of type t; its token in *arr
 * (-1 when absent). */
static int want_array_of(struct ent_json *j, uint32_t o, const char *key, enum ent_json_type t,
                         long *arr, char *errbuf)
{
	long v = ent_json_member(j, o, key);

	*arr = v;
	if (v < 0)
		return ENT_OK;
	if (ent_json_type(j, (uint32_t)v) != ENT_JSON_ARRAY)
		return ent_errf(errbuf, ENT_EINVAL, "'%s' must be an array, found %s", key,
		                TYPE_OF(v));
	for (uint32_t c = (uint32_t)v + 1, i = 0; i < j->tok[v].count; i++) {
		if (ent_json_type(j, c) != t)
			return ent_errf(errbuf, ENT_EINVAL, "'%s'[%u] must be %s, found %s", key, i,
			                ent_json_type_name(t), TYPE_OF(c));
		c = j->tok[c].next;
	}
	return ENT_OK;
}

static int check_markings(struct ent_json *j, uint32_t o, enum ent_tlp *tlp, char *errbuf)
{
	long refs, gms;
	int rc;

	*tlp = ENT_TLP_NONE;
	rc = want_array_of(j, o, "object_marking_refs", ENT_JSON_STRING, &refs, errbuf);
	if (rc != ENT_OK)
		return rc;
	for (uint32_t c = (uint32_t)refs + 1, i = 0; refs >= 0 && i < j->tok[refs].count; i++) {
		const char *id = ent_json_string(j, c, NULL);
		enum ent_tlp t;

		if (!ent_stix_id_valid(id, "marking-definition"))
			return ent_errf(errbuf, ENT_EINVAL,
			                "'object_marking_refs'[%u] is not a marking-definition "
			                "identifier: '%.80s'",
			                i, id);
		t = ent_tlp_from_marking_id(id);
		if (t > *tlp)
			*tlp = t;
		c = j->tok[c].next;
	}
	rc = want_array_of(j, o, "granular_markings", ENT_JSON_OBJECT, &gms, errbuf);
	if (rc != ENT_OK)
		return rc;
	for (uint32_t c = (uint32_t)gms + 1, i = 0; gms >= 0 && i < j->tok[gms].count; i++) {
		long sel = ent_json_member(j, c, "selectors");

		if (sel < 0 || ent_json_type(j, (uint32_t)sel) != ENT_JSON_ARRAY ||
		    j->tok[sel].count == 0)
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "'granular_markings'[%u] needs a non-empty 'selectors' array", i);
		c = j->tok[c].next;
	}
	return ENT_OK;
}

static int check_common(struct ent_json *j, uint32_t o, struct ent_stix_object *out, char *errbuf)
{
	const char *spec, *lang;
	long v, arr;
	int64_t n;
	int rc;

	rc = want_string(j, o, "type", true, &out->type, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (!type_valid(out->type, strlen(out->type)))
		return ent_errf(errbuf, ENT_EINVAL,
		                "'type' must be 3-250 characters of a-z, 0-9 and '-': '%.60s'",
		                out->type);
	rc = want_string(j, o, "id", true, &out->id, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (!ent_stix_id_valid(out->id, out->type))
		return ent_errf(errbuf, ENT_EINVAL, "'id' must be '%s--<UUID>': '%.80s'", out->type,
		                out->id);
	rc = want_time(j, o, "created", false, &out->created, errbuf);
	if (rc == ENT_OK)
		rc = want_time(j, o, "modified", false, &out->modified, errbuf);
	if (rc != ENT_OK)
		return rc;
	/* objects with "created" are SDOs, SROs or meta objects: spec_version
	 * is required (section 3.2); for SCOs it is optional */
	rc = want_string(j, o, "spec_version", out->created != ENT_TIME_NONE, &spec, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (spec != NULL && strcmp(spec, "2.1") != 0)
		return ent_errf(errbuf, ENT_EINVAL,
		                "'spec_version' is '%.20s'; only '2.1' is supported", spec);
	if (out->created != ENT_TIME_NONE && out->modified == ENT_TIME_NONE &&
	    strcmp(out->type, "marking-definition") != 0)
		return ent_errf(errbuf, ENT_EINVAL, "required property 'modified' is missing");
	if (out->modified != ENT_TIME_NONE && out->created != ENT_TIME_NONE &&
	    out->modified < out->created)
		return ent_errf(errbuf, ENT_EINVAL, "'modified' is earlier than 'created'");
	out->version_ms = out->modified != ENT_TIME_NONE  ? out->modified
	                  : out->created != ENT_TIME_NONE ? out->created
	                                                  : 0;
	rc = want_ref(j, o, "created_by_ref", "identity", &out->created_by_ref, errbuf);
	if (rc != ENT_OK)
		return rc;
	v = ent_json_member(j, o, "revoked");
	if (v >= 0 && ent_json_type(j, (uint32_t)v) != ENT_JSON_TRUE &&
	    ent_json_type(j, (uint32_t)v) != ENT_JSON_FALSE)
		return ent_errf(errbuf, ENT_EINVAL, "'revoked' must be a boolean, found %s",
		                TYPE_OF(v));
	out->revoked = v >= 0 && ent_json_type(j, (uint32_t)v) == ENT_JSON_TRUE;
	v = ent_json_member(j, o, "confidence");
	out->confidence = -1;
	if (v >= 0) {
		bool is_int = ent_json_int(j, (uint32_t)v, &n);

		if (!is_int || n < 0 || n > 100)
			return ent_errf(errbuf, ENT_EINVAL,
			                "'confidence' must be an integer from 0 to 100, found %s",
			                is_int || ent_json_type(j, (uint32_t)v) == ENT_JSON_NUMBER
			                    ? "a value out of range"
			                    : TYPE_OF(v));
		out->confidence = (int)n;
	}
	rc = want_string(j, o, "lang", false, &lang, errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(j, o, "labels", ENT_JSON_STRING, &arr, errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(j, o, "external_references", ENT_JSON_OBJECT, &arr, errbuf);
	if (rc != ENT_OK)
		return rc;
	v = ent_json_member(j, o, "extensions");
	out->has_extensions = v >= 0;
	if (v >= 0 && ent_json_type(j, (uint32_t)v) != ENT_JSON_OBJECT)
		return ent_errf(errbuf, ENT_EINVAL, "'extensions' must be an object, found %s",
		                TYPE_OF(v));
	return check_markings(j, o, &out->tlp, errbuf);
}

/* Section 4.7: indicator. */
static int check_indicator(struct ent_json *j, uint32_t o, struct ent_stix_object *out,
                           char *errbuf)
{
	const char *s;
	long arr;
	int rc;

	rc = want_string(j, o, "pattern", true, &out->pattern, errbuf);
	if (rc == ENT_OK)
		rc = want_string(j, o, "pattern_type", true, &out->pattern_type, errbuf);
	if (rc == ENT_OK)
		rc = want_time(j, o, "valid_from", true, &out->valid_from, errbuf);
	if (rc == ENT_OK)
		rc = want_time(j, o, "valid_until", false, &out->valid_until, errbuf);
	if (rc == ENT_OK)
		rc = want_string(j, o, "name", false, &out->name, errbuf);
	if (rc == ENT_OK)
		rc = want_string(j, o, "description", false, &s, errbuf);
	if (rc == ENT_OK)
		rc = want_string(j, o, "pattern_version", false, &s, errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(j, o, "indicator_types", ENT_JSON_STRING, &arr, errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(j, o, "kill_chain_phases", ENT_JSON_OBJECT, &arr, errbuf);
	if (rc != ENT_OK)
		return rc;
	out->pattern_len = strlen(out->pattern);
	if (out->valid_until != ENT_TIME_NONE && out->valid_until <= out->valid_from)
		return ent_errf(errbuf, ENT_EINVAL,
		                "'valid_until' must be later than 'valid_from'");
	return ENT_OK;
}

/* Section 5.2: sighting. */
static int check_sighting(struct ent_json *j, uint32_t o, char *errbuf)
{
	const char *ref;
	int64_t first, last, n;
	long count = ent_json_member(j, o, "count");
	int rc;

	rc = want_string(j, o, "sighting_of_ref", true, &ref, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (!ent_stix_id_valid(ref, NULL))
		return ent_errf(errbuf, ENT_EINVAL, "'sighting_of_ref' is not an identifier");
	if (count >= 0 && (!ent_json_int(j, (uint32_t)count, &n) || n < 0 || n > 999999999))
		return ent_errf(errbuf, ENT_EINVAL,
		                "'count' must be an integer from 0 to 999999999");
	rc = want_time(j, o, "first_seen", false, &first, errbuf);
	if (rc == ENT_OK)
		rc = want_time(j, o, "last_seen", false, &last, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (first != ENT_TIME_NONE && last != ENT_TIME_NONE && last < first)
		return ent_errf(errbuf, ENT_EINVAL, "'last_seen' is earlier than 'first_seen'");
	return ENT_OK;
}

/* Section 5.1: relationship. */
static int check_relationship(struct ent_json *j, uint32_t o, char *errbuf)
{
	const char *s;
	int rc = want_string(j, o, "relationship_type", true, &s, errbuf);

	if (rc == ENT_OK)
		rc = want_string(j, o, "source_ref", true, &s, errbuf);
	if (rc == ENT_OK && !ent_stix_id_valid(s, NULL))
		return ent_errf(errbuf, ENT_EINVAL, "'source_ref' is not an identifier");
	if (rc == ENT_OK)
		rc = want_string(j, o, "target_ref", true, &s, errbuf);
	if (rc == ENT_OK && !ent_stix_id_valid(s, NULL))
		return ent_errf(errbuf, ENT_EINVAL, "'target_ref' is not an identifier");
	return rc;
}

int ent_stix_object_check(struct ent_json *j, uint32_t obj, struct ent_stix_object *out,
                          char *errbuf)
{
	const char *s;
	long def;
	int rc;

	memset(out, 0, sizeof(*out));
	out->valid_from = ENT_TIME_NONE;
	out->valid_until = ENT_TIME_NONE;
	if (obj >= j->n || ent_json_type(j, obj) != ENT_JSON_OBJECT)
		return ent_errf(errbuf, ENT_EINVAL, "a STIX object must be a JSON object, found %s",
		                obj < j->n ? TYPE_OF(obj) : "nothing");
	rc = check_common(j, obj, out, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (strcmp(out->type, "indicator") == 0)
		return check_indicator(j, obj, out, errbuf);
	if (strcmp(out->type, "sighting") == 0)
		return check_sighting(j, obj, errbuf);
	if (strcmp(out->type, "relationship") == 0)
		return check_relationship(j, obj, errbuf);
	if (strcmp(out->type, "identity") == 0)
		return want_string(j, obj, "name", true, &s, errbuf);
	if (strcmp(out->type, "marking-definition") == 0 &&
	    ent_json_member(j, obj, "definition_type") >= 0) {
		rc = want_string(j, obj, "definition_type", false, &s, errbuf);
		def = ent_json_member(j, obj, "definition");
		if (rc == ENT_OK && (def < 0 || ent_json_type(j, (uint32_t)def) != ENT_JSON_OBJECT))
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "'definition' must be an object when 'definition_type' is set");
		return rc;
	}
	return ENT_OK;
}

uint32_t ent_stix_signature_id(const char *stix_id)
{
	uint32_t h = 2166136261u;

	for (const char *p = stix_id; *p; p++) {
		h ^= (uint8_t)*p;
		h *= 16777619u;
	}
	return (h & 0x3fffffffu) + 1000000u;
}
