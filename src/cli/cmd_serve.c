/* cmd_serve.c - placeholder until `entente serve` lands (being written now). */
#include <stdio.h>

#include "cli/cli.h"

int serve_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("serve", "not built yet");
	return EXIT_WORK;
}
