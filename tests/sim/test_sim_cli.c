/* SPDX-License-Identifier: MIT */
/*
 * test_sim_cli.c - mrfabric-sim as a process: exit statuses, the messages
 * a user reads, and dumps the real lspci accepts.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fabric/fm.h"
#include "tests/support/support.h"

#define LSPCI "/usr/bin/lspci"

struct run {
	int status; /* exit status */
	char *out;  /* whole stdout, NUL-terminated */
	char *err;  /* whole stderr */
};

static char *slurp(FILE *f)
{
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);

	rewind(f);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[len] = '\0';
	return buf;
}

/* Run @argv (argv[0] a path) with stdout and stderr captured. */
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

/* mrfabric-sim with up to 8 arguments (NULL-terminated). */
static struct run sim(const char *a0, ...)
{
	static char bin[512];
	char *argv[10] = { bin };
	const char *a = a0;
	unsigned n = 1;
	va_list ap;

	t_binary_path(bin, sizeof(bin), "mrfabric-sim");
	cr_assert(access(bin, X_OK) == 0, "%s is not built", bin);
	va_start(ap, a0);
	while (a && n < 9) {
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

static const char *src(char *buf, size_t len, const char *rel)
{
	return t_source_path(buf, len, rel);
}

Test(sim_cli, summary_of_the_small_example_exits_zero)
{
	char path[512];
	struct run r = sim(
		"--chassis",
		src(path, sizeof(path), "examples/chassis-small.json"), NULL);

	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_not_null(strstr(r.out, "chassis small: 2 blades, 1 switch, "
					 "1 endpoint"),
			   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "SR-IOV: 8 VFs (8 enabled)"), "%s",
			   r.out);
	cr_assert_str_eq(r.err, "");
	run_free(&r);
}

Test(sim_cli, summary_shows_each_port_link_state)
{
	char path[512];
	struct run r = sim(
		"-c", src(path, sizeof(path), "examples/chassis-small.json"),
		NULL);

	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_not_null(
		strstr(r.out, "port  2 downstream x16 32GT/s  nic0 "), "%s",
		r.out);
	cr_assert_not_null(strstr(r.out, "up x16 16GT/s, bus 03-03"), "%s",
			   r.out);
	cr_assert_not_null(strstr(r.out, "(empty)        down, bus 04-04"),
			   "%s", r.out);
	run_free(&r);
}

Test(sim_cli, bad_chassis_file_exits_one_with_file_field_and_reason)
{
	char path[512], want[768];
	struct run r =
		sim("--chassis",
		    src(path, sizeof(path), "tests/data/bad-link-width.json"),
		    NULL);

	snprintf(want, sizeof(want),
		 "mrfabric-sim: %s: blades[1].link.width: 3 is not one of "
		 "[1, 2, 4, 8, 16]\n",
		 path);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, want);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
}

Test(sim_cli, malformed_chassis_file_exits_one_with_line_and_column)
{
	char path[512], want[600];
	struct run r = sim(
		"--chassis",
		src(path, sizeof(path), "tests/data/bad-malformed.json"), NULL);

	snprintf(want, sizeof(want), "mrfabric-sim: %s:12:", path);
	cr_assert_eq(r.status, 1);
	cr_assert_eq(strncmp(r.err, want, strlen(want)), 0, "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err),
		     "not one line: %s", r.err);
	run_free(&r);
}

Test(sim_cli, bad_chassis_leaves_the_output_file_alone)
{
	char path[512], out[] = "/tmp/mrfabric-cli-XXXXXX";
	int fd = mkstemp(out);
	struct run r;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "keep", 4), 4);
	close(fd);
	r = sim("--chassis",
		src(path, sizeof(path), "tests/data/bad-unknown-blade.json"),
		"--dump", "fabric", "--output", out, NULL);
	cr_assert_eq(r.status, 1);
	fd = open(out, O_RDONLY);
	cr_assert_eq(read(fd, path, sizeof(path)), 4);
	close(fd);
	unlink(out);
	run_free(&r);
}

Test(sim_cli, missing_chassis_is_a_usage_error)
{
	struct run r = sim("--quiet", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err,
			 "mrfabric-sim: no chassis: give --chassis FILE\n"
			 "Try 'mrfabric-sim --help' for more information.\n");
	run_free(&r);
}

Test(sim_cli, unknown_option_is_a_usage_error)
{
	struct run r = sim("--chassis", "x.json", "--frobnicate", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "unknown option --frobnicate"), "%s",
			   r.err);
	run_free(&r);
}

Test(sim_cli, bad_dump_spec_is_a_usage_error)
{
	struct run r = sim("--chassis", "x.json", "--dump", "hosts", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--dump: expected \"fabric\" or "
					 "\"host:N\", got \"hosts\""),
			   "%s", r.err);
	run_free(&r);
}

Test(sim_cli, dump_of_unknown_blade_is_a_usage_error)
{
	char path[512];
	struct run r = sim(
		"-c", src(path, sizeof(path), "examples/chassis-small.json"),
		"--dump", "host:7", NULL);

	cr_assert_eq(r.status, 2);
	cr_assert_not_null(strstr(r.err, "--dump host:7:"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "has no such blade"), "%s", r.err);
	run_free(&r);
}

Test(sim_cli, help_describes_every_option)
{
	static const char *const opts[] = { "--chassis", "--dump", "--output",
					    "--quiet",	 "--help", "--version",
					    "host:N",	 "fabric" };
	struct run r = sim("--help", NULL);
	unsigned i;

	cr_assert_eq(r.status, 0);
	for (i = 0; i < FM_ARRAY_SIZE(opts); i++)
		cr_assert_not_null(strstr(r.out, opts[i]), "%s", opts[i]);
	run_free(&r);
}

Test(sim_cli, version_prints_name_and_version)
{
	struct run r = sim("--version", NULL);

	cr_assert_eq(r.status, 0);
	cr_assert_eq(strncmp(r.out, "mrfabric-sim ", 13), 0, "%s", r.out);
	run_free(&r);
}

Test(sim_cli, quiet_prints_nothing_on_success)
{
	char path[512];
	struct run r = sim(
		"-q", "-c",
		src(path, sizeof(path), "examples/chassis-rack.json"), NULL);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_str_eq(r.err, "");
	run_free(&r);
}

Test(sim_cli, host_dump_by_name_equals_host_dump_by_index)
{
	char path[512];
	struct run a = sim(
		"-c", src(path, sizeof(path), "examples/chassis-small.json"),
		"--dump", "host:1", NULL);
	struct run b = sim("-c", path, "--dump", "host:blade1", NULL);

	cr_assert_eq(a.status, 0, "%s", a.err);
	cr_assert_eq(b.status, 0, "%s", b.err);
	cr_assert_str_eq(a.out, b.out);
	cr_assert_eq(strncmp(a.out, "0000:00:00.0 ", 13), 0, "%s", a.out);
	run_free(&a);
	run_free(&b);
}

/* Run `lspci -F @dump @flag` and return its output. */
static struct run lspci(const char *dump, const char *flag)
{
	char *argv[] = { LSPCI, "-F", (char *)dump, (char *)flag, NULL };

	return run_argv(argv);
}

static void dump_to_file(char *out, const char *what, const char *chassis)
{
	char path[512];
	struct run r;
	int fd = mkstemp(out);

	cr_assert_geq(fd, 0);
	close(fd);
	r = sim("-c", src(path, sizeof(path), chassis), "--dump", what,
		"--output", out, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	run_free(&r);
}

/*
 * lspci never met a register it could not make sense of.  Its only
 * allowed complaint is about the host's kernel modules (-v looks up
 * drivers), which has nothing to do with the dump.
 */
static void assert_clean(const struct run *r)
{
	static const char kmod[] = "lspci: Unable to load libkmod";
	const char *line;

	cr_assert_eq(r->status, 0, "lspci: %s", r->err);
	for (line = r->err; *line; line = strchr(line, '\n') + 1) {
		cr_assert_eq(strncmp(line, kmod, sizeof(kmod) - 1), 0,
			     "lspci: %s", r->err);
		cr_assert_not_null(strchr(line, '\n'));
	}
	cr_assert_null(strstr(r->out, "Illegal"), "%s", r->out);
	cr_assert_null(strstr(r->out, "<unavailable>"), "%s", r->out);
	cr_assert_null(strstr(r->out, "<?>"), "%s", r->out);
}

Test(sim_cli, lspci_decodes_the_fabric_dump)
{
	char out[] = "/tmp/mrfabric-cli-XXXXXX";
	struct run r;

	if (access(LSPCI, X_OK) != 0)
		cr_skip_test("%s not installed", LSPCI);
	dump_to_file(out, "fabric", "examples/chassis-rack.json");
	r = lspci(out, "-vvv");
	assert_clean(&r);
	cr_assert_not_null(strstr(r.out, "Express (v2) Upstream Port"), "%s",
			   r.out);
	cr_assert_not_null(strstr(r.out, "Express (v2) Downstream Port"), "%s",
			   r.out);
	cr_assert_not_null(strstr(r.out, "Express (v2) Endpoint"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Single Root I/O Virtualization"),
			   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "Initial VFs: 64, Total VFs: 64"),
			   "%s", r.out);
	cr_assert_not_null(strstr(r.out, "0001:00:08.0"), "%s", r.out);
	run_free(&r);
	unlink(out);
}

Test(sim_cli, lspci_draws_the_fabric_tree)
{
	char out[] = "/tmp/mrfabric-cli-XXXXXX";
	struct run r;

	if (access(LSPCI, X_OK) != 0)
		cr_skip_test("%s not installed", LSPCI);
	dump_to_file(out, "fabric", "examples/chassis-small.json");
	r = lspci(out, "-tvn");
	assert_clean(&r);
	/* the NIC (PF and the VFs firmware enabled) hangs below port 00:02.0 */
	cr_assert_not_null(strstr(r.out, "-02.0-[03]--+-00.0  15b3:101d"), "%s",
			   r.out);
	run_free(&r);
	unlink(out);
}

Test(sim_cli, lspci_decodes_a_blade_dump_root_port)
{
	char out[] = "/tmp/mrfabric-cli-XXXXXX";
	struct run r;

	if (access(LSPCI, X_OK) != 0)
		cr_skip_test("%s not installed", LSPCI);
	dump_to_file(out, "host:0", "examples/chassis-rack.json");
	r = lspci(out, "-vvv");
	assert_clean(&r);
	cr_assert_not_null(strstr(r.out, "Root Port (Slot"), "%s", r.out);
	run_free(&r);
	unlink(out);
}
