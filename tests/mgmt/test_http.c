/* SPDX-License-Identifier: MIT */
/*
 * test_http.c - the HTTP server over real sockets on 127.0.0.1 (a free
 * port the kernel picks): headers and bodies as a client receives them,
 * HEAD, the body cap, pipelining, percent-decoding, streams.  The client
 * is a plain non-blocking socket driven in the same thread as the
 * daemon's loop, so no test needs a thread or a sleep.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fabric/pcie.h"
#include "mgmt/http_int.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"

#define MS FAB_NS_PER_MS
#define MAX_ITER 5000

static struct mgmt_config cfg;
static struct mgmt_loop *loop;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;
static struct mgmt_http *http;

/* A stream route: each stream gets "data: hello" and is kept here. */
static struct mgmt_stream *stream;
static unsigned stream_opens, stream_closes;

static void on_stream_open(void *arg, struct mgmt_stream *s)
{
	(void)arg;
	stream = s;
	stream_opens++;
	cr_assert_eq(mgmt_stream_write(s, "data: hello\n\n", 13, NULL), 0);
}

static void on_stream_close(void *arg, struct mgmt_stream *s)
{
	(void)arg;
	cr_assert_eq(s, stream);
	stream = NULL;
	stream_closes++;
}

static int stream_get(struct mgmt_resp *resp, struct mgmt_ctx *c,
		      const struct mgmt_req *req, struct fm_err *err)
{
	(void)c;
	(void)req;
	(void)err;
	mgmt_resp_set_stream(resp, "text/event-stream", on_stream_open,
			     on_stream_close, NULL);
	return 0;
}

static int echo_post(struct mgmt_resp *resp, struct mgmt_ctx *c,
		     const struct mgmt_req *req, struct fm_err *err)
{
	(void)c;
	mgmt_resp_set_json(resp, 200,
			   json_object_get((struct json_object *)req->json));
	(void)err;
	return 0;
}

static const struct mgmt_route test_routes[] = {
	{ .path = "/redfish/v1/Stream", .op[MGMT_GET] = { .fn = stream_get } },
	{ .path = "/redfish/v1/Echo", .op[MGMT_POST] = { .fn = echo_post } },
};

MGMT_ROUTE_SET(test_set, "test", test_routes);

static void setup(void)
{
	const struct mgmt_route_set *sets[] = { &mgmt_res_root,
						&mgmt_res_registries,
						&test_set };
	struct fm_err err = { 0 };

	signal(SIGPIPE, SIG_IGN);
	mgmt_config_defaults(&cfg);
	cfg.listen_port = 0;
	cfg.body_max = 1024;
	cr_assert_eq(mgmt_loop_new(&loop, NULL), 0);
	cr_assert_eq(mgmt_router_new(&router, sets, 3, NULL), 0);
	ctx.cfg = &cfg;
	ctx.loop = loop;
	ctx.router = router;
	cr_assert_eq(mgmt_http_new(&http, loop, router, &ctx, &err), 0, "%s",
		     err.msg);
	cr_assert_gt(mgmt_http_port(http), 0);
}

static void teardown(void)
{
	mgmt_http_free(http);
	mgmt_router_free(router);
	mgmt_loop_free(loop);
}

TestSuite(mgmt_http, .init = setup, .fini = teardown, .timeout = 20);

static int t_connect(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	cr_assert_geq(fd, 0);
	sa.sin_port = htons(mgmt_http_port(http));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		  errno == EINPROGRESS);
	return fd;
}

/* Send all of @buf, letting the server run while the socket is full. */
static void t_send(int fd, const char *buf, size_t len)
{
	unsigned i;

	for (i = 0; len && i < MAX_ITER; i++) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		cr_assert(n < 0 && (errno == EAGAIN || errno == ENOTCONN),
			  "send: %s", strerror(errno));
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	cr_assert_eq(len, 0, "could not send");
}

struct t_resp {
	char *raw; /* everything received, NUL-terminated */
	size_t len;
	bool eof;
};

/* Receive what arrives within the loop's next iterations. */
static void t_recv(struct t_resp *r, int fd, const char *until)
{
	unsigned i;

	for (i = 0; i < MAX_ITER && !r->eof; i++) {
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 0) {
			r->raw = realloc(r->raw, r->len + (size_t)n + 1);
			memcpy(r->raw + r->len, buf, (size_t)n);
			r->len += (size_t)n;
			r->raw[r->len] = '\0';
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			r->eof = true;
			break;
		}
		if (until && r->raw && strstr(r->raw, until))
			break;
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
}

/* One request on a fresh connection that the server then closes. */
static struct t_resp t_exchange(const char *request)
{
	struct t_resp r = { 0 };
	int fd = t_connect();

	t_send(fd, request, strlen(request));
	t_recv(&r, fd, NULL);
	cr_assert(r.eof, "the server did not close the connection");
	close(fd);
	return r;
}

static unsigned t_status(const struct t_resp *r)
{
	unsigned status = 0;

	cr_assert(r->raw, "no response");
	cr_assert_eq(sscanf(r->raw, "HTTP/1.1 %u ", &status), 1, "%s", r->raw);
	return status;
}

/* Value of header @name in @r (copied into @buf), NULL when absent. */
static const char *t_header(const struct t_resp *r, const char *name, char *buf,
			    size_t len)
{
	const char *end = strstr(r->raw, "\r\n\r\n");
	const char *p = strstr(r->raw, "\r\n");

	while (p && p < end) {
		const char *line = p + 2, *eol = strstr(line, "\r\n");
		size_t n = strlen(name);

		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			line += n + 1;
			while (*line == ' ')
				line++;
			snprintf(buf, len, "%.*s", (int)(eol - line), line);
			return buf;
		}
		p = eol;
	}
	return NULL;
}

static const char *t_body(const struct t_resp *r)
{
	const char *end = strstr(r->raw, "\r\n\r\n");

	cr_assert(end);
	return end + 4;
}

static void t_free(struct t_resp *r)
{
	free(r->raw);
}

Test(mgmt_http, service_root_over_http)
{
	struct t_resp r = t_exchange("GET /redfish/v1 HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n\r\n");
	struct json_object *doc;
	char h[256], etag[MGMT_ETAG_LEN];

	cr_assert_eq(t_status(&r), 200);
	cr_assert_str_eq(t_header(&r, "OData-Version", h, sizeof(h)), "4.0");
	cr_assert_str_eq(t_header(&r, "Content-Type", h, sizeof(h)),
			 "application/json; charset=utf-8");
	cr_assert_str_eq(t_header(&r, "Allow", h, sizeof(h)), "GET, HEAD");
	cr_assert_str_eq(t_header(&r, "Link", h, sizeof(h)),
			 "<http://redfish.dmtf.org/schemas/v1/ServiceRoot."
			 "v1_20_0.json>; rel=describedby");
	mgmt_rf_etag(etag, t_body(&r), strlen(t_body(&r)));
	cr_assert_str_eq(t_header(&r, "ETag", h, sizeof(h)), etag);
	doc = json_tokener_parse(t_body(&r));
	cr_assert(doc);
	json_object_put(doc);
	t_free(&r);
}

Test(mgmt_http, head_sends_the_headers_of_get_without_body)
{
	struct t_resp g = t_exchange("GET /redfish/v1/odata HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n\r\n");
	struct t_resp h = t_exchange("HEAD /redfish/v1/odata HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n\r\n");
	char a[64], b[64];

	cr_assert_eq(t_status(&h), 200);
	cr_assert_str_eq(t_header(&h, "Content-Length", a, sizeof(a)),
			 t_header(&g, "Content-Length", b, sizeof(b)));
	cr_assert_str_eq(t_header(&h, "ETag", a, sizeof(a)),
			 t_header(&g, "ETag", b, sizeof(b)));
	cr_assert_str_eq(t_body(&h), "");
	cr_assert_neq(strlen(t_body(&g)), 0);
	t_free(&g);
	t_free(&h);
}

Test(mgmt_http, unknown_resource_is_404_redfish_error)
{
	struct t_resp r = t_exchange("GET /redfish/v1/Nope HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n\r\n");

	cr_assert_eq(t_status(&r), 404);
	cr_assert(strstr(t_body(&r), "\"MessageId\":\"Base.1.22.1."
				     "ResourceMissingAtURI\""));
	t_free(&r);
}

Test(mgmt_http, path_is_percent_decoded)
{
	struct t_resp r = t_exchange("GET /redfish/v1/Registries/%42ase "
				     "HTTP/1.1\r\nHost: x\r\n"
				     "Connection: close\r\n\r\n");

	cr_assert_eq(t_status(&r), 200);
	cr_assert(strstr(t_body(&r),
			 "\"@odata.id\":\"/redfish/v1/Registries/Base\""));
	t_free(&r);
}

Test(mgmt_http, dollar_query_is_501)
{
	struct t_resp r = t_exchange("GET /redfish/v1?$expand=. HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n\r\n");

	cr_assert_eq(t_status(&r), 501);
	cr_assert(strstr(t_body(&r), "QueryParameterUnsupported"));
	t_free(&r);
}

Test(mgmt_http, body_reaches_the_handler)
{
	struct t_resp r = t_exchange("POST /redfish/v1/Echo HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n"
				     "Content-Type: application/json\r\n"
				     "Content-Length: 12\r\n\r\n"
				     "{\"a\": [1,2]}");

	cr_assert_eq(t_status(&r), 200);
	cr_assert_str_eq(t_body(&r), "{\"a\":[1,2]}");
	t_free(&r);
}

Test(mgmt_http, declared_oversized_body_is_413_before_it_is_sent)
{
	struct t_resp r = t_exchange("POST /redfish/v1/Echo HTTP/1.1\r\n"
				     "Host: x\r\n"
				     "Content-Type: application/json\r\n"
				     "Content-Length: 2000000\r\n\r\n");

	cr_assert_eq(t_status(&r), 413);
	cr_assert(strstr(t_body(&r), "Base.1.22.1.PayloadTooLarge"));
	t_free(&r);
}

Test(mgmt_http, chunked_body_past_the_cap_is_413)
{
	char req[4096];
	struct t_resp r;
	int n, i;

	n = snprintf(req, sizeof(req),
		     "POST /redfish/v1/Echo HTTP/1.1\r\nHost: x\r\n"
		     "Connection: close\r\n"
		     "Content-Type: application/json\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n");
	for (i = 0; i < 3; i++)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
			      "200\r\n%0512d\r\n", 0);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "0\r\n\r\n");
	r = t_exchange(req);
	cr_assert_eq(t_status(&r), 413);
	cr_assert(strstr(t_body(&r), "Base.1.22.1.PayloadTooLarge"));
	t_free(&r);
}

Test(mgmt_http, wrong_content_type_is_415)
{
	struct t_resp r = t_exchange("POST /redfish/v1/Echo HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n"
				     "Content-Type: text/plain\r\n"
				     "Content-Length: 2\r\n\r\n{}");

	cr_assert_eq(t_status(&r), 415);
	t_free(&r);
}

Test(mgmt_http, one_connection_serves_pipelined_requests)
{
	struct t_resp r = t_exchange("GET /redfish HTTP/1.1\r\nHost: x\r\n\r\n"
				     "GET /redfish/v1/Nope HTTP/1.1\r\n"
				     "Host: x\r\nConnection: close\r\n\r\n");
	const char *second;

	cr_assert_eq(t_status(&r), 200);
	second = strstr(r.raw + 1, "HTTP/1.1 ");
	cr_assert(second);
	cr_assert_eq(strncmp(second, "HTTP/1.1 404", 12), 0);
	t_free(&r);
}

/* Streams */
#define STREAM_REQ "GET /redfish/v1/Stream HTTP/1.1\r\nHost: x\r\n\r\n"

Test(mgmt_http, stream_delivers_writes_as_they_come)
{
	struct t_resp r = { 0 };
	int fd = t_connect();
	char h[64];

	t_send(fd, STREAM_REQ, strlen(STREAM_REQ));
	t_recv(&r, fd, "hello");
	cr_assert_eq(stream_opens, 1);
	cr_assert_eq(t_status(&r), 200);
	cr_assert_str_eq(t_header(&r, "Content-Type", h, sizeof(h)),
			 "text/event-stream");
	cr_assert(strstr(r.raw, "data: hello\n\n"));
	cr_assert_not(strstr(r.raw, "second"));
	cr_assert_eq(mgmt_stream_write(stream, "data: second\n\n", 14, NULL),
		     0);
	t_recv(&r, fd, "second");
	cr_assert(strstr(r.raw, "data: second\n\n"));
	mgmt_stream_end(stream);
	t_recv(&r, fd, "\r\n0\r\n\r\n");
	cr_assert(strstr(r.raw, "\r\n0\r\n\r\n"), "no last chunk: %s", r.raw);
	cr_assert_eq(stream_closes, 1);
	close(fd);
	t_free(&r);
}

Test(mgmt_http, stream_owner_learns_the_client_left)
{
	struct t_resp r = { 0 };
	int fd = t_connect();
	unsigned i;

	t_send(fd, STREAM_REQ, strlen(STREAM_REQ));
	t_recv(&r, fd, "hello");
	close(fd);
	/* a suspended connection notices the hang-up at its next write */
	for (i = 0; i < MAX_ITER && stream; i++) {
		if (i % 100 == 0)
			mgmt_stream_write(stream, "data: ping\n\n", 12, NULL);
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	}
	cr_assert_eq(stream_closes, 1);
	cr_assert_null(stream);
	t_free(&r);
}

Test(mgmt_http, stopping_the_server_closes_its_streams)
{
	struct t_resp r = { 0 };
	int fd = t_connect();

	t_send(fd, STREAM_REQ, strlen(STREAM_REQ));
	t_recv(&r, fd, "hello");
	cr_assert_eq(stream_closes, 0);
	mgmt_http_free(http);
	http = NULL;
	cr_assert_eq(stream_closes, 1);
	close(fd);
	t_free(&r);
}

Test(mgmt_http, slow_stream_client_is_cut_off)
{
	static char chunk[64 * 1024];
	struct t_resp r = { 0 };
	struct fm_err err = { 0 };
	int fd = t_connect(), ret = 0;
	unsigned i;

	t_send(fd, STREAM_REQ, strlen(STREAM_REQ));
	t_recv(&r, fd, "hello");
	memset(chunk, 'x', sizeof(chunk));
	/* the client reads nothing more */
	for (i = 0; i < 1000 && ret == 0; i++) {
		ret = mgmt_stream_write(stream, chunk, sizeof(chunk), &err);
		cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	}
	cr_assert_eq(ret, -FM_ENOSPC);
	cr_assert(strstr(err.msg, "client too slow"), "%s", err.msg);
	close(fd);
	t_free(&r);
}

/* Listening */
Test(mgmt_http, taken_port_is_refused_with_its_address)
{
	struct mgmt_config c = cfg;
	struct mgmt_ctx x = ctx;
	struct mgmt_http *h2 = NULL;
	struct fm_err err = { 0 };
	char want[64];

	c.listen_port = mgmt_http_port(http);
	x.cfg = &c;
	cr_assert_eq(mgmt_http_new(&h2, loop, router, &x, &err), -FM_EIO);
	snprintf(want, sizeof(want), "http: cannot listen on 127.0.0.1:%u",
		 (unsigned)c.listen_port);
	cr_assert_eq(strncmp(err.msg, want, strlen(want)), 0, "%s", err.msg);
}

Test(mgmt_http, host_name_address_is_refused)
{
	struct mgmt_config c = cfg;
	struct mgmt_ctx x = ctx;
	struct mgmt_http *h2 = NULL;
	struct fm_err err = { 0 };

	snprintf(c.listen_address, sizeof(c.listen_address), "localhost");
	x.cfg = &c;
	cr_assert_eq(mgmt_http_new(&h2, loop, router, &x, &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg,
			 "http: \"localhost\" is not an IPv4 or IPv6 address");
}
