/* common.c - helpers shared by the subcommands (see cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trust/keys.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "entente %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct ent_home *cli_open_home(const char *cmd, const char *opt_home)
{
	char dir[PATH_MAX], err[ENT_ERRBUF_SIZE];
	struct ent_home *h;

	if (ent_home_resolve(opt_home, dir, sizeof(dir), err) != ENT_OK ||
	    ent_home_open(dir, &h, err) != ENT_OK) {
		cli_error(cmd, "%s", err);
		return NULL;
	}
	return h;
}

bool cli_stdout_is_tty(void)
{
	return isatty(STDOUT_FILENO);
}

struct ent_trust_gate *cli_load_gate(const char *cmd, struct ent_home *h, struct ent_store *s,
                                     struct ent_policy *policy_out)
{
	struct ent_policy policy;
	struct ent_keypair kp;
	struct ent_trust_gate *g = NULL;
	char err[ENT_ERRBUF_SIZE];

	if (ent_policy_load(h->config, &policy, err) != ENT_OK) {
		cli_error(cmd, "%s: %s", h->config_path, err);
		return NULL;
	}
	if (ent_keys_load(h->sk_path, &kp, err) != ENT_OK) {
		cli_error(cmd, "%s", err);
		return NULL;
	}
	if (ent_gate_load(s, ent_config_get(h->config, "node.identity", NULL), kp.pk, &policy, &g,
	                  err) != ENT_OK)
		cli_error(cmd, "%s", err);
	ent_keys_wipe(&kp);
	if (policy_out != NULL)
		*policy_out = policy;
	return g;
}
