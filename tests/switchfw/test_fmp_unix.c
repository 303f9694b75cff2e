/* SPDX-License-Identifier: MIT */
/*
 * FMP over a UNIX socket: framing, several clients, bad frames, flow
 * control, the socket file's life, and the client (deadline, circuit
 * breaker, reconnect).  The server answers with a small handler (the
 * dispatcher's own tests are in test_fmp_dispatch.c); most tests drive
 * sw_fmp_unix_server_process() from the test thread against raw client
 * sockets, and the client's tests use servers scripted on raw sockets,
 * so every step is deterministic.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "switchfw/fmp.h"

static char dir[64];
static char path[128];

/* Requests the handler saw. */
static unsigned handled;
static size_t last_len;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * Answer IDENTIFY with a switch named "unix-test"; echo anything else as
 * a response carrying the request's payload.
 */
static size_t t_handle(void *ctx, uint8_t *rsp, const uint8_t *req, size_t len)
{
	struct sw_fmp_hdr h = { 0 };

	(void)ctx;
	handled++;
	last_len = len;
	if (len >= SW_FMP_HDR_SIZE)
		sw_fmp_decode(&h, &sw_fmp_layout_hdr, req);
	h.flags = SW_FMP_FLAG_RESPONSE;
	if (h.opcode == SW_FMP_OP_IDENTIFY && len == SW_FMP_HDR_SIZE) {
		struct sw_fmp_identify_rsp id = { .name = "unix-test",
						  .fmp_version = 1 };

		h.length = sizeof(id);
		sw_fmp_encode(rsp + SW_FMP_HDR_SIZE,
			      &sw_fmp_layout_identify_rsp, &id);
	} else {
		h.length = len > SW_FMP_HDR_SIZE
				   ? (uint32_t)(len - SW_FMP_HDR_SIZE)
				   : 0;
		memcpy(rsp + SW_FMP_HDR_SIZE, req + SW_FMP_HDR_SIZE, h.length);
	}
	sw_fmp_encode(rsp, &sw_fmp_layout_hdr, &h);
	return SW_FMP_HDR_SIZE + h.length;
}

static void t_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fmp-unix-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fmp.sock", dir);
	handled = 0;
	last_len = 0;
}

static void t_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(sw_fmp_unix, .init = t_setup, .fini = t_teardown);

static struct sw_fmp_unix_server *t_server(void)
{
	struct sw_fmp_unix_server *s = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_unix_server_new(&s, path, t_handle, NULL, &err), 0,
		     "%s", err.msg);
	return s;
}

static void t_process(struct sw_fmp_unix_server *s)
{
	cr_assert_eq(sw_fmp_unix_server_process(s, NULL), 0);
}

/* A raw client socket, non-blocking, connected and accepted. */
static int t_connect(struct sw_fmp_unix_server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(fd, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s",
		     strerror(errno));
	t_process(s);
	return fd;
}

/* One request frame: IDENTIFY-less echo request with @tag and @plen bytes. */
static size_t t_frame(uint8_t *buf, uint32_t tag, size_t plen)
{
	uint8_t payload[SW_FMP_MAX_PAYLOAD];

	for (size_t i = 0; i < plen; i++)
		payload[i] = (uint8_t)(tag + i);
	put32(buf, (uint32_t)(SW_FMP_HDR_SIZE + plen));
	return 4 + sw_fmp_request_build(buf + 4, SW_FMP_OP_RESET_FUNCTION, tag,
					payload, plen);
}

static void t_send(int fd, const void *buf, size_t len)
{
	cr_assert_eq(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Read one whole response frame that must already be there. */
static size_t t_recv_frame(int fd, uint8_t *msg, struct sw_fmp_hdr *h)
{
	uint8_t lenbuf[4];
	size_t got = 0;
	uint32_t n;

	cr_assert_eq(recv(fd, lenbuf, 4, 0), 4, "no response frame");
	n = get32(lenbuf);
	cr_assert_leq(n, SW_FMP_MAX_MSG);
	while (got < n) {
		ssize_t r = recv(fd, msg + got, n - got, 0);

		cr_assert_gt(r, 0, "response frame cut short");
		got += (size_t)r;
	}
	sw_fmp_decode(h, &sw_fmp_layout_hdr, msg);
	return n;
}

static bool t_nothing_to_read(int fd)
{
	uint8_t b;

	return recv(fd, &b, 1, 0) < 0 && errno == EAGAIN;
}

static bool t_hung_up(int fd)
{
	uint8_t b;

	return recv(fd, &b, 1, 0) == 0;
}

Test(sw_fmp_unix, frame_is_answered_with_a_framed_response)
{
	struct sw_fmp_unix_server *s = t_server();
	uint8_t req[64], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	int fd = t_connect(s);

	t_send(fd, req, t_frame(req, 42, 8));
	t_process(s);
	cr_assert_eq(t_recv_frame(fd, msg, &h), SW_FMP_HDR_SIZE + 8);
	cr_assert_eq(h.tag, 42);
	cr_assert_eq(h.flags, SW_FMP_FLAG_RESPONSE);
	cr_assert_eq(msg[SW_FMP_HDR_SIZE], 42);
	cr_assert_eq(handled, 1);
	close(fd);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, pipelined_frames_are_answered_in_order)
{
	struct sw_fmp_unix_server *s = t_server();
	uint8_t req[256], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	size_t n = 0;
	int fd = t_connect(s);

	for (uint32_t tag = 1; tag <= 5; tag++)
		n += t_frame(req + n, tag, tag);
	t_send(fd, req, n);
	t_process(s);
	for (uint32_t tag = 1; tag <= 5; tag++) {
		t_recv_frame(fd, msg, &h);
		cr_assert_eq(h.tag, tag);
		cr_assert_eq(h.length, tag);
	}
	cr_assert(t_nothing_to_read(fd));
	close(fd);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, frame_arriving_byte_by_byte_is_answered_once_complete)
{
	struct sw_fmp_unix_server *s = t_server();
	uint8_t req[64], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	size_t n;
	int fd = t_connect(s);

	n = t_frame(req, 7, 3);
	for (size_t i = 0; i + 1 < n; i++) {
		t_send(fd, req + i, 1);
		t_process(s);
		cr_assert(t_nothing_to_read(fd), "answered after %zu bytes",
			  i + 1);
	}
	t_send(fd, req + n - 1, 1);
	t_process(s);
	t_recv_frame(fd, msg, &h);
	cr_assert_eq(h.tag, 7);
	cr_assert_eq(handled, 1);
	close(fd);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, largest_frame_is_accepted)
{
	struct sw_fmp_unix_server *s = t_server();
	static uint8_t req[4 + SW_FMP_MAX_MSG], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	int fd = t_connect(s);

	t_send(fd, req, t_frame(req, 9, SW_FMP_MAX_PAYLOAD));
	t_process(s);
	cr_assert_eq(t_recv_frame(fd, msg, &h), SW_FMP_MAX_MSG);
	cr_assert_eq(last_len, SW_FMP_MAX_MSG);
	close(fd);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, oversized_frame_gets_bad_length_and_disconnect)
{
	struct sw_fmp_unix_server *s = t_server();
	uint8_t bad[4], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	int fd = t_connect(s);

	put32(bad, SW_FMP_MAX_MSG + 1);
	t_send(fd, bad, 4);
	t_process(s);
	t_recv_frame(fd, msg, &h);
	cr_assert_eq(h.status, SW_FMP_ST_BAD_LENGTH);
	cr_assert(memmem(msg + SW_FMP_HDR_SIZE, h.length, "4097", 4));
	cr_assert(t_hung_up(fd), "client still connected");
	cr_assert_eq(sw_fmp_unix_server_clients(s), 0);
	cr_assert_eq(handled, 0);
	close(fd);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, bad_client_does_not_disturb_others)
{
	struct sw_fmp_unix_server *s = t_server();
	uint8_t req[64], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	int good = t_connect(s), bad = t_connect(s);
	size_t n;

	cr_assert_eq(sw_fmp_unix_server_clients(s), 2);
	/* the good client has half a frame in flight */
	n = t_frame(req, 5, 4);
	t_send(good, req, 10);
	put32(req + 32, 0xffffffffu);
	t_send(bad, req + 32, 4);
	t_process(s);
	cr_assert_eq(sw_fmp_unix_server_clients(s), 1);
	t_send(good, req + 10, n - 10);
	t_process(s);
	t_recv_frame(good, msg, &h);
	cr_assert_eq(h.tag, 5);
	cr_assert_eq(h.status, SW_FMP_ST_OK);
	close(good);
	close(bad);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, clients_are_served_independently)
{
	struct sw_fmp_unix_server *s = t_server();
	uint8_t req[64], msg[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr h;
	int fd[3];

	for (int i = 0; i < 3; i++)
		fd[i] = t_connect(s);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3; i++)
			t_send(fd[i], req,
			       t_frame(req, (uint32_t)(10 * i + round), 2));
		t_process(s);
		for (int i = 0; i < 3; i++) {
			t_recv_frame(fd[i], msg, &h);
			cr_assert_eq(h.tag, (uint32_t)(10 * i + round));
		}
	}
	close(fd[1]);
	t_process(s);
	cr_assert_eq(sw_fmp_unix_server_clients(s), 2);
	close(fd[0]);
	close(fd[2]);
	sw_fmp_unix_server_free(s);
}

/*
 * A client that writes much and reads nothing: the server stops reading
 * from it until it reads, and then answers everything, in order.
 */
Test(sw_fmp_unix, slow_reader_is_answered_in_order_with_bounded_buffers)
{
	struct sw_fmp_unix_server *s = t_server();
	static uint8_t out[4000 * 64];
	uint8_t msg[SW_FMP_MAX_MSG];
	size_t n = 0, sent = 0;
	uint32_t next = 0, want = 4000;
	int fd = t_connect(s);

	for (uint32_t tag = 0; tag < want; tag++)
		n += t_frame(out + n, tag, 40);
	for (unsigned spin = 0; next < want && spin < 100000; spin++) {
		struct sw_fmp_hdr h;

		if (sent < n) {
			ssize_t k =
				send(fd, out + sent, n - sent, MSG_NOSIGNAL);

			if (k > 0)
				sent += (size_t)k;
		}
		t_process(s);
		/* read only every 8th round: responses pile up meanwhile */
		if (spin % 8)
			continue;
		while (next < want) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 0) != 1)
				break;
			t_recv_frame(fd, msg, &h);
			cr_assert_eq(h.tag, next);
			next++;
		}
	}
	cr_assert_eq(next, want);
	cr_assert_eq(handled, want);
	close(fd);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, clients_beyond_the_limit_are_refused)
{
	struct sw_fmp_unix_server *s = t_server();
	int fd[SW_FMP_UNIX_MAX_CLIENTS + 1];

	for (int i = 0; i <= SW_FMP_UNIX_MAX_CLIENTS; i++)
		fd[i] = t_connect(s);
	cr_assert_eq(sw_fmp_unix_server_clients(s), SW_FMP_UNIX_MAX_CLIENTS);
	cr_assert(t_hung_up(fd[SW_FMP_UNIX_MAX_CLIENTS]));
	for (int i = 0; i <= SW_FMP_UNIX_MAX_CLIENTS; i++)
		close(fd[i]);
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, free_removes_the_socket_file)
{
	struct sw_fmp_unix_server *s = t_server();
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	sw_fmp_unix_server_free(s);
	cr_assert_eq(stat(path, &st), -1);
}

Test(sw_fmp_unix, stale_socket_file_is_replaced)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sw_fmp_unix_server *s;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sa.sun_path, path, strlen(path) + 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* a socket file nobody listens on */
	s = t_server();
	close(t_connect(s));
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, live_server_path_is_refused)
{
	struct sw_fmp_unix_server *s = t_server(), *s2 = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_unix_server_new(&s2, path, t_handle, NULL, &err),
		     -FM_EEXIST);
	cr_assert(strstr(err.msg, "another server"), "%s", err.msg);
	close(t_connect(s));
	sw_fmp_unix_server_free(s);
}

Test(sw_fmp_unix, regular_file_at_path_is_refused_and_kept)
{
	struct sw_fmp_unix_server *s = NULL;
	struct fm_err err = { 0 };
	struct stat st;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs("keep me", f);
	fclose(f);
	cr_assert_eq(sw_fmp_unix_server_new(&s, path, t_handle, NULL, &err),
		     -FM_EEXIST);
	cr_assert(strstr(err.msg, "not a socket"), "%s", err.msg);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 7);
}

Test(sw_fmp_unix, too_long_path_is_refused)
{
	struct sw_fmp_unix_server *s = NULL;
	struct fm_err err = { 0 };
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	cr_assert_eq(sw_fmp_unix_server_new(&s, longpath, t_handle, NULL, &err),
		     -FM_EINVAL);
	cr_assert(strstr(err.msg, "must be 1.."), "%s", err.msg);
}

Test(sw_fmp_unix, connect_without_server_fails_with_io_error)
{
	struct sw_fmp_unix_client *c = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_unix_client_connect(&c, path, &err), -FM_EIO);
	cr_assert(strstr(err.msg, path), "%s", err.msg);
}

/* ---------------------------------------------------------------------
 * The blocking client against a server polled by a thread, as a daemon's
 * event loop would poll it.
 */
struct t_loop {
	struct sw_fmp_unix_server *s;
	int stop[2];
	pthread_t th;
};

static void *t_loop_run(void *arg)
{
	struct t_loop *l = arg;

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

static void t_loop_start(struct t_loop *l)
{
	l->s = t_server();
	cr_assert_eq(pipe(l->stop), 0);
	cr_assert_eq(pthread_create(&l->th, NULL, t_loop_run, l), 0);
}

static void t_loop_stop(struct t_loop *l)
{
	cr_assert_eq(write(l->stop[1], "x", 1), 1);
	pthread_join(l->th, NULL);
	close(l->stop[0]);
	close(l->stop[1]);
	sw_fmp_unix_server_free(l->s);
}

Test(sw_fmp_unix, blocking_client_identifies_through_the_socket)
{
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_client *c = NULL;
	struct sw_fmp_identify_rsp id;
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };
	struct t_loop l;

	t_loop_start(&l);
	cr_assert_eq(sw_fmp_unix_client_connect(&uc, path, &err), 0, "%s",
		     err.msg);
	sw_fmp_unix_client_transport(&t, uc);
	cr_assert_eq(sw_fmp_client_new(&c, &t, NULL), 0);
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(sw_fmp_client_identify(&id, c, &err), 0, "%s",
			     err.msg);
		cr_assert_str_eq(id.name, "unix-test");
	}
	sw_fmp_client_free(c);
	sw_fmp_unix_client_close(uc);
	t_loop_stop(&l);
}

Test(sw_fmp_unix, blocking_client_reports_server_hangup)
{
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };
	uint8_t req[SW_FMP_MAX_MSG], rsp[SW_FMP_MAX_MSG];
	size_t n, rlen = 0;
	struct t_loop l;

	t_loop_start(&l);
	cr_assert_eq(sw_fmp_unix_client_connect(&uc, path, &err), 0);
	sw_fmp_unix_client_transport(&t, uc);
	t_loop_stop(&l); /* disconnects every client */
	n = sw_fmp_request_build(req, SW_FMP_OP_IDENTIFY, 1, NULL, 0);
	cr_assert_eq(t.transact(t.ctx, rsp, &rlen, req, n, &err), -FM_EIO);
	cr_assert(strstr(err.msg, "closed") || strstr(err.msg, "send") ||
			  strstr(err.msg, "recv"),
		  "%s", err.msg);
	sw_fmp_unix_client_close(uc);
}

/* ---------------------------------------------------------------------
 * Deadline, circuit breaker and reconnect, against servers the test
 * scripts byte by byte on raw sockets.
 */
#define T_DEADLINE_MS 200

static uint64_t t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A listening socket at path that the test accepts on (or never). */
static int t_listen_raw(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	cr_assert_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

static void t_listen_raw_close(int fd)
{
	close(fd);
	unlink(path);
}

/* A client of path, as the daemon sets it up, with the test deadline. */
static struct sw_fmp_client *t_client(struct sw_fmp_unix_client **uc)
{
	struct sw_fmp_client *c = NULL;
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_unix_client_connect(uc, path, &err), 0, "%s",
		     err.msg);
	sw_fmp_unix_client_set_deadline(*uc, T_DEADLINE_MS);
	sw_fmp_unix_client_transport(&t, *uc);
	cr_assert_eq(sw_fmp_client_new(&c, &t, NULL), 0);
	return c;
}

/* Identify through @c: its result, @err filled, *ms the time taken. */
static int t_identify(struct sw_fmp_client *c, uint64_t *ms, struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	uint64_t t0 = t_now_ms();
	int ret;

	fm_err_clear(err);
	ret = sw_fmp_client_identify(&id, c, err);
	*ms = t_now_ms() - t0;
	if (ret == 0)
		cr_assert_str_eq(id.name, "unix-test");
	return ret;
}

Test(sw_fmp_unix, client_call_to_a_mute_server_times_out_within_deadline)
{
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_client *c;
	struct fm_err err = { 0 };
	int lfd = t_listen_raw(); /* accepts in the kernel, never answers */
	uint64_t ms;

	c = t_client(&uc);
	cr_assert_eq(t_identify(c, &ms, &err), -FM_ETIMEDOUT, "%s", err.msg);
	cr_assert_geq(ms, T_DEADLINE_MS - 5);
	cr_assert_lt(ms, 2 * T_DEADLINE_MS, "took %llu ms",
		     (unsigned long long)ms);
	cr_assert(strstr(err.msg, "no response within 200 ms"), "%s", err.msg);
	cr_assert_not(sw_fmp_unix_client_connected(uc));
	sw_fmp_client_free(c);
	sw_fmp_unix_client_close(uc);
	t_listen_raw_close(lfd);
}

Test(sw_fmp_unix, client_fails_at_once_while_disconnected)
{
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_client *c;
	struct fm_err err = { 0 };
	int lfd = t_listen_raw();
	uint64_t ms;

	c = t_client(&uc);
	cr_assert_eq(t_identify(c, &ms, &err), -FM_ETIMEDOUT, "%s", err.msg);
	cr_assert_eq(t_identify(c, &ms, &err), -FM_EUNAVAIL, "%s", err.msg);
	cr_assert_lt(ms, 5, "took %llu ms", (unsigned long long)ms);
	cr_assert(strstr(err.msg, "switch unreachable since "), "%s", err.msg);
	cr_assert(strstr(err.msg, "(no response within 200 ms)"), "%s",
		  err.msg);
	cr_assert_str_eq(sw_fmp_unix_client_down_reason(uc),
			 "no response within 200 ms");
	sw_fmp_client_free(c);
	sw_fmp_unix_client_close(uc);
	t_listen_raw_close(lfd);
}

Test(sw_fmp_unix, client_reconnect_without_server_stays_disconnected)
{
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_client *c;
	struct fm_err err = { 0 };
	int lfd = t_listen_raw();
	uint64_t ms;

	c = t_client(&uc);
	cr_assert_eq(t_identify(c, &ms, &err), -FM_ETIMEDOUT, "%s", err.msg);
	t_listen_raw_close(lfd);
	fm_err_clear(&err);
	cr_assert_eq(sw_fmp_unix_client_reconnect(uc, &err), -FM_EUNAVAIL);
	cr_assert(strstr(err.msg, "reconnect"), "%s", err.msg);
	cr_assert_not(sw_fmp_unix_client_connected(uc));
	cr_assert_eq(t_identify(c, &ms, &err), -FM_EUNAVAIL, "%s", err.msg);
	sw_fmp_client_free(c);
	sw_fmp_unix_client_close(uc);
}

Test(sw_fmp_unix, client_works_again_after_reconnecting_to_a_new_server)
{
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_client *c;
	struct fm_err err = { 0 };
	int lfd = t_listen_raw();
	struct t_loop l;
	uint64_t ms;

	c = t_client(&uc);
	cr_assert_eq(t_identify(c, &ms, &err), -FM_ETIMEDOUT, "%s", err.msg);
	t_listen_raw_close(lfd);
	t_loop_start(&l); /* the switch process restarted */
	cr_assert_eq(sw_fmp_unix_client_reconnect(uc, &err), 0, "%s", err.msg);
	cr_assert(sw_fmp_unix_client_connected(uc));
	cr_assert_null(sw_fmp_unix_client_down_reason(uc));
	cr_assert_eq(t_identify(c, &ms, &err), 0, "%s", err.msg);
	cr_assert_eq(t_identify(c, &ms, &err), 0, "%s", err.msg);
	sw_fmp_client_free(c);
	sw_fmp_unix_client_close(uc);
	t_loop_stop(&l);
}

/*
 * A scripted server: on its first connection it reads one request and
 * writes only the start of a response (a header announcing 40 bytes and
 * 10 of them), then closes (@close_first) or goes silent; on the next
 * connection it answers properly.
 */
struct t_script {
	int lfd;
	bool close_first;
	int first; /* the first connection, kept open when silent */
	pthread_t th;
};

/* Read one request frame from @fd into @req; its length. */
static size_t t_read_frame(int fd, uint8_t *req)
{
	size_t have = 0, need = SW_FMP_FRAME_HDR;

	while (have < need) {
		ssize_t n = read(fd, req + have, need - have);

		if (n <= 0)
			return 0;
		have += (size_t)n;
		if (have == SW_FMP_FRAME_HDR)
			need += get32(req);
	}
	return need - SW_FMP_FRAME_HDR;
}

static void *t_script_run(void *arg)
{
	static uint8_t req[SW_FMP_FRAME_HDR + SW_FMP_MAX_MSG];
	static uint8_t rsp[SW_FMP_FRAME_HDR + SW_FMP_MAX_MSG];
	struct t_script *s = arg;
	uint8_t partial[SW_FMP_FRAME_HDR + 10];
	size_t len, rlen;
	int fd;

	s->first = accept(s->lfd, NULL, NULL);
	if (s->first < 0 || !t_read_frame(s->first, req))
		return NULL;
	put32(partial, 40);
	memset(partial + SW_FMP_FRAME_HDR, 'X', 10);
	if (write(s->first, partial, sizeof(partial)) != sizeof(partial))
		return NULL;
	if (s->close_first) {
		close(s->first);
		s->first = -1;
	}
	fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	len = t_read_frame(fd, req);
	rlen = t_handle(NULL, rsp + SW_FMP_FRAME_HDR, req + SW_FMP_FRAME_HDR,
			len);
	put32(rsp, (uint32_t)rlen);
	if (write(fd, rsp, SW_FMP_FRAME_HDR + rlen) < 0)
		perror("t_script_run");
	close(fd);
	return NULL;
}

/* Half a response, then @close_first or silence; the next call after a
 * reconnect must read the new answer, not the old half. */
static void half_response_leaves_no_stale_bytes(bool close_first, int code)
{
	struct t_script s = { .lfd = t_listen_raw(),
			      .close_first = close_first,
			      .first = -1 };
	struct sw_fmp_unix_client *uc = NULL;
	struct sw_fmp_client *c;
	struct fm_err err = { 0 };
	uint64_t ms;

	cr_assert_eq(pthread_create(&s.th, NULL, t_script_run, &s), 0);
	c = t_client(&uc);
	cr_assert_eq(t_identify(c, &ms, &err), code, "%s", err.msg);
	cr_assert_lt(ms, 2 * T_DEADLINE_MS);
	cr_assert_not(sw_fmp_unix_client_connected(uc));
	cr_assert_eq(sw_fmp_unix_client_reconnect(uc, &err), 0, "%s", err.msg);
	cr_assert_eq(t_identify(c, &ms, &err), 0, "%s", err.msg);
	pthread_join(s.th, NULL);
	if (s.first >= 0)
		close(s.first);
	sw_fmp_client_free(c);
	sw_fmp_unix_client_close(uc);
	t_listen_raw_close(s.lfd);
}

Test(sw_fmp_unix, server_closing_mid_response_leaves_no_stale_bytes)
{
	half_response_leaves_no_stale_bytes(true, -FM_EIO);
}

Test(sw_fmp_unix, server_stalling_mid_response_leaves_no_stale_bytes)
{
	half_response_leaves_no_stale_bytes(false, -FM_ETIMEDOUT);
}
