/*
 * main.c - the `entente` command: a table of subcommands (WireGuard's wg.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
} commands[] = {
    {"init", init_main, "Creates a node home: store, identity, keys and configuration"},
    {"import", import_main, "Imports intelligence: STIX 2.1 bundles, MISP events and feeds, CSV"},
    {"indicators", indicators_main, "Lists indicators, or shows one with all its versions"},
    {"scan", scan_main, "Finds the indicators in pcap/pcapng files: alerts and sightings"},
    {"sightings", sightings_main, "Lists what the scans saw, per indicator"},
    {"serve", serve_main, "Serves the node's intelligence to peers over TAXII 2.1 (HTTPS)"},
    {"peer", peer_main, "Adds, lists, changes and removes peers and their accounts"},
    {"export", export_main, "Writes blocklists: DNS RPZ, nftables, Suricata rules"},
    {"key", key_main, "Shows or rotates the node's signing key"},
    {"sync", sync_main, "Pulls from peers' TAXII collections and pushes sightings back"},
    {"policy", policy_main, "Shows the local policy: trust, confidences, decay, allowlists"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente <command> [options]\n\n"
	           "entente is a cooperative cyber-defence node: it imports threat intelligence,\n"
	           "finds it in traffic and shares it with peers over open standards.\n\n"
	           "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nEvery command takes --home DIR (default: $ENTENTE_HOME, else ~/.entente)\n"
	           "and --help. See docs/ for the manual pages.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("entente 0.1.0\n");
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "entente: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
