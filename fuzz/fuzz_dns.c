/*
 * fuzz_dns.c - libFuzzer harness for the DNS message parser.
 * The input is one DNS message, parsed as UDP and as TCP payload.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink_emit(void *ctx, const struct ent_obs *o)
{
	size_t *total = ctx;

	*total += strlen(o->where) + strlen(o->value) + strlen(o->detail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;
	struct ent_obs_sink sink = {sink_emit, &total};

	(void)ent_dns_looks_like(data, size);
	(void)ent_dns_parse(data, size, "udp", &sink);
	(void)ent_dns_parse(data, size, "tcp", NULL);
	return 0;
}
