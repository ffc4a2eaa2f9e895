/*
 * fuzz_allowlist.c - arbitrary bytes through the allowlist loaders
 * (trust/allowlist.h): as a MISP warninglist, and as an own text list of
 * each type; then a few lookups of each kind. The first byte picks the
 * text list's type, so the corpus explores all of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/allowlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		enum ent_obs_kind kind;
		const char *value;
	} probes[] = {
	    {ENT_OBS_IPV4, "10.1.2.3"},
	    {ENT_OBS_IPV6, "2001:db8::1"},
	    {ENT_OBS_IPV4, "10.0.0.0/8"},
	    {ENT_OBS_DOMAIN, "www.example.com"},
	    {ENT_OBS_URL, "http://user@a.example.net:8080/x?y"},
	    {ENT_OBS_EMAIL, "a@example.com"},
	    {ENT_OBS_MD5, "d41d8cd98f00b204e9800998ecf8427e"},
	};
	char err[ENT_ERRBUF_SIZE];
	struct ent_allowlists *a = ent_allowlists_new();
	struct ent_allowlist_hit hit;
	struct ent_allowlist_info info;

	if (a == NULL)
		return 0;
	(void)ent_allowlists_add_misp(a, "m", (const char *)data, size, ENT_AL_SUPPRESS, 0, err);
	if (size > 0)
		(void)ent_allowlists_add_text(a, "t", (const char *)data + 1, size - 1,
		                              (enum ent_allowlist_type)(data[0] % 5), ENT_AL_LOWER,
		                              1 + data[0] % 100, err);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (ent_allowlists_match(a, probes[i].kind, probes[i].value, &hit) &&
		    (hit.list == NULL || strlen(hit.list) == 0))
			abort();
	for (size_t i = 0; ent_allowlists_info(a, i, &info); i++)
		if (info.name == NULL || info.source == NULL)
			abort();
	ent_allowlists_free(a);
	return 0;
}
