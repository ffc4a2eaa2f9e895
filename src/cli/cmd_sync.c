/* cmd_sync.c - `entente sync`: pull from peers' TAXII servers, push back
 * our sightings (see feed/sync.h). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "feed/sync.h"
#include "store/sync_state.h"
#include "trust/keys.h"
#include "trust/policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente sync [--home DIR] [--json] [PEER...]\n\n"
	           "For each peer (every peer with a URL when none is named): pulls every\n"
	           "collection it lets us read, since the last sync, into the store; then\n"
	           "pushes our sightings of its indicators (and those other peers sent to our\n"
	           "inbox) to its inbox collection. Peers are independent: one that fails is\n"
	           "reported and the others go on. An interrupted sync resumes where it\n"
	           "stopped; a failed fetch never removes anything.\n\n"
	           "  --json   one JSON object per peer, one per line\n"
	           "  --help   this text\n");
}

struct peer_list {
	struct ent_peer *v;
	size_t n, cap;
	bool with_url_only; /* none named: every peer we can reach */
};

static int add_peer(void *ctx, const struct ent_peer *p)
{
	struct peer_list *l = ctx;

	if (l->with_url_only && p->url[0] == '\0')
		return 0; /* a producer we know by its key only */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct ent_peer *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return ENT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

struct progress_ctx {
	bool on;
	bool shown;
};

static void on_progress(void *vctx, const char *peer, uint64_t pulled, uint64_t pushed)
{
	struct progress_ctx *pc = vctx;

	if (!pc->on)
		return;
	fprintf(stderr, "\r\033[Ksync %s: %llu pulled, %llu pushed", peer,
	        (unsigned long long)pulled, (unsigned long long)pushed);
	fflush(stderr);
	pc->shown = true;
}

static void progress_erase(struct progress_ctx *pc)
{
	if (pc->shown)
		fprintf(stderr, "\r\033[K");
	pc->shown = false;
}

static void print_result(const char *peer, const struct ent_sync_result *r, bool json)
{
	if (json) {
		json_t *o = json_object();
		char *text;

		json_object_set_new(o, "peer", json_string(peer));
		json_object_set_new(o, "ok", json_boolean(r->errors == 0));
		json_object_set_new(o, "collections", json_integer((json_int_t)r->collections));
		json_object_set_new(o, "pages", json_integer((json_int_t)r->pages));
		json_object_set_new(o, "pulled", json_integer((json_int_t)r->pulled));
		json_object_set_new(o, "new", json_integer((json_int_t)r->added));
		json_object_set_new(o, "unchanged", json_integer((json_int_t)r->unchanged));
		json_object_set_new(o, "rejected", json_integer((json_int_t)r->rejected));
		json_object_set_new(o, "pushed", json_integer((json_int_t)r->pushed));
		json_object_set_new(o, "errors", json_integer((json_int_t)r->errors));
		if (r->error[0] != '\0')
			json_object_set_new(o, "error", json_string(r->error));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			puts(text);
		free(text);
		json_decref(o);
		return;
	}
	printf("%s: %llu pulled (%llu new, %llu unchanged", peer, (unsigned long long)r->pulled,
	       (unsigned long long)r->added, (unsigned long long)r->unchanged);
	if (r->rejected)
		printf(", %llu rejected", (unsigned long long)r->rejected);
	printf(") from %llu collections, %llu pushed", (unsigned long long)r->collections,
	       (unsigned long long)r->pushed);
	if (r->errors)
		printf(", %u errors", r->errors);
	printf("\n");
}

int sync_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct progress_ctx prog = {0};
	struct ent_sync_opts so = {0};
	struct ent_policy policy;
	struct ent_keypair kp;
	struct peer_list peers = {0};
	const char *home = NULL, *tlp_name;
	char err[ENT_ERRBUF_SIZE];
	struct ent_home *h;
	struct ent_store *store;
	bool json = false;
	int opt, rc, exit_code = 0, page_size, timeout;

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
	h = cli_open_home("sync", home);
	if (h == NULL)
		return EXIT_HOME;
	if (ent_config_get_int(h->config, "sync.page_size", 1000, 1, 10000, &page_size, err) !=
	        ENT_OK ||
	    ent_config_get_int(h->config, "sync.timeout", 60, 1, 3600, &timeout, err) != ENT_OK) {
		cli_error("sync", "%s: %s", h->config_path, err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	tlp_name = ent_config_get(h->config, "import.default_tlp", "amber");
	so.default_tlp = ent_tlp_parse(tlp_name);
	if (so.default_tlp == ENT_TLP_NONE) {
		cli_error("sync", "%s: import.default_tlp: '%s' is not a TLP level", h->config_path,
		          tlp_name);
		ent_home_close(h);
		return EXIT_HOME;
	}
	if (ent_policy_load(h->config, &policy, err) != ENT_OK) {
		cli_error("sync", "%s: %s", h->config_path, err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	/* our sightings are signed with the node key */
	if (ent_keys_load(h->sk_path, &kp, err) != ENT_OK) {
		cli_error("sync", "%s", err);
		ent_home_close(h);
		return EXIT_HOME;
	}
	so.identity_id = ent_config_get(h->config, "node.identity", NULL);
	so.page_size = page_size;
	so.timeout_s = timeout;
	prog.on = !json && isatty(STDERR_FILENO);
	so.progress = on_progress;
	so.progress_ctx = &prog;
	if (ent_home_store(h, 0, &store, err) != ENT_OK) {
		cli_error("sync", "%s", err);
		ent_keys_wipe(&kp);
		ent_home_close(h);
		return EXIT_HOME;
	}
	/* the peers to sync with */
	rc = ENT_OK;
	if (optind == argc) {
		peers.with_url_only = true;
		rc = ent_store_peers_foreach(store, add_peer, &peers, err);
		if (rc == ENT_ENOMEM)
			ent_errf(err, rc, "out of memory");
	}
	for (int i = optind; i < argc && rc == ENT_OK; i++) {
		struct ent_peer p;

		rc = ent_store_peer_get(store, argv[i], &p, err);
		if (rc == ENT_OK && (rc = add_peer(&peers, &p)) != ENT_OK)
			ent_errf(err, rc, "out of memory");
	}
	if (rc != ENT_OK) {
		cli_error("sync", "%s", err);
		exit_code = rc == ENT_ENOTFOUND ? EXIT_USAGE : EXIT_WORK;
		goto out;
	}
	so.gate = cli_load_gate("sync", h, store, NULL);
	if (so.gate == NULL) {
		exit_code = EXIT_HOME;
		goto out;
	}
	/* our sightings become STIX sightings before anything is pushed */
	rc = ent_sync_sightings_update(store, so.identity_id, &kp, policy.sightings_anonymous, NULL,
	                               err);
	ent_keys_wipe(&kp);
	if (rc != ENT_OK) {
		cli_error("sync", "our sightings: %s", err);
		exit_code = EXIT_WORK;
	}
	if (peers.n == 0 && !json)
		printf("no peer with a URL (add one with `entente peer add NAME --url URL`)\n");
	for (size_t i = 0; i < peers.n; i++) {
		struct ent_sync_result r;

		rc = ent_sync_peer(store, &peers.v[i], &so, &r);
		progress_erase(&prog);
		print_result(peers.v[i].name, &r, json);
		if (r.error[0] != '\0' && !json)
			cli_error("sync", "%s", r.error);
		if (rc != ENT_OK || r.errors > 0)
			exit_code = EXIT_WORK;
		fflush(stdout);
	}
out:
	ent_gate_free(so.gate);
	ent_keys_wipe(&kp);
	free(peers.v);
	ent_store_close(store);
	ent_home_close(h);
	return exit_code;
}
