/* SPDX-License-Identifier: MIT */
/*
 * test_mrfabricd.c - mrfabricd as a process: options and exit statuses,
 * the one line a bad start prints, and a daemon on the simulator that
 * answers HTTP and shuts down cleanly on SIGTERM and SIGINT.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mgmt/auth.h"
#include "tests/support/proc.h"
#include "tests/support/support.h"

#define CHASSIS "examples/chassis-small.json"
#define WAIT_MS 20000 /* bound on a daemon's start or stop */

static char bin[512];
static char dir[] = "/tmp/mrfabricd-test-XXXXXX";

static void setup(void)
{
	t_binary_path(bin, sizeof(bin), "mrfabricd");
	cr_assert(access(bin, X_OK) == 0, "%s is not built", bin);
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(mgmt_mrfabricd, .init = setup, .fini = teardown, .timeout = 60);

/* Start mrfabricd with up to 14 arguments (NULL-terminated). */
static struct t_proc run(const char *a0, ...)
{
	char *args[15] = { NULL };
	const char *a = a0;
	unsigned n = 0;
	va_list ap;

	va_start(ap, a0);
	while (a && n < 14) {
		args[n++] = (char *)a;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	return t_proc_start(dir, bin, args);
}

/*
 * Read output until @text shows up (true) or it ends (false); NULL @text
 * reads to the end.
 */
static bool read_until(struct t_proc *p, const char *text)
{
	return t_proc_read_until(p, 0, text, WAIT_MS);
}

static int wait_exit(struct t_proc *p)
{
	int ws = 0;

	read_until(p, NULL);
	cr_assert_eq(waitpid(p->pid, &ws, 0), p->pid);
	close(p->out_fd);
	cr_assert(WIFEXITED(ws), "mrfabricd died of signal %d",
		  WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	return WEXITSTATUS(ws);
}

static const char *src(char *buf, size_t len, const char *rel)
{
	return t_source_path(buf, len, rel);
}

static const char *write_config(char *path, size_t len, const char *text)
{
	FILE *f;

	snprintf(path, len, "%s/cfg.json", dir);
	f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(mgmt_mrfabricd, help_exits_zero)
{
	struct t_proc p = run("--help", NULL);

	cr_assert_eq(wait_exit(&p), 0);
	cr_assert_eq(strncmp(p.out,
			     "Usage: mrfabricd (--sim CHASSIS.json | "
			     "--switch unix:PATH)\n",
			     56),
		     0, "%s", p.out);
}

Test(mgmt_mrfabricd, version_exits_zero)
{
	struct t_proc p = run("--version", NULL);

	cr_assert_eq(wait_exit(&p), 0);
	cr_assert_str_eq(p.out, "mrfabricd 0.1.0\n");
}

struct usage_case {
	const char *args[4];
	const char *msg;
};

Test(mgmt_mrfabricd, usage_errors_exit_two_with_a_reason)
{
	static const struct usage_case cases[] = {
		{ { NULL }, "give exactly one of --sim" },
		{ { "--sim", "a.json", "--switch", "unix:/x" },
		  "give exactly one of --sim" },
		{ { "--switch", "/tmp/sock" },
		  "--switch /tmp/sock: expected "
		  "unix:PATH" },
		{ { "--bogus" }, "unknown option --bogus" },
		{ { "--sim" }, "--sim needs an argument" },
		{ { "--sim", "a.json", "--listen", "x:y" }, "--listen: " },
		{ { "--sim", "a.json", "--log-level", "loud" },
		  "--log-level: " },
		{ { "--switch", "unix:/x", "--speed", "2" },
		  "--speed needs --sim" },
		{ { "--sim", "a.json", "extra" }, "unexpected argument" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *a = cases[i].args;
		struct t_proc p = run(a[0], a[1], a[2], a[3], NULL);

		cr_assert_eq(wait_exit(&p), 2, "case %zu: %s", i, p.out);
		cr_assert(strstr(p.out, cases[i].msg), "case %zu: %s", i,
			  p.out);
		cr_assert(strstr(p.out, "Try 'mrfabricd --help'."));
	}
}

Test(mgmt_mrfabricd, bad_config_exits_one_naming_the_field)
{
	char chassis[512], cfg[512], want[600];
	struct t_proc p;

	write_config(cfg, sizeof(cfg), "{\"listen\": {\"port\": 99999}}");
	p = run("--sim", src(chassis, sizeof(chassis), CHASSIS), "--config",
		cfg, NULL);
	cr_assert_eq(wait_exit(&p), 1);
	snprintf(want, sizeof(want),
		 "mrfabricd: %s: listen.port: value 99999 above maximum "
		 "65535\n",
		 cfg);
	cr_assert_str_eq(p.out, want);
}

Test(mgmt_mrfabricd, bad_chassis_exits_one)
{
	char chassis[512];
	struct t_proc p = run("--sim",
			      src(chassis, sizeof(chassis),
				  "tests/data/bad-missing-required.json"),
			      "--listen", "127.0.0.1:0", NULL);

	cr_assert_eq(wait_exit(&p), 1);
	cr_assert(strstr(p.out, "mrfabricd: error: "), "%s", p.out);
	cr_assert(strstr(p.out, "bad-missing-required.json"), "%s", p.out);
}

Test(mgmt_mrfabricd, unreachable_switch_exits_one_naming_it)
{
	struct t_proc p = run("--switch", "unix:/nonexistent/fmp.sock",
			      "--listen", "127.0.0.1:0", NULL);

	cr_assert_eq(wait_exit(&p), 1);
	cr_assert(strstr(p.out, "/nonexistent/fmp.sock"), "%s", p.out);
}

/* A started daemon: the port from its log line (HTTPS or plain). */
static unsigned started(struct t_proc *p)
{
	const char *at;
	unsigned port = 0;

	cr_assert(read_until(p, "/redfish/v1\n"), "no start: %s", p->out);
	at = strstr(p->out, "listening on http");
	cr_assert(at, "%s", p->out);
	at = strstr(at, "://127.0.0.1:");
	cr_assert(at, "%s", p->out);
	cr_assert_eq(sscanf(at, "://127.0.0.1:%u", &port), 1);
	return port;
}

Test(mgmt_mrfabricd, plain_http_off_loopback_exits_one_naming_the_field)
{
	char chassis[512];
	struct t_proc p = run("--sim", src(chassis, sizeof(chassis), CHASSIS),
			      "--listen", "0.0.0.0:0", "--plain-http", NULL);

	cr_assert_eq(wait_exit(&p), 1);
	cr_assert_str_eq(p.out,
			 "mrfabricd: --plain-http: listen.plain_http: plain "
			 "HTTP is allowed only on a loopback address "
			 "(127.0.0.0/8 or ::1), not on 0.0.0.0: use HTTPS\n");
}

Test(mgmt_mrfabricd, first_start_prints_the_admin_password_once)
{
	static const char line[] = "first start: Administrator account "
				   "\"admin\", password ";
	char chassis[512];
	struct t_proc p;
	const char *at;
	unsigned round;

	src(chassis, sizeof(chassis), CHASSIS);
	for (round = 0; round < 2; round++) {
		p = run("--sim", chassis, "--listen", "127.0.0.1:0", NULL);
		started(&p);
		at = strstr(p.out, line);
		if (round == 0) {
			cr_assert(at, "%s", p.out);
			cr_assert_eq(strcspn(at + sizeof(line) - 1, "\n"),
				     MGMT_GENERATED_PASSWORD_LEN);
		} else {
			cr_assert_null(at, "printed again: %s", p.out);
		}
		cr_assert(strstr(p.out, "listening on https://"), "%s", p.out);
		cr_assert(strstr(p.out, "SHA-256 fingerprint "), "%s", p.out);
		kill(p.pid, SIGTERM);
		cr_assert_eq(wait_exit(&p), 0, "%s", p.out);
	}
}

static void http_get_root(unsigned port, char *out, size_t len)
{
	static const char req[] = "GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t n = 0;
	ssize_t r = 1;

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	while (n + 1 < len && r > 0) {
		r = read(fd, out + n, len - 1 - n);
		if (r > 0)
			n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
}

static void serves_then_stops_on(int sig)
{
	char chassis[512], cfg[512], resp[8192], db[600];
	struct t_proc p;
	struct stat st;
	unsigned port;

	write_config(cfg, sizeof(cfg),
		     "{\"listen\": {\"port\": 0, \"plain_http\": true}, "
		     "\"database\": \"state.db\"}");
	p = run("--sim", src(chassis, sizeof(chassis), CHASSIS), "--config",
		cfg, NULL);
	port = started(&p);
	http_get_root(port, resp, sizeof(resp));
	cr_assert_eq(strncmp(resp, "HTTP/1.1 200 ", 13), 0, "%s", resp);
	cr_assert(strstr(resp, "\"@odata.type\":\"#ServiceRoot.v1_20_0."
			       "ServiceRoot\""));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	cr_assert_eq(stat(db, &st), 0, "no database %s", db);
	cr_assert_eq(kill(p.pid, sig), 0);
	cr_assert_eq(wait_exit(&p), 0, "%s", p.out);
	cr_assert(strstr(p.out, "shutting down"), "%s", p.out);
	cr_assert(strstr(p.out, "switch sw0: "), "%s", p.out);
}

Test(mgmt_mrfabricd, sim_daemon_serves_and_stops_on_sigterm)
{
	serves_then_stops_on(SIGTERM);
}

Test(mgmt_mrfabricd, sim_daemon_serves_and_stops_on_sigint)
{
	serves_then_stops_on(SIGINT);
}

Test(mgmt_mrfabricd, taken_port_exits_one)
{
	char chassis[512];
	struct t_proc a, b;
	char listen[32];
	unsigned port;

	a = run("--sim", src(chassis, sizeof(chassis), CHASSIS), "--listen",
		"127.0.0.1:0", NULL);
	port = started(&a);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	b = run("--sim", chassis, "--listen", listen, NULL);
	cr_assert_eq(wait_exit(&b), 1);
	cr_assert(strstr(b.out, "cannot listen on 127.0.0.1:"), "%s", b.out);
	kill(a.pid, SIGTERM);
	cr_assert_eq(wait_exit(&a), 0);
}

Test(mgmt_mrfabricd, switch_daemon_manages_mrfabric_sim_over_fmp)
{
	char sim_bin[512], chassis[512], sock[600], arg[610], resp[8192];
	char *sim_args[] = { "--chassis", chassis, "--listen", sock, NULL };
	struct t_proc sim, d;
	unsigned port;

	t_binary_path(sim_bin, sizeof(sim_bin), "mrfabric-sim");
	cr_assert(access(sim_bin, X_OK) == 0, "%s is not built", sim_bin);
	src(chassis, sizeof(chassis), CHASSIS);
	snprintf(sock, sizeof(sock), "%s/fmp.sock", dir);
	sim = t_proc_start(dir, sim_bin, sim_args);
	cr_assert(read_until(&sim, "serving FMP on"), "%s", sim.out);
	snprintf(arg, sizeof(arg), "unix:%s", sock);
	d = run("--switch", arg, "--listen", "127.0.0.1:0", "--plain-http",
		NULL);
	port = started(&d);
	cr_assert(strstr(d.out, "switch sw0: firmware "), "%s", d.out);
	http_get_root(port, resp, sizeof(resp));
	cr_assert_eq(strncmp(resp, "HTTP/1.1 200 ", 13), 0, "%s", resp);
	kill(d.pid, SIGTERM);
	cr_assert_eq(wait_exit(&d), 0, "%s", d.out);
	kill(sim.pid, SIGTERM);
	cr_assert_eq(wait_exit(&sim), 0, "%s", sim.out);
}
