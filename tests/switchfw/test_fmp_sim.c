/* SPDX-License-Identifier: MIT */
/*
 * mrfabric-sim with its firmware options, as a process: --bind applies
 * bindings before the dumps (the blade's dump shows the function), and
 * --listen serves FMP on a UNIX socket until SIGINT/SIGTERM while virtual
 * time runs.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "switchfw/fmp.h"
#include "tests/support/support.h"

#define LSPCI "/usr/bin/lspci"
#define VF(n) SW_FID(0, 2, n)

struct run {
	int status;
	char *out;
	char *err;
};

static char *slurp(FILE *f)
{
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);

	rewind(f);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[len] = '\0';
	return buf;
}

static struct run run_argv(char *const argv[])
{
	FILE *out = tmpfile(), *err = tmpfile();
	struct run r = { 0 };
	int ws = 0;
	pid_t pid;

	cr_assert(out && err);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(argv[0], argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	cr_assert(WIFEXITED(ws), "%s died", argv[0]);
	r.status = WEXITSTATUS(ws);
	r.out = slurp(out);
	r.err = slurp(err);
	fclose(out);
	fclose(err);
	return r;
}

static char bin[512];
static char chassis[512];

static void s_setup(void)
{
	t_binary_path(bin, sizeof(bin), "mrfabric-sim");
	t_source_path(chassis, sizeof(chassis), "examples/chassis-small.json");
	cr_assert(access(bin, X_OK) == 0, "%s is not built", bin);
}

TestSuite(sw_fmp_sim, .init = s_setup);

/* mrfabric-sim -c examples/chassis-small.json + up to 8 arguments. */
static struct run sim(const char *a0, ...)
{
	char *argv[12] = { bin, "-c", chassis };
	const char *a = a0;
	unsigned n = 3;
	va_list ap;

	va_start(ap, a0);
	while (a && n < 11) {
		argv[n++] = (char *)a;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	return run_argv(argv);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;

	cr_assert_not_null(f, "%s", path);
	s = slurp(f);
	fclose(f);
	return s;
}

/* --bind, then --dump host:N: the dump holds the VF (15b3:101e). */
Test(sw_fmp_sim, bind_option_makes_the_blade_dump_show_the_vf)
{
	char out[] = "/tmp/fmp-sim-XXXXXX";
	int fd = mkstemp(out);
	struct run r;
	char *dump;

	cr_assert_geq(fd, 0);
	close(fd);
	r = sim("--bind", "03:00.2=host:1", "--dump", "host:1", "--output", out,
		NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	dump = read_file(out);
	/* config bytes 0-3: vendor 15b3, device 101e */
	cr_assert_not_null(strstr(dump, "00: b3 15 1e 10"), "%s", dump);
	free(dump);
	run_free(&r);
	if (access(LSPCI, X_OK) == 0) {
		char *argv[] = { LSPCI, "-F", out, "-n", NULL };

		r = run_argv(argv);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert_not_null(strstr(r.out, "15b3:101e"), "%s", r.out);
		run_free(&r);
	}
	unlink(out);
}

Test(sw_fmp_sim, unbound_blade_dump_has_no_vf)
{
	struct run r =
		sim("--bind", "03:00.2=host:1", "--dump", "host:0", NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_null(strstr(r.out, "00: b3 15 1e 10"), "%s", r.out);
	run_free(&r);
}

Test(sw_fmp_sim, bind_accepts_domain_and_blade_name_and_repeats)
{
	struct run r = sim("--bind", "0000:03:00.1=host:blade0", "--bind",
			   "03:00.3=host:blade0", "--dump", "host:0", NULL);
	const char *first;

	cr_assert_eq(r.status, 0, "%s", r.err);
	first = strstr(r.out, "00: b3 15 1e 10");
	cr_assert_not_null(first, "%s", r.out);
	cr_assert_not_null(strstr(first + 1, "00: b3 15 1e 10"),
			   "two VFs expected: %s", r.out);
	run_free(&r);
}

Test(sw_fmp_sim, bind_of_unknown_function_is_a_usage_error)
{
	struct run r = sim("--bind", "03:07.0=host:0", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(
		strstr(r.err, "mrfabric-sim: --bind 03:07.0=host:0:"), "%s",
		r.err);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
}

Test(sw_fmp_sim, bind_to_unknown_blade_is_a_usage_error)
{
	struct run r = sim("--bind", "03:00.1=host:9", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "no such blade (2 blades"), "%s",
			   r.err);
	run_free(&r);
}

Test(sw_fmp_sim, bind_in_missing_domain_is_a_usage_error)
{
	struct run r = sim("--bind", "0003:03:00.1=host:0", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "no domain 0003"), "%s", r.err);
	run_free(&r);
}

Test(sw_fmp_sim, malformed_bind_is_a_usage_error)
{
	static const char *const bad[] = { "03:00.1", "03:00.1=blade0",
					   "=host:0", "03:00.9=host:0",
					   "3:00:00.1=host:0" };

	for (unsigned i = 0; i < FM_ARRAY_SIZE(bad); i++) {
		struct run r = sim("--bind", bad[i], NULL);

		cr_assert_eq(r.status, 2, "%s", bad[i]);
		cr_assert_not_null(strstr(r.err, "--bind"), "%s", r.err);
		run_free(&r);
	}
}

Test(sw_fmp_sim, binding_the_pf_while_its_vf_is_bound_is_refused)
{
	struct run r = sim("--bind", "03:00.1=host:0", "--bind",
			   "03:00.0=host:1", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--bind 03:00.0=host:1: "), "%s",
			   r.err);
	cr_assert_not_null(strstr(r.err, "in use"), "%s", r.err);
	run_free(&r);
}

Test(sw_fmp_sim, binding_one_function_twice_is_refused)
{
	struct run r = sim("--bind", "03:00.1=host:0", "--bind",
			   "03:00.1=host:1", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--bind 03:00.1=host:1: "), "%s",
			   r.err);
	run_free(&r);
}

Test(sw_fmp_sim, speed_without_listen_is_a_usage_error)
{
	struct run r = sim("--speed", "10", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--speed needs --listen"), "%s",
			   r.err);
	run_free(&r);
}

Test(sw_fmp_sim, listen_on_a_missing_directory_fails_with_status_one)
{
	struct run r =
		sim("--quiet", "--listen", "/nonexistent/dir/fmp.sock", NULL);

	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "/nonexistent/dir/fmp.sock"), "%s",
			   r.err);
	run_free(&r);
}

/* ---------------------------------------------------------------------
 * --listen as a running process.
 */
struct server {
	pid_t pid;
	char dir[64];
	char path[128];
	struct sw_fmp_unix_client *uc;
	struct sw_fmp_client *c;
};

static void wait_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Start mrfabric-sim --listen and connect to it (wall clock: 10 s). */
static void server_start(struct server *s, const char *speed)
{
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };

	snprintf(s->dir, sizeof(s->dir), "/tmp/fmp-sim-XXXXXX");
	cr_assert_not_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/fmp.sock", s->dir);
	fflush(NULL);
	s->pid = fork();
	cr_assert_geq(s->pid, 0);
	if (s->pid == 0) {
		execl(bin, bin, "-c", chassis, "--quiet", "--listen", s->path,
		      "--speed", speed, (char *)NULL);
		_exit(127);
	}
	for (unsigned i = 0; i < 1000; i++) {
		fm_err_clear(&err);
		if (sw_fmp_unix_client_connect(&s->uc, s->path, &err) == 0)
			break;
		wait_ms(10);
	}
	cr_assert_not_null(s->uc, "no server at %s: %s", s->path, err.msg);
	sw_fmp_unix_client_transport(&t, s->uc);
	cr_assert_eq(sw_fmp_client_new(&s->c, &t, NULL), 0);
}

/* Stop it with @sig; it must exit 0 and remove its socket. */
static void server_stop(struct server *s, int sig)
{
	struct stat st;
	int ws = 0;

	sw_fmp_client_free(s->c);
	sw_fmp_unix_client_close(s->uc);
	cr_assert_eq(kill(s->pid, sig), 0);
	cr_assert_eq(waitpid(s->pid, &ws, 0), s->pid);
	cr_assert(WIFEXITED(ws), "mrfabric-sim died of a signal");
	cr_assert_eq(WEXITSTATUS(ws), 0);
	cr_assert_eq(stat(s->path, &st), -1, "socket file left behind");
	rmdir(s->dir);
}

Test(sw_fmp_sim, listen_serves_fmp_and_exits_cleanly_on_sigterm)
{
	struct sw_fmp_identify_rsp id;
	struct sw_fmp_fn fn[16];
	struct server s = { 0 };
	unsigned n = 0;

	server_start(&s, "1");
	cr_assert_eq(sw_fmp_client_identify(&id, s.c, NULL), 0);
	cr_assert_eq(id.npartitions, 2);
	cr_assert_eq(
		sw_fmp_client_list_functions(fn, &n, NULL, s.c, 0, 16, NULL),
		0);
	cr_assert_eq(n, 9);
	server_stop(&s, SIGTERM);
}

Test(sw_fmp_sim, listen_exits_cleanly_on_sigint)
{
	struct server s = { 0 };

	server_start(&s, "1");
	server_stop(&s, SIGINT);
}

/*
 * The clock runs while the program serves: a bind's hot-add completes
 * (the blade powers the slot and the vPPB becomes BOUND) without anyone
 * driving the clock by hand.
 */
Test(sw_fmp_sim, listen_runs_virtual_time_so_a_bind_completes)
{
	struct sw_fmp_vppb v[SW_MAX_VPPBS];
	struct sw_fmp_part_rsp p;
	struct server s = { 0 };
	struct fm_err err = { 0 };
	unsigned vppb = 0, i;

	server_start(&s, "20");
	cr_assert_eq(sw_fmp_client_bind(&vppb, s.c, VF(4), 1, -1, &err), 0,
		     "%s", err.msg);
	for (i = 0; i < 1000; i++) {
		cr_assert_eq(sw_fmp_client_partition(&p, v, s.c, 1, NULL), 0);
		if (v[vppb].state == SW_VPPB_BOUND)
			break;
		wait_ms(10);
	}
	cr_assert_eq(v[vppb].state, SW_VPPB_BOUND, "hot-add never completed");
	cr_assert_eq(v[vppb].fid, VF(4));
	server_stop(&s, SIGTERM);
}
