/* common.c - helpers shared by the subcommands (see cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"

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
