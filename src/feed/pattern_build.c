/*
 * pattern_build.c - STIX patterns, indicators and TLP marking ids
 * (see pattern_build.h).
 *
 * Built once per imported value, so the indicator is assembled with
 * json_object_set_new_nocheck (keys are our own literals) and no temporary
 * allocation beyond jansson's own.
 *
 * TLP markings come from stix/tlp.c: indicators carry the TLP 2.0 ids.
 */
#include "feed/pattern_build.h"

#include "stix/tlp.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

/* ---- patterns ----------------------------------------------------------- */

static const char *obs_path(enum ent_obs_kind kind)
{
	switch (kind) {
	case ENT_OBS_IPV4:
		return "ipv4-addr:value";
	case ENT_OBS_IPV6:
		return "ipv6-addr:value";
	case ENT_OBS_DOMAIN:
		return "domain-name:value";
	case ENT_OBS_URL:
		return "url:value";
	case ENT_OBS_EMAIL:
		return "email-addr:value";
	case ENT_OBS_MD5:
		return "file:hashes.'MD5'";
	case ENT_OBS_SHA1:
		return "file:hashes.'SHA-1'";
	case ENT_OBS_SHA256:
		return "file:hashes.'SHA-256'";
	case ENT_OBS_JA3:
		return "x-tls-fingerprint:ja3";
	case ENT_OBS_JA4:
		return "x-tls-fingerprint:ja4";
	case ENT_OBS_X509_MD5:
		return "x509-certificate:hashes.'MD5'";
	case ENT_OBS_X509_SHA1:
		return "x509-certificate:hashes.'SHA-1'";
	case ENT_OBS_X509_SHA256:
		return "x509-certificate:hashes.'SHA-256'";
	default:
		return NULL;
	}
}

/* Appends "<path> = '<escaped value>'". */
static int comparison(enum ent_obs_kind kind, const char *value, struct ent_buf *out)
{
	const char *path = obs_path(kind);
	const char *p, *run;
	int rc;

	if (path == NULL || value == NULL)
		return ENT_EINVAL;
	if ((rc = ent_buf_puts(out, path)) != ENT_OK || (rc = ent_buf_puts(out, " = '")) != ENT_OK)
		return rc;
	for (run = p = value; *p != '\0'; p++) {
		if (*p != '\'' && *p != '\\')
			continue;
		if ((rc = ent_buf_append(out, run, (size_t)(p - run))) != ENT_OK ||
		    (rc = ent_buf_append(out, "\\", 1)) != ENT_OK)
			return rc;
		run = p;
	}
	if ((rc = ent_buf_append(out, run, (size_t)(p - run))) != ENT_OK)
		return rc;
	return ent_buf_append(out, "'", 1);
}

int ent_pattern_build(enum ent_obs_kind kind, const char *normalized_value, struct ent_buf *out)
{
	return ent_pattern_build_or(1, &kind, &normalized_value, out);
}

int ent_pattern_build_or(size_t n, const enum ent_obs_kind *kinds, const char *const *values,
                         struct ent_buf *out)
{
	int rc;

	if (n == 0 || kinds == NULL || values == NULL)
		return ENT_EINVAL;
	if ((rc = ent_buf_append(out, "[", 1)) != ENT_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (rc = ent_buf_puts(out, " OR ")) != ENT_OK)
			return rc;
		if ((rc = comparison(kinds[i], values[i], out)) != ENT_OK)
			return rc;
	}
	return ent_buf_append(out, "]", 1);
}

/* ---- indicators --------------------------------------------------------- */

/*
 * Values every indicator carries, created once and shared (by reference
 * count, which jansson updates atomically) by all the indicators built: a
 * bulk import builds one indicator per line, and allocation dominated its
 * profile. Objects handed out may therefore share these values: callers
 * may add, replace or delete properties but must not change a string
 * value in place (json_string_set).
 */
static json_t *k_indicator, *k_v21, *k_stix, *k_malicious;
static pthread_once_t konst_once = PTHREAD_ONCE_INIT;

static void konst_init(void)
{
	k_indicator = json_string_nocheck("indicator");
	k_v21 = json_string_nocheck("2.1");
	k_stix = json_string_nocheck("stix");
	k_malicious = json_string_nocheck("malicious-activity");
}

/* A new reference to a shared constant (or a fresh string if init failed). */
static json_t *konst(json_t *k, const char *s)
{
	return k != NULL ? json_incref(k) : json_string_nocheck(s);
}

static int set_str(json_t *o, const char *key, const char *val)
{
	json_t *s = json_string(val);

	if (s == NULL) /* NULL, or not UTF-8 */
		return ENT_EINVAL;
	return json_object_set_new_nocheck(o, key, s) == 0 ? ENT_OK : ENT_ENOMEM;
}

int ent_indicator_build(const struct ent_indicator_spec *spec, json_t **out, char *errbuf)
{
	static const struct {
		size_t off;
		const char *key;
	} required[] = {
	    {offsetof(struct ent_indicator_spec, id), "id"},
	    {offsetof(struct ent_indicator_spec, created), "created"},
	    {offsetof(struct ent_indicator_spec, modified), "modified"},
	    {offsetof(struct ent_indicator_spec, valid_from), "valid_from"},
	    {offsetof(struct ent_indicator_spec, name), "name"},
	    {offsetof(struct ent_indicator_spec, pattern), "pattern"},
	};
	const char *marking = NULL, *prev = NULL;
	json_t *o = NULL, *a, *prev_v = NULL;
	int rc = ENT_ENOMEM;

	*out = NULL;
	pthread_once(&konst_once, konst_init);
	if (spec->tlp != NULL &&
	    (marking = ent_tlp_to_marking_id(ent_tlp_parse(spec->tlp))) == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "unknown TLP level '%s'", spec->tlp);
	if (spec->confidence < -1 || spec->confidence > 100)
		return ent_errf(errbuf, ENT_EINVAL, "confidence %d not in 0..100",
		                spec->confidence);
	if ((o = json_object()) == NULL)
		goto fail;
	if (json_object_set_new_nocheck(o, "type", konst(k_indicator, "indicator")) != 0 ||
	    json_object_set_new_nocheck(o, "spec_version", konst(k_v21, "2.1")) != 0)
		goto fail;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *v = *(const char *const *)((const char *)spec + required[i].off);

		if (v == NULL) {
			rc = ent_errf(errbuf, ENT_EINVAL, "indicator: no %s", required[i].key);
			goto fail;
		}
		if (prev != NULL && strcmp(v, prev) == 0) {
			/* created = modified = valid_from, the usual case: one value */
			if (json_object_set_nocheck(o, required[i].key, prev_v) != 0)
				goto fail;
			continue;
		}
		if ((rc = set_str(o, required[i].key, v)) != ENT_OK) {
			if (rc == ENT_EINVAL)
				ent_errf(errbuf, rc, "indicator: %s is not UTF-8", required[i].key);
			goto fail;
		}
		rc = ENT_ENOMEM;
		prev = v;
		prev_v = json_object_get(o, required[i].key);
	}
	rc = ENT_ENOMEM;
	if (json_object_set_new_nocheck(o, "pattern_type", konst(k_stix, "stix")) != 0 ||
	    json_object_set_new_nocheck(o, "pattern_version", konst(k_v21, "2.1")) != 0)
		goto fail;
	if ((a = json_array()) == NULL || json_object_set_new_nocheck(o, "indicator_types", a) != 0)
		goto fail;
	if (json_array_append_new(a, spec->indicator_type
	                                 ? json_string(spec->indicator_type)
	                                 : konst(k_malicious, "malicious-activity")) != 0)
		goto fail;
	if (spec->description != NULL && spec->description[0] != '\0' &&
	    set_str(o, "description", spec->description) != ENT_OK) {
		rc = ent_errf(errbuf, ENT_EINVAL, "indicator: description is not UTF-8");
		goto fail;
	}
	if (spec->confidence >= 0 &&
	    json_object_set_new_nocheck(o, "confidence", json_integer(spec->confidence)) != 0)
		goto fail;
	if (marking != NULL) {
		if ((a = json_array()) == NULL ||
		    json_object_set_new_nocheck(o, "object_marking_refs", a) != 0 ||
		    json_array_append_new(a, json_string_nocheck(marking)) != 0)
			goto fail;
	}
	if (spec->created_by_ref != NULL &&
	    (rc = set_str(o, "created_by_ref", spec->created_by_ref)) != ENT_OK) {
		if (rc == ENT_EINVAL)
			ent_errf(errbuf, rc, "indicator: created_by_ref is not UTF-8");
		goto fail;
	}
	rc = ENT_ENOMEM;
	if (spec->n_labels > 0 && spec->labels != NULL) {
		if ((a = json_array()) == NULL || json_object_set_new_nocheck(o, "labels", a) != 0)
			goto fail;
		for (size_t i = 0; i < spec->n_labels; i++) {
			json_t *s = json_string(spec->labels[i]);

			if (s == NULL)
				continue; /* not UTF-8: dropped rather than failing the value */
			if (json_array_append_new(a, s) != 0)
				goto fail;
		}
	}
	if (spec->custom != NULL) {
		const char *k;
		json_t *v;

		if (!json_is_object(spec->custom)) {
			rc = ent_errf(errbuf, ENT_EINVAL, "indicator: custom is not an object");
			goto fail;
		}
		json_object_foreach(spec->custom, k, v)
		{
			if (strncmp(k, "x_", 2) != 0) {
				rc = ent_errf(errbuf, ENT_EINVAL,
				              "indicator: custom property '%s' not named x_*", k);
				goto fail;
			}
			if (json_object_set_nocheck(o, k, v) != 0)
				goto fail;
		}
	}
	*out = o;
	return ENT_OK;
fail:
	if (rc == ENT_ENOMEM)
		ent_errf(errbuf, rc, "indicator: out of memory");
	json_decref(o);
	return rc;
}

/* Appends "s" as a JSON string; ENT_EUNSUPPORTED for bytes >= 0x80, which
 * the jansson path checks as UTF-8 instead. */
static int put_json_string(struct ent_buf *out, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)v, *run = p;
	int rc = ent_buf_append(out, "\"", 1);

	/* plain characters go in runs; only escapes are written one by one */
	for (; rc == ENT_OK && *p; p++) {
		char e[6] = {'\\', 'u', '0', '0', 0, 0};
		size_t elen;

		if (*p >= 0x80)
			return ENT_EUNSUPPORTED;
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		rc = ent_buf_append(out, run, (size_t)(p - run));
		if (*p < 0x20) {
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			elen = 6;
		} else {
			e[1] = (char)*p;
			elen = 2;
		}
		if (rc == ENT_OK)
			rc = ent_buf_append(out, e, elen);
		run = p + 1;
	}
	if (rc == ENT_OK)
		rc = ent_buf_append(out, run, (size_t)(p - run));
	return rc == ENT_OK ? ent_buf_append(out, "\"", 1) : rc;
}

int ent_indicator_build_text(const struct ent_indicator_spec *spec, struct ent_buf *out,
                             char *errbuf)
{
	const char *marking = NULL;
	const char *fields[][2] = {
	    {"id", spec->id},
	    {"created", spec->created},
	    {"modified", spec->modified},
	    {"valid_from", spec->valid_from},
	    {"name", spec->name},
	    {"pattern", spec->pattern},
	};
	int rc;

	if (spec->n_labels > 0 || spec->custom != NULL)
		return ENT_EUNSUPPORTED;
	if (spec->tlp != NULL &&
	    (marking = ent_tlp_to_marking_id(ent_tlp_parse(spec->tlp))) == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "unknown TLP level '%s'", spec->tlp);
	if (spec->confidence < -1 || spec->confidence > 100)
		return ent_errf(errbuf, ENT_EINVAL, "confidence %d not in 0..100",
		                spec->confidence);
	ent_buf_reset(out);
	rc = ent_buf_puts(out, "{\"type\":\"indicator\",\"spec_version\":\"2.1\"");
	for (size_t i = 0; rc == ENT_OK && i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i][1] == NULL)
			return ent_errf(errbuf, ENT_EINVAL, "indicator: no %s", fields[i][0]);
		rc = ent_buf_puts(out, ",\"");
		if (rc == ENT_OK)
			rc = ent_buf_puts(out, fields[i][0]);
		if (rc == ENT_OK)
			rc = ent_buf_puts(out, "\":");
		if (rc == ENT_OK)
			rc = put_json_string(out, fields[i][1]);
	}
	if (rc == ENT_OK)
		rc = ent_buf_puts(out, ",\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\","
		                       "\"indicator_types\":[");
	if (rc == ENT_OK)
		rc = put_json_string(out, spec->indicator_type ? spec->indicator_type
		                                               : "malicious-activity");
	if (rc == ENT_OK)
		rc = ent_buf_puts(out, "]");
	if (rc == ENT_OK && spec->description != NULL && spec->description[0] != '\0') {
		rc = ent_buf_puts(out, ",\"description\":");
		if (rc == ENT_OK)
			rc = put_json_string(out, spec->description);
	}
	if (rc == ENT_OK && spec->confidence >= 0)
		rc = ent_buf_printf(out, ",\"confidence\":%d", spec->confidence);
	if (rc == ENT_OK && marking != NULL)
		rc = ent_buf_printf(out, ",\"object_marking_refs\":[\"%s\"]", marking);
	if (rc == ENT_OK && spec->created_by_ref != NULL) {
		rc = ent_buf_puts(out, ",\"created_by_ref\":");
		if (rc == ENT_OK)
			rc = put_json_string(out, spec->created_by_ref);
	}
	if (rc == ENT_OK)
		rc = ent_buf_puts(out, "}");
	if (rc != ENT_OK && rc != ENT_EUNSUPPORTED)
		return ent_errf(errbuf, rc, "indicator: %s", ent_strerror(rc));
	return rc;
}
