/* cmd_indicators.c - `entente indicators`: list and show indicators. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/timefmt.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: entente indicators [--home DIR] [--type T] [--source S] [--all] [--json]\n"
	        "       entente indicators show [--home DIR] [--json] ID\n\n"
	        "Lists the active indicators (not revoked, not expired), one per line:\n"
	        "id, observable kinds, source, TLP, confidence, status and pattern.\n"
	        "`show` prints every stored version of one object with its provenance\n"
	        "and its observables.\n\n"
	        "  --type T     only indicators with an observable of kind T (ipv4, ipv6,\n"
	        "               domain, url, md5, sha1, sha256, email, ja3, ja4, ...)\n"
	        "  --source S   only indicators delivered by source S\n"
	        "  --all        include revoked and expired indicators\n"
	        "  --json       one JSON object per line\n"
	        "  --help       this text\n");
}

struct list_ctx {
	bool json;
	int64_t now;
	size_t n;
};

static const char *status_of(const struct ent_store_indicator *ind, int64_t now)
{
	if (ind->revoked)
		return "revoked";
	if (ind->valid_until != ENT_TIME_NONE && ind->valid_until <= now)
		return "expired";
	if (ind->not_matchable != NULL)
		return "not-matchable";
	return "active";
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
	char t[ENT_TIME_STRLEN];

	if (ms == ENT_TIME_NONE)
		return;
	ent_time_format(ms, t);
	json_object_set_new(o, key, json_string(t));
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

static int print_indicator(void *vctx, const struct ent_store_indicator *ind)
{
	struct list_ctx *ctx = vctx;
	const char *status = status_of(ind, ctx->now);

	ctx->n++;
	if (ctx->json) {
		json_t *o = json_object();
		char *text;

		set_str(o, "id", ind->stix_id);
		set_str(o, "name", ind->name);
		set_str(o, "kinds", ind->kinds);
		set_str(o, "source", ind->source);
		set_str(o, "created_by_ref", ind->created_by_ref);
		set_str(o, "tlp", ind->tlp);
		if (ind->confidence >= 0)
			json_object_set_new(o, "confidence", json_integer(ind->confidence));
		set_str(o, "status", status);
		set_time(o, "modified", ind->modified_ms);
		set_time(o, "valid_from", ind->valid_from);
		set_time(o, "valid_until", ind->valid_until);
		set_str(o, "pattern", ind->pattern);
		set_str(o, "not_matchable", ind->not_matchable);
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text != NULL)
			puts(text);
		free(text);
		json_decref(o);
		return 0;
	}
	char conf[8] = "-";

	if (ind->confidence >= 0)
		snprintf(conf, sizeof(conf), "%d", ind->confidence);
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ind->stix_id, ind->kinds ? ind->kinds : "-",
	       ind->source ? ind->source : "-", ind->tlp ? ind->tlp : "-", conf, status,
	       ind->pattern ? ind->pattern : "");
	return 0;
}

static int print_version(void *vctx, const struct ent_store_version *v)
{
	struct list_ctx *ctx = vctx;
	char t[ENT_TIME_STRLEN];

	ent_time_format(v->version_ms, t);
	ctx->n++;
	if (ctx->json) {
		json_error_t jerr;
		json_t *o = json_object(), *obj = json_loads(v->json, 0, &jerr),
		       *obs = json_array();
		char *text, *lines = v->observables ? strdup(v->observables) : NULL, *save = NULL;

		json_object_set_new(o, "version", json_string(t));
		json_object_set_new(o, "current", json_boolean(v->is_current));
		json_object_set_new(o, "revoked", json_boolean(v->revoked));
		set_str(o, "provenance", v->provenance);
		set_str(o, "not_matchable", v->not_matchable);
		for (char *l = lines ? strtok_r(lines, "\n", &save) : NULL; l != NULL;
		     l = strtok_r(NULL, "\n", &save))
			json_array_append_new(obs, json_string(l));
		free(lines);
		json_object_set_new(o, "observables", obs);
		json_object_set_new(o, "object", obj ? obj : json_null());
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text != NULL)
			puts(text);
		free(text);
		json_decref(o);
		return 0;
	}
	printf("version %s%s%s\n", t, v->is_current ? " (current)" : "",
	       v->revoked ? " (revoked)" : "");
	printf("  provenance  %s\n", v->provenance ? v->provenance : "-");
	if (v->not_matchable != NULL)
		printf("  not matchable: %s\n", v->not_matchable);
	if (v->observables != NULL) {
		const char *p = v->observables;

		while (*p) {
			size_t n = strcspn(p, "\n");

			printf("  observable  %.*s\n", (int)n, p);
			p += n;
			if (*p == '\n')
				p++;
		}
	}
	printf("  %s\n", v->json);
	return 0;
}

int indicators_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"type", required_argument, NULL, 'T'},
	                                     {"source", required_argument, NULL, 's'},
	                                     {"all", no_argument, NULL, 'a'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct ent_store_indicator_filter f = {.kind = ENT_OBS_NONE};
	struct list_ctx ctx = {.now = ent_time_now_ms()};
	const char *home = NULL;
	char err[ENT_ERRBUF_SIZE];
	struct ent_home *h;
	struct ent_store *store;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'T':
			f.kind = ent_obs_kind_from_name(optarg);
			if (f.kind == ENT_OBS_NONE) {
				cli_error("indicators", "--type: unknown type '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			f.source = optarg;
			break;
		case 'a':
			f.all = true;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	f.now_ms = ctx.now;
	bool show = optind < argc && strcmp(argv[optind], "show") == 0;

	if (show ? argc - optind != 2 : optind != argc) {
		cli_error("indicators",
		          show ? "show takes exactly one ID" : "unexpected argument '%s'",
		          argv[optind]);
		return EXIT_USAGE;
	}
	h = cli_open_home("indicators", home);
	if (h == NULL)
		return EXIT_HOME;
	if (ent_home_store(h, 0, &store, err) != ENT_OK) {
		cli_error("indicators", "%s", err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	if (show)
		rc = ent_store_versions_foreach(store, argv[optind + 1], print_version, &ctx, err);
	else
		rc = ent_store_indicators_foreach(store, &f, print_indicator, &ctx, err);
	if (rc != ENT_OK)
		cli_error("indicators", "%s", err);
	ent_store_close(store);
	ent_home_close(h);
	return rc == ENT_OK ? 0 : EXIT_WORK;
}
