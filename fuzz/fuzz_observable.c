/*
 * fuzz_observable.c - libFuzzer target for core/observable.c.
 *
 * Input: one byte choosing the kind, then the value. Besides "no crash",
 * checks the properties the matcher relies on:
 *   - a normal form is a fixpoint: normalize(normalize(v)) == normalize(v);
 *   - a normal form fits in ENT_OBS_VALUE_MAX and is NUL-terminated;
 *   - ent_obs_detect_normalize agrees with ent_obs_detect + ent_obs_normalize.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/observable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out[ENT_OBS_VALUE_MAX], again[ENT_OBS_VALUE_MAX], det[ENT_OBS_VALUE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ent_obs_kind kind, k;
	const char *v;
	size_t len;
	char err[ENT_ERRBUF_SIZE];

	if (size < 1)
		return 0;
	kind = (enum ent_obs_kind)(data[0] % (ENT_OBS_KIND_COUNT + 1));
	v = (const char *)data + 1;
	len = size - 1;

	if (ent_obs_normalize(kind, v, len, out, sizeof(out), err) == ENT_OK) {
		size_t n = strlen(out);

		if (n == 0 || n >= ENT_OBS_VALUE_MAX)
			abort();
		if (ent_obs_normalize(kind, out, n, again, sizeof(again), err) != ENT_OK ||
		    strcmp(out, again) != 0)
			abort(); /* not a fixpoint */
	}
	k = ent_obs_detect(v, len);
	if (ent_obs_detect_normalize(v, len, det, sizeof(det)) != k)
		abort();
	if (k != ENT_OBS_NONE) {
		if (ent_obs_normalize(k, v, len, out, sizeof(out), NULL) != ENT_OK ||
		    strcmp(out, det) != 0)
			abort();
	} else if (det[0] != '\0') {
		abort();
	}
	(void)ent_obs_kind_from_name(ent_obs_kind_name(kind));
	return 0;
}
