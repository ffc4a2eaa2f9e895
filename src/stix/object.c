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

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int want_string(json_t *o, const char *key, bool required, const char **out, char *errbuf)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return ent_errf(errbuf, ENT_EINVAL, "required property '%s' is missing",
			                key);
		return ENT_OK;
	}
	if (!json_is_string(v))
		return ent_errf(errbuf, ENT_EINVAL, "'%s' must be a string, found %s", key,
		                json_kind(v));
	*out = json_string_value(v);
	return ENT_OK;
}

static int want_time(json_t *o, const char *key, bool required, int64_t *out, char *errbuf)
{
	json_t *v = json_object_get(o, key);

	*out = ENT_TIME_NONE;
	if (v == NULL) {
		if (required)
			return ent_errf(errbuf, ENT_EINVAL, "required property '%s' is missing",
			                key);
		return ENT_OK;
	}
	if (!json_is_string(v))
		return ent_errf(errbuf, ENT_EINVAL, "'%s' must be a timestamp string, found %s",
		                key, json_kind(v));
	if (ent_time_parse(json_string_value(v), json_string_length(v), out) != ENT_OK)
		return ent_errf(errbuf, ENT_EINVAL,
		                "'%s' is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z): '%.40s'",
		                key, json_string_value(v));
	return ENT_OK;
}

static int want_ref(json_t *o, const char *key, const char *type, const char **out, char *errbuf)
{
	int rc = want_string(o, key, false, out, errbuf);

	if (rc != ENT_OK || *out == NULL)
		return rc;
	if (!ent_stix_id_valid(*out, type))
		return ent_errf(errbuf, ENT_EINVAL, "'%s' is not a%s identifier: '%.80s'", key,
		                type ? " valid" : "n", *out);
	return ENT_OK;
}

/* An optional array whose elements all are of JSON type t. */
static int want_array_of(json_t *o, const char *key, json_type t, const char *what, char *errbuf)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;

	if (v == NULL)
		return ENT_OK;
	if (!json_is_array(v))
		return ent_errf(errbuf, ENT_EINVAL, "'%s' must be an array, found %s", key,
		                json_kind(v));
	json_array_foreach(v, i, e)
	{
		if (json_typeof(e) != t)
			return ent_errf(errbuf, ENT_EINVAL, "'%s'[%zu] must be %s, found %s", key,
			                i, what, json_kind(e));
	}
	return ENT_OK;
}

static int check_markings(json_t *o, enum ent_tlp *tlp, char *errbuf)
{
	json_t *refs = json_object_get(o, "object_marking_refs"), *e, *gm;
	size_t i;
	int rc;

	*tlp = ENT_TLP_NONE;
	rc = want_array_of(o, "object_marking_refs", JSON_STRING, "a string", errbuf);
	if (rc != ENT_OK)
		return rc;
	json_array_foreach(refs, i, e)
	{
		const char *id = json_string_value(e);
		enum ent_tlp t;

		if (!ent_stix_id_valid(id, "marking-definition"))
			return ent_errf(errbuf, ENT_EINVAL,
			                "'object_marking_refs'[%zu] is not a marking-definition "
			                "identifier: '%.80s'",
			                i, id);
		t = ent_tlp_from_marking_id(id);
		if (t > *tlp)
			*tlp = t;
	}
	rc = want_array_of(o, "granular_markings", JSON_OBJECT, "an object", errbuf);
	if (rc != ENT_OK)
		return rc;
	json_array_foreach(json_object_get(o, "granular_markings"), i, gm)
	{
		json_t *sel = json_object_get(gm, "selectors");

		if (!json_is_array(sel) || json_array_size(sel) == 0)
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "'granular_markings'[%zu] needs a non-empty 'selectors' array", i);
	}
	return ENT_OK;
}

static int check_common(json_t *o, struct ent_stix_object *out, char *errbuf)
{
	const char *spec, *lang;
	json_t *v;
	int rc;

	rc = want_string(o, "type", true, &out->type, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (!type_valid(out->type, strlen(out->type)))
		return ent_errf(errbuf, ENT_EINVAL,
		                "'type' must be 3-250 characters of a-z, 0-9 and '-': '%.60s'",
		                out->type);
	rc = want_string(o, "id", true, &out->id, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (!ent_stix_id_valid(out->id, out->type))
		return ent_errf(errbuf, ENT_EINVAL, "'id' must be '%s--<UUID>': '%.80s'", out->type,
		                out->id);
	rc = want_time(o, "created", false, &out->created, errbuf);
	if (rc == ENT_OK)
		rc = want_time(o, "modified", false, &out->modified, errbuf);
	if (rc != ENT_OK)
		return rc;
	/* objects with "created" are SDOs, SROs or meta objects: spec_version
	 * is required (section 3.2); for SCOs it is optional */
	rc = want_string(o, "spec_version", out->created != ENT_TIME_NONE, &spec, errbuf);
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
	rc = want_ref(o, "created_by_ref", "identity", &out->created_by_ref, errbuf);
	if (rc != ENT_OK)
		return rc;
	v = json_object_get(o, "revoked");
	if (v != NULL && !json_is_boolean(v))
		return ent_errf(errbuf, ENT_EINVAL, "'revoked' must be a boolean, found %s",
		                json_kind(v));
	out->revoked = json_is_true(v);
	v = json_object_get(o, "confidence");
	out->confidence = -1;
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
			return ent_errf(errbuf, ENT_EINVAL,
			                "'confidence' must be an integer from 0 to 100, found %s",
			                json_is_integer(v) ? "a value out of range" : json_kind(v));
		out->confidence = (int)json_integer_value(v);
	}
	rc = want_string(o, "lang", false, &lang, errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(o, "labels", JSON_STRING, "a string", errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(o, "external_references", JSON_OBJECT, "an object", errbuf);
	if (rc != ENT_OK)
		return rc;
	v = json_object_get(o, "extensions");
	if (v != NULL && !json_is_object(v))
		return ent_errf(errbuf, ENT_EINVAL, "'extensions' must be an object, found %s",
		                json_kind(v));
	return check_markings(o, &out->tlp, errbuf);
}

/* Section 4.7: indicator. */
static int check_indicator(json_t *o, struct ent_stix_object *out, char *errbuf)
{
	const char *s;
	int rc;

	rc = want_string(o, "pattern", true, &out->pattern, errbuf);
	if (rc == ENT_OK)
		rc = want_string(o, "pattern_type", true, &out->pattern_type, errbuf);
	if (rc == ENT_OK)
		rc = want_time(o, "valid_from", true, &out->valid_from, errbuf);
	if (rc == ENT_OK)
		rc = want_time(o, "valid_until", false, &out->valid_until, errbuf);
	if (rc == ENT_OK)
		rc = want_string(o, "name", false, &out->name, errbuf);
	if (rc == ENT_OK)
		rc = want_string(o, "description", false, &s, errbuf);
	if (rc == ENT_OK)
		rc = want_string(o, "pattern_version", false, &s, errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(o, "indicator_types", JSON_STRING, "a string", errbuf);
	if (rc == ENT_OK)
		rc = want_array_of(o, "kill_chain_phases", JSON_OBJECT, "an object", errbuf);
	if (rc != ENT_OK)
		return rc;
	out->pattern_len = json_string_length(json_object_get(o, "pattern"));
	if (out->valid_until != ENT_TIME_NONE && out->valid_until <= out->valid_from)
		return ent_errf(errbuf, ENT_EINVAL,
		                "'valid_until' must be later than 'valid_from'");
	return ENT_OK;
}

/* Section 5.2: sighting. */
static int check_sighting(json_t *o, char *errbuf)
{
	const char *ref;
	int64_t first, last;
	json_t *count = json_object_get(o, "count");
	int rc;

	rc = want_string(o, "sighting_of_ref", true, &ref, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (!ent_stix_id_valid(ref, NULL))
		return ent_errf(errbuf, ENT_EINVAL, "'sighting_of_ref' is not an identifier");
	if (count != NULL && (!json_is_integer(count) || json_integer_value(count) < 0 ||
	                      json_integer_value(count) > 999999999))
		return ent_errf(errbuf, ENT_EINVAL,
		                "'count' must be an integer from 0 to 999999999");
	rc = want_time(o, "first_seen", false, &first, errbuf);
	if (rc == ENT_OK)
		rc = want_time(o, "last_seen", false, &last, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (first != ENT_TIME_NONE && last != ENT_TIME_NONE && last < first)
		return ent_errf(errbuf, ENT_EINVAL, "'last_seen' is earlier than 'first_seen'");
	return ENT_OK;
}

/* Section 5.1: relationship. */
static int check_relationship(json_t *o, char *errbuf)
{
	const char *s;
	int rc = want_string(o, "relationship_type", true, &s, errbuf);

	if (rc == ENT_OK)
		rc = want_string(o, "source_ref", true, &s, errbuf);
	if (rc == ENT_OK && !ent_stix_id_valid(s, NULL))
		return ent_errf(errbuf, ENT_EINVAL, "'source_ref' is not an identifier");
	if (rc == ENT_OK)
		rc = want_string(o, "target_ref", true, &s, errbuf);
	if (rc == ENT_OK && !ent_stix_id_valid(s, NULL))
		return ent_errf(errbuf, ENT_EINVAL, "'target_ref' is not an identifier");
	return rc;
}

int ent_stix_object_check(json_t *obj, struct ent_stix_object *out, char *errbuf)
{
	const char *s;
	int rc;

	memset(out, 0, sizeof(*out));
	out->valid_from = ENT_TIME_NONE;
	out->valid_until = ENT_TIME_NONE;
	if (!json_is_object(obj))
		return ent_errf(errbuf, ENT_EINVAL, "a STIX object must be a JSON object, found %s",
		                json_kind(obj));
	rc = check_common(obj, out, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (strcmp(out->type, "indicator") == 0)
		return check_indicator(obj, out, errbuf);
	if (strcmp(out->type, "sighting") == 0)
		return check_sighting(obj, errbuf);
	if (strcmp(out->type, "relationship") == 0)
		return check_relationship(obj, errbuf);
	if (strcmp(out->type, "identity") == 0)
		return want_string(obj, "name", true, &s, errbuf);
	if (strcmp(out->type, "marking-definition") == 0 &&
	    json_object_get(obj, "definition_type") != NULL) {
		rc = want_string(obj, "definition_type", false, &s, errbuf);
		if (rc == ENT_OK && !json_is_object(json_object_get(obj, "definition")))
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "'definition' must be an object when 'definition_type' is set");
		return rc;
	}
	return ENT_OK;
}
