/*
 * taxii_load.c - load for `entente serve`, from another process (bench/
 * run_taxii drives it). Three measurements, each printed as one JSON line:
 *
 *   pages URL        walks a collection's objects endpoint with limit=1000
 *                    and next, on one kept-alive connection: objects per
 *                    second and the page latency percentiles
 *   connections URL  opens N connections at once (curl multi), each
 *                    fetching one small page: how many succeeded
 *   post URL         POSTs envelopes of 1,000 new indicators: objects per
 *                    second ingested
 *
 *   taxii_load MODE URL --user U --password P --ca FILE [--count N]
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MEDIA "application/taxii+json;version=2.1"

static const char *user = "", *password = "", *ca = NULL;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct body {
	char *data;
	size_t len, cap;
};

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
	struct body *b = ud;
	size_t add = sz * n;

	if (b->len + add + 1 > b->cap) {
		size_t cap = (b->len + add + 1) * 2;
		char *d = realloc(b->data, cap);

		if (d == NULL)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

static CURL *easy(const char *url, struct body *b, struct curl_slist *hdr)
{
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERNAME, user);
	curl_easy_setopt(c, CURLOPT_PASSWORD, password);
	if (ca != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		/* only the pinned file: Debian's libcurl-gnutls would otherwise read
		 * all of /etc/ssl/certs on every handshake */
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int pages(const char *base)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: " MEDIA);
	struct body b = {0};
	CURL *c = easy(base, &b, hdr);
	double *lat = malloc(100000 * sizeof(double)), t0 = now();
	size_t n_pages = 0, objects = 0;
	char url[4096];

	/* the first check of a credential is an Argon2id verification (about
	 * 0.1 s on purpose) and the server then remembers it: one request to
	 * log in first, so that the pages measure paging */
	curl_easy_perform(c);
	snprintf(url, sizeof(url), "%s?limit=1000", base);
	t0 = now();
	for (;;) {
		double t = now();
		long code = 0;
		json_t *env, *next;

		b.len = 0;
		curl_easy_setopt(c, CURLOPT_URL, url);
		if (curl_easy_perform(c) != CURLE_OK)
			return fprintf(stderr, "taxii_load: page %zu failed\n", n_pages), 1;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		lat[n_pages++] = now() - t;
		if (code != 200)
			return fprintf(stderr, "taxii_load: HTTP %ld\n", code), 1;
		env = json_loadb(b.data, b.len, 0, NULL);
		if (env == NULL)
			return fprintf(stderr, "taxii_load: not JSON\n"), 1;
		objects += json_array_size(json_object_get(env, "objects"));
		next = json_object_get(env, "next");
		if (!json_is_true(json_object_get(env, "more")) || !json_is_string(next) ||
		    n_pages == 100000) {
			json_decref(env);
			break;
		}
		snprintf(url, sizeof(url), "%s?limit=1000&next=%s", base, json_string_value(next));
		json_decref(env);
	}
	{
		double total = now() - t0;

		if (getenv("TAXII_LOAD_TRACE") != NULL)
			for (size_t i = 0; i < n_pages; i++)
				fprintf(stderr, "page %zu: %.2f ms\n", i, lat[i] * 1e3);
		qsort(lat, n_pages, sizeof(double), cmp_double);
		printf("{\"mode\":\"pages\",\"pages\":%zu,\"objects\":%zu,\"seconds\":%.3f,"
		       "\"objects_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
		       n_pages, objects, total, objects / total, lat[n_pages / 2] * 1e3,
		       lat[(size_t)((double)n_pages * 0.99)] * 1e3, lat[n_pages - 1] * 1e3);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	free(lat);
	free(b.data);
	return 0;
}

static int connections(const char *base, int n)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: " MEDIA);
	CURLM *m = curl_multi_init();
	CURL **h = calloc((size_t)n, sizeof(*h));
	struct body *b = calloc((size_t)n, sizeof(*b));
	char url[4096];
	int running = 0, ok = 0, failed = 0, max_open = 0;
	double t0 = now();

	snprintf(url, sizeof(url), "%s?limit=10", base);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n);
	for (int i = 0; i < n; i++) {
		h[i] = easy(url, &b[i], hdr);
		/* its own connection each: n at once */
		curl_easy_setopt(h[i], CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h[i], CURLOPT_PIPEWAIT, 0L);
		curl_multi_add_handle(m, h[i]);
	}
	do {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		if (running > max_open)
			max_open = running;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			if (msg->data.result == CURLE_OK && code == 200)
				ok++;
			else
				failed++;
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running > 0);
	printf("{\"mode\":\"connections\",\"connections\":%d,\"ok\":%d,\"failed\":%d,"
	       "\"seconds\":%.3f}\n",
	       n, ok, failed, now() - t0);
	for (int i = 0; i < n; i++) {
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
		free(b[i].data);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hdr);
	free(h);
	free(b);
	return failed == 0 ? 0 : 1;
}

static int post(const char *base, int count)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: " MEDIA);
	struct body b = {0};
	CURL *c;
	char *env = malloc(1000 * 600 + 64);
	int sent = 0, batch = 0;
	double t0 = now();

	hdr = curl_slist_append(hdr, "Content-Type: " MEDIA);
	c = easy(base, &b, hdr);
	while (sent < count) {
		size_t len = 0;
		long code = 0;

		len += (size_t)sprintf(env + len, "{\"objects\":[");
		for (int i = 0; i < 1000 && sent < count; i++, sent++)
			len += (size_t)sprintf(env + len,
			                       "%s{\"type\":\"indicator\",\"spec_version\":\"2.1\","
			                       "\"id\":\"indicator--%08x-0000-4000-8000-%012d\","
			                       "\"created\":\"2024-01-01T00:00:00.000Z\","
			                       "\"modified\":\"2024-01-01T00:00:00.000Z\","
			                       "\"pattern\":\"[domain-name:value = "
			                       "'p%d.post.example']\",\"pattern_type\":\"stix\","
			                       "\"valid_from\":\"2024-01-01T00:00:00Z\"}",
			                       i > 0 ? "," : "", (unsigned)time(NULL), sent, sent);
		len += (size_t)sprintf(env + len, "]}");
		b.len = 0;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, env);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
		if (curl_easy_perform(c) != CURLE_OK)
			return fprintf(stderr, "taxii_load: POST failed\n"), 1;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code != 202)
			return fprintf(stderr, "taxii_load: POST HTTP %ld: %.300s\n", code,
			               b.data ? b.data : ""),
			       1;
		batch++;
	}
	{
		double total = now() - t0;

		printf("{\"mode\":\"post\",\"objects\":%d,\"envelopes\":%d,\"seconds\":%.3f,"
		       "\"objects_per_s\":%.0f}\n",
		       sent, batch, total, sent / total);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	free(env);
	free(b.data);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
	                                     {"password", required_argument, NULL, 'p'},
	                                     {"ca", required_argument, NULL, 'c'},
	                                     {"count", required_argument, NULL, 'n'},
	                                     {NULL, 0, NULL, 0}};
	int opt, count = 1000, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'u')
			user = optarg;
		else if (opt == 'p')
			password = optarg;
		else if (opt == 'c')
			ca = optarg;
		else if (opt == 'n')
			count = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr,
		        "usage: taxii_load pages|connections|post URL [--user U --password P "
		        "--ca FILE --count N]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(argv[optind], "pages") == 0)
		rc = pages(argv[optind + 1]);
	else if (strcmp(argv[optind], "connections") == 0)
		rc = connections(argv[optind + 1], count);
	else if (strcmp(argv[optind], "post") == 0)
		rc = post(argv[optind + 1], count);
	else
		rc = 2;
	curl_global_cleanup();
	return rc;
}
