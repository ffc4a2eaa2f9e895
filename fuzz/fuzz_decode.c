/*
 * fuzz_decode.c - one packet through the whole packet path.
 *
 * The first byte picks the link type; the rest is the frame. A persistent
 * pipeline (small bounds) sees every input, so flows, fragments and TCP
 * streams built by earlier inputs meet later ones, as in a real capture.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#include "net/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {1, 0, 101, 108, 113, 228, 229, 276};

static void on_event(void *ctx, const struct ent_pkt_event *ev)
{
	size_t *n = ctx;

	if (ev->obs != NULL)
		*n += strlen(ev->obs->value) + strlen(ev->obs->detail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ent_pipeline *p;
	static size_t sink;
	static uint64_t frame;
	struct ent_pipeline_config cfg = {
	    .max_flows = 256,
	    .max_bytes = 1u << 20,
	    .reasm_window = 16384,
	    .reasm_max_segs = 16,
	    .defrag = {.max_datagrams = 64, .max_fragments = 16},
	    .flow_end_events = true,
	};
	struct timeval ts;

	if (p == NULL) {
		p = ent_pipeline_new(&cfg, on_event, &sink, NULL);
		if (p == NULL)
			return 0;
	}
	if (size < 2)
		return 0;
	frame++;
	ts.tv_sec = (time_t)(frame / 16);
	ts.tv_usec = 0;
	ent_pipeline_packet(p, frame, &ts, linktypes[data[0] % 8], data + 1, (uint32_t)(size - 1),
	                    (uint32_t)(size - 1));
	if (frame % 4096 == 0)
		ent_pipeline_finish(p);
	return 0;
}
