/*
 * misp.c - MISP event and feed conversion (see misp.h).
 *
 * For each event:
 *   1. read the event-level facts every indicator carries: uuid, info,
 *      distribution, the most restrictive tlp:* tag, the other tags (labels),
 *      the timestamp;
 *   2. emit the Orgc identity (once per conversion: struct conv remembers
 *      the last few identity ids emitted);
 *   3. walk Attribute[] then Object[].Attribute[], and for each attribute
 *      either emit one indicator or call sink->skip with a reason.
 * Only malformed structure is an error; a bad value is a skip. The JSON tree
 * is borrowed throughout: every string handed to the sink or to jansson is
 * either copied by jansson or lives as long as the tree.
 */
#include "feed/misp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/timefmt.h"
#include "core/uuid.h"
#include "feed/pattern_build.h"
#include "stix/tlp.h"

#define MAX_LABELS    64  /* tags kept as labels per indicator */
#define MAX_SEEN_ORGS 32  /* identities remembered for de-duplication */
#define WHERE_SIZE    192 /* "event <uuid> object N attribute M (<uuid>)" */
#define PATTERN_MAX   (3 * ENT_OBS_VALUE_MAX)

/* How an attribute's value yields observables. */
enum part {
	WHOLE,     /* the value */
	LEFT,      /* before the first '|' (ip-dst|port, hostname|port) */
	RIGHT,     /* after the last '|' (filename|sha1) */
	DOMAIN_IP, /* "domain|ip": both, ORed */
};

/* ENT_OBS_IPV4 in this table stands for "an address of either family". */
static const struct misp_type {
	const char *name;
	enum ent_obs_kind kind;
	enum part part;
} misp_types[] = {
    {"ip-src", ENT_OBS_IPV4, WHOLE},
    {"ip-dst", ENT_OBS_IPV4, WHOLE},
    {"ip-src|port", ENT_OBS_IPV4, LEFT},
    {"ip-dst|port", ENT_OBS_IPV4, LEFT},
    {"domain", ENT_OBS_DOMAIN, WHOLE},
    {"hostname", ENT_OBS_DOMAIN, WHOLE},
    {"hostname|port", ENT_OBS_DOMAIN, LEFT},
    {"domain|ip", ENT_OBS_DOMAIN, DOMAIN_IP},
    {"url", ENT_OBS_URL, WHOLE},
    {"md5", ENT_OBS_MD5, WHOLE},
    {"sha1", ENT_OBS_SHA1, WHOLE},
    {"sha256", ENT_OBS_SHA256, WHOLE},
    {"filename|md5", ENT_OBS_MD5, RIGHT},
    {"filename|sha1", ENT_OBS_SHA1, RIGHT},
    {"filename|sha256", ENT_OBS_SHA256, RIGHT},
    {"email", ENT_OBS_EMAIL, WHOLE},
    {"email-src", ENT_OBS_EMAIL, WHOLE},
    {"email-dst", ENT_OBS_EMAIL, WHOLE},
    {"ja3-fingerprint-md5", ENT_OBS_JA3, WHOLE},
    {"x509-fingerprint-md5", ENT_OBS_X509_MD5, WHOLE},
    {"x509-fingerprint-sha1", ENT_OBS_X509_SHA1, WHOLE},
    {"x509-fingerprint-sha256", ENT_OBS_X509_SHA256, WHOLE},
};

/* TLP levels from least to most restrictive. */
static const char *const tlp_order[] = {"clear", "green", "amber", "amber+strict", "red"};

struct conv {
	const struct ent_feed_opts *opts;
	const struct ent_feed_sink *sink;
	char *errbuf;
	struct ent_buf pattern;

	/* the event being converted; strings borrowed from the JSON tree */
	const char *ev_uuid; /* "?" when the event has none */
	const char *ev_info;
	int ev_dist;        /* -1 = absent */
	const char *ev_tlp; /* canonical TLP name, or NULL */
	int64_t ev_ts_ms;
	const char *labels[MAX_LABELS];
	size_t n_ev_labels;
	char identity[64]; /* "identity--<uuid>", or "" */

	char seen[MAX_SEEN_ORGS][64]; /* identity ids already emitted */
	size_t n_seen;

	char vals[2][ENT_OBS_VALUE_MAX]; /* normalized values of one attribute */
};

/* ---- small readers ------------------------------------------------------ */

/* A MISP number written as a decimal string or a JSON integer. */
static bool get_int(json_t *v, int64_t *out)
{
	const char *s;
	int64_t n = 0;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	if (*s == '\0' || strlen(s) > 15)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (*s - '0');
	}
	*out = n;
	return true;
}

/* MISP booleans: true/false, 0/1, "0"/"1", "true"/"false". -1 if none. */
static int get_bool(json_t *v)
{
	const char *s;

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0 || *s == '\0')
		return 0;
	return -1;
}

static const char *get_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key)); /* NULL if absent/not a string */
}

/*
 * MISP first_seen: "2023-09-29T11:42:22.000000+00:00" (ISO 8601 with an
 * offset). Rewritten as a UTC "...Z" timestamp for ent_time_parse.
 */
static bool parse_iso_offset(const char *s, int64_t *ms_out)
{
	char tmp[ENT_TIME_STRLEN + 16];
	size_t len = strlen(s), i = 19;
	int64_t off = 0, ms;

	if (len < 20 || len > sizeof(tmp) - 2)
		return false;
	if (s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
	memcpy(tmp, s, i);
	tmp[i] = 'Z';
	tmp[i + 1] = '\0';
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		/* already UTC */
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		const char *o = s + i + 1;

		for (int k = 0; k < 5; k++)
			if (k != 2 && (o[k] < '0' || o[k] > '9'))
				return false;
		off = ((o[0] - '0') * 10 + (o[1] - '0')) * 60 + (o[3] - '0') * 10 + (o[4] - '0');
		if (off > 24 * 60)
			return false;
		if (s[i] == '-')
			off = -off;
	} else {
		return false;
	}
	if (ent_time_parse(tmp, i + 1, &ms) != ENT_OK)
		return false;
	*ms_out = ms - off * 60000;
	return true;
}

/* ---- event-level facts -------------------------------------------------- */

/* The more restrictive of two canonical TLP names (either may be NULL). */
static const char *tlp_max(const char *a, const char *b)
{
	int ia = -1, ib = -1;

	for (int i = 0; i < 5; i++) {
		if (a && strcmp(a, tlp_order[i]) == 0)
			ia = i;
		if (b && strcmp(b, tlp_order[i]) == 0)
			ib = i;
	}
	return ia >= ib ? a : b;
}

/*
 * Reads a Tag array: the most restrictive tlp:* level into *tlp, the other
 * tag names appended to c->labels from index *n. ENT_EPARSE if Tag is
 * present but not an array.
 */
static int read_tags(struct conv *c, json_t *tags, const char *where, const char **tlp, size_t *n)
{
	size_t i;
	json_t *t;

	if (tags == NULL || json_is_null(tags))
		return ENT_OK;
	if (!json_is_array(tags))
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'Tag' is not an array", where);
	json_array_foreach(tags, i, t)
	{
		const char *name = get_str(t, "name");
		const char *level;

		if (name == NULL || *name == '\0')
			continue;
		if (strncasecmp(name, "tlp:", 4) == 0) {
			if ((level = ent_tlp_name(ent_tlp_parse(name))) != NULL)
				*tlp = tlp_max(*tlp, level);
			continue;
		}
		if (*n < MAX_LABELS)
			c->labels[(*n)++] = name;
	}
	return ENT_OK;
}

static void id_from(const char *prefix, const char *s, const char *salt, char *out, size_t outsz)
{
	char uuid[ENT_UUID_STRLEN];

	if (s != NULL && ent_uuid_valid(s, strlen(s))) {
		for (int i = 0; i < 36; i++)
			uuid[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
		uuid[36] = '\0';
	} else {
		char name[512];
		int n = snprintf(name, sizeof(name), "%s%c%s", salt, '\0', s ? s : "");

		if (n < 0 || (size_t)n >= sizeof(name))
			n = sizeof(name) - 1;
		ent_uuid_v5(ENT_UUID_NAMESPACE, name, (size_t)n, uuid);
	}
	snprintf(out, outsz, "%s--%s", prefix, uuid);
}

/* Emits the Orgc identity (unless already emitted) and sets c->identity. */
static int emit_identity(struct conv *c, json_t *orgc)
{
	const char *uuid = get_str(orgc, "uuid"), *name = get_str(orgc, "name");
	char ts[ENT_TIME_STRLEN], where[WHERE_SIZE];
	json_t *o;
	int rc;

	c->identity[0] = '\0';
	if (!json_is_object(orgc) || (uuid == NULL && name == NULL))
		return ENT_OK;
	id_from("identity", uuid, "misp-org", c->identity, sizeof(c->identity));
	for (size_t i = 0; i < c->n_seen; i++)
		if (strcmp(c->seen[i], c->identity) == 0)
			return ENT_OK;
	if (c->n_seen < MAX_SEEN_ORGS)
		memcpy(c->seen[c->n_seen++], c->identity, sizeof(c->identity));
	ent_time_format(c->ev_ts_ms, ts);
	if (name == NULL || *name == '\0')
		name = uuid != NULL && *uuid != '\0' ? uuid : "unnamed organisation";
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
	              "2.1", "id", c->identity, "created", ts, "modified", ts, "name", name,
	              "identity_class", "organization");
	if (o == NULL)
		return ent_errf(c->errbuf, ENT_ENOMEM, "event %s: out of memory", c->ev_uuid);
	snprintf(where, sizeof(where), "event %s Orgc", c->ev_uuid);
	rc = c->sink->object(c->sink->ctx, o, where, c->errbuf);
	json_decref(o);
	return rc;
}

/* ---- attributes --------------------------------------------------------- */

static const struct misp_type *find_type(const char *name)
{
	for (size_t i = 0; i < sizeof(misp_types) / sizeof(misp_types[0]); i++)
		if (strcmp(name, misp_types[i].name) == 0)
			return &misp_types[i];
	return NULL;
}

static enum ent_obs_kind ip_kind(const char *v, size_t len)
{
	return memchr(v, ':', len) ? ENT_OBS_IPV6 : ENT_OBS_IPV4;
}

static void skip(struct conv *c, const char *reason, const char *where)
{
	if (c->sink->skip)
		c->sink->skip(c->sink->ctx, reason, where);
}

/*
 * Normalizes the value of attribute type t into values/kinds (at most 2) and
 * builds the pattern into c->pattern. Returns the number of observables, or
 * 0 if the value is invalid.
 */
static size_t attr_pattern(struct conv *c, const struct misp_type *t, const char *value,
                           char vals[2][ENT_OBS_VALUE_MAX])
{
	enum ent_obs_kind kinds[2];
	const char *ptrs[2] = {vals[0], vals[1]};
	const char *bar = strchr(value, '|');
	size_t len = strlen(value), n = 1;

	switch (t->part) {
	case WHOLE:
		break;
	case LEFT:
		if (bar)
			len = (size_t)(bar - value);
		break;
	case RIGHT:
		if ((bar = strrchr(value, '|')) == NULL)
			return 0;
		len -= (size_t)(bar + 1 - value);
		value = bar + 1;
		break;
	case DOMAIN_IP:
		if (bar == NULL)
			return 0;
		kinds[1] = ip_kind(bar + 1, strlen(bar + 1));
		if (ent_obs_normalize(kinds[1], bar + 1, strlen(bar + 1), vals[1],
		                      ENT_OBS_VALUE_MAX, NULL) != ENT_OK)
			return 0;
		len = (size_t)(bar - value);
		n = 2;
		break;
	}
	kinds[0] = t->kind == ENT_OBS_IPV4 ? ip_kind(value, len) : t->kind;
	if (ent_obs_normalize(kinds[0], value, len, vals[0], ENT_OBS_VALUE_MAX, NULL) != ENT_OK)
		return 0;
	ent_buf_reset(&c->pattern);
	if (ent_pattern_build_or(n, kinds, ptrs, &c->pattern) != ENT_OK)
		return 0;
	return n;
}

/*
 * One attribute. base: "event <uuid> [object N ]attribute M" for errors.
 * obj_name: the MISP object's name, or NULL.
 */
static int convert_attribute(struct conv *c, json_t *a, const char *base, const char *obj_name,
                             bool obj_deleted)
{
	const struct misp_type *t;
	const char *type, *value, *uuid, *tlp, *category, *comment, *fs;
	char where[WHERE_SIZE], id[64], reason[128];
	char created[ENT_TIME_STRLEN], valid_from[ENT_TIME_STRLEN];
	int64_t ts_ms, ms, dist;
	size_t n_labels;
	json_t *v, *custom = NULL, *ind = NULL;
	struct ent_indicator_spec spec;
	int rc;

	if (!json_is_object(a))
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: not an object", base);
	if ((type = get_str(a, "type")) == NULL)
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'type' is not a string", base);
	if ((value = get_str(a, "value")) == NULL)
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'value' is not a string", base);
	v = json_object_get(a, "uuid");
	if (v != NULL && !json_is_string(v))
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'uuid' is not a string", base);
	uuid = json_string_value(v);
	snprintf(where, sizeof(where), "%s (%s)", base, uuid ? uuid : "no uuid");

	if (obj_deleted) {
		skip(c, "object deleted", where);
		return ENT_OK;
	}
	if (get_bool(json_object_get(a, "deleted")) == 1) {
		skip(c, "deleted", where);
		return ENT_OK;
	}
	if (get_bool(json_object_get(a, "to_ids")) != 1) {
		skip(c, "to_ids is false", where);
		return ENT_OK;
	}
	if ((t = find_type(type)) == NULL) {
		snprintf(reason, sizeof(reason), "unsupported MISP type '%.64s'", type);
		skip(c, reason, where);
		return ENT_OK;
	}
	if (attr_pattern(c, t, value, c->vals) == 0) {
		snprintf(reason, sizeof(reason), "invalid %s value", t->name);
		skip(c, reason, where);
		return ENT_OK;
	}

	/* tags: the attribute's tlp:* overrides the event's */
	tlp = NULL;
	n_labels = c->n_ev_labels;
	if ((rc = read_tags(c, json_object_get(a, "Tag"), base, &tlp, &n_labels)) != ENT_OK)
		return rc;
	if (tlp == NULL)
		tlp = c->ev_tlp ? c->ev_tlp : c->opts->default_tlp;

	ts_ms = c->ev_ts_ms;
	if (get_int(json_object_get(a, "timestamp"), &ms))
		ts_ms = ms * 1000;
	ent_time_format(ts_ms, created);
	fs = get_str(a, "first_seen");
	if (fs != NULL && parse_iso_offset(fs, &ms))
		ent_time_format(ms, valid_from);
	else
		memcpy(valid_from, created, sizeof(created));

	if (uuid != NULL && ent_uuid_valid(uuid, strlen(uuid))) {
		id_from("indicator", uuid, NULL, id, sizeof(id));
	} else {
		char name[ENT_OBS_VALUE_MAX + 256];
		int n = snprintf(name, sizeof(name), "misp-attribute%c%s%c%s%c%s", '\0',
		                 uuid ? uuid : c->ev_uuid, '\0', type, '\0', uuid ? "" : value);
		char u[ENT_UUID_STRLEN];

		if (n < 0 || (size_t)n >= sizeof(name))
			n = sizeof(name) - 1;
		ent_uuid_v5(ENT_UUID_NAMESPACE, name, (size_t)n, u);
		snprintf(id, sizeof(id), "indicator--%s", u);
	}

	category = get_str(a, "category");
	comment = get_str(a, "comment");
	custom = json_object();
	if (custom == NULL)
		goto nomem;
	if (strcmp(c->ev_uuid, "?") != 0)
		json_object_set_new_nocheck(custom, "x_misp_event_uuid", json_string(c->ev_uuid));
	if (c->ev_info)
		json_object_set_new_nocheck(custom, "x_misp_event_info", json_string(c->ev_info));
	json_object_set_new_nocheck(custom, "x_misp_type", json_string(type));
	if (category)
		json_object_set_new_nocheck(custom, "x_misp_category", json_string(category));
	if (c->ev_dist >= 0)
		json_object_set_new_nocheck(custom, "x_misp_distribution",
		                            json_integer(c->ev_dist));
	/* 5 = "inherit event": the same as the event's level */
	if (get_int(json_object_get(a, "distribution"), &dist) && dist != 5 && dist != c->ev_dist)
		json_object_set_new_nocheck(custom, "x_misp_attribute_distribution",
		                            json_integer(dist));
	if (obj_name)
		json_object_set_new_nocheck(custom, "x_misp_object_name", json_string(obj_name));

	memset(&spec, 0, sizeof(spec));
	spec.id = id;
	spec.created = spec.modified = created;
	spec.valid_from = valid_from;
	spec.name = value;
	spec.pattern = c->pattern.data;
	spec.description = comment;
	spec.confidence = c->opts->default_confidence < 0 ? -1 : c->opts->default_confidence;
	spec.tlp = tlp;
	spec.created_by_ref = c->identity[0] ? c->identity : NULL;
	spec.labels = c->labels;
	spec.n_labels = n_labels;
	spec.custom = custom;
	if ((rc = ent_indicator_build(&spec, &ind, c->errbuf)) != ENT_OK) {
		ent_err_prefix(c->errbuf, "%s", base);
		json_decref(custom);
		return rc;
	}
	json_decref(custom);
	rc = c->sink->object(c->sink->ctx, ind, where, c->errbuf);
	json_decref(ind);
	return rc;
nomem:
	return ent_errf(c->errbuf, ENT_ENOMEM, "%s: out of memory", base);
}

static int convert_attributes(struct conv *c, json_t *list, const char *prefix,
                              const char *obj_name, bool obj_deleted)
{
	char base[WHERE_SIZE];
	size_t i;
	json_t *a;
	int rc;

	if (list == NULL || json_is_null(list))
		return ENT_OK;
	if (!json_is_array(list))
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'Attribute' is not an array", prefix);
	json_array_foreach(list, i, a)
	{
		snprintf(base, sizeof(base), "%s attribute %zu", prefix, i);
		if ((rc = convert_attribute(c, a, base, obj_name, obj_deleted)) != ENT_OK)
			return rc;
	}
	return ENT_OK;
}

/* ---- events ------------------------------------------------------------- */

static int convert_one_event(struct conv *c, json_t *ev, const char *ctx_where)
{
	char prefix[WHERE_SIZE], oprefix[WHERE_SIZE];
	const char *ev_tlp = NULL;
	json_t *objs, *o;
	int64_t n;
	size_t i;
	int rc;

	if (!json_is_object(ev))
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'Event' is not an object", ctx_where);
	c->ev_uuid = get_str(ev, "uuid");
	if (c->ev_uuid == NULL || *c->ev_uuid == '\0' || strlen(c->ev_uuid) > 64)
		c->ev_uuid = "?";
	c->ev_info = get_str(ev, "info");
	c->ev_dist =
	    get_int(json_object_get(ev, "distribution"), &n) && n >= 0 && n <= 5 ? (int)n : -1;
	c->ev_ts_ms = c->opts->timestamp_ms;
	if (get_int(json_object_get(ev, "timestamp"), &n))
		c->ev_ts_ms = n * 1000;
	snprintf(prefix, sizeof(prefix), "event %s", c->ev_uuid);
	c->n_ev_labels = 0;
	if ((rc = read_tags(c, json_object_get(ev, "Tag"), prefix, &ev_tlp, &c->n_ev_labels)) !=
	    ENT_OK)
		return rc;
	c->ev_tlp = ev_tlp;
	if ((rc = emit_identity(c, json_object_get(ev, "Orgc"))) != ENT_OK)
		return rc;
	if ((rc = convert_attributes(c, json_object_get(ev, "Attribute"), prefix, NULL, false)) !=
	    ENT_OK)
		return rc;
	objs = json_object_get(ev, "Object");
	if (objs == NULL || json_is_null(objs))
		return ENT_OK;
	if (!json_is_array(objs))
		return ent_errf(c->errbuf, ENT_EPARSE, "%s: 'Object' is not an array", prefix);
	json_array_foreach(objs, i, o)
	{
		snprintf(oprefix, sizeof(oprefix), "%s object %zu", prefix, i);
		if (!json_is_object(o))
			return ent_errf(c->errbuf, ENT_EPARSE, "%s: not an object", oprefix);
		rc = convert_attributes(c, json_object_get(o, "Attribute"), oprefix,
		                        get_str(o, "name"),
		                        get_bool(json_object_get(o, "deleted")) == 1);
		if (rc != ENT_OK)
			return rc;
	}
	return ENT_OK;
}

static bool looks_like_bare_event(json_t *root)
{
	json_t *a = json_object_get(root, "Attribute"), *o = json_object_get(root, "Object");

	if (!json_is_array(a) && !json_is_array(o))
		return false;
	return json_object_get(root, "info") || json_object_get(root, "Orgc") ||
	       json_object_get(root, "date") || json_object_get(root, "threat_level_id");
}

bool ent_misp_looks_like(json_t *root)
{
	json_t *r;

	if (!json_is_object(root))
		return false;
	r = json_object_get(root, "response");
	if (json_is_array(r))
		return json_array_size(r) > 0 &&
		       json_is_object(json_object_get(json_array_get(r, 0), "Event"));
	if (json_is_object(json_object_get(root, "Event")))
		return true;
	return looks_like_bare_event(root);
}

static int convert_root(struct conv *c, json_t *root)
{
	json_t *r, *e;
	char w[48];
	size_t i;
	int rc;

	if (!json_is_object(root))
		return ent_errf(c->errbuf, ENT_EPARSE, "not a MISP event: not a JSON object");
	if ((r = json_object_get(root, "response")) != NULL) {
		if (!json_is_array(r))
			return ent_errf(c->errbuf, ENT_EPARSE,
			                "'response' is not an array of events");
		json_array_foreach(r, i, e)
		{
			snprintf(w, sizeof(w), "response[%zu]", i);
			if (!json_is_object(e) || json_object_get(e, "Event") == NULL)
				return ent_errf(c->errbuf, ENT_EPARSE, "%s: no 'Event'", w);
			if ((rc = convert_one_event(c, json_object_get(e, "Event"), w)) != ENT_OK)
				return rc;
		}
		return ENT_OK;
	}
	if ((e = json_object_get(root, "Event")) != NULL)
		return convert_one_event(c, e, "Event");
	if (!looks_like_bare_event(root))
		return ent_errf(c->errbuf, ENT_EPARSE,
		                "not a MISP event: no 'response', 'Event' or 'Attribute'");
	return convert_one_event(c, root, "event");
}

static struct conv *conv_new(const struct ent_feed_opts *opts, const struct ent_feed_sink *sink,
                             char *errbuf)
{
	struct conv *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->opts = opts;
	c->sink = sink;
	c->errbuf = errbuf;
	ent_buf_init(&c->pattern, PATTERN_MAX);
	return c;
}

static void conv_free(struct conv *c)
{
	if (c == NULL)
		return;
	ent_buf_free(&c->pattern);
	free(c);
}

static int check_args(const struct ent_feed_opts *opts, const struct ent_feed_sink *sink,
                      char *errbuf)
{
	if (opts == NULL || sink == NULL || sink->object == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "no options or sink");
	if (opts->default_tlp != NULL && ent_tlp_parse(opts->default_tlp) == ENT_TLP_NONE)
		return ent_errf(errbuf, ENT_EINVAL, "unknown TLP level '%s'", opts->default_tlp);
	if (opts->default_confidence > 100)
		return ent_errf(errbuf, ENT_EINVAL, "confidence %d not in 0..100",
		                opts->default_confidence);
	return ENT_OK;
}

int ent_misp_convert_event(json_t *root, const struct ent_feed_opts *opts,
                           const struct ent_feed_sink *sink, char *errbuf)
{
	struct conv *c;
	int rc;

	if ((rc = check_args(opts, sink, errbuf)) != ENT_OK)
		return rc;
	if ((c = conv_new(opts, sink, errbuf)) == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = convert_root(c, root);
	conv_free(c);
	return rc;
}

/* ---- feed directories --------------------------------------------------- */

static json_t *load_file(const char *dir, const char *name, char *errbuf, int *rc)
{
	char path[4096];
	struct stat st;
	json_error_t jerr;
	json_t *root;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		*rc = ent_errf(errbuf, ENT_EINVAL, "%s: path too long", name);
		return NULL;
	}
	if (stat(path, &st) != 0) {
		*rc = ent_errf(errbuf, ENT_EIO, "%s: %s", name, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*rc = ent_errf(errbuf, ENT_EIO, "%s: not a regular file", name);
		return NULL;
	}
	if ((uint64_t)st.st_size > ENT_MISP_FILE_MAX) {
		*rc = ent_errf(errbuf, ENT_ELIMIT, "%s: larger than %u bytes", name,
		               ENT_MISP_FILE_MAX);
		return NULL;
	}
	if ((root = json_load_file(path, 0, &jerr)) == NULL) {
		*rc =
		    ent_errf(errbuf, jerr.line < 0 ? ENT_EIO : ENT_EPARSE,
		             "%s: line %d column %d: %s", name, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	return root;
}

bool ent_misp_looks_like_feed_dir(const char *dir)
{
	char path[4096];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/manifest.json", dir) >= sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int ent_misp_convert_feed_dir(const char *dir, const struct ent_feed_opts *opts,
                              const struct ent_feed_sink *sink, char *errbuf)
{
	json_t *manifest = NULL, *ev = NULL, *meta;
	struct conv *c = NULL;
	const char *uuid;
	char name[64];
	int rc;

	if ((rc = check_args(opts, sink, errbuf)) != ENT_OK)
		return rc;
	if ((manifest = load_file(dir, "manifest.json", errbuf, &rc)) == NULL)
		return rc;
	if (!json_is_object(manifest)) {
		rc = ent_errf(errbuf, ENT_EPARSE, "manifest.json: not a JSON object");
		goto out;
	}
	if ((c = conv_new(opts, sink, errbuf)) == NULL) {
		rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		goto out;
	}
	json_object_foreach(manifest, uuid, meta)
	{
		/* the key becomes a file name: only a UUID may (no "../") */
		if (!ent_uuid_valid(uuid, strlen(uuid))) {
			rc = ent_errf(errbuf, ENT_EPARSE,
			              "manifest.json: key '%.64s' is not a UUID", uuid);
			goto out;
		}
		snprintf(name, sizeof(name), "%s.json", uuid);
		if ((ev = load_file(dir, name, errbuf, &rc)) == NULL)
			goto out;
		if ((rc = convert_root(c, ev)) != ENT_OK) {
			ent_err_prefix(errbuf, "%s", name);
			goto out;
		}
		json_decref(ev);
		ev = NULL;
	}
	rc = ENT_OK;
out:
	json_decref(ev);
	json_decref(manifest);
	conv_free(c);
	return rc;
}
