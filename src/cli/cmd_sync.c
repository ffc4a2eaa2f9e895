/* cmd_sync.c - placeholder until `entente sync` lands (being written now). */
#include <stdio.h>

#include "cli/cli.h"

int sync_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("sync", "not built yet");
	return EXIT_WORK;
}
