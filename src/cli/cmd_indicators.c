/*
 * cmd_indicators.c - `entente indicators`: list and show indicators (with
 * what came back about them: sightings and opinions), revoke the node's
 * own, dispute others' (feed/lifecycle.h, store/feedback.h).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/timefmt.h"
#include "feed/lifecycle.h"
#include "store/feedback.h"
#include "trust/keys.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: entente indicators [--home DIR] [--type T] [--source S] [--all] [--json]\n"
	        "       entente indicators show [--home DIR] [--json] ID\n"
	        "       entente indicators revoke [--home DIR] [--json] ID\n"
	        "       entente indicators dispute [--home DIR] [--json] ID --reason TEXT\n\n"
	        "Lists the active indicators (not revoked, not expired), one per line:\n"
	        "id, observable kinds, source, TLP, confidence, status and pattern.\n"
	        "`show` prints every stored version of one object with its provenance\n"
	        "and its observables, and for an indicator the sightings and opinions\n"
	        "that came back about it. `revoke` revokes one of this node's own\n"
	        "indicators (a new signed version with revoked: true, which peers pull);\n"
	        "`dispute` records another producer's indicator as a false positive (a\n"
	        "signed STIX opinion, strongly-disagree, which `entente sync` sends to\n"
	        "the peer that delivered the indicator).\n\n"
	        "  --type T       only indicators with an observable of kind T (ipv4, ipv6,\n"
	        "                 domain, url, md5, sha1, sha256, email, ja3, ja4, ...)\n"
	        "  --source S     only indicators delivered by source S\n"
	        "  --all          include revoked and expired indicators\n"
	        "  --reason TEXT  why the indicator is a false positive (dispute)\n"
	        "  --json         one JSON object per line\n"
	        "  --help         this text\n");
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

/* Prints text from anywhere (a peer's explanation) on a terminal line:
 * control characters become '?'. */
static void put_safe(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)(text ? text : "-"); *p; p++)
		putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
}

static const char *who_of(const char *created_by_ref, const char *source)
{
	return created_by_ref ? created_by_ref : source ? source : "?";
}

static void print_line(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (text != NULL)
		puts(text);
	free(text);
}

struct feedback_ctx {
	bool json;
	json_t *list; /* --json: the array being filled */
};

static int print_fb_sighting(void *vctx, const struct ent_feedback_sighting *sg)
{
	struct feedback_ctx *ctx = vctx;

	if (ctx->json) {
		json_t *o = json_object();

		set_str(o, "id", sg->stix_id);
		set_str(o, "who", who_of(sg->created_by_ref, sg->source));
		set_str(o, "created_by_ref", sg->created_by_ref);
		set_str(o, "source", sg->source);
		set_str(o, "tlp", sg->tlp);
		if (sg->count >= 0)
			json_object_set_new(o, "count", json_integer((json_int_t)sg->count));
		set_time(o, "first_seen", sg->first_seen);
		set_time(o, "last_seen", sg->last_seen);
		set_time(o, "modified", sg->modified_ms);
		json_array_append_new(ctx->list, o);
		return 0;
	}
	char first[ENT_TIME_STRLEN] = "-", last[ENT_TIME_STRLEN] = "-";

	if (sg->first_seen != ENT_TIME_NONE)
		ent_time_format(sg->first_seen, first);
	if (sg->last_seen != ENT_TIME_NONE)
		ent_time_format(sg->last_seen, last);
	printf("  sighting    ");
	put_safe(who_of(sg->created_by_ref, sg->source));
	if (sg->count >= 0)
		printf("  count %lld", (long long)sg->count);
	else
		printf("  count -");
	printf("  %s .. %s  %s\n", first, last, sg->stix_id);
	return 0;
}

static int print_fb_opinion(void *vctx, const struct ent_feedback_opinion *op)
{
	struct feedback_ctx *ctx = vctx;

	if (ctx->json) {
		json_t *o = json_object();

		set_str(o, "id", op->stix_id);
		set_str(o, "who", who_of(op->created_by_ref, op->source));
		set_str(o, "created_by_ref", op->created_by_ref);
		set_str(o, "source", op->source);
		set_str(o, "tlp", op->tlp);
		set_str(o, "opinion", op->opinion);
		set_str(o, "explanation", op->explanation);
		set_time(o, "modified", op->modified_ms);
		json_array_append_new(ctx->list, o);
		return 0;
	}
	printf("  opinion     ");
	put_safe(op->opinion);
	printf("  ");
	put_safe(who_of(op->created_by_ref, op->source));
	printf("  %s\n", op->stix_id);
	if (op->explanation != NULL) {
		printf("              ");
		put_safe(op->explanation);
		putchar('\n');
	}
	return 0;
}

/* What came back about an indicator: the sums, then each report. */
static int print_feedback(struct ent_store *store, const char *id, bool json, char *err)
{
	struct feedback_ctx ctx = {.json = json};
	struct ent_feedback_summary sum;
	json_t *fb = NULL, *sg = NULL, *op = NULL;
	int rc;

	rc = ent_feedback_summarize(store, id, &sum, err);
	if (rc != ENT_OK)
		return rc;
	if (json) {
		fb = json_object();
		sg = json_object();
		op = json_object();
		json_object_set_new(sg, "reports", json_integer((json_int_t)sum.sightings));
		json_object_set_new(sg, "count", json_integer((json_int_t)sum.count));
		set_time(sg, "first_seen", sum.first_seen);
		set_time(sg, "last_seen", sum.last_seen);
		ctx.list = json_array();
		json_object_set_new(sg, "by", ctx.list);
		rc = ent_feedback_sightings_foreach(store, id, print_fb_sighting, &ctx, err);
		json_object_set_new(op, "reports", json_integer((json_int_t)sum.opinions));
		for (int i = 0; i < ENT_OPINION_COUNT; i++)
			json_object_set_new(op, ent_opinion_name((enum ent_opinion)i),
			                    json_integer((json_int_t)sum.per_opinion[i]));
		ctx.list = json_array();
		json_object_set_new(op, "by", ctx.list);
		if (rc == ENT_OK)
			rc = ent_feedback_opinions_foreach(store, id, print_fb_opinion, &ctx, err);
		json_object_set_new(fb, "indicator", json_string(id));
		json_object_set_new(fb, "sightings", sg);
		json_object_set_new(fb, "opinions", op);
		if (rc == ENT_OK) {
			json_t *line = json_pack("{so}", "feedback", fb);

			print_line(line);
			json_decref(line);
		} else {
			json_decref(fb);
		}
		return rc;
	}
	char first[ENT_TIME_STRLEN] = "-", last[ENT_TIME_STRLEN] = "-";

	if (sum.first_seen != ENT_TIME_NONE)
		ent_time_format(sum.first_seen, first);
	if (sum.last_seen != ENT_TIME_NONE)
		ent_time_format(sum.last_seen, last);
	printf("feedback\n");
	printf("  sightings   %llu reports, seen %llu times, %s .. %s\n",
	       (unsigned long long)sum.sightings, (unsigned long long)sum.count, first, last);
	rc = ent_feedback_sightings_foreach(store, id, print_fb_sighting, &ctx, err);
	if (rc != ENT_OK)
		return rc;
	printf("  opinions    %llu reports:", (unsigned long long)sum.opinions);
	for (int i = 0; i < ENT_OPINION_COUNT; i++)
		printf(" %s %llu", ent_opinion_name((enum ent_opinion)i),
		       (unsigned long long)sum.per_opinion[i]);
	if (sum.per_opinion[ENT_OPINION_OTHER] > 0)
		printf(" other %llu", (unsigned long long)sum.per_opinion[ENT_OPINION_OTHER]);
	printf("\n");
	return ent_feedback_opinions_foreach(store, id, print_fb_opinion, &ctx, err);
}

static int show(struct ent_store *store, const char *id, struct list_ctx *ctx, char *err)
{
	struct ent_feedback_object cur;
	int rc;

	rc = ent_store_versions_foreach(store, id, print_version, ctx, err);
	if (rc != ENT_OK)
		return rc;
	rc = ent_feedback_object_get(store, id, &cur, err);
	if (rc == ENT_OK && strcmp(cur.type, "indicator") == 0)
		rc = print_feedback(store, id, ctx->json, err);
	ent_feedback_object_clear(&cur);
	return rc;
}

enum action { LIST, SHOW, REVOKE, DISPUTE };

/* revoke and dispute: they write, signed with the node's key. */
static int lifecycle(struct ent_home *h, struct ent_store *store, enum action act, const char *id,
                     const char *reason, bool json, char *err)
{
	struct ent_lifecycle_result r;
	struct ent_lifecycle_node node;
	struct ent_keypair kp;
	char t[ENT_TIME_STRLEN];
	int rc;

	rc = ent_keys_load(h->sk_path, &kp, err);
	if (rc != ENT_OK)
		return rc;
	node.identity_id = ent_config_get(h->config, "node.identity", NULL);
	node.kp = &kp;
	if (act == REVOKE)
		rc = ent_lifecycle_revoke(store, &node, id, ent_time_now_ms(), &r, err);
	else
		rc = ent_lifecycle_dispute(store, &node, id, reason, ent_time_now_ms(), &r, err);
	ent_keys_wipe(&kp);
	if (rc != ENT_OK)
		return rc;
	ent_time_format(r.version_ms, t);
	if (json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(r.stix_id));
		if (act == REVOKE) {
			json_object_set_new(o, "revoked", json_true());
		} else {
			json_object_set_new(o, "type", json_string("opinion"));
			json_object_set_new(o, "opinion", json_string("strongly-disagree"));
			json_object_set_new(o, "indicator", json_string(r.indicator));
		}
		json_object_set_new(o, "modified", json_string(t));
		set_str(o, "tlp", r.tlp[0] ? r.tlp : NULL);
		print_line(o);
		json_decref(o);
	} else if (act == REVOKE) {
		printf("revoked %s (version %s, TLP %s); peers get it on their next sync\n",
		       r.stix_id, t, r.tlp[0] ? r.tlp : "-");
	} else {
		printf("disputed %s: %s (TLP %s); `entente sync` sends it to the peer that"
		       " delivered the indicator\n",
		       r.indicator, r.stix_id, r.tlp);
	}
	return ENT_OK;
}

int indicators_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"home", required_argument, NULL, 'H'},   {"type", required_argument, NULL, 'T'},
	    {"source", required_argument, NULL, 's'}, {"all", no_argument, NULL, 'a'},
	    {"reason", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	static const char *const names[] = {"", "show", "revoke", "dispute"};
	struct ent_store_indicator_filter f = {.kind = ENT_OBS_NONE};
	struct list_ctx ctx = {.now = ent_time_now_ms()};
	const char *home = NULL, *reason = NULL;
	bool filters = false;
	char err[ENT_ERRBUF_SIZE];
	enum action act = LIST;
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
			filters = true;
			break;
		case 's':
			f.source = optarg;
			filters = true;
			break;
		case 'a':
			f.all = true;
			filters = true;
			break;
		case 'r':
			reason = optarg;
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
	for (int i = SHOW; optind < argc && i <= DISPUTE; i++)
		if (strcmp(argv[optind], names[i]) == 0)
			act = (enum action)i;
	if (act == LIST ? optind != argc : argc - optind != 2) {
		if (act == LIST)
			cli_error("indicators", "unexpected argument '%s'", argv[optind]);
		else
			cli_error("indicators", "%s takes exactly one ID", names[act]);
		return EXIT_USAGE;
	}
	if (act != LIST && filters) {
		cli_error("indicators", "--type, --source and --all are for the list only");
		return EXIT_USAGE;
	}
	if ((act == DISPUTE) != (reason != NULL)) {
		cli_error("indicators", act == DISPUTE ? "dispute needs --reason TEXT"
		                                       : "--reason is for dispute only");
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
	switch (act) {
	case SHOW:
		rc = show(store, argv[optind + 1], &ctx, err);
		break;
	case REVOKE:
	case DISPUTE:
		rc = lifecycle(h, store, act, argv[optind + 1], reason, ctx.json, err);
		break;
	default:
		rc = ent_store_indicators_foreach(store, &f, print_indicator, &ctx, err);
		break;
	}
	if (rc != ENT_OK)
		cli_error("indicators", "%s%s%s", act == LIST ? "" : names[act],
		          act == LIST ? "" : ": ", err);
	ent_store_close(store);
	ent_home_close(h);
	return rc == ENT_OK ? 0 : EXIT_WORK;
}
