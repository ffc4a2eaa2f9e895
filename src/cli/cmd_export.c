/* cmd_export.c - `entente export`: blocklists for the tools that enforce them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/timefmt.h"
#include "feed/export.h"
#include "store/peers.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente export --format rpz|nftables|suricata [--home DIR]\n"
	           "                      [--for own|public|peer:NAME] [--output FILE] [--json]\n\n"
	           "Writes the node's active indicators as a blocklist: a DNS response policy\n"
	           "zone (domains and their subdomains, IPv4 addresses in answers), an nftables\n"
	           "ruleset (IPv4/IPv6 sets, dropped in input, forward and output; apply it with\n"
	           "`nft -f FILE`, which replaces the entente table whole), or Suricata rules\n"
	           "(domains in DNS queries, TLS SNI and HTTP Host; addresses; JA3), whose sids\n"
	           "are those of entente's own alerts.\n\n"
	           "What goes out passes the TLP egress filter for its destination (--for:\n"
	           "own, the default, is this node's organization: everything but TLP:RED;\n"
	           "public: TLP:CLEAR only; peer:NAME: what that peer's groups may receive),\n"
	           "the policy's minimum confidence to export (with decay), and the\n"
	           "allowlists: a value on any allowlist is never blocked.\n\n"
	           "  --format F     rpz, nftables or suricata\n"
	           "  --for D        own, public or peer:NAME (default: own)\n"
	           "  --output FILE  write FILE (replaced whole, atomically) instead of stdout\n"
	           "  --json         print the summary as one JSON object on stderr\n"
	           "  --help         this text\n");
}

int export_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"format", required_argument, NULL, 'f'},
	                                     {"for", required_argument, NULL, 'd'},
	                                     {"output", required_argument, NULL, 'o'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *format = NULL, *dest = "own", *output = NULL;
	struct ent_export_opts eo = {.dest = {.kind = ENT_EGRESS_OWN_ORG}, .zone = "rpz.entente."};
	struct ent_export_summary sum;
	struct ent_policy policy;
	struct ent_allowlists *allow = NULL;
	struct ent_peer peer;
	struct ent_home *h;
	struct ent_store *store = NULL;
	char err[ENT_ERRBUF_SIZE], tmp[4200];
	FILE *out = stdout;
	bool json = false;
	int opt, rc, status = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			home = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'd':
			dest = optarg;
			break;
		case 'o':
			output = optarg;
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
	if (optind != argc || format == NULL || !ent_export_format_parse(format, &eo.format)) {
		cli_error("export", "--format rpz|nftables|suricata is needed (see --help)");
		return EXIT_USAGE;
	}
	if (strcmp(dest, "public") == 0)
		eo.dest.kind = ENT_EGRESS_PUBLIC;
	else if (strncmp(dest, "peer:", 5) == 0)
		eo.dest.kind = ENT_EGRESS_PEER;
	else if (strcmp(dest, "own") != 0) {
		cli_error("export", "--for: '%s' is not own, public or peer:NAME", dest);
		return EXIT_USAGE;
	}
	h = cli_open_home("export", home);
	if (h == NULL)
		return EXIT_HOME;
	if (ent_policy_load(h->config, &policy, err) != ENT_OK ||
	    (allow = ent_allowlists_new()) == NULL ||
	    ent_allowlists_load_config(allow, h->config, h->dir, err) != ENT_OK ||
	    ent_home_store(h, ENT_STORE_READONLY, &store, err) != ENT_OK) {
		cli_error("export", "%s", err);
		status = EXIT_HOME;
		goto out;
	}
	if (eo.dest.kind == ENT_EGRESS_PEER) {
		if (ent_store_peer_get(store, dest + 5, &peer, err) != ENT_OK) {
			cli_error("export", "--for %s: %s", dest, err);
			status = EXIT_USAGE;
			goto out;
		}
		eo.dest.groups = peer.groups;
	}
	eo.policy = &policy;
	eo.allow = allow;
	eo.now_ms = ent_time_now_ms();
	if (output != NULL) {
		snprintf(tmp, sizeof(tmp), "%s.tmp-%d", output, (int)getpid());
		out = fopen(tmp, "w");
		if (out == NULL) {
			cli_error("export", "%s: cannot write", tmp);
			status = EXIT_WORK;
			goto out;
		}
	}
	rc = ent_export(store, &eo, out, &sum, err);
	if (output != NULL) {
		if (fclose(out) != 0 && rc == ENT_OK)
			rc = ent_errf(err, ENT_EIO, "%s: write failed", tmp);
		if (rc == ENT_OK && rename(tmp, output) != 0)
			rc = ent_errf(err, ENT_EIO, "%s: cannot replace", output);
		if (rc != ENT_OK)
			unlink(tmp);
	}
	if (rc != ENT_OK) {
		cli_error("export", "%s", err);
		status = EXIT_WORK;
		goto out;
	}
	if (json)
		fprintf(stderr,
		        "{\"written\":%llu,\"kept_back\":{\"tlp\":%llu,\"confidence\":%llu,"
		        "\"allowlist\":%llu},\"unsupported\":%llu}\n",
		        (unsigned long long)sum.written, (unsigned long long)sum.by_tlp,
		        (unsigned long long)sum.by_confidence, (unsigned long long)sum.by_allowlist,
		        (unsigned long long)sum.unsupported);
	else if (output != NULL || !isatty(STDOUT_FILENO))
		fprintf(
		    stderr,
		    "entente export: %llu entries; kept back: %llu by TLP, %llu below the export "
		    "confidence, %llu allowlisted; %llu of kinds %s cannot carry\n",
		    (unsigned long long)sum.written, (unsigned long long)sum.by_tlp,
		    (unsigned long long)sum.by_confidence, (unsigned long long)sum.by_allowlist,
		    (unsigned long long)sum.unsupported, format);
out:
	ent_allowlists_free(allow);
	ent_store_close(store);
	ent_home_close(h);
	return status;
}
