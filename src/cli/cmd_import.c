/* cmd_import.c - `entente import`: intelligence files into the store. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "feed/publish.h"
#include "trust/keys.h"
#include "feed/import.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: entente import [--home DIR] [--source NAME] [--tlp T] [--confidence N]\n"
	        "                      [--type T] [--column N|NAME] [--trusted] [--publish] "
	        "[--json] PATH...\n\n"
	        "Imports STIX 2.1 bundles, MISP events and MISP feed directories, and CSV or\n"
	        "plain lists. The format is detected from the content. Each PATH is imported\n"
	        "in one transaction: it lands whole or not at all, and a failing PATH does\n"
	        "not affect the others.\n\n"
	        "  --source NAME    provenance name (default: the file's base name)\n"
	        "  --tlp T          TLP for objects without a marking: clear, green, amber,\n"
	        "                   amber+strict, red (default: the config's import.default_tlp)\n"
	        "  --confidence N   confidence 0-100 for objects without one\n"
	        "  --type T         CSV: force the value type (ipv4, ipv6, domain, url, md5,\n"
	        "                   sha1, sha256, email)\n"
	        "  --column N|NAME  CSV: the value column, by 1-based number or header name\n"
	        "  --publish        STIX bundles only: take the objects as this node's own:\n"
	        "                   the node becomes their creator and signs each of them\n"
	        "  --trusted        the operator vouches for these files: unsigned objects are\n"
	        "                   taken as they are (default: policy.unsigned decides)\n"
	        "  --json           print each summary as one JSON object (one per line)\n"
	        "  --help           this text\n\n"
	        "Exit status: 0 if every PATH imported, 1 if any failed, 2 on usage errors,\n"
	        "3 if the node home is missing or unsafe.\n");
}

/* --publish: the bundle signed as ours into a file of the home, imported
 * under the original file's name, then removed. */
static int import_published(struct ent_home *h, struct ent_store *store, const char *path,
                            const struct ent_import_opts *io, struct ent_import_summary *sum,
                            char *err)
{
	struct ent_import_opts o = *io;
	struct ent_keypair kp;
	char tmp[PATH_MAX + 32], source[256];
	const char *base = strrchr(path, '/');
	size_t n;
	int rc;

	rc = ent_keys_load(h->sk_path, &kp, err);
	if (rc != ENT_OK)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s/.publish-%d.json", h->dir, (int)getpid());
	rc = ent_publish_bundle(path, ent_config_get(h->config, "node.identity", ""), &kp, tmp, &n,
	                        err);
	ent_keys_wipe(&kp);
	if (rc != ENT_OK)
		return rc;
	snprintf(source, sizeof(source), "%s", io->source ? io->source : base ? base + 1 : path);
	o.source = source;
	/* what publishing left unsigned (identities of others, marking
	 * definitions) the operator vouches for by publishing the bundle */
	o.unsigned_action = ENT_UNSIGNED_ACCEPT;
	rc = ent_import_path(store, tmp, &o, sum, err);
	unlink(tmp);
	if (rc != ENT_OK) {
		/* name the operator's file, not the signed copy */
		char *at = strstr(err, tmp);

		if (at != NULL)
			memmove(at, at + strlen(tmp), strlen(at + strlen(tmp)) + 1);
		ent_err_prefix(err, "%s (published copy)", path);
	}
	return rc;
}

static void print_text(const char *path, const struct ent_import_summary *s)
{
	printf("%s: %s, %zu objects (%zu indicators, %zu matchable observables) in %.2f s\n", path,
	       s->format, s->objects, s->indicators, s->observables, s->elapsed_s);
	printf("  added %zu, unchanged %zu, superseded %zu, history %zu, revoked %zu\n", s->added,
	       s->unchanged, s->superseded, s->history, s->revoked);
	if (s->not_matchable > 0) {
		printf("  not matchable %zu:", s->not_matchable);
		for (size_t i = 0; i < s->n_reasons; i++)
			printf("%s %s (%zu)", i ? "," : "", s->reasons[i].reason,
			       s->reasons[i].count);
		printf("\n");
	}
}

static void print_json(const char *path, const struct ent_import_summary *s, const char *error)
{
	json_t *o = json_object(), *reasons = json_object();
	char *text;

	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "ok", json_boolean(error == NULL));
	if (error != NULL)
		json_object_set_new(o, "error", json_string(error));
	json_object_set_new(o, "format", json_string(s->format));
	json_object_set_new(o, "objects", json_integer((json_int_t)s->objects));
	json_object_set_new(o, "indicators", json_integer((json_int_t)s->indicators));
	json_object_set_new(o, "observables", json_integer((json_int_t)s->observables));
	json_object_set_new(o, "added", json_integer((json_int_t)s->added));
	json_object_set_new(o, "unchanged", json_integer((json_int_t)s->unchanged));
	json_object_set_new(o, "superseded", json_integer((json_int_t)s->superseded));
	json_object_set_new(o, "history", json_integer((json_int_t)s->history));
	json_object_set_new(o, "revoked", json_integer((json_int_t)s->revoked));
	json_object_set_new(o, "not_matchable", json_integer((json_int_t)s->not_matchable));
	for (size_t i = 0; i < s->n_reasons; i++)
		json_object_set_new(reasons, s->reasons[i].reason,
		                    json_integer((json_int_t)s->reasons[i].count));
	json_object_set_new(o, "not_matchable_reasons", reasons);
	json_object_set_new(o, "elapsed_s",
	                    json_real((double)(long long)(s->elapsed_s * 1000 + 0.5) / 1000));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL)
		puts(text);
	free(text);
	json_decref(o);
}

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int import_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"source", required_argument, NULL, 's'},
	                                     {"tlp", required_argument, NULL, 't'},
	                                     {"confidence", required_argument, NULL, 'c'},
	                                     {"type", required_argument, NULL, 'T'},
	                                     {"column", required_argument, NULL, 'C'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"trusted", no_argument, NULL, 'r'},
	                                     {"publish", no_argument, NULL, 'P'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct ent_import_opts io = {.default_confidence = -1};
	const char *home = NULL, *tlp = NULL;
	char err[ENT_ERRBUF_SIZE];
	struct ent_home *h;
	struct ent_store *store;
	bool json = false, trusted = false, publish = false;
	struct ent_policy policy;
	int c, failed = 0, config_conf;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 's':
			io.source = optarg;
			break;
		case 't':
			tlp = optarg;
			if (ent_tlp_parse(tlp) == ENT_TLP_NONE) {
				cli_error("import", "--tlp: '%s' is not a TLP level", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (parse_int(optarg, 0, 100, &io.default_confidence) != 0) {
				cli_error("import", "--confidence: '%s' is not 0-100", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'T':
			io.forced_kind = ent_obs_kind_from_name(optarg);
			if (io.forced_kind == ENT_OBS_NONE) {
				cli_error("import", "--type: unknown type '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C':
			if (parse_int(optarg, 1, 1000, &io.column) != 0) {
				io.column = 0;
				io.column_name = optarg;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			trusted = true;
			break;
		case 'P':
			publish = true;
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
		cli_error("import", "no PATH given (see entente import --help)");
		return EXIT_USAGE;
	}
	h = cli_open_home("import", home);
	if (h == NULL)
		return EXIT_HOME;
	if (tlp == NULL)
		tlp = ent_config_get(h->config, "import.default_tlp", NULL);
	io.default_tlp = ent_tlp_parse(tlp);
	if (io.default_confidence < 0) {
		if (ent_config_get_int(h->config, "import.default_confidence", -1, 0, 100,
		                       &config_conf, err) != ENT_OK) {
			cli_error("import", "%s: %s", h->config_path, err);
			ent_home_close(h);
			return EXIT_HOME;
		}
		io.default_confidence = config_conf;
	}
	io.progress = !json;
	if (ent_home_store(h, 0, &store, err) != ENT_OK) {
		cli_error("import", "%s", err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	io.gate = cli_load_gate("import", h, store, &policy);
	if (io.gate == NULL) {
		ent_store_close(store);
		ent_home_close(h);
		return EXIT_HOME;
	}
	io.unsigned_action = trusted ? ENT_UNSIGNED_ACCEPT : policy.unsigned_action;
	for (int i = optind; i < argc; i++) {
		struct ent_import_summary sum = {0};
		int rc = publish ? import_published(h, store, argv[i], &io, &sum, err)
		                 : ent_import_path(store, argv[i], &io, &sum, err);

		if (rc != ENT_OK) {
			failed++;
			cli_error("import", "%s", err);
		}
		if (json)
			print_json(argv[i], &sum, rc == ENT_OK ? NULL : err);
		else if (rc == ENT_OK)
			print_text(argv[i], &sum);
	}
	ent_gate_free(io.gate);
	ent_store_close(store);
	ent_home_close(h);
	return failed ? EXIT_WORK : 0;
}
