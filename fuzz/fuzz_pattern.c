/*
 * fuzz_pattern.c - libFuzzer target for the STIX pattern module.
 *
 * Parses the input; when it parses, formats it, checks that the canonical
 * text parses again and formats to the same text (format is a fixpoint;
 * skipped when canonical spacing pushed the text over the length limit),
 * and extracts the observables, checking that every value lies inside the
 * pattern and is NUL-terminated. Any violation aborts, which libFuzzer
 * reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_observables(const struct ent_pattern *p)
{
	struct ent_pattern_obs out[64];
	char reason[96];
	size_t n = ent_pattern_observables(p, out, 64, reason, sizeof(reason));

	if (n == 0 && reason[0] == '\0')
		abort(); /* never a silent refusal */
	for (size_t i = 0; i < n; i++) {
		if (out[i].kind <= ENT_OBS_NONE || out[i].kind >= ENT_OBS_KIND_COUNT)
			abort();
		if (out[i].value[out[i].len] != '\0')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ENT_ERRBUF_SIZE];
	size_t off = 0;
	struct ent_pattern *p, *q;
	struct ent_buf a, b;

	p = ent_pattern_parse((const char *)data, size, &off, err);
	if (p == NULL) {
		if (off > size || strncmp(err, "offset ", 7) != 0)
			abort();
		return 0;
	}
	ent_buf_init(&a, 4u << 20);
	ent_buf_init(&b, 4u << 20);
	if (ent_pattern_format(p, &a) != ENT_OK)
		abort();
	if (a.len > ENT_PATTERN_MAX_LEN) {
		/* the canonical spacing can push a compact pattern that was
		 * near the limit over it; nothing to re-parse then */
		check_observables(p);
		goto out;
	}
	q = ent_pattern_parse(a.data, a.len, &off, err);
	if (q == NULL) {
		fprintf(stderr, "canonical text does not parse: %s\n%s\n", err, a.data);
		abort();
	}
	if (ent_pattern_format(q, &b) != ENT_OK || a.len != b.len ||
	    memcmp(a.data, b.data, a.len) != 0) {
		fprintf(stderr, "format is not a fixpoint:\n%s\n%s\n", a.data,
		        b.data ? b.data : "");
		abort();
	}
	check_observables(p);
	check_observables(q);
	ent_pattern_free(q);
out:
	ent_pattern_free(p);
	ent_buf_free(&a);
	ent_buf_free(&b);
	return 0;
}
