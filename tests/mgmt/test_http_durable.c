/* SPDX-License-Identifier: MIT */
/*
 * test_http_durable.c - group commit as an HTTP client sees it
 * (mgmt/durable.h): the store, on a file, in deferred mode driven by the
 * loop; the HTTP server on 127.0.0.1 with a route whose POST writes a
 * row and whose GET reads them.  "Durable" is a second SQLite
 * connection seeing the row.  The client is a non-blocking socket
 * driven in the loop's thread.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fabric/pcie.h"
#include "mgmt/durable.h"
#include "mgmt/http_int.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "store_test.h"
#include "switchfw/switchfw.h"

#define MS FAB_NS_PER_MS
#define MAX_ITER 5000
#define FID(i) SW_FID(0, 4, (i))
#define BINDINGS "SELECT count(*) FROM bindings"

static struct tdb db;
static struct mgmt_store *st;
static struct mgmt_durable *durable;
static struct mgmt_config cfg;
static struct mgmt_loop *loop;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;
static struct mgmt_http *http;
static unsigned next_fid;
static unsigned commits, rounds;

/* POST: bind the next function anywhere in partition 0. */
static int bind_post(struct mgmt_resp *resp, struct mgmt_ctx *c,
		     const struct mgmt_req *req, struct fm_err *err)
{
	uint32_t fid = FID(++next_fid);
	int ret;

	(void)req;
	ret = mgmt_store_binding_set(NULL, c->store, fid, 0, MGMT_VPPB_ANY, 0,
				     err);
	if (ret < 0)
		return ret;
	mgmt_resp_set_json(resp, 200, json_object_new_int64(fid));
	return 0;
}

/* GET: how many bindings the daemon's store shows. */
static int count_get(struct mgmt_resp *resp, struct mgmt_ctx *c,
		     const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_binding *b = NULL;
	size_t n = 0;
	int ret;

	(void)req;
	ret = mgmt_store_binding_list(&b, &n, c->store, err);
	if (ret < 0)
		return ret;
	free(b);
	mgmt_resp_set_json(resp, 200, json_object_new_int64((int64_t)n));
	return 0;
}

static const struct mgmt_route test_routes[] = {
	{ .path = "/redfish/v1/Bindings",
	  .op[MGMT_GET] = { .fn = count_get },
	  .op[MGMT_POST] = { .fn = bind_post } },
};

MGMT_ROUTE_SET(durable_set, "test", test_routes);

static void count_news(void *c, enum mgmt_store_news what)
{
	(void)c;
	commits += what == MGMT_STORE_COMMITTED;
	rounds += what == MGMT_STORE_ROUND_OPENED;
}

static void quiet(void *c, enum fm_log_level level, const char *msg)
{
	(void)c;
	(void)level;
	(void)msg;
}

static void setup(void)
{
	const struct mgmt_route_set *sets[] = { &mgmt_res_root,
						&mgmt_res_registries,
						&durable_set };
	struct fm_err err = { 0 };

	signal(SIGPIPE, SIG_IGN);
	fm_log_set_sink(quiet, NULL);
	next_fid = commits = rounds = 0;
	tdb_make(&db);
	st = t_open(db.path);
	cr_assert_eq(mgmt_loop_new(&loop, NULL), 0);
	cr_assert_eq(mgmt_durable_new(&durable, loop, st, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(mgmt_store_watch(st, count_news, NULL, &err), 0, "%s",
		     err.msg);
	mgmt_config_defaults(&cfg);
	cfg.listen_port = 0;
	cr_assert_eq(mgmt_router_new(&router, sets, 3, NULL), 0);
	ctx.cfg = &cfg;
	ctx.loop = loop;
	ctx.router = router;
	ctx.store = st;
	cr_assert_eq(mgmt_http_new(&http, loop, router, &ctx, &err), 0, "%s",
		     err.msg);
}

static void teardown(void)
{
	mgmt_http_free(http);
	mgmt_durable_free(durable);
	mgmt_store_unwatch(st, count_news, NULL);
	mgmt_router_free(router);
	mgmt_store_close(st);
	mgmt_loop_free(loop);
	tdb_remove(&db);
}

TestSuite(mgmt_http_durable, .init = setup, .fini = teardown, .timeout = 30);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A connection with @request sent (the server has not run yet). */
static int t_request(const char *request)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t len = strlen(request);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	unsigned i;

	cr_assert_geq(fd, 0);
	sa.sin_port = htons(mgmt_http_port(http));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		  errno == EINPROGRESS);
	for (i = 0; len && i < MAX_ITER; i++) {
		ssize_t n = send(fd, request, len, MSG_NOSIGNAL);

		if (n > 0) {
			request += n;
			len -= (size_t)n;
			continue;
		}
		cr_assert(n < 0 && (errno == EAGAIN || errno == ENOTCONN),
			  "send: %s", strerror(errno));
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	cr_assert_eq(len, 0, "could not send");
	return fd;
}

static int t_post(void)
{
	return t_request("POST /redfish/v1/Bindings HTTP/1.1\r\n"
			 "Host: x\r\nConnection: close\r\n"
			 "Content-Type: application/json\r\n"
			 "Content-Length: 2\r\n\r\n{}");
}

static int t_get(void)
{
	return t_request("GET /redfish/v1/Bindings HTTP/1.1\r\n"
			 "Host: x\r\nConnection: close\r\n\r\n");
}

struct t_resp {
	char raw[4096]; /* what arrived, NUL-terminated */
	size_t len;
	bool eof;
};

/*
 * Read what is there without blocking: true when something arrived
 * (or the connection ended).
 */
static bool t_poll(struct t_resp *r, int fd)
{
	ssize_t n;

	if (r->eof)
		return false;
	n = recv(fd, r->raw + r->len, sizeof(r->raw) - 1 - r->len, 0);
	if (n > 0) {
		r->len += (size_t)n;
		r->raw[r->len] = '\0';
		return true;
	}
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
		r->eof = true;
		return true;
	}
	return false;
}

/*
 * Run the loop until the first bytes of the answer on @fd arrive, then
 * call @check at once (nothing else ran since they were sent).
 */
static void t_first_bytes(struct t_resp *r, int fd, void (*check)(void))
{
	unsigned i;

	for (i = 0; i < MAX_ITER && !t_poll(r, fd); i++)
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	cr_assert(r->len || r->eof, "no answer");
	if (check)
		check();
}

/* Run the loop until the server closed @fd; then close it. */
static void t_finish(struct t_resp *r, int fd)
{
	unsigned i;

	for (i = 0; i < MAX_ITER && !r->eof; i++) {
		if (t_poll(r, fd))
			continue;
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	cr_assert(r->eof, "the server did not close the connection");
	close(fd);
}

static unsigned t_status(const struct t_resp *r)
{
	unsigned status = 0;

	cr_assert_eq(sscanf(r->raw, "HTTP/1.1 %u ", &status), 1, "%s", r->raw);
	return status;
}

static long t_number(const struct t_resp *r)
{
	const char *body = strstr(r->raw, "\r\n\r\n");

	cr_assert(body, "%s", r->raw);
	return strtol(body + 4, NULL, 10);
}

static void check_one_durable_row(void)
{
	cr_assert_eq(raw_int(db.path, BINDINGS), 1,
		     "answered before the row was durable");
}

Test(mgmt_http_durable, post_is_answered_only_once_its_row_is_durable)
{
	struct t_resp r = { 0 };
	int fd = t_post();

	t_first_bytes(&r, fd, check_one_durable_row);
	t_finish(&r, fd);
	cr_assert_eq(t_status(&r), 200, "%s", r.raw);
	cr_assert_eq(t_number(&r), (long)FID(1));
	cr_assert_eq(commits, 1);
}

Test(mgmt_http_durable, get_with_nothing_pending_opens_no_round)
{
	struct t_resp r = { 0 };
	int fd = t_get();

	t_first_bytes(&r, fd, NULL);
	t_finish(&r, fd);
	cr_assert_eq(t_status(&r), 200, "%s", r.raw);
	cr_assert_eq(t_number(&r), 0);
	cr_assert_eq(rounds, 0);
	cr_assert_eq(commits, 0);
}

static long durable_rows = -1;

static void note_durable_rows(void)
{
	durable_rows = (long)raw_int(db.path, BINDINGS);
}

/*
 * While a flush is asked (here by a POST's answer, held for it), a GET
 * answered in the same iteration waits for the commit too: whatever
 * state a client reads is durable when it reads it.  (If the server
 * happens to answer the GET before it handles the POST, the GET shows
 * nothing new and has nothing to wait for.)
 */
Test(mgmt_http_durable,
     get_answered_while_a_flush_is_asked_shows_only_durable_state)
{
	struct t_resp post = { 0 }, get = { 0 };
	int pfd = t_post();
	int gfd = t_get();

	t_first_bytes(&get, gfd, note_durable_rows);
	t_finish(&get, gfd);
	cr_assert_eq(t_status(&get), 200, "%s", get.raw);
	cr_assert_leq(t_number(&get), durable_rows,
		      "the GET showed %ld rows, %ld were durable",
		      t_number(&get), durable_rows);
	t_first_bytes(&post, pfd, NULL);
	t_finish(&post, pfd);
	cr_assert_eq(t_status(&post), 200, "%s", post.raw);
}

/*
 * A write nobody was told about (a job's step) waits for the round's
 * timer: a GET answered meanwhile does not commit it, and the timer
 * commits it MGMT_DURABLE_DELAY_NS after the round opened, not before.
 * The GET must be answered within that delay for the first half to say
 * anything: on a machine too slow for that, the attempt is repeated.
 */
Test(mgmt_http_durable, get_does_not_commit_a_job_write_which_the_timer_does)
{
	unsigned attempt, i;
	uint64_t t0, t1, t2;
	bool judged = false;

	for (attempt = 0; attempt < 5 && !judged; attempt++) {
		struct t_resp r = { 0 };
		unsigned before = commits;
		int fd;

		/* the round's timer counts from the loop's clock */
		t0 = mgmt_loop_now(loop);
		cr_assert_eq(mgmt_store_binding_set(NULL, st,
						    FID(100 + attempt), 1,
						    MGMT_VPPB_ANY, 0, NULL),
			     0);
		fd = t_get();
		t_first_bytes(&r, fd, NULL);
		t_finish(&r, fd);
		t1 = now_ns();
		cr_assert_eq(t_status(&r), 200, "%s", r.raw);
		cr_assert_eq(t_number(&r), (long)attempt + 1,
			     "the store shows its own write");
		if (t1 - t0 < MGMT_DURABLE_DELAY_NS * 8 / 10) {
			judged = true;
			cr_assert_eq(commits, before,
				     "the GET committed the round");
			cr_assert_eq(raw_int(db.path, BINDINGS), attempt,
				     "the row is durable before the timer");
		}
		for (i = 0; i < MAX_ITER && commits == before; i++)
			cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
		t2 = now_ns();
		cr_assert_eq(commits, before + 1);
		cr_assert_geq(t2 - t0, MGMT_DURABLE_DELAY_NS,
			      "committed %llu ns after the round opened",
			      (unsigned long long)(t2 - t0));
		cr_assert_eq(raw_int(db.path, BINDINGS), attempt + 1);
	}
	cr_assert(judged, "no GET was answered within the delay");
}

Test(mgmt_http_durable, posts_answered_in_one_iteration_share_one_commit)
{
	struct t_resp r[3] = { 0 };
	int fd[3];
	unsigned k;

	/* all three wait in the socket buffers before the server runs */
	for (k = 0; k < 3; k++)
		fd[k] = t_post();
	for (k = 0; k < 3; k++) {
		t_first_bytes(&r[k], fd[k], NULL);
		t_finish(&r[k], fd[k]);
		cr_assert_eq(t_status(&r[k]), 200, "%s", r[k].raw);
	}
	cr_assert_eq(raw_int(db.path, BINDINGS), 3);
	cr_assert_eq(commits, 1, "%u commits for 3 requests", commits);
}

/*
 * A round whose commit fails (the WAL cannot grow past the file size
 * limit) stops the loop; the daemon then frees the server, which closes
 * the held connection without an answer: the client never reads that a
 * lost change was made.
 */
Test(mgmt_http_durable, failed_commit_answers_nothing_and_stops_the_loop)
{
	struct rlimit old, lim;
	struct t_resp r = { 0 };
	struct stat sb;
	char wal[160];
	unsigned i;
	int fd;

	snprintf(wal, sizeof(wal), "%s-wal", db.path);
	cr_assert_eq(stat(wal, &sb), 0);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size; /* the commit cannot grow the WAL */
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	fd = t_post();
	for (i = 0; i < MAX_ITER && !mgmt_loop_stopped(loop); i++) {
		cr_assert_not(t_poll(&r, fd), "answered: %s", r.raw);
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert(mgmt_loop_stopped(loop));
	cr_assert(mgmt_durable_failed(durable));
	mgmt_http_free(http);
	http = NULL;
	for (i = 0; i < MAX_ITER && !r.eof; i++)
		t_poll(&r, fd);
	close(fd);
	cr_assert(r.eof, "the connection was not closed");
	cr_assert_eq(r.len, 0, "answered: %s", r.raw);
	cr_assert_eq(raw_int(db.path, BINDINGS), 0);
	cr_assert_eq(commits, 0);
}
