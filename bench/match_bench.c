/*
 * match_bench.c - the compiled matcher on a list of indicators (one value
 * per line, e.g. gen_intel's CSV): compile time, measured memory in bytes
 * per indicator, and lookups per second per kind (half of them hits).
 * Lines are "value" (the kind is detected) or "kind<TAB>value" (gen_intel
 * --tsv), since a JA3 and an MD5 look alike. Prints one JSON object.
 *
 *   match_bench LIST [LOOKUPS_PER_KIND]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/observable.h"
#include "core/timefmt.h"
#include "match/matcher.h"

#define QUERIES 8192

struct entry {
	enum ent_obs_kind kind;
	char *value;
};

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct entry *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	struct entry *e = NULL;
	size_t cap = 0;
	char line[8192], norm[ENT_OBS_VALUE_MAX], err[ENT_ERRBUF_SIZE];

	*n = 0;
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strcspn(line, "\r\n");
		char *v = line, *tab;
		enum ent_obs_kind k;

		if (len == 0 || line[0] == '#')
			continue;
		line[len] = '\0';
		tab = strchr(line, '\t');
		if (tab != NULL) {
			*tab = '\0';
			k = ent_obs_kind_from_name(line);
			v = tab + 1;
		} else {
			k = ent_obs_detect(line, len);
		}
		if (k == ENT_OBS_NONE ||
		    ent_obs_normalize(k, v, strlen(v), norm, sizeof(norm), err) != ENT_OK)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			e = realloc(e, cap * sizeof(*e));
			if (e == NULL)
				exit(1);
		}
		e[*n].kind = k;
		e[*n].value = strdup(norm);
		(*n)++;
	}
	fclose(f);
	return e;
}

int main(int argc, char **argv)
{
	size_t n, lookups = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000000;
	struct entry *e;
	struct ent_matcher_builder *b;
	struct ent_matcher *m;
	char err[ENT_ERRBUF_SIZE];
	uint64_t t0, t1;
	uint32_t refs[64];

	if (argc < 2) {
		fprintf(stderr, "usage: match_bench LIST [LOOKUPS_PER_KIND]\n");
		return 2;
	}
	e = load(argv[1], &n);
	if (e == NULL || n == 0) {
		fprintf(stderr, "match_bench: %s: no indicators\n", argv[1]);
		return 1;
	}
	t0 = ent_time_mono_ns();
	b = ent_matcher_builder_new(n);
	for (size_t i = 0; i < n; i++)
		if (ent_matcher_builder_add(b, e[i].kind, e[i].value, strlen(e[i].value),
		                            (uint32_t)i, 0) != ENT_OK) {
			fprintf(stderr, "match_bench: cannot add %s\n", e[i].value);
			return 1;
		}
	m = ent_matcher_build(b, err);
	t1 = ent_time_mono_ns();
	if (m == NULL) {
		fprintf(stderr, "match_bench: %s\n", err);
		return 1;
	}
	printf("{\"indicators\": %zu, \"compile_s\": %.3f, \"memory_bytes\": %zu, "
	       "\"bytes_per_indicator\": %.1f, \"lookups_per_s\": {",
	       n, (double)(t1 - t0) / 1e9, ent_matcher_memory(m),
	       (double)ent_matcher_memory(m) / (double)n);
	for (int k = 1, first = 1; k < ENT_OBS_KIND_COUNT; k++) {
		static char q[QUERIES][512];
		static uint32_t q4[QUERIES];
		static uint8_t q6[QUERIES][16];
		size_t have = 0, hits = 0;

		for (size_t i = 0; i < n && have < QUERIES / 2; i++)
			if (e[i].kind == (enum ent_obs_kind)k)
				snprintf(q[2 * have++], sizeof(q[0]), "%s", e[i].value);
		if (have == 0)
			continue;
		for (size_t i = 0; i < QUERIES; i++) {
			if (i % 2 == 1 || i / 2 >= have) /* a miss: the hit value changed */
				snprintf(q[i], sizeof(q[0]), "%s", q[2 * ((i / 2) % have)]),
				    q[i][strlen(q[i]) / 2] ^= 1;
			if (k == ENT_OBS_IPV4) {
				char *slash = strchr(q[i], '/');
				struct in_addr a = {0};

				if (slash)
					*slash = '\0';
				inet_pton(AF_INET, q[i], &a);
				q4[i] = ntohl(a.s_addr) ^ (uint32_t)(i % 2 ? rnd() : 0);
			} else if (k == ENT_OBS_IPV6) {
				char *slash = strchr(q[i], '/');

				if (slash)
					*slash = '\0';
				memset(q6[i], 0, 16);
				inet_pton(AF_INET6, q[i], q6[i]);
			}
		}
		t0 = ent_time_mono_ns();
		for (size_t i = 0; i < lookups; i++) {
			size_t j = i & (QUERIES - 1);

			if (k == ENT_OBS_IPV4)
				hits += ent_matcher_lookup_ip4(m, q4[j], refs, 64) > 0;
			else if (k == ENT_OBS_IPV6)
				hits += ent_matcher_lookup_ip6(m, q6[j], refs, 64) > 0;
			else
				hits += ent_matcher_lookup(m, (enum ent_obs_kind)k, q[j],
				                           strlen(q[j]), refs, 64) > 0;
		}
		t1 = ent_time_mono_ns();
		printf("%s\"%s\": %.0f", first ? "" : ", ", ent_obs_kind_name((enum ent_obs_kind)k),
		       (double)lookups / ((double)(t1 - t0) / 1e9));
		first = 0;
		(void)hits;
	}
	printf("}}\n");
	ent_matcher_free(m);
	for (size_t i = 0; i < n; i++)
		free(e[i].value);
	free(e);
	return 0;
}
