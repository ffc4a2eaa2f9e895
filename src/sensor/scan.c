/*
 * scan.c - the reader and the workers (see scan.h).
 *
 * With one thread the reader calls the packet path directly. With more, it
 * copies packets into per-worker batches (BATCH_BYTES each) and hands full
 * batches over a small bounded queue per worker; a worker returns each batch
 * to its free list when done. States of a worker queue: open -> closed (the
 * reader is done) -> drained (the worker saw closed and empty, and ends).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/progress.h"
#include "core/timefmt.h"
#include "net/pcap_file.h"
#include "sensor/scanInt.h"

#define BATCH_BYTES (1u << 20)
#define END_OF_FILE UINT32_MAX /* a pkt_hdr caplen: the file ended, close its flows */
#define QUEUE_DEPTH 8

struct pkt_hdr {
	uint64_t frame;
	struct timeval ts;
	uint32_t caplen, wirelen;
	int32_t linktype;
	uint32_t file; /* index into the paths */
};

struct batch {
	size_t used;
	uint8_t data[BATCH_BYTES];
};

struct wqueue {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct batch *full[QUEUE_DEPTH];
	size_t head, count;
	struct batch *free[QUEUE_DEPTH + 2];
	size_t nfree;
	bool closed;
};

struct thread_ctx {
	struct worker w;
	struct wqueue q;
	struct batch *cur; /* the batch the reader is filling */
	pthread_t tid;
	char *const *paths;
};

static void process_batch(struct thread_ctx *t, struct batch *b)
{
	size_t off = 0;

	while (off < b->used) {
		struct pkt_hdr h;

		memcpy(&h, b->data + off, sizeof(h));
		off += sizeof(h);
		t->w.pcap_name = t->paths[h.file];
		if (h.caplen == END_OF_FILE) {
			ent_pipeline_finish(t->w.pipe);
			continue;
		}
		ent_pipeline_packet(t->w.pipe, h.frame, &h.ts, h.linktype, b->data + off, h.caplen,
		                    h.wirelen);
		off += (h.caplen + 7) & ~7u;
	}
}

static void *worker_main(void *arg)
{
	struct thread_ctx *t = arg;

	for (;;) {
		struct batch *b = NULL;

		pthread_mutex_lock(&t->q.lock);
		while (t->q.count == 0 && !t->q.closed)
			pthread_cond_wait(&t->q.cv, &t->q.lock);
		if (t->q.count > 0) {
			b = t->q.full[t->q.head];
			t->q.head = (t->q.head + 1) % QUEUE_DEPTH;
			t->q.count--;
			pthread_cond_broadcast(&t->q.cv);
		}
		pthread_mutex_unlock(&t->q.lock);
		if (b == NULL)
			break;
		process_batch(t, b);
		b->used = 0;
		pthread_mutex_lock(&t->q.lock);
		t->q.free[t->q.nfree++] = b;
		pthread_cond_broadcast(&t->q.cv);
		pthread_mutex_unlock(&t->q.lock);
	}
	ent_pipeline_finish(t->w.pipe);
	ent_scan_worker_flush(&t->w);
	return NULL;
}

/* Reader: hands the current batch of t to its worker, takes a free one. */
static void hand_over(struct thread_ctx *t)
{
	pthread_mutex_lock(&t->q.lock);
	while (t->q.count == QUEUE_DEPTH)
		pthread_cond_wait(&t->q.cv, &t->q.lock);
	t->q.full[(t->q.head + t->q.count) % QUEUE_DEPTH] = t->cur;
	t->q.count++;
	pthread_cond_broadcast(&t->q.cv);
	while (t->q.nfree == 0)
		pthread_cond_wait(&t->q.cv, &t->q.lock);
	t->cur = t->q.free[--t->q.nfree];
	pthread_mutex_unlock(&t->q.lock);
}

static void enqueue(struct thread_ctx *t, const struct pkt_hdr *h, const uint8_t *data)
{
	size_t need = sizeof(*h) + (h->caplen == END_OF_FILE ? 0 : ((h->caplen + 7) & ~7u));

	if (t->cur->used + need > BATCH_BYTES)
		hand_over(t);
	memcpy(t->cur->data + t->cur->used, h, sizeof(*h));
	if (h->caplen != END_OF_FILE)
		memcpy(t->cur->data + t->cur->used + sizeof(*h), data, h->caplen);
	t->cur->used += need;
}

static int start_threads(struct thread_ctx *ts, unsigned n, char *errbuf)
{
	for (unsigned i = 0; i < n; i++) {
		struct thread_ctx *t = &ts[i];

		pthread_mutex_init(&t->q.lock, NULL);
		pthread_cond_init(&t->q.cv, NULL);
		for (size_t k = 0; k < QUEUE_DEPTH + 1; k++) {
			struct batch *b = malloc(sizeof(*b));

			if (b == NULL)
				return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			b->used = 0;
			if (k == 0)
				t->cur = b;
			else
				t->q.free[t->q.nfree++] = b;
		}
		if (pthread_create(&t->tid, NULL, worker_main, t) != 0)
			return ent_errf(errbuf, ENT_ENOMEM, "cannot start worker %u", i);
	}
	return ENT_OK;
}

static void stop_threads(struct thread_ctx *ts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct thread_ctx *t = &ts[i];

		if (t->cur != NULL && t->cur->used > 0)
			hand_over(t);
		pthread_mutex_lock(&t->q.lock);
		t->q.closed = true;
		pthread_cond_broadcast(&t->q.cv);
		pthread_mutex_unlock(&t->q.lock);
		pthread_join(t->tid, NULL);
		free(t->cur);
		for (size_t k = 0; k < t->q.nfree; k++)
			free(t->q.free[k]);
		pthread_mutex_destroy(&t->q.lock);
		pthread_cond_destroy(&t->q.cv);
	}
}

static int cmp_flow(const void *a, const void *b)
{
	const struct ent_store_sighting_flow *x = a, *y = b;

	if (x->seen_ms != y->seen_ms)
		return x->seen_ms < y->seen_ms ? -1 : 1;
	return x->flow_id < y->flow_id ? -1 : x->flow_id > y->flow_id;
}

/* Merges the workers' tallies into res->sightings. */
static int merge_tallies(const struct ent_intel *intel, struct thread_ctx *ts, unsigned n,
                         struct ent_scan_result *res, char *errbuf)
{
	if (intel == NULL || intel->n_ind == 0)
		return ENT_OK;
	res->sightings = calloc(intel->n_ind, sizeof(*res->sightings));
	if (res->sightings == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	for (size_t ref = 0; ref < intel->n_ind; ref++) {
		struct ent_scan_sighting *sg = &res->sightings[res->n_sightings];
		size_t total_flows = 0, bytes = 0, pos = 0;
		bool any = false;

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
		if (sg->flows == NULL || sg->strings == NULL)
			return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
		res->n_sightings++;
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
	return ENT_OK;
}

static uint64_t total_size(char *const *paths, size_t n)
{
	uint64_t total = 0;
	struct stat st;

	for (size_t i = 0; i < n; i++)
		if (stat(paths[i], &st) == 0)
			total += (uint64_t)st.st_size;
	return total;
}

int ent_scan_run(const struct ent_intel *intel, char *const *paths, size_t n_paths,
                 const struct ent_scan_opts *opts, struct ent_scan_result *res, char *errbuf)
{
	unsigned n = opts->observables != NULL ? 1 : opts->threads;
	pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
	struct thread_ctx *ts;
	struct ent_progress prog;
	uint64_t t0 = ent_time_mono_ns(), done_bytes = 0, total;
	int rc = ENT_OK;

	memset(res, 0, sizeof(*res));
	if (n < 1 || n > ENT_SCAN_MAX_THREADS)
		return ent_errf(errbuf, ENT_EINVAL, "threads must be 1-%d", ENT_SCAN_MAX_THREADS);
	ts = calloc(n, sizeof(*ts));
	if (ts == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		ts[i].paths = paths;
		rc = ent_scan_worker_init(&ts[i].w, i, intel, opts, &out_lock);
		if (rc != ENT_OK) {
			snprintf(errbuf, ENT_ERRBUF_SIZE, "%s", ts[i].w.err);
			for (unsigned k = 0; k <= i; k++)
				ent_scan_worker_destroy(&ts[k].w);
			free(ts);
			return rc;
		}
	}
	if (n > 1) {
		rc = start_threads(ts, n, errbuf);
		if (rc != ENT_OK)
			n = 1; /* cannot happen in practice; the reader then works alone */
	}
	total = total_size(paths, n_paths);
	ent_progress_init(&prog, "scanning", total, opts->progress);
	for (size_t f = 0; f < n_paths; f++) {
		char ferr[ENT_ERRBUF_SIZE];
		struct ent_pcap_file *pf = ent_pcap_file_open(paths[f], ferr);
		struct ent_pcap_rec rec;
		int linktype, r;

		if (pf == NULL) {
			res->files_failed++;
			if (res->first_error[0] == '\0')
				snprintf(res->first_error, sizeof(res->first_error), "%s", ferr);
			continue;
		}
		res->files++;
		linktype = ent_pcap_file_linktype(pf);
		if (n == 1)
			ts[0].w.pcap_name = paths[f]; /* workers read it from each packet */
		while ((r = ent_pcap_file_next(pf, &rec, ferr)) == 1) {
			res->packets++;
			res->bytes += rec.caplen;
			if (n == 1) {
				ent_pipeline_packet(ts[0].w.pipe, rec.frame, &rec.ts, linktype,
				                    rec.data, rec.caplen, rec.wirelen);
			} else {
				struct pkt_hdr h = {rec.frame,   rec.ts,   rec.caplen,
				                    rec.wirelen, linktype, (uint32_t)f};
				uint32_t hash =
				    ent_pipeline_shard_hash(linktype, rec.data, rec.caplen);

				enqueue(&ts[hash % n], &h, rec.data);
			}
			if ((res->packets & 1023) == 0) {
				char extra[64];
				uint64_t alerts = 0;

				for (unsigned i = 0; i < n; i++)
					alerts +=
					    __atomic_load_n(&ts[i].w.alerts, __ATOMIC_RELAXED);
				snprintf(extra, sizeof(extra), "%llu packets, %llu alerts",
				         (unsigned long long)res->packets,
				         (unsigned long long)alerts);
				ent_progress_update(&prog, done_bytes + ent_pcap_file_offset(pf),
				                    extra);
			}
		}
		/* each file is a capture of its own: its flows end with it, so the
		 * result does not depend on how flows were spread over workers */
		if (n == 1) {
			ent_pipeline_finish(ts[0].w.pipe);
		} else {
			static const uint8_t no_data[1];
			struct pkt_hdr eof = {.caplen = END_OF_FILE, .file = (uint32_t)f};

			for (unsigned i = 0; i < n; i++)
				enqueue(&ts[i], &eof, no_data);
		}
		done_bytes += ent_pcap_file_offset(pf);
		if (r < 0) {
			res->files_failed++;
			if (res->first_error[0] == '\0')
				snprintf(res->first_error, sizeof(res->first_error), "%s", ferr);
		}
		ent_pcap_file_close(pf);
	}
	ent_progress_end(&prog);
	if (n > 1) {
		stop_threads(ts, n);
	} else {
		ent_pipeline_finish(ts[0].w.pipe);
		ent_scan_worker_flush(&ts[0].w);
	}
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
