/*
 * scan.c - the workers (see scan.h).
 *
 * Every worker reads every file and processes the frames whose shard
 * (ent_frame_shard) is its own. Classic pcap files are mapped
 * (pcap_file.c), and the workers share the walk through their records:
 * whichever worker is ahead reads the next block of records into a shared
 * index (frame_index.c) and each worker takes its own frames from it, so no
 * frame is copied and no worker waits on a dedicated reader. What the index
 * does not cover (pcapng, damaged or unusual records, the end of a file)
 * each worker reads on its own, skipping the frames of the others. Worker
 * 0 runs on the calling thread and is the one that counts files, frames
 * and errors and reports progress; the others see the same files and the
 * same records.
 *
 * Frames read from a mapping stay valid, so they are handed to the packet
 * path in batches (ent_pipeline_packets looks ahead in them to warm the
 * flow table); a frame libpcap read (pcapng, a damaged record) goes alone.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/progress.h"
#include "core/timefmt.h"
#include "net/pcap_file.h"
#include "sensor/frame_index.h"
#include "sensor/scanInt.h"

#define BATCH           64 /* frames handed to the packet path at once */
#define PREFETCH_FRAMES 8  /* records of its own a worker prefetches ahead */

struct scan_ctx {
	char *const *paths;
	size_t n_paths;
	unsigned n;
	struct thread_ctx *ts;
	struct ent_progress *prog;
	/* shared walks through mapped files; NULL: every worker reads alone */
	struct ent_frame_indexes *indexes;
	/* the threads start together, once it is known that all could start
	 * (a worker run after worker 0 would leave it waiting in an index) */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate;
	bool gate_open;
};

struct thread_ctx {
	struct worker w;
	struct scan_ctx *sc;
	pthread_t tid;
	bool threaded;
	/* what this worker saw (worker 0's figures are the scan's) */
	uint64_t files, files_failed, packets, bytes;
	char first_error[ENT_ERRBUF_SIZE];
	struct ent_pipeline_frame batch[BATCH];
	size_t nbatch;
	char pad[128]; /* the workers' hot fields stay off each other's cache lines */
};

static void flush_batch(struct thread_ctx *t)
{
	if (t->nbatch > 0)
		ent_pipeline_packets(t->w.pipe, t->batch, t->nbatch);
	t->nbatch = 0;
}

static void note_error(struct thread_ctx *t, const char *msg)
{
	t->files_failed++;
	if (t->first_error[0] == '\0')
		snprintf(t->first_error, sizeof(t->first_error), "%s", msg);
}

static void progress(struct thread_ctx *t, uint64_t done)
{
	char extra[64];
	uint64_t alerts = 0;

	for (unsigned i = 0; i < t->sc->n; i++)
		alerts += __atomic_load_n(&t->sc->ts[i].w.alerts, __ATOMIC_RELAXED);
	snprintf(extra, sizeof(extra), "%llu packets, %llu alerts", (unsigned long long)t->packets,
	         (unsigned long long)alerts);
	ent_progress_update(t->sc->prog, done, extra);
}

static void add_frame(struct thread_ctx *t, const struct ent_pcap_rec *rec, int linktype)
{
	if (!rec->stable) {
		flush_batch(t);
		ent_pipeline_packet(t->w.pipe, rec->frame, &rec->ts, linktype, rec->data,
		                    rec->caplen, rec->wirelen);
		return;
	}
	t->batch[t->nbatch++] = (struct ent_pipeline_frame){
	    .frame = rec->frame,
	    .ts = rec->ts,
	    .data = rec->data,
	    .caplen = rec->caplen,
	    .wirelen = rec->wirelen,
	    .linktype = linktype,
	};
	if (t->nbatch == BATCH)
		flush_batch(t);
}

/* This worker's frames of the blocks of ix, up to the last block; pf is
 * then where reading on its own goes on. */
static void read_indexed(struct thread_ctx *t, struct ent_pcap_file *pf, struct ent_frame_index *ix,
                         uint64_t done_bytes, int linktype)
{
	uint64_t off = ent_pcap_file_offset(pf), frames = ent_pcap_file_frames(pf);
	unsigned me = t->w.id;
	struct ent_pcap_rec rec;
	bool last = false;

	struct ent_frame_block own; /* a block read again (frame_index.h) */

	for (uint64_t b = 0; !last; b++) {
		const struct ent_frame_block *k =
		    ent_frame_index_block(ix, b, pf, off, frames, &own);

		/* this worker's records were read by another core, maybe long
		 * ago: each is prefetched PREFETCH_FRAMES of its own ahead */
		uint32_t j = 0, ahead = 0;

		for (uint32_t i = 0; i < k->n; i++) {
			uint64_t e = k->e[i];

			for (; j < k->n && ahead < PREFETCH_FRAMES; j++)
				if ((k->e[j] & 0xff) == me) {
					ent_pcap_file_prefetch(pf, k->e[j] >> 8);
					ahead++;
				}
			if ((e & 0xff) != me)
				continue;
			ahead--;
			if (ent_pcap_file_record_at(pf, e >> 8, k->first_frame + i + 1, &rec))
				add_frame(t, &rec, linktype);
		}
		off = k->end_off;
		frames = k->end_frames;
		last = k->last;
		if (me == 0) {
			t->packets += k->n;
			t->bytes += k->bytes;
			progress(t, done_bytes + off);
		}
		ent_frame_index_pass(ix, me, b);
	}
	ent_pcap_file_seek(pf, off, frames);
}

static void scan_file(struct thread_ctx *t, size_t fi, uint64_t done_bytes)
{
	const struct scan_ctx *sc = t->sc;
	char ferr[ENT_ERRBUF_SIZE];
	struct ent_pcap_file *pf = ent_pcap_file_open(sc->paths[fi], ferr);
	struct ent_frame_index *ix = sc->indexes ? ent_frame_index_join(sc->indexes, fi) : NULL;
	struct ent_pcap_rec rec;
	int linktype, r;

	if (ix != NULL && (pf == NULL || !ent_pcap_file_mapped(pf))) {
		ent_frame_index_leave(sc->indexes, ix, t->w.id);
		ix = NULL;
	}
	if (pf == NULL) {
		note_error(t, ferr);
		return;
	}
	t->files++;
	linktype = ent_pcap_file_linktype(pf);
	t->w.pcap_name = sc->paths[fi];
	if (ix != NULL) {
		read_indexed(t, pf, ix, done_bytes, linktype);
		ent_frame_index_leave(sc->indexes, ix, t->w.id);
	}
	while ((r = ent_pcap_file_next(pf, &rec, ferr)) == 1) {
		t->packets++;
		t->bytes += rec.caplen;
		if (t->w.id == 0 && (t->packets & 1023) == 0)
			progress(t, done_bytes + ent_pcap_file_offset(pf));
		if (sc->n > 1 && ent_frame_shard(linktype, rec.data, rec.caplen, sc->n) != t->w.id)
			continue;
		add_frame(t, &rec, linktype);
	}
	flush_batch(t); /* before the mapping goes */
	/* each file is a capture of its own: its flows end with it, so the
	 * result does not depend on how flows were spread over workers */
	ent_pipeline_finish(t->w.pipe);
	if (r < 0)
		note_error(t, ferr);
	ent_pcap_file_close(pf);
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void *worker_main(void *arg)
{
	struct thread_ctx *t = arg;
	uint64_t done = 0;

	for (size_t f = 0; f < t->sc->n_paths; f++) {
		scan_file(t, f, done);
		if (t->w.id == 0)
			done += file_size(t->sc->paths[f]);
	}
	ent_scan_worker_flush(&t->w);
	return NULL;
}

/* A worker on a thread of its own: starts when the gate opens. */
static void *thread_main(void *arg)
{
	struct thread_ctx *t = arg;
	struct scan_ctx *sc = t->sc;

	pthread_mutex_lock(&sc->gate_lock);
	while (!sc->gate_open)
		pthread_cond_wait(&sc->gate, &sc->gate_lock);
	pthread_mutex_unlock(&sc->gate_lock);
	return worker_main(t);
}

static int cmp_flow(const void *a, const void *b)
{
	const struct ent_store_sighting_flow *x = a, *y = b;

	if (x->seen_ms != y->seen_ms)
		return x->seen_ms < y->seen_ms ? -1 : 1;
	return x->flow_id < y->flow_id ? -1 : x->flow_id > y->flow_id;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Merges the workers' tallies into res->sightings, in indicator order. Only
 * the indicators some worker tallied are visited (a million-indicator intel
 * has a few hundred sightings). */
static int merge_tallies(const struct ent_intel *intel, struct thread_ctx *ts, unsigned n,
                         struct ent_scan_result *res, char *errbuf)
{
	uint32_t *refs;
	size_t nrefs = 0, m = 0;
	int rc = ENT_OK;

	if (intel == NULL || intel->n_ind == 0)
		return ENT_OK;
	for (unsigned i = 0; i < n; i++)
		nrefs += ts[i].w.n_tally_refs;
	refs = malloc((nrefs ? nrefs : 1) * sizeof(*refs));
	res->sightings = calloc(nrefs ? nrefs : 1, sizeof(*res->sightings));
	if (refs == NULL || res->sightings == NULL) {
		free(refs);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < n; i++)
		for (size_t j = 0; j < ts[i].w.n_tally_refs; j++)
			refs[m++] = ts[i].w.tally_refs[j];
	qsort(refs, nrefs, sizeof(*refs), cmp_u32);
	for (size_t r = 0; r < nrefs; r++) {
		uint32_t ref = refs[r];
		struct ent_scan_sighting *sg = &res->sightings[res->n_sightings];
		size_t total_flows = 0, bytes = 0, pos = 0;
		bool any = false;

		if (r > 0 && refs[r - 1] == ref)
			continue; /* tallied by more than one worker: merged once */
		for (unsigned i = 0; i < n; i++) {
			struct tally *t = ts[i].w.tallies ? ts[i].w.tallies[ref] : NULL;

			if (t == NULL)
				continue;
			if (!any || t->first_ms < sg->first_ms)
				sg->first_ms = t->first_ms;
			if (!any || t->last_ms > sg->last_ms)
				sg->last_ms = t->last_ms;
			any = true;
			sg->count += t->count;
			total_flows += t->n_flows;
			bytes += t->strings.len;
		}
		if (!any)
			continue;
		sg->ref = (uint32_t)ref;
		sg->flows = calloc(total_flows ? total_flows : 1, sizeof(*sg->flows));
		sg->strings = malloc(bytes ? bytes : 1);
		res->n_sightings++;
		if (sg->flows == NULL || sg->strings == NULL) {
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			break;
		}
		for (unsigned i = 0; i < n; i++) {
			struct tally *t = ts[i].w.tallies ? ts[i].w.tallies[ref] : NULL;

			if (t == NULL)
				continue;
			memcpy(sg->strings + pos, t->strings.data, t->strings.len);
			for (size_t k = 0; k < t->n_flows; k++) {
				struct ent_store_sighting_flow *f = &sg->flows[sg->n_flows++];
				const size_t *off = &t->offs[k * 4];

				*f = t->flows[k];
				f->src = sg->strings + pos + off[0];
				f->dst = sg->strings + pos + off[1];
				f->where = sg->strings + pos + off[2];
				f->value = sg->strings + pos + off[3];
			}
			pos += t->strings.len;
		}
		qsort(sg->flows, sg->n_flows, sizeof(*sg->flows), cmp_flow);
		if (sg->n_flows > ENT_SIGHTING_MAX_FLOWS)
			sg->n_flows = ENT_SIGHTING_MAX_FLOWS;
	}
	free(refs);
	return rc;
}

static uint64_t total_size(char *const *paths, size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += file_size(paths[i]);
	return total;
}

int ent_scan_run(const struct ent_intel *intel, char *const *paths, size_t n_paths,
                 const struct ent_scan_opts *opts, struct ent_scan_result *res, char *errbuf)
{
	unsigned n = opts->observables != NULL ? 1 : opts->threads;
	pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
	struct thread_ctx *ts;
	struct ent_progress prog;
	struct scan_ctx sc = {.paths = paths, .n_paths = n_paths, .prog = &prog};
	uint64_t t0 = ent_time_mono_ns();
	bool all_threads;
	int rc = ENT_OK;

	memset(res, 0, sizeof(*res));
	if (n < 1 || n > ENT_SCAN_MAX_THREADS)
		return ent_errf(errbuf, ENT_EINVAL, "threads must be 1-%d", ENT_SCAN_MAX_THREADS);
	ts = calloc(n, sizeof(*ts));
	if (ts == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	sc.n = n;
	sc.ts = ts;
	for (unsigned i = 0; i < n; i++) {
		ts[i].sc = &sc;
		rc = ent_scan_worker_init(&ts[i].w, i, intel, opts, &out_lock);
		if (rc != ENT_OK) {
			snprintf(errbuf, ENT_ERRBUF_SIZE, "%s", ts[i].w.err);
			for (unsigned k = 0; k <= i; k++)
				ent_scan_worker_destroy(&ts[k].w);
			free(ts);
			return rc;
		}
	}
	ent_progress_init(&prog, "scanning", total_size(paths, n_paths), opts->progress);
	pthread_mutex_init(&sc.gate_lock, NULL);
	pthread_cond_init(&sc.gate, NULL);
	all_threads = true;
	for (unsigned i = 1; i < n; i++) {
		ts[i].threaded = pthread_create(&ts[i].tid, NULL, thread_main, &ts[i]) == 0;
		all_threads = all_threads && ts[i].threaded;
	}
	/* without the index (one thread, a thread that could not start, no
	 * memory for it) every worker reads on its own: the same frames */
	if (n > 1 && all_threads)
		sc.indexes = ent_frame_indexes_new(n);
	pthread_mutex_lock(&sc.gate_lock);
	sc.gate_open = true;
	pthread_cond_broadcast(&sc.gate);
	pthread_mutex_unlock(&sc.gate_lock);
	worker_main(&ts[0]);
	for (unsigned i = 1; i < n; i++) {
		if (ts[i].threaded)
			pthread_join(ts[i].tid, NULL);
		else
			worker_main(&ts[i]); /* no thread to be had: the work is the same */
	}
	ent_progress_end(&prog);
	ent_frame_indexes_free(sc.indexes);
	pthread_cond_destroy(&sc.gate);
	pthread_mutex_destroy(&sc.gate_lock);
	res->files = ts[0].files;
	res->files_failed = ts[0].files_failed;
	res->packets = ts[0].packets;
	res->bytes = ts[0].bytes;
	snprintf(res->first_error, sizeof(res->first_error), "%s", ts[0].first_error);
	for (unsigned i = 0; i < n; i++) {
		const struct ent_net_counters *c = ent_pipeline_counters(ts[i].w.pipe);

		ent_net_counters_add(&res->counters, c);
		res->alerts += ts[i].w.alerts;
		res->observables += ts[i].w.observables;
	}
	res->flows = res->counters.v[ENT_NC_FLOWS];
	rc = merge_tallies(intel, ts, n, res, errbuf);
	for (unsigned i = 0; i < n; i++)
		ent_scan_worker_destroy(&ts[i].w);
	free(ts);
	res->elapsed_s = (double)(ent_time_mono_ns() - t0) / 1e9;
	return rc;
}

void ent_scan_result_free(struct ent_scan_result *res)
{
	for (size_t i = 0; i < res->n_sightings; i++) {
		free(res->sightings[i].flows);
		free(res->sightings[i].strings);
	}
	free(res->sightings);
	res->sightings = NULL;
	res->n_sightings = 0;
}
