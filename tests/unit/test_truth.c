/*
 * test_truth.c - proof of the packet path against tshark.
 *
 * Runs the pipeline over every capture in ../shared/corpus/pcap and
 * compares the observables with the tshark-made truth/<name>.tsv as
 * multisets of (frame, type, value, value2). Differences that we know and
 * accept are listed in tests/data/truth-known-differences.tsv
 * (file, frame or "*", type, value or "*", reason); the test fails on any
 * difference not listed, and on any listed difference that no longer occurs
 * (so the list cannot rot). The same comparison is repeated with the frames
 * spread over three pipelines by ent_pipeline_shard_hash and handed over in
 * small batches (ent_pipeline_packets, as the scan does), which must not
 * change the result. Skips when the corpus is absent.
 *
 * One class of our observables is left out of the comparison rather than
 * listed: DNS names from UDP ports 5353 (mDNS) and 5355 (LLMNR). We parse
 * them as DNS on purpose; tshark files them under "mdns" and "llmnr", so its
 * "dns" truth never has them.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/pcap_file.h"
#include "net/pipeline.h"
#include "testutil.h"

static const char *const truth_types[] = {
    "ip.pair",  "ipv6.pair",     "dns.qry.name", "dns.resp.qry.name", "dns.a",
    "dns.aaaa", "dns.cname",     "tls.sni",      "tls.ja3",           "tls.ja3_full",
    "tls.ja3s", "tls.ja3s_full", "http.host",    "http.request.uri",  "http.request.full_uri",
};

struct rows {
	char **v;
	size_t n, cap;
};

static void rows_add(struct rows *r, char *s)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		assert_non_null(r->v);
	}
	r->v[r->n++] = s;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_truth_type(const char *t)
{
	for (size_t i = 0; i < sizeof(truth_types) / sizeof(truth_types[0]); i++)
		if (strcmp(t, truth_types[i]) == 0)
			return true;
	return false;
}

static void on_event(void *ctx, const struct ent_pkt_event *ev)
{
	struct rows *r = ctx;
	char *s;

	if (ev->type != ENT_PKT_EV_OBS || !is_truth_type(ev->obs->where))
		return;
	if (strncmp(ev->obs->where, "dns.", 4) == 0 && ev->flow != NULL && ev->flow->proto == 17 &&
	    (ev->flow->cli_port == 5353 || ev->flow->srv_port == 5353 ||
	     ev->flow->cli_port == 5355 || ev->flow->srv_port == 5355))
		return; /* mDNS / LLMNR: see the top of the file */
	if (asprintf(&s, "%llu\t%s\t%s\t%s", (unsigned long long)ev->frame, ev->obs->where,
	             ev->obs->value, ev->obs->detail) < 0)
		fail();
	rows_add(r, s);
}

#define TEST_BATCH 7 /* odd: batches end anywhere in the look-ahead */

/* Runs the capture through nshards pipelines; rows to out. With more than
 * one, frames that stay valid go in batches through ent_pipeline_packets. */
static void run_capture(const char *path, int nshards, struct rows *out)
{
	char errbuf[ENT_ERRBUF_SIZE];
	struct ent_pipeline *p[3];
	struct ent_pipeline_frame batch[3][TEST_BATCH];
	size_t nb[3] = {0, 0, 0};
	struct ent_pcap_file *f = ent_pcap_file_open(path, errbuf);
	struct ent_pcap_rec rec;
	int rc, lt;

	if (f == NULL) {
		/* tshark reads nothing either: an empty result */
		print_message("  open: %s\n", errbuf);
		return;
	}
	lt = ent_pcap_file_linktype(f);
	for (int i = 0; i < nshards; i++) {
		struct ent_pipeline_config cfg = {.worker_id = (uint8_t)i};

		p[i] = ent_pipeline_new(&cfg, on_event, out, errbuf);
		assert_non_null(p[i]);
	}
	while ((rc = ent_pcap_file_next(f, &rec, errbuf)) == 1) {
		int w = nshards == 1 ? 0
		                     : (int)(ent_pipeline_shard_hash(lt, rec.data, rec.caplen) %
		                             (uint32_t)nshards);

		if (nshards > 1 && rec.stable) {
			batch[w][nb[w]++] = (struct ent_pipeline_frame){
			    rec.frame, rec.ts, rec.data, rec.caplen, rec.wirelen, lt};
			if (nb[w] == TEST_BATCH) {
				ent_pipeline_packets(p[w], batch[w], nb[w]);
				nb[w] = 0;
			}
			continue;
		}
		if (nb[w] > 0) /* frames stay in order within a pipeline */
			ent_pipeline_packets(p[w], batch[w], nb[w]);
		nb[w] = 0;
		ent_pipeline_packet(p[w], rec.frame, &rec.ts, lt, rec.data, rec.caplen,
		                    rec.wirelen);
	}
	if (rc < 0 && nshards == 1)
		print_message("  read: %s\n", errbuf);
	for (int i = 0; i < nshards; i++) {
		ent_pipeline_packets(p[i], batch[i], nb[i]);
		ent_pipeline_finish(p[i]);
		ent_pipeline_free(p[i]);
	}
	ent_pcap_file_close(f);
}

static void load_truth(const char *path, struct rows *out)
{
	size_t len;
	char *data = tu_read_file(path, &len), *line, *save = NULL;

	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		rows_add(out, strdup(line));
	}
	free(data);
}

struct known {
	char file[128], frame[24], type[32], value[1024];
	bool used;
};

static struct known *load_known(size_t *n)
{
	size_t len, cap = 0;
	char *data = tu_read_file(ENT_TEST_DATA "/truth-known-differences.tsv", &len);
	char *line, *save = NULL;
	struct known *k = NULL;

	*n = 0;
	assert_non_null(data);
	for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *f[5] = {0}, *s2 = NULL;
		int i = 0;

		if (line[0] == '#')
			continue;
		for (char *t = strtok_r(line, "\t", &s2); t != NULL && i < 5;
		     t = strtok_r(NULL, "\t", &s2))
			f[i++] = t;
		assert_true(i == 5); /* file, frame, type, value, reason */
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			k = realloc(k, cap * sizeof(*k));
			assert_non_null(k);
		}
		memset(&k[*n], 0, sizeof(k[*n]));
		snprintf(k[*n].file, sizeof(k[*n].file), "%s", f[0]);
		snprintf(k[*n].frame, sizeof(k[*n].frame), "%s", f[1]);
		snprintf(k[*n].type, sizeof(k[*n].type), "%s", f[2]);
		snprintf(k[*n].value, sizeof(k[*n].value), "%s", f[3]);
		(*n)++;
	}
	free(data);
	return k;
}

/* Is the difference row (frame\ttype\tvalue\tvalue2) of file listed? */
static bool known_match(struct known *k, size_t nk, const char *file, const char *row)
{
	char buf[4096], *fr, *ty, *va, *save = NULL;
	bool hit = false;

	snprintf(buf, sizeof(buf), "%s", row);
	fr = strtok_r(buf, "\t", &save);
	ty = strtok_r(NULL, "\t", &save);
	va = strtok_r(NULL, "\t", &save);
	if (va == NULL)
		va = "";
	for (size_t i = 0; i < nk; i++) {
		if (strcmp(k[i].file, file) != 0 || strcmp(k[i].type, ty) != 0)
			continue;
		if (strcmp(k[i].frame, "*") != 0 && strcmp(k[i].frame, fr) != 0)
			continue;
		if (strcmp(k[i].value, "*") != 0 && strcmp(k[i].value, va) != 0)
			continue;
		k[i].used = true;
		hit = true;
	}
	return hit;
}

/* Multiset difference of two sorted lists; prints and counts unlisted ones. */
static size_t compare(const char *file, struct rows *ours, struct rows *truth, struct known *k,
                      size_t nk)
{
	size_t i = 0, j = 0, bad = 0;

	if (ours->n > 0)
		qsort(ours->v, ours->n, sizeof(char *), cmp_str);
	if (truth->n > 0)
		qsort(truth->v, truth->n, sizeof(char *), cmp_str);
	while (i < ours->n || j < truth->n) {
		int c = i == ours->n ? 1 : j == truth->n ? -1 : strcmp(ours->v[i], truth->v[j]);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		const char *row = c < 0 ? ours->v[i++] : truth->v[j++];

		if (!known_match(k, nk, file, row)) {
			bad++;
			if (bad <= 100 || getenv("ENT_TRUTH_VERBOSE") != NULL)
				print_message("  %s %s: %s\n", c < 0 ? "EXTRA" : "MISSING", file,
				              row);
		}
	}
	return bad;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_truth_corpus(void **state)
{
	char pcapdir[4096], truthdir[4096], path[8192];
	struct rows names = {0};
	struct dirent *de;
	DIR *dir;
	size_t nk, bad_total = 0, unused = 0;
	struct known *k;

	(void)state;
	if (!tu_have_corpus())
		skip();
	snprintf(pcapdir, sizeof(pcapdir), "%s", tu_corpus("pcap"));
	snprintf(truthdir, sizeof(truthdir), "%s", tu_corpus("truth"));
	dir = opendir(pcapdir);
	if (dir == NULL)
		skip();
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			rows_add(&names, strdup(de->d_name));
	closedir(dir);
	qsort(names.v, names.n, sizeof(char *), cmp_name);
	k = load_known(&nk);
	for (size_t n = 0; n < names.n; n++) {
		struct rows ours = {0}, sharded = {0}, truth = {0};
		size_t bad;

		snprintf(path, sizeof(path), "%s/%s.tsv", truthdir, names.v[n]);
		load_truth(path, &truth);
		snprintf(path, sizeof(path), "%s/%s", pcapdir, names.v[n]);
		run_capture(path, 1, &ours);
		run_capture(path, 3, &sharded);
		bad = compare(names.v[n], &ours, &truth, k, nk);
		/* sharding must not change anything */
		if (sharded.n > 0)
			qsort(sharded.v, sharded.n, sizeof(char *), cmp_str);
		assert_int_equal(ours.n, sharded.n);
		for (size_t i = 0; i < ours.n; i++)
			assert_string_equal(ours.v[i], sharded.v[i]);
		print_message("%-45s ours %6zu truth %6zu unlisted differences %zu\n", names.v[n],
		              ours.n, truth.n, bad);
		bad_total += bad;
		rows_free(&ours);
		rows_free(&sharded);
		rows_free(&truth);
	}
	for (size_t i = 0; i < nk; i++) {
		if (!k[i].used) {
			unused++;
			print_message("  STALE known difference: %s %s %s %s\n", k[i].file,
			              k[i].frame, k[i].type, k[i].value);
		}
	}
	free(k);
	rows_free(&names);
	assert_int_equal(bad_total, 0);
	assert_int_equal(unused, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_truth_corpus),
	};

	/* the whole test is the corpus: without it, ctest reports it skipped */
	if (!tu_have_corpus()) {
		printf("SKIPPED: the tshark comparison needs %s/corpus\n", ENT_SHARED_DIR);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
