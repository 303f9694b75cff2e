/* SPDX-License-Identifier: MIT */
/*
 * bench_fmp - FMP round trips per second over a UNIX socket, against a
 * plain echo over the same kind of socket in the same run.
 *
 *   fmp:  the simulated chassis with its firmware; the FMP server
 *         (switchfw/fmp_unix.c) polled by an event loop thread answers
 *         IDENTIFY or GET_PORT_STATE through the dispatcher and firmware.
 *   echo: a thread that reads each frame and writes back a frame of the
 *         FMP response's size, with plain blocking recv/send.
 *
 * Both use the same blocking client (sw_fmp_unix_client_transact) with the
 * same request frames, one request in flight.  For scale, the same
 * requests through the in-process transport (a function call into the
 * dispatcher) are timed too.  Each figure is the best of
 * @runs runs of @n round trips, echo and FMP interleaved.  Target: FMP at
 * least half the echo rate.
 *
 * Usage: bench_fmp [CHASSIS.json [round-trips [runs]]]
 *        (default examples/chassis-small.json, 100000, 3; run from the
 *        source tree)
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim.h"
#include "switchfw/fmp.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const struct fm_err *err)
{
	fprintf(stderr, "bench_fmp: %s: %s\n", what,
		err && err->msg[0] ? err->msg : strerror(errno));
	exit(1);
}

/* ---------------------------------------------------------------------
 * The FMP server: an event loop thread polling the server's descriptor.
 */
struct fmp_loop {
	struct sw_fmp_unix_server *s;
	int stop[2];
	pthread_t th;
};

static void *fmp_loop_run(void *arg)
{
	struct fmp_loop *l = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sw_fmp_unix_server_fd(l->s), .events = POLLIN },
			{ .fd = l->stop[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (p[0].revents && sw_fmp_unix_server_process(l->s, NULL) < 0)
			break;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * The echo server: one connection, blocking.
 */
struct echo {
	int lfd;
	size_t reply; /* message bytes of each reply */
	pthread_t th;
};

static bool recv_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = recv(fd, p, n, 0);

		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void *echo_run(void *arg)
{
	struct echo *e = arg;
	uint8_t buf[4 + SW_FMP_MAX_MSG];
	int fd = accept(e->lfd, NULL, NULL);

	while (fd >= 0 && recv_all(fd, buf, 4)) {
		uint32_t n = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
			     (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;

		if (n > SW_FMP_MAX_MSG || !recv_all(fd, buf + 4, n))
			break;
		buf[0] = (uint8_t)e->reply;
		buf[1] = (uint8_t)(e->reply >> 8);
		buf[2] = buf[3] = 0;
		if (send(fd, buf, 4 + e->reply, MSG_NOSIGNAL) !=
		    (ssize_t)(4 + e->reply))
			break;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void echo_start(struct echo *e, const char *path, size_t reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	e->reply = reply;
	e->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (e->lfd < 0 || bind(e->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(e->lfd, 1) || pthread_create(&e->th, NULL, echo_run, e))
		die("echo server", NULL);
}

static void echo_stop(struct echo *e, const char *path)
{
	pthread_join(e->th, NULL);
	close(e->lfd);
	unlink(path);
}

/* ---------------------------------------------------------------------
 * The client side: @n round trips of @req; returns round trips per second.
 */
static double run_client(const char *path, const uint8_t *req, size_t len,
			 unsigned n, size_t want_rsp)
{
	struct sw_fmp_unix_client *c = NULL;
	uint8_t rsp[SW_FMP_MAX_MSG];
	struct fm_err err = { 0 };
	size_t rlen = 0;
	double t0, t1;

	if (sw_fmp_unix_client_connect(&c, path, &err) < 0)
		die("connect", &err);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		if (sw_fmp_unix_client_transact(c, rsp, &rlen, req, len, &err))
			die("round trip", &err);
	}
	t1 = now_s();
	if (rlen != want_rsp)
		die("unexpected response size", NULL);
	sw_fmp_unix_client_close(c);
	return n / (t1 - t0);
}

/* @n round trips through the in-process transport, per second. */
static double run_local(struct sw_fw *fw, const uint8_t *req, size_t len,
			unsigned n)
{
	struct sw_fmp_transport t;
	uint8_t rsp[SW_FMP_MAX_MSG];
	size_t rlen = 0;
	double t0;

	sw_fmp_transport_local(&t, fw);
	t0 = now_s();
	for (unsigned i = 0; i < n; i++)
		t.transact(t.ctx, rsp, &rlen, req, len, NULL);
	return n / (now_s() - t0);
}

struct op_case {
	const char *name;
	uint16_t opcode;
	struct sw_fmp_port_req port; /* GET_PORT_STATE */
};

int main(int argc, char **argv)
{
	const char *chassis =
		argc > 1 ? argv[1] : "examples/chassis-small.json";
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 100000;
	unsigned runs = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 3;
	static const struct op_case cases[] = {
		{ "identify", SW_FMP_OP_IDENTIFY, { 0 } },
		{ "get port state", SW_FMP_OP_GET_PORT_STATE, { 0, 0, 0 } },
	};
	struct fab_chip *chips[SW_MAX_CHIPS];
	struct sim_chassis *ch = NULL;
	struct sw_fw *fw = NULL;
	struct fm_err err = { 0 };
	struct fmp_loop loop;
	char fmp_path[64], echo_path[64], dir[32] = "/tmp/bench-fmp-XXXXXX";
	unsigned nchips;
	int status = 0;

	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	snprintf(fmp_path, sizeof(fmp_path), "%s/fmp.sock", dir);
	snprintf(echo_path, sizeof(echo_path), "%s/echo.sock", dir);
	fm_log_set_level(FM_LOG_ERROR);
	if (sim_chassis_load(&ch, chassis, &err) < 0)
		die(chassis, &err);
	nchips = sim_chassis_switch_count(ch);
	for (unsigned i = 0; i < nchips && i < SW_MAX_CHIPS; i++)
		chips[i] = sim_switch_chip(sim_chassis_switch(ch, i));
	if (sw_fw_new(&fw, chips, nchips, NULL, &err) < 0 ||
	    sw_fw_start(fw, &err) < 0 || sim_chassis_power_on(ch, &err) < 0)
		die("chassis and firmware", &err);
	sim_clock_run_idle(sim_chassis_clock(ch), 0);

	if (sw_fmp_unix_server_new(&loop.s, fmp_path, sw_fmp_fw_handle, fw,
				   &err) < 0 ||
	    pipe(loop.stop) < 0 ||
	    pthread_create(&loop.th, NULL, fmp_loop_run, &loop))
		die("fmp server", &err);

	printf("bench_fmp: %s, %u round trips per run, best of %u\n", chassis,
	       n, runs);
	printf("%-16s %10s %10s %14s %14s %7s %16s\n", "request", "req bytes",
	       "rsp bytes", "echo rt/s", "fmp rt/s", "ratio",
	       "in-process rt/s");
	for (unsigned k = 0; k < FM_ARRAY_SIZE(cases); k++) {
		const struct op_case *oc = &cases[k];
		uint8_t req[SW_FMP_MAX_MSG], rsp[SW_FMP_MAX_MSG], payload[16];
		size_t plen = 0, len, rlen;
		double best_echo = 0, best_fmp = 0, best_local = 0;

		if (oc->opcode == SW_FMP_OP_GET_PORT_STATE) {
			sw_fmp_encode(payload, &sw_fmp_layout_port_req,
				      &oc->port);
			plen = sizeof(oc->port);
		}
		len = sw_fmp_request_build(req, oc->opcode, 1, payload, plen);
		/* the size FMP answers with, for the echo to match */
		rlen = sw_fmp_dispatch(rsp, fw, req, len);
		if (rsp[12] != SW_FMP_ST_OK)
			die(oc->name, NULL);
		for (unsigned r = 0; r < runs; r++) {
			struct echo e;
			double v;

			echo_start(&e, echo_path, rlen);
			v = run_client(echo_path, req, len, n, rlen);
			echo_stop(&e, echo_path);
			if (v > best_echo)
				best_echo = v;
			v = run_client(fmp_path, req, len, n, rlen);
			if (v > best_fmp)
				best_fmp = v;
		}
		/* the server thread idles in poll(): the firmware is ours */
		for (unsigned r = 0; r < runs; r++) {
			double v = run_local(fw, req, len, n);

			if (v > best_local)
				best_local = v;
		}
		printf("%-16s %10zu %10zu %14.0f %14.0f %7.2f %16.0f\n",
		       oc->name, len + 4, rlen + 4, best_echo, best_fmp,
		       best_fmp / best_echo, best_local);
		if (best_fmp < best_echo / 2)
			status = 1;
	}
	printf("target: fmp at least 0.50 of echo: %s\n",
	       status ? "MISSED" : "met");

	if (write(loop.stop[1], "x", 1) != 1)
		die("stop", NULL);
	pthread_join(loop.th, NULL);
	close(loop.stop[0]);
	close(loop.stop[1]);
	sw_fmp_unix_server_free(loop.s);
	sw_fw_free(fw);
	sim_chassis_free(ch);
	rmdir(dir);
	return status;
}
