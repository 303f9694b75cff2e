/* SPDX-License-Identifier: MIT */
/*
 * main.c - mrfabricd, the Redfish fabric management service.
 *
 *   mrfabricd --sim CHASSIS.json      embedded simulator and switch
 *                                     firmware, FMP in-process
 *   mrfabricd --switch unix:PATH      the switch of `mrfabric-sim
 *                                     --listen PATH`, FMP on its socket
 *
 * One thread, one event loop (mgmt.h): HTTP, the switch, timers and the
 * simulator's virtual clock all run as its callbacks.  SIGTERM and SIGINT
 * stop it; everything is then closed in order and the exit status is 0.
 *
 * Exit status: 0 after a clean shutdown, 1 when starting fails (a bad
 * configuration or chassis file, the switch unreachable, the port taken:
 * one line on stderr says which), 2 for a usage error.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/auth.h"
#include "mgmt/durable.h"
#include "mgmt/events.h"
#include "mgmt/fabric.h"
#include "mgmt/http_int.h"
#include "mgmt/mgmt.h"
#include "mgmt/router_int.h"
#include "mgmt/move.h"
#include "mgmt/store.h"
#include "mgmt/switch_link.h"
#include "mgmt/task.h"
#include "mgmt/tls.h"
#include "sim/sim.h"
#include "switchfw/fmp.h"
#include "switchfw/switchfw.h"

#define PROG "mrfabricd"

enum exit_status {
	EXIT_OK = 0,
	EXIT_START = 1,
	EXIT_USAGE = 2,
};

struct options {
	const char *sim; /* CHASSIS.json */
	const char *sw;	 /* PATH of unix:PATH */
	const char *config;
	const char *listen;
	const char *log_level;
	const char *speed;
	bool plain_http;
	const char *admin_user;
	const char *admin_password_file;
};

/* What the daemon runs; everything NULL until started. */
struct daemon {
	struct mgmt_config cfg;
	struct mgmt_loop *loop;
	struct sim_chassis *chassis;
	struct sw_fw *fw;
	struct sw_fmp_unix_client *unix_client;
	struct sw_fmp_client *fmp;
	struct mgmt_fabric *fabric;
	struct mgmt_store *store;
	struct mgmt_events *events;
	struct mgmt_tasks *tasks;
	struct mgmt_switch_link *link;
	struct mgmt_durable *durable;
	struct mgmt_auth *auth;
	struct mgmt_tls_pair tls;
	struct mgmt_router *router;
	struct mgmt_ctx ctx;
	struct mgmt_http *http;
};

static const char usage_text[] =
	"Usage: " PROG " (--sim CHASSIS.json | --switch unix:PATH)\n"
	"                 [--config FILE] [--listen ADDR:PORT]\n"
	"                 [--log-level LEVEL] [--speed FACTOR]\n"
	"                 [--plain-http] [--admin-user NAME]\n"
	"                 [--admin-password-file FILE]\n"
	"\n"
	"The Redfish service of an mrfabric PCIe fabric: answers on\n"
	"https://ADDR:PORT/redfish/v1 (default 127.0.0.1:8080).\n"
	"\n"
	"  --sim CHASSIS.json    run the simulated chassis described in the\n"
	"                        file, with its switch firmware, in this\n"
	"                        process\n"
	"  --switch unix:PATH    manage the switch served on the UNIX socket\n"
	"                        PATH (mrfabric-sim --listen PATH)\n"
	"  -c, --config FILE     JSON configuration (schemas/\n"
	"                        mrfabricd.schema.json); without it, defaults\n"
	"  -l, --listen ADDR:PORT  listen here instead (IPv6: [ADDR]:PORT;\n"
	"                        :PORT keeps the address; port 0: any free)\n"
	"  --log-level LEVEL     error, warn, info (default) or debug\n"
	"  --speed FACTOR        with --sim: virtual seconds per wall second\n"
	"                        (default 1; 0: as fast as possible)\n"
	"  --plain-http          serve plain HTTP instead of HTTPS (only on\n"
	"                        a loopback address)\n"
	"  --admin-user NAME     the first Administrator (default admin),\n"
	"                        created only while there is no account\n"
	"  --admin-password-file FILE  its password: the file's first line;\n"
	"                        without it a random password is printed\n"
	"                        once on standard output\n"
	"  -h, --help            this text\n"
	"  -V, --version         the version\n"
	"\n"
	"Logs go to standard error.  SIGTERM or SIGINT shuts down cleanly.\n"
	"Exit status: 0 after a clean shutdown, 1 when starting fails, 2 for\n"
	"a usage error.\n";

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " --help'.\n", stderr);
	return EXIT_USAGE;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(struct options *o, int argc, char **argv)
{
	enum {
		OPT_SIM = 256,
		OPT_SWITCH,
		OPT_LOG_LEVEL,
		OPT_SPEED,
		OPT_PLAIN_HTTP,
		OPT_ADMIN_USER,
		OPT_ADMIN_PASSWORD_FILE,
	};
	static const struct option longopts[] = {
		{ "sim", required_argument, NULL, OPT_SIM },
		{ "switch", required_argument, NULL, OPT_SWITCH },
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
		{ "admin-user", required_argument, NULL, OPT_ADMIN_USER },
		{ "admin-password-file", required_argument, NULL,
		  OPT_ADMIN_PASSWORD_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":c:l:hV", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_SIM:
			o->sim = optarg;
			break;
		case OPT_SWITCH:
			if (strncmp(optarg, "unix:", 5) != 0 || !optarg[5])
				return usage_error("--switch %s: expected "
						   "unix:PATH",
						   optarg);
			o->sw = optarg + 5;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case OPT_LOG_LEVEL:
			o->log_level = optarg;
			break;
		case OPT_SPEED:
			o->speed = optarg;
			break;
		case OPT_PLAIN_HTTP:
			o->plain_http = true;
			break;
		case OPT_ADMIN_USER:
			o->admin_user = optarg;
			break;
		case OPT_ADMIN_PASSWORD_FILE:
			o->admin_password_file = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " %s\n", MRFABRIC_VERSION);
			return EXIT_OK;
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (!o->sim == !o->sw)
		return usage_error("give exactly one of --sim CHASSIS.json and "
				   "--switch unix:PATH");
	if (o->speed && !o->sim)
		return usage_error("--speed needs --sim");
	return -1;
}

/* The configuration: defaults, the file, then the command line. */
static int configure(struct mgmt_config *cfg, const struct options *o)
{
	struct fm_err err = { 0 };
	char *end;

	mgmt_config_defaults(cfg);
	if (o->config && mgmt_config_load(cfg, o->config, &err) < 0) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		return EXIT_START;
	}
	if (o->listen && mgmt_config_set_listen(cfg, o->listen, &err) < 0)
		return usage_error("--listen: %s", err.msg);
	if (o->log_level &&
	    mgmt_log_level_parse(&cfg->log_level, o->log_level, &err) < 0)
		return usage_error("--log-level: %s", err.msg);
	if (o->speed) {
		cfg->sim_speed = strtod(o->speed, &end);
		if (end == o->speed || *end || !isfinite(cfg->sim_speed) ||
		    cfg->sim_speed < 0)
			return usage_error("--speed %s: expected a factor >= 0 "
					   "(1: real time, 0: as fast as "
					   "possible)",
					   o->speed);
	}
	if (o->plain_http)
		cfg->plain_http = true;
	if (o->admin_user &&
	    snprintf(cfg->admin_user, sizeof(cfg->admin_user), "%s",
		     o->admin_user) >= (int)sizeof(cfg->admin_user))
		return usage_error("--admin-user %s: too long", o->admin_user);
	if (o->admin_password_file &&
	    snprintf(cfg->admin_password_file, sizeof(cfg->admin_password_file),
		     "%s", o->admin_password_file) >=
		    (int)sizeof(cfg->admin_password_file))
		return usage_error("--admin-password-file: name too long");
	if (mgmt_config_check(cfg, &err) < 0) {
		fprintf(stderr, PROG ": %s%s\n",
			o->plain_http ? "--plain-http: " : "", err.msg);
		return EXIT_START;
	}
	return -1;
}

/* --sim: the chassis, its firmware, power on, FMP in-process. */
static int start_sim(struct daemon *d, const char *path,
		     struct sw_fmp_transport *t, struct fm_err *err)
{
	struct fab_chip *chips[SW_MAX_CHIPS];
	struct sw_fw_config fwc = {
		.managed_timeout_ns =
			(uint64_t)d->cfg.managed_unbind_timeout_ms *
			FAB_NS_PER_MS,
	};
	unsigned n, i;
	int ret;

	ret = sim_chassis_load(&d->chassis, path, err);
	if (ret < 0)
		return ret;
	n = sim_chassis_switch_count(d->chassis);
	if (n > SW_MAX_CHIPS)
		return fm_err_set(err, FM_ERANGE,
				  "%s: %u switches, the firmware drives at "
				  "most %u",
				  path, n, SW_MAX_CHIPS);
	for (i = 0; i < n; i++)
		chips[i] = sim_switch_chip(sim_chassis_switch(d->chassis, i));
	ret = sw_fw_new(&d->fw, chips, n, &fwc, err);
	if (ret == 0)
		ret = sw_fw_start(d->fw, err);
	if (ret == 0)
		ret = sim_chassis_power_on(d->chassis, err);
	if (ret == 0)
		ret = mgmt_loop_set_vclock(d->loop,
					   sim_chassis_clock(d->chassis),
					   d->cfg.sim_speed, err);
	if (ret < 0)
		return ret;
	sw_fmp_transport_local(t, d->fw);
	FM_LOG(FM_LOG_INFO, "simulated chassis %s: virtual time x%g", path,
	       d->cfg.sim_speed);
	return 0;
}

/* --switch unix:PATH: connect (at start only, before the loop runs). */
static int start_unix(struct daemon *d, const char *path,
		      struct sw_fmp_transport *t, struct fm_err *err)
{
	int ret = sw_fmp_unix_client_connect(&d->unix_client, path, err);

	if (ret < 0)
		return ret;
	sw_fmp_unix_client_set_deadline(d->unix_client,
					d->cfg.switch_timeout_ms);
	sw_fmp_unix_client_transport(t, d->unix_client);
	return 0;
}

static int start_switch(struct daemon *d, const struct options *o,
			struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	struct sw_fmp_transport t;
	int ret;

	ret = o->sim ? start_sim(d, o->sim, &t, err)
		     : start_unix(d, o->sw, &t, err);
	if (ret == 0)
		ret = sw_fmp_client_new(&d->fmp, &t, err);
	if (ret == 0)
		ret = sw_fmp_client_identify(&id, d->fmp, err);
	if (ret < 0)
		return ret;
	FM_LOG(FM_LOG_INFO,
	       "switch %.32s: firmware %u.%u, %u chips, %u ports, %u "
	       "partitions, %u functions",
	       id.name, id.fw_version >> 16, id.fw_version & 0xffff, id.nchips,
	       id.nports, id.npartitions, id.nfunctions);
	return 0;
}

/*
 * The embedded firmware's event hook: the event hub records the event
 * and the job engine advances the jobs waiting for it, both in the next
 * loop iteration.  The engine is kicked first so that its poll, which
 * has the hub convert the event in the same store commit, runs first
 * (zero-delay timers fire in the order they were started).
 */
static void fw_notify(void *arg, const struct sw_event *e)
{
	struct daemon *d = arg;

	if (d->tasks)
		mgmt_tasks_kick(d->tasks);
	mgmt_events_fw_notify(d->events, e);
}

/*
 * The event hub: the embedded firmware notifies it of each event; a
 * separate switch is polled (and its old log was converted by earlier
 * runs).
 */
static int start_events(struct daemon *d, const struct options *o,
			struct fm_err *err)
{
	struct mgmt_events_opts eo = {
		.poll_ns = o->sw ? 100 * FAB_NS_PER_MS : 0,
		.replay_switch_log = o->sim != NULL,
	};
	int ret;

	ret = mgmt_events_new(&d->events, d->loop, d->store, d->fmp, &eo, err);
	if (ret == 0 && d->fw)
		sw_fw_set_notify(d->fw, fw_notify, d);
	return ret;
}

/*
 * Accounts, sessions and audit; the first Administrator while there is
 * no account (its generated password goes to stdout, never the log).
 */
static int start_auth(struct daemon *d, struct fm_err *err)
{
	bool created = false;
	int ret;

	ret = mgmt_auth_new(&d->auth, d->loop, d->store, &d->cfg, NULL, err);
	if (ret == 0)
		ret = mgmt_auth_bootstrap(&created, d->auth, d->cfg.admin_user,
					  d->cfg.admin_password_file, stdout,
					  err);
	if (ret == 0 && created)
		FM_LOG(FM_LOG_INFO,
		       "first start: Administrator account %s created",
		       d->cfg.admin_user);
	return ret;
}

/* HTTPS with the configured or generated pair, or plain HTTP. */
static int start_http(struct daemon *d, struct fm_err *err)
{
	struct mgmt_http_tls tls;
	int ret;

	if (d->cfg.plain_http) {
		FM_LOG(FM_LOG_WARN, "plain HTTP on %s, as asked: no TLS",
		       d->cfg.listen_address);
		return mgmt_http_new(&d->http, d->loop, d->router, &d->ctx,
				     err);
	}
	ret = mgmt_tls_setup(&d->tls, &d->cfg, err);
	if (ret < 0)
		return ret;
	FM_LOG(FM_LOG_INFO, "https: certificate %s, SHA-256 fingerprint %s",
	       d->tls.cert_path, d->tls.fingerprint);
	tls.cert_pem = d->tls.cert_pem;
	tls.key_pem = d->tls.key_pem;
	return mgmt_http_new_tls(&d->http, d->loop, d->router, &d->ctx, &tls,
				 err);
}

static int start(struct daemon *d, const struct options *o, struct fm_err *err)
{
	struct mgmt_store_opts so = { .event_retention =
					      d->cfg.event_retention };
	int ret;

	ret = mgmt_loop_new(&d->loop, err);
	if (ret == 0)
		ret = mgmt_loop_catch_signals(d->loop, err);
	if (ret == 0)
		ret = start_switch(d, o, err);
	if (ret == 0)
		ret = mgmt_fabric_new(&d->fabric, d->fmp, err);
	if (ret == 0)
		ret = mgmt_store_open_opts(&d->store, d->cfg.database, &so,
					   err);
	if (ret == 0)
		ret = start_events(d, o, err);
	if (ret == 0)
		ret = mgmt_tasks_new(&d->tasks, d->loop, d->fmp, d->store, err);
	if (ret == 0)
		mgmt_tasks_set_events(d->tasks, d->events);
	if (ret == 0) /* interrupted moves and batches, missing bindings */
		ret = mgmt_reconcile(
			NULL, d->tasks,
			(uint64_t)d->cfg.move_timeout_ms * FAB_NS_PER_MS, err);
	if (ret == 0 && d->unix_client) /* reconnect and reconcile */
		ret = mgmt_switch_link_new(
			&d->link, d->loop, d->unix_client, d->fmp, d->fabric,
			d->tasks,
			&(struct mgmt_switch_link_opts){
				.move_timeout_ns =
					(uint64_t)d->cfg.move_timeout_ms *
					FAB_NS_PER_MS,
			},
			err);
	if (ret == 0)
		ret = start_auth(d, err);
	if (ret == 0) /* group commit from here on (mgmt/durable.h) */
		ret = mgmt_durable_new(&d->durable, d->loop, d->store, err);
	if (ret == 0)
		ret = mgmt_router_new_default(&d->router, err);
	if (ret < 0)
		return ret;
	d->ctx.cfg = &d->cfg;
	d->ctx.loop = d->loop;
	d->ctx.router = d->router;
	d->ctx.fmp = d->fmp;
	d->ctx.store = d->store;
	d->ctx.fabric = d->fabric;
	d->ctx.events = d->events;
	d->ctx.tasks = d->tasks;
	d->ctx.auth = d->auth;
	d->ctx.link = d->link;
	mgmt_router_set_auth(d->router, mgmt_auth_hook, d->auth);
	mgmt_router_set_audit(d->router, mgmt_auth_audit_hook, d->auth);
	ret = start_http(d, err);
	if (ret < 0)
		return ret;
	FM_LOG(FM_LOG_INFO, "database %s", d->cfg.database);
	/* the contract test reads the port from this line */
	FM_LOG(FM_LOG_INFO, "listening on %s://%s%s%s:%u/redfish/v1",
	       d->cfg.plain_http ? "http" : "https",
	       strchr(d->cfg.listen_address, ':') ? "[" : "",
	       d->cfg.listen_address,
	       strchr(d->cfg.listen_address, ':') ? "]" : "",
	       (unsigned)mgmt_http_port(d->http));
	return 0;
}

/* Stop in the reverse order of start(); the HTTP side goes first. */
static void stop(struct daemon *d)
{
	mgmt_http_free(d->http);
	mgmt_tls_pair_fini(&d->tls);
	mgmt_durable_free(d->durable);
	if (d->fw)
		sw_fw_set_notify(d->fw, NULL, NULL);
	mgmt_switch_link_free(d->link);
	mgmt_tasks_free(d->tasks);
	mgmt_events_free(d->events);
	mgmt_router_free(d->router);
	mgmt_auth_free(d->auth);
	mgmt_store_close(d->store);
	mgmt_fabric_free(d->fabric);
	sw_fmp_client_free(d->fmp);
	sw_fmp_unix_client_close(d->unix_client);
	if (d->loop)
		mgmt_loop_set_vclock(d->loop, NULL, 1, NULL);
	sw_fw_free(d->fw);
	sim_chassis_free(d->chassis);
	mgmt_loop_free(d->loop);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct daemon d = { 0 };
	struct fm_err err = { 0 };
	int status;

	status = parse_args(&o, argc, argv);
	if (status >= 0)
		return status;
	status = configure(&d.cfg, &o);
	if (status >= 0)
		return status;
	fm_log_set_program(PROG);
	fm_log_set_level(d.cfg.log_level);
	/* a client that hangs up must not kill the daemon */
	signal(SIGPIPE, SIG_IGN);
	status = EXIT_START;
	if (start(&d, &o, &err) < 0) {
		FM_LOG(FM_LOG_ERROR, "%s", err.msg);
		goto out;
	}
	if (mgmt_loop_run(d.loop, &err) < 0) {
		FM_LOG(FM_LOG_ERROR, "%s", err.msg);
		goto out;
	}
	FM_LOG(FM_LOG_INFO, "%s: shutting down",
	       strsignal(mgmt_loop_signal(d.loop)));
	status = mgmt_durable_failed(d.durable) ? EXIT_START : EXIT_OK;
out:
	stop(&d);
	return status;
}
