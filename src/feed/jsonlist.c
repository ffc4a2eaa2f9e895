/* jsonlist.c - values of a JSON list document (see jsonlist.h). */
#include "feed/jsonlist.h"

#include <string.h>

#include "core/observable.h"

#define MAX_DEPTH 16

static int add(struct ent_buf *out, const char *s, size_t len, long *n)
{
	int rc;

	/* a value never spans lines: one with a line break is not a value */
	if (len == 0 || memchr(s, '\n', len) != NULL || memchr(s, '\r', len) != NULL)
		return ENT_OK;
	rc = ent_buf_append(out, s, len);
	if (rc == ENT_OK)
		rc = ent_buf_append(out, "\n", 1);
	if (rc == ENT_OK)
		(*n)++;
	return rc;
}

static int walk(json_t *v, const char *key, struct ent_buf *out, long *n, int depth);

static int from_object_in_array(json_t *o, const char *key, struct ent_buf *out, long *n)
{
	const char *k;
	json_t *m;

	if (key != NULL) {
		m = json_object_get(o, key);
		return json_is_string(m) ? add(out, json_string_value(m), json_string_length(m), n)
		                         : ENT_OK;
	}
	json_object_foreach(o, k, m)
	{
		if (json_is_string(m) &&
		    ent_obs_detect(json_string_value(m), json_string_length(m)) != ENT_OBS_NONE)
			return add(out, json_string_value(m), json_string_length(m), n);
	}
	return ENT_OK;
}

static int walk_array(json_t *a, const char *key, struct ent_buf *out, long *n, int depth)
{
	json_t *e;
	size_t i;
	int rc = ENT_OK;

	json_array_foreach(a, i, e)
	{
		if (json_is_string(e))
			rc = add(out, json_string_value(e), json_string_length(e), n);
		else if (json_is_object(e))
			rc = from_object_in_array(e, key, out, n);
		else if (json_is_array(e))
			rc = walk(e, key, out, n, depth + 1);
		if (rc != ENT_OK)
			return rc;
	}
	return ENT_OK;
}

static int walk(json_t *v, const char *key, struct ent_buf *out, long *n, int depth)
{
	const char *k;
	json_t *m;
	int rc;

	if (depth > MAX_DEPTH)
		return ENT_OK;
	if (json_is_array(v))
		return walk_array(v, key, out, n, depth);
	if (!json_is_object(v))
		return ENT_OK;
	json_object_foreach(v, k, m)
	{
		rc = walk(m, key, out, n, depth + 1);
		if (rc != ENT_OK)
			return rc;
	}
	return ENT_OK;
}

long ent_jsonlist_extract(json_t *root, const char *key, struct ent_buf *out)
{
	long n = 0;
	int rc = walk(root, key, out, &n, 0);

	return rc == ENT_OK ? n : rc;
}
