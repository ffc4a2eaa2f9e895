/*
 * scan.h - the scan pipeline: capture files in, alerts and sightings out.
 *
 * Every worker (the calling thread is the first) reads the files in order
 * and numbers the frames; with threads > 1 each processes only the frames
 * whose symmetric hash of the IP address pair is its own, so both
 * directions of a flow and all its fragments meet in one worker. Each
 * worker has its own packet path
 * (src/net/pipeline.h), alert de-duplication and sighting tallies; they are
 * merged at the end, so the alerts and sightings are the same set whatever
 * the number of threads (flow ids are a hash of the flow, not of a worker).
 */
#ifndef ENT_SENSOR_SCAN_H
#define ENT_SENSOR_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "net/counters.h"
#include "sensor/intel.h"

#define ENT_SCAN_MAX_THREADS 64

struct ent_scan_opts {
	unsigned threads;      /* 1..ENT_SCAN_MAX_THREADS */
	FILE *alerts;          /* EVE JSON lines, or NULL */
	FILE *observables;     /* TSV of every observable (forces one thread), or NULL */
	bool progress;         /* a progress bar on a terminal */
	uint32_t max_flows;    /* per worker; 0 = default */
	uint32_t flow_timeout; /* seconds; 0 = defaults */
};

/* What one indicator was seen doing during the scan. */
struct ent_scan_sighting {
	uint32_t ref;   /* index into intel->ind */
	uint64_t count; /* alerts (flows) */
	int64_t first_ms, last_ms;
	struct ent_store_sighting_flow *flows; /* the first ENT_SIGHTING_MAX_FLOWS */
	size_t n_flows;
	char *strings; /* owned storage of the flows' strings */
};

struct ent_scan_result {
	uint64_t files;
	uint64_t files_failed;
	uint64_t packets;
	uint64_t bytes;
	uint64_t flows;
	uint64_t alerts;
	uint64_t observables;
	struct ent_net_counters counters;
	double elapsed_s;
	struct ent_scan_sighting *sightings; /* in the order of intel->ind */
	size_t n_sightings;
	char first_error[ENT_ERRBUF_SIZE]; /* the first damaged-file message, if any */
};

/* Scans the files. Damaged files are scanned as far as they go and counted
 * in files_failed (the message of the first in first_error); the scan goes
 * on with the next. Caller frees the result with ent_scan_result_free. */
int ent_scan_run(const struct ent_intel *intel, char *const *paths, size_t n_paths,
                 const struct ent_scan_opts *opts, struct ent_scan_result *res,
                 char *errbuf) ENT_MUST_CHECK;
void ent_scan_result_free(struct ent_scan_result *res);

#endif
