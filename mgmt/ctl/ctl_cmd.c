/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd.c - what every command shares: --help, usage errors, the
 * options of commands that take none, JSON output.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "mgmt/ctl/ctl_int.h"

int ctl_cmd_help(const struct ctl_cmd *cmd)
{
	printf("Usage: " CTL_PROG " [OPTIONS] %s\n\n%s", cmd->usage, cmd->help);
	printf("\nGlobal options and exit status: " CTL_PROG " --help\n");
	return CTL_EXIT_OK;
}

int ctl_usage_error(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, CTL_PROG ": %s: ", cmd ? cmd->name : "usage");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" CTL_PROG " %s--help'.\n",
		cmd ? cmd->name : "");
	if (cmd)
		fprintf(stderr, "Usage: " CTL_PROG " %s\n", cmd->usage);
	return CTL_EXIT_USAGE;
}

/* Options of a command that takes none but --help. */
int ctl_cmd_plain_opts(const struct ctl_cmd *cmd, int argc, char **argv,
		       int nargs)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, "+h", longopts, NULL);
		if (ch == -1)
			break;
		if (ch == 'h')
			return ctl_cmd_help(cmd);
		return ctl_usage_error(cmd, "unknown option %s",
				       argv[optind - 1]);
	}
	if (argc - optind != nargs)
		return ctl_usage_error(cmd, "expected %d argument%s", nargs,
				       nargs == 1 ? "" : "s");
	return -1;
}

int ctl_opt_error(const struct ctl_cmd *cmd, int ch, char **argv)
{
	if (ch == ':')
		return ctl_usage_error(cmd, "%s needs an argument",
				       argv[optind - 1]);
	return ctl_usage_error(cmd, "unknown option %s", argv[optind - 1]);
}

int ctl_opt_no_args(const struct ctl_cmd *cmd, int argc, char **argv)
{
	if (optind < argc)
		return ctl_usage_error(cmd, "unexpected argument \"%s\"",
				       argv[optind]);
	return -1;
}

void ctl_print_json(struct json_object *o)
{
	printf("%s\n",
	       json_object_to_json_string_ext(
		       o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				  JSON_C_TO_STRING_NOSLASHESCAPE));
}
