/*
 * cmd_policy.c - `entente policy show`: the local policy in force: the
 * [policy] settings resolved over their defaults, each peer's trust, and
 * the allowlists with their entry counts and actions.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/observable.h"
#include "store/peers.h"
#include "trust/allowlist.h"
#include "trust/policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente policy show [--home DIR] [--json]\n\n"
	           "Prints the local policy in force: minimum confidences to alert and to\n"
	           "export, how unsigned objects are treated, the default TLP, the confidence\n"
	           "half-life per observable kind, the trust given to each peer, and the\n"
	           "allowlists with their entry counts and actions. See docs/policy.md.\n\n"
	           "  --json   one JSON object\n"
	           "  --help   this text\n");
}

struct peers_ctx {
	bool json;
	json_t *arr;
	int n;
};

static json_t *groups_array(const char *groups)
{
	json_t *a = json_array();
	char *copy = strdup(groups), *save = NULL;

	for (char *g = copy ? strtok_r(copy, ",", &save) : NULL; g;
	     g = strtok_r(NULL, ",", &save)) {
		while (*g == ' ')
			g++;
		if (*g != '\0')
			json_array_append_new(a, json_string(g));
	}
	free(copy);
	return a;
}

static int print_peer(void *vctx, const struct ent_peer *p)
{
	struct peers_ctx *c = vctx;

	c->n++;
	if (c->json) {
		json_array_append_new(
		    c->arr, json_pack("{s:s, s:i, s:o, s:b, s:s?}", "name", p->name, "trust",
		                      p->trust, "groups", groups_array(p->groups), "key_pinned",
		                      p->public_key[0] != '\0', "identity",
		                      p->identity_ref[0] ? p->identity_ref : NULL));
		return 0;
	}
	printf("  %-20s trust %3d  key %-10s groups %s\n", p->name, p->trust,
	       p->public_key[0] ? "pinned" : "not pinned", p->groups[0] ? p->groups : "-");
	return 0;
}

static void kinds_text(unsigned kinds, char *out, size_t outsz, json_t *arr)
{
	size_t len = 0;

	out[0] = '\0';
	if (kinds == ((1u << ENT_OBS_KIND_COUNT) - 2) && arr == NULL) {
		snprintf(out, outsz, "all");
		return;
	}
	for (int k = ENT_OBS_NONE + 1; k < ENT_OBS_KIND_COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		if (arr != NULL)
			json_array_append_new(arr,
			                      json_string(ent_obs_kind_name((enum ent_obs_kind)k)));
		else if (len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, "%s%s", len ? "," : "",
			                        ent_obs_kind_name((enum ent_obs_kind)k));
	}
	if (arr == NULL && len == 0)
		snprintf(out, outsz, "none");
}

static void action_text(const struct ent_allowlist_info *i, char out[32])
{
	if (i->action == ENT_AL_LOWER)
		snprintf(out, 32, "lower:%d", i->lower);
	else
		snprintf(out, 32, "%s", ent_allowlist_action_name(i->action));
}

static int show(struct ent_home *h, bool json)
{
	char err[ENT_ERRBUF_SIZE], dur[24], action[32], kinds[160];
	struct ent_allowlists *al = NULL;
	struct peers_ctx pc = {json, NULL, 0};
	struct ent_allowlist_info info;
	struct ent_store *store = NULL;
	struct ent_policy p;
	json_t *o = NULL, *hl = NULL, *lists = NULL;
	int rc;

	rc = ent_policy_load(h->config, &p, err);
	if (rc != ENT_OK) {
		cli_error("policy", "%s: %s", h->config_path, err);
		return EXIT_WORK;
	}
	al = ent_allowlists_new();
	if (al == NULL) {
		cli_error("policy", "out of memory");
		return EXIT_WORK;
	}
	rc = ent_allowlists_load_config(al, h->config, h->dir, err);
	if (rc != ENT_OK) {
		cli_error("policy", "%s: %s", h->config_path, err);
		ent_allowlists_free(al);
		return EXIT_WORK;
	}
	if (ent_home_store(h, 0, &store, err) != ENT_OK) {
		cli_error("policy", "%s", err);
		ent_allowlists_free(al);
		return EXIT_HOME;
	}

	if (json) {
		o = json_object();
		hl = json_object();
		lists = json_array();
		pc.arr = json_array();
		json_object_set_new(o, "min_confidence_alert",
		                    json_integer(p.min_confidence_alert));
		json_object_set_new(o, "min_confidence_export",
		                    json_integer(p.min_confidence_export));
		json_object_set_new(o, "unknown_confidence", json_integer(p.unknown_confidence));
		json_object_set_new(o, "unsigned",
		                    json_pack("{s:s, s:i}", "action",
		                              ent_policy_unsigned_name(p.unsigned_action), "trust",
		                              p.unsigned_trust));
		json_object_set_new(o, "sightings",
		                    json_string(p.sightings_anonymous ? "anonymous" : "identity"));
		json_object_set_new(o, "default_tlp", json_string(ent_tlp_name(p.default_tlp)));
	} else {
		printf("policy (%s)\n", h->config_path);
		printf("  min_confidence_alert   %d\n", p.min_confidence_alert);
		printf("  min_confidence_export  %d\n", p.min_confidence_export);
		printf("  unknown_confidence     %d\n", p.unknown_confidence);
		printf("  unsigned               %s", ent_policy_unsigned_name(p.unsigned_action));
		if (p.unsigned_action == ENT_UNSIGNED_LOWER)
			printf(" (as one more hop of trust %d)", p.unsigned_trust);
		printf("\n  sightings              %s\n",
		       p.sightings_anonymous ? "anonymous" : "identity");
		printf("  default_tlp            %s\n", ent_tlp_name(p.default_tlp));
		printf("half-life of confidence\n");
	}
	for (int k = ENT_OBS_NONE + 1; k < ENT_OBS_KIND_COUNT; k++) {
		const char *name = ent_obs_kind_name((enum ent_obs_kind)k);

		if (json) {
			json_object_set_new(hl, name, json_integer(p.half_life_s[k]));
			continue;
		}
		ent_policy_format_duration(p.half_life_s[k], dur);
		printf("  %-12s %s\n", name, p.half_life_s[k] ? dur : "none");
	}
	if (!json)
		printf("peers\n");
	rc = ent_store_peers_foreach(store, print_peer, &pc, err);
	if (rc != ENT_OK) {
		cli_error("policy", "%s", err);
		rc = EXIT_WORK;
		goto out;
	}
	if (!json && pc.n == 0)
		printf("  (none)\n");
	if (!json)
		printf("allowlists\n");
	for (size_t i = 0; ent_allowlists_info(al, i, &info); i++) {
		action_text(&info, action);
		if (json) {
			json_t *k = json_array();

			kinds_text(info.kinds, kinds, sizeof(kinds), k);
			json_array_append_new(
			    lists, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "name",
			                     info.name, "source", info.source, "title", info.title,
			                     "type", ent_allowlist_type_name(info.type), "action",
			                     action, "entries", (json_int_t)info.entries, "skipped",
			                     (json_int_t)info.skipped, "kinds", k));
			continue;
		}
		kinds_text(info.kinds, kinds, sizeof(kinds), NULL);
		printf("  %-20s %-9s %-11s %8zu entries", info.name,
		       ent_allowlist_type_name(info.type), action, info.entries);
		if (info.skipped)
			printf(" (%zu skipped)", info.skipped);
		printf("  kinds %s  %s\n", kinds, info.source);
	}
	if (!json && ent_allowlists_count(al) == 0)
		printf("  (none)\n");
	if (json) {
		char *text;

		json_object_set_new(o, "half_life", hl);
		json_object_set_new(o, "peers", pc.arr);
		json_object_set_new(o, "allowlists", lists);
		hl = pc.arr = lists = NULL;
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			puts(text);
		free(text);
	}
	rc = 0;
out:
	json_decref(hl);
	json_decref(lists);
	json_decref(pc.arr);
	json_decref(o);
	ent_store_close(store);
	ent_allowlists_free(al);
	return rc;
}

int policy_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL;
	bool json = false;
	struct ent_home *h;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			home = optarg;
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
		cli_error("policy", "which subcommand? (show)");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "show") != 0) {
		cli_error("policy", "unknown subcommand '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cli_error("policy", "unexpected argument '%s'", argv[optind + 1]);
		return EXIT_USAGE;
	}
	h = cli_open_home("policy", home);
	if (h == NULL)
		return EXIT_HOME;
	rc = show(h, json);
	ent_home_close(h);
	return rc;
}
