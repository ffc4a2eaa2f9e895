/*
 * worker.c - one scan worker: its packet path, and what it does with each
 * observable: look it up, raise one alert per flow and indicator, tally the
 * sighting. Runs on its own thread (or the reader's when threads == 1) and
 * shares only the read-only intel and the output lock.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/scanInt.h"

#define SEEN_MAX  (1u << 24)  /* remembered (flow, indicator) pairs per worker */
#define OUT_FLUSH (64 * 1024) /* alert bytes buffered before a write */
#define OUT_MAX   (64u << 20)
#define MAX_REFS  64

uint64_t ent_scan_flow_id(const struct ent_flow_info *f)
{
	/* FNV-1a over what identifies a flow, including its first packet's
	 * time: stable across runs and thread counts */
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t *parts[] = {f->cli_addr, f->srv_addr};
	uint64_t words[] = {f->proto,
	                    f->vlan,
	                    f->cli_port,
	                    f->srv_port,
	                    (uint64_t)f->first_ts.tv_sec,
	                    (uint64_t)f->first_ts.tv_usec};

	for (size_t p = 0; p < 2; p++)
		for (size_t i = 0; i < 16; i++) {
			h ^= parts[p][i];
			h *= 0x100000001b3ULL;
		}
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		for (size_t i = 0; i < 8; i++) {
			h ^= (words[w] >> (8 * i)) & 0xff;
			h *= 0x100000001b3ULL;
		}
	return h & 0x7fffffffffffffffULL; /* EVE flow ids are positive */
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* True the first time (flow_id, ref) is offered. A full set starts over:
 * a very long scan may then repeat an alert, never lose one. */
static bool seen_first(struct seen_set *s, uint64_t flow_id, uint32_t ref)
{
	uint64_t key = mix(flow_id ^ ((uint64_t)ref << 32 | ref)) | 1, i;

	if (s->used * 2 >= s->cap) {
		if (s->cap >= SEEN_MAX) {
			memset(s->keys, 0, s->cap * sizeof(*s->keys));
			s->used = 0;
		} else {
			size_t ncap = s->cap ? s->cap * 2 : 4096;
			uint64_t *nk = calloc(ncap, sizeof(*nk));

			if (nk == NULL)
				return true;
			for (size_t k = 0; k < s->cap; k++) {
				if (s->keys[k] == 0)
					continue;
				for (i = s->keys[k] & (ncap - 1); nk[i]; i = (i + 1) & (ncap - 1))
					;
				nk[i] = s->keys[k];
			}
			free(s->keys);
			s->keys = nk;
			s->cap = ncap;
		}
	}
	for (i = key & (s->cap - 1); s->keys[i]; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == key)
			return false;
	s->keys[i] = key;
	s->used++;
	return true;
}

static int64_t tv_ms(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

static void tally(struct worker *w, uint32_t ref, const struct ent_pkt_event *ev, uint64_t flow_id,
                  const char *value)
{
	struct tally *t = w->tallies[ref];
	int64_t ms = tv_ms(&ev->ts);
	const struct ent_flow_info *f = ev->flow;

	if (t == NULL) {
		if (w->n_tally_refs == w->cap_tally_refs) {
			size_t cap = w->cap_tally_refs ? 2 * w->cap_tally_refs : 64;
			uint32_t *nr = realloc(w->tally_refs, cap * sizeof(*nr));

			if (nr == NULL)
				return;
			w->tally_refs = nr;
			w->cap_tally_refs = cap;
		}
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return;
		w->tally_refs[w->n_tally_refs++] = ref;
		ent_buf_init(&t->strings, ENT_SIGHTING_MAX_FLOWS * 2048);
		t->first_ms = ms;
		t->last_ms = ms;
		w->tallies[ref] = t;
	}
	t->count++;
	if (ms < t->first_ms)
		t->first_ms = ms;
	if (ms > t->last_ms)
		t->last_ms = ms;
	if (t->n_flows >= ENT_SIGHTING_MAX_FLOWS)
		return;
	if (t->n_flows == t->cap_flows) {
		size_t cap = t->cap_flows ? t->cap_flows * 2 : 4;
		void *nf = realloc(t->flows, cap * sizeof(*t->flows));
		void *no = nf ? realloc(t->offs, cap * 4 * sizeof(*t->offs)) : NULL;

		if (nf != NULL)
			t->flows = nf;
		if (no == NULL)
			return;
		t->offs = no;
		t->cap_flows = cap;
	}
	{
		struct ent_store_sighting_flow *sf = &t->flows[t->n_flows];
		size_t *off = &t->offs[t->n_flows * 4];
		const char *strs[4] = {f ? f->cli_str : "", f ? f->srv_str : "", ev->obs->where,
		                       value};

		for (int k = 0; k < 4; k++) {
			off[k] = t->strings.len;
			if (ent_buf_append(&t->strings, strs[k], strlen(strs[k]) + 1) != ENT_OK)
				return;
		}
		*sf = (struct ent_store_sighting_flow){
		    .flow_id = flow_id,
		    .seen_ms = ms,
		    .src_port = f ? f->cli_port : 0,
		    .dst_port = f ? f->srv_port : 0,
		    .proto = f ? f->proto : 0,
		    .kind = ev->obs->kind,
		};
		t->n_flows++;
	}
}

/* The allowlist's say on a value that matched: NULL when it is on no list. */
static const struct ent_allowlist_hit *allowlisted(struct worker *w, const struct ent_pkt_event *ev,
                                                   const char *value, struct ent_allowlist_hit *hit)
{
	const struct ent_intel *in = w->intel;
	size_t i;

	if (in->allow == NULL || !ent_allowlists_match(in->allow, ev->obs->kind, value, hit))
		return NULL;
	for (i = 0; i < ENT_ALLOWLIST_MAX_LISTS; i++) {
		struct ent_allowlist_info info;

		if (!ent_allowlists_info(in->allow, i, &info))
			break;
		if (strcmp(info.name, hit->list) == 0) {
			__atomic_fetch_add(&in->allow_counts->hits[i], 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return hit;
}

static void alert(struct worker *w, uint32_t ref, const struct ent_pkt_event *ev, const char *value)
{
	uint64_t flow_id = ev->flow ? ent_scan_flow_id(ev->flow) : ev->frame;
	const struct ent_intel_indicator *ind = &w->intel->ind[ref];
	struct ent_allowlist_hit hit;
	const struct ent_allowlist_hit *allow;
	int confidence = ind->confidence;

	if (!seen_first(&w->seen, flow_id, ref))
		return;
	/* an allowlisted value is counted; it alerts only when its list
	 * informs, or lowers the confidence but not below the threshold */
	allow = allowlisted(w, ev, value, &hit);
	if (allow != NULL && allow->action != ENT_AL_INFORM) {
		if (allow->action == ENT_AL_LOWER)
			confidence = (confidence >= 0 ? confidence : 100) - allow->lower;
		if (allow->action == ENT_AL_SUPPRESS || confidence < w->intel->min_confidence) {
			__atomic_fetch_add(&w->intel->allow_counts->suppressed, 1,
			                   __ATOMIC_RELAXED);
			return;
		}
	}
	__atomic_fetch_add(&w->alerts, 1, __ATOMIC_RELAXED);
	tally(w, ref, ev, flow_id, value);
	if (w->opts->alerts == NULL)
		return;
	if (ent_scan_alert_format(&w->out, ind, ev, flow_id, value, w->pcap_name, allow,
	                          confidence) != ENT_OK)
		return;
	if (w->out.len >= OUT_FLUSH)
		ent_scan_worker_flush(w);
}

/* "host[:port]" or "[v6]:port" -> host, without brackets. */
static void host_only(const char *in, char *out, size_t outsz)
{
	const char *end;
	size_t n;

	if (in[0] == '[') {
		end = strchr(in, ']');
		n = end ? (size_t)(end - in - 1) : strlen(in + 1);
		in++;
	} else {
		end = strrchr(in, ':');
		/* one colon: a port; several: a bare IPv6 literal */
		n = end && strchr(in, ':') == end ? (size_t)(end - in) : strlen(in);
	}
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

static void on_event(void *ctx, const struct ent_pkt_event *ev)
{
	struct worker *w = ctx;
	const struct ent_obs *o = ev->obs;
	uint32_t refs[MAX_REFS];
	char norm[ENT_OBS_VALUE_MAX], err[ENT_ERRBUF_SIZE];
	const char *value = o ? o->value : NULL;
	size_t n = 0;

	if (ev->type != ENT_PKT_EV_OBS || o == NULL)
		return;
	w->observables++;
	if (w->opts->observables != NULL)
		fprintf(w->opts->observables, "%llu\t%s\t%s\t%s\t%s\n",
		        (unsigned long long)ev->frame, o->where, ent_obs_kind_name(o->kind),
		        o->value, o->detail ? o->detail : "");
	if (o->kind == ENT_OBS_NONE || w->intel == NULL)
		return;
	if ((strcmp(o->where, "flow.src") == 0 || strcmp(o->where, "flow.dst") == 0) &&
	    ev->flow != NULL) {
		const uint8_t *a = o->where[5] == 's' ? ev->flow->cli_addr : ev->flow->srv_addr;

		if (ev->flow->family == 4) {
			uint32_t v4;

			memcpy(&v4, a, 4);
			n = ent_matcher_lookup_ip4(w->intel->matcher, ntohl(v4), refs, MAX_REFS);
		} else {
			n = ent_matcher_lookup_ip6(w->intel->matcher, a, refs, MAX_REFS);
		}
	} else if (strcmp(o->where, "http.host") == 0) {
		char host[512];
		enum ent_obs_kind k;

		host_only(o->value, host, sizeof(host));
		k = ent_obs_detect(host, strlen(host));
		if (k != ENT_OBS_IPV4 && k != ENT_OBS_IPV6)
			k = ENT_OBS_DOMAIN;
		n = ent_matcher_lookup(w->intel->matcher, k, host, strlen(host), refs, MAX_REFS);
		snprintf(norm, sizeof(norm), "%s", host);
		value = norm;
	} else if (o->kind == ENT_OBS_URL) {
		if (ent_obs_normalize(ENT_OBS_URL, o->value, strlen(o->value), norm, sizeof(norm),
		                      err) != ENT_OK)
			return;
		value = norm;
		n = ent_matcher_lookup(w->intel->matcher, ENT_OBS_URL, norm, strlen(norm), refs,
		                       MAX_REFS);
	} else if (strncmp(o->where, "ip", 2) == 0) {
		return; /* per-packet address pairs: flow.src/dst already cover them */
	} else {
		n = ent_matcher_lookup(w->intel->matcher, o->kind, o->value, strlen(o->value), refs,
		                       MAX_REFS);
	}
	for (size_t i = 0; i < n && i < MAX_REFS; i++)
		alert(w, refs[i], ev, value);
}

int ent_scan_worker_init(struct worker *w, unsigned id, const struct ent_intel *intel,
                         const struct ent_scan_opts *opts, pthread_mutex_t *out_lock)
{
	struct ent_pipeline_config cfg = {
	    .worker_id = (uint8_t)id,
	    .max_flows = opts->max_flows,
	    .no_ip_pairs = opts->observables == NULL,
	};

	memset(w, 0, sizeof(*w));
	w->intel = intel;
	w->opts = opts;
	w->id = id;
	w->out_lock = out_lock;
	ent_buf_init(&w->out, OUT_MAX);
	if (opts->flow_timeout > 0) {
		cfg.timeouts.tcp = opts->flow_timeout;
		cfg.timeouts.udp = opts->flow_timeout;
		cfg.timeouts.other = opts->flow_timeout;
	}
	if (intel != NULL && intel->n_ind > 0) {
		w->tallies = calloc(intel->n_ind, sizeof(*w->tallies));
		if (w->tallies == NULL)
			return ent_errf(w->err, ENT_ENOMEM, "out of memory");
	}
	w->pipe = ent_pipeline_new(&cfg, on_event, w, w->err);
	return w->pipe != NULL ? ENT_OK : ENT_ENOMEM;
}

void ent_scan_worker_flush(struct worker *w)
{
	if (w->out.len == 0 || w->opts->alerts == NULL)
		return;
	pthread_mutex_lock(w->out_lock);
	fwrite(w->out.data, 1, w->out.len, w->opts->alerts);
	pthread_mutex_unlock(w->out_lock);
	ent_buf_reset(&w->out);
}

void ent_scan_worker_destroy(struct worker *w)
{
	ent_pipeline_free(w->pipe);
	if (w->tallies != NULL) {
		/* the refs with a tally, not all the indicators */
		for (size_t k = 0; k < w->n_tally_refs; k++) {
			struct tally *t = w->tallies[w->tally_refs[k]];

			free(t->flows);
			free(t->offs);
			ent_buf_free(&t->strings);
			free(t);
		}
		free(w->tallies);
		free(w->tally_refs);
	}
	free(w->seen.keys);
	ent_buf_free(&w->out);
}
