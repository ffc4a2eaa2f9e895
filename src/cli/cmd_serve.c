/*
 * cmd_serve.c - `entente serve`: the node's TAXII 2.1 server, until
 * SIGINT or SIGTERM. SIGHUP makes it forget remembered credentials (after
 * `entente peer allow/deny`).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "node/self.h"
#include "taxii/http_server.h"
#include "taxii/taxii.h"
#include "trust/auth.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente serve [--home DIR] [--listen ADDR:PORT]\n\n"
	           "Serves the node's intelligence to its peers over TAXII 2.1, on HTTPS "
	           "with\n"
	           "the certificate of the [serve] section (`entente init` made a "
	           "self-signed\n"
	           "one), until interrupted. Peers authenticate with the accounts given by\n"
	           "`entente peer allow`; the [collections] section says what each may "
	           "read\n"
	           "and write. Prints the discovery URL on standard output once "
	           "listening.\n\n"
	           "  --listen ADDR:PORT  overrides serve.listen (127.0.0.1:8443, [::1]:0, "
	           "...;\n"
	           "                      port 0 picks a free port)\n"
	           "  --help              this text\n\n"
	           "Signals: SIGINT/SIGTERM stop the server; SIGHUP reloads the accounts "
	           "and\n"
	           "the peers' keys and trust.\n");
}

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

/* A size or count setting (within [min, max]). */
static int get_size(const struct ent_config *c, const char *key, int def, int min, int max,
                    size_t *out, char *err)
{
	int v, rc = ent_config_get_int(c, key, def, min, max, &v, err);

	*out = (size_t)v;
	return rc;
}

/* A path setting, relative to the home directory unless absolute. */
static void home_path(const struct ent_home *h, const char *v, char *out, size_t outsz)
{
	if (v[0] == '/')
		snprintf(out, outsz, "%s", v);
	else
		snprintf(out, outsz, "%s/%s", h->dir, v);
}

struct serve_cfg {
	struct ent_http_config http;
	struct ent_taxii_opts taxii;
	struct ent_taxii_collections cols;
	char cert[4200], key[4200];
};

static int read_config(struct ent_home *h, const char *listen, struct serve_cfg *s, char *err)
{
	const struct ent_config *c = h->config;
	size_t threads, max_conn, per_client, idle, req_to, conf;
	bool plain;
	int rc;

	rc = ent_config_get_bool(c, "serve.plain_http", false, &plain, err);
	if (rc == ENT_OK)
		rc = get_size(c, "serve.threads", 2, 1, 64, &threads, err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.max_body_bytes", 20 << 20, 1024, 1 << 30,
		              &s->http.max_body, err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.max_objects_per_envelope", 10000, 1, 1000000,
		              &s->taxii.max_objects, err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.max_page_size", 1000, 1, 100000, &s->taxii.max_page, err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.default_page_size", 100, 1, 100000, &s->taxii.default_page,
		              err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.max_connections", 1024, 1, 65536, &max_conn, err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.max_connections_per_client", 64, 1, 65536, &per_client,
		              err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.idle_timeout", 15, 1, 3600, &idle, err);
	if (rc == ENT_OK)
		rc = get_size(c, "limits.request_timeout", 60, 1, 3600, &req_to, err);
	if (rc == ENT_OK)
		rc = get_size(c, "import.default_confidence", -1, -1, 100, &conf, err);
	if (rc != ENT_OK)
		return rc;
	s->taxii.default_tlp = ent_tlp_parse(ent_config_get(c, "import.default_tlp", "amber"));
	if (s->taxii.default_tlp == ENT_TLP_NONE)
		return ent_errf(err, ENT_EINVAL, "import.default_tlp: not a TLP level");
	rc = ent_taxii_collections_load(c, ent_config_get(c, "node.identity", ""),
	                                s->taxii.default_tlp, &s->cols, err);
	if (rc != ENT_OK)
		return rc;
	home_path(h, ent_config_get(c, "serve.tls_cert", "tls.crt"), s->cert, sizeof(s->cert));
	home_path(h, ent_config_get(c, "serve.tls_key", "tls.key"), s->key, sizeof(s->key));
	s->http = (struct ent_http_config){
	    .listen = listen != NULL ? listen : ent_config_get(c, "serve.listen", "127.0.0.1:8443"),
	    .tls_cert = plain ? NULL : s->cert,
	    .tls_key = plain ? NULL : s->key,
	    .plain_http = plain,
	    .threads = (unsigned)threads,
	    .max_body = s->http.max_body,
	    .max_connections = (unsigned)max_conn,
	    .max_per_client = (unsigned)per_client,
	    .idle_timeout_s = (unsigned)idle,
	    .request_timeout_s = (unsigned)req_to,
	    /* a page of max_page objects, each at most what one object may be */
	    .max_response = 256u << 20,
	};
	s->taxii.store_path = h->store_path;
	s->taxii.identity_id = ent_config_get(c, "node.identity", "");
	s->taxii.title =
	    ent_config_get(c, "serve.title", ent_config_get(c, "node.name", "entente"));
	s->taxii.collections = &s->cols;
	s->taxii.max_body = s->http.max_body;
	s->taxii.default_confidence = (int)conf;
	return ENT_OK;
}

int serve_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"listen", required_argument, NULL, 'l'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *listen = NULL;
	char err[ENT_ERRBUF_SIZE];
	struct serve_cfg *s;
	struct ent_home *h;
	struct ent_taxii *taxii = NULL;
	struct ent_auth *auth = NULL;
	struct ent_http_server *srv = NULL;
	struct ent_store *store = NULL;
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block, old;
	int opt, rc, status = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			home = optarg;
			break;
		case 'l':
			listen = optarg;
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
		cli_error("serve", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	h = cli_open_home("serve", home);
	if (h == NULL)
		return EXIT_HOME;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		ent_home_close(h);
		cli_error("serve", "out of memory");
		return EXIT_WORK;
	}
	rc = read_config(h, listen, s, err);
	if (rc == ENT_OK)
		rc = ent_home_store(h, 0, &store, err);
	/* our identity and signature extension, signed, for peers to fetch */
	if (rc == ENT_OK)
		rc = ent_node_publish_self(h, store, err);
	if (rc == ENT_OK) {
		struct ent_policy policy;

		s->taxii.gate = cli_load_gate("serve", h, store, &policy);
		s->taxii.min_export_confidence = policy.min_confidence_export;
		s->taxii.unknown_confidence = policy.unknown_confidence;
		if (s->taxii.gate == NULL) {
			status = EXIT_HOME;
			goto out;
		}
	}
	if (rc == ENT_OK)
		rc = ent_taxii_new(&s->taxii, &taxii, err);
	if (rc == ENT_OK)
		rc = ent_auth_new(h->store_path, &auth, err);
	/* blocked here and in the server's threads (they inherit the mask);
	 * delivered only inside sigsuspend below, so none is missed */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (rc == ENT_OK)
		rc = ent_http_start(&s->http, auth, ent_taxii_handle, taxii, &srv, err);
	if (rc != ENT_OK) {
		cli_error("serve", "%s", err);
		status = EXIT_WORK;
		goto out;
	}
	{
		const char *l = s->http.listen;
		const char *colon = strrchr(l, ':');
		int hostlen = colon != NULL ? (int)(colon - l) : (int)strlen(l);

		printf("%s://%.*s:%u/taxii2/\n", s->http.plain_http ? "http" : "https", hostlen, l,
		       (unsigned)ent_http_port(srv));
		fflush(stdout);
	}
	while (!stop_requested) {
		sigsuspend(&old);
		if (reload_requested) {
			reload_requested = 0;
			ent_auth_reload(auth);
			if (ent_gate_reload(s->taxii.gate, store, err) != ENT_OK)
				cli_error("serve", "reloading the peers: %s", err);
		}
	}
out:
	ent_http_stop(srv);
	ent_auth_free(auth);
	ent_taxii_free(taxii);
	ent_gate_free(s->taxii.gate);
	ent_store_close(store);
	free(s);
	ent_home_close(h);
	return status;
}
