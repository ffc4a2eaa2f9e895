/* prepare.c - checking and reducing one object for the store (see prepare.h). */
#include "feed/prepare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/pattern.h"

/* Normalized values of one indicator: at most 256 of at most 4 KiB. */
#define VALUES_MAX (ENT_PREPARED_MAX_OBS * ENT_OBS_VALUE_MAX)
/* JSON values in one object: generous for STIX, bounded against bombs */
#define OBJECT_TOKENS_MAX (1u << 20)
/* buffers larger than this are freed after use rather than kept */
#define KEEP_TOKENS 4096
#define KEEP_BYTES  (256u * 1024)

void ent_prepared_init(struct ent_prepared *p)
{
	memset(p, 0, sizeof(*p));
	ent_json_init(&p->doc, OBJECT_TOKENS_MAX);
	ent_buf_init(&p->values, VALUES_MAX);
}

/* At most this much of each buffer is prefetched: the head of a big
 * object is all the store reads soon. */
#define PREFETCH_MAX 2048

static void prefetch_bytes(const void *p, size_t len)
{
	const char *c = p;

	if (c == NULL)
		return;
	if (len > PREFETCH_MAX)
		len = PREFETCH_MAX;
	for (size_t off = 0; off < len; off += 64)
		__builtin_prefetch(c + off);
}

void ent_prepared_prefetch(const struct ent_prepared *p)
{
	prefetch_bytes(p->doc.scratch, p->doc.scratch_len);
	prefetch_bytes(p->json, p->json_len);
	prefetch_bytes(p->values.data, p->values.len);
}

size_t ent_prepared_footprint(const struct ent_prepared *p)
{
	return sizeof(*p) + (size_t)p->doc.cap * sizeof(*p->doc.tok) + p->doc.scratch_cap +
	       p->values.cap + (p->json_owned != NULL ? p->json_len + 1 : 0);
}

void ent_prepared_clear(struct ent_prepared *p)
{
	if (p->doc.cap > KEEP_TOKENS || p->doc.scratch_cap > KEEP_BYTES) {
		ent_json_free(&p->doc);
		ent_json_init(&p->doc, OBJECT_TOKENS_MAX);
	}
	if (p->values.cap > KEEP_BYTES)
		ent_buf_free(&p->values);
	free(p->json_owned);
	p->json_owned = NULL;
	p->json = NULL;
	p->n_obs = 0;
	p->not_matchable = NULL;
	p->has_offset = false;
	p->id_hash = 0;
	ent_buf_reset(&p->values);
}

void ent_prepared_free(struct ent_prepared *p)
{
	ent_prepared_clear(p);
	ent_json_free(&p->doc);
	ent_buf_free(&p->values);
}

void ent_import_count_reason(struct ent_import_summary *sum, const char *reason)
{
	size_t i;

	for (i = 0; i < sum->n_reasons; i++)
		if (strcmp(sum->reasons[i].reason, reason) == 0)
			break;
	if (i == sum->n_reasons) {
		if (i == ENT_IMPORT_MAX_REASONS) {
			i--; /* the last slot collects the rest */
			snprintf(sum->reasons[i].reason, sizeof(sum->reasons[i].reason), "other");
		} else {
			snprintf(sum->reasons[i].reason, sizeof(sum->reasons[i].reason), "%s",
			         reason);
			sum->reasons[i].count = 0;
			sum->n_reasons++;
		}
	}
	sum->reasons[i].count++;
	sum->not_matchable++;
}

/* Reduces the indicator's pattern to normalized observables in p. */
static int reduce_pattern(struct ent_prepared *p, struct ent_import_summary *sum, char *errbuf)
{
	struct ent_pattern_obs pobs[ENT_PREPARED_MAX_OBS];
	size_t offs[ENT_PREPARED_MAX_OBS];
	char perr[ENT_ERRBUF_SIZE], norm[ENT_OBS_VALUE_MAX];
	struct ent_pattern *pat;
	size_t n, off = 0;

	if (strcmp(p->so.pattern_type, "stix") != 0) {
		snprintf(p->reason, sizeof(p->reason), "pattern_type '%.40s'", p->so.pattern_type);
		p->not_matchable = p->reason;
		return ENT_OK;
	}
	pat = ent_pattern_parse(p->so.pattern, p->so.pattern_len, &off, perr);
	if (pat == NULL)
		return ent_errf(errbuf, ENT_EINVAL, "invalid pattern: %s", perr);
	n = ent_pattern_observables(pat, pobs, ENT_PREPARED_MAX_OBS, p->reason, sizeof(p->reason));
	for (size_t i = 0; i < n && i < ENT_PREPARED_MAX_OBS; i++) {
		char why[ENT_ERRBUF_SIZE];

		if (ent_obs_normalize(pobs[i].kind, pobs[i].value, pobs[i].len, norm, sizeof(norm),
		                      why) != ENT_OK) {
			char r[96];

			snprintf(r, sizeof(r), "invalid %s value", ent_obs_kind_name(pobs[i].kind));
			ent_import_count_reason(sum, r);
			continue;
		}
		offs[p->n_obs] = p->values.len;
		if (ent_buf_append(&p->values, norm, strlen(norm) + 1) != ENT_OK) {
			ent_pattern_free(pat);
			return ent_errf(errbuf, ENT_ELIMIT, "too many observable values");
		}
		p->obs[p->n_obs].kind = pobs[i].kind;
		p->n_obs++;
	}
	ent_pattern_free(pat);
	/* the buffer has stopped moving: point into it */
	for (size_t i = 0; i < p->n_obs; i++)
		p->obs[i].value = p->values.data + offs[i];
	if (n == 0) {
		p->not_matchable = p->reason;
	} else if (p->n_obs == 0) {
		snprintf(p->reason, sizeof(p->reason), "no valid observable value");
		p->not_matchable = p->reason;
	}
	return ENT_OK;
}

int ent_prepare_object(struct ent_prepared *p, const char *json, size_t len,
                       struct ent_import_summary *sum, size_t *err_off, char *errbuf)
{
	int rc;

	memset(&p->so, 0, sizeof(p->so));
	rc = ent_json_parse(&p->doc, json, len, err_off, errbuf);
	if (rc != ENT_OK)
		return rc;
	rc = ent_stix_object_check(&p->doc, 0, &p->so, errbuf);
	if (rc != ENT_OK)
		return rc;
	sum->objects++;
	if (strcmp(p->so.type, "indicator") != 0)
		return ENT_OK;
	rc = reduce_pattern(p, sum, errbuf);
	if (rc != ENT_OK)
		return rc;
	sum->indicators++;
	sum->observables += p->n_obs;
	if (p->not_matchable != NULL)
		ent_import_count_reason(sum, p->not_matchable);
	return ENT_OK;
}

void ent_prepared_to_store(const struct ent_prepared *p, enum ent_tlp default_tlp,
                           int default_confidence, struct ent_store_object *o)
{
	const struct ent_stix_object *so = &p->so;
	bool is_indicator = strcmp(so->type, "indicator") == 0;

	*o = (struct ent_store_object){
	    .stix_id = so->id,
	    .type = so->type,
	    .version_ms = so->version_ms,
	    .revoked = so->revoked,
	    .created_by_ref = so->created_by_ref,
	    .confidence = so->confidence >= 0 ? so->confidence : default_confidence,
	    .tlp = ent_tlp_name(so->tlp != ENT_TLP_NONE ? so->tlp : default_tlp),
	    .json = p->json,
	    .json_len = p->json_len,
	    .name = so->name,
	    .pattern_type = so->pattern_type,
	    .valid_from = so->valid_from,
	    .valid_until = so->valid_until,
	    .not_matchable = is_indicator ? p->not_matchable : NULL,
	    .obs = p->obs,
	    .n_obs = p->n_obs,
	    .id_hash = p->id_hash,
	};
}
