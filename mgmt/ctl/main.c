/* SPDX-License-Identifier: MIT */
/*
 * main.c - mrfabricctl: global options, then one command from the table.
 *
 *   mrfabricctl [GLOBAL OPTIONS] COMMAND [ARGS]
 *
 * The command table lists every command (ctl_cmd_*.c, one file per
 * family); to add one, define its struct ctl_cmd there, declare it in
 * ctl_int.h and add it to `commands` below: `mrfabricctl --help` and
 * `mrfabricctl help COMMAND` pick it up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/ctl/ctl_int.h"

static const struct ctl_cmd *const commands[] = {
	&ctl_cmd_login,	    &ctl_cmd_logout, &ctl_cmd_topology,
	&ctl_cmd_functions, &ctl_cmd_assign, &ctl_cmd_unassign,
	&ctl_cmd_move,	    &ctl_cmd_events, &ctl_cmd_dot,
	&ctl_cmd_discover,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char usage_head[] =
	"Usage: " CTL_PROG " [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Command-line client of mrfabricd, the Redfish service of an mrfabric\n"
	"PCIe fabric: who owns which function, moves between blades, events.\n"
	"\n"
	"Options (before the command):\n"
	"  --url URL            the service (default $MRFABRIC_URL, else\n"
	"                       " CTL_URL_DEFAULT ")\n"
	"  --user NAME          HTTP Basic user when there is no session\n"
	"  --password-file FILE the password is the first line of FILE\n"
	"                       (else $MRFABRIC_PASSWORD; never an argument)\n"
	"  --cacert FILE        trust this CA or certificate (PEM) instead of\n"
	"                       the system's (default $MRFABRIC_CACERT)\n"
	"  --insecure           do not check the server's certificate (warns)\n"
	"  --json               machine output: the JSON the command shows\n"
	"  --timeout SECONDS    per request (default 30; 0: none)\n"
	"  -h, --help           this text; COMMAND --help for a command's\n"
	"  -V, --version        the version\n"
	"\n"
	"Commands:\n";

static const char usage_tail[] =
	"\n"
	"Authentication: after `login`, commands send the session's\n"
	"X-Auth-Token, kept in $XDG_RUNTIME_DIR/" CTL_PROG
	"/session-HOST:PORT\n"
	"(without XDG_RUNTIME_DIR: ~/.cache/" CTL_PROG "/session-HOST:PORT),\n"
	"mode 0600; `logout` deletes the session and the file.  Without a\n"
	"session, --user and a password authenticate each request (Basic);\n"
	"--user naming another user than the session's also does.\n"
	"\n"
	"Names: a blade is Blade-N, N or Zone-N; a function is its Endpoint\n"
	"Id (F-CHIP-PORT-INDEX, e.g. F-0-2-1 for VF 1 of the device on port\n"
	"2 of switch 0), as `" CTL_PROG " functions` lists them.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  usage error\n"
	"  2  could not connect, or TLS failure\n"
	"  3  authentication or permission refused (401, 403)\n"
	"  4  not found (404)\n"
	"  5  conflict (409, 412): e.g. the function is busy or bound\n"
	"  6  the task failed (move --wait, unassign --wait)\n"
	"  7  any other error from the server\n"
	"Errors are printed as \"" CTL_PROG ": WHAT: MESSAGE\" with the\n"
	"service's Redfish message.\n";

static void usage_print(FILE *f)
{
	size_t i;

	fputs(usage_head, f);
	for (i = 0; i < NCOMMANDS; i++) {
		/* the summary beside a short synopsis, else below it */
		if (strlen(commands[i]->usage) < 24)
			fprintf(f, "  %-23s %s\n", commands[i]->usage,
				commands[i]->summary);
		else
			fprintf(f, "  %s\n  %-23s %s\n", commands[i]->usage, "",
				commands[i]->summary);
	}
	fputs(usage_tail, f);
}

/* The first line of @path, heap; NULL (printed) when unreadable. */
static char *password_read(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, CTL_PROG ": --password-file %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		fprintf(stderr, CTL_PROG ": --password-file %s: empty\n", path);
		free(line);
		return NULL;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/*
 * A password never goes on the command line, where other users see it
 * (ps, shell history).  --password is refused by name, as getopt would
 * otherwise take it for an abbreviation of --password-file.
 */
static int password_refuse(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--password") == 0 ||
		    strncmp(argv[i], "--password=", 11) == 0)
			return ctl_usage_error(
				NULL, "--password: passwords are never given "
				      "on the command line; use "
				      "--password-file FILE or "
				      "$MRFABRIC_PASSWORD");
	return -1;
}

static const struct ctl_cmd *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/* Global options into @c; returns -1 to go on, else the exit status. */
static int parse_globals(struct ctl *c, int argc, char **argv)
{
	enum {
		OPT_URL = 256,
		OPT_USER,
		OPT_PASSWORD_FILE,
		OPT_CACERT,
		OPT_INSECURE,
		OPT_JSON,
		OPT_TIMEOUT,
	};
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, OPT_URL },
		{ "user", required_argument, NULL, OPT_USER },
		{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env;
	char *end;
	int ch;

	c->opts.url = CTL_URL_DEFAULT;
	env = getenv("MRFABRIC_URL");
	if (env && env[0])
		c->opts.url = env;
	env = getenv("MRFABRIC_CACERT");
	if (env && env[0])
		c->opts.cacert = env;
	c->opts.timeout_s = 30;
	opterr = 0;
	/* '+': stop at the command, whose options are its own */
	for (;;) {
		ch = getopt_long(argc, argv, "+:hV", longopts, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case OPT_URL:
			c->opts.url = optarg;
			break;
		case OPT_USER:
			c->opts.user = optarg;
			break;
		case OPT_PASSWORD_FILE:
			c->opts.password_file = optarg;
			break;
		case OPT_CACERT:
			c->opts.cacert = optarg;
			break;
		case OPT_INSECURE:
			c->opts.insecure = true;
			break;
		case OPT_JSON:
			c->opts.json = true;
			break;
		case OPT_TIMEOUT:
			errno = 0;
			c->opts.timeout_s = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end ||
			    c->opts.timeout_s < 0)
				return ctl_usage_error(
					NULL, "--timeout %s: expected seconds",
					optarg);
			break;
		case 'h':
			usage_print(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf(CTL_PROG " %s\n", MRFABRIC_VERSION);
			return CTL_EXIT_OK;
		default:
			return ctl_opt_error(NULL, ch, argv);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct ctl c = { 0 };
	const struct ctl_cmd *cmd;
	const char *env;
	int ret, cargc;
	char **cargv;

	ret = password_refuse(argc, argv);
	if (ret < 0)
		ret = parse_globals(&c, argc, argv);
	if (ret >= 0)
		return ret;
	if (optind >= argc)
		return ctl_usage_error(NULL, "no command given");
	cargc = argc - optind;
	cargv = argv + optind;
	if (strcmp(cargv[0], "help") == 0) {
		if (cargc < 2) {
			usage_print(stdout);
			return CTL_EXIT_OK;
		}
		cmd = command_find(cargv[1]);
		if (!cmd)
			return ctl_usage_error(NULL, "no command \"%s\"",
					       cargv[1]);
		return ctl_cmd_help(cmd);
	}
	cmd = command_find(cargv[0]);
	if (!cmd)
		return ctl_usage_error(NULL, "no command \"%s\"", cargv[0]);
	if (cmd->network) {
		if (c.opts.password_file) {
			c.password = password_read(c.opts.password_file);
			if (!c.password)
				return CTL_EXIT_USAGE;
		} else {
			env = getenv("MRFABRIC_PASSWORD");
			if (env)
				c.password = strdup(env);
		}
	}
	/* COMMAND --help needs no valid --url */
	ret = -1;
	if (cmd->network && !(cargc > 1 && (strcmp(cargv[1], "--help") == 0 ||
					    strcmp(cargv[1], "-h") == 0)))
		ret = ctl_http_init(&c);
	if (ret <= 0)
		ret = cmd->fn(&c, cargc, cargv);
	ctl_http_fini(&c);
	if (c.password) {
		explicit_bzero(c.password, strlen(c.password));
		free(c.password);
	}
	return ret;
}
