/* cmd_key.c - `entente key`: the node's signing key, shown or rotated. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "node/self.h"
#include "trust/keys.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: entente key show [--home DIR] [--json]\n"
	           "       entente key rotate [--home DIR] [--json]\n\n"
	           "`show` prints the node's Ed25519 public key, the one peers pin with\n"
	           "`entente peer add --key`. `rotate` makes a new key pair and announces it: a\n"
	           "new version of the node's identity, signed by the new key and by the old\n"
	           "one, which peers pull with the rest and accept only because the old key\n"
	           "they pinned signed it. Objects signed before keep their old signatures,\n"
	           "which peers verified when they received them. The old public key is kept\n"
	           "as node.pub.previous.\n\n"
	           "  --json   the key(s) as one JSON object\n"
	           "  --help   this text\n");
}

int key_main(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *sub;
	char err[ENT_ERRBUF_SIZE], old_pk[96], new_pk[96];
	struct ent_home *h;
	struct ent_store *store;
	struct ent_keypair kp;
	bool json = false;
	int opt, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	optind = 2;
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
	if (optind != argc || (strcmp(sub, "show") != 0 && strcmp(sub, "rotate") != 0)) {
		cli_error("key", "usage: entente key show|rotate [--home DIR] [--json]");
		return EXIT_USAGE;
	}
	h = cli_open_home("key", home);
	if (h == NULL)
		return EXIT_HOME;
	if (strcmp(sub, "show") == 0) {
		rc = ent_keys_load(h->sk_path, &kp, err);
		if (rc == ENT_OK) {
			ent_keys_pk_text(kp.pk, new_pk, sizeof(new_pk));
			ent_keys_wipe(&kp);
			printf(json ? "{\"public_key\":\"%s\"}\n" : "%s\n", new_pk);
		}
	} else {
		rc = ent_home_store(h, 0, &store, err);
		if (rc == ENT_OK) {
			rc = ent_node_rotate_key(h, store, old_pk, new_pk, sizeof(new_pk), err);
			ent_store_close(store);
		}
		if (rc == ENT_OK && json)
			printf("{\"previous_public_key\":\"%s\",\"public_key\":\"%s\"}\n", old_pk,
			       new_pk);
		else if (rc == ENT_OK)
			printf("rotated: %s -> %s\n"
			       "peers re-pin it when they next sync; give them the new key too\n",
			       old_pk, new_pk);
	}
	if (rc != ENT_OK)
		cli_error("key", "%s", err);
	ent_home_close(h);
	return rc == ENT_OK ? 0 : EXIT_WORK;
}
