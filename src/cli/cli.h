/*
 * cli.h - what the subcommands of `entente` share.
 *
 * Each subcommand is a NAME_main(argc, argv) in its own cmd_NAME.c: parse
 * the arguments, call the library, print. Exit codes, for scripts:
 *   0  success
 *   1  the work failed (bad input, a file that did not import, ...)
 *   2  usage error (unknown option, missing argument)
 *   3  the node home is missing, unreadable or unsafe (key permissions)
 */
#ifndef ENT_CLI_H
#define ENT_CLI_H

#include <stdbool.h>

#include "core/error.h"
#include "node/home.h"
#include "trust/gate.h"

#define EXIT_WORK  1
#define EXIT_USAGE 2
#define EXIT_HOME  3

int init_main(int argc, char **argv);
int import_main(int argc, char **argv);
int indicators_main(int argc, char **argv);
int scan_main(int argc, char **argv);
int sightings_main(int argc, char **argv);
int serve_main(int argc, char **argv);
int peer_main(int argc, char **argv);
int sync_main(int argc, char **argv);
int key_main(int argc, char **argv);
int export_main(int argc, char **argv);
int policy_main(int argc, char **argv);

/* Prints "entente CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) ENT_PRINTF(2, 3);
/* Resolves and opens the node home; prints the error and returns NULL. */
struct ent_home *cli_open_home(const char *cmd, const char *opt_home);
/* The trust gate for objects coming into s: the [policy] section, the
 * node's own key and the peers' pinned keys. Prints the error and returns
 * NULL on failure. policy_out (may be NULL) receives the policy. */
struct ent_trust_gate *cli_load_gate(const char *cmd, struct ent_home *h, struct ent_store *s,
                                     struct ent_policy *policy_out);

/* True if standard output is a terminal (human-readable output). */
bool cli_stdout_is_tty(void);

#endif
