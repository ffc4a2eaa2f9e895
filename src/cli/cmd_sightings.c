/* cmd_sightings.c - `entente sightings`: what the scans saw, per indicator. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/timefmt.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente sightings [--home DIR] [--json]\n\n"
	           "Lists, per indicator seen by any scan, the STIX Sighting facts: how many\n"
	           "times it was seen (alerts, one per flow), first and last seen, in how many\n"
	           "scans, who produced the indicator, and the latest flows it was seen in.\n"
	           "Most recently seen first.\n\n"
	           "  --json   one JSON object per line\n"
	           "  --help   this text\n");
}

struct ctx {
	bool json;
};

static int print_one(void *vctx, const struct ent_store_sighting *sg)
{
	struct ctx *c = vctx;
	char first[ENT_TIME_STRLEN], last[ENT_TIME_STRLEN];

	ent_time_format(sg->first_seen_ms, first);
	ent_time_format(sg->last_seen_ms, last);
	if (c->json) {
		json_t *o = json_object(), *flows = json_array();
		char *text, *lines = sg->flows ? strdup(sg->flows) : NULL, *save = NULL;

		json_object_set_new(o, "indicator", json_string(sg->indicator_id));
		if (sg->name)
			json_object_set_new(o, "name", json_string(sg->name));
		if (sg->source)
			json_object_set_new(o, "source", json_string(sg->source));
		if (sg->created_by_ref)
			json_object_set_new(o, "producer", json_string(sg->created_by_ref));
		json_object_set_new(o, "count", json_integer((json_int_t)sg->count));
		json_object_set_new(o, "first_seen", json_string(first));
		json_object_set_new(o, "last_seen", json_string(last));
		json_object_set_new(o, "scans", json_integer((json_int_t)sg->scans));
		for (char *l = lines ? strtok_r(lines, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save))
			json_array_append_new(flows, json_string(l));
		free(lines);
		json_object_set_new(o, "flows", flows);
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			puts(text);
		free(text);
		json_decref(o);
		return 0;
	}
	printf("%s\t%llu\t%s\t%s\t%s\t%s\n", sg->indicator_id, (unsigned long long)sg->count, first,
	       last, sg->source ? sg->source : "-", sg->name ? sg->name : "");
	return 0;
}

int sightings_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct ctx c = {0};
	const char *home = NULL;
	char err[ENT_ERRBUF_SIZE];
	struct ent_home *h;
	struct ent_store *store;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			home = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("sightings", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	h = cli_open_home("sightings", home);
	if (h == NULL)
		return EXIT_HOME;
	if (ent_home_store(h, 0, &store, err) != ENT_OK) {
		cli_error("sightings", "%s", err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	rc = ent_store_sightings_foreach(store, print_one, &c, err);
	if (rc != ENT_OK)
		cli_error("sightings", "%s", err);
	ent_store_close(store);
	ent_home_close(h);
	return rc == ENT_OK ? 0 : EXIT_WORK;
}
