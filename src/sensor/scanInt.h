/* scanInt.h - the scan's private parts: one worker and its tallies. */
#ifndef ENT_SENSOR_SCANINT_H
#define ENT_SENSOR_SCANINT_H

#include <pthread.h>

#include "core/buf.h"
#include "net/pipeline.h"
#include "sensor/scan.h"
#include "trust/allowlist.h"

/* A sighting being tallied by one worker. */
struct tally {
	uint64_t count;
	int64_t first_ms, last_ms;
	struct ent_store_sighting_flow *flows;
	size_t n_flows, cap_flows;
	struct ent_buf strings; /* NUL-separated strings the flows point into (by offset) */
	size_t *offs;           /* per flow: 5 string offsets (src, dst, where, value, -) */
};

/* An (alert flow, indicator) pair already reported: open addressing. */
struct seen_set {
	uint64_t *keys; /* 0 = empty */
	size_t cap, used;
};

struct worker {
	const struct ent_intel *intel;
	const struct ent_scan_opts *opts;
	struct ent_pipeline *pipe;
	unsigned id;
	struct tally **tallies; /* by ref, allocated on first sighting */
	uint32_t *tally_refs;   /* the refs that have a tally, in the order seen */
	size_t n_tally_refs, cap_tally_refs;
	struct seen_set seen;
	struct ent_buf out; /* alerts waiting to be written */
	pthread_mutex_t *out_lock;
	uint64_t alerts, observables;
	const char *pcap_name; /* the file being read (for alerts) */
	char err[ENT_ERRBUF_SIZE];
};

int ent_scan_worker_init(struct worker *w, unsigned id, const struct ent_intel *intel,
                         const struct ent_scan_opts *opts, pthread_mutex_t *out_lock);
void ent_scan_worker_flush(struct worker *w);
void ent_scan_worker_destroy(struct worker *w);

/* The alert of one match as one EVE JSON line (with '\n') appended to out. */
/* allow: the allowlist hit of the value (inform, lower), or NULL;
 * confidence: the indicator's, after the hit lowered it. */
int ent_scan_alert_format(struct ent_buf *out, const struct ent_intel_indicator *ind,
                          const struct ent_pkt_event *ev, uint64_t flow_id, const char *value,
                          const char *pcap_name, const struct ent_allowlist_hit *allow,
                          int confidence) ENT_MUST_CHECK;

/* A flow id that depends on the flow only: the same with any thread count. */
uint64_t ent_scan_flow_id(const struct ent_flow_info *f);

#endif
