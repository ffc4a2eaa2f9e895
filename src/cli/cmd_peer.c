/* cmd_peer.c - placeholder until `entente peer` lands (being written now). */
#include <stdio.h>

#include "cli/cli.h"

int peer_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("peer", "not built yet");
	return EXIT_WORK;
}
