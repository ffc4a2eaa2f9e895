/*
 * fuzz_http.c - libFuzzer harness for the HTTP request parser.
 * The first byte chooses the segment size with which the rest is fed to a
 * stream; the rest is also parsed as a datagram (SSDP).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink_emit(void *ctx, const struct ent_obs *o)
{
	size_t *total = ctx;

	*total += strlen(o->where) + strlen(o->value) + strlen(o->detail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0, seg;
	struct ent_obs_sink sink = {sink_emit, &total};
	struct ent_http_stream *s;

	if (size < 1)
		return 0;
	seg = (size_t)data[0] + 1;
	data++;
	size--;
	(void)ent_http_looks_like_request(data, size);
	s = ent_http_stream_new();
	if (s == NULL)
		return 0;
	for (size_t off = 0; off < size && !ent_http_stream_done(s); off += seg) {
		size_t n = size - off < seg ? size - off : seg;

		(void)ent_http_stream_feed(s, data + off, n, &sink);
	}
	ent_http_stream_free(s);
	(void)ent_http_datagram_parse(data, size, &sink);
	return 0;
}
