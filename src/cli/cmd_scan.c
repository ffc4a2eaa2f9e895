/* cmd_scan.c - `entente scan`: find the store's indicators in capture files. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trust/allowlist.h"
#include "trust/policy.h"
#include "core/timefmt.h"
#include "sensor/scan.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: entente scan [--home DIR] [--threads N] [--output FILE] [--observables]\n"
	        "                    [--json] PCAP...\n\n"
	        "Reads pcap and pcapng files, finds the active indicators of the store in the\n"
	        "traffic (flow addresses, DNS names and answers, TLS SNI, JA3 and JA4, HTTP\n"
	        "Host and URL) and writes one alert per flow and indicator as Suricata EVE\n"
	        "JSON lines. Sightings are recorded in the store (see entente sightings).\n\n"
	        "  --threads N     worker threads (default: the config's scan.threads)\n"
	        "  --output FILE   write the alerts to FILE instead of standard output\n"
	        "  --observables   print every observable found as TSV on standard output\n"
	        "                  (frame, where, kind, value, detail); uses one thread\n"
	        "  --json          print the summary as one JSON object (on standard output\n"
	        "                  when the alerts go to a file, else on standard error)\n"
	        "  --help          this text\n\n"
	        "Exit status: 0 when every file was read to its end, 1 when a file was\n"
	        "missing or damaged (what it held before the damage is still scanned),\n"
	        "2 on usage errors, 3 if the node home is missing or unsafe.\n");
}

static void print_summary_text(const struct ent_scan_result *r, const struct ent_intel *in,
                               double compile_s)
{
	double secs = r->elapsed_s > 0 ? r->elapsed_s : 1e-9;
	uint64_t errors = 0;

	fprintf(stderr,
	        "scanned %llu files: %llu packets, %.1f MB, %llu flows, %llu alerts in %.2f s\n"
	        "  %.0f packets/s, %.3f Gbit/s; %zu indicators (%zu observables) compiled in "
	        "%.2f s\n",
	        (unsigned long long)r->files, (unsigned long long)r->packets,
	        (double)r->bytes / 1e6, (unsigned long long)r->flows, (unsigned long long)r->alerts,
	        r->elapsed_s, (double)r->packets / secs, (double)r->bytes * 8 / secs / 1e9,
	        in->n_ind, in->n_obs, compile_s);
	for (int i = 0; i < ENT_NC_COUNT; i++) {
		const char *name = ent_net_counter_name((enum ent_net_counter)i);

		if (r->counters.v[i] == 0 ||
		    (strncmp(name, "decode.", 7) != 0 && strncmp(name, "defrag.", 7) != 0 &&
		     strncmp(name, "stream.", 7) != 0))
			continue;
		if (errors++ == 0)
			fprintf(stderr, "  decode events:");
		fprintf(stderr, " %s %llu", name, (unsigned long long)r->counters.v[i]);
	}
	if (errors)
		fputc('\n', stderr);
	if (r->first_error[0])
		fprintf(stderr, "  %llu file(s) damaged or unreadable, first: %s\n",
		        (unsigned long long)r->files_failed, r->first_error);
	if (in->allow != NULL) {
		struct ent_allowlist_info info;

		fprintf(stderr, "  allowlists: %llu matches kept from alerting;",
		        (unsigned long long)in->allow_counts->suppressed);
		for (size_t i = 0; ent_allowlists_info(in->allow, i, &info); i++)
			fprintf(stderr, " %s (%s) %llu", info.name,
			        ent_allowlist_action_name(info.action),
			        (unsigned long long)in->allow_counts->hits[i]);
		fputc('\n', stderr);
	}
}

static void print_summary_json(FILE *f, const struct ent_scan_result *r, const struct ent_intel *in,
                               double compile_s)
{
	json_t *o = json_object(), *c = json_object();
	char *text;

	json_object_set_new(o, "files", json_integer((json_int_t)r->files));
	json_object_set_new(o, "files_failed", json_integer((json_int_t)r->files_failed));
	if (r->first_error[0])
		json_object_set_new(o, "first_error", json_string(r->first_error));
	json_object_set_new(o, "packets", json_integer((json_int_t)r->packets));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "flows", json_integer((json_int_t)r->flows));
	json_object_set_new(o, "alerts", json_integer((json_int_t)r->alerts));
	json_object_set_new(o, "observables", json_integer((json_int_t)r->observables));
	json_object_set_new(o, "indicators", json_integer((json_int_t)in->n_ind));
	json_object_set_new(o, "sightings", json_integer((json_int_t)r->n_sightings));
	json_object_set_new(o, "elapsed_s", json_real(r->elapsed_s));
	json_object_set_new(o, "compile_s", json_real(compile_s));
	for (int i = 0; i < ENT_NC_COUNT; i++)
		if (r->counters.v[i] != 0)
			json_object_set_new(c, ent_net_counter_name((enum ent_net_counter)i),
			                    json_integer((json_int_t)r->counters.v[i]));
	json_object_set_new(o, "counters", c);
	if (in->allow != NULL) {
		json_t *al = json_object(), *lists = json_object();
		struct ent_allowlist_info info;

		json_object_set_new(al, "suppressed",
		                    json_integer((json_int_t)in->allow_counts->suppressed));
		for (size_t i = 0; ent_allowlists_info(in->allow, i, &info); i++)
			json_object_set_new(lists, info.name,
			                    json_integer((json_int_t)in->allow_counts->hits[i]));
		json_object_set_new(al, "hits", lists);
		json_object_set_new(o, "allowlists", al);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL)
		fprintf(f, "%s\n", text);
	free(text);
	json_decref(o);
}

/* Records the scan and its sightings in one transaction. */
static int record(struct ent_store *s, char *const *paths, size_t n, const struct ent_intel *in,
                  const struct ent_scan_result *r, char *err)
{
	char inputs[4096] = "";
	size_t used = 0;
	int64_t scan_id;
	int rc;

	for (size_t i = 0; i < n && used < sizeof(inputs) - 1; i++)
		used += (size_t)snprintf(inputs + used, sizeof(inputs) - used, "%s%s", i ? " " : "",
		                         paths[i]);
	rc = ent_store_begin(s, err);
	if (rc != ENT_OK)
		return rc;
	rc = ent_store_scan_begin(s, inputs, &scan_id, err);
	for (size_t i = 0; rc == ENT_OK && i < r->n_sightings; i++) {
		const struct ent_scan_sighting *sg = &r->sightings[i];

		rc = ent_store_sighting_put(s, scan_id, in->ind[sg->ref].stix_id, sg->count,
		                            sg->first_ms, sg->last_ms, sg->flows, sg->n_flows, err);
	}
	if (rc == ENT_OK)
		rc = ent_store_scan_end(s, scan_id, r->packets, r->bytes, r->flows, r->alerts, err);
	if (rc == ENT_OK)
		return ent_store_commit(s, err);
	ent_store_rollback(s);
	return rc;
}

int scan_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"threads", required_argument, NULL, 't'},
	                                     {"output", required_argument, NULL, 'o'},
	                                     {"observables", no_argument, NULL, 'O'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *output = NULL;
	struct ent_scan_opts so = {0};
	struct ent_intel_policy pol = {.now_ms = ent_time_now_ms()};
	struct ent_policy policy;
	struct ent_allowlists *allow = NULL;
	struct ent_intel_allow_counts allow_counts = {0};
	struct ent_scan_result res;
	struct ent_intel *intel = NULL;
	struct ent_store *store = NULL;
	struct ent_home *h;
	char err[ENT_ERRBUF_SIZE];
	bool json = false, observables = false;
	int c, threads = 0, cfg_threads, max_flows, timeout, exit_code = EXIT_WORK;
	uint64_t t0;
	double compile_s;
	FILE *out = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			if (threads < 1 || threads > ENT_SCAN_MAX_THREADS) {
				cli_error("scan", "--threads: '%s' is not 1-%d", optarg,
				          ENT_SCAN_MAX_THREADS);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'O':
			observables = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		cli_error("scan", "no capture file given (see entente scan --help)");
		return EXIT_USAGE;
	}
	h = cli_open_home("scan", home);
	if (h == NULL)
		return EXIT_HOME;
	if (ent_config_get_bool(h->config, "match.subdomains", false, &pol.subdomains, err) !=
	        ENT_OK ||
	    ent_config_get_int(h->config, "match.min_confidence", 0, 0, 100, &pol.min_confidence,
	                       err) != ENT_OK ||
	    ent_config_get_int(h->config, "scan.threads", 1, 1, ENT_SCAN_MAX_THREADS, &cfg_threads,
	                       err) != ENT_OK ||
	    ent_config_get_int(h->config, "scan.max_flows", 1000000, 1000, 100000000, &max_flows,
	                       err) != ENT_OK ||
	    ent_config_get_int(h->config, "scan.flow_timeout", 120, 1, 86400, &timeout, err) !=
	        ENT_OK ||
	    ent_policy_load(h->config, &policy, err) != ENT_OK) {
		cli_error("scan", "%s: %s", h->config_path, err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	so.threads = (unsigned)(threads ? threads : cfg_threads);
	so.max_flows = (uint32_t)max_flows;
	so.flow_timeout = (uint32_t)timeout;
	so.progress = !json && isatty(STDERR_FILENO);
	if (ent_home_store(h, 0, &store, err) != ENT_OK) {
		cli_error("scan", "%s", err);
		goto out;
	}
	t0 = ent_time_mono_ns();
	pol.policy = &policy;
	allow = ent_allowlists_new();
	if (allow == NULL || ent_allowlists_load_config(allow, h->config, h->dir, err) != ENT_OK) {
		cli_error("scan", "%s: %s", h->config_path, allow == NULL ? "out of memory" : err);
		ent_allowlists_free(allow);
		ent_store_close(store);
		ent_home_close(h);
		return EXIT_HOME;
	}
	if (ent_intel_load(store, &pol, &intel, err) != ENT_OK) {
		cli_error("scan", "compiling the indicators: %s", err);
		goto out;
	}
	compile_s = (double)(ent_time_mono_ns() - t0) / 1e9;
	if (ent_allowlists_count(allow) > 0) {
		intel->allow = allow;
		intel->allow_counts = &allow_counts;
	}
	if (output != NULL) {
		out = fopen(output, "w");
		if (out == NULL) {
			cli_error("scan", "%s: cannot write", output);
			goto out;
		}
		so.alerts = out;
	} else if (!observables) {
		so.alerts = stdout;
	}
	so.observables = observables ? stdout : NULL;
	if (ent_scan_run(intel, argv + optind, (size_t)(argc - optind), &so, &res, err) != ENT_OK) {
		cli_error("scan", "%s", err);
		goto out;
	}
	if (out != NULL && fclose(out) != 0) {
		out = NULL;
		cli_error("scan", "%s: write failed", output);
		ent_scan_result_free(&res);
		goto out;
	}
	out = NULL;
	fflush(stdout);
	if (record(store, argv + optind, (size_t)(argc - optind), intel, &res, err) != ENT_OK)
		cli_error("scan", "recording sightings: %s", err);
	else if (res.files_failed == 0)
		exit_code = 0;
	if (res.first_error[0])
		cli_error("scan", "%s", res.first_error);
	if (json)
		print_summary_json(output != NULL && !observables ? stdout : stderr, &res, intel,
		                   compile_s);
	else if (isatty(STDERR_FILENO))
		print_summary_text(&res, intel, compile_s);
	ent_scan_result_free(&res);
out:
	if (out != NULL)
		fclose(out);
	ent_intel_free(intel);
	ent_allowlists_free(allow);
	ent_store_close(store);
	ent_home_close(h);
	return exit_code;
}
