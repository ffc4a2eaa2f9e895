/* cmd_init.c - `entente init`: create a node home. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente init [--home DIR] [--name NAME] [--force]\n\n"
	           "Creates a node home: the SQLite store, the node's STIX 2.1 identity, an\n"
	           "Ed25519 key pair (secret key mode 0600), a self-signed TLS certificate\n"
	           "for `entente serve` (tls.crt, key tls.key mode 0600) and a commented\n"
	           "configuration.\n\n"
	           "  --home DIR   where (default: $ENTENTE_HOME, else ~/.entente)\n"
	           "  --name NAME  the organization's name in the identity (default: host name)\n"
	           "  --force      replace an existing home, destroying its store and keys\n"
	           "  --help       this text\n");
}

int init_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"name", required_argument, NULL, 'n'},
	                                     {"force", no_argument, NULL, 'f'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *name = NULL;
	char dir[PATH_MAX], err[ENT_ERRBUF_SIZE], host[256];
	struct ent_home_init_info info;
	bool force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'f':
			force = true;
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
		cli_error("init", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (name == NULL) {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "entente-node");
		host[sizeof(host) - 1] = '\0';
		name = host;
	}
	if (ent_home_resolve(home, dir, sizeof(dir), err) != ENT_OK) {
		cli_error("init", "%s", err);
		return EXIT_HOME;
	}
	if (ent_home_init(dir, name, force, &info, err) != ENT_OK) {
		cli_error("init", "%s", err);
		return EXIT_HOME;
	}
	printf("node home   %s\nidentity    %s\npublic key  %s\ntls cert    %s/tls.crt "
	       "(SHA-256 %s)\n",
	       dir, info.identity_id, info.public_key, dir, info.tls_fingerprint);
	return 0;
}
